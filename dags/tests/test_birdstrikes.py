"""birdstrikes: the second data product's DAG, every step a declaration run by a generic job."""

from __future__ import annotations

import pendulum
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.providers.standard.sensors.filesystem import FileSensor
from airflow.sdk import CronDataIntervalTimetable

from dag_loading import load_dag_bag, template_context

DAG_ID = "birdstrikes"
DS = "2000-01-01"
# task id: the job's own options, as the catalog's job takes them
SPARK_STEPS = {
    "ingest_birdstrikes": ["--source", "birdstrikes"],
    "check_bronze_birdstrikes": ["--table", "bronze-birdstrikes"],
    "ingest_state_facts": ["--source", "state-facts"],
    "ingest_global_temperature": ["--source", "global-temperature"],
    "build_features": ["--view", "birdstrikes"],
    "check_features": ["--view", "birdstrikes"],
    "train_model": ["--model", "birdstrike-damage"],
}


def test_runs_once_a_year_over_the_years_of_the_data() -> None:
    dag = load_dag_bag().dags[DAG_ID]

    assert dag.timetable == CronDataIntervalTimetable("0 0 1 1 *", timezone="UTC")
    assert dag.start_date == pendulum.datetime(1990, 1, 1, tz="UTC")
    assert dag.end_date == pendulum.datetime(2002, 1, 1, tz="UTC")


def test_each_spark_step_runs_its_declaration_for_the_delivery() -> None:
    dag = load_dag_bag().dags[DAG_ID]

    for task_id, options in SPARK_STEPS.items():
        task = dag.task_dict[task_id]
        assert isinstance(task, SparkSubmitOperator)
        args = task.render_template(task.application_args, template_context(DS))
        assert args[2:] == ["--ds", DS, *options], task_id


def test_waits_for_each_source_under_the_landing_connection() -> None:
    dag = load_dag_bag().dags[DAG_ID]

    for source in ("birdstrikes", "state-facts", "global-temperature"):
        sensor = dag.task_dict[f"wait_for_{source.replace('-', '_')}"]
        assert isinstance(sensor, FileSensor)
        assert sensor.fs_conn_id == "lakepipe_landing"
        assert sensor.render_template(sensor.filepath, template_context(DS)) == f"{source}/ds={DS}/*"


def test_features_wait_for_every_source_and_the_training_for_the_feature_gate() -> None:
    dag = load_dag_bag().dags[DAG_ID]

    assert dag.task_dict["build_features"].upstream_task_ids == {
        "check_bronze_birdstrikes",
        "ingest_state_facts",
        "ingest_global_temperature",
    }
    assert dag.task_dict["enough_history"].upstream_task_ids == {"check_features"}
    assert dag.task_dict["train_model"].upstream_task_ids == {"enough_history"}


def test_the_training_is_skipped_before_the_first_training_ds() -> None:
    task = load_dag_bag().dags[DAG_ID].task_dict["enough_history"]
    decide = task.python_callable

    assert decide(ds="1991-01-01", params={"first_training_ds": "1992-01-01"}) is False
    assert decide(ds="1992-01-01", params={"first_training_ds": "1992-01-01"}) is True
