package org.ocppcore.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.ocppcore.TestServer;
import org.ocppcore.testsupport.RawWebSocket;
import org.ocppcore.testsupport.TestCerts;
import org.ocppcore.testsupport.TestCharger;

/**
 * Admission of charger connections by the gateway, all before the WebSocket upgrade: identity
 * syntax, subprotocol negotiation, known charge point, Basic auth (security profiles 1/2), client
 * certificate pinning (profile 3); plus what happens right after: takeover of a duplicate id,
 * ping/pong liveness, the message size limit and Pending registration of unknown chargers.
 *
 * <p>One real server (own Vert.x, temp SQLite) per configuration variant, shared by the tests of
 * its nested class. The clients run on a separate Vert.x; every test closes what it opened.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class GatewayAdmissionTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private static Vertx client;
  private static TestCerts certs;
  private static final List<TestCharger> chargers = new CopyOnWriteArrayList<>();
  private static final List<RawWebSocket> raws = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void setUpClient() {
    client = Vertx.vertx();
  }

  @AfterAll
  static void tearDownClient() throws Exception {
    if (client != null) {
      await(client.close());
    }
  }

  /** Closes every client a test opened, so that session counts and pings do not leak across tests. */
  @AfterEach
  void closeClients() {
    for (RawWebSocket r : raws) {
      r.close();
    }
    raws.clear();
    for (TestCharger c : chargers) {
      try {
        if (!c.isClosed()) {
          await(c.close(), Duration.ofSeconds(3));
        }
      } catch (Exception ignored) {
        // already gone
      }
    }
    chargers.clear();
  }

  private static synchronized TestCerts certs() {
    if (certs == null) {
      certs = TestCerts.create(TestCerts.KeyAlg.EC); // EC keys: fast to generate
    }
    return certs;
  }

  // ------------------------------------------------------------------ helpers

  static <T> T await(Future<T> f) throws Exception {
    return await(f, WAIT);
  }

  static <T> T await(Future<T> f, Duration timeout) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }

  static TestCharger connect(String url) throws Exception {
    return connect(url, new TestCharger.Options());
  }

  static TestCharger connect(String url, TestCharger.Options options) throws Exception {
    TestCharger c = await(TestCharger.connect(client, url, options));
    chargers.add(c);
    return c;
  }

  /** The HTTP status with which the server refused the upgrade (fails if it was accepted). */
  static int refusal(String url, TestCharger.Options options) throws Exception {
    return await(TestCharger.connectExpectingFailure(client, url, options));
  }

  static RawWebSocket raw(String url, RawWebSocket.Options options) throws Exception {
    RawWebSocket r = RawWebSocket.connect(url, options);
    raws.add(r);
    return r;
  }

  /** Sends a Heartbeat and checks it is answered with a CALLRESULT carrying currentTime. */
  static void assertHeartbeatAnswered(TestCharger cp) throws Exception {
    JsonArray reply = await(cp.call("Heartbeat", new JsonObject()));
    assertEquals(TestCharger.CALLRESULT, reply.getInteger(0), "Heartbeat reply: " + reply.encode());
    assertNotNull(reply.getJsonObject(2).getString("currentTime"), "Heartbeat reply: " + reply.encode());
  }

  static void eventually(String what, Duration max, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        fail("not within " + max.toMillis() + " ms: " + what);
      }
      Thread.sleep(50);
    }
  }

  static Map<String, Object> bootRow(TestServer server, String id) throws Exception {
    List<Map<String, Object>> rows = server.query("SELECT * FROM ChargePointBoot WHERE ChargePointId = ?", id);
    return rows.isEmpty() ? null : rows.get(0);
  }

  static boolean isUpgradeRejection(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof UpgradeRejectedException) {
        return true;
      }
    }
    return false;
  }

  static String repeat(char c, int n) {
    return String.valueOf(c).repeat(n);
  }

  // ================================================================== default configuration

  /** Cases 1-6: the default configuration (OCPP 1.6 only) on the plain port. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class DefaultServer {
    TestServer server;
    static final String PASSWORD = "s3cret-Passw0rd";
    /** 20-byte OCPP 1.6 AuthorizationKey, stored as 40 hex characters. */
    final byte[] authKey = HexFormat.of().parseHex("0011AABBCCDDEEFF00112233445566778899AABB");

    @BeforeAll
    void start() throws Exception {
      // 1.6 only (the built-in default), whatever the fixture enables: the negotiation cases rely on it
      server = TestServer.start(new JsonObject().put("ocpp", new JsonObject()
          .put("protocols", new JsonArray().add("ocpp1.6"))));
      server.chargePoint("CP-PW", PASSWORD, null, "Accepted")
          .chargePoint("CP-KEY", HexFormat.of().withUpperCase().formatHex(authKey), null, "Accepted")
          .chargePoint("CP-OPEN")
          .chargePoint("CP1")
          .chargePoint("CP-A")
          .chargePoint("bad:id")
          .chargePoint("RDAM|123")
          .chargePoint("CPX")
          .chargePoint(repeat('L', 48))
          .chargePoint(repeat('M', 49));
    }

    @AfterAll
    void stop() throws Exception {
      if (server != null) {
        server.close();
      }
    }

    // ---------------------------------------------------------------- 1. unknown id

    @Test
    void unknownChargePointIsRefusedWith404AndLogged() throws Exception {
      assertEquals(404, refusal(server.wsUrl("NOBODY-1"), new TestCharger.Options()));
      eventually("MessageLog row Connect/404 for NOBODY-1", Duration.ofSeconds(3), () -> !server.query(
          "SELECT * FROM MessageLog WHERE ChargePointId = ? AND Message = 'Connect' AND ErrorCode = '404'",
          "NOBODY-1").isEmpty());
      assertEquals(0, server.query("SELECT * FROM ChargePoint WHERE ChargePointId = 'NOBODY-1'").size(),
          "an unknown charger must not be registered when acceptUnknownChargePoints is off");
    }

    @Test
    void permessageDeflateIsNegotiated() throws Exception {
      TestCharger cp = connect(server.wsUrl("CP-OPEN"), new TestCharger.Options().tryUsePerMessageCompression(true));
      assertTrue(String.valueOf(cp.handshakeHeaders().get("Sec-WebSocket-Extensions")).contains("permessage-deflate"),
          "extensions: " + cp.handshakeHeaders().get("Sec-WebSocket-Extensions"));
      assertHeartbeatAnswered(cp);
    }

    // ---------------------------------------------------------------- 2./3. Basic auth

    @Test
    void missingAuthorizationIs401WithBasicChallenge() throws Exception {
      RawWebSocket r = raw(server.wsUrl("CP-PW"), new RawWebSocket.Options());
      assertEquals(401, r.status(), r.statusLine());
      String challenge = r.header("WWW-Authenticate");
      assertNotNull(challenge, "401 without WWW-Authenticate: " + r.headers());
      assertTrue(challenge.regionMatches(true, 0, "Basic", 0, 5), challenge);
    }

    @Test
    void wrongPasswordIs401() throws Exception {
      assertEquals(401, refusal(server.wsUrl("CP-PW"),
          new TestCharger.Options().basicAuth("CP-PW", PASSWORD + "x")));
    }

    @Test
    void usernameOtherThanTheChargePointIdIs401() throws Exception {
      assertEquals(401, refusal(server.wsUrl("CP-PW"),
          new TestCharger.Options().basicAuth("CP-OPEN", PASSWORD)));
    }

    @Test
    void rightPasswordConnectsWithOcpp16() throws Exception {
      TestCharger cp = connect(server.wsUrl("CP-PW"), new TestCharger.Options().basicAuth("CP-PW", PASSWORD));
      assertEquals("ocpp1.6", cp.selectedSubprotocol());
      assertHeartbeatAnswered(cp);
      cp.assertNoProtocolViolations();
    }

    @Test
    void authorizationKeyStoredAsHexAcceptsTheRawBytes() throws Exception {
      TestCharger cp = connect(server.wsUrl("CP-KEY"), new TestCharger.Options().basicAuth("CP-KEY", authKey));
      assertEquals("ocpp1.6", cp.selectedSubprotocol());
      assertHeartbeatAnswered(cp);
      // the hex form is not a wildcard: other raw bytes are refused
      byte[] other = authKey.clone();
      other[19] ^= 0x01;
      assertEquals(401, refusal(server.wsUrl("CP-KEY"), new TestCharger.Options().basicAuth("CP-KEY", other)));
    }

    /**
     * A reconnection is let in by the password remembered from the first full check: that may
     * never let a wrong password in, nor an old one once the password changed.
     */
    @Test
    void rememberedPasswordAdmitsOnlyItselfAndIsForgottenWhenThePasswordChanges() throws Exception {
      String first = "first-password-of-CP-CHG";
      String second = "second-password-of-CP-CHG";
      server.chargePoint("CP-CHG", first, null, "Accepted");
      for (int i = 0; i < 3; i++) {
        TestCharger cp = connect(server.wsUrl("CP-CHG"), new TestCharger.Options().basicAuth("CP-CHG", first));
        assertHeartbeatAnswered(cp);
        await(cp.close());
        assertEquals(401, refusal(server.wsUrl("CP-CHG"), new TestCharger.Options().basicAuth("CP-CHG", first + "x")),
            "a wrong password after " + (i + 1) + " good connections");
      }
      server.chargePoint("CP-CHG", second, null, "Accepted");
      assertEquals(401, refusal(server.wsUrl("CP-CHG"), new TestCharger.Options().basicAuth("CP-CHG", first)),
          "the old password, remembered before the change");
      TestCharger cp = connect(server.wsUrl("CP-CHG"), new TestCharger.Options().basicAuth("CP-CHG", second));
      assertHeartbeatAnswered(cp);
      await(cp.close());
      // another charge point's remembered password does not open this one
      assertEquals(401, refusal(server.wsUrl("CP-PW"), new TestCharger.Options().basicAuth("CP-PW", second)));
    }

    @Test
    void passwordIsStoredAsPbkdf2Hash() throws Exception {
      List<Map<String, Object>> rows =
          server.query("SELECT PasswordHash FROM ChargePoint WHERE ChargePointId = 'CP-PW'");
      assertEquals(1, rows.size());
      String stored = String.valueOf(rows.get(0).get("PasswordHash"));
      assertTrue(stored.startsWith("pbkdf2-sha256$"), stored);
      assertFalse(stored.contains(PASSWORD), stored);
    }

    // ---------------------------------------------------------------- 4. subprotocols

    @Test
    void offeringOcpp16SelectsIt() throws Exception {
      TestCharger cp = connect(server.wsUrl("CP-OPEN"), new TestCharger.Options().subprotocols("ocpp1.6"));
      assertEquals("ocpp1.6", cp.selectedSubprotocol());
      assertHeartbeatAnswered(cp);
    }

    @Test
    void offeringOcpp201AndOcpp16SelectsTheEnabledOne() throws Exception {
      TestCharger cp = connect(server.wsUrl("CP-OPEN"),
          new TestCharger.Options().subprotocols("ocpp2.0.1", "ocpp1.6"));
      assertEquals("ocpp1.6", cp.selectedSubprotocol());
      assertHeartbeatAnswered(cp);
    }

    @Test
    void noAcceptableSubprotocolIs101WithoutHeaderThenClose1002() throws Exception {
      RawWebSocket r = raw(server.wsUrl("CP-OPEN"), new RawWebSocket.Options().subprotocols("ocpp1.5"));
      assertEquals(101, r.status(), r.statusLine());
      assertTrue(r.isUpgraded(), "bad Sec-WebSocket-Accept: " + r.headers());
      assertFalse(r.hasHeader("Sec-WebSocket-Protocol"), "unexpected header: " + r.headers());
      assertEquals(1002, r.awaitServerClose(Duration.ofSeconds(5)));
    }

    @Test
    void missingSubprotocolHeaderIs400() throws Exception {
      RawWebSocket r = raw(server.wsUrl("CP-OPEN"), new RawWebSocket.Options().subprotocols());
      assertEquals(400, r.status(), r.statusLine());
    }

    // ---------------------------------------------------------------- 5. identity rules

    @Test
    void colonInIdentityIs400() throws Exception {
      // "bad:id" is even registered: the syntax check must refuse it before any lookup
      RawWebSocket r = raw(server.wsUrl("bad%3Aid"), new RawWebSocket.Options());
      assertEquals(400, r.status(), r.statusLine());
    }

    @Test
    void identityLongerThan48CharactersIs400() throws Exception {
      RawWebSocket r = raw(server.wsUrl(repeat('M', 49)), new RawWebSocket.Options());
      assertEquals(400, r.status(), r.statusLine());
      // 48 is the limit, not less
      TestCharger cp = connect(server.wsUrl(repeat('L', 48)));
      assertEquals("ocpp1.6", cp.selectedSubprotocol());
    }

    @Test
    void percentEncodedAllowedCharactersAreDecoded() throws Exception {
      TestCharger cp = connect(server.wsUrl("RDAM%7C123"));
      assertHeartbeatAnswered(cp);
      eventually("ChargePointBoot row of RDAM|123", Duration.ofSeconds(3), () -> bootRow(server, "RDAM|123") != null);
    }

    @Test
    void identityIsTheLastPathSegment() throws Exception {
      TestCharger cp = connect("ws://127.0.0.1:" + server.ocppPort() + "/OCPP/x/CPX");
      assertHeartbeatAnswered(cp);
      eventually("ChargePointBoot row of CPX", Duration.ofSeconds(3), () -> {
        Map<String, Object> row = bootRow(server, "CPX");
        return row != null && "ocpp1.6".equals(row.get("Protocol")) && row.get("ConnectedSince") != null;
      });
      assertNull(bootRow(server, "x"));
    }

    @Test
    void plainGetWithoutUpgradeIs400() throws Exception {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> resp = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + server.ocppPort() + "/OCPP/CP1"))
          .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(400, resp.statusCode(), resp.body());
    }

    @Test
    void pathOutsideOcppIs404() throws Exception {
      RawWebSocket r = raw("ws://127.0.0.1:" + server.ocppPort() + "/api/CP1", new RawWebSocket.Options());
      assertEquals(404, r.status(), r.statusLine());
    }

    // ---------------------------------------------------------------- 6. takeover

    @Test
    void secondConnectionWithTheSameIdTakesOver() throws Exception {
      TestCharger first = connect(server.wsUrl("CP-A"));
      assertHeartbeatAnswered(first);
      TestCharger second = connect(server.wsUrl("CP-A"));
      Integer code = await(first.closed(), Duration.ofSeconds(5));
      assertEquals(1000, code, "close status of the replaced connection");
      assertHeartbeatAnswered(second);
      assertFalse(second.isClosed());
      eventually("exactly one session open (got " + server.server().sessionCount() + ")", Duration.ofSeconds(3),
          () -> server.server().sessionCount() == 1);
      // and it stays that way
      Thread.sleep(200);
      assertEquals(1, server.server().sessionCount());
      assertFalse(second.isClosed());
    }
  }

  // ================================================================== lenient server

  /** Cases 4 (assumed protocol), 8 (max message size) and 11 (unknown chargers as Pending). */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class LenientServer {
    TestServer server;

    @BeforeAll
    void start() throws Exception {
      server = TestServer.start(new JsonObject().put("ocpp", new JsonObject()
          .put("assumeProtocolWhenMissing", "ocpp1.6")
          .put("acceptUnknownChargePoints", true)
          .put("maxMessageSize", 2048)));
      server.chargePoint("NOHDR").chargePoint("BIG-OK").chargePoint("BIG-1").chargePoint("BIG-2").chargePoint("BIG-3");
    }

    @AfterAll
    void stop() throws Exception {
      if (server != null) {
        server.close();
      }
    }

    @Test
    void missingSubprotocolHeaderIsAcceptedAsTheAssumedVersion() throws Exception {
      RawWebSocket r = raw(server.wsUrl("NOHDR"), new RawWebSocket.Options().subprotocols());
      assertEquals(101, r.status(), r.statusLine());
      assertFalse(r.hasHeader("Sec-WebSocket-Protocol"), "a header nobody asked for: " + r.headers());
      r.closeGracefully(1000);

      TestCharger cp = connect(server.wsUrl("NOHDR"), new TestCharger.Options().subprotocols());
      assertHeartbeatAnswered(cp);
      eventually("ChargePointBoot.Protocol of NOHDR = ocpp1.6", Duration.ofSeconds(3), () -> {
        Map<String, Object> row = bootRow(server, "NOHDR");
        return row != null && "ocpp1.6".equals(row.get("Protocol"));
      });
      // the assumption only covers a missing header, not an unsupported offer
      RawWebSocket old = raw(server.wsUrl("NOHDR"), new RawWebSocket.Options().subprotocols("ocpp1.5"));
      assertEquals(101, old.status(), old.statusLine());
      assertFalse(old.hasHeader("Sec-WebSocket-Protocol"));
      assertEquals(1002, old.awaitServerClose(Duration.ofSeconds(5)));
    }

    @Test
    void frameAboveMaxMessageSizeEndsTheConnectionAndOthersAreUnaffected() throws Exception {
      TestCharger ok = connect(server.wsUrl("BIG-OK"));
      RawWebSocket big = raw(server.wsUrl("BIG-1"), new RawWebSocket.Options());
      assertEquals(101, big.status(), big.statusLine());
      big.sendText(bigDataTransfer(10 * 1024));
      int code = big.awaitServerClose(Duration.ofSeconds(5)); // SocketTimeoutException if still open
      assertTrue(code == 1009 || code == -1, "close code " + code);

      assertFalse(ok.isClosed());
      assertHeartbeatAnswered(ok);
      // just under the limit still passes (answered, connection kept)
      String id = "near-limit";
      String frame = "[2,\"" + id + "\",\"Padding\",{\"p\":\"" + repeat('y', 1900) + "\"}]";
      JsonArray reply = await(ok.sendRaw(frame, id));
      assertEquals(TestCharger.CALLERROR, reply.getInteger(0), reply.encode());
      assertEquals("NotImplemented", reply.getString(2), reply.encode());
      assertFalse(ok.isClosed());
    }

    /** RFC 6455 §7.4.1: the peer is told why (1009), not just dropped. */
    @Test
    void frameAboveMaxMessageSizeIsClosedWithStatus1009() throws Exception {
      TestCharger big = connect(server.wsUrl("BIG-2"));
      big.sendRawNoReply(bigDataTransfer(10 * 1024));
      Integer code = await(big.closed(), Duration.ofSeconds(5));
      assertEquals(1009, code, "close status seen by the charger (null: TCP dropped without a close frame)");
    }

    /** The limit is per message: a fragmented message above it must be refused as well. */
    @Test
    void fragmentedMessageAboveMaxMessageSizeIsClosedWithStatus1009() throws Exception {
      RawWebSocket big = raw(server.wsUrl("BIG-3"), new RawWebSocket.Options());
      assertEquals(101, big.status(), big.statusLine());
      byte[] text = bigDataTransfer(3000).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      big.sendFrame(RawWebSocket.OP_TEXT, false, java.util.Arrays.copyOfRange(text, 0, 1500));
      big.sendFrame(RawWebSocket.OP_CONTINUATION, true, java.util.Arrays.copyOfRange(text, 1500, text.length));
      int code;
      try {
        code = big.awaitServerClose(Duration.ofSeconds(2));
      } catch (java.net.SocketTimeoutException e) {
        code = 0;
      }
      assertEquals(1009, code, "0: the connection stayed open, -1: dropped without a close frame");
    }

    String bigDataTransfer(int size) {
      String head = "[2,\"big\",\"DataTransfer\",{\"vendorId\":\"v\",\"data\":\"";
      String tail = "\"}]";
      return head + repeat('x', size - head.length() - tail.length()) + tail;
    }

    @Test
    void unknownChargePointIsRegisteredPending() throws Exception {
      TestCharger cp = connect(server.wsUrl("NEW-CP-1"));
      assertEquals("ocpp1.6", cp.selectedSubprotocol());
      List<Map<String, Object>> rows =
          server.query("SELECT RegistrationStatus FROM ChargePoint WHERE ChargePointId = 'NEW-CP-1'");
      assertEquals(1, rows.size());
      assertEquals("Pending", rows.get(0).get("RegistrationStatus"));

      JsonArray boot = await(cp.call("BootNotification", new JsonObject()
          .put("chargePointVendor", "TestVendor").put("chargePointModel", "TestModel")));
      assertEquals(TestCharger.CALLRESULT, boot.getInteger(0), boot.encode());
      assertEquals("Pending", boot.getJsonObject(2).getString("status"), boot.encode());

      JsonArray hb = await(cp.call("Heartbeat", new JsonObject()));
      assertEquals(TestCharger.CALLERROR, hb.getInteger(0), hb.encode());
      assertEquals("SecurityError", hb.getString(2), hb.encode());
      assertFalse(cp.isClosed());
    }
  }

  // ================================================================== liveness

  /** Case 7: ping every second, one second to answer. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class Liveness {
    TestServer server;

    @BeforeAll
    void start() throws Exception {
      server = TestServer.start(new JsonObject().put("ocpp", new JsonObject()
          .put("pingIntervalSeconds", 1)
          .put("pongTimeoutSeconds", 1)));
      server.chargePoint("DEAD-1").chargePoint("ALIVE-1");
    }

    @AfterAll
    void stop() throws Exception {
      if (server != null) {
        server.close();
      }
    }

    @Test
    void silentChargerIsClosedWhileAnAnsweringOneStays() throws Exception {
      TestCharger alive = connect(server.wsUrl("ALIVE-1"));
      long aliveSince = System.nanoTime();

      RawWebSocket dead = raw(server.wsUrl("DEAD-1"), new RawWebSocket.Options().timeout(Duration.ofSeconds(8)));
      assertEquals(101, dead.status(), dead.statusLine());
      dead.setAutoPong(false);
      long t0 = System.nanoTime();
      int code = dead.awaitServerClose(Duration.ofSeconds(6)); // throws SocketTimeoutException if still open
      long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(code == 1001 || code == -1, "close code " + code);
      assertTrue(dead.pingsReceived() >= 1, "the server closed without pinging first");
      assertTrue(elapsedMs >= 1500, "closed after " + elapsedMs + " ms: before interval + timeout");

      eventually("ChargePointBoot.DisconnectedAt of DEAD-1", Duration.ofSeconds(3), () -> {
        Map<String, Object> row = bootRow(server, "DEAD-1");
        return row != null && row.get("DisconnectedAt") != null;
      });

      // the answering charger has been idle for more than interval + timeout: still open
      long idleMs = (System.nanoTime() - aliveSince) / 1_000_000;
      if (idleMs < 3000) {
        Thread.sleep(3000 - idleMs);
      }
      assertFalse(alive.isClosed(), "the charger answering pings was closed: " + alive.closeReason());
      assertFalse(alive.closed().isComplete());
      Map<String, Object> aliveRow = bootRow(server, "ALIVE-1");
      assertNotNull(aliveRow);
      assertNull(aliveRow.get("DisconnectedAt"));
      assertHeartbeatAnswered(alive);
    }
  }

  // ================================================================== TLS

  /** Case 9: security profile 2 (TLS with server certificate, Basic auth). */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class TlsProfile2 {
    TestServer server;

    @BeforeAll
    void start() throws Exception {
      TestCerts.Pem srv = certs().server();
      server = TestServer.start(new JsonObject().put("ocpp", new JsonObject().put("tls", new JsonObject()
          .put("enabled", true).put("certPath", srv.certPath()).put("keyPath", srv.keyPath()))));
      server.chargePoint("TLS-PW", "tls-Secret-1", null, "Accepted");
    }

    @AfterAll
    void stop() throws Exception {
      if (server != null) {
        server.close();
      }
    }

    @Test
    void wssWithBasicAuthConnects() throws Exception {
      TestCharger cp = connect(server.wssUrl("TLS-PW"), new TestCharger.Options()
          .trustCaPem(certs().caCert()).basicAuth("TLS-PW", "tls-Secret-1"));
      assertTrue(cp.webSocket().isSsl());
      assertEquals("ocpp1.6", cp.selectedSubprotocol());
      assertHeartbeatAnswered(cp);
    }

    @Test
    void wssWithWrongPasswordIs401() throws Exception {
      assertEquals(401, refusal(server.wssUrl("TLS-PW"), new TestCharger.Options()
          .trustCaPem(certs().caCert()).basicAuth("TLS-PW", "wrong")));
    }
  }

  /** Case 10: security profile 3, client certificate pinned by thumbprint, any issuer. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class MutualTlsPinned {
    TestServer server;
    TestCerts.Pem certA;
    TestCerts.Pem certB;

    @BeforeAll
    void start() throws Exception {
      TestCerts.Pem srv = certs().server();
      certA = certs().client("charger-A");
      certB = certs().client("charger-B");
      server = TestServer.start(new JsonObject().put("ocpp", new JsonObject().put("tls", new JsonObject()
          .put("enabled", true).put("certPath", srv.certPath()).put("keyPath", srv.keyPath())
          .put("clientAuth", "request"))));
      server.chargePoint("MT-A", null, certA.sha256(), "Accepted")
          .chargePoint("MT-A1", null, certA.sha1(), "Accepted")
          .chargePoint("MT-BOTH", "a-password-for-both-1", certA.sha256(), "Accepted");
      // an empty (not NULL) password column, as an import or an admin form may leave it
      TestServer.await(server.server().store().upsertChargePoint("MT-BLANK", "MT-BLANK", "", certA.sha256(),
          "Accepted", false));
    }

    @AfterAll
    void stop() throws Exception {
      if (server != null) {
        server.close();
      }
    }

    TestCharger.Options tls() {
      return new TestCharger.Options().trustCaPem(certs().caCert());
    }

    @Test
    void pinnedSha256CertificateConnects() throws Exception {
      TestCharger cp = connect(server.wssUrl("MT-A"), tls().clientCert(certA));
      assertEquals("ocpp1.6", cp.selectedSubprotocol());
      assertHeartbeatAnswered(cp);
    }

    @Test
    void passwordDoesNotReplaceThePinnedCertificate() throws Exception {
      assertEquals(401, refusal(server.wssUrl("MT-BOTH"), tls().basicAuth("MT-BOTH", "a-password-for-both-1")));
      assertHeartbeatAnswered(connect(server.wssUrl("MT-BOTH"), tls().clientCert(certA)));
    }

    @Test
    void otherCaSignedCertificateIs401() throws Exception {
      assertEquals(401, refusal(server.wssUrl("MT-A"), tls().clientCert(certB)));
    }

    @Test
    void noClientCertificateIs401() throws Exception {
      assertEquals(401, refusal(server.wssUrl("MT-A"), tls()));
      // nor over the plain port, where there cannot be a certificate
      assertEquals(401, refusal(server.wsUrl("MT-A"), new TestCharger.Options()));
    }

    @Test
    void blankPasswordDoesNotWaiveThePinnedCertificate() throws Exception {
      assertEquals(401, refusal(server.wssUrl("MT-BLANK"), tls()));
      assertEquals(401, refusal(server.wssUrl("MT-BLANK"), tls().clientCert(certB)));
      assertEquals(401, refusal(server.wsUrl("MT-BLANK"), new TestCharger.Options()));
      TestCharger cp = connect(server.wssUrl("MT-BLANK"), tls().clientCert(certA));
      assertHeartbeatAnswered(cp);
    }

    @Test
    void pinnedSha1ThumbprintAlsoMatches() throws Exception {
      TestCharger cp = connect(server.wssUrl("MT-A1"), tls().clientCert(certA));
      assertHeartbeatAnswered(cp);
      assertEquals(401, refusal(server.wssUrl("MT-A1"), tls().clientCert(certB)));
    }
  }

  /** Case 10 (continued): client certificates must be issued by the configured CA. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class MutualTlsWithCa {
    TestServer server;
    TestCerts.Pem certA;

    @BeforeAll
    void start() throws Exception {
      TestCerts.Pem srv = certs().server();
      certA = certs().client("charger-A");
      server = TestServer.start(new JsonObject().put("ocpp", new JsonObject().put("tls", new JsonObject()
          .put("enabled", true).put("certPath", srv.certPath()).put("keyPath", srv.keyPath())
          .put("clientAuth", "required").put("clientCaPath", certs().caCert().toString()))));
      server.chargePoint("CA-A", null, certA.sha256(), "Accepted")
          .chargePoint("CA-SELF", null, certs().selfSignedClient("charger-S").sha256(), "Accepted");
    }

    @AfterAll
    void stop() throws Exception {
      if (server != null) {
        server.close();
      }
    }

    @Test
    void caSignedCertificateConnects() throws Exception {
      TestCharger cp = connect(server.wssUrl("CA-A"),
          new TestCharger.Options().trustCaPem(certs().caCert()).clientCert(certA));
      assertHeartbeatAnswered(cp);
    }

    @Test
    void selfSignedCertificateIsRefusedAtTheHandshake() throws Exception {
      // even though its thumbprint is pinned for CA-SELF: the TLS layer refuses it first
      Throwable error = await(TestCharger.connectExpectingError(client, server.wssUrl("CA-SELF"),
          new TestCharger.Options().trustCaPem(certs().caCert()).clientCert(certs().selfSignedClient("charger-S"))));
      assertFalse(isUpgradeRejection(error), "expected a TLS failure, got an HTTP refusal: " + error);
      // the Vert.x WebSocket client only reports "connection closed": look at the TLS layer itself
      Throwable tls = tlsOutcome(certs().selfSignedClient("charger-S"), "CA-SELF");
      assertTrue(tls instanceof javax.net.ssl.SSLException, "expected a TLS alert, got " + tls);
    }

    @Test
    void noClientCertificateIsRefusedAtTheHandshake() throws Exception {
      Throwable tls = tlsOutcome(null, "CA-A");
      assertTrue(tls instanceof javax.net.ssl.SSLException, "expected a TLS alert, got " + tls);
    }

    @Test
    void tlsProbeSeesHttpWithACaSignedCertificate() throws Exception {
      // the probe itself works: with a good certificate the server answers HTTP (101)
      Throwable outcome = tlsOutcome(certA, "CA-A");
      assertNull(outcome, "expected an HTTP answer, got " + outcome);
    }

    /**
     * Opens a TLS connection (TLS 1.2 or 1.3) with an optional client certificate and sends an
     * upgrade request. Returns null when an HTTP response came back, else the TLS (or other)
     * error: with TLS 1.3 the server's alert only arrives after the client's handshake is done.
     */
    Throwable tlsOutcome(TestCerts.Pem clientCert, String id) throws Exception {
      io.vertx.core.net.NetClientOptions o = new io.vertx.core.net.NetClientOptions().setSsl(true)
          .setHostnameVerificationAlgorithm("HTTPS").setTrustOptions(certs().caTrustOptions())
          .setConnectTimeout(5000);
      if (clientCert != null) {
        o.setKeyCertOptions(clientCert.keyCertOptions());
      }
      io.vertx.core.net.NetClient net = client.createNetClient(o);
      io.vertx.core.Promise<Throwable> outcome = io.vertx.core.Promise.promise();
      try {
        net.connect(server.tlsPort(), "localhost").onComplete(ar -> {
          if (ar.failed()) {
            outcome.tryComplete(rootSsl(ar.cause()));
            return;
          }
          io.vertx.core.net.NetSocket so = ar.result();
          StringBuilder got = new StringBuilder();
          so.exceptionHandler(e -> outcome.tryComplete(rootSsl(e)));
          so.handler(b -> {
            got.append(b.toString());
            if (got.indexOf("HTTP/1.1") >= 0) {
              outcome.tryComplete(null);
              so.close();
            }
          });
          so.closeHandler(v -> outcome.tryComplete(new java.io.EOFException("closed without HTTP response")));
          so.write("GET /OCPP/" + id + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
              + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
              + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n");
        });
        return await(outcome.future(), Duration.ofSeconds(5));
      } finally {
        net.close();
      }
    }

    Throwable rootSsl(Throwable t) {
      for (Throwable c = t; c != null; c = c.getCause()) {
        if (c instanceof javax.net.ssl.SSLException) {
          return c;
        }
      }
      return t;
    }
  }
}
