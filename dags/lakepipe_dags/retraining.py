"""Whether a day's checked features trigger a training: ``lakepipe.training.trigger`` in the pipeline config.

- ``every-day`` (the default): every day whose features pass their gate emits the training event,
  ``{"ds": ds}``.
- ``on-drift``: only a day on which a feature drifted beyond ``lakepipe.quality.features.retrain-psi``
  does, with the drifted features and their PSI: ``{"ds": ds, "drift": {"distance": 0.1834},
  "drift_run": <MLflow run>}``. A day without such drift emits none.

In ``on-drift`` mode check-features logs the day's drift verdict as an MLflow run of
``lakepipe.training.drift-experiment``, tagged ``lakepipe.ds``, ``lakepipe.view``, ``lakepipe.retrain``
("true"/"false") and ``lakepipe.retrain.drift`` (JSON); the writer is the Java class
``io.lakepipe.features.quality.TrainingTrigger``. MLflow carries it because it is the one store
that a Spark driver in any deploy mode (client, cluster, YARN, Kubernetes) and the Airflow worker
both reach already; the feature-quality Delta table holds the same flags (column ``retrain``) but
would need a Delta reader and object-store credentials in Airflow.

The settings are read when the task runs, from the config file the Spark jobs get (over jobs-core's
``lakepipe-defaults.conf``, as the jobs read it), so the jobs and the DAG never disagree on them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lakepipe_dags import mlflow_api, pipeline_config
from lakepipe_dags.assets import DS_KEY

EVERY_DAY = "every-day"
ON_DRIFT = "on-drift"
TRIGGER_KEY = "lakepipe.training.trigger"
EXPERIMENT_KEY = "lakepipe.training.drift-experiment"
# Keys of the event's extra beside the day.
DRIFT_KEY = "drift"
DRIFT_RUN_KEY = "drift_run"
# The tags check-features puts on a drift verdict run (TrainingTrigger.java).
DS_TAG = "lakepipe.ds"
VIEW_TAG = "lakepipe.view"
RETRAIN_TAG = "lakepipe.retrain"
DRIFT_TAG = "lakepipe.retrain.drift"


@dataclass(frozen=True)
class TrainingSettings:
    trigger: str
    drift_experiment: str


@dataclass(frozen=True)
class DriftVerdict:
    """check-features' verdict on one day: whether it calls for a retraining, and the drift behind it."""

    retrain: bool
    drift: dict[str, float] = field(default_factory=dict)
    run_url: str = ""


def training_settings(config_file: str | Path) -> TrainingSettings:
    """``lakepipe.training`` of the config file over the jobs' defaults, checked."""
    config = pipeline_config.load(config_file)
    settings = TrainingSettings(str(config["training.trigger"]), str(config["training.drift-experiment"]))
    if settings.trigger not in (EVERY_DAY, ON_DRIFT):
        raise ValueError(
            f"{TRIGGER_KEY} = {settings.trigger!r} in {config_file} is not {EVERY_DAY!r} or {ON_DRIFT!r};"
            " set one of them."
        )
    return settings


def latest_drift_verdict(
    ds: str, view: str, experiment: str, *, tracking_uri: str | None = None
) -> DriftVerdict | None:
    """The newest finished drift verdict of ``view`` for ``ds`` in MLflow, or None when there is none."""
    base = (tracking_uri or mlflow_api.tracking_uri()).rstrip("/")
    search_filter = (
        f"tags.`{DS_TAG}` = '{mlflow_api.quoted(ds)}' and tags.`{VIEW_TAG}` = '{mlflow_api.quoted(view)}'"
        " and attributes.status = 'FINISHED'"
    )
    # None when check-features has never logged a verdict, or none for the day.
    found = mlflow_api.newest_run(base, experiment, search_filter)
    if found is None:
        return None
    experiment_id, run = found
    tags = mlflow_api.tags(run.get("data", {}))
    return DriftVerdict(
        retrain=tags.get(RETRAIN_TAG) == "true",
        drift={name: float(psi) for name, psi in json.loads(tags.get(DRIFT_TAG) or "{}").items()},
        run_url=f"{base}/#/experiments/{experiment_id}/runs/{run['info']['run_id']}",
    )


@dataclass(frozen=True)
class Decision:
    """Whether a day triggers a training: the event's extra (None for no event) and why, for the task log."""

    event: dict[str, Any] | None
    reason: str


def decide(ds: str, trigger: str, verdict: DriftVerdict | None) -> Decision:
    """Whether ``ds`` triggers a training under ``trigger``, given check-features' drift verdict (on-drift only).

    :raises ValueError: in ``on-drift`` mode without a verdict: check-features logged none for the day,
        so whether it drifted is unknown, and guessing either way would be wrong silently.
    """
    if trigger == EVERY_DAY:
        return Decision({DS_KEY: ds}, f"{TRIGGER_KEY} is {EVERY_DAY}: every checked day trains")
    if verdict is None:
        raise ValueError(
            f"{TRIGGER_KEY} is {ON_DRIFT!r} but check-features logged no drift verdict for {ds} in MLflow."
            " Re-run check_features for the day with the same config (it logs the verdict once its gate"
            " passes), and check that MLFLOW_TRACKING_URI here is the server of lakepipe.mlflow.tracking-uri."
        )
    if not verdict.retrain:
        return Decision(
            None,
            f"{TRIGGER_KEY} is {ON_DRIFT} and no feature drifted beyond lakepipe.quality.features.retrain-psi"
            f" on {ds}; drift verdict: {verdict.run_url}",
        )
    drifted = ", ".join(f"{name} (PSI {psi:.4f})" for name, psi in verdict.drift.items())
    return Decision(
        {DS_KEY: ds, DRIFT_KEY: verdict.drift, DRIFT_RUN_KEY: verdict.run_url},
        f"drifted beyond lakepipe.quality.features.retrain-psi on {ds}: {drifted}; drift verdict: {verdict.run_url}",
    )


def decide_day(ds: str, view: str, config_file: str) -> Decision:
    """Whether ``ds`` triggers a training of ``view``'s models under the config file's trigger."""
    settings = training_settings(config_file)
    verdict = latest_drift_verdict(ds, view, settings.drift_experiment) if settings.trigger == ON_DRIFT else None
    return decide(ds, settings.trigger, verdict)
