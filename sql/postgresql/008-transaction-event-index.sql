-- Schema version 8: the same tables as sql/sqlite/008-transaction-event-index.sql, so every dialect
-- finds a transaction's events with one query (BulkTransactionIndex.TRANSACTION_EVENTS), but here
-- they stay empty, as in 006: PostgreSQL logs row changes, not whole pages, and several nodes may
-- write at once. UpTo stays 0: every event is "in the tail", which the unique index by
-- (TransactionId, SeqNo) finds; it replaces the one by (ChargePointId, Uid, SeqNo), as the
-- transaction's id is what the queries now name (a 2.x transaction is unique per charger and Uid).

-- The seqNo of the transaction's Started event (NULL while none was received): whether one was
-- stored was asked of the events whenever an event's time came before the start, which without a
-- row-by-row index means a scan of the tail, for every event of a charger whose clock fell back.
ALTER TABLE Transactions ADD COLUMN StartedSeqNo INTEGER;
UPDATE Transactions SET StartedSeqNo = (SELECT MIN(e.SeqNo) FROM TransactionEvent e
  WHERE e.ChargePointId = Transactions.ChargePointId AND e.Uid = Transactions.Uid AND e.EventType = 'Started')
  WHERE Uid IS NOT NULL;

CREATE TABLE TransactionEventByTransaction (
  TransactionId INTEGER NOT NULL,
  SeqNo INTEGER NOT NULL,
  EventId BIGINT NOT NULL,
  PRIMARY KEY (TransactionId, SeqNo)
);
CREATE TABLE TransactionEventIndexed (
  UpTo BIGINT NOT NULL
);
INSERT INTO TransactionEventIndexed (UpTo) VALUES (0);
CREATE UNIQUE INDEX IX_TransactionEvent_Transaction ON TransactionEvent (TransactionId, SeqNo);
DROP INDEX IX_TransactionEvent_Seq;
