"""Rules every DAG in the folder keeps; parametrised over the whole DagBag by conftest."""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

from dag_loading import load_dag_bag
from lakepipe_dags.alerts import on_task_failure
from lakepipe_dags.steps import DEFAULT_SPARK_POOL

# DAGs whose tasks only call services (MLflow's REST API, a person's approval): no Spark step.
DAGS_WITHOUT_SPARK = {"lakepipe_promote"}


def test_dag_folder_imports_without_errors() -> None:
    bag = load_dag_bag()

    assert bag.import_errors == {}
    # The rules below hold for every DAG in the folder, whatever its id; these two are the pipeline's.
    assert {"lakepipe_daily", "lakepipe_training"} <= set(bag.dag_ids)


def test_dag_files_emit_no_warnings() -> None:
    # Deprecated Airflow 2 imports and arguments warn at parse time; catch them before an upgrade breaks them.
    assert load_dag_bag().captured_warnings == {}


def test_dag_has_tags_and_a_description(dag_id: str) -> None:
    dag = load_dag_bag().dags[dag_id]

    assert dag.tags
    assert dag.description
    assert dag.doc_md


def test_dag_has_no_cycle(dag_id: str) -> None:
    dag = load_dag_bag().dags[dag_id]

    dag.check_cycle()  # raises AirflowDagCycleException on a cycle
    assert len(dag.topological_sort()) == len(dag.tasks)


def test_dag_runs_one_at_a_time(dag_id: str) -> None:
    # Each run builds on the days before it (daily) or moves the registry's aliases (training).
    assert load_dag_bag().dags[dag_id].max_active_runs == 1


def test_every_task_retries_at_least_twice_with_backoff(dag_id: str) -> None:
    dag = load_dag_bag().dags[dag_id]

    policies = {
        task.task_id: (task.retries, task.retry_delay, task.retry_exponential_backoff, task.max_retry_delay)
        for task in dag.tasks
    }

    assert policies == {task_id: (2, timedelta(minutes=2), 2.0, timedelta(minutes=30)) for task_id in dag.task_ids}


def test_every_task_has_a_timeout_and_the_failure_alert(dag_id: str) -> None:
    dag = load_dag_bag().dags[dag_id]

    without_timeout = [task.task_id for task in dag.tasks if not task.execution_timeout]
    without_alert = [task.task_id for task in dag.tasks if task.on_failure_callback != [on_task_failure]]

    assert without_timeout == []
    assert without_alert == []


def test_every_spark_step_takes_a_slot_of_the_spark_pool(dag_id: str) -> None:
    dag = load_dag_bag().dags[dag_id]

    spark_pools = {task.task_id: task.pool for task in dag.tasks if isinstance(task, SparkSubmitOperator)}

    if dag_id in DAGS_WITHOUT_SPARK:
        assert spark_pools == {}
        return
    assert spark_pools
    assert set(spark_pools.values()) == {DEFAULT_SPARK_POOL}
    assert all(dag.task_dict[t].pool_slots == 1 for t in spark_pools)
