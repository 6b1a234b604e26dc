"""lakepipe training: whenever the daily DAG has published checked features, train the delay model,
let the registry gate decide on the champion, export the champion for Spark-free serving, and
write and monitor the day's batch predictions.

Scheduled on the ``lakepipe_features_flights`` asset (data-aware): each daily run that gets its
features through the gate queues an event carrying its ds, and this DAG runs for the latest ds
among the events it was triggered by, so a backfill of many days ends in one run for its last day.
A manual run names its day in the conf: ``{"ds": "2001-01-15"}``. The first days of the data have
too few days before them to train on; their runs are skipped (see ``schedule.first_training_day``).

- decide_training: whether this run trains (``lakepipe.training.trigger``, see
  ``lakepipe_dags.retraining``). ``every-day`` always trains; ``on-drift`` trains only when a feature
  drifted on one of the triggering days, when the champion's realised ROC AUC fell on the newest
  monitored day, or when there is no champion yet. Otherwise train_model and export_bundle are
  skipped (the log says why) and the champion scores the day.
- train_model: search the configured candidates on the days up to ds, log everything to MLflow,
  register the best as the ``challenger`` version; the gate, in the same job, scores the current
  ``champion`` on the same test days and moves the alias only if the challenger beats the route
  baseline and the champion by the configured margin (so a version is never left registered without
  its gate decision).
- export_bundle: the ``champion`` as PMML (ONNX for the torch family) with its metadata, published to the
  version's run and to the deployment folder that the scoring service reloads from.
- batch_score: the ``champion``'s predictions for ds's flights into the predictions table.
- monitor_predictions: those predictions against the labels of the same flights (realised ROC AUC,
  log loss, calibration) into the prediction-quality table and the Pushgateway; with ``on-drift``,
  also the day's accuracy verdict in MLflow, which the next run's decide_training reads. Here, not in
  the daily DAG: the labels of ds are built by the daily run that triggered this one, before the
  predictions exist, so this is the first moment both are there (docs/monitoring.md).
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import DAG, task
from airflow.sdk.exceptions import AirflowSkipException

from lakepipe_dags import retraining, schedule
from lakepipe_dags.assets import DS_KEY, FEATURES_FLIGHTS
from lakepipe_dags.steps import config_file_template, spark_job_step, task_defaults

log = logging.getLogger(__name__)

# The day this run trains for, as the resolve_ds task found it.
TRAINING_DS = "{{ ti.xcom_pull(task_ids='resolve_ds') }}"

with DAG(
    dag_id="lakepipe_training",
    description="Train, gate, export, batch-score and monitor the delay model when new features are published",
    schedule=[FEATURES_FLIGHTS],
    start_date=schedule.start_date(),
    catchup=False,
    # One training at a time: each moves the registry's aliases.
    max_active_runs=1,
    default_args=task_defaults(),
    tags=["lakepipe", "ml"],
    doc_md=__doc__,
):

    @task
    def resolve_ds(*, dag_run: Any, triggering_asset_events: Any) -> str:
        """The day to train for: the run's conf ``ds``, else the latest day of the triggering events."""
        ds = schedule.training_ds(dag_run.conf, triggering_asset_events)
        first = schedule.first_training_day()
        if ds < first:
            raise AirflowSkipException(f"Not training for {ds}: the first training needs the days up to {first}.")
        return ds

    @task.branch
    def decide_training(config_file: str, training_ds: str, *, dag_run: Any, triggering_asset_events: Any) -> list[str]:
        """Train, then score; or only score the day with the champion (lakepipe.training.trigger)."""
        # (Not named ds: Airflow reserves the context's keys for its own arguments.)
        extras = [event.extra or {} for events in (triggering_asset_events or {}).values() for event in events]
        manual = bool((dag_run.conf or {}).get(DS_KEY))
        decision = retraining.decide_training_run(training_ds, "flights", config_file, extras, manual=manual)
        if decision.train:
            log.info("Training for %s: %s", training_ds, decision.reason)
            return ["train_model", "batch_score"]
        log.info("Not training for %s, the champion scores it: %s", training_ds, decision.reason)
        return ["batch_score"]

    train_model = spark_job_step("train_model", job="train-model", options={"model": "flights-delay"}, ds=TRAINING_DS)
    export_bundle = spark_job_step("export_bundle", job="export-pmml", ds=TRAINING_DS)
    # After a training, or straight after a decision not to train (export_bundle then skipped).
    batch_score = spark_job_step(
        "batch_score", job="serve-export", ds=TRAINING_DS, trigger_rule="none_failed_min_one_success"
    )
    # The online scorer's answers for ds (its prediction log, a declared file source; a day it
    # answered nothing for is empty), beside the batch predictions for monitoring.
    ingest_online_predictions = spark_job_step(
        "ingest_online_predictions", job="ingest-files", options={"source": "prediction-log-flights"}, ds=TRAINING_DS
    )
    monitor_predictions = spark_job_step("monitor_predictions", job="monitor-predictions", ds=TRAINING_DS)

    # export-pmml first: it serves a challenger the gate promoted in the real scorer before the
    # champion alias moves to it, and batch scoring reads the champion of then.
    days = resolve_ds()
    decision = decide_training(config_file_template(), days)
    decision >> [train_model, batch_score]
    train_model >> export_bundle >> batch_score >> monitor_predictions
    days >> ingest_online_predictions >> monitor_predictions
