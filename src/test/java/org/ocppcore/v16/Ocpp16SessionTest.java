package org.ocppcore.v16;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import org.ocppcore.TestServer;
import org.ocppcore.testsupport.TestCharger;

/** A whole OCPP 1.6 charging session against a real server and SQLite file, each message checked in the database. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Ocpp16SessionTest {
  private TestServer server;
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start(new JsonObject()
        .put("ocpp", new JsonObject().put("dataTransferVendors", new JsonArray().add("ACME")))
        .put("log", new JsonObject().put("dbMessageLog", 1)));
    for (String cp : List.of("CP1", "CP2", "CP3", "CP4", "CP5", "CP6")) {
      server.chargePoint(cp);
    }
    server.tag("TAG1", "GROUP-A", null, false)
        .tag("TAG2", "GROUP-A", null, false)
        .tag("TAGB", "GROUP-B", null, false)
        .tag("BLOCKED", null, null, true)
        .tag("EXPIRED", null, now.minus(1, ChronoUnit.DAYS), false)
        .tag("BLOCKEDEXP", null, now.minus(1, ChronoUnit.DAYS), true)
        .tag("FUTURE", null, now.plus(30, ChronoUnit.DAYS), false);
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  private TestCharger connect(String id) throws Exception {
    return await(TestCharger.connect(server.vertx(), server.wsUrl(id)));
  }

  private static JsonObject result(TestCharger cp, String action, JsonObject payload) throws Exception {
    JsonArray reply = await(cp.call(action, payload));
    assertEquals(3, reply.getInteger(0), action + " must get a CALLRESULT: " + reply.encode());
    return reply.getJsonObject(2);
  }

  private String ts(int secondsAfterNow) {
    return now.plusSeconds(secondsAfterNow).toString();
  }

  @Test
  void fullSessionIsStoredAsSent() throws Exception {
    TestCharger cp = connect("CP1");
    JsonObject boot = result(cp, "BootNotification", new JsonObject().put("chargePointVendor", "ACME")
        .put("chargePointModel", "Wallbox 22").put("chargePointSerialNumber", "SN-1").put("chargeBoxSerialNumber", "CB-1")
        .put("firmwareVersion", "1.2.3").put("iccid", "8949").put("imsi", "262").put("meterType", "EM340")
        .put("meterSerialNumber", "M-9"));
    assertEquals("Accepted", boot.getString("status"));
    assertEquals(300, boot.getInteger("interval"));
    assertTrue(Instant.parse(boot.getString("currentTime")).isAfter(now.minusSeconds(5)));
    Map<String, Object> bootRow = server.query("SELECT * FROM ChargePointBoot WHERE ChargePointId = 'CP1'").get(0);
    assertEquals("ACME", bootRow.get("Vendor"));
    assertEquals("Wallbox 22", bootRow.get("Model"));
    assertEquals("SN-1", bootRow.get("SerialNumber"));
    assertEquals("CB-1", bootRow.get("ChargeBoxSerialNumber"));
    assertEquals("1.2.3", bootRow.get("FirmwareVersion"));
    assertEquals("8949", bootRow.get("Iccid"));
    assertEquals("262", bootRow.get("Imsi"));
    assertEquals("EM340", bootRow.get("MeterType"));
    assertEquals("M-9", bootRow.get("MeterSerialNumber"));
    assertEquals("ocpp1.6", bootRow.get("Protocol"));

    result(cp, "StatusNotification", new JsonObject().put("connectorId", 0).put("status", "Available").put("errorCode", "NoError"));
    result(cp, "StatusNotification", new JsonObject().put("connectorId", 1).put("status", "Preparing")
        .put("errorCode", "NoError").put("info", "cable in").put("vendorId", "ACME").put("vendorErrorCode", "E0")
        .put("timestamp", ts(1)));
    Map<String, Object> conn = server.query("SELECT * FROM ConnectorStatus WHERE ChargePointId='CP1' AND ConnectorId=1").get(0);
    assertEquals("Occupied", conn.get("LastStatus"));
    assertEquals("Preparing", conn.get("OcppStatus"));
    assertEquals("cable in", conn.get("Info"));
    assertEquals(1, server.query("SELECT * FROM ConnectorStatus WHERE ChargePointId='CP1' AND ConnectorId=0").size());
    Map<String, Object> hist = server.query("SELECT * FROM StatusHistory WHERE ChargePointId='CP1' AND ConnectorId=1").get(0);
    assertEquals("Preparing", hist.get("Status"));
    assertEquals("NoError", hist.get("ErrorCode"));
    assertEquals("ACME", hist.get("VendorId"));
    assertEquals("E0", hist.get("VendorErrorCode"));
    assertEquals(now.plusSeconds(1).toString().replace("Z", ".000Z"), hist.get("StatusTime"));

    JsonObject auth = result(cp, "Authorize", new JsonObject().put("idTag", "TAG1"));
    assertEquals("Accepted", auth.getJsonObject("idTagInfo").getString("status"));
    assertEquals("GROUP-A", auth.getJsonObject("idTagInfo").getString("parentIdTag"));

    JsonObject start = result(cp, "StartTransaction", new JsonObject().put("connectorId", 1).put("idTag", "TAG1")
        .put("meterStart", 12345).put("timestamp", ts(2)));
    long txId = start.getLong("transactionId");
    assertTrue(txId > 0);
    assertEquals("Accepted", start.getJsonObject("idTagInfo").getString("status"));
    Map<String, Object> tx = server.query("SELECT * FROM Transactions WHERE TransactionId = ?", txId).get(0);
    assertEquals("CP1", tx.get("ChargePointId"));
    assertEquals(1, tx.get("ConnectorId"));
    assertEquals("TAG1", tx.get("StartTagId"));
    assertEquals(12345.0, ((Number) tx.get("MeterStartWh")).doubleValue());
    assertEquals(12.345, ((Number) tx.get("MeterStart")).doubleValue(), 1e-9);
    assertEquals("Accepted", tx.get("StartResult"));
    assertNull(tx.get("StopTime"));

    JsonArray sampled = new JsonArray()
        .add(new JsonObject().put("value", "13000").put("measurand", "Energy.Active.Import.Register").put("unit", "Wh")
            .put("context", "Sample.Periodic").put("location", "Outlet"))
        .add(new JsonObject().put("value", "3700").put("measurand", "Power.Active.Import").put("unit", "W").put("phase", "L1"))
        .add(new JsonObject().put("value", "3600").put("measurand", "Power.Active.Import").put("unit", "W").put("phase", "L2"))
        .add(new JsonObject().put("value", "3500").put("measurand", "Power.Active.Import").put("unit", "W").put("phase", "L3"))
        .add(new JsonObject().put("value", "230.1").put("measurand", "Voltage").put("unit", "V").put("phase", "L1-N"))
        .add(new JsonObject().put("value", "16.2").put("measurand", "Current.Import").put("unit", "A").put("phase", "L1"))
        .add(new JsonObject().put("value", "54").put("measurand", "SoC").put("unit", "Percent").put("location", "EV"))
        .add(new JsonObject().put("value", "31.5").put("measurand", "Temperature").put("unit", "Celsius").put("location", "Body"));
    result(cp, "MeterValues", new JsonObject().put("connectorId", 1).put("transactionId", txId)
        .put("meterValue", new JsonArray().add(new JsonObject().put("timestamp", ts(60)).put("sampledValue", sampled))));
    List<Map<String, Object>> samples = server.query("SELECT * FROM MeterSample WHERE TransactionId = ? ORDER BY MeterValueId, SampleIndex", txId);
    assertEquals(8, samples.size(), "every sampled value is stored");
    assertEquals("13000", samples.get(0).get("Value"));
    assertEquals("Sample.Periodic", samples.get(0).get("Context"));
    assertEquals("Outlet", samples.get(0).get("Location"));
    assertEquals("Raw", samples.get(0).get("Format"));
    assertEquals("L2", samples.get(2).get("Phase"));
    assertEquals("Voltage", samples.get(4).get("Measurand"));
    assertEquals("L1-N", samples.get(4).get("Phase"));
    assertEquals(230.1, ((Number) samples.get(4).get("NumericValue")).doubleValue(), 1e-9);
    assertEquals("EV", samples.get(6).get("Location"));
    assertEquals("Celsius", samples.get(7).get("Unit"));
    assertEquals(now.plusSeconds(60).toString().replace("Z", ".000Z"), samples.get(0).get("Timestamp"));
    conn = server.query("SELECT * FROM ConnectorStatus WHERE ChargePointId='CP1' AND ConnectorId=1").get(0);
    assertEquals(13.0, ((Number) conn.get("LastMeter")).doubleValue(), 1e-9);
    assertEquals(10.8, ((Number) conn.get("LastPowerKw")).doubleValue(), 1e-9, "kW is the sum of the phases");
    assertEquals(54.0, ((Number) conn.get("LastSoc")).doubleValue(), 1e-9);

    JsonObject stopRequest = new JsonObject().put("transactionId", txId).put("idTag", "TAG1")
        .put("meterStop", 20000).put("timestamp", ts(120)).put("reason", "EVDisconnected")
        .put("transactionData", new JsonArray().add(new JsonObject().put("timestamp", ts(120)).put("sampledValue",
            new JsonArray().add(new JsonObject().put("value", "20000").put("context", "Transaction.End")))));
    JsonObject stop = result(cp, "StopTransaction", stopRequest);
    assertEquals("Accepted", stop.getJsonObject("idTagInfo").getString("status"));
    result(cp, "StopTransaction", stopRequest); // the charger retries: nothing is stored twice
    tx = server.query("SELECT * FROM Transactions WHERE TransactionId = ?", txId).get(0);
    assertEquals(20000.0, ((Number) tx.get("MeterStopWh")).doubleValue());
    assertEquals(20.0, ((Number) tx.get("MeterStop")).doubleValue(), 1e-9);
    assertEquals("EVDisconnected", tx.get("StopReason"));
    assertEquals("TAG1", tx.get("StopTagId"));
    assertEquals(now.plusSeconds(120).toString().replace("Z", ".000Z"), tx.get("StopTime"));
    List<Map<String, Object>> end = server.query(
        "SELECT * FROM MeterSample WHERE TransactionId = ? AND Context = 'Transaction.End'", txId);
    assertEquals(1, end.size(), "transactionData of StopTransaction is stored, once");
    assertEquals(((Number) tx.get("ConnectorId")).intValue(), ((Number) end.get(0).get("ConnectorId")).intValue(),
        "on the transaction's connector");
    assertEquals("Energy.Active.Import.Register", end.get(0).get("Measurand"));
    assertEquals("Wh", end.get(0).get("Unit"));

    JsonObject hb = result(cp, "Heartbeat", new JsonObject());
    assertNotNull(Instant.parse(hb.getString("currentTime")));
    cp.assertNoProtocolViolations();
    await(cp.close());
  }

  @Test
  void authorizeFollowsTheTagRules() throws Exception {
    TestCharger cp = connect("CP2");
    Map<String, String> expected = Map.of("TAG1", "Accepted", "tag1", "Accepted", "UNKNOWN", "Invalid",
        "BLOCKED", "Blocked", "EXPIRED", "Expired", "BLOCKEDEXP", "Blocked", "FUTURE", "Accepted");
    for (Map.Entry<String, String> e : expected.entrySet()) {
      JsonObject info = result(cp, "Authorize", new JsonObject().put("idTag", e.getKey())).getJsonObject("idTagInfo");
      assertEquals(e.getValue(), info.getString("status"), e.getKey());
    }
    JsonObject future = result(cp, "Authorize", new JsonObject().put("idTag", "FUTURE")).getJsonObject("idTagInfo");
    assertEquals(now.plus(30, ChronoUnit.DAYS), Instant.parse(future.getString("expiryDate")));
    assertFalse(result(cp, "Authorize", new JsonObject().put("idTag", "UNKNOWN")).getJsonObject("idTagInfo")
        .containsKey("parentIdTag"));
    // level 1 logs Authorize, not Heartbeat
    result(cp, "Heartbeat", new JsonObject());
    assertTrue(server.queryEventually(1, "SELECT * FROM MessageLog WHERE ChargePointId='CP2' AND Message='Authorize' "
        + "AND Result LIKE '%BLOCKED%Blocked%'").size() > 0);
    assertEquals(0, server.query("SELECT * FROM MessageLog WHERE ChargePointId='CP2' AND Message='Heartbeat'").size());
    await(cp.close());
  }

  @Test
  void rejectedStartIsRecordedAndRetriesAreIdempotent() throws Exception {
    TestCharger cp = connect("CP3");
    JsonObject startReq = new JsonObject().put("connectorId", 2).put("idTag", "BLOCKED").put("meterStart", 500)
        .put("timestamp", ts(5));
    JsonObject first = result(cp, "StartTransaction", startReq);
    assertEquals("Blocked", first.getJsonObject("idTagInfo").getString("status"));
    long txId = first.getLong("transactionId");
    assertTrue(txId > 0, "a transaction id is issued even for a refused tag");
    JsonObject retry = result(cp, "StartTransaction", startReq);
    assertEquals(txId, retry.getLong("transactionId"), "a retried StartTransaction gets the same id");
    assertEquals(1, server.query("SELECT * FROM Transactions WHERE ChargePointId='CP3'").size());
    assertEquals("Blocked", server.query("SELECT StartResult FROM Transactions WHERE TransactionId=?", txId).get(0).get("StartResult"));

    JsonObject mv = new JsonObject().put("connectorId", 2).put("transactionId", txId).put("meterValue", new JsonArray()
        .add(new JsonObject().put("timestamp", ts(30)).put("sampledValue", new JsonArray()
            .add(new JsonObject().put("value", "600")).add(new JsonObject().put("value", "1200").put("measurand", "Power.Active.Import")))));
    result(cp, "MeterValues", mv);
    result(cp, "MeterValues", mv);
    assertEquals(2, server.query("SELECT * FROM MeterSample WHERE ChargePointId='CP3'").size(), "a retried MeterValues is stored once");

    JsonObject stopReq = new JsonObject().put("transactionId", txId).put("meterStop", 900).put("timestamp", ts(60));
    result(cp, "StopTransaction", stopReq);
    JsonObject again = result(cp, "StopTransaction", stopReq.copy().put("meterStop", 999));
    assertFalse(again.containsKey("idTagInfo"));
    assertEquals(900.0, ((Number) server.query("SELECT MeterStopWh FROM Transactions WHERE TransactionId=?", txId)
        .get(0).get("MeterStopWh")).doubleValue(), "a second stop does not overwrite the first");

    // an unknown transaction still gets a normal answer, and is recorded for the operator
    JsonObject unknown = result(cp, "StopTransaction", new JsonObject().put("transactionId", 999999).put("meterStop", 1)
        .put("timestamp", ts(61)).put("idTag", "TAG1"));
    assertEquals("Accepted", unknown.getJsonObject("idTagInfo").getString("status"));
    assertEquals(1, server.query("SELECT * FROM MessageLog WHERE ChargePointId='CP3' AND ErrorCode='UnknownTransaction'").size());
    await(cp.close());
  }

  @Test
  void stopTagRulesSameTagOrSameGroup() throws Exception {
    TestCharger cp = connect("CP4");
    long a = result(cp, "StartTransaction", new JsonObject().put("connectorId", 1).put("idTag", "TAG1")
        .put("meterStart", 0).put("timestamp", ts(1))).getLong("transactionId");
    JsonObject groupStop = result(cp, "StopTransaction", new JsonObject().put("transactionId", a).put("idTag", "TAG2")
        .put("meterStop", 10).put("timestamp", ts(2)));
    assertEquals("Accepted", groupStop.getJsonObject("idTagInfo").getString("status"), "same group may stop");

    long b = result(cp, "StartTransaction", new JsonObject().put("connectorId", 1).put("idTag", "TAG1")
        .put("meterStart", 10).put("timestamp", ts(3))).getLong("transactionId");
    JsonObject otherStop = result(cp, "StopTransaction", new JsonObject().put("transactionId", b).put("idTag", "TAGB")
        .put("meterStop", 20).put("timestamp", ts(4)));
    assertEquals("Invalid", otherStop.getJsonObject("idTagInfo").getString("status"), "another group may not");
    Map<String, Object> tx = server.query("SELECT * FROM Transactions WHERE TransactionId=?", b).get(0);
    assertNotNull(tx.get("StopTime"), "the charger has stopped: the transaction is closed anyway");
    assertEquals("Invalid", tx.get("StopResult"));
    await(cp.close());
  }

  @Test
  void notificationsAndDataTransferAreStoredAndAnswered() throws Exception {
    TestCharger cp = connect("CP5");
    assertEquals("UnknownVendorId", result(cp, "DataTransfer", new JsonObject().put("vendorId", "OTHER")
        .put("messageId", "x").put("data", "payload")).getString("status"));
    assertEquals("Accepted", result(cp, "DataTransfer", new JsonObject().put("vendorId", "ACME")).getString("status"));
    result(cp, "FirmwareStatusNotification", new JsonObject().put("status", "Installed"));
    result(cp, "DiagnosticsStatusNotification", new JsonObject().put("status", "Uploaded"));
    result(cp, "LogStatusNotification", new JsonObject().put("status", "Uploading").put("requestId", 7));
    result(cp, "SignedFirmwareStatusNotification", new JsonObject().put("status", "SignatureVerified").put("requestId", 8));
    result(cp, "SecurityEventNotification", new JsonObject().put("type", "FirmwareUpdated").put("timestamp", ts(0))
        .put("techInfo", "v2"));
    assertEquals("Rejected", result(cp, "SignCertificate", new JsonObject().put("csr", "-----BEGIN CSR-----")).getString("status"));
    List<Map<String, Object>> events = server.query("SELECT Action, Status, RequestId, Detail FROM ChargerEvent "
        + "WHERE ChargePointId='CP5' ORDER BY EventId");
    assertEquals(List.of("DataTransfer", "DataTransfer", "FirmwareStatusNotification", "DiagnosticsStatusNotification",
        "LogStatusNotification", "SignedFirmwareStatusNotification", "SignCertificate"),
        events.stream().map(r -> r.get("Action")).toList());
    assertTrue(String.valueOf(events.get(0).get("Detail")).contains("payload"));
    assertEquals(7, events.get(4).get("RequestId"));
    Map<String, Object> sec = server.query("SELECT * FROM SecurityEvent WHERE ChargePointId='CP5'").get(0);
    assertEquals("FirmwareUpdated", sec.get("Type"));
    assertEquals("v2", sec.get("TechInfo"));
    await(cp.close());
  }

  @Test
  void concurrentTransactionsDeniedWhenConfigured() throws Exception {
    try (TestServer deny = TestServer.start(new JsonObject().put("ocpp", new JsonObject().put("denyConcurrentTx", true)))) {
      deny.chargePoint("D1").chargePoint("D2").tag("T", null, null, false);
      TestCharger one = await(TestCharger.connect(deny.vertx(), deny.wsUrl("D1")));
      TestCharger two = await(TestCharger.connect(deny.vertx(), deny.wsUrl("D2")));
      assertEquals("Accepted", result(one, "StartTransaction", new JsonObject().put("connectorId", 1).put("idTag", "T")
          .put("meterStart", 0).put("timestamp", ts(1))).getJsonObject("idTagInfo").getString("status"));
      assertEquals("ConcurrentTx", result(two, "StartTransaction", new JsonObject().put("connectorId", 1).put("idTag", "t")
          .put("meterStart", 0).put("timestamp", ts(2))).getJsonObject("idTagInfo").getString("status"));
      assertEquals("Accepted", result(two, "Authorize", new JsonObject().put("idTag", "T"))
          .getJsonObject("idTagInfo").getString("status"), "Authorize has no concurrency check");
    }
  }

  @Test
  void timestampWithoutOffsetIsReadAsUtc() throws Exception {
    TestCharger cp = connect("CP6");
    long tx = result(cp, "StartTransaction", new JsonObject().put("connectorId", 3).put("idTag", "TAG1")
        .put("meterStart", 0).put("timestamp", "2026-03-01T10:15:30")).getLong("transactionId");
    assertEquals("2026-03-01T10:15:30.000Z", server.query("SELECT StartTime FROM Transactions WHERE TransactionId=?", tx)
        .get(0).get("StartTime"));
    JsonArray bad = await(cp.call("StartTransaction", new JsonObject().put("connectorId", 3).put("idTag", "TAG1")
        .put("meterStart", 0).put("timestamp", "2026-03-01 10:15")));
    assertEquals("PropertyConstraintViolation", bad.getString(2), "a timestamp that is no date-time is still refused");
  }

  @Test
  void kebaTagCutIsOptInPerChargePoint() throws Exception {
    await(server.server().store().upsertChargePoint("KEBA1", "KEBA", null, null, "Accepted", true));
    TestCharger keba = connect("KEBA1");
    assertEquals("Accepted", result(keba, "Authorize", new JsonObject().put("idTag", "TAG1_12345"))
        .getJsonObject("idTagInfo").getString("status"));
    TestCharger plain = connect("CP6");
    assertEquals("Invalid", result(plain, "Authorize", new JsonObject().put("idTag", "TAG1_12345"))
        .getJsonObject("idTagInfo").getString("status"));
  }
}
