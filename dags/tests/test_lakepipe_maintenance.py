"""lakepipe_maintenance: the weekly maintain-tables step."""

from __future__ import annotations

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import CronTriggerTimetable

from dag_loading import REPO_ROOT, load_dag_bag, template_context

DAG_ID = "lakepipe_maintenance"


def test_runs_weekly_without_catch_up() -> None:
    dag = load_dag_bag().dags[DAG_ID]

    assert isinstance(dag.timetable, CronTriggerTimetable)
    assert dag.timetable.expression == "0 4 * * 0"
    assert dag.catchup is False


def test_one_spark_step_runs_maintain_tables_from_the_report_jar() -> None:
    dag = load_dag_bag().dags[DAG_ID]
    task = dag.task_dict["maintain_tables"]
    context = template_context("2001-01-07")

    assert dag.task_ids == ["maintain_tables"]
    assert isinstance(task, SparkSubmitOperator)
    assert task._java_class == "io.lakepipe.maintenance.MaintainTablesJob"
    assert task.render_template(task.application, context) == str(
        REPO_ROOT / "jobs-report" / "target" / "jobs-report.jar"
    )
    assert task.render_template(task.application_args, context) == [
        "--config",
        str(REPO_ROOT / "config" / "local.conf"),
        "--ds",
        "2001-01-07",
    ]
