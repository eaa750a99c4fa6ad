package org.ocppcore.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarizes a JFR recording of the server: hottest methods (self and inclusive, Java and native
 * samples), CPU by thread, GC pauses, allocation by class, and where threads wait.
 */
final class JfrSummary {
  private JfrSummary() {}

  static String summarize(Path file, int top) throws IOException {
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> inclusive = new HashMap<>();
    Map<String, Long> byThread = new HashMap<>();
    Map<String, Long> nativeSelf = new HashMap<>();
    Map<String, double[]> threadCpu = new HashMap<>();
    Map<String, Long> alloc = new HashMap<>();
    Map<String, Long> parkTop = new HashMap<>();
    long samples = 0;
    long nativeSamples = 0;
    long idleNative = 0;
    long gcCount = 0;
    Duration gcPause = Duration.ZERO;
    Duration gcMax = Duration.ZERO;
    long allocTotal = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      String type = e.getEventType().getName();
      switch (type) {
        case "jdk.ExecutionSample", "jdk.NativeMethodSample" -> {
          boolean nat = type.equals("jdk.NativeMethodSample");
          RecordedStackTrace st = e.getStackTrace();
          RecordedThread t = e.getThread(nat ? "sampledThread" : "sampledThread");
          String thread = t == null ? "?" : threadGroup(t.getJavaName() != null ? t.getJavaName() : t.getOSName());
          if (nat) {
            nativeSamples++;
          } else {
            samples++;
          }
          byThread.merge(thread + (nat ? " (in native)" : ""), 1L, Long::sum);
          if (st == null || st.getFrames().isEmpty()) {
            continue;
          }
          List<RecordedFrame> frames = st.getFrames();
          String top0 = method(frames.get(0));
          if (nat && IDLE_NATIVE.contains(top0)) {
            idleNative++;
            continue; // a thread waiting for work, not using CPU
          }
          (nat ? nativeSelf : self).merge(top0, 1L, Long::sum);
          Set<String> seen = new HashSet<>();
          for (RecordedFrame f : frames) {
            String m = method(f);
            if (seen.add(m)) {
              inclusive.merge(m, 1L, Long::sum);
            }
          }
        }
        case "jdk.ThreadCPULoad" -> {
          RecordedThread t = e.getThread("eventThread");
          String name = t == null ? "?#0" : (t.getJavaName() != null ? t.getJavaName() : t.getOSName()) + "#" + t.getId();
          double[] acc = threadCpu.computeIfAbsent(name, k -> new double[2]);
          acc[0] += e.getFloat("user") + e.getFloat("system");
          acc[1]++;
        }
        case "jdk.GarbageCollection" -> {
          gcCount++;
          Duration d = e.getDuration("sumOfPauses");
          gcPause = gcPause.plus(d);
          if (d.compareTo(gcMax) > 0) {
            gcMax = d;
          }
        }
        case "jdk.ObjectAllocationSample" -> {
          long w = e.getLong("weight");
          allocTotal += w;
          String cls = e.getClass("objectClass") == null ? "?" : e.getClass("objectClass").getName();
          alloc.merge(cls, w, Long::sum);
        }
        case "jdk.ThreadPark", "jdk.JavaMonitorEnter", "jdk.JavaMonitorWait" -> {
          RecordedStackTrace st = e.getStackTrace();
          if (st != null) {
            String where = firstOwnFrame(st);
            parkTop.merge(type.substring(4) + " @ " + where, e.getDuration().toMillis(), Long::sum);
          }
        }
        default -> { }
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append("JFR ").append(file.getFileName()).append(": ").append(samples).append(" Java samples, ")
        .append(nativeSamples).append(" native samples (").append(idleNative)
        .append(" of them idle: epoll, socket accept)\n");
    sb.append("\nSamples by thread (Java + native):\n");
    appendTop(sb, byThread, samples + nativeSamples, top);
    sb.append("\nCPU by thread group (JFR ThreadCPULoad, mean share of the machine, summed per group):\n");
    Map<String, Long> cpu = new HashMap<>();
    // mean per thread, summed per group (ThreadCPULoad is a share of all the machine's CPUs)
    threadCpu.forEach((k, v) -> cpu.merge(threadGroup(k.substring(0, k.lastIndexOf('#'))),
        Math.round(v[1] == 0 ? 0 : v[0] / v[1] * 10000), Long::sum));
    cpu.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(top)
        .forEach(en -> sb.append(String.format("  %6.1f %%  %s%n", en.getValue() / 100.0, en.getKey())));
    sb.append("\nHottest methods, self (Java samples):\n");
    appendTop(sb, self, samples, top);
    sb.append("\nHottest methods, self (native samples: threads inside JNI, e.g. SQLite):\n");
    appendTop(sb, nativeSelf, nativeSamples - idleNative, top);
    sb.append("\nInclusive (share of all samples with the method on the stack):\n");
    Map<String, Long> own = new HashMap<>();
    inclusive.forEach((k, v) -> {
      if (k.startsWith("org.ocppcore") || k.startsWith("org.sqlite") || k.startsWith("com.networknt")
          || k.startsWith("com.fasterxml") || k.startsWith("io.vertx.jdbcclient") || k.startsWith("io.vertx.sqlclient")
          || k.startsWith("io.agroal") || k.startsWith("io.vertx.core.json") || k.startsWith("io.vertx.core.eventbus")
          || k.startsWith("io.netty.handler.codec.http.websocketx") || k.startsWith("org.slf4j")) {
        own.put(k, v);
      }
    });
    appendTop(sb, own, samples + nativeSamples, top + 10);
    sb.append(String.format("%nGC: %d collections, %d ms paused in total, longest %d ms%n", gcCount, gcPause.toMillis(),
        gcMax.toMillis()));
    sb.append("\nAllocation by class (sampled weight):\n");
    appendTop(sb, alloc, allocTotal, top);
    sb.append("\nWaiting (park / monitor, total ms, first frame of ours or the library):\n");
    parkTop.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(top)
        .forEach(en -> sb.append(String.format("  %8d ms  %s%n", en.getValue(), en.getKey())));
    return sb.toString();
  }

  private static final Set<String> IDLE_NATIVE = Set.of("sun.nio.ch.EPoll.wait", "sun.nio.ch.Net.accept",
      "sun.nio.ch.ServerSocketChannelImpl.accept0", "java.lang.Thread.sleep", "java.lang.Object.wait");

  private static void appendTop(StringBuilder sb, Map<String, Long> counts, long total, int top) {
    List<Map.Entry<String, Long>> list = new ArrayList<>(counts.entrySet());
    list.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
    for (int i = 0; i < Math.min(top, list.size()); i++) {
      Map.Entry<String, Long> en = list.get(i);
      sb.append(String.format("  %5.1f %%  %s%n", total == 0 ? 0 : 100.0 * en.getValue() / total, en.getKey()));
    }
  }

  private static String method(RecordedFrame f) {
    if (f.getMethod() == null) {
      return "?";
    }
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  private static String firstOwnFrame(RecordedStackTrace st) {
    for (RecordedFrame f : st.getFrames()) {
      String m = method(f);
      if (!m.startsWith("java.") && !m.startsWith("jdk.") && !m.startsWith("sun.")) {
        return m;
      }
    }
    return st.getFrames().isEmpty() ? "?" : method(st.getFrames().get(0));
  }

  /** Thread names without their numbers, so pools sum up: "vert.x-eventloop-thread-1" -> "vert.x-eventloop-thread-N". */
  static String threadGroup(String name) {
    return name == null ? "?" : name.replaceAll("\\d+", "N");
  }
}
