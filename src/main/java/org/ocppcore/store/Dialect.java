package org.ocppcore.store;

/** The SQL differences between the supported databases, kept in one place. */
public enum Dialect {
  SQLITE("sqlite"),
  POSTGRESQL("postgresql"),
  SQLSERVER("sqlserver");

  private final String folder;

  Dialect(String folder) {
    this.folder = folder;
  }

  /** Folder of this dialect's schema scripts under {@code sql/}. */
  public String folder() {
    return folder;
  }

  public static Dialect fromConfig(String type, String url) {
    String t = type == null || type.isBlank() ? url : type;
    if (t.contains("sqlserver")) {
      return SQLSERVER;
    }
    if (t.contains("postgres")) {
      return POSTGRESQL;
    }
    if (t.contains("sqlite")) {
      return SQLITE;
    }
    throw new IllegalArgumentException("unsupported database type: " + t + " (sqlite, postgresql, sqlserver)");
  }

  /**
   * An INSERT that silently skips a row whose unique key already exists (charger retries).
   *
   * @param keyColumns the columns of the unique index that defines a duplicate
   */
  public String insertIgnoringDuplicates(String table, String[] columns, String[] keyColumns) {
    String cols = String.join(", ", columns);
    String params = "?" + ", ?".repeat(columns.length - 1);
    return switch (this) {
      case SQLITE -> "INSERT OR IGNORE INTO " + table + " (" + cols + ") VALUES (" + params + ")";
      case POSTGRESQL -> "INSERT INTO " + table + " (" + cols + ") VALUES (" + params + ") ON CONFLICT ("
          + String.join(", ", keyColumns) + ") DO NOTHING";
      case SQLSERVER -> {
        // IGNORE_DUP_KEY on the unique index (see sql/sqlserver) turns a duplicate into a warning
        yield "INSERT INTO " + table + " (" + cols + ") VALUES (" + params + ")";
      }
    };
  }

  /** Appended to an INSERT to read the generated key back. */
  public String returningKey(String insert, String keyColumn) {
    return switch (this) {
      case SQLITE, POSTGRESQL -> insert + " RETURNING " + keyColumn;
      case SQLSERVER -> insert.replaceFirst("\\) VALUES \\(", ") OUTPUT INSERTED." + keyColumn + " VALUES (");
    };
  }

  /** A case-insensitive comparison of an indexed text column with a parameter (idTags). */
  public String equalsIgnoreCase(String column) {
    return switch (this) {
      case SQLITE -> column + " = ? COLLATE NOCASE";
      case POSTGRESQL -> "LOWER(" + column + ") = LOWER(?)";
      case SQLSERVER -> column + " = ?"; // the default SQL Server collation is case-insensitive
    };
  }

  /**
   * A statement that takes the schema-migration lock for this session (waiting while another node
   * holds it), or null where one process owns the database (SQLite).
   */
  public String migrationLock() {
    return switch (this) {
      case SQLITE -> null;
      case POSTGRESQL -> "SELECT pg_advisory_lock(" + MIGRATION_LOCK_KEY + ")";
      // untested (no SQL Server here): sp_getapplock reports a timeout by its return code, not an error
      case SQLSERVER -> "DECLARE @r INT; EXEC @r = sp_getapplock @Resource = 'ocpp-core-migrations', "
          + "@LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 300000; "
          + "IF @r < 0 THROW 50000, 'could not take the schema migration lock', 1;";
    };
  }

  /** Releases {@link #migrationLock()}. */
  public String migrationUnlock() {
    return switch (this) {
      case SQLITE -> null;
      case POSTGRESQL -> "SELECT pg_advisory_unlock(" + MIGRATION_LOCK_KEY + ")";
      case SQLSERVER -> "EXEC sp_releaseapplock @Resource = 'ocpp-core-migrations', @LockOwner = 'Session'";
    };
  }

  /** Arbitrary key of the PostgreSQL advisory lock held while migrating ("OCPP" in ASCII). */
  private static final long MIGRATION_LOCK_KEY = 0x4F435050L;

  /**
   * Whether the store fills {@code MeterValueByTransaction} and {@code TransactionEventByTransaction}
   * in bulk instead of keeping an index by transaction row by row (SQLite, which logs whole pages;
   * see {@link BulkTransactionIndex}). It takes {@link #onlyOneWriter}: with several writers the
   * mark could pass a row another node commits later with a lower id.
   */
  public boolean indexesInBulk() {
    return onlyOneWriter();
  }

  /**
   * Whether one store writer writes the database (SQLite: a file of one node); on PostgreSQL and
   * SQL Server several nodes may write at once, so what a row says another node may just have changed.
   */
  public boolean onlyOneWriter() {
    return this == SQLITE;
  }

  /** {@code LIMIT n} at the end of a SELECT (SQL Server uses OFFSET/FETCH, which needs ORDER BY). */
  public String limit(String selectWithOrderBy, int n) {
    return switch (this) {
      case SQLITE, POSTGRESQL -> selectWithOrderBy + " LIMIT " + n;
      case SQLSERVER -> selectWithOrderBy + " OFFSET 0 ROWS FETCH NEXT " + n + " ROWS ONLY";
    };
  }
}
