package org.ocppcore.ocpp;

/** A failure that is answered to the charger as a CALLERROR with this code. */
public class OcppException extends RuntimeException {
  private final CallErrorCode code;

  public OcppException(CallErrorCode code, String description) {
    super(description, null, false, false);
    this.code = code;
  }

  public CallErrorCode code() {
    return code;
  }
}
