package org.ocppcore.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.TestServer.await;
import static org.ocppcore.api.ApiClient.obj;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
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
 * The transaction listing (filters, order, limit), its CSV export and the detail with meter
 * samples, over transactions seeded by 1.6 chargers with explicit start times.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiTransactionsTest {
  private static final Map<String, String> CSV = Map.of("Accept", "text/csv");

  private TestServer server;
  private ApiClient api;
  /** t1..t5 in seeding order (see {@link #seed}). */
  private long t1;
  private long t2;
  private long t3;
  private long t4;
  private long t5;
  /** A 2.0.1 transaction with fractional Wh readings, the oldest of all. */
  private long t6;

  @BeforeAll
  void seed() throws Exception {
    server = TestServer.start();
    api = new ApiClient(server, server.apiKey("billing", "readonly"));
    server.chargePoint("TXA").chargePoint("TXB").chargePoint("TXC").tag("TAG1", null, null, false).tag("TAG2", null, null, false);
    TestCharger a = await(TestCharger.connect(server.vertx(), server.wsUrl("TXA")));
    TestCharger b = await(TestCharger.connect(server.vertx(), server.wsUrl("TXB")));

    t1 = start(a, 1, "TAG1", 1000, "2025-01-01T10:00:00Z");
    await(a.callForResult("MeterValues", obj("connectorId", 1, "transactionId", t1, "meterValue", new JsonArray()
        .add(obj("timestamp", "2025-01-01T10:30:00Z", "sampledValue", new JsonArray()
            .add(obj("value", "3000", "measurand", "Energy.Active.Import.Register", "unit", "Wh"))
            .add(obj("value", "11000", "measurand", "Power.Active.Import", "unit", "W")))))));
    // the power reading again, alone in another message: stored with that message, listed once
    await(a.callForResult("MeterValues", obj("connectorId", 1, "transactionId", t1, "meterValue", new JsonArray()
        .add(obj("timestamp", "2025-01-01T10:30:00Z", "sampledValue", new JsonArray()
            .add(obj("value", "11000", "measurand", "Power.Active.Import", "unit", "W")))))));
    await(a.callForResult("StopTransaction", obj("transactionId", t1, "idTag", "TAG1", "meterStop", 5500,
        "timestamp", "2025-01-01T11:00:00Z", "reason", "Local", "transactionData", new JsonArray()
            .add(obj("timestamp", "2025-01-01T11:00:00Z", "sampledValue", new JsonArray()
                .add(obj("value", "5500", "context", "Transaction.End", "unit", "Wh")))))));
    // a large meter register (a DC charger's lifetime total): the energy must stay exact
    t2 = start(a, 2, "TAG2", 123456789, "2025-01-02T10:00:00Z");
    stop(a, t2, 123467890, "2025-01-02T11:00:00Z", null);
    // a tag that a spreadsheet would run as a formula
    t3 = start(a, 1, "=SUM(A1,A2)", 5500, "2025-01-03T10:00:00Z");
    t4 = start(b, 1, "TAG1", 0, "2025-01-02T12:00:00Z");
    stop(b, t4, 2000, "2025-01-02T12:30:00Z", "EVDisconnected");
    t5 = start(b, 2, "\t=2+3", 42, "2025-01-04T08:00:00+01:00");
    TestCharger c = await(TestCharger.connect(server.vertx(), server.wsUrl("TXC"),
        new TestCharger.Options().subprotocols("ocpp2.0.1")));
    transactionEvent(c, obj("eventType", "Started", "timestamp", "2024-12-31T00:00:00Z", "triggerReason", "Authorized",
        "seqNo", 0, "transactionInfo", obj("transactionId", "uid-201"), "evse", obj("id", 1, "connectorId", 1),
        "idToken", obj("idToken", "TAG2", "type", "ISO14443"), "meterValue", energy("2024-12-31T00:00:00Z",
            98765432.1, "Transaction.Begin")));
    transactionEvent(c, obj("eventType", "Ended", "timestamp", "2024-12-31T01:00:00Z", "triggerReason",
        "StopAuthorized", "seqNo", 1, "transactionInfo", obj("transactionId", "uid-201", "stoppedReason", "Local"),
        "meterValue", energy("2024-12-31T01:00:00Z", 98775432.6, "Transaction.End", SIGNED)));
    t6 = api.get("/transactions?chargePointId=TXC").expect(200).array().getJsonObject(0).getLong("transactionId");
    a.close();
    b.close();
    c.close();
  }

  /** A 2.0.1 signedMeterValue (an OCMF proof, shortened), as a calibration-law meter sends it. */
  private static final JsonObject SIGNED = obj("signedMeterData", "T0NNRnx7IkZWIjoiMS4wIn18eyJTQSI6IkVDRFNBIn0=",
      "signingMethod", "ECDSA-secp256r1-SHA256", "encodingMethod", "OCMF", "publicKey", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQc=");

  private static JsonArray energy(String time, double wh, String context) {
    return energy(time, wh, context, null);
  }

  private static JsonArray energy(String time, double wh, String context, JsonObject signed) {
    JsonObject sample = obj("value", wh, "measurand", "Energy.Active.Import.Register", "context", context,
        "unitOfMeasure", obj("unit", "Wh"));
    if (signed != null) {
      sample.put("signedMeterValue", signed);
    }
    return new JsonArray().add(obj("timestamp", time, "sampledValue", new JsonArray().add(sample)));
  }

  private static void transactionEvent(TestCharger cp, JsonObject event) throws Exception {
    JsonArray reply = await(cp.call("TransactionEvent", event));
    assertEquals(TestCharger.CALLRESULT, reply.getInteger(0), reply.encode());
  }

  @AfterAll
  void stop() throws Exception {
    api.close();
    server.close();
  }

  private static long start(TestCharger cp, int connector, String tag, long meterStart, String time) throws Exception {
    return await(cp.callForResult("StartTransaction", obj("connectorId", connector, "idTag", tag,
        "meterStart", meterStart, "timestamp", time))).getLong("transactionId");
  }

  private static void stop(TestCharger cp, long tx, long meterStop, String time, String reason) throws Exception {
    JsonObject p = obj("transactionId", tx, "meterStop", meterStop, "timestamp", time);
    if (reason != null) {
      p.put("reason", reason);
    }
    await(cp.callForResult("StopTransaction", p));
  }

  private List<Long> ids(String query) {
    JsonArray list = api.get("/transactions" + query).expect(200).array();
    List<Long> ids = new ArrayList<>();
    for (Object o : list) {
      ids.add(((JsonObject) o).getLong("transactionId"));
    }
    return ids;
  }

  @Test
  void filtersReturnExactlyTheExpectedTransactionsNewestFirst() {
    assertEquals(List.of(t5, t3, t4, t2, t1, t6), ids(""));
    assertEquals(List.of(t3, t2, t1), ids("?chargePointId=TXA"));
    assertEquals(List.of(t3, t1), ids("?chargePointId=TXA&connectorId=1"));
    assertEquals(List.of(t3, t4, t1, t6), ids("?connectorId=1"));
    assertEquals(List.of(t6), ids("?chargePointId=TXC&connectorId=1"));
    assertEquals(List.of(t5, t4), ids("?chargePointId=TXB"));
    assertEquals(List.of(t5, t3, t4, t2), ids("?from=2025-01-02T00:00:00Z"));
    assertEquals(List.of(t2, t1, t6), ids("?to=2025-01-02T12:00:00Z"), "to is exclusive");
    assertEquals(List.of(t3, t4), ids("?from=2025-01-02T12:00:00Z&to=2025-01-04T00:00:00Z"), "from is inclusive");
    // offsets are understood (13:00+01:00 is 12:00Z; t5 started 07:00Z)
    assertEquals(List.of(t5, t3, t4), ids("?from=2025-01-02T13:00:00%2B01:00"));
    assertEquals(List.of(t3, t4), ids("?from=2025-01-02T13:00:00%2B01:00&to=2025-01-04T07:00:00Z"));
    assertEquals(List.of(t5, t3), ids("?limit=2"));
    assertEquals(List.of(t1), ids("?chargePointId=TXA&limit=1&to=2025-01-02T00:00:00Z"));
    assertEquals(List.of(), ids("?chargePointId=NOPE"));
    assertEquals(List.of(), ids("?from=2030-01-01T00:00:00Z"));
  }

  @Test
  void badQueriesAre400() {
    for (String q : List.of("from=yesterday", "to=2025-13-01T00:00:00Z", "connectorId=-1", "connectorId=x", "limit=0",
        "limit=abc")) {
      Resp r = api.get("/transactions?" + q).expect(400);
      assertNotNull(r.json().getString("error"), q);
    }
    api.get("/transactions?from=yesterday", CSV).expect(400);
  }

  @Test
  void jsonValues() {
    JsonArray list = api.get("/transactions?chargePointId=TXA").expect(200).array();
    JsonObject tx1 = list.getJsonObject(2);
    assertEquals(t1, tx1.getLong("transactionId"));
    assertEquals("TXA", tx1.getString("chargePointId"));
    assertEquals(1, tx1.getInteger("connectorId"));
    assertEquals("TAG1", tx1.getString("startTagId"));
    assertEquals("2025-01-01T10:00:00.000Z", tx1.getString("startTime"));
    assertEquals("2025-01-01T11:00:00.000Z", tx1.getString("stopTime"));
    assertEquals(1000.0, tx1.getDouble("meterStartWh"));
    assertEquals(5500.0, tx1.getDouble("meterStopWh"));
    assertEquals(4.5, tx1.getDouble("energyKwh"), 1e-9);
    assertEquals("Local", tx1.getString("stopReason"));
    assertEquals("Accepted", tx1.getString("startResult"));
    assertEquals("ocpp1.6", tx1.getString("protocol"));

    JsonObject tx2 = list.getJsonObject(1);
    assertEquals(123456789.0, tx2.getDouble("meterStartWh"), "the meter start, exactly");
    assertEquals(123467890.0, tx2.getDouble("meterStopWh"), "the meter stop, exactly");
    assertEquals(11.101, tx2.getDouble("energyKwh"), 1e-9, "(stop - start) / 1000, exactly");

    JsonObject open = list.getJsonObject(0);
    assertEquals(t3, open.getLong("transactionId"));
    assertNull(open.getValue("stopTime"));
    assertNull(open.getValue("energyKwh"));
    assertEquals("Invalid", open.getString("startResult"), "an unknown tag's transaction is still recorded");
    assertEquals("2025-01-04T07:00:00.000Z", api.get("/transactions/" + t5).expect(200).json().getString("startTime"),
        "times are stored in UTC");

    JsonObject tx6 = api.get("/transactions?chargePointId=TXC").expect(200).array().getJsonObject(0);
    assertEquals("uid-201", tx6.getString("uid"));
    assertEquals("ocpp2.0.1", tx6.getString("protocol"));
    assertEquals("Local", tx6.getString("stopReason"));
  }

  /**
   * 2.x fractional Wh readings must survive storage exactly. On SQLite the JDBC client reads a REAL
   * column as a 32-bit float: AdminStore reads them as text, but when TransactionStore.find reads
   * the row to fold the Ended event in, it writes the float back (98765432.1 became 98765432.0).
   */
  @Test
  void fractionalEnergyOf2xTransactionsIsExact() throws Exception {
    Object stored = server.query("SELECT MeterStartWh FROM Transactions WHERE TransactionId = ?", t6).get(0)
        .get("MeterStartWh");
    JsonObject tx6 = api.get("/transactions/" + t6).expect(200).json();
    assertEquals(98765432.1, tx6.getDouble("meterStartWh"), 1e-6, "meterStartWh (stored: " + stored
        + ") — TransactionStore.find truncates REAL columns to float on SQLite: " + tx6.encode());
    assertEquals(98775432.6, tx6.getDouble("meterStopWh"), 1e-6, tx6.encode());
    assertEquals(10.0005, tx6.getDouble("energyKwh"), 1e-9, tx6.encode());
    List<String> lines = List.of(api.get("/transactions?chargePointId=TXC", CSV).expect(200).body().split("\r\n"));
    List<String> cells = parseCsvLine(lines.get(1));
    assertEquals(10.0005, Double.parseDouble(cells.get(TransactionCsv.COLUMNS.indexOf("energyKwh"))), 1e-9);
  }

  @Test
  void csvExport() {
    Resp r = api.get("/transactions", CSV).expect(200);
    assertTrue(r.headers().get("Content-Type").startsWith("text/csv"), r.headers().get("Content-Type"));
    List<String> lines = List.of(r.body().split("\r\n", -1));
    assertEquals(String.join(",", TransactionCsv.COLUMNS), lines.get(0), "the header line");
    assertEquals(6 + 2, lines.size(), "header, one line per transaction, final CRLF: " + r.body());
    assertEquals("", lines.get(7));

    Map<Long, Map<String, String>> rows = new java.util.HashMap<>();
    for (String line : lines.subList(1, 7)) {
      List<String> cells = parseCsvLine(line);
      assertEquals(TransactionCsv.COLUMNS.size(), cells.size(), line);
      Map<String, String> row = new java.util.HashMap<>();
      for (int i = 0; i < cells.size(); i++) {
        row.put(TransactionCsv.COLUMNS.get(i), cells.get(i));
      }
      rows.put(Long.parseLong(row.get("transactionId")), row);
    }
    assertEquals(java.util.Set.of(t1, t2, t3, t4, t5, t6), rows.keySet());
    Map<String, String> r1 = rows.get(t1);
    assertEquals("TXA", r1.get("chargePointId"));
    assertEquals("1", r1.get("connectorId"));
    assertEquals("TAG1", r1.get("startTagId"));
    assertEquals("2025-01-01T10:00:00.000Z", r1.get("startTime"));
    assertEquals("2025-01-01T11:00:00.000Z", r1.get("stopTime"));
    assertEquals(1000.0, Double.parseDouble(r1.get("meterStartWh")));
    assertEquals(5500.0, Double.parseDouble(r1.get("meterStopWh")));
    assertEquals(4.5, Double.parseDouble(r1.get("energyKwh")), 1e-9);
    assertEquals("Local", r1.get("stopReason"));
    assertEquals("ocpp1.6", r1.get("protocol"));
    assertEquals("", r1.get("uid"), "null is an empty cell");
    assertEquals(11.101, Double.parseDouble(rows.get(t2).get("energyKwh")), 1e-9);
    assertEquals(2.0, Double.parseDouble(rows.get(t4).get("energyKwh")), 1e-9);
    assertEquals("EVDisconnected", rows.get(t4).get("stopReason"));
    assertEquals("", rows.get(t3).get("energyKwh"));
    assertEquals("", rows.get(t3).get("stopTime"));
    assertEquals("uid-201", rows.get(t6).get("uid"));
    assertEquals("ocpp2.0.1", rows.get(t6).get("protocol"));

    // formula injection: a cell starting with =, +, -, @, tab or CR is prefixed so it stays text
    assertEquals("'=SUM(A1,A2)", rows.get(t3).get("startTagId"));
    assertEquals("'\t=2+3", rows.get(t5).get("startTagId"));
    for (Map<String, String> row : rows.values()) {
      for (String cell : row.values()) {
        assertTrue(cell.isEmpty() || "=+@\t\r".indexOf(cell.charAt(0)) < 0, "neutralized: " + cell);
      }
    }

    // filters apply to the CSV too
    List<String> txb = List.of(api.get("/transactions?chargePointId=TXB", CSV).expect(200).body().split("\r\n"));
    assertEquals(3, txb.size(), String.join("|", txb));
    assertTrue(txb.get(1).startsWith(t5 + ",TXB,2,"), txb.get(1));
    assertTrue(txb.get(2).startsWith(t4 + ",TXB,1,"), txb.get(2));
  }

  /** RFC 4180 cells of one line. */
  private static List<String> parseCsvLine(String line) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        cells.add(cell.toString());
        cell.setLength(0);
      } else {
        cell.append(c);
      }
    }
    cells.add(cell.toString());
    return cells;
  }

  @Test
  void detailIncludesMeterSamples() {
    JsonObject tx = api.get("/transactions/" + t1).expect(200).json();
    assertEquals(t1, tx.getLong("transactionId"));
    assertEquals(4.5, tx.getDouble("energyKwh"), 1e-9);
    JsonArray samples = tx.getJsonArray("meterSamples");
    assertNotNull(samples, tx.encode());
    assertEquals(3, samples.size(), "a reading sent in two messages is listed once: " + samples.encode());
    JsonObject energy = samples.getJsonObject(0);
    assertEquals("2025-01-01T10:30:00.000Z", energy.getString("timestamp"));
    assertEquals("Energy.Active.Import.Register", energy.getString("measurand"));
    assertEquals("3000", energy.getString("value"));
    assertEquals(3000.0, energy.getDouble("numericValue"));
    assertEquals("Wh", energy.getString("unit"));
    assertEquals(1, energy.getInteger("connectorId"));
    assertTrue(energy.containsKey("signedMeterValue"));
    assertNull(energy.getValue("signedMeterValue"), "1.6 signs in the value itself");
    JsonObject power = samples.getJsonObject(1);
    assertEquals("Power.Active.Import", power.getString("measurand"));
    assertEquals(11000.0, power.getDouble("numericValue"));
    JsonObject end = samples.getJsonObject(2);
    assertEquals("Transaction.End", end.getString("context"));
    assertEquals(1, end.getInteger("connectorId"), "StopTransaction's transactionData is on the transaction's connector");
    assertEquals(5500.0, end.getDouble("numericValue"));

    assertEquals(0, api.get("/transactions/" + t4).expect(200).json().getJsonArray("meterSamples").size());

    // 2.0.1: the signed meter data of the end reading comes back as the charger sent it
    JsonArray signed = api.get("/transactions/" + t6).expect(200).json().getJsonArray("meterSamples");
    assertEquals(2, signed.size(), signed.encode());
    assertNull(signed.getJsonObject(0).getValue("signedMeterValue"));
    assertEquals(SIGNED, signed.getJsonObject(1).getJsonObject("signedMeterValue"));
    assertEquals("Transaction.End", signed.getJsonObject(1).getString("context"));
    api.get("/transactions/987654").expect(404);
    api.get("/transactions/abc").expect(400);
  }
}
