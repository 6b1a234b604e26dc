"""The DAGs' MLflow calls sign in as MLflow's own clients do."""

import base64

from lakepipe_dags import mlflow_api


def test_a_token_comes_before_user_and_password():
    environ = {"MLFLOW_TRACKING_TOKEN": "tok", "MLFLOW_TRACKING_USERNAME": "ann", "MLFLOW_TRACKING_PASSWORD": "pw"}
    assert mlflow_api.auth_headers(environ) == {"Authorization": "Bearer tok"}


def test_user_and_password_are_http_basic():
    header = mlflow_api.auth_headers({"MLFLOW_TRACKING_USERNAME": "ann", "MLFLOW_TRACKING_PASSWORD": "p:w"})
    assert base64.b64decode(header["Authorization"].removeprefix("Basic ")) == b"ann:p:w"


def test_no_variables_no_header():
    assert mlflow_api.auth_headers({}) == {}
