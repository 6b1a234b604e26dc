#!/usr/bin/env bash
# Refreshes the lock files of the Python virtualenvs from their human-edited inputs: one command,
#
#   infra/python/lock.sh                          # every lock; versions already locked are kept
#   infra/python/lock.sh --upgrade                # every package to the newest version its inputs allow
#   infra/python/lock.sh --upgrade-package NAME   # that one only (repeatable)
#   infra/python/lock.sh mlflow airflow           # only those locks (of: build mlflow airflow deploy torch)
#
# then commit the inputs and the locks together. Needs PyPI; under a minute (most of it installing the
# resolver). The locks (infra/python/requirements-<venv>.lock) hold every package, direct and
# transitive, pinned with the sha256 of each of its files on PyPI; `./lakepipe setup` installs each
# virtualenv from its lock alone (pip install --require-hashes --no-deps), after requirements-build.lock
# (pip and setuptools). The check that each lock still matches its inputs, without PyPI:
# python3 infra/python/check_env.py locks (run by the tests).
#
#   lock             inputs                                             virtualenv
#   build            requirements-build.txt                             first in each one below
#   mlflow           requirements-mlflow.txt                            .lakepipe/venv-mlflow
#   airflow          requirements-airflow.txt, providers-airflow.txt    .lakepipe/venv-airflow
#                    (and overrides-airflow.txt)
#   deploy           requirements-deploy.txt                            .lakepipe/venv-deploy
#   torch            requirements-torch.txt (and overrides-torch.txt)   .lakepipe/venv-torch
#
# The resolver is uv's `uv pip compile --generate-hashes` (uv pinned below, in a throwaway virtualenv):
# it resolves for a target Python and platform given on its command line, whatever this machine runs,
# and drops a dependency by an override (pyspark-client, see overrides-airflow.txt); pip installs.
# The target: CPython 3.11 (the version of the virtualenvs, which ./lakepipe setup then requires) on
# Linux x86_64 with glibc 2.28 or later (manylinux_2_28). Every lock is resolved under the build pins
# (-c requirements-build.txt), so that setuptools has one version in all of them.
#
# Airflow's constraints: Airflow publishes a constraints file per release and Python version
# (constraints-3.3.2/constraints-3.11.txt in the apache/airflow repository, a branch that is not
# reachable from here); it was not found, so the Airflow lock is resolved without it (its header says
# so). To use it, put it beside this script as airflow-constraints-3.11.txt, with a comment line saying
# where it came from: this script then passes it to the Airflow lock's resolution (-c), minus the
# lines that the inputs pin on purpose (pyspark, see requirements-airflow.txt).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
UV_VERSION=0.13.9
PYTHON_VERSION=3.11
PYTHON_PLATFORM=x86_64-manylinux_2_28
AIRFLOW_CONSTRAINTS=airflow-constraints-$PYTHON_VERSION.txt
# Any Python 3 runs the resolver; the one ./lakepipe setup uses by default.
PYTHON="${LAKEPIPE_PYTHON:-$(command -v python3.11 || command -v python3)}"

die() { printf '[lock] error: %s\n' "$*" >&2; exit 1; }

upgrade=() locks=()
while (($#)); do
  case "$1" in
    --upgrade) upgrade+=(--upgrade) ;;
    --upgrade-package) [[ $# -ge 2 ]] || die "--upgrade-package needs a package name"; upgrade+=(--upgrade-package "$2"); shift ;;
    build | mlflow | airflow | deploy | torch) locks+=("$1") ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see the top of $0)" ;;
  esac
  shift
done
((${#locks[@]})) || locks=(build mlflow airflow deploy torch)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lakepipe-lock.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
echo "[lock] installing uv $UV_VERSION into a throwaway virtualenv ($WORK)"
"$PYTHON" -m venv "$WORK/tool"
"$WORK/tool/bin/pip" install --quiet --disable-pip-version-check "uv==$UV_VERSION" \
  || die "pip install uv==$UV_VERSION failed (PyPI reachable?)"
UV="$WORK/tool/bin/uv"

# lock_one <name> <input...> [--override <file>] [-c <file>]: writes requirements-<name>.lock, keeping
# the versions of the lock it replaces unless told to upgrade (uv reads the output file's pins as
# preferences).
lock_one() {
  local name="$1"; shift
  local lock="requirements-$name.lock" inputs=() overrides=() constraints=() args=()
  while (($#)); do
    case "$1" in
      --override) overrides+=("$2"); args+=(--override "$2"); shift ;;
      # (The header names the constraints files of this folder; Airflow's, filtered, has a note of its own.)
      -c) [[ "$2" == /* ]] || constraints+=("$2"); args+=(--constraint "$2"); shift ;;
      *) inputs+=("$1"); args+=("$1") ;;
    esac
    shift
  done
  echo "[lock] $lock from ${inputs[*]}${overrides[*]:+ (overrides ${overrides[*]})}"
  [[ -f "$lock" ]] && cp "$lock" "$WORK/$lock"
  # (From this folder, so that the lock's "# via -r" notes name the inputs without this machine's paths.)
  "$UV" pip compile --quiet --no-config --python-version "$PYTHON_VERSION" --python-platform "$PYTHON_PLATFORM" \
    --generate-hashes --no-header --annotation-style line ${upgrade[@]+"${upgrade[@]}"} \
    "${args[@]}" --output-file "$WORK/$lock" || die "resolving $lock failed (above: what conflicts)"
  {
    echo "# $lock: the lock of ${LOCK_FOR[$name]}."
    echo "# Every package, direct and transitive, pinned, with the sha256 of each of its files on PyPI. Made"
    echo "# by infra/python/lock.sh from the inputs below: do not edit it; edit them and run that script."
    echo "# ./lakepipe setup installs it: pip install --require-hashes --no-deps --no-build-isolation -r $lock"
    echo "# inputs: ${inputs[*]/#/infra/python/}"
    ((${#overrides[@]})) && echo "# overrides: ${overrides[*]/#/infra/python/}"
    ((${#constraints[@]})) && echo "# constraints: ${constraints[*]/#/infra/python/}"
    echo "# python-version: $PYTHON_VERSION"
    echo "# python-platform: $PYTHON_PLATFORM"
    echo "# resolver: uv $UV_VERSION, uv pip compile --generate-hashes"
    [[ -n "${NOTE[$name]:-}" ]] && printf '%s\n' "${NOTE[$name]}"
    cat "$WORK/$lock"
  } >"$lock.tmp"
  mv "$lock.tmp" "$lock"
}

declare -A LOCK_FOR=(
  [build]="the build tools, installed first in every virtualenv"
  [mlflow]="the MLflow virtualenv (.lakepipe/venv-mlflow)"
  [airflow]="the Airflow virtualenv (.lakepipe/venv-airflow)"
  [deploy]="the deploy virtualenv (.lakepipe/venv-deploy)"
  [torch]="the PyTorch virtualenv (.lakepipe/venv-torch)"
)
declare -A NOTE=()
airflow_constraints=()
cd "$HERE"
if [[ -f "$AIRFLOW_CONSTRAINTS" ]]; then
  # The lines the inputs pin on purpose are left out: pyspark (3.5.7, the jobs' Spark, where Airflow's
  # file has 4.x).
  grep -v -E '^(pyspark|pyspark-client)==' "$AIRFLOW_CONSTRAINTS" >"$WORK/airflow-constraints.txt"
  airflow_constraints=(-c "$WORK/airflow-constraints.txt")
  NOTE[airflow]="# airflow-constraints: infra/python/$AIRFLOW_CONSTRAINTS (less its pyspark lines)"
else
  NOTE[airflow]="# airflow-constraints: none. Airflow's constraints-$PYTHON_VERSION.txt for apache-airflow 3.3.2 (tag
# constraints-3.3.2 of the apache/airflow repository) was not at hand: that branch is not reachable
# from where the lock was made, and no copy of the file was found. So this lock is resolved from its
# inputs alone against PyPI (versions kept from the virtualenv the tests passed with)."
fi
for name in "${locks[@]}"; do
  case "$name" in
    build) lock_one build requirements-build.txt ;;
    mlflow) lock_one mlflow requirements-mlflow.txt -c requirements-build.txt ;;
    airflow)
      lock_one airflow requirements-airflow.txt providers-airflow.txt --override overrides-airflow.txt \
        -c requirements-build.txt ${airflow_constraints[@]+"${airflow_constraints[@]}"}
      ;;
    deploy) lock_one deploy requirements-deploy.txt -c requirements-build.txt ;;
    torch) lock_one torch requirements-torch.txt --override overrides-torch.txt -c requirements-build.txt ;;
  esac
done
"$PYTHON" "$HERE/check_env.py" locks
