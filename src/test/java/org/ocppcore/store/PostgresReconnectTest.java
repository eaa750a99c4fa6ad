package org.ocppcore.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.store.StoreFixture.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.ocppcore.app.Config;

/**
 * The pools survive the database dropping their connections (a PostgreSQL restart or fail-over,
 * here every server process of the database terminated): a broken connection is thrown away,
 * not handed out again, so at most the statements in flight fail.
 */
class PostgresReconnectTest {

  private static int terminateBackends(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
             + "WHERE datname = current_database() AND pid <> pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void brokenConnectionsAreReplaced() throws Exception {
    JsonObject db = EmbeddedPostgresDatabases.freshDatabaseConfig().put("readPoolSize", 2);
    Vertx vertx = Vertx.vertx();
    Database database = Database.open(vertx, Config.of(new JsonObject().put("db", db)));
    try {
      StoreVerticle writer = new StoreVerticle(database, 100);
      await(vertx.deployVerticle(writer));
      Store store = new Store(database.readPool(), database.dialect(), writer);
      await(store.upsertChargePoint("CP1", "CP1", null, null, "Accepted", false));
      assertEquals("Accepted", await(store.findChargePoint("CP1")).registrationStatus());

      assertTrue(terminateBackends(db.getString("url")) >= 2, "the pools had open connections");

      // reads and writes work again (a statement that was using a dropped connection may fail once)
      int failures = 0;
      for (int i = 0; i < 6; i++) {
        try {
          await(store.upsertChargePoint("CP" + i, "after restart", null, null, "Accepted", false));
          assertEquals("Accepted", await(store.findChargePoint("CP" + i)).registrationStatus());
        } catch (Exception e) {
          failures++;
        }
      }
      // each pool slot that held a dropped connection (here up to 2 readers and 1 writer) fails once at most
      assertTrue(failures <= 3, "at most the first use of each dropped connection fails: " + failures);
      await(store.upsertChargePoint("CP-LAST", "after restart", null, null, "Accepted", false));
      assertEquals("Accepted", await(store.findChargePoint("CP-LAST")).registrationStatus());
    } finally {
      await(vertx.close());
      database.close();
    }
  }
}
