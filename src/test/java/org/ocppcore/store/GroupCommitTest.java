package org.ocppcore.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ocppcore.app.Config;
import org.ocppcore.domain.MeterSample;

/**
 * The group-commit writer on each database: ops that arrive together share one transaction; when
 * one of them fails (here a foreign-key violation, which on PostgreSQL aborts the whole
 * transaction) the others are retried one by one and still succeed; a retried meter sample (same
 * key) is stored once, within one batch and across batches; the generated TransactionId comes
 * back through RETURNING.
 */
class GroupCommitTest {

  private static Config config(String dialect, Path dir) {
    JsonObject db = dialect.equals("postgresql") ? EmbeddedPostgresDatabases.freshDatabaseConfig()
        : new JsonObject().put("url", "jdbc:sqlite:" + dir.resolve("g.sqlite")).put("synchronous", "NORMAL");
    return Config.of(new JsonObject().put("db", db));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** A reading at second {@code s}: the same second is the same reading (same SampleKey). */
  private static MeterSample sample(int s) {
    return new MeterSample(1, null, "2026-01-01T00:00:0" + s + ".000Z", String.valueOf(s), (double) s,
        "Energy.Active.Import.Register", "Wh", null, "Outlet", "Sample.Periodic", "Raw");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void aFailingOpDoesNotFailTheOthersOfItsBatch(String dialect, @TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    Database database = Database.open(vertx, config(dialect, dir));
    try {
      LocalCodec.register(vertx);
      StoreVerticle writer = new StoreVerticle(database.writePool(), 100);
      await(vertx.deployVerticle(writer));
      Store store = new Store(vertx, database.readPool(), database.dialect());
      await(store.upsertChargePoint("CP1", "CP1", null, null, "Accepted", false));

      // sent in one event-loop turn: the first commits alone, the rest queue and go in one batch
      Promise<List<Future<?>>> sent = Promise.promise();
      vertx.runOnContext(v -> {
        List<Future<?>> ops = new ArrayList<>();
        ops.add(store.meterValues("CP1", 1, List.of(sample(0))));
        ops.add(store.meterValues("CP1", 1, List.of(sample(1), sample(1), sample(2))));
        ops.add(store.meterValues("NO-SUCH-CP", 1, List.of(sample(3)))); // foreign key violation
        ops.add(store.startTransaction("CP1", 1, "TAG", 1000, "2026-01-01T00:00:01.000Z", null, false));
        ops.add(store.meterValues("CP1", 1, List.of(sample(2), sample(4)))); // k2 again: a retry
        sent.complete(ops);
      });
      List<Future<?>> ops = await(sent.future());
      await(Future.join(new ArrayList<>(ops)).otherwiseEmpty());

      assertTrue(ops.get(0).succeeded());
      assertTrue(ops.get(1).succeeded(), () -> String.valueOf(ops.get(1).cause()));
      assertTrue(ops.get(2).failed());
      assertEquals(500, ((ReplyException) ops.get(2).cause()).failureCode());
      assertTrue(ops.get(3).succeeded(), () -> String.valueOf(ops.get(3).cause()));
      assertTrue(((Store.StartResult) ops.get(3).result()).transactionId() > 0, "key read back through RETURNING");
      assertTrue(ops.get(4).succeeded(), () -> String.valueOf(ops.get(4).cause()));

      List<String> keys = new ArrayList<>();
      database.readPool().preparedQuery("SELECT Timestamp FROM MeterSample WHERE ChargePointId = ? ORDER BY Timestamp")
          .execute(Tuple.of("CP1")).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
          .forEach(r -> keys.add(r.getString(0)));
      assertEquals(List.of(0, 1, 2, 4), keys.stream().map(t -> t.charAt(18) - '0').toList(), "every sample once");
    } finally {
      await(vertx.close());
      database.close();
    }
  }
}
