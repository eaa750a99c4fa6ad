package org.ocppcore.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.TestServer.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.ocppcore.TestServer;
import org.ocppcore.testsupport.TestCharger;

/**
 * OCPP-J 2.x error handling on a real connection: each bad frame gets the 2.x CALLERROR (2.x
 * spellings), the same connection keeps working; 2.1 ignores what it must ignore and never answers
 * a SEND; a station that is not Accepted may only boot.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Ocpp2RobustnessTest {
  private TestServer server;
  private TestCharger cp201;
  private TestCharger cp21;

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start();
    server.chargePoint("B201").chargePoint("B21").chargePoint("P201", null, null, "Pending");
    cp201 = await(TestCharger.connect(server.vertx(), server.wsUrl("B201"),
        new TestCharger.Options().subprotocols("ocpp2.0.1")));
    cp21 = await(TestCharger.connect(server.vertx(), server.wsUrl("B21"),
        new TestCharger.Options().subprotocols("ocpp2.1")));
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  private static void stillWorks(TestCharger cp) throws Exception {
    JsonArray reply = await(cp.call("Heartbeat", new JsonObject()));
    assertEquals(3, reply.getInteger(0), "the connection keeps working: " + reply.encode());
    assertTrue(Instant.parse(reply.getJsonObject(2).getString("currentTime")).isAfter(Instant.now().minusSeconds(60)));
    assertFalse(cp.isClosed());
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @CsvSource(delimiter = '|', value = {
      "invalid JSON            | -1 | RpcFrameworkError             | [2,\"a1\",\"Heartbeat\",{",
      "unknown message type    | a2 | MessageTypeNotSupported       | [7,\"a2\",\"Heartbeat\",{}]",
      "SEND on 2.0.1           | a3 | MessageTypeNotSupported       | [6,\"a3\",\"Heartbeat\",{}]",
      "unknown action          | a4 | NotImplemented                | [2,\"a4\",\"MakeCoffee\",{}]",
      "missing field           | a5 | OccurrenceConstraintViolation | [2,\"a5\",\"Authorize\",{}]",
      "wrong type              | a6 | TypeConstraintViolation       | [2,\"a6\",\"StatusNotification\",{\"timestamp\":\"2025-01-01T00:00:00Z\",\"connectorStatus\":\"Available\",\"evseId\":\"one\",\"connectorId\":1}]",
      "bad enum                | a7 | PropertyConstraintViolation   | [2,\"a7\",\"StatusNotification\",{\"timestamp\":\"2025-01-01T00:00:00Z\",\"connectorStatus\":\"Sleeping\",\"evseId\":1,\"connectorId\":1}]",
      "extra field             | a8 | FormatViolation               | [2,\"a8\",\"Heartbeat\",{\"extra\":true}]",
      "payload not an object   | a9 | FormatViolation               | [2,\"a9\",\"Heartbeat\",[]]",
      "2.x value is a number   | b1 | TypeConstraintViolation       | [2,\"b1\",\"MeterValues\",{\"evseId\":1,\"meterValue\":[{\"timestamp\":\"2025-01-01T00:00:00Z\",\"sampledValue\":[{\"value\":\"12\"}]}]}]",
      "empty array (minItems)  | b2 | OccurrenceConstraintViolation | [2,\"b2\",\"MeterValues\",{\"evseId\":1,\"meterValue\":[]}]",
  })
  void badFramesOn201GetThe2xCallError(String what, String id, String code, String frame) throws Exception {
    JsonArray reply = await(cp201.sendRaw(frame, id));
    assertEquals(4, reply.getInteger(0), what + ": " + reply.encode());
    assertEquals(id, reply.getString(1), what);
    assertEquals(code, reply.getString(2), what + ": " + reply.encode());
    assertTrue(reply.getString(3).length() <= 255);
    assertEquals(new JsonObject(), reply.getJsonObject(4));
    stillWorks(cp201);
    cp201.assertNoProtocolViolations();
  }

  @Test
  void on21WhatMustBeIgnoredGetsNoReply() throws Exception {
    int before = cp21.receivedFrames().size();
    // a CALLRESULTERROR (for a CALLRESULT we never sent), an unknown message type, a SEND of a CALL action
    await(cp21.sendRawNoReply("[5,\"x1\",\"FormatViolation\",\"could not process\",{}]"));
    await(cp21.sendRawNoReply("[9,\"x2\",\"Heartbeat\",{}]"));
    await(cp21.sendRawNoReply("[6,\"x3\",\"Heartbeat\",{}]"));
    // a SEND that fails validation is not answered either
    await(cp21.sendRawNoReply("[6,\"x4\",\"NotifyPeriodicEventStream\",{\"id\":1}]"));
    Thread.sleep(500);
    List<String> frames = cp21.receivedFrames();
    assertEquals(before, frames.size(), "nothing is answered: " + frames.subList(before, frames.size()));
    stillWorks(cp21);
    // and 2.1 still answers a bad CALL with the 2.x spelling
    JsonArray reply = await(cp21.sendRaw("[2,\"x5\",\"Authorize\",{}]", "x5"));
    assertEquals("OccurrenceConstraintViolation", reply.getString(2));
    assertTrue(server.queryEventually(1, "SELECT * FROM MessageLog WHERE ChargePointId = 'B21' "
        + "AND Message = 'CallResultError'").size() > 0, "a CALLRESULTERROR is recorded for the operator");
    cp21.assertNoProtocolViolations();
  }

  @Test
  void pendingStationMayOnlyBoot() throws Exception {
    TestCharger cp = await(TestCharger.connect(server.vertx(), server.wsUrl("P201"),
        new TestCharger.Options().subprotocols("ocpp2.0.1")));
    JsonArray boot = await(cp.call("BootNotification", new JsonObject().put("reason", "PowerUp")
        .put("chargingStation", new JsonObject().put("vendorName", "ACME").put("model", "M"))));
    assertEquals(3, boot.getInteger(0), boot.encode());
    assertEquals("Pending", boot.getJsonObject(2).getString("status"));
    assertEquals(60, boot.getJsonObject(2).getInteger("interval"));
    assertEquals("ACME", server.query("SELECT Vendor FROM ChargePointBoot WHERE ChargePointId = 'P201'").get(0)
        .get("Vendor"), "the boot data is stored even while pending");
    JsonArray hb = await(cp.call("Heartbeat", new JsonObject()));
    assertEquals(4, hb.getInteger(0), hb.encode());
    assertEquals("SecurityError", hb.getString(2));
    JsonArray status = await(cp.call("StatusNotification", new JsonObject().put("timestamp", Instant.now().toString())
        .put("connectorStatus", "Available").put("evseId", 1).put("connectorId", 1)));
    assertEquals("SecurityError", status.getString(2));
    assertEquals(0, server.query("SELECT * FROM EvseConnectorStatus WHERE ChargePointId = 'P201'").size());
    cp.assertNoProtocolViolations();
    await(cp.close());
  }
}
