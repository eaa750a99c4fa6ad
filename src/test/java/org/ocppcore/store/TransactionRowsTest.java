package org.ocppcore.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.store.StoreFixture.await;

import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ocppcore.store.TransactionStore.Tx;

/**
 * The writer remembers open 2.x transaction rows between events (on SQLite; PostgreSQL reads them
 * every time), and what it remembers is never older than the database: a rolled-back op's row is
 * forgotten, and so is a 2.x row a 1.6 StopTransaction ends. Both dialects must answer alike.
 */
class TransactionRowsTest {
  private static final String CP = "CP1";
  private static final String UID = "tx-1";
  private static final String START = "2026-01-01T00:00:00.000Z";

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void aRolledBackUpdateIsNotRemembered(String dialect, @TempDir Path dir) throws Exception {
    try (StoreFixture w = StoreFixture.start(dialect, dir)) {
      Store store = w.store();
      TransactionStore txs = new TransactionStore(store);
      await(store.upsertChargePoint(CP, CP, null, null, "Accepted", false));
      long id = await(store.write(c -> create(txs, c)));

      // seqNo 2 is written, then the op fails: the whole op is rolled back
      var failed = store.write(c -> {
        Tx before = txs.find(c, CP, UID);
        Tx after = before.copy();
        after.lastSeqNo = 2;
        txs.update(c, CP, UID, before, after);
        throw new SQLException("failing after the update");
      });
      await(failed.otherwiseEmpty());
      assertTrue(failed.failed());

      Tx row = await(store.write(c -> txs.find(c, CP, UID)));
      assertEquals(id, row.id);
      assertEquals(1, row.lastSeqNo, "the committed row, not the rolled-back one");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void aTwoXRowStoppedByAOneSixMessageIsReadAgain(String dialect, @TempDir Path dir) throws Exception {
    try (StoreFixture w = StoreFixture.start(dialect, dir)) {
      Store store = w.store();
      TransactionStore txs = new TransactionStore(store);
      await(store.upsertChargePoint(CP, CP, null, null, "Accepted", false));
      long id = await(store.write(c -> create(txs, c)));
      assertNull(await(store.write(c -> txs.find(c, CP, UID))).stopTime);

      Store.StopResult stop = await(store.stopTransaction(CP, id, null, 2000, "2026-01-01T01:00:00.000Z", "Local", null));
      assertTrue(stop.known());

      Tx row = await(store.write(c -> txs.find(c, CP, UID)));
      assertNotNull(row.stopTime, "the row as the 1.6 stop left it");
      assertEquals("Local", row.stopReason);
    }
  }

  /** Creates the transaction with its first event's bookkeeping (seqNo 1); returns its id. */
  private static long create(TransactionStore txs, WriteConnection c) throws SQLException {
    Tx before = new Tx();
    before.id = txs.insert(c, CP, UID, 1, START, "ocpp2.0.1");
    before.protocol = "ocpp2.0.1";
    Tx after = before.copy();
    after.connectorId = 1;
    after.startTime = START;
    after.firstSeqNo = 1;
    after.lastSeqNo = 1;
    txs.update(c, CP, UID, before, after);
    return before.id;
  }
}
