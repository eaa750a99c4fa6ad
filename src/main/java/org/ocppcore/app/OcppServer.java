package org.ocppcore.app;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.ocppcore.api.ApiRouter;
import org.ocppcore.api.RequestSchemas;
import org.ocppcore.commands.CommandService;
import org.ocppcore.gateway.GatewayVerticle;
import org.ocppcore.store.AdminStore;
import org.ocppcore.management.ManagementVerticle;
import org.ocppcore.ocpp.OcppVersion;
import org.ocppcore.ocpp.ProtocolHandler;
import org.ocppcore.ocpp.SchemaValidator;
import org.ocppcore.security.VerifiedPasswords;
import org.ocppcore.store.Database;
import org.ocppcore.store.Store;
import org.ocppcore.store.StoreVerticle;
import org.ocppcore.v16.V16Handler;
import org.ocppcore.v2.TransactionEvents;
import org.ocppcore.v2.V2Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires one node: database, store writer, gateway instances and the management port, per the
 * node's roles. Used by {@link Main} and by tests, which start real servers on port 0.
 */
public final class OcppServer {
  private static final Logger LOG = LoggerFactory.getLogger(OcppServer.class);

  private final Vertx vertx;
  private final Config config;
  private Database database;
  private Store store;
  /** The meter index's catch-up check; cancelled first at close, so no round meets a stopping writer. */
  private long meterIndexTimer = -1;
  private final List<GatewayVerticle> gateways = new CopyOnWriteArrayList<>();
  private ManagementVerticle management;
  private ApiRouter api;
  private String gatewayDeployment;
  private io.vertx.ext.web.sstore.SessionStore sessionStore;

  private OcppServer(Vertx vertx, Config config) {
    this.vertx = vertx;
    this.config = config;
  }

  /** Blocking start (database open and migration, schema compilation): call from main or a test thread. */
  public static OcppServer start(Vertx vertx, Config config) throws Exception {
    OcppServer server = new OcppServer(vertx, config);
    try {
      server.startBlocking();
    } catch (Exception e) {
      server.closeQuietly();
      throw e;
    }
    return server;
  }

  private void startBlocking() throws Exception {
    database = Database.open(vertx, config);
    StoreVerticle writer = new StoreVerticle(database, config.integer("db.maxBatch"));
    await(vertx.deployVerticle(writer));
    store = new Store(database.readPool(), database.dialect(), writer);
    long flushMs = Math.max(1, config.integer("db.lastSeenFlushSeconds")) * 1000L;
    vertx.setPeriodic(flushMs, flushMs, t -> store.flushLastSeen());
    int meterIndexSeconds = config.integer("db.meterIndexSeconds");
    meterIndexTimer = vertx.setPeriodic(1000, t -> store.indexInBulkIfDue(meterIndexSeconds)
        .onFailure(e -> LOG.warn("indexing rows by transaction failed (retried later): {}", e.toString())));
    if (config.hasRole("gateway")) {
      SchemaValidator validator = SchemaValidator.loadFromClasspath();
      Map<OcppVersion, ProtocolHandler> handlers = new EnumMap<>(OcppVersion.class);
      MeterEventRelay meterEvents = new MeterEventRelay(vertx);
      handlers.put(OcppVersion.V16, new V16Handler(vertx, store, config, meterEvents));
      TransactionEvents transactionEvents = new TransactionEvents(vertx, store, config, meterEvents);
      handlers.put(OcppVersion.V201, new V2Handler(vertx, store, config, OcppVersion.V201, transactionEvents, meterEvents));
      handlers.put(OcppVersion.V21, new V2Handler(vertx, store, config, OcppVersion.V21, transactionEvents, meterEvents));
      int instances = config.integer("ocpp.instances");
      if (instances <= 0) {
        // the store's writer thread keeps a core busy under load: one event loop per remaining
        // core (on 2 cores, one loop cost ~10 % less CPU per message than two, docs/benchmarks.md)
        instances = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
      }
      VerifiedPasswords verifiedPasswords = new VerifiedPasswords();
      gatewayDeployment = await(vertx.deployVerticle(() -> {
        GatewayVerticle g = new GatewayVerticle(config, store, validator, handlers, verifiedPasswords);
        gateways.add(g);
        return g;
      }, new DeploymentOptions().setInstances(instances)));
    }
    if (config.hasRole("management")) {
      AdminStore admin = new AdminStore(store, database.readPool());
      CommandService commands = new CommandService(vertx, store, admin);
      api = new ApiRouter(vertx, config, store, admin, commands, RequestSchemas.load());
      management = new ManagementVerticle(config, api,
          org.ocppcore.web.WebUi.create(vertx, config, store, admin, commands, sessionStore()));
      await(vertx.deployVerticle(management));
    }
  }

  /** Blocks a non-Vert.x thread (main, admin command) until the future completes, rethrowing its cause. */
  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }

  /** The REST API (null on a node without the management role). */
  public ApiRouter api() {
    return api;
  }

  /**
   * The web UI's session store on this node, created on first use: clustered when Vert.x is (UI
   * sessions then work on every management node behind a load balancer), local otherwise.
   */
  public synchronized io.vertx.ext.web.sstore.SessionStore sessionStore() {
    if (sessionStore == null) {
      sessionStore = Cluster.sessionStore(vertx);
    }
    return sessionStore;
  }

  public Store store() {
    return store;
  }

  public Database database() {
    return database;
  }

  /** Actual OCPP ports (plain, then TLS if enabled). */
  public List<Integer> ocppPorts() {
    return gateways.isEmpty() ? List.of() : gateways.get(0).actualPorts();
  }

  public int httpPort() {
    return management == null ? -1 : management.actualPort();
  }

  /** Open charger sessions on this node. */
  public int sessionCount() {
    return gateways.stream().mapToInt(GatewayVerticle::sessionCount).sum();
  }

  /**
   * Blocking stop (call from a non-Vert.x thread): closes the charger sockets first, so their last
   * writes (disconnection times) still reach the store, then Vert.x, then the database.
   */
  public void close() throws Exception {
    try {
      vertx.cancelTimer(meterIndexTimer);
      if (gatewayDeployment != null) {
        await(vertx.undeploy(gatewayDeployment));
        Thread.sleep(200);
      }
      if (store != null) {
        await(store.flushLastSeen());
      }
    } finally {
      await(vertx.close());
      closeQuietly();
    }
  }

  private void closeQuietly() {
    if (database != null) {
      database.close();
    }
  }
}
