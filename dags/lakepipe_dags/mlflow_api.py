"""The few MLflow REST calls the DAGs make (alert links, the daily report's link), over plain HTTP.

The tracking server is ``MLFLOW_TRACKING_URI``, else the local one of ``config/services.env``; calls
sign in as MLflow's own clients do, with ``MLFLOW_TRACKING_TOKEN``, or ``MLFLOW_TRACKING_USERNAME`` and
``MLFLOW_TRACKING_PASSWORD``.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

DEFAULT_MLFLOW_URI = "http://127.0.0.1:5000"


def tracking_uri() -> str:
    """The tracking server's base address, without a trailing slash."""
    return (os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_MLFLOW_URI).rstrip("/")


def experiment_id(base: str, name: str, timeout: float = 10) -> str:
    """The id of the experiment ``name``; raises ``urllib.error.HTTPError`` (404) when there is none."""
    query = urllib.parse.urlencode({"experiment_name": name})
    return call(f"{base}/api/2.0/mlflow/experiments/get-by-name?{query}", timeout=timeout)["experiment"][
        "experiment_id"
    ]


def auth_headers(environ: Any = os.environ) -> dict[str, str]:
    """The Authorization header MLflow's clients would send, from their environment variables."""
    token = environ.get("MLFLOW_TRACKING_TOKEN")
    if token:
        return {"Authorization": f"Bearer {token}"}
    user = environ.get("MLFLOW_TRACKING_USERNAME")
    if user:
        pair = f"{user}:{environ.get('MLFLOW_TRACKING_PASSWORD', '')}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
    return {}


def call(
    url: str, body: dict[str, Any] | None = None, timeout: float = 10, method: str | None = None
) -> dict[str, Any]:
    """GET ``url``, or POST ``body`` as JSON to it (``method`` DELETE for the deletes); the JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", **auth_headers()}
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)


def url(base: str, method: str, query: Mapping[str, str] | None = None) -> str:
    """The address of a REST method, ``registered-models/alias`` say, with its query string."""
    return f"{base}/api/2.0/mlflow/{method}" + (f"?{urllib.parse.urlencode(query)}" if query else "")


def tags(entity: Mapping[str, Any]) -> dict[str, str]:
    """The tags of a run's data or a model version as a dict (the REST API gives a list of key and value)."""
    found = entity.get("tags") or []
    if isinstance(found, Mapping):
        return dict(found)
    return {tag["key"]: tag.get("value", "") for tag in found}


def quoted(value: str) -> str:
    """``value`` as it goes between single quotes in a search filter."""
    return value.replace("\\", "\\\\").replace("'", "\\'")


def newest_runs(
    base: str, experiment: str, search_filter: str, max_results: int
) -> tuple[str, list[dict[str, Any]]] | None:
    """The experiment's id and its newest runs that match ``search_filter``, newest first; None when
    the experiment is missing."""
    try:
        found = experiment_id(base, experiment)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise
    body = {
        "experiment_ids": [found],
        "filter": search_filter,
        "order_by": ["attributes.start_time DESC"],
        "max_results": max_results,
    }
    return found, call(url(base, "runs/search"), body).get("runs", [])


def newest_run(base: str, experiment: str, search_filter: str) -> tuple[str, dict[str, Any]] | None:
    """The experiment's id and its newest run that matches ``search_filter``; None when either is missing."""
    found = newest_runs(base, experiment, search_filter, 1)
    return (found[0], found[1][0]) if found and found[1] else None
