package org.ocppcore.bench;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Samples a server process while a scenario runs: RSS ({@code /proc/<pid>/status} VmRSS), CPU
 * ({@code /proc/<pid>/stat} utime+stime), Java heap in use ({@code jstat -gc <pid> 1000}, one
 * long-lived jstat process), plus the generator's own CPU and the whole machine's busy share (the
 * machine is shared: other work shows up there). Also runs jcmd for the live heap (class
 * histogram, which forces a full GC) and JFR.
 */
final class ProcSampler implements AutoCloseable {
  static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

  /** One reading of a process and the machine. */
  record Reading(long nanos, long rssKb, long cpuTicks, long sysTicks, long ctxSwitches, long threads,
      long selfCpuTicks, long machineBusy, long machineTotal, double heapUsedMb, long diskWriteBytes) {}

  private final long pid;
  private final List<Reading> readings = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile double lastHeapMb = -1;
  private volatile double maxHeapMb = -1;
  private Process jstat;

  ProcSampler(long pid, long intervalMillis) {
    this.pid = pid;
    startJstat();
    thread = new Thread(() -> {
      while (running) {
        Reading r = read();
        synchronized (readings) {
          readings.add(r);
        }
        try {
          Thread.sleep(intervalMillis);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "bench-sampler-" + pid);
    thread.setDaemon(true);
    thread.start();
  }

  private void startJstat() {
    try {
      jstat = new ProcessBuilder(Tools.jdkTool("jstat"), "-gc", Long.toString(pid), "1000")
          .redirectErrorStream(true).start();
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(jstat.getInputStream(), StandardCharsets.UTF_8))) {
          String[] header = null;
          String line;
          while ((line = in.readLine()) != null) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 0 && f[0].equals("S0C")) {
              header = f;
              continue;
            }
            if (header == null || f.length != header.length) {
              continue;
            }
            double used = 0;
            for (int i = 0; i < header.length; i++) {
              if (header[i].equals("S0U") || header[i].equals("S1U") || header[i].equals("EU") || header[i].equals("OU")) {
                used += Double.parseDouble(f[i].replace(',', '.'));
              }
            }
            lastHeapMb = used / 1024.0;
            maxHeapMb = Math.max(maxHeapMb, lastHeapMb);
          }
        } catch (IOException | RuntimeException e) {
          // jstat ended
        }
      }, "bench-jstat-" + pid);
      reader.setDaemon(true);
      reader.start();
    } catch (IOException e) {
      System.err.println("bench: jstat unavailable: " + e.getMessage());
    }
  }

  Reading read() {
    long[] machine = machineTicks();
    long[] cpu = cpu(pid);
    long[] cs = contextSwitches(pid);
    return new Reading(System.nanoTime(), rssKb(pid), cpu[0] + cpu[1], cpu[1], cs[0], cs[1],
        cpuTicks(ProcessHandle.current().pid()), machine[0], machine[1], lastHeapMb, diskWriteBytes(pid));
  }

  /** Resets the heap maximum (per phase). */
  void resetHeapMax() {
    maxHeapMb = lastHeapMb;
  }

  double maxHeapMb() {
    return maxHeapMb;
  }

  /** Statistics between two readings, plus the RSS maximum seen between them. */
  JsonObject between(Reading a, Reading b) {
    double secs = (b.nanos() - a.nanos()) / 1e9;
    long maxRss = Math.max(a.rssKb(), b.rssKb());
    synchronized (readings) {
      for (Reading r : readings) {
        if (r.nanos() >= a.nanos() && r.nanos() <= b.nanos()) {
          maxRss = Math.max(maxRss, r.rssKb());
        }
      }
    }
    long busy = b.machineBusy() - a.machineBusy();
    long total = b.machineTotal() - a.machineTotal();
    int cores = Runtime.getRuntime().availableProcessors();
    double serverCpu = (b.cpuTicks() - a.cpuTicks()) / TICKS_PER_SECOND / secs * 100;
    double genCpu = (b.selfCpuTicks() - a.selfCpuTicks()) / TICKS_PER_SECOND / secs * 100;
    double machineCpu = total <= 0 ? 0 : 100.0 * cores * busy / total;
    double sysCpu = (b.sysTicks() - a.sysTicks()) / TICKS_PER_SECOND / secs * 100;
    return new JsonObject()
        .put("seconds", round(secs))
        .put("serverCpuPct", round(serverCpu))
        .put("serverSysCpuPct", round(sysCpu))
        .put("serverCtxSwitchesPerSec", Math.round((b.ctxSwitches() - a.ctxSwitches()) / secs))
        .put("serverThreads", b.threads())
        .put("generatorCpuPct", round(genCpu))
        .put("machineCpuPct", round(machineCpu))
        // what neither the server nor the generator used: the other tenants of this machine
        .put("otherCpuPct", round(Math.max(0, machineCpu - serverCpu - genCpu)))
        .put("rssMb", round(b.rssKb() / 1024.0))
        .put("rssMaxMb", round(maxRss / 1024.0))
        .put("heapUsedMb", round(b.heapUsedMb()))
        // bytes the process sent to storage (its WAL and database writes, checkpoints included)
        .put("diskWriteMBps", b.diskWriteBytes() < 0 || a.diskWriteBytes() < 0 ? -1
            : round((b.diskWriteBytes() - a.diskWriteBytes()) / 1e6 / secs))
        .put("heapUsedMaxMb", round(maxHeapMb));
  }

  static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // process gone
    }
    return -1;
  }

  /** write_bytes of {@code /proc/<pid>/io}: what the process caused to be written to storage; -1 if unreadable. */
  static long diskWriteBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
        if (line.startsWith("write_bytes:")) {
          return Long.parseLong(line.substring("write_bytes:".length()).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // process gone, or no I/O accounting in this kernel
    }
    return -1;
  }

  /** {utime, stime} of a process in ticks. */
  static long[] cpu(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    } catch (IOException | RuntimeException e) {
      return new long[] {-1, 0};
    }
  }

  /** {voluntary + involuntary context switches of all threads, thread count}. */
  static long[] contextSwitches(long pid) {
    long sum = 0;
    long threads = 0;
    try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          for (String line : Files.readAllLines(t.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
              sum += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
          }
          threads++;
        } catch (IOException | RuntimeException gone) {
          // thread ended
        }
      }
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
    return new long[] {sum, threads};
  }

  static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // fields after the command name (which may contain spaces) start after the last ')'
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** {busy, total} jiffies of all CPUs from /proc/stat. */
  static long[] machineTicks() {
    try (BufferedReader in = Files.newBufferedReader(Path.of("/proc/stat"))) {
      String[] f = in.readLine().trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  /** Machine-wide TCP counters that tell about connection storms (listen queue overflows, SYN retries). */
  static JsonObject tcpCounters() {
    JsonObject out = new JsonObject();
    try {
      List<String> netstat = Files.readAllLines(Path.of("/proc/net/netstat"));
      for (int i = 0; i + 1 < netstat.size(); i += 2) {
        String[] h = netstat.get(i).trim().split("\\s+");
        String[] v = netstat.get(i + 1).trim().split("\\s+");
        if (!h[0].equals("TcpExt:")) {
          continue;
        }
        for (int k = 1; k < h.length && k < v.length; k++) {
          if (List.of("ListenOverflows", "ListenDrops", "SyncookiesSent", "TCPTimeouts").contains(h[k])) {
            out.put(h[k], Long.parseLong(v[k]));
          }
        }
      }
      List<String> snmp = Files.readAllLines(Path.of("/proc/net/snmp"));
      for (int i = 0; i + 1 < snmp.size(); i += 2) {
        String[] h = snmp.get(i).trim().split("\\s+");
        String[] v = snmp.get(i + 1).trim().split("\\s+");
        if (h[0].equals("Tcp:")) {
          for (int k = 1; k < h.length && k < v.length; k++) {
            if (h[k].equals("RetransSegs") || h[k].equals("AttemptFails")) {
              out.put(h[k], Long.parseLong(v[k]));
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return out;
  }

  /** Counter deltas between two {@link #tcpCounters()} readings. */
  static JsonObject delta(JsonObject before, JsonObject after) {
    JsonObject d = new JsonObject();
    for (String k : after.fieldNames()) {
      d.put(k, after.getLong(k) - before.getLong(k, 0L));
    }
    return d;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    if (jstat != null) {
      jstat.destroy();
      try {
        jstat.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (jstat.isAlive()) {
        jstat.destroyForcibly();
      }
    }
  }
}
