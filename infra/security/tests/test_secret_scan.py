"""secret_scan on a throwaway checkout: the real secrets of its .lakepipe, found where they leaked."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from secret_scan import main

PG_PASSWORD = "Zq8vX2mK9pL4rT7w"
AWS_SECRET = "aB3dE5fG7hJ9kL1mN3pQ"
AIRFLOW_PASSWORD = "s3cr3t-Airflow_pw"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("LAKEPIPE_SERVING_TOKEN", raising=False)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text(".lakepipe/\ntarget/\n")
    state = tmp_path / ".lakepipe"
    (state / "airflow").mkdir(parents=True)
    (state / "logs").mkdir()
    (state / "secrets.env").write_text(
        "AWS_ACCESS_KEY_ID=lakepipe\n"
        f"AWS_SECRET_ACCESS_KEY={AWS_SECRET}\n"
        "AWS_REGION=us-east-1\n"
        "LAKEPIPE_PG_USER=lakepipe\n"
        f"LAKEPIPE_PG_PASSWORD={PG_PASSWORD}\n"
    )
    (state / "airflow" / "simple_auth_manager_passwords.json.generated").write_text(
        json.dumps({"admin": AIRFLOW_PASSWORD})
    )
    (tmp_path / "README.md").write_text("lakepipe\nuser lakepipe, region us-east-1\n")
    (state / "logs" / "mlflow.log").write_text("started\n")
    return tmp_path


def scan(home: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["--home", str(home)])
    return code, capsys.readouterr().out


def test_a_clean_checkout_passes_and_user_names_are_no_secrets(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = scan(home, capsys)

    assert code == 0, out
    assert "3 secrets (AWS_SECRET_ACCESS_KEY, LAKEPIPE_PG_PASSWORD, the Airflow password of 'admin' (airflow))" in out


def test_a_secret_in_a_file_git_would_commit_is_found_by_name_not_value(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "config").mkdir()
    (home / "config" / "cluster.conf").write_text(f'lakepipe {{\n  password = "{PG_PASSWORD}"\n}}\n')

    code, out = scan(home, capsys)

    assert code == 1
    assert "FOUND config/cluster.conf:2: LAKEPIPE_PG_PASSWORD" in out
    assert PG_PASSWORD not in out


def test_a_secret_in_a_log_line_is_found(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (home / ".lakepipe" / "logs" / "airflow.log").write_text(f"ok\nPassword for user 'admin': {AIRFLOW_PASSWORD}\n")
    (home / "jobs-ingest" / "target" / "failsafe-reports").mkdir(parents=True)
    (home / "jobs-ingest" / "target" / "failsafe-reports" / "IT-output.txt").write_text(f"aws {AWS_SECRET}\n")

    code, out = scan(home, capsys)

    assert code == 1
    assert "FOUND .lakepipe/logs/airflow.log:2: the Airflow password of 'admin' (airflow)" in out
    assert "FOUND jobs-ingest/target/failsafe-reports/IT-output.txt:1: AWS_SECRET_ACCESS_KEY" in out


def test_a_secret_in_a_zstd_spark_event_log_is_found(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pyarrow as pa

    events = home / ".lakepipe" / "spark-events"
    events.mkdir()
    with pa.CompressedOutputStream(str(events / "app-1.zstd"), "zstd") as stream:
        stream.write(
            b'{"Event":"SparkListenerEnvironmentUpdate"}\n{"spark.hadoop.fs.s3a.secret.key":"'
            + AWS_SECRET.encode()
            + b'"}\n'
        )

    code, out = scan(home, capsys)

    assert code == 1
    assert "FOUND .lakepipe/spark-events/app-1.zstd:2: AWS_SECRET_ACCESS_KEY" in out


def test_credential_shapes_in_the_repository_are_found_whoever_they_belong_to(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Put together here, so that this file itself holds neither shape.
    (home / "notes.txt").write_text("key AKIA" + "IOSFODNN7EXAMPLE\n-----BEGIN RSA PRIVATE " + "KEY-----\n")

    code, out = scan(home, capsys)

    assert code == 1
    assert "FOUND notes.txt:1: an AWS access key id" in out
    assert "FOUND notes.txt:2: a private key" in out


def test_ignored_files_outside_the_log_folders_are_not_scanned(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The secrets file itself and other git-ignored state are where secrets belong.
    (home / ".lakepipe" / "services").mkdir()
    (home / ".lakepipe" / "services" / "pgpass").write_text(PG_PASSWORD)

    code, out = scan(home, capsys)

    assert code == 0, out


def test_without_secrets_there_is_nothing_to_scan_for(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (home / ".lakepipe" / "secrets.env").unlink()
    (home / ".lakepipe" / "airflow" / "simple_auth_manager_passwords.json.generated").unlink()

    assert main(["--home", str(home)]) == 2
