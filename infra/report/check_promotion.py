"""Check what an approved lakepipe_promote run left in the registry, as a reviewer would look it up.

For the end-to-end test, after one approved and one rejected run of the promotion DAG. Expectations,
each checked and reported, all failures listed:

- The target environment (``lakepipe.environment.promote-to`` of --config) has exactly one version
  (the rejected run copied nothing), its champion, a copy of the source's champion
  (``lakepipe.promotion.copied_from``) from the same MLflow run.
- The copy records the approval: who (--approved-by), when (an ISO time), the comment, the Airflow
  run (--airflow-run) and the evidence shown, which names the source version and its serving check.
- The source version is tagged ``lakepipe.promoted_to.<target>`` with the copy.

    python infra/report/check_promotion.py --config config/local.conf --approved-by admin \\
        --airflow-run manual__2026-12-05T10:00:00+00:00

Exit status: 0 when every expectation holds, 1 when any fails, 2 on bad arguments or config.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from mlflow import MlflowClient

from lakepipe_config import ConfigProblem, load_config, setting


def check(config_file: Path, approved_by: str, airflow_run: str) -> list[str]:
    source = load_config(config_file)
    target = load_config(Path(setting(source, "environment.promote-to")))
    client = MlflowClient(tracking_uri=str(setting(source, "mlflow.tracking-uri")))
    source_model, target_model = setting(source, "mlflow.model-name"), setting(target, "mlflow.model-name")
    alias, target_name = setting(source, "mlflow.champion-alias"), setting(target, "environment.name")
    champion = client.get_model_version_by_alias(source_model, alias)
    copies = client.search_model_versions(f"name='{target_model}'")
    problems = []
    if len(copies) != 1:
        problems.append(f"{target_model} has {len(copies)} versions, not the one approved copy")
    copy = client.get_model_version_by_alias(target_model, setting(target, "mlflow.champion-alias"))
    tags = copy.tags
    expected = {
        "lakepipe.promotion.copied_from": f"{source_model}/{champion.version}",
        "lakepipe.approval.by": approved_by,
        "lakepipe.approval.comment": "e2e: Approve",
        "lakepipe.approval.airflow_run": airflow_run,
    }
    problems += [
        f"{target_model} v{copy.version} tag {key} is {tags.get(key)!r}, not {value!r}"
        for key, value in expected.items()
        if tags.get(key) != value
    ]
    if copy.run_id != champion.run_id:
        problems.append(f"the copy's run {copy.run_id} is not the source's {champion.run_id}")
    try:
        dt.datetime.fromisoformat(tags.get("lakepipe.approval.at", ""))
    except ValueError:
        problems.append(f"lakepipe.approval.at is {tags.get('lakepipe.approval.at')!r}, not an ISO time")
    evidence = json.loads(tags.get("lakepipe.approval.evidence", "{}"))
    if evidence.get("version") != champion.version or not evidence.get("serving_check"):
        problems.append(f"the evidence recorded names no serving check of v{champion.version}: {evidence}")
    promoted_to = champion.tags.get(f"lakepipe.promoted_to.{target_name}")
    if promoted_to != f"{target_model}/{copy.version}":
        problems.append(f"{source_model} v{champion.version} is tagged promoted to {promoted_to!r}")
    if not problems:
        print(
            f"{target_model} v{copy.version} is {source_model} v{champion.version}, approved by {approved_by} at"
            f" {tags['lakepipe.approval.at']} in {airflow_run}, on: {evidence.get('serving_check')}; gate:"
            f" {evidence.get('gate')}"
        )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True, help="the source environment's config file")
    parser.add_argument("--approved-by", required=True, help="the user who approved")
    parser.add_argument("--airflow-run", required=True, help="the approved lakepipe_promote run's id")
    args = parser.parse_args(argv)
    try:
        problems = check(args.config, args.approved_by, args.airflow_run)
    except ConfigProblem as problem:
        print(f"check_promotion: {problem}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
