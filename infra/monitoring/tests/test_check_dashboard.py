"""The dashboard checker on the real dashboard and provisioning files, and on broken copies of them."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import check_dashboard as cd


def copy_grafana(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """A checkout-shaped copy of infra/monitoring/grafana under tmp_path, and its three files."""
    root = tmp_path / "infra" / "monitoring" / "grafana"
    shutil.copytree(cd.GRAFANA, root)
    return (root / "dashboards" / "lakepipe.json", root / "provisioning" / "datasources" / "prometheus.yaml",
            root / "provisioning" / "dashboards" / "lakepipe.yaml", tmp_path)


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
    assert {"Job duration", "Rows read and written", "Quarantine share", "Last success", "Request rate",
            "Latency of /predict", "Errors by reason", "Alive workers", "Running applications",
            "Executor memory used"} <= titles
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
