package org.ocppcore.app;

/** Every event-bus address of the server, in one place. */
public final class Addresses {
  private Addresses() {}

  /**
   * Prefix of the cluster-wide address a charger's session consumes: send
   * {@code {"action": A, "payload": {...}, "timeoutSeconds": n?}} and get the charger's CALLRESULT
   * payload as the reply, or a failure whose code is one of {@link StationCallFailure}.
   */
  public static final String STATION_PREFIX = "ocpp.station.";

  /** Published live events: status changes, transactions, meter values, connection changes. */
  public static final String EVENTS_PREFIX = "ocpp.events.";
  public static final String EVENT_CONNECTION = EVENTS_PREFIX + "connection";
  public static final String EVENT_STATUS = EVENTS_PREFIX + "status";
  public static final String EVENT_TRANSACTION = EVENTS_PREFIX + "transaction";
  public static final String EVENT_METER = EVENTS_PREFIX + "meter";

  /** Header on a station-address message that asks the current session to close (takeover). */
  public static final String HEADER_CONTROL = "ocpp-control";
  public static final String CONTROL_TAKEOVER = "takeover";
  /** Control header value asking the session for {@code {"protocol": "ocpp1.6"|...}}. */
  public static final String CONTROL_DESCRIBE = "describe";

  public static String station(String chargePointId) {
    return STATION_PREFIX + chargePointId;
  }
}
