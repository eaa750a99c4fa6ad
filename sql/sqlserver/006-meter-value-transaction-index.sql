-- Schema version 6: the same tables as sql/sqlite/006-meter-value-transaction-index.sql, so every
-- dialect answers "the rows of a transaction" with one query (MeterValueIndex.ROWS_OF_TRANSACTION),
-- but here they stay empty: SQL Server logs row changes, not whole pages, so the ordinary index on
-- MeterValue.TransactionId costs little per row, and several nodes may write at once, where a
-- bulk catch-up behind a high-water mark could miss a row committed out of id order. UpTo stays 0:
-- every row is "in the tail", which IX_MeterValue_Transaction finds.
CREATE TABLE MeterValueByTransaction (
  TransactionId INT NOT NULL,
  MeterValueId BIGINT NOT NULL,
  PRIMARY KEY (TransactionId, MeterValueId)
);
CREATE TABLE MeterValueIndexed (
  UpTo BIGINT NOT NULL
);
INSERT INTO MeterValueIndexed (UpTo) VALUES (0);
