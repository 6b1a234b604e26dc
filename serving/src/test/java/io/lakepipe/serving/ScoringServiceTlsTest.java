// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakepipe.serving.bundle.FolderBundleSource;
import io.lakepipe.serving.http.TlsKeystore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The service over real HTTPS: a self-signed keystore made by keytool, one service with a token on
 * an ephemeral loopback port, clients that do and do not trust its certificate, plain HTTP on the
 * same port, and the startup errors of a bad keystore or a missing password.
 */
class ScoringServiceTlsTest extends ServiceTestBase {
  private static final String PASSWORD = "keystore-pass-0123";

  @TempDir static Path dir;
  static Path keystore;
  static Path bundle;
  static ScoringService service;
  static HttpClient trusting;

  @BeforeAll
  static void start() throws Exception {
    keystore = dir.resolve("server.p12");
    keytool(keystore, PASSWORD);
    bundle = TestBundles.write(dir.resolve("bundle"), "lr-v1", "1");
    service =
        ScoringService.start(
            ServingConfig.defaults(new FolderBundleSource(bundle))
                .withPort(0)
                .withToken(TOKEN)
                .withTls(new TlsKeystore(keystore, PASSWORD)));
    trusting =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .sslContext(trusting(keystore))
            .build();
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void healthAnswersOverHttpsToAClientThatTrustsTheCertificate() {
    Answer answer = send(trusting, https("/health").GET().build());
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.response().version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(answer.response().sslSession())
        .hasValueSatisfying(
            session -> assertThat(session.getProtocol()).isIn("TLSv1.2", "TLSv1.3"));
  }

  @Test
  void predictOverHttpsNeedsTheToken() {
    String body = record(10, 1000.0, "ORD");
    HttpRequest.Builder predict =
        https("/predict")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    assertThat(send(trusting, predict.build()).status()).isEqualTo(401);
    Answer answer = send(trusting, predict.header("Authorization", "Bearer " + TOKEN).build());
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().get("probability").asDouble()).isBetween(0.0, 1.0);
  }

  @Test
  void plainHttpOnTheTlsPortGetsNoHttpAnswer() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", service.port())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String reply = new String(readSome(socket.getInputStream()), StandardCharsets.ISO_8859_1);
      assertThat(reply).doesNotStartWith("HTTP/");
    }
  }

  @Test
  void aClientThatDoesNotTrustTheCertificateFailsTheHandshake() {
    HttpRequest health = https("/health").GET().build();
    assertThatThrownBy(() -> send(HTTP, health))
        .isInstanceOf(UncheckedIOException.class)
        .hasCauseInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void aWrongKeystorePasswordIsAOneLineStartupError() {
    Cli cli = run(Map.of(ServingConfig.KEYSTORE_PASSWORD_ENV, "not-the-password"));
    assertThat(cli.exitCode()).isEqualTo(1);
    assertThat(cli.errLines())
        .singleElement()
        .asString()
        .contains("does not open with the password in " + ServingConfig.KEYSTORE_PASSWORD_ENV)
        .doesNotContain("not-the-password");
    assertThatThrownBy(
            () ->
                ScoringService.start(
                    ServingConfig.defaults(new FolderBundleSource(bundle))
                        .withPort(0)
                        .withTls(new TlsKeystore(keystore, "not-the-password"))))
        .isInstanceOf(ServingException.class)
        .hasMessageContaining(keystore.toString());
  }

  @Test
  void anUnsetPasswordIsAOneLineStartupError() {
    Cli cli = run(Map.of());
    assertThat(cli.exitCode()).isEqualTo(1);
    assertThat(cli.errLines())
        .singleElement()
        .asString()
        .contains(ServingConfig.KEYSTORE_PASSWORD_ENV + " is not set");
  }

  @Test
  void aMissingOrUnreadableKeystoreIsAOneLineStartupError() throws IOException {
    Map<String, String> env = Map.of(ServingConfig.KEYSTORE_PASSWORD_ENV, PASSWORD);
    Cli missing = run(env, "--tls-keystore", dir.resolve("nowhere.p12").toString());
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.errLines()).singleElement().asString().contains("No TLS keystore at");

    Path notPkcs12 =
        Files.writeString(dir.resolve("not-a-keystore.p12"), "-----BEGIN CERTIFICATE-----\n");
    Cli unreadable = run(env, "--tls-keystore", notPkcs12.toString());
    assertThat(unreadable.exitCode()).isEqualTo(1);
    assertThat(unreadable.errLines())
        .singleElement()
        .asString()
        .contains("Cannot read the TLS keystore");
  }

  private static HttpRequest.Builder https(String path) {
    return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + service.port() + path))
        .timeout(Duration.ofSeconds(30));
  }

  private record Cli(int exitCode, List<String> errLines) {}

  private static Cli run(Map<String, String> env) {
    return run(env, "--tls-keystore", keystore.toString());
  }

  private static Cli run(Map<String, String> env, String... tlsArgs) {
    StringWriter err = new StringWriter();
    CommandLine commandLine =
        ScoringServer.commandLine(new ScoringServer(env)).setErr(new PrintWriter(err, true));
    String[] args = new String[tlsArgs.length + 4];
    args[0] = "--bundle";
    args[1] = bundle.toString();
    args[2] = "--port";
    args[3] = "0";
    System.arraycopy(tlsArgs, 0, args, 4, tlsArgs.length);
    int exitCode = commandLine.execute(args);
    return new Cli(exitCode, err.toString().lines().toList());
  }

  /** What arrives before the server closes the connection or goes quiet. */
  private static byte[] readSome(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] buffer = new byte[1024];
    try {
      for (int n = in.read(buffer); n >= 0 && bytes.size() < 64 * 1024; n = in.read(buffer)) {
        bytes.write(buffer, 0, n);
      }
    } catch (SocketException | SocketTimeoutException e) {
      // A reset or silence: no HTTP answer either way.
    }
    return bytes.toByteArray();
  }

  /**
   * A self-signed EC key for localhost and 127.0.0.1, valid two days, as an administrator would
   * make one.
   */
  private static void keytool(Path target, String password)
      throws IOException, InterruptedException {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process =
        new ProcessBuilder(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "lakepipe",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                target.toString(),
                "-storepass",
                password,
                "-keypass",
                password)
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("keytool: %s", output).isZero();
  }

  /** An SSL context that trusts exactly the certificate of {@code keystore}. */
  private static SSLContext trusting(Path keystore) throws IOException, GeneralSecurityException {
    KeyStore server = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      server.load(in, PASSWORD.toCharArray());
    }
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("lakepipe", server.getCertificate("lakepipe"));
    TrustManagerFactory trustManagers =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trustManagers.getTrustManagers(), null);
    return context;
  }
}
