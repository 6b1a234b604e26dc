#!/usr/bin/env bash
# Follows a recipe of docs/contributing.md on a copy of this checkout, exactly as written: cuts its
# blocks out of docs/contributing.md (infra/test/recipes.py), creates and appends the files they name
# in the copy, then runs its bash blocks there. Exit 1 with the failing step's output when any of it fails.
#
#   infra/test/recipe-test.sh "<section title of docs/contributing.md>" [config]
#
# The copy holds the checkout's files (committed or not, ignored ones left out) and shares its
# .lakepipe (virtualenvs, Airflow's database, services' secrets) and job jars. With a config file,
# the copy's config/local.conf first includes it, so the recipe runs against that config's lakehouse
# (the end-to-end test's) instead of the default one; what the recipe appends comes after.
set -euo pipefail
LAKEPIPE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
title="${1:?usage: $0 \"<section title of docs/contributing.md>\" [config]}"
config="${2:-}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lakepipe-recipe.XXXXXX")"
COPY="$WORK/lakepipe"
trap 'rc=$?; if ((rc == 0)); then rm -rf "$WORK"; else echo "recipe-test: the copy is kept in $COPY" >&2; fi' EXIT
T0=$(date +%s)

mkdir -p "$COPY/.lakepipe"
(cd "$LAKEPIPE_HOME" && git ls-files -z --cached --others --exclude-standard) | while IFS= read -r -d '' file; do
  if [[ -f "$LAKEPIPE_HOME/$file" ]]; then
    mkdir -p "$COPY/$(dirname "$file")"
    cp -p "$LAKEPIPE_HOME/$file" "$COPY/$file"
  fi
done
for entry in "$LAKEPIPE_HOME"/.lakepipe/*; do
  ln -s "$entry" "$COPY/.lakepipe/$(basename "$entry")"
done
for target in "$LAKEPIPE_HOME"/jobs-*/target "$LAKEPIPE_HOME"/tools/target "$LAKEPIPE_HOME"/serving/target; do
  [[ -d "$target" ]] && ln -s "$target" "$COPY/${target#"$LAKEPIPE_HOME"/}"
done
if [[ -n "$config" ]]; then
  printf 'include file("%s")\n' "$(realpath "$config")" >"$COPY/config/local.conf"
fi

python3 "$LAKEPIPE_HOME/infra/test/recipes.py" apply "$title" "$COPY"
commands="$(python3 "$LAKEPIPE_HOME/infra/test/recipes.py" commands "$title")"
while IFS= read -r command; do
  [[ -z "$command" || "$command" == \#* ]] && continue
  echo "recipe-test: \$ $command"
  (cd "$COPY" && env -u LAKEPIPE_HOME -u LAKEPIPE_CONFIG bash -euo pipefail -c "$command") \
    || { echo "recipe-test FAILED: '$title': \`$command\` failed" >&2; exit 1; }
done <<<"$commands"
echo "recipe-test: ok '$title' followed as written in $(( $(date +%s) - T0 )) s"
