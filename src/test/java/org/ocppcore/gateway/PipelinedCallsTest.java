package org.ocppcore.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.TestServer.await;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocppcore.app.Config;
import org.ocppcore.domain.Times;
import org.ocppcore.ocpp.OcppVersion;
import org.ocppcore.ocpp.ProtocolHandler;
import org.ocppcore.ocpp.SchemaValidator;
import org.ocppcore.security.VerifiedPasswords;
import org.ocppcore.store.Database;
import org.ocppcore.store.Store;
import org.ocppcore.store.StoreVerticle;
import org.ocppcore.testsupport.RawWebSocket;

/**
 * A charger that pipelines CALLs (OCPP allows one at a time) is read no further while
 * {@link ChargerSession#MAX_UNANSWERED} of them await their answers, and loses none of them. The
 * gateway runs here with a handler that holds every answer until the test releases it, so what the
 * gateway has read is exactly what the handler has been given.
 */
class PipelinedCallsTest {

  /** Answers Heartbeat, but only once the test says so. */
  private static final class HeldAnswers implements ProtocolHandler {
    final List<Promise<JsonObject>> held = new CopyOnWriteArrayList<>();
    final AtomicInteger handled = new AtomicInteger();
    private volatile Context context;
    private volatile boolean answering;

    @Override
    public OcppVersion version() {
      return OcppVersion.V16;
    }

    @Override
    public boolean handles(String action) {
      return "Heartbeat".equals(action);
    }

    @Override
    public Future<JsonObject> handle(StationContext station, String action, JsonObject payload) {
      handled.incrementAndGet();
      if (answering) {
        return Future.succeededFuture(answer());
      }
      context = Vertx.currentContext();
      Promise<JsonObject> p = Promise.promise();
      held.add(p);
      return p.future();
    }

    /** Answers the held calls, on the session's event loop as the store does, and every later one at once. */
    void answerFromNowOn() {
      answering = true;
      context.runOnContext(v -> held.forEach(p -> p.complete(answer())));
    }

    private static JsonObject answer() {
      return new JsonObject().put("currentTime", Times.now());
    }
  }

  @Test
  void aPipeliningChargerIsReadNoFurtherWhileSixteenCallsAwaitTheirAnswersAndLosesNone(@TempDir Path dir)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    Config config = Config.of(new JsonObject()
        .put("ocpp", new JsonObject().put("host", "127.0.0.1").put("port", 0)
            .put("protocols", new JsonArray().add("ocpp1.6")))
        .put("db", new JsonObject().put("url", "jdbc:sqlite:" + dir.resolve("p.sqlite"))));
    Database database = Database.open(vertx, config);
    try {
      StoreVerticle writer = new StoreVerticle(database, 100);
      await(vertx.deployVerticle(writer));
      Store store = new Store(database.readPool(), database.dialect(), writer);
      await(store.upsertChargePoint("PIPE", "PIPE", null, null, "Accepted", false));
      HeldAnswers handler = new HeldAnswers();
      GatewayVerticle gateway = new GatewayVerticle(config, store, SchemaValidator.loadFromClasspath(),
          Map.of(OcppVersion.V16, handler), new VerifiedPasswords());
      await(vertx.deployVerticle(gateway));

      int calls = 100;
      try (RawWebSocket ws = RawWebSocket.connect("ws://127.0.0.1:" + gateway.actualPorts().get(0) + "/OCPP/PIPE",
          "ocpp1.6")) {
        for (int i = 0; i < calls; i++) {
          ws.sendText("[2,\"hb-" + i + "\",\"Heartbeat\",{}]");
        }
        awaitHeld(handler, ChargerSession.MAX_UNANSWERED);
        // everything is sent; the gateway has stopped reading at the limit and stays there
        Thread.sleep(500);
        assertEquals(ChargerSession.MAX_UNANSWERED, handler.held.size(), "calls read while 16 await their answers");

        // answering lets the gateway read on, until every call has been handed over and answered once
        handler.answerFromNowOn();
        Set<String> answered = new HashSet<>();
        List<String> order = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
          JsonArray frame = new JsonArray(ws.readText(Duration.ofSeconds(10)));
          assertEquals(3, frame.getInteger(0), frame::encode);
          assertTrue(answered.add(frame.getString(1)), () -> "answered once: " + frame.encode());
          order.add(frame.getString(1));
        }
        assertEquals(calls, handler.handled.get(), "every pipelined call reached the handler once");
        assertEquals("hb-0", order.get(0));
      }
    } finally {
      await(vertx.close());
      database.close();
    }
  }

  private static void awaitHeld(HeldAnswers handler, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (handler.held.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(n, handler.held.size(), "calls handed to the handler");
  }
}
