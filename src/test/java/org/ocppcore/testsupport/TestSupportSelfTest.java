package org.ocppcore.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Self-tests of the test tools against a tiny Vert.x OCPP-J stub server (plain and TLS with
 * optional client certificates).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestSupportSelfTest {

  private static Vertx vertx;
  private static TestCerts certs; // EC: fast
  private static CompletableFuture<TestCerts> rsaCerts; // the RSA default, generated meanwhile
  private static Stub plain;
  private static Stub tls;

  /**
   * Stub central system: accepts ocpp1.6, sends CALL [2,"srv-1","Reset",{"type":"Soft"}] to
   * every new connection, answers CALLs with minimal valid OCPP 1.6 replies ({} by default),
   * answers non-JSON with [4,"-1",...]. Path .../REJECT: 401. Path .../PING: pings every 50 ms
   * and closes with 1001 if no pong for 500 ms.
   */
  static final class Stub {
    final HttpServer server;
    final int port;
    final boolean ssl;
    /** Replies to the server's CALLs: [path, frame]. */
    final List<Object[]> repliesFromChargers = new CopyOnWriteArrayList<>();
    final List<String> peerSubjects = new CopyOnWriteArrayList<>();
    final List<String> peerSha256 = new CopyOnWriteArrayList<>();
    final List<String> authHeaders = new CopyOnWriteArrayList<>();
    final AtomicInteger pongs = new AtomicInteger();
    final AtomicInteger txIds = new AtomicInteger(100);

    Stub(HttpServerOptions options) {
      options.setWebSocketSubProtocols(List.of("ocpp1.6"))
          .setMaxWebSocketFrameSize(1 << 20)
          .setMaxWebSocketMessageSize(1 << 20);
      ssl = options.isSsl();
      server = vertx.createHttpServer(options)
          .webSocketHandshakeHandler(hs -> {
            if (hs.path().endsWith("/REJECT")) {
              hs.reject(401);
            } else {
              hs.accept();
            }
          })
          .webSocketHandler(this::onWebSocket);
      port = server.listen(0, "127.0.0.1").await().actualPort();
    }

    private void onWebSocket(ServerWebSocket ws) {
      authHeaders.add(String.valueOf(ws.headers().get("Authorization")));
      if (ws.isSsl()) {
        try {
          for (Certificate c : ws.peerCertificates()) {
            X509Certificate x = (X509Certificate) c;
            peerSubjects.add(x.getSubjectX500Principal().getName());
            peerSha256.add(HexFormat.of().withUpperCase()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(x.getEncoded())));
          }
        } catch (SSLPeerUnverifiedException e) {
          peerSubjects.add("none");
        } catch (Exception e) {
          peerSubjects.add("error " + e);
        }
      }
      if (ws.path().endsWith("/PING")) {
        AtomicLong lastPong = new AtomicLong(System.nanoTime());
        ws.pongHandler(b -> {
          pongs.incrementAndGet();
          lastPong.set(System.nanoTime());
        });
        long timer = vertx.setPeriodic(50, t -> {
          if (System.nanoTime() - lastPong.get() > TimeUnit.MILLISECONDS.toNanos(500)) {
            ws.close((short) 1001, "pong timeout");
          } else {
            ws.writePing(Buffer.buffer("hb"));
          }
        });
        ws.closeHandler(v -> vertx.cancelTimer(timer));
      }
      ws.textMessageHandler(text -> onText(ws, text));
      ws.writeTextMessage(new JsonArray().add(2).add("srv-1").add("Reset")
          .add(new JsonObject().put("type", "Soft")).encode());
    }

    private void onText(ServerWebSocket ws, String text) {
      JsonArray frame;
      try {
        frame = new JsonArray(text);
      } catch (DecodeException | ClassCastException e) {
        ws.writeTextMessage("[4,\"-1\",\"FormatViolation\",\"not JSON\",{}]");
        return;
      }
      if (frame.getInteger(0) == 2) {
        ws.writeTextMessage(
            new JsonArray().add(3).add(frame.getString(1)).add(reply(frame.getString(2), frame.getJsonObject(3))).encode());
      } else {
        repliesFromChargers.add(new Object[] {ws.path(), frame});
      }
    }

    private JsonObject reply(String action, JsonObject payload) {
      String now = Instant.now().toString();
      JsonObject accepted = new JsonObject().put("status", "Accepted");
      return switch (action) {
        case "BootNotification" -> accepted.put("currentTime", now).put("interval", 300);
        case "Heartbeat" -> new JsonObject().put("currentTime", now);
        case "Authorize", "StopTransaction" -> new JsonObject().put("idTagInfo", accepted);
        case "StartTransaction" -> new JsonObject().put("idTagInfo", accepted)
            .put("transactionId", txIds.incrementAndGet());
        case "DataTransfer" -> accepted.put("data", payload.getString("data"));
        default -> new JsonObject();
      };
    }

    String url(String path) {
      return (ssl ? "wss" : "ws") + "://127.0.0.1:" + port + path;
    }

    /** The reply with this id from the charger connected on this path. */
    JsonArray awaitReplyFromCharger(String path, String id) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (System.nanoTime() < deadline) {
        for (Object[] r : repliesFromChargers) {
          JsonArray frame = (JsonArray) r[1];
          if (path.equals(r[0]) && id.equals(frame.getValue(1))) {
            repliesFromChargers.remove(r);
            return frame;
          }
        }
        Thread.sleep(10);
      }
      throw new AssertionError("no reply " + id + " from the charger on " + path);
    }
  }

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    rsaCerts = CompletableFuture.supplyAsync(() -> {
      TestCerts rsa = TestCerts.shared();
      rsa.client("CP-RSA");
      return rsa;
    });
    certs = TestCerts.create(TestCerts.KeyAlg.EC);
    plain = new Stub(new HttpServerOptions());
    tls = new Stub(new HttpServerOptions()
        .setSsl(true)
        .setKeyCertOptions(certs.server().keyCertOptions())
        .setTrustOptions(certs.caTrustOptions())
        .setClientAuth(ClientAuth.REQUEST));
  }

  @AfterAll
  static void stop() {
    if (vertx != null) {
      vertx.close().await();
    }
  }

  // ------------------------------------------------------------------------------ TestCharger

  @Test
  void chargerCallRoundTripAndServerCall() throws Exception {
    TestCharger cp = TestCharger.connect(vertx, plain.url("/OCPP/CP1"), new TestCharger.Options()
            .basicAuth("CP1", "s3cret")
            .onCall("Reset", p -> new JsonObject().put("status", "Accepted")))
        .await(5, TimeUnit.SECONDS);
    assertEquals("ocpp1.6", cp.selectedSubprotocol());

    JsonArray reply = cp.call("Heartbeat", new JsonObject()).await(5, TimeUnit.SECONDS);
    assertEquals(3, reply.getInteger(0));
    assertNotNull(reply.getJsonObject(2).getString("currentTime"));

    // the server's CALL sent right after the handshake was answered by the pre-registered handler
    assertEquals(new JsonArray("[3,\"srv-1\",{\"status\":\"Accepted\"}]"),
        plain.awaitReplyFromCharger("/OCPP/CP1", "srv-1"));
    assertEquals("Reset", cp.awaitCall("Reset").await(5, TimeUnit.SECONDS).getString(2));
    assertEquals(1, cp.receivedCalls("Reset").size());
    assertTrue(plain.authHeaders.contains("Basic Q1AxOnMzY3JldA=="), plain.authHeaders.toString());

    // malformed frame: reply matched on id "-1"
    JsonArray err = cp.sendRaw("this is not json", "-1").await(5, TimeUnit.SECONDS);
    assertEquals(4, err.getInteger(0));
    assertEquals("FormatViolation", err.getString(2));

    // concurrent calls are matched by id
    List<Future<JsonArray>> many = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      many.add(cp.call("StatusNotification", new JsonObject().put("connectorId", i)));
    }
    Future.all(many).await(5, TimeUnit.SECONDS);

    cp.assertNoProtocolViolations();
    assertFalse(cp.receivedFrames().isEmpty());
    assertEquals(1000, cp.close().await(5, TimeUnit.SECONDS));
    assertTrue(cp.isClosed());
  }

  @Test
  void chargerAnswersUnhandledCallsNotImplementedAndHandlesErrorsAndTimeouts() throws Exception {
    TestCharger cp = TestCharger.connect(vertx, plain.url("/OCPP/CP2"),
            new TestCharger.Options().callTimeout(Duration.ofMillis(300)))
        .await(5, TimeUnit.SECONDS);
    JsonArray r = plain.awaitReplyFromCharger("/OCPP/CP2", "srv-1");
    assertEquals(4, r.getInteger(0));
    assertEquals("NotImplemented", r.getString(2));

    // no reply to a raw frame with an id the server never answers: the timeout fails the future
    Throwable t = cp.sendRaw("[3,\"nobody\",{}]", "nobody").transform(Future::succeededFuture)
        .await(5, TimeUnit.SECONDS).cause();
    assertInstanceOf(java.util.concurrent.TimeoutException.class, t);
    cp.close().await(5, TimeUnit.SECONDS);

    TestCharger cp2 = TestCharger.connect(vertx, plain.url("/OCPP/CP3"), new TestCharger.Options()
            .onCall("Reset", p -> new TestCharger.Error("GenericError", "nope")))
        .await(5, TimeUnit.SECONDS);
    JsonArray e = plain.awaitReplyFromCharger("/OCPP/CP3", "srv-1");
    assertEquals("[4,\"srv-1\",\"GenericError\",\"nope\",{}]", e.encode());
    cp2.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void compressionAndFrameSizeOptions() throws Exception {
    TestCharger z = TestCharger.connect(vertx, plain.url("/OCPP/CP-Z"), new TestCharger.Options()
            .tryUsePerMessageCompression(true))
        .await(5, TimeUnit.SECONDS);
    assertTrue(String.valueOf(z.handshakeHeaders().get("Sec-WebSocket-Extensions"))
        .contains("permessage-deflate"), z.handshakeHeaders().toString());
    assertEquals(3, z.call("Heartbeat", new JsonObject()).await(5, TimeUnit.SECONDS).getInteger(0));
    z.close().await(5, TimeUnit.SECONDS);

    TestCharger cp = TestCharger.connect(vertx, plain.url("/OCPP/CP-F"), new TestCharger.Options()
            .maxFrameSize(1024))
        .await(5, TimeUnit.SECONDS);
    // a 5 kB message leaves in 1 kB frames; the small reply passes
    JsonArray r = cp.call("StatusNotification",
        new JsonObject().put("info", "y".repeat(5000))).await(5, TimeUnit.SECONDS);
    assertEquals(3, r.getInteger(0));
    // a reply frame larger than maxFrameSize: the client drops the connection (it sends 1009,
    // closed() reports 1006 as no close frame came back) and records the decoder exception
    cp.sendRawNoReply(new JsonArray().add(2).add("huge").add("DataTransfer")
        .add(new JsonObject().put("vendorId", "t").put("data", "z".repeat(20_000))).encode());
    assertEquals(1006, cp.closed().await(5, TimeUnit.SECONDS));
    assertTrue(String.valueOf(cp.exceptions()).contains("1024"), String.valueOf(cp.exceptions()));
    cp.assertNoProtocolViolations();
  }

  @Test
  void refusedUpgradeGivesHttpStatus() throws Exception {
    assertEquals(401, TestCharger.connectExpectingFailure(vertx, plain.url("/OCPP/REJECT"))
        .await(5, TimeUnit.SECONDS));
    // Vert.x's client refuses a 101 without the subprotocol it offered
    Throwable t = TestCharger.connectExpectingError(vertx, plain.url("/OCPP/CP4"),
        new TestCharger.Options().subprotocols("ocpp2.0.1")).await(5, TimeUnit.SECONDS);
    assertTrue(String.valueOf(t).contains("subprotocol"), String.valueOf(t));
  }

  // ------------------------------------------------------------------------------ RawWebSocket

  @Test
  void rawWebSocketHandshakeFramesAndClose() throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(plain.url("/OCPP/RAW1"), "ocpp1.6")) {
      assertEquals(101, ws.status());
      assertTrue(ws.isUpgraded(), ws.toString());
      assertEquals("ocpp1.6", ws.subprotocol());
      JsonArray call = new JsonArray(ws.readText(Duration.ofSeconds(5)));
      assertEquals("Reset", call.getString(2));
      ws.sendText("[2,\"r1\",\"Heartbeat\",{}]");
      JsonArray reply = new JsonArray(ws.readText(Duration.ofSeconds(5)));
      assertEquals("r1", reply.getString(1));
      // 16-bit and 64-bit payload lengths, both directions (the stub echoes DataTransfer data)
      for (int size : new int[] {40_000, 70_000}) {
        String data = "x".repeat(size);
        ws.sendText(new JsonArray().add(2).add("big" + size).add("DataTransfer")
            .add(new JsonObject().put("vendorId", "t").put("data", data)).encode());
        JsonArray big = new JsonArray(ws.readText(Duration.ofSeconds(5)));
        assertEquals("big" + size, big.getString(1));
        assertEquals(data, big.getJsonObject(2).getString("data"));
      }
      ws.sendClose(1000, "bye");
      RawWebSocket.Frame f = ws.readFrame(Duration.ofSeconds(5));
      assertTrue(f.isClose(), String.valueOf(f));
      assertEquals(1000, f.closeCode());
      assertTrue(ws.awaitEof(Duration.ofSeconds(5)));
    }

    // no acceptable subprotocol: the Vert.x stub still upgrades, without the header
    try (RawWebSocket ws = RawWebSocket.connect(plain.url("/OCPP/RAW2"), "ocpp2.0.1")) {
      assertEquals(101, ws.status());
      assertFalse(ws.hasHeader("Sec-WebSocket-Protocol"), ws.toString());
    }
    // missing Sec-WebSocket-Key: 400
    try (RawWebSocket ws = RawWebSocket.connect(plain.url("/OCPP/RAW3"),
        new RawWebSocket.Options().omitHeader("Sec-WebSocket-Key"))) {
      assertEquals(400, ws.status());
      assertTrue(ws.statusLine().startsWith("HTTP/1.1 400"), ws.statusLine());
    }
    try (RawWebSocket ws = RawWebSocket.connect(plain.url("/OCPP/REJECT"))) {
      assertEquals(401, ws.status());
    }
  }

  @Test
  void silentRawWebSocketIsClosedByPingTimeoutWhileVertxClientPongs() throws Exception {
    TestCharger alive = TestCharger.connect(vertx, plain.url("/OCPP/PING")).await(5, TimeUnit.SECONDS);
    try (RawWebSocket dead = RawWebSocket.connect(plain.url("/OCPP/PING"))) {
      assertEquals(1001, dead.awaitServerClose(Duration.ofSeconds(5)));
      assertTrue(dead.pingsReceived() > 0);
    }
    assertFalse(alive.isClosed());
    assertTrue(plain.pongs.get() > 0);
    alive.close().await(5, TimeUnit.SECONDS);
  }

  // ------------------------------------------------------------------------------ TLS / certs

  @Test
  void mutualTlsWithTestCerts() throws Exception {
    TestCerts.Pem client = certs.client("CP-TLS");
    TestCharger cp = TestCharger.connect(vertx, tls.url("/OCPP/CP-TLS"), new TestCharger.Options()
            .trustCaPem(certs.caCert())
            .clientCert(client))
        .await(5, TimeUnit.SECONDS);
    assertEquals("ocpp1.6", cp.selectedSubprotocol());
    assertEquals(3, cp.call("Heartbeat", new JsonObject()).await(5, TimeUnit.SECONDS).getInteger(0));
    assertTrue(tls.peerSubjects.contains("CN=CP-TLS,O=TestCPO"), tls.peerSubjects.toString());
    assertTrue(tls.peerSha256.contains(TestCerts.sha256Thumbprint(client.cert())));
    assertTrue(cp.webSocket().isSsl());
    cp.close().await(5, TimeUnit.SECONDS);

    // TLS without client certificate (REQUEST): accepted, server sees no peer certificate
    TestCharger anon = TestCharger.connect(vertx, tls.url("/OCPP/CP-ANON"),
        new TestCharger.Options().trustAll()).await(5, TimeUnit.SECONDS);
    assertTrue(tls.peerSubjects.contains("none"), tls.peerSubjects.toString());
    anon.close().await(5, TimeUnit.SECONDS);

    // client certificate not issued by the trusted CA: it IS presented (see TestCerts
    // alwaysPresentingKeyManager) and the server's TLS layer refuses the handshake; with TLS 1.3
    // the client learns it only after its side of the handshake, as a closed connection
    int seen = tls.peerSubjects.size();
    Throwable t = TestCharger.connectExpectingError(vertx, tls.url("/OCPP/CP-SELF"),
        new TestCharger.Options()
            .trustCaPem(certs.caCert())
            .clientCert(certs.selfSignedClient("CP-SELF"))).await(5, TimeUnit.SECONDS);
    assertNotNull(t);
    assertEquals(seen, tls.peerSubjects.size(), "no WebSocket must have been accepted");

    // server certificate not trusted by default
    TestCharger.connectExpectingError(vertx, tls.url("/OCPP/CP-X"), new TestCharger.Options())
        .await(5, TimeUnit.SECONDS);

    // RawWebSocket over mutual TLS, verifying the server certificate against the CA
    try (RawWebSocket ws = RawWebSocket.connect(tls.url("/OCPP/RAW-TLS"), new RawWebSocket.Options()
        .ssl(RawWebSocket.trustingPem(certs.caCert(), certs.client("CP-RAW"))))) {
      assertTrue(ws.isUpgraded());
      assertEquals("Reset", new JsonArray(ws.readText(Duration.ofSeconds(5))).getString(2));
      assertTrue(tls.peerSubjects.contains("CN=CP-RAW,O=TestCPO"), tls.peerSubjects.toString());
    }
  }

  @Test
  @Order(Integer.MAX_VALUE) // last: the RSA PKI is generated in the background meanwhile
  void rsaDefaultCertsWithVertxPemOptions() throws Exception {
    TestCerts rsa = rsaCerts.get(20, TimeUnit.SECONDS);
    assertEquals("RSA", rsa.server().certificate().getPublicKey().getAlgorithm());
    Stub rsaServer = new Stub(new HttpServerOptions()
        .setSsl(true)
        .setKeyCertOptions(rsa.server().keyCertOptions())
        .setTrustOptions(rsa.caTrustOptions())
        .setClientAuth(ClientAuth.REQUIRED));
    try {
      TestCharger cp = TestCharger.connect(vertx, rsaServer.url("/OCPP/CP-RSA"),
              new TestCharger.Options().trustCaPem(rsa.caCert()).clientCert(rsa.client("CP-RSA")))
          .await(5, TimeUnit.SECONDS);
      assertEquals(List.of("CN=CP-RSA,O=TestCPO"), rsaServer.peerSubjects);
      assertEquals(List.of(rsa.client("CP-RSA").sha256()), rsaServer.peerSha256);
      cp.close().await(5, TimeUnit.SECONDS);
    } finally {
      rsaServer.server.close().await();
    }
  }

  @Test
  void certificateFilesAndThumbprints() throws Exception {
    TestCerts.Pem c = certs.client("CP7");
    assertTrue(java.nio.file.Files.readString(c.key()).startsWith("-----BEGIN PRIVATE KEY-----"));
    assertTrue(java.nio.file.Files.readString(c.cert()).startsWith("-----BEGIN CERTIFICATE-----"));
    X509Certificate x = TestCerts.readCertificate(c.cert());
    assertEquals("CN=CP7,O=TestCPO", x.getSubjectX500Principal().getName());
    assertEquals(certs.ca().certificate().getSubjectX500Principal(), x.getIssuerX500Principal());
    x.verify(certs.ca().certificate().getPublicKey());
    String sha256 = TestCerts.sha256Thumbprint(c.cert());
    assertTrue(sha256.matches("[0-9A-F]{64}"), sha256);
    assertEquals(HexFormat.of().withUpperCase()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(x.getEncoded())), sha256);
    assertTrue(TestCerts.sha1Thumbprint(c.cert()).matches("[0-9A-F]{40}"));
    assertEquals(sha256, c.sha256());

    X509Certificate self = certs.selfSignedClient("CP8").certificate();
    assertEquals(self.getSubjectX500Principal(), self.getIssuerX500Principal());
    assertTrue(certs.ca().certificate().getBasicConstraints() >= 0, "CA basicConstraints");
    assertTrue(certs.server().certificate().getSubjectAlternativeNames().toString()
        .contains("127.0.0.1"));
    assertEquals("EC", certs.client("CP9").certificate().getPublicKey().getAlgorithm());
  }

  // ------------------------------------------------------------------------------ node client

  @Test
  void nodeClientSessionAgainstStub() {
    assumeTrue(NodeOcppClient.isNodeOnPath(), "node is not installed");
    NodeOcppClient.Result r =
        NodeOcppClient.runSession(plain.url("/OCPP"), "CP-NODE", "TAG1", "pw").assertOk();
    assertNotNull(r.transactionId());
    assertEquals("Accepted", r.results().getJsonObject("boot").getString("status"));
    assertEquals(new JsonObject().put("method", "Reset").put("params", new JsonObject().put("type", "Soft")),
        r.serverCalls().getJsonObject(0));
    assertTrue(plain.authHeaders.contains("Basic Q1AtTk9ERTpwdw=="), plain.authHeaders.toString());
    assertNull(r.error());
  }
}
