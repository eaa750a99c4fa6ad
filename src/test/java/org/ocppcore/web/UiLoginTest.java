package org.ocppcore.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.TestServer.await;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.codec.digest.Md5Crypt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.ocppcore.TestServer;

/** Logging in and out, the session cookie, the users file (first start, formats, changes). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UiLoginTest {
  private TestServer server;

  @BeforeAll
  void start() throws Exception {
    server = UiFixture.start();
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  @Test
  void aWrongPasswordShowsAnErrorAndIsLogged() throws Exception {
    UiClient c = new UiClient(server.httpPort());
    c.get("/login");
    HttpResponse<String> r = c.post("/login", Map.of("username", UiFixture.ADMIN, "password", "wrong"));
    assertEquals(401, r.statusCode());
    assertTrue(r.body().contains("id=\"login-error\""), r.body());
    assertTrue(r.body().contains("Wrong user name or password."));
    assertEquals(302, c.get("/").statusCode(), "still not logged in");
    // German, by the browser's language
    UiClient de = new UiClient(server.httpPort()).acceptLanguage("de-DE,de;q=0.9,en;q=0.8");
    de.get("/login");
    assertTrue(de.post("/login", Map.of("username", "nobody", "password", "x")).body()
        .contains("Benutzername oder Passwort ist falsch."));
    List<Map<String, Object>> rows = server.queryEventually(2, "SELECT * FROM MessageLog WHERE ChargePointId = 'UserManager' "
        + "AND Message = 'Login' AND ErrorCode = 'LoginFailed'");
    assertTrue(rows.stream().anyMatch(row -> String.valueOf(row.get("Result")).contains("'admin'")), rows.toString());
    assertTrue(rows.stream().anyMatch(row -> String.valueOf(row.get("Result")).contains("'nobody'")), rows.toString());
    assertTrue(rows.stream().noneMatch(row -> String.valueOf(row.get("Result")).contains("wrong")),
        "a tried password is never logged");
  }

  @Test
  void loginAndLogoutAreLoggedAndTheSessionCookieIsHardened() throws Exception {
    UiClient c = new UiClient(server.httpPort());
    HttpResponse<String> page = c.get("/login?next=%2Ftags");
    String anonymousSession = c.cookies().get(UiSecurity.SESSION_COOKIE);
    assertNotNull(anonymousSession, "the login form has a session (for its CSRF token)");
    String cookie = UiClient.setCookies(page).stream().filter(s -> s.startsWith(UiSecurity.SESSION_COOKIE)).findFirst()
        .orElseThrow();
    assertTrue(cookie.toLowerCase().contains("httponly"), cookie);
    assertTrue(cookie.contains("SameSite=Strict"), cookie);
    assertFalse(cookie.contains("Secure"), "plain HTTP: no Secure flag (" + cookie + ")");

    HttpResponse<String> login = c.post("/login", Map.of("username", UiFixture.ADMIN, "password",
        UiFixture.ADMIN_PASSWORD, "next", "/tags"));
    assertEquals(303, login.statusCode());
    assertEquals("/tags", login.headers().firstValue("Location").orElse(""));
    String loggedIn = c.cookies().get(UiSecurity.SESSION_COOKIE);
    assertNotEquals(anonymousSession, loggedIn, "a new session id after login (no fixation)");
    assertEquals(200, c.get("/tags").statusCode());

    // the old anonymous id is worth nothing
    UiClient fixated = new UiClient(server.httpPort());
    fixated.cookies().put(UiSecurity.SESSION_COOKIE, anonymousSession);
    assertEquals(302, fixated.get("/tags").statusCode());

    assertEquals(303, c.post("/logout", Map.of()).statusCode());
    UiClient stolen = new UiClient(server.httpPort());
    stolen.cookies().put(UiSecurity.SESSION_COOKIE, loggedIn);
    assertEquals(302, stolen.get("/").statusCode(), "the session ends with the logout");

    List<Map<String, Object>> rows = server.queryEventually(2, "SELECT * FROM MessageLog WHERE ChargePointId = "
        + "'UserManager' AND ErrorCode IS NULL ORDER BY LogId");
    assertTrue(rows.stream().anyMatch(r -> "Login".equals(r.get("Message"))
        && String.valueOf(r.get("Result")).contains("'admin' (admin)")), rows.toString());
    assertTrue(rows.stream().anyMatch(r -> "Logout".equals(r.get("Message"))), rows.toString());
  }

  @Test
  void anOpenRedirectIsNotPossible() throws Exception {
    UiClient c = new UiClient(server.httpPort());
    c.get("/login");
    for (String next : List.of("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)")) {
      HttpResponse<String> r = c.post("/login", Map.of("username", UiFixture.USER, "password", UiFixture.USER_PASSWORD,
          "next", next));
      assertEquals("/", r.headers().firstValue("Location").orElse(""), next);
      c.get("/");
    }
  }

  @Test
  void aUserWithAShaHashLogsInAndSeesNoAdministration() throws Exception {
    UiClient c = UiClient.loggedIn(server.httpPort(), UiFixture.USER, UiFixture.USER_PASSWORD);
    String overview = c.get("/").body();
    assertTrue(overview.contains("viewer · user"), overview);
    assertFalse(overview.contains("href=\"/tags\""), "no administration menu for a user");
    assertFalse(overview.contains("href=\"/diagnostics\""));
    assertEquals(403, c.get("/tags").statusCode());
  }

  @Test
  void repeatedFailedLoginsLockThatUserFromThatAddress(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("htpasswd");
    Files.writeString(file, UiFixture.usersFile());
    try (TestServer s = TestServer.start(new JsonObject().put("ui", new JsonObject().put("htpasswdFile", file.toString())
        .put("maxFailedLogins", 3)))) {
      UiClient c = new UiClient(s.httpPort());
      c.get("/login");
      for (int i = 0; i < 3; i++) {
        assertEquals(401, c.post("/login", Map.of("username", UiFixture.USER, "password", "guess" + i)).statusCode());
      }
      HttpResponse<String> locked = c.post("/login", Map.of("username", UiFixture.USER, "password", UiFixture.USER_PASSWORD));
      assertEquals(429, locked.statusCode(), "even the right password, once locked");
      long retryAfter = Long.parseLong(locked.headers().firstValue("Retry-After").orElse("0"));
      assertTrue(retryAfter > 14 * 60 && retryAfter <= 15 * 60, "the rest of the 15-minute window: " + retryAfter);
      assertTrue(locked.body().contains("Too many failed logins for this user from your address. Try again in 15 minutes."),
          locked.body());
      assertEquals(302, c.get("/").statusCode(), "not logged in");
      // another user from the same address is not affected, nor is one who never failed
      assertEquals(303, new UiClient(s.httpPort()).post("/login", Map.of("username", UiFixture.ADMIN,
          "password", UiFixture.ADMIN_PASSWORD)).statusCode());
      List<Map<String, Object>> rows = s.queryEventually(1, "SELECT * FROM MessageLog WHERE ChargePointId = 'UserManager' "
          + "AND ErrorCode = 'LoginLocked'");
      assertTrue(String.valueOf(rows.get(0).get("Result")).contains("'" + UiFixture.USER + "'"), rows.toString());
    }
  }

  @Test
  void theThrottleCountsPerUserAndAddressWithinItsWindow() {
    LoginThrottle t = new LoginThrottle(2, 60_000);
    t.failed("u", "10.0.0.1", 0);
    assertEquals(0, t.lockedForSeconds("u", "10.0.0.1", 1));
    t.failed("u", "10.0.0.1", 1_000);
    assertEquals(59, t.lockedForSeconds("u", "10.0.0.1", 1_000));
    assertEquals(1, t.lockedForSeconds("u", "10.0.0.1", 59_500));
    assertEquals(0, t.lockedForSeconds("u", "10.0.0.2", 1_000), "another address");
    assertEquals(0, t.lockedForSeconds("v", "10.0.0.1", 1_000), "another user");
    assertEquals(0, t.lockedForSeconds("u", "10.0.0.1", 60_000), "the window has ended");
    t.failed("u", "10.0.0.1", 60_000);
    assertEquals(0, t.lockedForSeconds("u", "10.0.0.1", 60_001), "a new window starts with one failure");
    t.failed("w", "10.0.0.1", 60_000);
    t.failed("w", "10.0.0.1", 60_000);
    t.succeeded("w", "10.0.0.1");
    assertEquals(0, t.lockedForSeconds("w", "10.0.0.1", 60_001), "a success forgets the failures");
    t.prune(120_000);
    assertEquals(0, t.size(), "ended windows are forgotten");
    LoginThrottle full = new LoginThrottle(1, 60_000);
    for (int i = 0; i < LoginThrottle.MAX_PAIRS + 10; i++) {
      full.failed("user" + i, "10.0.0.1", 0);
    }
    assertEquals(LoginThrottle.MAX_PAIRS, full.size(), "bounded");
    full.failed("late", "10.0.0.1", 60_000);
    assertEquals(1, full.size(), "ended windows make room");
    LoginThrottle off = new LoginThrottle(0, 60_000);
    for (int i = 0; i < 100; i++) {
      off.failed("u", "a", i);
    }
    assertEquals(0, off.lockedForSeconds("u", "a", 100));
  }

  @Test
  void theUsersFileIsReadAgainWhenItChanges(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("htpasswd");
    Files.writeString(file, UiFixture.usersFile());
    try (TestServer s = TestServer.start(new JsonObject().put("ui", new JsonObject().put("htpasswdFile", file.toString())))) {
      UiClient c = new UiClient(s.httpPort());
      c.get("/login");
      assertEquals(401, c.post("/login", Map.of("username", "carol", "password", "carol-pass")).statusCode());
      Files.writeString(file, UiFixture.usersFile() + "carol:" + Md5Crypt.apr1Crypt("carol-pass".getBytes()) + "\n"
          + "bob:$2y$05$abcdefghijklmnopqrstuu5Lx7RvNgA6g3RS3ZLsEYvwYBHFtfG9C\n");
      Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
      assertEquals(303, c.post("/login", Map.of("username", "carol", "password", "carol-pass")).statusCode(),
          "a user added to the file logs in without a restart");
      UiClient bob = new UiClient(s.httpPort());
      bob.get("/login");
      assertEquals(401, bob.post("/login", Map.of("username", "bob", "password", "secret")).statusCode(),
          "bcrypt cannot be verified by vertx-auth-htpasswd (the log says so)");
    }
  }

  @Test
  void theFirstStartCreatesAnAdministratorWithARandomPasswordShownOnce(@TempDir Path kept) throws Exception {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    Path keptFile = kept.resolve("htpasswd"); // the first server's folder goes with it
    String password;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (TestServer s = TestServer.start()) {
      System.setErr(err);
      Path file = s.dir().resolve("htpasswd");
      assertTrue(Files.isRegularFile(file), "the users file is created beside the database");
      String content = Files.readString(file);
      assertTrue(content.matches("admin:\\$apr1\\$[^\\n]+\\n"), content);
      Matcher m = Pattern.compile("with the administrator 'admin' and the password:\\s+(\\S+)").matcher(captured.toString(
          StandardCharsets.UTF_8));
      assertTrue(m.find(), "the password is logged once:\n" + captured);
      password = m.group(1);
      assertTrue(password.length() >= 16);
      assertFalse(content.contains(password), "only the hash is stored");
      UiClient.loggedIn(s.httpPort(), "admin", password);
      Files.copy(file, keptFile);
    } finally {
      System.setErr(err);
    }
    // a second start with the file in place neither changes it nor prints a password
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    System.setErr(new PrintStream(again, true, StandardCharsets.UTF_8));
    try (TestServer s = TestServer.start(new JsonObject().put("ui", new JsonObject().put("htpasswdFile",
        keptFile.toString())))) {
      System.setErr(err);
      assertFalse(again.toString(StandardCharsets.UTF_8).contains(password));
      assertFalse(again.toString(StandardCharsets.UTF_8).contains("First start of the management UI"));
      UiClient.loggedIn(s.httpPort(), "admin", password);
    } finally {
      System.setErr(err);
    }
  }

  @Test
  void anIdleSessionExpiresAndTheCookieCanBeSecure() throws Exception {
    io.vertx.core.Vertx vertx = server.vertx();
    io.vertx.ext.web.Router router = io.vertx.ext.web.Router.router(vertx);
    router.route().handler(UiSecurity.sessionHandler(io.vertx.ext.web.sstore.LocalSessionStore.create(vertx,
        "idle-test", 100), 1000, true));
    router.get("/set").handler(ctx -> {
      ctx.session().put("user", "anna");
      ctx.end("set");
    });
    router.get("/get").handler(ctx -> ctx.end(String.valueOf((Object) ctx.session().get("user"))));
    io.vertx.core.http.HttpServer http = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    try {
      UiClient c = new UiClient(http.actualPort());
      HttpResponse<String> set = c.get("/set");
      String cookie = UiClient.setCookies(set).get(0);
      assertTrue(cookie.contains("; Secure"), "ui.secureCookies marks the cookie Secure: " + cookie);
      assertEquals("anna", c.get("/get").body());
      Thread.sleep(600);
      assertEquals("anna", c.get("/get").body(), "a request keeps the session alive");
      Thread.sleep(1600);
      assertEquals("null", c.get("/get").body(), "idle longer than the timeout: the session is gone");
    } finally {
      await(http.close());
    }
  }

  @Test
  void theUsersFileDefaultsToTheDatabasesFolder() {
    assertEquals(Path.of("data", "htpasswd").toAbsolutePath(), UiUsers.usersFile(org.ocppcore.app.Config.of(null)),
        "data/htpasswd beside data/ocpp-core.sqlite by default");
    assertEquals(Path.of("/srv/ocpp/htpasswd"), UiUsers.usersFile(org.ocppcore.app.Config.of(new JsonObject()
        .put("db", new JsonObject().put("url", "jdbc:sqlite:/srv/ocpp/fleet.sqlite?journal_mode=WAL")))));
    assertEquals(Path.of("data", "htpasswd"), UiUsers.usersFile(org.ocppcore.app.Config.of(new JsonObject()
        .put("db", new JsonObject().put("type", "postgresql").put("url", "jdbc:postgresql://db/ocpp")))));
    assertEquals(Path.of("/etc/ocpp/users"), UiUsers.usersFile(org.ocppcore.app.Config.of(new JsonObject()
        .put("ui", new JsonObject().put("htpasswdFile", "/etc/ocpp/users")))));
  }

  @Test
  void theLanguageFollowsTheBrowserAndTheSwitchIsRemembered() throws Exception {
    UiClient c = UiClient.loggedIn(server.httpPort(), UiFixture.USER, UiFixture.USER_PASSWORD);
    assertTrue(c.get("/").body().contains("<html lang=\"en\">"));
    c.acceptLanguage("fr-CH, de;q=0.9, en;q=0.8");
    String de = c.get("/").body();
    assertTrue(de.contains("<html lang=\"de\">") && de.contains("Übersicht"), "German by Accept-Language");
    HttpResponse<String> sw = c.post("/lang", Map.of("lang", "en", "next", "/transactions"));
    assertEquals(303, sw.statusCode());
    assertEquals("/transactions", sw.headers().firstValue("Location").orElse(""));
    String cookie = UiClient.setCookies(sw).stream().filter(s -> s.startsWith("lang=")).findFirst().orElseThrow();
    assertTrue(cookie.contains("Max-Age=") && cookie.contains("Path=/"), "remembered: " + cookie);
    assertTrue(c.get("/").body().contains("<html lang=\"en\">"), "the chosen language beats the browser's");
  }
}
