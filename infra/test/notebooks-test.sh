#!/usr/bin/env bash
# Runs every notebook under notebooks/ headless with papermill, as a data scientist would run it top to
# bottom, against a config's lakehouse and MLflow experiment; fails on the first cell that raises.
# The executed copies (with their plots) go to .lakepipe/test-artifacts/notebooks/; the committed
# notebooks must carry no outputs, which is checked first.
#
#   infra/test/notebooks-test.sh [config]     (default config/local.conf)
set -euo pipefail
LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export LAKEPIPE_HOME
config="$(realpath "${1:-$LAKEPIPE_HOME/config/local.conf}")"
PYTHON="$LAKEPIPE_HOME/.lakepipe/venv-mlflow/bin/python"
OUT="$LAKEPIPE_HOME/.lakepipe/test-artifacts/notebooks"
source "$LAKEPIPE_HOME/config/services.env"
[[ -x "$PYTHON" ]] || { echo "notebooks-test: no $PYTHON; run ./lakepipe setup" >&2; exit 1; }
T0=$(date +%s)

"$PYTHON" - "$LAKEPIPE_HOME"/notebooks/*/*.ipynb <<'PY'
import json, sys
dirty = [path for path in sys.argv[1:] for cell in json.load(open(path))["cells"]
         if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))]
if dirty:
    sys.exit(f"notebooks-test FAILED: committed notebooks must have no outputs: {sorted(set(dirty))}")
PY
echo "notebooks-test: ok the committed notebooks carry no outputs"

mkdir -p "$OUT"
for notebook in "$LAKEPIPE_HOME"/notebooks/*/*.ipynb; do
  name="$(basename "$(dirname "$notebook")")-$(basename "$notebook")"
  started=$(date +%s)
  "$PYTHON" -m papermill --cwd "$(dirname "$notebook")" --kernel python3 --no-progress-bar \
    -p config_file "$config" "$notebook" "$OUT/$name" >"$OUT/$name.log" 2>&1 \
    || { tail -n 40 "$OUT/$name.log" >&2; echo "notebooks-test FAILED: ${notebook#"$LAKEPIPE_HOME"/} (executed copy: $OUT/$name)" >&2; exit 1; }
  echo "notebooks-test: ok ${notebook#"$LAKEPIPE_HOME"/} ran headless in $(( $(date +%s) - started )) s"
done
echo "notebooks-test: passed in $(( $(date +%s) - T0 )) s (executed copies in $OUT)"
