"""birdstrikes, one yearly delivery (ds = January 1st) a run: wait for the year's wildlife strike reports,
the state reference and the global temperature published that day, ingest and check them, build the
year's strike features, check them, and train the damage model on the three deliveries up to ds.

Everything it runs is declared in ``config/pipelines/birdstrikes.conf`` (sources, checks, the feature
view ``birdstrikes`` and the model ``birdstrike-damage``) and run by lakepipe's generic jobs; this
file only orders the steps. The first deliveries of the data have no three years behind them: their
runs skip the training (``first_training_ds``, a parameter a manual run may set in its conf).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, CronDataIntervalTimetable, Param, task

from lakepipe_dags.steps import feature_view_steps, file_source_steps, spark_job_step, task_defaults

LANDING = "lakepipe_landing"

with DAG(
    dag_id="birdstrikes",
    description="Yearly wildlife strike reports, a state reference and a temperature series to a damage model",
    # A year's run starts once the year is over, as a yearly delivery expects.
    schedule=CronDataIntervalTimetable("@yearly", timezone="UTC"),
    start_date=pendulum.datetime(1990, 1, 1, tz="UTC"),
    # The data set ends in 2002.
    end_date=pendulum.datetime(2002, 1, 1, tz="UTC"),
    catchup=True,
    # Years build on the years before them (history features).
    max_active_runs=1,
    default_args=task_defaults(),
    params={"first_training_ds": Param("1992-01-01", type="string", description="first ds that trains")},
    tags=["lakepipe", "birdstrikes"],
    doc_md=__doc__,
):
    strikes = file_source_steps(
        "birdstrikes", connection_id=LANDING, files="birdstrikes/ds={{ ds }}/*", check_table="bronze-birdstrikes"
    )
    states = file_source_steps("state-facts", connection_id=LANDING, files="state-facts/ds={{ ds }}/*")
    temperature = file_source_steps(
        "global-temperature", connection_id=LANDING, files="global-temperature/ds={{ ds }}/*"
    )
    build_features, check_features = feature_view_steps("birdstrikes")

    @task.short_circuit
    def enough_history(*, ds: str, params: dict) -> bool:
        """Whether ds has the deliveries a training needs before it."""
        return ds >= params["first_training_ds"]

    train_model = spark_job_step("train_model", job="train-model", options={"model": "birdstrike-damage"})

    [strikes[-1], states[-1], temperature[-1]] >> build_features
    check_features >> enough_history() >> train_model
