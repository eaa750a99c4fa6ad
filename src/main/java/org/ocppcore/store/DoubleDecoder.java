package org.ocppcore.store;

import io.vertx.jdbcclient.impl.actions.JDBCColumnDescriptor;
import io.vertx.jdbcclient.impl.actions.SQLValueProvider;
import io.vertx.jdbcclient.spi.JDBCDecoderImpl;
import java.sql.JDBCType;
import java.sql.SQLException;

/**
 * Reads every floating-point column as a double. sqlite-jdbc reports REAL columns and computed
 * values as REAL/FLOAT, which vertx-jdbc-client decodes as a 32-bit float: 12.345 kWh came back
 * as 12.345000267. Registered through META-INF/services (the client's own lookup).
 */
public class DoubleDecoder extends JDBCDecoderImpl {

  @Override
  protected Object decodeNumber(SQLValueProvider valueProvider, JDBCColumnDescriptor descriptor) throws SQLException {
    JDBCType type = descriptor.jdbcType();
    if (type == JDBCType.REAL || type == JDBCType.FLOAT) {
      // the driver's own object (a Double on SQLite; getObject(i, Double.class) fails there on NULL)
      Object value = valueProvider.apply(null);
      return value instanceof Number n && !(value instanceof Double) ? Double.valueOf(n.toString()) : value;
    }
    return super.decodeNumber(valueProvider, descriptor);
  }
}
