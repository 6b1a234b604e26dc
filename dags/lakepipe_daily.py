"""lakepipe, one logical date (ds) a run: ingest the day's landed flight files and the airport reference
changes (JDBC), check the flights' quality, build the day's features, check them, train, export the model.

Each task is one Spark job jar run by spark-submit (see ``lakepipe_dags.steps`` for where jars,
config and the Spark connection come from). Every job writes idempotently per ds, so retries and
``airflow backfill create`` re-runs of any date range are safe.

The schedule is a data-interval timetable, not the bare ``"@daily"`` string: in Airflow 3 that string
means a CronTriggerTimetable, whose run for day D starts at D 00:00, before D's data exists. Here the
run for ds = D starts once D is over, as a daily batch expects.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, CronDataIntervalTimetable

from lakepipe_dags.steps import spark_job_step, task_defaults

with DAG(
    dag_id="lakepipe_daily",
    description="Flights to features to model to exported bundle, one ds a run",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=pendulum.datetime(2001, 1, 1, tz="UTC"),
    # The flights data set ends on 2001-06-30: no run is ever scheduled for a day it does not hold.
    end_date=pendulum.datetime(2001, 6, 30, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=task_defaults(),
    tags=["lakepipe"],
    doc_md=__doc__,
):
    ingest_flights = spark_job_step(
        "ingest_flights", job="ingest", main_class="io.lakepipe.ingest.files.IngestFlightFilesJob"
    )
    # New airport versions from PostgreSQL, which the features join as of each flight's time.
    ingest_airports = spark_job_step(
        "ingest_airports", job="ingest", main_class="io.lakepipe.ingest.jdbc.IngestAirportsJob"
    )
    # The data-quality gate: Deequ constraints on the day's bronze rows; a failure stops the run here.
    check_bronze = spark_job_step(
        "check_bronze", job="ingest", main_class="io.lakepipe.ingest.quality.CheckBronzeFlightsJob"
    )
    build_features = spark_job_step(
        "build_features", job="features", main_class="io.lakepipe.features.BuildFeaturesJob"
    )
    # The feature gate: null shares and drift (PSI) of the day's features against the days before.
    check_features = spark_job_step(
        "check_features", job="features", main_class="io.lakepipe.features.quality.CheckFeaturesJob"
    )
    train_model = spark_job_step("train_model", job="train", main_class="io.lakepipe.train.TrainModelJob")
    serve_export = spark_job_step(
        "serve_export", job="serve-export", main_class="io.lakepipe.export.ServeExportJob"
    )

    ingest_flights >> check_bronze >> build_features
    ingest_airports >> build_features
    build_features >> check_features >> train_model >> serve_export
