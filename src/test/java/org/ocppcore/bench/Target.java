package org.ocppcore.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A server under test, started as its own process: our packaged jar (with a config of its own, a
 * copy of the seeded database, loopback-only ports) or the {@link BaselineServer}. Only processes
 * started here are ever stopped, by their own handle.
 */
final class Target implements AutoCloseable {
  /** Every child process this benchmark started, for the shutdown hook and the watchdog. */
  static final Set<Process> CHILDREN = ConcurrentHashMap.newKeySet();

  /** What to start. */
  record Spec(String label, boolean baseline, String synchronous) {
    static Spec ours(String sync) {
      return new Spec("FULL".equals(sync) ? "ours" : "ours-" + sync.toLowerCase(), false, sync);
    }

    static Spec baselineSpec() {
      return new Spec("baseline", true, null);
    }
  }

  final Spec spec;
  final Path dir;
  final int port;
  /** Ours: the management port (REST API under /api/v1); 0 for the baseline, which has none. */
  final int httpPort;
  final Process process;
  /** From the process start until its ports accept connections (for ours: database, schemas, JIT warm-up). */
  double startSeconds;

  private Target(Spec spec, Path dir, int port, int httpPort, Process process) {
    this.spec = spec;
    this.dir = dir;
    this.port = port;
    this.httpPort = httpPort;
    this.process = process;
  }

  long pid() {
    return process.pid();
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The server JVM's options: heap, GC, and what the scenario adds. */
  static List<String> jvmOptions(Bench.Options o) {
    List<String> jvm = new ArrayList<>();
    jvm.add("-Xms" + o.heap);
    jvm.add("-Xmx" + o.heap);
    switch (o.gc.toLowerCase()) {
      case "parallel" -> jvm.add("-XX:+UseParallelGC");
      case "serial" -> jvm.add("-XX:+UseSerialGC");
      case "zgc" -> jvm.add("-XX:+UseZGC");
      default -> {
        jvm.add("-XX:+UseG1GC");
        jvm.add("-XX:MaxGCPauseMillis=" + o.maxGcPauseMs);
      }
    }
    jvm.add("-Dfile.encoding=UTF-8");
    if (!o.serverOpts.isBlank()) {
      jvm.addAll(List.of(o.serverOpts.trim().split("\\s+")));
    }
    return jvm;
  }

  /** Starts the target in {@code dir} and waits until it accepts TCP connections. */
  static Target start(Spec spec, Path dir, Bench.Env env, Bench.Options o, List<String> protocols) throws Exception {
    Files.createDirectories(dir);
    int port = freePort();
    int httpPort = spec.baseline() ? 0 : freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(Tools.jdkTool("java"));
    cmd.addAll(jvmOptions(o));
    // a server killed after its stop timeout leaves Vert.x's file cache and sqlite-jdbc's library in
    // java.io.tmpdir: keep them in the run's folder, which the bench deletes
    cmd.add("-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")));
    if (spec.baseline()) {
      cmd.add("-cp");
      cmd.add(env.jar() + java.io.File.pathSeparator + env.benchClasses());
      cmd.add(BaselineServer.class.getName());
      cmd.add(Integer.toString(port));
      cmd.add("127.0.0.1");
    } else {
      Files.copy(env.templateDb(), dir.resolve("ocpp.sqlite"), StandardCopyOption.REPLACE_EXISTING);
      JsonObject config = new JsonObject()
          .put("ocpp", new JsonObject()
              .put("host", "127.0.0.1")
              .put("port", port)
              // ocpp.protocols keeps the server's default (every version it implements)
              .put("pingIntervalSeconds", 3600))
          .put("http", new JsonObject().put("host", "127.0.0.1").put("port", httpPort))
          .put("db", new JsonObject()
              .put("url", "jdbc:sqlite:" + dir.resolve("ocpp.sqlite"))
              .put("synchronous", spec.synchronous()))
          .put("log", new JsonObject().put("dbMessageLog", 0))
          .mergeIn(o.serverConfig, true);
      Files.writeString(dir.resolve("config.json"), config.encodePrettily());
      cmd.add("-jar");
      cmd.add(env.jar().toString());
      cmd.add("--config");
      cmd.add(dir.resolve("config.json").toString());
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("OCPPCORE_"));
    pb.redirectOutput(dir.resolve("server.out").toFile());
    pb.redirectError(dir.resolve("server.err").toFile());
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Files.writeString(dir.resolve("command.txt"), String.join(" ", cmd) + "\n");
    long started = System.nanoTime();
    Process p = pb.start();
    CHILDREN.add(p);
    Target t = new Target(spec, dir, port, httpPort, p);
    t.awaitPort(port, 60_000);
    if (httpPort != 0) {
      // the management port opens after the gateway's
      t.awaitPort(httpPort, 60_000);
    }
    t.startSeconds = (System.nanoTime() - started) / 1e9;
    return t;
  }

  private void awaitPort(int port, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(spec.label() + " exited with " + process.exitValue() + ":\n" + tail("server.err"));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException(spec.label() + " not listening within " + timeoutMs + " ms:\n" + tail("server.err"));
      }
      Thread.sleep(50);
    }
  }

  String tail(String file) {
    String s = read(file);
    return s.length() <= 3000 ? s : "..." + s.substring(s.length() - 3000);
  }

  private String read(String file) {
    try {
      return Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no " + file + ")";
    }
  }

  /** SIGTERM (graceful: the server closes its sessions and the database), then kill after 30 s. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
    CHILDREN.remove(process);
  }

  /**
   * What the server's store writer logged when it stopped, over the whole run: {@code opsPerCommit}
   * (ops per group commit) and {@code writerCpuUsPerOp} (the writer thread's CPU per op, µs); each
   * null when the server did not stop in order (or is the baseline, which stores nothing).
   */
  JsonObject writerFigures() {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("store writer stopped: (\\d+) ops in (\\d+) commits"
        + "[^,]*(?:, ([\\d.]+) us of writer CPU per op)?").matcher(read("server.err") + read("server.out"));
    boolean found = m.find();
    return new JsonObject()
        .put("opsPerCommit", found ? ProcSampler.round(Double.parseDouble(m.group(1)) / Double.parseDouble(m.group(2))) : null)
        .put("writerCpuUsPerOp", found && m.group(3) != null ? Double.parseDouble(m.group(3)) : null);
  }

  /** Rows in MeterSample of this (stopped) target's database. */
  long meterSampleRows() throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("ocpp.sqlite"));
         Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM MeterSample")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Builds the seeded database once per benchmark: {@code admin tag} makes the server create its
   * schema (and the tag the chargers use), {@code admin api-key} (when {@code apiKey}) an admin
   * key for the REST API, then JDBC inserts the charge points.
   *
   * @return the API key, or null
   */
  static String buildTemplate(Path dir, Path jar, int chargers, String idPrefix, boolean passwords, boolean apiKey)
      throws Exception {
    Files.createDirectories(dir);
    Path db = dir.resolve("ocpp.sqlite");
    JsonObject config = new JsonObject()
        .put("ocpp", new JsonObject().put("host", "127.0.0.1"))
        .put("http", new JsonObject().put("host", "127.0.0.1"))
        .put("db", new JsonObject().put("url", "jdbc:sqlite:" + db));
    Files.writeString(dir.resolve("config.json"), config.encodePrettily());
    admin(dir, jar, "tag", Payloads.TAG, "--name", "benchmark");
    String first = LoadGenerator.chargerId(idPrefix, 0);
    if (passwords) {
      // the server hashes it (PBKDF2, its default iterations); every other charge point gets the same
      // hash below, so each connection costs the server one full verification, as a fleet's would
      admin(dir, jar, "chargepoint", first, "--password", Payloads.PASSWORD);
    }
    String key = null;
    if (apiKey) {
      // printed once, on the line after "shown only now:" (log lines may follow); only its hash is stored
      String out = admin(dir, jar, "api-key", "bench", "--role", "admin");
      List<String> lines = out.lines().map(String::trim).toList();
      for (int i = 0; i + 1 < lines.size() && key == null; i++) {
        if (lines.get(i).endsWith("shown only now:") && lines.get(i + 1).matches("[A-Za-z0-9_-]{40,}")) {
          key = lines.get(i + 1);
        }
      }
      if (key == null) {
        throw new IllegalStateException("admin api-key printed no key:\n" + out);
      }
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT OR IGNORE INTO ChargePoint (ChargePointId, Name, "
          + "RegistrationStatus, CreatedAt) VALUES (?, ?, 'Accepted', ?)")) {
        String now = Instant.now().toString();
        for (int i = 0; i < chargers; i++) {
          String id = LoadGenerator.chargerId(idPrefix, i);
          ps.setString(1, id);
          ps.setString(2, "bench " + id);
          ps.setString(3, now);
          ps.addBatch();
          if (i % 5000 == 4999) {
            ps.executeBatch();
          }
        }
        ps.executeBatch();
      }
      if (passwords) {
        try (PreparedStatement ps = c.prepareStatement("UPDATE ChargePoint SET PasswordHash = "
            + "(SELECT PasswordHash FROM ChargePoint WHERE ChargePointId = ?)")) {
          ps.setString(1, first);
          ps.executeUpdate();
        }
      }
      c.commit();
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      }
    }
    return key;
  }

  /** Runs the server's {@code admin} subcommand on the database of {@code dir}/config.json; returns its output. */
  private static String admin(Path dir, Path jar, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Tools.jdkTool("java"), "-jar", jar.toString(), "--config",
        dir.resolve("config.json").toString(), "admin"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("OCPPCORE_"));
    Process p = pb.start();
    CHILDREN.add(p);
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      CHILDREN.remove(p);
      throw new IllegalStateException("admin " + args[0] + " failed: " + new String(out, StandardCharsets.UTF_8));
    }
    CHILDREN.remove(p);
    return new String(out, StandardCharsets.UTF_8);
  }
}
