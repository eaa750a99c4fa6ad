package org.ocppcore;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ocppcore.app.Config;
import org.ocppcore.app.OcppServer;
import org.ocppcore.domain.TagRecord;
import org.ocppcore.security.PasswordHash;
import org.ocppcore.testsupport.TempFiles;

/**
 * A real server for tests: its own Vert.x, a fresh SQLite file in a temp folder, OCPP and HTTP on
 * random loopback ports, two gateway instances. Seeding goes through the server's own store;
 * assertions read the database file with plain JDBC.
 */
public final class TestServer implements AutoCloseable {
  private final Vertx vertx;
  private final OcppServer server;
  private final Path dir;
  /** JDBC URL, user and password of the server's database, for {@link #query}. */
  private final String dbUrl;
  private final String dbUser;
  private final String dbPassword;
  /**
   * Null: each server gets a fresh SQLite file (the default). Otherwise the {@code db} config of
   * a fresh database per server: set by {@code org.ocppcore.store.UsePostgres} for the PostgreSQL
   * variants of the tests, or for every test with {@code mvn test -Docpp.test.db=postgresql}.
   */
  private static final java.util.function.Supplier<JsonObject> DEFAULT_DATABASES =
      "postgresql".equals(System.getProperty("ocpp.test.db"))
          ? org.ocppcore.store.EmbeddedPostgresDatabases::freshDatabaseConfig : null;
  private static volatile java.util.function.Supplier<JsonObject> databases = DEFAULT_DATABASES;

  private TestServer(Vertx vertx, OcppServer server, Path dir, JsonObject db) {
    this.vertx = vertx;
    this.server = server;
    this.dir = dir;
    this.dbUrl = db.getString("url");
    this.dbUser = db.getString("user", "");
    this.dbPassword = db.getString("password", "");
  }

  /**
   * Where the next servers put their database: a supplier of fresh {@code db} configs; null goes
   * back to the default (SQLite unless {@code -Docpp.test.db=postgresql}).
   */
  public static void useDatabases(java.util.function.Supplier<JsonObject> freshDatabase) {
    databases = freshDatabase == null ? DEFAULT_DATABASES : freshDatabase;
  }

  public static TestServer start() throws Exception {
    return start(new JsonObject());
  }

  /** @param overrides config keys on top of the test defaults (nested JSON like the config file) */
  public static TestServer start(JsonObject overrides) throws Exception {
    Path dir = Files.createTempDirectory("ocpp-test");
    Path db = dir.resolve("test.sqlite");
    JsonObject config = new JsonObject()
        .put("ocpp", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("instances", 2)
            .put("protocols", new io.vertx.core.json.JsonArray().add("ocpp1.6").add("ocpp2.0.1").add("ocpp2.1"))
            .put("tls", new JsonObject().put("port", 0)))
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("db", databases == null ? new JsonObject().put("url", "jdbc:sqlite:" + db).put("synchronous", "NORMAL")
            : databases.get())
        .put("security", new JsonObject().put("pbkdf2Iterations", 1000))
        // the UI's users file stays in the test's folder (never data/htpasswd of the checkout, whatever the database)
        .put("ui", new JsonObject().put("htpasswdFile", dir.resolve("htpasswd").toString()));
    config.mergeIn(overrides, true);
    Vertx vertx = Vertx.vertx();
    try {
      return new TestServer(vertx, OcppServer.start(vertx, Config.of(config)), dir, config.getJsonObject("db"));
    } catch (Exception e) {
      vertx.close();
      throw e;
    }
  }

  public Vertx vertx() {
    return vertx;
  }

  public OcppServer server() {
    return server;
  }

  public Path dir() {
    return dir;
  }

  public int ocppPort() {
    return server.ocppPorts().get(0);
  }

  public int tlsPort() {
    return server.ocppPorts().get(1);
  }

  /** The OCPP endpoint without a charge point, as clients that append the identity take it. */
  public String wsBase() {
    return "ws://127.0.0.1:" + ocppPort() + "/OCPP";
  }

  public String wssBase() {
    return "wss://localhost:" + tlsPort() + "/OCPP";
  }

  public String wsUrl(String chargePointId) {
    return wsBase() + "/" + chargePointId;
  }

  public String wssUrl(String chargePointId) {
    return wssBase() + "/" + chargePointId;
  }

  /** Registers an accepted charge point without credentials. */
  public TestServer chargePoint(String id) throws Exception {
    return chargePoint(id, null, null, "Accepted");
  }

  public TestServer chargePoint(String id, String password, String certThumb, String status) throws Exception {
    String hash = password == null ? null : PasswordHash.hash(password, 1000);
    await(server.store().upsertChargePoint(id, id, hash, certThumb, status, false));
    return this;
  }

  public TestServer tag(String tagId, String parent, Instant expiry, boolean blocked) throws Exception {
    await(server.store().upsertTag(new TagRecord(tagId, tagId, parent, expiry, blocked)));
    return this;
  }

  /** Creates an API key with the given role ("admin" or "readonly") and returns it. */
  public String apiKey(String name, String role) throws Exception {
    return await(new org.ocppcore.api.ApiKeys(new org.ocppcore.store.AdminStore(server.store(),
        server.database().readPool())).create(name, role));
  }

  public int httpPort() {
    return server.httpPort();
  }

  /**
   * Rows of a query on the server's database, each a column-name-to-value map whose lookups ignore
   * case (PostgreSQL reports unquoted names in lower case).
   */
  public List<Map<String, Object>> query(String sql, Object... params) throws Exception {
    try (Connection c = dbUser.isEmpty() ? DriverManager.getConnection(dbUrl)
            : DriverManager.getConnection(dbUrl, dbUser, dbPassword);
         PreparedStatement st = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        st.setObject(i + 1, params[i]);
      }
      List<Map<String, Object>> rows = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        ResultSetMetaData md = rs.getMetaData();
        while (rs.next()) {
          Map<String, Object> row = new ColumnMap();
          for (int i = 1; i <= md.getColumnCount(); i++) {
            row.put(md.getColumnLabel(i), rs.getObject(i));
          }
          rows.add(row);
        }
      }
      return rows;
    }
  }

  /**
   * Rows of a query once there are at least {@code atLeast} of them (polls up to 5 s): for records
   * written asynchronously, such as MessageLog rows of refused frames or connections.
   */
  public List<Map<String, Object>> queryEventually(int atLeast, String sql, Object... params) throws Exception {
    long deadline = System.nanoTime() + 5_000_000_000L;
    List<Map<String, Object>> rows = query(sql, params);
    while (rows.size() < atLeast && System.nanoTime() < deadline) {
      Thread.sleep(20);
      rows = query(sql, params);
    }
    return rows;
  }

  /** A row: column order kept, lookups case-insensitive. */
  private static final class ColumnMap extends LinkedHashMap<String, Object> {
    private Object key(Object k) {
      if (k instanceof String s && !super.containsKey(s)) {
        for (String name : keySet()) {
          if (name.equalsIgnoreCase(s)) {
            return name;
          }
        }
      }
      return k;
    }

    @Override
    public Object get(Object k) {
      return super.get(key(k));
    }

    @Override
    public boolean containsKey(Object k) {
      return super.containsKey(key(k));
    }
  }

  public static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** Stops the server and deletes its folder (database, users file): test runs leave nothing in /tmp. */
  @Override
  public void close() throws Exception {
    try {
      server.close();
    } finally {
      TempFiles.deleteTree(dir);
    }
  }
}
