"""The daily report step: a Spark step whose task links to the report's MLflow run.

The report job (``jobs-report.jar``) writes the day's page under the lakehouse and logs it as the
artifact ``report/index.html`` of a run of the MLflow experiment ``lakepipe-reports``, tagged with
``lakepipe.ds`` and the Airflow DAG run id (from the ``AIRFLOW_CTX_*`` environment Airflow gives
the job). After spark-submit returns, the operator finds that run over MLflow's REST API, logs its
address as one line, and offers it as the task's extra link *Daily report*.

Airflow 3 needs no plugin for this: the worker calls ``get_link`` when the task ends and stores the
address in XCom (key ``_link_DailyReportLink``); the serialized DAG only keeps the link's name and
that key, and the UI reads the XCom.

=====================  ==============================================================
setting                from (first match wins)
=====================  ==============================================================
MLflow tracking URI    ``MLFLOW_TRACKING_URI``, else ``http://127.0.0.1:5000``
reports experiment     ``LAKEPIPE_REPORT_EXPERIMENT``, else ``lakepipe-reports``
                       (the job's ``lakepipe.report.experiment``; keep the two equal)
=====================  ==============================================================
"""

from __future__ import annotations

import os
from typing import Any

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import BaseOperatorLink

from lakepipe_dags import mlflow_api

DEFAULT_REPORT_EXPERIMENT = "lakepipe-reports"
REPORT_EXPERIMENT_ENV = "LAKEPIPE_REPORT_EXPERIMENT"


class DailyReportLink(BaseOperatorLink):
    """The MLflow run of the day's report, which renders the page (the artifact report/index.html)."""

    name = "Daily report"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        return getattr(operator, "report_url", None) or ""


class DailyReportOperator(SparkSubmitOperator):
    """``SparkSubmitOperator`` for the report job that also links the task to the report's MLflow run."""

    operator_extra_links = (DailyReportLink(),)

    def report_day(self) -> str:
        """The day whose report the task links to: its job's ``--ds``, or the last day of a range run.

        From the rendered arguments, not the context's ``ds``: a run started without a logical date (a
        range backfill's) has none.
        """
        args = [str(arg) for arg in self.application_args or []]
        return _arg(args, "--until") or _arg(args, "--ds") or ""

    def execute(self, context: Any) -> None:
        super().execute(context)
        ds, run_id = self.report_day(), str(context["run_id"])
        try:
            self.report_url = report_run_url(ds, dag_run_id=run_id)
        except (OSError, ValueError, KeyError) as error:  # the page is written; no link must not fail the task
            self.report_url = None
            self.log.warning("Daily report for %s: MLflow did not answer (%s), so the task has no link", ds, error)
            return
        if self.report_url:
            self.log.info("Daily report for %s: %s", ds, self.report_url)
        else:
            self.log.warning("Daily report for %s: no run tagged lakepipe.ds=%s in MLflow, so no link", ds, ds)


def _arg(args: list[str], flag: str) -> str | None:
    return args[args.index(flag) + 1] if flag in args[:-1] else None


def report_run_url(
    ds: str, *, dag_run_id: str | None = None, tracking_uri: str | None = None, experiment: str | None = None
) -> str | None:
    """The MLflow UI address of the newest report run for ``ds``, or None when there is none.

    With ``dag_run_id``, a run of that DAG run wins over a newer one of another (a manual ``./lakepipe
    run report``, another Airflow); without one, or when no run carries it, the newest run of ds.
    """
    base = (tracking_uri or mlflow_api.tracking_uri()).rstrip("/")
    name = experiment or os.environ.get(REPORT_EXPERIMENT_ENV) or DEFAULT_REPORT_EXPERIMENT
    by_ds = f"tags.`lakepipe.ds` = '{mlflow_api.quoted(ds)}'"
    filters = [f"{by_ds} and tags.`airflow.dag_run_id` = '{mlflow_api.quoted(dag_run_id)}'"] if dag_run_id else []
    for search_filter in [*filters, by_ds]:
        # None also when no report has run yet (no experiment).
        found = mlflow_api.newest_run(base, name, search_filter)
        if found:
            experiment_id, run = found
            return f"{base}/#/experiments/{experiment_id}/runs/{run['info']['run_id']}"
    return None
