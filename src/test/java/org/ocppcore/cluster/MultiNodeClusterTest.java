package org.ocppcore.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.sstore.ClusteredSessionStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.ocppcore.api.ApiKeys;
import org.ocppcore.app.Cluster;
import org.ocppcore.app.Config;
import org.ocppcore.app.OcppServer;
import org.ocppcore.domain.TagRecord;
import org.ocppcore.store.AdminStore;
import org.ocppcore.store.EmbeddedPostgresDatabases;
import org.ocppcore.testsupport.TempFiles;
import org.ocppcore.testsupport.TestCharger;

/**
 * Three clustered nodes (Hazelcast over TCP/IP on loopback, one cluster formed for the class) on
 * one embedded PostgreSQL database:
 * <ul>
 *   <li>gateway A — a separate JVM ({@code org.ocppcore.app.Main --config}), so that it can be
 *       killed for real ({@link Process#destroyForcibly()}, SIGKILL: no goodbye to the cluster, no
 *       socket close frames, nothing flushed);
 *   <li>gateway B and management node C — clustered Vert.x instances in this JVM, each with its own
 *       cluster manager and Hazelcast config, started through the same {@link Cluster} code as
 *       {@code Main}.
 * </ul>
 * Simulated chargers connect to A and B; the REST API is called on C only. The tests run in
 * order; the last one kills A.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MultiNodeClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final String clusterName = "ocpp-test-" + UUID.randomUUID().toString().substring(0, 8);
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  private Path dir;
  private Process gatewayA;
  private int portA;
  private Vertx vertxB;
  private Vertx vertxC;
  private OcppServer nodeB;
  private OcppServer nodeC;
  /** Where the simulated chargers and the HTTP client live: a plain Vert.x of their own. */
  private Vertx clients;
  private WebClient http;
  private String apiKey;
  private final List<JsonObject> eventsOnC = new CopyOnWriteArrayList<>();
  private final List<TestCharger> chargers = new CopyOnWriteArrayList<>();
  /** Connected in the first test: CP-A1 (OCPP 1.6) on gateway A, CP-B1 (2.0.1) on gateway B. */
  private TestCharger a1;
  private TestCharger b1;

  // ------------------------------------------------------------------ the cluster

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private JsonObject nodeConfig(List<String> roles, int ocppPort, int hazelcastPort, List<Integer> members, String dbUrl) {
    JsonArray memberList = new JsonArray();
    members.forEach(p -> memberList.add("127.0.0.1:" + p));
    return new JsonObject()
        .put("node", new JsonObject().put("roles", new JsonArray(roles)))
        .put("ocpp", new JsonObject().put("host", "127.0.0.1").put("port", ocppPort).put("instances", 1)
            .put("protocols", new JsonArray().add("ocpp1.6").add("ocpp2.0.1")))
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("db", new JsonObject().put("type", "postgresql").put("url", dbUrl).put("readPoolSize", 2))
        .put("log", new JsonObject().put("dbMessageLog", 1))
        .put("security", new JsonObject().put("pbkdf2Iterations", 1000))
        // on PostgreSQL the UI's users file would default to data/htpasswd of the checkout
        .put("ui", new JsonObject().put("htpasswdFile", dir.resolve("htpasswd-" + String.join("-", roles)).toString()))
        .put("cluster", new JsonObject().put("enabled", true).put("name", clusterName).put("host", "127.0.0.1")
            .put("port", hazelcastPort).put("members", memberList).put("eventBusPort", 0));
  }

  @BeforeAll
  void startCluster() throws Exception {
    long t0 = System.nanoTime();
    String dbUrl = EmbeddedPostgresDatabases.freshDatabaseUrl();
    long pgReady = System.nanoTime();
    dir = Files.createTempDirectory("ocpp-cluster");
    List<Integer> hz = List.of(freePort(), freePort(), freePort());
    portA = freePort();

    // gateway A: its own JVM, on the test class path
    Path configA = dir.resolve("a.json");
    Files.writeString(configA, nodeConfig(List.of("gateway"), portA, hz.get(0), hz, dbUrl).encodePrettily());
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-Dfile.encoding=UTF-8",
        // A is killed: its Vert.x file cache and sqlite-jdbc library stay in its own folder, not in /tmp
        "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")),
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.management/sun.management=ALL-UNNAMED",
        "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), "org.ocppcore.app.Main", "--config", configA.toString()));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
        .redirectOutput(dir.resolve("a.out").toFile()).redirectError(dir.resolve("a.err").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("OCPPCORE_"));
    gatewayA = pb.start();

    // B and C join at the same time, in this JVM (all three also migrate the empty database together)
    // B also serves the API and UI: two management nodes, as behind a load balancer
    Config configB = Config.of(nodeConfig(List.of("gateway", "management"), 0, hz.get(1), hz, dbUrl));
    Config configC = Config.of(nodeConfig(List.of("management"), 0, hz.get(2), hz, dbUrl));
    CompletableFuture<OcppServer> b = CompletableFuture.supplyAsync(() -> startNode(configB, v -> vertxB = v));
    CompletableFuture<OcppServer> c = CompletableFuture.supplyAsync(() -> startNode(configC, v -> vertxC = v));
    nodeB = b.get(60, TimeUnit.SECONDS);
    nodeC = c.get(60, TimeUnit.SECONDS);
    long inJvmNodes = System.nanoTime();
    awaitPortA();
    long processA = System.nanoTime();
    waitUntil("three cluster members", () -> members(vertxC) == 3);
    // the management nodes' first administrator went to the test's folder, not to the checkout
    assertTrue(Files.exists(dir.resolve("htpasswd-gateway-management")) && Files.exists(dir.resolve("htpasswd-management")));
    System.out.printf("cluster of 3 nodes up after %d ms (database ready after %d ms, nodes B and C after %d ms, "
        + "gateway A listening after %d ms)%n", ms(t0), (pgReady - t0) / 1_000_000, (inJvmNodes - t0) / 1_000_000,
        (processA - t0) / 1_000_000);

    for (String id : List.of("CP-A1", "CP-B1", "CP-M", "CP-K1", "CP-K2")) {
      await(nodeC.store().upsertChargePoint(id, id, null, null, "Accepted", false));
    }
    await(nodeC.store().upsertTag(new TagRecord("TAG1", "TAG1", null, null, false)));
    apiKey = await(new ApiKeys(new AdminStore(nodeC.store(), nodeC.database().readPool())).create("cluster-test", "admin"));
    for (String address : List.of("ocpp.events.connection", "ocpp.events.status", "ocpp.events.transaction",
        "ocpp.events.meter")) {
      await(vertxC.eventBus().<JsonObject>consumer(address, m -> eventsOnC.add(m.body().copy().put("address", address)))
          .completion());
    }
    clients = Vertx.vertx();
    http = WebClient.create(clients);
  }

  private interface VertxSink {
    void set(Vertx v);
  }

  private static OcppServer startNode(Config config, VertxSink sink) {
    try {
      Vertx v = Cluster.vertx(config, new VertxOptions());
      sink.set(v);
      return OcppServer.start(v, config);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long ms(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }

  private static int members(Vertx v) {
    return ((VertxInternal) v).clusterManager().getNodes().size();
  }

  private void awaitPortA() throws Exception {
    waitUntil("gateway A listening on " + portA, () -> {
      if (!gatewayA.isAlive()) {
        throw new AssertionError("gateway A exited with " + gatewayA.exitValue() + "\n" + outputA());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", portA), 200);
        return true;
      } catch (IOException notYet) {
        return false;
      }
    });
  }

  private String outputA() {
    StringBuilder sb = new StringBuilder();
    for (String f : List.of("a.out", "a.err")) {
      try {
        String s = Files.readString(dir.resolve(f), StandardCharsets.UTF_8);
        sb.append("----- gateway A ").append(f).append(" -----\n")
            .append(s.length() > 6000 ? "..." + s.substring(s.length() - 6000) : s).append('\n');
      } catch (IOException e) {
        sb.append(f).append(": ").append(e).append('\n');
      }
    }
    return sb.toString();
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (gatewayA != null && gatewayA.isAlive()) {
      gatewayA.destroyForcibly();
      gatewayA.waitFor(10, TimeUnit.SECONDS);
    }
    for (TestCharger cp : chargers) {
      cp.close();
    }
    if (clients != null) {
      clients.close();
    }
    for (OcppServer node : new OcppServer[] {nodeB, nodeC}) {
      if (node != null) {
        node.close();
      }
    }
    TempFiles.deleteTree(dir);
  }

  // ------------------------------------------------------------------ helpers

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private static void waitUntil(String what, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  private String ts(int seconds) {
    return now.plusSeconds(seconds).toString();
  }

  private TestCharger connect(int port, String id, String subprotocol) throws Exception {
    TestCharger cp = await(TestCharger.connect(clients, "ws://127.0.0.1:" + port + "/OCPP/" + id,
        new TestCharger.Options().subprotocols(subprotocol)
            .onCall("Reset", p -> new JsonObject().put("status", "Accepted"))));
    chargers.add(cp);
    return cp;
  }

  /**
   * What a charger does after its connection died: connect again (through the load balancer, here
   * straight to B) until the handshake succeeds, waiting up to 10 s for each handshake.
   */
  private TestCharger reconnect(int port, String id, String subprotocol) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        TestCharger cp = await(TestCharger.connect(clients, "ws://127.0.0.1:" + port + "/OCPP/" + id,
            new TestCharger.Options().subprotocols(subprotocol).connectTimeout(Duration.ofSeconds(10))
                .onCall("Reset", p -> new JsonObject().put("status", "Accepted"))));
        chargers.add(cp);
        return cp;
      } catch (java.util.concurrent.ExecutionException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        System.out.printf("%s: reconnect failed (%s), retrying%n", id, e.getCause());
        Thread.sleep(200);
      }
    }
  }

  private int portB() {
    return nodeB.ocppPorts().get(0);
  }

  private static JsonObject result(TestCharger cp, String action, JsonObject payload) throws Exception {
    JsonArray reply = await(cp.call(action, payload));
    assertEquals(TestCharger.CALLRESULT, reply.getInteger(0), action + ": " + reply.encode());
    return reply.getJsonObject(2);
  }

  /** An API call on the management node C. */
  private HttpResponse<Buffer> api(HttpMethod method, String path, JsonObject body) throws Exception {
    return api(nodeC, method, path, body);
  }

  private HttpResponse<Buffer> api(OcppServer node, HttpMethod method, String path, JsonObject body) throws Exception {
    var request = http.request(method, node.httpPort(), "127.0.0.1", "/api/v1" + path).putHeader("X-API-Key", apiKey);
    return await(body == null ? request.send() : request.sendJsonObject(body));
  }

  private JsonObject reset(String chargePointId) throws Exception {
    HttpResponse<Buffer> r = api(HttpMethod.POST, "/chargepoints/" + chargePointId + "/reset",
        new JsonObject().put("type", "soft"));
    assertEquals(200, r.statusCode(), () -> "reset " + chargePointId + ": " + r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  /**
   * Sends a reset until the charger answers: right after a node died, the other nodes may still
   * hold its event-bus registrations for a moment (a call routed there gets no answer: 504).
   * Returns the number of attempts.
   */
  private int resetUntilAnswered(String chargePointId) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (int attempt = 1; ; attempt++) {
      HttpResponse<Buffer> r = api(HttpMethod.POST, "/chargepoints/" + chargePointId + "/reset",
          new JsonObject().put("type", "soft"));
      if (r.statusCode() == 200) {
        return attempt;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("reset " + chargePointId + ": " + r.statusCode() + " " + r.bodyAsString());
      }
      System.out.printf("%s: reset answered %d %s, retrying%n", chargePointId, r.statusCode(), r.bodyAsString());
    }
  }

  private interface ThrowingSupplier<T> {
    T get() throws Exception;
  }

  private static <T> T unchecked(ThrowingSupplier<T> s) {
    try {
      return s.get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject boot16() {
    return new JsonObject().put("chargePointVendor", "ACME").put("chargePointModel", "Cluster");
  }

  private static JsonObject boot2() {
    return new JsonObject().put("reason", "PowerUp")
        .put("chargingStation", new JsonObject().put("model", "Cluster").put("vendorName", "ACME"));
  }

  private JsonObject meterValues16(int connectorId, long txId, int at, double wh) {
    return new JsonObject().put("connectorId", connectorId).put("transactionId", txId)
        .put("meterValue", new JsonArray().add(new JsonObject().put("timestamp", ts(at))
            .put("sampledValue", new JsonArray().add(new JsonObject().put("value", String.valueOf(wh))
                .put("measurand", "Energy.Active.Import.Register").put("unit", "Wh")))));
  }

  private JsonObject event2(String type, int seqNo, String trigger, int at, double wh) {
    JsonObject e = new JsonObject().put("eventType", type).put("timestamp", ts(at)).put("triggerReason", trigger)
        .put("seqNo", seqNo).put("transactionInfo", new JsonObject().put("transactionId", "K2-TX"))
        .put("meterValue", new JsonArray().add(new JsonObject().put("timestamp", ts(at))
            .put("sampledValue", new JsonArray().add(new JsonObject().put("value", wh)
                .put("measurand", "Energy.Active.Import.Register")))));
    if (type.equals("Started")) {
      e.put("evse", new JsonObject().put("id", 1).put("connectorId", 1))
          .put("idToken", new JsonObject().put("idToken", "TAG1").put("type", "ISO14443"));
    }
    return e;
  }

  // ------------------------------------------------------------------ the scenario

  @Test
  @Order(1)
  void commandsFromTheManagementNodeReachChargersOnEitherGateway() throws Exception {
    a1 = connect(portA, "CP-A1", "ocpp1.6");
    b1 = connect(portB(), "CP-B1", "ocpp2.0.1");
    assertEquals("Accepted", result(a1, "BootNotification", boot16()).getString("status"));
    assertEquals("Accepted", result(b1, "BootNotification", boot2()).getString("status"));

    JsonObject onA = reset("CP-A1");
    assertEquals("Accepted", onA.getJsonObject("response").getString("status"));
    assertEquals("Soft", await(a1.awaitCall("Reset")).getJsonObject(3).getString("type"), "1.6 Reset on gateway A");
    JsonObject onB = reset("CP-B1");
    assertEquals("Accepted", onB.getJsonObject("response").getString("status"));
    assertEquals("OnIdle", await(b1.awaitCall("Reset")).getJsonObject(3).getString("type"), "2.0.1 Reset on gateway B");
    assertEquals(1, nodeB.sessionCount());
  }

  @Test
  @Order(2)
  void liveEventsOfBothGatewaysReachTheManagementNode() throws Exception {
    result(a1, "StatusNotification", new JsonObject().put("connectorId", 1).put("status", "Preparing")
        .put("errorCode", "NoError"));
    result(b1, "StatusNotification", new JsonObject().put("timestamp", ts(0)).put("connectorStatus", "Occupied")
        .put("evseId", 1).put("connectorId", 1));
    waitUntil("status events of CP-A1 (gateway A) and CP-B1 (gateway B) on node C", () ->
        eventsOnC.stream().anyMatch(e -> "ocpp.events.status".equals(e.getString("address"))
            && "CP-A1".equals(e.getString("chargePointId")))
        && eventsOnC.stream().anyMatch(e -> "ocpp.events.status".equals(e.getString("address"))
            && "CP-B1".equals(e.getString("chargePointId"))));
    assertTrue(eventsOnC.stream().anyMatch(e -> "ocpp.events.connection".equals(e.getString("address"))
        && "CP-A1".equals(e.getString("chargePointId")) && e.getBoolean("connected", false)));
  }

  @Test
  @Order(3)
  void uiSessionsAreSharedByEveryNode() throws Exception {
    ClusteredSessionStore onB = ClusteredSessionStore.create(vertxB);
    Session session = onB.createSession(60_000);
    session.put("user", "admin");
    await(onB.put(session));
    Session seenByC = await(nodeC.sessionStore().get(session.id()));
    assertNotNull(seenByC, "a session stored on B is found on C");
    assertEquals("admin", seenByC.get("user"));
    assertTrue(nodeC.sessionStore() instanceof ClusteredSessionStore);
  }

  @Test
  @Order(4)
  void anAsyncCommandsOutcomeIsFoundOnEveryManagementNode() throws Exception {
    HttpResponse<Buffer> accepted = api(nodeC, HttpMethod.POST, "/chargepoints/CP-A1/reset?async=true",
        new JsonObject().put("type", "soft"));
    assertEquals(202, accepted.statusCode(), accepted.bodyAsString());
    String id = accepted.bodyAsJsonObject().getString("commandId");
    // asked on B at once: the id is known cluster-wide before the 202 left C
    HttpResponse<Buffer> first = api(nodeB, HttpMethod.GET, "/commands/" + id, null);
    assertEquals(200, first.statusCode(), first.bodyAsString());
    waitUntil("the outcome of command " + id + " on node B", () -> "done".equals(unchecked(() ->
        api(nodeB, HttpMethod.GET, "/commands/" + id, null)).bodyAsJsonObject().getString("state")));
    JsonObject done = api(nodeB, HttpMethod.GET, "/commands/" + id, null).bodyAsJsonObject();
    assertEquals("Accepted", done.getJsonObject("result").getJsonObject("response").getString("status"), done.encode());
    assertEquals(404, api(nodeB, HttpMethod.GET, "/commands/no-such-command", null).statusCode());
  }

  @Test
  @Order(5)
  void aChargerMovingToAnotherGatewayTakesItsCommandsAlong() throws Exception {
    TestCharger old = connect(portA, "CP-M", "ocpp1.6");
    result(old, "BootNotification", boot16());
    TestCharger moved = connect(portB(), "CP-M", "ocpp1.6");
    assertEquals(1000, await(old.closed()), "the session on A was closed by the takeover from B");
    result(moved, "Heartbeat", new JsonObject());
    reset("CP-M");
    assertEquals(1, moved.receivedCalls("Reset").size(), "the command went to the connection on B");
    assertEquals(0, old.receivedCalls("Reset").size());
  }

  @Test
  @Order(6)
  void chargersOfAKilledGatewayReconnectToTheOtherWithNoTransactionLost() throws Exception {
    // transactions open on gateway A: one per protocol
    TestCharger k1 = connect(portA, "CP-K1", "ocpp1.6");
    TestCharger k2 = connect(portA, "CP-K2", "ocpp2.0.1");
    result(k1, "BootNotification", boot16());
    result(k2, "BootNotification", boot2());
    long txId = result(k1, "StartTransaction", new JsonObject().put("connectorId", 1).put("idTag", "TAG1")
        .put("meterStart", 1000).put("timestamp", ts(1))).getLong("transactionId");
    result(k1, "MeterValues", meterValues16(1, txId, 2, 1500));
    result(k2, "TransactionEvent", event2("Started", 0, "CablePluggedIn", 1, 2000));
    result(k2, "TransactionEvent", event2("Updated", 1, "MeterValuePeriodic", 2, 2600));

    long killedAt = System.nanoTime();
    gatewayA.destroyForcibly();
    assertTrue(gatewayA.waitFor(10, TimeUnit.SECONDS));
    // the chargers notice when their sockets die and come back through the load balancer, to B
    await(k1.closed());
    await(k2.closed());
    CompletableFuture<TestCharger> k1again = CompletableFuture.supplyAsync(() -> unchecked(() -> reconnect(portB(), "CP-K1",
        "ocpp1.6")));
    CompletableFuture<TestCharger> k2again = CompletableFuture.supplyAsync(() -> unchecked(() -> reconnect(portB(), "CP-K2",
        "ocpp2.0.1")));
    TestCharger k1b = k1again.get(40, TimeUnit.SECONDS);
    TestCharger k2b = k2again.get(40, TimeUnit.SECONDS);
    long reconnectedMs = (System.nanoTime() - killedAt) / 1_000_000;
    result(k1b, "BootNotification", boot16());
    result(k1b, "MeterValues", meterValues16(1, txId, 3, 2200));
    assertEquals("Accepted", result(k1b, "StopTransaction", new JsonObject().put("transactionId", txId)
        .put("idTag", "TAG1").put("meterStop", 2500).put("timestamp", ts(4)).put("reason", "Local"))
        .getJsonObject("idTagInfo").getString("status"));
    result(k2b, "TransactionEvent", event2("Updated", 2, "MeterValuePeriodic", 3, 3100));
    result(k2b, "TransactionEvent", event2("Ended", 3, "EVCommunicationLost", 4, 3500)
        .put("transactionInfo", new JsonObject().put("transactionId", "K2-TX").put("stoppedReason", "EVDisconnected")));

    // everything, from both gateways, in the one transaction of each charger
    JsonObject tx1 = api(HttpMethod.GET, "/transactions/" + txId, null).bodyAsJsonObject();
    assertEquals(ts(4).replace("Z", ".000Z"), tx1.getString("stopTime"));
    assertEquals(1000.0, tx1.getDouble("meterStartWh"));
    assertEquals(2500.0, tx1.getDouble("meterStopWh"));
    List<Double> samples1 = tx1.getJsonArray("meterSamples").stream()
        .map(s -> ((JsonObject) s).getDouble("numericValue")).toList();
    assertTrue(samples1.containsAll(List.of(1500.0, 2200.0)), "samples from A and B: " + samples1);
    JsonArray k2txs = api(HttpMethod.GET, "/transactions?chargePointId=CP-K2", null).bodyAsJsonArray();
    assertEquals(1, k2txs.size(), "one 2.x transaction: " + k2txs.encode());
    JsonObject tx2 = api(HttpMethod.GET, "/transactions/" + k2txs.getJsonObject(0).getLong("transactionId"), null)
        .bodyAsJsonObject();
    assertEquals("K2-TX", tx2.getString("uid"));
    assertEquals(2000.0, tx2.getDouble("meterStartWh"));
    assertEquals(3500.0, tx2.getDouble("meterStopWh"));
    assertNotNull(tx2.getString("stopTime"));
    assertEquals(null, tx2.getString("seqNoGaps"), "no event lost: " + tx2.encode());
    List<Double> samples2 = tx2.getJsonArray("meterSamples").stream()
        .map(s -> ((JsonObject) s).getDouble("numericValue")).toList();
    assertTrue(samples2.containsAll(List.of(2000.0, 2600.0, 3100.0, 3500.0)), "samples from A and B: " + samples2);

    // commands follow the chargers to B once the cluster has dropped A and its event-bus registrations
    waitUntil("the cluster to drop gateway A", () -> members(vertxC) == 2);
    long droppedMs = (System.nanoTime() - killedAt) / 1_000_000;
    int attempts = resetUntilAnswered("CP-K1") + resetUntilAnswered("CP-K2");
    long commandsMs = (System.nanoTime() - killedAt) / 1_000_000;
    assertEquals(1, k1b.receivedCalls("Reset").size());
    assertEquals(1, k2b.receivedCalls("Reset").size());
    assertFalse(gatewayA.isAlive());
    System.out.printf("gateway A killed: chargers back on B after %d ms, A dropped from the cluster after %d ms, "
        + "commands reach them after %d ms (%d attempts for 2 commands)%n", reconnectedMs, droppedMs, commandsMs, attempts);
  }
}
