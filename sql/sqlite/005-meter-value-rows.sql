-- Schema version 5: one MeterValue row per charger message (per connector and transaction) with
-- its samples as one compact JSON array, instead of one MeterSample row per sample: about a sixth
-- of the rows, index entries and bytes per message, which is what bounded ingest
-- (docs/benchmarks.md). MeterSample stays as a view with the old columns (plus MeterValueId and
-- SampleIndex instead of SampleId), so queries and reports read samples as before.
-- Samples members: t timestamp, v value, n numericValue, m measurand, u unit, p phase,
-- l location, c context, f format, s signedMeterValue (2.x, an object); a member is absent when null.
-- KeyHash, unique, recognises a retried message: the first sample's time in seconds (high bits)
-- and a hash of the charge point and the samples' keys (low 31 bits). Time first keeps each
-- commit's index entries on a few pages; a collision is stored under the next free key. Rows
-- moved here from MeterSample keep one sample each and get -SampleId, which no computed key is.
CREATE TABLE MeterValue (
  MeterValueId INTEGER PRIMARY KEY AUTOINCREMENT,
  ChargePointId TEXT NOT NULL REFERENCES ChargePoint(ChargePointId),
  ConnectorId INTEGER NOT NULL,
  TransactionId INTEGER,
  Timestamp TEXT NOT NULL,
  KeyHash INTEGER NOT NULL,
  Samples TEXT NOT NULL
);
-- json_patch onto {} drops the null members, as the server writes them
INSERT INTO MeterValue (ChargePointId, ConnectorId, TransactionId, Timestamp, KeyHash, Samples)
  SELECT ChargePointId, ConnectorId, TransactionId, Timestamp, -SampleId,
    json_array(json_patch('{}', json_object('t', Timestamp, 'v', Value, 'n', NumericValue, 'm', Measurand,
      'u', Unit, 'p', Phase, 'l', Location, 'c', Context, 'f', Format)))
  FROM MeterSample ORDER BY SampleId;
DROP TABLE MeterSample;
CREATE UNIQUE INDEX IX_MeterValue_Key ON MeterValue (KeyHash);
CREATE INDEX IX_MeterValue_Transaction ON MeterValue (TransactionId);
CREATE VIEW MeterSample AS
  SELECT m.MeterValueId, s.key AS SampleIndex, m.ChargePointId, m.ConnectorId, m.TransactionId,
    json_extract(s.value, '$.t') AS Timestamp, json_extract(s.value, '$.v') AS Value,
    json_extract(s.value, '$.n') AS NumericValue, json_extract(s.value, '$.m') AS Measurand,
    json_extract(s.value, '$.u') AS Unit, json_extract(s.value, '$.p') AS Phase,
    json_extract(s.value, '$.l') AS Location, json_extract(s.value, '$.c') AS Context,
    json_extract(s.value, '$.f') AS Format, json_extract(s.value, '$.s') AS SignedMeterValue
  FROM MeterValue m, json_each(m.Samples) s;
