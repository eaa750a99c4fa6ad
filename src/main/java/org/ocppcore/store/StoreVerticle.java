package org.ocppcore.store;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.lang.management.ManagementFactory;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-local group-commit writer. Every {@link WriteOp} that arrives while a transaction is
 * being committed waits in a queue; the next transaction takes all of them (up to maxBatch) at
 * once, so a thousand chargers' MeterValues cost one commit (and one fsync), not a thousand. Each
 * submitter's future completes only after the commit, on the submitter's own context, which is
 * what lets a session acknowledge data to a charger only once it is durable.
 *
 * <p>A dedicated writer thread with one JDBC connection runs every group commit (BEGIN, every op,
 * COMMIT), so the event loop never blocks and a statement costs no thread hop. Ops reach it
 * through a queue, not the event bus: they are closures and never leave the node, and an event-bus
 * request per op cost a reply registration, a timeout timer and two more thread hops
 * (docs/benchmarks.md). If a shared transaction fails, its ops are retried one per transaction so
 * that one bad op cannot fail the others; if the database dropped the connection, the writer
 * takes a fresh one and retries.
 */
public final class StoreVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(StoreVerticle.class);

  /** An op, the promise of its submitter and the context to complete it on. */
  private record Pending(WriteOp<?> op, Promise<Object> promise, Context context) {}

  private static final Pending STOP = new Pending(null, null, null);

  private final DataSource source;
  private final int maxBatch;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Promise<Void> stopped = Promise.promise();
  private Thread writer;
  private volatile boolean accepting;
  /** Only touched on the writer thread. */
  private WriteConnection connection;
  /** Only touched on the writer thread: what the group commit achieved, logged when it stops. */
  private long batches;
  private long ops;

  public StoreVerticle(Database database, int maxBatch) {
    this.source = database.writeSource();
    this.maxBatch = Math.max(1, maxBatch);
  }

  @Override
  public Future<?> start() {
    accepting = true;
    // one thread: SQLite has one writer, and one connection keeps its prepared statements
    writer = new Thread(this::writeLoop, "ocpp-store-writer");
    // a daemon: stop() drains it on an orderly shutdown; a JVM that exits without one is like a
    // crash, which the database's atomic commit already covers, and is never held up by it
    writer.setDaemon(true);
    writer.start();
    return Future.succeededFuture();
  }

  /** Commits what is queued, then closes the connection; ops submitted later fail. */
  @Override
  public Future<?> stop() {
    accepting = false;
    queue.add(STOP);
    return stopped.future();
  }

  /**
   * Queues an op for the next group commit. The future completes on the caller's context (an
   * event loop for a session) after the commit, or fails with the op's error.
   */
  @SuppressWarnings("unchecked")
  public <T> Future<T> submit(WriteOp<T> op) {
    if (!accepting) {
      return Future.failedFuture(new IllegalStateException("the store writer is stopped"));
    }
    Context context = vertx.getOrCreateContext();
    Promise<Object> promise = Promise.promise();
    queue.add(new Pending(op, promise, context));
    return (Future<T>) promise.future();
  }

  /** What one op ended with: its result, or the error it failed with. */
  private record Outcome(Object result, Throwable error) {}

  private void writeLoop() {
    List<Pending> batch = new ArrayList<>();
    boolean stopping = false;
    try {
      while (!stopping) {
        Pending first;
        try {
          first = queue.take();
        } catch (InterruptedException e) {
          break;
        }
        batch.clear();
        stopping = first == STOP;
        if (!stopping) {
          batch.add(first);
        }
        while (batch.size() < maxBatch) {
          Pending next = queue.poll();
          if (next == null) {
            break;
          }
          if (next == STOP) {
            stopping = true; // commit what came before it, then end
          } else {
            batch.add(next);
          }
        }
        if (!batch.isEmpty()) {
          complete(batch, commitSafely(batch));
        }
      }
    } finally {
      if (connection != null) {
        connection.close();
        connection = null;
      }
      if (batches > 0) {
        // the writer thread is the ingest's bound: its CPU per op is the figure a writer change moves
        long cpuNanos = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        LOG.info("store writer stopped: {} ops in {} commits ({} per commit), {} us of writer CPU per op", ops, batches,
            String.format(Locale.ROOT, "%.1f", (double) ops / batches),
            cpuNanos < 0 ? "?" : String.format(Locale.ROOT, "%.1f", cpuNanos / 1000.0 / ops));
      }
      // submitted while stopping: answered, never left waiting
      for (Pending p = queue.poll(); p != null; p = queue.poll()) {
        if (p != STOP) {
          Pending late = p;
          late.context().runOnContext(v -> late.promise().fail(new IllegalStateException("the store writer is stopped")));
        }
      }
      stopped.tryComplete();
    }
  }

  private List<Outcome> commitSafely(List<Pending> batch) {
    List<WriteOp<?>> work = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      work.add(p.op());
    }
    try {
      return commit(work);
    } catch (Throwable t) {
      // never let the writer thread die: every op of this batch learns why
      List<Outcome> out = new ArrayList<>(work.size());
      for (int i = 0; i < work.size(); i++) {
        out.add(new Outcome(null, t));
      }
      return out;
    } finally {
      batches++;
      ops += batch.size();
    }
  }

  private static void complete(List<Pending> batch, List<Outcome> outcomes) {
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      Outcome o = outcomes.get(i);
      if (o.error() != null) {
        LOG.error("store write failed: {}", o.error().toString());
      }
      p.context().runOnContext(v -> {
        if (o.error() == null) {
          p.promise().complete(o.result());
        } else {
          p.promise().fail(o.error());
        }
      });
    }
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
}
