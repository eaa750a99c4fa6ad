package org.ocppcore.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.TestServer.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ocppcore.TestServer;
import org.ocppcore.domain.MeterSample;
import org.ocppcore.ocpp.OcppVersion;
import org.ocppcore.store.Ocpp2Store;
import org.ocppcore.testsupport.TestCharger;

/** What OCPP 2.0.1 / 2.1 messages store, checked in the database file. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Ocpp2StorageTest {
  private TestServer server;
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start(new JsonObject().put("log", new JsonObject().put("dbMessageLog", 2)));
    for (String cp : List.of("T201", "T21", "EV1", "DM1")) {
      server.chargePoint(cp);
    }
    server.tag("TAG1", "GROUP-A", null, false).tag("BLOCKED", null, null, true);
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  private TestCharger connect(String id, OcppVersion version) throws Exception {
    return await(TestCharger.connect(server.vertx(), server.wsUrl(id),
        new TestCharger.Options().subprotocols(version.subprotocol())));
  }

  private static JsonObject result(TestCharger cp, String action, JsonObject payload) throws Exception {
    JsonArray reply = await(cp.call(action, payload));
    assertEquals(3, reply.getInteger(0), action + " must get a CALLRESULT: " + reply.encode());
    return reply.getJsonObject(2);
  }

  private String ts(int secondsAfterNow) {
    return now.plusSeconds(secondsAfterNow).toString();
  }

  private String stored(int secondsAfterNow) {
    return now.plusSeconds(secondsAfterNow).toString().replace("Z", ".000Z");
  }

  private static JsonObject status(String time, int evse, int connector, String status) {
    return new JsonObject().put("timestamp", time).put("connectorStatus", status).put("evseId", evse)
        .put("connectorId", connector);
  }

  private Map<String, Object> connectorRow(String cp, int connectorId) throws Exception {
    List<Map<String, Object>> rows = server.query("SELECT * FROM ConnectorStatus WHERE ChargePointId = ? AND "
        + "ConnectorId = ?", cp, connectorId);
    assertEquals(1, rows.size());
    return rows.get(0);
  }

  private void bootAndStatus(TestCharger cp, String id, OcppVersion version) throws Exception {
    JsonObject boot = result(cp, "BootNotification", new JsonObject().put("reason", "PowerUp")
        .put("chargingStation", new JsonObject().put("vendorName", "ACME").put("model", "Wallbox 2x")
            .put("serialNumber", "SN-2").put("firmwareVersion", "2.0.0")
            .put("modem", new JsonObject().put("iccid", "8949").put("imsi", "262"))));
    assertEquals("Accepted", boot.getString("status"));
    assertEquals(300, boot.getInteger("interval"));
    assertTrue(Instant.parse(boot.getString("currentTime")).isAfter(now.minusSeconds(5)));
    Map<String, Object> b = server.query("SELECT * FROM ChargePointBoot WHERE ChargePointId = ?", id).get(0);
    assertEquals("ACME", b.get("Vendor"));
    assertEquals("Wallbox 2x", b.get("Model"));
    assertEquals("SN-2", b.get("SerialNumber"));
    assertEquals("2.0.0", b.get("FirmwareVersion"));
    assertEquals("8949", b.get("Iccid"));
    assertEquals("262", b.get("Imsi"));
    assertEquals("PowerUp", b.get("BootReason"));
    assertEquals(version.subprotocol(), b.get("Protocol"));

    result(cp, "StatusNotification", status(ts(1), 1, 1, "Available"));
    result(cp, "StatusNotification", status(ts(2), 1, 2, "Occupied"));
    Map<String, Object> evse = connectorRow(id, 1);
    assertEquals("Occupied", evse.get("LastStatus"));
    assertEquals("Occupied", evse.get("OcppStatus"));
    assertEquals(stored(2), evse.get("LastStatusTime"));
    List<Map<String, Object>> connectors = server.query("SELECT * FROM EvseConnectorStatus WHERE ChargePointId = ? "
        + "ORDER BY EvseId, ConnectorId", id);
    assertEquals(2, connectors.size());
    assertEquals("Available", connectors.get(0).get("Status"));
    assertEquals(stored(1), connectors.get(0).get("StatusTime"));
    assertEquals(2, connectors.get(1).get("ConnectorId"));
    assertEquals("Occupied", connectors.get(1).get("Status"));
    List<Map<String, Object>> history = server.query("SELECT * FROM StatusHistory WHERE ChargePointId = ? "
        + "ORDER BY StatusId", id);
    assertEquals(2, history.size());
    assertEquals(1, history.get(1).get("EvseId"));
    assertEquals(2, history.get(1).get("ConnectorId"));
    assertEquals("Occupied", history.get(1).get("Status"));
    assertEquals(stored(2), history.get(1).get("StatusTime"));
  }

  @ParameterizedTest
  @EnumSource(value = OcppVersion.class, names = {"V201", "V21"})
  void bootAndStatusPerEvseAndConnector(OcppVersion version) throws Exception {
    String id = version == OcppVersion.V201 ? "T201" : "T21";
    TestCharger cp = connect(id, version);
    bootAndStatus(cp, id, version);
    if (version == OcppVersion.V201) {
      cp.assertNoProtocolViolations();
      await(cp.close());
      return;
    }
    // 2.1 stations report status as NotifyEvent Connector.AvailabilityState
    result(cp, "NotifyEvent", new JsonObject().put("generatedAt", ts(3)).put("seqNo", 0).put("eventData",
        new JsonArray().add(new JsonObject().put("eventId", 1).put("timestamp", ts(3)).put("trigger", "Delta")
            .put("actualValue", "Available").put("eventNotificationType", "HardWiredNotification")
            .put("component", new JsonObject().put("name", "Connector")
                .put("evse", new JsonObject().put("id", 1).put("connectorId", 2)))
            .put("variable", new JsonObject().put("name", "AvailabilityState")))
            .add(new JsonObject().put("eventId", 2).put("timestamp", ts(3)).put("trigger", "Alerting")
                .put("actualValue", "true").put("eventNotificationType", "HardWiredMonitor").put("techCode", "E42")
                .put("component", new JsonObject().put("name", "ChargingStation"))
                .put("variable", new JsonObject().put("name", "Problem")))));
    assertEquals("Available", connectorRow(id, 1).get("LastStatus"));
    assertEquals(stored(3), connectorRow(id, 1).get("LastStatusTime"));
    assertEquals("Available", server.query("SELECT Status FROM EvseConnectorStatus WHERE ChargePointId = ? AND "
        + "EvseId = 1 AND ConnectorId = 2", id).get(0).get("Status"));
    assertEquals(3, server.query("SELECT * FROM StatusHistory WHERE ChargePointId = ?", id).size());
    List<Map<String, Object>> events = server.query("SELECT * FROM ChargerEvent WHERE ChargePointId = ? AND "
        + "Action = 'NotifyEvent' ORDER BY EventId", id);
    assertEquals(2, events.size());
    assertEquals("Delta", events.get(0).get("Status"));
    assertEquals("Alerting", events.get(1).get("Status"));
    JsonObject problem = new JsonObject((String) events.get(1).get("Detail"));
    assertEquals("Problem", problem.getJsonObject("variable").getString("name"));
    assertEquals("ChargingStation", problem.getJsonObject("component").getString("name"));
    assertEquals("E42", problem.getString("techCode"));
    assertEquals("true", problem.getString("actualValue"));
    cp.assertNoProtocolViolations();
    await(cp.close());
  }

  @Test
  void evseStatusSummarisesItsConnectors() throws Exception {
    TestCharger cp = connect("EV1", OcppVersion.V201);
    String[][] steps = {
        // connector 1, connector 2, expected EVSE status, expected summary
        {"Available", "Available", "Available", "Available"},
        {"Reserved", "Available", "Reserved", "Occupied"},
        {"Reserved", "Unavailable", "Unavailable", "Unavailable"},
        {"Faulted", "Unavailable", "Faulted", "Faulted"},
        {"Faulted", "Occupied", "Occupied", "Occupied"},
        {"Available", "Available", "Available", "Available"},
    };
    int t = 10;
    for (String[] step : steps) {
      result(cp, "StatusNotification", status(ts(t++), 3, 1, step[0]));
      result(cp, "StatusNotification", status(ts(t++), 3, 2, step[1]));
      Map<String, Object> evse = connectorRow("EV1", 3);
      assertEquals(step[2], evse.get("OcppStatus"), String.join(",", step));
      assertEquals(step[3], evse.get("LastStatus"), String.join(",", step));
    }
    // EVSE 0 is the whole station, kept apart from the EVSEs
    result(cp, "StatusNotification", status(ts(t), 0, 0, "Unavailable"));
    assertEquals("Unavailable", connectorRow("EV1", 0).get("LastStatus"));
    assertEquals("Available", connectorRow("EV1", 3).get("LastStatus"));
    assertEquals(List.of("Faulted", "Unavailable", "Occupied", "Available"),
        List.of(Ocpp2Store.evseStatus(List.of("Faulted", "Unavailable", "Available")),
            Ocpp2Store.evseStatus(List.of("Reserved", "Unavailable")),
            Ocpp2Store.evseStatus(List.of("Faulted", "Occupied")),
            Ocpp2Store.evseStatus(List.of())));
    await(cp.close());
  }

  @Test
  void authorizeMeterValuesAndDeviceModel() throws Exception {
    String id = "DM1";
    TestCharger cp = connect(id, OcppVersion.V201);
    JsonObject known = result(cp, "Authorize", new JsonObject().put("idToken",
        new JsonObject().put("idToken", "tag1").put("type", "ISO14443"))).getJsonObject("idTokenInfo");
    assertEquals("Accepted", known.getString("status"));
    assertEquals("GROUP-A", known.getJsonObject("groupIdToken").getString("idToken"));
    JsonObject unknown = result(cp, "Authorize", new JsonObject().put("idToken",
        new JsonObject().put("idToken", "NOBODY").put("type", "ISO14443"))).getJsonObject("idTokenInfo");
    assertEquals("Unknown", unknown.getString("status"));
    assertFalse(unknown.containsKey("groupIdToken"));
    assertEquals("Blocked", result(cp, "Authorize", new JsonObject().put("idToken",
        new JsonObject().put("idToken", "BLOCKED").put("type", "Central"))).getJsonObject("idTokenInfo").getString("status"));
    assertEquals("Accepted", result(cp, "Authorize", new JsonObject().put("idToken",
        new JsonObject().put("idToken", "").put("type", "NoAuthorization"))).getJsonObject("idTokenInfo").getString("status"));
    assertTrue(server.queryEventually(1, "SELECT * FROM MessageLog WHERE ChargePointId = ? AND Message = 'Authorize' "
        + "AND Result LIKE '%NOBODY%Unknown%'", id).size() > 0);

    // MeterValues: value is a number, unit and multiplier in unitOfMeasure
    result(cp, "MeterValues", new JsonObject().put("evseId", 1).put("meterValue", new JsonArray()
        .add(new JsonObject().put("timestamp", ts(60)).put("sampledValue", new JsonArray()
            .add(new JsonObject().put("value", 12.3).put("unitOfMeasure", new JsonObject().put("unit", "Wh")
                .put("multiplier", 3)))
            .add(new JsonObject().put("value", 7400).put("measurand", "Power.Active.Import")
                .put("unitOfMeasure", new JsonObject().put("unit", "W")))
            .add(new JsonObject().put("value", 230.5).put("measurand", "Voltage").put("phase", "L1-N"))
            .add(new JsonObject().put("value", 61).put("measurand", "SoC").put("location", "EV")
                .put("context", "Sample.Clock").put("unitOfMeasure", new JsonObject().put("unit", "Percent")))))));
    List<Map<String, Object>> samples = server.query("SELECT * FROM MeterSample WHERE ChargePointId = ? "
        + "ORDER BY MeterValueId, SampleIndex", id);
    assertEquals(4, samples.size());
    assertEquals(1, server.queryEventually(1, "SELECT * FROM MessageLog WHERE ChargePointId = ? AND Message = 'MeterValues' "
        + "AND ConnectorId = 1 AND Result = 'Meter (kWh): 12.3 | Charge (kW): 7.4 | SoC (%): 61.0'", id).size(),
        "the message log's line: the EVSE and its live figures");
    Map<String, Object> energy = samples.get(0);
    assertEquals("12.3", energy.get("Value"));
    assertEquals(12300.0, ((Number) energy.get("NumericValue")).doubleValue());
    assertEquals("Wh", energy.get("Unit"));
    assertEquals("Energy.Active.Import.Register", energy.get("Measurand"));
    assertEquals("Sample.Periodic", energy.get("Context"));
    assertEquals("Outlet", energy.get("Location"));
    assertEquals("Raw", energy.get("Format"));
    assertEquals(1, energy.get("ConnectorId"));
    assertNull(energy.get("TransactionId"));
    assertEquals(stored(60), energy.get("Timestamp"));
    assertEquals("7400", samples.get(1).get("Value"));
    assertEquals("V", samples.get(2).get("Unit"), "a voltage without unitOfMeasure is in V");
    assertEquals("L1-N", samples.get(2).get("Phase"));
    assertEquals("Sample.Clock", samples.get(3).get("Context"));
    assertEquals("EV", samples.get(3).get("Location"));
    Map<String, Object> live = connectorRow(id, 1);
    assertEquals(12.3, ((Number) live.get("LastMeter")).doubleValue(), 1e-9);
    assertEquals(7.4, ((Number) live.get("LastPowerKw")).doubleValue(), 1e-9);
    assertEquals(61.0, ((Number) live.get("LastSoc")).doubleValue(), 1e-9);

    // NotifyReport: one DeviceVariable row per attribute
    JsonObject report = new JsonObject().put("requestId", 5).put("generatedAt", ts(70)).put("seqNo", 0).put("tbc", true)
        .put("reportData", new JsonArray()
            .add(new JsonObject().put("component", new JsonObject().put("name", "OCPPCommCtrlr"))
                .put("variable", new JsonObject().put("name", "HeartbeatInterval"))
                .put("variableAttribute", new JsonArray()
                    .add(new JsonObject().put("value", "300").put("persistent", true))
                    .add(new JsonObject().put("type", "MaxSet").put("value", "86400").put("mutability", "ReadOnly")
                        .put("constant", true)))
                .put("variableCharacteristics", new JsonObject().put("dataType", "integer").put("unit", "s")
                    .put("minLimit", 1).put("maxLimit", 86400).put("supportsMonitoring", false)))
            .add(new JsonObject().put("component", new JsonObject().put("name", "Connector").put("instance", "Type2")
                    .put("evse", new JsonObject().put("id", 1).put("connectorId", 2)))
                .put("variable", new JsonObject().put("name", "ConnectorType"))
                .put("variableAttribute", new JsonArray().add(new JsonObject().put("value", "cType2")
                    .put("mutability", "ReadOnly")))));
    result(cp, "NotifyReport", report);
    List<Map<String, Object>> vars = server.query("SELECT * FROM DeviceVariable WHERE ChargePointId = ? "
        + "ORDER BY Component, AttributeType", id);
    assertEquals(3, vars.size());
    Map<String, Object> connectorType = vars.get(0);
    assertEquals("Connector", connectorType.get("Component"));
    assertEquals("Type2", connectorType.get("ComponentInstance"));
    assertEquals(1, connectorType.get("EvseId"));
    assertEquals(2, connectorType.get("ConnectorId"));
    assertEquals("ConnectorType", connectorType.get("Variable"));
    assertEquals("", connectorType.get("VariableInstance"));
    assertEquals("Actual", connectorType.get("AttributeType"));
    assertEquals("cType2", connectorType.get("Value"));
    assertEquals("ReadOnly", connectorType.get("Mutability"));
    assertNull(connectorType.get("DataType"));
    Map<String, Object> hbActual = vars.get(1);
    assertEquals("OCPPCommCtrlr", hbActual.get("Component"));
    assertEquals("", hbActual.get("ComponentInstance"));
    assertEquals(0, hbActual.get("EvseId"));
    assertEquals("Actual", hbActual.get("AttributeType"));
    assertEquals("300", hbActual.get("Value"));
    assertEquals("ReadWrite", hbActual.get("Mutability"), "the spec's default");
    assertEquals(1, hbActual.get("Persistent"));
    assertEquals(0, hbActual.get("Constant"));
    assertEquals("integer", hbActual.get("DataType"));
    assertEquals("s", hbActual.get("Unit"));
    assertEquals(86400.0, ((Number) hbActual.get("MaxLimit")).doubleValue());
    assertEquals(0, hbActual.get("SupportsMonitoring"));
    assertEquals("MaxSet", vars.get(2).get("AttributeType"));
    assertEquals("86400", vars.get(2).get("Value"));
    assertEquals(1, vars.get(2).get("Constant"));
    Map<String, Object> reportEvent = server.query("SELECT * FROM ChargerEvent WHERE ChargePointId = ? AND "
        + "Action = 'NotifyReport'", id).get(0);
    assertEquals(5, reportEvent.get("RequestId"));
    JsonObject detail = new JsonObject((String) reportEvent.get("Detail"));
    assertEquals(0, detail.getInteger("seqNo"));
    assertTrue(detail.getBoolean("tbc"));
    assertEquals(2, detail.getInteger("items"));
    assertEquals(ts(70), detail.getString("generatedAt"));

    // the next part of the report updates in place
    result(cp, "NotifyReport", new JsonObject().put("requestId", 5).put("generatedAt", ts(71)).put("seqNo", 1)
        .put("reportData", new JsonArray().add(new JsonObject()
            .put("component", new JsonObject().put("name", "OCPPCommCtrlr"))
            .put("variable", new JsonObject().put("name", "HeartbeatInterval"))
            .put("variableAttribute", new JsonArray().add(new JsonObject().put("value", "600"))))));
    assertEquals(3, server.query("SELECT * FROM DeviceVariable WHERE ChargePointId = ?", id).size());
    assertEquals("600", server.query("SELECT Value FROM DeviceVariable WHERE ChargePointId = ? AND "
        + "Variable = 'HeartbeatInterval' AND AttributeType = 'Actual'", id).get(0).get("Value"));
    assertEquals(2, server.query("SELECT * FROM ChargerEvent WHERE ChargePointId = ? AND Action = 'NotifyReport'", id)
        .size());

    // the read op for later use
    Ocpp2Store store2 = new Ocpp2Store(server.server().store());
    List<JsonObject> model = await(store2.deviceModel(id));
    assertEquals(3, model.size());
    assertEquals("Connector", model.get(0).getString("Component"));
    assertEquals(2, model.get(0).getInteger("ConnectorId"));
    assertEquals("600", model.get(1).getString("Value"));
    assertEquals(Boolean.FALSE, model.get(1).getBoolean("Persistent"), "the new report omits it: default false");
    assertEquals(Boolean.TRUE, model.get(2).getBoolean("Constant"));
    assertEquals(model, await(new Ocpp2Store(server.server().store()).deviceModel(id)), "same through the writer");
    cp.assertNoProtocolViolations();
    await(cp.close());
  }

  @Test
  void meterValueFlatteningForTransactionEvents() {
    JsonArray meterValues = new JsonArray().add(new JsonObject().put("timestamp", ts(0)).put("sampledValue",
        new JsonArray()
            .add(new JsonObject().put("value", 1.5).put("context", "Transaction.Begin")
                .put("unitOfMeasure", new JsonObject().put("unit", "kWh").put("multiplier", -3)))
            .add(new JsonObject().put("value", 12345678901L).put("measurand", "Energy.Active.Export.Register"))
            .add(new JsonObject().put("value", 3).put("measurand", "Energy.Reactive.Import.Register")
                .put("signedMeterValue", new JsonObject().put("signedMeterData", "abc").put("encodingMethod", "OCMF")))));
    List<MeterSample> s = V2Handler.samples(2, 99L, meterValues);
    assertEquals(3, s.size());
    assertEquals(2, s.get(0).connectorId());
    assertEquals(99L, s.get(0).transactionId());
    assertEquals("1.5", s.get(0).value());
    assertEquals(0.0015, s.get(0).numericValue(), 1e-15);
    assertEquals("kWh", s.get(0).unit());
    assertEquals("Transaction.Begin", s.get(0).context());
    assertEquals("12345678901", s.get(1).value());
    assertEquals(12345678901.0, s.get(1).numericValue());
    assertEquals("Wh", s.get(1).unit());
    assertEquals("varh", s.get(2).unit());
    assertEquals("Raw", s.get(2).format());
    assertEquals(3.0, s.get(2).numericValue());
    assertTrue(V2Handler.samples(1, null, null).isEmpty());
  }
}
