package org.ocppcore.store;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.ocppcore.app.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-local group-commit writer. Every {@link WriteOp} that arrives while a transaction is
 * being committed waits in a queue; the next transaction takes all of them (up to maxBatch) at
 * once, so a thousand chargers' MeterValues cost one commit (and one fsync), not a thousand. Each
 * sender gets its reply only after the commit, which is what lets a session acknowledge data to a
 * charger only once it is durable.
 *
 * <p>If a shared transaction fails, its ops are retried one per transaction so that one bad op
 * cannot fail the others.
 */
public final class StoreVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(StoreVerticle.class);

  private final Pool pool;
  private final int maxBatch;
  private final ArrayDeque<Message<LocalCodec.Envelope>> queue = new ArrayDeque<>();
  private boolean busy;
  private long batches;
  private long ops;

  public StoreVerticle(Pool writePool, int maxBatch) {
    this.pool = writePool;
    this.maxBatch = Math.max(1, maxBatch);
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<LocalCodec.Envelope>localConsumer(Addresses.STORE_WRITE, msg -> {
      queue.add(msg);
      if (!busy) {
        drain();
      }
    }).completion();
  }

  private void drain() {
    if (queue.isEmpty()) {
      busy = false;
      return;
    }
    busy = true;
    List<Message<LocalCodec.Envelope>> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
    while (!queue.isEmpty() && batch.size() < maxBatch) {
      batch.add(queue.poll());
    }
    List<Object> results = new ArrayList<>(batch.size());
    pool.withTransaction(conn -> runInOrder(conn, batch, 0, results))
        .onSuccess(v -> {
          batches++;
          ops += batch.size();
          for (int i = 0; i < batch.size(); i++) {
            batch.get(i).reply(new LocalCodec.Envelope(results.get(i)));
          }
          drain();
        })
        .onFailure(err -> {
          if (batch.size() == 1) {
            fail(batch.get(0), err);
            drain();
          } else {
            LOG.warn("group commit of {} ops failed ({}); retrying them one by one", batch.size(), err.toString());
            isolate(batch, 0);
          }
        });
  }

  /** Runs each op in its own transaction, then goes on with the queue. */
  private void isolate(List<Message<LocalCodec.Envelope>> batch, int index) {
    if (index == batch.size()) {
      drain();
      return;
    }
    Message<LocalCodec.Envelope> msg = batch.get(index);
    List<Object> result = new ArrayList<>(1);
    pool.withTransaction(conn -> runInOrder(conn, List.of(msg), 0, result))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            msg.reply(new LocalCodec.Envelope(result.get(0)));
          } else {
            fail(msg, ar.cause());
          }
          isolate(batch, index + 1);
        });
  }

  @SuppressWarnings("unchecked")
  private Future<Void> runInOrder(SqlConnection conn, List<Message<LocalCodec.Envelope>> batch, int index,
      List<Object> results) {
    if (index == batch.size()) {
      return Future.succeededFuture();
    }
    WriteOp<Object> op = (WriteOp<Object>) batch.get(index).body().value();
    Future<Object> f;
    try {
      f = op.run(conn);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.compose(r -> {
      results.add(r);
      return runInOrder(conn, batch, index + 1, results);
    });
  }

  private static void fail(Message<LocalCodec.Envelope> msg, Throwable err) {
    LOG.error("store write failed: {}", err.toString());
    msg.fail(500, String.valueOf(err.getMessage()));
  }

  /** Average ops per commit so far (for the benchmark and the log). */
  public double opsPerCommit() {
    return batches == 0 ? 0 : (double) ops / batches;
  }
}
