package org.ocppcore.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.TestServer.await;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.sstore.LocalSessionStore;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.ocppcore.TestServer;
import org.ocppcore.app.Config;
import org.ocppcore.commands.CommandService;
import org.ocppcore.store.AdminStore;
import org.ocppcore.testsupport.TestCharger;

/**
 * Every route of the UI's route table, without a browser: what an anonymous visitor, a user and an
 * administrator get, and that no state-changing request passes without this session's CSRF token.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UiAccessTest {
  private TestServer server;
  private List<WebUi.Route> routes;
  private long transactionId;
  private UiClient admin;
  private UiClient user;

  @BeforeAll
  void start() throws Exception {
    server = UiFixture.start();
    server.chargePoint("CP1").tag("TAG1", "G1", null, false);
    // CP1 gets a connector and a finished transaction (so it has billing records and is never deleted here)
    TestCharger cp = await(TestCharger.connect(server.vertx(), server.wsUrl("CP1")));
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    await(cp.call("StatusNotification", new JsonObject().put("connectorId", 1).put("status", "Available")
        .put("errorCode", "NoError")));
    JsonArray start = await(cp.call("StartTransaction", new JsonObject().put("connectorId", 1).put("idTag", "TAG1")
        .put("meterStart", 1000).put("timestamp", now)));
    transactionId = start.getJsonObject(2).getLong("transactionId");
    await(cp.call("StopTransaction", new JsonObject().put("transactionId", transactionId).put("meterStop", 3000)
        .put("timestamp", now)));
    await(cp.close());
    routes = routeTable(server);
    admin = UiClient.loggedIn(server.httpPort(), UiFixture.ADMIN, UiFixture.ADMIN_PASSWORD);
    user = UiClient.loggedIn(server.httpPort(), UiFixture.USER, UiFixture.USER_PASSWORD);
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  /** The route table of a UI built on the test server's store (the same code the server runs). */
  static List<WebUi.Route> routeTable(TestServer s) throws Exception {
    Path users = Files.createTempFile("ui-users", ".htpasswd");
    Files.writeString(users, UiFixture.usersFile());
    users.toFile().deleteOnExit(); // read by the running server until the end of the test run
    AdminStore admin = new AdminStore(s.server().store(), s.server().database().readPool());
    WebUi ui = WebUi.create(s.vertx(), Config.of(new JsonObject().put("ui", new JsonObject()
            .put("htpasswdFile", users.toString()))), s.server().store(), admin,
        new CommandService(s.vertx(), s.server().store(), admin), LocalSessionStore.create(s.vertx()));
    ui.router();
    return ui.routes();
  }

  private String path(WebUi.Route r) {
    return r.path().replace(":id", "CP1").replace(":connectorId", "1").replace(":tagId", "TAG1")
        .replace(":transactionId", String.valueOf(transactionId)).replace(":command", "clear-cache");
  }

  private static boolean changesState(WebUi.Route r) {
    return r.method() != HttpMethod.GET;
  }

  @Test
  void theRouteTableCoversEveryPageAndAction() {
    Set<String> declared = routes.stream().map(r -> r.method() + " " + r.path()).collect(Collectors.toSet());
    for (String expected : List.of("GET /login", "POST /login", "POST /logout", "POST /lang", "GET /", "GET /ui/events",
        "GET /transactions", "GET /transactions/export.csv", "GET /transactions/export.xlsx",
        "GET /transactions/:transactionId", "GET /report", "GET /report/summary.csv", "GET /report/summary.xlsx",
        "GET /report/transactions.csv", "GET /report/transactions.xlsx", "GET /chargepoints", "GET /chargepoints/new",
        "POST /chargepoints", "GET /chargepoints/:id", "GET /chargepoints/:id/edit", "POST /chargepoints/:id",
        "POST /chargepoints/:id/delete", "POST /chargepoints/:id/commands/:command", "GET /chargepoints/:id/configuration",
        "POST /chargepoints/:id/configuration/read", "POST /chargepoints/:id/configuration", "GET /connectors",
        "GET /connectors/:id/:connectorId", "POST /connectors/:id/:connectorId", "GET /tags", "GET /tags/new",
        "POST /tags", "GET /tags/:tagId/edit", "POST /tags/:tagId", "POST /tags/:tagId/delete", "GET /diagnostics",
        "GET /messages")) {
      assertTrue(declared.contains(expected), "route missing from the table: " + expected);
    }
    assertEquals(declared.size(), routes.size(), "a route is declared twice");
    // every change needs a role, never anonymous, except logging in and choosing the language
    for (WebUi.Route r : routes) {
      if (changesState(r) && r.role() == WebUi.Role.ANONYMOUS) {
        assertTrue(r.path().equals("/login") || r.path().equals("/lang"), "anonymous change: " + r);
      }
    }
  }

  private HttpResponse<?> get(UiClient c, WebUi.Route r) throws Exception {
    if (r.path().equals("/ui/events")) {
      HttpResponse<InputStream> stream = c.open(path(r));
      UiClient.close(stream.body());
      return stream;
    }
    return c.getBytes(path(r));
  }

  @Test
  void anonymousVisitorsAreSentToTheLoginPage() throws Exception {
    for (WebUi.Route r : routes) {
      if (changesState(r)) {
        continue;
      }
      UiClient anonymous = new UiClient(server.httpPort());
      HttpResponse<?> res = get(anonymous, r);
      if (r.role() == WebUi.Role.ANONYMOUS) {
        assertEquals(200, res.statusCode(), r.toString());
      } else {
        assertEquals(302, res.statusCode(), r.toString());
        assertEquals("/login?next=" + URLEncoder.encode(path(r), StandardCharsets.UTF_8),
            res.headers().firstValue("Location").orElse(""), r.toString());
      }
    }
  }

  @Test
  void usersReadButOnlyAdministratorsAdminister() throws Exception {
    for (WebUi.Route r : routes) {
      if (changesState(r)) {
        continue;
      }
      HttpResponse<?> asUser = get(user, r);
      HttpResponse<?> asAdmin = get(admin, r);
      if (r.path().equals("/login")) {
        assertEquals(303, asUser.statusCode(), "a logged-in user is sent on from the login page");
        assertEquals(303, asAdmin.statusCode());
        continue;
      }
      assertEquals(200, asAdmin.statusCode(), "admin " + r);
      assertEquals(r.role() == WebUi.Role.ADMIN ? 403 : 200, asUser.statusCode(), "user " + r);
    }
  }

  @Test
  void everyStateChangingRouteNeedsTheSessionsCsrfToken() throws Exception {
    UiClient otherAdmin = UiClient.loggedIn(server.httpPort(), UiFixture.ADMIN, UiFixture.ADMIN_PASSWORD);
    List<String> checked = new ArrayList<>();
    for (WebUi.Route r : routes) {
      if (!changesState(r)) {
        continue;
      }
      String p = path(r);
      assertEquals(403, admin.postRaw(p, Map.of()).statusCode(), "no token: " + r);
      assertEquals(403, admin.postRaw(p, Map.of(UiSecurity.CSRF_FIELD, "forged")).statusCode(), "wrong token: " + r);
      assertEquals(403, admin.postRaw(p, Map.of(UiSecurity.CSRF_FIELD, otherAdmin.csrf())).statusCode(),
          "another session's token: " + r);
      assertNotEquals(admin.csrf(), otherAdmin.csrf(), "tokens are per session");
      HttpResponse<String> ok = admin.post(p, Map.of());
      assertFalse(Set.of(401, 403, 500).contains(ok.statusCode()), "with the token: " + r + " -> " + ok.statusCode()
          + "\n" + ok.body());
      checked.add(r.method() + " " + r.path());
      if (r.path().equals("/logout")) {
        admin.login(UiFixture.ADMIN, UiFixture.ADMIN_PASSWORD);
      }
      server.tag("TAG1", "G1", null, false); // a delete must not starve the routes after it
    }
    assertEquals(13, checked.size(), "state-changing routes checked: " + checked);
  }

  @Test
  void changesNeedTheRightRole() throws Exception {
    for (WebUi.Route r : routes) {
      if (!changesState(r) || r.role() == WebUi.Role.ANONYMOUS) {
        continue;
      }
      UiClient anonymous = new UiClient(server.httpPort());
      assertEquals(401, anonymous.post(path(r), Map.of()).statusCode(), "anonymous (with a valid token) " + r);
      if (r.role() == WebUi.Role.ADMIN) {
        assertEquals(403, user.post(path(r), Map.of()).statusCode(), "user " + r);
      }
    }
  }

  @Test
  void theTokenInAHeaderWorksToo() throws Exception {
    UiClient c = UiClient.loggedIn(server.httpPort(), UiFixture.ADMIN, UiFixture.ADMIN_PASSWORD);
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    String cookie = c.cookies().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining("; "));
    java.net.http.HttpRequest.Builder req = java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + server.httpPort() + "/connectors/CP1/1"))
        .header("Cookie", cookie).header("Content-Type", "application/x-www-form-urlencoded");
    HttpResponse<String> without = http.send(req.copy().POST(java.net.http.HttpRequest.BodyPublishers.ofString(
        "name=Left")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(403, without.statusCode());
    HttpResponse<String> with = http.send(req.copy().header(UiSecurity.CSRF_HEADER, c.csrf())
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("name=Left")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(303, with.statusCode(), with.body());
    assertEquals("Left", server.query("SELECT ConnectorName FROM ConnectorStatus WHERE ChargePointId='CP1' "
        + "AND ConnectorId=1").get(0).get("ConnectorName"));
  }
}
