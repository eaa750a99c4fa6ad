-- Schema version 7: SQLite drops MeterValue's foreign key to ChargePoint (see
-- sql/sqlite/007-meter-value-without-charge-point-key.sql). SQL Server keeps it and gets the index
-- its check needs: it logs rows, not pages, so the index costs little per stored row, and deleting
-- a charge point no longer reads the whole table.
CREATE INDEX IX_MeterValue_ChargePoint ON MeterValue (ChargePointId);
