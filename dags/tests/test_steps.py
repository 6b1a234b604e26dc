"""lakepipe_dags.steps: what a new Spark step gets without asking, and what it is refused."""

from __future__ import annotations

import pytest
from airflow.sdk import DAG

from dag_loading import template_context
from lakepipe_dags.steps import feature_view_steps, file_source_steps, spark_job_step, task_defaults


def test_job_options_follow_the_job_contract_and_are_templated() -> None:
    with DAG(dag_id="steps_options", schedule=None):
        step = spark_job_step("check", job="check-table", options={"table": "{{ 'bronze-' ~ 'flights' }}"})

    rendered = step.render_template(step.application_args, template_context("2001-03-01"))

    assert step._java_class == "io.lakepipe.ingest.quality.CheckTableJob"
    assert rendered[2:] == ["--ds", "2001-03-01", "--table", "bronze-flights"]


def test_operator_arguments_pass_through() -> None:
    with DAG(dag_id="steps_pass_through", schedule=None):
        step = spark_job_step(
            "ingest", job="ingest-files", options={"source": "flights"}, conf={"spark.sql.shuffle.partitions": "4"}
        )

    assert step.conf == {"spark.sql.shuffle.partitions": "4"}


@pytest.mark.parametrize("job", ["ingest", "jobs-ingest", "IngestFlightFilesJob", ""])
def test_a_job_the_catalog_does_not_declare_is_refused_with_the_jobs_there_are(job: str) -> None:
    with DAG(dag_id="steps_bad_job", schedule=None), pytest.raises(ValueError) as refused:
        spark_job_step("bad", job=job)

    assert str(refused.value).startswith(f"Spark step 'bad': no job {job!r} in ")
    assert "jobs.conf; jobs: ingest-files, ingest-jdbc," in str(refused.value)


def test_options_a_job_does_not_declare_are_refused() -> None:
    with DAG(dag_id="steps_bad_option", schedule=None), pytest.raises(ValueError) as refused:
        spark_job_step("report", job="report", options={"top": "20"})

    assert "job 'report' has no option top; it takes no options of its own" in str(refused.value)


def test_a_required_option_must_be_given() -> None:
    with DAG(dag_id="steps_missing_option", schedule=None), pytest.raises(ValueError) as refused:
        spark_job_step("check", job="check-table")

    assert "job 'check-table' needs option table: --table (required: the checked table" in str(refused.value)


def test_retries_can_be_lowered_for_fail_fast_local_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEPIPE_TASK_RETRIES", "0")

    assert task_defaults()["retries"] == 0


def test_unreadable_retries_setting_says_how_to_fix_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEPIPE_TASK_RETRIES", "two")

    with pytest.raises(ValueError, match="LAKEPIPE_TASK_RETRIES='two' is not a whole number"):
        task_defaults()


def test_a_declared_file_source_is_waited_for_ingested_and_checked_in_that_order() -> None:
    with DAG(dag_id="steps_file_source", schedule=None) as dag:
        wait, ingest, check = file_source_steps(
            "partner-flights", connection_id="lakepipe_landing_partner", check_table="bronze-partner-flights"
        )

    assert [task.task_id for task in (wait, ingest, check)] == [
        "wait_for_partner_flights",
        "ingest_partner_flights",
        "check_bronze_partner_flights",
    ]
    assert wait.downstream_task_ids == {"ingest_partner_flights"}
    assert ingest.downstream_task_ids == {"check_bronze_partner_flights"}
    assert wait.fs_conn_id == "lakepipe_landing_partner" and wait.filepath == "ds={{ ds }}/*"
    assert ingest.render_template(ingest.application_args, template_context("2001-03-01"))[2:] == [
        "--ds",
        "2001-03-01",
        "--source",
        "partner-flights",
    ]
    assert check.render_template(check.application_args, template_context("2001-03-01"))[4:] == [
        "--table",
        "bronze-partner-flights",
    ]
    assert set(dag.task_ids) == {wait.task_id, ingest.task_id, check.task_id}


def test_a_file_source_without_a_check_has_two_steps() -> None:
    with DAG(dag_id="steps_file_source_unchecked", schedule=None):
        steps = file_source_steps("flights", connection_id="lakepipe_landing_flights", files="ds={{ ds }}/part-*")

    assert [task.task_id for task in steps] == ["wait_for_flights", "ingest_flights"]


def test_a_declared_view_is_built_then_gated() -> None:
    with DAG(dag_id="steps_feature_view", schedule=None) as dag:
        build, check = feature_view_steps("strikes", task_prefix="strikes_")

    assert [task.task_id for task in (build, check)] == ["strikes_build_features", "strikes_check_features"]
    assert build.downstream_task_ids == {"strikes_check_features"}
    for task, job_class in (
        (build, "io.lakepipe.features.BuildFeaturesJob"),
        (check, "io.lakepipe.features.quality.CheckFeaturesJob"),
    ):
        assert task._java_class == job_class
        assert task.render_template(task.application_args, template_context("2001-03-01"))[4:] == ["--view", "strikes"]
    assert set(dag.task_ids) == {build.task_id, check.task_id}
