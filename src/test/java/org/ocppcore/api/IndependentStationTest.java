package org.ocppcore.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.api.ApiClient.obj;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ocppcore.TestServer;
import org.ocppcore.ocpp.OcppVersion;
import org.ocppcore.testsupport.NodeOcppClient;
import org.ocppcore.testsupport.SchemaExamples;
import org.ocppcore.testsupport.TestCerts;
import org.ocppcore.v16.V16Handler;
import org.ocppcore.v2.V2Handler;

/**
 * A whole session, and every command of the REST API, driven against a charging station nobody on
 * the team wrote: npm ocpp-rpc in strict mode, whose ajv validates every frame the server sends
 * (answers and its own CALLs) against ocpp-rpc's copy of the schemas of 1.6, 2.0.1 and 2.1. So the
 * mistakes of our own test charger and of our own validator cannot hide the server's.
 */
class IndependentStationTest {

  private static final String PASSWORD = "interop-secret-0123";

  /** One API command and the CALL it must become on the wire. */
  private record Command(String method, String path, JsonObject body, String action) {}

  @ParameterizedTest
  @ValueSource(strings = {"ocpp1.6", "ocpp2.0.1", "ocpp2.1"})
  void aStrictStationRunsASessionAndAnswersEveryCommand(String protocol) throws Exception {
    String id = "INTEROP-" + protocol.replace("ocpp", "").replace(".", "");
    try (TestServer server = TestServer.start()) {
      server.chargePoint(id, PASSWORD, null, "Accepted").tag("TAG-X", "G", null, false);
      ApiClient api = new ApiClient(server, server.apiKey("interop", "admin"));
      try (NodeOcppClient.Station station = NodeOcppClient.start(server.wsBase(), id,
          "TAG-X", PASSWORD, Map.of("OCPP_PROTOCOL", protocol))) {
        JsonObject ready = station.awaitReady();
        assertNotNull(ready.getValue("transactionId"), ready.encode());

        boolean v16 = protocol.equals("ocpp1.6");
        List<Command> commands = commands(id, v16);
        for (Command c : commands) {
          ApiClient.Resp r = "DELETE".equals(c.method()) ? api.delete(c.path())
              : "GET".equals(c.method()) ? api.get(c.path()) : api.post(c.path(), c.body());
          r.expect(200);
          if (c.path().contains("/ocpp/")) {
            assertEquals(0, r.json().getInteger(v16 ? "listVersion" : "versionNumber"), "a raw call shows the answer");
          } else {
            assertEquals(c.action(), r.json().getString("action"), c.path());
            assertNotNull(r.json().getJsonObject("response"), c.path() + ": the station's answer is shown");
          }
        }

        NodeOcppClient.Result result = station.finish().assertOk();
        List<String> expected = commands.stream().map(Command::action).toList();
        List<String> received = new ArrayList<>();
        for (Object call : result.serverCalls()) {
          received.add(((JsonObject) call).getString("method"));
        }
        assertEquals(expected, received, "every command reached the station once, in order, and passed ajv");
        assertEquals("Accepted", result.results().getJsonObject("boot").getString("status"));
      }
      api.close();

      List<Map<String, Object>> tx = server.query("SELECT * FROM Transactions WHERE ChargePointId = ?", id);
      assertEquals(1, tx.size(), tx.toString());
      assertEquals("TAG-X", tx.get(0).get("StartTagId"));
      assertNotNull(tx.get(0).get("StopTime"), "the station's end of the transaction closed it");
      assertEquals("Remote", tx.get(0).get("StopReason"), "the API's remote stop is the recorded reason");
      assertTrue(server.queryEventually(3, "SELECT * FROM MeterSample WHERE TransactionId = ?",
          tx.get(0).get("TransactionId")).size() >= 3, "the station's meter values are stored");
      assertEquals(protocol, server.query("SELECT Protocol FROM ChargePointBoot WHERE ChargePointId = ?", id)
          .get(0).get("Protocol"));
      if (!protocol.equals("ocpp1.6")) {
        assertEquals("300", server.queryEventually(1, "SELECT Value FROM DeviceVariable WHERE ChargePointId = ?"
            + " AND Component = 'OCPPCommCtrlr' AND Variable = 'HeartbeatInterval'", id).get(0).get("Value"),
            "the NotifyReport that followed GetBaseReport fills the device model");
      }
    }
  }

  /** Every command route of the API once, with the CALL it becomes. */
  private static List<Command> commands(String id, boolean v16) {
    List<Command> relative = List.of(
        new Command("POST", "reset", obj("type", "soft"), "Reset"),
        new Command("POST", "unlock", obj("connectorId", 1), "UnlockConnector"),
        new Command("POST", "availability", obj("connectorId", 1, "available", false), "ChangeAvailability"),
        new Command("POST", "availability", obj("available", true), "ChangeAvailability"),
        new Command("POST", "get-configuration", v16 ? obj("keys", new JsonArray().add("HeartbeatInterval"))
            : obj("variables", new JsonArray().add(obj("component", "OCPPCommCtrlr", "variable", "HeartbeatInterval"))),
            v16 ? "GetConfiguration" : "GetVariables"),
        new Command("POST", "get-configuration", obj(), v16 ? "GetConfiguration" : "GetBaseReport"),
        new Command("POST", "change-configuration", obj("key", v16 ? "HeartbeatInterval"
            : "OCPPCommCtrlr/HeartbeatInterval", "value", "60"), v16 ? "ChangeConfiguration" : "SetVariables"),
        new Command("POST", "trigger", obj("message", "StatusNotification", "connectorId", 1), "TriggerMessage"),
        new Command("POST", "clear-cache", null, "ClearCache"),
        new Command("POST", "data-transfer", obj("vendorId", "com.example", "messageId", "ping", "data", "hello"),
            "DataTransfer"),
        new Command("POST", "charging-limit", obj("connectorId", 1, "limit", 16, "unit", "A"), "SetChargingProfile"),
        new Command("GET", "composite-schedule?connectorId=1&duration=3600&unit=W", null, "GetCompositeSchedule"),
        new Command("DELETE", "charging-limit?connectorId=1", null, "ClearChargingProfile"),
        new Command("POST", "ocpp/GetLocalListVersion", obj(), "GetLocalListVersion"),
        new Command("POST", "remote-start", obj("idTag", "TAG-X", "connectorId", 2),
            v16 ? "RemoteStartTransaction" : "RequestStartTransaction"),
        new Command("POST", "remote-stop", obj("connectorId", 1),
            v16 ? "RemoteStopTransaction" : "RequestStopTransaction"));
    return relative.stream().map(c -> new Command(c.method(), "/chargepoints/" + id + "/" + c.path(), c.body(),
        c.action())).toList();
  }

  /**
   * Every message a station of the version may send, as the smallest instance of its official
   * request schema, sent by the independent station: each must get a CALLRESULT that passes ajv's
   * check against the response schema (the SEND of 2.1 is never answered, so it is left out).
   */
  @ParameterizedTest
  @ValueSource(strings = {"ocpp1.6", "ocpp2.0.1", "ocpp2.1"})
  void everyStationMessageGetsAnAnswerAStrictStationAccepts(String protocol) throws Exception {
    OcppVersion version = OcppVersion.fromSubprotocol(protocol);
    Set<String> handled = new TreeSet<>(version == OcppVersion.V16 ? V16Handler.ACTIONS : V2Handler.ACTIONS_201);
    if (version == OcppVersion.V21) {
      handled.addAll(V2Handler.ACTIONS_21_ONLY);
    }
    handled.remove("NotifyPeriodicEventStream");
    assertTrue(handled.size() >= 14, handled.toString());
    String id = "EVERY-" + protocol.replace("ocpp", "").replace(".", "");
    try (TestServer server = TestServer.start()) {
      server.chargePoint(id, PASSWORD, null, "Accepted").tag("TAG-X", "G", null, false);
      try (NodeOcppClient.Station station = NodeOcppClient.start(server.wsBase(), id,
          "TAG-X", PASSWORD, Map.of("OCPP_PROTOCOL", protocol))) {
        station.awaitReady();
        List<String> refused = new ArrayList<>();
        for (String action : handled) {
          JsonObject reply = station.call(action, SchemaExamples.minimalRequest(version, action));
          if (!Boolean.TRUE.equals(reply.getBoolean("ok"))) {
            refused.add(reply.encode());
          }
        }
        assertEquals(List.of(), refused, "every answer is a CALLRESULT valid for ajv");
        station.finish().assertOk();
      }
    }
  }

  /**
   * Security profiles 2 (TLS, Basic auth) and 3 (mutual TLS, the certificate pinned) through
   * Node's OpenSSL instead of Java's TLS stack, as most chargers' firmware uses a non-Java one.
   */
  @Test
  void aStationConnectsOverTlsWithAPasswordOrItsPinnedCertificate() throws Exception {
    TestCerts certs = TestCerts.shared();
    TestCerts.Pem client = certs.client("INTEROP-MTLS");
    try (TestServer server = TestServer.start(new JsonObject().put("ocpp", new JsonObject().put("tls", new JsonObject()
        .put("enabled", true).put("certPath", certs.server().certPath()).put("keyPath", certs.server().keyPath())
        .put("clientAuth", "request"))))) {
      server.chargePoint("INTEROP-TLS", PASSWORD, null, "Accepted").tag("TAG-X", "G", null, false)
          .chargePoint("INTEROP-MTLS", null, client.sha256(), "Accepted");
      String wss = server.wssBase();
      Map<String, String> trustCa = Map.of("OCPP_PROTOCOL", "ocpp2.0.1", "OCPP_CA_CERT", certs.caCert().toString());

      NodeOcppClient.Result profile2 = NodeOcppClient.runSession(wss, "INTEROP-TLS", "TAG-X", PASSWORD, trustCa)
          .assertOk();
      assertEquals("Accepted", profile2.results().getJsonObject("boot").getString("status"));
      NodeOcppClient.Result wrong = NodeOcppClient.runSession(wss, "INTEROP-TLS", "TAG-X", "a-wrong-password-123",
          trustCa);
      assertEquals(401, wrong.json().getInteger("code"), wrong.toString());

      Map<String, String> withCert = new java.util.HashMap<>(trustCa);
      withCert.put("OCPP_CLIENT_CERT", client.certPath());
      withCert.put("OCPP_CLIENT_KEY", client.keyPath());
      NodeOcppClient.Result profile3 = NodeOcppClient.runSession(wss, "INTEROP-MTLS", "TAG-X", null, withCert)
          .assertOk();
      assertEquals("Accepted", profile3.results().getJsonObject("boot").getString("status"));
      NodeOcppClient.Result noCert = NodeOcppClient.runSession(wss, "INTEROP-MTLS", "TAG-X", null, trustCa);
      assertEquals(401, noCert.json().getInteger("code"), noCert.toString());
      assertEquals(2, server.query("SELECT * FROM Transactions WHERE StopTime IS NOT NULL").size(),
          "both stations ran their transaction to its end");
    }
  }

  @Test
  void aStationWithAWrongPasswordIsRefused() throws Exception {
    try (TestServer server = TestServer.start()) {
      server.chargePoint("INTEROP2", "the-right-password-1", null, "Accepted");
      NodeOcppClient.Result result = NodeOcppClient.runSession(server.wsBase(),
          "INTEROP2", "TAG-X", "a-wrong-password-123");
      assertEquals(1, result.exitCode(), result.toString());
      assertEquals(401, result.json().getInteger("code"), result.toString());
    }
  }
}
