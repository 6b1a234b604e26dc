"""lakepipe_dags.steps: what a new Spark step gets without asking, and what it is refused."""

from __future__ import annotations

import pytest
from airflow.sdk import DAG
from dag_loading import template_context
from lakepipe_dags.steps import spark_job_step, task_defaults


def test_extra_args_follow_the_job_contract_and_are_templated() -> None:
    with DAG(dag_id="steps_extra_args", schedule=None):
        step = spark_job_step(
            "score", job="serve-export", main_class="io.lakepipe.export.ScoreJob", extra_args=["--until", "{{ ds }}"]
        )

    rendered = step.render_template(step.application_args, template_context("2001-03-01"))

    assert rendered[2:] == ["--ds", "2001-03-01", "--until", "2001-03-01"]


def test_operator_arguments_pass_through() -> None:
    with DAG(dag_id="steps_pass_through", schedule=None):
        step = spark_job_step(
            "ingest", job="ingest", main_class="io.lakepipe.ingest.files.IngestFlightFilesJob", conf={"spark.sql.shuffle.partitions": "4"}
        )

    assert step.conf == {"spark.sql.shuffle.partitions": "4"}


@pytest.mark.parametrize("job", ["Ingest", "jobs-ingest", "ingest.jar", "../ingest", ""])
def test_job_must_be_a_module_suffix(job: str) -> None:
    with DAG(dag_id="steps_bad_job", schedule=None), pytest.raises(ValueError, match="not a job module suffix"):
        spark_job_step("bad", job=job, main_class="io.lakepipe.Whatever")


def test_retries_can_be_lowered_for_fail_fast_local_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEPIPE_TASK_RETRIES", "0")

    assert task_defaults()["retries"] == 0


def test_unreadable_retries_setting_says_how_to_fix_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEPIPE_TASK_RETRIES", "two")

    with pytest.raises(ValueError, match="LAKEPIPE_TASK_RETRIES='two' is not a whole number"):
        task_defaults()
