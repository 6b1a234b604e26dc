"""Shared helpers for lakepipe's Airflow DAGs.

The package is named ``lakepipe_dags`` (not ``lakepipe``) so that it cannot shadow the project's
``lakepipe`` entry script or any other module on the DAG processor's ``sys.path``.
"""
