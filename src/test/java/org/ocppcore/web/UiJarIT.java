package org.ocppcore.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The UI from the packaged jar, started the way an operator would on a fresh machine: templates,
 * texts and assets come from the jar (a {@code ui-templates} folder in the working directory does
 * not shadow them), German comes out as UTF-8 under {@code LC_ALL=C} without
 * {@code -Dfile.encoding}, and the first start prints the administrator's password exactly once.
 */
class UiJarIT {

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void awaitPort(Process p, int port, Path err) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new AssertionError("the server exited:\n" + Files.readString(err));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 300);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new AssertionError("not listening on " + port + ":\n" + Files.readString(err));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void theJarServesTheUiInUtf8WithAFirstStartPassword(@TempDir Path work) throws Exception {
    Path jar = Path.of(System.getProperty("basedir", ".")).resolve("target/ocpp-core.jar").toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), jar + " not built");
    Files.createDirectories(work.resolve("ui-templates"));
    Files.writeString(work.resolve("ui-templates/login.ftlh"), "SHADOWED");
    int ocpp = freePort();
    int http = freePort();
    Path out = work.resolve("server.out");
    Path err = work.resolve("server.err");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx256m", "-jar", jar.toString())).directory(work.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("OCPPCORE_") || k.startsWith("LC_") || k.equals("LANG")
        || k.equals("JAVA_TOOL_OPTIONS"));
    pb.environment().put("LC_ALL", "C");
    pb.environment().put("OCPPCORE_OCPP_HOST", "127.0.0.1");
    pb.environment().put("OCPPCORE_OCPP_PORT", String.valueOf(ocpp));
    pb.environment().put("OCPPCORE_OCPP_INSTANCES", "1");
    pb.environment().put("OCPPCORE_HTTP_HOST", "127.0.0.1");
    pb.environment().put("OCPPCORE_HTTP_PORT", String.valueOf(http));
    Process p = pb.start();
    try {
      awaitPort(p, http, err);
      String log = Files.readString(err, StandardCharsets.UTF_8);
      Matcher m = Pattern.compile("with the administrator 'admin' and the password:\\s+(\\S+)").matcher(log);
      assertTrue(m.find(), log);
      String password = m.group(1);
      assertFalse(m.find(), "printed once");
      assertTrue(Files.readString(work.resolve("data/htpasswd")).startsWith("admin:$apr1$"));

      UiClient c = new UiClient(http).acceptLanguage("de");
      HttpResponse<String> login = c.get("/login");
      assertFalse(login.body().contains("SHADOWED"), "templates come from the jar only");
      c.login("admin", password);
      HttpResponse<byte[]> page = c.getBytes("/");
      assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElse(""));
      String html = new String(page.body(), StandardCharsets.UTF_8);
      assertTrue(html.contains(">Übersicht</a>") && html.contains("Ladevorgänge"), "UTF-8 under LC_ALL=C:\n" + html);
      assertEquals(200, c.getBytes("/static/app.css").statusCode(), "assets from the jar");
      assertEquals(200, c.getBytes("/static/app.js").statusCode());
    } finally {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }
}
