"""What happens when a lakepipe task fails: a log entry with links, and an optional webhook post.

``on_task_failure`` is every lakepipe task's ``on_failure_callback`` (see ``steps.task_defaults``).
It logs the DAG, task, run, day, try and error, with links to the task's Airflow log, the Spark
application and the MLflow runs of that day, and posts the same as JSON to a webhook when one is
configured. The body has a ``text`` field, which Slack and Mattermost incoming webhooks and
Microsoft Teams workflows show as the message, and the same facts as separate fields.

Settings (Airflow Variable first, read when a task fails; then the environment):

=====================  ================================  =========================================
setting                Airflow Variable                  environment, then default
=====================  ================================  =========================================
webhook URL            ``lakepipe_alert_webhook``        ``LAKEPIPE_ALERT_WEBHOOK``, else no post
Spark History Server   ``lakepipe_spark_history_url``    ``LAKEPIPE_SPARK_HISTORY_URL``, else
                                                         ``http://127.0.0.1:18080``
MLflow tracking URI    (none)                            ``MLFLOW_TRACKING_URI``, else
                                                         ``http://127.0.0.1:5000``
=====================  ================================  =========================================

A callback must never hide the failure it reports: a webhook that cannot be reached, or a link that
cannot be built, is logged as a warning and the callback returns.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.parse
import urllib.request
from typing import Any

from lakepipe_dags import mlflow_api

WEBHOOK_VARIABLE = "lakepipe_alert_webhook"
WEBHOOK_ENV = "LAKEPIPE_ALERT_WEBHOOK"
SPARK_HISTORY_VARIABLE = "lakepipe_spark_history_url"
SPARK_HISTORY_ENV = "LAKEPIPE_SPARK_HISTORY_URL"
DEFAULT_SPARK_HISTORY_URL = "http://127.0.0.1:18080"
MLFLOW_EXPERIMENT = "lakepipe-flights"
WEBHOOK_TIMEOUT_SECONDS = 10

log = logging.getLogger(__name__)


def on_task_failure(context: dict[str, Any]) -> None:
    """Log the failed task with its links, and post them to the configured webhook."""
    alert = failure_alert(context)
    log.error("%s", alert["text"])
    webhook = _setting(WEBHOOK_VARIABLE, WEBHOOK_ENV, "")
    if webhook:
        post_alert(webhook, alert)


def failure_alert(context: dict[str, Any]) -> dict[str, Any]:
    """The facts of a failed task: who, when, what went wrong, and where to look."""
    ti = context["ti"]
    task = context.get("task")
    ds = _training_day(context) or context.get("ds") or _backfill_range(context) or ""
    links = {
        "airflow_log": _safely(lambda: ti.log_url),
        "spark": _safely(lambda: spark_link(task)),
        # A range's runs carry the tag of each of its days, not of the range.
        "mlflow": _safely(lambda: mlflow_link("" if ".." in ds else ds)),
    }
    facts = {
        "dag_id": ti.dag_id,
        "task_id": ti.task_id,
        "run_id": ti.run_id,
        "ds": ds,
        "try_number": ti.try_number,
        "max_tries": getattr(ti, "max_tries", None),
        "error": _error(context.get("exception")),
        "spark_application": getattr(task, "name", None),
        "links": {name: url for name, url in links.items() if url},
    }
    lines = [
        f"lakepipe: task {facts['task_id']} of {facts['dag_id']} failed for ds {ds or '-'} "
        f"(run {facts['run_id']}, try {facts['try_number']})",
        f"error: {facts['error']}",
    ]
    if facts["spark_application"]:
        lines.append(f"Spark application: {facts['spark_application']}")
    lines += [f"{name}: {url}" for name, url in facts["links"].items()]
    return {"text": "\n".join(lines), **facts}


def post_alert(url: str, alert: dict[str, Any]) -> bool:
    """POST the alert as JSON; True if the webhook answered 2xx. Never raises."""
    request = urllib.request.Request(
        url,
        data=json.dumps(alert, default=str).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            log.info("Posted the failure alert to the webhook (HTTP %s)", response.status)
            return True
    except Exception as error:  # noqa: BLE001 - the task's failure, not the webhook's, is the news
        log.warning("Could not post the failure alert to the webhook %s: %s", _redacted(url), error)
        return False


def spark_link(task: Any) -> str:
    """The Spark application's page: its YARN application or driver pod when known, else the History Server."""
    history = _setting(SPARK_HISTORY_VARIABLE, SPARK_HISTORY_ENV, DEFAULT_SPARK_HISTORY_URL).rstrip("/")
    hook = getattr(task, "_hook", None)
    application_id = getattr(hook, "_yarn_application_id", None)
    if application_id:
        return f"{history}/history/{application_id}/"
    return f"{history}/"


def mlflow_link(ds: str) -> str:
    """The MLflow runs of the lakepipe experiment for ds (the experiment list if it cannot be looked up)."""
    base = mlflow_api.tracking_uri()
    try:
        experiment_id = mlflow_api.experiment_id(base, MLFLOW_EXPERIMENT, timeout=3)
    except Exception:  # noqa: BLE001 - a link to the experiment list still helps
        return f"{base}/#/experiments"
    search = urllib.parse.quote(f"tags.`lakepipe.ds` = '{ds}'") if ds else ""
    return f"{base}/#/experiments/{experiment_id}/runs" + (f"?searchFilter={search}" if search else "")


def _training_day(context: dict[str, Any]) -> str | None:
    """The training DAG's day, which its runs carry in XCom (asset-triggered runs have no ds)."""
    ti = context["ti"]
    if "resolve_ds" not in getattr(context.get("dag"), "task_ids", ()):
        return None
    return _safely(lambda: ti.xcom_pull(task_ids="resolve_ds"))


def _backfill_range(context: dict[str, Any]) -> str | None:
    """``<start>..<end>`` of a range backfill's run (lakepipe_backfill's form), which has no logical date."""
    params = context.get("params") or {}
    start, end = params.get("start"), params.get("end")
    return f"{start}..{end}" if start and end else None


def _error(exception: BaseException | str | None) -> str:
    if exception is None:
        return "unknown (see the task log)"
    text = str(exception) if isinstance(exception, str) else f"{type(exception).__name__}: {exception}"
    # The Spark provider's message carries the whole spark-submit command line; its first line says enough.
    return text.splitlines()[0][:500] if text else type(exception).__name__


def _setting(variable: str, env: str, default: str) -> str:
    try:
        from airflow.sdk import Variable

        value = Variable.get(variable, default=None)
    except Exception:  # noqa: BLE001 - no metadata DB or API server here: fall back to the environment
        value = None
    return value or os.environ.get(env) or default


def _redacted(url: str) -> str:
    """The URL without its path and query, which often hold the webhook's secret token."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/..."


def _safely(build: Any) -> Any:
    try:
        return build()
    except Exception as error:  # noqa: BLE001 - a missing link must not stop the alert
        log.warning("Could not build a link for the failure alert: %s", error)
        return None
