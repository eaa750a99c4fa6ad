package org.ocppcore.management;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.ocppcore.api.ApiRouter;
import org.ocppcore.app.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The management HTTP port: the health check and the integrator REST API under /api/v1 (the UI joins here). */
public final class ManagementVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ManagementVerticle.class);

  private final Config config;
  private final ApiRouter api;
  private HttpServer server;

  public ManagementVerticle(Config config, ApiRouter api) {
    this.config = config;
    this.api = api;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    router.route("/api/v1/*").subRouter(api.router());
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
