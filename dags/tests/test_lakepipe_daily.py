"""lakepipe_daily: the Spark jobs, their order, and the exact spark-submit each one runs."""

from __future__ import annotations

import json
import subprocess
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

import pendulum
import pytest
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.providers.standard.sensors.filesystem import FileSensor
from airflow.sdk import CronDataIntervalTimetable

from dag_loading import REPO_ROOT, load_dag_bag, parse_dag_bag, template_context
from lakepipe_dags.assets import FEATURES_FLIGHTS

DAG_ID = "lakepipe_daily"
DS = "2001-01-15"

# task id -> (job module suffix, main class)
# task id: (job in config/jobs.conf, its jar's module, main class, the job's own options)
STEPS = {
    "ingest_flights": ("ingest-files", "ingest", "io.lakepipe.ingest.files.IngestFilesJob", ["--source", "flights"]),
    "ingest_airports": ("ingest-jdbc", "ingest", "io.lakepipe.ingest.jdbc.IngestJdbcJob", ["--source", "airports"]),
    "ingest_flight_events": (
        "ingest-kafka",
        "ingest",
        "io.lakepipe.ingest.kafka.IngestKafkaJob",
        ["--source", "flight-events"],
    ),
    "check_bronze": (
        "check-table",
        "ingest",
        "io.lakepipe.ingest.quality.CheckTableJob",
        ["--table", "bronze-flights"],
    ),
    "build_features": ("build-features", "features", "io.lakepipe.features.BuildFeaturesJob", ["--view", "flights"]),
    "check_features": (
        "check-features",
        "features",
        "io.lakepipe.features.quality.CheckFeaturesJob",
        ["--view", "flights"],
    ),
    "daily_report": ("report", "report", "io.lakepipe.report.DailyReportJob", []),
}
LOCAL_CONFIG = str(REPO_ROOT / "config" / "local.conf")
SPARK_PROPERTIES = str(REPO_ROOT / "config" / "spark-defaults.conf")


def _task(task_id: str, bag=None) -> SparkSubmitOperator:
    task = (bag or load_dag_bag()).dags[DAG_ID].task_dict[task_id]
    assert isinstance(task, SparkSubmitOperator)
    return task


def _render(task: SparkSubmitOperator, value: object, ds: str = DS) -> object:
    return task.render_template(value, template_context(ds))


def test_catches_up_daily_over_the_days_of_the_data() -> None:
    dag = load_dag_bag().dags[DAG_ID]

    assert dag.timetable == CronDataIntervalTimetable("0 0 * * *", timezone="UTC")
    assert dag.start_date == pendulum.datetime(2001, 1, 1, tz="UTC")
    assert dag.end_date == pendulum.datetime(2001, 6, 30, tz="UTC")
    assert dag.catchup is True
    assert dag.tags == {"lakepipe"}


def test_environment_narrows_the_days_the_scheduler_covers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEPIPE_START_DATE", "2001-01-13")
    monkeypatch.setenv("LAKEPIPE_END_DATE", "2001-01-15")

    dag = parse_dag_bag().dags[DAG_ID]

    assert (dag.start_date, dag.end_date) == (
        pendulum.datetime(2001, 1, 13, tz="UTC"),
        pendulum.datetime(2001, 1, 15, tz="UTC"),
    )


def test_a_malformed_start_date_is_an_import_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEPIPE_START_DATE", "13/01/2001")

    errors = parse_dag_bag().import_errors

    assert any("LAKEPIPE_START_DATE='13/01/2001'" in message for message in errors.values()), errors


def test_runs_the_jobs_in_pipeline_order() -> None:
    dag = load_dag_bag().dags[DAG_ID]

    edges = {(upstream, task.task_id) for task in dag.tasks for upstream in task.upstream_task_ids}

    assert set(dag.task_ids) == set(STEPS) | {"wait_for_flights", "publish_features"}
    assert edges == {
        ("wait_for_flights", "ingest_flights"),
        ("ingest_flights", "check_bronze"),
        ("check_bronze", "build_features"),
        ("ingest_airports", "build_features"),
        ("build_features", "check_features"),
        ("check_features", "publish_features"),
        ("publish_features", "daily_report"),
    }


def test_waits_for_the_days_landed_files_without_holding_a_worker() -> None:
    sensor = load_dag_bag().dags[DAG_ID].task_dict["wait_for_flights"]

    assert isinstance(sensor, FileSensor)
    assert sensor.deferrable is True
    assert sensor.fs_conn_id == "lakepipe_landing_flights"
    assert _render(sensor, sensor.filepath) == f"ds={DS}/part-*"
    assert (sensor.poke_interval, sensor.timeout) == (300, 12 * 3600)


def test_landing_connection_from_env_sh_points_the_sensor_at_the_landed_day(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    connection = json.loads(_env_sh_value("AIRFLOW_CONN_LAKEPIPE_LANDING_FLIGHTS"))
    assert connection == {"conn_type": "fs", "extra": {"path": str(REPO_ROOT / ".lakepipe" / "landing" / "flights")}}
    # The same connection, pointed at a landing folder of this test's own.
    connection["extra"]["path"] = str(tmp_path)
    monkeypatch.setenv("AIRFLOW_CONN_LAKEPIPE_LANDING_FLIGHTS", json.dumps(connection))
    sensor = parse_dag_bag().dags[DAG_ID].task_dict["wait_for_flights"]
    sensor.render_template_fields(template_context(DS))
    day = tmp_path / f"ds={DS}"
    context = template_context(DS)

    assert sensor.path == str(day / "part-*")
    assert sensor.poke(context) is False
    day.mkdir(parents=True)
    (day / ".part-00000.csv.crc").write_text("")  # Spark's checksum files are not the data
    assert sensor.poke(context) is False
    (day / "part-00000.csv").write_text("date,delay,distance,origin,destination\n")
    assert sensor.poke(context) is True


def test_publishes_every_checked_day_to_the_training_dag_under_the_default_trigger() -> None:
    task = load_dag_bag().dags[DAG_ID].task_dict["publish_features"]
    outlet_events: defaultdict = defaultdict(lambda: SimpleNamespace(extra={}))

    task.python_callable(LOCAL_CONFIG, ds=DS, outlet_events=outlet_events)

    assert [outlet.name for outlet in task.outlets] == [FEATURES_FLIGHTS.name]
    assert outlet_events[FEATURES_FLIGHTS].extra == {"ds": DS}


def test_publish_reads_the_config_file_the_spark_jobs_get(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_VAR_LAKEPIPE_CONFIG", "/etc/lakepipe/prod.conf")
    task = load_dag_bag().dags[DAG_ID].task_dict["publish_features"]

    assert list(_render(task, task.op_args)) == ["/etc/lakepipe/prod.conf"]
    assert _render(_task("check_features"), _task("check_features").application_args)[1] == "/etc/lakepipe/prod.conf"


def test_the_report_does_not_run_after_a_failed_gate() -> None:
    # publish_features runs on every day whose features passed their gate, whatever the trigger.
    assert _task("daily_report").trigger_rule == "all_success"


@pytest.mark.parametrize("task_id", STEPS)
def test_step_submits_its_job_jar_with_the_job_contract(task_id: str) -> None:
    job, module, main_class, options = STEPS[task_id]
    task = _task(task_id)

    assert task._java_class == main_class
    assert task._conn_id == "spark_default"
    assert _render(task, task.application) == str(REPO_ROOT / f"jobs-{module}" / "target" / f"jobs-{module}.jar")
    assert _render(task, task.properties_file) == SPARK_PROPERTIES
    assert _render(task, task.application_args) == ["--config", LOCAL_CONFIG, "--ds", DS, *options]
    assert _render(task, task.name) == f"lakepipe-{job}-{DS}"
    # Short-lived drivers: config/spark-defaults.conf's settings alone.
    assert not task.conf


def test_ds_follows_the_logical_date() -> None:
    task = _task("ingest_flights")

    assert _render(task, task.application_args, ds="2001-06-30")[2:4] == ["--ds", "2001-06-30"]


def test_airflow_variables_move_jars_config_and_spark_properties_at_run_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AIRFLOW_VAR_LAKEPIPE_JARS_DIR", "s3a://lakepipe-artifacts/jars/")
    monkeypatch.setenv("AIRFLOW_VAR_LAKEPIPE_CONFIG", "/etc/lakepipe/cluster.conf")
    monkeypatch.setenv("AIRFLOW_VAR_LAKEPIPE_SPARK_PROPERTIES_FILE", "/etc/lakepipe/spark-cluster.conf")
    task = _task("build_features")

    assert _render(task, task.application) == "s3a://lakepipe-artifacts/jars/jobs-features.jar"
    assert _render(task, task.properties_file) == "/etc/lakepipe/spark-cluster.conf"
    assert _render(task, task.application_args) == [
        "--config",
        "/etc/lakepipe/cluster.conf",
        "--ds",
        DS,
        "--view",
        "flights",
    ]


def test_environment_sets_defaults_when_the_dag_file_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEPIPE_JARS_DIR", "/opt/lakepipe/jars")
    monkeypatch.setenv("LAKEPIPE_CONFIG", "/opt/lakepipe/conf/cluster.conf")
    monkeypatch.setenv("LAKEPIPE_SPARK_PROPERTIES_FILE", "/opt/lakepipe/conf/spark.conf")
    monkeypatch.setenv("LAKEPIPE_SPARK_CONN_ID", "spark_cluster")
    monkeypatch.setenv("LAKEPIPE_SPARK_POOL", "spark_cluster_jobs")
    task = _task("check_features", bag=parse_dag_bag())

    assert task._conn_id == "spark_cluster"
    assert task.pool == "spark_cluster_jobs"
    assert _render(task, task.application) == "/opt/lakepipe/jars/jobs-features.jar"
    assert _render(task, task.properties_file) == "/opt/lakepipe/conf/spark.conf"
    assert _render(task, task.application_args) == [
        "--config",
        "/opt/lakepipe/conf/cluster.conf",
        "--ds",
        DS,
        "--view",
        "flights",
    ]


def test_local_connection_from_env_sh_builds_a_local_client_mode_spark_submit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_SPARK_DEFAULT", _env_sh_value("AIRFLOW_CONN_SPARK_DEFAULT"))
    task = _task("ingest_flights", bag=parse_dag_bag())
    task.render_template_fields(template_context(DS))

    # The provider's own command builder: what the operator would run, without running it.
    command = task._get_hook()._build_spark_submit_command(task.application)

    options = dict(zip(command[1:-7:2], command[2:-7:2], strict=True))
    assert command[0] == "spark-submit"
    assert options == {
        "--master": "local[2]",
        "--deploy-mode": "client",
        "--class": "io.lakepipe.ingest.files.IngestFilesJob",
        "--properties-file": SPARK_PROPERTIES,
        "--name": f"lakepipe-ingest-files-{DS}",
    }
    assert command[-7:] == [
        str(REPO_ROOT / "jobs-ingest" / "target" / "jobs-ingest.jar"),
        "--config",
        LOCAL_CONFIG,
        "--ds",
        DS,
        "--source",
        "flights",
    ]


def _env_sh_value(name: str) -> str:
    """What ``source infra/airflow/env.sh`` sets ``name`` to, on a machine with none of it set."""
    env_sh = REPO_ROOT / "infra" / "airflow" / "env.sh"
    value = subprocess.run(
        ["bash", "-c", f'source "{env_sh}" && printf %s "${name}"'],
        env={"PATH": "/usr/bin:/bin", "LAKEPIPE_HOME": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(value), f"env.sh sets no JSON connection {name}"
    return value
