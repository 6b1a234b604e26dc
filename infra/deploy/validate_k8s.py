"""Checks the Kubernetes templates of infra/deploy/k8s, and the pods Spark built from them.

Run by infra/deploy/validate.sh (which first has Spark's own code build the pods); prints one line per
problem and exits 1 if there is any. What it checks:

- every Kubernetes object (pod templates, RBAC, ConfigMap) against the strict JSON schema of
  Kubernetes K8S_VERSION that kubernetes-validate bundles (unknown fields and wrong types fail);
- every SparkApplication against SPARK_APPLICATION_SCHEMA below: a structural check of the
  spark-operator's sparkoperator.k8s.io/v1beta2 fields written here (the operator's own CRD cannot
  be fetched from the package registries), with the Kubernetes types it embeds (env, volumes,
  security contexts) checked against the same Kubernetes schema;
- the driver and executor pods and the objects that Spark built (driver Service, executor template
  ConfigMap), against the same schema;
- lakepipe's own rules: no literal credential in any environment or Spark setting, pods non-root
  without privilege escalation, Spark's container and local-dir volume found where the profile says,
  the SparkApplications' image and jars matching config/spark-k8s.conf and the Dockerfile.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml
from kubernetes_validate import utils as kv_utils
from referencing import Registry, Resource

# The Kubernetes version whose API the templates are checked against.
K8S_VERSION = "1.30.0"
# The values Airflow's templating puts into the SparkApplications, for checking a rendered object.
SAMPLE_RENDERING = {"{{ ds }}": "2001-01-15", "{{ ds_nodash }}": "20010115"}
# Environment variable names that hold credentials: only valueFrom (a Secret) is allowed for them.
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|ACCESS_KEY|CREDENTIAL|PRIVATE", re.IGNORECASE)
# Spark settings that would carry a secret themselves.
SECRET_SPARK_KEY = re.compile(
    r"secret(?!\.file|\.driver\.file|\.executor\.file|KeyRef)|password|access\.key|token", re.IGNORECASE
)
SPARK_VERSION = "3.5.7"
JAR_IN_IMAGE = re.compile(r"^local:///opt/lakepipe/jars/(jobs-[a-z-]+)\.jar$")

DEFS = "/api/_definitions.json#/$defs/io.k8s."


def k8s(name: str) -> dict[str, Any]:
    return {"$ref": DEFS + name}


QUANTITY = {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?(m|k|[KMGTPE]i|[MGTPE])?$"}
SPARK_MEMORY = {"type": "string", "pattern": r"^[0-9]+[kmgtKMGT]?$"}
STRINGS = {"type": "array", "items": {"type": "string"}}
STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}

# Fields of the operator's SparkPodSpec (shared by driver and executor), typed where lakepipe uses them.
SPARK_POD_SPEC: dict[str, Any] = {
    "template": {"type": "object"},
    "cores": {"type": "integer", "minimum": 1},
    "coreLimit": QUANTITY,
    "memory": SPARK_MEMORY,
    "memoryOverhead": SPARK_MEMORY,
    "gpu": {"type": "object"},
    "image": {"type": "string"},
    "configMaps": {"type": "array"},
    "secrets": {"type": "array"},
    "env": {"type": "array", "items": k8s("api.core.v1.EnvVar")},
    "envVars": STRING_MAP,
    "envFrom": {"type": "array", "items": k8s("api.core.v1.EnvFromSource")},
    "envSecretKeyRefs": {"type": "object"},
    "labels": STRING_MAP,
    "annotations": STRING_MAP,
    "volumeMounts": {"type": "array", "items": k8s("api.core.v1.VolumeMount")},
    "affinity": k8s("api.core.v1.Affinity"),
    "tolerations": {"type": "array", "items": k8s("api.core.v1.Toleration")},
    "podSecurityContext": k8s("api.core.v1.PodSecurityContext"),
    "securityContext": k8s("api.core.v1.SecurityContext"),
    "schedulerName": {"type": "string"},
    "sidecars": {"type": "array", "items": k8s("api.core.v1.Container")},
    "initContainers": {"type": "array", "items": k8s("api.core.v1.Container")},
    "hostNetwork": {"type": "boolean"},
    "nodeSelector": STRING_MAP,
    "dnsConfig": k8s("api.core.v1.PodDNSConfig"),
    "terminationGracePeriodSeconds": {"type": "integer"},
    "serviceAccount": {"type": "string"},
    "hostAliases": {"type": "array", "items": k8s("api.core.v1.HostAlias")},
    "shareProcessNamespace": {"type": "boolean"},
    "coreRequest": QUANTITY,
    "javaOptions": {"type": "string"},
    "lifecycle": k8s("api.core.v1.Lifecycle"),
    "ports": {"type": "array"},
    "priorityClassName": {"type": "string"},
}
DRIVER_ONLY = {
    "podName": {"type": "string"},
    "kubernetesMaster": {"type": "string"},
    "serviceAnnotations": STRING_MAP,
    "serviceLabels": STRING_MAP,
}
EXECUTOR_ONLY = {
    "instances": {"type": "integer", "minimum": 1},
    "deleteOnTermination": {"type": "boolean"},
}

SPARK_APPLICATION_SCHEMA: dict[str, Any] = {
    # Beside the Kubernetes schemas, so that their /api/_definitions.json references resolve.
    "$id": "https://kubernetes.io/api/sparkapplication/sparkoperator.k8s.io/v1beta2",
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "sparkoperator.k8s.io/v1beta2"},
        "kind": {"const": "SparkApplication"},
        "metadata": {
            "allOf": [k8s("apimachinery.pkg.apis.meta.v1.ObjectMeta")],
            "required": ["name", "namespace"],
            "properties": {"name": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63}},
        },
        "spec": {
            "type": "object",
            "required": ["type", "sparkVersion", "mainApplicationFile", "driver", "executor"],
            "additionalProperties": False,
            "properties": {
                "type": {"enum": ["Java", "Python", "Scala", "R"]},
                "sparkVersion": {"type": "string"},
                "mode": {"enum": ["cluster", "client", "in-cluster-client"]},
                "proxyUser": {"type": "string"},
                "image": {"type": "string"},
                "imagePullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]},
                "imagePullSecrets": STRINGS,
                "mainClass": {"type": "string"},
                "mainApplicationFile": {"type": "string"},
                "arguments": STRINGS,
                "sparkConf": STRING_MAP,
                "hadoopConf": STRING_MAP,
                "sparkConfigMap": {"type": "string"},
                "hadoopConfigMap": {"type": "string"},
                "volumes": {"type": "array", "items": k8s("api.core.v1.Volume")},
                "driver": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {**SPARK_POD_SPEC, **DRIVER_ONLY},
                },
                "executor": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {**SPARK_POD_SPEC, **EXECUTOR_ONLY},
                },
                "deps": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        k: STRINGS
                        for k in ["jars", "files", "pyFiles", "packages", "excludePackages", "repositories", "archives"]
                    },
                },
                "restartPolicy": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "type": {"enum": ["Never", "Always", "OnFailure"]},
                        "onSubmissionFailureRetries": {"type": "integer", "minimum": 0},
                        "onFailureRetries": {"type": "integer", "minimum": 0},
                        "onSubmissionFailureRetryInterval": {"type": "integer", "minimum": 1},
                        "onFailureRetryInterval": {"type": "integer", "minimum": 1},
                    },
                },
                "nodeSelector": STRING_MAP,
                "failureRetries": {"type": "integer"},
                "retryInterval": {"type": "integer"},
                "pythonVersion": {"enum": ["2", "3"]},
                "memoryOverheadFactor": {"type": "string"},
                "monitoring": {"type": "object"},
                "batchScheduler": {"type": "string"},
                "timeToLiveSeconds": {"type": "integer"},
                "batchSchedulerOptions": {"type": "object"},
                "sparkUIOptions": {"type": "object"},
                "driverIngressOptions": {"type": "array"},
                "dynamicAllocation": {"type": "object"},
            },
        },
    },
}


class Checker:
    def __init__(self, version: str) -> None:
        self.version = version
        self.problems: list[str] = []
        schema_dir = f"kubernetes-json-schema/v{version}-local-strict"
        definitions = kv_utils.schema_contents(f"{schema_dir}/_definitions.json", version)
        self.registry = Resource.from_contents(definitions) @ Registry()

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def kubernetes_object(self, where: str, obj: dict[str, Any]) -> None:
        try:
            kubernetes_validate.validate(obj, self.version, strict=True)
        except kubernetes_validate.ValidationError as e:
            path = ".".join(str(p) for p in e.path)
            self.fail(where, f"{obj.get('kind')} is not valid Kubernetes {e.version}: {path}: {e.message}")
        except kubernetes_validate.SchemaNotFoundError as e:
            self.fail(where, e.message)

    def spark_application(self, where: str, app: dict[str, Any]) -> None:
        validator = jsonschema.Draft202012Validator(SPARK_APPLICATION_SCHEMA, registry=self.registry)
        for e in sorted(validator.iter_errors(app), key=lambda e: list(e.path)):
            path = ".".join(str(p) for p in e.path)
            self.fail(where, f"SparkApplication {path}: {e.message}")

    def no_literal_secrets(self, where: str, obj: Any) -> None:
        for env in find_key(obj, "env"):
            for var in env if isinstance(env, list) else []:
                if SECRET_NAME.search(str(var.get("name", ""))) and "value" in var:
                    self.fail(where, f"env {var['name']} has a literal value: take it from a Secret (valueFrom)")
        for conf in find_key(obj, "sparkConf"):
            for key, value in (conf or {}).items():
                if SECRET_SPARK_KEY.search(key):
                    self.fail(where, f"sparkConf {key} = {value!r} would put a secret into the object")
        if isinstance(obj, dict) and obj.get("kind") == "Secret":
            self.fail(where, "a Secret with data belongs in the cluster, not in the repository")

    def quantities(self, where: str, obj: Any) -> None:
        """Resource amounts must be Kubernetes quantities (the JSON schema accepts any string)."""
        for key in ("requests", "limits"):
            for amounts in find_key(obj, key):
                for name, value in (amounts or {}).items() if isinstance(amounts, dict) else []:
                    if not re.fullmatch(QUANTITY["pattern"], str(value)):
                        self.fail(where, f"{key}.{name} = {value!r} is not a Kubernetes quantity")

    def hardened_pod(self, where: str, spec: dict[str, Any], containers: list[dict[str, Any]]) -> None:
        if (spec.get("securityContext") or {}).get("runAsNonRoot") is not True:
            self.fail(where, "the pod must set securityContext.runAsNonRoot: true")
        for container in containers:
            context = container.get("securityContext") or {}
            if context.get("allowPrivilegeEscalation") is not False:
                self.fail(where, f"container {container.get('name')} must set allowPrivilegeEscalation: false")
            if "ALL" not in ((context.get("capabilities") or {}).get("drop") or []):
                self.fail(where, f"container {container.get('name')} must drop ALL capabilities")


def find_key(obj: Any, key: str) -> Iterator[Any]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key:
                yield v
            yield from find_key(v, key)
    elif isinstance(obj, list):
        for item in obj:
            yield from find_key(item, key)


def spark_properties(file: Path) -> dict[str, str]:
    """The simple `key value` lines of a Spark properties file (values of one line suffice here)."""
    props = {}
    for line in file.read_text().splitlines():
        if line.strip() and not line.startswith(("#", " ")):
            key, _, value = line.partition(" ")
            props[key] = value.strip()
    return props


def render(text: str) -> str:
    for template, value in SAMPLE_RENDERING.items():
        text = text.replace(template, value)
    return text


def check_manifests(checker: Checker, repo: Path, k8s_dir: Path, props: dict[str, str], config_out: Path) -> None:
    dockerfile = (k8s_dir / "Dockerfile").read_text()
    image = props.get("spark.kubernetes.container.image")
    containers = {
        "driver": props.get("spark.kubernetes.driver.podTemplateContainerName"),
        "executor": props.get("spark.kubernetes.executor.podTemplateContainerName"),
    }
    files = sorted(k8s_dir.glob("*.yaml"))
    if not files:
        checker.fail(str(k8s_dir), "no manifests")
    for file in files:
        where = os.path.relpath(file, repo)
        try:
            docs = [d for d in yaml.safe_load_all(render(file.read_text())) if d]
        except yaml.YAMLError as e:
            checker.fail(where, f"not YAML: {e}")
            continue
        for doc in docs:
            if not isinstance(doc, dict) or "kind" not in doc:
                checker.fail(where, "a document without kind")
                continue
            checker.no_literal_secrets(where, doc)
            checker.quantities(where, doc)
            if doc["kind"] == "SparkApplication":
                checker.spark_application(where, doc)
                check_application_links(checker, where, doc, repo, image, dockerfile)
                continue
            checker.kubernetes_object(where, doc)
            if doc["kind"] == "Pod":
                role = "driver" if "driver" in file.name else "executor"
                check_template(checker, where, doc, containers[role])
            if doc["kind"] == "ConfigMap" and "lakepipe.conf" in doc.get("data", {}):
                config_out.write_text(doc["data"]["lakepipe.conf"])
    print(f"{len(files)} manifests checked against Kubernetes {K8S_VERSION} and the SparkApplication fields")


def check_template(checker: Checker, where: str, pod: dict[str, Any], container_name: str | None) -> None:
    spec = pod.get("spec", {})
    names = [c.get("name") for c in spec.get("containers", [])]
    if container_name not in names:
        checker.fail(where, f"no container named {container_name} (the profile's podTemplateContainerName)")
    checker.hardened_pod(where, spec, spec.get("containers", []))
    if not any(v.get("name", "").startswith("spark-local-dir-") for v in spec.get("volumes", [])):
        checker.fail(where, "no spark-local-dir-* volume: Spark would use an unbounded emptyDir of its own")
    if (pod.get("metadata", {}).get("labels") or {}).get("app.kubernetes.io/part-of") != "lakepipe":
        checker.fail(where, "label app.kubernetes.io/part-of: lakepipe is missing")


def check_application_links(
    checker: Checker, where: str, app: dict[str, Any], repo: Path, image: str | None, dockerfile: str
) -> None:
    spec = app.get("spec", {})
    if spec.get("image") != image:
        checker.fail(where, f"image {spec.get('image')} differs from config/spark-k8s.conf's {image}")
    if spec.get("sparkVersion") != SPARK_VERSION:
        checker.fail(where, f"sparkVersion {spec.get('sparkVersion')} is not {SPARK_VERSION}")
    match = JAR_IN_IMAGE.match(str(spec.get("mainApplicationFile", "")))
    if not match:
        checker.fail(where, "mainApplicationFile must be a job jar baked into the image (local:///opt/lakepipe/jars/)")
        return
    module = match.group(1)
    if f"/src/{module}/target/{module}.jar" not in dockerfile:
        checker.fail(where, f"the Dockerfile does not copy {module}.jar into the image")
    main_class = str(spec.get("mainClass", ""))
    source = repo / module / "src/main/java" / (main_class.replace(".", "/") + ".java")
    if not source.is_file():
        checker.fail(where, f"mainClass {main_class} is not a class of {module}")
    args = spec.get("arguments", [])
    if (
        args[:1] != ["--config"]
        or "--ds" not in args
        or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", args[args.index("--ds") + 1])
    ):
        checker.fail(where, "arguments must be --config <file> --ds <date> (the jobs' contract)")
    for role in ("driver", "executor"):
        pod = spec.get(role, {})
        checker.hardened_pod(
            f"{where} ({role})",
            {"securityContext": pod.get("podSecurityContext")},
            [{"name": role, "securityContext": pod.get("securityContext")}],
        )


def check_built(checker: Checker, built: Path, props: dict[str, str]) -> None:
    """The objects Spark's own builders made from config/spark-k8s.conf and the pod templates."""
    files = sorted(built.glob("*.json"))
    if not any(f.name == "driver-pod.json" for f in files) or not any(f.name == "executor-pod.json" for f in files):
        checker.fail(str(built), "Spark built no driver or executor pod")
    for file in files:
        obj = json.loads(file.read_text())
        where = f"Spark-built {file.name}"
        checker.kubernetes_object(where, obj)
        checker.quantities(where, obj)
        if obj.get("kind") != "Pod":
            continue
        role = "driver" if file.name.startswith("driver") else "executor"
        spec = obj["spec"]
        containers = spec.get("containers", [])
        wanted = props.get(f"spark.kubernetes.{role}.podTemplateContainerName")
        if [c.get("name") for c in containers] != [wanted]:
            checker.fail(where, f"containers {[c.get('name') for c in containers]}, expected only {wanted}")
        checker.hardened_pod(where, spec, containers)
        env = {e["name"]: e for c in containers for e in c.get("env", [])}
        mounts = {m["name"]: m["mountPath"] for c in containers for m in c.get("volumeMounts", [])}
        local = env.get("SPARK_LOCAL_DIRS", {}).get("value")
        if local != mounts.get("spark-local-dir-1"):
            checker.fail(where, f"SPARK_LOCAL_DIRS {local} is not the template's spark-local-dir-1 volume")
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            if "secretKeyRef" not in env.get(name, {}).get("valueFrom", {}):
                checker.fail(where, f"{name} does not come from a Secret")
        if role == "driver":
            account = props.get("spark.kubernetes.authenticate.driver.serviceAccountName")
            if spec.get("serviceAccountName") != account:
                checker.fail(where, f"service account {spec.get('serviceAccountName')}, expected {account}")
            if not any(a == "--ds" for c in containers for a in c.get("args", [])):
                checker.fail(where, "the driver's arguments lost --ds")
    print(f"{len(files)} objects built by Spark checked against Kubernetes {K8S_VERSION}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--built", type=Path, required=True, help="the JSON objects SparkDeployCheck wrote")
    parser.add_argument(
        "--config-out",
        type=Path,
        required=True,
        help="where to write the ConfigMap's lakepipe.conf for the jobs' loader",
    )
    args = parser.parse_args()
    repo = args.repo.resolve()
    props = spark_properties(repo / "config/spark-k8s.conf")
    checker = Checker(K8S_VERSION)
    check_manifests(checker, repo, repo / "infra/deploy/k8s", props, args.config_out)
    check_built(checker, args.built, props)
    for problem in checker.problems:
        print(f"FAIL {problem}", file=sys.stderr)
    return 1 if checker.problems else 0


if __name__ == "__main__":
    sys.exit(main())
