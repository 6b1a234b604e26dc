"""The template checker passes the committed manifests and fails each kind of broken one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import validate_k8s

REPO = Path(__file__).resolve().parents[3]
K8S = REPO / "infra/deploy/k8s"


def problems_after(tmp_path: Path, file: str, old: str, new: str) -> list[str]:
    """Copies the manifests, replaces old by new in one of them, and returns the checker's problems."""
    k8s = tmp_path / "k8s"
    shutil.copytree(K8S, k8s)
    text = (k8s / file).read_text()
    assert old in text, f"{old!r} is no longer in {file}: update this test"
    (k8s / file).write_text(text.replace(old, new, 1))
    checker = validate_k8s.Checker(validate_k8s.K8S_VERSION)
    props = validate_k8s.spark_properties(REPO / "config/spark-k8s.conf")
    validate_k8s.check_manifests(checker, REPO, k8s, props, tmp_path / "lakepipe.conf")
    return checker.problems


def test_committed_manifests_pass(tmp_path: Path) -> None:
    assert problems_after(tmp_path, "rbac.yaml", "", "") == []
    assert "lakepipe {" in (tmp_path / "lakepipe.conf").read_text()


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("driver-pod-template.yaml", "runAsNonRoot: true", "runAsNonRot: true", "'runAsNonRot' was unexpected"),
        ("driver-pod-template.yaml", "runAsNonRoot: true", "runAsNonRoot: false", "runAsNonRoot: true"),
        ("executor-pod-template.yaml", "name: spark-kubernetes-executor", "name: spark", "no container named"),
        (
            "executor-pod-template.yaml",
            "ephemeral-storage: 50Gi",
            "ephemeral-storage: 50 Gi",
            "not a Kubernetes quantity",
        ),
        (
            "executor-pod-template.yaml",
            "name: spark-local-dir-1\n      emptyDir",
            "name: scratch\n      emptyDir",
            "no spark-local-dir-* volume",
        ),
        (
            "driver-pod-template.yaml",
            "- name: MLFLOW_TRACKING_TOKEN\n          valueFrom:\n            secretKeyRef:\n"
            "              name: lakepipe-mlflow\n              key: token\n              optional: true",
            "- name: MLFLOW_TRACKING_TOKEN\n          value: not-from-a-secret",
            "has a literal value",
        ),
        ("rbac.yaml", "kind: RoleBinding", "kind: RoleBindings", "Couldn't find schema"),
        ("sparkapplication-ingest-flights.yaml", "type: Never", "type: Nevr", "'Nevr' is not one of"),
        ("sparkapplication-ingest-flights.yaml", "instances: 2", "instance: 2", "'instance' was unexpected"),
        (
            "sparkapplication-ingest-flights.yaml",
            "mainClass: io.lakepipe.ingest.files.IngestFilesJob",
            "mainClass: io.lakepipe.ingest.files.IngestFlightsJob",
            "is not a class of jobs-ingest",
        ),
        (
            "sparkapplication-build-features.yaml",
            "image: lakepipe/spark:3.5.7",
            "image: lakepipe/spark:latest",
            "differs from config/spark-k8s.conf",
        ),
        (
            "sparkapplication-build-features.yaml",
            'spark.authenticate: "true"',
            'spark.authenticate.secret: "hunter2hunter2"',
            "would put a secret",
        ),
        (
            "sparkapplication-build-features.yaml",
            'capabilities:\n        drop: ["ALL"]',
            "capabilities: {}",
            "must drop ALL capabilities",
        ),
    ],
)
def test_a_broken_manifest_fails(tmp_path: Path, file: str, old: str, new: str, expected: str) -> None:
    problems = problems_after(tmp_path, file, old, new)
    assert any(expected in p for p in problems), problems
