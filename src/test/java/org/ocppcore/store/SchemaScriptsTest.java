package org.ocppcore.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The schema scripts: every dialect declares the same migrations with the same tables, columns and
 * indexes (SQL Server cannot run here, so its script is checked by parsing; PostgreSQL's also runs,
 * in {@link PostgresMigrationTest}), and the SQLite migrations apply once, are recorded, and refuse
 * a database newer than the code.
 */
class SchemaScriptsTest {
  private static final Pattern TABLE = Pattern.compile("CREATE TABLE (\\w+) \\((.*?)\\n\\)(?: WITHOUT ROWID)?;", Pattern.DOTALL);
  private static final Pattern REBUILT = Pattern.compile("ALTER TABLE (\\w+) RENAME TO (\\w+)");
  private static final Pattern ADD_COLUMN = Pattern.compile("ALTER TABLE (\\w+) ADD (?:COLUMN )?(\\w+)");

  /** Table name to its column names, in order, parsed from a script. */
  private static Map<String, List<String>> tables(String script) {
    Map<String, List<String>> out = new TreeMap<>();
    Matcher m = TABLE.matcher(script);
    while (m.find()) {
      List<String> columns = m.group(2).lines().map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("--") && !l.startsWith("PRIMARY KEY") && !l.startsWith("CONSTRAINT"))
          .map(l -> l.split("\\s+")[0]).toList();
      out.put(m.group(1), new java.util.ArrayList<>(columns));
    }
    Matcher add = ADD_COLUMN.matcher(script);
    while (add.find()) {
      out.computeIfAbsent("ALTER " + add.group(1), k -> new java.util.ArrayList<>()).add(add.group(2));
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlserver", "postgresql"})
  void everyDialectHasTheSameMigrationsTablesAndColumns(String dialect) throws Exception {
    List<String> sqliteMigrations = Files.readAllLines(Path.of("sql/sqlite/migrations.txt"));
    List<String> otherMigrations = Files.readAllLines(Path.of("sql", dialect, "migrations.txt"));
    assertEquals(sqliteMigrations, otherMigrations, "the same migrations in the same order");
    for (String script : sqliteMigrations) {
      String sqliteScript = Files.readString(Path.of("sql/sqlite", script));
      Map<String, List<String>> sqlite = tables(sqliteScript);
      Map<String, List<String>> other = tables(Files.readString(Path.of("sql", dialect, script)));
      assertFalse(sqlite.isEmpty());
      // a table SQLite rebuilds (created under another name, then renamed: SQLite cannot drop a
      // constraint) is not a new table; the other dialects alter theirs in place
      Matcher rebuilt = REBUILT.matcher(sqliteScript);
      while (rebuilt.find()) {
        assertTrue(sqlite.remove(rebuilt.group(1)) != null, script + ": rebuilt table " + rebuilt.group(1) + " not created");
      }
      assertEquals(sqlite, other, dialect + "/" + script + ": tables and columns must match");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlserver", "postgresql"})
  void statementsSplitLikeTheRunnerDoes(String dialect) throws Exception {
    for (String script : Files.readAllLines(Path.of("sql", dialect, "migrations.txt"))) {
      List<String> statements = Database.splitStatements(Files.readString(Path.of("sql", dialect, script)));
      assertTrue(statements.stream().allMatch(s -> s.startsWith("CREATE ") || s.startsWith("ALTER TABLE ")
              || s.startsWith("DROP INDEX ") || s.startsWith("DROP TABLE ") || s.startsWith("UPDATE ")
              || s.startsWith("INSERT INTO ")),
          "only whole DDL, UPDATE and INSERT statements: " + statements);
      assertEquals(statements.stream().filter(s -> s.startsWith("CREATE TABLE")).count(),
          tables(Files.readString(Path.of("sql", dialect, script))).keySet().stream()
              .filter(t -> !t.startsWith("ALTER ")).count());
    }
  }

  /**
   * The indexes a script leaves, so that no dialect forgets one: name to "unique", "index" or
   * "dropped"; indexes re-created with a table the script rebuilds are left out.
   */
  private static Map<String, String> indexes(String script) {
    Map<String, String> out = new TreeMap<>();
    Set<String> rebuilt = new HashSet<>();
    Matcher r = REBUILT.matcher(script);
    while (r.find()) {
      rebuilt.add(r.group(2));
    }
    Matcher m = Pattern.compile("CREATE (UNIQUE )?INDEX (\\w+) ON (\\w+)").matcher(script);
    while (m.find()) {
      if (!rebuilt.contains(m.group(3))) {
        out.put(m.group(2), m.group(1) != null ? "unique" : "index");
      }
    }
    Matcher d = Pattern.compile("DROP INDEX (\\w+)").matcher(script);
    while (d.find()) {
      out.put(d.group(1), "dropped");
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlserver", "postgresql"})
  void everyDialectHasTheSameIndexes(String dialect) throws Exception {
    for (String script : Files.readAllLines(Path.of("sql/sqlite/migrations.txt"))) {
      Map<String, String> sqlite = indexes(Files.readString(Path.of("sql/sqlite", script)));
      Map<String, String> other = indexes(Files.readString(Path.of("sql", dialect, script)));
      if (dialect.equals("sqlserver")) {
        // SQL Server compares case-insensitively by its default collation: no separate NOCASE index
        sqlite.remove("IX_ChargeTags_TagId_NoCase");
      }
      // by design: SQLite logs whole pages, so it keeps no per-row index of MeterValue by transaction
      // (dropped in 6, BulkTransactionIndex instead) or by charge point (7), nor of TransactionEvent by
      // transaction (8); the others log rows and keep them
      if (script.startsWith("006-")) {
        assertEquals("dropped", sqlite.remove("IX_MeterValue_Transaction"), script);
      }
      if (script.startsWith("007-")) {
        assertEquals("index", other.remove("IX_MeterValue_ChargePoint"), script);
      }
      if (script.startsWith("008-")) {
        assertEquals("unique", other.remove("IX_TransactionEvent_Transaction"), script);
      }
      assertEquals(sqlite, other, dialect + "/" + script + ": indexes must match");
    }
  }

  @Test
  void sqliteMigrationsApplyOnceAndAreVersioned(@TempDir Path dir) throws Exception {
    String url = "jdbc:sqlite:" + dir.resolve("m.sqlite");
    try (Connection c = DriverManager.getConnection(url)) {
      Database.migrate(c, Dialect.SQLITE);
      Database.migrate(c, Dialect.SQLITE); // a restart applies nothing twice
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*), MAX(Version) FROM SchemaVersion")) {
        rs.next();
        int scripts = Files.readAllLines(Path.of("sql/sqlite/migrations.txt")).size();
        assertEquals(scripts, rs.getInt(1));
        assertEquals(scripts, rs.getInt(2));
      }
      try (Statement st = c.createStatement()) {
        st.execute("INSERT INTO SchemaVersion (Version, Script, AppliedAt) VALUES (999, 'future.sql', 'x')");
      }
      SQLException newer = assertThrows(SQLException.class, () -> Database.migrate(c, Dialect.SQLITE));
      assertTrue(newer.getMessage().contains("newer"));
    }
  }
}
