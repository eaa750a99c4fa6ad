package org.ocppcore.store;

import io.vertx.core.Future;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which {@code MeterValue} rows belong to a transaction (schema version 6). On SQLite the store
 * does not keep an index on {@code MeterValue.TransactionId} row by row: SQLite logs whole pages,
 * and with a thousand transactions open every stored message dirtied its own page of that index,
 * a third of the writer's time (docs/benchmarks.md). Instead a catch-up round adds the rows
 * stored since the last one to {@code MeterValueByTransaction}, sorted by transaction, so a page
 * takes all of a transaction's new entries at once, and then moves the mark
 * {@code MeterValueIndexed.UpTo}. Rows above the mark (the last seconds) are found by a scan of
 * that tail. On PostgreSQL and SQL Server no round runs (see their 006 scripts): UpTo stays 0 and
 * their ordinary index answers the tail part of the same query.
 *
 * <p>A round reads the new rows' entries in one write op, then writes them in small chunks, each its
 * own write op, so chargers' writes go on between them: written as one op, a round of 10,000 rows
 * held the writer for tens of milliseconds and tripled the ingest p99 (docs/benchmarks.md).
 */
public final class MeterValueIndex {
  /**
   * The rows of one transaction, as a condition on {@code MeterValueId} for MeterValue or the
   * MeterSample view; both of its parameters are the transaction id. A row both in the index and
   * above the mark (a round between its chunks and its mark) is still matched once: IN is a set test.
   */
  static final String ROWS_OF_TRANSACTION = "MeterValueId IN (SELECT MeterValueId FROM MeterValueByTransaction "
      + "WHERE TransactionId = ? UNION ALL SELECT MeterValueId FROM MeterValue "
      + "WHERE MeterValueId > (SELECT UpTo FROM MeterValueIndexed) AND TransactionId = ?)";

  /**
   * Rows stored before a round is due: a page of the index then takes about this many rows
   * divided by the transactions open, and a query scans at most about this many tail rows.
   */
  public static final long CATCH_UP_ROWS = 10_000;
  /** Transactions per chunk of a round: each one's entries share a page, so a chunk writes about this many pages. */
  static final int CHUNK_TRANSACTIONS = 32;

  /** The mark and the last row stored: a round covers the rows between. */
  private static final String MARK_AND_LAST = "SELECT UpTo, (SELECT MAX(MeterValueId) FROM MeterValue) FROM MeterValueIndexed";
  /** A round's entries (parameters: the mark, the last row), in the order they are written. */
  private static final String NEW_ENTRIES = "SELECT TransactionId, MeterValueId FROM MeterValue WHERE MeterValueId > ? "
      + "AND MeterValueId <= ? AND TransactionId IS NOT NULL ORDER BY TransactionId, MeterValueId";
  public static final String MOVE_MARK = "UPDATE MeterValueIndexed SET UpTo = ?";

  private final Store store;
  private final String insertEntry;
  /** Rows stored since the last round started; 1 at start for a tail left by the last run. */
  private final AtomicLong stored = new AtomicLong(1);
  private long lastRound = System.nanoTime();
  private volatile boolean running;

  MeterValueIndex(Store store, Dialect dialect) {
    this.store = store;
    this.insertEntry = insertEntry(dialect);
  }

  /** Adds one entry (TransactionId, MeterValueId); a round cut short before its mark moved is repeated, so one already there is skipped. */
  public static String insertEntry(Dialect dialect) {
    String[] columns = {"TransactionId", "MeterValueId"};
    return dialect.insertIgnoringDuplicates("MeterValueByTransaction", columns, columns);
  }

  /** Counts rows stored (called on the writer thread). */
  void stored(int rows) {
    stored.addAndGet(rows);
  }

  /**
   * Whether a round is due now: {@link #CATCH_UP_ROWS} rows were stored, or some were and the last
   * round began {@code maxWaitNanos} ago (db.meterIndexSeconds, so a quiet server's tail stays
   * short too). If so, the rows counted so far are taken as its. One caller at a time.
   */
  boolean due(long nowNanos, long maxWaitNanos) {
    long pending = stored.get();
    if (running || pending < CATCH_UP_ROWS && (pending == 0 || nowNanos - lastRound < maxWaitNanos)) {
      return false;
    }
    stored.addAndGet(-pending);
    lastRound = nowNanos;
    return true;
  }

  /** Runs a round when one is due; completes with the rows it covered (0 when none ran). */
  Future<Long> catchUpIfDue(long nowNanos, long maxWaitNanos) {
    if (!due(nowNanos, maxWaitNanos)) {
      return Future.succeededFuture(0L);
    }
    running = true;
    return round().onComplete(ar -> {
      running = false;
      if (ar.failed()) {
        stored(1); // the mark did not move: the next check repeats the round
      }
    });
  }

  /** The rows a round covers: above {@code from}, up to {@code last}; their entries sorted by transaction. */
  public record Round(long from, long last, List<Object[]> entries) {}

  /**
   * Reads a round's rows and entries inside a writer transaction (the writer's cache holds those
   * pages: a few milliseconds for 10,000 rows, where a read connection took ~100 ms of CPU reading
   * and decoding them); null when no row was stored since the mark.
   */
  public static Round read(WriteConnection c) throws SQLException {
    SqlRow marks = c.first(MARK_AND_LAST);
    long from = marks.getLong(0);
    Long last = marks.getLong(1);
    if (last == null || last <= from) {
      return null;
    }
    List<Object[]> entries = new ArrayList<>();
    for (SqlRow e : c.query(NEW_ENTRIES, from, last)) {
      entries.add(new Object[] {e.getLong(0), e.getLong(1)});
    }
    return new Round(from, last, entries);
  }

  /** One round: {@link #read}, then the entries written in chunks; the last chunk moves the mark. */
  Future<Long> round() {
    return store.write(MeterValueIndex::read).compose(r -> r == null ? Future.succeededFuture(0L)
        : writeChunks(r.entries(), 0, r.last()).map(v -> r.last() - r.from()));
  }

  /** Writes the entries from {@code start} on, one chunk per write op, one after the other. */
  private Future<Void> writeChunks(List<Object[]> entries, int start, long last) {
    int end = start;
    int transactions = 0;
    while (end < entries.size()) {
      boolean another = end == start || !entries.get(end)[0].equals(entries.get(end - 1)[0]);
      if (another && transactions == CHUNK_TRANSACTIONS) {
        break;
      }
      transactions += another ? 1 : 0;
      end++;
    }
    List<Object[]> chunk = entries.subList(start, end);
    boolean lastChunk = end == entries.size();
    int next = end;
    return store.write(c -> {
      c.batch(insertEntry, chunk);
      if (lastChunk) {
        c.update(MOVE_MARK, last);
      }
      return null;
    }).compose(v -> lastChunk ? Future.<Void>succeededFuture() : writeChunks(entries, next, last));
  }
}
