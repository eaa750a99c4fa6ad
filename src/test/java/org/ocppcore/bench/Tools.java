package org.ocppcore.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** JDK tools run against a child JVM (jcmd), each bounded in time. */
final class Tools {
  private Tools() {}

  static String jdkTool(String name) {
    Path p = Path.of(System.getProperty("java.home"), "bin", name);
    return Files.isExecutable(p) ? p.toString() : name;
  }

  /** Runs a command, returns its output (stdout and stderr); fails after {@code timeoutSec}. */
  static String run(int timeoutSec, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[][] out = new byte[1][];
    Thread reader = new Thread(() -> {
      try {
        out[0] = p.getInputStream().readAllBytes();
      } catch (IOException e) {
        out[0] = new byte[0];
      }
    });
    reader.setDaemon(true);
    reader.start();
    if (!p.waitFor(timeoutSec, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not finish within " + timeoutSec + " s");
    }
    reader.join(5000);
    return out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8);
  }

  static String jcmd(long pid, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(jdkTool("jcmd"));
    cmd.add(Long.toString(pid));
    cmd.addAll(List.of(args));
    return run(120, cmd.toArray(String[]::new));
  }

  /** Live objects after a full GC (jcmd GC.class_histogram forces one): total bytes and bytes per class. */
  record Histogram(long totalBytes, long totalInstances, Map<String, long[]> byClass) {
    /** Classes whose live bytes grew most from {@code before} to this one: "class: +bytes (+instances)". */
    List<String> topGrowth(Histogram before, int n, int perDivisor) {
      List<Map.Entry<String, long[]>> growth = new ArrayList<>();
      for (Map.Entry<String, long[]> e : byClass.entrySet()) {
        long[] b = before.byClass.getOrDefault(e.getKey(), new long[2]);
        long[] d = {e.getValue()[0] - b[0], e.getValue()[1] - b[1]};
        growth.add(Map.entry(e.getKey(), d));
      }
      growth.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
      List<String> out = new ArrayList<>();
      for (int i = 0; i < Math.min(n, growth.size()); i++) {
        Map.Entry<String, long[]> e = growth.get(i);
        long[] d = e.getValue();
        out.add(perDivisor == 1 ? String.format("%s: %+d B (%+d objects)", e.getKey(), d[1], d[0])
            : String.format("%s: %+d B/charger (%.1f objects/charger)", e.getKey(),
                perDivisor == 0 ? 0 : d[1] / perDivisor, perDivisor == 0 ? 0.0 : (double) d[0] / perDivisor));
      }
      return out;
    }
  }

  private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");
  private static final Pattern TOTAL = Pattern.compile("^\\s*Total\\s+(\\d+)\\s+(\\d+)\\s*$");

  static Histogram classHistogram(long pid) throws IOException, InterruptedException {
    String out = jcmd(pid, "GC.class_histogram");
    Map<String, long[]> by = new HashMap<>();
    long total = -1;
    long instances = -1;
    for (String line : out.split("\n")) {
      Matcher m = ROW.matcher(line);
      if (m.matches()) {
        by.merge(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))},
            (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
        continue;
      }
      Matcher t = TOTAL.matcher(line);
      if (t.matches()) {
        instances = Long.parseLong(t.group(1));
        total = Long.parseLong(t.group(2));
      }
    }
    if (total < 0) {
      throw new IOException("unexpected jcmd GC.class_histogram output: " + out.substring(0, Math.min(500, out.length())));
    }
    return new Histogram(total, instances, by);
  }
}
