// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.http;

import io.lakepipe.serving.ServingErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.Collections;
import java.util.Objects;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The server's PKCS12 keystore (its private key and certificate chain) and the password that opens
 * it, which comes from {@code LAKEPIPE_SERVING_KEYSTORE_PASSWORD} only. {@link #load} checks it
 * before the server starts, so that a wrong path or password is a one-line startup error rather
 * than a Jetty trace.
 *
 * @param path the PKCS12 file
 * @param password opens both the file and its key
 */
public record TlsKeystore(Path path, String password) {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  public TlsKeystore {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(password, "password");
  }

  /**
   * Opens the keystore and checks it holds a private key the password opens.
   *
   * @throws io.lakepipe.serving.ServingException when the file is missing, unreadable, not PKCS12,
   *     the password is wrong, or it holds no private key
   */
  public KeyStore load() {
    KeyStore store;
    try (InputStream in = Files.newInputStream(path)) {
      store = KeyStore.getInstance("PKCS12");
      store.load(in, password.toCharArray());
    } catch (NoSuchFileException e) {
      throw ServingErrors.keystoreMissing(path);
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw ServingErrors.keystoreWrongPassword(path);
      }
      throw ServingErrors.keystoreUnreadable(path, e);
    } catch (GeneralSecurityException e) {
      throw ServingErrors.keystoreUnreadable(path, e);
    }
    try {
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias) && store.getKey(alias, password.toCharArray()) != null) {
          return store;
        }
      }
    } catch (UnrecoverableKeyException e) {
      throw ServingErrors.keystoreWrongPassword(path);
    } catch (GeneralSecurityException e) {
      throw ServingErrors.keystoreUnreadable(path, e);
    }
    throw ServingErrors.keystoreHasNoKey(path);
  }

  /**
   * An HTTPS-only connector (HTTP/1.1 over TLS 1.2 or 1.3) on {@code host:port}, serving the key of
   * {@code store} with Javalin's HTTP configuration.
   */
  public ServerConnector connector(
      Server server, HttpConfiguration javalinHttp, KeyStore store, String host, int port) {
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStore(store);
    tls.setKeyStorePassword(password);
    tls.setKeyManagerPassword(password);
    tls.setIncludeProtocols(PROTOCOLS);
    HttpConfiguration https = new HttpConfiguration(javalinHttp);
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    // One certificate, reached by whatever name clients or a proxy use: checking it against the
    // Host
    // header would refuse a valid connection; hostname verification is the client's job.
    secure.setSniHostCheck(false);
    https.addCustomizer(secure);
    ServerConnector connector =
        new ServerConnector(
            server,
            new SslConnectionFactory(tls, HttpVersion.HTTP_1_1.asString()),
            new HttpConnectionFactory(https));
    connector.setHost(host);
    connector.setPort(port);
    return connector;
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    return "TlsKeystore[path=" + path + "]";
  }
}
