package org.ocppcore.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A browser-like HTTP client for the UI without a browser: keeps its cookies, never follows
 * redirects (tests assert them), reads the CSRF token from the pages it gets.
 */
final class UiClient {
  private static final Pattern CSRF = Pattern.compile("<meta name=\"csrf-token\" content=\"([^\"]*)\">");

  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final Map<String, String> cookies = new LinkedHashMap<>();
  private String csrf;
  private String acceptLanguage = "en";

  UiClient(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  /** Logs in (asserting success) and returns this client. */
  static UiClient loggedIn(int port, String user, String password) throws Exception {
    UiClient c = new UiClient(port);
    c.login(user, password);
    return c;
  }

  UiClient acceptLanguage(String value) {
    this.acceptLanguage = value;
    return this;
  }

  HttpResponse<String> login(String user, String password) throws Exception {
    get("/login");
    HttpResponse<String> r = post("/login", Map.of("username", user, "password", password));
    assertEquals(303, r.statusCode(), "login of " + user + " failed: " + r.body());
    get("/"); // a new identity has a new token
    return r;
  }

  String csrf() throws Exception {
    if (csrf == null) {
      get("/login");
    }
    return csrf;
  }

  Map<String, String> cookies() {
    return cookies;
  }

  HttpResponse<String> get(String path) throws Exception {
    HttpResponse<String> r = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    remember(r);
    return r;
  }

  HttpResponse<byte[]> getBytes(String path) throws Exception {
    HttpResponse<byte[]> r = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    remember(r);
    return r;
  }

  /** A GET whose body is not read (server-sent events): the status and headers only. */
  HttpResponse<InputStream> open(String path) throws Exception {
    HttpResponse<InputStream> r = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    remember(r);
    return r;
  }

  /** A form POST carrying this session's CSRF token. */
  HttpResponse<String> post(String path, Map<String, String> form) throws Exception {
    Map<String, String> withToken = new LinkedHashMap<>(form);
    withToken.putIfAbsent(UiSecurity.CSRF_FIELD, csrf());
    return postRaw(path, withToken);
  }

  /** A form POST exactly as given (no token added). */
  HttpResponse<String> postRaw(String path, Map<String, String> form) throws Exception {
    String body = form.entrySet().stream()
        .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
        .collect(Collectors.joining("&"));
    HttpResponse<String> r = http.send(request(path).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    remember(r);
    return r;
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("Accept-Language", acceptLanguage);
    if (!cookies.isEmpty()) {
      b.header("Cookie", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining("; ")));
    }
    return b;
  }

  private void remember(HttpResponse<?> r) {
    for (String setCookie : r.headers().allValues("Set-Cookie")) {
      String pair = setCookie.split(";", 2)[0];
      int eq = pair.indexOf('=');
      String name = pair.substring(0, eq).trim();
      String value = pair.substring(eq + 1).trim();
      if (value.isEmpty() || setCookie.toLowerCase().contains("max-age=0")) {
        cookies.remove(name);
      } else {
        cookies.put(name, value);
      }
    }
    if (r.body() instanceof String s) {
      Matcher m = CSRF.matcher(s);
      if (m.find()) {
        csrf = m.group(1);
      }
    }
  }

  static List<String> setCookies(HttpResponse<?> r) {
    return r.headers().allValues("Set-Cookie");
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static void close(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // the stream is abandoned
    }
  }
}
