package org.ocppcore.app;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The server configuration: built-in defaults, overlaid by a JSON file, overlaid by environment
 * variables. Every key of {@link #DEFAULTS} can be set by an environment variable named
 * {@code OCPPCORE_} + the dotted key upper-cased with dots as underscores
 * (e.g. {@code ocpp.port} becomes {@code OCPPCORE_OCPP_PORT}). Lists are comma-separated there.
 */
public final class Config {

  /** Every key with its default; the README documents each one. */
  public static final JsonObject DEFAULTS = new JsonObject()
      .put("node", new JsonObject()
          .put("roles", new JsonArray().add("gateway").add("management")))
      .put("ocpp", new JsonObject()
          .put("host", "0.0.0.0")
          .put("port", 8081)
          .put("instances", 0)
          .put("protocols", new JsonArray().add("ocpp2.1").add("ocpp2.0.1").add("ocpp1.6"))
          .put("assumeProtocolWhenMissing", "")
          .put("acceptUnknownChargePoints", false)
          .put("pingIntervalSeconds", 60)
          .put("pongTimeoutSeconds", 30)
          .put("upgradeRequestTimeoutSeconds", 60)
          .put("maxMessageSize", 1048576)
          .put("validateSchemas", true)
          .put("callTimeoutSeconds", 30)
          .put("heartbeatIntervalSeconds", 300)
          .put("denyConcurrentTx", false)
          .put("dataTransferVendors", new JsonArray())
          .put("tls", new JsonObject()
              .put("enabled", false)
              .put("port", 8443)
              .put("certPath", "")
              .put("keyPath", "")
              .put("clientAuth", "none")
              .put("clientCaPath", "")))
      .put("http", new JsonObject()
          .put("host", "0.0.0.0")
          .put("port", 8082))
      .put("db", new JsonObject()
          .put("type", "sqlite")
          .put("url", "jdbc:sqlite:data/ocpp-core.sqlite")
          .put("user", "")
          .put("password", "")
          .put("synchronous", "FULL")
          .put("maxBatch", 1000)
          .put("lastSeenFlushSeconds", 15)
          .put("meterIndexSeconds", 10)
          .put("readPoolSize", 4))
      .put("log", new JsonObject()
          .put("dbMessageLog", 0)
          .put("messageDumpDir", ""))
      .put("security", new JsonObject()
          .put("pbkdf2Iterations", 10000))
      .put("ui", new JsonObject()
          .put("htpasswdFile", "")
          .put("admins", new JsonArray().add("admin"))
          .put("sessionTimeoutMinutes", 30)
          .put("commandTimeoutSeconds", 15)
          .put("maxFailedLogins", 5)
          .put("failedLoginLockMinutes", 15)
          .put("secureCookies", false))
      .put("api", new JsonObject()
          .put("requestsPerSecondPerKey", 500))
      .put("cluster", new JsonObject()
          .put("enabled", false)
          .put("name", "ocpp-core")
          .put("host", "127.0.0.1")
          .put("port", 5701)
          .put("members", new JsonArray())
          .put("eventBusPort", 0));

  private final JsonObject json;

  private Config(JsonObject json) {
    this.json = json;
  }

  /** Defaults only, plus the given overrides (used by tests and embedders). */
  public static Config of(JsonObject overrides) {
    JsonObject merged = DEFAULTS.copy().mergeIn(overrides == null ? new JsonObject() : overrides, true);
    validate(merged);
    return new Config(merged);
  }

  /**
   * Loads the configuration the way the command line does: {@code --config FILE} or
   * {@code conf/config.json} when present, then environment overrides.
   */
  public static Config load(String[] args, Map<String, String> env) throws IOException {
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      if ("--config".equals(args[i]) && i + 1 < args.length) {
        file = Path.of(args[++i]);
        if (!Files.isRegularFile(file)) {
          throw new IllegalArgumentException("config file not found: " + file.toAbsolutePath());
        }
      } else {
        throw new IllegalArgumentException("unknown argument: " + args[i] + " (usage: [--config FILE])");
      }
    }
    if (file == null && Files.isRegularFile(Path.of("conf", "config.json"))) {
      file = Path.of("conf", "config.json");
    }
    JsonObject merged = DEFAULTS.copy();
    if (file != null) {
      JsonObject fromFile;
      try {
        fromFile = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("config file " + file + " is not valid JSON: " + e.getMessage());
      }
      rejectUnknownKeys(DEFAULTS, fromFile, "");
      merged.mergeIn(fromFile, true);
    }
    applyEnv(DEFAULTS, merged, "", env);
    validate(merged);
    return new Config(merged);
  }

  private static void rejectUnknownKeys(JsonObject defaults, JsonObject given, String prefix) {
    for (String key : given.fieldNames()) {
      Object def = defaults.getValue(key);
      if (def == null) {
        throw new IllegalArgumentException("unknown config key: " + prefix + key);
      }
      if (def instanceof JsonObject d && given.getValue(key) instanceof JsonObject g) {
        rejectUnknownKeys(d, g, prefix + key + ".");
      }
    }
  }

  private static void applyEnv(JsonObject defaults, JsonObject target, String prefix, Map<String, String> env) {
    for (String key : defaults.fieldNames()) {
      Object def = defaults.getValue(key);
      String dotted = prefix + key;
      if (def instanceof JsonObject d) {
        applyEnv(d, target.getJsonObject(key), dotted + ".", env);
        continue;
      }
      String value = env.get(envName(dotted));
      if (value == null) {
        continue;
      }
      try {
        if (def instanceof Integer) {
          target.put(key, Integer.parseInt(value.trim()));
        } else if (def instanceof Boolean) {
          target.put(key, parseBoolean(value));
        } else if (def instanceof JsonArray) {
          JsonArray list = new JsonArray();
          for (String part : value.split(",")) {
            if (!part.isBlank()) {
              list.add(part.trim());
            }
          }
          target.put(key, list);
        } else {
          target.put(key, value);
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("environment variable " + envName(dotted) + ": " + e.getMessage());
      }
    }
  }

  private static boolean parseBoolean(String value) {
    return switch (value.trim().toLowerCase()) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new IllegalArgumentException("not a boolean: " + value);
    };
  }

  /** The environment variable that overrides a dotted key. */
  public static String envName(String dottedKey) {
    return "OCPPCORE_" + dottedKey.replace('.', '_').toUpperCase();
  }

  private static void validate(JsonObject c) {
    for (String port : new String[] {"ocpp.port", "http.port", "ocpp.tls.port"}) {
      int p = intAt(c, port);
      if (p < 0 || p > 65535) {
        throw new IllegalArgumentException(port + " must be 0..65535, got " + p);
      }
    }
    JsonObject tls = c.getJsonObject("ocpp").getJsonObject("tls");
    if (Boolean.TRUE.equals(tls.getValue("enabled"))
        && (tls.getString("certPath", "").isBlank() || tls.getString("keyPath", "").isBlank())) {
      throw new IllegalArgumentException("ocpp.tls.enabled needs ocpp.tls.certPath and ocpp.tls.keyPath (PEM files)");
    }
    String ca = tls.getString("clientAuth");
    if (!ca.equals("none") && !ca.equals("request") && !ca.equals("required")) {
      throw new IllegalArgumentException("ocpp.tls.clientAuth must be none, request or required");
    }
    int level = intAt(c, "log.dbMessageLog");
    if (level < 0 || level > 2) {
      throw new IllegalArgumentException("log.dbMessageLog must be 0, 1 or 2");
    }
    if (intAt(c, "ocpp.upgradeRequestTimeoutSeconds") < 1) {
      throw new IllegalArgumentException("ocpp.upgradeRequestTimeoutSeconds must be at least 1");
    }
    if (intAt(c, "ocpp.pingIntervalSeconds") < 0 || intAt(c, "ocpp.pongTimeoutSeconds") < 1) {
      throw new IllegalArgumentException("ocpp.pingIntervalSeconds must be >= 0 and ocpp.pongTimeoutSeconds >= 1");
    }
    if (intAt(c, "ui.sessionTimeoutMinutes") < 1 || intAt(c, "ui.commandTimeoutSeconds") < 1) {
      throw new IllegalArgumentException("ui.sessionTimeoutMinutes and ui.commandTimeoutSeconds must be at least 1");
    }
    if (intAt(c, "api.requestsPerSecondPerKey") < 0) {
      throw new IllegalArgumentException("api.requestsPerSecondPerKey must be >= 0 (0 = no limit)");
    }
    if (intAt(c, "ui.maxFailedLogins") < 0 || intAt(c, "ui.failedLoginLockMinutes") < 1) {
      throw new IllegalArgumentException("ui.maxFailedLogins must be >= 0 (0 = no limit) and ui.failedLoginLockMinutes >= 1");
    }
    validateRoles(c);
    validateCluster(c);
  }

  private static void validateRoles(JsonObject c) {
    Object roles = valueAt(c, "node.roles");
    if (!(roles instanceof JsonArray list) || list.isEmpty()) {
      throw new IllegalArgumentException("node.roles must list gateway, management or both");
    }
    for (Object role : list) {
      if (!"gateway".equals(role) && !"management".equals(role)) {
        throw new IllegalArgumentException("node.roles: unknown role " + role + " (gateway, management)");
      }
    }
  }

  private static void validateCluster(JsonObject c) {
    if (!(valueAt(c, "cluster.enabled") instanceof Boolean)) {
      throw new IllegalArgumentException("cluster.enabled must be true or false");
    }
    for (String port : new String[] {"cluster.port", "cluster.eventBusPort"}) {
      int p = intAt(c, port);
      if (p < 0 || p > 65535 || (p == 0 && port.equals("cluster.port"))) {
        throw new IllegalArgumentException(port + " must be " + (port.equals("cluster.port") ? "1" : "0") + "..65535, got "
            + p);
      }
    }
    if (!(valueAt(c, "cluster.members") instanceof JsonArray members)) {
      throw new IllegalArgumentException("cluster.members must be a list of \"host\" or \"host:port\"");
    }
    for (Object m : members) {
      String member = String.valueOf(m).trim();
      int colon = member.lastIndexOf(':');
      boolean ok = !member.isEmpty() && member.indexOf(':') == colon; // no IPv6 literals: use a name
      if (ok && colon >= 0) {
        try {
          int p = Integer.parseInt(member.substring(colon + 1));
          ok = colon > 0 && p > 0 && p <= 65535;
        } catch (NumberFormatException e) {
          ok = false;
        }
      }
      if (!ok) {
        throw new IllegalArgumentException("cluster.members: not \"host\" or \"host:port\": " + m);
      }
    }
    if (Boolean.TRUE.equals(valueAt(c, "cluster.enabled"))) {
      String host = String.valueOf(valueAt(c, "cluster.host")).trim();
      if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")) {
        throw new IllegalArgumentException("cluster.host must be this node's address as the other nodes reach it "
            + "(not a wildcard), got \"" + host + "\"");
      }
      if (String.valueOf(valueAt(c, "cluster.name")).isBlank()) {
        throw new IllegalArgumentException("cluster.name must not be empty");
      }
      String type = String.valueOf(valueAt(c, "db.type"));
      if ((type.isBlank() ? String.valueOf(valueAt(c, "db.url")) : type).contains("sqlite")) {
        throw new IllegalArgumentException("cluster.enabled needs a database all nodes share (db.type postgresql or "
            + "sqlserver); SQLite is for a single node");
      }
    }
  }

  private static int intAt(JsonObject c, String dotted) {
    Object v = valueAt(c, dotted);
    if (!(v instanceof Number n)) {
      throw new IllegalArgumentException(dotted + " must be a number");
    }
    return n.intValue();
  }

  private static Object valueAt(JsonObject c, String dotted) {
    String[] parts = dotted.split("\\.");
    JsonObject cur = c;
    for (int i = 0; i < parts.length - 1; i++) {
      cur = cur.getJsonObject(parts[i]);
    }
    return cur.getValue(parts[parts.length - 1]);
  }

  public JsonObject json() {
    return json.copy();
  }

  public String string(String dotted) {
    return String.valueOf(valueAt(json, dotted));
  }

  public int integer(String dotted) {
    return intAt(json, dotted);
  }

  public boolean bool(String dotted) {
    return Boolean.TRUE.equals(valueAt(json, dotted));
  }

  public JsonArray list(String dotted) {
    return (JsonArray) valueAt(json, dotted);
  }

  public boolean hasRole(String role) {
    return list("node.roles").contains(role);
  }
}
