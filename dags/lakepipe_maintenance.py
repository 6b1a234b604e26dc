"""lakepipe maintenance, weekly: compact the small files of every declared Delta table and vacuum
the files no longer needed, never those of a table version a registered model was trained on.

- maintain_tables: the ``maintain-tables`` job (jobs-report jar). Per table of ``lakepipe.tables``
  that exists (or of ``lakepipe.maintenance.tables``): OPTIMIZE, then VACUUM with a retention of at
  least ``lakepipe.maintenance.retention`` (7 days), raised to the age of the oldest table version
  that a registered model version's MLflow run recorded (``lakepipe.input.*`` tags), plus a margin.
  Its audit row says, per table, the files before and after and what set the retention.

Sunday 04:00 UTC, after the daily runs of the night; ds is that Sunday, a label only (the job looks
at the tables as they are). No catch-up: one run maintains everything written since the last. The
task takes a slot of the Spark pool like every Spark step, so on a one-slot pool it never runs beside
a writer of the same table; on a larger pool, a compaction and a daily rewrite of the same partition
conflict in Delta, and the one that loses fails and is retried.
"""

from __future__ import annotations

from airflow.sdk import DAG, CronTriggerTimetable

from lakepipe_dags import schedule
from lakepipe_dags.steps import spark_job_step, task_defaults

with DAG(
    dag_id="lakepipe_maintenance",
    description="Weekly OPTIMIZE and VACUUM of the Delta tables, keeping every version a registered model needs",
    schedule=CronTriggerTimetable("0 4 * * 0", timezone="UTC"),
    start_date=schedule.start_date(),
    catchup=False,
    # Two maintenance runs of the same tables would only conflict.
    max_active_runs=1,
    default_args=task_defaults(),
    tags=["lakepipe", "maintenance"],
    doc_md=__doc__,
):
    spark_job_step("maintain_tables", job="maintain-tables")
