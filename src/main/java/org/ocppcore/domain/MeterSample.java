package org.ocppcore.domain;

/**
 * One sampled value as stored: every field a charger reports, with the spec's defaults filled in
 * so the stored meaning is explicit. {@code numericValue} is null when the value is not a number
 * (signed data).
 */
public record MeterSample(int connectorId, Long transactionId, String timestamp, String value, Double numericValue,
    String measurand, String unit, String phase, String location, String context, String format) {

  /** Identity of a reading: the same reading retried by the charger maps to the same key. */
  public String key() {
    return connectorId + "|" + (transactionId == null ? "" : transactionId) + "|" + timestamp + "|" + measurand + "|"
        + (phase == null ? "" : phase) + "|" + location + "|" + context + "|" + format + "|" + unit;
  }
}
