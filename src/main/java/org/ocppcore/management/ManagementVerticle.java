package org.ocppcore.management;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.ocppcore.app.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management HTTP port (UI and REST API). For now it serves the health check; the API and UI
 * are mounted here by their own issues.
 */
public final class ManagementVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ManagementVerticle.class);

  private final Config config;
  private HttpServer server;

  public ManagementVerticle(Config config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    server = vertx.createHttpServer();
    return server.requestHandler(router)
        .listen(config.integer("http.port"), config.string("http.host"))
        .recover(e -> Future.failedFuture(new IllegalStateException("HTTP port " + config.string("http.host") + ":"
            + config.integer("http.port") + ": " + e.getMessage(), e)))
        .onSuccess(s -> LOG.info("management HTTP listening on {}:{}", config.string("http.host"), s.actualPort()));
  }

  public int actualPort() {
    return server.actualPort();
  }
}
