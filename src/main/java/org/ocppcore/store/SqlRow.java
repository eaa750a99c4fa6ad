package org.ocppcore.store;

import java.sql.ResultSet;
import java.sql.SQLException;

/** One row a {@link WriteConnection} query returned, read by column position (0-based). */
public final class SqlRow {
  private final Object[] values;

  private SqlRow(Object[] values) {
    this.values = values;
  }

  static SqlRow read(ResultSet rs, int columns) throws SQLException {
    Object[] values = new Object[columns];
    for (int i = 0; i < columns; i++) {
      values[i] = rs.getObject(i + 1);
    }
    return new SqlRow(values);
  }

  public Object getValue(int i) {
    return values[i];
  }

  public String getString(int i) {
    Object v = values[i];
    return v == null ? null : v.toString();
  }

  public Integer getInteger(int i) {
    Object v = values[i];
    return v == null ? null : ((Number) v).intValue();
  }

  public Long getLong(int i) {
    Object v = values[i];
    return v == null ? null : ((Number) v).longValue();
  }

  public Double getDouble(int i) {
    Object v = values[i];
    return v == null ? null : ((Number) v).doubleValue();
  }
}
