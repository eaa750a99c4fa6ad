package org.ocppcore.web;

import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * A table to export: header texts and rows of cells, each a {@link String}, a {@link Number}, an
 * {@link Instant} or null. Written as CSV ({@link #csv}) or as an Excel workbook ({@link Xlsx}).
 */
record Table(String sheetName, List<String> headers, List<List<Object>> rows) {
  private static final DateTimeFormatter CSV_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  /**
   * CSV the way a spreadsheet of that language opens it: English with commas and decimal points,
   * German with semicolons and decimal commas. UTF-8 with a byte-order mark (so Excel reads it as
   * UTF-8), CRLF lines, times in the given zone. Text that a spreadsheet would run as a formula
   * (leading = + - @, tab or CR) is prefixed with an apostrophe.
   */
  String csv(String lang, ZoneId zone) {
    boolean de = "de".equals(lang);
    char sep = de ? ';' : ',';
    DecimalFormat number = new DecimalFormat("0.###", DecimalFormatSymbols.getInstance(de ? Locale.GERMAN : Locale.ENGLISH));
    StringBuilder sb = new StringBuilder("\uFEFF");
    line(sb, headers.stream().map(h -> (Object) h).toList(), sep, number, zone);
    for (List<Object> row : rows) {
      line(sb, row, sep, number, zone);
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<Object> cells, char sep, DecimalFormat number, ZoneId zone) {
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        sb.append(sep);
      }
      Object v = cells.get(i);
      String text;
      if (v == null) {
        text = "";
      } else if (v instanceof Number n) {
        text = number.format(n.doubleValue());
      } else if (v instanceof Instant t) {
        text = CSV_TIME.format(t.atZone(zone));
      } else {
        text = neutralized(v.toString());
      }
      if (text.indexOf(sep) >= 0 || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
        text = "\"" + text.replace("\"", "\"\"") + "\"";
      }
      sb.append(text);
    }
    sb.append("\r\n");
  }

  /** OWASP CSV injection: a cell starting with = + - @ (or tab, CR) is shown as text, not evaluated. */
  static String neutralized(String s) {
    return !s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0 ? "'" + s : s;
  }
}
