"""Check what a declared data product's runs should have left: its tables per ds, audit rows, model.

For a data product declared in config alone (a file source, its feature view and its model, such as
config/pipelines/birdstrikes.conf), after its DAG ran for each of --ds and trained for the last:

- Bronze and quarantine: the source's bronze table has rows for every ds, and every quarantined
  row of those ds has its reason and raw record; with --min-quarantined, at least that many, and
  with --expect-reason, rows quarantined for each such reason (a part of it).
- Features: the view's features and labels tables have as many rows as its entity table, per ds.
- Audit: a SUCCEEDED run of ingest-files:<source>, build-features:<view> and check-features:<view>
  for every ds, and of train-model:<model> for the last.
- MLflow: the model's experiment has a FINISHED training run tagged lakepipe.ds = the last ds with
  its test metrics and the baseline's, and the model's registered name has a version from that run,
  tagged with the gate's decision.

    python infra/report/check_data_product.py --config config/local.conf --source birdstrikes \\
        --view birdstrikes --model birdstrike-damage --ds 1999-01-01 2000-01-01 2001-01-01

Exit status: 0 when every expectation holds, 1 when any fails, 2 on bad arguments or config.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from deltalake import DeltaTable

from check_pipeline import SUCCEEDED, TEST_METRICS, Checks, _rows_per_ds, _training_run, reachable
from lakepipe_config import ConfigProblem, load_config, setting

GATE_TAG = "lakepipe.gate.decision"


def check_tables(
    config,
    source: str,
    view: str,
    days: Sequence[dt.date],
    min_quarantined: int,
    expected_reasons: Sequence[str],
    checks: Checks,
) -> None:
    """Bronze, quarantine, features and labels of every ds."""
    tables = setting(config, "tables")
    bronze = tables[setting(config, f"sources.{source}.bronze-table")]
    quarantine = tables[setting(config, f"sources.{source}.quarantine-table")]
    entity = tables[setting(config, f"views.{view}.entity.table")]
    features = tables[setting(config, f"views.{view}.tables.features")]
    labels = tables[setting(config, f"views.{view}.tables.labels")]
    first, last = days[0], days[-1]
    checks.section(f"Tables of ds {first}..{last}:")
    bronze_rows = _rows_per_ds(bronze, first, last) or {}
    checks.expect(
        f"{bronze} has rows for every ds",
        [f"none for ds {d}" for d in days if not bronze_rows.get(d)],
        ", ".join(f"{d}: {bronze_rows.get(d, 0)}" for d in days),
    )
    quarantined = []
    if DeltaTable.is_deltatable(quarantine):
        quarantined = (
            DeltaTable(quarantine).to_pyarrow_table(filters=[("ds", ">=", first), ("ds", "<=", last)]).to_pylist()
        )
    without_reason = [r for r in quarantined if not r.get("reason") or r.get("raw_record") is None]
    problems = [f"{len(without_reason)} rows without reason or raw record"] if without_reason else []
    if len(quarantined) < min_quarantined:
        problems.append(f"{len(quarantined)} rows, expected at least {min_quarantined}")
    reasons = sorted({r["reason"] for r in quarantined if r.get("reason")})
    problems += [
        f"no row quarantined for '{reason}'"
        for reason in expected_reasons
        if not any(reason in found for found in reasons)
    ]
    checks.expect(
        f"{quarantine} keeps every bad row with its reason",
        problems,
        f"{len(quarantined)} rows: {'; '.join(reasons)[:300]}",
    )
    entity_rows = _rows_per_ds(entity, first, last) or {}
    for table in (features, labels):
        rows = _rows_per_ds(table, first, last) or {}
        checks.expect(
            f"{table} has a row per entity row, every ds",
            [
                f"ds {d}: {rows.get(d, 0)} rows, {entity_rows.get(d, 0)} entity rows"
                for d in days
                if rows.get(d, 0) != entity_rows.get(d, 0) or not rows.get(d)
            ],
        )


def check_audit(config, source: str, view: str, model: str, days: Sequence[dt.date], checks: Checks) -> None:
    path = setting(config, "tables.audit-runs")
    checks.section(f"Audit ({path}):")
    expected = [
        (job, list(days)) for job in (f"ingest-files:{source}", f"build-features:{view}", f"check-features:{view}")
    ]
    expected.append((f"train-model:{model}", [days[-1]]))
    runs = []
    if DeltaTable.is_deltatable(path):
        runs = (
            DeltaTable(path)
            .to_pyarrow_table(columns=["job", "ds", "status"], filters=[("ds", ">=", days[0]), ("ds", "<=", days[-1])])
            .to_pylist()
        )
    for job, job_days in expected:
        missing = [
            d for d in job_days if not any(r["job"] == job and r["ds"] == d and r["status"] == SUCCEEDED for r in runs)
        ]
        checks.expect(
            f"{job} succeeded for {', '.join(map(str, job_days))}", [f"no successful run for ds {d}" for d in missing]
        )


def check_model(client, config, model: str, train_ds: dt.date, checks: Checks) -> None:
    experiment_name = setting(config, f"models.{model}.experiment")
    model_name = setting(config, f"models.{model}.model-name")
    experiment = client.get_experiment_by_name(experiment_name)
    if not checks.expect(f"experiment {experiment_name} exists", [] if experiment else ["not found"]):
        return
    run = _training_run(client, experiment.experiment_id, train_ds, checks)
    if run is None:
        return
    metrics = run.data.metrics
    missing = [m for m in TEST_METRICS if not math.isfinite(metrics.get(m, math.nan))]
    checks.expect(
        "the run has its test metrics and the baseline's",
        [f"{m} missing" for m in missing],
        ", ".join(f"{m} {metrics[m]:.4f}" for m in TEST_METRICS if m not in missing),
    )
    versions = client.search_model_versions(f"name = '{model_name}' and run_id = '{run.info.run_id}'")
    checks.expect(
        f"{model_name} has a version from that run",
        [] if versions else ["none"],
        f"version {versions[0].version}" if versions else "",
    )
    decision = run.data.tags.get(GATE_TAG)
    checks.expect(
        "the gate decided on it",
        [] if decision else [f"no tag {GATE_TAG} on the run"],
        f"{decision}: {run.data.tags.get('lakepipe.gate.explanation', '')}",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--source", required=True, help="the file source, a key of lakepipe.sources")
    parser.add_argument("--view", required=True, help="the feature view, a key of lakepipe.views")
    parser.add_argument("--model", required=True, help="the model, a key of lakepipe.models")
    parser.add_argument(
        "--ds",
        type=dt.date.fromisoformat,
        nargs="+",
        required=True,
        metavar="YYYY-MM-DD",
        help="the ds the DAG ran for; the last one trained",
    )
    parser.add_argument("--min-quarantined", type=int, default=0)
    parser.add_argument("--expect-reason", action="append", default=[], help="a reason some rows must have")
    args = parser.parse_args(argv)
    days = sorted(args.ds)
    try:
        config = load_config(args.config)
        checks = Checks()
        check_tables(config, args.source, args.view, days, args.min_quarantined, args.expect_reason, checks)
        check_audit(config, args.source, args.view, args.model, days, checks)
        uri = setting(config, "mlflow.tracking-uri")
        checks.section(f"MLflow ({uri}):")
        unreachable = reachable(uri, float(setting(config, "mlflow.timeout-seconds")))
        if checks.expect("tracking server answers", [unreachable] if unreachable else []):
            from mlflow import MlflowClient  # slow to import; only when the server is there

            check_model(MlflowClient(tracking_uri=uri), config, args.model, days[-1], checks)
    except ConfigProblem as problem:
        print(f"check_data_product: {problem}", file=sys.stderr)
        return 2
    return checks.report(f"What the runs of {args.source} / {args.view} / {args.model} left (config {args.config})")


if __name__ == "__main__":
    sys.exit(main())
