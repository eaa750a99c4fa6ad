package org.ocppcore.app;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar target/ocpp-core.jar [--config FILE]}: starts a node; a failed start exits 1. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Logger log = LoggerFactory.getLogger(Main.class);
    List<String> all = List.of(args);
    int admin = all.indexOf("admin");
    String[] configArgs = admin < 0 ? args : all.subList(0, admin).toArray(String[]::new);
    Config config;
    try {
      config = Config.load(configArgs, System.getenv());
    } catch (Exception e) {
      System.err.println("ocpp-core: configuration error: " + e.getMessage());
      System.exit(1);
      return;
    }
    if (admin >= 0) {
      try {
        System.exit(AdminCommand.run(config, all.subList(admin + 1, all.size()), System.out));
      } catch (Exception e) {
        System.err.println("ocpp-core admin: " + e.getMessage());
        System.exit(2);
      }
      return;
    }
    VertxOptions options = new VertxOptions().setWorkerPoolSize(Math.max(20, config.integer("db.readPoolSize") * 2));
    Vertx vertx;
    try {
      // clustered (Hazelcast, cluster.* keys) when cluster.enabled, else a plain single-node Vert.x
      vertx = Cluster.vertx(config, options);
    } catch (Exception e) {
      log.error("ocpp-core could not join the cluster", e);
      System.err.println("ocpp-core: could not join the cluster: " + e);
      System.exit(1);
      return;
    }
    try {
      OcppServer server = OcppServer.start(vertx, config);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        // an operator's deploy log shows the stop began and that it ended in order (chargers told,
        // queued writes committed), not just the last line before the process vanished
        long t0 = System.nanoTime();
        log.info("OCPP Core stopping");
        try {
          server.close();
          log.info("OCPP Core stopped in {} ms", (System.nanoTime() - t0) / 1_000_000);
        } catch (Exception e) {
          log.warn("OCPP Core stopped with an error: {}", e.toString());
        }
      }, "ocpp-shutdown"));
      log.info("OCPP Core started: roles {}, OCPP on port {}, HTTP on port {}{}", config.list("node.roles"),
          server.ocppPorts(), server.httpPort(), vertx.isClustered() ? ", cluster " + config.string("cluster.name") : "");
    } catch (Exception e) {
      log.error("ocpp-core failed to start", e);
      System.err.println("ocpp-core: failed to start: " + e);
      vertx.close();
      System.exit(1);
    }
  }
}
