-- Schema version 3 for PostgreSQL: the same as sql/sqlite/003-api-keys.sql.
CREATE TABLE ApiKey (
  Name TEXT NOT NULL PRIMARY KEY,
  KeyHash TEXT NOT NULL,
  Role TEXT NOT NULL DEFAULT 'admin',
  CreatedAt TEXT NOT NULL
);
CREATE UNIQUE INDEX IX_ApiKey_Hash ON ApiKey (KeyHash);
