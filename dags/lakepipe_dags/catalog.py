"""The job catalog, ``config/jobs.conf``: each lakepipe Spark job's jar, main class and options, declared once.

DAG steps, ``./lakepipe run`` and the tests read the jobs from here, so a job has one name everywhere
(its audit name too). Run as a script, it answers ``./lakepipe``::

    python -m lakepipe_dags.catalog list                # name and description of every job
    python -m lakepipe_dags.catalog submit <job> [--until <ds>] [--<option> <value> ...]
                                                        # module, main class and the checked options,
                                                        # then a line of the run's --conf settings
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pyhocon import ConfigFactory, ConfigTree

CATALOG_ENV = "LAKEPIPE_JOB_CATALOG"
# The Spark settings of a long-running driver, in the catalog beside its jobs.
LONG_RUNNING_KEY = "long-running-spark-conf"
# The last day of a range run, which every job takes besides its own options.
UNTIL = "until"
# A module is a Maven module's suffix (jobs-ingest -> "ingest"), never the module name itself.
_MODULE = re.compile(r"(?!jobs-)[a-z][a-z0-9]*(-[a-z0-9]+)*")
_NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


class CatalogError(ValueError):
    """A job or option the catalog does not declare, or a catalog entry that is incomplete."""


@dataclass(frozen=True)
class JobOption:
    name: str
    description: str
    required: bool


@dataclass(frozen=True)
class Job:
    name: str
    module: str
    main_class: str
    description: str
    options: tuple[JobOption, ...]
    audit_name: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    long_running: bool = False
    long_running_conf: tuple[tuple[str, str], ...] = ()

    def spark_conf(self, *, range_run: bool) -> dict[str, str]:
        """The Spark settings this run adds to the properties file: the long-running ones for a range run or
        a job declared ``long-running``, else none (the file's are for short-lived daily drivers)."""
        return dict(self.long_running_conf) if range_run or self.long_running else {}

    @property
    def jar(self) -> str:
        return f"jobs-{self.module}.jar"

    def option_args(self, values: Mapping[str, str]) -> list[str]:
        """``--<name> <value>`` for each option, after checking them against the job's declared options."""
        declared = {option.name for option in self.options}
        unknown = sorted(set(values) - declared)
        if unknown:
            raise CatalogError(
                f"job {self.name!r} has no option {', '.join(unknown)}; it takes {self._options_text()} "
                f"(declared in {catalog_path()})"
            )
        missing = [option.name for option in self.options if option.required and option.name not in values]
        if missing:
            raise CatalogError(
                f"job {self.name!r} needs option {', '.join(missing)}: {self._options_text()} "
                f"(declared in {catalog_path()})"
            )
        return [arg for name, value in values.items() for arg in (f"--{name}", str(value))]

    def _options_text(self) -> str:
        if not self.options:
            return "no options of its own"
        return "; ".join(
            f"--{o.name} ({'required' if o.required else 'optional'}: {o.description})" for o in self.options
        )


def catalog_path() -> Path:
    """``$LAKEPIPE_JOB_CATALOG``, else ``config/jobs.conf`` of the checkout (``$LAKEPIPE_HOME`` or this repository)."""
    configured = os.environ.get(CATALOG_ENV)
    if configured:
        return Path(configured)
    home = os.environ.get("LAKEPIPE_HOME")
    return (Path(home) if home else Path(__file__).resolve().parents[2]) / "config" / "jobs.conf"


@cache
def _load(path: Path) -> dict[str, Job]:
    if not path.is_file():
        raise CatalogError(f"the job catalog {path} does not exist; set {CATALOG_ENV} or LAKEPIPE_HOME to a checkout")
    tree = ConfigFactory.parse_file(str(path))
    # (pyhocon keeps the quotes of a quoted key, which a dotted Spark key needs.)
    conf = tuple((key.strip('"'), str(value)) for key, value in tree.get_config(LONG_RUNNING_KEY, ConfigTree()).items())
    for key, value in conf:
        if not value or any(c.isspace() for c in value):
            raise CatalogError(f"{path}: {LONG_RUNNING_KEY}.{key} = {value!r}: one word, without spaces, please")
    return {name: _job(path, name, entry, conf) for name, entry in tree.get_config("jobs").items()}


def _job(path: Path, name: str, entry: ConfigTree, long_running_conf: tuple[tuple[str, str], ...]) -> Job:
    where = f"{path}: jobs.{name}"
    if not _NAME.fullmatch(name):
        raise CatalogError(f"{where}: a job name is lower-case words joined by '-', e.g. 'check-table'")
    for key in ("module", "main-class", "description"):
        if not entry.get_string(key, ""):
            raise CatalogError(f"{where}.{key} is missing; every job declares module, main-class and description")
    module = entry.get_string("module")
    if not _MODULE.fullmatch(module):
        raise CatalogError(
            f"{where}.module = {module!r} is not a job module suffix: the jar is jobs-<module>.jar, e.g. 'ingest'"
        )
    options = tuple(
        JobOption(option, spec.get_string("description", ""), spec.get_bool("required", False))
        for option, spec in entry.get_config("options", ConfigTree()).items()
    )
    return Job(
        name=name,
        module=module,
        main_class=entry.get_string("main-class"),
        description=entry.get_string("description"),
        options=options,
        audit_name=entry.get_string("audit-name", name),
        reads=tuple(entry.get_list("reads", [])),
        writes=tuple(entry.get_list("writes", [])),
        long_running=entry.get_bool("long-running", False),
        long_running_conf=long_running_conf,
    )


def jobs() -> dict[str, Job]:
    """Every job of the catalog by name, in the catalog's order."""
    return _load(catalog_path())


def job(name: str) -> Job:
    """The job of that name, or a :class:`CatalogError` listing the jobs there are."""
    catalog = jobs()
    if name not in catalog:
        raise CatalogError(f"no job {name!r} in {catalog_path()}; jobs: {', '.join(catalog)}")
    return catalog[name]


def _options_from_args(args: list[str]) -> dict[str, str]:
    if len(args) % 2 or any(not flag.startswith("--") for flag in args[::2]):
        raise CatalogError(f"job options come as --<name> <value> pairs, not {' '.join(args)!r}")
    return {flag[2:]: value for flag, value in zip(args[::2], args[1::2], strict=True)}


def main(argv: list[str]) -> int:
    try:
        if argv[:1] == ["list"]:
            for entry in jobs().values():
                options = "".join(f" --{o.name} <{o.name}>" for o in entry.options)
                print(f"{entry.name + options:<36} {entry.description}")
            return 0
        if argv[:1] == ["submit"] and len(argv) >= 2:
            entry = job(argv[1])
            values = _options_from_args(argv[2:])
            until = values.pop(UNTIL, None)
            range_args = [f"--{UNTIL}", until] if until else []
            print(entry.module, entry.main_class, *range_args, *entry.option_args(values))
            conf = entry.spark_conf(range_run=until is not None)
            print(*(word for key, value in conf.items() for word in ("--conf", f"{key}={value}")))
            return 0
    except CatalogError as e:
        print(e, file=sys.stderr)
        return 2
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
