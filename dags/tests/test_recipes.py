"""The recipes of docs/contributing.md: the DAG files of "Adding a DAG step" and "Adding a source" load
and submit the steps they promise.

The whole recipes (their config, their DAG, `pytest dags/tests` and `airflow dags test`) are followed on
a copy of the checkout by the end-to-end suite (infra/test/recipe-test.sh); this test is the quick half.
"""

from __future__ import annotations

import sys
from pathlib import Path

from airflow.dag_processing.dagbag import BundleDagBag
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

from dag_loading import REPO_ROOT, template_context
from lakepipe_dags.alerts import on_task_failure

sys.path.append(str(REPO_ROOT / "infra" / "test"))
import recipes  # (infra/test is no package)

TITLE = "Adding a DAG step"


def test_the_recipes_dag_loads_and_submits_its_job_with_its_option(tmp_path: Path) -> None:
    recipe = recipes.steps(recipes.RECIPES.read_text(), TITLE)
    (dag_file,) = [step for step in recipe if step.action == "create" and step.target.startswith("dags/")]
    (tmp_path / Path(dag_file.target).name).write_text(dag_file.text)

    bag = BundleDagBag(dag_folder=tmp_path, bundle_path=tmp_path, bundle_name="recipe")

    assert bag.import_errors == {}
    assert bag.captured_warnings == {}
    (dag,) = bag.dags.values()
    (step,) = [task for task in dag.tasks if isinstance(task, SparkSubmitOperator)]
    args = step.render_template(step.application_args, template_context("2001-01-15"))
    assert step._java_class == "io.lakepipe.ingest.quality.CheckTableJob"
    assert step.render_template(step.application, template_context("2001-01-15")) == str(
        REPO_ROOT / "jobs-ingest" / "target" / "jobs-ingest.jar"
    )
    assert args == [
        "--config",
        str(REPO_ROOT / "config" / "local.conf"),
        "--ds",
        "2001-01-15",
        "--table",
        "labels-flights",
    ]
    # What the helper adds unasked: the project's retries, pool and failure alert.
    assert (step.retries, step.pool, step.on_failure_callback) == (2, "lakepipe_spark", [on_task_failure])
    assert dag.tags and dag.description and dag.doc_md


def test_the_recipe_appends_its_check_to_the_local_config_and_runs_the_dag_tests_and_the_dag() -> None:
    recipe = recipes.steps(recipes.RECIPES.read_text(), TITLE)

    assert [(step.action, step.target) for step in recipe] == [
        ("append", "config/local.conf"),
        ("create", "dags/lakepipe_label_checks.py"),
        ("run", ""),
    ]
    assert "lakepipe.checks.labels-flights {" in recipe[0].text
    assert recipe[2].text.splitlines() == [
        "./lakepipe validate",
        ".lakepipe/venv-airflow/bin/python -m pytest -q dags/tests",
        "infra/airflow/dags-test.sh 2001-01-15 lakepipe_label_checks",
    ]


def test_the_source_recipes_dag_loads_and_ingests_its_declared_source(tmp_path: Path) -> None:
    recipe = recipes.steps(recipes.RECIPES.read_text(), "Adding a source")
    assert [(step.action, step.target) for step in recipe] == [
        ("append", "config/local.conf"),
        ("create", "dags/lakepipe_airport_list.py"),
        ("run", ""),
    ]
    (tmp_path / "lakepipe_airport_list.py").write_text(recipe[1].text)

    bag = BundleDagBag(dag_folder=tmp_path, bundle_path=tmp_path, bundle_name="recipe")

    assert bag.import_errors == {}
    (dag,) = bag.dags.values()
    assert sorted(dag.task_ids) == ["ingest_airport_list", "wait_for_airport_list"]
    ingest = dag.task_dict["ingest_airport_list"]
    args = ingest.render_template(ingest.application_args, template_context("2001-01-15"))
    assert args[-2:] == ["--source", "airport-list"]
    assert "lakepipe.sources.airport-list {" in recipe[0].text
