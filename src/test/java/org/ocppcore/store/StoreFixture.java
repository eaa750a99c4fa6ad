package org.ocppcore.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.ocppcore.app.Config;

/**
 * A started writer and store on a fresh database of a dialect ("sqlite": a file in {@code dir};
 * "postgresql": a fresh embedded PostgreSQL database); closing stops Vert.x, then the database.
 */
record StoreFixture(Vertx vertx, Database database, Store store, String deployment) implements AutoCloseable {

  static StoreFixture start(String dialect, Path dir) throws Exception {
    JsonObject db = dialect.equals("postgresql") ? EmbeddedPostgresDatabases.freshDatabaseConfig()
        : new JsonObject().put("url", "jdbc:sqlite:" + dir.resolve("g.sqlite")).put("synchronous", "NORMAL");
    Vertx vertx = Vertx.vertx();
    Database database = Database.open(vertx, Config.of(new JsonObject().put("db", db)));
    StoreVerticle writer = new StoreVerticle(database, 100);
    String deployment = await(vertx.deployVerticle(writer));
    return new StoreFixture(vertx, database, new Store(database.readPool(), database.dialect(), writer), deployment);
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    try {
      await(vertx.close());
    } finally {
      database.close();
    }
  }
}
