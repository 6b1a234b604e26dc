#!/usr/bin/env bash
# Compiles every benchmark against the jar it runs with, without running it: the check (in the
# onboarding suite) that a change left the benchmarks buildable. JARS_DIR=<folder> takes the jars
# from that folder (the test suites' copies) instead of each module's target/.
# Usage: bench/compile.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The jar a module builds: jobs-<x>/target/jobs-<x>.jar, tools/target/tools.jar,
# serving/target/lakepipe-serving.jar.
jar_of() {
  local jar="$1"
  if [[ -n "${JARS_DIR:-}" ]]; then
    echo "$JARS_DIR/$jar.jar"
  elif [[ "$jar" == lakepipe-serving ]]; then
    echo "$LAKEPIPE_HOME/serving/target/$jar.jar"
  elif [[ "$jar" == tools ]]; then
    echo "$LAKEPIPE_HOME/tools/target/$jar.jar"
  else
    echo "$LAKEPIPE_HOME/$jar/target/$jar.jar"
  fi
}

# Each benchmark (its folder under bench/) and the class path its run.sh compiles it against.
declare -A CLASS_PATHS=(
  [backfill]="$SPARK_HOME/jars/*:$(jar_of jobs-ingest)"
  [features-rebuild]="$SPARK_HOME/jars/*:$(jar_of jobs-features)"
  [file-ingest]="$SPARK_HOME/jars/*:$(jar_of jobs-ingest)"
  [kafka-ingest]="$SPARK_HOME/jars/*:$(jar_of jobs-ingest):$(jar_of tools)"
  [train-models]="$SPARK_HOME/jars/*:$(jar_of jobs-train)"
  [serving/spark]="$SPARK_HOME/jars/*:$(jar_of jobs-train)"
  [serving]="$(jar_of lakepipe-serving)"
)
for name in "${!CLASS_PATHS[@]}"; do
  [[ -d "$LAKEPIPE_HOME/bench/$name/src" ]] || { echo "bench/compile.sh: no bench/$name/src" >&2; exit 1; }
done
# A benchmark left out of the table would never be compiled here.
while read -r src; do
  name="${src#"$LAKEPIPE_HOME/bench/"}"
  name="${name%/src}"
  [[ "$name" == common || -v "CLASS_PATHS[$name]" ]] \
    || { echo "bench/compile.sh: bench/$name has no class path in CLASS_PATHS" >&2; exit 1; }
done < <(find "$LAKEPIPE_HOME/bench" -type d -name src)
for name in $(printf '%s\n' "${!CLASS_PATHS[@]}" | sort); do
  compile_bench "$name" "$LAKEPIPE_HOME/.lakepipe/bench-compile/$name" "${CLASS_PATHS[$name]}"
  echo "bench/$name: compiles"
done
