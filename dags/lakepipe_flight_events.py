"""lakepipe, flight events from Kafka: every hour, ingest what the topic holds into bronze.

One task, the ingest-events job with its default trigger ``available-now``: it reads the events
published since its checkpoint, writes each one to ``bronze/flight_events`` exactly once (bad
messages to ``quarantine/flight_events``), appends its audit row, and stops. A retry or a re-run of
any hour reads from the same checkpoint and writes nothing twice.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, CronDataIntervalTimetable

from lakepipe_dags.steps import spark_job_step, task_defaults

with DAG(
    dag_id="lakepipe_flight_events",
    description="Kafka flight events to the bronze table, exactly once, every hour",
    schedule=CronDataIntervalTimetable("@hourly", timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    # Runs share one checkpoint: one at a time.
    max_active_runs=1,
    default_args=task_defaults(),
    tags=["lakepipe", "kafka"],
    doc_md=__doc__,
):
    spark_job_step(
        "ingest_flight_events", job="ingest", main_class="io.lakepipe.ingest.kafka.IngestFlightEventsJob"
    )
