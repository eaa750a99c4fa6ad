package org.ocppcore.store;

import io.vertx.core.Future;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which rows of an append-mostly table belong to a transaction, indexed in bulk rounds instead of
 * row by row: {@code MeterValue} rows (schema version 6) and {@code TransactionEvent} rows (8).
 * SQLite logs whole pages, and with a thousand transactions open every stored row dirtied its own
 * page of an index by transaction, a third of the writer's time for MeterValue and a quarter of
 * the 2.0.1 ingest rate for TransactionEvent (docs/benchmarks.md). Instead a catch-up round adds
 * the rows stored since the last one to the {@link Layout#entryTable}, sorted by transaction, so a
 * page takes all of a transaction's new entries at once, and then moves the mark ({@code UpTo} in
 * the {@link Layout#markTable}). Rows above the mark (the last seconds) are found by a scan of that
 * tail. On PostgreSQL and SQL Server no round runs (see their 006 and 008 scripts): UpTo stays 0
 * and their ordinary index answers the tail part of the same query.
 *
 * <p>A round reads the new rows' entries in slices and writes them in small chunks, each slice and
 * chunk its own write op, so chargers' writes go on between them: written as one op, a round of
 * 10,000 rows held the writer for tens of milliseconds and tripled the ingest p99, and read as one
 * op it still held it for up to 100 ms (docs/benchmarks.md).
 */
public final class BulkTransactionIndex {
  /** The tables of one bulk index; every entry's first column is the TransactionId. */
  public static final class Layout {
    /** The indexed table and its increasing integer key. */
    final String table;
    final String idColumn;
    final String entryTable;
    final String markTable;
    final String[] entryColumns;
    final String[] entryKey;
    /**
     * The rows of one transaction, as a condition on the table's key; both of its parameters are
     * the transaction id. A row both in the index and above the mark (a round between its chunks
     * and its mark) is still matched once: IN is a set test.
     */
    public final String rowsOfTransaction;
    /** The entries of rows in a range of the key (parameters: above, up to), unsorted. */
    final String newEntries;
    final String markAndLast;
    public final String moveMark;

    Layout(String table, String idColumn, String entryTable, String markTable, String[] entryColumns,
        String[] entryKey) {
      this.table = table;
      this.idColumn = idColumn;
      this.entryTable = entryTable;
      this.markTable = markTable;
      this.entryColumns = entryColumns;
      this.entryKey = entryKey;
      this.rowsOfTransaction = idColumn + " IN (SELECT " + idColumn + " FROM " + entryTable
          + " WHERE TransactionId = ? UNION ALL SELECT " + idColumn + " FROM " + table + " WHERE " + idColumn
          + " > (SELECT UpTo FROM " + markTable + ") AND TransactionId = ?)";
      String columns = String.join(", ", entryColumns);
      this.newEntries = "SELECT " + columns + " FROM " + table + " WHERE " + idColumn + " > ? AND " + idColumn
          + " <= ? AND TransactionId IS NOT NULL";
      this.markAndLast = "SELECT UpTo, (SELECT MAX(" + idColumn + ") FROM " + table + ") FROM " + markTable;
      this.moveMark = "UPDATE " + markTable + " SET UpTo = ?";
    }

    /** Adds one entry; a round cut short before its mark moved is repeated, so one already there is skipped. */
    public String insertEntry(Dialect dialect) {
      return dialect.insertIgnoringDuplicates(entryTable, entryColumns, entryKey);
    }
  }

  /** MeterValue rows by transaction (schema 6). */
  public static final Layout METER_VALUES = new Layout("MeterValue", "MeterValueId", "MeterValueByTransaction",
      "MeterValueIndexed", new String[] {"TransactionId", "MeterValueId"}, new String[] {"TransactionId", "MeterValueId"});
  /** TransactionEvent rows by transaction and seqNo (schema 8). */
  public static final Layout TRANSACTION_EVENTS = new Layout("TransactionEvent", "EventId",
      "TransactionEventByTransaction", "TransactionEventIndexed", new String[] {"TransactionId", "SeqNo", "EventId"},
      new String[] {"TransactionId", "SeqNo"});

  /**
   * Rows stored before a round is due: a page of the index then takes about this many rows
   * divided by the transactions open, and a query scans at most about this many tail rows.
   */
  public static final long CATCH_UP_ROWS = 10_000;
  /** Transactions per chunk of a round: each one's entries share a page, so a chunk writes about this many pages. */
  static final int CHUNK_TRANSACTIONS = 32;
  /**
   * Rows read per op of a round. Read in one op, 10,000 rows held the writer for 14–102 ms under
   * 2.0.1 ingest: their pages had mostly left the writer's cache (docs/benchmarks.md).
   */
  static final int READ_ROWS = 2_000;

  private final Store store;
  private final Layout layout;
  private final String insertEntry;
  /** Rows stored since the last round started; 1 at start for a tail left by the last run. */
  private final AtomicLong stored = new AtomicLong(1);
  private long lastRound = System.nanoTime();
  private volatile boolean running;
  /** {@link #READ_ROWS}; tests make it small to read a round in many slices. */
  int readRows = READ_ROWS;

  BulkTransactionIndex(Store store, Dialect dialect, Layout layout) {
    this.store = store;
    this.layout = layout;
    this.insertEntry = layout.insertEntry(dialect);
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
   * A whole round's rows and entries in one op of the caller's writer transaction (the bench's
   * storage ceiling); null when no row was stored since the mark. The server reads in slices
   * ({@link #round}).
   */
  public static Round read(WriteConnection c, Layout layout) throws SQLException {
    long[] range = range(c, layout);
    if (range == null) {
      return null;
    }
    List<Object[]> entries = entries(c, layout, range[0], range[1]);
    sort(entries);
    return new Round(range[0], range[1], entries);
  }

  /** The mark and the last row, or null when no row was stored since the mark. */
  private static long[] range(WriteConnection c, Layout layout) throws SQLException {
    SqlRow marks = c.first(layout.markAndLast);
    long from = marks.getLong(0);
    Long last = marks.getLong(1);
    return last == null || last <= from ? null : new long[] {from, last};
  }

  /** The entries of the rows above {@code above} up to {@code upTo}, in no particular order. */
  private static List<Object[]> entries(WriteConnection c, Layout layout, long above, long upTo) throws SQLException {
    int width = layout.entryColumns.length;
    List<Object[]> entries = new ArrayList<>();
    for (SqlRow e : c.query(layout.newEntries, above, upTo)) {
      Object[] entry = new Object[width];
      for (int i = 0; i < width; i++) {
        entry[i] = e.getLong(i);
      }
      entries.add(entry);
    }
    return entries;
  }

  /** In the order the chunks write them: by transaction, then by the other columns. */
  private static void sort(List<Object[]> entries) {
    entries.sort((a, b) -> {
      for (int i = 0; i < a.length; i++) {
        int c = Long.compare((Long) a[i], (Long) b[i]);
        if (c != 0) {
          return c;
        }
      }
      return 0;
    });
  }

  /**
   * One round: the range, its rows read in slices of {@link #readRows} (each its own write op: the
   * writer's connection caches the most recent pages, where a read connection took ~100 ms of CPU
   * reading and decoding 10,000 rows), then the entries, sorted here off the writer thread (~2 ms
   * for 10,000 on the round's event loop, once a second at most), written in chunks; the last chunk
   * moves the mark.
   */
  Future<Long> round() {
    return store.write(c -> range(c, layout)).compose(r -> r == null ? Future.succeededFuture(0L)
        : readSlices(r[0], r[1], new ArrayList<>()).compose(entries -> {
          sort(entries);
          return writeChunks(entries, 0, r[1]);
        }).map(v -> r[1] - r[0]));
  }

  /** Reads the entries of the rows above {@code above} up to {@code last}, one slice per write op. */
  private Future<List<Object[]>> readSlices(long above, long last, List<Object[]> read) {
    long upTo = Math.min(last, above + readRows);
    return store.write(c -> entries(c, layout, above, upTo)).compose(slice -> {
      read.addAll(slice);
      return upTo == last ? Future.succeededFuture(read) : readSlices(upTo, last, read);
    });
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
        c.update(layout.moveMark, last);
      }
      return null;
    }).compose(v -> lastChunk ? Future.<Void>succeededFuture() : writeChunks(entries, next, last));
  }
}
