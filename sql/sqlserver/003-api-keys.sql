-- Schema version 3 for SQL Server: the same as sql/sqlite/003-api-keys.sql.
CREATE TABLE ApiKey (
  Name NVARCHAR(100) NOT NULL PRIMARY KEY,
  KeyHash NVARCHAR(64) NOT NULL,
  Role NVARCHAR(20) NOT NULL DEFAULT 'admin',
  CreatedAt NVARCHAR(40) NOT NULL
);
CREATE UNIQUE INDEX IX_ApiKey_Hash ON ApiKey (KeyHash);
