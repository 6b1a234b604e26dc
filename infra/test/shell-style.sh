#!/usr/bin/env bash
# ShellCheck over every shell script of the repository (the tracked *.sh files, ./lakepipe and
# .ci/run), at severity warning (errors and warnings; ShellCheck's style notes are advice), with the
# repository's .shellcheckrc (sourced files followed from each script's folder) and the ShellCheck
# that infra/python/requirements-deploy.txt pins (.lakepipe/venv-deploy). Exit 1 on any finding.
# A finding that is intended gets a directive on the line before it, with the reason:
#   # shellcheck disable=SC2034  # read by infra/lib/service.sh's functions
#
#   infra/test/shell-style.sh
set -euo pipefail
LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SHELLCHECK="$LAKEPIPE_HOME/.lakepipe/venv-deploy/bin/shellcheck"
[[ -x "$SHELLCHECK" ]] || { echo "shell-style: no $SHELLCHECK; run ./lakepipe setup" >&2; exit 1; }
T0=$(date +%s)
cd "$LAKEPIPE_HOME"

mapfile -t scripts < <(git ls-files '*.sh' lakepipe .ci/run)
echo "shell-style: $("$SHELLCHECK" --version | sed -n 's/^version: /ShellCheck /p') on ${#scripts[@]} scripts (.shellcheckrc)"
if ! "$SHELLCHECK" --external-sources --severity=warning --format=gcc "${scripts[@]}"; then
  echo "shell-style FAILED: fix the findings above, or give an intended one a directive with its reason" >&2
  exit 1
fi
echo "shell-style: ok, $(($(date +%s) - T0)) s"
