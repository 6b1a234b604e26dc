"""Rules every DAG in the folder keeps; parametrised over the whole DagBag by conftest."""

from __future__ import annotations

from dag_loading import load_dag_bag


def test_dag_folder_imports_without_errors() -> None:
    bag = load_dag_bag()

    assert bag.import_errors == {}
    assert bag.dag_ids, "the DAG folder declares no DAG"


def test_dag_files_emit_no_warnings() -> None:
    # Deprecated Airflow 2 imports and arguments warn at parse time; catch them before an upgrade breaks them.
    assert load_dag_bag().captured_warnings == {}


def test_dag_has_tags(dag_id: str) -> None:
    assert load_dag_bag().dags[dag_id].tags


def test_every_task_retries_at_least_twice(dag_id: str) -> None:
    dag = load_dag_bag().dags[dag_id]

    too_few = {task.task_id: task.retries for task in dag.tasks if task.retries < 2}

    assert too_few == {}

