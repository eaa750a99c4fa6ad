package org.ocppcore.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group-commit writer's JDBC connection, used only on the writer thread inside its open
 * transaction. Plain JDBC rather than the Vert.x SQL client: a whole group commit runs as one
 * blocking task, instead of one event-loop/worker round trip per statement (the benchmark measured
 * ~13 thread switches per MeterValues that way), and each statement is prepared once for the
 * connection's life.
 */
public final class WriteConnection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WriteConnection.class);
  /** Distinct SQL texts kept prepared; the store uses a few dozen, some built per call (bounded). */
  private static final int MAX_STATEMENTS = 256;

  private final Connection connection;
  private final Map<String, PreparedStatement> statements = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
      if (size() <= MAX_STATEMENTS) {
        return false;
      }
      closeQuietly(eldest.getValue());
      return true;
    }
  };

  /** 2.x transaction rows this connection read or wrote (see {@link TransactionRows}); dropped on rollback. */
  final TransactionRows transactionRows = new TransactionRows();

  /** Wraps the writer's connection (public for the benchmark's storage ceiling, which runs the writer's SQL). */
  public WriteConnection(Connection connection) throws SQLException {
    this.connection = connection;
    connection.setAutoCommit(false);
  }

  /** Runs an INSERT, UPDATE or DELETE; returns the number of rows changed. */
  public int update(String sql, Object... params) throws SQLException {
    return bind(sql, params).executeUpdate();
  }

  /** Runs a query; every row, its columns by position (0-based, as PostgreSQL folds unquoted names). */
  public List<SqlRow> query(String sql, Object... params) throws SQLException {
    PreparedStatement ps = bind(sql, params);
    List<SqlRow> rows = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        rows.add(SqlRow.read(rs, columns));
      }
    }
    return rows;
  }

  /** The first row of a query, or null when there is none. */
  public SqlRow first(String sql, Object... params) throws SQLException {
    List<SqlRow> rows = query(sql, params);
    return rows.isEmpty() ? null : rows.get(0);
  }

  /** Runs an INSERT made by {@link Dialect#returningKey} and returns the generated key. */
  public long insertReturningKey(String sql, Object... params) throws SQLException {
    PreparedStatement ps = bind(sql, params);
    if (!ps.execute()) {
      throw new SQLException("no generated key returned by: " + sql);
    }
    try (ResultSet rs = ps.getResultSet()) {
      if (!rs.next()) {
        throw new SQLException("no generated key returned by: " + sql);
      }
      return rs.getLong(1);
    }
  }

  /**
   * Runs {@code update} (its parameters: {@code values}, then {@code keys}); when it changed no row,
   * runs {@code create} with {@code keys} and, if that made the row, the update again. For a row that
   * exists (every message after a charger's first) this is one statement, and it is portable, unlike
   * each dialect's upsert. {@code create} may insert nothing (a charge point that is not known).
   */
  public void updateCreatingRow(String update, Object[] values, Object[] keys, String create) throws SQLException {
    Object[] params = java.util.Arrays.copyOf(values, values.length + keys.length);
    System.arraycopy(keys, 0, params, values.length, keys.length);
    if (update(update, params) == 0 && update(create, keys) > 0) {
      update(update, params);
    }
  }

  /** Runs one statement for each parameter row in a single JDBC batch; the update count of each. */
  public int[] batch(String sql, List<Object[]> rows) throws SQLException {
    if (rows.isEmpty()) {
      return new int[0];
    }
    PreparedStatement ps = statement(sql);
    for (Object[] params : rows) {
      set(ps, params);
      ps.addBatch();
    }
    return ps.executeBatch();
  }

  void commit() throws SQLException {
    connection.commit();
  }

  /** Rolls back; a failure here means the connection is gone, which the caller finds out anyway. */
  void rollbackQuietly() {
    transactionRows.clear();
    try {
      connection.rollback();
    } catch (SQLException e) {
      LOG.debug("rollback failed: {}", e.toString());
    }
  }

  /** Whether the connection still answers (asked after a failed transaction). */
  boolean isUsable() {
    try {
      return !connection.isClosed() && connection.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public void close() {
    statements.values().forEach(WriteConnection::closeQuietly);
    statements.clear();
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.debug("closing the writer connection failed: {}", e.toString());
    }
  }

  private PreparedStatement bind(String sql, Object[] params) throws SQLException {
    PreparedStatement ps = statement(sql);
    set(ps, params);
    return ps;
  }

  private PreparedStatement statement(String sql) throws SQLException {
    PreparedStatement ps = statements.get(sql);
    if (ps == null) {
      ps = connection.prepareStatement(sql);
      statements.put(sql, ps);
    }
    return ps;
  }

  private static void set(PreparedStatement ps, Object[] params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object v = params[i];
      if (v == null) {
        ps.setNull(i + 1, Types.NULL);
      } else {
        ps.setObject(i + 1, v);
      }
    }
  }

  private static void closeQuietly(PreparedStatement ps) {
    try {
      ps.close();
    } catch (SQLException e) {
      LOG.debug("closing a statement failed: {}", e.toString());
    }
  }
}
