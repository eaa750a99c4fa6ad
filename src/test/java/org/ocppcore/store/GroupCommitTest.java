package org.ocppcore.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.store.StoreFixture.await;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ocppcore.domain.MeterSample;

/**
 * The group-commit writer on each database: ops that arrive together share one transaction; when
 * one of them fails (here a foreign-key violation, which on PostgreSQL aborts the whole
 * transaction) the others are retried one by one and still succeed; a retried meter sample (same
 * key) is stored once, within one batch and across batches; the generated TransactionId comes
 * back through RETURNING.
 */
class GroupCommitTest {

  /** A reading at second {@code s}: the same second is the same reading (same SampleKey). */
  private static MeterSample sample(int s) {
    return new MeterSample(1, null, "2026-01-01T00:00:0" + s + ".000Z", String.valueOf(s), (double) s,
        "Energy.Active.Import.Register", "Wh", null, "Outlet", "Sample.Periodic", "Raw");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void aFailingOpDoesNotFailTheOthersOfItsBatch(String dialect, @TempDir Path dir) throws Exception {
    try (StoreFixture w = StoreFixture.start(dialect, dir)) {
      Vertx vertx = w.vertx();
      Database database = w.database();
      Store store = w.store();
      await(store.upsertChargePoint("CP1", "CP1", null, null, "Accepted", false));

      // sent in one event-loop turn: the first commits alone, the rest queue and go in one batch
      Promise<List<Future<?>>> sent = Promise.promise();
      vertx.runOnContext(v -> {
        List<Future<?>> ops = new ArrayList<>();
        ops.add(store.meterValues("CP1", 1, List.of(sample(0))));
        ops.add(store.meterValues("CP1", 1, List.of(sample(1), sample(1), sample(2))));
        ops.add(store.meterValues("NO-SUCH-CP", 1, List.of(sample(3)))); // foreign key violation
        ops.add(store.startTransaction("CP1", 1, "TAG", 1000, "2026-01-01T00:00:01.000Z", null, false));
        ops.add(store.meterValues("CP1", 1, List.of(sample(1), sample(1), sample(2)))); // a retry of ops 1
        sent.complete(ops);
      });
      List<Future<?>> ops = await(sent.future());
      await(Future.join(new ArrayList<>(ops)).otherwiseEmpty());

      assertTrue(ops.get(0).succeeded());
      assertTrue(ops.get(1).succeeded(), () -> String.valueOf(ops.get(1).cause()));
      assertTrue(ops.get(2).failed());
      assertTrue(ops.get(2).cause() instanceof java.sql.SQLException, () -> String.valueOf(ops.get(2).cause()));
      assertTrue(ops.get(3).succeeded(), () -> String.valueOf(ops.get(3).cause()));
      assertTrue(((Store.StartResult) ops.get(3).result()).transactionId() > 0, "key read back through RETURNING");
      assertTrue(ops.get(4).succeeded(), () -> String.valueOf(ops.get(4).cause()));

      List<String> keys = new ArrayList<>();
      await(database.readPool().preparedQuery("SELECT Timestamp FROM MeterSample WHERE ChargePointId = ? ORDER BY Timestamp")
          .execute(Tuple.of("CP1"))).forEach(r -> keys.add(r.getString(0)));
      assertEquals(List.of(0, 1, 2), keys.stream().map(t -> t.charAt(18) - '0').toList(), "every sample once");
    }
  }

  /**
   * Heartbeats are answered without a commit: their LastSeen waits in memory until a flush writes
   * all of them (in ops of 500 rows), and a connection change in between wins over an older heartbeat.
   */
  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void heartbeatsReachTheDatabaseAtTheFlush(String dialect, @TempDir Path dir) throws Exception {
    try (StoreFixture w = StoreFixture.start(dialect, dir)) {
      Database database = w.database();
      Store store = w.store();
      int n = 1203;
      for (int i = 0; i < n; i++) {
        await(store.upsertChargePoint("HB" + i, "HB" + i, null, null, "Accepted", false));
      }
      await(store.connectionChanged("HB0", "ocpp1.6", false)); // DisconnectedAt, LastSeen
      String disconnectedSeen = lastSeen(database, "HB0");
      for (int i = 0; i < n; i++) {
        store.heartbeat("HB" + i);
      }
      assertEquals(null, lastSeen(database, "HB1"), "nothing written before the flush");
      Thread.sleep(5);
      await(store.connectionChanged("HB0", "ocpp1.6", false)); // a later disconnect drops HB0's pending heartbeat
      String disconnectedAgain = lastSeen(database, "HB0");
      assertTrue(disconnectedAgain.compareTo(disconnectedSeen) > 0);

      await(store.flushLastSeen());
      assertEquals(disconnectedAgain, lastSeen(database, "HB0"), "the disconnect's time is not moved back");
      for (int i = 1; i < n; i++) {
        assertTrue(lastSeen(database, "HB" + i) != null, "HB" + i + " written by the flush");
      }
      long rows = await(database.readPool().query("SELECT COUNT(*) FROM ChargePointBoot WHERE LastSeen IS NOT NULL")
          .execute()).iterator().next().getLong(0);
      assertEquals(n, rows);
      await(store.flushLastSeen()); // nothing pending: completes at once
    }
  }

  private static String lastSeen(Database database, String id) throws Exception {
    var rows = await(database.readPool().preparedQuery("SELECT LastSeen FROM ChargePointBoot WHERE ChargePointId = ?")
        .execute(Tuple.of(id)));
    return rows.size() == 0 ? null : rows.iterator().next().getString(0);
  }

  /**
   * Two different messages whose keys hash alike: the second is stored under the next free key,
   * and a retry of either is still recognised. The collision is simulated by storing, under the key
   * of CP1's message, the same samples from another charge point (not a retry of CP1's).
   */
  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void aHashCollisionStoresBothMessages(String dialect, @TempDir Path dir) throws Exception {
    try (StoreFixture w = StoreFixture.start(dialect, dir)) {
      Database database = w.database();
      Store store = w.store();
      await(store.upsertChargePoint("CP1", "CP1", null, null, "Accepted", false));
      await(store.upsertChargePoint("CP2", "CP2", null, null, "Accepted", false));
      List<MeterSample> a = List.of(sample(1));
      long hash = MeterValueRows.rows("CP1", a).get(0).keyHash();
      await(database.readPool().preparedQuery("INSERT INTO MeterValue (ChargePointId, ConnectorId, Timestamp, KeyHash, "
          + "Samples) VALUES ('CP2', 1, 'x', ?, ?)").execute(Tuple.of(hash, MeterValueRows.encode(a))));

      await(store.meterValues("CP1", 1, a));
      await(store.meterValues("CP1", 1, List.of(sample(1), sample(2))));
      await(store.meterValues("CP1", 1, a)); // a retry, now found at key + 1
      var rows = await(database.readPool().preparedQuery("SELECT ChargePointId, Samples, KeyHash FROM MeterValue")
          .execute());
      java.util.Set<String> stored = new java.util.HashSet<>();
      rows.forEach(r -> stored.add(r.getString(0) + MeterValueRows.decode(r.getString(1), 1, null).stream()
          .map(x -> x.timestamp().substring(18, 19)).toList() + "@" + (r.getLong(2) - hash)));
      long b = MeterValueRows.rows("CP1", List.of(sample(1), sample(2))).get(0).keyHash();
      assertEquals(java.util.Set.of("CP2[1]@0", "CP1[1]@1", "CP1[1, 2]@" + (b - hash)), stored);
      assertEquals(3, rows.size());
    }
  }

  /**
   * Every op's future completes on the context that submitted it (a session's event loop), after
   * the commit; stopping the writer commits what is already queued and refuses what comes later.
   */
  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void futuresCompleteOnTheSubmittersContextAndStopCommitsWhatIsQueued(String dialect, @TempDir Path dir)
      throws Exception {
    try (StoreFixture w = StoreFixture.start(dialect, dir)) {
      Store store = w.store();
      await(store.upsertChargePoint("CP1", "CP1", null, null, "Accepted", false));
      Promise<List<Future<?>>> sent = Promise.promise();
      List<String> wrongContext = java.util.Collections.synchronizedList(new ArrayList<>());
      w.vertx().runOnContext(v -> {
        io.vertx.core.Context submitter = w.vertx().getOrCreateContext();
        List<Future<?>> ops = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          int n = i;
          ops.add(store.meterValues("CP1", 1, List.of(new MeterSample(1, null, String.format(
              "2026-01-01T00:%02d:00.000Z", n), "1", 1.0, "Voltage", "V", null, "Outlet", "Sample.Periodic", "Raw")))
              .onComplete(ar -> {
                if (w.vertx().getOrCreateContext() != submitter) {
                  wrongContext.add("op " + n);
                }
              }));
        }
        // the writer stops while most of them still wait in its queue
        w.vertx().undeploy(w.deployment());
        sent.complete(ops);
      });
      List<Future<?>> ops = await(sent.future());
      await(Future.join(new ArrayList<>(ops)).otherwiseEmpty());
      for (Future<?> op : ops) {
        assertTrue(op.succeeded(), () -> String.valueOf(op.cause()));
      }
      assertEquals(List.of(), wrongContext);
      var rows = await(w.database().readPool().query("SELECT COUNT(*) FROM MeterValue").execute());
      assertEquals(50, rows.iterator().next().getLong(0));
      Future<Void> late = store.write(c -> null);
      await(late.otherwiseEmpty());
      assertTrue(late.failed() && late.cause() instanceof IllegalStateException, "an op after the stop fails at once");
    }
  }
}
