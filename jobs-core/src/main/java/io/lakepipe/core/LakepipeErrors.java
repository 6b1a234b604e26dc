// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core;

import java.util.Locale;

/**
 * Factory of every user-facing error of the jobs. Each message states the problem, its cause and
 * the fix, on one line, so that the last line of a failed Airflow task log is enough to act on.
 */
public final class LakepipeErrors {
  private LakepipeErrors() {}

  /** Arguments the job does not take; {@code usage} lists the ones it does. */
  public static LakepipeException badArguments(String detail, String usage) {
    return new LakepipeException(
        "Invalid arguments: "
            + detail.replaceAll("\\s*\\R\\s*", " ")
            + ". Usage: spark-submit --class <Main> <job jar> "
            + usage,
        LakepipeException.EXIT_USAGE,
        null);
  }

  public static LakepipeException badRange(String ds, String until) {
    return new LakepipeException(
        "Invalid --until '"
            + until
            + "': the last day of a range run must be an ISO date on or after --ds "
            + ds
            + ".",
        LakepipeException.EXIT_USAGE,
        null);
  }

  public static LakepipeException badLogicalDate(String value) {
    return new LakepipeException(
        "Invalid --ds '"
            + value
            + "': the logical date must be an ISO date such as 2001-01-15"
            + " (Airflow's {{ ds }}).",
        LakepipeException.EXIT_USAGE,
        null);
  }

  public static LakepipeException configFileMissing(String path) {
    return failed(
        "Config file "
            + path
            + " does not exist: pass --config with the path of a"
            + " lakepipe HOCON file such as config/local.conf.",
        null);
  }

  public static LakepipeException configInvalid(String path, String detail, Throwable cause) {
    return failed(
        "Config "
            + path
            + " is invalid: "
            + detail
            + ". Fix the file; every key and its default is listed in jobs-core's lakepipe-defaults.conf.",
        cause);
  }

  public static LakepipeException unknownConfigKeys(String path, Iterable<String> keys) {
    return failed(
        "Config "
            + path
            + " has unknown keys "
            + String.join(", ", keys)
            + ": check their spelling against jobs-core's lakepipe-defaults.conf.",
        null);
  }

  public static LakepipeException inputMissing(String what, String path) {
    return failed(
        "Input "
            + what
            + " not found at "
            + path
            + ": run `./lakepipe setup` (local) or point the config at the right location.",
        null);
  }

  public static LakepipeException partitionMissing(String table, String path, String ds) {
    return failed(
        "Table "
            + table
            + " at "
            + path
            + " has no rows for ds="
            + ds
            + ": run the upstream task for that date first (Airflow clears and reruns it for you).",
        null);
  }

  public static LakepipeException tableMissing(String table, String path) {
    return failed(
        "Table "
            + table
            + " does not exist at "
            + path
            + ": run the job that writes it first (`./lakepipe run <job> <ds>`, or its Airflow task).",
        null);
  }

  public static LakepipeException concurrentWrite(String path, String ds, Throwable cause) {
    return failed(
        "Another run committed to "
            + path
            + " for ds "
            + ds
            + " while this one was writing it ("
            + cause.getClass().getSimpleName()
            + "). This run's write was not committed; the table holds the other run's whole write."
            + " Two runs must not write the same table and ds at once: look for another DAG run,"
            + " backfill or `./lakepipe run` of it, then rerun this one.",
        cause);
  }

  public static LakepipeException tableVersionMissing(
      String table, String path, long version, long latest) {
    return failed(
        "Table "
            + table
            + " at "
            + path
            + " has no version "
            + version
            + " (its versions are"
            + " 0 to "
            + latest
            + "): pass a version it has, or none to read the latest.",
        null);
  }

  public static LakepipeException featureDefinitionInvalid(
      String feature, String detail, Throwable cause) {
    return failed(
        "Feature '"
            + feature
            + "' in lakepipe.features is invalid: "
            + detail
            + ". Fix its definition in the config; the kinds and their fields are described in"
            + " lakepipe-defaults.conf.",
        cause);
  }

  /**
   * A check declared in {@code lakepipe.checks} that cannot run as written.
   *
   * @param key the full key at fault, e.g. {@code
   *     lakepipe.checks.bronze-flights.constraints[3].kind}
   * @param origin the file and line that declared it
   * @param fix what to change, in the words of the declaration
   */
  public static LakepipeException checkDeclarationInvalid(
      String key, String origin, String problem, String fix) {
    return failed(
        "Check declaration "
            + key
            + " ("
            + origin
            + ") is invalid: "
            + problem
            + ". "
            + fix
            + "; the kinds of constraint and their keys are described under lakepipe.checks in"
            + " jobs-core's lakepipe-defaults.conf.",
        null);
  }

  /**
   * A source declared in {@code lakepipe.sources} that cannot run as written.
   *
   * @param key the full key at fault, e.g. {@code lakepipe.sources.flights.expectations[2].sql}
   * @param origin the file and line that declared it
   * @param fix what to change, in the words of the declaration
   */
  public static LakepipeException sourceDeclarationInvalid(
      String key, String origin, String problem, String fix) {
    return failed(
        "Source declaration "
            + key
            + " ("
            + origin
            + ") is invalid: "
            + problem
            + ". "
            + fix
            + "; the keys of a source are described under lakepipe.sources in jobs-core's"
            + " lakepipe-defaults.conf.",
        null);
  }

  /** Rows that broke an expectation declared with {@code action = fail}; they are in quarantine. */
  public static LakepipeException expectationFailed(
      String source, String ds, long rows, String expectation) {
    return failed(
        "Source "
            + source
            + " for ds="
            + ds
            + ": "
            + rows
            + " row(s) broke expectations"
            + " declared with action = fail, such as '"
            + expectation
            + "': the rows are in the"
            + " quarantine table with their reasons and bronze was not written; fix the source, then"
            + " rerun the date.",
        null);
  }

  /**
   * A feature view declared in {@code lakepipe.views} that cannot run as written.
   *
   * @param key the full key at fault, e.g. {@code lakepipe.views.flights.lookups[0].table}
   * @param origin the file and line that declared it
   * @param fix what to change, in the words of the declaration
   */
  public static LakepipeException viewDeclarationInvalid(
      String key, String origin, String problem, String fix) {
    return failed(
        "View declaration "
            + key
            + " ("
            + origin
            + ") is invalid: "
            + problem
            + ". "
            + fix
            + "; the keys of a view are described under lakepipe.views in jobs-core's"
            + " lakepipe-defaults.conf.",
        null);
  }

  /** A model declaration (lakepipe.models.*) that cannot be trained, named by key and origin. */
  public static LakepipeException modelDeclarationInvalid(
      String key, String origin, String problem, String fix) {
    return failed(
        "Model declaration "
            + key
            + " ("
            + origin
            + ") is invalid: "
            + problem
            + ". "
            + fix
            + "; the keys of a model are described under lakepipe.models in jobs-core's"
            + " lakepipe-defaults.conf.",
        null);
  }

  public static LakepipeException badShareExceeded(
      String source, String ds, long bad, long read, double threshold) {
    return failed(
        String.format(
            Locale.ROOT,
            "Quarantined %d of %d rows of %s for ds=%s (%.2f%%), above the allowed %.2f%%: inspect the"
                + " quarantine table for the reasons, fix the source, then rerun the date.",
            bad,
            read,
            source,
            ds,
            100.0 * bad / Math.max(read, 1),
            100.0 * threshold),
        null);
  }

  /**
   * A gate that counts the failed runs of the date before this one as well: their rows are not read
   * again (a stream's checkpoint moved on), so the retry alone would pass.
   */
  public static LakepipeException badShareExceededAcrossRuns(
      String source,
      String ds,
      long bad,
      long read,
      double threshold,
      int earlierRuns,
      String limitKey) {
    return failed(
        String.format(
            Locale.ROOT,
            "Quarantined %d of %d rows of %s for ds=%s (%.2f%%), counting the %d failed run(s) of this"
                + " date since its last success, whose rows a retry does not read again; above the"
                + " allowed %.2f%%. Inspect the quarantine table for the reasons; to accept the date as it"
                + " is, raise lakepipe.%s and rerun it.",
            bad,
            read,
            source,
            ds,
            100.0 * bad / Math.max(read, 1),
            earlierRuns,
            100.0 * threshold,
            limitKey),
        null);
  }

  public static LakepipeException environmentDoesNotTrain(String environment) {
    return failed(
        "Environment "
            + environment
            + " does not train (lakepipe.environment.trains = false): its model versions come"
            + " only from the lakepipe_promote DAG, which copies a validated version after an"
            + " approval. Train with the config of the environment before it (config/local.conf"
            + " for staging).",
        null);
  }

  public static LakepipeException configValueInvalid(String key, String value, String allowed) {
    return failed(
        "Config key lakepipe."
            + key
            + " has the invalid value '"
            + value
            + "': use one of "
            + allowed
            + ".",
        null);
  }

  /**
   * S3 server-side encryption whose key does not fit its algorithm; the key itself is never shown.
   */
  public static LakepipeException s3EncryptionKeyInvalid(String problem, String fix) {
    return failed(
        "S3 encryption is misconfigured: "
            + problem
            + ": "
            + fix
            + ". The algorithm is lakepipe.s3.encryption.algorithm; the key comes only from the"
            + " environment.",
        null);
  }

  public static LakepipeException landingMissing(String folder, String ds) {
    return failed(
        "No files landed for ds="
            + ds
            + " in "
            + folder
            + ": land the day first (`./lakepipe land` locally), or wait for the upstream delivery and"
            + " rerun the date.",
        null);
  }

  public static LakepipeException landingEmpty(String folder, String ds, int files) {
    return failed(
        "The "
            + files
            + " file(s) landed for ds="
            + ds
            + " in "
            + folder
            + " hold no records: the delivery is empty; ask its producer to resend the day, then rerun.",
        null);
  }

  public static LakepipeException sourceUnreadable(String source, Throwable cause) {
    return failed(
        "Cannot read "
            + source
            + " ("
            + rootMessage(cause)
            + "): a landed file does not"
            + " match the schema declared in lakepipe.sources, or is not in the declared format;"
            + " move it aside or fix the declaration, then rerun.",
        cause);
  }

  /** A landed file that could not be read, named, as Spark named it in {@code cause}. */
  public static LakepipeException landedFileUnreadable(
      String source, String file, Throwable cause) {
    return failed(
        "Cannot read "
            + source
            + ": its file "
            + file
            + " ("
            + rootMessage(cause)
            + ")"
            + " is truncated or corrupt, does not match the schema declared in lakepipe.sources, or is"
            + " not in the declared format; land it again, move it aside or fix the declaration, then"
            + " rerun.",
        cause);
  }

  public static LakepipeException objectStoreFailed(String action, Throwable cause) {
    return failed(
        "S3 call failed: "
            + action
            + " ("
            + rootMessage(cause)
            + "): check"
            + " lakepipe.s3.endpoint, that the S3 server is up (`./lakepipe services status`), and the"
            + " AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY environment.",
        cause);
  }

  public static LakepipeException fileSystemFailed(String action, Throwable cause) {
    return failed(
        "File system call failed: "
            + action
            + " ("
            + rootMessage(cause)
            + "): check that"
            + " the file system is up and that the Hadoop configuration (HADOOP_CONF_DIR, spark.hadoop.*)"
            + " names it and its credentials.",
        cause);
  }

  public static LakepipeException qualityChecksFailed(String table, String ds, String failures) {
    return failed(
        "Data-quality checks on "
            + table
            + " for ds="
            + ds
            + " failed: "
            + failures
            + ". The results are in the quality metrics table; fix the data upstream and rerun the date.",
        null);
  }

  /**
   * A failed gate on feature metrics. Unlike a broken constraint on raw data, a drift can be real
   * and expected, so the fix names both ways out: repair upstream, or change the settings.
   */
  public static LakepipeException featureChecksFailed(
      String table, String ds, String failures, String metricsPath, String configSection) {
    return failed(
        "Feature checks on "
            + table
            + " for ds="
            + ds
            + " failed: "
            + failures
            + ". Every feature's metrics for the date are in "
            + metricsPath
            + ". Fix the features"
            + " upstream and rerun the date or, where the change is expected, raise the limit or exempt"
            + " the feature in lakepipe."
            + configSection
            + ".",
        null);
  }

  public static LakepipeException jdbcCredentialsMissing(String location, String configSection) {
    return failed(
        "No database credentials for "
            + location
            + ": lakepipe."
            + configSection
            + ".user and .password are empty. Export them in the environment (LAKEPIPE_PG_READER_USER"
            + " and LAKEPIPE_PG_READER_PASSWORD, a read-only role; locally `./lakepipe setup` generates"
            + " them and config/services.env exports them); never write them into a config file.",
        null);
  }

  /**
   * A failed JDBC read, worded by the SQLState the driver reported (credentials, connection,
   * table).
   */
  public static LakepipeException jdbcReadFailed(String location, Throwable cause) {
    java.sql.SQLException sql = null;
    for (Throwable t = cause;
        t != null && sql == null;
        t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.sql.SQLException e) {
        sql = e;
      }
    }
    String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
    String detail =
        firstLine(sql == null ? rootMessage(cause) : sql.getMessage())
            + (state.isEmpty() ? "" : " [SQLState " + state + "]");
    String what;
    String next;
    if (state.startsWith("28")) {
      what = "the database rejected the credentials";
      next = "check LAKEPIPE_PG_READER_USER and LAKEPIPE_PG_READER_PASSWORD in the environment";
    } else if (state.startsWith("08") || state.startsWith("57P")) {
      what = "the database connection was lost or refused";
      next =
          "check that the database is up (locally: infra/postgres/postgres.sh status) and rerun the"
              + " date; no table was changed";
    } else if (state.equals("57014") || state.equals("55P03")) {
      what = "the query ran past lakepipe.sources.*.query-timeout-seconds";
      next =
          "find what holds or slows the table (pg_locks and pg_stat_activity in PostgreSQL), or"
              + " raise the timeout, and rerun the date; no table was changed";
    } else if (state.equals("42501")) {
      what = "the database role may not read the table";
      next =
          "grant the job's read-only role SELECT on it (locally `./lakepipe services start` does)";
    } else if (state.equals("42P01") || state.equals("3F000")) {
      what = "the table does not exist";
      next = "check lakepipe.sources.*.table and the database";
    } else {
      what = "the read failed";
      next = "fix the cause and rerun the date; no table was changed";
    }
    return failed(
        "Reading " + location + " failed, " + what + " (" + detail + "): " + next + ".", cause);
  }

  public static LakepipeException trainingDataUnusable(String ds, String detail) {
    return failed(
        "Cannot train for ds="
            + ds
            + ": "
            + detail
            + ". Build the feature table for the training window first.",
        null);
  }

  public static LakepipeException trackingUnreachable(String uri, Throwable cause) {
    return failed(
        "MLflow tracking server "
            + uri
            + " is unreachable ("
            + rootMessage(cause)
            + "): start it with `./lakepipe services start` or set lakepipe.mlflow.tracking-uri.",
        cause);
  }

  public static LakepipeException trackingCallFailed(String call, String detail, Throwable cause) {
    return failed(
        "MLflow call "
            + call
            + " failed: "
            + detail
            + ". Check the tracking server's log (.lakepipe/logs/mlflow.log locally).",
        cause);
  }

  public static LakepipeException promotionLockBusy(
      String model, String holder, String since, long waitedSeconds) {
    return failed(
        "Another training ("
            + holder
            + ") has been promoting "
            + model
            + " since "
            + since
            + "; this one waited "
            + waitedSeconds
            + " s for it. Retry the training; a lock whose holder died expires by itself.",
        null);
  }

  public static LakepipeException modelNotFound(String model, String selector) {
    return failed(
        "Registered model "
            + model
            + " has no version "
            + selector
            + ": run the train job first, or choose another version/alias in lakepipe.export.",
        null);
  }

  public static LakepipeException modelNotLoggable(String what, String why) {
    return failed(
        "Cannot log "
            + what
            + " in MLflow's model format: "
            + why
            + ". The pipeline must"
            + " end with a binary probabilistic classifier (such as LogisticRegression) and read"
            + " numeric, boolean, string, binary, date or timestamp columns.",
        null);
  }

  public static LakepipeException modelJarNotFound(String library, String why, Throwable cause) {
    return failed(
        "Cannot log a pipeline with "
            + library
            + " stages in MLflow's model format: the"
            + " model must carry "
            + library
            + "'s classes for mlflow.pyfunc, but "
            + why
            + ". Run the"
            + " job from its job jar, or with "
            + library
            + " on the class path as a jar file.",
        cause);
  }

  /**
   * A pipeline stage that PMML (as JPMML-SparkML writes it) cannot express: the fix is a model the
   * export supports, or scoring with Spark, which needs no PMML.
   */
  public static LakepipeException stageNotInPmml(
      String stage, String model, String version, String reason) {
    return failed(
        "The stage "
            + stage
            + " of model "
            + model
            + " version "
            + version
            + " cannot be expressed in PMML: "
            + firstLine(reason)
            + ". Choose another model type in"
            + " lakepipe.train.candidates (logistic-regression, gbt, mlp and xgboost export as PMML, torch as"
            + " ONNX), or score this version"
            + " with Spark through serve-export, which needs no PMML.",
        null);
  }

  /**
   * A model whose bundle (PMML or ONNX) could not be described: its inputs or its output do not fit
   * the contract.
   */
  public static LakepipeException bundleInvalid(String model, String version, String reason) {
    return failed(
        "Cannot export model "
            + model
            + " version "
            + version
            + " as a bundle for Spark-free scoring: "
            + reason
            + ". The bundle needs a binary probabilistic classifier (or the torch family's model)"
            + " reading numeric or string columns of the feature table.",
        null);
  }

  /** Writing a bundle to its deployment location failed; a retry rewrites it whole. */
  public static LakepipeException deploymentFailed(String location, Throwable cause) {
    return failed(
        "Cannot publish the model bundle to "
            + location
            + " ("
            + rootMessage(cause)
            + "): check that the location is writable (for s3:// the bucket exists, lakepipe.s3.endpoint"
            + " and the AWS_* credentials), then rerun; the export rewrites the bundle whole.",
        cause);
  }

  public static LakepipeException kafkaUnreachable(String bootstrap, Throwable cause) {
    return failed(
        "Kafka broker "
            + bootstrap
            + " is unreachable ("
            + rootMessage(cause)
            + "): start it with `./lakepipe services start` (or infra/kafka/kafka.sh start), or set"
            + " lakepipe.sources.flight-events.bootstrap-servers.",
        cause);
  }

  public static LakepipeException kafkaTopicMissing(String topic, String bootstrap) {
    return failed(
        "Kafka topic "
            + topic
            + " does not exist on "
            + bootstrap
            + ": publish events first with `./lakepipe replay <from-ds> <to-ds>` (it creates the topic),"
            + " or set lakepipe.sources.flight-events.topic.",
        null);
  }

  public static LakepipeException streamFailed(String what, String checkpoint, Throwable cause) {
    return failed(
        "Stream "
            + what
            + " failed: "
            + rootMessage(cause)
            + ". Its checkpoint "
            + checkpoint
            + " is intact and the writes are idempotent: fix the cause and rerun; no event is lost or"
            + " written twice.",
        cause);
  }

  private static LakepipeException failed(String message, Throwable cause) {
    return new LakepipeException(message, LakepipeException.EXIT_FAILED, cause);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).trim();
  }

  private static String rootMessage(Throwable t) {
    for (Throwable cause = t; cause != null; cause = cause.getCause()) {
      if (cause instanceof java.net.ConnectException) {
        return "connection refused";
      }
      if (cause instanceof java.net.http.HttpTimeoutException) {
        return "no answer in time";
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    Throwable root = t;
    while (root != null && root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root == null) {
      return "no answer";
    }
    return root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }
}
