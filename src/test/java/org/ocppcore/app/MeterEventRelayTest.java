package org.ocppcore.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ocppcore.domain.LiveMeter;

/** Live meter events are coalesced: the latest per connector, one batch per period, none when idle. */
class MeterEventRelayTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void theLatestFiguresPerConnectorGoOutAsOneBatch() throws Exception {
    LinkedBlockingQueue<JsonObject> published = new LinkedBlockingQueue<>();
    vertx.eventBus().<JsonObject>consumer(Addresses.EVENT_METER, m -> published.add(m.body())).completion().await();
    MeterEventRelay relay = new MeterEventRelay(vertx);
    for (int i = 1; i <= 100; i++) {
      relay.offer("CP1", 1, 7L, new LiveMeter(i / 10.0, 11.0, null, "2026-01-01T00:00:" + String.format("%02d", i % 60) + "Z"));
    }
    relay.offer("CP1", 2, null, new LiveMeter(3.0, null, 40.0, "2026-01-01T00:00:00Z"));
    relay.offer("CP2", 1, null, new LiveMeter(null, null, null, null)); // nothing to show: not sent
    relay.flush();
    JsonObject batch = published.poll(5, TimeUnit.SECONDS);
    JsonArray meters = batch.getJsonArray("meters");
    assertEquals(2, meters.size(), meters.encode());
    Map<Integer, JsonObject> byConnector = new HashMap<>();
    meters.forEach(m -> byConnector.put(((JsonObject) m).getInteger("connectorId"), (JsonObject) m));
    assertEquals(10.0, byConnector.get(1).getDouble("energyKwh"), "the last of 100 readings");
    assertEquals(7L, byConnector.get(1).getLong("transactionId"));
    assertEquals("CP1", byConnector.get(1).getString("chargePointId"));
    assertEquals(40.0, byConnector.get(2).getDouble("soc"));

    relay.flush(); // nothing new since: nothing published
    relay.offer("CP1", 1, 7L, new LiveMeter(11.0, 11.0, null, "2026-01-01T00:01:00Z"));
    // the periodic publish, without a manual flush
    JsonObject next = published.poll(MeterEventRelay.PERIOD_MS * 3, TimeUnit.MILLISECONDS);
    assertEquals(1, next.getJsonArray("meters").size(), next.encode());
    assertEquals(11.0, next.getJsonArray("meters").getJsonObject(0).getDouble("energyKwh"));
    assertNull(published.poll(MeterEventRelay.PERIOD_MS * 2, TimeUnit.MILLISECONDS), "an idle relay stays quiet");
  }

  @Test
  void aLargeFleetIsPublishedInBoundedBatches() throws Exception {
    LinkedBlockingQueue<JsonObject> published = new LinkedBlockingQueue<>();
    vertx.eventBus().<JsonObject>consumer(Addresses.EVENT_METER, m -> published.add(m.body())).completion().await();
    MeterEventRelay relay = new MeterEventRelay(vertx);
    int connectors = 2 * MeterEventRelay.MAX_BATCH + 1;
    for (int i = 0; i < connectors; i++) {
      relay.offer("CP" + i, 1, null, new LiveMeter(1.0, 2.0, null, "2026-01-01T00:00:00Z"));
    }
    relay.flush();
    int total = 0;
    while (total < connectors) { // three batches, or more if the periodic publish came in between
      JsonObject batch = published.poll(5, TimeUnit.SECONDS);
      assertTrue(batch != null, "only " + total + " of " + connectors + " connectors published");
      JsonArray meters = batch.getJsonArray("meters");
      assertTrue(meters.size() <= MeterEventRelay.MAX_BATCH, "batch of " + meters.size());
      total += meters.size();
    }
    assertEquals(connectors, total, "every connector once");
  }
}
