"""The few MLflow REST calls the DAGs make (alert links, the daily report's link), over plain HTTP.

The tracking server is ``MLFLOW_TRACKING_URI``, else the local one of ``config/services.env``; calls
sign in as MLflow's own clients do, with ``MLFLOW_TRACKING_TOKEN``, or ``MLFLOW_TRACKING_USERNAME`` and
``MLFLOW_TRACKING_PASSWORD``.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.parse
import urllib.request
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


def call(url: str, body: dict[str, Any] | None = None, timeout: float = 10) -> dict[str, Any]:
    """GET ``url``, or POST ``body`` as JSON to it, and return the JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", **auth_headers()}
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)
