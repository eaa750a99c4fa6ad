package org.ocppcore.web;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.ocppcore.domain.TagRecord;
import org.ocppcore.domain.Times;
import org.ocppcore.web.WebUi.Role;

/**
 * RFID tags (list, create, edit, delete): name, group (parent tag), expiry date, blocked. An
 * expiry date means "valid through that day" in the browser's time zone.
 */
final class TagPages {
  private final WebUi ui;

  TagPages(WebUi ui) {
    this.ui = ui;
  }

  void register(Router r) {
    ui.route(r, HttpMethod.GET, "/tags", Role.ADMIN, this::list);
    ui.route(r, HttpMethod.GET, "/tags/new", Role.ADMIN, req -> form(req, null, new JsonObject(), List.of()));
    ui.route(r, HttpMethod.POST, "/tags", Role.ADMIN, req -> save(req, null));
    ui.route(r, HttpMethod.GET, "/tags/:tagId/edit", Role.ADMIN, req -> existing(req)
        .compose(t -> form(req, t, t.copy().put("expiryDate", expiryDay(t.getString("expiryDate"))), List.of())));
    ui.route(r, HttpMethod.POST, "/tags/:tagId", Role.ADMIN, req -> existing(req).compose(t -> save(req, t)));
    ui.route(r, HttpMethod.POST, "/tags/:tagId/delete", Role.ADMIN, this::delete);
  }

  private Future<JsonObject> existing(Req r) {
    String id = r.param("tagId");
    return ui.admin().tag(id).map(t -> {
      if (t == null) {
        throw new UiException(404, "error.unknownTag", id);
      }
      return t;
    });
  }

  static String path(String tagId) {
    return "/tags/" + URLEncoder.encode(tagId, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private Future<?> list(Req r) {
    return ui.admin().tags().compose(tags -> {
      List<JsonObject> sorted = new ArrayList<>();
      for (JsonObject t : tags) {
        sorted.add(t.copy().put("path", path(t.getString("tagId")))
            .put("expired", t.getString("expiryDate") != null && Times.parse(t.getString("expiryDate")).isBefore(Instant.now())));
      }
      sorted.sort(Comparator.comparing((JsonObject t) -> (t.getString("name") == null ? t.getString("tagId")
          : t.getString("name")).toLowerCase()));
      Map<String, Object> m = r.model();
      m.put("active", "tags");
      m.put("tags", sorted);
      return r.render("tags", m);
    });
  }

  /** The last day an expiry covers (UTC), for the form's date field; the page script uses the browser's zone. */
  private static String expiryDay(String expiry) {
    Instant t = Times.parse(expiry);
    return t == null ? null : t.minusMillis(1).atZone(java.time.ZoneOffset.UTC).toLocalDate().toString();
  }

  private Future<Void> form(Req r, JsonObject existing, JsonObject values, List<String> errors) {
    Map<String, Object> m = r.model();
    m.put("active", "tags");
    m.put("editing", existing != null);
    m.put("tag", existing == null ? new JsonObject() : existing.copy().put("path", path(existing.getString("tagId"))));
    m.put("values", values);
    m.put("errors", errors);
    return r.render(errors.isEmpty() ? 200 : 400, "tag-form", m);
  }

  private Future<?> save(Req r, JsonObject existing) {
    String tagId = existing == null ? r.form("tagId") : existing.getString("tagId");
    JsonObject values = new JsonObject().put("tagId", tagId).put("name", r.form("name"))
        .put("parentTagId", r.form("parentTagId")).put("expiryDate", r.form("expiryDate"))
        .put("blocked", r.checked("blocked"));
    List<String> errors = new ArrayList<>();
    if (tagId == null) {
      errors.add(r.t("error.required", r.t("field.tagId")));
    } else if (tagId.length() > 255) {
      errors.add(r.t("error.tooLong", r.t("field.tagId"), 255));
    }
    ChargePointPages.maxLength(r, errors, values, "name", 200);
    ChargePointPages.maxLength(r, errors, values, "parentTagId", 50);
    Instant expiry = null;
    if (values.getString("expiryDate") != null) {
      try {
        // valid through the chosen day in the browser's zone
        expiry = LocalDate.parse(values.getString("expiryDate")).plusDays(1).atStartOfDay(r.zone()).toInstant();
      } catch (DateTimeParseException e) {
        errors.add(r.t("tag.error.expiry"));
      }
    }
    Future<Boolean> taken = existing != null || tagId == null ? Future.succeededFuture(false)
        : ui.admin().tag(tagId).map(t -> t != null);
    Instant expiryAt = expiry;
    return taken.compose(exists -> {
      if (exists) {
        errors.add(r.t("tag.error.exists", tagId));
      }
      if (!errors.isEmpty()) {
        return form(r, existing, values, errors);
      }
      return ui.store().upsertTag(new TagRecord(tagId, values.getString("name"), values.getString("parentTagId"),
              expiryAt, values.getBoolean("blocked")))
          .compose(v -> {
            r.flash("ok", r.t(existing == null ? "tag.created" : "tag.saved", tagId), null);
            return r.redirect("/tags");
          });
    });
  }

  private Future<?> delete(Req r) {
    return existing(r).compose(t -> ui.admin().deleteTag(t.getString("tagId")).compose(v -> {
      r.flash("ok", r.t("tag.deleted", t.getString("tagId")), null);
      return r.redirect("/tags");
    }));
  }
}
