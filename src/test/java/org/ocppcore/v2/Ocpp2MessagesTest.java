package org.ocppcore.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.TestServer.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ocppcore.TestServer;
import org.ocppcore.ocpp.OcppVersion;
import org.ocppcore.ocpp.SchemaValidator;
import org.ocppcore.testsupport.SchemaExamples;
import org.ocppcore.testsupport.TestCharger;

/**
 * Every charger-initiated message of OCPP 2.0.1 and 2.1 gets a CALLRESULT valid against the
 * official response schema. The list of messages comes from the schema folders minus the messages
 * a CSMS sends, so a message the handler forgets is a failing test, and the examples are built from
 * the request schemas (and checked against them before they are sent).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Ocpp2MessagesTest {

  /** OCPP 2.0.1 messages only a CSMS sends (DataTransfer goes both ways and is not here). */
  static final Set<String> CSMS_TO_STATION_201 = Set.of("CancelReservation", "CertificateSigned", "ChangeAvailability",
      "ClearCache", "ClearChargingProfile", "ClearDisplayMessage", "ClearVariableMonitoring", "CostUpdated",
      "CustomerInformation", "DeleteCertificate", "GetBaseReport", "GetChargingProfiles", "GetCompositeSchedule",
      "GetDisplayMessages", "GetInstalledCertificateIds", "GetLocalListVersion", "GetLog", "GetMonitoringReport",
      "GetReport", "GetTransactionStatus", "GetVariables", "InstallCertificate", "PublishFirmware",
      "RequestStartTransaction", "RequestStopTransaction", "ReserveNow", "Reset", "SendLocalList", "SetChargingProfile",
      "SetDisplayMessage", "SetMonitoringBase", "SetMonitoringLevel", "SetNetworkProfile", "SetVariableMonitoring",
      "SetVariables", "TriggerMessage", "UnlockConnector", "UnpublishFirmware", "UpdateFirmware");

  /** What OCPP 2.1 adds to them. */
  static final Set<String> CSMS_TO_STATION_21_ONLY = Set.of("AFRRSignal", "AdjustPeriodicEventStream",
      "ChangeTransactionTariff", "ClearDERControl", "ClearTariffs", "GetDERControl", "GetPeriodicEventStream",
      "GetTariffs", "NotifyAllowedEnergyTransfer", "NotifyWebPaymentStarted", "RequestBatterySwap", "SetDERControl",
      "SetDefaultTariff", "UpdateDynamicSchedule", "UsePriorityCharging");

  /** Covered by the TransactionEvent tests (its handler is built separately). */
  private static final Set<String> TESTED_ELSEWHERE = Set.of("TransactionEvent");
  /** The 2.1 SEND message: never answered (see {@link #periodicEventStreamIsASendAndNeverAnswered}). */
  private static final String SEND_ACTION = "NotifyPeriodicEventStream";

  private TestServer server;
  private SchemaValidator validator;

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start(new JsonObject()
        .put("ocpp", new JsonObject().put("dataTransferVendors", new JsonArray().add("ACME"))));
    for (String id : List.of("M201", "M21", "N201", "N21", "S21", "E21")) {
      server.chargePoint(id);
    }
    validator = SchemaValidator.loadFromClasspath();
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  private static Set<String> csmsToStation(OcppVersion version) {
    Set<String> s = new HashSet<>(CSMS_TO_STATION_201);
    if (version == OcppVersion.V21) {
      s.addAll(CSMS_TO_STATION_21_ONLY);
    }
    return s;
  }

  /** Every request schema of the version that is not a CSMS-to-station message. */
  private static List<String> chargerActions(OcppVersion version) {
    List<String> actions = new ArrayList<>(SchemaExamples.requestActions(version));
    actions.removeAll(csmsToStation(version));
    return actions;
  }

  private TestCharger connect(String id, OcppVersion version) throws Exception {
    TestCharger cp = await(TestCharger.connect(server.vertx(), server.wsUrl(id),
        new TestCharger.Options().subprotocols(version.subprotocol())));
    assertEquals(version.subprotocol(), cp.selectedSubprotocol());
    return cp;
  }

  private JsonObject validResult(TestCharger cp, OcppVersion version, String action, JsonObject request)
      throws Exception {
    assertNull(validator.validate(version, action, false, SchemaExamples.toNode(request)),
        () -> version + " " + action + ": the example itself must be valid: " + request.encode());
    JsonArray reply = await(cp.call(action, request));
    assertEquals(3, reply.getInteger(0), () -> version + " " + action + " must get a CALLRESULT: " + reply.encode());
    JsonObject payload = reply.getJsonObject(2);
    JsonNode node = SchemaExamples.toNode(payload);
    assertNull(validator.validate(version, action, true, node),
        () -> version + " " + action + ": the answer must be valid against the response schema: " + payload.encode());
    return payload;
  }

  @Test
  void theMessageListsMatchTheSchemaFolders() {
    for (OcppVersion v : List.of(OcppVersion.V201, OcppVersion.V21)) {
      for (String a : csmsToStation(v)) {
        assertTrue(validator.hasSchema(v, a, false), v + ": no such message " + a + " (typo in the exclusion list?)");
      }
    }
    assertEquals(new TreeSet<>(V2Handler.ACTIONS_201), new TreeSet<>(chargerActions(OcppVersion.V201)));
    Set<String> all21 = new TreeSet<>(V2Handler.ACTIONS_201);
    all21.addAll(V2Handler.ACTIONS_21_ONLY);
    assertEquals(all21, new TreeSet<>(chargerActions(OcppVersion.V21)));
    assertEquals(25, chargerActions(OcppVersion.V201).size());
    assertEquals(37, chargerActions(OcppVersion.V21).size());
  }

  @ParameterizedTest
  @EnumSource(value = OcppVersion.class, names = {"V201", "V21"})
  void everyChargerMessageGetsASchemaValidAnswer(OcppVersion version) throws Exception {
    TestCharger cp = connect(version == OcppVersion.V201 ? "M201" : "M21", version);
    validResult(cp, version, "BootNotification", SchemaExamples.minimalRequest(version, "BootNotification"));
    List<String> answered = new ArrayList<>();
    for (String action : chargerActions(version)) {
      if (TESTED_ELSEWHERE.contains(action) || action.equals(SEND_ACTION)) {
        continue;
      }
      validResult(cp, version, action, SchemaExamples.minimalRequest(version, action));
      answered.add(action);
    }
    assertEquals(chargerActions(version).size() - (version == OcppVersion.V21 ? 2 : 1), answered.size());
    // every notification-like message left a ChargerEvent row
    List<Map<String, Object>> events = server.query("SELECT DISTINCT Action FROM ChargerEvent WHERE ChargePointId = ?",
        version == OcppVersion.V201 ? "M201" : "M21");
    Set<String> stored = new HashSet<>();
    events.forEach(r -> stored.add((String) r.get("Action")));
    for (String a : answered) {
      if (!Set.of("Authorize", "BootNotification", "Heartbeat", "MeterValues", "StatusNotification",
          "SecurityEventNotification").contains(a)) {
        assertTrue(stored.contains(a), version + " " + a + " must be stored as a ChargerEvent");
      }
    }
    assertEquals(1, server.query("SELECT * FROM SecurityEvent WHERE ChargePointId = ?",
        version == OcppVersion.V201 ? "M201" : "M21").size());
    cp.assertNoProtocolViolations();
    await(cp.close());
  }

  @ParameterizedTest
  @EnumSource(value = OcppVersion.class, names = {"V201", "V21"})
  void whatTheCsmsSendsIsNotSupportedFromAStation(OcppVersion version) throws Exception {
    TestCharger cp = connect(version == OcppVersion.V201 ? "N201" : "N21", version);
    for (String action : new TreeSet<>(csmsToStation(version))) {
      JsonArray reply = await(cp.call(action, new JsonObject()));
      assertEquals(4, reply.getInteger(0), action + ": " + reply.encode());
      assertEquals("NotSupported", reply.getString(2), action + ": " + reply.encode());
    }
    if (version == OcppVersion.V201) {
      // a 2.1 message on a 2.0.1 connection is unknown there
      for (String action : V2Handler.ACTIONS_21_ONLY) {
        JsonArray reply = await(cp.call(action, SchemaExamples.minimalRequest(OcppVersion.V21, action)));
        assertEquals(4, reply.getInteger(0), action + ": " + reply.encode());
        assertEquals("NotImplemented", reply.getString(2), action + ": " + reply.encode());
      }
    }
    assertEquals(3, await(cp.call("Heartbeat", new JsonObject())).getInteger(0));
    cp.assertNoProtocolViolations();
    await(cp.close());
  }

  @Test
  void periodicEventStreamIsASendAndNeverAnswered() throws Exception {
    TestCharger cp = connect("S21", OcppVersion.V21);
    JsonObject payload = new JsonObject().put("id", 7).put("pending", 0).put("basetime", Instant.now().toString())
        .put("data", new JsonArray().add(new JsonObject().put("t", 0.5).put("v", "230.1"))
            .add(new JsonObject().put("t", 1.5).put("v", "230.4")));
    assertNull(validator.validate(OcppVersion.V21, SEND_ACTION, false, SchemaExamples.toNode(payload)), payload::encode);
    int before = cp.receivedFrames().size();
    String id = UUID.randomUUID().toString();
    await(cp.sendRawNoReply(new JsonArray().add(6).add(id).add(SEND_ACTION).add(payload).encode()));
    List<Map<String, Object>> rows = server.queryEventually(1,
        "SELECT * FROM ChargerEvent WHERE ChargePointId = 'S21' AND Action = ?", SEND_ACTION);
    assertEquals(1, rows.size());
    assertEquals(7, ((Number) rows.get(0).get("RequestId")).intValue(), "the stream id");
    assertEquals(2, new JsonObject((String) rows.get(0).get("Detail")).getJsonArray("data").size());
    Thread.sleep(500);
    assertEquals(before, cp.receivedFrames().size(), "a SEND is never answered: " + cp.receivedFrames());
    assertEquals(3, await(cp.call("Heartbeat", new JsonObject())).getInteger(0));
    cp.assertNoProtocolViolations();
    await(cp.close());
  }

  @Test
  void answersThatDependOnTheRequest() throws Exception {
    OcppVersion v = OcppVersion.V21;
    TestCharger cp = connect("E21", v);
    assertEquals("Accepted", validResult(cp, v, "DataTransfer", new JsonObject().put("vendorId", "ACME")
        .put("messageId", "m1").put("data", new JsonObject().put("x", 1))).getString("status"));
    assertEquals("UnknownVendorId", validResult(cp, v, "DataTransfer", new JsonObject().put("vendorId", "OTHER"))
        .getString("status"));

    JsonObject hash = new JsonObject().put("hashAlgorithm", "SHA256").put("issuerNameHash", "aa")
        .put("issuerKeyHash", "bb").put("serialNumber", "01");
    JsonArray requests = new JsonArray();
    for (int i = 0; i < 4; i++) {
      requests.add(new JsonObject().put("source", i % 2 == 0 ? "OCSP" : "CRL")
          .put("urls", new JsonArray().add("http://ocsp.example/" + i)).put("certificateHashData", hash.copy()
              .put("serialNumber", "0" + i)));
    }
    JsonArray chain = validResult(cp, v, "GetCertificateChainStatus",
        new JsonObject().put("certificateStatusRequests", requests)).getJsonArray("certificateStatus");
    assertEquals(4, chain.size());
    for (int i = 0; i < 4; i++) {
      assertEquals("Failed", chain.getJsonObject(i).getString("status"));
      assertEquals("0" + i, chain.getJsonObject(i).getJsonObject("certificateHashData").getString("serialNumber"));
      assertEquals(i % 2 == 0 ? "OCSP" : "CRL", chain.getJsonObject(i).getString("source"));
    }

    JsonObject vat = validResult(cp, v, "VatNumberValidation", new JsonObject().put("vatNumber", "DE123").put("evseId", 2));
    assertEquals("Rejected", vat.getString("status"));
    assertEquals("DE123", vat.getString("vatNumber"));
    assertEquals(2, vat.getInteger("evseId"));

    assertEquals("NoChargingProfile", validResult(cp, v, "NotifyEVChargingNeeds",
        SchemaExamples.minimalRequest(v, "NotifyEVChargingNeeds")).getString("status"));
    assertEquals("Rejected", validResult(cp, v, "OpenPeriodicEventStream",
        SchemaExamples.minimalRequest(v, "OpenPeriodicEventStream")).getString("status"));
    JsonObject sign = validResult(cp, v, "SignCertificate", new JsonObject().put("csr", "-----BEGIN CSR-----")
        .put("certificateType", "ChargingStationCertificate").put("requestId", 42));
    assertEquals("Rejected", sign.getString("status"));
    Map<String, Object> row = server.query("SELECT * FROM ChargerEvent WHERE ChargePointId = 'E21' "
        + "AND Action = 'SignCertificate'").get(0);
    assertEquals(42, ((Number) row.get("RequestId")).intValue());
    JsonObject detail = new JsonObject((String) row.get("Detail"));
    assertEquals(19, detail.getInteger("csrLength"));
    assertTrue(!detail.containsKey("csr"), "the CSR itself is not kept");
    await(cp.close());
  }
}
