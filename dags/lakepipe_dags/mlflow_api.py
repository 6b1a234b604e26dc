"""The few MLflow REST calls the DAGs make (alert links, the daily report's link), over plain HTTP.

The tracking server is ``MLFLOW_TRACKING_URI``, else the local one of ``config/services.env``.
"""

from __future__ import annotations

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
    return call(f"{base}/api/2.0/mlflow/experiments/get-by-name?{query}", timeout=timeout)["experiment"]["experiment_id"]


def call(url: str, body: dict[str, Any] | None = None, timeout: float = 10) -> dict[str, Any]:
    """GET ``url``, or POST ``body`` as JSON to it, and return the JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)
