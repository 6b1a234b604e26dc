"""Opens MLflow's compare view of a training's candidates in a real browser, as a data scientist would.

Finds the training run of --experiment for --ds (the latest run tagged ``lakepipe.ds`` = ds without a
parent), its candidate runs (its child runs), and opens the MLflow UI's compare page of those runs in
headless Chromium. The page must show every candidate's run name side by side with the parameters
that tell them apart (``model_type``, ``candidate``) and the metric they were chosen on
(``val_roc_auc``); a screenshot of it is saved. Exits 0 when it does, 1 otherwise.

    .lakepipe/venv-airflow/bin/python infra/ui/mlflow_compare_check.py --url http://127.0.0.1:5000 \\
        --experiment lakepipe_flights_delay --ds 2001-01-15 --screenshots target/mlflow-ui
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from selenium.common.exceptions import WebDriverException

# The DAGs' MLflow calls (their tracking URI and credentials), found from this script's folder.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "dags"))
from headless_browser import UiCheckFailed, page_text, run_check, save_screenshot, wait
from lakepipe_dags import mlflow_api

DS_TAG = "lakepipe.ds"
# What the compare view must show for each candidate, beside its run name.
PARAMS = ("model_type", "candidate")
METRIC = "val_roc_auc"


def main(argv: list[str] | None = None) -> int:
    return run_check(
        "mlflow_compare_check",
        __doc__,
        argv,
        add_arguments,
        prepare=lambda args: training_runs(args.url.rstrip("/"), args.experiment, args.ds),
        check=check_candidates,
        failure_screenshot="mlflow-compare-failure",
        window_size="1600,1000",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", required=True, help="the MLflow tracking server and UI, e.g. http://127.0.0.1:5000")
    parser.add_argument("--experiment", required=True, help="the training's experiment name")
    parser.add_argument("--ds", required=True, help="the training's logical date, YYYY-MM-DD")


def check_candidates(browser: Any, args: argparse.Namespace, runs: tuple[str, str, list[dict[str, Any]]]) -> str:
    experiment, parent, candidates = runs
    check_compare_view(browser, args.url.rstrip("/"), experiment, candidates)
    shot = save_screenshot(browser, args.screenshots, "mlflow-compare-candidates")
    names = ", ".join(sorted(run["info"]["run_name"] for run in candidates))
    return f": the {len(candidates)} candidates of training run {parent} side by side ({names}); screenshot {shot}"


def training_runs(url: str, experiment_name: str, ds: str) -> tuple[str, str, list[dict[str, Any]]]:
    """The experiment id, the training run of ds and its candidate runs, through MLflow's REST API."""
    try:
        experiment = mlflow_api.experiment_id(url, experiment_name)
        search = f"{url}/api/2.0/mlflow/runs/search"
        trainings = [
            run
            for run in mlflow_api.call(
                search,
                {
                    "experiment_ids": [experiment],
                    "filter": f"tags.`{DS_TAG}` = '{ds}' and attributes.status = 'FINISHED'",
                    "order_by": ["attributes.start_time DESC"],
                    "max_results": 50,
                },
            ).get("runs", [])
            if not any(tag["key"] == "mlflow.parentRunId" for tag in run["data"].get("tags", []))
        ]
        if not trainings:
            raise UiCheckFailed(f"no finished training run tagged {DS_TAG} = {ds} in experiment {experiment_name}")
        parent = trainings[0]["info"]["run_id"]
        candidates = mlflow_api.call(
            search,
            {"experiment_ids": [experiment], "filter": f"tags.mlflow.parentRunId = '{parent}'", "max_results": 100},
        ).get("runs", [])
    except OSError as error:
        raise UiCheckFailed(f"cannot read the runs from {url}: {error}; is MLflow running there?") from error
    if len(candidates) < 2:
        raise UiCheckFailed(f"training run {parent} has {len(candidates)} candidate run(s): nothing to compare")
    return experiment, parent, candidates


def check_compare_view(browser: Any, url: str, experiment: str, candidates: list[dict[str, Any]]) -> None:
    """Opens the compare page of the candidates and waits until it shows their names, params and metric."""
    ids = [run["info"]["run_id"] for run in candidates]
    names = [run["info"]["run_name"] for run in candidates]
    page = f"{url}/#/compare-runs?runs={quote(json.dumps(ids))}&experiments={quote(json.dumps([experiment]))}"
    try:
        browser.get(page)
    except WebDriverException as error:
        raise UiCheckFailed(f"cannot open {page}: {error.msg.splitlines()[0]}") from error
    expected = [*names, *PARAMS, METRIC]

    def missing() -> list[str]:
        text = page_text(browser)
        return [what for what in expected if what not in text]

    try:
        wait(browser, lambda _: not missing(), "the compare view did not show every candidate")
    except UiCheckFailed:
        raise UiCheckFailed(
            f"the compare view ({page}) does not show {', '.join(missing())} "
            f"(expected the run names {', '.join(names)}, the parameters {', '.join(PARAMS)} and {METRIC})"
        ) from None


if __name__ == "__main__":
    sys.exit(main())
