package org.ocppcore.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.TestServer.await;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.ocppcore.TestServer;
import org.ocppcore.testsupport.TestCharger;

/**
 * The pages and actions without a browser: every page in both languages, the exports' contents,
 * the charge report, diagnostics, the CRUD forms' rules, every command through the command
 * service, the configuration of 1.6 and 2.x chargers, the message log filters, the event stream.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UiPagesTest {
  private static final String FORMULA = "=cmd|' /C calc'!A0";
  private TestServer server;
  private UiClient admin;
  private final Instant t0 = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
  private long finishedTx;
  private long openTx;

  @BeforeAll
  void start() throws Exception {
    server = UiFixture.start(new JsonObject().put("log", new JsonObject().put("dbMessageLog", 2)));
    server.chargePoint("CP1").chargePoint("CP2").chargePoint("OFF1").chargePoint("V2CP")
        .tag("TAG1", "FLEET", null, false).tag("TAG2", "FLEET", null, false).tag("LONE", null, null, false)
        .tag("BLOCKED", null, null, true);
    await(server.server().store().upsertTag(new org.ocppcore.domain.TagRecord("EVIL", FORMULA, "FLEET", null, false)));
    // CP1: a finished transaction with meter samples (TAG1, 7.5 kWh), and one by EVIL (1 kWh)
    TestCharger cp1 = connect("CP1");
    status(cp1, 1, "Available");
    finishedTx = transaction(cp1, "TAG1", 100_000, 107_500, 0);
    transaction(cp1, "EVIL", 107_500, 108_500, 30);
    transaction(cp1, "LONE", 108_500, 110_000, 45);
    await(cp1.close());
    // OFF1: an open transaction, then the charger goes away (an anomaly)
    TestCharger off = connect("OFF1");
    status(off, 1, "Charging");
    openTx = call(off, "StartTransaction", new JsonObject().put("connectorId", 1).put("idTag", "TAG2")
        .put("meterStart", 0).put("timestamp", t0.toString())).getLong("transactionId");
    await(off.close());
    admin = UiClient.loggedIn(server.httpPort(), UiFixture.ADMIN, UiFixture.ADMIN_PASSWORD);
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  private TestCharger connect(String id) throws Exception {
    return await(TestCharger.connect(server.vertx(), server.wsUrl(id)));
  }

  private static JsonObject call(TestCharger cp, String action, JsonObject payload) throws Exception {
    JsonArray reply = await(cp.call(action, payload));
    assertEquals(3, reply.getInteger(0), action + ": " + reply.encode());
    return reply.getJsonObject(2);
  }

  private static void status(TestCharger cp, int connector, String status) throws Exception {
    call(cp, "StatusNotification", new JsonObject().put("connectorId", connector).put("status", status)
        .put("errorCode", "NoError"));
  }

  /** A finished 1.6 transaction starting {@code minutes} after t0, with three meter readings. */
  private long transaction(TestCharger cp, String tag, int startWh, int stopWh, int minutes) throws Exception {
    Instant start = t0.plus(minutes, ChronoUnit.MINUTES);
    long id = call(cp, "StartTransaction", new JsonObject().put("connectorId", 1).put("idTag", tag)
        .put("meterStart", startWh).put("timestamp", start.toString())).getLong("transactionId");
    for (int i = 1; i <= 3; i++) {
      call(cp, "MeterValues", new JsonObject().put("connectorId", 1).put("transactionId", id)
          .put("meterValue", new JsonArray().add(new JsonObject().put("timestamp", start.plus(i * 5L, ChronoUnit.MINUTES)
              .toString()).put("sampledValue", new JsonArray()
              .add(new JsonObject().put("value", String.valueOf(startWh + (stopWh - startWh) * i / 4))
                  .put("measurand", "Energy.Active.Import.Register").put("unit", "Wh"))
              .add(new JsonObject().put("value", "3700").put("measurand", "Power.Active.Import").put("unit", "W")
                  .put("phase", "L1"))
              .add(new JsonObject().put("value", "3600").put("measurand", "Power.Active.Import").put("unit", "W")
                  .put("phase", "L2"))))));
    }
    call(cp, "StopTransaction", new JsonObject().put("transactionId", id).put("meterStop", stopWh)
        .put("timestamp", start.plus(20, ChronoUnit.MINUTES).toString()));
    return id;
  }

  // ---------------------------------------------------------------- every page, both languages

  @Test
  void everyPageRendersInEnglishAndGerman() throws Exception {
    List<String> pages = List.of("/", "/transactions", "/transactions?cp=CP1&connector=1&days=365",
        "/transactions/" + finishedTx, "/transactions/" + openTx, "/report", "/chargepoints", "/chargepoints/new",
        "/chargepoints/CP1", "/chargepoints/CP1/edit", "/chargepoints/CP1/configuration", "/chargepoints/V2CP/configuration",
        "/connectors", "/connectors/CP1/1", "/tags", "/tags/new", "/tags/TAG1/edit", "/diagnostics", "/messages",
        "/login?next=%2F", "/no-such-page");
    UiClient de = UiClient.loggedIn(server.httpPort(), UiFixture.ADMIN, UiFixture.ADMIN_PASSWORD).acceptLanguage("de");
    for (String p : pages) {
      HttpResponse<String> en = admin.get(p);
      HttpResponse<String> ge = de.get(p);
      int expected = p.equals("/no-such-page") ? 404 : p.startsWith("/login") ? 303 : 200;
      assertEquals(expected, en.statusCode(), p + "\n" + en.body());
      assertEquals(expected, ge.statusCode(), p);
      if (expected == 303) {
        continue;
      }
      assertTrue(en.body().contains("<html lang=\"en\">"), p);
      assertTrue(ge.body().contains("<html lang=\"de\">"), p);
      assertTrue(ge.body().contains(">Übersicht</a>"), "German navigation on " + p);
      assertFalse(ge.body().contains(">Overview</a>"), "no English navigation on the German " + p);
      assertEquals("text/html; charset=utf-8", en.headers().firstValue("Content-Type").orElse(""));
    }
    assertTrue(de.get("/no-such-page").body().contains("Diese Seite gibt es nicht."));
  }

  @Test
  void pagesEscapeWhatChargersAndUsersEnter() throws Exception {
    admin.post("/chargepoints", Map.of("id", "XSS1", "name", "<script>alert(1)</script>", "comment", "\"><img src=x>"));
    String list = admin.get("/chargepoints").body();
    assertFalse(list.contains("<script>alert(1)</script>"));
    assertTrue(list.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assertFalse(list.contains("\"><img src=x>"));
    admin.post("/chargepoints/XSS1/delete", Map.of());
  }

  @Test
  void staticAssetsAreVersionedAndCachedForAYear() throws Exception {
    String page = admin.get("/").body();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("/static/app\\.css\\?v=([0-9a-f]{12})").matcher(page);
    assertTrue(m.find(), "versioned stylesheet URL");
    for (String asset : List.of("/static/app.css", "/static/app.js", "/static/favicon.svg")) {
      HttpResponse<byte[]> r = new UiClient(server.httpPort()).getBytes(asset + "?v=" + m.group(1));
      assertEquals(200, r.statusCode(), asset);
      String cache = r.headers().firstValue("Cache-Control").orElse("");
      assertTrue(cache.contains("max-age=31536000") && cache.contains("public"), asset + ": " + cache);
      assertTrue(r.headers().firstValue("Set-Cookie").isEmpty(), "no session for an asset");
    }
    assertEquals(404, new UiClient(server.httpPort()).getBytes("/static/README.md").statusCode());
    assertFalse(page.contains("https://"), "no CDN or other site: the UI works offline");
  }

  // ---------------------------------------------------------------- transactions and exports

  @Test
  void transactionsExportAsCsvAndXlsx() throws Exception {
    String list = admin.get("/transactions?cp=CP1&connector=1&days=30").body();
    assertTrue(list.contains("/transactions/" + finishedTx + "\""), list);
    assertTrue(list.contains("3 transactions"), list);
    for (String days : List.of("-1", "abc", "99999999999")) {
      assertEquals(400, admin.get("/transactions?days=" + days).statusCode(), "days=" + days);
    }

    HttpResponse<String> csv = admin.get("/transactions/export.csv?cp=CP1&connector=1&days=30&tz=Europe%2FBerlin");
    assertEquals("text/csv; charset=utf-8", csv.headers().firstValue("Content-Type").orElse(""));
    assertTrue(csv.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment; filename=\"transactions-"));
    String[] lines = csv.body().split("\r\n");
    assertEquals('\uFEFF', lines[0].charAt(0), "a BOM so spreadsheets read UTF-8");
    assertEquals(4, lines.length);
    String first = lines[3]; // newest first: the TAG1 transaction is the oldest
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    String localStart = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").format(t0.atZone(berlin));
    assertEquals(finishedTx + ",CP1,1," + localStart + ",TAG1,100,"
        + java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").format(t0.plus(20, ChronoUnit.MINUTES)
        .atZone(berlin)) + ",,107.5,7.5", first, "times in the browser's zone");
    assertTrue(lines[2].contains(",'" + FORMULA.replace("\"", "\"\"") + ",") || lines[2].contains("\"'" + FORMULA),
        "a formula in a tag name is neutralized: " + lines[2]);

    UiClient de = UiClient.loggedIn(server.httpPort(), UiFixture.ADMIN, UiFixture.ADMIN_PASSWORD).acceptLanguage("de");
    String deCsv = de.get("/transactions/export.csv?cp=CP1&connector=1&days=30").body();
    assertTrue(deCsv.split("\r\n")[0].contains("Ladevorgang;Ladepunkt;Anschluss;Beginn"), deCsv);
    assertTrue(deCsv.split("\r\n")[3].endsWith(";107,5;7,5"), "German: semicolons and decimal commas");

    HttpResponse<byte[]> xlsx = admin.getBytes("/transactions/export.xlsx?cp=CP1&connector=1&days=30&tz=UTC");
    assertEquals(Xlsx.CONTENT_TYPE, xlsx.headers().firstValue("Content-Type").orElse(""));
    Map<String, String> cells = UiBrowserTest.XlsxReader.cells(xlsx.body());
    assertEquals("Transaction", cells.get("A1"));
    assertEquals(String.valueOf(finishedTx), cells.get("A4"));
    assertEquals("7.5", cells.get("J4"));
    assertEquals(Xlsx.serial(t0, ZoneId.of("UTC")), Double.parseDouble(cells.get("D4")), 1e-6);
    assertEquals(FORMULA, cells.get("E3"), "text stays text in a workbook (inline string, never a formula)");
  }

  @Test
  void aTransactionPageDrawsItsCurve() throws Exception {
    String page = admin.get("/transactions/" + finishedTx).body();
    assertTrue(page.contains("<svg class=\"chart\""), page);
    assertTrue(page.contains("class=\"line-power\""));
    assertTrue(page.contains("class=\"line-energy\""));
    assertTrue(page.contains("data-time=\""), "time labels for the browser's zone");
    assertTrue(page.contains("7.30"), "power is the sum of the phases (3.7 + 3.6 kW)");
    String open = admin.get("/transactions/" + openTx).body();
    assertTrue(open.contains("id=\"curve-empty\""), "no samples, no curve");
    assertEquals(404, admin.get("/transactions/999999").statusCode());
    assertEquals(404, admin.get("/transactions/abc").statusCode());
  }

  @Test
  void theChargeReportGroupsByTagGroup() throws Exception {
    String from = LocalDate.now(ZoneId.of("UTC")).minusDays(2).toString();
    String to = LocalDate.now(ZoneId.of("UTC")).plusDays(1).toString();
    String page = admin.get("/report?from=" + from + "&to=" + to + "&tz=UTC").body();
    assertTrue(page.contains("FLEET"), page);
    assertTrue(page.contains("(no group)"));
    assertTrue(page.contains("id=\"report-total\">10.00<"), "7.5 + 1 + 1.5 kWh; the open transaction counts 0");
    assertTrue(page.contains("4 transactions"), "started in the range and finished before its end, or still open");
    for (String quick : List.of("Year to date", "Previous year", "Previous month", "Previous week")) {
      assertTrue(page.contains(quick), quick);
    }
    Map<String, String> summary = UiBrowserTest.XlsxReader.cells(admin.getBytes("/report/summary.xlsx?from=" + from
        + "&to=" + to).body());
    assertEquals("Group", summary.get("A1"));
    assertEquals("", summary.getOrDefault("A2", ""), "the group-less tags first");
    String csv = admin.get("/report/transactions.csv?from=" + from + "&to=" + to + "&tz=UTC").body();
    String[] lines = csv.split("\r\n");
    assertEquals(13, lines[0].split(",").length, "OCPP.Core's 13 columns: " + lines[0]);
    assertEquals(5, lines.length);
    assertTrue(csv.contains(finishedTx + ",CP1,1,TAG1,TAG1,FLEET,"), csv);
    assertEquals(400, admin.get("/report?from=2026-13-01").statusCode());
    assertEquals(400, admin.get("/report?from=2026-02-01&to=2026-01-01").statusCode());
  }

  // ---------------------------------------------------------------- diagnostics

  @Test
  void diagnosticsFlagsOcppCoresAnomalies() throws Exception {
    String page = admin.get("/diagnostics").body();
    int anomaly = page.indexOf("Offline with an open transaction");
    assertTrue(anomaly > 0, page);
    int firstRow = page.indexOf("<tr class=\"anomaly\" data-cp=\"OFF1\"");
    assertTrue(firstRow > 0 && firstRow < page.indexOf("data-cp=\"CP1\""), "anomalies sort first");
    assertTrue(page.contains("id=\"stat-anomalies\">1<"), page);
    assertTrue(page.contains("id=\"stat-open\">1<"));
  }

  // ---------------------------------------------------------------- charge points, connectors, tags

  @Test
  void chargePointFormsValidateAndKeepThePasswordWriteOnly() throws Exception {
    HttpResponse<String> bad = admin.post("/chargepoints", Map.of("id", "bad id!", "password", "short",
        "clientCertThumbprint", "xyz"));
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("The ID must be 1 to 48"));
    assertTrue(bad.body().contains("The password must have 8 to 64 characters."));
    assertTrue(bad.body().contains("The thumbprint must be a SHA-256"));
    assertTrue(admin.post("/chargepoints", Map.of("id", "cp1")).body().contains("A charge point cp1 exists already."),
        "ids are unique case-insensitively");

    String thumb = "AB".repeat(32);
    assertEquals(303, admin.post("/chargepoints", Map.of("id", "NEW1", "name", "New one", "password", "new-password-1",
        "clientCertThumbprint", thumb, "registrationStatus", "Pending")).statusCode());
    Map<String, Object> row = server.query("SELECT * FROM ChargePoint WHERE ChargePointId = 'NEW1'").get(0);
    String hash = (String) row.get("PasswordHash");
    assertNotNull(hash);
    assertFalse(hash.contains("new-password-1"));
    assertEquals("Pending", row.get("RegistrationStatus"));
    String edit = admin.get("/chargepoints/NEW1/edit").body();
    assertFalse(edit.contains("new-password-1"), "the password is never shown");
    assertTrue(edit.contains("A password is set."));
    admin.post("/chargepoints/NEW1", Map.of("name", "Renamed", "registrationStatus", "Accepted"));
    row = server.query("SELECT * FROM ChargePoint WHERE ChargePointId = 'NEW1'").get(0);
    assertEquals(hash, row.get("PasswordHash"), "an empty password field keeps the stored one");
    assertEquals("Renamed", row.get("Name"));
    assertNull(row.get("ClientCertThumb"), "an emptied field is cleared");
    admin.post("/chargepoints/NEW1", Map.of("name", "Renamed", "removePassword", "on"));
    assertNull(server.query("SELECT * FROM ChargePoint WHERE ChargePointId = 'NEW1'").get(0).get("PasswordHash"));

    // delete: refused with billing records, done without (and a connected charger is closed)
    HttpResponse<String> refused = admin.post("/chargepoints/CP1/delete", Map.of());
    assertEquals("/chargepoints/CP1", refused.headers().firstValue("Location").orElse(""));
    assertTrue(admin.get("/chargepoints/CP1").body().contains("kept as billing records"));
    TestCharger connected = connect("NEW1");
    assertEquals("/chargepoints", admin.post("/chargepoints/NEW1/delete", Map.of()).headers().firstValue("Location")
        .orElse(""));
    assertTrue(server.query("SELECT * FROM ChargePoint WHERE ChargePointId = 'NEW1'").isEmpty());
    connected.closed().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertTrue(connected.isClosed(), "a deleted charge point is disconnected");
    assertEquals(404, admin.get("/chargepoints/NEW1").statusCode());
  }

  @Test
  void connectorsCanBeRenamed() throws Exception {
    assertEquals(303, admin.post("/connectors/CP1/1", Map.of("name", "Left socket")).statusCode());
    assertTrue(admin.get("/").body().contains(">Left socket</span>"), "the tile takes the connector's name");
    assertEquals(400, admin.post("/connectors/CP1/1", Map.of("name", "x".repeat(101))).statusCode());
    assertEquals(404, admin.get("/connectors/CP1/9").statusCode());
    admin.post("/connectors/CP1/1", Map.of("name", ""));
  }

  @Test
  void tagFormsValidateAndStoreTheExpiryInTheBrowsersZone() throws Exception {
    assertTrue(admin.post("/tags", Map.of("tagId", "tag1")).body().contains("A tag tag1 exists already."),
        "tag ids are case-insensitive");
    assertEquals(400, admin.post("/tags", Map.of("tagId", "T-EXP", "expiryDate", "31.12.2027")).statusCode());
    assertEquals(303, admin.post("/tags", Map.of("tagId", "T-EXP", "name", "Expiring", "parentTagId", "G9",
        "expiryDate", "2027-12-31", "tz", "Europe/Berlin", "blocked", "on")).statusCode());
    Map<String, Object> row = server.query("SELECT * FROM ChargeTags WHERE TagId = 'T-EXP'").get(0);
    assertEquals("2027-12-31T23:00:00.000Z", row.get("ExpiryDate"), "valid through 31 December in Berlin");
    assertEquals(1, ((Number) row.get("Blocked")).intValue());
    String edit = admin.get("/tags/T-EXP/edit").body();
    assertTrue(edit.contains("value=\"2027-12-31\""), edit);
    admin.post("/tags/T-EXP", Map.of("name", "Expiring", "parentTagId", "G9"));
    row = server.query("SELECT * FROM ChargeTags WHERE TagId = 'T-EXP'").get(0);
    assertNull(row.get("ExpiryDate"));
    assertEquals(0, ((Number) row.get("Blocked")).intValue());
    assertEquals(303, admin.post("/tags/T-EXP/delete", Map.of()).statusCode());
    assertTrue(server.query("SELECT * FROM ChargeTags WHERE TagId = 'T-EXP'").isEmpty());
    assertEquals(404, admin.get("/tags/T-EXP/edit").statusCode());
  }

  // ---------------------------------------------------------------- commands and configuration

  private String flashAfter(HttpResponse<String> r) throws Exception {
    assertEquals(303, r.statusCode(), r.body());
    String page = admin.get(r.headers().firstValue("Location").orElseThrow()).body();
    int start = page.indexOf("<div class=\"flash");
    assertTrue(start >= 0, "no message on the page");
    return page.substring(start, page.indexOf("<h1>", start)); // every message the session had
  }

  @Test
  void everyCommandGoesThroughTheCommandService() throws Exception {
    TestCharger cp = await(TestCharger.connect(server.vertx(), server.wsUrl("CP2"), new TestCharger.Options()
        .onCall("Reset", p -> new JsonObject().put("status", "Accepted"))
        .onCall("UnlockConnector", p -> new JsonObject().put("status", "Unlocked"))
        .onCall("ChangeAvailability", p -> new JsonObject().put("status", "Scheduled"))
        .onCall("TriggerMessage", p -> new JsonObject().put("status", "Accepted"))
        .onCall("ClearCache", p -> new JsonObject().put("status", "Accepted"))
        .onCall("DataTransfer", p -> new TestCharger.Error("NotSupported", "no vendor extensions"))
        .onCall("SetChargingProfile", p -> new JsonObject().put("status", "Accepted"))
        .onCall("ClearChargingProfile", p -> new JsonObject().put("status", "Accepted"))
        .onCall("GetCompositeSchedule", p -> new JsonObject().put("status", "Rejected"))
        .onCall("GetLocalListVersion", p -> new JsonObject().put("listVersion", 7))
        .onCall("RemoteStartTransaction", p -> new JsonObject().put("status", "Accepted"))));
    status(cp, 1, "Available");
    String base = "/chargepoints/CP2/commands/";
    assertTrue(flashAfter(admin.post(base + "reset", Map.of("type", "hard"))).contains("Reset: Accepted"));
    assertEquals("Hard", cp.receivedCalls("Reset").get(0).getJsonObject(3).getString("type"));
    assertTrue(flashAfter(admin.post(base + "unlock", Map.of("connectorId", "1"))).contains("UnlockConnector: Unlocked"));
    assertTrue(flashAfter(admin.post(base + "availability", Map.of("connectorId", "1", "type", "inoperative")))
        .contains("ChangeAvailability: Scheduled"));
    assertEquals("Inoperative", cp.receivedCalls("ChangeAvailability").get(0).getJsonObject(3).getString("type"));
    assertTrue(flashAfter(admin.post(base + "trigger", Map.of("message", "Heartbeat"))).contains("TriggerMessage: Accepted"));
    assertTrue(flashAfter(admin.post(base + "clear-cache", Map.of())).contains("ClearCache: Accepted"));
    String callError = flashAfter(admin.post(base + "data-transfer", Map.of("vendorId", "ACME")));
    assertTrue(callError.contains("flash-error") && callError.contains("NotSupported no vendor extensions"), callError);
    assertTrue(flashAfter(admin.post(base + "charging-limit", Map.of("connectorId", "1", "limit", "16", "unit", "A")))
        .contains("SetChargingProfile: Accepted"));
    assertEquals(16.0, cp.receivedCalls("SetChargingProfile").get(0).getJsonObject(3).getJsonObject("csChargingProfiles")
        .getJsonObject("chargingSchedule").getJsonArray("chargingSchedulePeriod").getJsonObject(0).getDouble("limit"));
    assertTrue(flashAfter(admin.post(base + "clear-charging-limit", Map.of("connectorId", "1")))
        .contains("ClearChargingProfile: Accepted"));
    assertTrue(flashAfter(admin.post(base + "composite-schedule", Map.of("connectorId", "1", "duration", "600")))
        .contains("GetCompositeSchedule: Rejected"));
    String raw = flashAfter(admin.post(base + "raw", Map.of("action", "GetLocalListVersion", "payload", "{}")));
    assertTrue(raw.contains("GetLocalListVersion: answered") && raw.contains("&quot;listVersion&quot; : 7"), raw);
    assertTrue(flashAfter(admin.post(base + "raw", Map.of("action", "Reset", "payload", "{\"type\":\"Sometimes\"}")))
        .contains("The charger does not accept this"), "validated against the official schema before sending");
    assertTrue(flashAfter(admin.post(base + "raw", Map.of("action", "Reset", "payload", "[1]")))
        .contains("not a JSON object"));

    // remote start checks the tag first (OCPP.Core's local pre-check); stop needs an open transaction
    assertTrue(flashAfter(admin.post(base + "remote-start", Map.of("connectorId", "1", "idTag", "BLOCKED")))
        .contains("Tag BLOCKED may not charge (Blocked)."));
    assertTrue(cp.receivedCalls("RemoteStartTransaction").isEmpty());
    assertTrue(flashAfter(admin.post(base + "remote-start", Map.of("connectorId", "1", "idTag", "tag1")))
        .contains("RemoteStartTransaction: Accepted"));
    assertEquals("TAG1", cp.receivedCalls("RemoteStartTransaction").get(0).getJsonObject(3).getString("idTag"));
    assertTrue(flashAfter(admin.post(base + "remote-stop", Map.of("connectorId", "1")))
        .contains("There is no open transaction (1)."));
    assertTrue(flashAfter(admin.post(base + "unlock", Map.of())).contains("connectorId is required."));

    // an offline charger answers at once
    assertTrue(flashAfter(admin.post("/chargepoints/OFF1/commands/reset", Map.of())).contains("is not connected"));
    assertEquals(404, admin.post(base + "self-destruct", Map.of()).statusCode());
    List<Map<String, Object>> audit = server.query("SELECT * FROM MessageLog WHERE ChargePointId = 'CP2' "
        + "AND Message = 'Command:Reset'");
    assertTrue(String.valueOf(audit.get(0).get("Result")).startsWith("by ui:admin:"), audit.toString());
    await(cp.close());
  }

  @Test
  void theConfigurationOfA2xChargerComesFromItsReport() throws Exception {
    TestCharger cp = await(TestCharger.connect(server.vertx(), server.wsUrl("V2CP"), new TestCharger.Options()
        .subprotocols("ocpp2.0.1")
        .onCall("GetBaseReport", p -> new JsonObject().put("status", "Accepted"))
        .onCall("SetVariables", p -> new JsonObject().put("setVariableResult", new JsonArray().add(new JsonObject()
            .put("attributeStatus", "Accepted").put("component", new JsonObject().put("name", "OCPPCommCtrlr"))
            .put("variable", new JsonObject().put("name", "HeartbeatInterval")))))));
    call(cp, "BootNotification", new JsonObject().put("reason", "PowerUp").put("chargingStation", new JsonObject()
        .put("vendorName", "ACME").put("model", "Wallbox 2x")));
    String read = flashAfter(admin.post("/chargepoints/V2CP/configuration/read", Map.of()));
    assertTrue(read.contains("Report requested"), read);
    assertEquals("ConfigurationInventory", cp.receivedCalls("GetBaseReport").get(0).getJsonObject(3).getString("reportBase"));
    call(cp, "NotifyReport", new JsonObject().put("requestId", 1).put("generatedAt", Instant.now().toString())
        .put("seqNo", 0).put("reportData", new JsonArray().add(new JsonObject()
            .put("component", new JsonObject().put("name", "OCPPCommCtrlr"))
            .put("variable", new JsonObject().put("name", "HeartbeatInterval"))
            .put("variableAttribute", new JsonArray().add(new JsonObject().put("value", "300")
                .put("mutability", "ReadWrite"))))));
    String page = admin.get("/chargepoints/V2CP/configuration").body();
    assertTrue(page.contains("HeartbeatInterval") && page.contains("value=\"300\""), page);
    String changed = flashAfter(admin.post("/chargepoints/V2CP/configuration", Map.of("component", "OCPPCommCtrlr",
        "variable", "HeartbeatInterval", "attributeType", "Actual", "evseId", "0", "connectorId", "0", "value", "120")));
    assertTrue(changed.contains("SetVariables: answered"), changed);
    JsonObject sent = cp.receivedCalls("SetVariables").get(0).getJsonObject(3).getJsonArray("setVariableData")
        .getJsonObject(0);
    assertEquals("120", sent.getString("attributeValue"));
    assertEquals("OCPPCommCtrlr", sent.getJsonObject("component").getString("name"));
    assertFalse(sent.getJsonObject("component").containsKey("evse"), "EVSE 0 is the station itself");
    await(cp.close());
  }

  // ---------------------------------------------------------------- message log and live events

  @Test
  void theMessageLogFilters() throws Exception {
    String all = admin.get("/messages").body();
    assertTrue(all.contains("StartTransaction") && all.contains("OFF1"));
    String cp1 = admin.get("/messages?source=CP1&message=" + URLEncoder.encode("meter", StandardCharsets.UTF_8)).body();
    assertTrue(cp1.contains("MeterValues"), cp1);
    assertFalse(cp1.contains("<td>StartTransaction</td>"));
    assertFalse(cp1.contains("<td>OFF1</td>"));
    assertTrue(admin.get("/messages?text=" + URLEncoder.encode("Tx=" + finishedTx, StandardCharsets.UTF_8)).body()
        .contains("StartTransaction"));
    String text = admin.get("/messages?text=" + URLEncoder.encode("Tx_" + finishedTx, StandardCharsets.UTF_8)).body();
    assertTrue(text.contains("No entries match."), "LIKE wildcards in the filter are literal");
    String today = LocalDate.now(ZoneId.of("UTC")).toString();
    assertTrue(admin.get("/messages?from=" + today + "&to=" + today + "&tz=UTC").body().contains("MeterValues"));
    assertTrue(admin.get("/messages?from=2001-01-01&to=2001-01-02").body().contains("No entries match."));
  }

  @Test
  void theEventStreamPushesWhatChargersReport() throws Exception {
    UiClient user = UiClient.loggedIn(server.httpPort(), UiFixture.USER, UiFixture.USER_PASSWORD);
    HttpResponse<InputStream> stream = user.open("/ui/events");
    assertEquals(200, stream.statusCode());
    assertEquals("text/event-stream; charset=utf-8", stream.headers().firstValue("Content-Type").orElse(""));
    BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
    CompletableFuture<JsonObject> statusEvent = firstEvent(reader, "status", e -> true, new ArrayList<>());
    TestCharger cp = connect("CP1");
    status(cp, 1, "Faulted");
    JsonObject event = statusEvent.get(10, TimeUnit.SECONDS);
    assertEquals("CP1", event.getString("chargePointId"));
    assertEquals("Faulted", event.getString("status"));
    status(cp, 1, "Available");
    await(cp.close());
    UiClient.close(stream.body());
  }

  @Test
  void theEventStreamPushesTheLatestLiveMeterFigures() throws Exception {
    UiClient user = UiClient.loggedIn(server.httpPort(), UiFixture.USER, UiFixture.USER_PASSWORD);
    HttpResponse<InputStream> stream = user.open("/ui/events");
    BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
    CompletableFuture<JsonObject> last = firstEvent(reader, "meter",
        m -> "CP2".equals(m.getString("chargePointId")) && m.getDouble("energyKwh") == 12.5, new ArrayList<>());
    TestCharger cp = connect("CP2");
    // three readings in a row: the page gets the last (coalescing itself: MeterEventRelayTest)
    for (int wh : new int[] {12_300, 12_400, 12_500}) {
      call(cp, "MeterValues", new JsonObject().put("connectorId", 2).put("meterValue", new JsonArray().add(new JsonObject()
          .put("timestamp", Instant.now().toString()).put("sampledValue", new JsonArray()
              .add(new JsonObject().put("value", String.valueOf(wh)).put("measurand", "Energy.Active.Import.Register"))
              .add(new JsonObject().put("value", "7400").put("measurand", "Power.Active.Import").put("unit", "W"))))));
    }
    JsonObject event = last.get(10, TimeUnit.SECONDS);
    assertEquals(2, event.getInteger("connectorId"));
    assertEquals(7.4, event.getDouble("powerKw"));
    await(cp.close());
    UiClient.close(stream.body());
  }

  @Test
  void signedReadingsAreListedForTransparencySoftware() throws Exception {
    // dated 2020, so they stay out of the other tests' ranges
    String ocmf16 = "OCMF|{\"FV\":\"1.0\",\"RD\":[{\"RV\":2.5,\"RU\":\"kWh\"}]}|{\"SA\":\"ECDSA-secp256r1-SHA256\",\"SD\":\"3045\"}";
    TestCharger cp2 = connect("CP2");
    long tx16 = call(cp2, "StartTransaction", new JsonObject().put("connectorId", 2).put("idTag", "TAG1")
        .put("meterStart", 0).put("timestamp", "2020-01-01T10:00:00Z")).getLong("transactionId");
    call(cp2, "StopTransaction", new JsonObject().put("transactionId", tx16).put("meterStop", 2500)
        .put("timestamp", "2020-01-01T11:00:00Z").put("transactionData", new JsonArray().add(new JsonObject()
            .put("timestamp", "2020-01-01T11:00:00Z").put("sampledValue", new JsonArray()
                .add(new JsonObject().put("value", "2500").put("context", "Transaction.End"))
                .add(new JsonObject().put("value", ocmf16).put("format", "SignedData").put("context", "Transaction.End"))))));
    await(cp2.close());
    String page16 = admin.get("/transactions/" + tx16).body();
    assertTrue(page16.contains("id=\"signed-readings\""), page16);
    assertTrue(page16.contains("Readings signed by the meter: 1."), page16);
    assertTrue(page16.contains(">SignedData<"));
    assertTrue(page16.contains("OCMF|{&quot;FV&quot;:&quot;1.0&quot;"), "the signed value, HTML-escaped, in full");

    JsonObject proof = new JsonObject().put("signedMeterData", "T0NNRnx7IkZWIjoiMS4wIn0=")
        .put("signingMethod", "ECDSA-secp256r1-SHA256").put("encodingMethod", "OCMF").put("publicKey", "MFkwEwYHKoZIzj0C");
    TestCharger v2 = await(TestCharger.connect(server.vertx(), server.wsUrl("V2CP"), new TestCharger.Options()
        .subprotocols("ocpp2.0.1")));
    JsonObject evse = new JsonObject().put("id", 1).put("connectorId", 1);
    call(v2, "TransactionEvent", new JsonObject().put("eventType", "Started").put("timestamp", "2020-01-02T10:00:00Z")
        .put("triggerReason", "Authorized").put("seqNo", 0).put("evse", evse)
        .put("transactionInfo", new JsonObject().put("transactionId", "SIGNED-1"))
        .put("idToken", new JsonObject().put("idToken", "TAG1").put("type", "ISO14443")));
    call(v2, "TransactionEvent", new JsonObject().put("eventType", "Ended").put("timestamp", "2020-01-02T11:00:00Z")
        .put("triggerReason", "StopAuthorized").put("seqNo", 1).put("evse", evse)
        .put("transactionInfo", new JsonObject().put("transactionId", "SIGNED-1").put("stoppedReason", "Local"))
        .put("meterValue", new JsonArray().add(new JsonObject().put("timestamp", "2020-01-02T11:00:00Z")
            .put("sampledValue", new JsonArray().add(new JsonObject().put("value", 12345.0).put("context", "Transaction.End")
                .put("unitOfMeasure", new JsonObject().put("unit", "Wh")).put("signedMeterValue", proof))))));
    await(v2.close());
    Object tx2 = server.query("SELECT TransactionId FROM Transactions WHERE Uid = 'SIGNED-1'").get(0).get("TransactionId");
    String page2 = admin.get("/transactions/" + tx2).body();
    assertTrue(page2.contains(">12345 Wh<"), page2);
    assertTrue(page2.contains("OCMF · ECDSA-secp256r1-SHA256"));
    assertTrue(page2.contains(">T0NNRnx7IkZWIjoiMS4wIn0=</textarea>"));
    assertTrue(page2.contains(">MFkwEwYHKoZIzj0C</textarea>"), "the public key beside it");
    String de = UiClient.loggedIn(server.httpPort(), UiFixture.ADMIN, UiFixture.ADMIN_PASSWORD).acceptLanguage("de")
        .get("/transactions/" + tx2).body();
    assertTrue(de.contains("Signierte Zählerstände"), de);

    assertFalse(admin.get("/transactions/" + finishedTx).body().contains("signed-readings"), "no signatures, no section");
  }

  /** Reads the event stream in the background: every event of {@code kind} into {@code seen}, the first that matches. */
  private static CompletableFuture<JsonObject> firstEvent(BufferedReader reader, String kind,
      java.util.function.Predicate<JsonObject> match, List<JsonObject> seen) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        String line;
        boolean wanted = false;
        while ((line = reader.readLine()) != null) {
          if (line.startsWith("event: ")) {
            wanted = line.equals("event: " + kind);
          } else if (wanted && line.startsWith("data: ")) {
            JsonObject e = new JsonObject(line.substring(6));
            seen.add(e);
            if (match.test(e)) {
              return e;
            }
          }
        }
        return null;
      } catch (java.io.IOException e) {
        return null;
      }
    });
  }
}
