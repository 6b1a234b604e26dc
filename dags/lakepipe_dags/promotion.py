"""Promotion of a validated model version from one environment to the next, for ``lakepipe_promote``.

An environment is a config profile (``config/dev.conf``, ``config/local.conf`` which is staging,
``config/prod.conf``): its registered model and champion alias, its scorer, and the environment its
versions are promoted to (``lakepipe.environment``). Only a version the serving check validated in its
own environment goes further (version tag ``lakepipe.promotion`` = ``promoted``, written by export-pmml,
see ``io.lakepipe.core.tracking.Promotion``), and only after a person approved it in the Airflow UI.

The copy is MLflow's own (``copy_model_version``): a new version of the target's registered model
whose source is ``models:/<model>/<version>``, so it keeps the run (and the run's PMML bundle, which
the target's scorer loads). It carries who approved it, when, their comment and the evidence they saw
as version tags, and a copy is found again by its ``lakepipe.promotion.copied_from`` tag, so a retried
task never copies twice.
"""

from __future__ import annotations

import json
import time
import urllib.error
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lakepipe_dags import mlflow_api, pipeline_config

# Version tags, as the jobs write and read them (io.lakepipe.core.tracking.Promotion).
PROMOTION_TAG = "lakepipe.promotion"
VALIDATED = "promoted"
SERVING_CHECK_TAG = "lakepipe.serving_check"
# Run tags of the training gate (io.lakepipe.train.registry.Registration).
GATE_EVIDENCE_TAG = "lakepipe.gate.evidence"
GATE_PER_DAY_TAG = "lakepipe.gate.per_day"
# Version tags this module writes: on the copy, and on the source version once copied.
COPIED_FROM_TAG = "lakepipe.promotion.copied_from"
APPROVED_BY_TAG = "lakepipe.approval.by"
APPROVED_AT_TAG = "lakepipe.approval.at"
APPROVAL_COMMENT_TAG = "lakepipe.approval.comment"
APPROVAL_EVIDENCE_TAG = "lakepipe.approval.evidence"
APPROVAL_RUN_TAG = "lakepipe.approval.airflow_run"
PROMOTED_TO_TAG_PREFIX = "lakepipe.promoted_to."
# Metrics of the training run shown to the approver, in this order, as train-model logs them
# (io.lakepipe.train.report.TrainingRunLog, Registration): the chosen model's on the test days, the
# route baseline's, and the gate's on its metric (the run's param gate_metric). The rest of the run's
# metrics (other candidates', row counts) are a click away, behind the MLflow link.
EVIDENCE_TEST_METRICS = (
    "test_roc_auc",
    "test_pr_auc",
    "test_log_loss",
    "test_calibration_error",
    "baseline_test_roc_auc",
)
EVIDENCE_GATE_METRICS = ("challenger", "champion", "baseline", "gain", "gain_low", "gain_high")
# MLflow caps a tag value at 5000 characters (8000 in newer servers): the evidence is kept below.
TAG_VALUE_LIMIT = 5000


class PromotionRefused(Exception):
    """A version that may not be promoted, or an environment that promotes nowhere; the message says why."""


@dataclass(frozen=True)
class Environment:
    """One environment's side of a promotion, from its config file."""

    name: str
    config_file: str
    model_name: str
    champion_alias: str
    scorer_url: str
    promote_to: str

    @staticmethod
    def from_config(config_file: str) -> Environment:
        config = pipeline_config.load(config_file)
        return Environment(
            name=str(config["environment.name"]),
            config_file=config_file,
            model_name=str(config["mlflow.model-name"]),
            champion_alias=str(config["mlflow.champion-alias"]),
            scorer_url=str(config["environment.scorer-url"]).rstrip("/"),
            promote_to=str(config["environment.promote-to"]),
        )

    def target(self) -> Environment:
        if not self.promote_to:
            raise PromotionRefused(
                f"Environment {self.name} ({self.config_file}) promotes nowhere: lakepipe.environment.promote-to"
                " is empty. Run lakepipe_promote with the config of the environment before prod (staging)."
            )
        return Environment.from_config(self.promote_to)


def source_version(base: str, env: Environment, version: str) -> dict[str, Any]:
    """The version to promote: ``version``, or the environment's champion when it is empty."""
    if version:
        query = {"name": env.model_name, "version": version}
        return mlflow_api.call(mlflow_api.url(base, "model-versions/get", query))["model_version"]
    try:
        query = {"name": env.model_name, "alias": env.champion_alias}
        return mlflow_api.call(mlflow_api.url(base, "registered-models/alias", query))["model_version"]
    except urllib.error.HTTPError as e:
        if e.code == 404:
            raise PromotionRefused(
                f"{env.model_name} has no {env.champion_alias} in {env.name}: nothing to promote yet"
            ) from None
        raise


def evidence(base: str, env: Environment, version: Mapping[str, Any]) -> dict[str, Any]:
    """What the approver decides on; refuses a version its own environment did not validate."""
    tags = mlflow_api.tags(version)
    where = f"version {version['version']} of {env.model_name} ({env.name})"
    if tags.get(PROMOTION_TAG) != VALIDATED:
        raise PromotionRefused(
            f"{where} was not validated in the real scorer: its tag {PROMOTION_TAG} is"
            f" {tags.get(PROMOTION_TAG, 'absent')!r}, not {VALIDATED!r}. Only a version the serving check"
            f" passed and the gate made champion is promoted (lakepipe.models.<model>.train.gate.serving-check)."
        )
    run = mlflow_api.call(mlflow_api.url(base, "runs/get", {"run_id": version["run_id"]}))["run"]
    metrics = {m["key"]: m["value"] for m in run["data"].get("metrics", [])}
    run_tags = mlflow_api.tags(run["data"])
    return {
        "environment": env.name,
        "model": env.model_name,
        "version": str(version["version"]),
        "run_id": version["run_id"],
        "aliases": list(version.get("aliases") or []),
        "metrics": {key: metrics[key] for key in _evidence_metric_names(run) if key in metrics},
        "gate": run_tags.get(GATE_EVIDENCE_TAG, "no paired comparison: the first champion"),
        "gate_per_day": run_tags.get(GATE_PER_DAY_TAG, ""),
        "serving_check": tags.get(SERVING_CHECK_TAG, ""),
        "trained_for": run_tags.get("lakepipe.ds", ""),
    }


def _evidence_metric_names(run: Mapping[str, Any]) -> list[str]:
    params = {p["key"]: p["value"] for p in run["data"].get("params", [])}
    gate_metric = params.get("gate_metric", "roc_auc")
    return [*EVIDENCE_TEST_METRICS, *(f"gate_{part}_{gate_metric}" for part in EVIDENCE_GATE_METRICS)]


def markdown(found: Mapping[str, Any], target: Environment, mlflow_ui: str) -> str:
    """The approval form's body: the evidence as the approver reads it in the Airflow UI."""
    metrics = "\n".join(f"| {key} | {value:.4f} |" for key, value in found["metrics"].items())
    link = f"{mlflow_ui}/#/models/{found['model']}/versions/{found['version']}"
    return (
        f"Copy version **{found['version']}** of `{found['model']}` ({found['environment']}, trained for"
        f" {found['trained_for'] or 'an unknown day'}) to `{target.model_name}` and make it"
        f" `{target.champion_alias}` in **{target.name}**.\n\n"
        f"- Serving check in the real scorer: {found['serving_check'] or 'not recorded'}\n"
        f"- Gate against the champion before it: {found['gate']}\n"
        f"- Per test day: {found['gate_per_day'] or 'not recorded'}\n"
        f"- MLflow: [{found['model']} v{found['version']}]({link})\n\n"
        f"| metric of the training run | value |\n| --- | --- |\n{metrics}\n"
    )


def approval(answer: Mapping[str, Any], found: Mapping[str, Any], airflow_run: str) -> dict[str, str]:
    """The version tags that record an approval: who, when, their comment, on what evidence."""
    user = answer.get("responded_by_user") or {}
    comment = str((answer.get("params_input") or {}).get("comment") or "")
    at = answer.get("responded_at")
    return {
        APPROVED_BY_TAG: str(user.get("name") or user.get("id") or "unknown"),
        APPROVED_AT_TAG: at.isoformat() if hasattr(at, "isoformat") else str(at),
        APPROVAL_COMMENT_TAG: comment,
        APPROVAL_EVIDENCE_TAG: _evidence_json(found),
        APPROVAL_RUN_TAG: airflow_run,
    }


def _evidence_json(found: Mapping[str, Any]) -> str:
    """The evidence as one JSON tag value; the per-day table gives way first when it is too long."""
    text = json.dumps(found, sort_keys=True)
    if len(text) > TAG_VALUE_LIMIT:
        text = json.dumps({**found, "gate_per_day": f"see the run's {GATE_PER_DAY_TAG} tag"}, sort_keys=True)
    return text


def copy_version(
    base: str, source: Environment, target: Environment, found: Mapping[str, Any], approved: Mapping[str, str]
) -> str:
    """Copies the approved version into the target's model, tags it, moves the target's champion to it."""
    copied_from = f"{source.model_name}/{found['version']}"
    existing = _copy_of(base, target.model_name, copied_from)
    if existing is None:
        try:
            mlflow_api.call(mlflow_api.url(base, "registered-models/create"), {"name": target.model_name})
        except urllib.error.HTTPError as e:
            if e.code != 400 or "RESOURCE_ALREADY_EXISTS" not in e.read().decode(errors="replace"):
                raise
        body = {
            "name": target.model_name,
            "source": f"models:/{source.model_name}/{found['version']}",
            "run_id": found["run_id"],
            "tags": [{"key": COPIED_FROM_TAG, "value": copied_from}],
        }
        existing = str(mlflow_api.call(mlflow_api.url(base, "model-versions/create"), body)["model_version"]["version"])
    for key, value in approved.items():
        _set_version_tag(base, target.model_name, existing, key, value)
    alias = {"name": target.model_name, "alias": target.champion_alias, "version": existing}
    mlflow_api.call(mlflow_api.url(base, "registered-models/alias"), alias)
    _set_version_tag(
        base,
        source.model_name,
        found["version"],
        PROMOTED_TO_TAG_PREFIX + target.name,
        f"{target.model_name}/{existing}",
    )
    return existing


def _copy_of(base: str, model_name: str, copied_from: str) -> str | None:
    query = {"filter": f"name='{model_name}'", "max_results": "1000"}
    for version in mlflow_api.call(mlflow_api.url(base, "model-versions/search", query)).get("model_versions", []):
        if mlflow_api.tags(version).get(COPIED_FROM_TAG) == copied_from:
            return str(version["version"])
    return None


def _set_version_tag(base: str, model_name: str, version: str, key: str, value: str) -> None:
    body = {"name": model_name, "version": version, "key": key, "value": value}
    mlflow_api.call(mlflow_api.url(base, "model-versions/set-tag"), body)


def wait_for_scorer(
    scorer_url: str,
    found: Mapping[str, Any],
    timeout_s: float,
    fetch: Callable[[str], Mapping[str, Any]] = lambda url: mlflow_api.call(url, timeout=5),
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Waits until the target's scorer serves the promoted bundle; says so when no scorer answers there.

    A copy keeps its run, so the scorer loads the bundle export-pmml made in the source environment,
    and its /health names that bundle's model and version.
    """
    want = f"{found['model']} v{found['version']}"
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            health = fetch(f"{scorer_url}/health")
        except OSError as e:
            return f"no scorer answers at {scorer_url} ({e}); it loads {want} when it starts"
        served = f"{health.get('model_name', '?')} v{health.get('model_version', '?')}"
        if served == want:
            return f"the scorer at {scorer_url} serves {served}"
        if time.monotonic() >= deadline:
            raise PromotionRefused(
                f"The scorer at {scorer_url} still serves {served} after {timeout_s:.0f} s, not {want}: is it"
                " following the target model's alias (./lakepipe serve with the target environment's config)?"
            )
        sleep(2)
