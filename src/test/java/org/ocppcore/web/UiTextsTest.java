package org.ocppcore.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The message bundles: both languages complete, every key a page uses exists, no dead texts. */
class UiTextsTest {
  private static final Path BASE = Path.of(System.getProperty("basedir", "."));
  private static final Path TEMPLATES = BASE.resolve("src/main/resources/ui-templates");
  private static final Path SOURCES = BASE.resolve("src/main/java/org/ocppcore/web");
  private static final Path SCRIPT = BASE.resolve("webroot/app.js");
  /** Statuses a charger may report (1.6 and 2.x): each has a text. */
  private static final List<String> STATUSES = List.of("Available", "Preparing", "Charging", "SuspendedEV",
      "SuspendedEVSE", "Finishing", "Reserved", "Unavailable", "Faulted", "Occupied", "Unknown");

  private final I18n i18n = I18n.load();

  @Test
  void englishAndGermanHaveTheSameKeysAndNoEmptyText() {
    Map<String, String> en = i18n.bundle("en");
    Map<String, String> de = i18n.bundle("de");
    Set<String> onlyEn = new TreeSet<>(en.keySet());
    onlyEn.removeAll(de.keySet());
    Set<String> onlyDe = new TreeSet<>(de.keySet());
    onlyDe.removeAll(en.keySet());
    assertTrue(onlyEn.isEmpty(), "missing in German: " + onlyEn);
    assertTrue(onlyDe.isEmpty(), "missing in English: " + onlyDe);
    for (String lang : I18n.LANGUAGES) {
      i18n.bundle(lang).forEach((k, v) -> assertFalse(v.isBlank(), lang + " " + k + " is empty"));
    }
    // the same placeholders in both languages
    Pattern arg = Pattern.compile("\\{[0-9a-z]+}");
    for (String key : en.keySet()) {
      assertEquals(placeholders(arg, en.get(key)), placeholders(arg, de.get(key)), "placeholders of " + key);
    }
    // a pattern with placeholders goes through MessageFormat, which eats a lone apostrophe
    Pattern loneQuote = Pattern.compile("(?<!')'(?!')");
    for (String lang : I18n.LANGUAGES) {
      i18n.bundle(lang).forEach((k, v) -> assertFalse(arg.matcher(v).find() && loneQuote.matcher(v).find(),
          lang + " " + k + ": write '' for an apostrophe in a text with placeholders: " + v));
    }
    long untranslated = en.keySet().stream().filter(k -> en.get(k).equals(de.get(k))).count();
    assertTrue(untranslated < 25, untranslated + " texts are the same in both languages");
  }

  private static Set<String> placeholders(Pattern p, String text) {
    Set<String> out = new TreeSet<>();
    Matcher m = p.matcher(text);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  private static List<Path> files(Path dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(suffix)).toList();
    }
  }

  /** Every key a template or page names literally: t("key"), r.t("key"), UiException(..., "key"). */
  private static Set<String> literalKeys() throws IOException {
    Set<String> keys = new TreeSet<>();
    Pattern template = Pattern.compile("\\bt\\(\"([a-zA-Z0-9_.-]+)\"");
    for (Path p : files(TEMPLATES, ".ftlh")) {
      collect(template, Files.readString(p, StandardCharsets.UTF_8), keys);
    }
    Pattern java = Pattern.compile("(?:\\bt\\(|new UiException\\(\\d+, )\"([a-zA-Z0-9_.-]+)\"");
    for (Path p : files(SOURCES, ".java")) {
      collect(java, Files.readString(p, StandardCharsets.UTF_8), keys);
    }
    collect(Pattern.compile("tr\\('([a-zA-Z0-9_.-]+)'"), Files.readString(SCRIPT, StandardCharsets.UTF_8), keys);
    return keys;
  }

  private static void collect(Pattern p, String text, Set<String> into) {
    Matcher m = p.matcher(text);
    while (m.find()) {
      // a key has a dot and does not end with one ("command." + name is a dynamic key)
      if (m.group(1).contains(".") && !m.group(1).endsWith(".")) {
        into.add(m.group(1));
      }
    }
  }

  /** Every quoted literal of the pages' sources, templates and script (a key passed around before t()). */
  private static Set<String> quotedLiterals() throws IOException {
    Set<String> out = new TreeSet<>();
    Pattern quoted = Pattern.compile("[\"']([a-zA-Z0-9_-]+\\.[a-zA-Z0-9_.-]+)[\"']");
    List<Path> all = new ArrayList<>(files(TEMPLATES, ".ftlh"));
    all.addAll(files(SOURCES, ".java"));
    all.add(SCRIPT);
    for (Path p : all) {
      collect(quoted, Files.readString(p, StandardCharsets.UTF_8), out);
    }
    return out;
  }

  /** Keys built at run time: a fixed prefix and one of a known set of values. */
  private static Set<String> dynamicKeys() {
    Set<String> keys = new TreeSet<>();
    CommandPages.COMMANDS.forEach(c -> keys.add("command." + c));
    ChargePointPages.REGISTRATION.forEach(s -> keys.add("registration." + s));
    I18n.LANGUAGES.forEach(l -> keys.add("lang." + l));
    STATUSES.forEach(s -> keys.add("status." + s));
    List.of("name", "comment", "parentTagId", "tagId").forEach(f -> keys.add("field." + f));
    keys.addAll(List.of("diagnostics.anomaly.offlineWithTransaction", "diagnostics.anomaly.faulted",
        "diagnostics.anomaly.availableWithTransaction"));
    return keys;
  }

  @Test
  void everyKeyThePagesUseExists() throws Exception {
    Set<String> used = literalKeys();
    used.addAll(dynamicKeys());
    assertTrue(used.size() > 200, "the scan found " + used.size() + " keys");
    List<String> missing = new ArrayList<>();
    for (String key : used) {
      if (!i18n.bundle("en").containsKey(key)) {
        missing.add(key);
      }
    }
    assertTrue(missing.isEmpty(), "used but not in the bundles: " + missing);
  }

  @Test
  void everyTextIsUsed() throws Exception {
    Set<String> used = new HashSet<>(quotedLiterals());
    used.addAll(dynamicKeys());
    Set<String> unused = new TreeSet<>(i18n.bundle("en").keySet());
    unused.removeAll(used);
    // the page script takes these from the bundle as a whole (I18n.scriptMessages)
    unused.removeIf(k -> k.startsWith("js.") || k.startsWith("status."));
    assertTrue(unused.isEmpty(), "texts nothing uses: " + unused);
  }

  @Test
  void theBrowsersLanguageIsChosenByWeight() {
    assertEquals("de", I18n.fromAcceptLanguage("de-DE,de;q=0.9,en;q=0.8"));
    assertEquals("en", I18n.fromAcceptLanguage("en-GB,de;q=0.5"));
    assertEquals("de", I18n.fromAcceptLanguage("fr-CH, fr;q=0.9, de;q=0.8, en;q=0.7"));
    assertEquals("en", I18n.fromAcceptLanguage("fr, es"));
    assertEquals("en", I18n.fromAcceptLanguage(null));
    assertEquals("en", I18n.fromAcceptLanguage(";;;garbage==="));
  }

  @Test
  void anUnknownKeyFailsInsteadOfShippingSilently() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> i18n.text("de", "no.such.key"));
    assertTrue(e.getMessage().contains("no.such.key"));
    assertEquals("Ladepunkt CP1 gelöscht.", i18n.text("de", "chargepoint.deleted", "CP1"));
  }
}
