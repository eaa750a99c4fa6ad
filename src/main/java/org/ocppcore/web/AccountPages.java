package org.ocppcore.web;

import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.Session;
import java.util.Map;
import org.ocppcore.web.WebUi.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Login, logout and the language switch. Logins (also failed ones) and logouts go to the message log. */
final class AccountPages {
  private static final Logger LOG = LoggerFactory.getLogger(AccountPages.class);
  /** The MessageLog "charge point" of UI account events (as OCPP.Core writes them). */
  static final String LOG_SOURCE = "UserManager";
  private static final long FAILED_LOGIN_DELAY_MS = 400;

  private final WebUi ui;
  private final LoginThrottle throttle;

  AccountPages(WebUi ui) {
    this.ui = ui;
    long windowMs = ui.config().integer("ui.failedLoginLockMinutes") * 60_000L;
    this.throttle = new LoginThrottle(ui.config().integer("ui.maxFailedLogins"), windowMs);
    ui.vertx().setPeriodic(Math.max(1000, windowMs / 4), t -> throttle.prune(System.currentTimeMillis()));
  }

  void register(Router r) {
    ui.route(r, HttpMethod.GET, "/login", Role.ANONYMOUS, this::loginPage);
    ui.route(r, HttpMethod.POST, "/login", Role.ANONYMOUS, this::login);
    ui.route(r, HttpMethod.POST, "/logout", Role.USER, this::logout);
    ui.route(r, HttpMethod.POST, "/lang", Role.ANONYMOUS, this::language);
  }

  private Future<?> loginPage(Req r) {
    String next = UiSecurity.safeLocalPath(r.query("next"));
    if (r.user() != null) {
      return r.redirect(next);
    }
    return showLogin(r, 200, next, null, null);
  }

  private Future<Void> showLogin(Req r, int status, String next, String username, String error) {
    Map<String, Object> m = r.model();
    m.put("next", next);
    m.put("username", username == null ? "" : username);
    if (error != null) {
      m.put("error", error);
    }
    return r.render(status, "login", m);
  }

  private Future<?> login(Req r) {
    String username = r.form("username");
    String password = r.ctx().request().getFormAttribute("password");
    String next = UiSecurity.safeLocalPath(r.form("next"));
    String from = r.ctx().request().remoteAddress() == null ? "?" : r.ctx().request().remoteAddress().hostAddress();
    if (username == null || password == null || password.isEmpty()) {
      return showLogin(r, 400, next, username, r.t("login.missing"));
    }
    long locked = throttle.lockedForSeconds(username, from, System.currentTimeMillis());
    if (locked > 0) {
      log("Login", "refused: user '" + username + "' from " + from + " after too many failed logins", "LoginLocked");
      r.ctx().response().putHeader("Retry-After", Long.toString(locked));
      // the same friction as a failure, so refusals cannot be requested (and logged) any faster
      return ui.vertx().timer(FAILED_LOGIN_DELAY_MS)
          .compose(t -> showLogin(r, 429, next, username, r.t("login.locked", Long.toString((locked + 59) / 60))));
    }
    return ui.users().authenticate(username, password).transform(ar -> {
      if (ar.failed()) {
        throttle.failed(username, from, System.currentTimeMillis());
        log("Login", "failed: user '" + username + "' from " + from, "LoginFailed");
        // a little friction for password guessing; the event loop is not held
        return ui.vertx().timer(FAILED_LOGIN_DELAY_MS)
            .compose(t -> showLogin(r, 401, next, username, r.t("login.failed")));
      }
      throttle.succeeded(username, from);
      String role = ar.result();
      Session s = r.ctx().session();
      s.regenerateId(); // no session fixation: the anonymous session id is not the logged-in one
      s.put(Req.SESSION_USER, username);
      s.put(Req.SESSION_ROLE, role);
      UiSecurity.renewCsrfToken(s);
      log("Login", "user '" + username + "' (" + role + ") from " + from, null);
      return r.redirect(next);
    });
  }

  private Future<?> logout(Req r) {
    log("Logout", "user '" + r.user() + "'", null);
    r.ctx().session().destroy();
    return r.redirect("/login");
  }

  private Future<?> language(Req r) {
    String lang = r.form("lang");
    if (lang != null && I18n.LANGUAGES.contains(lang)) {
      r.ctx().response().addCookie(Cookie.cookie(I18n.COOKIE, lang).setPath("/").setMaxAge(365L * 24 * 3600)
          .setHttpOnly(true).setSameSite(CookieSameSite.LAX).setSecure(r.ctx().request().isSSL()));
    }
    return r.redirect(UiSecurity.safeLocalPath(r.form("next")));
  }

  private void log(String message, String result, String errorCode) {
    ui.store().messageLog(LOG_SOURCE, null, message, result, errorCode)
        .onFailure(e -> LOG.warn("could not record the UI {} in the message log: {}", message, e.toString()));
  }
}
