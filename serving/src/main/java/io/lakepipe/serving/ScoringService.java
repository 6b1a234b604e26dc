// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving;

import io.javalin.Javalin;
import io.lakepipe.serving.http.BearerAuth;
import io.lakepipe.serving.http.Routes;
import io.lakepipe.serving.http.TlsKeystore;
import io.lakepipe.serving.metrics.ServiceMetrics;
import io.lakepipe.serving.predictionlog.PredictionLog;
import io.lakepipe.serving.reload.AliasWatcher;
import io.lakepipe.serving.reload.LoadedModel;
import io.lakepipe.serving.reload.ModelHolder;
import io.lakepipe.serving.reload.ModelRole;
import io.lakepipe.serving.reload.Reloader;
import io.lakepipe.serving.shadow.ShadowScoring;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running service: the HTTP server, the model in service and, for a registry alias, the watcher
 * that reloads it; with a shadow configured, the shadow model and its own reloading; with a
 * prediction log, its writer. {@link #start} returns once the first model serves; {@link #close}
 * shuts down gracefully: the port stops accepting, requests in flight finish (up to the drain
 * timeout), then the server stops.
 */
public final class ScoringService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ScoringService.class);

  private final Javalin app;
  private final ModelHolder holder;
  private final AliasWatcher watcher;
  private final ShadowScoring shadow;
  private final PredictionLog predictionLog;
  private final GracefulHandler inFlight;
  private final Duration drainTimeout;

  private ScoringService(
      Javalin app,
      ModelHolder holder,
      AliasWatcher watcher,
      ShadowScoring shadow,
      PredictionLog predictionLog,
      GracefulHandler inFlight,
      Duration drainTimeout) {
    this.app = app;
    this.holder = holder;
    this.watcher = watcher;
    this.shadow = shadow;
    this.predictionLog = predictionLog;
    this.inFlight = inFlight;
    this.drainTimeout = drainTimeout;
  }

  /**
   * Starts listening, loads the bundle, and starts the alias watcher when the source is a registry.
   * The port is open while the first bundle loads, so that /health can answer 503 meanwhile.
   *
   * @throws BundleException when the first bundle cannot be loaded (the server is stopped again)
   * @throws ServingException when the TLS keystore cannot be opened (nothing is started)
   */
  public static ScoringService start(ServingConfig config) {
    ServiceMetrics metrics = new ServiceMetrics();
    ModelHolder holder = new ModelHolder();
    Reloader reloader =
        new Reloader(
            config.source(), holder, metrics.model(), ModelRole.SERVED, config.threshold());
    ShadowScoring shadow =
        config
            .shadow()
            .map(
                shadowConfig ->
                    ShadowScoring.of(shadowConfig, metrics.addShadow(), config.threshold()))
            .orElse(ShadowScoring.disabled());
    PredictionLog predictionLog =
        config
            .predictionLog()
            .map(
                logConfig ->
                    PredictionLog.start(logConfig, metrics.addPredictionLog(), Clock.systemUTC()))
            .orElse(PredictionLog.disabled());
    Routes routes =
        new Routes(
            holder,
            reloader,
            shadow,
            predictionLog,
            metrics,
            BearerAuth.of(config.token()),
            config.maxBatch(),
            config.maxBodyBytes());
    // Checked before anything listens: a bad keystore is a startup error, never a half-started
    // server.
    Optional<KeyStore> keyStore = config.tls().map(TlsKeystore::load);
    GracefulHandler inFlight = new GracefulHandler();
    Javalin app =
        Javalin.create(
            javalin -> {
              javalin.startup.showJavalinBanner = false;
              javalin.jetty.host = config.host();
              javalin.jetty.port = config.port();
              javalin.http.maxRequestSize = config.maxBodyBytes();
              // A connector of ours replaces Javalin's plain one: with a keystore, HTTPS is the
              // only listener.
              config
                  .tls()
                  .ifPresent(
                      tls ->
                          javalin.jetty.addConnector(
                              (server, http) ->
                                  tls.connector(
                                      server,
                                      http,
                                      keyStore.orElseThrow(),
                                      config.host(),
                                      config.port())));
              javalin.jetty.modifyServer(
                  server -> {
                    // Counts requests in flight until their response is written, and answers 503
                    // once draining.
                    server.insertHandler(inFlight);
                    server.setStopTimeout(config.drainTimeout().toMillis());
                  });
              routes.register(javalin);
            });
    app.start();
    LOG.info(
        "Listening on {}://{}:{} ({}), loading {}",
        config.tls().isPresent() ? "https" : "http",
        config.host(),
        app.port(),
        config.token().isPresent() ? "bearer token required" : "no token: every endpoint is open",
        config.source().location());
    try {
      reloader.reload();
    } catch (RuntimeException e) {
      app.stop();
      shadow.close();
      predictionLog.close();
      throw e;
    }
    AliasWatcher watcher =
        config.source().watchable() ? AliasWatcher.start(reloader, config.reloadInterval()) : null;
    // After the served model: the service answers while the shadow loads, and a shadow that cannot
    // be loaded never stops the start.
    shadow.start(config.reloadInterval());
    return new ScoringService(
        app, holder, watcher, shadow, predictionLog, inFlight, config.drainTimeout());
  }

  /** The port the service listens on. */
  public int port() {
    return app.port();
  }

  /** The model in service. */
  public Optional<LoadedModel> model() {
    return holder.current();
  }

  /** The shadow model loaded now; empty without a shadow or before it loads. */
  public Optional<LoadedModel> shadowModel() {
    return shadow.model();
  }

  /**
   * Stops polling, closes the port, lets requests in flight finish (up to the drain timeout),
   * closes the idle connections that remain, and stops. Requests that arrive meanwhile on open
   * keep-alive connections get 503.
   */
  @Override
  public synchronized void close() {
    if (watcher != null) {
      watcher.close();
    }
    shadow.close();
    Server server = app.jettyServer().server();
    if (!server.isRunning()) {
      predictionLog.close();
      return;
    }
    long drainMillis = drainTimeout.toMillis();
    LOG.info(
        "Shutting down: port closed, waiting up to {} s for {} request(s) in flight",
        drainTimeout.toSeconds(),
        inFlight.getCurrentRequestCount());
    List<AbstractConnector> connectors = new ArrayList<>();
    for (Connector connector : server.getConnectors()) {
      if (connector instanceof AbstractConnector) {
        AbstractConnector accepting = (AbstractConnector) connector;
        // Jetty's own shutdown cuts connections idle for a second, which would fail a client still
        // uploading its batch: in-flight connections get the whole drain time instead.
        accepting.setShutdownIdleTimeout(drainMillis);
        accepting.shutdown();
        connectors.add(accepting);
      }
      if (connector instanceof ServerConnector) {
        ((ServerConnector) connector).close();
      }
    }
    try {
      inFlight.shutdown().get(drainMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn(
          "{} request(s) still in flight after {} s: stopping anyway",
          inFlight.getCurrentRequestCount(),
          drainTimeout.toSeconds());
    } catch (ExecutionException e) {
      LOG.warn("Draining failed: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // Every response is written: what remains are idle keep-alive connections, which would
    // otherwise
    // hold the stop until their idle timeout.
    connectors.forEach(
        connector -> new ArrayList<>(connector.getConnectedEndPoints()).forEach(EndPoint::close));
    app.stop();
    // After the last answer: its lines are written, and every file gets its final name.
    predictionLog.close();
    LOG.info("Stopped");
  }
}
