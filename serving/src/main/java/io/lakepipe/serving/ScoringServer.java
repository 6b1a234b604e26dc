// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving;

import io.lakepipe.serving.bundle.BundleSource;
import io.lakepipe.serving.bundle.FolderBundleSource;
import io.lakepipe.serving.bundle.RegistryBundleSource;
import io.lakepipe.serving.bundle.S3BundleSource;
import io.lakepipe.serving.http.TlsKeystore;
import io.lakepipe.serving.predictionlog.PredictionLogConfig;
import io.lakepipe.serving.shadow.ShadowConfig;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar lakepipe-serving.jar}: parses the command line, starts a {@link ScoringService},
 * and shuts it down gracefully on SIGTERM. Exit codes: 2 for a usage error, 1 when the service
 * cannot start (with one line on stderr saying why); while it serves, it exits only on a signal.
 */
@Command(
    name = "lakepipe-serving",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Scores flights over HTTP with a model bundle exported by lakepipe (PMML or ONNX, no Spark).",
      "The bearer token comes from the environment variable "
          + ServingConfig.TOKEN_ENV
          + " only, the"
          + " keystore password from "
          + ServingConfig.KEYSTORE_PASSWORD_ENV
          + " only."
    })
public final class ScoringServer implements Callable<Integer> {

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(
        names = "--bundle",
        paramLabel = "<dir or s3://bucket/prefix>",
        description =
            "Bundle folder or S3 prefix holding bundle.json and model.pmml or model.onnx.")
    String bundle;

    @Option(
        names = "--registry",
        paramLabel = "<tracking uri>",
        description = "MLflow tracking server; serve the version behind --alias of --model.")
    URI registry;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  ShadowSource shadowSource;

  static final class ShadowSource {
    @Option(
        names = "--shadow-alias",
        paramLabel = "<alias>",
        description =
            "Shadow model: also score every request, in the background, with the version behind"
                + " this alias of --model (with --registry), e.g. challenger; compared in the"
                + " metrics and the log, never answered.")
    String alias;

    @Option(
        names = "--shadow-bundle",
        paramLabel = "<dir or s3://bucket/prefix>",
        description = "Shadow model from a bundle folder or S3 prefix instead of an alias.")
    String bundle;
  }

  @Option(
      names = "--shadow-queue-records",
      description =
          "Most records waiting for the shadow; a request beyond is not shadowed and counted as"
              + " dropped (default: "
              + ShadowConfig.DEFAULT_MAX_QUEUED_RECORDS
              + ").")
  Integer shadowQueueRecords;

  @Option(
      names = "--shadow-summary-seconds",
      description =
          "How often the shadow's agreement is summarised in the log (default: "
              + ShadowConfig.DEFAULT_SUMMARY_SECONDS
              + ").")
  Integer shadowSummarySeconds;

  @Option(names = "--model", description = "Registered model name (with --registry).")
  String model;

  @Option(
      names = "--alias",
      defaultValue = "champion",
      description = "Registry alias (default: ${DEFAULT-VALUE}).")
  String alias;

  @Option(
      names = "--reload-seconds",
      defaultValue = "" + ServingConfig.DEFAULT_RELOAD_SECONDS,
      description = "How often the alias is polled (default: ${DEFAULT-VALUE}).")
  int reloadSeconds;

  @Option(
      names = "--host",
      defaultValue = ServingConfig.DEFAULT_HOST,
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--insecure-no-token",
      description =
          "Listen on an address other than loopback without a bearer token, accepting requests "
              + "from anyone who can reach it; without this flag such a --host needs "
              + ServingConfig.TOKEN_ENV
              + ".")
  boolean insecureNoToken;

  @Option(
      names = "--port",
      defaultValue = "" + ServingConfig.DEFAULT_PORT,
      description = "Port to listen on (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--threshold", description = "Label threshold, overriding the bundle's.")
  Double threshold;

  @Option(
      names = "--max-batch",
      defaultValue = "" + ServingConfig.DEFAULT_MAX_BATCH,
      description = "Most records in one request (default: ${DEFAULT-VALUE}).")
  int maxBatch;

  @Option(
      names = "--max-body-bytes",
      defaultValue = "" + ServingConfig.DEFAULT_MAX_BODY_BYTES,
      description = "Largest request body; larger ones get 413 (default: ${DEFAULT-VALUE}).")
  int maxBodyBytes;

  @Option(
      names = "--drain-seconds",
      defaultValue = "" + ServingConfig.DEFAULT_DRAIN_SECONDS,
      description =
          "On SIGTERM, how long requests in flight may take to finish (default: ${DEFAULT-VALUE}).")
  int drainSeconds;

  @Option(
      names = "--tls-keystore",
      paramLabel = "<PKCS12 file>",
      description =
          "Serve HTTPS only (TLS 1.2+), with this key and certificate chain; its password comes from "
              + ServingConfig.KEYSTORE_PASSWORD_ENV
              + ".")
  Path tlsKeystore;

  @Option(
      names = "--prediction-log",
      paramLabel = "<folder>",
      description =
          "Keep every answer: one JSON line per scored record in hourly files of <folder>/ds=<day>/"
              + " (the record's day, else the day of the answer), for the prediction-log source's"
              + " ingest. Off by default; a failed write never fails a request.")
  Path predictionLog;

  @Option(
      names = "--prediction-log-id-field",
      defaultValue = PredictionLogConfig.DEFAULT_ID_FIELD,
      description =
          "The field of a record logged as its record_id (default: ${DEFAULT-VALUE}); null when"
              + " absent.")
  String predictionLogIdField;

  @Option(
      names = "--prediction-log-day-field",
      defaultValue = PredictionLogConfig.DEFAULT_DAY_FIELD,
      description =
          "The field of a record logged as its record_day, YYYY-MM-DD, which chooses the line's day"
              + " folder (default: ${DEFAULT-VALUE}).")
  String predictionLogDayField;

  @Spec CommandLine.Model.CommandSpec spec;

  private final Map<String, String> env;

  ScoringServer(Map<String, String> env) {
    this.env = env;
  }

  public static void main(String[] args) {
    int exitCode = commandLine(new ScoringServer(System.getenv())).execute(args);
    // On success the server's threads keep the JVM alive until SIGTERM runs the shutdown hook.
    if (exitCode != 0) {
      System.exit(exitCode);
    }
  }

  /**
   * The command line of {@code server}: a failure to start is exit code 1 and one line on stderr.
   */
  static CommandLine commandLine(ScoringServer server) {
    return new CommandLine(server)
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              cmd.getErr().println("lakepipe-serving failed: " + e.getMessage());
              return 1;
            });
  }

  @Override
  public Integer call() {
    ServingConfig config = config(env);
    ScoringService service = ScoringService.start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(service::close, "lakepipe-serving-shutdown"));
    return 0;
  }

  ServingConfig config(Map<String, String> env) {
    Optional<String> token = Optional.ofNullable(env.get(ServingConfig.TOKEN_ENV));
    if (token.isEmpty() && !insecureNoToken && !loopback(host)) {
      throw new ParameterException(
          spec.commandLine(),
          "--host "
              + host
              + " listens beyond this machine, and "
              + ServingConfig.TOKEN_ENV
              + " is not set: set it to a secret that clients send as a bearer token, "
              + "or pass --insecure-no-token to accept unauthenticated requests from the network");
    }
    try {
      return new ServingConfig(
          bundleSource(env),
          host,
          port,
          threshold == null ? OptionalDouble.empty() : OptionalDouble.of(threshold),
          maxBatch,
          maxBodyBytes,
          Duration.ofSeconds(reloadSeconds),
          Duration.ofSeconds(drainSeconds),
          token,
          tls(env),
          shadow(env),
          Optional.ofNullable(predictionLog)
              .map(
                  folder ->
                      new PredictionLogConfig(
                          folder,
                          predictionLogIdField,
                          predictionLogDayField,
                          PredictionLogConfig.DEFAULT_QUEUE_RECORDS)));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /**
   * Whether every address of {@code host} is a loopback one; an unknown host counts as not
   * loopback.
   */
  private static boolean loopback(String host) {
    try {
      return Arrays.stream(InetAddress.getAllByName(host)).allMatch(InetAddress::isLoopbackAddress);
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private Optional<TlsKeystore> tls(Map<String, String> env) {
    if (tlsKeystore == null) {
      return Optional.empty();
    }
    String password = env.get(ServingConfig.KEYSTORE_PASSWORD_ENV);
    if (password == null || password.isEmpty()) {
      throw ServingErrors.keystorePasswordUnset(tlsKeystore);
    }
    return Optional.of(new TlsKeystore(tlsKeystore, password));
  }

  private Optional<ShadowConfig> shadow(Map<String, String> env) {
    if (shadowSource == null) {
      if (shadowQueueRecords != null || shadowSummarySeconds != null) {
        throw new ParameterException(
            spec.commandLine(),
            "--shadow-queue-records and --shadow-summary-seconds go with --shadow-alias or"
                + " --shadow-bundle");
      }
      return Optional.empty();
    }
    BundleSource shadow;
    if (shadowSource.alias != null) {
      if (source.registry == null) {
        throw new ParameterException(
            spec.commandLine(),
            "--shadow-alias goes with --registry (the shadow is another alias of the same model);"
                + " use --shadow-bundle for a folder or an S3 prefix");
      }
      if (shadowSource.alias.equals(alias)) {
        throw new ParameterException(
            spec.commandLine(),
            "--shadow-alias "
                + alias
                + " is the alias served: name another one, such as challenger");
      }
      shadow = new RegistryBundleSource(source.registry, model, shadowSource.alias, env);
    } else {
      shadow = folderOrS3(shadowSource.bundle, env);
    }
    return Optional.of(
        new ShadowConfig(
            shadow,
            shadowQueueRecords == null
                ? ShadowConfig.DEFAULT_MAX_QUEUED_RECORDS
                : shadowQueueRecords,
            Duration.ofSeconds(
                shadowSummarySeconds == null
                    ? ShadowConfig.DEFAULT_SUMMARY_SECONDS
                    : shadowSummarySeconds)));
  }

  private static BundleSource folderOrS3(String location, Map<String, String> env) {
    if (location.startsWith("s3://")) {
      return S3BundleSource.fromEnvironment(URI.create(location), env);
    }
    return new FolderBundleSource(Path.of(location));
  }

  private BundleSource bundleSource(Map<String, String> env) {
    if (source.registry != null) {
      if (model == null || model.isBlank()) {
        throw new ParameterException(
            spec.commandLine(), "--registry needs --model <registered model name>");
      }
      return new RegistryBundleSource(source.registry, model, alias, env);
    }
    if (model != null) {
      throw new ParameterException(
          spec.commandLine(), "--model goes with --registry, not with --bundle");
    }
    return folderOrS3(source.bundle, env);
  }
}
