package org.ocppcore.web;

import io.vertx.core.Handler;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.handler.SessionHandler;
import io.vertx.ext.web.sstore.SessionStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Sessions, CSRF tokens and response headers of the UI.
 *
 * <p>CSRF: a synchronizer token per session, sent back by every form ({@code _csrf}) or script
 * ({@code X-CSRF-Token} header) and compared in constant time on every POST/PUT/PATCH/DELETE;
 * the session cookie is also {@code SameSite=Strict}.
 */
final class UiSecurity {
  static final String SESSION_COOKIE = "ocppcore.session";
  static final String CSRF_FIELD = "_csrf";
  static final String CSRF_HEADER = "X-CSRF-Token";
  private static final String CSRF_KEY = "csrf";
  private static final SecureRandom RANDOM = new SecureRandom();

  private UiSecurity() {}

  /**
   * The session handler: HttpOnly, SameSite=Strict, idle timeout; the cookie is Secure when
   * configured (behind a TLS proxy) or when the request itself came over TLS. Sessions hold only
   * strings, so any store (local or clustered) can keep them.
   */
  static Handler<RoutingContext> sessionHandler(SessionStore store, long idleTimeoutMs, boolean alwaysSecure) {
    SessionHandler plain = configure(SessionHandler.create(store), idleTimeoutMs).setCookieSecureFlag(alwaysSecure);
    SessionHandler secure = configure(SessionHandler.create(store), idleTimeoutMs).setCookieSecureFlag(true);
    return ctx -> (ctx.request().isSSL() ? secure : plain).handle(ctx);
  }

  private static SessionHandler configure(SessionHandler h, long idleTimeoutMs) {
    return h.setSessionCookieName(SESSION_COOKIE)
        .setCookieHttpOnlyFlag(true)
        .setCookieSameSite(CookieSameSite.STRICT)
        .setSessionTimeout(idleTimeoutMs)
        .setMinLength(32)
        .setNagHttps(false)
        .setLazySession(true);
  }

  /** The session's CSRF token, created on first use. */
  static String csrfToken(RoutingContext ctx) {
    Session s = ctx.session();
    if (s == null) {
      return "";
    }
    String token = s.get(CSRF_KEY);
    if (token == null) {
      token = newToken();
      s.put(CSRF_KEY, token);
    }
    return token;
  }

  /** A new token for a new identity (after login). */
  static void renewCsrfToken(Session s) {
    s.put(CSRF_KEY, newToken());
  }

  static boolean isStateChanging(HttpMethod m) {
    return m != HttpMethod.GET && m != HttpMethod.HEAD && m != HttpMethod.OPTIONS;
  }

  /** Whether the request carries this session's token (header or form field). */
  static boolean csrfValid(RoutingContext ctx) {
    String expected = ctx.session() == null ? null : ctx.session().get(CSRF_KEY);
    String given = ctx.request().getHeader(CSRF_HEADER);
    if (given == null) {
      given = ctx.request().getFormAttribute(CSRF_FIELD);
    }
    return expected != null && given != null
        && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  private static String newToken() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Headers of every UI response: no framing, no sniffing, scripts and styles from this origin only. */
  static void securityHeaders(RoutingContext ctx) {
    ctx.response().headers()
        .set("X-Content-Type-Options", "nosniff")
        .set("X-Frame-Options", "DENY")
        .set("Referrer-Policy", "same-origin")
        .set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            + "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
    ctx.next();
  }

  /** A local path to return to (never another site: no scheme, no //host, no backslash tricks). */
  static String safeLocalPath(String next) {
    if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\")
        || next.chars().anyMatch(c -> c < 0x20)) {
      return "/";
    }
    return next;
  }
}
