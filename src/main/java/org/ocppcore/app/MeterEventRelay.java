package org.ocppcore.app;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.ocppcore.domain.LiveMeter;
import org.ocppcore.ocpp.ProtocolHandler.StationContext;

/**
 * Live meter figures for watchers (the UI's event stream), coalesced: the latest per connector,
 * published in batches {@code {"meters":[...]}} (at most {@link #MAX_BATCH} each) on
 * {@link Addresses#EVENT_METER} once per period. A
 * publish per MeterValues was a cross-thread hand-off per message on the ingest path
 * (docs/benchmarks.md), for a display that needs no more than one update a second.
 */
public final class MeterEventRelay {
  static final long PERIOD_MS = 1000;
  /** Connectors per published batch: a large charging fleet stays a stream of modest messages. */
  static final int MAX_BATCH = 1000;

  private final Vertx vertx;
  private final Map<String, JsonObject> latest = new ConcurrentHashMap<>();

  public MeterEventRelay(Vertx vertx) {
    this.vertx = vertx;
    vertx.setPeriodic(PERIOD_MS, t -> flush());
  }

  /** Keeps the figures until the next publish; a newer reading of the same connector replaces them. */
  public void offer(String chargePointId, int connectorId, Long transactionId, LiveMeter live) {
    if (live == null || live.isEmpty()) {
      return;
    }
    latest.put(chargePointId + '\n' + connectorId, new JsonObject().put("chargePointId", chargePointId)
        .put("connectorId", connectorId).put("transactionId", transactionId).put("energyKwh", live.energyKwh())
        .put("powerKw", live.powerKw()).put("soc", live.soc()).put("timestamp", live.timestamp()));
  }

  /**
   * What follows a stored MeterValues in every OCPP version: its MessageLog line (built only when
   * the log level records it) and the live figures for watchers. Returns the answer's payload.
   */
  public JsonObject meterValuesStored(StationContext station, int connectorId, Long transactionId, LiveMeter live) {
    if (station.logs("MeterValues")) {
      station.log(connectorId, "MeterValues", live.summary(), null);
    }
    offer(station.chargePointId(), connectorId, transactionId, live);
    return new JsonObject();
  }

  /** Publishes what was offered since the last publish (nothing if nothing was). */
  void flush() {
    if (latest.isEmpty()) {
      return;
    }
    JsonArray meters = new JsonArray();
    for (String key : latest.keySet()) {
      JsonObject m = latest.remove(key);
      if (m != null) {
        meters.add(m);
      }
      if (meters.size() == MAX_BATCH) {
        publish(meters);
        meters = new JsonArray();
      }
    }
    if (!meters.isEmpty()) {
      publish(meters);
    }
  }

  private void publish(JsonArray meters) {
    vertx.eventBus().publish(Addresses.EVENT_METER, new JsonObject().put("meters", meters));
  }
}
