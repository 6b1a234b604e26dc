"""lakepipe_backfill: the daily DAG's stages as range runs, its trigger form, its checks and its one event."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

from dag_loading import REPO_ROOT, load_dag_bag, template_context
from lakepipe_dags import retraining
from lakepipe_dags.assets import FEATURES_FLIGHTS

DAG_ID = "lakepipe_backfill"
LOCAL_CONFIG = str(REPO_ROOT / "config" / "local.conf")

# task id: (job, main class, the job's own options): the same jobs as lakepipe_daily's steps.
STEPS = {
    "ingest_flights": ("ingest-files", "io.lakepipe.ingest.files.IngestFilesJob", ["--source", "flights"]),
    "ingest_airports": ("ingest-jdbc", "io.lakepipe.ingest.jdbc.IngestJdbcJob", ["--source", "airports"]),
    "ingest_flight_events": ("ingest-kafka", "io.lakepipe.ingest.kafka.IngestKafkaJob", ["--source", "flight-events"]),
    "check_bronze": ("check-table", "io.lakepipe.ingest.quality.CheckTableJob", ["--table", "bronze-flights"]),
    "build_features": ("build-features", "io.lakepipe.features.BuildFeaturesJob", ["--view", "flights"]),
    "check_features": ("check-features", "io.lakepipe.features.quality.CheckFeaturesJob", ["--view", "flights"]),
    "daily_report": ("report", "io.lakepipe.report.DailyReportJob", []),
}


def _dag():
    return load_dag_bag().dags[DAG_ID]


def _render(task: SparkSubmitOperator, value: object, start: str, end: str) -> object:
    context = template_context("2001-06-30") | {"params": {"start": start, "end": end}}
    return task.render_template(value, context)


def test_is_started_by_hand_with_a_form_of_its_first_and_last_day() -> None:
    dag = _dag()

    assert type(dag.timetable).__name__ == "NullTimetable"
    assert dag.max_active_runs == 1
    params = dag.params.dump()
    assert params == {"start": "2001-01-01", "end": "2001-06-30"}
    for name in ("start", "end"):
        schema = dag.params.get_param(name).schema
        assert (schema["type"], schema["format"]) == ("string", "date")


def test_runs_the_daily_stages_in_the_daily_order() -> None:
    dag = _dag()
    edges = {(upstream, task.task_id) for task in dag.tasks for upstream in task.upstream_task_ids}

    assert set(dag.task_ids) == set(STEPS) | {"check_range", "publish_features"}
    assert edges == {
        ("check_range", "ingest_flights"),
        ("check_range", "ingest_airports"),
        ("check_range", "ingest_flight_events"),
        ("check_range", "publish_features"),
        ("ingest_flights", "check_bronze"),
        ("check_bronze", "build_features"),
        ("ingest_airports", "build_features"),
        ("build_features", "check_features"),
        ("check_features", "publish_features"),
        ("publish_features", "daily_report"),
    }
    assert dag.task_dict["publish_features"].outlets == [FEATURES_FLIGHTS]


@pytest.mark.parametrize("task_id", STEPS)
def test_each_spark_step_writes_the_whole_range_in_one_application(task_id: str) -> None:
    job, main_class, options = STEPS[task_id]
    task = _dag().task_dict[task_id]

    assert isinstance(task, SparkSubmitOperator)
    assert task._java_class == main_class
    assert _render(task, task.application_args, "2001-02-01", "2001-02-28") == [
        "--config",
        LOCAL_CONFIG,
        "--ds",
        "2001-02-01",
        "--until",
        "2001-02-28",
        *options,
    ]
    assert _render(task, task.name, "2001-02-01", "2001-02-28") == f"lakepipe-{job}-2001-02-01-2001-02-28"
    # A driver that lives for the whole range: the JVM's full JIT and the Spark UI (config/jobs.conf).
    assert task.conf == {"spark.driver.defaultJavaOptions": "-XX:-DontCompileHugeMethods", "spark.ui.enabled": "true"}


def test_days_of_a_range_and_what_is_refused() -> None:
    from lakepipe_backfill import days_of

    assert days_of("2001-02-27", "2001-03-02") == ["2001-02-27", "2001-02-28", "2001-03-01", "2001-03-02"]
    assert days_of("2001-06-30", "2001-06-30") == ["2001-06-30"]
    with pytest.raises(ValueError, match="end 2001-01-01 is before start 2001-01-02"):
        days_of("2001-01-02", "2001-01-01")
    with pytest.raises(ValueError, match=r"reaches outside the days of the data, 2001-01-01\.\.2001-06-30"):
        days_of("2000-12-31", "2001-01-05")
    with pytest.raises(ValueError, match="must be days of the form YYYY-MM-DD"):
        days_of("2001-01-01", "June")


def test_check_range_names_the_days_without_landed_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for day in ("2001-01-01", "2001-01-03"):
        (tmp_path / f"ds={day}").mkdir()
        (tmp_path / f"ds={day}" / "part-00000.csv").write_text("x\n")
    # A folder without part files is not a delivery.
    (tmp_path / "ds=2001-01-02").mkdir()
    connection = {"conn_type": "fs", "extra": {"path": str(tmp_path)}}
    monkeypatch.setenv("AIRFLOW_CONN_LAKEPIPE_LANDING_FLIGHTS", json.dumps(connection))
    check = _dag().task_dict["check_range"]

    assert check.python_callable(params={"start": "2001-01-01", "end": "2001-01-01"}) == ["2001-01-01"]
    with pytest.raises(ValueError, match=r"1 of the 3 days have no landed flight files under .*: 2001-01-02\. Land"):
        check.python_callable(params={"start": "2001-01-01", "end": "2001-01-03"})


def _drift(ds: str, psi: dict[str, float]) -> retraining.Decision:
    event = {"ds": ds, "retrain": True, "drift": psi, "drift_run": f"http://mlflow/{ds}"}
    return retraining.Decision(event, f"drifted on {ds}")


def _calm(ds: str) -> retraining.Decision:
    return retraining.Decision({"ds": ds, "retrain": False}, f"calm on {ds}")


def test_one_event_for_the_range_is_its_last_days_unless_an_earlier_day_drifted() -> None:
    calm = retraining.combine([_calm("2001-01-01"), _calm("2001-01-02")])
    assert calm.event == {"ds": "2001-01-02", "retrain": False}
    last_drifted = retraining.combine([_calm("2001-01-01"), _drift("2001-01-02", {"a": 0.2})])
    assert last_drifted.event["ds"] == "2001-01-02" and last_drifted.event["retrain"] is True

    earlier = retraining.combine(
        [_drift("2001-01-01", {"a": 0.2, "b": 0.3}), _drift("2001-01-02", {"a": 0.4}), _calm("2001-01-03")]
    )

    assert earlier.event == {
        "ds": "2001-01-03",
        "retrain": True,
        "drift": {"a": 0.4, "b": 0.3},
        "drift_days": ["2001-01-01", "2001-01-02"],
        "drift_run": "http://mlflow/2001-01-02",
    }
    assert "2001-01-01, 2001-01-02 of the range" in earlier.reason


def test_the_training_reads_a_range_event_as_drift_on_its_drifted_days() -> None:
    event = retraining.combine([_drift("2001-01-01", {"a": 0.2}), _calm("2001-01-02")]).event

    decision = retraining.decide_training(
        "2001-01-02", retraining.ON_DRIFT, [event], manual=False, has_champion=True, accuracy=None
    )

    assert decision.train is True
    assert "on 2001-01-01 (a PSI 0.2000)" in decision.reason
