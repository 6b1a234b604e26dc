"""lakepipe_promote: environments from the config profiles, the evidence, the approval's record and the copy.

The copy runs against the real MLflow server; the whole DAG with a real approval runs in the
end-to-end suite (infra/airflow/e2e.sh, step 2f).
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from airflow.providers.standard.operators.hitl import ApprovalOperator

from dag_loading import REPO_ROOT, load_dag_bag
from lakepipe_dags import mlflow_api, promotion

DAG_ID = "lakepipe_promote"
MLFLOW = mlflow_api.tracking_uri()


def test_is_started_by_hand_and_copies_only_after_the_approval() -> None:
    dag = load_dag_bag().dags[DAG_ID]
    edges = {(upstream, task.task_id) for task in dag.tasks for upstream in task.upstream_task_ids}

    assert type(dag.timetable).__name__ == "NullTimetable"
    assert isinstance(dag.task_dict["approve"], ApprovalOperator)
    assert edges == {
        ("collect_evidence", "approve"),
        ("collect_evidence", "copy_to_target"),
        ("approve", "copy_to_target"),
        ("collect_evidence", "check_target_scorer"),
        ("copy_to_target", "check_target_scorer"),
    }


def test_the_profiles_promote_staging_to_prod_and_dev_nowhere() -> None:
    # (The recipe tests run this on a copy whose local.conf includes a test config of their own: only
    # what that keeps is asserted of staging.)
    staging = promotion.Environment.from_config(str(REPO_ROOT / "config/local.conf"))
    prod = promotion.Environment.from_config(str(REPO_ROOT / "config/prod.conf"))
    dev = promotion.Environment.from_config(str(REPO_ROOT / "config/dev.conf"))

    assert (staging.name, Path(staging.promote_to).name, staging.target().name) == ("staging", "prod.conf", "prod")
    assert (prod.name, prod.model_name, prod.scorer_url, prod.promote_to) == (
        "prod",
        "lakepipe_flights_delay_prod",
        "http://127.0.0.1:8092",
        "",
    )
    assert (dev.name, dev.model_name, dev.scorer_url) == ("dev", "lakepipe_flights_delay_dev", "http://127.0.0.1:8091")
    with pytest.raises(promotion.PromotionRefused, match="dev .* promotes nowhere"):
        dev.target()
    with pytest.raises(promotion.PromotionRefused, match="prod .* promotes nowhere"):
        prod.target()


def test_the_approval_records_who_when_why_and_on_what() -> None:
    answer = {
        "chosen_options": ["Approve"],
        "params_input": {"comment": "better on 6 of 7 days"},
        "responded_by_user": {"id": "1", "name": "ann"},
        "responded_at": dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC),
    }
    found = {"model": "m", "version": "3", "gate": "roc_auc +0.004 [0.001, 0.007]"}

    tags = promotion.approval(answer, found, "manual__2026-12-05")

    assert tags == {
        promotion.APPROVED_BY_TAG: "ann",
        promotion.APPROVED_AT_TAG: "2026-12-05T10:00:00+00:00",
        promotion.APPROVAL_COMMENT_TAG: "better on 6 of 7 days",
        promotion.APPROVAL_EVIDENCE_TAG: json.dumps(found, sort_keys=True),
        promotion.APPROVAL_RUN_TAG: "manual__2026-12-05",
    }


def test_waits_for_the_scorer_to_serve_the_copy_and_says_when_none_answers() -> None:
    found = {"model": "m", "version": "3"}
    answers = iter([{"model_name": "m", "model_version": "2"}, {"model_name": "m", "model_version": "3"}])
    sleeps: list[float] = []

    said = promotion.wait_for_scorer("http://s", found, 60, fetch=lambda url: next(answers), sleep=sleeps.append)
    assert said == "the scorer at http://s serves m v3"
    assert sleeps == [2]

    def refused(url: str) -> dict:
        raise urllib.error.URLError("Connection refused")

    assert promotion.wait_for_scorer("http://s", found, 60, fetch=refused).startswith("no scorer answers at http://s")
    with pytest.raises(promotion.PromotionRefused, match="still serves m v2 after 0 s, not m v3"):
        promotion.wait_for_scorer("http://s", found, 0, fetch=lambda url: {"model_name": "m", "model_version": "2"})


def _mlflow(method: str, body: dict | None = None, **query: str) -> dict:
    verb = "DELETE" if method.endswith("/delete") else None
    return mlflow_api.call(mlflow_api.url(MLFLOW, method, query or None), body, method=verb)


@pytest.fixture
def environments(tmp_path) -> Iterator[tuple[promotion.Environment, promotion.Environment]]:
    try:
        urllib.request.urlopen(f"{MLFLOW}/health", timeout=3).close()
    except OSError as error:
        pytest.skip(f"the MLflow server {MLFLOW} is not running ({error}): ./lakepipe services start")
    name = f"lakepipe_promote_test_{uuid.uuid4().hex[:12]}"
    prod_conf = tmp_path / "prod.conf"
    staging_conf = tmp_path / "staging.conf"
    local = REPO_ROOT / "config/local.conf"
    prod_conf.write_text(
        f'include file("{local}")\nlakepipe {{ environment {{ name = prod, scorer-url = "http://127.0.0.1:9",'
        f' promote-to = "" }}, mlflow.model-name = "{name}_prod" }}\n'
    )
    staging_conf.write_text(
        f'include file("{local}")\nlakepipe {{ environment.promote-to = "{prod_conf}",'
        f' mlflow.model-name = "{name}" }}\n'
    )
    staging = promotion.Environment.from_config(str(staging_conf))
    yield staging, staging.target()
    for model in (staging.model_name, f"{name}_prod"):
        try:
            _mlflow("registered-models/delete", {"name": model})
        except urllib.error.HTTPError:
            pass


def _trained_version(staging: promotion.Environment, promotion_tag: str) -> dict:
    experiment = _mlflow("experiments/get-by-name", experiment_name="Default")["experiment"]["experiment_id"]
    run = _mlflow("runs/create", {"experiment_id": experiment, "run_name": staging.model_name})["run"]["info"]["run_id"]
    # As train-model logs them: the chosen model's, the baseline's, another candidate's, the gate's.
    for key, value in (
        ("test_roc_auc", 0.6712),
        ("gate_gain_roc_auc", 0.004),
        ("baseline_test_roc_auc", 0.6101),
        ("gbt_test_roc_auc", 0.6655),
        ("test_rows", 16781.0),
        ("gate_gain_pr_auc", 0.01),
    ):
        _mlflow("runs/log-metric", {"run_id": run, "key": key, "value": value, "timestamp": 0, "step": 0})
    _mlflow("runs/set-tag", {"run_id": run, "key": promotion.GATE_EVIDENCE_TAG, "value": "roc_auc +0.004"})
    _mlflow("runs/set-tag", {"run_id": run, "key": "lakepipe.ds", "value": "2001-01-15"})
    _mlflow("registered-models/create", {"name": staging.model_name})
    body = {
        "name": staging.model_name,
        "source": f"runs:/{run}/model",
        "run_id": run,
        "tags": [{"key": promotion.PROMOTION_TAG, "value": promotion_tag}],
    }
    version = _mlflow("model-versions/create", body)["model_version"]["version"]
    _mlflow("registered-models/alias", {"name": staging.model_name, "alias": "champion", "version": version})
    return promotion.source_version(MLFLOW, staging, "")


def test_a_version_the_serving_check_did_not_validate_is_refused(environments) -> None:
    staging, _ = environments
    version = _trained_version(staging, "serving_check_failed")

    with pytest.raises(promotion.PromotionRefused, match="'serving_check_failed', not 'promoted'"):
        promotion.evidence(MLFLOW, staging, version)


def test_the_approved_champion_is_copied_once_tagged_and_made_the_targets_champion(environments) -> None:
    staging, prod = environments
    found = promotion.evidence(MLFLOW, staging, _trained_version(staging, promotion.VALIDATED))
    approved = {promotion.APPROVED_BY_TAG: "ann", promotion.APPROVAL_COMMENT_TAG: "ok"}

    assert list(found["metrics"].items()) == [
        ("test_roc_auc", 0.6712),
        ("baseline_test_roc_auc", 0.6101),
        ("gate_gain_roc_auc", 0.004),
    ]
    assert (found["version"], found["gate"], found["trained_for"]) == ("1", "roc_auc +0.004", "2001-01-15")
    assert "| test_roc_auc | 0.6712 |\n| baseline_test_roc_auc | 0.6101 |" in promotion.markdown(found, prod, MLFLOW)

    first = promotion.copy_version(MLFLOW, staging, prod, found, approved)
    again = promotion.copy_version(MLFLOW, staging, prod, found, approved)

    copy = _mlflow("registered-models/alias", name=prod.model_name, alias="champion")["model_version"]
    tags = mlflow_api.tags(copy)
    source = _mlflow("model-versions/get", name=staging.model_name, version="1")["model_version"]
    assert (first, again, copy["version"]) == ("1", "1", "1")
    assert copy["run_id"] == found["run_id"]
    assert tags[promotion.COPIED_FROM_TAG] == f"{staging.model_name}/1"
    assert (tags[promotion.APPROVED_BY_TAG], tags[promotion.APPROVAL_COMMENT_TAG]) == ("ann", "ok")
    assert mlflow_api.tags(source)[promotion.PROMOTED_TO_TAG_PREFIX + "prod"] == f"{prod.model_name}/1"
    assert len(_mlflow("model-versions/search", filter=f"name='{prod.model_name}'")["model_versions"]) == 1
