"""pyspark's twin of XGBoost4J-Spark's fitted classifier, so that pyspark can load a pipeline holding one.

pyspark loads each stage of a JVM pipeline as the Python class named like the stage's JVM class
(``JavaParams._from_java`` swaps ``org.apache.spark`` for ``pyspark`` and imports the rest as it is),
so ``ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel`` is looked up here. XGBoost ships no
such class for its JVM package. This one only wraps the JVM model, which must be on the session's
class path (the model's ``jars/`` folder, put there by ``lakepipe_xgboost_pyfunc``): ``transform``
runs in the JVM, as it does for Spark's own stages.

Written into the model's ``code/`` folder by lakepipe's jobs-train (``XGBoostPyfunc``).
"""

from __future__ import annotations

from pyspark.ml.util import JavaMLReadable, JavaMLWritable
from pyspark.ml.wrapper import JavaModel


class XGBoostClassificationModel(JavaModel, JavaMLReadable["XGBoostClassificationModel"], JavaMLWritable):
    """A fitted ``ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel``, run in the JVM.

    Its params are those of the JVM model, read when pyspark loads it, as for Spark's own models.
    """
