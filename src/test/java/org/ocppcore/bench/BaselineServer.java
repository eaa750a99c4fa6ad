package org.ocppcore.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's baseline: a bare Vert.x WebSocket server that parses each OCPP-J frame and
 * answers every CALL with a fixed CALLRESULT per action. It validates nothing, stores nothing and
 * keeps no state per charger beyond Vert.x's own socket, so whatever rate the same generator reaches
 * against it on the same machine in the same run is this hardware's limit for OCPP-J over
 * loopback. Same event-loop count (one verticle per core) and WebSocket options as the gateway.
 *
 * <p>{@code java -cp ocpp-core.jar:target/test-classes org.ocppcore.bench.BaselineServer PORT [HOST]}
 */
public final class BaselineServer {
  private BaselineServer() {}

  private static final String TIME = "\"2026-01-01T00:00:00.000Z\"";
  /** Fixed answers; anything not listed gets {@code {}}. */
  private static final Map<String, String> ANSWERS = Map.of(
      "BootNotification", "{\"status\":\"Accepted\",\"currentTime\":" + TIME + ",\"interval\":300}",
      "Heartbeat", "{\"currentTime\":" + TIME + "}",
      "StartTransaction", "{\"transactionId\":1,\"idTagInfo\":{\"status\":\"Accepted\"}}",
      "Authorize", "{\"idTagInfo\":{\"status\":\"Accepted\"}}",
      "StopTransaction", "{\"idTagInfo\":{\"status\":\"Accepted\"}}",
      "DataTransfer", "{\"status\":\"Accepted\"}");
  private static final Map<String, String> ANSWERS_2X = Map.of(
      "BootNotification", "{\"status\":\"Accepted\",\"currentTime\":" + TIME + ",\"interval\":300}",
      "Heartbeat", "{\"currentTime\":" + TIME + "}",
      "Authorize", "{\"idTokenInfo\":{\"status\":\"Accepted\"}}",
      "TransactionEvent", "{}",
      "DataTransfer", "{\"status\":\"Accepted\"}");

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String host = args.length > 1 ? args[1] : "127.0.0.1";
    Vertx vertx = Vertx.vertx();
    int instances = Runtime.getRuntime().availableProcessors();
    vertx.deployVerticle(() -> new Endpoint(host, port), new DeploymentOptions().setInstances(instances))
        .toCompletionStage().toCompletableFuture().get();
    System.out.println("baseline listening on " + host + ":" + port + " (" + instances + " event loops)");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get();
      } catch (Exception ignored) {
        // exiting anyway
      }
    }));
  }

  private static final class Endpoint extends VerticleBase {
    private final String host;
    private final int port;

    Endpoint(String host, int port) {
      this.host = host;
      this.port = port;
    }

    @Override
    public Future<?> start() {
      HttpServerOptions options = new HttpServerOptions()
          .setHost(host)
          .setPort(port)
          .setWebSocketSubProtocols(List.of("ocpp1.6", "ocpp2.0.1", "ocpp2.1"))
          .setMaxWebSocketFrameSize(1048576)
          .setMaxWebSocketMessageSize(1048576)
          .setPerMessageWebSocketCompressionSupported(true)
          .setPerFrameWebSocketCompressionSupported(true)
          .setWebSocketClosingTimeout(5)
          .setTcpNoDelay(true)
          .setRegisterWebSocketWriteHandlers(false);
      HttpServer server = vertx.createHttpServer(options);
      server.webSocketHandler(this::serve);
      return server.listen();
    }

    private void serve(ServerWebSocket ws) {
      boolean v2 = ws.subProtocol() != null && ws.subProtocol().startsWith("ocpp2");
      Map<String, String> answers = v2 ? ANSWERS_2X : ANSWERS;
      ws.textMessageHandler(text -> {
        JsonArray frame;
        try {
          frame = new JsonArray(text);
        } catch (RuntimeException e) {
          ws.writeTextMessage("[4,\"-1\",\"FormationViolation\",\"not JSON\",{}]");
          return;
        }
        if (frame.size() >= 4 && Integer.valueOf(2).equals(frame.getValue(0))) {
          String payload = answers.getOrDefault(frame.getString(2), "{}");
          ws.writeTextMessage("[3,\"" + frame.getString(1) + "\"," + payload + "]");
        }
      });
    }
  }
}
