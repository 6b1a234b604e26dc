"""check_pipeline's expectations on small fabricated tables, a fabricated bundle and a fake registry."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from types import SimpleNamespace
from typing import Any

import pyarrow as pa
import pytest

from check_pipeline import (
    DAILY_JOBS,
    DAILY_TABLES,
    TRAINING_JOBS,
    Checks,
    RegistryFacts,
    TableFacts,
    check_agreement,
    check_bundle,
    check_mlflow,
    check_tables,
    main,
)
from conftest import AUDIT, D1, D2, D3, Site, audit_run
from lakepipe_config import load_config

DAYS = [D1, D2, D3]
MODEL = "lakepipe_flights_delay"
CHECK_BRONZE = "check-table:bronze-flights"
PREDICTIONS = pa.schema([("model_name", pa.string()), ("model_version", pa.string()), ("ds", pa.date32())])


def write_daily_tables(site: Site, days: list[dt.date], rows: int = 3) -> None:
    for table in DAILY_TABLES:
        site.write(table, [{"x": i, "ds": day} for day in days for i in range(rows)])


def write_reports(site: Site, days: list[dt.date]) -> None:
    for day in days:
        page = site.lakehouse / "reports" / "daily" / f"ds={day}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<!DOCTYPE html><html><head><title>lakepipe daily report {day}</title></head></html>")


def write_audit(site: Site, runs: list[tuple[str, dt.date, str]]) -> None:
    site.write("audit-runs", [audit_run(site, job, day, status) for job, day, status in runs], AUDIT, partition_by=None)


def complete_audit() -> list[tuple[str, dt.date, str]]:
    return [(job, day, "SUCCEEDED") for job in DAILY_JOBS for day in DAYS] + [
        (job, D3, "SUCCEEDED") for job in TRAINING_JOBS
    ]


def test_tables_of_a_complete_run_meet_every_expectation(site_a: Site) -> None:
    write_daily_tables(site_a, DAYS)
    write_reports(site_a, DAYS)
    write_audit(site_a, [(CHECK_BRONZE, D2, "FAILED")] + complete_audit())
    site_a.write("predictions-flights", [{"model_name": MODEL, "model_version": "4", "ds": D3}] * 3, PREDICTIONS)
    checks = Checks()

    facts = check_tables(load_config(site_a.config), DAYS, D3, checks)

    assert checks.failures == []
    assert facts == TableFacts("4")
    assert "  ok   bronze-flights has rows for every ds: 2001-01-13 3, 2001-01-14 3, 2001-01-15 3" in checks.lines
    assert f"  ok   {CHECK_BRONZE} succeeded for every ds 2001-01-13..2001-01-15: also 1 failed runs" in checks.lines
    assert f"  ok   the daily report page exists for every ds: under {site_a.lakehouse}/reports/daily" in checks.lines


def test_every_missing_table_partition_and_job_run_is_listed(site_a: Site) -> None:
    write_daily_tables(site_a, [D1, D3])
    write_reports(site_a, [D1, D3])
    # A page left in the wrong day's folder is no report of that day.
    (site_a.lakehouse / "reports/daily/ds=2001-01-13/index.html").write_text(
        "<title>lakepipe daily report 2001-01-15</title>"
    )
    write_audit(
        site_a,
        [r for r in complete_audit() if r[0] != "export-pmml" and r[:2] != (CHECK_BRONZE, D1)]
        + [("export-pmml", D3, "FAILED")],
    )
    site_a.write(
        "predictions-flights", [{"model_name": MODEL, "model_version": v, "ds": D3} for v in ("4", "5")], PREDICTIONS
    )
    checks = Checks()

    facts = check_tables(load_config(site_a.config), DAYS, D3, checks)

    missing_days = [f"{table} has rows for every ds: no rows for ds 2001-01-14" for table in DAILY_TABLES]
    pages = site_a.lakehouse / "reports" / "daily"
    assert checks.failures == missing_days + [
        (
            f"the daily report page exists for every ds: {pages}/ds=2001-01-13/index.html"
            " is not the report of ds 2001-01-13"
        ),
        f"the daily report page exists for every ds: no {pages}/ds=2001-01-14/index.html",
        f"{CHECK_BRONZE} succeeded for every ds 2001-01-13..2001-01-15: no successful run for ds 2001-01-13",
        "export-pmml succeeded for ds 2001-01-15: no successful run for ds 2001-01-15 (FAILED)",
        f"predictions-flights ds 2001-01-15 scores every feature row with one version of {MODEL}:"
        " 2 rows, but features-flights has 3",
        f"predictions-flights ds 2001-01-15 scores every feature row with one version of {MODEL}:"
        " model_version is ['4', '5'], expected one version",
    ]
    assert facts == TableFacts(None)


def test_missing_tables_fail_without_stopping_the_other_checks(site_a: Site) -> None:
    checks = Checks()

    check_tables(load_config(site_a.config), DAYS, D3, checks)

    assert len(checks.failures) == len(DAILY_TABLES) + len(DAYS) + len(DAILY_JOBS) + len(TRAINING_JOBS) + 1
    assert all(
        "no Delta table at" in f or "no audit table at" in f or "the daily report page exists" in f
        for f in checks.failures
    )


def deploy_bundle(
    site: Site, version: str, pmml: bytes = b"<PMML/>", stated_sha: str | None = None, onnx: bytes | None = None
) -> None:
    """A PMML bundle, or with ``onnx`` an ONNX one, deployed as ``current``."""
    model_dir = site.config.parent / "deploy" / MODEL
    (model_dir / version).mkdir(parents=True)
    model, file, checksum_key = (
        (pmml, "model.pmml", "pmml_sha256") if onnx is None else (onnx, "model.onnx", "model_sha256")
    )
    (model_dir / version / file).write_bytes(model)
    bundle = {
        "model_name": MODEL,
        "model_version": version,
        "run_id": "r1",
        checksum_key: stated_sha or hashlib.sha256(model).hexdigest(),
    }
    if onnx is not None:
        bundle["format"] = "onnx"
    (model_dir / version / "bundle.json").write_text(json.dumps(bundle))
    (model_dir / "current").symlink_to(version)


def test_bundle_names_its_version_and_matches_its_checksum(site_a: Site) -> None:
    deploy_bundle(site_a, "4")
    checks = Checks()

    assert check_bundle(load_config(site_a.config), checks) == "4"
    assert checks.failures == []


def test_bundle_with_another_checksum_or_missing_fails(site_a: Site, site_b: Site) -> None:
    deploy_bundle(site_a, "4", stated_sha="0" * 64)
    checks = Checks()

    check_bundle(load_config(site_a.config), checks)
    check_bundle(load_config(site_b.config), checks)

    assert checks.failures[0].endswith("model.pmml does not match pmml_sha256")
    assert checks.failures[1].endswith("/bundle.json: export-pmml has deployed no version there")


def test_an_onnx_bundle_is_checked_by_its_own_file_and_checksum_key(site_a: Site, site_b: Site) -> None:
    deploy_bundle(site_a, "5", onnx=b"\x08\x07onnx")
    deploy_bundle(site_b, "5", onnx=b"\x08\x07onnx", stated_sha="0" * 64)
    checks = Checks()

    assert check_bundle(load_config(site_a.config), checks) == "5"
    assert checks.failures == []
    check_bundle(load_config(site_b.config), checks)
    assert len(checks.failures) == 1
    assert checks.failures[0].endswith("model.onnx does not match model_sha256")


class FakeRegistry:
    """The registry calls check_mlflow makes, answered from fixed entities; any other call fails."""

    def __init__(self, runs: list[Any], versions: list[Any], aliases: dict[str, Any]) -> None:
        self.runs, self.versions, self.aliases = runs, versions, aliases

    def get_experiment_by_name(self, name: str) -> Any:
        return SimpleNamespace(experiment_id="7") if name == "lakepipe-flights" else None

    def search_runs(self, experiment_ids: list[str], filter_string: str, max_results: int, order_by: list[str]) -> Any:
        assert (experiment_ids, filter_string) == (["7"], "tags.`lakepipe.ds` = '2001-01-15'")
        return self.runs

    def search_model_versions(self, filter_string: str) -> Any:
        return [v for v in self.versions if f"run_id = '{v.run_id}'" in filter_string]

    def get_model_version_by_alias(self, name: str, alias: str) -> Any:
        if alias not in self.aliases:
            raise LookupError(f"{name}@{alias} not found")
        return self.aliases[alias]


def run(run_id: str, status: str, metrics: dict[str, float], nested: bool = False) -> Any:
    tags = {"lakepipe.ds": "2001-01-15"} | ({"mlflow.parentRunId": "p"} if nested else {})
    return SimpleNamespace(
        info=SimpleNamespace(run_id=run_id, run_name=f"train-{run_id}", status=status),
        data=SimpleNamespace(metrics=metrics, tags=tags),
    )


METRICS = {"test_roc_auc": 0.62, "test_pr_auc": 0.31, "test_log_loss": 0.52, "baseline_test_roc_auc": 0.59}


def test_registry_of_a_complete_training_meets_every_expectation(site_a: Site) -> None:
    version = SimpleNamespace(version="4", run_id="r2", status="READY")
    registry = FakeRegistry(
        [run("r2", "FINISHED", METRICS), run("r1", "FAILED", {}), run("n1", "FINISHED", {}, nested=True)],
        [version],
        {"champion": version},
    )
    checks = Checks()

    facts = check_mlflow(registry, load_config(site_a.config), D3, checks)

    assert checks.failures == []
    assert facts == RegistryFacts(scoring_version="4", pmml_version="4")
    assert "  ok   a FINISHED training run tagged lakepipe.ds=2001-01-15: run r2 (train-r2)" in checks.lines


def test_registry_failures_are_all_listed(site_a: Site) -> None:
    registry = FakeRegistry([run("r1", "FAILED", {}), run("r3", "RUNNING", {})], [], {})
    checks = Checks()

    facts = check_mlflow(registry, load_config(site_a.config), D3, checks)

    assert checks.failures == [
        "a FINISHED training run tagged lakepipe.ds=2001-01-15: none (other runs: FAILED, RUNNING)",
        f"alias champion points to a version: {MODEL}@champion not found",
    ]
    assert facts == RegistryFacts(None, None)


def test_run_without_metrics_or_registered_version_fails(site_a: Site) -> None:
    champion = SimpleNamespace(version="1", run_id="r0", status="READY")
    registry = FakeRegistry([run("r2", "FINISHED", {"test_roc_auc": 0.6})], [champion], {"champion": champion})
    checks = Checks()

    check_mlflow(registry, load_config(site_a.config), D3, checks)

    assert checks.failures == [
        "the run has its test metrics: test_pr_auc missing or not a number",
        "the run has its test metrics: test_log_loss missing or not a number",
        "the run has its test metrics: baseline_test_roc_auc missing or not a number",
        f"{MODEL} has a version from that run: no version has this run as source",
    ]


def test_predictions_and_bundle_must_be_of_the_resolved_versions() -> None:
    checks = Checks()

    check_agreement(TableFacts("3"), RegistryFacts(scoring_version="4", pmml_version="4"), "4", checks)

    assert checks.failures == ["predictions are of the version serve-export resolves: version 3, registry says 4"]


def test_main_reports_an_unreachable_tracking_server_and_exits_1(
    site_a: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    write_daily_tables(site_a, DAYS)

    code = main(
        [
            "--config",
            str(site_a.config),
            "--from",
            "2001-01-13",
            "--to",
            "2001-01-15",
            "--train-ds",
            "2001-01-15",
            "--tracking-uri",
            "http://127.0.0.1:9",
        ]
    )

    out = capsys.readouterr().out
    assert code == 1
    assert "  FAIL tracking server answers" in out
    assert "  - tracking server answers: http://127.0.0.1:9 does not answer (ConnectionError)" in out


def test_main_exits_2_on_a_missing_config(site_a: Site) -> None:
    code = main(
        [
            "--config",
            str(site_a.config.parent / "missing.conf"),
            "--from",
            "2001-01-13",
            "--to",
            "2001-01-15",
            "--train-ds",
            "2001-01-15",
        ]
    )

    assert code == 2
