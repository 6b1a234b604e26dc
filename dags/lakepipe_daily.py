"""lakepipe, one logical date (ds) a run: wait for the day's landed flight files, ingest them, the
airport reference changes (JDBC) and the flight events on Kafka, check the flights' quality, build
the day's features, check them, announce them to the training DAG, and write the day's report.

Every day whose features pass their gate is announced to the training DAG (batch scoring and
prediction monitoring run every day). With ``lakepipe.training.trigger = on-drift`` the event's extra
says whether a feature drifted beyond ``lakepipe.quality.features.retrain-psi`` (``"retrain"``, and the
features and their PSI), from check-features' drift verdict; the training DAG decides from it whether
to train (``lakepipe_dags.retraining``).

Each Spark task is one job jar run by spark-submit (see ``lakepipe_dags.steps`` for where jars,
config, the Spark connection and the pool come from). Every job writes idempotently per ds, so
retries and ``airflow backfill create`` re-runs of any date range are safe.

The schedule is a data-interval timetable, not the bare ``"@daily"`` string: in Airflow 3 that string
means a CronTriggerTimetable, whose run for day D starts at D 00:00, before D's data exists. Here the
run for ds = D starts once D is over, as a daily batch expects. Catch-up is on: unpaused, the DAG
runs every day of the data from its first (2001-01-01), one day at a time, oldest first.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import DAG, CronDataIntervalTimetable, task

from lakepipe_dags import retraining, schedule
from lakepipe_dags.assets import FEATURES_FLIGHTS
from lakepipe_dags.report import DailyReportOperator
from lakepipe_dags.steps import (
    config_file_template,
    feature_view_steps,
    landed_files_sensor,
    spark_job_step,
    task_defaults,
)

log = logging.getLogger(__name__)

with DAG(
    dag_id="lakepipe_daily",
    description="Landed flights, airports and flight events to checked features, one ds a run",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=schedule.start_date(),
    # The flights data set ends on 2001-06-30: no run is ever scheduled for a day it does not hold.
    end_date=schedule.end_date(),
    catchup=True,
    # Days build on the days before them (history features, the feature gate's reference days).
    max_active_runs=1,
    default_args=task_defaults(),
    tags=["lakepipe"],
    doc_md=__doc__,
):
    # The upstream system lands each day as files under <landing>/ds=YYYY-MM-DD/ (`./lakepipe land`);
    # a late delivery waits here, deferred, instead of failing the ingest.
    wait_for_flights = landed_files_sensor(
        "wait_for_flights", connection_id="lakepipe_landing_flights", files="ds={{ ds }}/part-*"
    )
    ingest_flights = spark_job_step("ingest_flights", job="ingest-files", options={"source": "flights"})
    # New airport versions from PostgreSQL, which the features join as of each flight's time.
    ingest_airports = spark_job_step("ingest_airports", job="ingest-jdbc", options={"source": "airports"})
    # What the flight-events topic holds since the last run (Kafka, trigger available-now), exactly
    # once into bronze/flight_events; its checkpoint, not ds, says where it resumes.
    ingest_flight_events = spark_job_step(
        "ingest_flight_events", job="ingest-kafka", options={"source": "flight-events"}
    )
    # The data-quality gate: the Deequ checks declared for bronze-flights (lakepipe.checks) on the day's
    # rows; a failure stops the run here.
    check_bronze = spark_job_step("check_bronze", job="check-table", options={"table": "bronze-flights"})
    # The view's features, then their gate: null shares and drift (PSI) against the days before.
    build_features, check_features = feature_view_steps("flights")

    @task(outlets=[FEATURES_FLIGHTS])
    def publish_features(config_file: str, *, ds: str, outlet_events: Any) -> None:
        """Announce ds's checked features to the training DAG (an event on the asset), with their drift verdict."""
        decision = retraining.decide_day(ds, "flights", config_file)
        log.info("Features event for %s: %s (%s)", ds, decision.event, decision.reason)
        outlet_events[FEATURES_FLIGHTS].extra = decision.event

    # The day's page (jobs, quarantine, durations, quality, model scores over the last days), linked
    # from the task as "Daily report" (its MLflow run). Not after a failed gate.
    daily_report = spark_job_step("daily_report", job="report", operator_class=DailyReportOperator)

    wait_for_flights >> ingest_flights >> check_bronze >> build_features
    ingest_airports >> build_features
    check_features >> publish_features(config_file_template()) >> daily_report
