package org.ocppcore.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.TestServer.await;
import static org.ocppcore.api.ApiClient.obj;
import static org.ocppcore.api.JsonAssert.assertJson;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.ocppcore.TestServer;
import org.ocppcore.api.ApiClient.Resp;
import org.ocppcore.testsupport.TestCharger;

/**
 * Every version-neutral command against connected test chargers of OCPP 1.6 and 2.0.1 (with 2.1
 * spot checks): the exact payload the charger received, and the API answer built from the
 * charger's reply; then the failure paths (CALLERROR, silence, offline, unknown), asynchronous
 * commands and the audit trail.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiCommandsTest {
  private static final String KEY_NAME = "ops-robot";

  private TestServer server;
  private ApiClient api;
  private TestCharger cp16;
  private TestCharger cp201;
  private TestCharger cp21;
  /** A 1.6 and a 2.0.1 charger that answer Reset with a CALLERROR and never answer ClearCache. */
  private TestCharger err16;
  private TestCharger err201;

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start();
    api = new ApiClient(server, server.apiKey(KEY_NAME, "admin"));
    server.tag("GOOD", "GROUP", null, false).tag("BLOCKED", null, null, true);
    for (String id : List.of("CP16", "CP201", "CP21", "ERR16", "ERR201", "OFFLINE")) {
      server.chargePoint(id);
    }
    cp16 = connect("CP16", "ocpp1.6", answers16());
    cp201 = connect("CP201", "ocpp2.0.1", answers2x());
    cp21 = connect("CP21", "ocpp2.1", answers2x());
    TestCharger.Options failing16 = answers16()
        .onCall("Reset", p -> new TestCharger.Error("InternalError", "boom: relay stuck"))
        .onCall("ClearCache", p -> TestCharger.NO_REPLY);
    err16 = connect("ERR16", "ocpp1.6", failing16);
    TestCharger.Options failing2x = answers2x()
        .onCall("Reset", p -> new TestCharger.Error("NotSupported", "no reset on this model"))
        .onCall("ClearCache", p -> TestCharger.NO_REPLY);
    err201 = connect("ERR201", "ocpp2.0.1", failing2x);
  }

  @AfterAll
  void stop() throws Exception {
    api.close();
    server.close();
  }

  private TestCharger connect(String id, String protocol, TestCharger.Options options) throws Exception {
    TestCharger cp = await(TestCharger.connect(server.vertx(), server.wsUrl(id), options.subprotocols(protocol)));
    assertEquals(protocol, cp.selectedSubprotocol());
    return cp;
  }

  private static JsonObject status(String s) {
    return new JsonObject().put("status", s);
  }

  /** 1.6 answers; some depend on the request so that the API's pass-through of the answer is visible. */
  private static TestCharger.Options answers16() {
    return new TestCharger.Options()
        .onCall("Reset", p -> status("Hard".equals(p.getString("type")) ? "Rejected" : "Accepted"))
        .onCall("UnlockConnector", p -> status(p.getInteger("connectorId") == 2 ? "UnlockFailed" : "Unlocked"))
        .onCall("RemoteStartTransaction", p -> status("Accepted"))
        .onCall("RemoteStopTransaction", p -> status("Accepted"))
        .onCall("ChangeAvailability", p -> status("Scheduled"))
        .onCall("GetConfiguration", p -> {
          JsonArray keys = p.getJsonArray("key", new JsonArray().add("HeartbeatInterval"));
          JsonArray known = new JsonArray();
          JsonArray unknown = new JsonArray();
          for (Object k : keys) {
            if ("HeartbeatInterval".equals(k)) {
              known.add(new JsonObject().put("key", k).put("readonly", false).put("value", "300"));
            } else {
              unknown.add(k);
            }
          }
          JsonObject r = new JsonObject().put("configurationKey", known);
          return unknown.isEmpty() ? r : r.put("unknownKey", unknown);
        })
        .onCall("ChangeConfiguration", p -> status("RebootRequired"))
        .onCall("TriggerMessage", p -> status("Accepted"))
        .onCall("ClearCache", p -> status("Accepted"))
        .onCall("DataTransfer", p -> status("Accepted").put("data", "pong:" + p.getString("data")))
        .onCall("SetChargingProfile", p -> status("Accepted"))
        .onCall("ClearChargingProfile", p -> status("Unknown"))
        .onCall("GetCompositeSchedule", p -> status("Accepted").put("connectorId", p.getInteger("connectorId"))
            .put("scheduleStart", "2030-01-01T00:00:00.000Z")
            .put("chargingSchedule", new JsonObject().put("chargingRateUnit", "W")
                .put("chargingSchedulePeriod", new JsonArray().add(new JsonObject().put("startPeriod", 0)
                    .put("limit", 11000.0)))));
  }

  private static TestCharger.Options answers2x() {
    return new TestCharger.Options()
        .onCall("Reset", p -> status("Immediate".equals(p.getString("type")) ? "Rejected" : "Scheduled"))
        .onCall("UnlockConnector", p -> status("Unlocked"))
        .onCall("RequestStartTransaction", p -> status("Accepted").put("transactionId", "started-by-api"))
        .onCall("RequestStopTransaction", p -> status("Accepted"))
        .onCall("ChangeAvailability", p -> status("Accepted"))
        .onCall("GetVariables", p -> {
          JsonArray results = new JsonArray();
          for (Object o : p.getJsonArray("getVariableData")) {
            JsonObject d = (JsonObject) o;
            results.add(new JsonObject().put("attributeStatus", "Accepted").put("component", d.getJsonObject("component"))
                .put("variable", d.getJsonObject("variable")).put("attributeValue", "300"));
          }
          return new JsonObject().put("getVariableResult", results);
        })
        .onCall("GetBaseReport", p -> status("Accepted"))
        .onCall("SetVariables", p -> {
          JsonArray results = new JsonArray();
          for (Object o : p.getJsonArray("setVariableData")) {
            JsonObject d = (JsonObject) o;
            results.add(new JsonObject().put("attributeStatus", "RebootRequired")
                .put("component", d.getJsonObject("component")).put("variable", d.getJsonObject("variable")));
          }
          return new JsonObject().put("setVariableResult", results);
        })
        .onCall("TriggerMessage", p -> status("Accepted"))
        .onCall("ClearCache", p -> status("Accepted"))
        .onCall("DataTransfer", p -> status("Accepted").put("data", "pong:" + p.getValue("data")))
        .onCall("SetChargingProfile", p -> status("Accepted"))
        .onCall("ClearChargingProfile", p -> status("Accepted"))
        .onCall("GetCompositeSchedule", p -> status("Rejected"));
  }

  // ------------------------------------------------------------------ helpers

  /**
   * POSTs a command, asserts 200, that the charger received exactly one new CALL of {@code action}
   * with {@code expected} as its payload, that the API answer is {action, request, response} with
   * the same request, and returns the answer.
   */
  private JsonObject command(TestCharger cp, String cpId, String route, JsonObject body, String action,
      JsonObject expected) {
    int before = cp.receivedCalls(action).size();
    Resp r = api.post("/chargepoints/" + cpId + "/" + route, body).expect(200);
    JsonObject sent = lastSent(cp, action, before);
    if (expected != null) {
      assertJson(expected, sent, cpId + " " + route + " payload");
    }
    JsonObject res = r.json();
    assertEquals(action, res.getString("action"));
    assertJson(sent, res.getJsonObject("request"), "the API shows the request sent");
    return res;
  }

  /** The payload of the one CALL of {@code action} received since there were {@code before}. */
  private static JsonObject lastSent(TestCharger cp, String action, int before) {
    List<JsonArray> calls = cp.receivedCalls(action);
    assertEquals(before + 1, calls.size(), "exactly one new " + action + " CALL");
    return calls.get(calls.size() - 1).getJsonObject(3);
  }

  // ------------------------------------------------------------------ commands, per version

  @Test
  void reset() {
    JsonObject soft16 = command(cp16, "CP16", "reset", obj("type", "soft"), "Reset", obj("type", "Soft"));
    assertJson(status("Accepted"), soft16.getJsonObject("response"));
    JsonObject hard16 = command(cp16, "CP16", "reset", obj("type", "hard"), "Reset", obj("type", "Hard"));
    assertJson(status("Rejected"), hard16.getJsonObject("response"), "the charger's answer, as given");

    JsonObject soft2 = command(cp201, "CP201", "reset", obj("type", "soft"), "Reset", obj("type", "OnIdle"));
    assertJson(status("Scheduled"), soft2.getJsonObject("response"));
    JsonObject hard2 = command(cp201, "CP201", "reset", obj("type", "hard"), "Reset", obj("type", "Immediate"));
    assertJson(status("Rejected"), hard2.getJsonObject("response"));
    command(cp201, "CP201", "reset", obj("type", "hard", "evseId", 2), "Reset", obj("type", "Immediate", "evseId", 2));

    // 2.1 spot check
    command(cp21, "CP21", "reset", obj("type", "hard"), "Reset", obj("type", "Immediate"));

    int before = cp16.receivedCalls("Reset").size();
    api.post("/chargepoints/CP16/reset", obj("type", "reboot")).expect(400);
    api.post("/chargepoints/CP16/reset", obj()).expect(400);
    assertEquals(before, cp16.receivedCalls("Reset").size(), "an invalid body sends nothing");
  }

  @Test
  void unlock() {
    JsonObject r16 = command(cp16, "CP16", "unlock", obj("connectorId", 1), "UnlockConnector", obj("connectorId", 1));
    assertJson(status("Unlocked"), r16.getJsonObject("response"));
    JsonObject failed = command(cp16, "CP16", "unlock", obj("connectorId", 2), "UnlockConnector", obj("connectorId", 2));
    assertJson(status("UnlockFailed"), failed.getJsonObject("response"));

    // 2.x: the API's connectorId names the EVSE, whose (first) connector is 1 — never connector 0
    // (OCPP.Core sends connectorId 0, which 2.x chargers reject)
    JsonObject r2 = command(cp201, "CP201", "unlock", obj("connectorId", 2), "UnlockConnector",
        obj("evseId", 2, "connectorId", 1));
    assertNotEquals(0, r2.getJsonObject("request").getInteger("connectorId"));
    assertJson(status("Unlocked"), r2.getJsonObject("response"));
    command(cp201, "CP201", "unlock", obj("evseId", 1, "connectorId", 2), "UnlockConnector",
        obj("evseId", 1, "connectorId", 2));
    command(cp21, "CP21", "unlock", obj("connectorId", 1), "UnlockConnector", obj("evseId", 1, "connectorId", 1));

    int before = cp201.receivedCalls("UnlockConnector").size();
    api.post("/chargepoints/CP201/unlock", obj("connectorId", 0)).expect(400);
    assertEquals(before, cp201.receivedCalls("UnlockConnector").size());
  }

  @Test
  void remoteStart() {
    JsonObject r16 = command(cp16, "CP16", "remote-start", obj("idTag", "GOOD", "connectorId", 1),
        "RemoteStartTransaction", obj("idTag", "GOOD", "connectorId", 1));
    assertJson(status("Accepted"), r16.getJsonObject("response"));
    command(cp16, "CP16", "remote-start", obj("idTag", "GOOD"), "RemoteStartTransaction", obj("idTag", "GOOD"));

    JsonObject r2 = command(cp201, "CP201", "remote-start", obj("idTag", "GOOD", "connectorId", 2),
        "RequestStartTransaction", null);
    JsonObject sent = r2.getJsonObject("request");
    assertJson(obj("idToken", "GOOD", "type", "Central"), sent.getJsonObject("idToken"));
    assertEquals(2, sent.getInteger("evseId"));
    Integer remoteStartId = sent.getInteger("remoteStartId");
    assertNotNull(remoteStartId);
    assertTrue(remoteStartId > 0);
    assertEquals(remoteStartId, r2.getInteger("remoteStartId"), "the API returns the remoteStartId it sent");
    assertEquals(Map.of("idToken", 0, "remoteStartId", 0, "evseId", 0).keySet(), sent.fieldNames());
    assertJson(status("Accepted").put("transactionId", "started-by-api"), r2.getJsonObject("response"));

    JsonObject r21 = command(cp21, "CP21", "remote-start", obj("idTag", "GOOD", "idTokenType", "ISO14443"),
        "RequestStartTransaction", null);
    assertJson(obj("idToken", "GOOD", "type", "ISO14443"), r21.getJsonObject("request").getJsonObject("idToken"));
    assertEquals(r21.getInteger("remoteStartId"), r21.getJsonObject("request").getInteger("remoteStartId"));
    assertFalse(r21.getJsonObject("request").containsKey("evseId"));
  }

  @Test
  void remoteStartPreAuthorization() {
    for (String[] c : new String[][] {{"NOPE", "Invalid"}, {"BLOCKED", "Blocked"}}) {
      int before16 = cp16.receivedCalls("RemoteStartTransaction").size();
      Resp r = api.post("/chargepoints/CP16/remote-start", obj("idTag", c[0], "connectorId", 1)).expect(409);
      assertEquals("Rejected", r.json().getString("status"), r.body());
      assertEquals(c[1], r.json().getString("tagStatus"), r.body());
      assertEquals(before16, cp16.receivedCalls("RemoteStartTransaction").size(), "the charger receives nothing");

      int before2 = cp201.receivedCalls("RequestStartTransaction").size();
      api.post("/chargepoints/CP201/remote-start", obj("idTag", c[0])).expect(409);
      assertEquals(before2, cp201.receivedCalls("RequestStartTransaction").size());
    }
    // tag ids are case-insensitive
    command(cp16, "CP16", "remote-start", obj("idTag", "good"), "RemoteStartTransaction", obj("idTag", "good"));
    // preAuthorize false: the charger decides
    command(cp16, "CP16", "remote-start", obj("idTag", "NOPE", "preAuthorize", false), "RemoteStartTransaction",
        obj("idTag", "NOPE"));
    JsonObject r2 = command(cp201, "CP201", "remote-start", obj("idTag", "BLOCKED", "preAuthorize", false),
        "RequestStartTransaction", null);
    assertEquals("BLOCKED", r2.getJsonObject("request").getJsonObject("idToken").getString("idToken"));
  }

  @Test
  void remoteStop() throws Exception {
    // 1.6: a transaction the charger started
    JsonObject started = await(cp16.callForResult("StartTransaction", obj("connectorId", 3, "idTag", "GOOD",
        "meterStart", 100, "timestamp", Instant.now().toString())));
    long tx16 = started.getLong("transactionId");
    JsonObject byId = command(cp16, "CP16", "remote-stop", obj("transactionId", tx16), "RemoteStopTransaction",
        obj("transactionId", tx16));
    assertJson(status("Accepted"), byId.getJsonObject("response"));
    command(cp16, "CP16", "remote-stop", obj("connectorId", 3), "RemoteStopTransaction", obj("transactionId", tx16));

    int before = cp16.receivedCalls("RemoteStopTransaction").size();
    api.post("/chargepoints/CP16/remote-stop", obj("connectorId", 4)).expect(409); // nothing open there
    api.post("/chargepoints/CP16/remote-stop", obj("transactionId", 987654)).expect(404);
    api.post("/chargepoints/CP201/remote-stop", obj("transactionId", tx16)).expect(404); // another charger's
    api.post("/chargepoints/CP16/remote-stop", obj()).expect(400);
    api.post("/chargepoints/CP16/remote-stop", obj("transactionId", tx16, "connectorId", 3)).expect(400);
    // once stopped, a stop request is refused
    await(cp16.callForResult("StopTransaction", obj("transactionId", tx16, "meterStop", 200,
        "timestamp", Instant.now().toString())));
    api.post("/chargepoints/CP16/remote-stop", obj("transactionId", tx16)).expect(409);
    assertEquals(before, cp16.receivedCalls("RemoteStopTransaction").size());

    // 2.x: RequestStopTransaction carries the charger's own transaction id string
    JsonObject event = obj("eventType", "Started", "timestamp", Instant.now().toString(), "triggerReason", "Authorized",
        "seqNo", 0, "transactionInfo", obj("transactionId", "TX-201-abc"), "evse", obj("id", 2, "connectorId", 1),
        "idToken", obj("idToken", "GOOD", "type", "ISO14443"));
    JsonArray reply = await(cp201.call("TransactionEvent", event));
    assertEquals(TestCharger.CALLRESULT, reply.getInteger(0), reply.encode());
    JsonObject stop2 = command(cp201, "CP201", "remote-stop", obj("connectorId", 2), "RequestStopTransaction",
        obj("transactionId", "TX-201-abc"));
    assertJson(status("Accepted"), stop2.getJsonObject("response"));
    JsonArray txs = api.get("/transactions?chargePointId=CP201").expect(200).array();
    long tx2 = txs.stream().map(JsonObject.class::cast).filter(t -> "TX-201-abc".equals(t.getString("uid")))
        .findFirst().orElseThrow(() -> new AssertionError("2.x transaction not listed: " + txs.encode()))
        .getLong("transactionId");
    command(cp201, "CP201", "remote-stop", obj("transactionId", tx2), "RequestStopTransaction",
        obj("transactionId", "TX-201-abc"));
  }

  @Test
  void availability() {
    command(cp16, "CP16", "availability", obj("connectorId", 1, "available", false), "ChangeAvailability",
        obj("connectorId", 1, "type", "Inoperative"));
    JsonObject r16 = command(cp16, "CP16", "availability", obj("available", true), "ChangeAvailability",
        obj("connectorId", 0, "type", "Operative"));
    assertJson(status("Scheduled"), r16.getJsonObject("response"));
    command(cp201, "CP201", "availability", obj("connectorId", 1, "available", false), "ChangeAvailability",
        obj("operationalStatus", "Inoperative", "evse", obj("id", 1)));
    JsonObject r2 = command(cp201, "CP201", "availability", obj("available", true), "ChangeAvailability",
        obj("operationalStatus", "Operative"));
    assertJson(status("Accepted"), r2.getJsonObject("response"));
    api.post("/chargepoints/CP16/availability", obj("connectorId", 1)).expect(400);
  }

  @Test
  void getConfiguration() {
    JsonObject r16 = command(cp16, "CP16", "get-configuration", obj("keys", new JsonArray().add("HeartbeatInterval")
        .add("Bogus")), "GetConfiguration", obj("key", new JsonArray().add("HeartbeatInterval").add("Bogus")));
    assertJson(obj("configurationKey", new JsonArray().add(obj("key", "HeartbeatInterval", "readonly", false,
        "value", "300")), "unknownKey", new JsonArray().add("Bogus")), r16.getJsonObject("response"));
    command(cp16, "CP16", "get-configuration", obj(), "GetConfiguration", obj());

    JsonObject r2 = command(cp201, "CP201", "get-configuration", obj("variables", new JsonArray()
            .add(obj("component", "OCPPCommCtrlr", "variable", "HeartbeatInterval"))
            .add(obj("component", "EVSE", "evseId", 1, "connectorId", 1, "componentInstance", "left",
                "variable", "Power", "variableInstance", "max", "attributeType", "MaxSet"))),
        "GetVariables", obj("getVariableData", new JsonArray()
            .add(obj("component", obj("name", "OCPPCommCtrlr"), "variable", obj("name", "HeartbeatInterval")))
            .add(obj("component", obj("name", "EVSE", "instance", "left", "evse", obj("id", 1, "connectorId", 1)),
                "variable", obj("name", "Power", "instance", "max"), "attributeType", "MaxSet"))));
    assertEquals("300", r2.getJsonObject("response").getJsonArray("getVariableResult").getJsonObject(0)
        .getString("attributeValue"));

    // 2.x without variables: a base report
    JsonObject report = command(cp201, "CP201", "get-configuration", obj(), "GetBaseReport", null);
    assertEquals("ConfigurationInventory", report.getJsonObject("request").getString("reportBase"));
    assertTrue(report.getJsonObject("request").getInteger("requestId") > 0);
    assertEquals(Map.of("requestId", 0, "reportBase", 0).keySet(), report.getJsonObject("request").fieldNames());
    JsonObject full = command(cp21, "CP21", "get-configuration", obj("reportBase", "FullInventory"), "GetBaseReport",
        null);
    assertEquals("FullInventory", full.getJsonObject("request").getString("reportBase"));

    // keys in the 2.x "Component/Variable" form are read with GetVariables, not ignored
    command(cp201, "CP201", "get-configuration", obj("keys", new JsonArray().add("OCPPCommCtrlr/HeartbeatInterval")),
        "GetVariables", obj("getVariableData", new JsonArray().add(obj("component", obj("name", "OCPPCommCtrlr"),
            "variable", obj("name", "HeartbeatInterval")))));
    // a list for the other version is refused instead of silently reading everything
    int reports = cp201.receivedCalls("GetBaseReport").size();
    int reads = cp201.receivedCalls("GetVariables").size();
    Resp plainKey = api.post("/chargepoints/CP201/get-configuration", obj("keys", new JsonArray()
        .add("HeartbeatInterval"))).expect(400);
    assertTrue(plainKey.json().getString("error").contains("Component/Variable"), plainKey.body());
    assertEquals(reports, cp201.receivedCalls("GetBaseReport").size());
    assertEquals(reads, cp201.receivedCalls("GetVariables").size());
    int reads16 = cp16.receivedCalls("GetConfiguration").size();
    api.post("/chargepoints/CP16/get-configuration", obj("variables", new JsonArray()
        .add(obj("component", "OCPPCommCtrlr", "variable", "HeartbeatInterval")))).expect(400);
    assertEquals(reads16, cp16.receivedCalls("GetConfiguration").size());
  }

  @Test
  void changeConfiguration() {
    JsonObject r16 = command(cp16, "CP16", "change-configuration", obj("key", "HeartbeatInterval", "value", "60"),
        "ChangeConfiguration", obj("key", "HeartbeatInterval", "value", "60"));
    assertJson(status("RebootRequired"), r16.getJsonObject("response"));

    JsonObject r2 = command(cp201, "CP201", "change-configuration",
        obj("key", "OCPPCommCtrlr/HeartbeatInterval", "value", "60"), "SetVariables",
        obj("setVariableData", new JsonArray().add(obj("component", obj("name", "OCPPCommCtrlr"),
            "variable", obj("name", "HeartbeatInterval"), "attributeValue", "60"))));
    assertEquals("RebootRequired", r2.getJsonObject("response").getJsonArray("setVariableResult").getJsonObject(0)
        .getString("attributeStatus"));
    command(cp201, "CP201", "change-configuration", obj("variables", new JsonArray()
            .add(obj("component", "SampledDataCtrlr", "variable", "TxUpdatedInterval", "value", "30"))
            .add(obj("component", "EVSE", "evseId", 2, "variable", "Enabled", "attributeType", "Target",
                "value", "false"))),
        "SetVariables", obj("setVariableData", new JsonArray()
            .add(obj("component", obj("name", "SampledDataCtrlr"), "variable", obj("name", "TxUpdatedInterval"),
                "attributeValue", "30"))
            .add(obj("component", obj("name", "EVSE", "evse", obj("id", 2)), "variable", obj("name", "Enabled"),
                "attributeType", "Target", "attributeValue", "false"))));

    int before = cp201.receivedCalls("SetVariables").size();
    Resp noSlash = api.post("/chargepoints/CP201/change-configuration", obj("key", "HeartbeatInterval", "value", "1"))
        .expect(400);
    assertTrue(noSlash.json().getString("error").contains("Component/Variable"), noSlash.body());
    assertEquals(before, cp201.receivedCalls("SetVariables").size());
    int before16 = cp16.receivedCalls("ChangeConfiguration").size();
    Resp variables16 = api.post("/chargepoints/CP16/change-configuration", obj("variables", new JsonArray()
        .add(obj("component", "A", "variable", "B", "value", "1")))).expect(400);
    assertTrue(variables16.json().getString("error").contains("1.6"), variables16.body());
    api.post("/chargepoints/CP201/change-configuration", obj("key", "/HeartbeatInterval", "value", "1")).expect(400);
    api.post("/chargepoints/CP16/change-configuration", obj("key", "HeartbeatInterval")).expect(400);
    assertEquals(before16, cp16.receivedCalls("ChangeConfiguration").size());
  }

  @Test
  void triggerClearCacheDataTransfer() {
    command(cp16, "CP16", "trigger", obj("message", "StatusNotification", "connectorId", 1), "TriggerMessage",
        obj("requestedMessage", "StatusNotification", "connectorId", 1));
    command(cp16, "CP16", "trigger", obj("message", "Heartbeat"), "TriggerMessage",
        obj("requestedMessage", "Heartbeat"));
    command(cp201, "CP201", "trigger", obj("message", "StatusNotification", "connectorId", 1), "TriggerMessage",
        obj("requestedMessage", "StatusNotification", "evse", obj("id", 1)));
    // a message name the version does not know is refused by the official schema: 400, nothing sent
    int before = cp16.receivedCalls("TriggerMessage").size();
    api.post("/chargepoints/CP16/trigger", obj("message", "NotifyReport")).expect(400);
    assertEquals(before, cp16.receivedCalls("TriggerMessage").size());

    assertJson(status("Accepted"), command(cp16, "CP16", "clear-cache", null, "ClearCache", obj())
        .getJsonObject("response"));
    command(cp201, "CP201", "clear-cache", null, "ClearCache", obj());

    JsonObject dt16 = command(cp16, "CP16", "data-transfer", obj("vendorId", "com.example", "messageId", "ping",
        "data", "hello"), "DataTransfer", obj("vendorId", "com.example", "messageId", "ping", "data", "hello"));
    assertJson(status("Accepted").put("data", "pong:hello"), dt16.getJsonObject("response"));
    command(cp201, "CP201", "data-transfer", obj("vendorId", "com.example"), "DataTransfer",
        obj("vendorId", "com.example"));
  }

  @Test
  void chargingLimit() {
    // the server validates each payload against the official schema before sending: a mapping bug is a 400
    JsonObject r16 = command(cp16, "CP16", "charging-limit", obj("connectorId", 1, "limit", 16, "unit", "A"),
        "SetChargingProfile", obj("connectorId", 1, "csChargingProfiles", obj("chargingProfileId", 100,
            "stackLevel", 1, "chargingProfilePurpose", "TxDefaultProfile", "chargingProfileKind", "Relative",
            "chargingSchedule", obj("chargingRateUnit", "A", "chargingSchedulePeriod",
                new JsonArray().add(obj("startPeriod", 0, "limit", 16))))));
    assertJson(status("Accepted"), r16.getJsonObject("response"));
    command(cp16, "CP16", "charging-limit", obj("limit", 11000.5, "unit", "W"), "SetChargingProfile",
        obj("connectorId", 0, "csChargingProfiles", obj("chargingProfileId", 100, "stackLevel", 1,
            "chargingProfilePurpose", "TxDefaultProfile", "chargingProfileKind", "Relative",
            "chargingSchedule", obj("chargingRateUnit", "W", "chargingSchedulePeriod",
                new JsonArray().add(obj("startPeriod", 0, "limit", 11000.5))))));
    JsonObject expected2x = obj("evseId", 2, "chargingProfile", obj("id", 100, "stackLevel", 1,
        "chargingProfilePurpose", "TxDefaultProfile", "chargingProfileKind", "Relative",
        "chargingSchedule", new JsonArray().add(obj("id", 100, "chargingRateUnit", "W", "chargingSchedulePeriod",
            new JsonArray().add(obj("startPeriod", 0, "limit", 7400))))));
    command(cp201, "CP201", "charging-limit", obj("connectorId", 2, "limit", 7400, "unit", "W"), "SetChargingProfile",
        expected2x);
    command(cp21, "CP21", "charging-limit", obj("connectorId", 2, "limit", 7400, "unit", "W"), "SetChargingProfile",
        expected2x);
    api.post("/chargepoints/CP16/charging-limit", obj("limit", 16, "unit", "kW")).expect(400);
    api.post("/chargepoints/CP16/charging-limit", obj("limit", -1, "unit", "A")).expect(400);

    // DELETE removes it again
    int before = cp16.receivedCalls("ClearChargingProfile").size();
    Resp clear16 = api.delete("/chargepoints/CP16/charging-limit?connectorId=1").expect(200);
    assertJson(obj("id", 100, "connectorId", 1, "chargingProfilePurpose", "TxDefaultProfile", "stackLevel", 1),
        lastSent(cp16, "ClearChargingProfile", before));
    assertJson(status("Unknown"), clear16.json().getJsonObject("response"));
    assertEquals("ClearChargingProfile", clear16.json().getString("action"));
    int before2 = cp201.receivedCalls("ClearChargingProfile").size();
    api.delete("/chargepoints/CP201/charging-limit").expect(200);
    assertJson(obj("chargingProfileId", 100), lastSent(cp201, "ClearChargingProfile", before2));
    api.delete("/chargepoints/CP16/charging-limit?connectorId=x").expect(400);
  }

  @Test
  void compositeSchedule() {
    int before = cp16.receivedCalls("GetCompositeSchedule").size();
    Resp r16 = api.get("/chargepoints/CP16/composite-schedule?connectorId=1&duration=3600&unit=W").expect(200);
    assertJson(obj("connectorId", 1, "duration", 3600, "chargingRateUnit", "W"),
        lastSent(cp16, "GetCompositeSchedule", before));
    assertEquals("GetCompositeSchedule", r16.json().getString("action"));
    assertEquals(11000.0, r16.json().getJsonObject("response").getJsonObject("chargingSchedule")
        .getJsonArray("chargingSchedulePeriod").getJsonObject(0).getDouble("limit"));

    int before2 = cp201.receivedCalls("GetCompositeSchedule").size();
    Resp r2 = api.get("/chargepoints/CP201/composite-schedule").expect(200);
    assertJson(obj("evseId", 0, "duration", 86400), lastSent(cp201, "GetCompositeSchedule", before2));
    assertJson(status("Rejected"), r2.json().getJsonObject("response"));

    api.get("/chargepoints/CP16/composite-schedule?unit=kW").expect(400);
    api.get("/chargepoints/CP16/composite-schedule?duration=0").expect(400);
    assertEquals(before + 1, cp16.receivedCalls("GetCompositeSchedule").size());
  }

  @Test
  void rawOcpp() {
    int before = cp16.receivedCalls("GetConfiguration").size();
    Resp r16 = api.post("/chargepoints/CP16/ocpp/GetConfiguration", obj("key", new JsonArray().add("HeartbeatInterval")))
        .expect(200);
    assertJson(obj("key", new JsonArray().add("HeartbeatInterval")), lastSent(cp16, "GetConfiguration", before));
    assertJson(obj("configurationKey", new JsonArray().add(obj("key", "HeartbeatInterval", "readonly", false,
        "value", "300"))), r16.json(), "the reply body is the charger's payload");

    JsonObject getVars = obj("getVariableData", new JsonArray().add(obj("component", obj("name", "OCPPCommCtrlr"),
        "variable", obj("name", "HeartbeatInterval"))));
    int before2 = cp201.receivedCalls("GetVariables").size();
    Resp r2 = api.post("/chargepoints/CP201/ocpp/GetVariables", getVars).expect(200);
    assertJson(getVars, lastSent(cp201, "GetVariables", before2));
    assertEquals("300", r2.json().getJsonArray("getVariableResult").getJsonObject(0).getString("attributeValue"));

    // invalid for the official schema of the charger's version: 400, nothing sent
    int resets16 = cp16.receivedCalls("Reset").size();
    int resets2 = cp201.receivedCalls("Reset").size();
    Resp bad = api.post("/chargepoints/CP16/ocpp/Reset", obj("type", "Bogus")).expect(400);
    assertTrue(bad.json().getString("error").contains("Reset"), bad.body());
    api.post("/chargepoints/CP16/ocpp/Reset", obj()).expect(400);
    api.post("/chargepoints/CP201/ocpp/Reset", obj("type", "Soft")).expect(400); // a 1.6 value on 2.0.1
    assertEquals(resets16, cp16.receivedCalls("Reset").size());
    assertEquals(resets2, cp201.receivedCalls("Reset").size());

    // unknown actions, actions of another version and charger-to-server actions: 400
    int all16 = cp16.receivedCalls().size();
    api.post("/chargepoints/CP16/ocpp/FooBar", obj()).expect(400);
    api.post("/chargepoints/CP16/ocpp/GetVariables", getVars).expect(400);
    api.post("/chargepoints/CP16/ocpp/BootNotification", obj("chargePointVendor", "v", "chargePointModel", "m"))
        .expect(400);
    assertEquals(all16, cp16.receivedCalls().size());
    api.post("/chargepoints/NOSUCHCP/ocpp/Reset", obj("type", "Soft")).expect(404);
  }

  // ------------------------------------------------------------------ failure paths

  @Test
  void callErrorIs502() {
    for (String cp : List.of("ERR16", "ERR201")) {
      Resp r = api.post("/chargepoints/" + cp + "/reset", obj("type", "soft")).expect(502);
      JsonObject body = r.json();
      assertEquals(cp.equals("ERR16") ? "InternalError" : "NotSupported", body.getString("errorCode"), r.body());
      assertEquals(cp.equals("ERR16") ? "boom: relay stuck" : "no reset on this model",
          body.getString("errorDescription"), r.body());
      assertNotNull(body.getString("error"));
    }
    api.post("/chargepoints/ERR16/ocpp/Reset", obj("type", "Hard")).expect(502);
  }

  @Test
  void silenceIs504AfterTheTimeout() throws Exception {
    // the 2.x one asynchronously, overlapping the synchronous 1.6 one
    String asyncId = api.post("/chargepoints/ERR201/clear-cache?timeout=1&async=true", null).expect(202).json()
        .getString("commandId");
    long t0 = System.nanoTime();
    Resp r = api.post("/chargepoints/ERR16/clear-cache?timeout=1", null).expect(504);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms >= 900 && ms < 3000, "504 after about 1 s, took " + ms + " ms");
    assertNotNull(r.json().getString("error"));
    assertFalse(err16.receivedCalls("ClearCache").isEmpty(), "the call was sent");
    JsonObject timedOut = awaitCommand(asyncId);
    assertEquals("failed", timedOut.getString("state"), timedOut.encode());
    assertEquals(504, timedOut.getInteger("httpStatus"));
    // the session serves the next call after the timeout
    api.post("/chargepoints/ERR16/trigger?timeout=5", obj("message", "Heartbeat")).expect(200);
    api.post("/chargepoints/CP16/clear-cache?timeout=0", null).expect(400);
    api.post("/chargepoints/CP16/clear-cache?timeout=301", null).expect(400);
  }

  @Test
  void offlineIs409AtOnceAndUnknownIs404() {
    long t0 = System.nanoTime();
    Resp r = api.post("/chargepoints/OFFLINE/reset", obj("type", "soft")).expect(409);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < 1000, "409 at once, took " + ms + " ms");
    assertTrue(r.json().getString("error").contains("not connected"), r.body());
    api.post("/chargepoints/OFFLINE/remote-start", obj("idTag", "GOOD")).expect(409);
    api.get("/chargepoints/OFFLINE/composite-schedule").expect(409);
    api.delete("/chargepoints/OFFLINE/charging-limit").expect(409);

    api.post("/chargepoints/NOSUCHCP/reset", obj("type", "soft")).expect(404);
    api.post("/chargepoints/NOSUCHCP/remote-start", obj("idTag", "GOOD")).expect(404);
    api.get("/chargepoints/NOSUCHCP/composite-schedule").expect(404);
    api.post("/chargepoints/bad!id/reset", obj("type", "soft")).expect(400);
  }

  @Test
  void asyncCommands() throws Exception {
    Resp accepted = api.post("/chargepoints/CP16/reset?async=true", obj("type", "soft")).expect(202);
    String id = accepted.json().getString("commandId");
    assertNotNull(id, accepted.body());
    assertEquals("pending", accepted.json().getString("state"));
    JsonObject done = awaitCommand(id);
    assertEquals("done", done.getString("state"), done.encode());
    assertEquals(200, done.getInteger("httpStatus"));
    assertJson(obj("action", "Reset", "request", obj("type", "Soft"), "response", status("Accepted")),
        done.getJsonObject("result"));

    String failedId = api.post("/chargepoints/ERR16/reset?async=true", obj("type", "soft")).expect(202).json()
        .getString("commandId");
    JsonObject failed = awaitCommand(failedId);
    assertEquals("failed", failed.getString("state"), failed.encode());
    assertEquals(502, failed.getInteger("httpStatus"));
    assertEquals("InternalError", failed.getJsonObject("result").getString("errorCode"));

    // remote start: the remoteStartId is in the stored result; a refused tag fails with 409
    JsonObject started = awaitCommand(api.post("/chargepoints/CP201/remote-start?async=true", obj("idTag", "GOOD"))
        .expect(202).json().getString("commandId"));
    assertEquals("done", started.getString("state"));
    assertEquals(started.getJsonObject("result").getInteger("remoteStartId"),
        started.getJsonObject("result").getJsonObject("request").getInteger("remoteStartId"));
    JsonObject refused = awaitCommand(api.post("/chargepoints/CP201/remote-start?async=true", obj("idTag", "NOPE"))
        .expect(202).json().getString("commandId"));
    assertEquals("failed", refused.getString("state"));
    assertEquals(409, refused.getInteger("httpStatus"));

    JsonObject raw = awaitCommand(api.post("/chargepoints/CP16/ocpp/ClearCache?async=true", obj()).expect(202).json()
        .getString("commandId"));
    assertJson(status("Accepted"), raw.getJsonObject("result"), "the raw passthrough's result is the payload");

    api.get("/commands/no-such-command").expect(404);
  }

  private JsonObject awaitCommand(String id) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    JsonObject state;
    do {
      state = api.get("/commands/" + id).expect(200).json();
      if (!"pending".equals(state.getString("state"))) {
        return state;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("command " + id + " still pending: " + state.encode());
  }

  @Test
  void commandsAreAudited() throws Exception {
    api.post("/chargepoints/CP201/reset", obj("type", "hard")).expect(200);
    List<Map<String, Object>> rows = server.queryEventually(1, "SELECT * FROM MessageLog WHERE ChargePointId = ? "
        + "AND Message = 'Command:Reset' AND Result LIKE ?", "CP201", "%by api-key:" + KEY_NAME + "%Immediate%");
    assertFalse(rows.isEmpty(), "audit row of the Reset");
    assertTrue(String.valueOf(rows.get(0).get("Result")).contains("Rejected"), "the answer is audited too: " + rows);

    api.post("/chargepoints/ERR16/reset", obj("type", "hard")).expect(502);
    List<Map<String, Object>> failed = server.queryEventually(1, "SELECT * FROM MessageLog WHERE ChargePointId = ? "
        + "AND Message = 'Command:Reset' AND Result LIKE ? AND ErrorCode = '502'", "ERR16", "%by api-key:" + KEY_NAME + "%");
    assertFalse(failed.isEmpty(), "audit row of the failed Reset");
  }
}
