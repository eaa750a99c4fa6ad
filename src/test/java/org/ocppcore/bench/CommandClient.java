package org.ocppcore.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The integrator of scenario (d): REST API commands to the server's management port, each to a
 * random connected charger, so that every one is a full round trip (HTTP request, the charger's
 * session, a CALL over its WebSocket, the simulated charger's CALLRESULT, the HTTP response). Core
 * Vert.x HttpClient on an event loop of its own (not the chargers'), keep-alive connections,
 * loopback only. Per command kind into a {@link Metrics}: 2xx count as answered (latency), any
 * other status as error {@code kind:http-<status>}, no response as {@code kind:<reason>}.
 */
final class CommandClient implements AutoCloseable {

  /** A command: its route under {@code /api/v1/chargepoints/{id}/} and its body. */
  record Kind(String route, String body) {}

  /**
   * Cheap commands without side effects that reach the charger. TriggerMessage Heartbeat: the
   * generator accepts and sends no heartbeat for it. GetConfiguration (2.x: GetBaseReport): the
   * generator knows no keys, so the server writes nothing into the device model.
   */
  static final Map<String, Kind> KINDS = Map.of(
      "trigger", new Kind("trigger", "{\"message\":\"Heartbeat\"}"),
      "get-configuration", new Kind("get-configuration", "{}"));

  /** The server's wait for the charger (?timeout=, default 30): a charger that never answers costs 10 s. */
  static final int SERVER_TIMEOUT_SECONDS = 10;
  /** No response at all within this (a stuck server) fails the command. */
  static final long CLIENT_TIMEOUT_MS = (SERVER_TIMEOUT_SECONDS + 10) * 1000L;
  /** Keep-alive connections to the API, like an integrator's pool; a command finding none free waits, and that wait counts. */
  static final int CONNECTIONS = 32;

  private final Vertx vertx;
  private final HttpClientAgent http;
  private final Context ctx;
  private final int port;
  private final String apiKey;
  private final Map<String, Integer> mix;
  private final int totalWeight;

  CommandClient(int port, String apiKey, Map<String, Integer> mix, int concurrency) {
    this.port = port;
    this.apiKey = apiKey;
    this.mix = mix;
    this.totalWeight = Weights.total(mix);
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5000).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(Math.max(CONNECTIONS, concurrency)));
    this.ctx = vertx.getOrCreateContext();
  }

  /**
   * Sends {@code count} commands to random chargers of {@code ids}. Open loop at {@code perSecond}
   * when {@code concurrency} is 0: each command has a due time and its latency counts from then,
   * so a slow server cannot hide its queueing. Closed loop otherwise: {@code concurrency}
   * commands outstanding. No command starts after {@code maxSeconds}. Completes once every command
   * sent has its response or its failure, with the run's figures.
   */
  Future<JsonObject> run(List<String> ids, int count, double perSecond, int concurrency, int maxSeconds, Metrics m) {
    Promise<JsonObject> done = Promise.promise();
    Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
    ctx.runOnContext(v -> {
      long t0 = System.nanoTime();
      long stopAt = t0 + TimeUnit.SECONDS.toNanos(maxSeconds);
      // all on this context's one thread: plain counters
      int[] issued = {0};
      int[] finished = {0};
      long[] timer = {-1};
      Runnable[] next = new Runnable[1];
      Runnable complete = () -> {
        if (finished[0] == issued[0] && (issued[0] >= count || System.nanoTime() >= stopAt) && timer[0] < 0) {
          m.end();
          done.tryComplete(summary(m, statuses, issued[0], count, perSecond, concurrency));
        }
      };
      Outcome onDone = (kind, startNanos, status, failure) -> {
        finished[0]++;
        long latency = System.nanoTime() - startNanos;
        if (failure != null) {
          String reason = LoadGenerator.reason(failure);
          statuses.computeIfAbsent("none:" + reason, k -> new LongAdder()).increment();
          m.error(kind + ":" + reason);
          if (reason.equals("timeout")) {
            m.timeouts.increment();
          }
        } else {
          statuses.computeIfAbsent(Integer.toString(status), k -> new LongAdder()).increment();
          if (status / 100 == 2) {
            m.answered(kind, latency);
          } else {
            m.error(kind + ":http-" + status);
            m.hist(kind + " (non-2xx)").recordNanos(latency);
          }
        }
        if (concurrency > 0) {
          next[0].run();
        }
        complete.run();
      };
      next[0] = () -> {
        if (issued[0] < count && System.nanoTime() < stopAt) {
          issued[0]++;
          send(ids, System.nanoTime(), m, onDone);
        }
      };
      if (concurrency > 0) {
        for (int i = 0; i < concurrency; i++) {
          next[0].run();
        }
        complete.run();
        return;
      }
      double perNano = perSecond / 1e9;
      timer[0] = vertx.setPeriodic(1, t -> {
        long due = Math.min(count, (long) ((System.nanoTime() - t0) * perNano) + 1);
        while (issued[0] < due) {
          long scheduled = t0 + (long) (issued[0] / perNano);
          issued[0]++;
          send(ids, scheduled, m, onDone);
        }
        if (issued[0] >= count || System.nanoTime() >= stopAt) {
          vertx.cancelTimer(timer[0]);
          timer[0] = -1;
          complete.run();
        }
      });
    });
    return done.future();
  }

  /** The outcome of one command: an HTTP status, or the failure when no response came. */
  private interface Outcome {
    void done(String kind, long startNanos, int status, Throwable failure);
  }

  private void send(List<String> ids, long startNanos, Metrics m, Outcome onDone) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String kind = Weights.pick(mix, r.nextInt(totalWeight));
    Kind k = KINDS.get(kind);
    String id = ids.get(r.nextInt(ids.size()));
    RequestOptions ro = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setHost("127.0.0.1")
        .setPort(port)
        .setURI("/api/v1/chargepoints/" + id + "/" + k.route() + "?timeout=" + SERVER_TIMEOUT_SECONDS)
        .putHeader("X-API-Key", apiKey)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .setIdleTimeout(CLIENT_TIMEOUT_MS);
    m.sent.increment();
    // the whole body is read: the round trip ends when the charger's answer has arrived in full
    http.request(ro)
        .compose(req -> req.send(k.body()).compose(resp -> resp.body().map(b -> resp.statusCode())))
        .onComplete(ar -> onDone.done(kind, startNanos, ar.succeeded() ? ar.result() : 0,
            ar.succeeded() ? null : ar.cause()));
  }

  private JsonObject summary(Metrics m, Map<String, LongAdder> statuses, int issued, int count, double perSecond,
      int concurrency) {
    LatencyHistogram ok = new LatencyHistogram();
    m.latencies().forEach((kind, h) -> {
      if (mix.containsKey(kind)) {
        ok.add(h);
      }
    });
    long answered = ok.count();
    JsonObject st = new JsonObject();
    new TreeMap<>(statuses).forEach((k, v) -> st.put(k, v.sum()));
    return new JsonObject()
        .put("mode", concurrency > 0 ? "closed loop, " + concurrency + " outstanding" : "open loop")
        .put("offeredRate", concurrency > 0 ? null : perSecond)
        .put("planned", count)
        .put("sent", issued)
        .put("ok", answered)
        .put("failed", issued - answered)
        .put("statuses", st)
        .put("seconds", ProcSampler.round(m.seconds()))
        .put("rate", ProcSampler.round(answered / m.seconds()))
        .put("p50Ms", Metrics.ms(ok.percentileMicros(50)))
        .put("p95Ms", Metrics.ms(ok.percentileMicros(95)))
        .put("p99Ms", Metrics.ms(ok.percentileMicros(99)))
        .put("maxMs", Metrics.ms(ok.maxMicros()))
        .put("metrics", m.toJson());
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("command client: vertx close: " + e);
    }
  }
}
