package org.ocppcore.domain;

/**
 * One sampled value as stored: every field a charger reports, with the spec's defaults filled in
 * so the stored meaning is explicit. {@code numericValue} is null when the value is not a number
 * (1.6 signed data, which arrives as the value with format SignedData). {@code signedMeterValue}
 * is a 2.x reading's signedMeterValue object as JSON text, kept as sent for the billing proof
 * (German calibration law asks that it can be shown to the driver), or null.
 */
public record MeterSample(int connectorId, Long transactionId, String timestamp, String value, Double numericValue,
    String measurand, String unit, String phase, String location, String context, String format,
    String signedMeterValue) {

  /** A reading without 2.x signed meter data. */
  public MeterSample(int connectorId, Long transactionId, String timestamp, String value, Double numericValue,
      String measurand, String unit, String phase, String location, String context, String format) {
    this(connectorId, transactionId, timestamp, value, numericValue, measurand, unit, phase, location, context, format,
        null);
  }

  /** Identity of a reading: the same reading retried by the charger maps to the same key. */
  public String key() {
    return connectorId + "|" + (transactionId == null ? "" : transactionId) + "|" + timestamp + "|" + measurand + "|"
        + (phase == null ? "" : phase) + "|" + location + "|" + context + "|" + format + "|" + unit;
  }

  /** The same reading on another connector. */
  public MeterSample withConnectorId(int connector) {
    return withTransaction(connector, transactionId);
  }

  /** The same reading, stored for this connector and transaction. */
  public MeterSample withTransaction(int connector, Long transaction) {
    return new MeterSample(connector, transaction, timestamp, value, numericValue, measurand, unit, phase, location,
        context, format, signedMeterValue);
  }
}
