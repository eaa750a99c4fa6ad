-- OCPP Core (Java) schema for SQL Server, version 1: the same tables, columns and keys as
-- sql/sqlite/001-init.sql (a test checks they match). Times are ISO-8601 UTC text like on
-- SQLite, so every query is portable. UNTESTED against a live SQL Server (none runs here).
-- Duplicate meter samples (charger retries) are skipped by IGNORE_DUP_KEY on their unique index.

CREATE TABLE ChargePoint (
  ChargePointId NVARCHAR(100) NOT NULL PRIMARY KEY,
  Name NVARCHAR(100),
  Comment NVARCHAR(200),
  PasswordHash NVARCHAR(200),
  ClientCertThumb NVARCHAR(100),
  RegistrationStatus NVARCHAR(20) NOT NULL DEFAULT 'Accepted',
  TagIdCutAtUnderscore BIT NOT NULL DEFAULT 0,
  CreatedAt NVARCHAR(40)
);

CREATE TABLE ChargePointBoot (
  ChargePointId NVARCHAR(100) NOT NULL PRIMARY KEY REFERENCES ChargePoint(ChargePointId) ON DELETE CASCADE,
  Protocol NVARCHAR(20),
  Vendor NVARCHAR(50),
  Model NVARCHAR(50),
  SerialNumber NVARCHAR(50),
  ChargeBoxSerialNumber NVARCHAR(50),
  FirmwareVersion NVARCHAR(100),
  Iccid NVARCHAR(40),
  Imsi NVARCHAR(40),
  MeterType NVARCHAR(50),
  MeterSerialNumber NVARCHAR(50),
  BootReason NVARCHAR(40),
  BootTime NVARCHAR(40),
  LastSeen NVARCHAR(40),
  ConnectedSince NVARCHAR(40),
  DisconnectedAt NVARCHAR(40)
);

CREATE TABLE ChargeTags (
  TagId NVARCHAR(50) NOT NULL,
  TagName NVARCHAR(200),
  ParentTagId NVARCHAR(50),
  ExpiryDate NVARCHAR(40),
  Blocked BIT NOT NULL DEFAULT 0,
  CONSTRAINT PK_ChargeKeys PRIMARY KEY (TagId)
);

CREATE TABLE ConnectorStatus (
  ChargePointId NVARCHAR(100) NOT NULL REFERENCES ChargePoint(ChargePointId) ON DELETE CASCADE,
  ConnectorId INT NOT NULL,
  ConnectorName NVARCHAR(100),
  LastStatus NVARCHAR(100),
  LastStatusTime NVARCHAR(40),
  OcppStatus NVARCHAR(40),
  ErrorCode NVARCHAR(50),
  Info NVARCHAR(100),
  VendorId NVARCHAR(255),
  VendorErrorCode NVARCHAR(100),
  LastMeter FLOAT,
  LastMeterTime NVARCHAR(40),
  LastPowerKw FLOAT,
  LastSoc FLOAT,
  PRIMARY KEY (ChargePointId, ConnectorId)
);

CREATE TABLE Transactions (
  TransactionId INT IDENTITY(1,1) PRIMARY KEY,
  Uid NVARCHAR(50),
  ChargePointId NVARCHAR(100) NOT NULL REFERENCES ChargePoint(ChargePointId),
  ConnectorId INT NOT NULL,
  StartTagId NVARCHAR(50),
  StartTime NVARCHAR(40) NOT NULL,
  MeterStart FLOAT,
  MeterStartWh FLOAT,
  StartResult NVARCHAR(100),
  ReservationId INT,
  StopTagId NVARCHAR(50),
  StopTime NVARCHAR(40),
  MeterStop FLOAT,
  MeterStopWh FLOAT,
  StopReason NVARCHAR(100),
  StopResult NVARCHAR(100)
);
CREATE INDEX IX_Transactions_ChargePointId_ConnectorId ON Transactions (ChargePointId, ConnectorId);
CREATE INDEX IX_Transactions_StartTagId_Open ON Transactions (StartTagId, StopTime);
CREATE INDEX IX_Transactions_StartTime ON Transactions (StartTime);
CREATE UNIQUE INDEX IX_Transaction_UID ON Transactions (ChargePointId, Uid) WHERE Uid IS NOT NULL;

CREATE TABLE MeterSample (
  SampleId BIGINT IDENTITY(1,1) PRIMARY KEY,
  ChargePointId NVARCHAR(100) NOT NULL REFERENCES ChargePoint(ChargePointId),
  ConnectorId INT NOT NULL,
  TransactionId INT,
  Timestamp NVARCHAR(40) NOT NULL,
  Value NVARCHAR(2500) NOT NULL,
  NumericValue FLOAT,
  Measurand NVARCHAR(50) NOT NULL,
  Unit NVARCHAR(20),
  Phase NVARCHAR(10),
  Location NVARCHAR(20),
  Context NVARCHAR(30),
  Format NVARCHAR(20),
  SampleKey NVARCHAR(300) NOT NULL
);
CREATE UNIQUE INDEX IX_MeterSample_Key ON MeterSample (ChargePointId, SampleKey) WITH (IGNORE_DUP_KEY = ON);
CREATE INDEX IX_MeterSample_Transaction ON MeterSample (TransactionId);

CREATE TABLE StatusHistory (
  StatusId BIGINT IDENTITY(1,1) PRIMARY KEY,
  ChargePointId NVARCHAR(100) NOT NULL REFERENCES ChargePoint(ChargePointId) ON DELETE CASCADE,
  ConnectorId INT NOT NULL,
  Status NVARCHAR(40) NOT NULL,
  ErrorCode NVARCHAR(50),
  Info NVARCHAR(100),
  VendorId NVARCHAR(255),
  VendorErrorCode NVARCHAR(100),
  StatusTime NVARCHAR(40),
  ReceivedTime NVARCHAR(40) NOT NULL
);
CREATE INDEX IX_StatusHistory_ChargePoint ON StatusHistory (ChargePointId, ConnectorId, StatusTime);

CREATE TABLE SecurityEvent (
  EventId BIGINT IDENTITY(1,1) PRIMARY KEY,
  ChargePointId NVARCHAR(100) NOT NULL REFERENCES ChargePoint(ChargePointId) ON DELETE CASCADE,
  Type NVARCHAR(50) NOT NULL,
  Timestamp NVARCHAR(40),
  TechInfo NVARCHAR(255),
  ReceivedTime NVARCHAR(40) NOT NULL
);
CREATE INDEX IX_SecurityEvent_ChargePoint ON SecurityEvent (ChargePointId, ReceivedTime);

CREATE TABLE ChargerEvent (
  EventId BIGINT IDENTITY(1,1) PRIMARY KEY,
  ChargePointId NVARCHAR(100) NOT NULL REFERENCES ChargePoint(ChargePointId) ON DELETE CASCADE,
  Action NVARCHAR(50) NOT NULL,
  Status NVARCHAR(50),
  RequestId INT,
  Detail NVARCHAR(MAX),
  ReceivedTime NVARCHAR(40) NOT NULL
);
CREATE INDEX IX_ChargerEvent_ChargePoint ON ChargerEvent (ChargePointId, Action, ReceivedTime);

CREATE TABLE MessageLog (
  LogId BIGINT IDENTITY(1,1) PRIMARY KEY,
  LogTime NVARCHAR(40) NOT NULL,
  ChargePointId NVARCHAR(100) NOT NULL,
  ConnectorId INT,
  Message NVARCHAR(100) NOT NULL,
  Result NVARCHAR(MAX),
  ErrorCode NVARCHAR(100)
);
CREATE INDEX IX_MessageLog_LogTime ON MessageLog (LogTime);
CREATE INDEX IX_MessageLog_ChargePointId ON MessageLog (ChargePointId, LogTime);
