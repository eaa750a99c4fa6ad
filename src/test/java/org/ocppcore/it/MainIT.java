package org.ocppcore.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command line of the packaged jar: configuration errors, a busy port, environment overrides. */
class MainIT {

  private static final Duration EXIT = Duration.ofSeconds(20);

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

  private ServerProcess start(String name, Map<String, String> env, String... args) throws Exception {
    ServerProcess p = ServerProcess.start(name, tmp, env, args);
    processes.add(p);
    return p;
  }

  /** A config that would otherwise start: free ports, the database in the temp dir. */
  private JsonObject validConfig(int ocppPort) {
    return new JsonObject()
        .put("ocpp", new JsonObject().put("host", "127.0.0.1").put("port", ocppPort).put("instances", 1))
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", ServerProcess.freePort()))
        .put("db", new JsonObject().put("url", "jdbc:sqlite:" + tmp.resolve("main.sqlite").toAbsolutePath()));
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void invalidJsonConfigExitsNonZeroNamingTheConfig() throws Exception {
    Path file = tmp.resolve("broken.json");
    Files.writeString(file, "{ \"ocpp\": { \"port\": 8081, } oops", StandardCharsets.UTF_8);
    ServerProcess p = start("invalid-json", Map.of(), "--config", file.toString());
    int exit = p.awaitExit(EXIT);
    assertNotEquals(0, exit, p.output());
    String err = p.stderr();
    assertTrue(err.contains("configuration error") && err.contains("broken.json") && err.contains("not valid JSON"),
        "stderr should say the config file is not valid JSON:\n" + p.output());
    assertTrue(!Files.exists(tmp.resolve("data")), "no database should be created (default db.url)");
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void unknownConfigKeyExitsNonZeroNamingTheKey() throws Exception {
    JsonObject config = validConfig(ServerProcess.freePort());
    config.getJsonObject("ocpp").put("prot", 9999); // a typo of "port"
    Path file = tmp.resolve("typo.json");
    Files.writeString(file, config.encodePrettily(), StandardCharsets.UTF_8);
    ServerProcess p = start("unknown-key", Map.of(), "--config", file.toString());
    int exit = p.awaitExit(EXIT);
    assertNotEquals(0, exit, p.output());
    assertTrue(p.stderr().contains("unknown config key: ocpp.prot"), "stderr should name the key:\n" + p.output());

    // and at the top level
    Files.writeString(file, new JsonObject().put("nodes", new JsonObject()).encode(), StandardCharsets.UTF_8);
    ServerProcess top = start("unknown-top-key", Map.of(), "--config", file.toString());
    assertNotEquals(0, top.awaitExit(EXIT), top.output());
    assertTrue(top.stderr().contains("unknown config key: nodes"), "stderr should name the key:\n" + top.output());
  }

  @Test
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  void portInUseExitsNonZeroAndDoesNotHang() throws Exception {
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = busy.getLocalPort();
      Path file = tmp.resolve("busy.json");
      Files.writeString(file, validConfig(port).encodePrettily(), StandardCharsets.UTF_8);
      ServerProcess p = start("port-in-use", Map.of(), "--config", file.toString());
      int exit = p.awaitExit(EXIT);
      assertNotEquals(0, exit, p.output());
      String err = p.stderr();
      assertTrue(err.contains("failed to start"), "stderr should say the server failed to start:\n" + p.output());
      assertTrue(err.toLowerCase().contains("address already in use"),
          "stderr should say the address is in use:\n" + p.output());
      assertTrue(err.contains(":" + port), "stderr should name the port:\n" + p.output());
      assertTrue(!p.isAlive());
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void environmentOverridesWithoutConfigFile() throws Exception {
    Path work = Files.createDirectory(tmp.resolve("empty-work-dir"));
    int ocppPort = ServerProcess.freePort();
    int httpPort = ServerProcess.freePort();
    Path db = tmp.resolve("env-db").resolve("env.sqlite"); // the folder does not exist yet either
    ServerProcess p = ServerProcess.start("env", work, Map.of(
        "OCPPCORE_OCPP_PORT", String.valueOf(ocppPort),
        "OCPPCORE_HTTP_PORT", String.valueOf(httpPort),
        "OCPPCORE_OCPP_INSTANCES", "1",
        "OCPPCORE_DB_URL", "jdbc:sqlite:" + db.toAbsolutePath()));
    processes.add(p);
    p.awaitPort(ocppPort, Duration.ofSeconds(30));
    p.awaitPort(httpPort, Duration.ofSeconds(30));

    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode(), health.body());
    assertEquals(new JsonObject().put("status", "UP"), new JsonObject(health.body()));

    assertTrue(Files.isRegularFile(db), "the SQLite file was not created at " + db + "\n" + p.output());
    assertTrue(!Files.exists(work.resolve("data")), "the default database folder must not be used");

    vertx = Vertx.vertx();
    WebSocketClient client = vertx.createWebSocketClient();
    try {
      client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(ocppPort).setURI("/OCPP/NOPE")
              .addSubProtocol("ocpp1.6"))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      fail("the upgrade of an unknown charge point was accepted");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      while (c != null && !(c instanceof UpgradeRejectedException)) {
        c = c.getCause();
      }
      if (c == null) {
        throw new AssertionError("expected an HTTP refusal of the upgrade", e);
      }
      assertEquals(404, ((UpgradeRejectedException) c).getStatus());
    } finally {
      client.close();
    }

    p.terminate();
    int exit = p.awaitExit(EXIT);
    System.out.printf("MAIN-IT env-configured server stopped by SIGTERM with exit code %d%n", exit);
    String log = p.stderr();
    assertTrue(log.contains("OCPP Core stopping") && log.matches("(?s).*OCPP Core stopped in \\d+ ms.*"),
        "a SIGTERM stop is logged from its start to its orderly end:\n" + p.output());
  }
}
