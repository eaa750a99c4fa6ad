package org.ocppcore.store;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which {@code MeterValue} rows belong to a transaction (schema version 6). On SQLite the store
 * does not keep an index on {@code MeterValue.TransactionId} row by row: SQLite logs whole pages,
 * and with a thousand transactions open every stored message dirtied its own page of that index,
 * a third of the writer's time (docs/benchmarks.md). Instead the writer adds the rows stored since
 * the last time to {@code MeterValueByTransaction} in one sorted insert, so a page takes all of a
 * transaction's new entries at once, and records the last row it covered in
 * {@code MeterValueIndexed.UpTo}. Rows above that mark (the last few seconds) are found by a scan
 * of that tail. On PostgreSQL and SQL Server the catch-up never runs (see their 006 scripts): UpTo
 * stays 0 and their ordinary index answers the tail part of the same query.
 */
public final class MeterValueIndex {
  /**
   * The rows of one transaction, as a condition on {@code MeterValueId} for MeterValue or the
   * MeterSample view; both of its parameters are the transaction id. A reader sees the index and
   * the mark of one commit (one snapshot), so a row is found exactly once.
   */
  public static final String ROWS_OF_TRANSACTION = "MeterValueId IN (SELECT MeterValueId FROM MeterValueByTransaction "
      + "WHERE TransactionId = ? UNION ALL SELECT MeterValueId FROM MeterValue "
      + "WHERE MeterValueId > (SELECT UpTo FROM MeterValueIndexed) AND TransactionId = ?)";

  /**
   * Rows stored before a catch-up is due: a page of the index then takes about this many rows
   * divided by the transactions open, and a query scans at most about this many tail rows.
   */
  public static final long CATCH_UP_ROWS = 10_000;

  /** Rows stored since the last catch-up was submitted; 1 at start for a tail left by the last run. */
  private final AtomicLong stored = new AtomicLong(1);
  private long lastCatchUp = System.nanoTime();

  /** Counts rows stored (called on the writer thread). */
  void stored(int rows) {
    stored.addAndGet(rows);
  }

  /**
   * Whether a catch-up is due now: {@link #CATCH_UP_ROWS} rows were stored, or some were and the
   * last catch-up is {@code maxWaitNanos} ago (db.meterIndexSeconds, so a quiet server's tail stays
   * short too). If so, the rows counted so far are taken as its. One caller at a time.
   */
  boolean due(long nowNanos, long maxWaitNanos) {
    long pending = stored.get();
    if (pending < CATCH_UP_ROWS && (pending == 0 || nowNanos - lastCatchUp < maxWaitNanos)) {
      return false;
    }
    stored.addAndGet(-pending);
    lastCatchUp = nowNanos;
    return true;
  }

  /**
   * Adds every row stored since the last catch-up to the index, sorted by transaction, and moves
   * the mark; runs inside a writer transaction. Returns the rows it covered.
   */
  public static long catchUp(WriteConnection c) throws SQLException {
    long from = c.first("SELECT UpTo FROM MeterValueIndexed").getLong(0);
    Long last = c.first("SELECT MAX(MeterValueId) FROM MeterValue").getLong(0);
    if (last == null || last <= from) {
      return 0;
    }
    c.update("INSERT INTO MeterValueByTransaction (TransactionId, MeterValueId) SELECT TransactionId, MeterValueId "
        + "FROM MeterValue WHERE MeterValueId > ? AND MeterValueId <= ? AND TransactionId IS NOT NULL "
        + "ORDER BY TransactionId, MeterValueId", from, last);
    c.update("UPDATE MeterValueIndexed SET UpTo = ?", last);
    return last - from;
  }
}
