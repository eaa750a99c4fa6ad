package org.ocppcore.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.TestServer.await;

import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.ocppcore.TestServer;
import org.ocppcore.app.Addresses;
import org.ocppcore.domain.Times;
import org.ocppcore.store.TransactionStore;
import org.ocppcore.testsupport.TestCharger;

/**
 * OCPP 2.0.1 TransactionEvent against a real server, a real WebSocket client and the SQLite file:
 * transactions rebuilt from their events whatever their order, retries, gaps, offline events,
 * late authorization and the authorization verdicts. {@link TransactionEvent21Test} runs the same on 2.1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransactionEventTest {
  protected TestServer server;
  protected final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  /** The subprotocol the simulated stations speak. */
  protected String subprotocol() {
    return "ocpp2.0.1";
  }

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start(new JsonObject().put("log", new JsonObject().put("dbMessageLog", 2)));
    server.tag("TAG1", "GROUP-A", null, false)
        .tag("TAG2", "GROUP-A", null, false)
        .tag("TAGB", "GROUP-B", null, false)
        .tag("BLOCKED", null, null, true)
        .tag("EXPIRED", null, now.minus(1, ChronoUnit.DAYS), false);
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  // ------------------------------------------------------------------ helpers

  protected TestCharger connect(TestServer s, String id) throws Exception {
    s.chargePoint(id);
    return await(TestCharger.connect(s.vertx(), s.wsUrl(id), new TestCharger.Options().subprotocols(subprotocol())));
  }

  protected TestCharger connect(String id) throws Exception {
    return connect(server, id);
  }

  /** Sends a TransactionEvent, asserts a CALLRESULT (i.e. also a schema-valid answer) and returns its payload. */
  protected static JsonObject send(TestCharger cp, JsonObject event) throws Exception {
    JsonArray reply = await(cp.call("TransactionEvent", event));
    assertEquals(TestCharger.CALLRESULT, reply.getInteger(0), "TransactionEvent must get a CALLRESULT: " + reply.encode());
    return reply.getJsonObject(2);
  }

  protected String ts(int secondsAfterNow) {
    return now.plusSeconds(secondsAfterNow).toString();
  }

  protected String stored(int secondsAfterNow) {
    return Times.normalize(ts(secondsAfterNow));
  }

  protected JsonObject event(String type, int seqNo, String uid, String trigger, int at) {
    return new JsonObject().put("eventType", type).put("timestamp", ts(at)).put("triggerReason", trigger)
        .put("seqNo", seqNo).put("transactionInfo", new JsonObject().put("transactionId", uid));
  }

  protected static JsonObject token(String id) {
    return new JsonObject().put("idToken", id).put("type", "ISO14443");
  }

  protected static JsonObject evse(int id, int connector) {
    return new JsonObject().put("id", id).put("connectorId", connector);
  }

  protected static JsonObject sample(Object value, String measurand, String context) {
    JsonObject s = new JsonObject().put("value", value).put("measurand", measurand);
    if (context != null) {
      s.put("context", context);
    }
    return s;
  }

  protected JsonArray meter(int at, JsonObject... samples) {
    JsonArray values = new JsonArray();
    for (JsonObject s : samples) {
      values.add(s);
    }
    return new JsonArray().add(new JsonObject().put("timestamp", ts(at)).put("sampledValue", values));
  }

  protected JsonArray energy(int at, double wh, String context) {
    return meter(at, sample(wh, "Energy.Active.Import.Register", context)
        .put("unitOfMeasure", new JsonObject().put("unit", "Wh")));
  }

  /** How many TransactionEvent rows the charger has stored (a retry adds none). */
  protected int storedEvents(String cp) throws Exception {
    return server.query("SELECT * FROM TransactionEvent WHERE ChargePointId = ?", cp).size();
  }

  protected Map<String, Object> tx(String cp, String uid) throws Exception {
    List<Map<String, Object>> rows = server.query("SELECT * FROM Transactions WHERE ChargePointId = ? AND Uid = ?", cp, uid);
    assertEquals(1, rows.size(), "one transaction for " + cp + "/" + uid);
    return rows.get(0);
  }

  protected static String uid() {
    return UUID.randomUUID().toString();
  }

  private static double num(Object v) {
    return ((Number) v).doubleValue();
  }

  // ------------------------------------------------------------------ a whole session

  @Test
  void fullSessionIsRebuiltFromItsEvents() throws Exception {
    String cpId = "TE-FULL";
    TestCharger cp = connect(cpId);
    // the session a charger runs: boot, status, authorize, then the transaction's events
    JsonArray boot = await(cp.call("BootNotification", new JsonObject().put("reason", "PowerUp")
        .put("chargingStation", new JsonObject().put("model", "M-2x").put("vendorName", "V-2x"))));
    assertEquals("Accepted", boot.getJsonObject(2).getString("status"), boot.encode());
    assertEquals(3, await(cp.call("StatusNotification", new JsonObject().put("timestamp", Instant.now().toString())
        .put("connectorStatus", "Occupied").put("evseId", 1).put("connectorId", 1))).getInteger(0));
    JsonArray auth = await(cp.call("Authorize", new JsonObject().put("idToken", token("TAG1"))));
    assertEquals("Accepted", auth.getJsonObject(2).getJsonObject("idTokenInfo").getString("status"), auth.encode());
    assertEquals("V-2x", server.query("SELECT Vendor FROM ChargePointBoot WHERE ChargePointId = ?", cpId).get(0).get("Vendor"));
    assertEquals("Occupied", server.query("SELECT Status FROM EvseConnectorStatus WHERE ChargePointId = ?", cpId)
        .get(0).get("Status"));
    String uid = uid();
    List<JsonObject> published = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> consumer = server.vertx().eventBus().<JsonObject>consumer(Addresses.EVENT_TRANSACTION,
        m -> {
          if (uid.equals(m.body().getString("uid"))) {
            published.add(m.body());
          }
        });
    await(consumer.completion());
    try {
      JsonObject started = event("Started", 0, uid, "RemoteStart", 0).put("idToken", token("TAG1")).put("evse", evse(1, 1))
          .put("meterValue", energy(0, 1000, "Transaction.Begin"));
      started.getJsonObject("transactionInfo").put("chargingState", "Charging").put("remoteStartId", 42);
      JsonObject r0 = send(cp, started);
      assertEquals("Accepted", r0.getJsonObject("idTokenInfo").getString("status"));
      assertEquals("GROUP-A", r0.getJsonObject("idTokenInfo").getJsonObject("groupIdToken").getString("idToken"));

      JsonObject mult = new JsonObject().put("unit", "W").put("multiplier", 2);
      JsonObject updated = event("Updated", 1, uid, "MeterValuePeriodic", 600).put("meterValue", meter(600,
          sample(32, "Energy.Active.Import.Register", "Sample.Periodic")
              .put("unitOfMeasure", new JsonObject().put("unit", "Wh").put("multiplier", 2)),
          sample(37, "Power.Active.Import", "Sample.Periodic").put("phase", "L1").put("unitOfMeasure", mult),
          sample(37, "Power.Active.Import", "Sample.Periodic").put("phase", "L2").put("unitOfMeasure", mult),
          sample(37, "Power.Active.Import", "Sample.Periodic").put("phase", "L3").put("unitOfMeasure", mult),
          sample(230.1, "Voltage", null).put("phase", "L1-N"),
          sample(55, "SoC", null).put("unitOfMeasure", new JsonObject().put("unit", "Percent"))));
      updated.getJsonObject("transactionInfo").put("chargingState", "SuspendedEV");
      assertEquals(new JsonObject(), send(cp, updated));

      JsonObject ended = event("Ended", 2, uid, "EVCommunicationLost", 3600)
          .put("meterValue", energy(3600, 5500, "Transaction.End"));
      ended.getJsonObject("transactionInfo").put("stoppedReason", "EVDisconnected").put("timeSpentCharging", 3000);
      assertEquals(new JsonObject(), send(cp, ended));

      Map<String, Object> row = tx(cpId, uid);
      long id = ((Number) row.get("TransactionId")).longValue();
      assertEquals(1, row.get("ConnectorId"));
      assertEquals(1, row.get("EvseConnectorId"));
      assertEquals("TAG1", row.get("StartTagId"));
      assertEquals("ISO14443", row.get("IdTokenType"));
      assertEquals("Accepted", row.get("StartResult"));
      assertEquals(stored(0), row.get("StartTime"));
      assertEquals(stored(3600), row.get("StopTime"));
      assertEquals(1000.0, num(row.get("MeterStartWh")));
      assertEquals(1.0, num(row.get("MeterStart")));
      assertEquals(5500.0, num(row.get("MeterStopWh")));
      assertEquals(5.5, num(row.get("MeterStop")));
      assertEquals("EVDisconnected", row.get("StopReason"));
      assertNull(row.get("StopTagId"));
      assertEquals(42, row.get("RemoteStartId"));
      assertEquals("SuspendedEV", row.get("ChargingState"));
      assertEquals(3000, row.get("TimeSpentCharging"));
      assertEquals(0, row.get("FirstSeqNo"));
      assertEquals(2, row.get("LastSeqNo"));
      assertNull(row.get("SeqNoGaps"));
      assertEquals(0, row.get("OfflineEvents"));
      assertEquals(subprotocol(), row.get("Protocol"));

      List<Map<String, Object>> events = server.query(
          "SELECT SeqNo, EventType, TriggerReason, TransactionId, IdToken, Offline FROM TransactionEvent "
              + "WHERE ChargePointId = ? AND Uid = ? ORDER BY SeqNo", cpId, uid);
      assertEquals(List.of(0, 1, 2), events.stream().map(e -> e.get("SeqNo")).toList());
      assertEquals(List.of("Started", "Updated", "Ended"), events.stream().map(e -> e.get("EventType")).toList());
      assertEquals("EVCommunicationLost", events.get(2).get("TriggerReason"));
      assertEquals("TAG1", events.get(0).get("IdToken"));
      for (Map<String, Object> e : events) {
        assertEquals(id, ((Number) e.get("TransactionId")).longValue());
      }

      List<Map<String, Object>> samples = server.query("SELECT * FROM MeterSample WHERE TransactionId = ? "
          + "ORDER BY Timestamp, Measurand, Phase", id);
      assertEquals(8, samples.size(), samples.toString());
      Map<String, Object> energy = samples.stream().filter(s -> "Sample.Periodic".equals(s.get("Context"))
          && "Energy.Active.Import.Register".equals(s.get("Measurand"))).findFirst().orElseThrow();
      assertEquals(3200.0, num(energy.get("NumericValue")));
      assertEquals("Wh", energy.get("Unit"));
      assertEquals(1, energy.get("ConnectorId"));
      Map<String, Object> l2 = samples.stream().filter(s -> "L2".equals(s.get("Phase"))).findFirst().orElseThrow();
      assertEquals(3700.0, num(l2.get("NumericValue")));
      assertEquals("W", l2.get("Unit"));
      assertEquals("Outlet", l2.get("Location"));
      Map<String, Object> voltage = samples.stream().filter(s -> "Voltage".equals(s.get("Measurand"))).findFirst().orElseThrow();
      assertEquals("V", voltage.get("Unit"));
      assertEquals(230.1, num(voltage.get("NumericValue")), 1e-9);

      Map<String, Object> live = server.query("SELECT * FROM ConnectorStatus WHERE ChargePointId = ? AND ConnectorId = 1",
          cpId).get(0);
      assertEquals(5.5, num(live.get("LastMeter")));
      assertEquals(11.1, num(live.get("LastPowerKw")), 1e-9);
      assertEquals(55.0, num(live.get("LastSoc")));

      long deadline = System.currentTimeMillis() + 2000;
      while (published.size() < 3 && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(List.of("started", "updated", "ended"), published.stream().map(p -> p.getString("event")).toList());
      assertEquals(id, published.get(0).getLong("transactionId"));
      assertEquals(1, published.get(0).getInteger("evseId"));
      assertEquals(cpId, published.get(2).getString("chargePointId"));
      List<Map<String, Object>> log = server.queryEventually(3, "SELECT * FROM MessageLog WHERE ChargePointId = ? "
          + "AND Message = 'TransactionEvent' ORDER BY LogId", cpId);
      assertEquals(3, log.size());
      assertTrue(((String) log.get(0).get("Result")).startsWith("Started tx=" + uid + " seq=0"), log.toString());
      assertEquals(1, log.get(0).get("ConnectorId"));
      assertTrue(((String) log.get(2).get("Result")).contains("reason=EVDisconnected"), log.toString());
      cp.assertNoProtocolViolations();
    } finally {
      await(consumer.unregister());
      await(cp.close());
    }
  }

  // ------------------------------------------------------------------ order, retries, gaps, offline

  @Test
  void outOfOrderEventsMakeOneTransaction() throws Exception {
    String cpId = "TE-ORDER";
    TestCharger cp = connect(cpId);
    String uid = uid();
    JsonObject updated = event("Updated", 1, uid, "MeterValuePeriodic", 60).put("meterValue", energy(60, 2000, null));
    updated.getJsonObject("transactionInfo").put("chargingState", "Charging");
    send(cp, updated);
    Map<String, Object> early = tx(cpId, uid);
    assertEquals(stored(60), early.get("StartTime"));
    assertNull(early.get("StartTagId"));

    JsonObject started = event("Started", 0, uid, "Authorized", 0).put("idToken", token("TAG1")).put("evse", evse(2, 1))
        .put("meterValue", energy(0, 1000, "Transaction.Begin"));
    started.getJsonObject("transactionInfo").put("chargingState", "EVConnected");
    assertEquals("Accepted", send(cp, started).getJsonObject("idTokenInfo").getString("status"));
    JsonObject ended = event("Ended", 3, uid, "EVDeparted", 120).put("meterValue", energy(120, 3000, "Transaction.End"));
    ended.getJsonObject("transactionInfo").put("stoppedReason", "EVDisconnected");
    send(cp, ended);

    Map<String, Object> row = tx(cpId, uid);
    assertEquals(stored(0), row.get("StartTime"));
    assertEquals(stored(120), row.get("StopTime"));
    assertEquals(2, row.get("ConnectorId"));
    assertEquals("TAG1", row.get("StartTagId"));
    assertEquals(1000.0, num(row.get("MeterStartWh")));
    assertEquals(3000.0, num(row.get("MeterStopWh")));
    assertEquals("Charging", row.get("ChargingState"), "the latest state by seqNo, not by arrival");
    assertEquals(0, row.get("FirstSeqNo"));
    assertEquals(3, row.get("LastSeqNo"));
    assertEquals("2", row.get("SeqNoGaps"));
    assertEquals(1, server.query("SELECT * FROM Transactions WHERE ChargePointId = ?", cpId).size());
    // every sample carries the integer transaction id and, once known, the EVSE
    List<Map<String, Object>> samples = server.query("SELECT * FROM MeterSample WHERE TransactionId = ?",
        row.get("TransactionId"));
    assertEquals(3, samples.size());
    assertTrue(samples.stream().allMatch(s -> Integer.valueOf(2).equals(s.get("ConnectorId"))), samples.toString());
    await(cp.close());
  }

  @Test
  void endedBeforeStartedIsReopenedToItsRealStart() throws Exception {
    String cpId = "TE-LATE-START";
    TestCharger cp = connect(cpId);
    String uid = uid();
    JsonObject ended = event("Ended", 2, uid, "EVDeparted", 200).put("meterValue", energy(200, 7000, "Transaction.End"));
    ended.getJsonObject("transactionInfo").put("stoppedReason", "EVDisconnected");
    send(cp, ended);
    assertEquals(stored(200), tx(cpId, uid).get("StartTime"));
    JsonObject started = event("Started", 0, uid, "Authorized", 0).put("idToken", token("TAG1")).put("evse", evse(1, 1))
        .put("meterValue", energy(0, 2000, "Transaction.Begin"));
    started.getJsonObject("transactionInfo").put("chargingState", "Charging");
    assertEquals("Accepted", send(cp, started).getJsonObject("idTokenInfo").getString("status"));
    Map<String, Object> row = tx(cpId, uid);
    assertEquals(stored(0), row.get("StartTime"));
    assertEquals(stored(200), row.get("StopTime"));
    assertEquals("EVDisconnected", row.get("StopReason"));
    assertEquals(2000.0, num(row.get("MeterStartWh")));
    assertEquals(7000.0, num(row.get("MeterStopWh")));
    assertEquals("1", row.get("SeqNoGaps"));
    assertEquals("TAG1", row.get("StartTagId"));
    assertEquals(1, row.get("ConnectorId"));
    send(cp, event("Updated", 1, uid, "MeterValuePeriodic", 100).put("meterValue", energy(100, 4000, null)));
    row = tx(cpId, uid);
    assertNull(row.get("SeqNoGaps"));
    assertEquals(7000.0, num(row.get("MeterStopWh")), "the end reading stays the stop value");
    assertEquals(2000.0, num(row.get("MeterStartWh")));
    assertEquals(stored(200), row.get("StopTime"));
    await(cp.close());
  }

  @Test
  void aRetriedEventIsStoredOnceAndAnsweredTheSame() throws Exception {
    String cpId = "TE-RETRY";
    TestCharger cp = connect(cpId);
    String uid = uid();
    JsonObject started = event("Started", 0, uid, "Authorized", 0).put("idToken", token("TAG2")).put("evse", evse(1, 1))
        .put("meterValue", energy(0, 100, "Transaction.Begin"));
    JsonObject first = send(cp, started);
    JsonObject again = send(cp, started);
    assertEquals(first, again);
    assertEquals("Accepted", first.getJsonObject("idTokenInfo").getString("status"));
    JsonObject updated = event("Updated", 1, uid, "MeterValuePeriodic", 30).put("meterValue", energy(30, 200, null));
    assertEquals(send(cp, updated), send(cp, updated));
    send(cp, event("Updated", 2, uid, "MeterValuePeriodic", 60).put("meterValue", energy(60, 300, null)));
    send(cp, updated); // a retry that arrives after a later event: still stored once, the later reading kept

    assertEquals(3, storedEvents(cpId));
    Map<String, Object> row = tx(cpId, uid);
    assertEquals(3, server.query("SELECT * FROM MeterSample WHERE TransactionId = ?", row.get("TransactionId")).size());
    assertEquals(100.0, num(row.get("MeterStartWh")));
    assertEquals(300.0, num(row.get("MeterStopWh")));
    assertNull(row.get("SeqNoGaps"));
    assertEquals(2, row.get("LastSeqNo"));
    await(cp.close());
  }

  @Test
  void gapsInSeqNoAreRecordedAndClosedByLateEvents() throws Exception {
    String cpId = "TE-GAP";
    TestCharger cp = connect(cpId);
    String uid = uid();
    send(cp, event("Started", 0, uid, "CablePluggedIn", 0).put("evse", evse(1, 1)));
    send(cp, event("Updated", 1, uid, "ChargingStateChanged", 10));
    send(cp, event("Updated", 3, uid, "MeterValuePeriodic", 30));
    assertEquals("2", tx(cpId, uid).get("SeqNoGaps"));
    send(cp, event("Updated", 7, uid, "MeterValuePeriodic", 70));
    assertEquals("2,4-6", tx(cpId, uid).get("SeqNoGaps"));
    send(cp, event("Updated", 2, uid, "MeterValuePeriodic", 20));
    assertEquals("4-6", tx(cpId, uid).get("SeqNoGaps"));
    send(cp, event("Updated", 5, uid, "MeterValuePeriodic", 50));
    assertEquals("4,6", tx(cpId, uid).get("SeqNoGaps"));
    send(cp, event("Updated", 4, uid, "MeterValuePeriodic", 40));
    send(cp, event("Updated", 6, uid, "MeterValuePeriodic", 60));
    Map<String, Object> row = tx(cpId, uid);
    assertNull(row.get("SeqNoGaps"));
    assertEquals(0, row.get("FirstSeqNo"));
    assertEquals(7, row.get("LastSeqNo"));
    assertEquals(stored(0), row.get("StartTime"));
    await(cp.close());
  }

  @Test
  void readingsOnlyUpdatesReachListenersAsLiveMeterNotAsTransactionEvents() throws Exception {
    String cpId = "TE-LIVE";
    TestCharger cp = connect(cpId);
    String uid = uid();
    List<String> announced = new CopyOnWriteArrayList<>();
    List<JsonObject> meters = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> transactions = server.vertx().eventBus().<JsonObject>consumer(
        Addresses.EVENT_TRANSACTION, m -> {
          if (uid.equals(m.body().getString("uid"))) {
            announced.add(m.body().getString("event") + "#" + m.body().getInteger("seqNo"));
          }
        });
    MessageConsumer<JsonObject> meter = server.vertx().eventBus().<JsonObject>consumer(Addresses.EVENT_METER, m -> {
      for (Object o : m.body().getJsonArray("meters", new JsonArray())) {
        if (cpId.equals(((JsonObject) o).getString("chargePointId"))) {
          meters.add((JsonObject) o);
        }
      }
    });
    await(transactions.completion());
    await(meter.completion());
    try {
      send(cp, event("Started", 0, uid, "Authorized", 0).put("idToken", token("TAG1")).put("evse", evse(1, 1))
          .put("meterValue", energy(0, 1000, "Transaction.Begin")));
      send(cp, event("Updated", 1, uid, "MeterValuePeriodic", 60).put("meterValue", energy(60, 2500, null)));
      long deadline = System.currentTimeMillis() + 5000;
      while (meters.stream().noneMatch(m -> Double.valueOf(2.5).equals(m.getDouble("energyKwh")))
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(meters.stream().anyMatch(m -> Double.valueOf(2.5).equals(m.getDouble("energyKwh"))),
          "the periodic reading reached the live meter: " + meters);
      JsonObject suspended = event("Updated", 2, uid, "ChargingStateChanged", 90).put("meterValue", energy(90, 2600, null));
      suspended.getJsonObject("transactionInfo").put("chargingState", "SuspendedEV");
      send(cp, suspended);
      send(cp, event("Ended", 3, uid, "EVCommunicationLost", 120).put("meterValue", energy(120, 2700, "Transaction.End")));
      deadline = System.currentTimeMillis() + 2000;
      while (announced.size() < 3 && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      Thread.sleep(100); // an announcement of seqNo 1 would have come before the ones after it
      assertEquals(List.of("started#0", "updated#2", "ended#3"), announced,
          "a readings-only Updated event is not announced; a state change is");
    } finally {
      await(transactions.unregister());
      await(meter.unregister());
      await(cp.close());
    }
  }

  @Test
  void theStartIsTheStartedEventsTimeWhateverTheClockSaysLater() throws Exception {
    String cpId = "TE-CLOCK";
    TestCharger cp = connect(cpId);
    String uid = uid();
    send(cp, event("Started", 0, uid, "CablePluggedIn", 100).put("evse", evse(1, 1)));
    // the charger rebooted without a clock: its later events are dated before the start
    send(cp, event("Updated", 1, uid, "MeterValuePeriodic", -100000));
    send(cp, event("Updated", 2, uid, "MeterValuePeriodic", -99970));
    Map<String, Object> row = tx(cpId, uid);
    assertEquals(stored(100), row.get("StartTime"));
    assertEquals(0, row.get("StartedSeqNo"));

    // without a Started event the earliest time is the start, until the Started event comes late
    String other = uid();
    send(cp, event("Updated", 1, other, "MeterValuePeriodic", 50));
    send(cp, event("Updated", 2, other, "MeterValuePeriodic", 40));
    row = tx(cpId, other);
    assertEquals(stored(40), row.get("StartTime"));
    assertNull(row.get("StartedSeqNo"));
    send(cp, event("Started", 0, other, "Authorized", 45));
    row = tx(cpId, other);
    assertEquals(stored(45), row.get("StartTime"));
    assertEquals(0, row.get("StartedSeqNo"));
    await(cp.close());
  }

  @Test
  void retriesAreRecognisedPastACutGapText() throws Exception {
    String cpId = "TE-MANYGAPS";
    TestCharger cp = connect(cpId);
    String uid = uid();
    send(cp, event("Started", 0, uid, "CablePluggedIn", 0).put("evse", evse(1, 1)));
    int last = 0;
    for (int seq = 2; seq <= 400; seq += 2) { // every odd seqNo missing: more gaps than SeqNoGaps holds
      send(cp, event("Updated", seq, uid, "MeterValuePeriodic", seq));
      last = seq;
    }
    String gaps = (String) tx(cpId, uid).get("SeqNoGaps");
    assertTrue(gaps.endsWith(",..."), gaps);
    int count = storedEvents(cpId);

    // past the cut the row cannot tell a retry from a late event: the stored events answer
    send(cp, event("Updated", 300, uid, "MeterValuePeriodic", 300)); // a retry
    send(cp, event("Updated", 8, uid, "MeterValuePeriodic", 8)); // a retry before the cut
    assertEquals(count, storedEvents(cpId));
    send(cp, event("Updated", 301, uid, "MeterValuePeriodic", 301)); // late, past the cut
    send(cp, event("Updated", 9, uid, "MeterValuePeriodic", 9)); // late, in a listed gap
    assertEquals(count + 2, storedEvents(cpId));
    Map<String, Object> row = tx(cpId, uid);
    assertEquals(last, row.get("LastSeqNo"));
    assertTrue(((String) row.get("SeqNoGaps")).startsWith("1,3,5,7,11,"), (String) row.get("SeqNoGaps"));
    await(cp.close());
  }

  @Test
  void offlineEventsAreAcceptedAndCounted() throws Exception {
    String cpId = "TE-OFFLINE";
    TestCharger cp = connect(cpId);
    String uid = uid();
    send(cp, event("Started", 0, uid, "Authorized", 0).put("offline", true).put("idToken", token("TAG1"))
        .put("evse", evse(1, 1)).put("meterValue", energy(0, 10, "Transaction.Begin")));
    send(cp, event("Updated", 1, uid, "MeterValuePeriodic", 60).put("offline", true));
    send(cp, event("Updated", 1, uid, "MeterValuePeriodic", 60).put("offline", true)); // a retry counts once
    JsonObject ended = event("Ended", 2, uid, "EVDeparted", 120).put("meterValue", energy(120, 990, "Transaction.End"));
    ended.getJsonObject("transactionInfo").put("stoppedReason", "EVDisconnected");
    send(cp, ended);
    Map<String, Object> row = tx(cpId, uid);
    assertEquals(2, row.get("OfflineEvents"));
    assertEquals(980.0, num(row.get("MeterStopWh")) - num(row.get("MeterStartWh")));
    assertEquals(2, server.query("SELECT * FROM TransactionEvent WHERE ChargePointId = ? AND Offline = 1", cpId).size());
    await(cp.close());
  }

  // ------------------------------------------------------------------ tokens

  @Test
  void cableFirstTransactionIsBoundToTheLaterToken() throws Exception {
    String cpId = "TE-CABLE";
    TestCharger cp = connect(cpId);
    String uid = uid();
    JsonObject started = event("Started", 0, uid, "CablePluggedIn", 0).put("evse", evse(1, 2));
    started.getJsonObject("transactionInfo").put("chargingState", "EVConnected");
    JsonObject r0 = send(cp, started);
    assertFalse(r0.containsKey("idTokenInfo"), "no token, no idTokenInfo: " + r0.encode());
    Map<String, Object> before = tx(cpId, uid);
    assertNull(before.get("StartTagId"));
    assertNull(before.get("StartResult"));
    assertEquals(stored(0), before.get("StartTime"));

    JsonObject updated = event("Updated", 1, uid, "Authorized", 20).put("idToken", token("TAG2"));
    updated.getJsonObject("transactionInfo").put("chargingState", "Charging");
    JsonObject r1 = send(cp, updated);
    assertEquals("Accepted", r1.getJsonObject("idTokenInfo").getString("status"));
    assertEquals("GROUP-A", r1.getJsonObject("idTokenInfo").getJsonObject("groupIdToken").getString("idToken"));
    Map<String, Object> bound = tx(cpId, uid);
    assertEquals("TAG2", bound.get("StartTagId"));
    assertEquals("Accepted", bound.get("StartResult"));
    assertEquals(stored(0), bound.get("StartTime"), "the transaction still started when the cable was plugged in");
    assertEquals(2, bound.get("EvseConnectorId"));

    // another tag of the same group ends it
    JsonObject ended = event("Ended", 2, uid, "StopAuthorized", 40).put("idToken", token("TAG1"));
    JsonObject r2 = send(cp, ended);
    assertEquals("Accepted", r2.getJsonObject("idTokenInfo").getString("status"));
    Map<String, Object> row = tx(cpId, uid);
    assertEquals("TAG2", row.get("StartTagId"));
    assertEquals("TAG1", row.get("StopTagId"));
    assertEquals("Accepted", row.get("StopResult"));
    assertEquals("Local", row.get("StopReason"), "stoppedReason omitted means Local");
    assertEquals(stored(40), row.get("StopTime"));
    await(cp.close());
  }

  @Test
  void endedOnlyTransactionIsRecordedClosed() throws Exception {
    String cpId = "TE-ENDED";
    TestCharger cp = connect(cpId);
    String uid = uid();
    JsonObject ended = event("Ended", 5, uid, "EVDeparted", 300).put("offline", true).put("evse", evse(3, 1))
        .put("idToken", token("TAGB")).put("meterValue", energy(300, 4000, "Transaction.End"));
    ended.getJsonObject("transactionInfo").put("stoppedReason", "Remote");
    JsonObject r = send(cp, ended);
    assertEquals("Accepted", r.getJsonObject("idTokenInfo").getString("status"));
    Map<String, Object> row = tx(cpId, uid);
    assertEquals(3, row.get("ConnectorId"));
    assertEquals(stored(300), row.get("StartTime"));
    assertEquals(stored(300), row.get("StopTime"));
    assertEquals("Remote", row.get("StopReason"));
    assertEquals("TAGB", row.get("StartTagId"));
    assertEquals(4000.0, num(row.get("MeterStopWh")));
    assertNull(row.get("MeterStartWh"), "an end reading is not a start reading: unknown stays NULL");
    assertNull(row.get("MeterStart"));
    assertEquals(5, row.get("FirstSeqNo"));
    assertEquals(1, row.get("OfflineEvents"));

    String uid2 = uid();
    send(cp, event("Ended", 0, uid2, "EVDeparted", 400).put("evse", evse(3, 1)));
    Map<String, Object> local = tx(cpId, uid2);
    assertEquals("Local", local.get("StopReason"));
    assertNull(local.get("MeterStopWh"));
    assertNull(local.get("StartTagId"));
    await(cp.close());
  }

  @Test
  void tokenVerdictsFollowTheSharedRules() throws Exception {
    String cpId = "TE-AUTH";
    TestCharger cp = connect(cpId);
    JsonObject unknown = send(cp, event("Started", 0, uid(), "Authorized", 0).put("idToken", token("NOPE"))
        .put("evse", evse(1, 1))).getJsonObject("idTokenInfo");
    assertEquals("Unknown", unknown.getString("status"));
    assertFalse(unknown.containsKey("groupIdToken"));
    String blockedUid = uid();
    JsonObject blocked = send(cp, event("Started", 0, blockedUid, "Authorized", 0).put("idToken", token("blocked"))
        .put("evse", evse(2, 1))).getJsonObject("idTokenInfo");
    assertEquals("Blocked", blocked.getString("status"));
    assertEquals("Blocked", tx(cpId, blockedUid).get("StartResult"));
    assertEquals("Expired", send(cp, event("Started", 0, uid(), "Authorized", 0).put("idToken", token("EXPIRED"))
        .put("evse", evse(3, 1))).getJsonObject("idTokenInfo").getString("status"));
    JsonObject group = send(cp, event("Started", 0, uid(), "Authorized", 0).put("idToken", token("TAGB"))
        .put("evse", evse(4, 1))).getJsonObject("idTokenInfo");
    assertEquals("Accepted", group.getString("status"));
    assertEquals(new JsonObject().put("idToken", "GROUP-B").put("type", "Central"), group.getJsonObject("groupIdToken"));
    // a new token in an Updated event is verified too
    String uid = uid();
    send(cp, event("Started", 0, uid, "Authorized", 0).put("idToken", token("TAG1")).put("evse", evse(5, 1)));
    assertEquals("Unknown", send(cp, event("Updated", 1, uid, "Authorized", 10).put("idToken", token("OTHER")))
        .getJsonObject("idTokenInfo").getString("status"));
    assertEquals("TAG1", tx(cpId, uid).get("StartTagId"));
    await(cp.close());
  }

  @Test
  void transactionIdsAreIndependentPerStation() throws Exception {
    TestCharger a = connect("TE-IND-A");
    TestCharger b = connect("TE-IND-B");
    String uid = "TX-1";
    send(a, event("Started", 0, uid, "Authorized", 0).put("idToken", token("TAG1")).put("evse", evse(1, 1)));
    send(b, event("Started", 0, uid, "Authorized", 5).put("idToken", token("TAG2")).put("evse", evse(1, 1)));
    Map<String, Object> ra = tx("TE-IND-A", uid);
    Map<String, Object> rb = tx("TE-IND-B", uid);
    assertNotEquals(ra.get("TransactionId"), rb.get("TransactionId"));
    assertEquals("TAG1", ra.get("StartTagId"));
    assertEquals("TAG2", rb.get("StartTagId"));
    send(b, event("Ended", 1, uid, "StopAuthorized", 50));
    assertNull(tx("TE-IND-A", uid).get("StopTime"));
    assertEquals(stored(50), tx("TE-IND-B", uid).get("StopTime"));
    await(a.close());
    await(b.close());
  }

  @Test
  void denyConcurrentTxRefusesTheSameTokenOnAnotherStation() throws Exception {
    try (TestServer deny = TestServer.start(new JsonObject().put("ocpp", new JsonObject().put("denyConcurrentTx", true)))) {
      deny.tag("TAG1", null, null, false);
      TestCharger a = connect(deny, "TE-CC-A");
      TestCharger b = connect(deny, "TE-CC-B");
      String first = uid();
      String second = uid();
      JsonObject startA = event("Started", 0, first, "Authorized", 0).put("idToken", token("TAG1")).put("evse", evse(1, 1));
      assertEquals("Accepted", send(a, startA).getJsonObject("idTokenInfo").getString("status"));
      assertEquals("Accepted", send(a, startA).getJsonObject("idTokenInfo").getString("status"), "its own retry");
      JsonObject startB = event("Started", 0, second, "Authorized", 10).put("idToken", token("tag1")).put("evse", evse(1, 1));
      assertEquals("ConcurrentTx", send(b, startB).getJsonObject("idTokenInfo").getString("status"));
      assertEquals("ConcurrentTx", send(b, startB).getJsonObject("idTokenInfo").getString("status"), "a retry, the same answer");
      assertEquals("ConcurrentTx", deny.query("SELECT StartResult FROM Transactions WHERE Uid = ?", second).get(0)
          .get("StartResult"));
      send(b, event("Ended", 1, second, "Deauthorized", 20));
      send(a, event("Ended", 1, first, "StopAuthorized", 30).put("idToken", token("TAG1")));
      String third = uid();
      assertEquals("Accepted", send(b, event("Started", 0, third, "Authorized", 40).put("idToken", token("TAG1"))
          .put("evse", evse(1, 1))).getJsonObject("idTokenInfo").getString("status"));
      await(a.close());
      await(b.close());
    }
  }

  @Test
  void theRowsSeqNoBookkeepingTellsWhichEventsAreStored() {
    TransactionStore.Tx row = new TransactionStore.Tx();
    assertNull(TransactionEvents.received(row, 0), "no seqNo recorded: the events must tell");
    row.firstSeqNo = 2;
    row.lastSeqNo = 20;
    assertEquals(true, TransactionEvents.received(row, 2));
    assertEquals(true, TransactionEvents.received(row, 20));
    assertEquals(false, TransactionEvents.received(row, 1));
    assertEquals(false, TransactionEvents.received(row, 21));
    row.seqNoGaps = "3,5-7,12";
    assertEquals(false, TransactionEvents.received(row, 3));
    assertEquals(true, TransactionEvents.received(row, 4));
    assertEquals(false, TransactionEvents.received(row, 5));
    assertEquals(false, TransactionEvents.received(row, 7));
    assertEquals(true, TransactionEvents.received(row, 8));
    assertEquals(false, TransactionEvents.received(row, 12));
    assertEquals(true, TransactionEvents.received(row, 13));
    row.seqNoGaps = "3,5-7,...";
    assertEquals(false, TransactionEvents.received(row, 6));
    assertEquals(true, TransactionEvents.received(row, 4));
    assertNull(TransactionEvents.received(row, 8), "past the cut");
    assertEquals(true, TransactionEvents.received(row, 20), "the last is stored, past the cut too");
    assertEquals(false, TransactionEvents.received(row, 21));
  }

  @Test
  void gapTextHelpers() {
    assertNull(TransactionEvents.gaps(List.of(0, 1, 2)));
    assertEquals("3,5-7", TransactionEvents.gaps(List.of(2, 4, 8)));
    assertEquals("1", TransactionEvents.appendGap(null, 1, 1));
    assertNull(TransactionEvents.appendGap(null, 2, 1));
    String text = null;
    for (int i = 0; i < 200; i++) {
      text = TransactionEvents.appendGap(text, i * 10, i * 10 + 1);
    }
    assertTrue(text.length() <= TransactionEvents.MAX_GAPS_TEXT, text);
    assertTrue(text.endsWith(",..."), text);
  }
}
