package org.ocppcore.web;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import org.ocppcore.domain.Times;
import org.ocppcore.store.UiStore;
import org.ocppcore.web.WebUi.Role;

/** The message log viewer: filters by source, message, result text, errors and dates; pages backwards. */
final class MessageLogPage {
  static final int PAGE = 200;

  private final WebUi ui;

  MessageLogPage(WebUi ui) {
    this.ui = ui;
  }

  void register(Router r) {
    ui.route(r, HttpMethod.GET, "/messages", Role.ADMIN, this::messages);
  }

  private Future<?> messages(Req r) {
    String from = r.query("from");
    String to = r.query("to");
    String fromIso;
    String toIso;
    try {
      fromIso = from == null ? null : Times.format(LocalDate.parse(from).atStartOfDay(r.zone()).toInstant());
      toIso = to == null ? null : Times.format(LocalDate.parse(to).plusDays(1).atStartOfDay(r.zone()).toInstant());
    } catch (DateTimeParseException e) {
      throw new UiException(400, "report.error.date");
    }
    Long before = r.query("before") == null ? null : r.intField("before", null).longValue();
    UiStore.MessageFilter f = new UiStore.MessageFilter(r.query("source"), r.query("message"), r.query("text"),
        r.query("errors") != null, fromIso, toIso, before, PAGE);
    return Future.all(ui.uiStore().messageLog(f), ui.uiStore().messageLogSources()).compose(all -> {
      List<JsonObject> rows = all.resultAt(0);
      Map<String, Object> m = r.model();
      m.put("active", "messages");
      m.put("rows", rows);
      m.put("sources", all.resultAt(1));
      m.put("source", f.chargePointId() == null ? "" : f.chargePointId());
      m.put("message", f.message() == null ? "" : f.message());
      m.put("text", f.text() == null ? "" : f.text());
      m.put("errors", f.errorsOnly());
      m.put("from", from == null ? "" : from);
      m.put("to", to == null ? "" : to);
      if (rows.size() == PAGE) {
        m.put("older", olderLink(r, rows.get(rows.size() - 1).getLong("logId")));
      }
      return r.render("messages", m);
    });
  }

  /** The same filter, one page further back. */
  private static String olderLink(Req r, long lastId) {
    StringBuilder q = new StringBuilder("/messages?before=").append(lastId);
    for (String p : List.of("source", "message", "text", "errors", "from", "to", "tz")) {
      if (r.query(p) != null) {
        q.append('&').append(p).append('=').append(URLEncoder.encode(r.query(p), StandardCharsets.UTF_8));
      }
    }
    return q.toString();
  }
}
