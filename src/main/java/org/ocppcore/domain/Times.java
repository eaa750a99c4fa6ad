package org.ocppcore.domain;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Time handling: every stored time is UTC ISO-8601 with milliseconds, so text order is time order.
 * The common UTC form ({@code 2026-01-01T00:00:00.000Z}, any fraction or none) is read and written
 * by hand: every MeterValues parses and formats its timestamps, and java.time's formatters were
 * ~12 % of the server's Java CPU under ingest (docs/benchmarks.md). Anything else goes through
 * java.time; both paths give the same result (tested).
 */
public final class Times {
  private Times() {}

  private static final DateTimeFormatter STORED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  public static String format(Instant t) {
    if (t == null) {
      return null;
    }
    LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), ZoneOffset.UTC);
    if (d.getYear() < 1 || d.getYear() > 9999) {
      return STORED.format(t.truncatedTo(ChronoUnit.MILLIS));
    }
    char[] c = new char[24];
    put(c, 0, d.getYear(), 4);
    c[4] = '-';
    put(c, 5, d.getMonthValue(), 2);
    c[7] = '-';
    put(c, 8, d.getDayOfMonth(), 2);
    c[10] = 'T';
    put(c, 11, d.getHour(), 2);
    c[13] = ':';
    put(c, 14, d.getMinute(), 2);
    c[16] = ':';
    put(c, 17, d.getSecond(), 2);
    c[19] = '.';
    put(c, 20, d.getNano() / 1_000_000, 3);
    c[23] = 'Z';
    return new String(c);
  }

  public static String now() {
    return format(Instant.now());
  }

  /** Parses a charger's ISO-8601 timestamp (offsets and fractions allowed); null when absent or unreadable. */
  public static Instant parse(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    Instant fast = parseUtc(text);
    return fast != null ? fast : parseWithJavaTime(text);
  }

  /** Any ISO-8601 form java.time reads, with or without an offset; null when it reads none. */
  static Instant parseWithJavaTime(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      try {
        // some chargers omit the offset: the spec says UTC
        return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  /** Normalises a charger timestamp for storage; falls back to the receive time. */
  public static String normalize(String text) {
    if (text != null && text.length() == 24 && text.charAt(19) == '.' && parseUtc(text) != null) {
      return text; // already in the stored form
    }
    Instant t = parse(text);
    return format(t == null ? Instant.now() : t);
  }

  /**
   * {@code yyyy-MM-ddTHH:mm:ss[.fraction]Z} read by hand; null for any other form or an impossible
   * date, which then takes the java.time path (and its verdict).
   */
  static Instant parseUtc(String t) {
    int n = t.length();
    if (n < 20 || n > 30 || t.charAt(n - 1) != 'Z' || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T'
        || t.charAt(13) != ':' || t.charAt(16) != ':') {
      return null;
    }
    int year = digits(t, 0, 4);
    int month = digits(t, 5, 2);
    int day = digits(t, 8, 2);
    int hour = digits(t, 11, 2);
    int minute = digits(t, 14, 2);
    int second = digits(t, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
        || second < 0 || second > 59) {
      return null;
    }
    int nanos = 0;
    if (n > 20) {
      int fraction = n - 21; // between '.' and 'Z'
      if (t.charAt(19) != '.' || fraction < 1 || fraction > 9) {
        return null;
      }
      int f = digits(t, 20, fraction);
      if (f < 0) {
        return null;
      }
      nanos = f;
      for (int i = fraction; i < 9; i++) {
        nanos *= 10;
      }
    }
    long epochDay;
    try {
      epochDay = LocalDate.of(year, month, day).toEpochDay();
    } catch (DateTimeException impossible) {
      return null; // 30 February and the like
    }
    return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
  }

  /** The decimal number of {@code count} digits at {@code from}, or -1 if one is not a digit. */
  private static int digits(String t, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char ch = t.charAt(i);
      if (ch < '0' || ch > '9') {
        return -1;
      }
      v = v * 10 + (ch - '0');
    }
    return v;
  }

  private static void put(char[] c, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      c[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}
