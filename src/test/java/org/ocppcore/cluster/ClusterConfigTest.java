package org.ocppcore.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.JoinConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.sstore.LocalSessionStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ocppcore.app.Cluster;
import org.ocppcore.app.Config;

/** The cluster.* and node.roles keys: defaults, validation, environment overrides, the Hazelcast config they make. */
class ClusterConfigTest {

  private static final JsonObject POSTGRES = new JsonObject().put("type", "postgresql")
      .put("url", "jdbc:postgresql://127.0.0.1:5432/ocpp");

  private static Config cluster(JsonObject cluster) {
    return Config.of(new JsonObject().put("cluster", cluster).put("db", POSTGRES));
  }

  @Test
  void singleNodeByDefault() throws Exception {
    Config defaults = Config.of(null);
    assertFalse(defaults.bool("cluster.enabled"));
    assertEquals("ocpp-core", defaults.string("cluster.name"));
    assertEquals("127.0.0.1", defaults.string("cluster.host"));
    assertEquals(5701, defaults.integer("cluster.port"));
    assertEquals(new JsonArray(), defaults.list("cluster.members"));
    assertEquals(0, defaults.integer("cluster.eventBusPort"));
    Vertx vertx = Cluster.vertx(defaults, new VertxOptions());
    try {
      assertFalse(vertx.isClustered());
      assertTrue(Cluster.sessionStore(vertx) instanceof LocalSessionStore);
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void hazelcastJoinsOnlyTheListedMembersOverTcp() throws Exception {
    com.hazelcast.config.Config hz = Cluster.hazelcastConfig(cluster(new JsonObject().put("enabled", true)
        .put("name", "fleet-1").put("host", "127.0.0.1").put("port", 5801)
        .put("members", new JsonArray().add("10.0.0.2").add("10.0.0.3:5802"))));
    assertEquals("fleet-1", hz.getClusterName());
    assertEquals(5801, hz.getNetworkConfig().getPort());
    assertFalse(hz.getNetworkConfig().isPortAutoIncrement());
    assertTrue(hz.getNetworkConfig().getInterfaces().isEnabled());
    assertEquals(List.of("127.0.0.1"), List.copyOf(hz.getNetworkConfig().getInterfaces().getInterfaces()));
    JoinConfig join = hz.getNetworkConfig().getJoin();
    assertFalse(join.getMulticastConfig().isEnabled());
    assertFalse(join.getAutoDetectionConfig().isEnabled());
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(List.of("10.0.0.2", "10.0.0.3:5802"), join.getTcpIpConfig().getMembers());
    assertEquals("127.0.0.1", hz.getProperty("hazelcast.local.localAddress"));
    assertEquals("false", hz.getProperty("hazelcast.shutdownhook.enabled"));
    // the structures Vert.x keeps its event-bus registrations in come from Vert.x's own default config
    assertTrue(hz.getMultiMapConfigs().containsKey("__vertx.subs"));
  }

  @Test
  void invalidClusterSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> cluster(new JsonObject().put("port", 0)));
    assertThrows(IllegalArgumentException.class, () -> cluster(new JsonObject().put("eventBusPort", 70000)));
    assertThrows(IllegalArgumentException.class, () -> cluster(new JsonObject().put("members", "10.0.0.1")));
    assertThrows(IllegalArgumentException.class, () -> cluster(new JsonObject().put("members",
        new JsonArray().add("10.0.0.1:http"))));
    assertThrows(IllegalArgumentException.class, () -> cluster(new JsonObject().put("members",
        new JsonArray().add(":5701"))));
    assertThrows(IllegalArgumentException.class, () -> cluster(new JsonObject().put("enabled", true)
        .put("host", "0.0.0.0")));
    assertThrows(IllegalArgumentException.class, () -> cluster(new JsonObject().put("enabled", true)
        .put("name", " ")));
    IllegalArgumentException sqlite = assertThrows(IllegalArgumentException.class, () -> Config.of(new JsonObject()
        .put("cluster", new JsonObject().put("enabled", true))));
    assertTrue(sqlite.getMessage().contains("SQLite is for a single node"));
    assertThrows(IllegalArgumentException.class, () -> Config.of(new JsonObject().put("node",
        new JsonObject().put("roles", new JsonArray()))));
    assertThrows(IllegalArgumentException.class, () -> Config.of(new JsonObject().put("node",
        new JsonObject().put("roles", new JsonArray().add("gateway").add("ui")))));
  }

  @Test
  void everyClusterKeyCanComeFromTheEnvironment() throws Exception {
    Config c = Config.load(new String[0], Map.of(
        "OCPPCORE_CLUSTER_ENABLED", "true", "OCPPCORE_CLUSTER_NAME", "prod",
        "OCPPCORE_CLUSTER_HOST", "127.0.0.1", "OCPPCORE_CLUSTER_PORT", "5702",
        "OCPPCORE_CLUSTER_MEMBERS", "10.0.0.1:5701, 10.0.0.2", "OCPPCORE_CLUSTER_EVENTBUSPORT", "15701",
        "OCPPCORE_NODE_ROLES", "gateway", "OCPPCORE_DB_URL", "jdbc:postgresql://127.0.0.1:5432/ocpp",
        "OCPPCORE_DB_TYPE", "postgresql"));
    assertTrue(c.bool("cluster.enabled"));
    assertEquals("prod", c.string("cluster.name"));
    assertEquals(5702, c.integer("cluster.port"));
    assertEquals(new JsonArray().add("10.0.0.1:5701").add("10.0.0.2"), c.list("cluster.members"));
    assertEquals(15701, c.integer("cluster.eventBusPort"));
    assertTrue(c.hasRole("gateway"));
    assertFalse(c.hasRole("management"));
  }
}
