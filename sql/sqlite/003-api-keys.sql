-- Schema version 3: API keys for integrators. Only a SHA-256 of each key is stored (keys are
-- 256-bit random values, so a fast hash suffices); the key itself is shown once at creation.
CREATE TABLE ApiKey (
  Name TEXT NOT NULL PRIMARY KEY,
  KeyHash TEXT NOT NULL,
  Role TEXT NOT NULL DEFAULT 'admin',
  CreatedAt TEXT NOT NULL
);
CREATE UNIQUE INDEX IX_ApiKey_Hash ON ApiKey (KeyHash);
