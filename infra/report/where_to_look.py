"""Print where to look after a pipeline run: the Delta tables, the MLflow run and model version.

Reads the same HOCON config as the jobs (defaults from jobs-core, then the --config file), the Delta
tables with delta-rs (no Spark needed), and the tracking server with MLflow's Python client.

    python infra/report/where_to_look.py --ds 2001-01-15 [--config config/local.conf]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

import pyarrow.compute as pc
from deltalake import DeltaTable
from mlflow import MlflowClient
from pyhocon import ConfigTree

from lakepipe_config import HOME, load_config


def table_line(name: str, path: str, ds: dt.date) -> str:
    if not (Path(path) / "_delta_log").is_dir():
        return f"  {name:<24} (not written yet)  {path}"
    table = DeltaTable(path)
    rows = table.to_pyarrow_table(filters=[("ds", "=", ds)]) if "ds" in table.schema().to_arrow().names else None
    count = "" if rows is None else f"{rows.num_rows:>7} rows for ds"
    extra = ""
    if rows is not None and "delay_probability" in rows.column_names and rows.num_rows:
        mean = pc.mean(rows["delay_probability"]).as_py()
        extra = f", mean P(delayed) {mean:.3f}"
    return f"  {name:<24} v{table.version():<4}{count}{extra}  {path}"


def prediction_samples(path: str, ds: dt.date, count: int = 5) -> list[str]:
    if not (Path(path) / "_delta_log").is_dir():
        return []
    rows = DeltaTable(path).to_pyarrow_table(filters=[("ds", "=", ds)]).slice(0, count).to_pylist()
    return [
        f"  {r['flight_ts']:%Y-%m-%d %H:%M} {r['origin']}->{r['destination']}  P(delayed) {r['delay_probability']:.3f}"
        f"  predicted {'delayed' if r['predicted_delayed'] else 'on time'}  ({r['model_name']} v{r['model_version']})"
        for r in rows
    ]


def quarantine_reasons(path: str, ds: dt.date) -> list[str]:
    """How many rows of the day went to quarantine for each reason, most frequent first."""
    if not (Path(path) / "_delta_log").is_dir():
        return []
    reasons = DeltaTable(path).to_pyarrow_table(columns=["reason"], filters=[("ds", "=", ds)])
    counts = pc.value_counts(reasons["reason"]).to_pylist()
    return [f"  {c['counts']:>6}  {c['values']}" for c in sorted(counts, key=lambda c: -c["counts"])]


def audit_lines(path: str, ds: dt.date) -> list[str]:
    if not (Path(path) / "_delta_log").is_dir():
        return []
    runs = DeltaTable(path).to_pyarrow_table(filters=[("ds", "=", ds)]).to_pylist()
    runs.sort(key=lambda r: r["started_at"])
    return [
        f"  {r['started_at']:%H:%M:%S} {r['job']:<15} {r['status']:<9} read {r['rows_read']:>6}"
        f"  written {r['rows_written']:>6}  quarantined {r['rows_quarantined']:>4}"
        f"  {r['duration_ms'] / 1000:5.1f} s"
        for r in runs[-8:]
    ]


def mlflow_lines(config: ConfigTree, ds: dt.date) -> list[str]:
    uri = config["mlflow"]["tracking-uri"]
    client = MlflowClient(tracking_uri=uri)
    lines = [f"MLflow UI: {uri}"]
    experiment = client.get_experiment_by_name(config["mlflow"]["experiment"])
    if experiment is None:
        return lines + ["  (no experiment yet)"]
    lines.append(f"  experiment {experiment.name}: {uri}/#/experiments/{experiment.experiment_id}/runs")
    runs = client.search_runs(
        [experiment.experiment_id], f"tags.`lakepipe.ds` = '{ds}'", order_by=["start_time DESC"], max_results=1
    )
    if runs:
        run = runs[0]
        metrics, tags = run.data.metrics, run.data.tags
        auc = metrics.get("test_roc_auc", float("nan"))
        baseline = metrics.get("baseline_test_roc_auc", float("nan"))
        lines.append(
            f"  latest run for ds {ds}: {run.info.run_name} ({run.info.status}), chose"
            f" {tags.get('lakepipe.chosen_candidate', '?')}: test ROC AUC {auc:.4f}"
            f" (route baseline {baseline:.4f}); gate: {tags.get('lakepipe.gate.explanation', '?')}"
            f"\n    {uri}/#/experiments/{experiment.experiment_id}/runs/{run.info.run_id}"
            " (candidates are its nested runs; plots under Artifacts > plots)"
        )
    name = config["mlflow"]["model-name"]
    alias = config["export"]["model-alias"]
    try:
        version = client.get_model_version_by_alias(name, alias)
        lines.append(
            f"  model {name} version {version.version} (@{alias}), from run {version.run_id}"
            f"\n    {uri}/#/models/{name}/versions/{version.version}"
        )
    except Exception as error:  # noqa: BLE001 - any registry error is reported, not raised
        lines.append(f"  model {name}@{alias}: not found ({error.__class__.__name__})")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ds", required=True, type=dt.date.fromisoformat)
    parser.add_argument(
        "--config", type=Path, default=Path(os.environ.get("LAKEPIPE_CONFIG", HOME / "config/local.conf"))
    )
    args = parser.parse_args()
    config = load_config(args.config)
    tables = config["tables"]

    print(f"\nWhere to look (ds {args.ds}, config {args.config}):\n")
    print("Delta tables:")
    for name in (
        "bronze-flights",
        "quarantine-flights",
        "quality-bronze-flights",
        "bronze-airports",
        "features-daily-stats",
        "features-flights",
        "labels-flights",
        "quality-features-flights",
        "predictions-flights",
        "prediction-quality-flights",
    ):
        print(table_line(name, tables[name], args.ds))
    print(f"\nQuarantined rows by reason ({tables['quarantine-flights']}):")
    print("\n".join(quarantine_reasons(tables["quarantine-flights"], args.ds)) or "  (none)")
    print(f"\nA few predictions ({tables['predictions-flights']}):")
    print("\n".join(prediction_samples(tables["predictions-flights"], args.ds)) or "  (none)")
    print(f"\nAudit ({tables['audit-runs']}), latest runs for ds {args.ds}:")
    print("\n".join(audit_lines(tables["audit-runs"], args.ds)) or "  (none)")
    print()
    print("\n".join(mlflow_lines(config, args.ds)))
    export_dir = Path(config["export"]["dir"]) / config["mlflow"]["model-name"]
    if export_dir.is_dir():
        versions = sorted((p for p in export_dir.iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
        if versions:
            print(f"\nExported MLflow model directory: {versions[-1]}")
    print(f"\nSpark UI: http://127.0.0.1:{os.environ.get('SPARK_UI_PORT', '4040')} while a job runs.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
