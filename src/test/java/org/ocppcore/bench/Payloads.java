package org.ocppcore.bench;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The OCPP payloads the simulated chargers send, built as text (no JSON tree: the generator shares
 * the machine with the server, so it must be cheap). Every payload is valid against the official
 * 1.6 / 2.0.1 schemas ({@code PayloadsSchemaTest}).
 */
final class Payloads {
  private Payloads() {}

  static final String TAG = "BENCHTAG";
  /** Every charge point's password with --basic-auth (16–40 characters, as OCPP asks). */
  static final String PASSWORD = "bench-password-0123456789";
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** One kind of sampled value: measurand, phase (or null), unit, location (or null) and a base value. */
  private record Kind(String measurand, String phase, String unit, String location, double base) {}

  /** Ten realistic samples of a three-phase AC charge; more are made by repeating with new timestamps. */
  private static final Kind[] KINDS = {
      new Kind("Energy.Active.Import.Register", null, "Wh", null, 0),
      new Kind("Power.Active.Import", null, "W", null, 11000),
      new Kind("Current.Import", "L1", "A", null, 16),
      new Kind("Current.Import", "L2", "A", null, 16),
      new Kind("Current.Import", "L3", "A", null, 16),
      new Kind("Voltage", "L1-N", "V", null, 230),
      new Kind("Voltage", "L2-N", "V", null, 231),
      new Kind("Voltage", "L3-N", "V", null, 229),
      new Kind("Current.Offered", null, "A", null, 16),
      new Kind("SoC", null, "Percent", "EV", 40),
  };

  static String time(long epochMillis) {
    return ISO.format(Instant.ofEpochMilli(epochMillis));
  }

  // ------------------------------------------------------------------ OCPP 1.6

  static String boot16(String id) {
    return "{\"chargePointVendor\":\"OcppCoreBench\",\"chargePointModel\":\"SimCharger\",\"chargePointSerialNumber\":\""
        + id + "\",\"firmwareVersion\":\"1.0.0\"}";
  }

  static String status16(int connectorId, String status, long epochMillis) {
    return "{\"connectorId\":" + connectorId + ",\"errorCode\":\"NoError\",\"status\":\"" + status
        + "\",\"timestamp\":\"" + time(epochMillis) + "\"}";
  }

  static String heartbeat() {
    return "{}";
  }

  static String authorize16() {
    return "{\"idTag\":\"" + TAG + "\"}";
  }

  static String start16(int connectorId, long meterStartWh, long epochMillis) {
    return "{\"connectorId\":" + connectorId + ",\"idTag\":\"" + TAG + "\",\"meterStart\":" + meterStartWh
        + ",\"timestamp\":\"" + time(epochMillis) + "\"}";
  }

  static String stop16(long transactionId, long meterStopWh, long epochMillis) {
    return "{\"transactionId\":" + transactionId + ",\"idTag\":\"" + TAG + "\",\"meterStop\":" + meterStopWh
        + ",\"timestamp\":\"" + time(epochMillis) + "\",\"reason\":\"Local\"}";
  }

  /**
   * MeterValues with {@code samples} sampled values: groups of up to ten per meterValue entry, each
   * entry one millisecond after the previous, so that every sample has its own identity (the
   * server ignores a sample it already stored).
   */
  static String meterValues16(int connectorId, Long transactionId, long epochMillis, int samples, long energyWh) {
    StringBuilder sb = new StringBuilder(96 + samples * 110);
    sb.append("{\"connectorId\":").append(connectorId);
    if (transactionId != null) {
      sb.append(",\"transactionId\":").append(transactionId);
    }
    sb.append(",\"meterValue\":[");
    int done = 0;
    for (int entry = 0; done < samples; entry++) {
      if (entry > 0) {
        sb.append(',');
      }
      sb.append("{\"timestamp\":\"").append(time(epochMillis + entry)).append("\",\"sampledValue\":[");
      for (int k = 0; k < KINDS.length && done < samples; k++, done++) {
        Kind kind = KINDS[k];
        if (k > 0) {
          sb.append(',');
        }
        sb.append("{\"value\":\"").append(value16(kind, energyWh, done)).append("\",\"context\":\"Sample.Periodic\"")
            .append(",\"measurand\":\"").append(kind.measurand).append('"');
        if (kind.phase != null) {
          sb.append(",\"phase\":\"").append(kind.phase).append('"');
        }
        if (kind.location != null) {
          sb.append(",\"location\":\"").append(kind.location).append('"');
        }
        sb.append(",\"unit\":\"").append(kind.unit).append("\"}");
      }
      sb.append("]}");
    }
    return sb.append("]}").toString();
  }

  private static String value16(Kind kind, long energyWh, int n) {
    if (kind.base == 0) {
      return Long.toString(energyWh);
    }
    // a little variation, one decimal
    double v = kind.base + (n % 7) * 0.1;
    return Double.toString(Math.round(v * 10) / 10.0);
  }

  // ------------------------------------------------------------------ OCPP 2.0.1

  static String boot201(String id) {
    return "{\"reason\":\"PowerUp\",\"chargingStation\":{\"model\":\"SimCharger\",\"vendorName\":\"OcppCoreBench\","
        + "\"serialNumber\":\"" + id + "\",\"firmwareVersion\":\"1.0.0\"}}";
  }

  static String status201(int evseId, int connectorId, String status, long epochMillis) {
    return "{\"timestamp\":\"" + time(epochMillis) + "\",\"connectorStatus\":\"" + status + "\",\"evseId\":" + evseId
        + ",\"connectorId\":" + connectorId + "}";
  }

  /** The 2.0.1 meterValue array: {@code samples} sampled values in entries of up to ten. */
  static void meterValue201(StringBuilder sb, long epochMillis, int samples, long energyWh, String context) {
    sb.append('[');
    int done = 0;
    for (int entry = 0; done < samples; entry++) {
      if (entry > 0) {
        sb.append(',');
      }
      sb.append("{\"timestamp\":\"").append(time(epochMillis + entry)).append("\",\"sampledValue\":[");
      for (int k = 0; k < KINDS.length && done < samples; k++, done++) {
        Kind kind = KINDS[k];
        if (k > 0) {
          sb.append(',');
        }
        sb.append("{\"value\":").append(value16(kind, energyWh, done)).append(",\"context\":\"").append(context)
            .append("\",\"measurand\":\"").append(kind.measurand).append('"');
        if (kind.phase != null) {
          sb.append(",\"phase\":\"").append(kind.phase).append('"');
        }
        if (kind.location != null) {
          sb.append(",\"location\":\"").append(kind.location).append('"');
        }
        sb.append(",\"unitOfMeasure\":{\"unit\":\"").append(kind.unit).append("\"}}");
      }
      sb.append("]}");
    }
    sb.append(']');
  }

  /**
   * A TransactionEvent: {@code Started} (with the idToken and the start register), {@code Updated}
   * (periodic samples) or {@code Ended}.
   */
  static String transactionEvent201(String eventType, String transactionId, int seqNo, long epochMillis, int samples,
      long energyWh) {
    StringBuilder sb = new StringBuilder(256 + samples * 120);
    String trigger = switch (eventType) {
      case "Started" -> "Authorized";
      case "Ended" -> "StopAuthorized";
      default -> "MeterValuePeriodic";
    };
    sb.append("{\"eventType\":\"").append(eventType).append("\",\"timestamp\":\"").append(time(epochMillis))
        .append("\",\"triggerReason\":\"").append(trigger).append("\",\"seqNo\":").append(seqNo)
        .append(",\"transactionInfo\":{\"transactionId\":\"").append(transactionId).append('"');
    if ("Ended".equals(eventType)) {
      sb.append(",\"stoppedReason\":\"Local\"");
    } else {
      sb.append(",\"chargingState\":\"Charging\"");
    }
    sb.append('}');
    if ("Started".equals(eventType)) {
      sb.append(",\"idToken\":{\"idToken\":\"").append(TAG).append("\",\"type\":\"ISO14443\"}")
          .append(",\"evse\":{\"id\":1,\"connectorId\":1}");
    }
    if (samples > 0) {
      sb.append(",\"meterValue\":");
      String context = switch (eventType) {
        case "Started" -> "Transaction.Begin";
        case "Ended" -> "Transaction.End";
        default -> "Sample.Periodic";
      };
      meterValue201(sb, epochMillis, samples, energyWh, context);
    }
    return sb.append('}').toString();
  }

  /** A 2.0.1 MeterValues (outside a transaction, or when a charger sends them separately). */
  static String meterValues201(int evseId, long epochMillis, int samples, long energyWh) {
    StringBuilder sb = new StringBuilder(64 + samples * 120);
    sb.append("{\"evseId\":").append(evseId).append(",\"meterValue\":");
    meterValue201(sb, epochMillis, samples, energyWh, "Sample.Periodic");
    return sb.append('}').toString();
  }

  // ------------------------------------------------------------------ answers to server calls

  /** A plausible CALLRESULT payload for a server-initiated call (1.6 and 2.0.1 action names). */
  static String answerTo(String action, boolean v2) {
    return switch (action) {
      case "GetConfiguration" -> "{\"configurationKey\":[],\"unknownKey\":[]}";
      case "GetLocalListVersion" -> v2 ? "{\"versionNumber\":0}" : "{\"listVersion\":0}";
      case "GetDiagnostics", "ClearedChargingLimit", "CostUpdated", "SetVariableMonitoring", "NotifyEVChargingNeeds" ->
          "{}";
      case "UnlockConnector" -> "{\"status\":\"Unlocked\"}";
      case "GetCompositeSchedule" -> "{\"status\":\"Rejected\"}";
      case "TriggerMessage", "Reset", "ChangeAvailability", "ChangeConfiguration", "ClearCache", "DataTransfer",
          "RemoteStartTransaction", "RemoteStopTransaction", "RequestStartTransaction", "RequestStopTransaction",
          "SetChargingProfile", "ClearChargingProfile", "ReserveNow", "CancelReservation", "SendLocalList",
          "UpdateFirmware", "GetLog", "SetNetworkProfile", "CertificateSigned", "InstallCertificate",
          "DeleteCertificate", "ExtendedTriggerMessage", "SignedUpdateFirmware" -> "{\"status\":\"Accepted\"}";
      default -> "{\"status\":\"Accepted\"}";
    };
  }
}
