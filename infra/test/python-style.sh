#!/usr/bin/env bash
# The style of the Python code in dags/, infra/ and notebooks/ (the files ruff.toml includes): ruff's
# linter, then its formatter's check, which changes no file; both with the repository's ruff.toml and
# the ruff that infra/python/requirements-deploy.txt pins (.lakepipe/venv-deploy). Exit 1 on any
# finding. To fix them: .lakepipe/venv-deploy/bin/ruff check --fix && .lakepipe/venv-deploy/bin/ruff format
#
#   infra/test/python-style.sh
set -euo pipefail
LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUFF="$LAKEPIPE_HOME/.lakepipe/venv-deploy/bin/ruff"
CONFIG="$LAKEPIPE_HOME/ruff.toml"
[[ -x "$RUFF" ]] || { echo "python-style: no $RUFF; run ./lakepipe setup" >&2; exit 1; }
T0=$(date +%s)
# ruff.toml's paths are the repository's: run from its root, whatever the caller's folder.
cd "$LAKEPIPE_HOME"

files="$("$RUFF" check --config "$CONFIG" --show-files)"
folders="$(sed "s|^$LAKEPIPE_HOME/||; s|/.*||" <<<"$files" | sort -u | sed 's|$|/|' | paste -sd ' ')"
echo "python-style: $("$RUFF" --version) on $(wc -l <<<"$files") files in $folders (ruff.toml)"

failed=()
"$RUFF" check --config "$CONFIG" --no-fix --output-format concise --quiet || failed+=("lint")
"$RUFF" format --config "$CONFIG" --check --quiet || failed+=("format")
if ((${#failed[@]})); then
  echo "python-style FAILED (${failed[*]}): fix with .lakepipe/venv-deploy/bin/ruff check --fix && .lakepipe/venv-deploy/bin/ruff format" >&2
  exit 1
fi
echo "python-style: ok lint and format, $(($(date +%s) - T0)) s"
