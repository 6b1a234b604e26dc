"""The job catalog (config/jobs.conf) against what it names: classes, config keys, the docs, manifests."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from dag_loading import REPO_ROOT
from lakepipe_dags import catalog

sys.path.append(str(REPO_ROOT / "infra" / "report"))
from lakepipe_config import load_config  # the jobs' view of a config (infra/report is no package)

# The local config: its data products (config/pipelines/) over the defaults.
LOCAL = REPO_ROOT / "config" / "local.conf"
JOBS = catalog.jobs()


def _main_class_source(job: catalog.Job) -> Path:
    return REPO_ROOT / f"jobs-{job.module}" / "src" / "main" / "java" / (job.main_class.replace(".", "/") + ".java")


@pytest.mark.parametrize("name", JOBS)
def test_main_class_is_in_the_jar_of_the_module_and_audits_under_the_jobs_name(name: str) -> None:
    job = JOBS[name]
    source = _main_class_source(job)

    assert source.is_file(), f"jobs.{name}.main-class {job.main_class} is not a class of jobs-{job.module}"
    text = source.read_text()
    assert "JobRunner.execute(" in text
    # The name JobRunner writes to the audit table is the catalog's (a parameterised job adds its subject).
    assert f'"{job.audit_name.split(":")[0]}"' in text


def test_audit_names_are_the_job_names_or_name_their_subject_option() -> None:
    for job in JOBS.values():
        name, _, subject = job.audit_name.partition(":")
        assert name == job.name
        assert subject in ("", *(f"{{{option.name}}}" for option in job.options if option.required))


@pytest.fixture(scope="module")
def declared() -> object:
    """The local config, parsed once for every job (0.7 s a parse)."""
    return load_config(LOCAL)


@pytest.mark.parametrize("name", JOBS)
def test_what_a_job_reads_and_writes_is_declared_in_the_config(name: str, declared: object) -> None:
    for key in (*JOBS[name].reads, *JOBS[name].writes):
        if "{" in key:  # stands for an option's value, known when the job runs
            assert re.search(r"\{(\w+)\}", key).group(1) in {o.name for o in JOBS[name].options}
            continue
        assert declared.get(key, None) is not None, f"jobs.{name} names {key}, which config/local.conf lacks"


def test_the_job_table_of_the_operating_docs_lists_the_catalog() -> None:
    docs = (REPO_ROOT / "docs" / "operating.md").read_text()
    rows = re.findall(r"^\| (\S+) \(`jobs-([a-z-]+)`[^|]*\| `([\w.]+)` \|", docs, re.MULTILINE)

    assert {(name, module, main_class) for name, module, main_class in rows} == {
        (job.name, job.module, job.main_class) for job in JOBS.values()
    }


def test_kubernetes_manifests_run_catalog_jobs_from_their_jars() -> None:
    by_main_class = {job.main_class: job for job in JOBS.values()}
    manifests = sorted((REPO_ROOT / "infra" / "deploy" / "k8s").glob("sparkapplication-*.yaml"))

    assert manifests
    for manifest in manifests:
        text = manifest.read_text()
        main_class = re.search(r"^  mainClass: (\S+)$", text, re.MULTILINE).group(1)
        jar = re.search(r"^  mainApplicationFile: \S+/(jobs-[a-z-]+\.jar)$", text, re.MULTILINE).group(1)
        assert main_class in by_main_class, f"{manifest.name} runs {main_class}, which config/jobs.conf lacks"
        assert jar == by_main_class[main_class].jar


def test_lakepipe_run_gets_module_main_class_and_checked_options(capsys: pytest.CaptureFixture[str]) -> None:
    # A daily run: no Spark settings beyond config/spark-defaults.conf's (the second line is empty).
    assert catalog.main(["submit", "check-table", "--table", "bronze-flights"]) == 0
    assert capsys.readouterr().out == "ingest io.lakepipe.ingest.quality.CheckTableJob --table bronze-flights\n\n"

    assert catalog.main(["submit", "ingest"]) == 2
    assert "no job 'ingest' in " in capsys.readouterr().err

    assert catalog.main(["submit", "check-table", "--table"]) == 2
    assert "job options come as --<name> <value> pairs" in capsys.readouterr().err


LONG_RUNNING = "--conf spark.driver.defaultJavaOptions=-XX:-DontCompileHugeMethods --conf spark.ui.enabled=true"


def test_a_range_run_and_a_long_running_job_get_the_long_running_spark_settings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert catalog.main(["submit", "check-table", "--until", "2001-01-31", "--table", "bronze-flights"]) == 0
    assert capsys.readouterr().out == (
        f"ingest io.lakepipe.ingest.quality.CheckTableJob --until 2001-01-31 --table bronze-flights\n{LONG_RUNNING}\n"
    )

    assert catalog.main(["submit", "train-model", "--model", "flights-delay"]) == 0
    assert capsys.readouterr().out == f"train io.lakepipe.train.TrainModelJob --model flights-delay\n{LONG_RUNNING}\n"


def test_a_long_running_setting_with_a_space_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "jobs.conf"
    broken.write_text(
        'long-running-spark-conf { "spark.driver.defaultJavaOptions" = "-Xss4m -XX:TieredStopAtLevel=4" }\n'
        "jobs { report { module = report, main-class = R, description = x } }"
    )

    with pytest.raises(catalog.CatalogError, match=r"defaultJavaOptions = '-Xss4m -XX:TieredStopAtLevel=4': one word"):
        catalog._load(broken)


def test_an_incomplete_catalog_entry_says_which_key_is_missing(tmp_path: Path) -> None:
    broken = tmp_path / "jobs.conf"
    broken.write_text("jobs { ingest-files { module = ingest, description = x } }")

    with pytest.raises(catalog.CatalogError, match=r"jobs.conf: jobs.ingest-files.main-class is missing"):
        catalog._load(broken)


def test_a_module_given_as_a_jar_or_maven_module_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "jobs.conf"
    broken.write_text("jobs { x { module = jobs-ingest, main-class = a.B, description = x } }")

    with pytest.raises(catalog.CatalogError, match=r"jobs.x.module = 'jobs-ingest' is not a job module suffix"):
        catalog._load(broken)


@pytest.mark.parametrize("name", [name for name, job in JOBS.items() if job.options])
def test_options_are_the_ones_the_job_declares_in_java(name: str) -> None:
    job = JOBS[name]
    sources = "\n".join(p.read_text() for p in (REPO_ROOT / f"jobs-{job.module}" / "src" / "main").rglob("*.java"))
    constants = dict(re.findall(r'static final String (\w+) = "([\w-]+)";', sources))
    declared = {
        (option.strip('"') if option.startswith('"') else constants[option], kind == "required")
        for kind, option in re.findall(r'JobOption\.(required|optional)\(\s*("[\w-]+"|\w+)', sources)
    }

    assert {(option.name, option.required) for option in job.options} <= declared
