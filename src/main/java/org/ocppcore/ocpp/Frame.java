package org.ocppcore.ocpp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.VertxModule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** OCPP-J frames: defensive parsing of what a charger sends and encoding of what we send. */
public sealed interface Frame {

  int CALL = 2;
  int CALLRESULT = 3;
  int CALLERROR = 4;
  int CALLRESULTERROR = 5;
  int SEND = 6;
  int MAX_ID_LENGTH = 36;

  /** Knows Vert.x's JsonObject/JsonArray, so payloads convert without re-parsing text. */
  ObjectMapper MAPPER = new ObjectMapper().registerModule(new VertxModule());

  /**
   * A payload as a Jackson tree (to validate and send). Walks the maps and lists directly: going
   * through Jackson's serializer and a token buffer ({@code valueToTree}) cost several times more
   * on every answer (docs/benchmarks.md); only unusual values (an Instant, bytes) take that path.
   */
  static JsonNode toNode(JsonObject json) {
    return node(json);
  }

  /** A charger's payload as a Vert.x JsonObject, walking the tree (see {@link #toNode}). */
  static JsonObject toJson(JsonNode node) {
    return new JsonObject(map(node));
  }

  private static JsonNode node(Object v) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (v == null) {
      return f.nullNode();
    } else if (v instanceof String s) {
      return f.textNode(s);
    } else if (v instanceof JsonObject o) {
      return node(o.getMap());
    } else if (v instanceof Map<?, ?> m) {
      ObjectNode out = f.objectNode();
      m.forEach((k, x) -> out.set(String.valueOf(k), node(x)));
      return out;
    } else if (v instanceof JsonArray a) {
      return node(a.getList());
    } else if (v instanceof List<?> l) {
      ArrayNode out = f.arrayNode(l.size());
      l.forEach(x -> out.add(node(x)));
      return out;
    } else if (v instanceof Boolean b) {
      return f.booleanNode(b);
    } else if (v instanceof Integer i) {
      return f.numberNode(i);
    } else if (v instanceof Long l) {
      return f.numberNode(l);
    } else if (v instanceof Double d) {
      return f.numberNode(d);
    }
    return MAPPER.valueToTree(v);
  }

  private static Map<String, Object> map(JsonNode node) {
    Map<String, Object> out = new LinkedHashMap<>(Math.max(4, node.size() * 2));
    node.fields().forEachRemaining(e -> out.put(e.getKey(), value(e.getValue())));
    return out;
  }

  private static Object value(JsonNode n) {
    return switch (n.getNodeType()) {
      case OBJECT -> map(n);
      case ARRAY -> {
        List<Object> out = new ArrayList<>(n.size());
        n.forEach(x -> out.add(value(x)));
        yield out;
      }
      case STRING -> n.textValue();
      case NUMBER -> n.numberValue();
      case BOOLEAN -> n.booleanValue();
      case NULL, MISSING -> null;
      case BINARY, POJO -> MAPPER.convertValue(n, Object.class);
    };
  }

  String id();

  /** A CALL (type 2) or, in 2.1, a SEND (type 6, never answered); {@code text} is the whole frame as received. */
  record Call(String id, String action, JsonNode payload, boolean send, String text) implements Frame {

    /**
     * The payload exactly as the charger sent it: from the frame's first '{' outside a string (the
     * elements before it are a number and two strings) to its last '}' (only ']' and white space
     * follow the payload). Storing this instead of the payload encoded again saves the encoding.
     */
    public String payloadText() {
      boolean inString = false;
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (inString) {
          if (c == '\\') {
            i++;
          } else if (c == '"') {
            inString = false;
          }
        } else if (c == '"') {
          inString = true;
        } else if (c == '{') {
          return text.substring(i, text.lastIndexOf('}') + 1);
        }
      }
      throw new IllegalStateException("a parsed CALL has an object payload");
    }
  }

  record CallResult(String id, JsonNode payload) implements Frame {}

  /** A CALLERROR, or in 2.1 a CALLRESULTERROR (the charger could not process our CALLRESULT). */
  record CallError(String id, String code, String description, JsonNode details, boolean resultError)
      implements Frame {}

  /** A frame that cannot be processed; {@code id} is "-1" when no id could be read. */
  final class Invalid extends Exception {
    private final String id;
    private final CallErrorCode code;

    Invalid(String id, CallErrorCode code, String description) {
      super(description, null, false, false);
      this.id = id;
      this.code = code;
    }

    public String id() {
      return id;
    }

    public CallErrorCode code() {
      return code;
    }
  }

  /**
   * Parses one text frame.
   *
   * @throws Invalid with the CALLERROR to answer for the given version
   */
  static Frame parse(String text, OcppVersion version) throws Invalid {
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new Invalid("-1", CallErrorCode.RPC_FRAMEWORK_ERROR, "frame is not valid JSON");
    }
    if (root == null || !root.isArray() || root.size() < 3) {
      throw new Invalid(idOf(root), CallErrorCode.RPC_FRAMEWORK_ERROR,
          "frame must be a JSON array [messageTypeId, messageId, ...]");
    }
    JsonNode typeNode = root.get(0);
    JsonNode idNode = root.get(1);
    if (!idNode.isTextual() || idNode.asText().isEmpty() || idNode.asText().length() > MAX_ID_LENGTH) {
      throw new Invalid("-1", CallErrorCode.RPC_FRAMEWORK_ERROR,
          "messageId must be a non-empty string of at most " + MAX_ID_LENGTH + " characters");
    }
    String id = idNode.asText();
    if (!typeNode.isInt()) {
      throw new Invalid(id, CallErrorCode.RPC_FRAMEWORK_ERROR, "messageTypeId must be an integer");
    }
    int type = typeNode.asInt();
    boolean v21 = version == OcppVersion.V21;
    switch (type) {
      case CALL, SEND -> {
        if (type == SEND && !v21) {
          throw unknownType(id, type);
        }
        if (root.size() != 4) {
          throw new Invalid(id, CallErrorCode.FORMAT_VIOLATION,
              "a " + (type == CALL ? "CALL" : "SEND") + " has 4 elements: [" + type + ", id, action, payload]");
        }
        JsonNode action = root.get(2);
        if (!action.isTextual() || action.asText().isEmpty()) {
          throw new Invalid(id, CallErrorCode.FORMAT_VIOLATION, "action must be a non-empty string");
        }
        JsonNode payload = root.get(3);
        if (!payload.isObject()) {
          throw new Invalid(id, CallErrorCode.FORMAT_VIOLATION, "payload must be a JSON object");
        }
        return new Call(id, action.asText(), payload, type == SEND, text);
      }
      case CALLRESULT -> {
        if (root.size() != 3 || !root.get(2).isObject()) {
          throw new Invalid(id, CallErrorCode.FORMAT_VIOLATION, "a CALLRESULT is [3, id, {payload}]");
        }
        return new CallResult(id, root.get(2));
      }
      case CALLERROR, CALLRESULTERROR -> {
        if (type == CALLRESULTERROR && !v21) {
          throw unknownType(id, type);
        }
        // Lenient on purpose: a charger's sloppy CALLERROR still tells us the call failed.
        String code = root.size() > 2 && root.get(2).isTextual() ? root.get(2).asText() : "GenericError";
        String desc = root.size() > 3 && root.get(3).isTextual() ? root.get(3).asText() : "";
        JsonNode details = root.size() > 4 && root.get(4).isObject() ? root.get(4) : JsonNodeFactory.instance.objectNode();
        return new CallError(id, code, desc, details, type == CALLRESULTERROR);
      }
      default -> throw unknownType(id, type);
    }
  }

  private static Invalid unknownType(String id, int type) {
    return new Invalid(id, CallErrorCode.MESSAGE_TYPE_NOT_SUPPORTED, "unknown messageTypeId " + type);
  }

  private static String idOf(JsonNode root) {
    if (root != null && root.isArray() && root.size() > 1 && root.get(1).isTextual()) {
      String id = root.get(1).asText();
      if (!id.isEmpty() && id.length() <= MAX_ID_LENGTH) {
        return id;
      }
    }
    return "-1";
  }

  static String call(String id, String action, JsonNode payload) {
    return "[" + CALL + "," + quoted(id) + "," + quoted(action) + "," + text(payload) + "]";
  }

  /**
   * Written as text around the payload: a Jackson generator per answer was a quarter of the
   * event loops' allocations under ingest (JFR, docs/benchmarks.md), most answers being {}.
   */
  static String callResult(String id, JsonNode payload) {
    return "[" + CALLRESULT + "," + quoted(id) + "," + text(payload) + "]";
  }

  private static String text(JsonNode payload) {
    return payload.isObject() && payload.isEmpty() ? "{}" : payload.toString();
  }

  private static String quoted(String s) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
  }

  static String callError(String id, CallErrorCode code, String description, OcppVersion version) {
    String desc = description == null ? "" : description;
    if (desc.length() > 255) {
      desc = desc.substring(0, 252) + "...";
    }
    ArrayNode a = JsonNodeFactory.instance.arrayNode(5);
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    a.add(CALLERROR).add(id).add(code.wireName(version)).add(desc).add(details);
    return a.toString();
  }
}
