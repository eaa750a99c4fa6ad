-- Schema version 6: MeterValue rows are found by transaction through MeterValueByTransaction, which
-- the store fills in bulk (StoreVerticle's catch-up, a few seconds behind), instead of through an
-- index on MeterValue.TransactionId kept row by row. SQLite logs whole pages: with a thousand
-- transactions open, every stored message dirtied its own page of that index (4 KB written twice,
-- WAL and checkpoint, for a ~1.3 KB row), which cost a third of the writer's time
-- (docs/benchmarks.md). Filled sorted by transaction, a page takes all of a transaction's new
-- entries at once. Rows above MeterValueIndexed.UpTo are not in it yet and are found by a scan of
-- that short tail (MeterValueIndex.ROWS_OF_TRANSACTION).
CREATE TABLE MeterValueByTransaction (
  TransactionId INTEGER NOT NULL,
  MeterValueId INTEGER NOT NULL,
  PRIMARY KEY (TransactionId, MeterValueId)
) WITHOUT ROWID;
CREATE TABLE MeterValueIndexed (
  UpTo INTEGER NOT NULL
);
INSERT INTO MeterValueByTransaction (TransactionId, MeterValueId)
  SELECT TransactionId, MeterValueId FROM MeterValue WHERE TransactionId IS NOT NULL ORDER BY TransactionId, MeterValueId;
INSERT INTO MeterValueIndexed (UpTo) SELECT COALESCE(MAX(MeterValueId), 0) FROM MeterValue;
DROP INDEX IX_MeterValue_Transaction;
