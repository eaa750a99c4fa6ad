package org.ocppcore.store;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
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
 * <p>A whole group commit (BEGIN, every op, COMMIT) is one task on a dedicated writer thread with
 * one JDBC connection, so the event loop never blocks and a statement costs no thread hop. If a
 * shared transaction fails, its ops are retried one per transaction so that one bad op cannot fail
 * the others; if the database dropped the connection, the writer takes a fresh one and retries.
 */
public final class StoreVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(StoreVerticle.class);

  private final DataSource source;
  private final int maxBatch;
  private final ArrayDeque<Message<LocalCodec.Envelope>> queue = new ArrayDeque<>();
  private WorkerExecutor writerThread;
  /** Only touched on the writer thread. */
  private WriteConnection connection;
  private boolean busy;
  private long batches;
  private long ops;

  public StoreVerticle(Database database, int maxBatch) {
    this.source = database.writeSource();
    this.maxBatch = Math.max(1, maxBatch);
  }

  @Override
  public Future<?> start() {
    // one thread: SQLite has one writer, and one connection keeps its prepared statements
    writerThread = vertx.createSharedWorkerExecutor("ocpp-store-writer", 1, 5, TimeUnit.MINUTES);
    return vertx.eventBus().<LocalCodec.Envelope>localConsumer(Addresses.STORE_WRITE, msg -> {
      queue.add(msg);
      if (!busy) {
        drain();
      }
    }).completion();
  }

  @Override
  public Future<?> stop() {
    return writerThread.executeBlocking(() -> {
      if (connection != null) {
        connection.close();
        connection = null;
      }
      return null;
    }).eventually(() -> writerThread.close());
  }

  /** What one op ended with: its result, or the error it failed with. */
  private record Outcome(Object result, Throwable error) {}

  private void drain() {
    if (queue.isEmpty()) {
      busy = false;
      return;
    }
    busy = true;
    List<Message<LocalCodec.Envelope>> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
    List<WriteOp<?>> work = new ArrayList<>(batch.size());
    while (!queue.isEmpty() && batch.size() < maxBatch) {
      Message<LocalCodec.Envelope> msg = queue.poll();
      batch.add(msg);
      work.add((WriteOp<?>) msg.body().value());
    }
    writerThread.executeBlocking(() -> commit(work), true).onComplete(ar -> {
      batches++;
      ops += batch.size();
      for (int i = 0; i < batch.size(); i++) {
        Outcome o = ar.succeeded() ? ar.result().get(i) : new Outcome(null, ar.cause());
        if (o.error() == null) {
          batch.get(i).reply(new LocalCodec.Envelope(o.result()));
        } else {
          LOG.error("store write failed: {}", o.error().toString());
          batch.get(i).fail(500, String.valueOf(o.error().getMessage()));
        }
      }
      drain();
    });
  }

  /** On the writer thread: the batch in one transaction, or else each op in its own. */
  private List<Outcome> commit(List<WriteOp<?>> work) {
    Throwable shared;
    try {
      return runInOneTransaction(work);
    } catch (SQLException | RuntimeException e) {
      shared = e;
    }
    if (lost()) {
      try {
        return runInOneTransaction(work); // the same batch once more on a fresh connection
      } catch (SQLException | RuntimeException e) {
        shared = e;
        lost();
      }
    }
    if (work.size() == 1) {
      return List.of(new Outcome(null, shared));
    }
    LOG.warn("group commit of {} ops failed ({}); retrying them one by one", work.size(), shared.toString());
    List<Outcome> out = new ArrayList<>(work.size());
    for (WriteOp<?> op : work) {
      try {
        out.add(runInOneTransaction(List.of(op)).get(0));
      } catch (SQLException | RuntimeException e) {
        out.add(new Outcome(null, e));
        lost();
      }
    }
    return out;
  }

  private List<Outcome> runInOneTransaction(List<WriteOp<?>> work) throws SQLException {
    if (connection == null) {
      connection = new WriteConnection(source.getConnection());
    }
    List<Outcome> out = new ArrayList<>(work.size());
    try {
      for (WriteOp<?> op : work) {
        out.add(new Outcome(op.run(connection), null));
      }
      connection.commit();
      return out;
    } catch (SQLException | RuntimeException e) {
      connection.rollbackQuietly();
      throw e;
    }
  }

  /** After a failure: whether the connection was lost (it is then dropped, the next run takes a new one). */
  private boolean lost() {
    if (connection == null || connection.isUsable()) {
      return false;
    }
    LOG.warn("the database dropped the writer's connection; taking a new one");
    connection.close();
    connection = null;
    return true;
  }

  /** Average ops per commit so far (for the benchmark and the log). */
  public double opsPerCommit() {
    return batches == 0 ? 0 : (double) ops / batches;
  }
}
