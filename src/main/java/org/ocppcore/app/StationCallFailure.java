package org.ocppcore.app;

/**
 * Failure codes of a request to {@code ocpp.station.<id>} (the {@code ReplyException} failure code).
 * They double as the HTTP status the REST API answers with. An offline charger shows up as the
 * event bus's own NO_HANDLERS failure.
 */
public final class StationCallFailure {
  private StationCallFailure() {}

  /** The request was malformed: unknown action for the charger's version or a schema violation. */
  public static final int BAD_REQUEST = 400;
  /** The charger answered with a CALLERROR; the message is JSON {errorCode, errorDescription, errorDetails}. */
  public static final int CALL_ERROR = 502;
  /** The session closed before the charger answered. */
  public static final int SESSION_CLOSED = 503;
  /** The charger did not answer in time. */
  public static final int TIMEOUT = 504;
}
