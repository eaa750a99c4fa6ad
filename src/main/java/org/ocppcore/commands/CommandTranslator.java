package org.ocppcore.commands;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.ocppcore.ocpp.OcppVersion;

/**
 * Turns a version-neutral operator intent into the OCPP call of the charger's negotiated version.
 * Pure: no I/O, so every mapping is testable on its own. Request bodies are already validated
 * against the API schema, so fields have the right types here.
 */
public final class CommandTranslator {
  private CommandTranslator() {}

  /** The fixed id of the charging-limit profile (OCPP.Core uses 100 too), so a new limit replaces the old. */
  public static final int LIMIT_PROFILE_ID = 100;

  /** {type: soft|hard} */
  public static OcppCall reset(OcppVersion v, JsonObject req) {
    boolean hard = "hard".equalsIgnoreCase(req.getString("type", "soft"));
    if (v == OcppVersion.V16) {
      return new OcppCall("Reset", new JsonObject().put("type", hard ? "Hard" : "Soft"));
    }
    JsonObject p = new JsonObject().put("type", hard ? "Immediate" : "OnIdle");
    if (req.getInteger("evseId") != null) {
      p.put("evseId", req.getInteger("evseId"));
    }
    return new OcppCall("Reset", p);
  }

  /** {connectorId, evseId?}: on 2.x connectorId alone names the EVSE (its connector 1). */
  public static OcppCall unlock(OcppVersion v, JsonObject req) {
    int connectorId = req.getInteger("connectorId");
    if (v == OcppVersion.V16) {
      return new OcppCall("UnlockConnector", new JsonObject().put("connectorId", connectorId));
    }
    Integer evseId = req.getInteger("evseId");
    return new OcppCall("UnlockConnector", evseId == null
        ? new JsonObject().put("evseId", connectorId).put("connectorId", 1)
        : new JsonObject().put("evseId", evseId).put("connectorId", connectorId));
  }

  /** {idTag, connectorId?}; 2.x needs the server's remoteStartId. */
  public static OcppCall remoteStart(OcppVersion v, JsonObject req, int remoteStartId) {
    String idTag = req.getString("idTag");
    Integer connectorId = req.getInteger("connectorId");
    if (v == OcppVersion.V16) {
      JsonObject p = new JsonObject().put("idTag", idTag);
      if (connectorId != null) {
        p.put("connectorId", connectorId);
      }
      return new OcppCall("RemoteStartTransaction", p);
    }
    JsonObject p = new JsonObject()
        .put("idToken", new JsonObject().put("idToken", idTag).put("type", req.getString("idTokenType", "Central")))
        .put("remoteStartId", remoteStartId);
    if (connectorId != null) {
      p.put("evseId", connectorId);
    }
    return new OcppCall("RequestStartTransaction", p);
  }

  /** A stop of the given transaction: the integer id on 1.6, the charger's transaction id string on 2.x. */
  public static OcppCall remoteStop(OcppVersion v, long transactionId, String uid) {
    if (v == OcppVersion.V16) {
      return new OcppCall("RemoteStopTransaction", new JsonObject().put("transactionId", transactionId));
    }
    return new OcppCall("RequestStopTransaction", new JsonObject().put("transactionId", uid));
  }

  /** {connectorId (0 = whole station), available: boolean} */
  public static OcppCall availability(OcppVersion v, JsonObject req) {
    int connectorId = req.getInteger("connectorId", 0);
    boolean available = req.getBoolean("available");
    if (v == OcppVersion.V16) {
      return new OcppCall("ChangeAvailability", new JsonObject().put("connectorId", connectorId)
          .put("type", available ? "Operative" : "Inoperative"));
    }
    JsonObject p = new JsonObject().put("operationalStatus", available ? "Operative" : "Inoperative");
    if (connectorId > 0) {
      p.put("evse", new JsonObject().put("id", connectorId));
    }
    return new OcppCall("ChangeAvailability", p);
  }

  /**
   * Reading configuration: 1.6 {keys?: [..]}; 2.x {variables: [{component, variable, ...}]} or
   * keys as "Component/Variable" (a 2.x charger without either gets a GetBaseReport
   * ConfigurationInventory instead). A list meant for the other version is refused rather than
   * silently dropped, which would read the whole configuration instead.
   */
  public static OcppCall getConfiguration(OcppVersion v, JsonObject req, int requestId) {
    JsonArray keys = req.getJsonArray("keys");
    JsonArray variables = req.getJsonArray("variables");
    if (v == OcppVersion.V16) {
      if (variables != null && !variables.isEmpty()) {
        throw new CommandException(400, "on OCPP 1.6 give keys (variables are OCPP 2.x component variables)");
      }
      JsonObject p = new JsonObject();
      if (keys != null && !keys.isEmpty()) {
        p.put("key", keys);
      }
      return new OcppCall("GetConfiguration", p);
    }
    if ((variables == null || variables.isEmpty()) && keys != null && !keys.isEmpty()) {
      variables = new JsonArray();
      for (int i = 0; i < keys.size(); i++) {
        variables.add(componentVariable(keys.getString(i)));
      }
    }
    if (variables == null || variables.isEmpty()) {
      return new OcppCall("GetBaseReport", new JsonObject().put("requestId", requestId)
          .put("reportBase", req.getString("reportBase", "ConfigurationInventory")));
    }
    JsonArray data = new JsonArray();
    for (int i = 0; i < variables.size(); i++) {
      data.add(variableRef(variables.getJsonObject(i)));
    }
    return new OcppCall("GetVariables", new JsonObject().put("getVariableData", data));
  }

  /** Changing configuration: 1.6 {key, value}; 2.x {variables: [{component, variable, value, ...}]} or {key, value} as "Component/Variable". */
  public static OcppCall setConfiguration(OcppVersion v, JsonObject req) {
    if (v == OcppVersion.V16) {
      if (req.getString("key") == null) {
        throw new CommandException(400, "on OCPP 1.6 give key and value (variables are OCPP 2.x component variables)");
      }
      return new OcppCall("ChangeConfiguration", new JsonObject().put("key", req.getString("key"))
          .put("value", req.getString("value")));
    }
    JsonArray variables = req.getJsonArray("variables");
    JsonArray data = new JsonArray();
    if (variables == null) {
      variables = new JsonArray().add(componentVariable(req.getString("key")).put("value", req.getString("value")));
    }
    for (int i = 0; i < variables.size(); i++) {
      JsonObject var = variables.getJsonObject(i);
      data.add(variableRef(var).put("attributeValue", var.getString("value")));
    }
    return new OcppCall("SetVariables", new JsonObject().put("setVariableData", data));
  }

  /** "Component/Variable" as {component, variable}: the 2.x form of a 1.6-style configuration key. */
  private static JsonObject componentVariable(String key) {
    String[] parts = key.split("/", 2);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new CommandException(400, "on OCPP 2.x give variables[] or the key as Component/Variable: " + key);
    }
    return new JsonObject().put("component", parts[0]).put("variable", parts[1]);
  }

  private static JsonObject variableRef(JsonObject var) {
    JsonObject component = new JsonObject().put("name", var.getString("component"));
    if (var.getString("componentInstance") != null) {
      component.put("instance", var.getString("componentInstance"));
    }
    if (var.getInteger("evseId") != null) {
      JsonObject evse = new JsonObject().put("id", var.getInteger("evseId"));
      if (var.getInteger("connectorId") != null) {
        evse.put("connectorId", var.getInteger("connectorId"));
      }
      component.put("evse", evse);
    }
    JsonObject variable = new JsonObject().put("name", var.getString("variable"));
    if (var.getString("variableInstance") != null) {
      variable.put("instance", var.getString("variableInstance"));
    }
    JsonObject ref = new JsonObject().put("component", component).put("variable", variable);
    if (var.getString("attributeType") != null) {
      ref.put("attributeType", var.getString("attributeType"));
    }
    return ref;
  }

  /** {message, connectorId?} */
  public static OcppCall trigger(OcppVersion v, JsonObject req) {
    Integer connectorId = req.getInteger("connectorId");
    JsonObject p = new JsonObject().put("requestedMessage", req.getString("message"));
    if (connectorId != null) {
      if (v == OcppVersion.V16) {
        p.put("connectorId", connectorId);
      } else {
        p.put("evse", new JsonObject().put("id", connectorId));
      }
    }
    return new OcppCall("TriggerMessage", p);
  }

  public static OcppCall clearCache() {
    return new OcppCall("ClearCache", new JsonObject());
  }

  /** {vendorId, messageId?, data?} — the same on every version. */
  public static OcppCall dataTransfer(JsonObject req) {
    JsonObject p = new JsonObject().put("vendorId", req.getString("vendorId"));
    if (req.getString("messageId") != null) {
      p.put("messageId", req.getString("messageId"));
    }
    if (req.getValue("data") != null) {
      p.put("data", req.getValue("data") instanceof String s ? s : String.valueOf(req.getValue("data")));
    }
    return new OcppCall("DataTransfer", p);
  }

  /** OCPP.Core's charging limit: a TxDefaultProfile with one period, {connectorId, limit, unit: A|W}. */
  public static OcppCall chargingLimit(OcppVersion v, JsonObject req) {
    int connectorId = req.getInteger("connectorId", 0);
    double limit = req.getDouble("limit");
    String unit = req.getString("unit");
    JsonArray periods = new JsonArray().add(new JsonObject().put("startPeriod", 0).put("limit", limit));
    if (v == OcppVersion.V16) {
      return new OcppCall("SetChargingProfile", new JsonObject().put("connectorId", connectorId)
          .put("csChargingProfiles", new JsonObject()
              .put("chargingProfileId", LIMIT_PROFILE_ID)
              .put("stackLevel", 1)
              .put("chargingProfilePurpose", "TxDefaultProfile")
              .put("chargingProfileKind", "Relative")
              .put("chargingSchedule", new JsonObject().put("chargingRateUnit", unit)
                  .put("chargingSchedulePeriod", periods))));
    }
    return new OcppCall("SetChargingProfile", new JsonObject().put("evseId", connectorId)
        .put("chargingProfile", new JsonObject()
            .put("id", LIMIT_PROFILE_ID)
            .put("stackLevel", 1)
            .put("chargingProfilePurpose", "TxDefaultProfile")
            .put("chargingProfileKind", "Relative")
            .put("chargingSchedule", new JsonArray().add(new JsonObject().put("id", LIMIT_PROFILE_ID)
                .put("chargingRateUnit", unit).put("chargingSchedulePeriod", periods)))));
  }

  /** Removes the charging limit set by {@link #chargingLimit}. */
  public static OcppCall clearChargingLimit(OcppVersion v, int connectorId) {
    if (v == OcppVersion.V16) {
      return new OcppCall("ClearChargingProfile", new JsonObject().put("id", LIMIT_PROFILE_ID)
          .put("connectorId", connectorId).put("chargingProfilePurpose", "TxDefaultProfile").put("stackLevel", 1));
    }
    return new OcppCall("ClearChargingProfile", new JsonObject().put("chargingProfileId", LIMIT_PROFILE_ID));
  }

  /** What the charger will do: GetCompositeSchedule {connectorId, duration seconds, unit?}. */
  public static OcppCall compositeSchedule(OcppVersion v, int connectorId, int duration, String unit) {
    JsonObject p = new JsonObject().put(v == OcppVersion.V16 ? "connectorId" : "evseId", connectorId)
        .put("duration", duration);
    if (unit != null) {
      p.put("chargingRateUnit", unit);
    }
    return new OcppCall("GetCompositeSchedule", p);
  }
}
