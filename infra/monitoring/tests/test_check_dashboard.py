"""The dashboard checker on the real dashboard and provisioning files, and on broken copies of them."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

import check_dashboard as cd


def copy_grafana(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """A checkout-shaped copy of infra/monitoring/grafana under tmp_path, and its three files."""
    root = tmp_path / "infra" / "monitoring" / "grafana"
    shutil.copytree(cd.GRAFANA, root)
    return (
        root / "dashboards" / "lakepipe.json",
        root / "provisioning" / "datasources" / "prometheus.yaml",
        root / "provisioning" / "dashboards" / "lakepipe.yaml",
        tmp_path,
    )


def check(files: tuple[Path, Path, Path, Path]) -> list[str]:
    return cd.structure_problems(*files)


def edit(dashboard_file: Path, change) -> None:
    dashboard = json.loads(dashboard_file.read_text())
    change(dashboard)
    dashboard_file.write_text(json.dumps(dashboard))


def test_the_committed_dashboard_and_provisioning_are_consistent():
    assert cd.structure_problems() == []


def test_the_dashboard_has_the_panels_the_issue_asks_for():
    titles = {p["title"] for p in cd.panels(json.loads(cd.DASHBOARD.read_text()))}
    assert {
        "Job duration",
        "Rows read and written",
        "Quarantine share",
        "Last success",
        "Request rate",
        "Latency of /predict",
        "Errors by reason",
        "Alive workers",
        "Running applications",
        "Executor memory used",
    } <= titles
    exprs = " ".join(e for _, e in cd.expressions(json.loads(cd.DASHBOARD.read_text())))
    assert "histogram_quantile(0.5," in exprs and "histogram_quantile(0.99," in exprs
    assert "lakepipe_serving_request_duration_seconds_bucket" in exprs


def test_a_repeated_panel_id_is_found(tmp_path):
    files = copy_grafana(tmp_path)
    edit(files[0], lambda d: d["panels"][2].update(id=d["panels"][1]["id"]))
    assert any("is also the id of" in p for p in check(files))


def test_a_panel_without_grid_position_or_outside_the_grid_is_found(tmp_path):
    files = copy_grafana(tmp_path)
    edit(files[0], lambda d: (d["panels"][1].pop("gridPos"), d["panels"][2]["gridPos"].update(x=20, w=8)))
    problems = check(files)
    assert any("gridPos needs" in p for p in problems)
    assert any("does not fit" in p for p in problems)


def test_another_datasource_uid_is_found(tmp_path):
    files = copy_grafana(tmp_path)
    edit(files[0], lambda d: d["panels"][1]["targets"][0].update(datasource={"type": "prometheus", "uid": "other"}))
    assert any("is not the provisioned one" in p for p in check(files))


def test_a_provider_path_that_is_not_the_dashboards_folder_is_found(tmp_path):
    files = copy_grafana(tmp_path)
    files[2].write_text(files[2].read_text().replace("grafana/dashboards", "grafana/elsewhere"))
    assert any("no file provider's path" in p for p in check(files))


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory):
    """A real, empty Prometheus (Debian's package) on a free loopback port, scraping nothing."""
    binary = shutil.which("prometheus")
    assert binary, "prometheus is not installed: apt-get install prometheus (./lakepipe test does it when run as root)"
    work = tmp_path_factory.mktemp("prometheus")
    (work / "prometheus.yml").write_text("global:\n  scrape_interval: 1m\nscrape_configs: []\n")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(work / "prometheus.log", "wb")
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={work / 'prometheus.yml'}",
            f"--storage.tsdb.path={work / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, (work / "prometheus.log").read_text()
        try:
            with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        assert time.monotonic() < deadline, "Prometheus was not ready within 60 s"
        time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=30)
    log.close()


def test_every_dashboard_expression_is_valid_promql_and_without_data_each_is_reported(prometheus):
    problems = cd.query_problems(prometheus, [time.time()])
    expressions = cd.expressions(json.loads(cd.DASHBOARD.read_text()))
    # An empty Prometheus has no data for any panel: each expression is reported as such, none as refused.
    assert not any("refused" in p for p in problems), problems
    assert len([p for p in problems if "no data for" in p]) == len(expressions)


def test_an_expression_prometheus_refuses_is_reported(prometheus, tmp_path):
    files = copy_grafana(tmp_path)
    edit(
        files[0],
        lambda d: d["panels"][1]["targets"][0].update(expr="max by (lakepipe_job) (rate(up[$__rate_interval])"),
    )
    problems = cd.query_problems(prometheus, [time.time()], files[0])
    assert any(p.startswith("panel 'Job duration': Prometheus refused") for p in problems), problems


def test_an_expression_with_data_is_not_reported(prometheus, tmp_path):
    files = copy_grafana(tmp_path)

    def for_all(d):
        for panel in cd.panels(d):
            for target in panel.get("targets", []):
                target.update(expr="vector(1)")

    edit(files[0], for_all)
    assert cd.query_problems(prometheus, [time.time()], files[0]) == []
