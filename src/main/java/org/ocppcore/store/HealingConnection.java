package org.ocppcore.store;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JDBC connection for the Vert.x pool that survives the server database dropping it (a restart,
 * a fail-over, a terminated backend). The Vert.x JDBC pool keeps its connections for ever and
 * never asks whether they still work, so one dropped connection would fail every statement given
 * to it from then on. This handle notices a connection-level failure (SQLState class 08, PostgreSQL
 * 57P0x, or the driver's connection exceptions) on any statement, lets that statement fail, and on
 * the next use returns the dead connection (the pool's exception sorter discards it) and continues
 * on a fresh one. A transaction that was open on the dead connection is gone: its rollback is a
 * no-op. (The group-commit writer does not use this handle: it replaces its own connection, see
 * StoreVerticle.)
 *
 * <p>Calls come one at a time (the Vert.x JDBC client serialises the work of one connection), so
 * the handle needs no locks.
 */
final class HealingConnection implements InvocationHandler {
  private static final Logger LOG = LoggerFactory.getLogger(HealingConnection.class);

  private final DataSource source;
  private Connection physical;
  private boolean broken;
  private Connection self;

  private HealingConnection(DataSource source, Connection physical) {
    this.source = source;
    this.physical = physical;
  }

  /** A connection from {@code source} that replaces itself once the database has dropped it. */
  static Connection open(DataSource source) throws SQLException {
    HealingConnection handler = new HealingConnection(source, source.getConnection());
    handler.self = (Connection) Proxy.newProxyInstance(HealingConnection.class.getClassLoader(),
        new Class<?>[] {Connection.class}, handler);
    return handler.self;
  }

  /** Whether an error means the connection itself is gone (not just this statement). */
  static boolean isConnectionLost(Throwable t) {
    if (t instanceof SQLNonTransientConnectionException || t instanceof SQLRecoverableException) {
      return true;
    }
    if (t instanceof SQLException e) {
      String state = e.getSQLState();
      // 08: connection exception (standard); 57P01..57P03: PostgreSQL admin/crash shutdown, cannot connect now
      return state != null && (state.startsWith("08") || state.startsWith("57P0"));
    }
    return false;
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    switch (method.getName()) {
      case "equals":
        return proxy == args[0];
      case "hashCode":
        return System.identityHashCode(proxy);
      case "toString":
        return "HealingConnection[" + physical + "]";
      default:
        break;
    }
    if (broken) {
      switch (method.getName()) {
        case "close":
          closeQuietly();
          return null;
        case "isClosed":
          return false;
        case "rollback":
          replace(); // the transaction died with the connection
          return null;
        default:
          replace();
      }
    }
    Object result = call(physical, method, args);
    if (result instanceof CallableStatement s) {
      return statement(s, CallableStatement.class);
    }
    if (result instanceof PreparedStatement s) {
      return statement(s, PreparedStatement.class);
    }
    if (result instanceof Statement s) {
      return statement(s, Statement.class);
    }
    return result;
  }

  private Object call(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (!broken && isConnectionLost(cause)) {
        broken = true;
        LOG.warn("database connection lost ({}); the next statement uses a new one", cause.toString());
      }
      throw cause;
    }
  }

  /** A statement whose failures are checked for a lost connection. */
  private Object statement(Statement statement, Class<? extends Statement> type) {
    return Proxy.newProxyInstance(HealingConnection.class.getClassLoader(), new Class<?>[] {type},
        (proxy, method, args) -> switch (method.getName()) {
          case "equals" -> proxy == args[0];
          case "hashCode" -> System.identityHashCode(proxy);
          case "getConnection" -> self;
          default -> call(statement, method, args);
        });
  }

  private void replace() throws SQLException {
    closeQuietly();
    physical = source.getConnection();
    broken = false;
  }

  private void closeQuietly() {
    try {
      physical.close();
    } catch (SQLException | RuntimeException ignored) {
      // it is gone anyway
    }
  }
}
