# shellcheck shell=bash  # sourced, not run
# Class-data sharing for the Spark drivers that spark-submit starts on this machine. A driver loads
# and verifies some 22,000 classes (Spark, Delta, Hadoop, the job's); a dynamic CDS archive holds them
# parsed and verified, and later drivers map it instead (a daily check-table took 14,900 of its 22,700
# from it). Measured on 2 cores, `./lakepipe run` of 2001-03-20, two runs each: ingest-files 14.0 s ->
# 10.1 s, check-table 14.4 s -> 10.4 s, build-features 25.6 s -> 19.5 s.
#
# One archive serves every job: it is written by one file ingest, and the classes the other jobs share
# with it (Spark's, Delta's) are most of what they load. Classes of a job jar that differ from the
# archived ones are loaded from the jar as usual (the JVM compares each class's size and CRC).
# spark-env.sh hands the archive to every spark-submit through SPARK_SUBMIT_OPTS. A JVM whose JDK or
# class path differs from the archive's says so in one warning line and runs without it.
# Expects LAKEPIPE_HOME, SPARK_HOME and JAVA_HOME.

DRIVER_CDS_DIR="$LAKEPIPE_HOME/.lakepipe/driver-cds"
DRIVER_CDS_ARCHIVE="$DRIVER_CDS_DIR/spark-driver.jsa"
# The day the archive's ingest lands and reads: any day of the demo data.
DRIVER_CDS_DAY=2001-01-01

# What the archive was written for: the JDK and Spark's jars (the class path it was checked against).
driver_cds_wanted() {
  printf '%s|%s\n' "$("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)" \
    "$(ls -l "$SPARK_HOME/jars" | sha256sum | cut -c1-16)"
}

# Writes the archive unless the one there was written for this JDK and these Spark jars: one day of
# the flights demo data landed into a throwaway folder and ingested, with -XX:ArchiveClassesAtExit,
# into a throwaway lakehouse (33 s here). The JVM writes the archive beside the final one, which it
# replaces only once the driver succeeded: a JVM that maps a half-written archive crashes.
# ensure_driver_cds <jobs-ingest.jar> <tools.jar>
ensure_driver_cds() {
  local ingest_jar="$1" tools_jar="$2" wanted work log="$DRIVER_CDS_DIR/write.log"
  wanted="$(driver_cds_wanted)"
  if [[ -s "$DRIVER_CDS_ARCHIVE" && "$(cat "$DRIVER_CDS_DIR/built-for" 2>/dev/null)" == "$wanted" ]]; then
    return 0
  fi
  echo "Writing the class-data sharing archive of the local Spark drivers ($DRIVER_CDS_ARCHIVE, log: $log)"
  rm -f "$DRIVER_CDS_ARCHIVE" "$DRIVER_CDS_DIR/built-for"
  mkdir -p "$DRIVER_CDS_DIR"
  work="$(mktemp -d "$DRIVER_CDS_DIR/write.XXXXXX")"
  printf 'include file("%s")\nlakepipe.lakehouse = "%s"\nlakepipe.sources.flights.location = "%s"\n' \
    "$LAKEPIPE_HOME/config/local.conf" "$work/lakehouse" "$work/landing" >"$work/write.conf"
  local -a submit=("$LAKEPIPE_HOME/.lakepipe/venv-airflow/bin/spark-submit" --master "local[2]"
    --properties-file "$LAKEPIPE_HOME/config/spark-defaults.conf")
  # SPARK_SUBMIT_OPTS is replaced, not added to: an archive it names already cannot be mapped while
  # another is written.
  if SPARK_SUBMIT_OPTS="" "${submit[@]}" --class io.lakepipe.tools.files.LandDemoFilesCommand "$tools_jar" \
      --config "$work/write.conf" --source flights --from "$DRIVER_CDS_DAY" >"$log" 2>&1 \
    && SPARK_SUBMIT_OPTS="-XX:ArchiveClassesAtExit=$work/spark-driver.jsa" \
      "${submit[@]}" --class io.lakepipe.ingest.files.IngestFilesJob "$ingest_jar" \
      --config "$work/write.conf" --ds "$DRIVER_CDS_DAY" --source flights >>"$log" 2>&1 \
    && [[ -s "$work/spark-driver.jsa" ]]; then
    mv "$work/spark-driver.jsa" "$DRIVER_CDS_ARCHIVE"
    echo "$wanted" >"$DRIVER_CDS_DIR/built-for"
  else
    echo "(no class-data sharing: writing the archive failed, see $log; the drivers load their classes as usual)"
  fi
  rm -rf "$work"
}
