package org.ocppcore.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.store.StoreFixture.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ocppcore.TestServer;
import org.ocppcore.domain.MeterSample;
import org.ocppcore.testsupport.TestCharger;

/**
 * MeterValue rows (schema version 6) and TransactionEvent rows (8) by transaction on real SQLite and
 * PostgreSQL databases: a transaction's rows are found exactly once whether they are still in the
 * tail, already in the bulk index (SQLite's catch-up), or some of each; the catch-up is due after
 * many rows or a while; rows stored before the migration are indexed by it.
 */
class BulkTransactionIndexTest {

  /** A reading of a transaction (null: outside one) at second {@code s}. */
  private static MeterSample sample(Long transactionId, int s) {
    return new MeterSample(1, transactionId, "2026-01-01T00:00:0" + s + ".000Z", String.valueOf(s), (double) s,
        "Energy.Active.Import.Register", "Wh", null, "Outlet", "Sample.Periodic", "Raw");
  }

  /** The seconds of a transaction's samples, through the MeterSample view as the API reads them. */
  private static List<Integer> seconds(StoreFixture f, long transactionId) throws Exception {
    List<Integer> out = new ArrayList<>();
    for (Row r : await(f.database().readPool().preparedQuery("SELECT Timestamp FROM MeterSample WHERE "
        + BulkTransactionIndex.METER_VALUES.rowsOfTransaction + " ORDER BY Timestamp").execute(Tuple.of(transactionId, transactionId)))) {
      out.add(r.getString(0).charAt(18) - '0');
    }
    return out;
  }

  private static long count(StoreFixture f, String sql) throws Exception {
    return ((Number) await(f.database().readPool().query(sql).execute()).iterator().next().getValue(0)).longValue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void aTransactionsRowsAreFoundOnceInTheTailTheIndexOrBoth(String dialect, @TempDir Path dir) throws Exception {
    try (StoreFixture f = StoreFixture.start(dialect, dir)) {
      Store store = f.store();
      await(store.upsertChargePoint("CP1", "CP1", null, null, "Accepted", false));
      await(store.meterValues("CP1", 1, List.of(sample(7L, 0))));
      await(store.meterValues("CP1", 1, List.of(sample(7L, 1), sample(7L, 2))));
      await(store.meterValues("CP1", 1, List.of(sample(8L, 3))));
      await(store.meterValues("CP1", 1, List.of(sample(null, 4))));
      assertEquals(List.of(0, 1, 2), seconds(f, 7), "in the tail");
      assertEquals(List.of(3), seconds(f, 8));

      if (dialect.equals("sqlite")) {
        assertTrue(store.dialect().indexesInBulk());
        assertEquals(4L, await(store.indexInBulkIfDue(0)), "every row since the mark is covered");
        assertEquals(3, count(f, "SELECT COUNT(*) FROM MeterValueByTransaction"), "the rows of a transaction");
        assertEquals(count(f, "SELECT MAX(MeterValueId) FROM MeterValue"), count(f, "SELECT UpTo FROM MeterValueIndexed"));
        assertEquals(List.of(0, 1, 2), seconds(f, 7), "indexed");
        assertEquals(0L, await(store.indexInBulkIfDue(0)), "nothing new");

        await(store.meterValues("CP1", 1, List.of(sample(7L, 5))));
        assertEquals(List.of(0, 1, 2, 5), seconds(f, 7), "indexed and tail");
        assertEquals(1L, await(store.indexInBulkIfDue(0)));
        assertEquals(List.of(0, 1, 2, 5), seconds(f, 7), "indexed");
        assertEquals(List.of(3), seconds(f, 8));

        // 2.x: samples stored before the transaction's EVSE was known get it, indexed or in the tail
        await(store.meterValues("CP1", 0, List.of(new MeterSample(0, 8L, "2026-01-01T00:00:06.000Z", "6", 6.0,
            "Energy.Active.Import.Register", "Wh", null, "Outlet", "Sample.Periodic", "Raw"))));
        await(f.database().readPool().query("UPDATE MeterValue SET ConnectorId = 0 WHERE TransactionId = 8").execute());
        TransactionStore transactions = new TransactionStore(store);
        await(store.write(c -> {
          transactions.assignSamplesToEvse(c, 8, 2);
          return null;
        }));
        assertEquals(2, count(f, "SELECT COUNT(*) FROM MeterValue WHERE TransactionId = 8 AND ConnectorId = 2"));
        assertEquals(0, count(f, "SELECT COUNT(*) FROM MeterValue WHERE ConnectorId = 2 AND TransactionId <> 8"));

        // a round cut short before its mark moved: its entries are there and above the mark at once
        await(f.database().readPool().query("UPDATE MeterValueIndexed SET UpTo = 0").execute());
        assertEquals(List.of(0, 1, 2, 5), seconds(f, 7), "each row once");
        store.meterIndex().stored(1);
        await(store.indexInBulkIfDue(0)); // repeated: entries already there are skipped
        assertEquals(5, count(f, "SELECT COUNT(*) FROM MeterValueByTransaction"), "4 before, and tx 8's tail row");
        assertEquals(List.of(0, 1, 2, 5), seconds(f, 7));
        assertEquals(List.of(3, 6), seconds(f, 8));
      } else {
        // several nodes may write at once: the ordinary index answers, the catch-up never runs
        assertFalse(store.dialect().indexesInBulk());
        assertEquals(0L, await(store.indexInBulkIfDue(0)));
        assertEquals(0, count(f, "SELECT UpTo FROM MeterValueIndexed"));
        assertEquals(0, count(f, "SELECT COUNT(*) FROM MeterValueByTransaction"));
      }
    }
  }

  /** Rows read in one slice (the server's size) and in many slices of 7 rows, the last one short. */
  @ParameterizedTest
  @ValueSource(ints = {BulkTransactionIndex.READ_ROWS, 7})
  void aRoundReadsInSlicesAndWritesManyTransactionsInChunks(int readRows, @TempDir Path dir) throws Exception {
    try (StoreFixture f = StoreFixture.start("sqlite", dir)) {
      Store store = f.store();
      store.meterIndex().readRows = readRows;
      await(store.upsertChargePoint("CP1", "CP1", null, null, "Accepted", false));
      int transactions = 2 * BulkTransactionIndex.CHUNK_TRANSACTIONS + 6; // three chunks
      // the transactions take turns, as chargers do: a slice holds rows of many transactions
      for (long tx = 1; tx <= transactions; tx++) {
        await(store.meterValues("CP1", 1, List.of(sample(tx, 0), sample(tx, 1))));
      }
      for (long tx = 1; tx <= transactions; tx++) {
        await(store.meterValues("CP1", 1, List.of(sample(tx, 2))));
      }
      await(store.meterValues("CP1", 1, List.of(sample(null, 3)))); // outside a transaction: no entry
      assertEquals(2L * transactions + 1, await(store.indexInBulkIfDue(0)));
      assertEquals(2L * transactions, count(f, "SELECT COUNT(*) FROM MeterValueByTransaction"));
      assertEquals(count(f, "SELECT MAX(MeterValueId) FROM MeterValue"), count(f, "SELECT UpTo FROM MeterValueIndexed"));
      for (long tx = 1; tx <= transactions; tx++) {
        assertEquals(List.of(0, 1, 2), seconds(f, tx), "transaction " + tx);
      }
    }
  }

  @Test
  void theServerIndexesWhatChargersSendWithinItsWait() throws Exception {
    try (TestServer server = TestServer.start(new JsonObject().put("db", new JsonObject().put("meterIndexSeconds", 1)))) {
      server.chargePoint("CP1").tag("TAG1", null, null, false);
      TestCharger cp = TestServer.await(TestCharger.connect(server.vertx(), server.wsUrl("CP1")));
      TestServer.await(cp.call("BootNotification", new JsonObject().put("chargePointVendor", "ACME")
          .put("chargePointModel", "M")));
      long tx = TestServer.await(cp.call("StartTransaction", new JsonObject().put("connectorId", 1).put("idTag", "TAG1")
          .put("meterStart", 0).put("timestamp", "2026-01-01T00:00:00Z"))).getJsonObject(2).getLong("transactionId");
      JsonArray answer = TestServer.await(cp.call("MeterValues", new JsonObject().put("connectorId", 1)
          .put("transactionId", tx).put("meterValue", new JsonArray().add(new JsonObject()
              .put("timestamp", "2026-01-01T00:00:10Z")
              .put("sampledValue", new JsonArray().add(new JsonObject().put("value", "1500")))))));
      assertEquals(3, answer.getInteger(0), answer.encode());
      String indexed = "SELECT COUNT(*) AS n FROM MeterValueByTransaction WHERE TransactionId = ?";
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (((Number) server.query(indexed, tx).get(0).get("n")).intValue() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertEquals(1, ((Number) server.query(indexed, tx).get(0).get("n")).intValue(),
          "the row was added to the index by the server's own timer");
    }
  }

  @Test
  void aRoundIsDueAfterManyRowsOrAWhile() {
    long second = 1_000_000_000L;
    long t = System.nanoTime();
    BulkTransactionIndex index = new BulkTransactionIndex(null, Dialect.SQLITE, BulkTransactionIndex.METER_VALUES);
    assertFalse(index.due(t, 10 * second), "a tail the last run may have left waits the usual while");
    assertTrue(index.due(t + 11 * second, 10 * second));
    assertFalse(index.due(t + 30 * second, 10 * second), "nothing stored since");

    index.stored(1);
    assertTrue(index.due(t + 30 * second, 10 * second), "the last round is long ago");
    index.stored(1);
    assertFalse(index.due(t + 35 * second, 10 * second));
    assertTrue(index.due(t + 40 * second, 10 * second));

    index.stored((int) BulkTransactionIndex.CATCH_UP_ROWS - 1);
    assertFalse(index.due(t + 41 * second, 10 * second));
    index.stored(1);
    assertTrue(index.due(t + 41 * second, 10 * second), "enough rows: at once");
  }

  /** A database at schema {@code version} with the charge point 'OLD', to store rows the way older versions did. */
  private static Connection databaseAt(String dialect, Path dir, int version) throws Exception {
    Connection c = dialect.equals("sqlite") ? DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("m.sqlite"))
        : DriverManager.getConnection(EmbeddedPostgresDatabases.freshDatabaseUrl());
    Database.migrate(c, dialect(dialect), version);
    try (Statement st = c.createStatement()) {
      st.execute("INSERT INTO ChargePoint (ChargePointId) VALUES ('OLD')");
    }
    return c;
  }

  private static Dialect dialect(String name) {
    return name.equals("sqlite") ? Dialect.SQLITE : Dialect.POSTGRESQL;
  }

  /** One column of a transaction's rows, found through a bulk index's query, in that column's order. */
  private static List<Long> ofTransaction(Connection c, BulkTransactionIndex.Layout layout, String column,
      long transactionId) throws Exception {
    List<Long> out = new ArrayList<>();
    try (var ps = c.prepareStatement("SELECT " + column + " FROM " + layout.table + " WHERE "
        + layout.rowsOfTransaction + " ORDER BY " + column)) {
      ps.setLong(1, transactionId);
      ps.setLong(2, transactionId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getLong(1));
        }
      }
    }
    return out;
  }

  /**
   * After the migration SQLite's bulk index holds every row of a transaction stored before it, with
   * the mark on the last row; PostgreSQL's stays empty with the mark at 0 (its ordinary index answers).
   */
  private static void assertMigrated(Statement st, BulkTransactionIndex.Layout layout, boolean sqlite,
      long rowsOfTransactions) throws Exception {
    try (ResultSet rs = st.executeQuery("SELECT (SELECT COUNT(*) FROM " + layout.entryTable + "), (SELECT UpTo FROM "
        + layout.markTable + "), (SELECT MAX(" + layout.idColumn + ") FROM " + layout.table + ")")) {
      rs.next();
      assertEquals(sqlite ? rowsOfTransactions : 0, rs.getLong(1), layout.entryTable);
      assertEquals(sqlite ? rs.getLong(3) : 0, rs.getLong(2), layout.markTable);
    }
  }

  /** The names (lower case) of a table's IX_ indexes. */
  private static List<String> indexes(Statement st, String table, boolean sqlite) throws Exception {
    String sql = sqlite ? "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '" + table + "'"
        : "SELECT indexname FROM pg_indexes WHERE tablename = '" + table.toLowerCase() + "'";
    List<String> names = new ArrayList<>();
    try (ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        String name = rs.getString(1).toLowerCase();
        if (name.startsWith("ix_")) {
          names.add(name);
        }
      }
    }
    return names;
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void rowsStoredBeforeVersion6AreFoundByTransaction(String dialect, @TempDir Path dir) throws Exception {
    boolean sqlite = dialect.equals("sqlite");
    try (Connection c = databaseAt(dialect, dir, 5); Statement st = c.createStatement()) {
      st.execute("INSERT INTO MeterValue (ChargePointId, ConnectorId, TransactionId, Timestamp, KeyHash, Samples) VALUES "
          + "('OLD', 1, 9, '2026-01-01T00:00:00.000Z', 1, '[]'), ('OLD', 1, 7, '2026-01-01T00:00:01.000Z', 2, '[]'), "
          + "('OLD', 1, NULL, '2026-01-01T00:00:02.000Z', 3, '[]'), ('OLD', 1, 7, '2026-01-01T00:00:03.000Z', 4, '[]')");
      Database.migrate(c, dialect(dialect));

      assertEquals(List.of(2L, 4L), ofTransaction(c, BulkTransactionIndex.METER_VALUES, "KeyHash", 7));
      assertMigrated(st, BulkTransactionIndex.METER_VALUES, sqlite, 3);
      assertEquals(!sqlite, indexes(st, "MeterValue", sqlite).contains("ix_metervalue_transaction"),
          "SQLite drops the row-by-row index, PostgreSQL keeps it");
    }
  }

  // ---------------------------------------------------------------- TransactionEvent (schema 8)

  private static void event(Store store, TransactionStore transactions, long transactionId, int seqNo, String type)
      throws Exception {
    await(store.write(c -> {
      transactions.insertEvent(c, "CP1", "U" + transactionId, transactionId, seqNo, type, "Authorized",
          "2026-01-01T00:00:00.000Z", false, null, "{}");
      return null;
    }));
  }

  /** The seqNos of a transaction's events, as a rebuild reads them. */
  private static List<Integer> seqNos(Store store, TransactionStore transactions, long transactionId) throws Exception {
    return await(store.write(c -> {
      List<Integer> out = new ArrayList<>();
      for (TransactionStore.StoredEvent e : transactions.events(c, transactionId)) {
        out.add(e.seqNo());
      }
      return out;
    }));
  }

  private static boolean hasEvent(Store store, TransactionStore transactions, long transactionId, int seqNo)
      throws Exception {
    return await(store.write(c -> transactions.hasEvent(c, transactionId, seqNo)));
  }


  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void aTransactionsEventsAreFoundOnceInTheTailTheIndexOrBoth(String dialect, @TempDir Path dir) throws Exception {
    try (StoreFixture f = StoreFixture.start(dialect, dir)) {
      Store store = f.store();
      TransactionStore transactions = new TransactionStore(store);
      await(store.upsertChargePoint("CP1", "CP1", null, null, "Accepted", false));
      event(store, transactions, 7, 0, "Started");
      event(store, transactions, 8, 0, "Updated");
      event(store, transactions, 7, 1, "Updated");
      assertEquals(List.of(0, 1), seqNos(store, transactions, 7), "in the tail");
      assertEquals(List.of(0), seqNos(store, transactions, 8));
      assertTrue(hasEvent(store, transactions, 7, 1));
      assertFalse(hasEvent(store, transactions, 7, 2));
      assertFalse(hasEvent(store, transactions, 9, 0));

      if (dialect.equals("sqlite")) {
        assertEquals(3L, await(store.indexInBulkIfDue(0)), "every event since the mark is covered");
        assertEquals(3, count(f, "SELECT COUNT(*) FROM TransactionEventByTransaction"));
        assertEquals(count(f, "SELECT MAX(EventId) FROM TransactionEvent"),
            count(f, "SELECT UpTo FROM TransactionEventIndexed"));
        assertEquals(List.of(0, 1), seqNos(store, transactions, 7), "indexed");
        assertTrue(hasEvent(store, transactions, 7, 1), "indexed");

        event(store, transactions, 7, 3, "Updated");
        assertEquals(List.of(0, 1, 3), seqNos(store, transactions, 7), "indexed and tail");
        assertTrue(hasEvent(store, transactions, 7, 3), "in the tail");
        assertFalse(hasEvent(store, transactions, 7, 2));

        // a round cut short before its mark moved: its entries are there and above the mark at once
        await(f.database().readPool().query("UPDATE TransactionEventIndexed SET UpTo = 0").execute());
        assertEquals(List.of(0, 1, 3), seqNos(store, transactions, 7), "each event once");
        store.eventIndex().stored(1);
        await(store.indexInBulkIfDue(0)); // repeated: entries already there are skipped
        assertEquals(4, count(f, "SELECT COUNT(*) FROM TransactionEventByTransaction"));
        assertEquals(List.of(0, 1, 3), seqNos(store, transactions, 7));
        assertEquals(List.of(0), seqNos(store, transactions, 8));
      } else {
        assertEquals(0L, await(store.indexInBulkIfDue(0)));
        assertEquals(0, count(f, "SELECT UpTo FROM TransactionEventIndexed"));
        assertEquals(0, count(f, "SELECT COUNT(*) FROM TransactionEventByTransaction"));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void eventsStoredBeforeVersion8AreFoundByTransaction(String dialect, @TempDir Path dir) throws Exception {
    boolean sqlite = dialect.equals("sqlite");
    try (Connection c = databaseAt(dialect, dir, 7); Statement st = c.createStatement()) {
      String columns = "INSERT INTO TransactionEvent (ChargePointId, Uid, TransactionId, SeqNo, EventType, TriggerReason, "
          + "Timestamp, Payload, ReceivedTime) VALUES ";
      st.execute(columns + "('OLD', 'B', 9, 0, 'Started', 'Authorized', 't', '{}', 't'), "
          + "('OLD', 'A', 7, 2, 'Updated', 'Authorized', 't', '{}', 't'), "
          + "('OLD', 'A', 7, 1, 'Started', 'Authorized', 't', '{}', 't'), "
          + "('OLD', 'C', 11, 3, 'Updated', 'Authorized', 't', '{}', 't')");
      st.execute("INSERT INTO Transactions (TransactionId, Uid, ChargePointId, ConnectorId, StartTime) VALUES "
          + "(7, 'A', 'OLD', 1, 't'), (9, 'B', 'OLD', 1, 't'), (11, 'C', 'OLD', 1, 't')");
      Database.migrate(c, dialect(dialect));

      List<Object> started = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("SELECT StartedSeqNo FROM Transactions ORDER BY TransactionId")) {
        while (rs.next()) {
          started.add(rs.getObject(1) == null ? null : rs.getInt(1));
        }
      }
      assertEquals(Arrays.asList(1, 0, null), started, "each transaction's Started event, found by the migration");

      assertEquals(List.of(1L, 2L), ofTransaction(c, BulkTransactionIndex.TRANSACTION_EVENTS, "SeqNo", 7));
      assertMigrated(st, BulkTransactionIndex.TRANSACTION_EVENTS, sqlite, 4);
      assertEquals(sqlite ? List.of() : List.of("ix_transactionevent_transaction"), indexes(st, "TransactionEvent", sqlite),
          "SQLite indexes events in bulk; PostgreSQL by (TransactionId, SeqNo) instead of (ChargePointId, Uid, SeqNo)");
    }
  }
}
