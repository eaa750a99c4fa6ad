package org.ocppcore.domain;

/** What the gateway needs to know of a charge point to admit its connection. */
public record ChargePointRecord(String id, String passwordHash, String clientCertThumb, String registrationStatus,
    boolean cutTagAtUnderscore) {

  public boolean accepted() {
    return "Accepted".equals(registrationStatus);
  }
}
