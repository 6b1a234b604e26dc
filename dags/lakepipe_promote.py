"""lakepipe promotion: copy a validated model version to the next environment after a person approves it.

Started by hand ("Trigger" in the Airflow UI), never on a schedule. The environment it promotes from
is the run's config (the ``lakepipe_config`` Variable, ``config/local.conf`` by default, which is
staging); the one it promotes to is that config's ``lakepipe.environment.promote-to`` (``config/prod.conf``).

- collect_evidence: the version to promote (the ``version`` param, else the source's champion) and
  what a reviewer needs: the serving check in the real scorer, the gate's paired comparison with the
  champion before it, per test day, the training run's metrics. A version the serving check did not
  validate in its own environment stops the run here.
- approve: Airflow's human-in-the-loop approval. The run waits ("Required actions" in the UI) until
  someone chooses Approve or Reject, with an optional comment; Reject skips the copy.
- copy_to_target: the version copied into the target's registered model, tagged with who approved
  it, when, their comment and the evidence, and made the target's champion.
- check_target_scorer: waits until the target's scorer (``lakepipe.environment.scorer-url``) serves
  the copy, when a scorer answers there.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk import DAG, Param, task

from lakepipe_dags import mlflow_api, promotion, schedule
from lakepipe_dags.steps import config_file_template, task_defaults

EVIDENCE = "{{ ti.xcom_pull(task_ids='collect_evidence') }}"

with DAG(
    dag_id="lakepipe_promote",
    description="Copy a validated model version to the next environment (staging to prod) after an approval",
    schedule=None,
    start_date=schedule.start_date(),
    catchup=False,
    max_active_runs=1,
    default_args=task_defaults(),
    params={"version": Param("", type="string", description="The version to promote; empty: the champion")},
    tags=["lakepipe", "ml"],
    doc_md=__doc__,
):

    @task
    def collect_evidence(config_file: str, *, params: dict[str, Any]) -> dict[str, Any]:
        """The version to promote and the evidence the approver sees; refuses a version not validated."""
        source = promotion.Environment.from_config(config_file)
        target = source.target()
        base = mlflow_api.tracking_uri()
        found = promotion.evidence(base, source, promotion.source_version(base, source, params["version"]))
        found["body"] = promotion.markdown(found, target, base)
        found["subject"] = f"Promote {found['model']} v{found['version']} from {source.name} to {target.name}?"
        print(found["body"])
        return found

    approve = ApprovalOperator(
        task_id="approve",
        subject="{{ ti.xcom_pull(task_ids='collect_evidence')['subject'] }}",
        body="{{ ti.xcom_pull(task_ids='collect_evidence')['body'] }}",
        params={"comment": Param("", type="string", description="Why you approve or reject (kept on the version)")},
        # Unanswered for three days, the run fails: a stale approval request is not one to act on later.
        response_timeout=timedelta(hours=72),
    )

    @task
    def copy_to_target(config_file: str, found: dict[str, Any], *, ti: Any, run_id: str) -> str:
        """The approved version copied to the target environment's model and made its champion."""
        source = promotion.Environment.from_config(config_file)
        target = source.target()
        answer = ti.xcom_pull(task_ids="approve")
        approved = promotion.approval(answer, {k: v for k, v in found.items() if k not in ("body", "subject")}, run_id)
        version = promotion.copy_version(mlflow_api.tracking_uri(), source, target, found, approved)
        by, at = approved[promotion.APPROVED_BY_TAG], approved[promotion.APPROVED_AT_TAG]
        print(
            f"{found['model']} v{found['version']} is {target.model_name} v{version}, {target.champion_alias} in"
            f" {target.name}, approved by {by} at {at}"
        )
        return version

    @task
    def check_target_scorer(config_file: str, found: dict[str, Any]) -> str:
        """Waits (two reload intervals of the scorer) until the target's scorer serves the copy."""
        target = promotion.Environment.from_config(config_file).target()
        said = promotion.wait_for_scorer(target.scorer_url, found, timeout_s=75)
        print(said)
        return said

    found = collect_evidence(config_file_template())
    copied = copy_to_target(config_file_template(), found)
    found >> approve >> copied >> check_target_scorer(config_file_template(), found)
