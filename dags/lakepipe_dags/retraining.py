"""Whether a training run trains: ``lakepipe.training.trigger`` in the pipeline config.

- ``every-day`` (the default): every day whose features pass their gate trains. The daily DAG's
  event is ``{"ds": ds}``.
- ``on-drift``: every checked day still reaches the training DAG (its batch scoring and prediction
  monitoring run every day), but the model is retrained only
  - when a feature drifted beyond ``lakepipe.quality.features.retrain-psi`` on one of the days the run
    was triggered by: the daily DAG's event says ``{"ds": ds, "retrain": true, "drift": {"distance":
    0.1834}, "drift_run": <MLflow run>}`` (a calm day: ``"retrain": false``);
  - or when the champion's realised accuracy fell: on the newest day monitored before ds, its ROC AUC
    on the labelled predictions was more than ``lakepipe.quality.predictions.retrain-roc-auc-drop``
    below the ROC AUC it had on its own test days;
  - or when there is no champion yet.
  Otherwise ``train_model`` and ``export_bundle`` are skipped and the day is scored by the champion.

Both verdicts are MLflow runs of ``lakepipe.training.drift-experiment``, tagged ``lakepipe.verdict``
(``drift``, logged by check-features; ``accuracy``, logged by monitor-predictions), ``lakepipe.ds``,
``lakepipe.view``, ``lakepipe.retrain`` ("true"/"false") and the numbers behind it
(``lakepipe.retrain.drift``, ``lakepipe.retrain.accuracy``, JSON); the Java side is
``io.lakepipe.core.tracking.TrainingTrigger``. MLflow carries them because it is the one store that
a Spark driver in any deploy mode (client, cluster, YARN, Kubernetes) and the Airflow worker both
reach already; the quality Delta tables hold the same numbers but would need a Delta reader and
object-store credentials in Airflow.

The settings are read when the task runs, from the config file the Spark jobs get (over jobs-core's
``lakepipe-defaults.conf``, as the jobs read it), so the jobs and the DAG never disagree on them.
"""

from __future__ import annotations

import json
import urllib.error
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lakepipe_dags import mlflow_api, pipeline_config
from lakepipe_dags.assets import DS_KEY

EVERY_DAY = "every-day"
ON_DRIFT = "on-drift"
TRIGGER_KEY = "lakepipe.training.trigger"
# Keys of the event's extra beside the day.
RETRAIN_KEY = "retrain"
DRIFT_KEY = "drift"
DRIFT_RUN_KEY = "drift_run"
# The drifted days of a range backfill's one event (its ds is the range's last day).
DRIFT_DAYS_KEY = "drift_days"
# The tags of a verdict run (io.lakepipe.core.tracking.TrainingTrigger).
VERDICT_TAG = "lakepipe.verdict"
DRIFT_VERDICT = "drift"
ACCURACY_VERDICT = "accuracy"
DS_TAG = "lakepipe.ds"
VIEW_TAG = "lakepipe.view"
RETRAIN_TAG = "lakepipe.retrain"
DRIFT_TAG = "lakepipe.retrain.drift"
ACCURACY_TAG = "lakepipe.retrain.accuracy"
# How many accuracy verdicts of a view are looked through for the newest day before ds.
ACCURACY_VERDICTS_SEARCHED = 200


@dataclass(frozen=True)
class TrainingSettings:
    trigger: str
    drift_experiment: str
    model_name: str = ""
    champion_alias: str = "champion"


@dataclass(frozen=True)
class DriftVerdict:
    """check-features' verdict on one day: whether it calls for a retraining, and the drift behind it."""

    retrain: bool
    drift: dict[str, float] = field(default_factory=dict)
    run_url: str = ""


@dataclass(frozen=True)
class AccuracyVerdict:
    """monitor-predictions' verdict on one day: whether the champion's realised ROC AUC fell too far.

    ``accuracy`` maps "<source> v<version>" to its ``roc_auc``, ``reference_roc_auc`` and ``drop``.
    """

    ds: str
    retrain: bool
    accuracy: dict[str, dict[str, float | None]] = field(default_factory=dict)
    run_url: str = ""

    def describe(self) -> str:
        parts = []
        for name, numbers in self.accuracy.items():
            if numbers.get("reference_roc_auc") is None:
                parts.append(f"{name} ROC AUC {numbers.get('roc_auc'):.4f} (no test ROC AUC to compare with)")
            else:
                drop = numbers["drop"]
                parts.append(
                    f"{name} ROC AUC {numbers['roc_auc']:.4f}, {abs(drop):.4f} {'below' if drop >= 0 else 'above'}"
                    f" its test ROC AUC {numbers['reference_roc_auc']:.4f}"
                )
        return f"{self.ds}: " + "; ".join(parts) + f"; accuracy verdict: {self.run_url}"


def training_settings(config_file: str | Path) -> TrainingSettings:
    """``lakepipe.training`` of the config file over the jobs' defaults, checked."""
    config = pipeline_config.load(config_file)
    settings = TrainingSettings(
        str(config["training.trigger"]),
        str(config["training.drift-experiment"]),
        str(config["mlflow.model-name"]),
        str(config["mlflow.champion-alias"]),
    )
    if settings.trigger not in (EVERY_DAY, ON_DRIFT):
        raise ValueError(
            f"{TRIGGER_KEY} = {settings.trigger!r} in {config_file} is not {EVERY_DAY!r} or {ON_DRIFT!r};"
            " set one of them."
        )
    return settings


def _verdict_filter(kind: str, view: str) -> str:
    return (
        f"tags.`{VERDICT_TAG}` = '{kind}' and tags.`{VIEW_TAG}` = '{mlflow_api.quoted(view)}'"
        " and attributes.status = 'FINISHED'"
    )


def _run_url(base: str, experiment_id: str, run: Mapping[str, Any]) -> str:
    return f"{base}/#/experiments/{experiment_id}/runs/{run['info']['run_id']}"


def latest_drift_verdict(
    ds: str, view: str, experiment: str, *, tracking_uri: str | None = None
) -> DriftVerdict | None:
    """The newest finished drift verdict of ``view`` for ``ds`` in MLflow, or None when there is none."""
    base = (tracking_uri or mlflow_api.tracking_uri()).rstrip("/")
    search_filter = _verdict_filter(DRIFT_VERDICT, view) + f" and tags.`{DS_TAG}` = '{mlflow_api.quoted(ds)}'"
    # None when check-features has never logged a verdict, or none for the day.
    found = mlflow_api.newest_run(base, experiment, search_filter)
    if found is None:
        return None
    experiment_id, run = found
    tags = mlflow_api.tags(run.get("data", {}))
    return DriftVerdict(
        retrain=tags.get(RETRAIN_TAG) == "true",
        drift={name: float(psi) for name, psi in json.loads(tags.get(DRIFT_TAG) or "{}").items()},
        run_url=_run_url(base, experiment_id, run),
    )


def latest_accuracy_verdict(
    before: str, view: str, experiment: str, *, tracking_uri: str | None = None
) -> AccuracyVerdict | None:
    """The accuracy verdict of the newest day before ``before`` that has one (its newest finished run)."""
    base = (tracking_uri or mlflow_api.tracking_uri()).rstrip("/")
    found = mlflow_api.newest_runs(
        base, experiment, _verdict_filter(ACCURACY_VERDICT, view), ACCURACY_VERDICTS_SEARCHED
    )
    if found is None:
        return None
    experiment_id, runs = found
    # MLflow compares tags for equality only: the day is chosen here. Newest first, so the first run
    # of the latest day is that day's newest verdict (a rerun of monitor-predictions replaces it).
    earlier = [run for run in runs if mlflow_api.tags(run.get("data", {})).get(DS_TAG, "") < before]
    if not earlier:
        return None
    run = max(earlier, key=lambda r: (mlflow_api.tags(r["data"])[DS_TAG], r["info"].get("start_time", 0)))
    tags = mlflow_api.tags(run["data"])
    return AccuracyVerdict(
        ds=tags[DS_TAG],
        retrain=tags.get(RETRAIN_TAG) == "true",
        accuracy=json.loads(tags.get(ACCURACY_TAG) or "{}"),
        run_url=_run_url(base, experiment_id, run),
    )


@dataclass(frozen=True)
class Decision:
    """What a day's features event says (its extra) and why, for the task log."""

    event: dict[str, Any]
    reason: str


def decide(ds: str, trigger: str, verdict: DriftVerdict | None) -> Decision:
    """The features event of ``ds`` under ``trigger``, given check-features' drift verdict (on-drift only).

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
            {DS_KEY: ds, RETRAIN_KEY: False},
            f"no feature drifted beyond lakepipe.quality.features.retrain-psi on {ds}: the day is scored by the"
            f" champion, trained again only if its realised accuracy fell; drift verdict: {verdict.run_url}",
        )
    drifted = ", ".join(f"{name} (PSI {psi:.4f})" for name, psi in verdict.drift.items())
    return Decision(
        {DS_KEY: ds, RETRAIN_KEY: True, DRIFT_KEY: verdict.drift, DRIFT_RUN_KEY: verdict.run_url},
        f"drifted beyond lakepipe.quality.features.retrain-psi on {ds}: {drifted}; drift verdict: {verdict.run_url}",
    )


def decide_day(ds: str, view: str, config_file: str) -> Decision:
    """The features event of ``ds`` for ``view`` under the config file's trigger."""
    return _decide_day(ds, view, training_settings(config_file))


def decide_range(days: Sequence[str], view: str, config_file: str) -> Decision:
    """The one features event of a range backfill: its last day, retrain when any day of it drifted."""
    # The config is read once for the range, not once a day.
    settings = training_settings(config_file)
    return combine([_decide_day(day, view, settings) for day in days])


def _decide_day(ds: str, view: str, settings: TrainingSettings) -> Decision:
    verdict = latest_drift_verdict(ds, view, settings.drift_experiment) if settings.trigger == ON_DRIFT else None
    return decide(ds, settings.trigger, verdict)


def combine(decisions: Sequence[Decision]) -> Decision:
    """One event for consecutive days' decisions: the last day's, or, when some drifted, a retrain event.

    A range backfill publishes one event (the training DAG trains for the latest day it is given, so one
    event for the last day is what a run per day would end in too). Drift on any day of the range must
    still trigger the training: the event then lists the drifted days and, per feature, the largest PSI.
    """
    last = decisions[-1]
    drifted = [d for d in decisions if d.event.get(RETRAIN_KEY)]
    if not drifted or drifted == [last]:
        return last
    psi: dict[str, float] = {}
    for decision in drifted:
        for name, value in decision.event.get(DRIFT_KEY, {}).items():
            psi[name] = max(value, psi.get(name, value))
    drift_days = [d.event[DS_KEY] for d in drifted]
    return Decision(
        {
            DS_KEY: last.event[DS_KEY],
            RETRAIN_KEY: True,
            DRIFT_KEY: psi,
            DRIFT_DAYS_KEY: drift_days,
            DRIFT_RUN_KEY: drifted[-1].event.get(DRIFT_RUN_KEY),
        },
        f"drifted beyond lakepipe.quality.features.retrain-psi on {', '.join(drift_days)} of the range: "
        + "; ".join(d.reason for d in drifted),
    )


@dataclass(frozen=True)
class TrainingDecision:
    """Whether a training run trains (else it only scores ds with the champion), and why."""

    train: bool
    reason: str


def decide_training(
    ds: str,
    trigger: str,
    extras: Iterable[Mapping[str, Any]],
    *,
    manual: bool,
    has_champion: bool,
    accuracy: AccuracyVerdict | None,
) -> TrainingDecision:
    """Whether the training run for ``ds`` trains, from the extras of the events that triggered it."""
    if trigger == EVERY_DAY:
        return TrainingDecision(True, f"{TRIGGER_KEY} is {EVERY_DAY}")
    if manual:
        return TrainingDecision(True, "a run started by hand with its day in the conf always trains")
    drifted = [extra for extra in extras if extra.get(RETRAIN_KEY)]
    if drifted:
        days = ", ".join(
            f"{'/'.join(extra.get(DRIFT_DAYS_KEY) or [extra[DS_KEY]])}"
            f" ({', '.join(f'{n} PSI {p:.4f}' for n, p in extra.get(DRIFT_KEY, {}).items())})"
            for extra in drifted
        )
        return TrainingDecision(True, f"features drifted beyond lakepipe.quality.features.retrain-psi on {days}")
    if not has_champion:
        return TrainingDecision(True, "there is no champion yet to score the day with")
    if accuracy is not None and accuracy.retrain:
        return TrainingDecision(
            True,
            "the champion's realised ROC AUC fell more than lakepipe.quality.predictions.retrain-roc-auc-drop"
            f" below its test ROC AUC on {accuracy.describe()}",
        )
    held = f"; on {accuracy.describe()}" if accuracy is not None else "; no day has been monitored yet"
    return TrainingDecision(
        False,
        f"{TRIGGER_KEY} is {ON_DRIFT}: no feature drifted up to {ds} and the champion's realised accuracy held" + held,
    )


def has_champion(base: str, model_name: str, alias: str) -> bool:
    """Whether the registered model has a version under ``alias``."""
    try:
        mlflow_api.call(mlflow_api.url(base, "registered-models/alias", {"name": model_name, "alias": alias}))
        return True
    except urllib.error.HTTPError as error:
        if error.code in (400, 404):  # no such model (404), or no such alias (400 INVALID_PARAMETER_VALUE)
            return False
        raise


def decide_training_run(
    ds: str, view: str, config_file: str, extras: Iterable[Mapping[str, Any]], *, manual: bool
) -> TrainingDecision:
    """Whether the training run for ``ds`` of ``view``'s model trains, under the config file's trigger."""
    settings = training_settings(config_file)
    if settings.trigger == EVERY_DAY:
        return decide_training(ds, EVERY_DAY, extras, manual=manual, has_champion=True, accuracy=None)
    base = mlflow_api.tracking_uri().rstrip("/")
    return decide_training(
        ds,
        settings.trigger,
        list(extras),
        manual=manual,
        has_champion=has_champion(base, settings.model_name, settings.champion_alias),
        accuracy=latest_accuracy_verdict(ds, view, settings.drift_experiment, tracking_uri=base),
    )
