"""Check the Grafana dashboard of lakepipe against its provisioning files and, when given, a live Prometheus.
Structure (always): the dashboard JSON parses, panel ids are unique, every panel has a gridPos within
Grafana's 24 columns, every non-row panel names the provisioned datasource by uid and has at least one
query, and the dashboard provisioning file points at the folder that holds the dashboard.
Queries (with --prometheus): every panel expression, with Grafana's interval variables replaced, is
accepted by Prometheus' /api/v1/query at each --at time, and returns data at one of them at least.
    python infra/monitoring/check_dashboard.py [--prometheus URL --at UNIX_SECONDS ...]
Exit status 0 when all holds, 1 otherwise; each problem is printed on one line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

HOME = Path(__file__).resolve().parents[2]
GRAFANA = HOME / "infra" / "monitoring" / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "lakepipe.json"
DATASOURCES = GRAFANA / "provisioning" / "datasources" / "prometheus.yaml"
PROVIDERS = GRAFANA / "provisioning" / "dashboards" / "lakepipe.yaml"
# What Grafana puts in place of its variables, for Prometheus to evaluate the same expression.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "1h"}


def expand_env(text: str, home: Path) -> str:
    """The provisioning file's ${LAKEPIPE_HOME} as Grafana would expand it for this checkout."""
    return text.replace("${LAKEPIPE_HOME}", str(home)).replace("$LAKEPIPE_HOME", str(home))


def panels(dashboard: dict) -> list[dict]:
    """Every panel, those inside rows included."""
    found = []
    for panel in dashboard.get("panels", []):
        found.append(panel)
        found.extend(panel.get("panels", []))
    return found


def expressions(dashboard: dict) -> list[tuple[str, str]]:
    """(panel title, PromQL expression) of every query of every panel."""
    return [(p.get("title", "?"), t["expr"]) for p in panels(dashboard) for t in p.get("targets", []) if "expr" in t]


def structure_problems(
    dashboard_file: Path = DASHBOARD,
    datasources_file: Path = DATASOURCES,
    providers_file: Path = PROVIDERS,
    home: Path = HOME,
) -> list[str]:
    problems: list[str] = []
    try:
        dashboard = json.loads(dashboard_file.read_text())
    except (OSError, json.JSONDecodeError) as e:
        return [f"{dashboard_file}: not readable as JSON ({e})"]
    sources = yaml.safe_load(datasources_file.read_text())["datasources"]
    uids = {s.get("uid") for s in sources if s.get("type") == "prometheus"}
    if len(uids) != 1 or None in uids:
        problems.append(
            f"{datasources_file}: expected one Prometheus datasource with a uid, found {sorted(map(str, uids))}"
        )
    uid = next(iter(uids), None)
    if not dashboard.get("uid"):
        problems.append(f"{dashboard_file}: the dashboard has no uid")
    seen: dict[int, str] = {}
    for panel in panels(dashboard):
        title = panel.get("title", "?")
        pid = panel.get("id")
        if not isinstance(pid, int):
            problems.append(f"panel {title!r}: no integer id")
        elif pid in seen:
            problems.append(f"panel {title!r}: id {pid} is also the id of {seen[pid]!r}")
        else:
            seen[pid] = title
        grid = panel.get("gridPos", {})
        if not all(isinstance(grid.get(k), int) for k in ("h", "w", "x", "y")):
            problems.append(f"panel {title!r}: gridPos needs integer h, w, x, y; has {grid}")
        elif grid["w"] < 1 or grid["h"] < 1 or grid["x"] < 0 or grid["x"] + grid["w"] > 24:
            problems.append(f"panel {title!r}: gridPos {grid} does not fit Grafana's 24 columns")
        if panel.get("type") == "row":
            continue
        targets = panel.get("targets", [])
        if not targets or not all(t.get("expr") for t in targets):
            problems.append(f"panel {title!r}: every panel needs at least one query with an expression")
        for source in [panel.get("datasource")] + [t.get("datasource") for t in targets]:
            if not isinstance(source, dict) or source.get("uid") != uid or source.get("type") != "prometheus":
                problems.append(f"panel {title!r}: datasource {source} is not the provisioned one (uid {uid!r})")
                break
    providers = yaml.safe_load(providers_file.read_text())["providers"]
    paths = [Path(expand_env(p.get("options", {}).get("path", ""), home)) for p in providers if p.get("type") == "file"]
    if not any(path.resolve() == dashboard_file.parent.resolve() for path in paths):
        problems.append(
            f"{providers_file}: no file provider's path is {dashboard_file.parent} (found {[str(p) for p in paths]})"
        )
    return problems


def query(prometheus: str, expr: str, at: float) -> dict:
    """Prometheus' answer to an instant query; an HTTP error's JSON body is returned like a success."""
    for name, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(name, value)
    url = f"{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": expr, "time": f"{at:.3f}"})
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as e:
        return json.load(e)


def query_problems(prometheus: str, times: list[float], dashboard_file: Path = DASHBOARD) -> list[str]:
    problems: list[str] = []
    dashboard = json.loads(dashboard_file.read_text())
    for title, expr in expressions(dashboard):
        with_data = 0
        for at in times:
            answer = query(prometheus, expr, at)
            if answer.get("status") != "success":
                problems.append(f"panel {title!r}: Prometheus refused {expr!r}: {answer.get('error')}")
                break
            with_data += bool(answer["data"]["result"])
        else:
            if not with_data:
                problems.append(f"panel {title!r}: no data for {expr!r} at any of {times}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prometheus", help="Prometheus base URL, e.g. http://127.0.0.1:9090")
    parser.add_argument(
        "--at", type=float, action="append", default=[], help="evaluation time (Unix seconds); repeatable"
    )
    args = parser.parse_args(argv)
    problems = structure_problems()
    checked = f"{len(panels(json.loads(DASHBOARD.read_text())))} panels"
    if args.prometheus:
        problems += query_problems(args.prometheus.rstrip("/"), args.at or [time.time()])
        checked += f", {len(expressions(json.loads(DASHBOARD.read_text())))} expressions against {args.prometheus}"
    for problem in problems:
        print(f"  PROBLEM {problem}")
    print(f"check_dashboard: {checked}: {'ok' if not problems else f'{len(problems)} problems'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
