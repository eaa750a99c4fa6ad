-- Schema version 2 for PostgreSQL: the same as sql/sqlite/002-ocpp2.sql (see there).
ALTER TABLE Transactions ADD COLUMN EvseConnectorId INTEGER;
ALTER TABLE Transactions ADD COLUMN RemoteStartId INTEGER;
ALTER TABLE Transactions ADD COLUMN IdTokenType TEXT;
ALTER TABLE Transactions ADD COLUMN ChargingState TEXT;
ALTER TABLE Transactions ADD COLUMN TimeSpentCharging INTEGER;
ALTER TABLE Transactions ADD COLUMN FirstSeqNo INTEGER;
ALTER TABLE Transactions ADD COLUMN LastSeqNo INTEGER;
ALTER TABLE Transactions ADD COLUMN SeqNoGaps TEXT;
ALTER TABLE Transactions ADD COLUMN OfflineEvents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE Transactions ADD COLUMN Protocol TEXT;

CREATE TABLE TransactionEvent (
  EventId BIGSERIAL PRIMARY KEY,
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
  MinLimit DOUBLE PRECISION,
  MaxLimit DOUBLE PRECISION,
  ValuesList TEXT,
  SupportsMonitoring INTEGER,
  UpdatedAt TEXT NOT NULL,
  PRIMARY KEY (ChargePointId, Component, ComponentInstance, EvseId, ConnectorId, Variable, VariableInstance, AttributeType)
);

CREATE TABLE EvseConnectorStatus (
  ChargePointId TEXT NOT NULL REFERENCES ChargePoint(ChargePointId) ON DELETE CASCADE,
  EvseId INTEGER NOT NULL,
  ConnectorId INTEGER NOT NULL,
  Status TEXT,
  StatusTime TEXT,
  PRIMARY KEY (ChargePointId, EvseId, ConnectorId)
);
ALTER TABLE StatusHistory ADD COLUMN EvseId INTEGER;
