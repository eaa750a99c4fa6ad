-- Schema version 2 for SQL Server: the same as sql/sqlite/002-ocpp2.sql (see there).
ALTER TABLE Transactions ADD EvseConnectorId INT;
ALTER TABLE Transactions ADD RemoteStartId INT;
ALTER TABLE Transactions ADD IdTokenType NVARCHAR(20);
ALTER TABLE Transactions ADD ChargingState NVARCHAR(20);
ALTER TABLE Transactions ADD TimeSpentCharging INT;
ALTER TABLE Transactions ADD FirstSeqNo INT;
ALTER TABLE Transactions ADD LastSeqNo INT;
ALTER TABLE Transactions ADD SeqNoGaps NVARCHAR(400);
ALTER TABLE Transactions ADD OfflineEvents INT NOT NULL DEFAULT 0;
ALTER TABLE Transactions ADD Protocol NVARCHAR(20);

CREATE TABLE TransactionEvent (
  EventId BIGINT IDENTITY(1,1) PRIMARY KEY,
  ChargePointId NVARCHAR(100) NOT NULL REFERENCES ChargePoint(ChargePointId),
  Uid NVARCHAR(50) NOT NULL,
  TransactionId INT,
  SeqNo INT NOT NULL,
  EventType NVARCHAR(20) NOT NULL,
  TriggerReason NVARCHAR(50) NOT NULL,
  Timestamp NVARCHAR(40) NOT NULL,
  Offline BIT NOT NULL DEFAULT 0,
  IdToken NVARCHAR(255),
  Payload NVARCHAR(MAX) NOT NULL,
  ReceivedTime NVARCHAR(40) NOT NULL
);
CREATE UNIQUE INDEX IX_TransactionEvent_Seq ON TransactionEvent (ChargePointId, Uid, SeqNo);

CREATE TABLE DeviceVariable (
  ChargePointId NVARCHAR(100) NOT NULL REFERENCES ChargePoint(ChargePointId) ON DELETE CASCADE,
  Component NVARCHAR(50) NOT NULL,
  ComponentInstance NVARCHAR(50) NOT NULL DEFAULT '',
  EvseId INT NOT NULL DEFAULT 0,
  ConnectorId INT NOT NULL DEFAULT 0,
  Variable NVARCHAR(50) NOT NULL,
  VariableInstance NVARCHAR(50) NOT NULL DEFAULT '',
  AttributeType NVARCHAR(10) NOT NULL DEFAULT 'Actual',
  Value NVARCHAR(2500),
  Mutability NVARCHAR(10),
  Persistent BIT,
  Constant BIT,
  DataType NVARCHAR(20),
  Unit NVARCHAR(20),
  MinLimit FLOAT,
  MaxLimit FLOAT,
  ValuesList NVARCHAR(1000),
  SupportsMonitoring BIT,
  UpdatedAt NVARCHAR(40) NOT NULL,
  PRIMARY KEY (ChargePointId, Component, ComponentInstance, EvseId, ConnectorId, Variable, VariableInstance, AttributeType)
);

CREATE TABLE EvseConnectorStatus (
  ChargePointId NVARCHAR(100) NOT NULL REFERENCES ChargePoint(ChargePointId) ON DELETE CASCADE,
  EvseId INT NOT NULL,
  ConnectorId INT NOT NULL,
  Status NVARCHAR(20),
  StatusTime NVARCHAR(40),
  PRIMARY KEY (ChargePointId, EvseId, ConnectorId)
);
ALTER TABLE StatusHistory ADD EvseId INT;
