"""Check what the daily and training runs should have left: tables, audit rows, MLflow run, model, bundle.

For the end-to-end test, whose backfill runs the daily steps for every ds of [--from, --to] and the
training for --train-ds. Expectations, each checked and reported, all failures listed:

- Delta tables: bronze flights, their quality results, flight features, flight labels and the
  features' quality metrics have rows for every ds of the range.
- Daily report: ``<lakepipe.report.location>/ds=<ds>/index.html`` is the report page of every ds.
- Audit table: a SUCCEEDED run of each daily job (``DAILY_JOBS``) for every ds, and of each training
  job (``TRAINING_JOBS``) for the training ds. Failed runs beside a success (Airflow retries) are
  counted, not failed.
- Predictions of the training ds: one row per feature row, all of model ``lakepipe.mlflow.model-name``
  and one version, the version that serve-export resolves (``lakepipe.export``).
- MLflow: experiment ``lakepipe.mlflow.experiment`` has a FINISHED training run tagged ``lakepipe.ds``
  = training ds with its test metrics (``TEST_METRICS``, as TrainingRunLog names them); the
  registered model has a version created from that run; the champion alias points to a version.
  A tracking server that does not answer is one failure, and these checks are skipped.
- Bundle: ``<lakepipe.export.pmml.location>/<model>/current/bundle.json`` names the model and the
  version that export-pmml resolves, and its model file beside it (``model.pmml``, or ``model.onnx``
  with ``"format": "onnx"``) has the checksum the bundle states.
- As a data scientist scores: ``mlflow.pyfunc.load_model`` of the version serve-export scored with takes
  rows of the features table as pandas reads them from Delta, no cast, and gives the predictions
  table's probabilities (``SCORED_ROWS`` rows).

    python infra/report/check_pipeline.py --config config/local.conf --from 2001-01-13 \\
        --to 2001-01-15 --train-ds 2001-01-15 [--tracking-uri http://127.0.0.1:5000]

The tracking URI defaults to ``lakepipe.mlflow.tracking-uri`` (which MLFLOW_TRACKING_URI overrides).
Exit status: 0 when every expectation holds, 1 when any fails, 2 on bad arguments or config.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc
import requests
from deltalake import DeltaTable
from pyhocon import ConfigTree

from lakepipe_config import ConfigProblem, load_config, setting

# Tables that every daily run writes a ds partition of.
DAILY_TABLES = (
    "bronze-flights",
    "quality-bronze-flights",
    "features-flights",
    "labels-flights",
    "quality-features-flights",
)
# Audit job names, as each job's main passes them to JobRunner.execute; the name of a job run for a
# declared subject carries it (ingest-files' and ingest-jdbc's --source, check-table's --table), so
# each has runs of its own.
DAILY_JOBS = (
    "ingest-files:flights",
    "ingest-jdbc:airports",
    "check-table:bronze-flights",
    "build-features:flights",
    "check-features:flights",
    "report",
)
TRAINING_JOBS = ("train-model:flights-delay", "serve-export", "export-pmml", "monitor-predictions")
SUCCEEDED = "SUCCEEDED"
# Metrics of the training run (TrainingRunLog.logChosen): the chosen model's and the baseline's.
TEST_METRICS = ("test_roc_auc", "test_pr_auc", "test_log_loss", "baseline_test_roc_auc")
DS_TAG = "lakepipe.ds"
# Feature rows scored again through MLflow's pyfunc: enough to meet every input type, few for speed.
SCORED_ROWS = 200
PARENT_RUN_TAG = "mlflow.parentRunId"
# Each format bundle.json may name (``format``, pmml when absent): its model file and checksum key.
BUNDLE_FORMATS = {"pmml": ("model.pmml", "pmml_sha256"), "onnx": ("model.onnx", "model_sha256")}


@dataclass
class Checks:
    """The expectations checked so far: a report line for each, and every failure with its reason."""

    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def section(self, title: str) -> None:
        self.lines.append(title)

    def expect(self, what: str, problems: Sequence[str] = (), detail: str = "") -> bool:
        """One expectation, which holds when ``problems`` is empty; each problem is listed as a failure."""
        self.lines.append(f"  {'ok  ' if not problems else 'FAIL'} {what}" + (f": {detail}" if detail else ""))
        self.failures += [f"{what}: {problem}" for problem in problems]
        return not problems

    def note(self, text: str) -> None:
        self.lines.append(f"       {text}")

    def report(self, title: str) -> int:
        """Print the title, every line and the failures; the exit status: 0 when all hold, else 1."""
        print(f"{title}\n")
        print("\n".join(self.lines))
        if self.failures:
            print(f"\n{len(self.failures)} failed expectations:")
            print("\n".join(f"  - {failure}" for failure in self.failures))
            return 1
        print("\nEvery expectation holds.")
        return 0


@dataclass(frozen=True)
class TableFacts:
    """What the tables say that the registry checks compare with."""

    predicted_version: str | None


@dataclass(frozen=True)
class RegistryFacts:
    """The versions that serve-export and export-pmml resolve (pinned number, else alias), when found."""

    scoring_version: str | None
    pmml_version: str | None


def check_tables(config: ConfigTree, days: Sequence[dt.date], train_ds: dt.date, checks: Checks) -> TableFacts:
    """The daily tables' rows, the audit's successful runs and the training ds' predictions."""
    tables = setting(config, "tables")
    checks.section(f"Delta tables ({setting(config, 'lakehouse')}):")
    for name in DAILY_TABLES:
        counts = _rows_per_ds(tables[name], days[0], days[-1])
        if counts is None:
            checks.expect(f"{name} has rows for every ds", [f"no Delta table at {tables[name]}"])
            continue
        checks.expect(
            f"{name} has rows for every ds",
            [f"no rows for ds {day}" for day in days if not counts.get(day)],
            ", ".join(f"{day} {counts.get(day, 0)}" for day in days),
        )
    check_reports(config, days, checks)
    _check_audit(tables["audit-runs"], days, train_ds, checks)
    return _check_predictions(config, train_ds, checks)


def check_reports(config: ConfigTree, days: Sequence[dt.date], checks: Checks) -> None:
    """The report job's page of every ds: there, and titled with its ds (a local location only)."""
    location = str(setting(config, "report.location")).rstrip("/")
    what = "the daily report page exists for every ds"
    if "://" in location:
        checks.expect(what, [f"{location} is not a local folder; this tool reads local pages only"])
        return
    problems = []
    for day in days:
        page = Path(location) / f"ds={day}" / "index.html"
        if not page.is_file():
            problems.append(f"no {page}")
        elif f"<title>lakepipe daily report {day}</title>" not in page.read_text(encoding="utf-8", errors="replace"):
            problems.append(f"{page} is not the report of ds {day}")
    checks.expect(what, problems, f"under {location}" if not problems else "")


def _rows_per_ds(path: str, start: dt.date, end: dt.date) -> dict[dt.date, int] | None:
    if not DeltaTable.is_deltatable(path):
        return None
    ds = DeltaTable(path).to_pyarrow_table(columns=["ds"], filters=[("ds", ">=", start), ("ds", "<=", end)])["ds"]
    return {c["values"]: c["counts"] for c in pc.value_counts(ds).to_pylist()}


def _check_audit(path: str, days: Sequence[dt.date], train_ds: dt.date, checks: Checks) -> None:
    checks.section(f"Audit ({path}):")
    expected = [(job, list(days)) for job in DAILY_JOBS] + [(job, [train_ds]) for job in TRAINING_JOBS]
    if not DeltaTable.is_deltatable(path):
        for job, job_days in expected:
            checks.expect(f"{job} succeeded for {_days_text(job_days)}", [f"no audit table at {path}"])
        return
    first, last = min(days[0], train_ds), max(days[-1], train_ds)
    runs = (
        DeltaTable(path)
        .to_pyarrow_table(columns=["job", "ds", "status"], filters=[("ds", ">=", first), ("ds", "<=", last)])
        .to_pylist()
    )
    for job, job_days in expected:
        problems, failed = [], 0
        for day in job_days:
            statuses = [r["status"] for r in runs if r["job"] == job and r["ds"] == day]
            failed += sum(s != SUCCEEDED for s in statuses)
            if SUCCEEDED not in statuses:
                problems.append(f"no successful run for ds {day}" + (f" ({', '.join(statuses)})" if statuses else ""))
        checks.expect(
            f"{job} succeeded for {_days_text(job_days)}",
            problems,
            f"also {failed} failed runs" if failed and not problems else "",
        )


def _days_text(days: Sequence[dt.date]) -> str:
    return f"ds {days[0]}" if len(days) == 1 else f"every ds {days[0]}..{days[-1]}"


def _check_predictions(config: ConfigTree, train_ds: dt.date, checks: Checks) -> TableFacts:
    tables = setting(config, "tables")
    model_name = setting(config, "mlflow.model-name")
    path = tables["predictions-flights"]
    what = f"predictions-flights ds {train_ds} scores every feature row with one version of {model_name}"
    if not DeltaTable.is_deltatable(path):
        checks.expect(what, [f"no Delta table at {path}"])
        return TableFacts(None)
    rows = DeltaTable(path).to_pyarrow_table(columns=["model_name", "model_version"], filters=[("ds", "=", train_ds)])
    features = _rows_per_ds(tables["features-flights"], train_ds, train_ds) or {}
    names = _distinct(rows["model_name"])
    versions = _distinct(rows["model_version"])
    problems = []
    if rows.num_rows == 0:
        problems.append("no rows")
    elif rows.num_rows != features.get(train_ds, 0):
        problems.append(f"{rows.num_rows} rows, but features-flights has {features.get(train_ds, 0)}")
    if rows.num_rows and names != [model_name]:
        problems.append(f"model_name is {names}, expected only {model_name}")
    if rows.num_rows and (len(versions) != 1 or versions[0] is None):
        problems.append(f"model_version is {versions}, expected one version")
    version = versions[0] if len(versions) == 1 else None
    checks.expect(what, problems, f"{rows.num_rows} rows, version {version}" if not problems else "")
    return TableFacts(version)


def _distinct(column: pa.ChunkedArray) -> list[Any]:
    return sorted(pc.unique(column).to_pylist(), key=str)


class Registry(Protocol):
    """The MlflowClient methods used here, so that tests can pass a small fake."""

    def get_experiment_by_name(self, name: str) -> Any: ...

    def search_runs(
        self, experiment_ids: list[str], filter_string: str, max_results: int, order_by: list[str]
    ) -> Any: ...

    def search_model_versions(self, filter_string: str) -> Any: ...

    def get_model_version_by_alias(self, name: str, alias: str) -> Any: ...


def check_mlflow(client: Registry, config: ConfigTree, train_ds: dt.date, checks: Checks) -> RegistryFacts:
    """The training run of train_ds, its metrics, its registered version, and the aliases' versions."""
    experiment_name = setting(config, "mlflow.experiment")
    model_name = setting(config, "mlflow.model-name")
    experiment = client.get_experiment_by_name(experiment_name)
    run = None
    if checks.expect(f"experiment {experiment_name} exists", [] if experiment else ["not found"]):
        run = _training_run(client, experiment.experiment_id, train_ds, checks)
    if run is not None:
        metrics = run.data.metrics
        missing = [m for m in TEST_METRICS if not math.isfinite(metrics.get(m, math.nan))]
        checks.expect(
            "the run has its test metrics",
            [f"{m} missing or not a number" for m in missing],
            ", ".join(f"{m} {metrics[m]:.4f}" for m in TEST_METRICS if m not in missing),
        )
        versions = client.search_model_versions(f"name = '{model_name}' and run_id = '{run.info.run_id}'")
        numbers = sorted((v.version for v in versions), key=int)
        not_ready = [f"version {v.version} is {v.status}" for v in versions if v.status != "READY"]
        checks.expect(
            f"{model_name} has a version from that run",
            not_ready if versions else ["no version has this run as source"],
            f"version {', '.join(numbers)}" if versions else "",
        )
    champion_alias = setting(config, "mlflow.champion-alias")
    champion = _by_alias(client, model_name, champion_alias)
    checks.expect(
        f"alias {champion_alias} points to a version",
        [] if champion else [f"{model_name}@{champion_alias} not found"],
        f"version {champion.version} (run {champion.run_id})" if champion else "",
    )
    return RegistryFacts(
        scoring_version=_resolved(client, config, "export", champion_alias, champion),
        pmml_version=_resolved(client, config, "export.pmml", champion_alias, champion),
    )


def _training_run(client: Registry, experiment_id: str, train_ds: dt.date, checks: Checks) -> Any:
    """The latest FINISHED top-level run tagged with train_ds (candidates are nested runs without the tag)."""
    runs = [
        r
        for r in client.search_runs(
            [experiment_id], f"tags.`{DS_TAG}` = '{train_ds}'", max_results=100, order_by=["attributes.start_time DESC"]
        )
        if PARENT_RUN_TAG not in r.data.tags
    ]
    finished = [r for r in runs if r.info.status == "FINISHED"]
    others = ", ".join(r.info.status for r in runs if r.info.status != "FINISHED")
    checks.expect(
        f"a FINISHED training run tagged {DS_TAG}={train_ds}",
        [] if finished else [f"none ({'other runs: ' + others if others else 'no run with that tag'})"],
        f"run {finished[0].info.run_id} ({finished[0].info.run_name})" if finished else "",
    )
    if finished and others:
        checks.note(f"also runs of that ds that did not finish: {others}")
    return finished[0] if finished else None


def _by_alias(client: Registry, model_name: str, alias: str) -> Any:
    try:
        return client.get_model_version_by_alias(model_name, alias)
    except Exception:  # noqa: BLE001 - MlflowException RESOURCE_DOES_NOT_EXIST: the expectation fails
        return None


def _resolved(client: Registry, config: ConfigTree, prefix: str, champion_alias: str, champion: Any) -> str | None:
    """The version a job of ``prefix`` settings uses: its pinned number, else its alias's version."""
    pinned = str(setting(config, f"{prefix}.model-version"))
    if pinned:
        return pinned
    alias = setting(config, f"{prefix}.model-alias")
    version = champion if alias == champion_alias else _by_alias(client, setting(config, "mlflow.model-name"), alias)
    return version.version if version else None


def check_bundle(config: ConfigTree, checks: Checks) -> str | None:
    """The deployed bundle: bundle.json names the model and a version, its model file matches its checksum."""
    model_name = setting(config, "mlflow.model-name")
    location = str(setting(config, "export.pmml.location"))
    current = Path(location) / model_name / "current"
    checks.section(f"Bundle ({current}):")
    what = "bundle.json names the model and a version, its model file has its checksum"
    if "://" in location:
        checks.expect(what, [f"{location} is not a local folder; this tool reads local bundles only"])
        return None
    if not (current / "bundle.json").is_file():
        checks.expect(what, [f"no {current / 'bundle.json'}: export-pmml has deployed no version there"])
        return None
    try:
        bundle = json.loads((current / "bundle.json").read_text())
    except (OSError, ValueError) as error:
        checks.expect(what, [f"cannot read {current / 'bundle.json'}: {error}"])
        return None
    problems = []
    if bundle.get("model_name") != model_name:
        problems.append(f"model_name is {bundle.get('model_name')!r}, expected {model_name!r}")
    if not bundle.get("model_version"):
        problems.append("no model_version")
    bundle_format = bundle.get("format", "pmml")
    if bundle_format not in BUNDLE_FORMATS:
        problems.append(f"format is {bundle_format!r}, expected one of {sorted(BUNDLE_FORMATS)}")
    else:
        file, checksum_key = BUNDLE_FORMATS[bundle_format]
        model = current / file
        if not model.is_file():
            problems.append(f"{model} is missing")
        elif hashlib.sha256(model.read_bytes()).hexdigest() != bundle.get(checksum_key):
            problems.append(f"{file} does not match {checksum_key}")
    checks.expect(what, problems, f"version {bundle.get('model_version')}, run {bundle.get('run_id')}")
    return bundle.get("model_version") or None


def check_agreement(
    tables: TableFacts, registry: RegistryFacts | None, bundle_version: str | None, checks: Checks
) -> None:
    """The predictions and the bundle come from the versions that serve-export and export-pmml resolve."""
    checks.section("Versions agree:")
    if registry is None:
        checks.note("not checked: the registry was not read")
        return
    pairs = [
        ("predictions are of the version serve-export resolves", tables.predicted_version, registry.scoring_version),
        ("the bundle is of the version export-pmml resolves", bundle_version, registry.pmml_version),
    ]
    for what, found, expected in pairs:
        if found is None or expected is None:
            checks.note(f"{what}: not checked (found {found}, registry {expected})")
        else:
            checks.expect(
                what, [] if found == expected else [f"version {found}, registry says {expected}"], f"version {found}"
            )


def check_pyfunc_scores_table_rows(
    uri: str, config: ConfigTree, train_ds: dt.date, registry: RegistryFacts | None, checks: Checks
) -> None:
    """The scoring version, loaded by MLflow's pyfunc, scores the features table's rows as they are."""
    checks.section("MLflow's pyfunc on the features table:")
    version = registry.scoring_version if registry else None
    if version is None:
        checks.note("not checked: no scoring version was found in the registry")
        return
    import mlflow.pyfunc  # slow to import; only when there is a model to load

    tables = setting(config, "tables")
    model_uri = f"models:/{setting(config, 'mlflow.model-name')}/{version}"
    what = f"{model_uri} scores {SCORED_ROWS} rows of features-flights ds {train_ds} as read from Delta"
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    model = mlflow.pyfunc.load_model(model_uri)
    inputs = model.metadata.get_input_schema().input_names()
    rows = DeltaTable(tables["features-flights"]).to_pandas(filters=[("ds", "=", train_ds)]).head(SCORED_ROWS)
    predictions = DeltaTable(tables["predictions-flights"]).to_pandas(
        columns=["flight_id", "delay_probability"], filters=[("ds", "=", train_ds)]
    )
    expected = dict(zip(predictions["flight_id"], predictions["delay_probability"], strict=True))
    try:
        scored = [float(p) for p in model.predict(rows[inputs])]
    except Exception as error:  # noqa: BLE001 - MLflow's schema check raises several kinds; each is the finding
        # MLflow's schema error prints the frame and the schema first, then "Error: <the reason>".
        message = str(error)
        reason = message[message.rfind("Error: ") :].strip()[:300] if "Error: " in message else message[:300]
        checks.expect(what, [f"{error.__class__.__name__}: {reason}"])
        return
    problems = [
        f"flight {flight}: pyfunc {p}, predictions table {expected.get(flight)}"
        for flight, p in zip(rows["flight_id"], scored, strict=True)
        if expected.get(flight) is None or abs(p - expected[flight]) > 1e-9
    ]
    checks.expect(what, problems[:5], f"{len(scored)} rows equal to the predictions table within 1e-9")


def reachable(uri: str, timeout_seconds: float) -> str:
    """Empty when the tracking server answers its health check, else why not."""
    if not uri.startswith(("http://", "https://")):
        return ""
    try:
        requests.get(uri.rstrip("/") + "/health", timeout=timeout_seconds).raise_for_status()
        return ""
    except requests.RequestException as error:
        return f"{uri} does not answer ({error.__class__.__name__}); start it with ./lakepipe services start"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--from", dest="start", type=dt.date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="end", type=dt.date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--train-ds", type=dt.date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--tracking-uri", help="default: lakepipe.mlflow.tracking-uri of the config")
    args = parser.parse_args(argv)
    if args.start > args.end:
        parser.error(f"--from {args.start} is after --to {args.end}")
    days = [args.start + dt.timedelta(days=i) for i in range((args.end - args.start).days + 1)]
    try:
        config = load_config(args.config)
        uri = args.tracking_uri or setting(config, "mlflow.tracking-uri")
        timeout = float(setting(config, "mlflow.timeout-seconds"))
        checks = Checks()
        tables = check_tables(config, days, args.train_ds, checks)
        checks.section(f"MLflow ({uri}):")
        registry = None
        unreachable = reachable(uri, timeout)
        if checks.expect("tracking server answers", [unreachable] if unreachable else []):
            from mlflow import MlflowClient  # slow to import; only when the server is there
            from mlflow.exceptions import MlflowException

            try:
                registry = check_mlflow(MlflowClient(tracking_uri=uri), config, args.train_ds, checks)
            except (MlflowException, requests.RequestException) as error:
                checks.expect("tracking server answers every request", [f"{error.__class__.__name__}: {error}"])
        else:
            checks.note("run, metrics, model version and aliases not checked")
        bundle_version = check_bundle(config, checks)
        check_agreement(tables, registry, bundle_version, checks)
        check_pyfunc_scores_table_rows(uri, config, args.train_ds, registry, checks)
    except ConfigProblem as problem:
        print(f"check_pipeline: {problem}", file=sys.stderr)
        return 2

    return checks.report(
        f"What the pipeline left for ds {args.start}..{args.end}, training ds {args.train_ds} (config {args.config})"
    )


if __name__ == "__main__":
    sys.exit(main())
