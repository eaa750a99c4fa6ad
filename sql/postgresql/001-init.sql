-- OCPP Core (Java) schema for PostgreSQL, version 1: the same tables, columns and keys as
-- sql/sqlite/001-init.sql (a test checks they match). Identifiers are unquoted, so PostgreSQL
-- stores them in lower case; the code reads columns by position and never quotes a name.
-- Times are ISO-8601 UTC text as on SQLite (portable, sortable as text); flags are INTEGER 0/1
-- (the code writes and reads numbers); REAL of SQLite is DOUBLE PRECISION here (REAL is 32-bit).

CREATE TABLE ChargePoint (
  ChargePointId TEXT NOT NULL PRIMARY KEY,
  Name TEXT,
  Comment TEXT,
  PasswordHash TEXT,
  ClientCertThumb TEXT,
  RegistrationStatus TEXT NOT NULL DEFAULT 'Accepted',
  TagIdCutAtUnderscore INTEGER NOT NULL DEFAULT 0,
  CreatedAt TEXT
);

CREATE TABLE ChargePointBoot (
  ChargePointId TEXT NOT NULL PRIMARY KEY REFERENCES ChargePoint(ChargePointId) ON DELETE CASCADE,
  Protocol TEXT,
  Vendor TEXT,
  Model TEXT,
  SerialNumber TEXT,
  ChargeBoxSerialNumber TEXT,
  FirmwareVersion TEXT,
  Iccid TEXT,
  Imsi TEXT,
  MeterType TEXT,
  MeterSerialNumber TEXT,
  BootReason TEXT,
  BootTime TEXT,
  LastSeen TEXT,
  ConnectedSince TEXT,
  DisconnectedAt TEXT
);

CREATE TABLE ChargeTags (
  TagId TEXT NOT NULL,
  TagName TEXT,
  ParentTagId TEXT,
  ExpiryDate TEXT,
  Blocked INTEGER NOT NULL DEFAULT 0,
  CONSTRAINT PK_ChargeKeys PRIMARY KEY (TagId)
);
-- idTags are case-insensitive (OCPP 1.6 §7.2); the store compares LOWER(TagId) = LOWER(?), which uses this index
CREATE UNIQUE INDEX IX_ChargeTags_TagId_NoCase ON ChargeTags (LOWER(TagId));

CREATE TABLE ConnectorStatus (
  ChargePointId TEXT NOT NULL REFERENCES ChargePoint(ChargePointId) ON DELETE CASCADE,
  ConnectorId INTEGER NOT NULL,
  ConnectorName TEXT,
  LastStatus TEXT,
  LastStatusTime TEXT,
  OcppStatus TEXT,
  ErrorCode TEXT,
  Info TEXT,
  VendorId TEXT,
  VendorErrorCode TEXT,
  LastMeter DOUBLE PRECISION,
  LastMeterTime TEXT,
  LastPowerKw DOUBLE PRECISION,
  LastSoc DOUBLE PRECISION,
  PRIMARY KEY (ChargePointId, ConnectorId)
);

-- TransactionId is the OCPP 1.6 transactionId, an integer (32-bit) on the wire: SERIAL, not BIGSERIAL
CREATE TABLE Transactions (
  TransactionId SERIAL PRIMARY KEY,
  Uid TEXT,
  ChargePointId TEXT NOT NULL REFERENCES ChargePoint(ChargePointId),
  ConnectorId INTEGER NOT NULL,
  StartTagId TEXT,
  StartTime TEXT NOT NULL,
  MeterStart DOUBLE PRECISION,
  MeterStartWh DOUBLE PRECISION,
  StartResult TEXT,
  ReservationId INTEGER,
  StopTagId TEXT,
  StopTime TEXT,
  MeterStop DOUBLE PRECISION,
  MeterStopWh DOUBLE PRECISION,
  StopReason TEXT,
  StopResult TEXT
);
CREATE INDEX IX_Transactions_ChargePointId_ConnectorId ON Transactions (ChargePointId, ConnectorId);
CREATE INDEX IX_Transactions_StartTagId_Open ON Transactions (StartTagId, StopTime);
CREATE INDEX IX_Transactions_StartTime ON Transactions (StartTime);
-- NULLs are distinct in a PostgreSQL unique index (as on SQLite): any number of 1.6 rows (Uid NULL)
CREATE UNIQUE INDEX IX_Transaction_UID ON Transactions (ChargePointId, Uid);

CREATE TABLE MeterSample (
  SampleId BIGSERIAL PRIMARY KEY,
  ChargePointId TEXT NOT NULL REFERENCES ChargePoint(ChargePointId),
  ConnectorId INTEGER NOT NULL,
  TransactionId INTEGER,
  Timestamp TEXT NOT NULL,
  Value TEXT NOT NULL,
  NumericValue DOUBLE PRECISION,
  Measurand TEXT NOT NULL,
  Unit TEXT,
  Phase TEXT,
  Location TEXT,
  Context TEXT,
  Format TEXT,
  -- identity of a sample, so a charger's retry of the same reading is stored once (ON CONFLICT DO NOTHING)
  SampleKey TEXT NOT NULL
);
CREATE UNIQUE INDEX IX_MeterSample_Key ON MeterSample (ChargePointId, SampleKey);
CREATE INDEX IX_MeterSample_Transaction ON MeterSample (TransactionId);

CREATE TABLE StatusHistory (
  StatusId BIGSERIAL PRIMARY KEY,
  ChargePointId TEXT NOT NULL REFERENCES ChargePoint(ChargePointId) ON DELETE CASCADE,
  ConnectorId INTEGER NOT NULL,
  Status TEXT NOT NULL,
  ErrorCode TEXT,
  Info TEXT,
  VendorId TEXT,
  VendorErrorCode TEXT,
  StatusTime TEXT,
  ReceivedTime TEXT NOT NULL
);
CREATE INDEX IX_StatusHistory_ChargePoint ON StatusHistory (ChargePointId, ConnectorId, StatusTime);

CREATE TABLE SecurityEvent (
  EventId BIGSERIAL PRIMARY KEY,
  ChargePointId TEXT NOT NULL REFERENCES ChargePoint(ChargePointId) ON DELETE CASCADE,
  Type TEXT NOT NULL,
  Timestamp TEXT,
  TechInfo TEXT,
  ReceivedTime TEXT NOT NULL
);
CREATE INDEX IX_SecurityEvent_ChargePoint ON SecurityEvent (ChargePointId, ReceivedTime);

-- Notifications a charger reports about itself: firmware, diagnostics, logs, data transfers.
CREATE TABLE ChargerEvent (
  EventId BIGSERIAL PRIMARY KEY,
  ChargePointId TEXT NOT NULL REFERENCES ChargePoint(ChargePointId) ON DELETE CASCADE,
  Action TEXT NOT NULL,
  Status TEXT,
  RequestId INTEGER,
  Detail TEXT,
  ReceivedTime TEXT NOT NULL
);
CREATE INDEX IX_ChargerEvent_ChargePoint ON ChargerEvent (ChargePointId, Action, ReceivedTime);

CREATE TABLE MessageLog (
  LogId BIGSERIAL PRIMARY KEY,
  LogTime TEXT NOT NULL,
  ChargePointId TEXT NOT NULL,
  ConnectorId INTEGER,
  Message TEXT NOT NULL,
  Result TEXT,
  ErrorCode TEXT
);
CREATE INDEX IX_MessageLog_LogTime ON MessageLog (LogTime);
CREATE INDEX IX_MessageLog_ChargePointId ON MessageLog (ChargePointId, LogTime);
