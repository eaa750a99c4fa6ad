package org.ocppcore.testsupport;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the independent Node.js OCPP 1.6 client {@code src/test/node/ocpp16-session.mjs} (npm
 * package ocpp-rpc in strict mode: every frame the server sends is validated against ocpp-rpc's
 * own schemas) as an end-to-end check of the server.
 *
 * <p>Blocking (runs a process): call from the test thread, never from an event loop. Needs
 * {@code node} on the PATH (or system property {@code node.executable}) and {@code npm ci --prefix
 * src/test/node}. The node directory is {@code ${user.dir}/src/test/node} (Maven runs tests in the
 * project base dir) unless system property {@code ocpp.node.dir} says otherwise.
 */
public final class NodeOcppClient {

  public static final Duration TIMEOUT = Duration.ofSeconds(30);
  public static final String SCRIPT = "ocpp16-session.mjs";

  /**
   * Outcome of one run.
   *
   * @param exitCode process exit code, -1 if it had to be killed after the timeout
   * @param json the last stdout line that parses as a JSON object, or null
   * @param stdout everything printed on stdout
   * @param stderr everything printed on stderr
   */
  public record Result(int exitCode, JsonObject json, String stdout, String stderr) {

    /** Exit code 0 and {@code "ok": true}. */
    public boolean ok() {
      return exitCode == 0 && json != null && Boolean.TRUE.equals(json.getBoolean("ok"));
    }

    /** transactionId reported by the session, or null. */
    public Integer transactionId() {
      return json == null ? null : json.getInteger("transactionId");
    }

    /** The replies of the server per step: boot, status, authorize, start, meterValues, ... */
    public JsonObject results() {
      return json == null ? null : json.getJsonObject("results");
    }

    /** Error message of a failed session, or null. */
    public String error() {
      return json == null ? null : json.getString("error");
    }

    /** Throws an AssertionError with all the output if the session did not succeed. */
    public Result assertOk() {
      if (!ok()) {
        throw new AssertionError("node OCPP session failed (exit " + exitCode + ")\n--- stdout\n"
            + stdout + "\n--- stderr\n" + stderr);
      }
      return this;
    }

    @Override
    public String toString() {
      return "NodeOcppClient.Result[exit=" + exitCode + ", json=" + json + ", stderr=" + stderr
          + "]";
    }
  }

  private NodeOcppClient() {}

  /**
   * Runs {@code node src/test/node/ocpp16-session.mjs wsBase identity idTag [password]} with a 30
   * s timeout.
   *
   * @param wsBase e.g. {@code ws://127.0.0.1:8081/OCPP} (the identity is appended by the client)
   * @param password basic-auth password (username = identity), or null for none
   */
  public static Result runSession(String wsBase, String identity, String idTag, String password) {
    return runSession(wsBase, identity, idTag, password, Map.of());
  }

  /**
   * Same with extra environment for the script: {@code OCPP_CA_CERT} (CA PEM to trust for wss),
   * {@code OCPP_CLIENT_CERT} / {@code OCPP_CLIENT_KEY} (mutual TLS), {@code
   * OCPP_SESSION_TIMEOUT_MS} (default 20000).
   */
  public static Result runSession(String wsBase, String identity, String idTag, String password,
      Map<String, String> env) {
    Path dir = nodeDir();
    requireInstalled(dir);
    List<String> cmd = new ArrayList<>(List.of(nodeExecutable(), SCRIPT, wsBase, identity, idTag));
    if (password != null) {
      cmd.add(password);
    }
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("node-ocpp-", ".out");
      err = Files.createTempFile("node-ocpp-", ".err");
      ProcessBuilder pb = new ProcessBuilder(cmd)
          .directory(dir.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      pb.environment().putAll(env);
      Process p;
      try {
        p = pb.start();
      } catch (IOException e) {
        throw new IllegalStateException("cannot run '" + nodeExecutable()
            + "' (is Node.js >= 18 installed and on the PATH? or set -Dnode.executable=...)", e);
      }
      int exit;
      if (p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        exit = p.exitValue();
      } else {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        exit = -1;
      }
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      String stderr = Files.readString(err, StandardCharsets.UTF_8);
      if (exit == -1) {
        stderr += "\n[NodeOcppClient] killed after " + TIMEOUT.toSeconds() + " s";
      }
      return new Result(exit, lastJsonLine(stdout), stdout, stderr);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running the node OCPP client", e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  /** True if node runs and the node_modules are installed. */
  public static boolean isAvailable() {
    return Files.isDirectory(nodeDir().resolve("node_modules").resolve("ocpp-rpc"))
        && isNodeOnPath();
  }

  /**
   * True if {@code node --version} runs (for JUnit assumptions: a missing {@code npm ci} then
   * still fails loudly in {@link #runSession}).
   */
  public static boolean isNodeOnPath() {
    try {
      Process p = new ProcessBuilder(nodeExecutable(), "--version")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** {@code src/test/node} of the project. */
  public static Path nodeDir() {
    String override = System.getProperty("ocpp.node.dir");
    if (override != null && !override.isBlank()) {
      return Path.of(override).toAbsolutePath();
    }
    return Path.of(System.getProperty("user.dir"), "src", "test", "node").toAbsolutePath();
  }

  private static void requireInstalled(Path dir) {
    if (!Files.isRegularFile(dir.resolve(SCRIPT))) {
      throw new IllegalStateException("node OCPP client script not found: " + dir.resolve(SCRIPT)
          + " (tests must run from the project base directory, or set -Docpp.node.dir=...)");
    }
    if (!Files.isDirectory(dir.resolve("node_modules").resolve("ocpp-rpc"))) {
      throw new IllegalStateException("node_modules of the node OCPP client are missing in " + dir
          + ": run `npm ci --prefix src/test/node` first");
    }
  }

  private static String nodeExecutable() {
    return System.getProperty("node.executable", "node");
  }

  private static java.io.File nullDevice() {
    return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  static JsonObject lastJsonLine(String stdout) {
    String[] lines = stdout.split("\\R");
    for (int i = lines.length - 1; i >= 0; i--) {
      String l = lines[i].trim();
      if (l.startsWith("{") && l.endsWith("}")) {
        try {
          return new JsonObject(l);
        } catch (DecodeException e) {
          // keep looking
        }
      }
    }
    return null;
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // nothing
      }
    }
  }
}
