-- Schema version 5: one MeterValue row per charger message (per connector and transaction) with
-- its samples as one compact JSON array, instead of one MeterSample row per sample: about a sixth
-- of the rows, index entries and bytes per message, which is what bounded ingest
-- (docs/benchmarks.md). MeterSample stays as a view with the old columns (plus MeterValueId and
-- SampleIndex instead of SampleId), so queries and reports read samples as before.
-- Samples members: t timestamp, v value, n numericValue, m measurand, u unit, p phase,
-- l location, c context, f format, s signedMeterValue (2.x, an object); a member is absent when
-- null. Needs compatibility level 130
-- (SQL Server 2016) for OPENJSON.
-- KeyHash, unique, recognises a retried message: the first sample's time in seconds (high bits)
-- and a hash of the charge point and the samples' keys (low 31 bits). Time first keeps each
-- commit's index entries on a few pages; a collision is stored under the next free key. Rows
-- moved here from MeterSample keep one sample each and get -SampleId, which no computed key is.
CREATE TABLE MeterValue (
  MeterValueId BIGINT IDENTITY(1,1) PRIMARY KEY,
  ChargePointId NVARCHAR(100) NOT NULL REFERENCES ChargePoint(ChargePointId),
  ConnectorId INT NOT NULL,
  TransactionId INT,
  Timestamp NVARCHAR(40) NOT NULL,
  KeyHash BIGINT NOT NULL,
  Samples NVARCHAR(MAX) NOT NULL
);
-- FOR JSON PATH leaves out null members and gives a one-element array
INSERT INTO MeterValue (ChargePointId, ConnectorId, TransactionId, Timestamp, KeyHash, Samples)
  SELECT s.ChargePointId, s.ConnectorId, s.TransactionId, s.Timestamp, -s.SampleId,
    (SELECT s.Timestamp AS t, s.Value AS v, s.NumericValue AS n, s.Measurand AS m, s.Unit AS u, s.Phase AS p,
      s.Location AS l, s.Context AS c, s.Format AS f FOR JSON PATH)
  FROM MeterSample s ORDER BY s.SampleId;
DROP TABLE MeterSample;
CREATE UNIQUE INDEX IX_MeterValue_Key ON MeterValue (KeyHash) WITH (IGNORE_DUP_KEY = ON);
CREATE INDEX IX_MeterValue_Transaction ON MeterValue (TransactionId);
CREATE VIEW MeterSample AS
  SELECT m.MeterValueId, CAST(s.[key] AS INT) AS SampleIndex, m.ChargePointId, m.ConnectorId, m.TransactionId,
    JSON_VALUE(s.value, '$.t') AS Timestamp, JSON_VALUE(s.value, '$.v') AS Value,
    CAST(JSON_VALUE(s.value, '$.n') AS FLOAT) AS NumericValue, JSON_VALUE(s.value, '$.m') AS Measurand,
    JSON_VALUE(s.value, '$.u') AS Unit, JSON_VALUE(s.value, '$.p') AS Phase,
    JSON_VALUE(s.value, '$.l') AS Location, JSON_VALUE(s.value, '$.c') AS Context,
    JSON_VALUE(s.value, '$.f') AS Format, JSON_QUERY(s.value, '$.s') AS SignedMeterValue
  FROM MeterValue m CROSS APPLY OPENJSON(m.Samples) s;
