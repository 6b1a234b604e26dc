"""Find secrets where they must never be: in files a commit can pick up, and in the logs of a run.

The secrets are the real ones of this checkout, not guesses: every value in ``.lakepipe/secrets.env``
whose name says secret, password, token or key (not ``*_ID``, ``*_USER``, ``*_REGION``), the Airflow
login passwords that SimpleAuthManager generated, and ``LAKEPIPE_SERVING_TOKEN`` when it is set.
They are looked for, byte for byte, in:

- the repository: every tracked file and every untracked file git would not ignore (what ``git add``
  could commit); there also the shapes of well-known credentials (AWS access key ids, private keys,
  GitHub and Slack tokens) are looked for;
- the logs of a run: ``.lakepipe/logs``, every Airflow home's task logs, the Spark workers' driver
  and executor output, the Spark event logs (plain or zstd, Spark's default codec; other codecs are
  reported as skipped), Maven's test reports, and the test artifacts.

A finding prints the file, the line and the secret's *name*, never its value. Exit status: 0 when
nothing is found, 1 on a finding, 2 when there are no secrets to look for (run ./lakepipe setup).

    python infra/security/secret_scan.py [--home <checkout>]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|KEY", re.IGNORECASE)
NOT_SECRET_NAME = re.compile(r"(_ID|_USER|_REGION)$", re.IGNORECASE)
# Shorter values match by chance (e.g. a user name such as "lakepipe").
MIN_SECRET_CHARS = 8
# Shapes of credentials that must never be committed, whoever they belong to.
CREDENTIAL_SHAPES = {
    "an AWS access key id": re.compile(rb"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "a private key": re.compile(rb"-----BEGIN (RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----"),
    "a GitHub token": re.compile(rb"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "a Slack token": re.compile(rb"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),
}
# Log folders of a run, relative to the checkout; globs.
LOG_GLOBS = (
    ".lakepipe/logs/**/*",
    ".lakepipe/airflow*/logs/**/*",
    ".lakepipe/airflow*/*.log",
    ".lakepipe/services/spark-worker-*/**/std*",
    ".lakepipe/spark-events/*",
    ".lakepipe/test-artifacts/**/*",
    "*/target/surefire-reports/*",
    "*/target/failsafe-reports/*",
    "*/target/parity/*",
)
COMPRESSED_SUFFIXES = (".lz4", ".snappy", ".lzf", ".gz", ".png")
ZSTD_SUFFIXES = (".zstd", ".zst")


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def known_secrets(home: Path) -> dict[str, bytes]:
    """Name -> value of every secret of this checkout that is long enough to look for."""
    secrets: dict[str, str] = {}
    env_file = home / ".lakepipe" / "secrets.env"
    if env_file.is_file():
        for line in env_file.read_text().splitlines():
            name, sep, value = line.partition("=")
            name = name.strip()
            if sep and SECRET_NAME.search(name) and not NOT_SECRET_NAME.search(name):
                secrets[name] = value.strip().strip("'\"")
    for passwords in sorted(home.glob(".lakepipe/*/simple_auth_manager_passwords.json.generated")):
        for user, password in json.loads(passwords.read_text()).items():
            secrets[f"the Airflow password of {user!r} ({passwords.parent.name})"] = password
    if os.environ.get("LAKEPIPE_SERVING_TOKEN"):
        secrets["LAKEPIPE_SERVING_TOKEN"] = os.environ["LAKEPIPE_SERVING_TOKEN"]
    return {name: value.encode() for name, value in secrets.items() if len(value) >= MIN_SECRET_CHARS}


def repository_files(home: Path) -> list[Path]:
    """Tracked files, and untracked ones that git does not ignore."""
    listed = subprocess.run(
        ["git", "-C", str(home), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout
    return [home / name for name in listed.decode().split("\0") if name and (home / name).is_file()]


def log_files(home: Path) -> Iterator[Path]:
    seen: set[Path] = set()
    for pattern in LOG_GLOBS:
        for path in home.glob(pattern):
            if path.is_file() and not path.is_symlink() and path not in seen:
                seen.add(path)
                yield path


def scan(
    files: Iterable[Path], secrets: dict[str, bytes], shapes: bool, home: Path
) -> tuple[list[Finding], list[Path]]:
    """The findings in ``files``, and the files skipped as compressed."""
    findings: list[Finding] = []
    skipped: list[Path] = []
    for path in files:
        if path.name.endswith(COMPRESSED_SUFFIXES):
            skipped.append(path)
            continue
        data = _read(path)
        hits = [(name, value) for name, value in secrets.items() if value in data]
        for name, value in hits:
            findings.append(Finding(path.relative_to(home), _line_of(data, data.index(value)), name))
        if shapes:
            for what, shape in CREDENTIAL_SHAPES.items():
                for match in shape.finditer(data):
                    findings.append(Finding(path.relative_to(home), _line_of(data, match.start()), what))
    return findings, skipped


def _read(path: Path) -> bytes:
    if path.name.endswith(ZSTD_SUFFIXES):
        import pyarrow as pa  # the report virtualenv's; only needed for zstd event logs

        with pa.CompressedInputStream(pa.OSFile(str(path)), "zstd") as stream:
            return stream.read()
    return path.read_bytes()


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path(__file__).resolve().parents[2], help="the lakepipe checkout")
    args = parser.parse_args(argv)
    home = args.home.resolve()

    secrets = known_secrets(home)
    if not secrets:
        print(f"secret_scan: no secrets to look for in {home}/.lakepipe; run ./lakepipe setup first", file=sys.stderr)
        return 2
    repo = repository_files(home)
    logs = list(log_files(home))
    repo_findings, _ = scan(repo, secrets, shapes=True, home=home)
    log_findings, skipped = scan(logs, secrets, shapes=False, home=home)

    print(f"secret_scan: {len(secrets)} secrets ({', '.join(sorted(secrets))}) looked for in")
    print(f"  {len(repo)} repository files (also for credential shapes) and {len(logs) - len(skipped)} log files")
    if skipped:
        print(f"  skipped {len(skipped)} compressed files, e.g. {skipped[0].relative_to(home)}")
    findings = repo_findings + log_findings
    for finding in findings:
        print(f"  FOUND {finding}")
    if findings:
        print(
            f"secret_scan: {len(findings)} findings; remove the secret, then rotate it "
            "(rm .lakepipe/secrets.env; ./lakepipe setup)"
        )
        return 1
    print("secret_scan: nothing found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
