package org.ocppcore.store;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.vertx.core.Vertx;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.ocppcore.app.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the database: Agroal data sources wrapped in Vert.x SQL pools (JDBC runs on worker threads,
 * never on an event loop), and the versioned schema migrations of {@code sql/<dialect>/}.
 *
 * <p>SQLite allows one writer at a time, so writes get a pool of exactly one connection (the
 * group-commit writer) and reads a separate pool; WAL lets readers run beside the writer.
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private final Dialect dialect;
  private final AgroalDataSource writeSource;
  private final AgroalDataSource readSource;
  private final Pool writePool;
  private final Pool readPool;

  private Database(Dialect dialect, AgroalDataSource writeSource, AgroalDataSource readSource, Pool writePool, Pool readPool) {
    this.dialect = dialect;
    this.writeSource = writeSource;
    this.readSource = readSource;
    this.writePool = writePool;
    this.readPool = readPool;
  }

  /** Blocking: call from main or a worker, before deploying verticles. */
  public static Database open(Vertx vertx, Config config) throws SQLException, IOException {
    String url = config.string("db.url");
    Dialect dialect = Dialect.fromConfig(config.string("db.type"), url);
    if (dialect == Dialect.SQLITE) {
      url = sqliteUrl(url, config.string("db.synchronous"));
    }
    int readers = Math.max(1, config.integer("db.readPoolSize"));
    int writers = dialect == Dialect.SQLITE ? 1 : readers;
    AgroalDataSource writeSource = dataSource(url, config, writers);
    AgroalDataSource readSource = dataSource(url, config, readers);
    try (Connection c = writeSource.getConnection()) {
      migrate(c, dialect);
    }
    Pool writePool = JDBCPool.pool(vertx, writeSource, new PoolOptions().setMaxSize(writers).setName("ocpp-write"));
    Pool readPool = JDBCPool.pool(vertx, readSource, new PoolOptions().setMaxSize(readers).setName("ocpp-read"));
    return new Database(dialect, writeSource, readSource, writePool, readPool);
  }

  /** Adds the pragmas every SQLite connection needs and creates the file's folder. */
  static String sqliteUrl(String url, String synchronous) throws IOException {
    String file = url.substring("jdbc:sqlite:".length());
    int q = file.indexOf('?');
    String path = q >= 0 ? file.substring(0, q) : file;
    if (!path.isEmpty() && !path.equals(":memory:") && !path.startsWith("file:")) {
      Path parent = Path.of(path).toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    }
    StringBuilder sb = new StringBuilder(url);
    char sep = q >= 0 ? '&' : '?';
    for (String pragma : new String[] {"journal_mode=WAL", "synchronous=" + synchronous, "busy_timeout=10000",
        "foreign_keys=true"}) {
      String key = pragma.substring(0, pragma.indexOf('='));
      if (!url.contains(key + "=")) {
        sb.append(sep).append(pragma);
        sep = '&';
      }
    }
    return sb.toString();
  }

  private static AgroalDataSource dataSource(String url, Config config, int size) throws SQLException {
    AgroalDataSourceConfigurationSupplier supplier = new AgroalDataSourceConfigurationSupplier()
        .connectionPoolConfiguration(pool -> pool
            .maxSize(size)
            .initialSize(0)
            .minSize(0)
            .acquisitionTimeout(Duration.ofSeconds(30))
            .connectionFactoryConfiguration(f -> {
              f.jdbcUrl(url);
              if (!config.string("db.user").isEmpty()) {
                f.principal(new NamePrincipal(config.string("db.user")));
                f.credential(new SimplePassword(config.string("db.password")));
              }
              return f;
            }));
    return AgroalDataSource.from(supplier);
  }

  /**
   * Applies, in order, every script of {@code sql/<dialect>/migrations.txt} not yet recorded in
   * SchemaVersion. Each script runs in its own transaction.
   */
  static void migrate(Connection c, Dialect dialect) throws SQLException, IOException {
    List<String> scripts = readLines("sql/" + dialect.folder() + "/migrations.txt");
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE SchemaVersion (Version INTEGER NOT NULL PRIMARY KEY, Script VARCHAR(200) NOT NULL, "
          + "AppliedAt VARCHAR(40) NOT NULL)");
    } catch (SQLException alreadyThere) {
      // the table exists: nothing to do
    }
    int current = 0;
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT MAX(Version) FROM SchemaVersion")) {
      if (rs.next()) {
        current = rs.getInt(1);
      }
    }
    if (current > scripts.size()) {
      throw new SQLException("database schema version " + current + " is newer than this server knows ("
          + scripts.size() + "): refusing to start");
    }
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      for (int v = current + 1; v <= scripts.size(); v++) {
        String script = scripts.get(v - 1);
        String sql = readResource("sql/" + dialect.folder() + "/" + script);
        try (Statement st = c.createStatement()) {
          for (String statement : splitStatements(sql)) {
            st.execute(statement);
          }
          st.execute("INSERT INTO SchemaVersion (Version, Script, AppliedAt) VALUES (" + v + ", '" + script + "', '"
              + Instant.now() + "')");
        }
        c.commit();
        LOG.info("applied database migration {} ({})", v, script);
      }
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }

  /** Splits a script on semicolons that end a line; comment lines are dropped. */
  static List<String> splitStatements(String sql) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String line : sql.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.startsWith("--") || trimmed.isEmpty() || trimmed.equalsIgnoreCase("GO")) {
        continue;
      }
      cur.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        String s = cur.toString().strip();
        out.add(s.substring(0, s.length() - 1));
        cur.setLength(0);
      }
    }
    if (!cur.toString().isBlank()) {
      out.add(cur.toString().strip());
    }
    return out;
  }

  private static List<String> readLines(String resource) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : readResource(resource).split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        out.add(line.strip());
      }
    }
    return out;
  }

  static String readResource(String resource) throws IOException {
    try (InputStream in = Database.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("missing resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  public Dialect dialect() {
    return dialect;
  }

  /** The pool the group-commit writer uses (one connection on SQLite). */
  public Pool writePool() {
    return writePool;
  }

  public Pool readPool() {
    return readPool;
  }

  @Override
  public void close() {
    writePool.close();
    readPool.close();
    writeSource.close();
    readSource.close();
  }
}
