"""Part of the module path pyspark imports XGBoost's stage from: see ml.dmlc.xgboost4j.scala.spark."""
