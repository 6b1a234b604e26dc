"""Whether a day triggers a training: the trigger setting, the drift verdict in MLflow, the decision,
and the daily DAG's publish_features task under on-drift against the real tracking server."""

from __future__ import annotations

import json
import os
import time
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from airflow.sdk.exceptions import AirflowSkipException

from dag_loading import REPO_ROOT, load_dag_bag
from lakepipe_dags import retraining
from lakepipe_dags.assets import FEATURES_FLIGHTS
from lakepipe_dags.retraining import DriftVerdict

MLFLOW = (os.environ.get("MLFLOW_TRACKING_URI") or "http://127.0.0.1:5000").rstrip("/")
LOCAL_CONFIG = REPO_ROOT / "config" / "local.conf"
DS = "2001-01-15"
RUN_URL = "http://127.0.0.1:5000/#/experiments/3/runs/abc"


# The decision, pure.


def test_every_day_triggers_a_training_for_the_day_whatever_drifted() -> None:
    decision = retraining.decide(DS, retraining.EVERY_DAY, None)

    assert decision.event == {"ds": DS}


def test_on_drift_a_day_with_drift_triggers_a_training_naming_the_features_and_their_psi() -> None:
    verdict = DriftVerdict(retrain=True, drift={"distance": 0.1835, "hour": 0.12}, run_url=RUN_URL)

    decision = retraining.decide(DS, retraining.ON_DRIFT, verdict)

    assert decision.event == {"ds": DS, "drift": {"distance": 0.1835, "hour": 0.12}, "drift_run": RUN_URL}
    assert "distance (PSI 0.1835), hour (PSI 0.1200)" in decision.reason


def test_on_drift_a_day_without_drift_triggers_none_and_says_why() -> None:
    decision = retraining.decide(DS, retraining.ON_DRIFT, DriftVerdict(retrain=False, run_url=RUN_URL))

    assert decision.event is None
    assert "no feature drifted beyond lakepipe.quality.features.retrain-psi" in decision.reason
    assert RUN_URL in decision.reason


def test_on_drift_a_day_without_a_verdict_is_an_error_rather_than_a_guess() -> None:
    with pytest.raises(ValueError, match="logged no drift verdict for 2001-01-15"):
        retraining.decide(DS, retraining.ON_DRIFT, None)


# The settings, from the config file the jobs get.


def _config(tmp_path: Path, body: str) -> Path:
    file = tmp_path / "test.conf"
    file.write_text(f'include file("{LOCAL_CONFIG}")\n{body}\n')
    return file


def test_the_local_config_trains_every_day() -> None:
    settings = retraining.training_settings(LOCAL_CONFIG)

    assert settings == retraining.TrainingSettings("every-day", "lakepipe-feature-drift")


def test_a_config_file_sets_the_trigger_and_the_experiment(tmp_path: Path) -> None:
    config = _config(tmp_path, 'lakepipe.training { trigger = on-drift, drift-experiment = "drift-x" }')

    assert retraining.training_settings(config) == retraining.TrainingSettings("on-drift", "drift-x")


def test_an_unknown_trigger_is_refused_naming_the_key_and_the_modes(tmp_path: Path) -> None:
    config = _config(tmp_path, "lakepipe.training.trigger = weekly")

    with pytest.raises(ValueError, match="lakepipe.training.trigger = 'weekly' .* not 'every-day' or 'on-drift'"):
        retraining.training_settings(config)


def test_a_missing_config_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="nowhere.conf"):
        retraining.training_settings(tmp_path / "nowhere.conf")


# The verdict, on the real tracking server: what check-features logs (TrainingTrigger.java's tags).


def _mlflow(path: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{MLFLOW}/api/2.0/mlflow/{path}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


@pytest.fixture
def experiment() -> Iterator[str]:
    try:
        urllib.request.urlopen(f"{MLFLOW}/health", timeout=3).close()
    except OSError as error:
        pytest.skip(f"the MLflow server {MLFLOW} is not running ({error}): ./lakepipe services start")
    name = f"lakepipe-drift-dag-test-{uuid.uuid4().hex}"
    yield name
    try:
        experiment_id = _mlflow("experiments/get-by-name?experiment_name=" + name, {})
    except OSError:
        return
    _mlflow("experiments/delete", {"experiment_id": experiment_id["experiment"]["experiment_id"]})


def _verdict_run(
    experiment: str, ds: str, drift: dict[str, float], *, view: str = "flights", finished: bool = True
) -> str:
    try:
        experiment_id = retraining.mlflow_api.experiment_id(MLFLOW, experiment)
    except OSError:
        experiment_id = _mlflow("experiments/create", {"name": experiment})["experiment_id"]
    tags = {
        "lakepipe.ds": ds,
        "lakepipe.view": view,
        "lakepipe.retrain": "true" if drift else "false",
        "lakepipe.retrain.drift": json.dumps(drift),
    }
    run = _mlflow(
        "runs/create",
        {
            "experiment_id": experiment_id,
            "start_time": int(time.time() * 1000),
            "tags": [{"key": k, "value": v} for k, v in tags.items()],
        },
    )["run"]["info"]["run_id"]
    if finished:
        _mlflow("runs/update", {"run_id": run, "status": "FINISHED", "end_time": int(time.time() * 1000)})
    time.sleep(0.01)  # start times apart, so that "newest" is well defined
    return run


def test_reads_the_newest_finished_verdict_of_the_view_and_day(experiment: str) -> None:
    assert retraining.latest_drift_verdict(DS, "flights", experiment, tracking_uri=MLFLOW) is None

    _verdict_run(experiment, DS, {})
    rerun = _verdict_run(experiment, DS, {"distance": 0.1835})
    _verdict_run(experiment, DS, {}, finished=False)  # a check still running (or crashed) says nothing yet
    _verdict_run(experiment, DS, {}, view="birdstrikes")
    _verdict_run(experiment, "2001-01-16", {})

    verdict = retraining.latest_drift_verdict(DS, "flights", experiment, tracking_uri=MLFLOW)

    assert verdict is not None
    assert verdict.retrain is True
    assert verdict.drift == {"distance": 0.1835}
    assert verdict.run_url.endswith(f"/runs/{rerun}")
    assert retraining.latest_drift_verdict("2001-02-01", "flights", experiment, tracking_uri=MLFLOW) is None


def test_publish_features_on_drift_emits_the_event_for_a_drifted_day_only(
    experiment: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", MLFLOW)
    config = str(_config(tmp_path, f'lakepipe.training {{ trigger = on-drift, drift-experiment = "{experiment}" }}'))
    task = load_dag_bag().dags["lakepipe_daily"].task_dict["publish_features"]
    _verdict_run(experiment, "2001-01-15", {"distance": 0.1835})
    _verdict_run(experiment, "2001-01-16", {})

    drifted: defaultdict = defaultdict(lambda: SimpleNamespace(extra={}))
    task.python_callable(config, ds="2001-01-15", outlet_events=drifted)
    calm: defaultdict = defaultdict(lambda: SimpleNamespace(extra={}))
    with pytest.raises(AirflowSkipException, match="No training for 2001-01-16"):
        task.python_callable(config, ds="2001-01-16", outlet_events=calm)
    with pytest.raises(ValueError, match="no drift verdict for 2001-01-17"):
        task.python_callable(config, ds="2001-01-17", outlet_events=calm)

    assert drifted[FEATURES_FLIGHTS].extra["ds"] == "2001-01-15"
    assert drifted[FEATURES_FLIGHTS].extra["drift"] == {"distance": 0.1835}
    assert calm[FEATURES_FLIGHTS].extra == {}
