"""Isolate the DAG tests from any real Airflow installation and from the caller's lakepipe settings.

Loading DAG files and rendering templates needs no metadata DB in Airflow 3.3 (Variables are read
from ``AIRFLOW_VAR_*`` through the environment secrets backend outside a task), so nothing is
migrated here. Environment variables are set at import time because Airflow reads its settings once,
when ``airflow`` is first imported, which happens while the test modules are collected.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

DAGS_FOLDER = Path(__file__).resolve().parents[1]
REPO_ROOT = DAGS_FOLDER.parent

# A developer who sourced infra/airflow/env.sh has the real DB, connections and overrides set: drop them.
for name in list(os.environ):
    if name.startswith(("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_VAR_")) or name in {
        "LAKEPIPE_JARS_DIR",
        "LAKEPIPE_CONFIG",
        "LAKEPIPE_SPARK_PROPERTIES_FILE",
        "LAKEPIPE_SPARK_CONN_ID",
        "LAKEPIPE_TASK_RETRIES",
        "LAKEPIPE_START_DATE",
        "LAKEPIPE_END_DATE",
        "LAKEPIPE_JOB_CATALOG",
    }:
        del os.environ[name]
_airflow_home = tempfile.mkdtemp(prefix="lakepipe-dag-tests-airflow-home-")
os.environ["AIRFLOW_HOME"] = _airflow_home
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS_FOLDER)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
# The tests pin where paths come from: this repository, with no deployment overrides.
os.environ["LAKEPIPE_HOME"] = str(REPO_ROOT)
# Airflow puts the bundle folder on sys.path before parsing; tests of the helpers import it directly.
if str(DAGS_FOLDER) not in sys.path:
    sys.path.append(str(DAGS_FOLDER))


def pytest_unconfigure() -> None:
    shutil.rmtree(_airflow_home, ignore_errors=True)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that takes ``dag_id`` once per DAG in the folder, so new DAGs are covered unasked."""
    if "dag_id" in metafunc.fixturenames:
        from dag_loading import load_dag_bag  # imports Airflow, which must see the environment above

        metafunc.parametrize("dag_id", sorted(load_dag_bag().dag_ids))
