package org.ocppcore.web;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.ocppcore.app.Addresses;
import org.ocppcore.security.PasswordHash;
import org.ocppcore.web.WebUi.Role;

/**
 * Charge points (list, create, edit, delete, the detail page with boot data and history) and
 * connectors (list with actions, rename). The password is write-only: the form only tells
 * whether one is set.
 */
final class ChargePointPages {
  static final Pattern IDENTITY = Pattern.compile("[A-Za-z0-9*\\-_=+|@.]{1,48}");
  static final Pattern THUMBPRINT = Pattern.compile("^([0-9A-Fa-f]{2}[: ]?){19,31}[0-9A-Fa-f]{2}$");
  static final List<String> REGISTRATION = List.of("Accepted", "Pending", "Rejected");
  private static final int HISTORY = 50;

  private final WebUi ui;

  ChargePointPages(WebUi ui) {
    this.ui = ui;
  }

  void register(Router r) {
    ui.route(r, HttpMethod.GET, "/chargepoints", Role.USER, this::list);
    ui.route(r, HttpMethod.GET, "/chargepoints/new", Role.ADMIN, req -> form(req, null, new JsonObject(), List.of()));
    ui.route(r, HttpMethod.POST, "/chargepoints", Role.ADMIN, req -> save(req, null));
    ui.route(r, HttpMethod.GET, "/chargepoints/:id", Role.USER, this::detail);
    ui.route(r, HttpMethod.GET, "/chargepoints/:id/edit", Role.ADMIN, req -> existing(req)
        .compose(cp -> form(req, cp, cp, List.of())));
    ui.route(r, HttpMethod.POST, "/chargepoints/:id", Role.ADMIN, req -> existing(req).compose(cp -> save(req, cp)));
    ui.route(r, HttpMethod.POST, "/chargepoints/:id/delete", Role.ADMIN, this::delete);
    ui.route(r, HttpMethod.GET, "/connectors", Role.USER, this::connectors);
    ui.route(r, HttpMethod.GET, "/connectors/:id/:connectorId", Role.ADMIN, this::connectorForm);
    ui.route(r, HttpMethod.POST, "/connectors/:id/:connectorId", Role.ADMIN, this::renameConnector);
  }

  private Future<JsonObject> existing(Req r) {
    return existing(ui, r);
  }

  /** The charge point of the path ({@code :id}), or 404. */
  static Future<JsonObject> existing(WebUi ui, Req r) {
    String id = r.param("id");
    if (id == null || !IDENTITY.matcher(id).matches()) {
      return Future.failedFuture(new UiException(404, "error.unknownChargePoint", String.valueOf(id)));
    }
    return ui.admin().chargePoint(id).map(cp -> {
      if (cp == null) {
        throw new UiException(404, "error.unknownChargePoint", id);
      }
      return cp;
    });
  }

  static String displayName(JsonObject cp) {
    String n = cp.getString("name");
    return n == null || n.isBlank() ? cp.getString("id") : n;
  }

  private Future<?> list(Req r) {
    return ui.admin().chargePoints().compose(cps -> {
      List<JsonObject> sorted = new ArrayList<>(cps);
      sorted.sort(Comparator.comparing((JsonObject cp) -> displayName(cp).toLowerCase()));
      Map<String, Object> m = r.model();
      m.put("active", "chargepoints");
      m.put("chargePoints", sorted);
      return r.render("chargepoints", m);
    });
  }

  private Future<?> detail(Req r) {
    return existing(r).compose(cp -> {
      String id = cp.getString("id");
      return Future.all(List.of(ui.admin().connectors(id), ui.uiStore().statusHistory(id, HISTORY),
              ui.uiStore().securityEvents(id, HISTORY), ui.uiStore().chargerEvents(id, HISTORY),
              ui.admin().transactions(id, null, null, null, 10), r.admin() ? ui.admin().tags() : Future.succeededFuture(List.of())))
          .compose(all -> {
            List<JsonObject> connectors = all.resultAt(0);
            for (JsonObject c : connectors) {
              c.put("statusLabel", r.statusLabel(c.getString("status")));
            }
            List<JsonObject> history = all.resultAt(1);
            for (JsonObject h : history) {
              h.put("statusLabel", r.statusLabel(h.getString("status")));
            }
            Map<String, Object> m = r.model();
            m.put("active", "chargepoints");
            m.put("cp", cp);
            m.put("name", displayName(cp));
            m.put("connectors", connectors);
            m.put("history", history);
            m.put("securityEvents", all.resultAt(2));
            m.put("chargerEvents", all.resultAt(3));
            m.put("transactions", all.resultAt(4));
            m.put("tags", all.resultAt(5));
            m.put("commandConnectors", connectors.stream().map(c -> c.getInteger("connectorId")).filter(n -> n > 0).toList());
            m.put("triggerMessages", CommandPages.triggerMessages(cp.getString("protocol")));
            return r.render("chargepoint", m);
          });
    });
  }

  private Future<Void> form(Req r, JsonObject existing, JsonObject values, List<String> errors) {
    Map<String, Object> m = r.model();
    m.put("active", "chargepoints");
    m.put("editing", existing != null);
    m.put("cp", existing == null ? new JsonObject() : existing);
    m.put("values", values);
    m.put("errors", errors);
    m.put("registrationStatuses", REGISTRATION);
    return r.render(errors.isEmpty() ? 200 : 400, "chargepoint-form", m);
  }

  private Future<?> save(Req r, JsonObject existing) {
    String id = existing == null ? r.form("id") : existing.getString("id");
    JsonObject values = new JsonObject()
        .put("id", id)
        .put("name", r.form("name"))
        .put("comment", r.form("comment"))
        .put("clientCertThumbprint", r.form("clientCertThumbprint"))
        .put("registrationStatus", r.form("registrationStatus") == null ? "Accepted" : r.form("registrationStatus"))
        .put("cutTagAtUnderscore", r.checked("cutTagAtUnderscore"));
    String password = r.ctx().request().getFormAttribute("password");
    boolean removePassword = r.checked("removePassword");
    List<String> errors = new ArrayList<>();
    if (id == null || !IDENTITY.matcher(id).matches()) {
      errors.add(r.t("chargepoint.error.id"));
    }
    maxLength(r, errors, values, "name", 100);
    maxLength(r, errors, values, "comment", 200);
    if (values.getString("clientCertThumbprint") != null
        && !THUMBPRINT.matcher(values.getString("clientCertThumbprint")).matches()) {
      errors.add(r.t("chargepoint.error.thumbprint"));
    }
    if (!REGISTRATION.contains(values.getString("registrationStatus"))) {
      errors.add(r.t("chargepoint.error.registrationStatus"));
    }
    boolean newPassword = password != null && !password.isEmpty();
    if (newPassword && (password.length() < 8 || password.length() > 64)) {
      errors.add(r.t("chargepoint.error.password"));
    }
    Future<Boolean> taken = existing != null || id == null ? Future.succeededFuture(false)
        : ui.admin().chargePoints().map(all -> all.stream().anyMatch(cp -> cp.getString("id").equalsIgnoreCase(id)));
    return taken.compose(exists -> {
      if (exists) {
        errors.add(r.t("chargepoint.error.exists", id));
      }
      if (!errors.isEmpty()) {
        return form(r, existing, values, errors);
      }
      Future<String> hash;
      if (newPassword) {
        int iterations = ui.config().integer("security.pbkdf2Iterations");
        hash = ui.vertx().executeBlocking(() -> PasswordHash.hash(password, iterations), false);
      } else if (removePassword || existing == null) {
        hash = Future.succeededFuture(null);
      } else {
        hash = ui.store().passwordHash(id); // write-only: an empty field keeps the stored hash
      }
      return hash.compose(h -> ui.store().upsertChargePoint(id, values.getString("name") == null ? id
                  : values.getString("name"), h, values.getString("clientCertThumbprint"),
              values.getString("registrationStatus"), values.getBoolean("cutTagAtUnderscore"), values.getString("comment")))
          .compose(v -> {
            r.flash("ok", r.t(existing == null ? "chargepoint.created" : "chargepoint.saved", id), null);
            return r.redirect("/chargepoints/" + id);
          });
    });
  }

  static void maxLength(Req r, List<String> errors, JsonObject values, String field, int max) {
    String v = values.getString(field);
    if (v != null && v.length() > max) {
      errors.add(r.t("error.tooLong", r.t("field." + field), max));
    }
  }

  private Future<?> delete(Req r) {
    return existing(r).compose(cp -> {
      String id = cp.getString("id");
      return ui.admin().hasTransactions(id).compose(has -> {
        if (has) {
          r.flash("error", r.t("chargepoint.error.hasRecords", id), null);
          return r.redirect("/chargepoints/" + id);
        }
        return ui.admin().deleteChargePoint(id).transform(ar -> {
          if (ar.failed()) {
            // records written between the check and the delete: the foreign keys refused it
            r.flash("error", r.t("chargepoint.error.hasRecords", id), null);
            return r.redirect("/chargepoints/" + id);
          }
          // a deleted charge point must not stay connected: its session (on any node) closes
          ui.vertx().eventBus().request(Addresses.station(id), new JsonObject(), new DeliveryOptions()
              .addHeader(Addresses.HEADER_CONTROL, Addresses.CONTROL_TAKEOVER).setSendTimeout(5000));
          r.flash("ok", r.t("chargepoint.deleted", id), null);
          return r.redirect("/chargepoints");
        });
      });
    });
  }

  // ---------------------------------------------------------------- connectors

  private Future<?> connectors(Req r) {
    return Future.all(ui.admin().chargePoints(), ui.uiStore().allConnectors(), ui.uiStore().openTransactions(),
        r.admin() ? ui.admin().tags() : Future.succeededFuture(List.of())).compose(all -> {
          List<JsonObject> cps = all.resultAt(0);
          List<JsonObject> rows = all.resultAt(1);
          Map<String, JsonObject> open = OverviewPages.byConnector(all.resultAt(2));
          Map<String, JsonObject> byId = new java.util.HashMap<>();
          for (JsonObject cp : cps) {
            byId.put(cp.getString("id"), cp);
          }
          List<JsonObject> out = new ArrayList<>();
          for (JsonObject c : rows) {
            JsonObject cp = byId.get(c.getString("chargePointId"));
            if (cp == null) {
              continue;
            }
            JsonObject tx = open.get(OverviewPages.connectorKey(c));
            out.add(c.copy().put("chargePointName", displayName(cp)).put("online", cp.getBoolean("online"))
                .put("protocol", cp.getString("protocol")).put("openTransaction", tx)
                .put("statusLabel", r.statusLabel(c.getString("status"))));
          }
          out.sort(Comparator.comparing((JsonObject c) -> c.getString("chargePointName").toLowerCase())
              .thenComparing(c -> c.getInteger("connectorId")));
          Map<String, Object> m = r.model();
          m.put("active", "connectors");
          m.put("connectors", out);
          m.put("tags", all.resultAt(3));
          return r.render("connectors", m);
        });
  }

  private Future<JsonObject> connector(Req r) {
    int connectorId = parseConnector(r);
    return existing(r).compose(cp -> ui.admin().connectors(cp.getString("id")).map(list -> {
      JsonObject c = list.stream().filter(x -> x.getInteger("connectorId") == connectorId).findFirst()
          .orElseThrow(() -> new UiException(404, "error.unknownConnector", cp.getString("id"), connectorId));
      return c.put("chargePointId", cp.getString("id")).put("chargePointName", displayName(cp))
          .put("statusLabel", r.statusLabel(c.getString("status")));
    }));
  }

  private static int parseConnector(Req r) {
    try {
      return Integer.parseInt(r.param("connectorId"));
    } catch (NumberFormatException e) {
      throw new UiException(404, "error.notFound");
    }
  }

  private Future<?> connectorForm(Req r) {
    return connector(r).compose(c -> {
      Map<String, Object> m = r.model();
      m.put("active", "connectors");
      m.put("connector", c);
      m.put("errors", List.of());
      return r.render("connector-form", m);
    });
  }

  private Future<?> renameConnector(Req r) {
    return connector(r).compose(c -> {
      String name = r.form("name");
      if (name != null && name.length() > 100) {
        Map<String, Object> m = r.model();
        m.put("active", "connectors");
        m.put("connector", c.put("name", name));
        m.put("errors", List.of(r.t("error.tooLong", r.t("field.name"), 100)));
        return r.render(400, "connector-form", m);
      }
      return ui.admin().renameConnector(c.getString("chargePointId"), c.getInteger("connectorId"), name)
          .compose(v -> {
            r.flash("ok", r.t("connector.saved"), null);
            return r.redirect("/connectors");
          });
    });
  }
}
