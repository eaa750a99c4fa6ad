-- Schema version 4: a retried meter sample is recognised by a 64-bit hash of its SampleKey, unique
-- per charge point, instead of by the ~90-character SampleKey itself: that text index made every
-- stored sample cost 3-4 times as much (docs/benchmarks.md). SampleKey stays, unindexed, to tell a
-- hash collision (stored under the next free hash) from a retry. The store computes hashes >= 0;
-- rows stored before this version get -SampleId (unique, never a computed hash), so a retry of a
-- sample sent before the upgrade is stored again.
ALTER TABLE MeterSample ADD SampleHash BIGINT;
UPDATE MeterSample SET SampleHash = -SampleId;
DROP INDEX IX_MeterSample_Key ON MeterSample;
CREATE UNIQUE INDEX IX_MeterSample_Hash ON MeterSample (ChargePointId, SampleHash) WITH (IGNORE_DUP_KEY = ON);
