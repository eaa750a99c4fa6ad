package org.ocppcore.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.TestServer.await;
import static org.ocppcore.api.ApiClient.obj;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.ocppcore.TestServer;
import org.ocppcore.api.ApiClient.Resp;
import org.ocppcore.testsupport.TestCharger;

/**
 * Charge points, tags and connectors through the API, and chargers using what the API created:
 * write-only passwords, deletion (disconnects; refused while billing records exist), tag
 * authorization, body validation, connectors with live data, the status overview.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiResourcesTest {
  private TestServer server;
  private ApiClient api;

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start();
    api = new ApiClient(server, server.apiKey("integrator", "admin"));
  }

  @AfterAll
  void stop() throws Exception {
    api.close();
    server.close();
  }

  private TestCharger connect(String id, TestCharger.Options options) throws Exception {
    return await(TestCharger.connect(server.vertx(), server.wsUrl(id), options));
  }

  private int refusal(String id, TestCharger.Options options) throws Exception {
    return await(TestCharger.connectExpectingFailure(server.vertx(), server.wsUrl(id), options));
  }

  private static TestCharger.Options auth(String id, String password) {
    return new TestCharger.Options().basicAuth(id, password);
  }

  // ------------------------------------------------------------------ charge points

  @Test
  void passwordIsWriteOnlyAndGovernsTheConnection() throws Exception {
    Resp created = api.put("/chargepoints/RES1", obj("name", "Res one", "comment", "garage",
        "password", "first-password-1")).expect(201);
    JsonObject cp = created.json();
    assertEquals("RES1", cp.getString("id"));
    assertEquals("Res one", cp.getString("name"));
    assertEquals("garage", cp.getString("comment"));
    assertEquals("Accepted", cp.getString("registrationStatus"));
    assertTrue(cp.getBoolean("passwordSet"));
    String hash = (String) server.query("SELECT PasswordHash FROM ChargePoint WHERE ChargePointId = 'RES1'").get(0)
        .get("PasswordHash");
    assertNotNull(hash);
    for (Resp r : List.of(created, api.get("/chargepoints/RES1").expect(200), api.get("/chargepoints").expect(200),
        api.get("/status").expect(200))) {
      assertFalse(r.body().contains("first-password-1"), "the password is never shown: " + r.body());
      assertFalse(r.body().contains(hash), "nor its hash: " + r.body());
      assertFalse(r.body().contains("\"password\""), r.body());
      assertFalse(r.body().toLowerCase().contains("passwordhash"), r.body());
    }

    connect("RES1", auth("RES1", "first-password-1")).close();
    assertEquals(401, refusal("RES1", auth("RES1", "wrong-password-9")));
    assertEquals(401, refusal("RES1", new TestCharger.Options()));

    // a new password replaces the old one at once
    assertTrue(api.put("/chargepoints/RES1", obj("name", "Res one", "password", "second-password-2")).expect(200)
        .json().getBoolean("passwordSet"));
    assertEquals(401, refusal("RES1", auth("RES1", "first-password-1")));
    connect("RES1", auth("RES1", "second-password-2")).close();

    // omitting the password keeps it (the rest is replaced)
    JsonObject renamed = api.put("/chargepoints/RES1", obj("name", "renamed")).expect(200).json();
    assertEquals("renamed", renamed.getString("name"));
    assertNull(renamed.getString("comment"));
    assertTrue(renamed.getBoolean("passwordSet"));
    connect("RES1", auth("RES1", "second-password-2")).close();
    assertEquals(401, refusal("RES1", new TestCharger.Options()));

    // null removes it
    assertFalse(api.put("/chargepoints/RES1", obj("password", null)).expect(200).json().getBoolean("passwordSet"));
    connect("RES1", new TestCharger.Options()).close();
  }

  @Test
  void registrationStatusAndThumbprint() {
    JsonObject cp = api.put("/chargepoints/RES2", obj("registrationStatus", "Pending", "cutTagAtUnderscore", true,
        "clientCertThumbprint", "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01"
            + ":23:45:67:89")).expect(201).json();
    assertEquals("Pending", cp.getString("registrationStatus"));
    assertTrue(cp.getBoolean("cutTagAtUnderscore"));
    assertNotNull(cp.getString("clientCertThumbprint"));
    assertFalse(cp.getBoolean("passwordSet"));
    assertEquals("RES2", cp.getString("name"), "the name defaults to the id");
    // a replace without registrationStatus keeps it
    assertEquals("Pending", api.put("/chargepoints/RES2", obj()).expect(200).json().getString("registrationStatus"));
  }

  @Test
  void aRegistrationStatusChangeAppliesToTheConnectedCharger() throws Exception {
    server.chargePoint("PEND", null, null, "Pending");
    JsonObject boot = obj("chargePointVendor", "V", "chargePointModel", "M");
    TestCharger cp = connect("PEND", new TestCharger.Options());
    assertEquals("Pending", await(cp.callForResult("BootNotification", boot)).getString("status"));
    // the operator approves it: the charger must not stay Pending for the life of its connection
    assertFalse(api.put("/chargepoints/PEND", obj("registrationStatus", "Accepted")).expect(200).json()
        .getBoolean("online"), "the connection was closed and is shown so");
    TestCharger pending = cp;
    assertTrue(waitUntil(pending::isClosed), "the charger's connection is closed so that it reconnects");
    cp = connect("PEND", new TestCharger.Options());
    assertEquals("Accepted", await(cp.callForResult("BootNotification", boot)).getString("status"));
    assertTrue(api.get("/chargepoints/PEND").expect(200).json().getBoolean("online"));
    // a change that keeps the status leaves the connection alone
    api.put("/chargepoints/PEND", obj("registrationStatus", "Accepted", "name", "renamed")).expect(200);
    assertEquals(TestCharger.CALLRESULT, await(cp.call("Heartbeat", new JsonObject())).getInteger(0));
    // and locking it out takes effect at once too
    api.put("/chargepoints/PEND", obj("registrationStatus", "Rejected")).expect(200);
    TestCharger locked = cp;
    assertTrue(waitUntil(() -> locked.isClosed() || isRefused(locked)), "a rejected charger is not served any more");
    cp.close();
  }

  private static boolean isRefused(TestCharger cp) {
    try {
      JsonArray r = await(cp.call("Heartbeat", new JsonObject()));
      return r.getInteger(0) == TestCharger.CALLERROR;
    } catch (Exception e) {
      return true;
    }
  }

  private static boolean waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 3_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  @Test
  void deleteDisconnectsTheCharger() throws Exception {
    api.put("/chargepoints/DEL1", obj("password", "delete-me-please")).expect(201);
    TestCharger cp = connect("DEL1", auth("DEL1", "delete-me-please"));
    api.delete("/chargepoints/DEL1").expect(204);
    cp.closed().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertTrue(cp.isClosed());
    api.get("/chargepoints/DEL1").expect(404);
    assertEquals(404, refusal("DEL1", auth("DEL1", "delete-me-please")));
    api.delete("/chargepoints/DEL1").expect(404);
    // an offline one is simply deleted
    api.put("/chargepoints/DEL2", obj()).expect(201);
    api.delete("/chargepoints/DEL2").expect(204);
  }

  @Test
  void deleteIsRefusedWhileBillingRecordsExist() throws Exception {
    server.chargePoint("TXCP");
    TestCharger cp = connect("TXCP", new TestCharger.Options());
    await(cp.callForResult("StartTransaction", obj("connectorId", 1, "idTag", "ANY", "meterStart", 0,
        "timestamp", Instant.now().toString())));
    Resp r = api.delete("/chargepoints/TXCP").expect(409);
    assertTrue(r.json().getString("error").contains("transactions"), r.body());
    api.get("/chargepoints/TXCP").expect(200);
    assertFalse(cp.isClosed(), "a refused delete leaves the charger connected");

    // meter values outside any transaction are billing records as well: 409, not a database error
    server.chargePoint("MVCP");
    TestCharger mv = connect("MVCP", new TestCharger.Options());
    await(mv.callForResult("MeterValues", obj("connectorId", 0, "meterValue", new JsonArray().add(obj(
        "timestamp", Instant.now().toString(), "sampledValue", new JsonArray().add(obj("value", "1000",
            "measurand", "Energy.Active.Import.Register", "unit", "Wh")))))));
    api.delete("/chargepoints/MVCP").expect(409);
    api.get("/chargepoints/MVCP").expect(200);
    cp.close();
    mv.close();
  }

  @Test
  void invalidChargePointIdInThePath() {
    String tooLong = "X".repeat(49);
    for (String id : List.of("bad!id", "bad%20id", "a%3Ab", tooLong)) {
      api.get("/chargepoints/" + id).expect(400);
      api.put("/chargepoints/" + id, obj()).expect(400);
      api.delete("/chargepoints/" + id).expect(400);
      api.get("/chargepoints/" + id + "/connectors").expect(400);
    }
    api.put("/chargepoints/" + "X".repeat(48), obj()).expect(201);
  }

  @Test
  void invalidBodiesAre400WithAReason() {
    Map<String, JsonObject> chargePointBodies = Map.of(
        "nmae", obj("nmae", "typo"),
        "name", obj("name", 5),
        "registrationStatus", obj("registrationStatus", "Maybe"),
        "password", obj("password", "short"),
        "clientCertThumbprint", obj("clientCertThumbprint", "not-a-thumbprint"),
        "cutTagAtUnderscore", obj("cutTagAtUnderscore", "yes"),
        "comment", obj("comment", "c".repeat(201)));
    chargePointBodies.forEach((field, body) -> {
      Resp r = api.put("/chargepoints/NEWCP", body).expect(400);
      String error = r.json().getString("error");
      assertTrue(error != null && error.contains(field), field + ": the reason names the field: " + r.body());
    });
    for (String text : List.of("{not json", "[1,2]", "\"text\"")) {
      Resp r = api.send(HttpMethod.PUT, "/chargepoints/NEWCP", text, Map.of()).expect(400);
      assertNotNull(r.json().getString("error"));
    }
    // over the body limit: still a JSON answer an integration can read, not the UI's HTML error page
    Resp tooLarge = api.send(HttpMethod.PUT, "/chargepoints/NEWCP", "{\"comment\":\"" + "c".repeat(1_048_576) + "\"}",
        Map.of()).expect(413);
    assertTrue(tooLarge.headers().get("Content-Type").startsWith("application/json"), tooLarge.headers().toString());
    assertTrue(tooLarge.json().getString("error").contains("1048576 bytes"), tooLarge.body());
    api.get("/chargepoints/NEWCP").expect(404);

    Map<String, JsonObject> tagBodies = Map.of(
        "expiryDate", obj("expiryDate", "tomorrow"),
        "blocked", obj("blocked", "yes"),
        "parentTagId", obj("parentTagId", 42),
        "colour", obj("colour", "red"));
    tagBodies.forEach((field, body) -> {
      Resp r = api.put("/tags/NEWTAG", body).expect(400);
      assertTrue(r.json().getString("error").contains(field), field + ": " + r.body());
    });
    api.put("/tags/NEWTAG", obj("expiryDate", "2030-01-01")).expect(400); // a date without time
    api.get("/tags/NEWTAG").expect(404);
    // the documented tagId length (1..255)
    api.put("/tags/" + "T".repeat(256), obj()).expect(400);
    api.get("/tags/" + "T".repeat(256)).expect(400);
    api.put("/tags/" + "T".repeat(255), obj()).expect(201);
  }

  // ------------------------------------------------------------------ tags

  @Test
  void tagsCreatedByTheApiAuthorizeChargers() throws Exception {
    String expiry = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
    JsonObject created = api.put("/tags/TAG-API", obj("name", "Fleet card", "parentTagId", "GROUP1",
        "expiryDate", expiry, "blocked", false)).expect(201).json();
    assertEquals("TAG-API", created.getString("tagId"));
    assertEquals("Fleet card", created.getString("name"));
    assertEquals("GROUP1", created.getString("parentTagId"));
    assertEquals(Instant.parse(expiry), Instant.parse(created.getString("expiryDate")));
    assertFalse(created.getBoolean("blocked"));
    assertEquals(200, api.put("/tags/TAG-API", obj("name", "Fleet card", "parentTagId", "GROUP1", "expiryDate", expiry))
        .status());

    server.chargePoint("AUTH16").chargePoint("AUTH201");
    TestCharger cp16 = connect("AUTH16", new TestCharger.Options());
    TestCharger cp201 = connect("AUTH201", new TestCharger.Options().subprotocols("ocpp2.0.1"));

    JsonObject info = authorize16(cp16, "TAG-API");
    assertEquals("Accepted", info.getString("status"), info.encode());
    assertEquals("GROUP1", info.getString("parentIdTag"));
    assertEquals(Instant.parse(expiry), Instant.parse(info.getString("expiryDate")));
    JsonObject info2 = authorize2x(cp201, "TAG-API");
    assertEquals("Accepted", info2.getString("status"), info2.encode());
    assertEquals("GROUP1", info2.getJsonObject("groupIdToken").getString("idToken"));

    // case-insensitive: the same tag, whatever the case used in the path
    assertEquals("TAG-API", api.get("/tags/tag-api").expect(200).json().getString("tagId"));
    JsonObject blocked = api.put("/tags/tag-api", obj("parentTagId", "GROUP1", "blocked", true)).expect(200).json();
    assertEquals("TAG-API", blocked.getString("tagId"), "the stored spelling is kept");
    assertTrue(blocked.getBoolean("blocked"));
    assertNull(blocked.getString("expiryDate"), "PUT replaces: no expiry given, none kept");
    assertEquals(1, api.get("/tags").expect(200).array().stream()
        .filter(t -> "tag-api".equalsIgnoreCase(((JsonObject) t).getString("tagId"))).count());
    assertEquals("Blocked", authorize16(cp16, "TAG-API").getString("status"));
    assertEquals("Blocked", authorize2x(cp201, "tag-api").getString("status"));

    // expired
    api.put("/tags/TAG-API", obj("expiryDate", "2020-01-01T00:00:00Z")).expect(200);
    assertEquals("Expired", authorize16(cp16, "TAG-API").getString("status"));

    api.delete("/tags/Tag-Api").expect(204);
    assertEquals("Invalid", authorize16(cp16, "TAG-API").getString("status"));
    assertEquals("Unknown", authorize2x(cp201, "TAG-API").getString("status"));
    api.get("/tags/TAG-API").expect(404);
    api.delete("/tags/TAG-API").expect(404);
    cp16.close();
    cp201.close();
  }

  private static JsonObject authorize16(TestCharger cp, String tag) throws Exception {
    return await(cp.callForResult("Authorize", obj("idTag", tag))).getJsonObject("idTagInfo");
  }

  private static JsonObject authorize2x(TestCharger cp, String tag) throws Exception {
    return await(cp.callForResult("Authorize", obj("idToken", obj("idToken", tag, "type", "ISO14443"))))
        .getJsonObject("idTokenInfo");
  }

  // ------------------------------------------------------------------ connectors and status

  @Test
  void connectorsShowStatusMeterAndOpenTransaction() throws Exception {
    server.chargePoint("CONN1").chargePoint("CONN-OFF");
    TestCharger cp = connect("CONN1", new TestCharger.Options());
    String now = Instant.now().toString();
    await(cp.callForResult("StatusNotification", obj("connectorId", 1, "errorCode", "NoError", "status", "Charging",
        "timestamp", now)));
    await(cp.callForResult("StatusNotification", obj("connectorId", 2, "errorCode", "NoError", "status", "Available")));
    long tx = await(cp.callForResult("StartTransaction", obj("connectorId", 1, "idTag", "ANY", "meterStart", 12000,
        "timestamp", now))).getLong("transactionId");
    await(cp.callForResult("MeterValues", obj("connectorId", 1, "transactionId", tx, "meterValue", new JsonArray()
        .add(obj("timestamp", now, "sampledValue", new JsonArray()
            .add(obj("value", "12345", "measurand", "Energy.Active.Import.Register", "unit", "Wh"))
            .add(obj("value", "7400", "measurand", "Power.Active.Import", "unit", "W"))
            .add(obj("value", "55", "measurand", "SoC", "unit", "Percent")))))));

    JsonArray connectors = api.get("/chargepoints/CONN1/connectors").expect(200).array();
    assertEquals(2, connectors.size(), connectors.encode());
    JsonObject c1 = connectors.getJsonObject(0);
    assertEquals(1, c1.getInteger("connectorId"));
    assertEquals("Charging", c1.getString("status"));
    assertEquals("Occupied", c1.getString("summaryStatus"));
    assertNotNull(c1.getString("statusTime"));
    assertEquals(12.345, c1.getDouble("meterKwh"), 1e-9);
    assertEquals(7.4, c1.getDouble("powerKw"), 1e-9);
    assertEquals(55.0, c1.getDouble("soc"), 1e-9);
    assertEquals(tx, c1.getLong("openTransactionId"));
    JsonObject c2 = connectors.getJsonObject(1);
    assertEquals("Available", c2.getString("status"));
    assertNull(c2.getValue("openTransactionId"));

    JsonObject named = api.put("/chargepoints/CONN1/connectors/1", obj("name", "Left")).expect(200).json();
    assertEquals(1, named.getInteger("connectorId"));
    assertEquals("Left", named.getString("name"));
    assertEquals("Left", api.get("/chargepoints/CONN1/connectors").expect(200).array().getJsonObject(0)
        .getString("name"));
    api.put("/chargepoints/CONN1/connectors/9", obj("name", "x")).expect(404);
    api.put("/chargepoints/CONN1/connectors/abc", obj("name", "x")).expect(400);
    api.put("/chargepoints/CONN1/connectors/1", obj()).expect(400);
    api.put("/chargepoints/NOSUCH/connectors/1", obj("name", "x")).expect(404);
    api.get("/chargepoints/NOSUCH/connectors").expect(404);

    JsonObject status = api.get("/status").expect(200).json();
    JsonObject online = find(status.getJsonArray("chargePoints"), "CONN1");
    assertTrue(online.getBoolean("online"), online.encode());
    assertEquals("ocpp1.6", online.getString("protocol"));
    assertEquals(2, online.getJsonArray("connectors").size());
    assertEquals("Charging", online.getJsonArray("connectors").getJsonObject(0).getString("status"));
    assertEquals(7.4, online.getJsonArray("connectors").getJsonObject(0).getDouble("powerKw"), 1e-9);
    assertFalse(find(status.getJsonArray("chargePoints"), "CONN-OFF").getBoolean("online"));

    // after the charger goes away, it shows offline
    await(cp.close());
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (find(api.get("/status").json().getJsonArray("chargePoints"), "CONN1").getBoolean("online")
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertFalse(find(api.get("/status").json().getJsonArray("chargePoints"), "CONN1").getBoolean("online"));
    assertFalse(api.get("/chargepoints/CONN1").json().getBoolean("online"));
  }

  private static JsonObject find(JsonArray chargePoints, String id) {
    return chargePoints.stream().map(JsonObject.class::cast).filter(c -> id.equals(c.getString("id"))).findFirst()
        .orElseThrow(() -> new AssertionError(id + " not in " + chargePoints.encode()));
  }
}
