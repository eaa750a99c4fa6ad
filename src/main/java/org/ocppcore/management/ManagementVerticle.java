package org.ocppcore.management;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.ocppcore.api.ApiRouter;
import org.ocppcore.app.Config;
import org.ocppcore.web.WebUi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The management HTTP port: the health check, the integrator REST API under /api/v1 and the web UI at /. */
public final class ManagementVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ManagementVerticle.class);

  private final Config config;
  private final ApiRouter api;
  private final WebUi ui;
  private HttpServer server;

  public ManagementVerticle(Config config, ApiRouter api, WebUi ui) {
    this.config = config;
    this.api = api;
    this.ui = ui;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    router.route("/api/v1/*").subRouter(api.router());
    // everything else is the UI (its router registers the live-event consumers on this verticle's context)
    router.route("/*").subRouter(ui.router());
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
