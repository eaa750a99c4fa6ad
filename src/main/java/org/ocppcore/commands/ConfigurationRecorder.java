package org.ocppcore.commands;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.ocppcore.store.Ocpp2Store;
import org.ocppcore.store.Ocpp2Store.DeviceVariable;

/**
 * Keeps the device model in step with configuration commands: what a charger answers to
 * GetConfiguration / GetVariables, and what it accepted in ChangeConfiguration / SetVariables.
 * OCPP 1.6 keys have no component; they are stored under the component {@value #COMPONENT_16}.
 */
final class ConfigurationRecorder {
  static final String COMPONENT_16 = "Configuration";

  private final Ocpp2Store store;

  ConfigurationRecorder(Ocpp2Store store) {
    this.store = store;
  }

  /** Records what the answer to one command says about the configuration; other actions are ignored. */
  Future<Void> record(String cpId, OcppCall call, JsonObject response) {
    List<DeviceVariable> values = switch (call.action()) {
      case "GetConfiguration" -> configurationKeys(response.getJsonArray("configurationKey", new JsonArray()));
      case "ChangeConfiguration" -> "Accepted".equals(response.getString("status"))
          || "RebootRequired".equals(response.getString("status"))
          ? List.of(key16(call.payload().getString("key"), call.payload().getString("value"), null)) : List.of();
      case "GetVariables" -> variables(response.getJsonArray("getVariableResult", new JsonArray()), null);
      case "SetVariables" -> variables(response.getJsonArray("setVariableResult", new JsonArray()),
          call.payload().getJsonArray("setVariableData", new JsonArray()));
      default -> List.of();
    };
    return store.recordValues(cpId, values);
  }

  private static List<DeviceVariable> configurationKeys(JsonArray keys) {
    List<DeviceVariable> out = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      JsonObject k = keys.getJsonObject(i);
      out.add(key16(k.getString("key"), k.getString("value"), k.getBoolean("readonly", false) ? "ReadOnly" : "ReadWrite"));
    }
    return out;
  }

  private static DeviceVariable key16(String key, String value, String mutability) {
    return new DeviceVariable(COMPONENT_16, "", 0, 0, key, "", "Actual", value, mutability, null, null, null, null, null,
        null, null, null);
  }

  /**
   * 2.x results: Accepted (or RebootRequired) items only; a Get result carries its value, a Set
   * result takes the value from the request item of the same component/variable/attribute.
   */
  private static List<DeviceVariable> variables(JsonArray results, JsonArray requests) {
    List<DeviceVariable> out = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) {
      JsonObject r = results.getJsonObject(i);
      String status = r.getString("attributeStatus");
      if (!"Accepted".equals(status) && !"RebootRequired".equals(status)) {
        continue;
      }
      String value = r.getString("attributeValue");
      if (requests != null) {
        value = null;
        for (int j = 0; j < requests.size(); j++) {
          JsonObject q = requests.getJsonObject(j);
          if (sameVariable(q, r)) {
            value = q.getString("attributeValue");
          }
        }
      }
      if (value == null) {
        continue;
      }
      JsonObject component = r.getJsonObject("component");
      JsonObject evse = component.getJsonObject("evse");
      JsonObject variable = r.getJsonObject("variable");
      out.add(new DeviceVariable(component.getString("name"), component.getString("instance", ""),
          evse == null ? 0 : evse.getInteger("id"), evse == null ? 0 : evse.getInteger("connectorId", 0),
          variable.getString("name"), variable.getString("instance", ""), r.getString("attributeType", "Actual"), value,
          null, null, null, null, null, null, null, null, null));
    }
    return out;
  }

  private static boolean sameVariable(JsonObject a, JsonObject b) {
    return a.getJsonObject("component").equals(b.getJsonObject("component"))
        && a.getJsonObject("variable").equals(b.getJsonObject("variable"))
        && a.getString("attributeType", "Actual").equals(b.getString("attributeType", "Actual"));
  }
}
