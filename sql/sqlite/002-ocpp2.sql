-- Schema version 2: what OCPP 2.0.1 / 2.1 chargers report.
-- Transactions gain the 2.x fields; a 2.x transaction is keyed by (ChargePointId, Uid) where Uid
-- is the charger's transactionInfo.transactionId, and ConnectorId holds the EVSE id (as in
-- OCPP.Core, an EVSE is what the operator sees as a "connector").
ALTER TABLE Transactions ADD COLUMN EvseConnectorId INTEGER;
ALTER TABLE Transactions ADD COLUMN RemoteStartId INTEGER;
ALTER TABLE Transactions ADD COLUMN IdTokenType TEXT;
ALTER TABLE Transactions ADD COLUMN ChargingState TEXT;
ALTER TABLE Transactions ADD COLUMN TimeSpentCharging INTEGER;
ALTER TABLE Transactions ADD COLUMN FirstSeqNo INTEGER;
ALTER TABLE Transactions ADD COLUMN LastSeqNo INTEGER;
-- seqNo numbers missing between the first and the last event received, e.g. "3,5-7"; NULL = none
ALTER TABLE Transactions ADD COLUMN SeqNoGaps TEXT;
ALTER TABLE Transactions ADD COLUMN OfflineEvents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE Transactions ADD COLUMN Protocol TEXT;

-- Every TransactionEvent as received (deduplicated by seqNo), so a transaction can be rebuilt
-- whatever order its events arrive in.
CREATE TABLE TransactionEvent (
  EventId INTEGER PRIMARY KEY AUTOINCREMENT,
  ChargePointId TEXT NOT NULL REFERENCES ChargePoint(ChargePointId),
  Uid TEXT NOT NULL,
  TransactionId INTEGER,
  SeqNo INTEGER NOT NULL,
  EventType TEXT NOT NULL,
  TriggerReason TEXT NOT NULL,
  Timestamp TEXT NOT NULL,
  Offline INTEGER NOT NULL DEFAULT 0,
  IdToken TEXT,
  Payload TEXT NOT NULL,
  ReceivedTime TEXT NOT NULL
);
CREATE UNIQUE INDEX IX_TransactionEvent_Seq ON TransactionEvent (ChargePointId, Uid, SeqNo);

-- The 2.x device model: every reported component/variable/attribute of a charging station.
CREATE TABLE DeviceVariable (
  ChargePointId TEXT NOT NULL REFERENCES ChargePoint(ChargePointId) ON DELETE CASCADE,
  Component TEXT NOT NULL,
  ComponentInstance TEXT NOT NULL DEFAULT '',
  EvseId INTEGER NOT NULL DEFAULT 0,
  ConnectorId INTEGER NOT NULL DEFAULT 0,
  Variable TEXT NOT NULL,
  VariableInstance TEXT NOT NULL DEFAULT '',
  AttributeType TEXT NOT NULL DEFAULT 'Actual',
  Value TEXT,
  Mutability TEXT,
  Persistent INTEGER,
  Constant INTEGER,
  DataType TEXT,
  Unit TEXT,
  MinLimit REAL,
  MaxLimit REAL,
  ValuesList TEXT,
  SupportsMonitoring INTEGER,
  UpdatedAt TEXT NOT NULL,
  PRIMARY KEY (ChargePointId, Component, ComponentInstance, EvseId, ConnectorId, Variable, VariableInstance, AttributeType)
);

-- 2.x reports status per connector of an EVSE; ConnectorStatus keeps the EVSE-level view.
CREATE TABLE EvseConnectorStatus (
  ChargePointId TEXT NOT NULL REFERENCES ChargePoint(ChargePointId) ON DELETE CASCADE,
  EvseId INTEGER NOT NULL,
  ConnectorId INTEGER NOT NULL,
  Status TEXT,
  StatusTime TEXT,
  PRIMARY KEY (ChargePointId, EvseId, ConnectorId)
);
ALTER TABLE StatusHistory ADD COLUMN EvseId INTEGER;
