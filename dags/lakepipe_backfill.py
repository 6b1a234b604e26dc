"""lakepipe backfill: every stage of ``lakepipe_daily`` over a range of days, each Spark job started once.

Trigger it from the Airflow UI ("Trigger", then the form's first and last day) or the CLI::

    airflow dags trigger lakepipe_backfill --conf '{"start": "2001-01-01", "end": "2001-06-30"}'

Each Spark task runs its job once for the whole range (``--ds <start> --until <end>``): the job writes
every day from ``start`` to ``end``, oldest first, each as its own daily run of that day would (the same
ds partition, the same audit row), in one Spark application. A backfill of N days pays the start of a
JVM, a Spark session and the jar's classes once per stage instead of N times, which on this machine is
most of a daily task's time. The stages run one after the other over the whole range, in the daily
DAG's order: ingest, check, build the features, check them, publish, report. Every job reads only ds and
the days before it (the features are point-in-time correct by construction, and the feature gate's
reference is the days before ds), so building day D after later days were ingested gives D's rows of a
daily run. The end-to-end test compares a lakehouse backfilled this way with one built day by day.

At the end it publishes one features event for the range's last day (retrain when any day of the range
drifted, with ``on-drift``), so ``lakepipe_training`` trains once, for that day, on the days before it,
which is where a run per day would have ended too.

Why a DAG of range runs rather than Airflow's own backfill (``airflow backfill create``, or the UI's
"Backfill" of ``lakepipe_daily``): Airflow backfills create one DAG run per day, so every task pays its
fixed cost once per day; Airflow has no run that covers several logical dates. That path still works
and suits re-running a few days; this DAG is for months.

A failed day stops its stage; the days before it are written and the task's log says which day failed
and the range that resumes it. A retry of the task, or a new run with the same range, writes every day
again, safely (every job writes a day idempotently). Do not run it beside ``lakepipe_daily`` runs for the
same days: both write the same partitions (on this machine the Spark pool runs one job at a time anyway).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from airflow.providers.standard.hooks.filesystem import FSHook
from airflow.sdk import DAG, Param, task

from lakepipe_dags import retraining, schedule
from lakepipe_dags.assets import FEATURES_FLIGHTS
from lakepipe_dags.report import DailyReportOperator
from lakepipe_dags.steps import config_file_template, spark_job_step, task_defaults

log = logging.getLogger(__name__)

FIRST = "{{ params.start }}"
LAST = "{{ params.end }}"
LANDING_CONNECTION = "lakepipe_landing_flights"


def range_step(task_id: str, *, job: str, options: dict[str, str] | None = None, **kwargs: Any) -> Any:
    """A Spark step that runs ``job`` once for every day of the range."""
    return spark_job_step(task_id, job=job, options=options, ds=FIRST, until=LAST, **kwargs)


def days_of(start: str, end: str) -> list[str]:
    """The days from ``start`` to ``end``, both included, or a ValueError saying what is wrong."""
    try:
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    except ValueError:
        raise ValueError(f"start {start!r} and end {end!r} must be days of the form YYYY-MM-DD") from None
    if last < first:
        raise ValueError(f"end {end} is before start {start}")
    data_first, data_last = schedule.start_date().date(), schedule.end_date().date()
    if first < data_first or last > data_last:
        raise ValueError(f"{start}..{end} reaches outside the days of the data, {data_first}..{data_last}")
    return [(first + dt.timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def days_without_files(landing: Path, days: list[str]) -> list[str]:
    """The days whose landed flight files (``ds=<day>/part-*`` under the landing folder) are missing."""
    return [day for day in days if not any((landing / f"ds={day}").glob("part-*"))]


with DAG(
    dag_id="lakepipe_backfill",
    description="Every stage of lakepipe_daily over a range of days, one Spark application per stage",
    schedule=None,
    start_date=schedule.start_date(),
    catchup=False,
    # Two ranges at once would write the same tables.
    max_active_runs=1,
    default_args=task_defaults(),
    params={
        "start": Param(
            schedule.FIRST_DAY, type="string", format="date", title="First day", description="The first ds written"
        ),
        "end": Param(
            schedule.LAST_DAY, type="string", format="date", title="Last day", description="The last ds written"
        ),
    },
    tags=["lakepipe"],
    doc_md=__doc__,
):

    @task
    def check_range(*, params: dict[str, Any]) -> list[str]:
        """Fail at once, before any Spark job, on a range outside the data or with days not landed."""
        days = days_of(str(params["start"]), str(params["end"]))
        landing = Path(FSHook(fs_conn_id=LANDING_CONNECTION).get_path())
        missing = days_without_files(landing, days)
        if missing:
            raise ValueError(
                f"{len(missing)} of the {len(days)} days have no landed flight files under {landing}:"
                f" {', '.join(missing[:10])}{' ...' if len(missing) > 10 else ''}. Land them first"
                " (./lakepipe land <first> <last>) or narrow the range."
            )
        log.info("Backfilling %d days, %s..%s, landed under %s", len(days), days[0], days[-1], landing)
        return days

    days = check_range()
    ingest_flights = range_step("ingest_flights", job="ingest-files", options={"source": "flights"})
    ingest_airports = range_step("ingest_airports", job="ingest-jdbc", options={"source": "airports"})
    ingest_flight_events = range_step("ingest_flight_events", job="ingest-kafka", options={"source": "flight-events"})
    check_bronze = range_step("check_bronze", job="check-table", options={"table": "bronze-flights"})
    build_features = range_step("build_features", job="build-features", options={"view": "flights"})
    check_features = range_step("check_features", job="check-features", options={"view": "flights"})

    @task(outlets=[FEATURES_FLIGHTS])
    def publish_features(config_file: str, days: list[str], *, outlet_events: Any) -> None:
        """Announce the range's checked features to the training DAG: one event, for its last day."""
        decision = retraining.decide_range(days, "flights", config_file)
        log.info("Features event for %s..%s: %s (%s)", days[0], days[-1], decision.event, decision.reason)
        outlet_events[FEATURES_FLIGHTS].extra = decision.event

    daily_report = range_step("daily_report", job="report", operator_class=DailyReportOperator)

    days >> [ingest_flights, ingest_airports, ingest_flight_events]
    ingest_flights >> check_bronze >> build_features
    ingest_airports >> build_features
    build_features >> check_features
    published = publish_features(config_file_template(), days)
    check_features >> published >> daily_report
