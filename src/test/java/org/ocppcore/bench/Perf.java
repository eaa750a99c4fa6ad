package org.ocppcore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Optional CPU profile of a server with Linux {@code perf} (software clock, so it works in VMs
 * without hardware counters): where the process's CPU time goes across the kernel, native
 * libraries (SQLite, the JVM itself: JIT compiler, GC) and JIT-compiled Java methods, which JFR
 * cannot show (JFR samples threads only while they run Java code). Java symbols come from
 * {@code jcmd Compiler.perfmap}.
 */
final class Perf {
  private final long pid;
  private final int seconds;
  private final Path data;
  private final Process process;

  private Perf(long pid, int seconds, Path data, Process process) {
    this.pid = pid;
    this.seconds = seconds;
    this.data = data;
    this.process = process;
  }

  /** Starts recording the process for {@code seconds} in the background. */
  static Perf start(long pid, int seconds, Path dir) throws IOException {
    Path data = dir.resolve("perf.data");
    Process p = new ProcessBuilder("perf", "record", "-e", "cpu-clock", "-F", "999", "-p", Long.toString(pid),
        "-o", data.toString(), "--", "sleep", Integer.toString(seconds))
        .redirectErrorStream(true).redirectOutput(dir.resolve("perf-record.log").toFile()).start();
    Target.CHILDREN.add(p);
    return new Perf(pid, seconds, data, p);
  }

  /** Records for {@code seconds} (blocking) and returns the report. */
  static String profile(long pid, int seconds, Path dir) throws IOException, InterruptedException {
    return start(pid, seconds, dir).report();
  }

  /** Waits for the recording to end and summarizes it. */
  String report() throws IOException, InterruptedException {
    if (!process.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    Target.CHILDREN.remove(process);
    if (!Files.exists(data)) {
      return "(perf produced no data; is perf installed? apt-get install linux-perf)\n";
    }
    Tools.jcmd(pid, "Compiler.perfmap");
    StringBuilder sb = new StringBuilder();
    sb.append("perf record -e cpu-clock -F 999 -p ").append(pid).append(" for ").append(seconds).append(" s\n");
    sb.append("\nBy thread:\n");
    sb.append(strip(Tools.run(120, "perf", "report", "-i", data.toString(), "--stdio", "--no-children", "--sort",
        "comm", "--percent-limit", "0.5")));
    sb.append("\nBy shared object (kernel, [JIT] = compiled Java, libjvm = JIT compiler/GC/interpreter, SQLite):\n");
    sb.append(strip(Tools.run(120, "perf", "report", "-i", data.toString(), "--stdio", "--no-children", "--sort",
        "dso", "--percent-limit", "0.5")));
    sb.append("\nBy thread and shared object:\n");
    sb.append(strip(Tools.run(120, "perf", "report", "-i", data.toString(), "--stdio", "--no-children", "--sort",
        "comm,dso", "--percent-limit", "1")));
    sb.append("\nBy symbol:\n");
    sb.append(strip(Tools.run(120, "perf", "report", "-i", data.toString(), "--stdio", "--no-children", "--sort",
        "dso,sym", "--percent-limit", "0.4")));
    Files.deleteIfExists(Path.of("/tmp/perf-" + pid + ".map"));
    return sb.toString();
  }

  /** Drops perf's comment lines and blank lines. */
  private static String strip(String report) {
    StringBuilder sb = new StringBuilder();
    for (String line : report.split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        sb.append(line.replaceAll("\\s+$", "")).append('\n');
      }
    }
    return sb.toString();
  }
}
