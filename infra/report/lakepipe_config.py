"""The jobs' HOCON config as the Python tools beside them read it.

jobs-core's lakepipe-defaults.conf first, the --config file over it, substitutions resolved last, so
``${lakepipe.home}`` and ``${?ENV}`` references follow the file, as in the jobs' LakepipeConfig. One
difference: without LAKEPIPE_HOME in the environment, ``lakepipe.home`` is this checkout rather than
the working directory, as the ./lakepipe launcher exports it, so a tool finds the same tables from
any folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pyhocon import ConfigFactory, ConfigTree
from pyhocon.exceptions import ConfigException
from pyparsing import ParseBaseException

HOME = Path(os.environ.get("LAKEPIPE_HOME", Path(__file__).resolve().parents[2]))
DEFAULTS = HOME / "jobs-core/src/main/resources/lakepipe-defaults.conf"


class ConfigProblem(Exception):
    """A config file that cannot be read, or that lacks a setting a tool needs; the message says which."""


def load_config(path: Path) -> ConfigTree:
    """The jobs' view of the config: the file's values over jobs-core's defaults, the ``lakepipe`` tree."""
    try:
        defaults = ConfigFactory.parse_file(str(DEFAULTS), resolve=False)
        if "LAKEPIPE_HOME" not in os.environ:
            home = ConfigFactory.from_dict({"lakepipe": {"home": str(HOME)}})
            defaults = home.with_fallback(defaults, resolve=False)
        user = ConfigFactory.parse_file(str(path), resolve=False)
        return user.with_fallback(defaults, resolve=True)["lakepipe"]
    except FileNotFoundError as error:
        if Path(error.filename) == DEFAULTS:
            raise ConfigProblem(
                f"The jobs' defaults {DEFAULTS} do not exist, so {HOME} is no lakepipe checkout. Set"
                " LAKEPIPE_HOME to the checkout, or unset it to use the one holding this tool."
            ) from None
        raise ConfigProblem(
            f"Config file {error.filename} does not exist. Pass an existing file with --config"
            " (config/local.conf for the local stack)."
        ) from None
    except (ConfigException, ParseBaseException) as error:
        raise ConfigProblem(
            f"Config file {path} cannot be read over {DEFAULTS}: {error}. Fix the file; the jobs would refuse it too."
        ) from None


def setting(config: ConfigTree, key: str) -> Any:
    """The value of ``lakepipe.<key>``; a missing key is a ConfigProblem naming it."""
    try:
        return config[key]
    except ConfigException:
        raise ConfigProblem(
            f"Setting lakepipe.{key} is missing from the config. Every setting has a default in {DEFAULTS};"
            " check that the file does not remove it."
        ) from None


def table_paths(config: ConfigTree) -> dict[str, str]:
    """Every table of ``lakepipe.tables`` and its path, in the config's order."""
    return {name: str(path) for name, path in setting(config, "tables").items()}
