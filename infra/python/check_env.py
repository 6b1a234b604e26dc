"""Checks of the locked virtualenvs (infra/python/*.lock, made by infra/python/lock.sh).

``locks``: each lock is consistent with its inputs, without re-resolving (no network, a second). Every
line of a lock is one package pinned with ``==`` and at least one ``--hash``; every requirement of its
inputs (the requirements files its header names) is pinned with ``==`` and is in the lock at that
version; a package that an override removes is not in it; the build tools of
``requirements-build.lock``, installed first in every virtualenv, have the same version in any lock
that holds them too. Standard library only: any Python 3.10+ runs it.

``imports <venv>``: every direct import is declared. It walks the Python code that runs in that
virtualenv (FOLDERS below) and fails on a third-party module that no distribution named in the
virtualenv's requirements files provides (standard library and the repository's own modules aside).
Run it with that virtualenv's own Python: it asks that one what is installed
(``importlib.metadata.packages_distributions()``).

    python3 infra/python/check_env.py locks
    .lakepipe/venv-airflow/bin/python infra/python/check_env.py imports airflow

Exit 0 when all is well, 1 with one line a finding (what, where, what to do).
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HOME = Path(__file__).resolve().parents[2]
PYTHON_DIR = HOME / "infra" / "python"
BUILD_LOCK = PYTHON_DIR / "requirements-build.lock"

# The code each virtualenv runs, from the checkout's root: what its test suites, ./lakepipe and the
# infra scripts run with .lakepipe/venv-<name>/bin/python.
FOLDERS = {
    # The DAGs, their helpers and tests; the browser checks of the Airflow and MLflow UIs (infra/ui).
    "airflow": ["dags", "infra/airflow", "infra/ui"],
    # The report, monitoring and security tools and their tests, the notebooks and their helper,
    # table_counts.py (yarn-test.sh), readback.py (jobs-train's MlflowReadback), the pyfunc loader
    # that jobs-train writes into each XGBoost model, which MLflow's loader imports in that Python, and
    # this check's own tests.
    "mlflow": [
        "infra/python",
        "infra/report",
        "infra/monitoring",
        "infra/security",
        "infra/lib",
        "infra/mlflow",
        "notebooks",
        "jobs-train/src/main/resources/io/lakepipe/train/pyfunc/code",
    ],
    # The Kubernetes manifests' checker (validate.sh) and its tests.
    "deploy": ["infra/deploy"],
    # The deep-learning family's trainer and its tests; the script of the scorer's ONNX test files.
    "torch": ["jobs-train/src/main/python", "jobs-train/src/test/python", "serving/src/test/resources/onnx"],
}
# Not the repository's code: state, build output, installed packages.
SKIPPED_DIRS = {".git", ".lakepipe", "target", "node_modules", "__pycache__", ".ipynb_checkpoints"}

RELOCK = "run infra/python/lock.sh"


def normalize(name: str) -> str:
    """A distribution's name as PEP 503 compares them (PyYAML, pyyaml and py_yaml are one)."""
    return re.sub(r"[-_.]+", "-", name).lower()


# --- requirements files and locks --------------------------------------------------------------------

REQUIREMENT = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[(?P<extras>[^\]]*)\])?\s*(?P<spec>[^;]*?)\s*(?:;\s*(?P<marker>.*))?$"
)
PIN = re.compile(r"^==\s*(?P<version>[A-Za-z0-9.+!_-]+)$")
HASH = re.compile(r"^--hash=sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class Requirement:
    name: str  # normalized
    spec: str  # "==1.2.3", ">=8", "" ...
    marker: str
    where: str  # file:line

    @property
    def pinned(self) -> str | None:
        """The version of an exact pin (==X, no wildcard), else None."""
        match = PIN.match(self.spec)
        return match["version"] if match and "*" not in self.spec else None


def logical_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each requirement line: comments dropped, continuations joined."""
    pending, first = "", 0
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not pending:
            first = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        text = (pending + line).strip()
        pending = ""
        if text:
            yield first, text


def read_requirements(path: Path) -> list[Requirement]:
    """The requirements of a human-edited input file; options (-r, -c, --index-url ...) are refused."""
    found = []
    for number, text in logical_lines(path):
        where = f"{path.relative_to(HOME)}:{number}"
        match = REQUIREMENT.match(text)
        if text.startswith("-") or not match:
            raise SystemExit(f"check_env: {where}: cannot read '{text}' (a requirement 'name==version' a line)")
        found.append(
            Requirement(normalize(match["name"]), match["spec"].replace(" ", ""), match["marker"] or "", where)
        )
    return found


@dataclass(frozen=True)
class Lock:
    path: Path
    header: dict[str, str]  # the '# key: value' lines at its top
    pins: dict[str, str]  # normalized name -> version
    problems: list[str]

    @property
    def inputs(self) -> list[Path]:
        return [HOME / name for name in self.header.get("inputs", "").split()]

    @property
    def overrides(self) -> list[Path]:
        return [HOME / name for name in self.header.get("overrides", "").split()]


def read_lock(path: Path) -> Lock:
    header: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            break
        key, colon, value = line[1:].strip().partition(":")
        if colon and re.fullmatch(r"[a-z-]+", key):
            header[key] = value.strip()
    pins: dict[str, str] = {}
    problems = []
    rel = path.relative_to(HOME)
    for number, text in logical_lines(path):
        requirement, *options = text.split()
        match = REQUIREMENT.match(requirement)
        pin = PIN.match(match["spec"]) if match else None
        if not match or not pin or match["extras"]:
            problems.append(f"{rel}:{number}: '{requirement}' is not one package pinned with ==: {RELOCK}")
            continue
        hashes = [option for option in options if option.startswith("--hash")]
        if not hashes or any(not HASH.match(option) for option in hashes) or len(hashes) != len(options):
            problems.append(f"{rel}:{number}: {requirement} has no --hash=sha256:... for its files, or other options")
        name = normalize(match["name"])
        if name in pins:
            problems.append(f"{rel}:{number}: {name} is in the lock twice")
        pins[name] = pin["version"]
    for key in ("inputs", "python-version"):
        if key not in header:
            problems.append(f"{rel}: its header has no '# {key}:' line (made by infra/python/lock.sh?)")
    return Lock(path, header, pins, problems)


def check_lock(lock: Lock, build: Lock | None) -> list[str]:
    problems = list(lock.problems)
    rel = lock.path.relative_to(HOME)
    for source in lock.inputs:
        if not source.is_file():
            problems.append(f"{rel}: its input {source.relative_to(HOME)} is missing")
            continue
        for requirement in read_requirements(source):
            version = requirement.pinned
            if version is None:
                problems.append(
                    f"{requirement.where}: {requirement.name}{requirement.spec} is not pinned: "
                    f"pin it (name==version), then {RELOCK}"
                )
            elif requirement.name not in lock.pins:
                problems.append(f"{requirement.where}: {requirement.name}=={version} is not in {rel}: {RELOCK}")
            elif lock.pins[requirement.name] != version:
                problems.append(
                    f"{requirement.where}: {requirement.name}=={version}, but {rel} has "
                    f"{lock.pins[requirement.name]}: {RELOCK}"
                )
    for source in lock.overrides:
        for requirement in read_requirements(source):
            if "never" in requirement.marker and requirement.name in lock.pins:
                problems.append(f"{rel}: holds {requirement.name}, which {requirement.where} removes: {RELOCK}")
    if build is not None and lock.path != build.path:
        for name, version in build.pins.items():
            if name in lock.pins and lock.pins[name] != version:
                problems.append(
                    f"{rel}: {name}=={lock.pins[name]}, but {build.path.relative_to(HOME)} (installed first) has "
                    f"{version}: {RELOCK}"
                )
    return problems


def cmd_locks() -> int:
    locks = sorted(PYTHON_DIR.glob("*.lock"))
    if not locks:
        print(f"check_env locks: no *.lock in {PYTHON_DIR}", file=sys.stderr)
        return 1
    build = read_lock(BUILD_LOCK) if BUILD_LOCK.is_file() else None
    problems = []
    for path in locks:
        problems += check_lock(read_lock(path), build)
    for problem in problems:
        print(f"check_env locks: {problem}", file=sys.stderr)
    if problems:
        return 1
    counts = ", ".join(f"{path.name} {len(read_lock(path).pins)}" for path in locks)
    print(f"check_env locks: ok, every input pinned and locked with hashes ({counts} packages)")
    return 0


# --- imports -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    module: str  # dotted: "airflow.sdk.DAG" for `from airflow.sdk import DAG`
    where: str  # file:line (a notebook's: file:cell N line M)


def python_files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".py", ".ipynb") and not SKIPPED_DIRS.intersection(path.relative_to(HOME).parts):
            yield path


def imports_in(source: str, where: str) -> Iterator[Import]:
    """The absolute imports of some code, wherever they stand (functions, try blocks, TYPE_CHECKING)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(alias.name, f"{where}{node.lineno}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                yield Import(f"{node.module}.{alias.name}", f"{where}{node.lineno}")


def imports_of(path: Path) -> Iterator[Import]:
    rel = path.relative_to(HOME)
    if path.suffix == ".py":
        yield from imports_in(path.read_text(), f"{rel}:")
        return
    cells = [cell for cell in json.loads(path.read_text())["cells"] if cell["cell_type"] == "code"]
    for number, cell in enumerate(cells, start=1):
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        # IPython's magics and shell escapes are not Python: blank lines keep the numbering.
        lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in text.splitlines()]
        yield from imports_in("\n".join(lines), f"{rel}:cell {number} line ")


def own_modules() -> set[str]:
    """Top-level names that the repository's own files define (a module or a package, anywhere)."""
    names = set()
    for folder, subfolders, files in os.walk(HOME):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED_DIRS]
        if "__init__.py" in files:
            names.add(Path(folder).name)
        names.update(name[:-3] for name in files if name.endswith(".py"))
    return names


class Installed:
    """What the running Python has installed: which distributions provide a module."""

    def __init__(self) -> None:
        self.by_top = {
            top: sorted({normalize(dist) for dist in dists})
            for top, dists in importlib.metadata.packages_distributions().items()
        }
        self._files: dict[str, set[str]] = {}

    def files(self, dist: str) -> set[str]:
        if dist not in self._files:
            self._files[dist] = {str(file) for file in importlib.metadata.distribution(dist).files or []}
        return self._files[dist]

    def providers(self, module: str) -> list[str]:
        """The distributions that provide a dotted module. A namespace that several distributions share
        (airflow: core, task SDK, providers) is narrowed to those whose files hold the longest part of
        the name; of a package, to the one that ships its __init__.py."""
        parts = module.split(".")
        candidates = self.by_top.get(parts[0], [])
        if len(candidates) <= 1:
            return candidates
        for length in range(len(parts), 0, -1):
            path = "/".join(parts[:length])
            found = [
                dist
                for dist in candidates
                if any(f == f"{path}.py" or f.startswith(f"{path}/") for f in self.files(dist))
            ]
            if found:
                owners = [dist for dist in found if f"{path}/__init__.py" in self.files(dist)]
                return owners or found
        return candidates

    def requires_exactly(self, dist: str) -> set[str]:
        """The distributions that a distribution pins with == for every install (no extra, no marker)."""
        pinned = set()
        for line in importlib.metadata.distribution(dist).requires or []:
            match = REQUIREMENT.match(line)
            if match and not match["marker"] and PIN.match(match["spec"].strip("() ").replace(" ", "")):
                pinned.add(normalize(match["name"]))
        return pinned

    def is_meta(self, dist: str) -> bool:
        """A distribution with no modules of its own (apache-airflow): it stands for what it pins."""
        return not any(f.endswith((".py", ".so")) for f in self.files(dist))


def declared_distributions(venv: str, installed: Installed) -> tuple[set[str], list[Path]]:
    lock = read_lock(PYTHON_DIR / f"requirements-{venv}.lock")
    declared = {requirement.name for source in lock.inputs for requirement in read_requirements(source)}
    # A declared meta-distribution declares what it pins exactly: apache-airflow==3.3.2 is
    # apache-airflow-core==3.3.2 and apache-airflow-task-sdk==1.3.2, which `import airflow` finds.
    for dist in sorted(declared):
        try:
            if installed.is_meta(dist):
                declared |= installed.requires_exactly(dist)
        except importlib.metadata.PackageNotFoundError:
            pass
    return declared, lock.inputs


def cmd_imports(venv: str) -> int:
    if venv not in FOLDERS:
        print(f"check_env imports: unknown virtualenv '{venv}'; one of {', '.join(FOLDERS)}", file=sys.stderr)
        return 2
    installed = Installed()
    declared, inputs = declared_distributions(venv, installed)
    own = own_modules()
    where_to = " or ".join(str(source.relative_to(HOME)) for source in inputs)
    # Undeclared: the distributions that provide a module -> (what the code imports, where).
    undeclared: dict[tuple[str, ...], dict[str, list[str]]] = {}
    missing: dict[str, list[str]] = {}
    used, files = set(), 0
    for folder in FOLDERS[venv]:
        for path in python_files(HOME / folder):
            files += 1
            for found in imports_of(path):
                top = found.module.split(".")[0]
                # (An own module named as an installed one would shadow it: checked as third-party.)
                if top in sys.stdlib_module_names or (top in own and top not in installed.by_top):
                    continue
                providers = installed.providers(found.module)
                if not providers:
                    missing.setdefault(top, []).append(found.where)
                elif declared.intersection(providers):
                    used.update(declared.intersection(providers))
                else:
                    shown = found.module if len(installed.by_top[top]) > 1 else top
                    undeclared.setdefault(tuple(providers), {}).setdefault(shown, []).append(found.where)

    def places(wheres: list[str]) -> str:
        return ", ".join(wheres[:3]) + (f" and {len(wheres) - 3} more" if len(wheres) > 3 else "")

    for top, wheres in sorted((top, list(dict.fromkeys(wheres))) for top, wheres in missing.items()):
        print(
            f"check_env imports {venv}: {top}, imported by {places(wheres)}, is not installed here "
            f"({sys.prefix}; run this with .lakepipe/venv-{venv}/bin/python)",
            file=sys.stderr,
        )
    for providers, modules in sorted(undeclared.items()):
        wheres = list(dict.fromkeys(where for module in modules.values() for where in module))
        print(
            f"check_env imports {venv}: {' or '.join(providers)} is not declared, but the code imports "
            f"{', '.join(sorted(modules))} from it ({places(wheres)}): add it to {where_to}, pinned to the "
            f"locked version, then {RELOCK}",
            file=sys.stderr,
        )
    if missing or undeclared:
        return 1
    print(
        f"check_env imports {venv}: ok, {files} files import third-party modules of {len(used)} declared "
        f"distributions only ({sys.prefix})"
    )
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["locks"] and len(argv) == 1:
        return cmd_locks()
    if argv[:1] == ["imports"] and len(argv) == 2:
        return cmd_imports(argv[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
