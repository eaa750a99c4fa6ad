package org.ocppcore.app;

import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.ext.web.sstore.ClusteredSessionStore;
import io.vertx.ext.web.sstore.LocalSessionStore;
import io.vertx.ext.web.sstore.SessionStore;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Clustered mode: several nodes share one event bus through Hazelcast, so a command sent to
 * {@code ocpp.station.<id>} on any node reaches the node holding that charger's socket, a charger
 * reconnecting to another node takes over its old session, and published live events reach every
 * node. Members find each other only through the explicit TCP/IP list of {@code cluster.members}
 * (no multicast, no cloud discovery); nothing else is shared — each node has its own store writer
 * on the common server database.
 *
 * <p>Each call builds its own Hazelcast {@link com.hazelcast.config.Config} (several nodes may live
 * in one JVM, as in the tests), starting from {@link ConfigUtil#loadConfig()} so the maps and
 * multimap Vert.x needs ({@code __vertx.*}) are there, and a {@code cluster.xml} on the class path
 * or {@code -Dvertx.hazelcast.config=...} still provides anything not set here.
 */
public final class Cluster {
  private Cluster() {}

  /**
   * This node's Vert.x: clustered as configured when {@code cluster.enabled}, otherwise a plain
   * one. Blocking (joining takes a few seconds): call from main or a test thread.
   */
  public static Vertx vertx(Config config, VertxOptions options) throws Exception {
    if (!config.bool("cluster.enabled")) {
      return Vertx.vertx(options);
    }
    return OcppServer.await(clusteredVertx(config, options));
  }

  /** Builds a clustered Vert.x from the {@code cluster.*} keys. */
  public static Future<Vertx> clusteredVertx(Config config, VertxOptions options) {
    String host;
    com.hazelcast.config.Config hazelcast;
    try {
      host = address(config.string("cluster.host"));
      hazelcast = hazelcastConfig(config);
    } catch (RuntimeException | UnknownHostException e) {
      return Future.failedFuture(e);
    }
    VertxOptions o = new VertxOptions(options).setEventBusOptions(new EventBusOptions(options.getEventBusOptions())
        .setHost(host)
        .setPort(config.integer("cluster.eventBusPort"))
        .setClusterPublicHost(host));
    return Vertx.builder().with(o).withClusterManager(new HazelcastClusterManager(hazelcast)).buildClustered();
  }

  /** The Hazelcast configuration of this node: name, bind address and port, TCP/IP members. */
  public static com.hazelcast.config.Config hazelcastConfig(Config config) throws UnknownHostException {
    String host = address(config.string("cluster.host"));
    com.hazelcast.config.Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(config.string("cluster.name"));
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    // Vert.x leaves the cluster itself when it closes (after the gateway has closed its sockets)
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    hz.setProperty("hazelcast.local.localAddress", host);
    // timing defaults below; each can still be set with -D<name>=... (e.g. longer for long GC pauses)
    defaultProperty(hz, "hazelcast.wait.seconds.before.join", "0");
    // nodes started together elect a master after at most 5 s (Hazelcast's default: 20 s); a node
    // that comes up later simply joins
    defaultProperty(hz, "hazelcast.max.wait.seconds.before.join", "5");
    // a node that vanished without closing its connections (power loss, network partition) is
    // dropped after 15 s without heartbeat rather than Hazelcast's 60 s: until then calls to the
    // chargers it held may still be routed to it. A killed process is noticed at once (its
    // connections are reset).
    defaultProperty(hz, "hazelcast.heartbeat.interval.seconds", "2");
    defaultProperty(hz, "hazelcast.max.no.heartbeat.seconds", "15");

    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(config.integer("cluster.port")).setPortAutoIncrement(false);
    net.getInterfaces().clear();
    net.getInterfaces().setEnabled(true).addInterface(host);
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(members(config));
    return hz;
  }

  /** Sets a Hazelcast property unless a system property of that name is given (Hazelcast prefers the config's). */
  private static void defaultProperty(com.hazelcast.config.Config hz, String name, String value) {
    hz.setProperty(name, System.getProperty(name, value));
  }

  /** {@code cluster.members} as Hazelcast wants them ("host" means host on this node's cluster.port). */
  static List<String> members(Config config) {
    List<String> out = new ArrayList<>();
    for (Object m : config.list("cluster.members")) {
      out.add(String.valueOf(m).trim());
    }
    return out;
  }

  /** Hazelcast binds to interfaces by IP address: a host name is resolved once at start. */
  private static String address(String host) throws UnknownHostException {
    return InetAddress.getByName(host.trim()).getHostAddress();
  }

  /**
   * The web session store for this node: a {@link ClusteredSessionStore} when Vert.x is clustered
   * (a UI session opened on one node is valid on every node, so a load balancer needs no sticky
   * sessions), a {@link LocalSessionStore} otherwise. Session values must then be cluster-safe
   * (strings, numbers, booleans, JsonObject/JsonArray, Buffer, or ClusterSerializable).
   */
  public static SessionStore sessionStore(Vertx vertx) {
    return vertx.isClustered() ? ClusteredSessionStore.create(vertx) : LocalSessionStore.create(vertx);
  }
}
