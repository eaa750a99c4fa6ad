-- Schema version 7: MeterValue without its foreign key to ChargePoint (SQLite only; the other
-- dialects index MeterValue.ChargePointId instead). SQLite checks a parent's DELETE by looking
-- for its child rows, and MeterValue has no index on ChargePointId (one would cost a page per
-- stored message, see 006): deleting a charge point read the whole table on the single writer,
-- holding every charger's writes for as long. The store itself refuses to delete a charge point
-- that has meter values (AdminStore.hasTransactions, on a read connection). SQLite cannot drop a
-- constraint: the table is rebuilt under a temporary name with the same ids, then renamed
-- (sqlite_sequence follows the rename, so new ids continue after the old ones). A one-time copy:
-- ~25 s per GB here, and as much free disk again (docs/deployment.md).
DROP VIEW MeterSample;
CREATE TABLE MeterValueRebuilt (
  MeterValueId INTEGER PRIMARY KEY AUTOINCREMENT,
  ChargePointId TEXT NOT NULL,
  ConnectorId INTEGER NOT NULL,
  TransactionId INTEGER,
  Timestamp TEXT NOT NULL,
  KeyHash INTEGER NOT NULL,
  Samples TEXT NOT NULL
);
INSERT INTO MeterValueRebuilt (MeterValueId, ChargePointId, ConnectorId, TransactionId, Timestamp, KeyHash, Samples)
  SELECT MeterValueId, ChargePointId, ConnectorId, TransactionId, Timestamp, KeyHash, Samples FROM MeterValue
  ORDER BY MeterValueId;
DROP TABLE MeterValue;
ALTER TABLE MeterValueRebuilt RENAME TO MeterValue;
CREATE UNIQUE INDEX IX_MeterValue_Key ON MeterValue (KeyHash);
CREATE VIEW MeterSample AS
  SELECT m.MeterValueId, s.key AS SampleIndex, m.ChargePointId, m.ConnectorId, m.TransactionId,
    json_extract(s.value, '$.t') AS Timestamp, json_extract(s.value, '$.v') AS Value,
    json_extract(s.value, '$.n') AS NumericValue, json_extract(s.value, '$.m') AS Measurand,
    json_extract(s.value, '$.u') AS Unit, json_extract(s.value, '$.p') AS Phase,
    json_extract(s.value, '$.l') AS Location, json_extract(s.value, '$.c') AS Context,
    json_extract(s.value, '$.f') AS Format, json_extract(s.value, '$.s') AS SignedMeterValue
  FROM MeterValue m, json_each(m.Samples) s;
