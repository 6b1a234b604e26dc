"""The daily report step: its extra link, serialized for the UI, and the MLflow run it points at."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
import uuid

import pytest
from airflow.serialization.serialized_objects import DagSerialization

from dag_loading import load_dag_bag, parse_dag_bag, template_context
from lakepipe_dags.report import DailyReportLink, DailyReportOperator, report_run_url

MLFLOW = (os.environ.get("MLFLOW_TRACKING_URI") or "http://127.0.0.1:5000").rstrip("/")


def _report_task() -> DailyReportOperator:
    task = load_dag_bag().dags["lakepipe_daily"].task_dict["daily_report"]
    assert isinstance(task, DailyReportOperator)
    return task


def test_report_task_offers_the_daily_report_link_to_the_ui() -> None:
    dag = load_dag_bag().dags["lakepipe_daily"]
    encoded = DagSerialization.to_dict(dag)
    # What the API server holds: the DAG as the DAG processor stored it, without any plugin.
    served = DagSerialization.from_dict(encoded).task_dict

    # Airflow 3 keeps only name -> XCom key; the worker pushes the address under that key.
    report = next(t for t in encoded["dag"]["tasks"] if t["__var"]["task_id"] == "daily_report")["__var"]
    assert report["_operator_extra_links"] == {"Daily report": "_link_DailyReportLink"}
    assert served["daily_report"].extra_links == ["Daily report"]
    assert served["check_features"].extra_links == []


def test_link_is_the_address_the_task_found_and_empty_before() -> None:
    task = _report_task()
    link = DailyReportLink()

    assert link.get_link(task, ti_key=None) == ""
    task.report_url = "http://127.0.0.1:5000/#/experiments/7/runs/abc"
    try:
        assert link.get_link(task, ti_key=None) == "http://127.0.0.1:5000/#/experiments/7/runs/abc"
    finally:
        del task.report_url


def test_the_link_is_to_the_report_of_the_jobs_day_or_the_last_day_of_a_range() -> None:
    # Read from the rendered arguments: a backfill's run has no logical date, so no ds in its context.
    # A DAG bag of its own: rendering changes the tasks, which other tests render from their templates.
    bag = parse_dag_bag()
    daily = bag.dags["lakepipe_daily"].task_dict["daily_report"]
    backfill = bag.dags["lakepipe_backfill"].task_dict["daily_report"]
    assert isinstance(daily, DailyReportOperator) and isinstance(backfill, DailyReportOperator)
    context = template_context("2001-01-15") | {"params": {"start": "2001-01-01", "end": "2001-01-31"}}

    for task in (daily, backfill):
        task.render_template_fields(context)

    assert daily.report_day() == "2001-01-15"
    assert backfill.report_day() == "2001-01-31"


def _mlflow(path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{MLFLOW}/api/2.0/mlflow/{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


@pytest.fixture
def experiment() -> str:
    try:
        urllib.request.urlopen(f"{MLFLOW}/health", timeout=3).close()
    except OSError as error:
        pytest.skip(f"the MLflow server {MLFLOW} is not running ({error}): ./lakepipe services start")
    return f"lakepipe-report-dag-test-{uuid.uuid4().hex}"


def _report_run(experiment_id: str, ds: str, dag_run_id: str | None) -> str:
    tags = [{"key": "lakepipe.ds", "value": ds}]
    if dag_run_id:
        tags.append({"key": "airflow.dag_run_id", "value": dag_run_id})
    run = _mlflow(
        "runs/create",
        {"experiment_id": experiment_id, "start_time": int(time.time() * 1000), "tags": tags},
    )
    return run["run"]["info"]["run_id"]


def test_finds_the_report_run_of_the_dag_run_on_the_real_tracking_server(experiment: str) -> None:
    assert report_run_url("2001-01-15", tracking_uri=MLFLOW, experiment=experiment) is None

    experiment_id = _mlflow("experiments/create", {"name": experiment})["experiment_id"]
    ours = _report_run(experiment_id, "2001-01-15", "scheduled__2001-01-15T00:00:00+00:00")
    time.sleep(0.01)
    newer_manual = _report_run(experiment_id, "2001-01-15", None)
    _report_run(experiment_id, "2001-01-16", "scheduled__2001-01-16T00:00:00+00:00")

    by_dag_run = report_run_url(
        "2001-01-15",
        dag_run_id="scheduled__2001-01-15T00:00:00+00:00",
        tracking_uri=MLFLOW,
        experiment=experiment,
    )
    newest = report_run_url("2001-01-15", tracking_uri=MLFLOW, experiment=experiment)
    unknown_day = report_run_url("2001-02-01", tracking_uri=MLFLOW, experiment=experiment)

    assert by_dag_run == f"{MLFLOW}/#/experiments/{experiment_id}/runs/{ours}"
    assert newest == f"{MLFLOW}/#/experiments/{experiment_id}/runs/{newer_manual}"
    assert unknown_day is None
    _mlflow("experiments/delete", {"experiment_id": experiment_id})


def test_an_unreachable_tracking_server_is_an_os_error_the_task_survives() -> None:
    with pytest.raises(OSError):
        report_run_url("2001-01-15", tracking_uri="http://127.0.0.1:9", experiment="x")
