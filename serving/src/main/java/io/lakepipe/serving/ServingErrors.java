// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving;

import java.net.URI;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * The one place where the service's user-facing errors are written. Each message states what
 * failed, why, and what to do next; callers never build these messages themselves. Those only
 * /invocations' MLflow formats can cause are in {@link InvocationErrors}.
 */
public final class ServingErrors {
  private static final String KEYSTORE_PASSWORD_ENV = ServingConfig.KEYSTORE_PASSWORD_ENV;
  private static final String CONTRACT =
      "the bundle contract is in docs/serving.md, section Online scoring";

  private ServingErrors() {}

  // ---- bundles: files, checksum, PMML
  // ------------------------------------------------------------

  public static BundleException missingFile(String location, String file) {
    return new BundleException(
        "No "
            + file
            + " in the bundle at "
            + location
            + ": a bundle holds bundle.json and, side by side with it, model.pmml (format pmml, the"
            + " default) or model.onnx (format onnx). Point the service at the folder, S3 prefix or run"
            + " artifacts the export job wrote, or re-run the export.");
  }

  public static BundleException unreadableFile(String location, String file, Throwable cause) {
    return new BundleException(
        "Cannot read "
            + file
            + " of the bundle at "
            + location
            + " ("
            + cause
            + "): check that the path exists and is readable by this process.",
        cause);
  }

  public static BundleException manifestNotJson(String location, Throwable cause) {
    return new BundleException(
        "bundle.json at "
            + location
            + " is not valid JSON ("
            + firstLine(cause)
            + "): the file is damaged or was not written by the export job; re-run the export.",
        cause);
  }

  public static BundleException manifestField(String location, String key, String problem) {
    return new BundleException(
        "bundle.json at "
            + location
            + ": '"
            + key
            + "' "
            + problem
            + "; re-export"
            + " the bundle ("
            + CONTRACT
            + ").");
  }

  public static BundleException checksumMismatch(
      String location, String file, String actual, String declared) {
    return new BundleException(
        file
            + " at "
            + location
            + " has SHA-256 "
            + actual
            + " but bundle.json"
            + " declares "
            + declared
            + ": the bundle is damaged or half-written, so it is refused. Re-run the"
            + " export, or wait until it has finished writing and reload.");
  }

  public static BundleException pmmlUnreadable(String location, Throwable cause) {
    return new BundleException(
        "PMML4S cannot load model.pmml at "
            + location
            + " ("
            + firstLine(cause)
            + "): the file is not a PMML document this engine supports; re-export it, or check the exporter's"
            + " log for a stage it could not express.",
        cause);
  }

  public static BundleException outputFieldMissing(
      String location, String outputField, Collection<String> available) {
    return new BundleException(
        "bundle.json at "
            + location
            + " names output_field '"
            + outputField
            + "', but model.pmml has no such output (it has "
            + available
            + "): set output_field to the"
            + " probability of the positive class, usually probability(1).");
  }

  public static BundleException outputNotProbability(String location, String outputField) {
    return new BundleException(
        "The output '"
            + outputField
            + "' of model.pmml at "
            + location
            + " gave no probability in [0, 1] for a test record: output_field must name a probability"
            + " output such as probability(1).");
  }

  public static BundleException inputNotDeclared(
      String location, String field, Collection<String> declared) {
    return new BundleException(
        "model.pmml at "
            + location
            + " reads the input '"
            + field
            + "', which"
            + " bundle.json does not declare (it declares "
            + declared
            + "): requests could never carry it."
            + " Re-export the bundle so that its inputs list every field of the model.");
  }

  public static BundleException inputTypeMismatch(
      String location, String field, String declaredType, String pmmlType) {
    return new BundleException(
        "bundle.json at "
            + location
            + " declares the input '"
            + field
            + "' as "
            + declaredType
            + ", but model.pmml reads it as "
            + pmmlType
            + ": the two files come from different"
            + " exports or the exporter mapped the type wrongly; re-export the bundle.");
  }

  // ---- bundles: ONNX
  // ----------------------------------------------------------------------------

  public static BundleException onnxRuntimeUnavailable(String location, Throwable cause) {
    return new BundleException(
        "ONNX Runtime cannot start to load model.onnx at "
            + location
            + " ("
            + firstLine(cause)
            + "): its native library unpacks into java.io.tmpdir and loads from there, so that folder"
            + " must be writable and not mounted noexec (or point -Djava.io.tmpdir elsewhere); the"
            + " library is built for Linux, macOS and Windows on the processors ONNX Runtime ships.",
        cause);
  }

  public static BundleException onnxUnreadable(String location, Throwable cause) {
    return new BundleException(
        "ONNX Runtime cannot load model.onnx at "
            + location
            + " ("
            + firstLine(cause)
            + "): the file is not an ONNX model this runtime supports (an operator set too new, or"
            + " an operator it lacks); re-export it with opset 17 and ai.onnx.ml operators only.",
        cause);
  }

  public static BundleException onnxInputNotDeclared(
      String location, String input, Collection<String> declared) {
    return new BundleException(
        "model.onnx at "
            + location
            + " reads the input '"
            + input
            + "', which bundle.json does not declare (it declares "
            + declared
            + "): requests could never carry it. Re-export the bundle so that its inputs list every"
            + " input of the ONNX graph, named alike.");
  }

  public static BundleException onnxInputTypeMismatch(
      String location, String input, String declaredType, String onnxType) {
    return new BundleException(
        "bundle.json at "
            + location
            + " declares the input '"
            + input
            + "' as "
            + declaredType
            + ", but model.onnx reads it as "
            + onnxType
            + ": numbers (double, long, integer) must be tensor(float) and strings tensor(string);"
            + " re-export the bundle.");
  }

  public static BundleException onnxInputShape(String location, String input, String shape) {
    return new BundleException(
        "model.onnx at "
            + location
            + " reads the input '"
            + input
            + "' with the shape "
            + shape
            + ", but every input must be [N, 1] with N, the batch, dynamic: re-export the model with"
            + " a dynamic first axis and one column per input.");
  }

  public static BundleException onnxOutputMissing(String location, Collection<String> available) {
    return new BundleException(
        "model.onnx at "
            + location
            + " has no output named 'probability' (it has "
            + available
            + "): the service reads the positive class's probability from that output; re-export"
            + " the model with its output named so.");
  }

  public static BundleException onnxOutputNotProbability(String location, String actual) {
    return new BundleException(
        "The output 'probability' of model.onnx at "
            + location
            + " is "
            + actual
            + ", but it must be a float tensor of shape [N] or [N, 1] holding the positive class's"
            + " probability per record; re-export the model.");
  }

  public static BundleException onnxCategoriesInvalid(String location, String key, String problem) {
    return new BundleException(
        "The metadata '"
            + key
            + "' of model.onnx at "
            + location
            + " "
            + problem
            + ": it must be a JSON array of the input's known category strings; re-export the"
            + " model.");
  }

  public static BundleException s3Failed(String location, String file, Throwable cause) {
    return new BundleException(
        "Cannot read "
            + file
            + " from "
            + location
            + " ("
            + firstLine(cause)
            + "): check the bucket and prefix, the endpoint in LAKEPIPE_S3_ENDPOINT, and the credentials of"
            + " the default AWS chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).",
        cause);
  }

  // ---- the MLflow registry
  // -----------------------------------------------------------------------

  public static BundleException registryUnreachable(URI uri, Throwable cause) {
    return new BundleException(
        "The MLflow tracking server at "
            + uri
            + " did not answer ("
            + firstLine(cause)
            + "): start it (./lakepipe services start) or pass the right --registry.",
        cause);
  }

  public static BundleException registryRefused(URI uri, String what, int status, String body) {
    return new BundleException(
        "MLflow at "
            + uri
            + " refused to "
            + what
            + " (HTTP "
            + status
            + ": "
            + abbreviate(body)
            + "). Check the model name and alias (is the alias set on a version?), and"
            + " MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD if the server needs them.");
  }

  public static BundleException registryAnswer(URI uri, String what, String problem) {
    return new BundleException(
        "MLflow at "
            + uri
            + " answered "
            + what
            + " with "
            + problem
            + ": this service speaks the MLflow 2.x/3.x REST API; check that --registry is a tracking server.");
  }

  public static BundleException unsupportedArtifactUri(String runId, String artifactUri) {
    return new BundleException(
        "The run "
            + runId
            + " keeps its artifacts at '"
            + artifactUri
            + "', which"
            + " this service cannot read: it reads mlflow-artifacts:/ (the server's artifact proxy, mlflow"
            + " server --serve-artifacts), file:/ and s3:// locations.");
  }

  // ---- TLS
  // ---------------------------------------------------------------------------------------

  public static ServingException keystorePasswordUnset(Path keystore) {
    return new ServingException(
        "--tls-keystore "
            + keystore
            + " is given but "
            + KEYSTORE_PASSWORD_ENV
            + " is not set: export it with the keystore's password (the environment only, so that it stays out"
            + " of ps), or drop --tls-keystore to serve plain HTTP.");
  }

  public static ServingException keystoreMissing(Path keystore) {
    return new ServingException(
        "No TLS keystore at "
            + keystore
            + ": --tls-keystore must name a PKCS12"
            + " file holding the server's private key and certificate chain; check the path.");
  }

  public static ServingException keystoreUnreadable(Path keystore, Throwable cause) {
    return new ServingException(
        "Cannot read the TLS keystore "
            + keystore
            + " ("
            + firstLine(cause)
            + "): it must be a PKCS12 file readable by this process (openssl pkcs12 -export or keytool"
            + " -storetype PKCS12 write one).",
        cause);
  }

  public static ServingException keystoreWrongPassword(Path keystore) {
    return new ServingException(
        "The TLS keystore "
            + keystore
            + " does not open with the password in "
            + KEYSTORE_PASSWORD_ENV
            + ": set it to the keystore's password (its key must use the same one).");
  }

  public static ServingException keystoreHasNoKey(Path keystore) {
    return new ServingException(
        "The TLS keystore "
            + keystore
            + " holds no private key: it must hold the"
            + " server's key with its certificate chain, not only trusted certificates.");
  }

  // ---- requests
  // ----------------------------------------------------------------------------------

  public static RequestRefusedException emptyBody() {
    return new RequestRefusedException(
        400,
        "The request body is empty: send one JSON record (an object),"
            + " a JSON array of records, or {\"records\": [...]}.",
        null,
        null);
  }

  public static RequestRefusedException malformedJson(String detail) {
    return new RequestRefusedException(
        400, "The request body is not valid JSON (" + detail + ").", null, null);
  }

  public static RequestRefusedException duplicateField(String field) {
    return new RequestRefusedException(
        400,
        "Field '" + field + "' appears twice in one JSON object: send" + " each input once.",
        field,
        null);
  }

  public static RequestRefusedException notObjectOrArray(String kind) {
    return new RequestRefusedException(
        400,
        "The request body is a JSON "
            + kind
            + ": send one record (a"
            + " JSON object), an array of records, or {\"records\": [...]}.",
        null,
        null);
  }

  public static RequestRefusedException recordsNotArray(String kind) {
    return new RequestRefusedException(
        400, "'records' is a JSON " + kind + ", not an array of records.", "records", null);
  }

  public static RequestRefusedException recordNotObject(int index, String kind) {
    return new RequestRefusedException(
        400,
        "Record " + index + " of the batch is a JSON " + kind + ", not an object of input fields.",
        null,
        index);
  }

  public static RequestRefusedException batchTooLarge(int size, int max) {
    return new RequestRefusedException(
        413,
        "The batch holds "
            + size
            + " records, more than the "
            + max
            + " this service scores in one request (--max-batch): split it.",
        null,
        null);
  }

  public static RequestRefusedException bodyTooLarge(long max) {
    return new RequestRefusedException(
        413,
        "The request body is larger than "
            + max
            + " bytes"
            + " (--max-body-bytes): send smaller batches.",
        null,
        null);
  }

  public static RequestRefusedException missingField(String field, Integer index) {
    return new RequestRefusedException(
        400,
        "Missing field '"
            + field
            + "'"
            + where(index)
            + ": every input"
            + " of the model must be present; send null when the value is unknown.",
        field,
        index);
  }

  public static RequestRefusedException wrongType(
      String field, Integer index, String expected, String actual) {
    return new RequestRefusedException(
        400,
        "Field '"
            + field
            + "'"
            + where(index)
            + " must be "
            + expected
            + " (or null), not a JSON "
            + actual
            + ".",
        field,
        index);
  }

  public static RequestRefusedException notIntegral(String field, Integer index, String value) {
    return new RequestRefusedException(
        400,
        "Field '" + field + "'" + where(index) + " must be a whole" + " number, not " + value + ".",
        field,
        index);
  }

  public static RequestRefusedException outOfRange(
      String field, Integer index, String value, String type) {
    return new RequestRefusedException(
        400,
        "Field '"
            + field
            + "'"
            + where(index)
            + " is "
            + value
            + ", outside the range of "
            + type
            + ".",
        field,
        index);
  }

  public static RequestRefusedException unauthorized() {
    return new RequestRefusedException(
        401,
        "Missing or wrong bearer token: send 'Authorization: Bearer"
            + " <token>' with the token the service was started with (LAKEPIPE_SERVING_TOKEN).",
        null,
        null);
  }

  public static RequestRefusedException reloadDisabled() {
    return new RequestRefusedException(
        403,
        "Reloading over HTTP is disabled because the service runs"
            + " without a token: start it with LAKEPIPE_SERVING_TOKEN set to enable POST /admin/reload.",
        null,
        null);
  }

  public static RequestRefusedException busy() {
    return new RequestRefusedException(
        503,
        "The service is reading as many large requests as its memory allows:"
            + " retry in a second (Retry-After), or send smaller batches.",
        null,
        null,
        "busy");
  }

  public static RequestRefusedException noModel() {
    return new RequestRefusedException(
        503,
        "No model is loaded yet: the service is still loading its"
            + " bundle; retry when GET /health answers 200.",
        null,
        null);
  }

  public static RequestRefusedException unscorable(Integer index, List<String> missing) {
    return new RequestRefusedException(
        422,
        "The model returned no probability for the record"
            + where(index)
            + (missing.isEmpty() ? "" : " (missing: " + String.join(", ", missing) + ")")
            + ": it has no replacement for a missing value there; send a value.",
        missing.isEmpty() ? null : missing.get(0),
        index);
  }

  /** The message of a 500: the model gave no probability for a record with every input present. */
  public static String modelGaveNoProbability(Integer index, String version) {
    return "Model version "
        + version
        + " returned no probability for the record"
        + where(index)
        + ", although every input was present: the PMML computes something it cannot evaluate (its log"
        + " and the export's parity check will tell more); this is a fault of the model, not the request.";
  }

  /** The message of a 500: the model's engine (PMML4S, ONNX Runtime) failed scoring a record. */
  public static String modelFailed(Integer index, String version, Throwable cause) {
    return "Model version "
        + version
        + " failed on the record"
        + where(index)
        + " ("
        + cause.getClass().getSimpleName()
        + ": "
        + firstLine(cause)
        + "): a fault of the model or of the PMML engine, not of"
        + " the request; the service keeps running and its log has the stack trace.";
  }

  private static String where(Integer index) {
    return index == null ? "" : " of record " + index;
  }

  private static String firstLine(Throwable cause) {
    String message =
        cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private static String abbreviate(String body) {
    String flat = body == null ? "" : body.replaceAll("\\s+", " ").trim();
    return flat.length() <= 300 ? flat : flat.substring(0, 300) + "...";
  }
}
