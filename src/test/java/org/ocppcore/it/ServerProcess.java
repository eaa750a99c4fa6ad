package org.ocppcore.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged {@code target/ocpp-core.jar} as a separate process for the failsafe tests:
 * stdout and stderr go to files (so a failing test can show them), readiness is a TCP connect.
 * Only the {@link Process} objects created here are ever destroyed.
 */
final class ServerProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private ServerProcess(String name, Process process, Path stdout, Path stderr) {
    this.name = name;
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** The packaged server jar (failsafe runs in the project base directory and sets {@code basedir}). */
  static Path jar() {
    Path jar = Path.of(System.getProperty("basedir", ".")).resolve("target/ocpp-core.jar").toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " not found: run `mvn package` first");
    }
    return jar;
  }

  static String javaBin() {
    Path fromHome = Path.of(System.getProperty("java.home"), "bin", "java");
    if (Files.isExecutable(fromHome)) {
      return fromHome.toString();
    }
    return ProcessHandle.current().info().command().orElse("java");
  }

  /** A port that was free a moment ago (bound to 0, then released). */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts {@code java -jar ocpp-core.jar args...} in {@code workDir} with the given extra
   * environment (any inherited {@code OCPPCORE_*} variable is removed first); output goes to
   * {@code workDir/<name>.out} and {@code workDir/<name>.err}, its temporary files to {@code
   * workDir/tmp}.
   */
  static ServerProcess start(String name, Path workDir, Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(javaBin());
    command.add("-Xmx512m");
    // Vert.x's file cache and sqlite-jdbc's native library go to java.io.tmpdir and are removed at
    // exit, except when a test kills the server: keep them in the test's own folder
    Path tmp = Files.createDirectories(workDir.resolve("tmp"));
    command.add("-Djava.io.tmpdir=" + tmp);
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("OCPPCORE_"));
    pb.environment().putAll(env);
    Path out = workDir.resolve(name + ".out");
    Path err = workDir.resolve(name + ".err");
    pb.redirectOutput(out.toFile());
    pb.redirectError(err.toFile());
    pb.redirectInput(ProcessBuilder.Redirect.from(nullFile()));
    return new ServerProcess(name, pb.start(), out, err);
  }

  private static java.io.File nullFile() {
    return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  Process process() {
    return process;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Polls a TCP connect to the port until it succeeds; fails early (with the server's output) if
   * the process exits, or after the timeout.
   */
  void awaitPort(int port, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + " before listening on " + port
            + "\n" + output());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + " not listening on " + port + " within " + timeout.toSeconds() + " s\n"
            + output());
      }
      Thread.sleep(100);
    }
  }

  /** Waits for the process to exit; returns the exit code or fails (with the output) on timeout. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " did not exit within " + timeout.toSeconds() + " s\n" + output());
    }
    return process.exitValue();
  }

  /** kill -9 (on Linux): the server gets no chance to flush or close anything. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM: the JVM runs its shutdown hooks. */
  void terminate() {
    process.destroy();
  }

  String stdout() {
    return read(stdout);
  }

  String stderr() {
    return read(stderr);
  }

  /** Both streams, for failure messages. */
  String output() {
    return "----- " + name + " stdout -----\n" + tail(stdout()) + "\n----- " + name + " stderr -----\n"
        + tail(stderr());
  }

  private static String tail(String s) {
    return s.length() <= 8000 ? s : "..." + s.substring(s.length() - 8000);
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** Kills the process if it is still running (our own process only). */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
