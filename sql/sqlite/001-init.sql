-- OCPP Core (Java) schema for SQLite, version 1.
-- Table and column names follow OCPP.Core (ChargePoint, ChargeTags, ConnectorStatus, Transactions,
-- MessageLog) so its users recognise them; the other tables hold what OCPP.Core drops.
-- Times are ISO-8601 UTC text (e.g. 2026-11-25T19:00:00.123Z); energy columns named *Wh are Wh as
-- sent, MeterStart/MeterStop/LastMeter are kWh as in OCPP.Core. Transactions and meter samples are
-- billing records: they are not deleted with their charge point (the foreign key refuses it).

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
-- idTags are case-insensitive (OCPP 1.6 §7.2)
CREATE UNIQUE INDEX IX_ChargeTags_TagId_NoCase ON ChargeTags (TagId COLLATE NOCASE);

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
  LastMeter REAL,
  LastMeterTime TEXT,
  LastPowerKw REAL,
  LastSoc REAL,
  PRIMARY KEY (ChargePointId, ConnectorId)
);

CREATE TABLE Transactions (
  TransactionId INTEGER PRIMARY KEY AUTOINCREMENT,
  Uid TEXT,
  ChargePointId TEXT NOT NULL REFERENCES ChargePoint(ChargePointId),
  ConnectorId INTEGER NOT NULL,
  StartTagId TEXT,
  StartTime TEXT NOT NULL,
  MeterStart REAL,
  MeterStartWh REAL,
  StartResult TEXT,
  ReservationId INTEGER,
  StopTagId TEXT,
  StopTime TEXT,
  MeterStop REAL,
  MeterStopWh REAL,
  StopReason TEXT,
  StopResult TEXT
);
CREATE INDEX IX_Transactions_ChargePointId_ConnectorId ON Transactions (ChargePointId, ConnectorId);
CREATE INDEX IX_Transactions_StartTagId_Open ON Transactions (StartTagId, StopTime);
CREATE INDEX IX_Transactions_StartTime ON Transactions (StartTime);
CREATE UNIQUE INDEX IX_Transaction_UID ON Transactions (ChargePointId, Uid);

CREATE TABLE MeterSample (
  SampleId INTEGER PRIMARY KEY AUTOINCREMENT,
  ChargePointId TEXT NOT NULL REFERENCES ChargePoint(ChargePointId),
  ConnectorId INTEGER NOT NULL,
  TransactionId INTEGER,
  Timestamp TEXT NOT NULL,
  Value TEXT NOT NULL,
  NumericValue REAL,
  Measurand TEXT NOT NULL,
  Unit TEXT,
  Phase TEXT,
  Location TEXT,
  Context TEXT,
  Format TEXT,
  -- identity of a sample, so a charger's retry of the same reading is stored once
  SampleKey TEXT NOT NULL
);
CREATE UNIQUE INDEX IX_MeterSample_Key ON MeterSample (ChargePointId, SampleKey);
CREATE INDEX IX_MeterSample_Transaction ON MeterSample (TransactionId);

CREATE TABLE StatusHistory (
  StatusId INTEGER PRIMARY KEY AUTOINCREMENT,
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
  EventId INTEGER PRIMARY KEY AUTOINCREMENT,
  ChargePointId TEXT NOT NULL REFERENCES ChargePoint(ChargePointId) ON DELETE CASCADE,
  Type TEXT NOT NULL,
  Timestamp TEXT,
  TechInfo TEXT,
  ReceivedTime TEXT NOT NULL
);
CREATE INDEX IX_SecurityEvent_ChargePoint ON SecurityEvent (ChargePointId, ReceivedTime);

-- Notifications a charger reports about itself: firmware, diagnostics, logs, data transfers.
CREATE TABLE ChargerEvent (
  EventId INTEGER PRIMARY KEY AUTOINCREMENT,
  ChargePointId TEXT NOT NULL REFERENCES ChargePoint(ChargePointId) ON DELETE CASCADE,
  Action TEXT NOT NULL,
  Status TEXT,
  RequestId INTEGER,
  Detail TEXT,
  ReceivedTime TEXT NOT NULL
);
CREATE INDEX IX_ChargerEvent_ChargePoint ON ChargerEvent (ChargePointId, Action, ReceivedTime);

CREATE TABLE MessageLog (
  LogId INTEGER PRIMARY KEY AUTOINCREMENT,
  LogTime TEXT NOT NULL,
  ChargePointId TEXT NOT NULL,
  ConnectorId INTEGER,
  Message TEXT NOT NULL,
  Result TEXT,
  ErrorCode TEXT
);
CREATE INDEX IX_MessageLog_LogTime ON MessageLog (LogTime);
CREATE INDEX IX_MessageLog_ChargePointId ON MessageLog (ChargePointId, LogTime);
