package org.ocppcore.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

/**
 * One unit of write work for the group-commit writer: its statements run inside a transaction
 * shared with other sessions' work, and its result is delivered only after that transaction commits.
 */
@FunctionalInterface
public interface WriteOp<T> {
  Future<T> run(SqlConnection connection);
}
