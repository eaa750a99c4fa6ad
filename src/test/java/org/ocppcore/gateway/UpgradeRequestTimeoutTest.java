package org.ocppcore.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.TestServer.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.ocppcore.TestServer;
import org.ocppcore.security.PasswordHash;
import org.ocppcore.testsupport.TestCharger;

/**
 * A connection whose upgrade request has not arrived within {@code
 * ocpp.upgradeRequestTimeoutSeconds} (1 s here) is closed; an admission that takes longer than that
 * (a slow password check) is not cut, and an upgraded charger outlives it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpgradeRequestTimeoutTest {
  private static final String SLOW_PASSWORD = "a-slow-to-check-password";
  private TestServer server;

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start(new JsonObject().put("ocpp", new JsonObject().put("upgradeRequestTimeoutSeconds", 1)));
    server.chargePoint("HS1");
    // a hash whose check takes seconds, as the last chargers of a restart storm wait for theirs
    TestServer.await(server.server().store().upsertChargePoint("SLOW-PW", "SLOW-PW",
        PasswordHash.hash(SLOW_PASSWORD, 8_000_000), null, "Accepted", false));
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  @Test
  void aConnectionThatSendsNothingIsClosed() throws IOException {
    try (Socket s = connect()) {
      assertClosedByServer(s);
    }
  }

  @Test
  void aConnectionThatSendsHalfARequestIsClosed() throws IOException {
    try (Socket s = connect()) {
      s.getOutputStream().write("GET /OCPP/HS1 HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
      assertClosedByServer(s);
    }
  }

  @Test
  void aRefusedUpgradeClosesTheConnection() throws IOException {
    try (Socket s = connect()) {
      s.getOutputStream().write(("GET /OCPP/NOT-REGISTERED HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
          + "Sec-WebSocket-Protocol: ocpp1.6\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      assertEquals("HTTP/1.1 404", answer);
      assertClosedByServer(s);
    }
  }

  @Test
  void anAdmissionSlowerThanTheTimeoutIsNotCut() throws Exception {
    long t0 = System.nanoTime();
    TestCharger cp = await(TestCharger.connect(server.vertx(), server.wsUrl("SLOW-PW"),
        new TestCharger.Options().basicAuth("SLOW-PW", SLOW_PASSWORD)));
    assertTrue(System.nanoTime() - t0 > 1_000_000_000L, "the password check outlasted the 1 s timeout");
    JsonArray reply = await(cp.call("Heartbeat", new JsonObject()));
    assertEquals(3, reply.getInteger(0), reply.encode());
    await(cp.close());
  }

  @Test
  void anUpgradedChargerOutlivesTheTimeout() throws Exception {
    TestCharger cp = await(TestCharger.connect(server.vertx(), server.wsUrl("HS1")));
    Thread.sleep(2500);
    JsonArray reply = await(cp.call("Heartbeat", new JsonObject()));
    assertEquals(3, reply.getInteger(0), reply.encode());
    await(cp.close());
  }

  private Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", server.ocppPort());
    s.setSoTimeout(15_000);
    return s;
  }

  /** Reads to the end: the server closed the connection (a read timeout would throw instead). */
  private static void assertClosedByServer(Socket s) throws IOException {
    long t0 = System.nanoTime();
    InputStream in = s.getInputStream();
    while (in.read() != -1) {
      // the rest of a refusal, if any
    }
    assertTrue(System.nanoTime() - t0 < 15_000_000_000L);
  }
}
