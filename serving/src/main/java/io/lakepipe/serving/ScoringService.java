package io.lakepipe.serving;

import io.javalin.Javalin;
import io.lakepipe.serving.http.BearerAuth;
import io.lakepipe.serving.http.Routes;
import io.lakepipe.serving.metrics.ServiceMetrics;
import io.lakepipe.serving.reload.AliasWatcher;
import io.lakepipe.serving.reload.LoadedModel;
import io.lakepipe.serving.reload.ModelHolder;
import io.lakepipe.serving.reload.Reloader;
import java.util.Optional;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running service: the HTTP server, the model in service and, for a registry alias, the watcher
 * that reloads it. {@link #start} returns once the first model serves; {@link #close} shuts down
 * gracefully: the port stops accepting, requests in flight finish (up to the drain timeout), then the
 * server stops.
 */
public final class ScoringService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ScoringService.class);

  private final Javalin app;
  private final ModelHolder holder;
  private final AliasWatcher watcher;

  private ScoringService(Javalin app, ModelHolder holder, AliasWatcher watcher) {
    this.app = app;
    this.holder = holder;
    this.watcher = watcher;
  }

  /**
   * Starts listening, loads the bundle, and starts the alias watcher when the source is a registry.
   * The port is open while the first bundle loads, so that /health can answer 503 meanwhile.
   *
   * @throws BundleException when the first bundle cannot be loaded (the server is stopped again)
   */
  public static ScoringService start(ServingConfig config) {
    ServiceMetrics metrics = new ServiceMetrics();
    ModelHolder holder = new ModelHolder();
    Reloader reloader = new Reloader(config.source(), holder, metrics, config.threshold());
    Routes routes = new Routes(holder, reloader, metrics, BearerAuth.of(config.token()), config.maxBatch(),
        config.maxBodyBytes());
    Javalin app = Javalin.create(javalin -> {
      javalin.startup.showJavalinBanner = false;
      javalin.jetty.host = config.host();
      javalin.jetty.port = config.port();
      javalin.http.maxRequestSize = config.maxBodyBytes();
      javalin.jetty.modifyServer(server -> {
        // Jetty 12 waits for requests in flight on stop only behind a GracefulHandler.
        server.insertHandler(new GracefulHandler());
        server.setStopTimeout(config.drainTimeout().toMillis());
      });
      routes.register(javalin);
    });
    app.start();
    LOG.info("Listening on http://{}:{} ({}), loading {}", config.host(), app.port(),
        config.token().isPresent() ? "bearer token required" : "no token: every endpoint is open",
        config.source().location());
    try {
      reloader.reload();
    } catch (RuntimeException e) {
      app.stop();
      throw e;
    }
    AliasWatcher watcher = config.source().watchable()
        ? AliasWatcher.start(reloader, config.reloadInterval()) : null;
    return new ScoringService(app, holder, watcher);
  }

  /** The port the service listens on. */
  public int port() {
    return app.port();
  }

  /** The model in service. */
  public Optional<LoadedModel> model() {
    return holder.current();
  }

  /** Stops polling, stops accepting, lets requests in flight finish, and stops. */
  @Override
  public void close() {
    if (watcher != null) {
      watcher.close();
    }
    LOG.info("Shutting down: no new connections; waiting for requests in flight");
    app.stop();
    LOG.info("Stopped");
  }
}
