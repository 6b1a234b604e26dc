"""Load and render DAGs the way Airflow 3.3 itself does, without a scheduler or a metadata DB."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from airflow.dag_processing.dagbag import BundleDagBag
from airflow.sdk.execution_time.context import VariableAccessor

DAGS_FOLDER = Path(__file__).resolve().parents[1]
REPO_ROOT = DAGS_FOLDER.parent


def parse_dag_bag() -> BundleDagBag:
    """Parse the DAG folder afresh, as the DAG processor does for the default ``dags-folder`` bundle.

    ``BundleDagBag`` (not the plain ``DagBag``, nor the deprecated ``airflow.models.dagbag`` import)
    is what puts the bundle folder on ``sys.path``, so DAG files can import ``lakepipe_dags``.
    """
    return BundleDagBag(dag_folder=DAGS_FOLDER, bundle_path=DAGS_FOLDER, bundle_name="dags-folder")


@cache
def load_dag_bag() -> BundleDagBag:
    """The DAG folder parsed once per test session, under the environment conftest pins."""
    return parse_dag_bag()


def template_context(ds: str) -> dict[str, Any]:
    """The part of a task's run-time template context that lakepipe's templates use.

    ``var`` is the same accessor a running task gets; outside a task it reads Variables only from
    ``AIRFLOW_VAR_*`` environment variables, so tests set Variables with ``monkeypatch.setenv``.
    """
    return {
        "ds": ds,
        "var": {
            "json": VariableAccessor(deserialize_json=True),
            "value": VariableAccessor(deserialize_json=False),
        },
    }
