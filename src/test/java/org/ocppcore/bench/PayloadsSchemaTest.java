package org.ocppcore.bench;

import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.ocppcore.ocpp.OcppVersion;
import org.ocppcore.ocpp.SchemaValidator;

/** Every message the load generator sends is valid against the official OCPP schemas. */
class PayloadsSchemaTest {
  private static final SchemaValidator SCHEMAS = SchemaValidator.loadFromClasspath();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long T = 1_800_000_000_000L;

  private static void valid(OcppVersion v, String action, String payload) throws Exception {
    JsonNode node = JSON.readTree(payload);
    SchemaValidator.Violation violation = SCHEMAS.validate(v, action, false, node);
    assertNull(violation, () -> v + " " + action + " " + payload + " => " + violation);
  }

  @Test
  void ocpp16() throws Exception {
    valid(OcppVersion.V16, "BootNotification", Payloads.boot16("CP000001"));
    valid(OcppVersion.V16, "StatusNotification", Payloads.status16(1, "Available", T));
    valid(OcppVersion.V16, "StatusNotification", Payloads.status16(1, "Preparing", T));
    valid(OcppVersion.V16, "Heartbeat", Payloads.heartbeat());
    valid(OcppVersion.V16, "Authorize", Payloads.authorize16());
    valid(OcppVersion.V16, "StartTransaction", Payloads.start16(1, 1234, T));
    valid(OcppVersion.V16, "StopTransaction", Payloads.stop16(42, 5678, T));
    for (int samples : new int[] {1, 10, 25}) {
      valid(OcppVersion.V16, "MeterValues", Payloads.meterValues16(1, 42L, T, samples, 1000));
      valid(OcppVersion.V16, "MeterValues", Payloads.meterValues16(1, null, T, samples, 1000));
    }
  }

  @Test
  void ocpp201() throws Exception {
    valid(OcppVersion.V201, "BootNotification", Payloads.boot201("CP000001"));
    valid(OcppVersion.V201, "StatusNotification", Payloads.status201(1, 1, "Available", T));
    valid(OcppVersion.V201, "StatusNotification", Payloads.status201(1, 1, "Occupied", T));
    valid(OcppVersion.V201, "Heartbeat", Payloads.heartbeat());
    for (String type : new String[] {"Started", "Updated", "Ended"}) {
      valid(OcppVersion.V201, "TransactionEvent", Payloads.transactionEvent201(type, "CP000001-1", 3, T, 10, 1000));
      valid(OcppVersion.V201, "TransactionEvent", Payloads.transactionEvent201(type, "CP000001-1", 3, T, 0, 1000));
    }
    valid(OcppVersion.V201, "MeterValues", Payloads.meterValues201(1, T, 12, 1000));
  }

  @Test
  void answersToServerCalls() throws Exception {
    for (String action : new String[] {"Reset", "ChangeAvailability", "TriggerMessage", "UnlockConnector",
        "GetConfiguration", "ChangeConfiguration", "RemoteStartTransaction", "RemoteStopTransaction", "ClearCache",
        "GetLocalListVersion", "DataTransfer"}) {
      JsonNode node = JSON.readTree(Payloads.answerTo(action, false));
      SchemaValidator.Violation v = SCHEMAS.validate(OcppVersion.V16, action, true, node);
      assertNull(v, () -> action + " => " + v);
    }
    for (String action : new String[] {"Reset", "ChangeAvailability", "TriggerMessage", "UnlockConnector",
        "RequestStartTransaction", "RequestStopTransaction", "ClearCache", "GetLocalListVersion", "GetBaseReport"}) {
      JsonNode node = JSON.readTree(Payloads.answerTo(action, true));
      SchemaValidator.Violation v = SCHEMAS.validate(OcppVersion.V201, action, true, node);
      assertNull(v, () -> action + " (2.0.1) => " + v);
    }
  }
}
