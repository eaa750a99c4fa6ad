package org.ocppcore.web;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ocppcore.store.Ocpp2Store;
import org.ocppcore.web.WebUi.Role;

/**
 * The overview (one tile per connector, updated live by the page script from the event stream)
 * and the diagnostics page (OCPP.Core's anomaly rules), built from the same snapshot.
 */
final class OverviewPages {
  private final WebUi ui;

  OverviewPages(WebUi ui) {
    this.ui = ui;
  }

  void register(Router r) {
    ui.route(r, HttpMethod.GET, "/", Role.USER, this::overview);
    ui.route(r, HttpMethod.GET, "/diagnostics", Role.ADMIN, this::diagnostics);
  }

  /** Every connector with its charge point's connection state, open transaction and last finished energy. */
  record Snapshot(List<JsonObject> chargePoints, List<JsonObject> connectors) {}

  Future<Snapshot> snapshot() {
    return Future.all(ui.admin().chargePoints(), ui.uiStore().allConnectors(), ui.uiStore().openTransactions(),
        ui.uiStore().lastFinishedTransactions()).map(all -> {
          List<JsonObject> cps = all.resultAt(0);
          List<JsonObject> rows = all.resultAt(1);
          List<JsonObject> open = all.resultAt(2);
          List<JsonObject> last = all.resultAt(3);
          Map<String, JsonObject> openBy = byConnector(open);
          Map<String, JsonObject> lastBy = byConnector(last);
          Map<String, List<JsonObject>> byCp = new HashMap<>();
          for (JsonObject c : rows) {
            byCp.computeIfAbsent(c.getString("chargePointId"), k -> new ArrayList<>()).add(c);
          }
          List<JsonObject> sorted = new ArrayList<>(cps);
          sorted.sort(Comparator.comparing((JsonObject cp) -> name(cp).toLowerCase()).thenComparing(cp -> cp.getString("id")));
          List<JsonObject> connectors = new ArrayList<>();
          for (JsonObject cp : sorted) {
            List<JsonObject> own = byCp.getOrDefault(cp.getString("id"), List.of());
            // connector 0 is the whole charger (1.6): a tile of its own only when there is nothing else
            List<JsonObject> shown = own.stream().filter(c -> c.getInteger("connectorId") > 0).toList();
            boolean placeholder = false;
            if (shown.isEmpty()) {
              shown = own.isEmpty() ? List.of(new JsonObject().put("connectorId", 0)) : own;
              placeholder = true;
            }
            for (JsonObject c : shown) {
              String key = connectorKey(cp.getString("id"), c.getInteger("connectorId"));
              String status = c.getString("status");
              String summary = status == null ? "Unknown" : Ocpp2Store.summaryStatus(status);
              JsonObject tx = openBy.get(key);
              JsonObject lastTx = lastBy.get(key);
              connectors.add(c.copy()
                  .put("chargePointId", cp.getString("id"))
                  .put("chargePointName", name(cp))
                  .put("online", cp.getBoolean("online"))
                  .put("protocol", cp.getString("protocol"))
                  .put("placeholder", placeholder)
                  .put("tileName", tileName(cp, c, shown.size()))
                  .put("summary", summary)
                  .put("openTransaction", tx)
                  .put("lastEnergyKwh", lastTx == null ? null : lastTx.getDouble("energyKwh"))
                  .put("lastTransactionId", lastTx == null ? null : lastTx.getLong("transactionId")));
            }
          }
          return new Snapshot(sorted, connectors);
        });
  }

  /** Rows with chargePointId and connectorId, keyed by both. */
  static Map<String, JsonObject> byConnector(List<JsonObject> rows) {
    Map<String, JsonObject> out = new HashMap<>();
    for (JsonObject row : rows) {
      out.put(connectorKey(row), row);
    }
    return out;
  }

  static String connectorKey(JsonObject row) {
    return connectorKey(row.getString("chargePointId"), row.getInteger("connectorId"));
  }

  static String connectorKey(String chargePointId, Integer connectorId) {
    return chargePointId + "|" + connectorId;
  }

  private static String name(JsonObject cp) {
    String n = cp.getString("name");
    return n == null || n.isBlank() ? cp.getString("id") : n;
  }

  /** OCPP.Core's tile name: the connector's own name, else the charge point's (with ":n" when it has several). */
  static String tileName(JsonObject cp, JsonObject connector, int connectorsShown) {
    String own = connector.getString("name");
    if (own != null && !own.isBlank()) {
      return own;
    }
    return connectorsShown <= 1 ? name(cp) : name(cp) + ":" + connector.getInteger("connectorId");
  }

  private Future<?> overview(Req r) {
    return snapshot().compose(s -> {
      for (JsonObject c : s.connectors()) {
        c.put("statusLabel", c.getString("status") == null ? r.t("status.Unknown") : r.statusLabel(c.getString("status")));
      }
      Map<String, Object> m = r.model();
      m.put("active", "overview");
      m.put("tiles", s.connectors());
      return r.render("overview", m);
    });
  }

  /** The anomalies of a connector by OCPP.Core's rules (message keys). */
  static List<String> anomalies(JsonObject c) {
    List<String> out = new ArrayList<>();
    boolean open = c.getJsonObject("openTransaction") != null;
    if (open && !c.getBoolean("online", false)) {
      out.add("diagnostics.anomaly.offlineWithTransaction");
    }
    if ("Faulted".equals(c.getString("status"))) {
      out.add("diagnostics.anomaly.faulted");
    }
    if (open && "Available".equals(c.getString("status"))) {
      out.add("diagnostics.anomaly.availableWithTransaction");
    }
    return out;
  }

  private Future<?> diagnostics(Req r) {
    return snapshot().compose(s -> {
      List<JsonObject> rows = new ArrayList<>();
      int online = 0;
      int openTx = 0;
      int anomalous = 0;
      for (JsonObject c : s.connectors()) {
        if (c.getBoolean("placeholder") && c.getString("status") == null) {
          continue; // a charge point that never reported a connector
        }
        List<String> found = anomalies(c);
        List<String> texts = found.stream().map(r::t).toList();
        rows.add(c.copy().put("anomalies", new io.vertx.core.json.JsonArray(texts)).put("statusLabel", r.statusLabel(c.getString("status"))));
        online += c.getBoolean("online", false) ? 1 : 0;
        openTx += c.getJsonObject("openTransaction") != null ? 1 : 0;
        anomalous += found.isEmpty() ? 0 : 1;
      }
      // anomalies first, then by name
      rows.sort(Comparator.comparing((JsonObject c) -> c.getJsonArray("anomalies").isEmpty())
          .thenComparing(c -> c.getString("tileName").toLowerCase()));
      Map<String, Object> m = r.model();
      m.put("active", "diagnostics");
      m.put("rows", rows);
      m.put("total", rows.size());
      m.put("online", online);
      m.put("openTransactions", openTx);
      m.put("anomalyCount", anomalous);
      return r.render("diagnostics", m);
    });
  }
}
