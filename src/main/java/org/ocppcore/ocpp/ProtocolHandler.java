package org.ocppcore.ocpp;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Answers the charger-initiated messages of one OCPP version. Implementations turn a validated
 * request into domain operations and a response; a failed future with an {@link OcppException}
 * becomes that CALLERROR, any other failure an InternalError.
 */
public interface ProtocolHandler {

  OcppVersion version();

  /** Whether this version defines {@code action} as a charger-to-server message we answer. */
  boolean handles(String action);

  /** Answers one CALL; the returned payload is sent only after the data it confirms is committed. */
  Future<JsonObject> handle(StationContext station, String action, JsonObject payload);

  /** What a handler may know and do about the charger it is answering. */
  interface StationContext {
    String chargePointId();

    OcppVersion version();

    /** The registration status the server gives this charger (Accepted, Pending, Rejected). */
    String registrationStatus();

    boolean cutTagAtUnderscore();

    /** Whether the MessageLog's level records this action: build an expensive line only then. */
    boolean logs(String action);

    /** Writes a MessageLog row if the configured level records this action. */
    void log(Integer connectorId, String action, String result, String errorCode);

    /**
     * The payload of the CALL being answered, as the charger sent it (JSON text): to store the
     * message as received. Only while {@link ProtocolHandler#handle} runs, before it returns.
     */
    String payloadText();
  }
}
