package org.ocppcore.ocpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The payload conversions between Jackson trees (wire, validation) and Vert.x JsonObjects (handlers). */
class FrameConversionTest {

  @Test
  void aChargersPayloadKeepsEveryValueAndType() throws Exception {
    JsonNode node = Frame.MAPPER.readTree("{\"connectorId\":1,\"transactionId\":4294967296,\"big\":123456789012345678901234,"
        + "\"value\":230.5,\"ok\":true,\"none\":null,\"text\":\"Grüße \\\"quoted\\\"\","
        + "\"meterValue\":[{\"timestamp\":\"2026-01-01T00:00:00Z\",\"sampledValue\":[{\"value\":\"1.5\"}]}],\"empty\":{}}");
    JsonObject json = Frame.toJson(node);
    assertEquals(1, json.getInteger("connectorId"));
    assertEquals(4294967296L, json.getLong("transactionId"));
    assertEquals(new BigInteger("123456789012345678901234"), json.getValue("big"));
    assertEquals(230.5, json.getDouble("value"));
    assertEquals(true, json.getBoolean("ok"));
    assertTrue(json.containsKey("none"));
    assertNull(json.getValue("none"));
    assertEquals("Grüße \"quoted\"", json.getString("text"));
    assertEquals("1.5", json.getJsonArray("meterValue").getJsonObject(0).getJsonArray("sampledValue").getJsonObject(0)
        .getString("value"));
    assertEquals(List.of("connectorId", "transactionId", "big", "value", "ok", "none", "text", "meterValue", "empty"),
        List.copyOf(json.fieldNames()), "member order kept");
    assertEquals(node, Frame.toNode(json), "and back to the same tree");
  }

  @Test
  void anAnswerBuiltInJavaBecomesTheTreeItsTextIs() throws Exception {
    JsonObject answer = new JsonObject().put("status", "Accepted").put("currentTime", Instant.parse("2026-01-01T00:00:00Z"))
        .put("interval", 300).put("big", 4294967296L).put("ratio", 0.25).put("none", (Object) null)
        .put("idTagInfo", new JsonObject().put("status", "Accepted"))
        .put("list", new JsonArray().add(1).add("two").add(new JsonObject()))
        .put("map", Map.of("k", List.of(true)));
    assertEquals(Frame.MAPPER.readTree(answer.encode()), Frame.toNode(answer));
  }

  @Test
  void framesWeSendAreTheJsonOfTheirParts() throws Exception {
    JsonNode payload = Frame.MAPPER.readTree("{\"status\":\"Accepted\",\"text\":\"a \\\"b\\\" \\\\ \\u0001 ü\"}");
    JsonNode empty = Frame.MAPPER.readTree("{}");
    for (String id : List.of("1", "a\"b", "back\\slash", "ctl\u0001\n", "ü€", "")) {
      for (JsonNode p : List.of(payload, empty)) {
        JsonNode result = Frame.MAPPER.readTree(Frame.callResult(id, p));
        assertEquals(Frame.MAPPER.createArrayNode().add(3).add(id).add(p), result, id);
        JsonNode call = Frame.MAPPER.readTree(Frame.call(id, "Reset", p));
        assertEquals(Frame.MAPPER.createArrayNode().add(2).add(id).add("Reset").add(p), call, id);
      }
    }
    assertEquals("[3,\"x\",{}]", Frame.callResult("x", empty));
  }

  @Test
  void aCallsPayloadTextIsThePayloadAsSent() throws Exception {
    String payload = "{ \"a\" : {\"b\":[1, {\"c\":\"}\\\"{\"}]},\n \"n\": 1.50 }";
    // ids and actions with braces, quotes and escapes before the payload; white space around it
    for (String head : List.of("[2,\"1\",\"Heartbeat\",", "[ 2 , \"{id}\\\"{\" , \"A{}\" ,\n", "[2,\"\\\\\",\"X\",")) {
      String text = head + payload + " \n]";
      Frame.Call call = (Frame.Call) Frame.parse(text, OcppVersion.V201);
      assertEquals(payload, call.payloadText(), text);
      assertEquals(call.payload(), Frame.MAPPER.readTree(call.payloadText()), "the same tree");
    }
  }
}
