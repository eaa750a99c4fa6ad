package org.ocppcore.store;

import java.sql.SQLException;

/**
 * One unit of write work for the group-commit writer: its statements run on the writer thread
 * inside a transaction shared with other sessions' work, and its result is delivered only after
 * that transaction commits. It may run more than once (alone, after its batch failed), so it must
 * not act outside the database.
 */
@FunctionalInterface
public interface WriteOp<T> {
  T run(WriteConnection connection) throws SQLException;
}
