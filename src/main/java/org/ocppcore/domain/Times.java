package org.ocppcore.domain;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** Time handling: every stored time is UTC ISO-8601 with milliseconds, so text order is time order. */
public final class Times {
  private Times() {}

  private static final DateTimeFormatter STORED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  public static String format(Instant t) {
    return t == null ? null : STORED.format(t.truncatedTo(ChronoUnit.MILLIS));
  }

  public static String now() {
    return format(Instant.now());
  }

  /** Parses a charger's ISO-8601 timestamp (offsets and fractions allowed); null when absent or unreadable. */
  public static Instant parse(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      try {
        // some chargers omit the offset: the spec says UTC
        return java.time.LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  /** Normalises a charger timestamp for storage; falls back to the receive time. */
  public static String normalize(String text) {
    Instant t = parse(text);
    return format(t == null ? Instant.now() : t);
  }
}
