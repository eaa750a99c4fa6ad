-- Schema version 5: one MeterValue row per charger message (per connector and transaction) with
-- its samples as one compact JSON array, instead of one MeterSample row per sample: about a sixth
-- of the rows, index entries and bytes per message, which is what bounded ingest
-- (docs/benchmarks.md). MeterSample stays as a view with the old columns (plus MeterValueId and
-- SampleIndex instead of SampleId), so queries and reports read samples as before.
-- Samples members: t timestamp, v value, n numericValue, m measurand, u unit, p phase,
-- l location, c context, f format, s signedMeterValue (2.x, an object); a member is absent when
-- null. Kept as text (parsed only when read).
-- KeyHash, unique, recognises a retried message: the first sample's time in seconds (high bits)
-- and a hash of the charge point and the samples' keys (low 31 bits). Time first keeps each
-- commit's index entries on a few pages; a collision is stored under the next free key. Rows
-- moved here from MeterSample keep one sample each and get -SampleId, which no computed key is.
CREATE TABLE MeterValue (
  MeterValueId BIGSERIAL PRIMARY KEY,
  ChargePointId TEXT NOT NULL REFERENCES ChargePoint(ChargePointId),
  ConnectorId INTEGER NOT NULL,
  TransactionId INTEGER,
  Timestamp TEXT NOT NULL,
  KeyHash BIGINT NOT NULL,
  Samples TEXT NOT NULL
);
INSERT INTO MeterValue (ChargePointId, ConnectorId, TransactionId, Timestamp, KeyHash, Samples)
  SELECT ChargePointId, ConnectorId, TransactionId, Timestamp, -SampleId,
    json_strip_nulls(json_build_array(json_build_object('t', Timestamp, 'v', Value, 'n', NumericValue,
      'm', Measurand, 'u', Unit, 'p', Phase, 'l', Location, 'c', Context, 'f', Format)))::text
  FROM MeterSample ORDER BY SampleId;
DROP TABLE MeterSample;
CREATE UNIQUE INDEX IX_MeterValue_Key ON MeterValue (KeyHash);
CREATE INDEX IX_MeterValue_Transaction ON MeterValue (TransactionId);
CREATE VIEW MeterSample AS
  SELECT m.MeterValueId, (s.i - 1)::integer AS SampleIndex, m.ChargePointId, m.ConnectorId, m.TransactionId,
    s.j ->> 't' AS Timestamp, s.j ->> 'v' AS Value, (s.j ->> 'n')::double precision AS NumericValue,
    s.j ->> 'm' AS Measurand, s.j ->> 'u' AS Unit, s.j ->> 'p' AS Phase, s.j ->> 'l' AS Location,
    s.j ->> 'c' AS Context, s.j ->> 'f' AS Format, (s.j -> 's')::text AS SignedMeterValue
  FROM MeterValue m CROSS JOIN LATERAL json_array_elements(m.Samples::json) WITH ORDINALITY AS s(j, i);
