"""Build the Airflow tasks that run lakepipe's Spark job jars.

Every job jar honours one contract, ``spark-submit --class <Main> <jar> --config <file> --ds <ds>``
followed by the job's own options, so a DAG declares a step by the job's name in the job catalog
(``config/jobs.conf``, which gives its jar, main class and options); the jar location, config file,
Spark properties, Spark connection and retry policy are resolved here, in one place.

Where each setting comes from (first match wins):

=====================  =====================================  ===============================================
setting                Airflow Variable (read at run time)    environment (read at parse time), then default
=====================  =====================================  ===============================================
job jar folder         ``lakepipe_jars_dir``                  ``LAKEPIPE_JARS_DIR`` (holds ``jobs-<job>.jar``),
                                                              else ``$LAKEPIPE_HOME/jobs-<job>/target/``
pipeline config file   ``lakepipe_config``                    ``LAKEPIPE_CONFIG``, else
                                                              ``$LAKEPIPE_HOME/config/local.conf``
Spark properties file  ``lakepipe_spark_properties_file``     ``LAKEPIPE_SPARK_PROPERTIES_FILE``, else
                                                              ``$LAKEPIPE_HOME/config/spark-defaults.conf``
Spark connection id    none: the provider does not template   ``LAKEPIPE_SPARK_CONN_ID``, else
                       ``conn_id``                            ``spark_default``
Spark jobs pool        none: pools are not templated          ``LAKEPIPE_SPARK_POOL``, else ``lakepipe_spark``
=====================  =====================================  ===============================================

The pool bounds how many Spark jobs run at once to what the cluster holds: every Spark step takes
one slot. ``infra/airflow/bootstrap.sh`` creates it with ``LAKEPIPE_SPARK_POOL_SLOTS`` slots (1 on
this machine, where one ``local[2]`` job takes both cores).

``LAKEPIPE_HOME`` defaults to the repository that holds this file. Variables are looked up by Jinja
when a task runs, never while the DAG file is parsed, so parsing touches neither the metadata DB nor
the API server (Airflow's best practice for top-level code).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.providers.standard.sensors.filesystem import FileSensor
from airflow.sdk import BaseOperator, chain

from lakepipe_dags import catalog
from lakepipe_dags.alerts import on_task_failure

# Airflow Variables that override a setting for a whole deployment, looked up at run time.
JARS_DIR_VARIABLE = "lakepipe_jars_dir"
CONFIG_VARIABLE = "lakepipe_config"
SPARK_PROPERTIES_VARIABLE = "lakepipe_spark_properties_file"

# Environment variables read at parse time: cheap, and the worker re-parses the file before it runs a task.
HOME_ENV = "LAKEPIPE_HOME"
JARS_DIR_ENV = "LAKEPIPE_JARS_DIR"
CONFIG_ENV = "LAKEPIPE_CONFIG"
SPARK_PROPERTIES_ENV = "LAKEPIPE_SPARK_PROPERTIES_FILE"
SPARK_CONN_ID_ENV = "LAKEPIPE_SPARK_CONN_ID"
SPARK_POOL_ENV = "LAKEPIPE_SPARK_POOL"
# Local end-to-end runs lower this to fail fast: `airflow dags test` waits out every retry_delay.
TASK_RETRIES_ENV = "LAKEPIPE_TASK_RETRIES"

DEFAULT_SPARK_CONN_ID = "spark_default"
DEFAULT_SPARK_POOL = "lakepipe_spark"
DEFAULT_TASK_RETRIES = 2
# The logical date a step runs for, unless the DAG passes its own (the training DAG's comes from XCom).
LOGICAL_DATE = "{{ ds }}"


def task_defaults() -> dict[str, Any]:
    """Return the ``default_args`` every lakepipe DAG starts from.

    Jobs write idempotently per ds, so retrying a task is always safe; two retries, 2 then 4 minutes
    later, ride out a lost executor or a briefly unavailable MLflow server without paging anyone. A
    task that fails for good calls ``alerts.on_task_failure`` (log with links, optional webhook).
    """
    return {
        "owner": "lakepipe",
        "retries": _env_int(TASK_RETRIES_ENV, DEFAULT_TASK_RETRIES),
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=30),
        "execution_timeout": timedelta(hours=2),
        "on_failure_callback": on_task_failure,
    }


def spark_job_step(
    task_id: str,
    *,
    job: str,
    options: Mapping[str, str] | None = None,
    ds: str = LOGICAL_DATE,
    until: str | None = None,
    operator_class: type[SparkSubmitOperator] = SparkSubmitOperator,
    **operator_kwargs: Any,
) -> SparkSubmitOperator:
    """Return a task that runs the catalog's job ``job`` for the run's logical date.

    :param task_id: the Airflow task id.
    :param job: the job's name in the job catalog (``config/jobs.conf``), e.g. ``ingest-files``.
    :param options: the job's own options, ``{"table": "bronze-flights"}`` for ``--table bronze-flights``;
        only those the catalog declares for the job, and every required one. Values are Jinja-templated.
    :param ds: Jinja for the day the job runs for; the run's logical date unless given.
    :param until: Jinja for the last day of a range run (``--until``): the job then writes every day from
        ``ds`` to it, oldest first, each as its own daily run would, in one Spark application.
    :param operator_class: :class:`SparkSubmitOperator` or a subclass of it, such as one with extra links.
    :param operator_kwargs: any other :class:`SparkSubmitOperator` argument, e.g. ``conf`` or
        ``execution_timeout``; ``pool`` replaces the Spark jobs pool.
    :raises ValueError: for a job the catalog does not declare, or options it does not take.
    """
    try:
        entry = catalog.job(job)
        option_args = entry.option_args(options or {})
    except catalog.CatalogError as e:
        raise ValueError(f"Spark step {task_id!r}: {e}") from None
    operator_kwargs.setdefault("pool", os.environ.get(SPARK_POOL_ENV) or DEFAULT_SPARK_POOL)
    conf = {**entry.spark_conf(range_run=until is not None), **operator_kwargs.pop("conf", {})}
    if conf:
        operator_kwargs["conf"] = conf
    return operator_class(
        task_id=task_id,
        conn_id=os.environ.get(SPARK_CONN_ID_ENV) or DEFAULT_SPARK_CONN_ID,
        application=_jar_template(entry.module),
        java_class=entry.main_class,
        properties_file=_setting_template(
            SPARK_PROPERTIES_VARIABLE, SPARK_PROPERTIES_ENV, lakepipe_home() / "config" / "spark-defaults.conf"
        ),
        application_args=[
            "--config",
            config_file_template(),
            "--ds",
            ds,
            *(["--until", until] if until else []),
            *option_args,
        ],
        name=f"lakepipe-{job}-{ds}" + (f"-{until}" if until else ""),
        **operator_kwargs,
    )


def landed_files_sensor(task_id: str, *, connection_id: str, files: str, **sensor_kwargs: Any) -> FileSensor:
    """Return a deferrable wait for a day's landed files, for sources whose files may arrive late.

    :param connection_id: an Airflow ``fs`` connection whose ``path`` extra is the landing folder,
        so each deployment points the same DAG at its own landing area.
    :param files: a glob under that folder, Jinja-templated, e.g. ``ds={{ ds }}/part-*``.

    While it waits the task is deferred to the triggerer and holds no worker slot; it checks every
    5 minutes and gives up after 12 hours (a sensor's timeout is final, not retried).
    """
    sensor_kwargs.setdefault("poke_interval", timedelta(minutes=5).total_seconds())
    sensor_kwargs.setdefault("timeout", timedelta(hours=12).total_seconds())
    return FileSensor(task_id=task_id, fs_conn_id=connection_id, filepath=files, deferrable=True, **sensor_kwargs)


def file_source_steps(
    source: str,
    *,
    connection_id: str,
    files: str = "ds={{ ds }}/*",
    check_table: str | None = None,
) -> list[BaseOperator]:
    """Return the steps of a declared file source, chained: wait for the day's files, ingest them, check.

    :param source: the source's name in ``lakepipe.sources`` (kind ``files``), ingested by ``ingest-files``.
    :param connection_id: the ``fs`` connection of the source's landing folder (see ``landed_files_sensor``).
    :param files: the day's files under that folder, Jinja-templated.
    :param check_table: the table whose declared checks (``lakepipe.checks.<table>``) gate the day, usually
        the source's ``bronze-table``; none for no check step.

    The tasks are ``wait_for_<source>``, ``ingest_<source>`` and ``check_<table>`` (dashes as underscores);
    a DAG sets what comes before and after them with the first and last of the list.
    """
    name = source.replace("-", "_")
    steps: list[BaseOperator] = [
        landed_files_sensor(f"wait_for_{name}", connection_id=connection_id, files=files),
        spark_job_step(f"ingest_{name}", job="ingest-files", options={"source": source}),
    ]
    if check_table:
        steps.append(
            spark_job_step(f"check_{check_table.replace('-', '_')}", job="check-table", options={"table": check_table})
        )
    chain(*steps)
    return steps


def feature_view_steps(view: str, *, task_prefix: str = "") -> list[BaseOperator]:
    """Return the steps of a declared feature view, chained: build its features for ds, then gate them.

    :param view: the view's name in ``lakepipe.views``, built by ``build-features`` and checked by
        ``check-features`` (its ``feature-gate``).
    :param task_prefix: put before the task ids, for a DAG with several views.

    The tasks are ``<prefix>build_features`` and ``<prefix>check_features``; a DAG puts the view's
    sources before the first and, say, its model's ``train-model`` step after the last.
    """
    steps: list[BaseOperator] = [
        spark_job_step(f"{task_prefix}build_features", job="build-features", options={"view": view}),
        spark_job_step(f"{task_prefix}check_features", job="check-features", options={"view": view}),
    ]
    chain(*steps)
    return steps


def lakepipe_home() -> Path:
    """The lakepipe checkout: ``$LAKEPIPE_HOME``, else the repository this file lives in."""
    configured = os.environ.get(HOME_ENV)
    return Path(configured) if configured else Path(__file__).resolve().parents[2]


def _jar_template(module: str) -> str:
    """Jinja for a module's jar: ``<jars dir>/jobs-<module>.jar`` when a folder is configured, else the build output."""
    jar = f"jobs-{module}.jar"
    built = lakepipe_home() / f"jobs-{module}" / "target" / jar
    default_dir = os.environ.get(JARS_DIR_ENV, "")
    return (
        f"{{% set jars_dir = var.value.get({JARS_DIR_VARIABLE!r}, {default_dir!r}) %}}"
        f"{{{{ (jars_dir.rstrip('/') ~ '/' ~ {jar!r}) if jars_dir else {str(built)!r} }}}}"
    )


def config_file_template() -> str:
    """Jinja for the pipeline config file a task runs with (the ``lakepipe_config`` Variable, etc.)."""
    return _setting_template(CONFIG_VARIABLE, CONFIG_ENV, lakepipe_home() / "config" / "local.conf")


def _setting_template(variable: str, env: str, default: Path) -> str:
    """Jinja for a path that an Airflow Variable overrides, falling back to ``env``, then ``default``."""
    fallback = os.environ.get(env) or str(default)
    return f"{{{{ var.value.get({variable!r}, {fallback!r}) }}}}"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(
            f"Environment variable {name}={value!r} is not a whole number; unset it or set it to e.g. {default}."
        ) from None
