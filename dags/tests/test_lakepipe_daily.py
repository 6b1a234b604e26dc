"""lakepipe_daily: the Spark jobs, their order, and the exact spark-submit each one runs."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pendulum
import pytest
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import CronDataIntervalTimetable
from dag_loading import REPO_ROOT, load_dag_bag, parse_dag_bag, template_context

DAG_ID = "lakepipe_daily"
DS = "2001-01-15"

# task id -> (job module suffix, main class)
STEPS = {
    "ingest_flights": ("ingest", "io.lakepipe.ingest.files.IngestFlightFilesJob"),
    "ingest_airports": ("ingest", "io.lakepipe.ingest.jdbc.IngestAirportsJob"),
    "check_bronze": ("ingest", "io.lakepipe.ingest.quality.CheckBronzeFlightsJob"),
    "build_features": ("features", "io.lakepipe.features.BuildFeaturesJob"),
    "check_features": ("features", "io.lakepipe.features.quality.CheckFeaturesJob"),
    "train_model": ("train", "io.lakepipe.train.TrainModelJob"),
    "serve_export": ("serve-export", "io.lakepipe.export.ServeExportJob"),
}
LOCAL_CONFIG = str(REPO_ROOT / "config" / "local.conf")
SPARK_PROPERTIES = str(REPO_ROOT / "config" / "spark-defaults.conf")


def _task(task_id: str, bag=None) -> SparkSubmitOperator:
    task = (bag or load_dag_bag()).dags[DAG_ID].task_dict[task_id]
    assert isinstance(task, SparkSubmitOperator)
    return task


def _render(task: SparkSubmitOperator, value: object, ds: str = DS) -> object:
    return task.render_template(value, template_context(ds))


def test_runs_daily_over_data_intervals_from_2001_one_run_at_a_time() -> None:
    dag = load_dag_bag().dags[DAG_ID]

    assert dag.timetable == CronDataIntervalTimetable("0 0 * * *", timezone="UTC")
    assert dag.start_date == pendulum.datetime(2001, 1, 1, tz="UTC")
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert dag.tags == {"lakepipe"}


def test_tasks_retry_twice_five_minutes_apart() -> None:
    for task in load_dag_bag().dags[DAG_ID].tasks:
        assert (task.retries, task.retry_delay) == (2, timedelta(minutes=5)), task.task_id


def test_runs_the_jobs_in_pipeline_order() -> None:
    dag = load_dag_bag().dags[DAG_ID]

    edges = {(upstream, task.task_id) for task in dag.tasks for upstream in task.upstream_task_ids}

    assert set(dag.task_ids) == set(STEPS)
    assert edges == {
        ("ingest_flights", "check_bronze"),
        ("check_bronze", "build_features"),
        ("ingest_airports", "build_features"),
        ("build_features", "check_features"),
        ("check_features", "train_model"),
        ("train_model", "serve_export"),
    }


@pytest.mark.parametrize("task_id", STEPS)
def test_step_submits_its_job_jar_with_the_job_contract(task_id: str) -> None:
    job, main_class = STEPS[task_id]
    task = _task(task_id)

    assert task._java_class == main_class
    assert task._conn_id == "spark_default"
    assert _render(task, task.application) == str(REPO_ROOT / f"jobs-{job}" / "target" / f"jobs-{job}.jar")
    assert _render(task, task.properties_file) == SPARK_PROPERTIES
    assert _render(task, task.application_args) == ["--config", LOCAL_CONFIG, "--ds", DS]
    assert _render(task, task.name) == f"lakepipe-{job}-{DS}"


def test_ds_follows_the_logical_date() -> None:
    task = _task("ingest_flights")

    assert _render(task, task.application_args, ds="2001-06-30")[-2:] == ["--ds", "2001-06-30"]


def test_airflow_variables_move_jars_config_and_spark_properties_at_run_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AIRFLOW_VAR_LAKEPIPE_JARS_DIR", "s3a://lakepipe-artifacts/jars/")
    monkeypatch.setenv("AIRFLOW_VAR_LAKEPIPE_CONFIG", "/etc/lakepipe/cluster.conf")
    monkeypatch.setenv("AIRFLOW_VAR_LAKEPIPE_SPARK_PROPERTIES_FILE", "/etc/lakepipe/spark-cluster.conf")
    task = _task("serve_export")

    assert _render(task, task.application) == "s3a://lakepipe-artifacts/jars/jobs-serve-export.jar"
    assert _render(task, task.properties_file) == "/etc/lakepipe/spark-cluster.conf"
    assert _render(task, task.application_args) == ["--config", "/etc/lakepipe/cluster.conf", "--ds", DS]


def test_environment_sets_defaults_when_the_dag_file_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEPIPE_JARS_DIR", "/opt/lakepipe/jars")
    monkeypatch.setenv("LAKEPIPE_CONFIG", "/opt/lakepipe/conf/cluster.conf")
    monkeypatch.setenv("LAKEPIPE_SPARK_PROPERTIES_FILE", "/opt/lakepipe/conf/spark.conf")
    monkeypatch.setenv("LAKEPIPE_SPARK_CONN_ID", "spark_cluster")
    task = _task("train_model", bag=parse_dag_bag())

    assert task._conn_id == "spark_cluster"
    assert _render(task, task.application) == "/opt/lakepipe/jars/jobs-train.jar"
    assert _render(task, task.properties_file) == "/opt/lakepipe/conf/spark.conf"
    assert _render(task, task.application_args) == ["--config", "/opt/lakepipe/conf/cluster.conf", "--ds", DS]


def test_local_connection_from_env_sh_builds_a_local_client_mode_spark_submit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env_sh = REPO_ROOT / "infra" / "airflow" / "env.sh"
    connection = subprocess.run(
        ["bash", "-c", f'source "{env_sh}" && printf %s "$AIRFLOW_CONN_SPARK_DEFAULT"'],
        env={"PATH": "/usr/bin:/bin", "LAKEPIPE_HOME": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    monkeypatch.setenv("AIRFLOW_CONN_SPARK_DEFAULT", connection)
    task = _task("ingest_flights", bag=parse_dag_bag())
    task.render_template_fields(template_context(DS))

    # The provider's own command builder: what the operator would run, without running it.
    command = task._get_hook()._build_spark_submit_command(task.application)

    options = dict(zip(command[1:-5:2], command[2:-5:2]))
    assert command[0] == "spark-submit"
    assert options == {
        "--master": "local[2]",
        "--deploy-mode": "client",
        "--class": "io.lakepipe.ingest.files.IngestFlightFilesJob",
        "--properties-file": SPARK_PROPERTIES,
        "--name": f"lakepipe-ingest-{DS}",
    }
    assert command[-5:] == [
        str(REPO_ROOT / "jobs-ingest" / "target" / "jobs-ingest.jar"),
        "--config",
        LOCAL_CONFIG,
        "--ds",
        DS,
    ]
