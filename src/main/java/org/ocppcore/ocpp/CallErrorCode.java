package org.ocppcore.ocpp;

/**
 * CALLERROR codes of OCPP-J. 1.6 keeps its two historic misspellings on the wire
 * (J16 errata 5.1-5.2: "known issues that will not be fixed"); 2.x uses the corrected names.
 */
public enum CallErrorCode {
  NOT_IMPLEMENTED("NotImplemented", "NotImplemented"),
  NOT_SUPPORTED("NotSupported", "NotSupported"),
  INTERNAL_ERROR("InternalError", "InternalError"),
  PROTOCOL_ERROR("ProtocolError", "ProtocolError"),
  SECURITY_ERROR("SecurityError", "SecurityError"),
  FORMAT_VIOLATION("FormationViolation", "FormatViolation"),
  PROPERTY_CONSTRAINT_VIOLATION("PropertyConstraintViolation", "PropertyConstraintViolation"),
  OCCURRENCE_CONSTRAINT_VIOLATION("OccurenceConstraintViolation", "OccurrenceConstraintViolation"),
  TYPE_CONSTRAINT_VIOLATION("TypeConstraintViolation", "TypeConstraintViolation"),
  GENERIC_ERROR("GenericError", "GenericError"),
  /** 2.x only; on 1.6 the closest code is GenericError (for an unreadable frame: FormationViolation). */
  RPC_FRAMEWORK_ERROR("FormationViolation", "RpcFrameworkError"),
  /** 2.0.1 only (2.1 and 1.6 ignore unknown message types). */
  MESSAGE_TYPE_NOT_SUPPORTED("NotImplemented", "MessageTypeNotSupported");

  private final String v16;
  private final String v2x;

  CallErrorCode(String v16, String v2x) {
    this.v16 = v16;
    this.v2x = v2x;
  }

  /** The spelling to send on a connection of the given version. */
  public String wireName(OcppVersion version) {
    return version.is2x() ? v2x : v16;
  }

  /** Parses a code received from a charger; accepts both spellings of every code. */
  public static CallErrorCode parse(String wire) {
    if (wire != null) {
      for (CallErrorCode c : values()) {
        if (c.v2x.equals(wire) || c.v16.equals(wire)) {
          return c;
        }
      }
    }
    return GENERIC_ERROR;
  }
}
