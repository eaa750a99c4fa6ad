package org.ocppcore.v16;

import com.fasterxml.jackson.core.io.NumberInput;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.ocppcore.app.Addresses;
import org.ocppcore.app.Config;
import org.ocppcore.app.MeterEventRelay;
import org.ocppcore.domain.Authorization;
import org.ocppcore.domain.MeterSample;
import org.ocppcore.domain.Times;
import org.ocppcore.ocpp.OcppVersion;
import org.ocppcore.ocpp.ProtocolHandler;
import org.ocppcore.store.Store;

/**
 * OCPP 1.6: every charger-initiated message of Core, Firmware Management and the security white
 * paper. Each answer that confirms data completes only after the store committed it.
 */
public final class V16Handler implements ProtocolHandler {

  /** The messages a 1.6 charge point sends that this handler answers. */
  public static final Set<String> ACTIONS = Set.of("Authorize", "BootNotification", "DataTransfer",
      "DiagnosticsStatusNotification", "FirmwareStatusNotification", "Heartbeat", "LogStatusNotification",
      "MeterValues", "SecurityEventNotification", "SignCertificate", "SignedFirmwareStatusNotification",
      "StartTransaction", "StatusNotification", "StopTransaction");

  private final Vertx vertx;
  private final Store store;
  private final int heartbeatInterval;
  private final boolean denyConcurrentTx;
  private final JsonArray dataTransferVendors;
  private final MeterEventRelay meterEvents;

  public V16Handler(Vertx vertx, Store store, Config config, MeterEventRelay meterEvents) {
    this.vertx = vertx;
    this.store = store;
    this.meterEvents = meterEvents;
    this.heartbeatInterval = config.integer("ocpp.heartbeatIntervalSeconds");
    this.denyConcurrentTx = config.bool("ocpp.denyConcurrentTx");
    this.dataTransferVendors = config.list("ocpp.dataTransferVendors");
  }

  @Override
  public OcppVersion version() {
    return OcppVersion.V16;
  }

  @Override
  public boolean handles(String action) {
    return ACTIONS.contains(action);
  }

  @Override
  public Future<JsonObject> handle(StationContext station, String action, JsonObject p) {
    String cp = station.chargePointId();
    return switch (action) {
      case "BootNotification" -> bootNotification(station, p);
      case "Heartbeat" -> {
        store.heartbeat(cp); // written in the next LastSeen flush: nothing to wait for
        station.log(null, action, null, null);
        yield Future.succeededFuture(new JsonObject().put("currentTime", Times.now()));
      }
      case "Authorize" -> authorize(station, p);
      case "StartTransaction" -> startTransaction(station, p);
      case "StopTransaction" -> stopTransaction(station, p);
      case "MeterValues" -> meterValues(station, p);
      case "StatusNotification" -> statusNotification(station, p);
      case "DataTransfer" -> dataTransfer(station, p);
      case "DiagnosticsStatusNotification", "FirmwareStatusNotification" ->
          notification(station, action, p.getString("status"), null, p);
      case "LogStatusNotification", "SignedFirmwareStatusNotification" ->
          notification(station, action, p.getString("status"), p.getInteger("requestId"), p);
      case "SecurityEventNotification" -> store.securityEvent(cp, p.getString("type"), Times.normalize(p.getString("timestamp")),
              p.getString("techInfo"))
          .map(v -> {
            station.log(null, action, p.getString("type") + (p.getString("techInfo") == null ? "" : ": " + p.getString("techInfo")), null);
            return new JsonObject();
          });
      case "SignCertificate" -> notification(station, action, "Rejected", null, new JsonObject()
              .put("csrLength", p.getString("csr", "").length()))
          // no certificate authority is configured: say so instead of leaving the charger waiting
          .map(r -> new JsonObject().put("status", "Rejected"));
      default -> throw new IllegalStateException("unhandled " + action);
    };
  }

  private Future<JsonObject> bootNotification(StationContext station, JsonObject p) {
    JsonObject boot = new JsonObject()
        .put("vendor", p.getString("chargePointVendor"))
        .put("model", p.getString("chargePointModel"))
        .put("serialNumber", p.getString("chargePointSerialNumber"))
        .put("chargeBoxSerialNumber", p.getString("chargeBoxSerialNumber"))
        .put("firmwareVersion", p.getString("firmwareVersion"))
        .put("iccid", p.getString("iccid"))
        .put("imsi", p.getString("imsi"))
        .put("meterType", p.getString("meterType"))
        .put("meterSerialNumber", p.getString("meterSerialNumber"));
    String status = station.registrationStatus();
    return store.bootNotification(station.chargePointId(), OcppVersion.V16.subprotocol(), boot).map(v -> {
      station.log(null, "BootNotification", status + " " + boot.getString("vendor") + "/" + boot.getString("model"), null);
      return new JsonObject()
          .put("status", status)
          .put("currentTime", Times.now())
          // when not accepted, interval is the time before the charger may boot again
          .put("interval", "Accepted".equals(status) ? heartbeatInterval : 60);
    });
  }

  private Future<JsonObject> authorize(StationContext station, JsonObject p) {
    String tag = Authorization.cleanTag(p.getString("idTag"), station.cutTagAtUnderscore());
    return store.authorize(tag).map(auth -> {
      station.log(null, "Authorize", "'" + tag + "'=>" + auth.status(), null);
      return new JsonObject().put("idTagInfo", Authorization.idTagInfo16(auth.status(), auth.tag()));
    });
  }

  private Future<JsonObject> startTransaction(StationContext station, JsonObject p) {
    String cp = station.chargePointId();
    String tag = Authorization.cleanTag(p.getString("idTag"), station.cutTagAtUnderscore());
    int connectorId = p.getInteger("connectorId");
    long meterStart = p.getLong("meterStart");
    String time = Times.normalize(p.getString("timestamp"));
    return store.startTransaction(cp, connectorId, tag, meterStart, time, p.getInteger("reservationId"), denyConcurrentTx)
        .map(r -> {
          station.log(connectorId, "StartTransaction", r.auth().status() + " Tx=" + r.transactionId()
              + (r.duplicate() ? " (retry)" : ""), null);
          vertx.eventBus().publish(Addresses.EVENT_TRANSACTION, new JsonObject().put("chargePointId", cp)
              .put("connectorId", connectorId).put("transactionId", r.transactionId()).put("event", "started")
              .put("idTag", tag).put("meterStartWh", meterStart));
          return new JsonObject()
              .put("transactionId", r.transactionId())
              .put("idTagInfo", Authorization.idTagInfo16(r.auth().status(), r.auth().tag()));
        });
  }

  private Future<JsonObject> stopTransaction(StationContext station, JsonObject p) {
    String cp = station.chargePointId();
    long txId = p.getLong("transactionId");
    String tag = Authorization.cleanTag(p.getString("idTag"), station.cutTagAtUnderscore());
    long meterStop = p.getLong("meterStop");
    String time = Times.normalize(p.getString("timestamp"));
    String reason = p.getString("reason", "Local");
    // the store puts them on the transaction's connector, which only it knows
    List<MeterSample> data = samples(0, txId, p.getJsonArray("transactionData"));
    return store.stopTransaction(cp, txId, tag, meterStop, time, reason, data).map(r -> {
      Integer connector = r.connectorId() > 0 ? r.connectorId() : null;
      if (!r.known()) {
        // the store recorded it in MessageLog; the charger still gets a normal answer
        recordAnomaly(station, "UnknownTransaction:ID=" + txId + "/Meter=" + meterStop + "/Tag=" + tag);
      } else if (r.alreadyStopped()) {
        station.log(connector, "StopTransaction", "AlreadyStopped:ID=" + txId, "AlreadyStopped");
      } else {
        station.log(connector, "StopTransaction", (r.stopTagAllowed() ? "Accepted" : "Invalid stop tag") + " Tx=" + txId, null);
        vertx.eventBus().publish(Addresses.EVENT_TRANSACTION, new JsonObject().put("chargePointId", cp)
            .put("connectorId", r.connectorId()).put("transactionId", txId).put("event", "stopped")
            .put("meterStopWh", meterStop).put("reason", reason));
      }
      JsonObject answer = new JsonObject();
      if (tag != null && r.stopAuth() != null) {
        // for a stop we record, the answer says whether this tag was allowed to end it
        boolean recorded = r.known() && !r.alreadyStopped();
        Authorization.Status status = !recorded ? r.stopAuth().status()
            : r.stopTagAllowed() ? Authorization.Status.Accepted : Authorization.Status.Invalid;
        answer.put("idTagInfo", Authorization.idTagInfo16(status, r.stopAuth().tag()));
      }
      return answer;
    });
  }

  private void recordAnomaly(StationContext station, String text) {
    vertx.eventBus().publish(Addresses.EVENTS_PREFIX + "anomaly", new JsonObject()
        .put("chargePointId", station.chargePointId()).put("text", text));
  }

  private Future<JsonObject> meterValues(StationContext station, JsonObject p) {
    int connectorId = p.getInteger("connectorId");
    Long txId = p.getLong("transactionId");
    List<MeterSample> samples = samples(connectorId, txId, p.getJsonArray("meterValue"));
    return store.meterValues(station.chargePointId(), connectorId, samples)
        .map(live -> meterEvents.meterValuesStored(station, connectorId, txId, live));
  }

  /** Flattens 1.6 MeterValue[] into stored samples, filling in the spec's defaults. */
  static List<MeterSample> samples(int connectorId, Long transactionId, JsonArray meterValues) {
    List<MeterSample> out = new ArrayList<>();
    if (meterValues == null) {
      return out;
    }
    for (int i = 0; i < meterValues.size(); i++) {
      JsonObject mv = meterValues.getJsonObject(i);
      String time = Times.normalize(mv.getString("timestamp"));
      JsonArray values = mv.getJsonArray("sampledValue", new JsonArray());
      for (int j = 0; j < values.size(); j++) {
        JsonObject sv = values.getJsonObject(j);
        String value = sv.getString("value");
        String format = sv.getString("format", "Raw");
        String measurand = sv.getString("measurand", "Energy.Active.Import.Register");
        String unit = sv.getString("unit", defaultUnit(measurand));
        if ("Celcius".equals(unit)) {
          unit = "Celsius"; // the 1.6 schema's misspelling, stored in its correct form
        }
        out.add(new MeterSample(connectorId, transactionId, time, value, "Raw".equals(format) ? number(value) : null,
            measurand, unit, sv.getString("phase"), sv.getString("location", "Outlet"),
            sv.getString("context", "Sample.Periodic"), format));
      }
    }
    return out;
  }

  /** The unit a measurand has when the charger names none (Wh for energy per the spec). */
  private static String defaultUnit(String measurand) {
    if (measurand.startsWith("Energy.Active")) {
      return "Wh";
    }
    if (measurand.startsWith("Energy.Reactive")) {
      return "varh";
    }
    if (measurand.startsWith("Power.Active") || measurand.equals("Power.Offered")) {
      return "W";
    }
    if (measurand.startsWith("Power.Reactive")) {
      return "var";
    }
    if (measurand.startsWith("Current")) {
      return "A";
    }
    if (measurand.equals("Voltage")) {
      return "V";
    }
    if (measurand.equals("SoC")) {
      return "Percent";
    }
    return null;
  }

  private static Double number(String value) {
    try {
      // Jackson's port of FastDoubleParser: Double.parseDouble's syntax and results, a few times
      // faster (ten readings per MeterValues; Double.parseDouble was 1 % of the server's CPU)
      double d = NumberInput.parseDouble(value.trim(), true);
      return Double.isFinite(d) ? d : null;
    } catch (NumberFormatException | NullPointerException e) {
      return null;
    }
  }

  private Future<JsonObject> statusNotification(StationContext station, JsonObject p) {
    int connectorId = p.getInteger("connectorId");
    String status = p.getString("status");
    Store.StatusReport report = new Store.StatusReport(connectorId, status, summaryStatus(status), p.getString("errorCode"),
        p.getString("info"), p.getString("vendorId"), p.getString("vendorErrorCode"),
        Times.normalize(p.getString("timestamp")));
    return store.statusNotification(station.chargePointId(), report).map(v -> {
      station.log(connectorId, "StatusNotification", "Info=" + p.getString("info", "") + " / Status=" + status,
          "NoError".equals(p.getString("errorCode")) ? null : p.getString("errorCode"));
      vertx.eventBus().publish(Addresses.EVENT_STATUS, new JsonObject().put("chargePointId", station.chargePointId())
          .put("connectorId", connectorId).put("status", status).put("errorCode", p.getString("errorCode"))
          .put("timestamp", report.statusTime()));
      return new JsonObject();
    });
  }

  /** OCPP.Core's four-state summary of a connector status. */
  static String summaryStatus(String ocppStatus) {
    return switch (ocppStatus) {
      case "Available" -> "Available";
      case "Unavailable" -> "Unavailable";
      case "Faulted" -> "Faulted";
      default -> "Occupied";
    };
  }

  private Future<JsonObject> dataTransfer(StationContext station, JsonObject p) {
    String vendor = p.getString("vendorId");
    boolean known = dataTransferVendors.contains(vendor);
    String status = known ? "Accepted" : "UnknownVendorId";
    return notification(station, "DataTransfer", status, null, p).map(v -> new JsonObject().put("status", status));
  }

  private Future<JsonObject> notification(StationContext station, String action, String status, Integer requestId,
      JsonObject detail) {
    return store.chargerEvent(station.chargePointId(), action, status, requestId, detail).map(v -> {
      station.log(null, action, status + " " + detail.encode(), null);
      return new JsonObject();
    });
  }
}
