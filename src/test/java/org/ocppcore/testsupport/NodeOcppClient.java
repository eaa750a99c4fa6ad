package org.ocppcore.testsupport;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs the independent Node.js charging station {@code src/test/node/ocpp-station.mjs} (npm package
 * ocpp-rpc in strict mode: every frame the server sends is validated by ajv against ocpp-rpc's own
 * copy of the OCPP 1.6, 2.0.1 or 2.1 schemas) as an end-to-end check of the server.
 *
 * <p>Blocking (runs a process): call from the test thread, never from an event loop. Needs
 * {@code node} on the PATH (or system property {@code node.executable}) and {@code npm ci --prefix
 * src/test/node}. The node directory is {@code ${user.dir}/src/test/node} (Maven runs tests in the
 * project base dir) unless system property {@code ocpp.node.dir} says otherwise.
 */
public final class NodeOcppClient {

  public static final Duration TIMEOUT = Duration.ofSeconds(30);
  public static final String SCRIPT = "ocpp-station.mjs";

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

    /** The transaction id the session used: the server's number in 1.6, the station's text in 2.x; or null. */
    public Object transactionId() {
      return json == null ? null : json.getValue("transactionId");
    }

    /** The server's calls the station answered, in order: {@code [{"method":..., "params":...}]}. */
    public JsonArray serverCalls() {
      return json == null ? null : json.getJsonArray("serverCalls");
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

  /** A station process that runs until {@link #finish()}: it answers the server's calls meanwhile. */
  public static final class Station implements AutoCloseable {
    private final Process process;
    private final Path err;
    private final StringBuffer stdout = new StringBuffer();
    private final CompletableFuture<JsonObject> ready = new CompletableFuture<>();
    private final BlockingQueue<JsonObject> replies = new LinkedBlockingQueue<>();
    private final Thread reader;
    private final long deadline = System.nanoTime() + TIMEOUT.toNanos();

    private Station(Process process, Path err) {
      this.process = process;
      this.err = err;
      this.reader = new Thread(this::readStdout, "node-station-stdout");
      reader.setDaemon(true);
      reader.start();
    }

    private void readStdout() {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          stdout.append(line).append('\n');
          JsonObject json = lastJsonLine(line);
          if (json != null && Boolean.TRUE.equals(json.getBoolean("ready"))) {
            ready.complete(json);
          } else if (json != null && json.getJsonObject("reply") != null) {
            replies.add(json.getJsonObject("reply"));
          }
        }
      } catch (IOException e) {
        // the process ended: finish() reports what it printed
      } finally {
        ready.complete(null);
      }
    }

    /**
     * Waits for the station's ready line (its transaction started) and returns it, e.g. {@code
     * {"ready":true,"transactionId":7}}; fails with everything it printed if the run ended first.
     */
    public JsonObject awaitReady() throws Exception {
      JsonObject line = ready.get(remainingNanos(), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError("node station ended before it was ready\n" + finish());
      }
      return line;
    }

    /**
     * Has the station send a CALL (after {@link #awaitReady()}) and returns its outcome: {@code
     * {"call", "ok": true, "result"}}, or {@code {"call", "ok": false, "error", "rpcErrorCode"}} for
     * a CALLERROR, a timeout or an answer that fails the station's schema check.
     */
    public JsonObject call(String action, JsonObject params) throws Exception {
      JsonObject line = new JsonObject().put("call", action).put("params", params);
      process.getOutputStream().write((line.encode() + "\n").getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().flush();
      JsonObject reply = replies.poll(Math.max(0, remainingNanos()), TimeUnit.NANOSECONDS);
      if (reply == null) {
        throw new AssertionError("no reply from the node station to " + action + "\n" + finish());
      }
      return reply;
    }

    /** Ends the hold (closes stdin): the station ends its transaction and exits. */
    public Result finish() {
      try {
        try {
          process.getOutputStream().close();
        } catch (IOException ignored) {
          // already gone
        }
        int exit;
        if (process.waitFor(Math.max(1, remainingNanos()), TimeUnit.NANOSECONDS)) {
          exit = process.exitValue();
        } else {
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
          exit = -1;
        }
        reader.join(TimeUnit.SECONDS.toMillis(5));
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        if (exit == -1) {
          stderr += "\n[NodeOcppClient] killed after " + TIMEOUT.toSeconds() + " s";
        }
        return new Result(exit, lastJsonLine(stdout.toString()), stdout.toString(), stderr);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while running the node OCPP station", e);
      } finally {
        deleteQuietly(err);
      }
    }

    private long remainingNanos() {
      return deadline - System.nanoTime();
    }

    /** Kills the process if {@link #finish()} was not called (a failed test). */
    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
      deleteQuietly(err);
    }
  }

  private NodeOcppClient() {}

  /**
   * Runs a whole 1.6 session ({@code node src/test/node/ocpp-station.mjs wsBase identity idTag
   * [password]}, no hold) with a 30 s timeout.
   *
   * @param wsBase e.g. {@code ws://127.0.0.1:8081/OCPP} (the identity is appended by the client)
   * @param password basic-auth password (username = identity), or null for none
   */
  public static Result runSession(String wsBase, String identity, String idTag, String password) {
    return runSession(wsBase, identity, idTag, password, Map.of());
  }

  /**
   * Same with extra environment for the script: {@code OCPP_PROTOCOL} (default ocpp1.6), {@code
   * OCPP_CA_CERT} (CA PEM to trust for wss), {@code OCPP_CLIENT_CERT} / {@code OCPP_CLIENT_KEY}
   * (mutual TLS), {@code OCPP_SESSION_TIMEOUT_MS} (default 20000).
   */
  public static Result runSession(String wsBase, String identity, String idTag, String password,
      Map<String, String> env) {
    return start(wsBase, identity, idTag, password, env).finish();
  }

  /**
   * Starts a station that holds its session open, answering the server's calls, until {@link
   * Station#finish()}; the whole run is bounded by {@link #TIMEOUT}.
   */
  public static Station start(String wsBase, String identity, String idTag, String password,
      Map<String, String> env) {
    Path dir = nodeDir();
    requireInstalled(dir);
    List<String> cmd = new ArrayList<>(List.of(nodeExecutable(), SCRIPT, wsBase, identity, idTag));
    if (password != null) {
      cmd.add(password);
    }
    Path err = null;
    try {
      err = Files.createTempFile("node-ocpp-", ".err");
      ProcessBuilder pb = new ProcessBuilder(cmd)
          .directory(dir.toFile())
          .redirectError(err.toFile());
      pb.environment().putAll(env);
      try {
        return new Station(pb.start(), err);
      } catch (IOException e) {
        throw new IllegalStateException("cannot run '" + nodeExecutable()
            + "' (is Node.js >= 18 installed and on the PATH? or set -Dnode.executable=...)", e);
      }
    } catch (IOException e) {
      deleteQuietly(err);
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      deleteQuietly(err);
      throw e;
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
