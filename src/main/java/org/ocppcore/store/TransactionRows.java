package org.ocppcore.store;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ocppcore.store.TransactionStore.Tx;

/**
 * Open 2.x transaction rows as the writer's connection last read or wrote them, so that the next
 * event of a running transaction does not read its row back (that read was 13 % of the writer
 * thread under 2.0.1 ingest: 23 columns through JDBC). Used only where this writer is the
 * database's only one (SQLite), emptied by every rollback and gone with the connection; the
 * Transactions rows are never deleted, and the one other statement that may change a 2.x row
 * (a 1.6 StopTransaction naming its id) forgets it. Entries are copies: callers may change what
 * they get.
 */
final class TransactionRows {
  /** Open transactions remembered at most (least recently used first out): ~0.4 KB each. */
  static final int MAX_ROWS = 20_000;

  private final Map<String, Tx> rows = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Tx> eldest) {
      return size() > MAX_ROWS;
    }
  };

  /** A copy of the remembered row, or null when there is none. */
  Tx get(String cpId, String uid) {
    Tx t = rows.get(key(cpId, uid));
    return t == null ? null : t.copy();
  }

  /** Remembers the row as now written; an ended transaction is forgotten (its late events are rare). */
  void put(String cpId, String uid, Tx row) {
    if (row.stopTime != null) {
      rows.remove(key(cpId, uid));
    } else {
      rows.put(key(cpId, uid), row.copy());
    }
  }

  void forget(String cpId, String uid) {
    rows.remove(key(cpId, uid));
  }

  void clear() {
    rows.clear();
  }

  private static String key(String cpId, String uid) {
    return cpId + '\u0000' + uid;
  }
}
