package org.ocppcore.web;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.sstore.SessionStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.ocppcore.app.Config;
import org.ocppcore.commands.CommandService;
import org.ocppcore.store.AdminStore;
import org.ocppcore.store.Ocpp2Store;
import org.ocppcore.store.Store;
import org.ocppcore.store.UiStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management web UI, served beside {@code /health} and {@code /api/v1} on the HTTP port:
 * FreeMarker pages in English and German, static assets from {@code webroot/}, users from an
 * htpasswd file, live updates over server-sent events. Every route is declared once with the role
 * it needs ({@link #routes()}), which the server enforces and the tests enumerate. Actions use
 * the same {@link CommandService} and stores as the REST API, never HTTP calls to it.
 */
public final class WebUi {
  private static final Logger LOG = LoggerFactory.getLogger(WebUi.class);
  static final List<String> ASSETS = List.of("app.css", "app.js", "favicon.svg");
  private static final java.util.regex.Pattern ASSET =
      java.util.regex.Pattern.compile("/static/[A-Za-z0-9_-]+\\.(css|js|svg|png|ico|woff2)");

  /** Who may use a route: anybody, any logged-in user (read-only), or an administrator. */
  public enum Role { ANONYMOUS, USER, ADMIN }

  /** One route of the UI: method, path (with {@code :param}s) and the role it needs. */
  public record Route(HttpMethod method, String path, Role role) {}

  /** A page or action: answers the request (the future fails on error, which renders the error page). */
  interface Page {
    Future<?> handle(Req r);
  }

  private final Vertx vertx;
  private final Config config;
  private final Store store;
  private final AdminStore admin;
  private final CommandService commands;
  /** Where sessions live: local, or cluster-wide when Vert.x is clustered (the node decides). */
  private final SessionStore sessions;
  private final UiStore uiStore;
  private final Ocpp2Store ocpp2;
  private final I18n i18n;
  private final Templates templates;
  private final UiUsers users;
  private final String assetVersion;
  private final String appVersion;
  private final List<Route> routes = new ArrayList<>();
  private LiveEvents events;

  private WebUi(Vertx vertx, Config config, Store store, AdminStore admin, CommandService commands,
      SessionStore sessions, I18n i18n, Templates templates, UiUsers users, String assetVersion) {
    this.sessions = sessions;
    this.vertx = vertx;
    this.config = config;
    this.store = store;
    this.admin = admin;
    this.commands = commands;
    this.uiStore = new UiStore(store);
    this.ocpp2 = new Ocpp2Store(store);
    this.i18n = i18n;
    this.templates = templates;
    this.users = users;
    this.assetVersion = assetVersion;
    String v = WebUi.class.getPackage().getImplementationVersion();
    this.appVersion = v == null ? "" : v;
  }

  /**
   * Reads the message bundles, parses the templates and reads (on first start: creates) the users
   * file. Blocking: call at start, off the event loop.
   *
   * @param sessions the session store (a clustered one makes sessions valid on every node)
   */
  public static WebUi create(Vertx vertx, Config config, Store store, AdminStore admin, CommandService commands,
      SessionStore sessions) throws IOException {
    I18n i18n = I18n.load();
    Templates templates = new Templates(i18n).preload();
    UiUsers users = UiUsers.create(vertx, config);
    return new WebUi(vertx, config, store, admin, commands, sessions, i18n, templates, users, computeAssetVersion());
  }

  /** A hash of the static assets, appended to their URLs so they can be cached for a year. */
  private static String computeAssetVersion() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String asset : ASSETS) {
        try (InputStream in = WebUi.class.getClassLoader().getResourceAsStream("webroot/" + asset)) {
          if (in == null) {
            throw new IllegalStateException("missing UI asset webroot/" + asset + " on the classpath");
          }
          sha.update(in.readAllBytes());
        }
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The UI's router, to mount at {@code /}. Call on the management verticle's context: the live
   * event consumers are registered there (and removed when it is undeployed).
   */
  public Router router() {
    events = new LiveEvents(vertx);
    Router r = Router.router(vertx);
    r.route().handler(UiSecurity::securityHeaders);
    // only the kinds of asset the UI has (not whatever else a webroot folder in the working directory holds)
    r.route("/static/*").handler(ctx -> {
      if (ASSET.matcher(ctx.normalizedPath()).matches()) {
        ctx.next();
      } else {
        ctx.fail(404);
      }
    });
    r.route("/static/*").handler(StaticHandler.create("webroot")
        .setCachingEnabled(true)
        .setMaxAgeSeconds(365L * 24 * 3600)
        .setDirectoryListing(false)
        .setIncludeHidden(false));
    r.route().handler(UiSecurity.sessionHandler(sessions,
        config.integer("ui.sessionTimeoutMinutes") * 60_000L, config.bool("ui.secureCookies")));
    r.route().handler(BodyHandler.create().setBodyLimit(256 * 1024).setHandleFileUploads(false));
    r.route().handler(this::checkCsrf);

    routes.clear();
    new AccountPages(this).register(r);
    new OverviewPages(this).register(r);
    new ChargePointPages(this).register(r);
    new CommandPages(this).register(r);
    new TagPages(this).register(r);
    new TransactionPages(this).register(r);
    new MessageLogPage(this).register(r);
    route(r, HttpMethod.GET, "/ui/events", Role.USER, req -> {
      events.open(req.ctx());
      return Future.succeededFuture();
    });

    r.route().last().handler(ctx -> renderError(ctx, new UiException(404, "error.notFound")));
    r.route().failureHandler(this::failure);
    return r;
  }

  /** Every route with its role (read-only copy), for the role and CSRF tests. */
  public List<Route> routes() {
    return List.copyOf(routes);
  }

  /** Declares a route: enforces its role, then runs the page. */
  void route(Router r, HttpMethod method, String path, Role role, Page page) {
    routes.add(new Route(method, path, role));
    r.route(method, path).handler(ctx -> {
      String userRole = Req.role(ctx);
      if (role != Role.ANONYMOUS && userRole == null) {
        if (method == HttpMethod.GET) {
          ctx.response().setStatusCode(302).putHeader("Location",
              "/login?next=" + URLEncoder.encode(ctx.request().uri(), StandardCharsets.UTF_8)).end();
        } else {
          renderError(ctx, new UiException(401, "error.loginRequired"));
        }
        return;
      }
      if (role == Role.ADMIN && !UiUsers.ADMIN.equals(userRole)) {
        renderError(ctx, new UiException(403, "error.forbidden"));
        return;
      }
      try {
        page.handle(new Req(this, ctx)).onFailure(ctx::fail);
      } catch (RuntimeException e) {
        ctx.fail(e);
      }
    });
  }

  private void checkCsrf(RoutingContext ctx) {
    if (UiSecurity.isStateChanging(ctx.request().method()) && !UiSecurity.csrfValid(ctx)) {
      renderError(ctx, new UiException(403, "error.csrf"));
      return;
    }
    ctx.next();
  }

  private void failure(RoutingContext ctx) {
    Throwable err = ctx.failure();
    if (err == null) {
      err = new UiException(ctx.statusCode() > 0 ? ctx.statusCode() : 500, ctx.statusCode() == 413
          ? "error.tooLarge" : ctx.statusCode() == 404 ? "error.notFound" : "error.internal");
    } else if (Req.errorStatus(err) == 500) {
      LOG.error("UI {} {} failed", ctx.request().method(), ctx.request().path(), err);
    }
    renderError(ctx, err);
  }

  private void renderError(RoutingContext ctx, Throwable err) {
    if (ctx.response().ended()) {
      return;
    }
    Req req = new Req(this, ctx);
    int status = Req.errorStatus(err);
    Map<String, Object> model = req.model();
    model.put("status", status);
    model.put("message", req.errorText(err));
    try {
      req.render(status, "error", model);
    } catch (RuntimeException e) {
      LOG.error("UI error page failed", e);
      if (!ctx.response().ended()) {
        ctx.response().setStatusCode(status).end();
      }
    }
  }

  // ---------------------------------------------------------------- what the pages share

  Vertx vertx() {
    return vertx;
  }

  Config config() {
    return config;
  }

  Store store() {
    return store;
  }

  AdminStore admin() {
    return admin;
  }

  CommandService commands() {
    return commands;
  }

  UiStore uiStore() {
    return uiStore;
  }

  Ocpp2Store ocpp2() {
    return ocpp2;
  }

  I18n i18n() {
    return i18n;
  }

  Templates templates() {
    return templates;
  }

  UiUsers users() {
    return users;
  }

  String assetVersion() {
    return assetVersion;
  }

  String appVersion() {
    return appVersion;
  }

  int commandTimeoutSeconds() {
    return config.integer("ui.commandTimeoutSeconds");
  }
}
