package org.ocppcore.web;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ocppcore.commands.CommandException;
import org.ocppcore.domain.Numbers;

/** One UI request: who asks, in which language, and the helpers every page uses to answer. */
final class Req {
  static final String SESSION_USER = "user";
  static final String SESSION_ROLE = "role";
  private static final String SESSION_FLASH = "flash";

  private final WebUi ui;
  private final RoutingContext ctx;
  private final String lang;

  Req(WebUi ui, RoutingContext ctx) {
    this.ui = ui;
    this.ctx = ctx;
    this.lang = I18n.language(ctx);
  }

  RoutingContext ctx() {
    return ctx;
  }

  String lang() {
    return lang;
  }

  String t(String key, Object... args) {
    return ui.i18n().text(lang, key, args);
  }

  /** A status name in this language (the raw name when the bundle has none). */
  String statusLabel(String status) {
    if (status == null) {
      return t("status.Unknown");
    }
    return ui.i18n().bundle(lang).getOrDefault("status." + status, status);
  }

  String user() {
    Session s = ctx.session();
    return s == null ? null : s.get(SESSION_USER);
  }

  static String role(RoutingContext ctx) {
    Session s = ctx.session();
    return s == null ? null : s.get(SESSION_ROLE);
  }

  boolean admin() {
    return UiUsers.ADMIN.equals(role(ctx));
  }

  /** Who did it, for the message log: the UI user. */
  String actor() {
    return "ui:" + user();
  }

  // ---------------------------------------------------------------- input

  String param(String name) {
    return ctx.pathParam(name);
  }

  /** A query parameter, trimmed; null when absent or blank. */
  String query(String name) {
    return blankToNull(ctx.queryParams().get(name));
  }

  /** A form field, trimmed; null when absent or blank. */
  String form(String name) {
    return blankToNull(ctx.request().getFormAttribute(name));
  }

  boolean checked(String name) {
    String v = ctx.request().getFormAttribute(name);
    return v != null && (v.equals("on") || v.equals("true") || v.equals("1"));
  }

  /** A non-negative integer field (form first, then query), or the fallback when absent; 400 when malformed. */
  Integer intField(String name, Integer fallback) {
    String v = form(name);
    if (v == null) {
      v = query(name);
    }
    if (v == null) {
      return fallback;
    }
    int i = Numbers.nonNegativeInt(v);
    if (i < 0) {
      throw new UiException(400, "error.notANumber", name);
    }
    return i;
  }

  /** The browser's time zone (sent by the page script as {@code tz}), UTC when unknown. */
  ZoneId zone() {
    String tz = form("tz");
    if (tz == null) {
      tz = query("tz");
    }
    if (tz == null) {
      return ZoneOffset.UTC;
    }
    try {
      return ZoneId.of(tz);
    } catch (DateTimeException e) {
      return ZoneOffset.UTC;
    }
  }

  private static String blankToNull(String s) {
    if (s == null) {
      return null;
    }
    String t = s.trim();
    return t.isEmpty() ? null : t;
  }

  // ---------------------------------------------------------------- output

  Map<String, Object> model() {
    return new HashMap<>();
  }

  Future<Void> render(String template, Map<String, Object> model) {
    return render(200, template, model);
  }

  Future<Void> render(int status, String template, Map<String, Object> model) {
    model.put("user", user());
    model.put("admin", admin());
    model.put("csrf", UiSecurity.csrfToken(ctx));
    model.put("path", ctx.request().uri());
    model.put("assetVersion", ui.assetVersion());
    model.put("appVersion", ui.appVersion());
    model.put("jsMessages", ui.i18n().scriptMessages(lang));
    model.put("languages", I18n.LANGUAGES);
    model.putIfAbsent("active", "");
    model.put("flash", takeFlash());
    String html = ui.templates().render(template, lang, model);
    return ctx.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(html);
  }

  /** 303 to a local path (after a POST: the browser GETs it). */
  Future<Void> redirect(String path) {
    return ctx.response().setStatusCode(303).putHeader(HttpHeaders.LOCATION, UiSecurity.safeLocalPath(path)).end();
  }

  /** A message for the next page this session renders (strings only, so any session store can hold it). */
  void flash(String kind, String text, String detail) {
    Session s = ctx.session();
    JsonArray list = s.get(SESSION_FLASH) == null ? new JsonArray() : new JsonArray((String) s.get(SESSION_FLASH));
    list.add(new JsonObject().put("kind", kind).put("text", text).put("detail", detail));
    s.put(SESSION_FLASH, list.encode());
  }

  private List<Object> takeFlash() {
    Session s = ctx.session();
    String stored = s == null ? null : s.remove(SESSION_FLASH);
    return stored == null ? List.of() : new JsonArray(stored).getList();
  }

  /** The localized text of a failure: a UI refusal, a command's outcome, or an internal error. */
  String errorText(Throwable err) {
    if (err instanceof UiException ue) {
      return t(ue.key(), ue.args());
    }
    if (err instanceof CommandException ce) {
      JsonObject body = ce.body();
      return switch (ce.status()) {
        case 409 -> t("command.error.conflict", body.getString("error", ""));
        case 504 -> t("command.error.timeout");
        case 502 -> t("command.error.callError", String.valueOf(body.getString("errorCode")),
            String.valueOf(body.getString("errorDescription", "")));
        case 404 -> t("command.error.notFound", body.getString("error", ""));
        case 400 -> t("command.error.invalid", body.getString("error", ""));
        default -> t("error.internal");
      };
    }
    return t("error.internal");
  }

  static int errorStatus(Throwable err) {
    if (err instanceof UiException ue) {
      return ue.status();
    }
    if (err instanceof CommandException ce) {
      return ce.status();
    }
    return 500;
  }
}
