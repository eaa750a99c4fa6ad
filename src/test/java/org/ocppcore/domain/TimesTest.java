package org.ocppcore.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written fast paths of {@link Times} agree with java.time on every input. */
class TimesTest {
  private static final DateTimeFormatter STORED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Test
  void parsingAndFormattingAgreeWithJavaTime() {
    Random random = new Random(42);
    for (int i = 0; i < 50_000; i++) {
      Instant t = Instant.ofEpochSecond(random.nextLong(-62_000_000_000L, 253_402_300_799L), random.nextInt(1_000_000_000));
      assertEquals(STORED.format(t.truncatedTo(ChronoUnit.MILLIS)), Times.format(t), t.toString());
      String iso = DateTimeFormatter.ISO_INSTANT.format(t); // 0, 3, 6 or 9 fraction digits
      String[] forms = {iso, STORED.format(t), iso.replace("Z", "+00:00"), cut(iso, random)};
      for (String text : forms) {
        assertEquals(Times.parseWithJavaTime(text), Times.parse(text), text);
        Instant parsed = Times.parseWithJavaTime(text);
        assertEquals(parsed == null ? null : Times.format(parsed), text == null ? null : normalizeOrNull(text), text);
      }
    }
  }

  /** A text with a fraction of 1..9 digits, sometimes with one character replaced. */
  private static String cut(String iso, Random random) {
    String base = iso.contains(".") ? iso.substring(0, iso.indexOf('.')) : iso.substring(0, iso.length() - 1);
    String text = base + "." + "123456789".substring(0, 1 + random.nextInt(9)) + "Z";
    if (random.nextInt(4) == 0) {
      int at = random.nextInt(text.length());
      char[] c = text.toCharArray();
      c[at] = "0123456789:-T.Zx9".charAt(random.nextInt(17));
      text = new String(c);
    }
    return text;
  }

  private static String normalizeOrNull(String text) {
    return Times.parse(text) == null ? null : Times.normalize(text);
  }

  @Test
  void impossibleDatesAndOtherFormsAreNotTakenByTheFastPath() {
    for (String text : new String[] {"2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z",
        "2026-01-01T23:60:00Z", "2026-01-01T23:59:60Z", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00.1234567890Z",
        "2026-01-01 00:00:00Z", "+2026-01-01T00:00:00Z", "2026-1-01T00:00:00Z", "2026-01-01T00:00:00z"}) {
      assertNull(Times.parseUtc(text), text);
      assertEquals(Times.parseWithJavaTime(text), Times.parse(text), text);
    }
    assertEquals(Instant.parse("2024-02-29T12:34:56.789Z"), Times.parseUtc("2024-02-29T12:34:56.789Z"));
  }

  @Test
  void aStoredFormTimestampIsKeptAsItIs() {
    String stored = "2026-11-26T02:03:04.005Z";
    assertSame(stored, Times.normalize(stored));
    assertEquals("2026-11-26T02:03:04.000Z", Times.normalize("2026-11-26T02:03:04Z"));
    assertEquals("2026-11-26T01:03:04.120Z", Times.normalize("2026-11-26T02:03:04.12+01:00"));
  }
}
