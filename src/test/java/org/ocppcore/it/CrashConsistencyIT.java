package org.ocppcore.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash consistency of the group-commit writer: 20 chargers stream MeterValues (one outstanding
 * CALL each) into the real jar, which is killed with SIGKILL mid-stream. After a restart on the
 * same SQLite file every sample whose CALLRESULT reached a charger must be there, exactly once,
 * and every stored message must be complete (both of its samples or none).
 */
class CrashConsistencyIT {

  private static final int CHARGERS = 20;
  private static final Duration READY = Duration.ofSeconds(30);
  private static final Duration STREAM = Duration.ofSeconds(3);
  private static final String ENERGY = "Energy.Active.Import.Register";
  private static final String POWER = "Power.Active.Import";
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final Instant BASE = Instant.parse("2030-01-01T00:00:00Z");

  @TempDir
  Path tmp;

  private final List<ServerProcess> processes = new ArrayList<>();
  private Vertx vertx;

  @AfterEach
  void cleanUp() throws Exception {
    for (ServerProcess p : processes) {
      p.close(); // destroyForcibly of our own process if still alive
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void acknowledgedMeterValuesSurviveKillMinus9() throws Exception {
    long t0 = System.nanoTime();
    Path db = tmp.resolve("crash.sqlite");
    String dbUrl = "jdbc:sqlite:" + db.toAbsolutePath();

    // ---- first start: applies the schema; then seed the charge points beside it (WAL)
    int ocppPort = ServerProcess.freePort();
    ServerProcess first = start("server1", ocppPort, dbUrl);
    first.awaitPort(ocppPort, READY);
    long firstReadyMs = (System.nanoTime() - t0) / 1_000_000;
    List<String> ids = new ArrayList<>();
    try (Connection c = open(dbUrl);
        PreparedStatement ins = c.prepareStatement("INSERT INTO ChargePoint (ChargePointId, Name) VALUES (?, ?)")) {
      for (int i = 1; i <= CHARGERS; i++) {
        String id = String.format("CRASH%02d", i);
        ids.add(id);
        ins.setString(1, id);
        ins.setString(2, "crash test charger " + i);
        ins.addBatch();
      }
      ins.executeBatch();
    }

    // ---- stream
    vertx = Vertx.vertx();
    List<Streamer> streamers = new ArrayList<>();
    for (int i = 0; i < CHARGERS; i++) {
      streamers.add(new Streamer(vertx, ids.get(i), i));
    }
    List<Future<Void>> connected = new ArrayList<>();
    for (Streamer s : streamers) {
      connected.add(s.connect(ocppPort));
    }
    Future.all(connected).toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    long streamStart = System.nanoTime();
    streamers.forEach(Streamer::sendNext);
    Thread.sleep(STREAM.toMillis());
    for (Streamer s : streamers) {
      if (!s.errors.isEmpty()) {
        fail(s.cpId + ": " + s.errors + "\n" + first.output());
      }
    }
    assertTrue(streamers.stream().anyMatch(s -> !s.acked.isEmpty()),
        "nothing was acknowledged in " + STREAM.toMillis() + " ms\n" + first.output());

    // ---- kill -9 mid-stream, from the test thread at an arbitrary moment
    long ackedBeforeKill = 0;
    long sentBeforeKill = 0;
    for (Streamer s : streamers) {
      ackedBeforeKill += s.acked.size(); // acked first: a message acked now was sent before
      sentBeforeKill += s.sent.get();
    }
    long inFlightAtKill = sentBeforeKill - ackedBeforeKill;
    first.kill(); // SIGKILL, then waits for the exit
    long streamMillis = (System.nanoTime() - streamStart) / 1_000_000;
    streamers.forEach(s -> s.stop = true);
    Future.all(streamers.stream().map(s -> s.closed.future()).toList())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertTrue(!first.isAlive(), "the killed server is still alive");

    long sent = 0;
    long acked = 0;
    for (Streamer s : streamers) {
      sent += s.sent.get();
      acked += s.acked.size();
      assertTrue(s.errors.isEmpty(), s.cpId + ": " + s.errors);
    }

    // ---- restart on the same file (new ports: the old ones may linger in TIME_WAIT)
    int ocppPort2 = ServerProcess.freePort();
    long restartAt = System.nanoTime();
    ServerProcess second = start("server2", ocppPort2, dbUrl);
    second.awaitPort(ocppPort2, READY);
    long restartReadyMs = (System.nanoTime() - restartAt) / 1_000_000;

    long missing = 0;
    long partial = 0;
    long storedMessages = 0;
    long storedSamples;
    long distinctSamples;
    List<String> problems = new ArrayList<>();
    try (Connection c = open(dbUrl)) {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
        rs.next();
        assertEquals("ok", rs.getString(1), "integrity_check after the crash");
      }
      Map<String, String> stored = new HashMap<>();
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT ChargePointId, ConnectorId, Timestamp, Measurand, Value "
              + "FROM MeterSample WHERE ChargePointId LIKE 'CRASH%'")) {
        while (rs.next()) {
          String key = rs.getString(1) + "|" + rs.getString(3) + "|" + rs.getString(4);
          String previous = stored.put(key, rs.getString(5));
          if (previous != null) {
            problems.add("stored twice: " + key);
          }
          if (rs.getInt(2) != 1) {
            problems.add("wrong connector " + rs.getInt(2) + " for " + key);
          }
        }
      }
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT COUNT(*), (SELECT COUNT(*) FROM (SELECT DISTINCT ChargePointId, "
              + "Timestamp, Measurand FROM MeterSample WHERE ChargePointId LIKE 'CRASH%')) FROM MeterSample "
              + "WHERE ChargePointId LIKE 'CRASH%'")) {
        rs.next();
        storedSamples = rs.getLong(1);
        distinctSamples = rs.getLong(2);
      }
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT ChargePointId, Timestamp, Measurand, COUNT(*) FROM MeterSample "
              + "WHERE ChargePointId LIKE 'CRASH%' GROUP BY ChargePointId, Timestamp, Measurand HAVING COUNT(*) > 1")) {
        while (rs.next()) {
          problems.add("duplicate " + rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " x"
              + rs.getLong(4));
        }
      }
      for (Streamer s : streamers) {
        Set<Long> storedSeqs = new HashSet<>();
        for (long seq = 0; seq < s.sent.get(); seq++) {
          String ts = s.timestamp(seq);
          String energy = stored.get(s.cpId + "|" + ts + "|" + ENERGY);
          String power = stored.get(s.cpId + "|" + ts + "|" + POWER);
          if (energy != null && power != null) {
            storedMessages++;
            storedSeqs.add(seq);
            if (!String.valueOf(seq).equals(energy) || !String.valueOf(seq).equals(power)) {
              problems.add(s.cpId + " seq " + seq + " stored with values " + energy + "/" + power);
            }
          } else if (energy != null || power != null) {
            partial++;
            problems.add(s.cpId + " seq " + seq + " only partly stored (energy=" + energy + ", power=" + power + ")");
          }
          if (s.acked.contains(seq) && (energy == null || power == null)) {
            missing++;
            problems.add("ACKNOWLEDGED BUT MISSING: " + s.cpId + " seq " + seq + " at " + ts);
          }
        }
        // nothing stored but the complete messages found above (nothing unsent, nothing partial)
        long beyond = stored.keySet().stream().filter(k -> k.startsWith(s.cpId + "|")).count();
        if (beyond != 2L * storedSeqs.size()) {
          problems.add(s.cpId + ": " + beyond + " stored samples, " + storedSeqs.size() + " complete sent messages");
        }
      }
    }
    System.out.printf("CRASH-TEST sent=%d acknowledged=%d inFlightAtKill=%d storedAfterRestart=%d "
            + "missingAcknowledged=%d (messages, 2 samples each; samples stored=%d distinct=%d partial=%d; "
            + "chargers=%d streamed=%d ms, acked when killed=%d)%n",
        sent, acked, inFlightAtKill, storedMessages, missing, storedSamples, distinctSamples, partial, CHARGERS,
        streamMillis, ackedBeforeKill);
    if (!problems.isEmpty()) {
      fail(problems.size() + " problem(s), first ones: " + problems.subList(0, Math.min(20, problems.size())));
    }
    assertEquals(0, missing, "acknowledged messages missing after the crash");
    assertEquals(storedSamples, distinctSamples, "a sample is stored twice");
    assertEquals(2 * storedMessages, storedSamples, "stored samples vs complete messages");
    assertTrue(storedMessages >= acked, "stored " + storedMessages + " < acknowledged " + acked);
    assertTrue(storedMessages <= sent, "stored " + storedMessages + " > sent " + sent);

    // ---- the restarted server works: one more MeterValues, acknowledged and stored
    Streamer after = new Streamer(vertx, ids.get(0), 0) {
      @Override
      String timestamp(long seq) {
        return ISO_MILLIS.format(Instant.parse("2031-01-01T00:00:00Z").plusMillis(seq));
      }
    };
    after.single = true;
    after.connect(ocppPort2).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    after.sendNext();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (after.acked.isEmpty() && after.errors.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(after.errors.isEmpty(), "after restart: " + after.errors);
    assertEquals(Set.of(0L), after.acked, "MeterValues after the restart was not acknowledged\n" + second.output());
    try (Connection c = open(dbUrl);
        PreparedStatement q = c.prepareStatement("SELECT COUNT(*) FROM MeterSample WHERE ChargePointId = ? "
            + "AND Timestamp = ?")) {
      q.setString(1, ids.get(0));
      q.setString(2, after.timestamp(0));
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        assertEquals(2, rs.getInt(1), "samples of the MeterValues sent after the restart");
      }
    }
    after.ws.close();

    // ---- normal stop
    long termAt = System.nanoTime();
    second.terminate();
    int exit = second.awaitExit(Duration.ofSeconds(20));
    long stopMs = (System.nanoTime() - termAt) / 1_000_000;
    System.out.printf("CRASH-TEST timings: first start ready in %d ms, restart ready in %d ms; restarted server "
        + "stopped by SIGTERM with exit code %d in %d ms; total %d ms%n", firstReadyMs, restartReadyMs, exit, stopMs,
        (System.nanoTime() - t0) / 1_000_000);
  }

  // ------------------------------------------------------------------------------------ helpers

  private ServerProcess start(String name, int ocppPort, String dbUrl) throws Exception {
    JsonObject config = new JsonObject()
        .put("ocpp", new JsonObject().put("host", "127.0.0.1").put("port", ocppPort).put("instances", 2))
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", ServerProcess.freePort()))
        .put("db", new JsonObject().put("url", dbUrl));
    Path file = tmp.resolve(name + "-config.json");
    Files.writeString(file, config.encodePrettily(), StandardCharsets.UTF_8);
    ServerProcess p = ServerProcess.start(name, tmp, Map.of(), "--config", file.toString());
    processes.add(p);
    return p;
  }

  private static Connection open(String url) throws SQLException {
    Connection c = DriverManager.getConnection(url);
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout = 10000");
    }
    return c;
  }

  /** One charger: sends MeterValues one at a time, the next as soon as the previous is answered. */
  static class Streamer {
    final String cpId;
    final int index;
    final WebSocketClient client;
    final ClientWebSocket ws;
    /** Messages sent; message seq is 0..sent-1. */
    final AtomicLong sent = new AtomicLong();
    final Set<Long> acked = ConcurrentHashMap.newKeySet();
    final List<String> errors = new CopyOnWriteArrayList<>();
    final Promise<Void> closed = Promise.promise();
    volatile boolean stop;
    volatile boolean single;
    private volatile long outstanding = -1;

    Streamer(Vertx vertx, String cpId, int index) {
      this.cpId = cpId;
      this.index = index;
      this.client = vertx.createWebSocketClient();
      this.ws = client.webSocket();
      ws.textMessageHandler(this::onText);
      ws.exceptionHandler(e -> {
        // expected when the server is killed
      });
      ws.closeHandler(v -> {
        closed.tryComplete();
        client.close();
      });
    }

    Future<Void> connect(int port) {
      return ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/OCPP/" + cpId)
              .addSubProtocol("ocpp1.6"))
          .<Void>mapEmpty()
          .onFailure(e -> closed.tryComplete());
    }

    /** A unique instant per message of this charger (chargers are 10 000 s apart). */
    String timestamp(long seq) {
      return ISO_MILLIS.format(BASE.plusMillis(index * 10_000_000L + seq));
    }

    void sendNext() {
      if (stop || ws.isClosed()) {
        return;
      }
      long seq = sent.get();
      JsonObject payload = new JsonObject().put("connectorId", 1).put("meterValue", new JsonArray().add(
          new JsonObject().put("timestamp", timestamp(seq)).put("sampledValue", new JsonArray()
              .add(new JsonObject().put("value", String.valueOf(seq)).put("measurand", ENERGY).put("unit", "Wh"))
              .add(new JsonObject().put("value", String.valueOf(seq)).put("measurand", POWER).put("unit", "W")))));
      String text = new JsonArray().add(2).add(cpId + "-" + seq).add("MeterValues").add(payload).encode();
      outstanding = seq;
      sent.incrementAndGet(); // counted before the write: a message possibly on the wire is "sent"
      ws.writeTextMessage(text);
    }

    private void onText(String text) {
      JsonArray frame;
      try {
        frame = new JsonArray(text);
      } catch (RuntimeException e) {
        errors.add("invalid frame: " + text);
        return;
      }
      long seq = outstanding;
      String expectedId = cpId + "-" + seq;
      if (frame.getInteger(0) == 3 && expectedId.equals(frame.getString(1))) {
        acked.add(seq);
        if (!single) {
          sendNext();
        }
      } else {
        errors.add("unexpected reply to " + expectedId + ": " + text);
      }
    }
  }
}
