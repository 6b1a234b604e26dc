"""check_env.py on small made-up locks, inputs and code, and on the repository's own locks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import check_env

HASH_A = "--hash=sha256:" + "a" * 64
HASH_B = "--hash=sha256:" + "b" * 64


def lock_text(*entries: str, inputs: str = "infra/python/requirements-x.txt", extra_header: str = "") -> str:
    header = f"# inputs: {inputs}\n# python-version: 3.11\n{extra_header}"
    return header + "".join(f"{entry} \\\n    {HASH_A} \\\n    {HASH_B}\n    # via -r x\n" for entry in entries)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty checkout: check_env's paths point into it."""
    (tmp_path / "infra" / "python").mkdir(parents=True)
    monkeypatch.setattr(check_env, "HOME", tmp_path)
    monkeypatch.setattr(check_env, "PYTHON_DIR", tmp_path / "infra" / "python")
    monkeypatch.setattr(check_env, "BUILD_LOCK", tmp_path / "infra" / "python" / "requirements-build.lock")
    return tmp_path


def write(home: Path, name: str, text: str) -> Path:
    path = home / "infra" / "python" / name
    path.write_text(text)
    return path


def problems(home: Path, name: str = "requirements-x.lock") -> list[str]:
    build = check_env.read_lock(check_env.BUILD_LOCK) if check_env.BUILD_LOCK.is_file() else None
    return check_env.check_lock(check_env.read_lock(home / "infra" / "python" / name), build)


def test_a_lock_that_holds_every_pin_of_its_input_with_hashes_passes(home: Path) -> None:
    write(home, "requirements-x.txt", "# a comment\nPyYAML==6.0.4  # why\nruff==0.17.6\n")
    write(home, "requirements-x.lock", lock_text("pyyaml==6.0.4", "ruff==0.17.6", "six==1.17.0"))
    assert problems(home) == []
    assert check_env.read_lock(home / "infra/python/requirements-x.lock").pins["six"] == "1.17.0"


def test_a_pin_that_differs_from_the_lock_or_is_missing_from_it_fails(home: Path) -> None:
    write(home, "requirements-x.txt", "ruff==0.17.7\njsonschema==4.26.0\n")
    write(home, "requirements-x.lock", lock_text("ruff==0.17.6"))
    found = problems(home)
    assert any("ruff==0.17.7, but infra/python/requirements-x.lock has 0.17.6" in p for p in found)
    assert any("jsonschema==4.26.0 is not in" in p for p in found)


def test_an_input_that_is_not_pinned_exactly_fails(home: Path) -> None:
    write(home, "requirements-x.txt", "pytest>=8\nruff==0.17.*\n")
    write(home, "requirements-x.lock", lock_text("pytest==9.2.0", "ruff==0.17.6"))
    found = problems(home)
    assert len(found) == 2 and all("is not pinned" in p for p in found)


def test_a_lock_line_without_a_hash_fails(home: Path) -> None:
    write(home, "requirements-x.txt", "ruff==0.17.6\n")
    write(home, "requirements-x.lock", lock_text("ruff==0.17.6") + "six==1.17.0\n")
    assert [p for p in problems(home) if "six==1.17.0 has no --hash" in p]


def test_a_package_that_an_override_removes_must_not_be_locked(home: Path) -> None:
    write(home, "requirements-x.txt", "ruff==0.17.6\n")
    write(home, "overrides-x.txt", 'pyspark-client ; sys_platform == "never"\n')
    header = "# overrides: infra/python/overrides-x.txt\n"
    write(home, "requirements-x.lock", lock_text("ruff==0.17.6", "pyspark-client==4.1.0", extra_header=header))
    assert [p for p in problems(home) if "holds pyspark-client" in p]


def test_the_build_tools_have_one_version_in_every_lock(home: Path) -> None:
    write(home, "requirements-build.txt", "setuptools==84.2.1\n")
    write(
        home, "requirements-build.lock", lock_text("setuptools==84.2.1", inputs="infra/python/requirements-build.txt")
    )
    write(home, "requirements-x.txt", "ruff==0.17.6\n")
    write(home, "requirements-x.lock", lock_text("ruff==0.17.6", "setuptools==80.0.0"))
    assert [p for p in problems(home) if "setuptools==80.0.0, but infra/python/requirements-build.lock" in p]
    assert problems(home, "requirements-build.lock") == []


def test_a_notebooks_imports_are_read_past_its_magics(home: Path) -> None:
    cells = [
        {"cell_type": "markdown", "source": ["import not_code\n"]},
        {
            "cell_type": "code",
            "source": ["%matplotlib inline\n", "!ls\n", "import pandas as pd\n", "from a.b import c"],
        },
    ]
    notebook = home / "n.ipynb"
    notebook.write_text(json.dumps({"cells": cells}))
    found = [(i.module, i.where) for i in check_env.imports_of(notebook)]
    assert found == [("pandas", "n.ipynb:cell 1 line 3"), ("a.b.c", "n.ipynb:cell 1 line 4")]


def installed(files: dict[str, set[str]]) -> check_env.Installed:
    """An Installed that knows only these distributions and their files."""
    fake = object.__new__(check_env.Installed)
    fake._files = files
    tops = {(path.split("/")[0].removesuffix(".py"), dist) for dist, paths in files.items() for path in paths}
    fake.by_top = {top: sorted(dist for name, dist in tops if name == top) for top, _ in tops}
    return fake


def test_a_shared_namespace_is_narrowed_to_the_distribution_that_holds_the_module() -> None:
    airflow = installed(
        {
            "apache-airflow-core": {"airflow/__init__.py", "airflow/models/dag.py"},
            "apache-airflow-task-sdk": {"airflow/sdk/__init__.py"},
            "apache-airflow-providers-standard": {"airflow/providers/standard/sensors/filesystem.py"},
            "pendulum": {"pendulum/__init__.py"},
        }
    )
    assert airflow.providers("airflow.sdk.DAG") == ["apache-airflow-task-sdk"]
    assert airflow.providers("airflow.providers.standard.sensors.filesystem.FileSensor") == [
        "apache-airflow-providers-standard"
    ]
    assert airflow.providers("airflow.DAG") == ["apache-airflow-core"]
    assert airflow.providers("pendulum.datetime") == ["pendulum"]
    assert airflow.providers("nothere") == []


def test_the_repositorys_own_locks_are_consistent() -> None:
    assert check_env.cmd_locks() == 0
