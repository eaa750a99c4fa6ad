package org.ocppcore.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.ocppcore.TestServer.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ocppcore.TestServer;
import org.ocppcore.testsupport.TestCharger;

/** Configuration read or changed through the command service is kept in the device model. */
class ConfigurationRecordTest {

  @Test
  void configurationCommandsUpdateTheDeviceModel() throws Exception {
    try (TestServer server = TestServer.start()) {
      server.chargePoint("CFG16").chargePoint("CFG201");
      ApiClient api = new ApiClient(server, server.apiKey("cfg", "admin"));
      await(TestCharger.connect(server.vertx(), server.wsUrl("CFG16"), new TestCharger.Options().subprotocols("ocpp1.6")
          .onCall("GetConfiguration", p -> new JsonObject().put("configurationKey", new JsonArray()
              .add(new JsonObject().put("key", "HeartbeatInterval").put("readonly", false).put("value", "300"))
              .add(new JsonObject().put("key", "NumberOfConnectors").put("readonly", true).put("value", "2"))))
          .onCall("ChangeConfiguration", p -> new JsonObject().put("status", "Accepted"))));
      await(TestCharger.connect(server.vertx(), server.wsUrl("CFG201"), new TestCharger.Options().subprotocols("ocpp2.0.1")
          .onCall("GetVariables", p -> new JsonObject().put("getVariableResult", new JsonArray()
              .add(new JsonObject().put("attributeStatus", "Accepted").put("attributeValue", "120")
                  .put("component", new JsonObject().put("name", "OCPPCommCtrlr"))
                  .put("variable", new JsonObject().put("name", "HeartbeatInterval")))
              .add(new JsonObject().put("attributeStatus", "UnknownVariable")
                  .put("component", new JsonObject().put("name", "OCPPCommCtrlr"))
                  .put("variable", new JsonObject().put("name", "Nope")))))
          .onCall("SetVariables", p -> new JsonObject().put("setVariableResult", new JsonArray()
              .add(new JsonObject().put("attributeStatus", "Accepted")
                  .put("component", new JsonObject().put("name", "OCPPCommCtrlr"))
                  .put("variable", new JsonObject().put("name", "HeartbeatInterval")))))));

      api.post("/chargepoints/CFG16/get-configuration", new JsonObject()).expect(200);
      assertEquals(Map.of("HeartbeatInterval", "300/ReadWrite", "NumberOfConnectors", "2/ReadOnly"), model(server, "CFG16"));
      api.post("/chargepoints/CFG16/change-configuration", new JsonObject().put("key", "HeartbeatInterval")
          .put("value", "60")).expect(200);
      assertEquals("60/ReadWrite", model(server, "CFG16").get("HeartbeatInterval"), "an accepted change is kept");

      api.post("/chargepoints/CFG201/get-configuration", new JsonObject().put("variables", new JsonArray()
          .add(new JsonObject().put("component", "OCPPCommCtrlr").put("variable", "HeartbeatInterval"))
          .add(new JsonObject().put("component", "OCPPCommCtrlr").put("variable", "Nope")))).expect(200);
      assertEquals(Map.of("HeartbeatInterval", "120/null"), model(server, "CFG201"), "only accepted results are kept");
      api.post("/chargepoints/CFG201/change-configuration", new JsonObject()
          .put("key", "OCPPCommCtrlr/HeartbeatInterval").put("value", "90")).expect(200);
      assertEquals("90/null", model(server, "CFG201").get("HeartbeatInterval"));
    }
  }

  /** Variable to "value/mutability" of a charger's device model. */
  private static Map<String, String> model(TestServer server, String cpId) throws Exception {
    List<Map<String, Object>> rows = server.query("SELECT Variable, Value, Mutability FROM DeviceVariable "
        + "WHERE ChargePointId = ?", cpId);
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    for (Map<String, Object> r : rows) {
      out.put(String.valueOf(r.get("Variable")), r.get("Value") + "/" + r.get("Mutability"));
    }
    return out;
  }
}
