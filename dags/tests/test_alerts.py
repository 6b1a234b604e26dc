"""lakepipe_dags.alerts: a failed task's alert, its links, and the webhook post over real HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from lakepipe_dags.alerts import failure_alert, on_task_failure, post_alert


class _Recorder(BaseHTTPRequestHandler):
    """A webhook and an MLflow experiment lookup, on loopback."""

    posts: list[dict] = []
    status = 200

    def do_POST(self) -> None:  # http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Recorder.posts.append({"path": self.path, "type": self.headers["Content-Type"], "json": json.loads(body)})
        self.send_response(_Recorder.status)
        self.end_headers()

    def do_GET(self) -> None:
        if self.path.startswith("/api/2.0/mlflow/experiments/get-by-name?experiment_name=lakepipe-flights"):
            payload = json.dumps({"experiment": {"experiment_id": "7"}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(payload)
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Recorder.posts = []
    _Recorder.status = 200
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _context(dag_id: str = "lakepipe_daily", task_ids: tuple[str, ...] = ("ingest_flights",)) -> dict:
    ti = SimpleNamespace(
        dag_id=dag_id,
        task_id="ingest_flights",
        run_id="scheduled__2001-01-15T00:00:00+00:00",
        try_number=3,
        max_tries=2,
        log_url="http://127.0.0.1:8080/dags/lakepipe_daily/runs/scheduled__2001-01-15/tasks/ingest_flights?try_number=3",
        xcom_pull=lambda task_ids: "2001-02-01",
    )
    error = RuntimeError("Cannot execute: spark-submit --master local[2] ... Error code is: 1.\n<the whole command>")
    return {
        "ti": ti,
        "task": SimpleNamespace(name="lakepipe-ingest-2001-01-15", _hook=SimpleNamespace(_yarn_application_id=None)),
        "dag": SimpleNamespace(task_ids=list(task_ids)),
        "ds": "2001-01-15",
        "exception": error,
    }


def test_alert_names_the_task_day_try_and_error_with_links(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server)
    monkeypatch.setenv("LAKEPIPE_SPARK_HISTORY_URL", "http://history:18080/")

    alert = failure_alert(_context())

    assert alert["dag_id"] == "lakepipe_daily"
    assert alert["task_id"] == "ingest_flights"
    assert alert["ds"] == "2001-01-15"
    assert alert["try_number"] == 3
    assert alert["error"] == "RuntimeError: Cannot execute: spark-submit --master local[2] ... Error code is: 1."
    assert alert["spark_application"] == "lakepipe-ingest-2001-01-15"
    assert alert["links"] == {
        "airflow_log": _context()["ti"].log_url,
        "spark": "http://history:18080/",
        "mlflow": f"{server}/#/experiments/7/runs?searchFilter=tags.%60lakepipe.ds%60%20%3D%20%272001-01-15%27",
    }
    assert alert["text"].splitlines()[0] == (
        "lakepipe: task ingest_flights of lakepipe_daily failed for ds 2001-01-15 "
        "(run scheduled__2001-01-15T00:00:00+00:00, try 3)"
    )
    assert f"mlflow: {alert['links']['mlflow']}" in alert["text"]


def test_a_yarn_application_links_to_its_own_history_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEPIPE_SPARK_HISTORY_URL", "http://history:18080")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")  # nothing listens: the link degrades
    context = _context()
    context["task"]._hook._yarn_application_id = "application_1700000000000_0042"

    links = failure_alert(context)["links"]

    assert links["spark"] == "http://history:18080/history/application_1700000000000_0042/"
    assert links["mlflow"] == "http://127.0.0.1:9/#/experiments"


def test_the_training_dags_day_comes_from_its_resolve_ds_task(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")

    alert = failure_alert(_context("lakepipe_training", ("resolve_ds", "train_model")))

    assert alert["ds"] == "2001-02-01"


def test_a_range_backfill_without_a_logical_date_names_its_range(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server)
    context = _context("lakepipe_backfill", ("check_range", "build_features"))
    del context["ds"]
    context["params"] = {"start": "2001-01-01", "end": "2001-03-01"}

    alert = failure_alert(context)

    assert alert["ds"] == "2001-01-01..2001-03-01"
    assert "failed for ds 2001-01-01..2001-03-01 " in alert["text"]
    # Runs are tagged with single days: the link is the experiment's runs, not a search for the range.
    assert alert["links"]["mlflow"] == f"{server}/#/experiments/7/runs"


def test_failure_posts_the_alert_to_the_configured_webhook(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_VAR_LAKEPIPE_ALERT_WEBHOOK", f"{server}/hooks/T000/secret")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server)

    on_task_failure(_context())

    assert len(_Recorder.posts) == 1
    post = _Recorder.posts[0]
    assert (post["path"], post["type"]) == ("/hooks/T000/secret", "application/json")
    assert post["json"]["text"].startswith("lakepipe: task ingest_flights of lakepipe_daily failed for ds 2001-01-15")
    assert post["json"]["links"]["airflow_log"].endswith("tasks/ingest_flights?try_number=3")


def test_the_environment_configures_the_webhook_when_no_variable_does(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAKEPIPE_ALERT_WEBHOOK", f"{server}/from-env")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server)

    on_task_failure(_context())

    assert [post["path"] for post in _Recorder.posts] == ["/from-env"]


def test_no_webhook_configured_posts_nothing(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server)

    on_task_failure(_context())

    assert _Recorder.posts == []


def test_a_webhook_that_fails_never_raises_and_hides_its_token(server: str, caplog: pytest.LogCaptureFixture) -> None:
    _Recorder.status = 500

    assert post_alert(f"{server}/hooks/T000/secret-token", {"text": "x"}) is False
    assert post_alert("http://127.0.0.1:9/hooks/secret-token", {"text": "x"}) is False
    assert "Could not post the failure alert" in caplog.text
    assert "secret-token" not in caplog.text
