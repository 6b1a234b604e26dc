"""MLflow pyfunc loader of a Spark pipeline with XGBoost4J-Spark stages: MLflow's own, plus their jar.

The ``python_function`` flavor of the model names this module as its ``loader_module`` and ``code``
as its code folder, which MLflow puts on ``sys.path``. ``mlflow.spark`` alone cannot load the
pipeline: its local Spark session has no XGBoost classes. So this loader starts that session as
``mlflow.spark`` does, with the model's ``jars/*.jar`` added (``spark.jars``), then hands over to
``mlflow.spark``'s loader: predictions are those of any lakepipe model, one P(label = 1) per row.

Spark adds jars only when its session starts. If this Python process already runs a Spark session
without the jar, the model cannot be loaded in it: load it in a fresh process, or start the session
with ``spark.jars`` set to the model's jar.

Written into the model's ``code/`` folder by lakepipe's jobs-train (``XGBoostPyfunc``).
"""

from __future__ import annotations

import glob
import os
from typing import Any

# The JVM class of the pipeline's XGBoost stage: the session must be able to load it.
XGBOOST_MODEL_CLASS = "ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel"
JARS_FOLDER = "jars"


def _jars(model_dir: str) -> list[str]:
    jars = sorted(glob.glob(os.path.join(model_dir, JARS_FOLDER, "*.jar")))
    if not jars:
        raise RuntimeError(
            f"The model at {model_dir} has no {JARS_FOLDER}/*.jar, which holds the XGBoost4J-Spark"
            " classes its pipeline needs: download the whole model directory, not only its data."
        )
    return jars


def _start_local_session(jars: list[str]) -> Any:
    """A local session as mlflow.spark starts one to load a model, with the jars on its class path.

    The settings are those of mlflow.utils._spark_utils, but for its log4j file (a Databricks path).
    """
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.config("spark.jars", ",".join(jars))
        .config("spark.python.worker.reuse", "true")
        .config("spark.databricks.io.cache.enabled", "false")
        .config("spark.executor.allowSparkContext", "true")
        .config("spark.driver.host", "127.0.0.1")
        .master("local[1]")
        .getOrCreate()
    )


def _can_load(spark_context: Any, class_name: str) -> bool:
    """Whether the JVM loads the class the way Spark ML's model reader will (Spark's Utils)."""
    from py4j.protocol import Py4JJavaError

    try:
        spark_context._jvm.org.apache.spark.util.Utils.classForName(class_name, False, False)
        return True
    except Py4JJavaError:
        return False


def _load_pyfunc(path: str) -> Any:
    """Called by ``mlflow.pyfunc.load_model`` with the flavor's data folder, ``sparkml-pyfunc``."""
    import mlflow.spark
    from pyspark import SparkContext

    jars = _jars(os.path.dirname(os.path.abspath(path)))
    started = SparkContext._active_spark_context is None
    if started:
        _start_local_session(jars)
    spark_context = SparkContext._active_spark_context
    if started and not _can_load(spark_context, XGBOOST_MODEL_CLASS):
        raise RuntimeError(
            f"Cannot load this XGBoost model: its jar {','.join(jars)} does not give the JVM"
            f" {XGBOOST_MODEL_CLASS}, so the model directory is damaged: log the model again."
        )
    if not _can_load(spark_context, XGBOOST_MODEL_CLASS):
        raise RuntimeError(
            f"Cannot load this XGBoost model: the Spark session already running in this Python process"
            f" cannot load {XGBOOST_MODEL_CLASS}, and Spark adds jars only when a session starts."
            f" Load the model in a new Python process (the loader then starts a session with the"
            f" model's jar), or start your session with spark.jars={','.join(jars)}."
        )
    # mlflow.spark's own loader (private, but the model pins its mlflow version): it uses the
    # session started above, reads the pipeline and wraps it to score pandas frames.
    return mlflow.spark._load_pyfunc(path)
