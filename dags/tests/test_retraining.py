"""Whether a training run trains: the trigger setting, the drift and accuracy verdicts in MLflow, the
decisions, and the DAG tasks that make them (publish_features, decide_training) under on-drift against
the real tracking server."""

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

from dag_loading import REPO_ROOT, load_dag_bag
from lakepipe_dags import retraining
from lakepipe_dags.assets import FEATURES_FLIGHTS
from lakepipe_dags.retraining import AccuracyVerdict, DriftVerdict

MLFLOW = (os.environ.get("MLFLOW_TRACKING_URI") or "http://127.0.0.1:5000").rstrip("/")
LOCAL_CONFIG = REPO_ROOT / "config" / "local.conf"
DS = "2001-01-15"
RUN_URL = "http://127.0.0.1:5000/#/experiments/3/runs/abc"


# The decision, pure.


def test_every_day_triggers_a_training_for_the_day_whatever_drifted() -> None:
    decision = retraining.decide(DS, retraining.EVERY_DAY, None)

    assert decision.event == {"ds": DS}


def test_on_drift_a_day_with_drift_asks_for_a_training_naming_the_features_and_their_psi() -> None:
    verdict = DriftVerdict(retrain=True, drift={"distance": 0.1835, "hour": 0.12}, run_url=RUN_URL)

    decision = retraining.decide(DS, retraining.ON_DRIFT, verdict)

    assert decision.event == {
        "ds": DS,
        "retrain": True,
        "drift": {"distance": 0.1835, "hour": 0.12},
        "drift_run": RUN_URL,
    }
    assert "distance (PSI 0.1835), hour (PSI 0.1200)" in decision.reason


def test_on_drift_a_day_without_drift_is_announced_without_asking_for_a_training_and_says_why() -> None:
    decision = retraining.decide(DS, retraining.ON_DRIFT, DriftVerdict(retrain=False, run_url=RUN_URL))

    assert decision.event == {"ds": DS, "retrain": False}
    assert "no feature drifted beyond lakepipe.quality.features.retrain-psi" in decision.reason
    assert RUN_URL in decision.reason


def test_on_drift_a_day_without_a_verdict_is_an_error_rather_than_a_guess() -> None:
    with pytest.raises(ValueError, match="logged no drift verdict for 2001-01-15"):
        retraining.decide(DS, retraining.ON_DRIFT, None)


# The training run's decision, pure.

CALM = {"ds": "2001-01-15", "retrain": False}
DRIFTED = {"ds": "2001-01-16", "retrain": True, "drift": {"distance": 0.1508}, "drift_run": RUN_URL}
FELL = AccuracyVerdict(
    "2001-01-14", True, {"batch v3": {"roc_auc": 0.6012, "reference_roc_auc": 0.6612, "drop": 0.06}}, RUN_URL
)
HELD = AccuracyVerdict(
    "2001-01-14", False, {"batch v3": {"roc_auc": 0.6512, "reference_roc_auc": 0.6612, "drop": 0.01}}, RUN_URL
)


def _decide(extras: list[dict], **kwargs: object) -> retraining.TrainingDecision:
    arguments = {"manual": False, "has_champion": True, "accuracy": HELD, **kwargs}
    return retraining.decide_training("2001-01-16", retraining.ON_DRIFT, extras, **arguments)


def test_every_day_always_trains() -> None:
    decision = retraining.decide_training(
        DS, retraining.EVERY_DAY, [CALM], manual=False, has_champion=True, accuracy=HELD
    )

    assert decision.train is True


def test_on_drift_calm_days_with_accuracy_held_only_score() -> None:
    decision = _decide([CALM, {**CALM, "ds": "2001-01-16"}])

    assert decision.train is False
    assert "no feature drifted up to 2001-01-16" in decision.reason
    assert "batch v3 ROC AUC 0.6512, 0.0100 below its test ROC AUC 0.6612" in decision.reason


def test_on_drift_a_drifted_day_among_the_triggering_ones_trains_naming_it() -> None:
    decision = _decide([CALM, DRIFTED])

    assert decision.train is True
    assert "2001-01-16 (distance PSI 0.1508)" in decision.reason


def test_on_drift_a_fall_of_the_realised_accuracy_trains_naming_the_day_and_the_numbers() -> None:
    decision = _decide([CALM], accuracy=FELL)

    assert decision.train is True
    assert "realised ROC AUC fell" in decision.reason
    assert "2001-01-14: batch v3 ROC AUC 0.6012, 0.0600 below its test ROC AUC 0.6612" in decision.reason


def test_on_drift_without_a_champion_trains() -> None:
    assert _decide([CALM], has_champion=False).train is True


def test_on_drift_without_any_monitored_day_only_scores_and_says_so() -> None:
    decision = _decide([CALM], accuracy=None)

    assert decision.train is False
    assert "no day has been monitored yet" in decision.reason


def test_a_realised_roc_auc_above_the_test_one_is_said_so() -> None:
    better = AccuracyVerdict(
        "2001-01-14", False, {"online v3": {"roc_auc": 0.7012, "reference_roc_auc": 0.6612, "drop": -0.04}}, RUN_URL
    )

    assert "online v3 ROC AUC 0.7012, 0.0400 above its test ROC AUC 0.6612" in _decide([CALM], accuracy=better).reason


def test_on_drift_a_run_started_by_hand_trains() -> None:
    assert _decide([], manual=True).train is True


# The settings, from the config file the jobs get.


def _config(tmp_path: Path, body: str) -> Path:
    file = tmp_path / "test.conf"
    file.write_text(f'include file("{LOCAL_CONFIG}")\n{body}\n')
    return file


def test_the_local_config_trains_every_day() -> None:
    settings = retraining.training_settings(LOCAL_CONFIG)

    assert (settings.trigger, settings.drift_experiment) == ("every-day", "lakepipe-feature-drift")


def test_a_config_file_sets_the_trigger_and_the_experiment(tmp_path: Path) -> None:
    config = _config(tmp_path, 'lakepipe.training { trigger = on-drift, drift-experiment = "drift-x" }')

    settings = retraining.training_settings(config)

    assert (settings.trigger, settings.drift_experiment) == ("on-drift", "drift-x")


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


def _experiment_id(experiment: str) -> str:
    try:
        return retraining.mlflow_api.experiment_id(MLFLOW, experiment)
    except OSError:
        return _mlflow("experiments/create", {"name": experiment})["experiment_id"]


def _run(experiment: str, tags: dict[str, str], *, finished: bool = True) -> str:
    run = _mlflow(
        "runs/create",
        {
            "experiment_id": _experiment_id(experiment),
            "start_time": int(time.time() * 1000),
            "tags": [{"key": k, "value": v} for k, v in tags.items()],
        },
    )["run"]["info"]["run_id"]
    if finished:
        _mlflow("runs/update", {"run_id": run, "status": "FINISHED", "end_time": int(time.time() * 1000)})
    time.sleep(0.01)  # start times apart, so that "newest" is well defined
    return run


def _verdict_run(
    experiment: str, ds: str, drift: dict[str, float], *, view: str = "flights", finished: bool = True
) -> str:
    """A drift verdict as check-features logs it."""
    tags = {
        "lakepipe.verdict": "drift",
        "lakepipe.ds": ds,
        "lakepipe.view": view,
        "lakepipe.retrain": "true" if drift else "false",
        "lakepipe.retrain.drift": json.dumps(drift),
    }
    return _run(experiment, tags, finished=finished)


def _accuracy_run(
    experiment: str, ds: str, drop: float, *, view: str = "flights", finished: bool = True, limit: float = 0.03
) -> str:
    """An accuracy verdict as monitor-predictions logs it: batch v3 at 0.6612 - drop."""
    accuracy = {"batch v3": {"roc_auc": round(0.6612 - drop, 4), "reference_roc_auc": 0.6612, "drop": drop}}
    tags = {
        "lakepipe.verdict": "accuracy",
        "lakepipe.ds": ds,
        "lakepipe.view": view,
        "lakepipe.retrain": "true" if drop > limit else "false",
        "lakepipe.retrain.accuracy": json.dumps(accuracy),
    }
    return _run(experiment, tags, finished=finished)


def test_reads_the_newest_finished_drift_verdict_of_the_view_and_day(experiment: str) -> None:
    assert retraining.latest_drift_verdict(DS, "flights", experiment, tracking_uri=MLFLOW) is None

    _verdict_run(experiment, DS, {})
    rerun = _verdict_run(experiment, DS, {"distance": 0.1835})
    _verdict_run(experiment, DS, {}, finished=False)  # a check still running (or crashed) says nothing yet
    _verdict_run(experiment, DS, {}, view="birdstrikes")
    _verdict_run(experiment, "2001-01-16", {})
    _accuracy_run(experiment, DS, 0.0)  # the other kind of verdict, same day and view

    verdict = retraining.latest_drift_verdict(DS, "flights", experiment, tracking_uri=MLFLOW)

    assert verdict is not None
    assert verdict.retrain is True
    assert verdict.drift == {"distance": 0.1835}
    assert verdict.run_url.endswith(f"/runs/{rerun}")
    assert retraining.latest_drift_verdict("2001-02-01", "flights", experiment, tracking_uri=MLFLOW) is None


def test_reads_the_accuracy_verdict_of_the_newest_day_before_the_training_day(experiment: str) -> None:
    assert retraining.latest_accuracy_verdict(DS, "flights", experiment, tracking_uri=MLFLOW) is None

    _accuracy_run(experiment, "2001-01-13", 0.06)
    _accuracy_run(experiment, "2001-01-14", 0.0)
    rerun = _accuracy_run(experiment, "2001-01-14", 0.05)
    _accuracy_run(experiment, "2001-01-14", 0.0, finished=False)
    _accuracy_run(experiment, "2001-01-14", 0.0, view="birdstrikes")
    _accuracy_run(experiment, DS, 0.0)  # the training day's own: its predictions come after the decision
    _verdict_run(experiment, "2001-01-14", {})

    verdict = retraining.latest_accuracy_verdict(DS, "flights", experiment, tracking_uri=MLFLOW)

    assert verdict is not None
    assert (verdict.ds, verdict.retrain) == ("2001-01-14", True)
    assert verdict.accuracy == {"batch v3": {"roc_auc": 0.6112, "reference_roc_auc": 0.6612, "drop": 0.05}}
    assert verdict.run_url.endswith(f"/runs/{rerun}")
    assert retraining.latest_accuracy_verdict("2001-01-13", "flights", experiment, tracking_uri=MLFLOW) is None


def _on_drift(tmp_path: Path, experiment: str, model: str) -> str:
    body = (
        f'lakepipe.training {{ trigger = on-drift, drift-experiment = "{experiment}" }}\n'
        f'lakepipe.mlflow.model-name = "{model}"'
    )
    return str(_config(tmp_path, body))


def test_publish_features_on_drift_announces_every_day_with_its_drift_verdict(
    experiment: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", MLFLOW)
    config = _on_drift(tmp_path, experiment, "unused")
    task = load_dag_bag().dags["lakepipe_daily"].task_dict["publish_features"]
    _verdict_run(experiment, "2001-01-15", {"distance": 0.1835})
    _verdict_run(experiment, "2001-01-16", {})

    drifted: defaultdict = defaultdict(lambda: SimpleNamespace(extra={}))
    task.python_callable(config, ds="2001-01-15", outlet_events=drifted)
    calm: defaultdict = defaultdict(lambda: SimpleNamespace(extra={}))
    task.python_callable(config, ds="2001-01-16", outlet_events=calm)
    with pytest.raises(ValueError, match="no drift verdict for 2001-01-17"):
        task.python_callable(config, ds="2001-01-17", outlet_events=defaultdict(lambda: SimpleNamespace(extra={})))

    assert drifted[FEATURES_FLIGHTS].extra["retrain"] is True
    assert drifted[FEATURES_FLIGHTS].extra["drift"] == {"distance": 0.1835}
    assert calm[FEATURES_FLIGHTS].extra == {"ds": "2001-01-16", "retrain": False}


def test_decide_training_on_drift_against_the_registry_and_the_verdicts(
    experiment: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", MLFLOW)
    model = f"lakepipe-retrain-dag-test-{uuid.uuid4().hex}"
    config = _on_drift(tmp_path, experiment, model)
    task = load_dag_bag().dags["lakepipe_training"].task_dict["decide_training"]
    calm_events = {FEATURES_FLIGHTS: [SimpleNamespace(extra={"ds": DS, "retrain": False})]}
    scheduled = SimpleNamespace(conf={})

    def decide() -> list[str]:
        return task.python_callable(config, DS, dag_run=scheduled, triggering_asset_events=calm_events)

    try:
        no_model = decide()
        _mlflow("registered-models/create", {"name": model})
        no_champion = decide()
        run = _run(experiment, {})
        body = {"name": model, "source": f"runs:/{run}/model", "run_id": run}
        version = _mlflow("model-versions/create", body)["model_version"]["version"]
        _mlflow("registered-models/alias", {"name": model, "alias": "champion", "version": version})
        nothing_monitored = decide()
        _accuracy_run(experiment, "2001-01-14", 0.01)
        held = decide()
        _accuracy_run(experiment, "2001-01-14", 0.05)
        fell = decide()
        drifted = task.python_callable(
            config,
            DS,
            dag_run=scheduled,
            triggering_asset_events={FEATURES_FLIGHTS: [SimpleNamespace(extra={"ds": DS, "retrain": True})]},
        )
    finally:
        retraining.mlflow_api.call(
            retraining.mlflow_api.url(MLFLOW, "registered-models/delete"), {"name": model}, method="DELETE"
        )

    assert no_model == no_champion == ["train_model", "batch_score"]
    assert nothing_monitored == held == ["batch_score"]
    assert fell == drifted == ["train_model", "batch_score"]
