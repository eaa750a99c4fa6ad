package org.ocppcore.ocpp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.VertxModule;
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

  static JsonNode toNode(JsonObject json) {
    return MAPPER.valueToTree(json);
  }

  @SuppressWarnings("unchecked")
  static JsonObject toJson(JsonNode node) {
    return new JsonObject(MAPPER.convertValue(node, Map.class));
  }

  String id();

  /** A CALL (type 2) or, in 2.1, a SEND (type 6, never answered). */
  record Call(String id, String action, JsonNode payload, boolean send) implements Frame {}

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
        return new Call(id, action.asText(), payload, type == SEND);
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
    ArrayNode a = JsonNodeFactory.instance.arrayNode(4);
    a.add(CALL).add(id).add(action).add(payload);
    return a.toString();
  }

  static String callResult(String id, JsonNode payload) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode(3);
    a.add(CALLRESULT).add(id).add(payload);
    return a.toString();
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
