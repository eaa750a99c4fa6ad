package org.ocppcore.web;

import io.vertx.core.http.Cookie;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The UI's languages: English and German message bundles ({@code i18n/messages_<lang>.properties},
 * UTF-8), and the choice of language per request: the {@code lang} cookie (set by the switcher),
 * else the browser's Accept-Language, else English.
 */
public final class I18n {
  public static final List<String> LANGUAGES = List.of("en", "de");
  public static final String COOKIE = "lang";
  private static final List<Locale.LanguageRange> NONE = List.of();

  private final Map<String, Map<String, String>> bundles = new TreeMap<>();
  private final Map<String, String> scriptMessages = new TreeMap<>();

  private I18n() {}

  /** Reads both bundles from the classpath (blocking: at start). */
  public static I18n load() {
    I18n i18n = new I18n();
    for (String lang : LANGUAGES) {
      Map<String, String> bundle = Collections.unmodifiableMap(read("i18n/messages_" + lang + ".properties"));
      i18n.bundles.put(lang, bundle);
      JsonObject script = new JsonObject();
      bundle.forEach((k, v) -> {
        if (k.startsWith("js.") || k.startsWith("status.")) {
          script.put(k, v);
        }
      });
      i18n.scriptMessages.put(lang, script.encode());
    }
    return i18n;
  }

  static Map<String, String> read(String resource) {
    Properties p = new Properties();
    try (InputStream in = I18n.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing message bundle " + resource);
      }
      p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> out = new TreeMap<>();
    p.forEach((k, v) -> out.put((String) k, (String) v));
    return out;
  }

  public Map<String, String> bundle(String lang) {
    return bundles.get(lang);
  }

  /**
   * The message for a key; with arguments it is a {@link MessageFormat} pattern. An unknown key
   * fails: templates are checked by a test, and a missing text must not ship silently.
   */
  public String text(String lang, String key, Object... args) {
    String pattern = bundles.get(lang).get(key);
    if (pattern == null) {
      throw new IllegalArgumentException("no message '" + key + "' in language " + lang);
    }
    return args.length == 0 ? pattern : new MessageFormat(pattern, Locale.forLanguageTag(lang)).format(args);
  }

  /** The texts the browser script needs (keys starting with {@code js.} or {@code status.}), as JSON. */
  public String scriptMessages(String lang) {
    return scriptMessages.get(lang);
  }

  /** The language of this request: cookie, then Accept-Language, then English. */
  public static String language(RoutingContext ctx) {
    Cookie c = ctx.request().getCookie(COOKIE);
    if (c != null && LANGUAGES.contains(c.getValue())) {
      return c.getValue();
    }
    return fromAcceptLanguage(ctx.request().getHeader("Accept-Language"));
  }

  static String fromAcceptLanguage(String header) {
    List<Locale.LanguageRange> ranges;
    try {
      ranges = header == null || header.isBlank() ? NONE : Locale.LanguageRange.parse(header);
    } catch (IllegalArgumentException e) {
      ranges = NONE;
    }
    // ranges come sorted by weight; the first one naming a language we have wins
    for (Locale.LanguageRange r : ranges) {
      String primary = r.getRange().split("-")[0].toLowerCase(Locale.ROOT);
      if (LANGUAGES.contains(primary)) {
        return primary;
      }
    }
    return "en";
  }
}
