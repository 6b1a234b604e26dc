"""Read a training run and its registered model back through MLflow's Python client, as a user would.

Writes one JSON report: the run (status, params, tags, latest metrics, the history of every metric
logged at several steps), its artifact paths, its child runs, the registered model's versions with
their aliases, and the predictions of the model that ``mlflow.pyfunc.load_model(model_uri)`` loads:
for the rows of --input (pandas "records" orient, parsed against the model's signature the way
MLflow's scoring server parses a request body), for the model's input example and for its serving
input example. Nothing but MLflow's own client and loaders is used, so a report that comes back
shows that MLflow's tools read and score the model with no lakepipe help.

    python infra/mlflow/readback.py --tracking-uri http://127.0.0.1:5000 --run-id <id> \\
        --model-uri models:/<name>@challenger --input rows.json --output report.json

Exit status 0 with the report written; 1 with one line on stderr saying what failed.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path
from typing import Any

MODEL_URI = re.compile(r"^models:/(?P<name>[^/@]+)(?:@(?P<alias>[^/]+)|/(?P<version>[^/]+))$")


class ReadbackError(Exception):
    """A failure worth one line: what failed and what to do."""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracking-uri", required=True, help="MLflow tracking server URI")
    parser.add_argument("--run-id", required=True, help="the run to read back")
    parser.add_argument("--model-uri", required=True, help="models:/<name>@<alias> or models:/<name>/<version>")
    parser.add_argument("--input", required=True, type=Path, help="rows to score: a JSON list of records")
    parser.add_argument("--output", required=True, type=Path, help="where to write the JSON report")
    return parser.parse_args(argv)


def finite(value: Any) -> Any:
    """JSON has no NaN or infinity: they are reported as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def run_report(client: Any, run_id: str) -> dict[str, Any]:
    run = client.get_run(run_id)
    metrics = {key: finite(value) for key, value in sorted(run.data.metrics.items())}
    histories: dict[str, list[dict[str, Any]]] = {}
    for key in metrics:
        history = client.get_metric_history(run_id, key)
        if len({m.step for m in history}) > 1:
            histories[key] = [
                {"step": m.step, "value": finite(m.value), "timestamp": m.timestamp}
                for m in sorted(history, key=lambda m: (m.step, m.timestamp))
            ]
    return {
        "run_id": run.info.run_id,
        "run_name": run.info.run_name,
        "experiment_id": run.info.experiment_id,
        "status": run.info.status,
        "start_time": run.info.start_time,
        "end_time": run.info.end_time,
        "artifact_uri": run.info.artifact_uri,
        "params": dict(sorted(run.data.params.items())),
        "tags": dict(sorted(run.data.tags.items())),
        "metrics": metrics,
        "metric_history": histories,
    }


def artifact_paths(client: Any, run_id: str, path: str | None = None) -> list[str]:
    """Every file under the run's artifact root, recursively, as paths relative to it."""
    files: list[str] = []
    for entry in client.list_artifacts(run_id, path):
        if entry.is_dir:
            files.extend(artifact_paths(client, run_id, entry.path))
        else:
            files.append(entry.path)
    return sorted(files)


def child_runs(client: Any, run: dict[str, Any]) -> list[dict[str, Any]]:
    children = client.search_runs(
        experiment_ids=[run["experiment_id"]],
        filter_string=f"tags.mlflow.parentRunId = '{run['run_id']}'",
        max_results=1000,
    )
    return [
        {
            "run_id": child.info.run_id,
            "run_name": child.info.run_name,
            "status": child.info.status,
            "params": dict(sorted(child.data.params.items())),
            "metrics": {key: finite(value) for key, value in sorted(child.data.metrics.items())},
            "tags": dict(sorted(child.data.tags.items())),
        }
        for child in sorted(children, key=lambda c: c.info.start_time or 0)
    ]


def registry_report(client: Any, model_uri: str) -> dict[str, Any]:
    match = MODEL_URI.match(model_uri)
    if not match:
        raise ReadbackError(f"--model-uri {model_uri} is not models:/<name>@<alias> or models:/<name>/<version>")
    name = match["name"]
    versions = client.search_model_versions(f"name = '{name}'")
    if not versions:
        raise ReadbackError(f"registered model {name} has no versions: register one first")
    if match["alias"]:
        resolved = client.get_model_version_by_alias(name, match["alias"]).version
    else:
        resolved = match["version"]
    # The registered model holds the aliases: a version search leaves them out.
    aliases: dict[str, list[str]] = {}
    for alias, version in client.get_registered_model(name).aliases.items():
        aliases.setdefault(str(version), []).append(alias)
    return {
        "name": name,
        "alias": match["alias"],
        "resolved_version": str(resolved),
        "versions": [
            {
                "version": str(v.version),
                "run_id": v.run_id,
                "source": v.source,
                "status": v.status,
                "aliases": sorted(aliases.get(str(v.version), [])),
            }
            for v in sorted(versions, key=lambda v: int(v.version))
        ],
    }


def as_list(predictions: Any) -> list[Any]:
    """The pyfunc's output (list, numpy array, pandas Series or DataFrame) as plain JSON values."""
    if hasattr(predictions, "to_dict") and hasattr(predictions, "columns"):
        return [{k: finite(v) for k, v in row.items()} for row in predictions.to_dict(orient="records")]
    if hasattr(predictions, "tolist"):
        predictions = predictions.tolist()
    out: list[Any] = []
    for value in predictions:
        if hasattr(value, "tolist"):
            value = value.tolist()
        out.append([finite(v) for v in value] if isinstance(value, list) else finite(value))
    return out


def score(model: Any, frame: Any) -> list[Any]:
    """The model's predictions for a frame; none for a frame without rows, which Spark cannot type."""
    return [] if len(frame) == 0 else as_list(model.predict(frame))


def model_report(model_uri: str, rows_file: Path) -> dict[str, Any]:
    import mlflow.pyfunc
    from mlflow.models.utils import load_serving_example
    from mlflow.pyfunc.scoring_server import infer_and_parse_data

    try:
        rows = json.loads(rows_file.read_text())
    except (OSError, ValueError) as e:
        raise ReadbackError(f"cannot read the rows to score from {rows_file}: {e}") from e
    model = mlflow.pyfunc.load_model(model_uri)
    metadata = model.metadata
    schema = metadata.get_input_schema()
    # Parsed as the scoring server parses a request body {"dataframe_records": [...]}.
    frame = infer_and_parse_data({"dataframe_records": rows}, schema)
    example = model.input_example
    example_info = metadata.saved_input_example_info or {}
    serving = json.loads(load_serving_example(model_uri)) if example_info.get("serving_input_path") else None
    serving_frame = None if serving is None else infer_and_parse_data(serving, schema)
    return {
        "uri": model_uri,
        "loader_module": model.loader_module,
        "flavors": sorted(metadata.flavors),
        "signature": metadata.signature.to_dict() if metadata.signature else None,
        "predictions": score(model, frame),
        "input_example_predictions": None if example is None else score(model, example),
        "serving_input_predictions": None if serving_frame is None else score(model, serving_frame),
    }


def readback(args: argparse.Namespace) -> dict[str, Any]:
    import mlflow
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(args.tracking_uri)
    mlflow.set_registry_uri(args.tracking_uri)
    client = MlflowClient(tracking_uri=args.tracking_uri, registry_uri=args.tracking_uri)
    run = run_report(client, args.run_id)
    return {
        "tracking_uri": args.tracking_uri,
        "run": run,
        "artifacts": artifact_paths(client, args.run_id),
        "child_runs": child_runs(client, run),
        "registered_model": registry_report(client, args.model_uri),
        "model": model_report(args.model_uri, args.input),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        report = readback(args)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(report, indent=2, allow_nan=False) + "\n")
    except Exception as e:  # noqa: BLE001 - every failure ends as one line for the caller
        message = " ".join(str(e).split()) or type(e).__name__
        print(f"readback failed: {type(e).__name__}: {message[:2000]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
