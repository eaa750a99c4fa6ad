package org.ocppcore.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.ocppcore.ocpp.OcppVersion;

/**
 * Builds the smallest valid instance of an official OCPP JSON schema: required properties only,
 * the first value of an enum, short strings within maxLength, "now" for date-time, numbers within
 * minimum/maximum, arrays of minItems (at least one) elements, {@code $ref}s to
 * {@code #/definitions/...} resolved. Enough for the OCA schemas (draft-06 subset: type, properties,
 * required, enum, items, minItems, maxItems, maxLength, minimum, maximum, format, $ref); anything
 * else throws rather than producing an instance that silently fails validation.
 */
public final class SchemaExamples {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final int MAX_DEPTH = 32;

  private SchemaExamples() {}

  /** The request actions of a version: every {@code *Request.json} plus 2.1 SEND schemas (no Request/Response suffix). */
  public static List<String> requestActions(OcppVersion version) {
    TreeSet<String> actions = new TreeSet<>();
    for (String file : schemaFiles(version)) {
      String base = file.substring(0, file.length() - ".json".length());
      if (base.endsWith("Request")) {
        actions.add(base.substring(0, base.length() - "Request".length()));
      } else if (!base.endsWith("Response")) {
        actions.add(base);
      }
    }
    return List.copyOf(actions);
  }

  /** The request schema of an action ({@code <Action>Request.json}, or {@code <Action>.json} for a SEND). */
  public static JsonNode requestSchema(OcppVersion version, String action) {
    String dir = "ocpp-schemas/" + version.schemaDir() + "/";
    JsonNode schema = load(dir + action + "Request.json");
    return schema != null ? schema : load(dir + action + ".json");
  }

  /** A minimal valid request of an action, as a Vert.x JsonObject. */
  public static JsonObject minimalRequest(OcppVersion version, String action) {
    JsonNode schema = requestSchema(version, action);
    if (schema == null) {
      throw new IllegalArgumentException("no request schema for " + version + " " + action);
    }
    return toJson(minimal(schema));
  }

  /** A minimal valid instance of a schema. */
  public static JsonNode minimal(JsonNode schema) {
    return instance(schema, schema, 0);
  }

  public static JsonObject toJson(JsonNode node) {
    return new JsonObject(node.toString());
  }

  public static JsonNode toNode(JsonObject json) {
    try {
      return MAPPER.readTree(json.encode());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode instance(JsonNode root, JsonNode s, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalStateException("schema nesting too deep (recursive required $ref?)");
    }
    if (s.has("$ref")) {
      return instance(root, resolve(root, s.get("$ref").asText()), depth + 1);
    }
    if (s.has("enum")) {
      return s.get("enum").get(0).deepCopy();
    }
    if (s.has("const")) {
      return s.get("const").deepCopy();
    }
    String type = type(s);
    switch (type) {
      case "object" -> {
        ObjectNode o = NODES.objectNode();
        JsonNode props = s.path("properties");
        for (JsonNode r : s.path("required")) {
          JsonNode p = props.get(r.asText());
          if (p == null) {
            throw new IllegalStateException("required property without schema: " + r.asText());
          }
          o.set(r.asText(), instance(root, p, depth + 1));
        }
        return o;
      }
      case "array" -> {
        ArrayNode a = NODES.arrayNode();
        int n = Math.max(1, s.path("minItems").asInt(0));
        if (s.has("maxItems")) {
          n = Math.min(n, s.get("maxItems").asInt());
        }
        JsonNode items = s.get("items");
        if (items == null || items.isArray()) {
          throw new IllegalStateException("unsupported array items: " + items);
        }
        for (int i = 0; i < n; i++) {
          a.add(instance(root, items, depth + 1));
        }
        return a;
      }
      case "string" -> {
        if ("date-time".equals(s.path("format").asText(null))) {
          return NODES.textNode(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        }
        if (s.has("format") || s.has("pattern")) {
          throw new IllegalStateException("unsupported string constraint: " + s);
        }
        int min = s.path("minLength").asInt(1);
        int max = s.path("maxLength").asInt(Integer.MAX_VALUE);
        int len = Math.min(Math.max(1, min), max);
        return NODES.textNode("x".repeat(len));
      }
      case "integer" -> {
        return NODES.numberNode((long) Math.ceil(pick(s)));
      }
      case "number" -> {
        return NODES.numberNode(pick(s));
      }
      case "boolean" -> {
        return NODES.booleanNode(false);
      }
      default -> throw new IllegalStateException("unsupported schema type " + type + ": " + s);
    }
  }

  /** 0 when allowed, else the bound nearest to it. */
  private static double pick(JsonNode s) {
    double v = 0;
    if (s.has("minimum")) {
      v = Math.max(v, s.get("minimum").asDouble());
    }
    if (s.has("maximum")) {
      v = Math.min(v, s.get("maximum").asDouble());
    }
    if (s.has("exclusiveMinimum") || s.has("exclusiveMaximum") || s.has("multipleOf")) {
      throw new IllegalStateException("unsupported numeric constraint: " + s);
    }
    return v;
  }

  private static String type(JsonNode s) {
    JsonNode t = s.get("type");
    if (t == null) {
      return s.has("properties") ? "object" : "any";
    }
    if (t.isArray()) {
      for (JsonNode x : t) {
        if (!"null".equals(x.asText())) {
          return x.asText();
        }
      }
    }
    return t.asText();
  }

  private static JsonNode resolve(JsonNode root, String ref) {
    if (!ref.startsWith("#/")) {
      throw new IllegalStateException("unsupported $ref " + ref);
    }
    JsonNode target = root.at(ref.substring(1));
    if (target.isMissingNode()) {
      throw new IllegalStateException("unresolved $ref " + ref);
    }
    return target;
  }

  private static JsonNode load(String resource) {
    try (InputStream in = SchemaExamples.class.getClassLoader().getResourceAsStream(resource)) {
      return in == null ? null : MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> schemaFiles(OcppVersion version) {
    URL url = SchemaExamples.class.getClassLoader().getResource("ocpp-schemas/" + version.schemaDir());
    if (url == null || !"file".equals(url.getProtocol())) {
      throw new IllegalStateException("schema folder not on the classpath as a directory: " + url);
    }
    try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
