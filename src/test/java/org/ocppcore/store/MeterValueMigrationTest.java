package org.ocppcore.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Schema version 5 on real SQLite and PostgreSQL databases: samples stored one row each before it
 * are moved into {@code MeterValue} rows without losing a field, and read back unchanged through
 * the {@code MeterSample} view, whose columns are the same on both.
 */
class MeterValueMigrationTest {
  private static final int BEFORE = 4;

  private static Connection open(String dialect, Path dir) throws Exception {
    return dialect.equals("sqlite") ? DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("m.sqlite"))
        : DriverManager.getConnection(EmbeddedPostgresDatabases.freshDatabaseUrl());
  }

  private static Dialect dialect(String name) {
    return name.equals("sqlite") ? Dialect.SQLITE : Dialect.POSTGRESQL;
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void samplesStoredBeforeVersion5AreReadBackUnchanged(String dialect, @TempDir Path dir) throws Exception {
    try (Connection c = open(dialect, dir); Statement st = c.createStatement()) {
      Database.migrate(c, dialect(dialect), BEFORE);
      st.execute("INSERT INTO ChargePoint (ChargePointId) VALUES ('OLD')");
      st.execute("INSERT INTO MeterSample (ChargePointId, ConnectorId, TransactionId, Timestamp, Value, NumericValue, "
          + "Measurand, Unit, Phase, Location, Context, Format, SampleKey, SampleHash) VALUES "
          + "('OLD', 1, 7, '2026-01-01T00:00:00.000Z', '1234.5', 1234.5, 'Energy.Active.Import.Register', 'Wh', NULL, "
          + "'Outlet', 'Sample.Periodic', 'Raw', 'k1', 99), "
          + "('OLD', 2, NULL, '2026-01-01T00:00:01.000Z', 'A0B1\"quoted\"', NULL, 'Voltage', 'V', 'L1-N', 'Outlet', "
          + "'Sample.Clock', 'SignedData', 'k2', 100)");
      Database.migrate(c, dialect(dialect));

      try (ResultSet rs = st.executeQuery("SELECT MeterValueId, KeyHash FROM MeterValue ORDER BY MeterValueId")) {
        rs.next();
        long first = rs.getLong(1);
        assertEquals(-1, rs.getLong(2), "moved rows get -SampleId, never a computed hash");
        rs.next();
        assertEquals(-2, rs.getLong(2));
        assertEquals(first + 1, rs.getLong(1));
      }
      try (ResultSet rs = st.executeQuery("SELECT ChargePointId, ConnectorId, TransactionId, Timestamp, Value, "
          + "NumericValue, Measurand, Unit, Phase, Location, Context, Format, SampleIndex FROM MeterSample "
          + "ORDER BY Timestamp")) {
        rs.next();
        assertEquals(List.of("OLD", "1", "7", "2026-01-01T00:00:00.000Z", "1234.5"), strings(rs, 5));
        assertEquals(1234.5, rs.getDouble(6));
        assertEquals(List.of("Energy.Active.Import.Register", "Wh"), List.of(rs.getString(7), rs.getString(8)));
        assertNull(rs.getString(9));
        assertEquals(List.of("Outlet", "Sample.Periodic", "Raw"), List.of(rs.getString(10), rs.getString(11),
            rs.getString(12)));
        assertEquals(0, rs.getInt(13));
        rs.next();
        assertEquals("2", rs.getString(2));
        assertNull(rs.getObject(3));
        assertEquals("A0B1\"quoted\"", rs.getString(5));
        assertNull(rs.getObject(6));
        assertEquals(List.of("Voltage", "V", "L1-N", "Outlet", "Sample.Clock", "SignedData"),
            List.of(rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                rs.getString(12)));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void version7DropsTheChargePointKeyOnSqliteAndIndexesItElsewhere(String dialect, @TempDir Path dir) throws Exception {
    boolean sqlite = dialect.equals("sqlite");
    try (Connection c = open(dialect, dir); Statement st = c.createStatement()) {
      Database.migrate(c, dialect(dialect), 6);
      st.execute("INSERT INTO ChargePoint (ChargePointId) VALUES ('A'), ('B')");
      st.execute("INSERT INTO MeterValue (ChargePointId, ConnectorId, TransactionId, Timestamp, KeyHash, Samples) VALUES "
          + "('A', 1, 7, '2026-01-01T00:00:00.000Z', 11, '[{\"t\":\"2026-01-01T00:00:00.000Z\",\"v\":\"5\",\"m\":\"Voltage\"}]'), "
          + "('A', 1, NULL, '2026-01-01T00:00:01.000Z', 12, '[]')");
      List<List<String>> before = rows(st, "SELECT MeterValueId, ChargePointId, TransactionId, KeyHash, Samples "
          + "FROM MeterValue ORDER BY MeterValueId");
      Database.migrate(c, dialect(dialect));

      assertEquals(before, rows(st, "SELECT MeterValueId, ChargePointId, TransactionId, KeyHash, Samples "
          + "FROM MeterValue ORDER BY MeterValueId"), "every row kept, with its id");
      assertEquals(List.of(List.of("5")), rows(st, "SELECT Value FROM MeterSample"));
      st.execute("INSERT INTO MeterValue (ChargePointId, ConnectorId, TransactionId, Timestamp, KeyHash, Samples) "
          + "VALUES ('A', 1, 7, '2026-01-01T00:00:02.000Z', 13, '[]')");
      assertEquals(List.of(List.of("13")), rows(st, "SELECT KeyHash FROM MeterValue WHERE MeterValueId > "
          + before.get(1).get(0)), "new ids continue after the kept ones");
      if (sqlite) {
        assertEquals(List.of(), rows(st, "SELECT * FROM pragma_foreign_key_list('MeterValue')"),
            "no foreign key: deleting a charge point does not read MeterValue");
        assertEquals(List.of(List.of("ok")), rows(st, "PRAGMA integrity_check"));
      } else {
        assertEquals(List.of(List.of("1")), rows(st,
            "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'ix_metervalue_chargepoint'"));
      }
      st.execute("DELETE FROM ChargePoint WHERE ChargePointId = 'B'");
    }
  }

  private static List<List<String>> rows(Statement st, String sql) throws Exception {
    List<List<String>> out = new ArrayList<>();
    try (ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(strings(rs, rs.getMetaData().getColumnCount()));
      }
    }
    return out;
  }

  @Test
  void theViewHasTheSameColumnsOnSqliteAndPostgresql(@TempDir Path dir) throws Exception {
    assertEquals(viewColumns("sqlite", dir), viewColumns("postgresql", dir));
  }

  private static List<String> viewColumns(String dialect, Path dir) throws Exception {
    try (Connection c = open(dialect, dir); Statement st = c.createStatement()) {
      Database.migrate(c, dialect(dialect));
      try (ResultSet rs = st.executeQuery("SELECT * FROM MeterSample")) {
        ResultSetMetaData meta = rs.getMetaData();
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          out.add(meta.getColumnName(i).toLowerCase());
        }
        return out;
      }
    }
  }

  private static List<String> strings(ResultSet rs, int n) throws Exception {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(rs.getString(i));
    }
    return out;
  }
}
