package org.ocppcore.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;

/**
 * The SQL each dialect generates. SQLite and PostgreSQL also run it (the session tests and their
 * PostgreSQL variants); for SQL Server, which cannot run here, this is what is checked: the
 * generated statements, that its schema has what they rely on, and that its driver is packaged.
 */
class DialectTest {
  private static final String[] COLUMNS = {"ChargePointId", "SampleKey", "Value"};
  private static final String[] KEY = {"ChargePointId", "SampleKey"};

  @Test
  void dialectFromTypeOrUrl() {
    assertEquals(Dialect.SQLITE, Dialect.fromConfig("sqlite", "jdbc:sqlite:x.db"));
    assertEquals(Dialect.POSTGRESQL, Dialect.fromConfig("", "jdbc:postgresql://db:5432/ocpp"));
    assertEquals(Dialect.POSTGRESQL, Dialect.fromConfig("postgresql", "jdbc:postgresql://db/ocpp"));
    assertEquals(Dialect.SQLSERVER, Dialect.fromConfig("", "jdbc:sqlserver://db:1433;databaseName=ocpp"));
    assertThrows(IllegalArgumentException.class, () -> Dialect.fromConfig("", "jdbc:mysql://db/ocpp"));
  }

  @Test
  void insertIgnoringDuplicates() {
    assertEquals("INSERT OR IGNORE INTO MeterSample (ChargePointId, SampleKey, Value) VALUES (?, ?, ?)",
        Dialect.SQLITE.insertIgnoringDuplicates("MeterSample", COLUMNS, KEY));
    assertEquals("INSERT INTO MeterSample (ChargePointId, SampleKey, Value) VALUES (?, ?, ?) "
        + "ON CONFLICT (ChargePointId, SampleKey) DO NOTHING",
        Dialect.POSTGRESQL.insertIgnoringDuplicates("MeterSample", COLUMNS, KEY));
    assertEquals("INSERT INTO MeterSample (ChargePointId, SampleKey, Value) VALUES (?, ?, ?)",
        Dialect.SQLSERVER.insertIgnoringDuplicates("MeterSample", COLUMNS, KEY));
  }

  @Test
  void sqlServerSkipsDuplicateSamplesThroughItsIndexes() throws Exception {
    // the plain INSERT above relies on this; and the 2.x transaction key allows many 1.6 rows (Uid NULL)
    String schema = Files.readString(Path.of("sql/sqlserver/001-init.sql"));
    assertTrue(schema.contains("CREATE UNIQUE INDEX IX_MeterSample_Key ON MeterSample (ChargePointId, SampleKey) "
        + "WITH (IGNORE_DUP_KEY = ON);"));
    assertTrue(schema.contains("CREATE UNIQUE INDEX IX_Transaction_UID ON Transactions (ChargePointId, Uid) "
        + "WHERE Uid IS NOT NULL;"));
    assertTrue(Files.readString(Path.of("sql/sqlserver/004-sample-hash.sql")).contains("CREATE UNIQUE INDEX "
        + "IX_MeterSample_Hash ON MeterSample (ChargePointId, SampleHash) WITH (IGNORE_DUP_KEY = ON);"));
    assertTrue(Files.readString(Path.of("sql/sqlserver/005-meter-value-rows.sql")).contains("CREATE UNIQUE INDEX "
        + "IX_MeterValue_Key ON MeterValue (KeyHash) WITH (IGNORE_DUP_KEY = ON);"));
  }

  @Test
  void generatedKeyComesBackAsAResultRow() {
    String insert = "INSERT INTO Transactions (ChargePointId, ConnectorId) VALUES (?, ?)";
    assertEquals(insert + " RETURNING TransactionId", Dialect.SQLITE.returningKey(insert, "TransactionId"));
    assertEquals(insert + " RETURNING TransactionId", Dialect.POSTGRESQL.returningKey(insert, "TransactionId"));
    assertEquals("INSERT INTO Transactions (ChargePointId, ConnectorId) OUTPUT INSERTED.TransactionId VALUES (?, ?)",
        Dialect.SQLSERVER.returningKey(insert, "TransactionId"));
  }

  @Test
  void limitAndCaseInsensitiveCompare() {
    String select = "SELECT TransactionId FROM Transactions ORDER BY TransactionId DESC";
    assertEquals(select + " LIMIT 5", Dialect.SQLITE.limit(select, 5));
    assertEquals(select + " LIMIT 5", Dialect.POSTGRESQL.limit(select, 5));
    assertEquals(select + " OFFSET 0 ROWS FETCH NEXT 5 ROWS ONLY", Dialect.SQLSERVER.limit(select, 5));
    assertEquals("TagId = ? COLLATE NOCASE", Dialect.SQLITE.equalsIgnoreCase("TagId"));
    assertEquals("LOWER(TagId) = LOWER(?)", Dialect.POSTGRESQL.equalsIgnoreCase("TagId"));
    assertEquals("TagId = ?", Dialect.SQLSERVER.equalsIgnoreCase("TagId"));
  }

  @Test
  void serverDatabasesSerialiseMigrationsWithALock() {
    assertNull(Dialect.SQLITE.migrationLock());
    assertEquals("SELECT pg_advisory_lock(1329811536)", Dialect.POSTGRESQL.migrationLock());
    assertEquals("SELECT pg_advisory_unlock(1329811536)", Dialect.POSTGRESQL.migrationUnlock());
    assertTrue(Dialect.SQLSERVER.migrationLock().contains("sp_getapplock @Resource = 'ocpp-core-migrations'"));
    assertTrue(Dialect.SQLSERVER.migrationUnlock().contains("sp_releaseapplock @Resource = 'ocpp-core-migrations'"));
  }

  @Test
  void everyDriverIsOnTheClassPath() throws Exception {
    for (String url : new String[] {"jdbc:sqlite:x.db", "jdbc:postgresql://localhost/ocpp",
        "jdbc:sqlserver://localhost:1433;databaseName=ocpp"}) {
      assertNotNull(DriverManager.getDriver(url), url);
    }
  }
}
