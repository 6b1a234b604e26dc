"""The pipeline config file as the jobs read it, for the DAGs' Python tasks.

One reader for the project's Python: ``infra/report/lakepipe_config.py`` (jobs-core's defaults, the
file over them, substitutions resolved last), loaded from the checkout the DAGs run from. Python tasks
take the file as an argument rendered from ``steps.config_file_template()``, so they read the very file
the Spark jobs get.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from lakepipe_dags import steps

_MODULE = "lakepipe_config"


def load(config_file: str | Path) -> Any:
    """The ``lakepipe`` tree of ``config_file`` over the jobs' defaults; ValueError saying what is wrong."""
    reader = _reader()
    try:
        return reader.load_config(Path(config_file))
    except reader.ConfigProblem as problem:
        raise ValueError(str(problem)) from None


def _reader() -> Any:
    if _MODULE not in sys.modules:
        path = steps.lakepipe_home() / "infra" / "report" / f"{_MODULE}.py"
        spec = importlib.util.spec_from_file_location(_MODULE, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[_MODULE] = module
        spec.loader.exec_module(module)
    return sys.modules[_MODULE]
