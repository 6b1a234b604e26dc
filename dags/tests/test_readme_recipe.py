"""README's "Adding a DAG step" recipe: its example DAG file loads and runs the step it promises."""

from __future__ import annotations

import re
from pathlib import Path

from airflow.dag_processing.dagbag import BundleDagBag
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from dag_loading import REPO_ROOT, template_context
from lakepipe_dags.alerts import on_task_failure

SECTION = "## Adding a DAG step"


def recipe_dag_file() -> tuple[str, str]:
    """The file name and the code of the recipe's first Python block (its first line names the file)."""
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme[readme.index(SECTION) :]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code, f"README's {SECTION!r} has no python block"
    first_line = code.group(1).splitlines()[0]
    name = re.fullmatch(r"# dags/(\w+\.py)", first_line)
    assert name, f"the recipe's first line should name its file, e.g. '# dags/my_dag.py', not {first_line!r}"
    return name.group(1), code.group(1)


def test_the_recipes_example_dag_loads_and_submits_its_job(tmp_path: Path) -> None:
    file_name, code = recipe_dag_file()
    (tmp_path / file_name).write_text(code)

    bag = BundleDagBag(dag_folder=tmp_path, bundle_path=tmp_path, bundle_name="recipe")

    assert bag.import_errors == {}
    assert bag.captured_warnings == {}
    (dag,) = bag.dags.values()
    (step,) = [task for task in dag.tasks if isinstance(task, SparkSubmitOperator)]
    args = step.render_template(step.application_args, template_context("2001-01-15"))
    assert step._java_class == "io.lakepipe.report.RouteReportJob"
    assert step.render_template(step.application, template_context("2001-01-15")) == str(
        REPO_ROOT / "jobs-report" / "target" / "jobs-report.jar"
    )
    assert args == ["--config", str(REPO_ROOT / "config" / "local.conf"), "--ds", "2001-01-15", "--top", "20"]
    # What the helper adds unasked: the project's retries, pool and failure alert.
    assert (step.retries, step.pool, step.on_failure_callback) == (2, "lakepipe_spark", [on_task_failure])
    assert dag.tags
