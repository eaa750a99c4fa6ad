package org.ocppcore.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL schema on a real (embedded) PostgreSQL: the migrations apply once and are
 * versioned, nodes starting together migrate once, a newer database is refused, and the tables
 * and columns that result are those SQLite gets (names compared ignoring case, as PostgreSQL
 * folds them; every 64-bit REAL of SQLite is a DOUBLE PRECISION, never a 32-bit real).
 */
class PostgresMigrationTest {

  private static int scripts() throws Exception {
    return (int) Files.readAllLines(Path.of("sql/postgresql/migrations.txt")).stream().filter(l -> !l.isBlank()).count();
  }

  @Test
  void migrationsApplyOnceAndAreVersioned() throws Exception {
    try (Connection c = DriverManager.getConnection(EmbeddedPostgresDatabases.freshDatabaseUrl())) {
      Database.migrate(c, Dialect.POSTGRESQL);
      Database.migrate(c, Dialect.POSTGRESQL); // a restart applies nothing twice
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*), MAX(Version) FROM SchemaVersion")) {
        rs.next();
        assertEquals(scripts(), rs.getInt(1));
        assertEquals(scripts(), rs.getInt(2));
      }
      try (Statement st = c.createStatement()) {
        st.execute("INSERT INTO SchemaVersion (Version, Script, AppliedAt) VALUES (999, 'future.sql', 'x')");
      }
      SQLException newer = assertThrows(SQLException.class, () -> Database.migrate(c, Dialect.POSTGRESQL));
      assertTrue(newer.getMessage().contains("newer"));
      // the advisory lock was released even though the migration failed: another session gets it at once
      try (Statement st = c.createStatement();
           ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory'")) {
        rs.next();
        assertEquals(0, rs.getInt(1));
      }
    }
  }

  @Test
  void nodesStartingTogetherMigrateOnce() throws Exception {
    String url = EmbeddedPostgresDatabases.freshDatabaseUrl();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Void>> starts = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Callable<Void> start = () -> {
          try (Connection c = DriverManager.getConnection(url)) {
            Database.migrate(c, Dialect.POSTGRESQL);
          }
          return null;
        };
        starts.add(pool.submit(start));
      }
      for (Future<Void> f : starts) {
        f.get(60, TimeUnit.SECONDS); // none failed on "table already exists"
      }
    } finally {
      pool.shutdownNow();
    }
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT Version) FROM SchemaVersion")) {
      rs.next();
      assertEquals(scripts(), rs.getInt(1));
      assertEquals(scripts(), rs.getInt(2));
    }
  }

  @Test
  void tablesAndColumnsMatchSqlite(@TempDir Path dir) throws Exception {
    Map<String, List<String>> sqlite = new TreeMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("s.sqlite"))) {
      Database.migrate(c, Dialect.SQLITE);
      List<String> tables = new ArrayList<>();
      try (Statement st = c.createStatement();
           ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      for (String t : tables) {
        List<String> columns = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA table_info(" + t + ")")) {
          while (rs.next()) {
            columns.add(rs.getString("name").toLowerCase() + (rs.getString("type").equals("REAL") ? ":double" : ""));
          }
        }
        sqlite.put(t.toLowerCase(), columns);
      }
    }
    Map<String, List<String>> pg = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(EmbeddedPostgresDatabases.freshDatabaseUrl())) {
      Database.migrate(c, Dialect.POSTGRESQL);
      try (Statement st = c.createStatement();
           ResultSet rs = st.executeQuery("SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
               + "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
               + "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position")) {
        while (rs.next()) {
          String type = rs.getString(3);
          assertTrue(!type.equals("real"), rs.getString(1) + "." + rs.getString(2) + " must be double precision");
          pg.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
              .add(rs.getString(2) + (type.equals("double precision") ? ":double" : ""));
        }
      }
    }
    assertEquals(sqlite, pg);
  }
}
