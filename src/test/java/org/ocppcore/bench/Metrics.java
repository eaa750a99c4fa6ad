package org.ocppcore.bench;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the generator saw during one phase of a scenario: connections, messages sent and answered,
 * errors by code, latency per action. Thread-safe (recorded from every event loop).
 */
final class Metrics {
  final String phase;
  final long startNanos = System.nanoTime();
  volatile long endNanos;

  final LongAdder connectOk = new LongAdder();
  final LongAdder connectFailed = new LongAdder();
  final LongAdder sent = new LongAdder();
  final LongAdder answered = new LongAdder();
  final LongAdder callErrors = new LongAdder();
  final LongAdder timeouts = new LongAdder();
  final LongAdder serverCalls = new LongAdder();
  /** Open-loop messages dropped because a charger's backlog was full (the server fell far behind). */
  final LongAdder overflow = new LongAdder();
  final LongAdder samplesAcked = new LongAdder();
  private final ConcurrentHashMap<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAdder> answeredByAction = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LatencyHistogram> latency = new ConcurrentHashMap<>();

  Metrics(String phase) {
    this.phase = phase;
  }

  LatencyHistogram hist(String action) {
    return latency.computeIfAbsent(action, a -> new LatencyHistogram());
  }

  void error(String code) {
    errors.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  void answered(String action, long latencyNanos) {
    answered.increment();
    answeredByAction.computeIfAbsent(action, a -> new LongAdder()).increment();
    hist(action).recordNanos(latencyNanos);
  }

  long answered(String action) {
    LongAdder a = answeredByAction.get(action);
    return a == null ? 0 : a.sum();
  }

  void end() {
    if (endNanos == 0) {
      endNanos = System.nanoTime();
    }
  }

  double seconds() {
    long end = endNanos == 0 ? System.nanoTime() : endNanos;
    return (end - startNanos) / 1e9;
  }

  Map<String, Long> errors() {
    Map<String, Long> out = new TreeMap<>();
    errors.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  long errorCount() {
    return errors.values().stream().mapToLong(LongAdder::sum).sum();
  }

  Map<String, LatencyHistogram> latencies() {
    return new TreeMap<>(latency);
  }

  static JsonObject latencyJson(LatencyHistogram h) {
    return new JsonObject()
        .put("n", h.count())
        .put("p50", ms(h.percentileMicros(50)))
        .put("p95", ms(h.percentileMicros(95)))
        .put("p99", ms(h.percentileMicros(99)))
        .put("max", ms(h.maxMicros()));
  }

  static double ms(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }

  JsonObject toJson() {
    JsonObject lat = new JsonObject();
    latencies().forEach((a, h) -> lat.put(a, latencyJson(h)));
    JsonObject err = new JsonObject();
    errors().forEach(err::put);
    return new JsonObject()
        .put("phase", phase)
        .put("seconds", Math.round(seconds() * 100) / 100.0)
        .put("connectOk", connectOk.sum())
        .put("connectFailed", connectFailed.sum())
        .put("sent", sent.sum())
        .put("answered", answered.sum())
        .put("callErrors", callErrors.sum())
        .put("timeouts", timeouts.sum())
        .put("serverCalls", serverCalls.sum())
        .put("overflow", overflow.sum())
        .put("samplesAcked", samplesAcked.sum())
        .put("errors", err)
        .put("latencyMs", lat);
  }
}
