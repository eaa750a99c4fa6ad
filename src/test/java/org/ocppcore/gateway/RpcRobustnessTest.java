package org.ocppcore.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.TestServer.await;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.ocppcore.TestServer;
import org.ocppcore.app.Addresses;
import org.ocppcore.app.StationCallFailure;
import org.ocppcore.testsupport.TestCharger;

/**
 * Bad frames get the CALLERROR the 1.6 spec prescribes, never a drop or a crash, and the same
 * connection (and every other) keeps working. Server-initiated calls over {@code ocpp.station.<id>}:
 * result, CALLERROR, timeout, offline, invalid request, one outstanding call at a time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RpcRobustnessTest {
  private TestServer server;
  private TestCharger cp;
  private TestCharger bystander;

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start(new JsonObject().put("log", new JsonObject().put("dbMessageLog", 2)));
    server.chargePoint("R1").chargePoint("R2").chargePoint("R3").chargePoint("R4");
    cp = await(TestCharger.connect(server.vertx(), server.wsUrl("R1")));
    bystander = await(TestCharger.connect(server.vertx(), server.wsUrl("R2")));
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  private void stillWorks() throws Exception {
    for (TestCharger c : List.of(cp, bystander)) {
      JsonArray reply = await(c.call("Heartbeat", new JsonObject()));
      assertEquals(3, reply.getInteger(0), "the connection keeps working: " + reply.encode());
    }
    assertFalse(cp.isClosed());
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @CsvSource(delimiter = '|', value = {
      "not JSON at all                | -1 | FormationViolation | this is not json",
      "truncated JSON                 | -1 | FormationViolation | [2,\"a1\",\"Heartbeat\",{",
      "a JSON object, not an array    | -1 | FormationViolation | {\"messageTypeId\":2}",
      "numeric message id             | -1 | FormationViolation | [2,17,\"Heartbeat\",{}]",
      "message id longer than 36      | -1 | FormationViolation | [2,\"0123456789012345678901234567890123456789\",\"Heartbeat\",{}]",
      "unknown message type           | a2 | NotImplemented     | [9,\"a2\",\"Heartbeat\",{}]",
      "message type as a string       | a3 | FormationViolation | [\"2\",\"a3\",\"Heartbeat\",{}]",
      "CALL without payload           | a4 | FormationViolation | [2,\"a4\",\"Heartbeat\"]",
      "payload not an object          | a5 | FormationViolation | [2,\"a5\",\"Heartbeat\",[]]",
      "action not a string            | a6 | FormationViolation | [2,\"a6\",42,{}]",
      "unknown action                 | a7 | NotImplemented     | [2,\"a7\",\"MakeCoffee\",{}]",
      "server-only action             | a8 | NotSupported       | [2,\"a8\",\"Reset\",{\"type\":\"Hard\"}]",
      "missing required field         | a9 | OccurenceConstraintViolation | [2,\"a9\",\"Authorize\",{}]",
      "wrong type                     | b1 | TypeConstraintViolation      | [2,\"b1\",\"StatusNotification\",{\"connectorId\":\"one\",\"status\":\"Available\",\"errorCode\":\"NoError\"}]",
      "value not in the enum          | b2 | PropertyConstraintViolation  | [2,\"b2\",\"StatusNotification\",{\"connectorId\":1,\"status\":\"Sleeping\",\"errorCode\":\"NoError\"}]",
      "string too long                | b3 | PropertyConstraintViolation  | [2,\"b3\",\"Authorize\",{\"idTag\":\"123456789012345678901\"}]",
      "unknown field                  | b4 | FormationViolation           | [2,\"b4\",\"Heartbeat\",{\"extra\":true}]",
      "invalid date-time              | b5 | PropertyConstraintViolation  | [2,\"b5\",\"StartTransaction\",{\"connectorId\":1,\"idTag\":\"X\",\"meterStart\":0,\"timestamp\":\"yesterday\"}]",
  })
  void malformedFrameGetsTheRightCallError(String what, String id, String code, String frame) throws Exception {
    JsonArray reply = await(cp.sendRaw(frame, id));
    assertEquals(4, reply.getInteger(0), what + ": " + reply.encode());
    assertEquals(id, reply.getString(1));
    assertEquals(code, reply.getString(2), what + ": " + reply.encode());
    assertTrue(reply.getString(3).length() <= 255);
    assertInstanceOf(JsonObject.class, reply.getValue(4), "errorDetails is an object");
    stillWorks();
  }

  @Test
  void binaryFrameClosesOnlyThatConnection() throws Exception {
    TestCharger victim = await(TestCharger.connect(server.vertx(), server.wsUrl("R3")));
    await(victim.webSocket().writeBinaryMessage(io.vertx.core.buffer.Buffer.buffer("\u0002")));
    assertEquals(1003, await(victim.closed()));
    stillWorks();
  }

  @Test
  void badFramesAreInTheMessageLog() throws Exception {
    await(cp.sendRaw("[2,\"log1\",\"MakeCoffee\",{}]", "log1"));
    assertTrue(server.queryEventually(1, "SELECT * FROM MessageLog WHERE ChargePointId='R1' AND Message='MakeCoffee' "
        + "AND ErrorCode='NotImplemented'").size() > 0);
  }

  // ------------------------------------------------------------------ server-initiated calls

  private JsonObject stationCall(String id, String action, JsonObject payload, Integer timeoutSeconds) throws Exception {
    JsonObject body = new JsonObject().put("action", action).put("payload", payload);
    if (timeoutSeconds != null) {
      body.put("timeoutSeconds", timeoutSeconds);
    }
    return await(server.vertx().eventBus().<JsonObject>request(Addresses.station(id), body,
        new DeliveryOptions().setSendTimeout(20_000))).body();
  }

  private ReplyException stationCallFails(String id, String action, JsonObject payload, Integer timeoutSeconds) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> stationCall(id, action, payload, timeoutSeconds));
    return assertInstanceOf(ReplyException.class, e.getCause());
  }

  @Test
  void serverCallReturnsTheChargersResult() throws Exception {
    cp.onCall("Reset", p -> new JsonObject().put("status", "Accepted"));
    JsonObject reply = stationCall("R1", "Reset", new JsonObject().put("type", "Soft"), null);
    assertEquals("Accepted", reply.getString("status"));
    JsonArray call = cp.receivedCalls("Reset").get(0);
    assertEquals("Soft", call.getJsonObject(3).getString("type"));
  }

  @Test
  void chargersCallErrorIsParsedAndReturned() throws Exception {
    cp.onCall("UnlockConnector", p -> new TestCharger.Error("NotSupported", "no lock motor"));
    ReplyException e = stationCallFails("R1", "UnlockConnector", new JsonObject().put("connectorId", 1), null);
    assertEquals(StationCallFailure.CALL_ERROR, e.failureCode());
    JsonObject error = new JsonObject(e.getMessage());
    assertEquals("NotSupported", error.getString("errorCode"));
    assertEquals("no lock motor", error.getString("errorDescription"));
    stillWorks();
  }

  @Test
  void unansweredCallTimesOutAndFreesTheSlot() throws Exception {
    cp.onCall("ClearCache", p -> TestCharger.NO_REPLY);
    long t0 = System.nanoTime();
    ReplyException e = stationCallFails("R1", "ClearCache", new JsonObject(), 1);
    assertEquals(StationCallFailure.TIMEOUT, e.failureCode());
    assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
    cp.onCall("ClearCache", p -> new JsonObject().put("status", "Accepted"));
    assertEquals("Accepted", stationCall("R1", "ClearCache", new JsonObject(), 5).getString("status"),
        "the next call goes out after a timeout");
  }

  @Test
  void offlineChargerFailsAtOnce() {
    long t0 = System.nanoTime();
    ReplyException e = stationCallFails("NOT-CONNECTED", "Reset", new JsonObject().put("type", "Soft"), null);
    assertEquals(ReplyFailure.NO_HANDLERS, e.failureType());
    assertTrue(System.nanoTime() - t0 < 2_000_000_000L);
  }

  @Test
  void invalidRequestsAreRefusedBeforeSending() throws Exception {
    int before = cp.receivedCalls().size();
    assertEquals(StationCallFailure.BAD_REQUEST, stationCallFails("R1", "Reset", new JsonObject().put("type", "Warm"), null)
        .failureCode());
    assertEquals(StationCallFailure.BAD_REQUEST, stationCallFails("R1", "Teleport", new JsonObject(), null).failureCode());
    assertEquals(StationCallFailure.BAD_REQUEST, stationCallFails("R1", "Heartbeat", new JsonObject(), null).failureCode(),
        "Heartbeat is not a server-to-charger message");
    assertEquals(before, cp.receivedCalls().size(), "nothing invalid reached the charger");
  }

  @Test
  void oneOutstandingCallAtATime() throws Exception {
    TestCharger slow = await(TestCharger.connect(server.vertx(), server.wsUrl("R4")));
    AtomicInteger outstanding = new AtomicInteger();
    AtomicInteger maxOutstanding = new AtomicInteger();
    slow.onCall("GetConfiguration", p -> {
      maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
      return server.vertx().timer(100).map(t -> {
        outstanding.decrementAndGet();
        return (Object) new JsonObject().put("configurationKey", new JsonArray());
      });
    });
    var bus = server.vertx().eventBus();
    JsonObject body = new JsonObject().put("action", "GetConfiguration").put("payload", new JsonObject());
    var f1 = bus.request(Addresses.station("R4"), body);
    var f2 = bus.request(Addresses.station("R4"), body);
    var f3 = bus.request(Addresses.station("R4"), body);
    await(io.vertx.core.Future.all(f1, f2, f3));
    assertEquals(3, slow.receivedCalls("GetConfiguration").size());
    assertEquals(1, maxOutstanding.get(), "the server waits for each answer before the next CALL");
  }
}
