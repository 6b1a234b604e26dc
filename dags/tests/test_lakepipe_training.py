"""lakepipe_training: scheduled on the features asset, trains for the day the events name."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk.definitions.timetables.assets import AssetTriggeredTimetable
from airflow.sdk.exceptions import AirflowSkipException

from dag_loading import REPO_ROOT, load_dag_bag, template_context
from lakepipe_dags.assets import FEATURES_FLIGHTS
from lakepipe_dags.schedule import training_ds

DAG_ID = "lakepipe_training"
# task id: (job in config/jobs.conf, its jar's module, main class, the job's own options)
STEPS = {
    "train_model": ("train-model", "train", "io.lakepipe.train.TrainModelJob", ["--model", "flights-delay"]),
    "export_bundle": ("export-pmml", "export-pmml", "io.lakepipe.export.pmml.ExportPmmlJob", []),
    "batch_score": ("serve-export", "serve-export", "io.lakepipe.export.ServeExportJob", []),
    "monitor_predictions": ("monitor-predictions", "report", "io.lakepipe.monitoring.MonitorPredictionsJob", []),
    "ingest_online_predictions": (
        "ingest-files",
        "ingest",
        "io.lakepipe.ingest.files.IngestFilesJob",
        ["--source", "prediction-log-flights"],
    ),
}


def _event(ds: str | None) -> SimpleNamespace:
    return SimpleNamespace(extra={} if ds is None else {"ds": ds})


def test_is_scheduled_on_the_published_features_only() -> None:
    dag = load_dag_bag().dags[DAG_ID]

    assert isinstance(dag.timetable, AssetTriggeredTimetable)
    assert list(dag.timetable.asset_condition.objects) == [FEATURES_FLIGHTS]
    assert dag.catchup is False


def test_trains_then_exports_then_scores_then_monitors_the_predictions() -> None:
    dag = load_dag_bag().dags[DAG_ID]

    edges = {(upstream, task.task_id) for task in dag.tasks for upstream in task.upstream_task_ids}

    assert set(dag.task_ids) == set(STEPS) | {"resolve_ds", "decide_training"}
    assert edges == {
        ("resolve_ds", "decide_training"),
        ("decide_training", "train_model"),
        ("decide_training", "batch_score"),
        ("train_model", "export_bundle"),
        ("export_bundle", "batch_score"),
        ("batch_score", "monitor_predictions"),
        ("resolve_ds", "ingest_online_predictions"),
        ("ingest_online_predictions", "monitor_predictions"),
    }


def test_a_run_that_does_not_train_still_scores_the_day_but_not_after_a_failed_export() -> None:
    # decide_training follows batch_score alone: train_model and export_bundle are then skipped.
    assert load_dag_bag().dags[DAG_ID].task_dict["batch_score"].trigger_rule == "none_failed_min_one_success"


def test_decide_training_takes_its_arguments_beside_airflows_context() -> None:
    # A parameter named after a context key (ds, say) fails the task when Airflow runs it.
    task = load_dag_bag().dags[DAG_ID].task_dict["decide_training"]
    context = {
        **template_context("2001-06-30"),
        "dag_run": SimpleNamespace(conf={}),
        "triggering_asset_events": {},
        "ti": SimpleNamespace(xcom_pull=lambda task_ids: "2001-01-15"),
    }

    assert set(task.determine_kwargs(context)) >= {"dag_run", "triggering_asset_events"}


def test_every_day_decides_to_train_and_score() -> None:
    task = load_dag_bag().dags[DAG_ID].task_dict["decide_training"]
    events = {FEATURES_FLIGHTS: [_event("2001-01-15")]}

    followed = task.python_callable(
        str(REPO_ROOT / "config" / "local.conf"),
        "2001-01-15",
        dag_run=SimpleNamespace(conf={}),
        triggering_asset_events=events,
    )

    assert followed == ["train_model", "batch_score"]


@pytest.mark.parametrize("task_id", STEPS)
def test_spark_steps_run_for_the_resolved_day(task_id: str) -> None:
    job, module, main_class, options = STEPS[task_id]
    task = load_dag_bag().dags[DAG_ID].task_dict[task_id]
    context = {**template_context("2001-06-30"), "ti": SimpleNamespace(xcom_pull=lambda task_ids: "2001-01-15")}

    assert isinstance(task, SparkSubmitOperator)
    assert task._java_class == main_class
    assert task.render_template(task.application, context) == str(
        REPO_ROOT / f"jobs-{module}" / "target" / f"jobs-{module}.jar"
    )
    assert task.render_template(task.application_args, context) == [
        "--config",
        str(REPO_ROOT / "config" / "local.conf"),
        "--ds",
        "2001-01-15",
        *options,
    ]
    assert task.render_template(task.name, context) == f"lakepipe-{job}-2001-01-15"
    # Only the training's driver runs for minutes: it gets the long-running settings (config/jobs.conf).
    long_running = {"spark.driver.defaultJavaOptions": "-XX:-DontCompileHugeMethods", "spark.ui.enabled": "true"}
    assert (task.conf or {}) == (long_running if job == "train-model" else {})


def test_resolve_ds_reads_the_triggering_events() -> None:
    task = load_dag_bag().dags[DAG_ID].task_dict["resolve_ds"]
    events = {FEATURES_FLIGHTS: [_event("2001-01-14"), _event("2001-01-15")]}

    assert task.python_callable(dag_run=SimpleNamespace(conf={}), triggering_asset_events=events) == "2001-01-15"


def test_the_first_days_of_the_data_are_skipped_not_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    task = load_dag_bag().dags[DAG_ID].task_dict["resolve_ds"]

    def resolve(ds: str) -> str:
        return task.python_callable(dag_run=SimpleNamespace(conf={"ds": ds}), triggering_asset_events={})

    with pytest.raises(AirflowSkipException, match="the first training needs the days up to 2001-01-03"):
        resolve("2001-01-02")
    assert resolve("2001-01-03") == "2001-01-03"
    monkeypatch.setenv("LAKEPIPE_TRAINING_MIN_DAYS", "10")
    with pytest.raises(AirflowSkipException, match="up to 2001-01-10"):
        resolve("2001-01-09")


def test_the_latest_day_among_the_events_wins_so_a_backfill_trains_once_for_its_last_day() -> None:
    events = {FEATURES_FLIGHTS: [_event("2001-01-16"), _event("2001-01-14"), _event("2001-01-15")]}

    assert training_ds({}, events) == "2001-01-16"


def test_a_ds_in_the_conf_wins_over_the_events() -> None:
    events = {FEATURES_FLIGHTS: [_event("2001-01-16")]}

    assert training_ds({"ds": "2001-03-01"}, events) == "2001-03-01"


def test_events_without_a_day_are_ignored() -> None:
    assert training_ds(None, {FEATURES_FLIGHTS: [_event(None), _event("2001-01-02")]}) == "2001-01-02"


def test_no_day_anywhere_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r'Trigger it with conf \{"ds": "YYYY-MM-DD"\}'):
        training_ds({}, {FEATURES_FLIGHTS: [_event(None)]})


@pytest.mark.parametrize("bad", ["2001-13-01", "15.01.2001", "2001-01-15; rm -rf /"])
def test_a_malformed_day_is_refused_wherever_it_comes_from(bad: str) -> None:
    with pytest.raises(ValueError, match="is not a date of the form YYYY-MM-DD"):
        training_ds({"ds": bad}, None)
    with pytest.raises(ValueError, match="from an asset event's extra"):
        training_ds({}, {FEATURES_FLIGHTS: [_event(bad)]})
