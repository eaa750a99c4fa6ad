package org.ocppcore.v2;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
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
import org.ocppcore.store.Ocpp2Store;
import org.ocppcore.store.Store;

/**
 * OCPP 2.0.1 and 2.1: every charger-initiated message of the version ({@code version} decides which
 * set). Each answer that confirms data completes only after the store committed it. What each
 * message stores and why it is answered as it is: {@code docs/ocpp2-messages.md}.
 */
public final class V2Handler implements ProtocolHandler {

  /** Charging station to CSMS messages of OCPP 2.0.1 (DataTransfer goes both ways). */
  public static final Set<String> ACTIONS_201 = Set.of("Authorize", "BootNotification", "ClearedChargingLimit",
      "DataTransfer", "FirmwareStatusNotification", "Get15118EVCertificate", "GetCertificateStatus", "Heartbeat",
      "LogStatusNotification", "MeterValues", "NotifyChargingLimit", "NotifyCustomerInformation",
      "NotifyDisplayMessages", "NotifyEVChargingNeeds", "NotifyEVChargingSchedule", "NotifyEvent",
      "NotifyMonitoringReport", "NotifyReport", "PublishFirmwareStatusNotification", "ReportChargingProfiles",
      "ReservationStatusUpdate", "SecurityEventNotification", "SignCertificate", "StatusNotification",
      "TransactionEvent");

  /** Charging station to CSMS messages OCPP 2.1 adds (NotifyPeriodicEventStream is a SEND: never answered). */
  public static final Set<String> ACTIONS_21_ONLY = Set.of("BatterySwap", "ClosePeriodicEventStream",
      "GetCertificateChainStatus", "NotifyDERAlarm", "NotifyDERStartStop", "NotifyPeriodicEventStream",
      "NotifyPriorityCharging", "NotifySettlement", "OpenPeriodicEventStream", "PullDynamicScheduleUpdate",
      "ReportDERControl", "VatNumberValidation");

  private static final Set<String> CONNECTOR_STATUSES = Set.of("Available", "Occupied", "Reserved", "Unavailable",
      "Faulted");
  /** StatusInfo.reasonCode (at most 20 characters) of every answer that declines for want of a capability. */
  private static final String NOT_SUPPORTED = "NotSupported";

  private final Vertx vertx;
  private final Store store;
  private final Ocpp2Store store2;
  private final OcppVersion version;
  private final TransactionEvents transactions;
  private final Set<String> actions;
  private final int heartbeatInterval;
  private final MeterEventRelay meterEvents;
  private final JsonArray dataTransferVendors;

  public V2Handler(Vertx vertx, Store store, Config config, OcppVersion version, TransactionEvents transactions,
      MeterEventRelay meterEvents) {
    if (!version.is2x()) {
      throw new IllegalArgumentException("V2Handler serves OCPP 2.x, not " + version);
    }
    this.vertx = vertx;
    this.store = store;
    this.store2 = new Ocpp2Store(store);
    this.version = version;
    this.transactions = transactions;
    this.meterEvents = meterEvents;
    Set<String> all = new HashSet<>(ACTIONS_201);
    if (version == OcppVersion.V21) {
      all.addAll(ACTIONS_21_ONLY);
    }
    this.actions = Set.copyOf(all);
    this.heartbeatInterval = config.integer("ocpp.heartbeatIntervalSeconds");
    this.dataTransferVendors = config.list("ocpp.dataTransferVendors");
  }

  @Override
  public OcppVersion version() {
    return version;
  }

  @Override
  public boolean handles(String action) {
    return actions.contains(action);
  }

  @Override
  public Future<JsonObject> handle(StationContext station, String action, JsonObject p) {
    return switch (action) {
      case "BootNotification" -> bootNotification(station, p);
      case "Heartbeat" -> {
        store.heartbeat(station.chargePointId()); // written in the next LastSeen flush: nothing to wait for
        station.log(null, action, null, null);
        yield Future.succeededFuture(new JsonObject().put("currentTime", Times.now()));
      }
      case "Authorize" -> authorize(station, p);
      case "TransactionEvent" -> transactions.handle(station, p);
      case "StatusNotification" -> statusNotification(station, p);
      case "MeterValues" -> meterValues(station, p);
      case "NotifyReport" -> notifyReport(station, p);
      case "NotifyEvent" -> notifyEvent(station, p);
      case "SecurityEventNotification" -> store.securityEvent(station.chargePointId(), p.getString("type"),
              Times.normalize(p.getString("timestamp")), p.getString("techInfo"))
          .map(v -> {
            station.log(null, action, p.getString("type") + (p.getString("techInfo") == null ? "" : ": "
                + p.getString("techInfo")), null);
            return new JsonObject();
          });
      case "DataTransfer" -> dataTransfer(station, p);

      // status notifications about what the CSMS asked for: stored, nothing to decide
      case "FirmwareStatusNotification", "PublishFirmwareStatusNotification", "LogStatusNotification" ->
          event(station, action, p.getString("status"), requestId(p), p, new JsonObject());
      case "ReservationStatusUpdate" ->
          event(station, action, p.getString("reservationUpdateStatus"), null, p, new JsonObject());
      case "NotifyCustomerInformation", "NotifyDisplayMessages", "NotifyMonitoringReport", "ReportDERControl" ->
          event(station, action, null, requestId(p), p, new JsonObject());
      case "NotifyChargingLimit" -> event(station, action,
          p.getJsonObject("chargingLimit", new JsonObject()).getString("chargingLimitSource"), null, p, new JsonObject());
      case "ClearedChargingLimit" -> event(station, action, p.getString("chargingLimitSource"), null, p, new JsonObject());
      case "ReportChargingProfiles" ->
          event(station, action, p.getString("chargingLimitSource"), requestId(p), p, new JsonObject());

      // smart charging: no charging profile is computed from the EV's needs (yet)
      case "NotifyEVChargingNeeds" -> {
        String status = version == OcppVersion.V21 ? "NoChargingProfile" : "Rejected";
        yield event(station, action, status, null, p, new JsonObject().put("status", status)
            .put("statusInfo", statusInfo("no smart charging: the CSMS sends no charging profile")));
      }
      case "NotifyEVChargingSchedule" ->
          event(station, action, "Accepted", null, p, new JsonObject().put("status", "Accepted"));

      // PKI: no certificate authority, no OCSP responder, no contract certificate pool is configured
      case "SignCertificate" -> event(station, action, "Rejected", requestId(p), signRequestSummary(p),
          new JsonObject().put("status", "Rejected").put("statusInfo", statusInfo("no certificate authority configured")));
      case "Get15118EVCertificate" -> event(station, action, "Failed", null, p, new JsonObject()
          .put("status", "Failed").put("exiResponse", "")
          .put("statusInfo", statusInfo("no contract certificate service configured")));
      case "GetCertificateStatus" -> event(station, action, "Failed", null, p, new JsonObject()
          .put("status", "Failed").put("statusInfo", statusInfo("no OCSP responder configured")));
      case "GetCertificateChainStatus" -> event(station, action, "Failed", null, p, certificateChainStatus(p));

      // OCPP 2.1
      case "NotifySettlement" -> event(station, action, p.getString("status"), null, p, new JsonObject());
      case "NotifyDERAlarm" -> event(station, action, p.getString("controlType"), null, p, new JsonObject());
      case "NotifyDERStartStop" ->
          event(station, action, p.getBoolean("started", false) ? "Started" : "Stopped", null, p, new JsonObject());
      case "NotifyPriorityCharging" ->
          event(station, action, p.getBoolean("activated", false) ? "Activated" : "Deactivated", null, p,
              new JsonObject());
      case "BatterySwap" -> event(station, action, p.getString("eventType"), requestId(p), p, new JsonObject());
      // periodic event streams are not consumed: refusing makes the station report through NotifyEvent
      case "OpenPeriodicEventStream" -> event(station, action, "Rejected",
          integer(p.getJsonObject("constantStreamData", new JsonObject()).getValue("id")), p,
          new JsonObject().put("status", "Rejected").put("statusInfo", statusInfo("periodic event streams not consumed")));
      case "ClosePeriodicEventStream", "NotifyPeriodicEventStream" ->
          event(station, action, null, integer(p.getValue("id")), p, new JsonObject());
      case "PullDynamicScheduleUpdate" -> event(station, action, "Rejected", null, p, new JsonObject()
          .put("status", "Rejected").put("statusInfo", statusInfo("no dynamic charging schedules")));
      case "VatNumberValidation" -> {
        JsonObject answer = new JsonObject().put("vatNumber", p.getString("vatNumber")).put("status", "Rejected")
            .put("statusInfo", statusInfo("no VAT number validation service"));
        if (p.getValue("evseId") != null) {
          answer.put("evseId", p.getValue("evseId"));
        }
        yield event(station, action, "Rejected", null, p, answer);
      }
      default -> throw new IllegalStateException("unhandled " + action);
    };
  }

  // ---------------------------------------------------------------- provisioning

  private Future<JsonObject> bootNotification(StationContext station, JsonObject p) {
    JsonObject cs = p.getJsonObject("chargingStation", new JsonObject());
    JsonObject modem = cs.getJsonObject("modem", new JsonObject());
    JsonObject boot = new JsonObject()
        .put("vendor", cs.getString("vendorName"))
        .put("model", cs.getString("model"))
        .put("serialNumber", cs.getString("serialNumber"))
        .put("firmwareVersion", cs.getString("firmwareVersion"))
        .put("iccid", modem.getString("iccid"))
        .put("imsi", modem.getString("imsi"))
        .put("reason", p.getString("reason"));
    String status = station.registrationStatus();
    return store.bootNotification(station.chargePointId(), version.subprotocol(), boot).map(v -> {
      station.log(null, "BootNotification", status + " " + boot.getString("vendor") + "/" + boot.getString("model")
          + " (" + boot.getString("reason") + ")", null);
      return new JsonObject()
          .put("currentTime", Times.now())
          // when not accepted, interval is the time before the station may boot again
          .put("interval", "Accepted".equals(status) ? heartbeatInterval : 60)
          .put("status", status);
    });
  }

  // ---------------------------------------------------------------- authorization

  private Future<JsonObject> authorize(StationContext station, JsonObject p) {
    JsonObject idToken = p.getJsonObject("idToken", new JsonObject());
    String type = idToken.getString("type");
    if ("NoAuthorization".equals(type)) {
      // the station needs no identification (free charging): nothing to look up
      station.log(null, "Authorize", "NoAuthorization=>Accepted", null);
      return Future.succeededFuture(new JsonObject()
          .put("idTokenInfo", Authorization.idTokenInfo2x(Authorization.Status.Accepted, null)));
    }
    String tag = Authorization.cleanTag(idToken.getString("idToken"), station.cutTagAtUnderscore());
    return store.authorize(tag).map(auth -> {
      JsonObject info = Authorization.idTokenInfo2x(auth.status(), auth.tag());
      station.log(null, "Authorize", "'" + tag + "' (" + type + ")=>" + info.getString("status"), null);
      return new JsonObject().put("idTokenInfo", info);
    });
  }

  // ---------------------------------------------------------------- availability

  private Future<JsonObject> statusNotification(StationContext station, JsonObject p) {
    int evseId = p.getInteger("evseId");
    int connectorId = p.getInteger("connectorId");
    String status = p.getString("connectorStatus");
    Ocpp2Store.ConnectorReport report = new Ocpp2Store.ConnectorReport(evseId, connectorId, status,
        Times.normalize(p.getString("timestamp")));
    return store2.connectorStatus(station.chargePointId(), report).map(evse -> {
      station.log(evseId, "StatusNotification", "EVSE " + evseId + "/Connector " + connectorId + " Status=" + status
          + " => EVSE " + evse.ocppStatus(), null);
      publishStatus(station, report, evse);
      return new JsonObject();
    });
  }

  private void publishStatus(StationContext station, Ocpp2Store.ConnectorReport report, Ocpp2Store.EvseStatus evse) {
    // connectorId is the EVSE (the operator's "connector", as ConnectorStatus keys it); the
    // connector within the EVSE and its own status come along
    vertx.eventBus().publish(Addresses.EVENT_STATUS, new JsonObject().put("chargePointId", station.chargePointId())
        .put("connectorId", report.evseId()).put("evseId", report.evseId())
        .put("evseConnectorId", report.connectorId()).put("connectorStatus", report.status())
        .put("status", evse.ocppStatus()).put("summaryStatus", evse.summaryStatus())
        .put("timestamp", report.statusTime()));
  }

  // ---------------------------------------------------------------- metering

  private Future<JsonObject> meterValues(StationContext station, JsonObject p) {
    int evseId = p.getInteger("evseId");
    List<MeterSample> samples = samples(evseId, null, p.getJsonArray("meterValue"));
    return store.meterValues(station.chargePointId(), evseId, samples)
        .map(live -> meterEvents.meterValuesStored(station, evseId, null, live));
  }

  /**
   * Flattens 2.x MeterValue[] (MeterValues and TransactionEvent) into stored samples, filling in the
   * spec's defaults: measurand Energy.Active.Import.Register, context Sample.Periodic, location
   * Outlet. {@code value} is kept as sent (text); {@code numericValue} is value × 10^multiplier in
   * {@code unit}. A missing unit is the measurand's natural unit (Wh for energy, the schema's
   * default; W, A, V, Percent... for the others, where a blanket "Wh" would mislabel them). The
   * reading is stored with format Raw, and its signedMeterValue, when sent, as JSON beside it.
   *
   * @param evseId stored as the sample's connectorId (the EVSE, as ConnectorStatus is keyed)
   * @param transactionId the stored transaction (Transactions.TransactionId), or null
   */
  public static List<MeterSample> samples(int evseId, Long transactionId, JsonArray meterValues) {
    List<MeterSample> out = new ArrayList<>();
    if (meterValues == null) {
      return out;
    }
    for (int i = 0; i < meterValues.size(); i++) {
      if (!(meterValues.getValue(i) instanceof JsonObject mv)) {
        continue;
      }
      String time = Times.normalize(mv.getString("timestamp"));
      JsonArray values = mv.getJsonArray("sampledValue", new JsonArray());
      for (int j = 0; j < values.size(); j++) {
        if (!(values.getValue(j) instanceof JsonObject sv) || !(sv.getValue("value") instanceof Number value)) {
          continue;
        }
        String measurand = sv.getString("measurand", "Energy.Active.Import.Register");
        JsonObject unitOfMeasure = sv.getJsonObject("unitOfMeasure", new JsonObject());
        String unit = unitOfMeasure.getString("unit", defaultUnit(measurand));
        int multiplier = unitOfMeasure.getInteger("multiplier", 0);
        JsonObject signed = sv.getValue("signedMeterValue") instanceof JsonObject o ? o : null;
        out.add(new MeterSample(evseId, transactionId, time, numberText(value), scaled(value, multiplier), measurand,
            unit, sv.getString("phase"), sv.getString("location", "Outlet"), sv.getString("context", "Sample.Periodic"),
            "Raw", signed == null ? null : signed.encode()));
      }
    }
    return out;
  }

  /** The unit of a measurand sent without one: Wh for energy (the schema's default), else its SI unit. */
  static String defaultUnit(String measurand) {
    if (measurand.startsWith("Energy.Reactive")) {
      return "varh";
    }
    if (measurand.startsWith("Energy.Apparent")) {
      return "VAh";
    }
    if (measurand.startsWith("Energy")) {
      return "Wh";
    }
    if (measurand.startsWith("Power.Reactive")) {
      return "var";
    }
    if (measurand.startsWith("Power.Apparent")) {
      return "VA";
    }
    if (measurand.startsWith("Power.Factor")) {
      return null;
    }
    if (measurand.startsWith("Power")) {
      return "W";
    }
    if (measurand.startsWith("Current")) {
      return "A";
    }
    if (measurand.startsWith("Voltage")) {
      return "V";
    }
    if (measurand.equals("SoC")) {
      return "Percent";
    }
    return null;
  }

  /** The number's text as sent (JSON numbers arrive as Integer, Long, BigInteger or Double). */
  static String numberText(Number value) {
    if (value instanceof Double || value instanceof Float) {
      String s = Double.toString(value.doubleValue());
      return s.indexOf('E') < 0 ? s : BigDecimal.valueOf(value.doubleValue()).stripTrailingZeros().toPlainString();
    }
    return value.toString();
  }

  /** value × 10^multiplier, computed in decimal so 12.3 with multiplier 3 is exactly 12300. */
  static Double scaled(Number value, int multiplier) {
    double d = value.doubleValue();
    if (!Double.isFinite(d)) {
      return null;
    }
    BigDecimal exact = value instanceof Double || value instanceof Float ? BigDecimal.valueOf(d)
        : new BigDecimal(value.toString());
    double r = exact.scaleByPowerOfTen(multiplier).doubleValue();
    return Double.isFinite(r) ? r : null;
  }

  // ---------------------------------------------------------------- device model and events

  private Future<JsonObject> notifyReport(StationContext station, JsonObject p) {
    JsonArray data = p.getJsonArray("reportData", new JsonArray());
    List<Ocpp2Store.DeviceVariable> rows = deviceVariables(data);
    Integer requestId = requestId(p);
    JsonObject detail = new JsonObject().put("seqNo", p.getValue("seqNo")).put("tbc", p.getBoolean("tbc", false))
        .put("generatedAt", p.getString("generatedAt")).put("items", data.size());
    Ocpp2Store.Event event = new Ocpp2Store.Event("NotifyReport", null, requestId, detail);
    return store2.notifyReport(station.chargePointId(), event, rows).map(n -> {
      station.log(null, "NotifyReport", "requestId=" + requestId + " seqNo=" + p.getValue("seqNo") + " tbc="
          + p.getBoolean("tbc", false) + ": " + data.size() + " items, " + n + " attributes", null);
      return new JsonObject();
    });
  }

  /** One DeviceVariable per reported attribute, with the spec's defaults (Actual, ReadWrite, not persistent/constant). */
  static List<Ocpp2Store.DeviceVariable> deviceVariables(JsonArray reportData) {
    List<Ocpp2Store.DeviceVariable> rows = new ArrayList<>();
    for (int i = 0; i < reportData.size(); i++) {
      if (!(reportData.getValue(i) instanceof JsonObject item)) {
        continue;
      }
      JsonObject component = item.getJsonObject("component", new JsonObject());
      JsonObject evse = component.getJsonObject("evse", new JsonObject());
      JsonObject variable = item.getJsonObject("variable", new JsonObject());
      JsonObject ch = item.getJsonObject("variableCharacteristics", new JsonObject());
      JsonArray attributes = item.getJsonArray("variableAttribute", new JsonArray());
      for (int j = 0; j < attributes.size(); j++) {
        if (!(attributes.getValue(j) instanceof JsonObject a)) {
          continue;
        }
        rows.add(new Ocpp2Store.DeviceVariable(component.getString("name"), component.getString("instance", ""),
            evse.getInteger("id", 0), evse.getInteger("connectorId", 0), variable.getString("name"),
            variable.getString("instance", ""), a.getString("type", "Actual"), a.getString("value"),
            a.getString("mutability", "ReadWrite"), a.getBoolean("persistent", false), a.getBoolean("constant", false),
            ch.getString("dataType"), ch.getString("unit"), number(ch.getValue("minLimit")),
            number(ch.getValue("maxLimit")), ch.getString("valuesList"), ch.getBoolean("supportsMonitoring")));
      }
    }
    return rows;
  }

  private Future<JsonObject> notifyEvent(StationContext station, JsonObject p) {
    JsonArray data = p.getJsonArray("eventData", new JsonArray());
    List<Ocpp2Store.Event> events = new ArrayList<>();
    List<Ocpp2Store.ConnectorReport> statuses = new ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      if (!(data.getValue(i) instanceof JsonObject e)) {
        continue;
      }
      events.add(new Ocpp2Store.Event("NotifyEvent", e.getString("trigger"), null, e));
      Ocpp2Store.ConnectorReport status = availabilityState(e);
      if (status != null) {
        statuses.add(status);
      }
    }
    return store2.events(station.chargePointId(), events, statuses).map(evses -> {
      for (int i = 0; i < evses.size(); i++) {
        publishStatus(station, statuses.get(i), evses.get(i));
      }
      station.log(null, "NotifyEvent", "seqNo=" + p.getValue("seqNo") + ": " + events.size() + " events"
          + (statuses.isEmpty() ? "" : ", " + statuses.size() + " connector status"), null);
      return new JsonObject();
    });
  }

  /**
   * A connector status reported as an event (Connector.AvailabilityState, which 2.1 prefers to
   * StatusNotification); null for any other event or one that does not name its EVSE and connector.
   */
  static Ocpp2Store.ConnectorReport availabilityState(JsonObject eventData) {
    JsonObject component = eventData.getJsonObject("component", new JsonObject());
    JsonObject variable = eventData.getJsonObject("variable", new JsonObject());
    JsonObject evse = component.getJsonObject("evse");
    String value = eventData.getString("actualValue");
    if (!"Connector".equals(component.getString("name")) || !"AvailabilityState".equals(variable.getString("name"))
        || evse == null || evse.getInteger("id") == null || evse.getInteger("connectorId") == null
        || !CONNECTOR_STATUSES.contains(value)) {
      return null;
    }
    return new Ocpp2Store.ConnectorReport(evse.getInteger("id"), evse.getInteger("connectorId"), value,
        Times.normalize(eventData.getString("timestamp")));
  }

  // ---------------------------------------------------------------- the rest

  private Future<JsonObject> dataTransfer(StationContext station, JsonObject p) {
    String status = dataTransferVendors.contains(p.getString("vendorId")) ? "Accepted" : "UnknownVendorId";
    return event(station, "DataTransfer", status, null, p, new JsonObject().put("status", status));
  }

  /** GetCertificateChainStatus: one Failed entry per certificate asked about (no OCSP/CRL access configured). */
  private static JsonObject certificateChainStatus(JsonObject p) {
    JsonArray requests = p.getJsonArray("certificateStatusRequests", new JsonArray());
    JsonArray statuses = new JsonArray();
    for (int i = 0; i < requests.size() && statuses.size() < 4; i++) {
      if (requests.getValue(i) instanceof JsonObject r) {
        statuses.add(new JsonObject().put("certificateHashData", r.getJsonObject("certificateHashData"))
            .put("source", r.getString("source")).put("status", "Failed").put("nextUpdate", Times.now()));
      }
    }
    return new JsonObject().put("certificateStatus", statuses);
  }

  /** A CSR is not kept (nothing signs it): its length and the rest of the request are. */
  private static JsonObject signRequestSummary(JsonObject p) {
    JsonObject detail = p.copy();
    detail.remove("csr");
    return detail.put("csrLength", p.getString("csr", "").length());
  }

  /** Stores one ChargerEvent row, then answers {@code answer}. */
  private Future<JsonObject> event(StationContext station, String action, String status, Integer requestId,
      JsonObject detail, JsonObject answer) {
    return store2.event(station.chargePointId(), new Ocpp2Store.Event(action, status, requestId, detail)).map(v -> {
      String text = Ocpp2Store.detailText(detail);
      station.log(null, action, (status == null ? "" : status + " ")
          + (text.length() > 1000 ? text.substring(0, 1000) + "..." : text), null);
      return answer;
    });
  }

  private static JsonObject statusInfo(String additionalInfo) {
    return new JsonObject().put("reasonCode", NOT_SUPPORTED).put("additionalInfo", additionalInfo);
  }

  private static Integer requestId(JsonObject p) {
    return integer(p.getValue("requestId"));
  }

  /** An int column value, or null when absent or out of range (the schemas set no maximum). */
  private static Integer integer(Object v) {
    if (v instanceof Integer i) {
      return i;
    }
    if (v instanceof Number n && n.longValue() >= Integer.MIN_VALUE && n.longValue() <= Integer.MAX_VALUE
        && n.doubleValue() == n.longValue()) {
      return n.intValue();
    }
    return null;
  }

  private static Double number(Object v) {
    return v instanceof Number n ? n.doubleValue() : null;
  }
}
