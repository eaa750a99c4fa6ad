package org.ocppcore.web;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.ocppcore.app.Addresses;

/**
 * Server-sent events for the browser ({@code GET /ui/events}): one set of event-bus consumers on
 * {@code ocpp.events.*} (cluster-wide, so a UI node sees every gateway node's chargers), fanned
 * out to every open stream. A stream that cannot keep up loses events rather than buffering
 * them; the page catches up on its next load.
 */
final class LiveEvents {
  static final List<String> KINDS = List.of("connection", "status", "transaction", "meter");
  private static final long KEEPALIVE_MS = 20_000;

  private final Set<HttpServerResponse> streams = ConcurrentHashMap.newKeySet();
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();

  /** Registers the consumers on the caller's context (the management verticle's: undeploy removes them). */
  LiveEvents(Vertx vertx) {
    for (String kind : KINDS) {
      consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS_PREFIX + kind, m -> {
        if (kind.equals("meter") && m.body() != null && m.body().getValue("meters") instanceof JsonArray batch) {
          // MeterEventRelay's batch: one event per connector, as the page expects
          batch.forEach(e -> broadcast(kind, (JsonObject) e));
        } else {
          broadcast(kind, m.body());
        }
      }));
    }
    vertx.setPeriodic(KEEPALIVE_MS, id -> {
      for (HttpServerResponse r : streams) {
        write(r, ": keep-alive\n\n");
      }
    });
  }

  void open(RoutingContext ctx) {
    HttpServerResponse r = ctx.response();
    r.setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Accel-Buffering", "no");
    streams.add(r);
    r.closeHandler(v -> streams.remove(r));
    r.exceptionHandler(e -> streams.remove(r));
    // the retry hint, and a first event so the page knows the stream is live
    write(r, "retry: 3000\nevent: hello\ndata: {}\n\n");
  }

  int openStreams() {
    return streams.size();
  }

  private void broadcast(String kind, JsonObject body) {
    if (streams.isEmpty()) {
      return; // nobody watching: not even the encoding
    }
    String frame = "event: " + kind + "\ndata: " + (body == null ? "{}" : body.encode()) + "\n\n";
    for (HttpServerResponse r : streams) {
      write(r, frame);
    }
  }

  private void write(HttpServerResponse r, String frame) {
    if (r.closed() || r.ended()) {
      streams.remove(r);
    } else if (!r.writeQueueFull()) {
      r.write(frame);
    }
  }
}
