package org.ocppcore.api;

import io.vertx.core.json.JsonObject;
import java.util.List;

/** CSV export of transactions (RFC 4180: comma-separated, quoted where needed, CRLF lines). */
public final class TransactionCsv {
  private TransactionCsv() {}

  public static final List<String> COLUMNS = List.of("transactionId", "chargePointId", "connectorId", "startTagId",
      "startTime", "meterStartWh", "stopTagId", "stopTime", "meterStopWh", "energyKwh", "stopReason", "startResult",
      "uid", "protocol");

  public static String render(List<JsonObject> transactions) {
    StringBuilder sb = new StringBuilder(String.join(",", COLUMNS)).append("\r\n");
    for (JsonObject t : transactions) {
      for (int i = 0; i < COLUMNS.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        Object v = t.getValue(COLUMNS.get(i));
        sb.append(v == null ? "" : quote(String.valueOf(v)));
      }
      sb.append("\r\n");
    }
    return sb.toString();
  }

  private static String quote(String s) {
    // a leading =, +, -, @, tab or CR would be a formula in a spreadsheet (OWASP CSV injection):
    // prefix it so it stays text
    String safe = !s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0 && !s.matches("-?\\d+(\\.\\d+)?") ? "'" + s : s;
    if (safe.contains(",") || safe.contains("\"") || safe.contains("\n") || safe.contains("\r")) {
      return "\"" + safe.replace("\"", "\"\"") + "\"";
    }
    return safe;
  }
}
