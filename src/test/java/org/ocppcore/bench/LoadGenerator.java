package org.ocppcore.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thousands of simulated OCPP-J chargers in one process, on Vert.x's WebSocket client: one Vert.x
 * instance with one event loop per core, one {@link WebSocketClient} per loopback source address
 * (each address has its own ~28k ephemeral ports). Every charger keeps OCPP's rule of one
 * outstanding CALL (configurable for ingest), answers server-initiated CALLs, and records the
 * latency of each answered CALL per action into the current phase's {@link Metrics}.
 *
 * <p>Load shapes: a connection ramp ({@link #connectAll}); periodic messages per charger
 * (heartbeat/status/meter intervals, {@link #startIntervals}); a closed loop where every charger
 * sends its next message as soon as the previous one is answered ({@link #closedLoop}); an open
 * loop at a fixed total rate where latency is measured from the intended send time, so a slow
 * server cannot hide its queueing (no coordinated omission, {@link #openLoop}).
 */
final class LoadGenerator implements AutoCloseable {

  enum Proto {
    V16("ocpp1.6"), V201("ocpp2.0.1");

    final String subprotocol;

    Proto(String subprotocol) {
      this.subprotocol = subprotocol;
    }
  }

  /** What the generator connects to and how the chargers behave. */
  static final class Settings {
    String host = "127.0.0.1";
    int port;
    List<String> sources = List.of("127.0.0.1");
    /** Weights per protocol, e.g. {V16: 80, V201: 20}. */
    Map<Proto, Integer> mix = Map.of(Proto.V16, 100);
    int connectTimeoutMs = 30_000;
    int callTimeoutMs = 30_000;
    int samplesPerMessage = 10;
    /** MeterValues per transaction before Stop and a new Start; 0 = one endless transaction. */
    int txMessages = 0;
    /** 2.0.1 chargers send periodic samples as MeterValues instead of TransactionEvent(Updated). */
    boolean v2MeterValuesMessage = false;
    /** Ingest: CALLs a charger may have outstanding (OCPP allows one). */
    int inflight = 1;
    /** Ingest: start a transaction after boot. */
    boolean startTransaction = false;
    /** Concurrent handshakes in progress at most; 0 = unlimited. */
    int maxConnecting = 0;
    String idPrefix = "CP";
    /** Sent with HTTP Basic auth as {@code <id>:<password>} (security profile 1); null = none. */
    String password;
  }

  static final int CHARGERS_PER_CLIENT = 500;

  private final Settings s;
  private final Vertx vertx;
  private final List<WebSocketClient> clients = new ArrayList<>();
  private final Context[] contexts;
  private final List<SimCharger> chargers = new ArrayList<>();
  private volatile Metrics metrics;
  /** Totals over the whole run. */
  final LongAdder samplesAcked16 = new LongAdder();
  final LongAdder samplesAcked201 = new LongAdder();
  final LongAdder meterValuesAcked16 = new LongAdder();
  private final AtomicInteger settled = new AtomicInteger();
  private final AtomicInteger readyCounter = new AtomicInteger();
  private final AtomicInteger connecting = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private volatile Promise<Void> allSettled;
  private volatile long lastReadyNanos;
  private volatile boolean closedLoop;
  private volatile boolean closing;
  private final List<Long> periodicTimers = new ArrayList<>();

  LoadGenerator(Settings settings, int chargerCount) {
    this.s = settings;
    int loops = Runtime.getRuntime().availableProcessors();
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setWorkerPoolSize(2)
        .setBlockedThreadCheckInterval(10).setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS));
    // Vert.x keeps one connection pool per client and endpoint, and finding a slot in it costs time
    // proportional to the connections it holds: one client per CHARGERS_PER_CLIENT chargers keeps the
    // generator linear (one client for 19,000 chargers spends more CPU than the server under test)
    int perSource = Math.max(1, (chargerCount + CHARGERS_PER_CLIENT - 1) / CHARGERS_PER_CLIENT / settings.sources.size());
    for (int k = 0; k < perSource * settings.sources.size(); k++) {
      String source = settings.sources.get(k % settings.sources.size());
      WebSocketClientOptions o = new WebSocketClientOptions()
          .setMaxConnections(Integer.MAX_VALUE)
          .setConnectTimeout(settings.connectTimeoutMs)
          .setTcpNoDelay(true)
          .setMaxFrameSize(1048576)
          .setMaxMessageSize(1048576)
          .setClosingTimeout(5);
      if (settings.sources.size() > 1) {
        o.setLocalAddress(source);
      }
      clients.add(vertx.createWebSocketClient(o));
    }
    contexts = new Context[loops];
    for (int i = 0; i < loops; i++) {
      contexts[i] = vertx.getOrCreateContext(); // a new event-loop context per call from a non-Vert.x thread
    }
    List<Proto> protocols = Weights.spread(new java.util.TreeMap<>(settings.mix), chargerCount);
    for (int i = 0; i < chargerCount; i++) {
      Proto proto = protocols.get(i);
      String id = chargerId(settings.idPrefix, i);
      // round robin over the clients (client k binds source k mod sources)
      chargers.add(new SimCharger(i, id, proto, clients.get(i % clients.size()), contexts[i % loops]));
    }
    metrics = new Metrics("setup");
    startSweeper();
  }

  static String chargerId(String prefix, int i) {
    return prefix + String.format("%06d", i + 1);
  }

  Metrics phase(String name) {
    Metrics m = new Metrics(name);
    Metrics old = metrics;
    metrics = m;
    old.end();
    return m;
  }

  Metrics metrics() {
    return metrics;
  }

  int readyCount() {
    return readyCounter.get();
  }

  int openCount() {
    return open.get();
  }

  long lastReadyNanos() {
    return lastReadyNanos;
  }

  /** Ids of the chargers booted and connected now (the addressees of API commands). */
  List<String> readyIds() {
    List<String> ids = new ArrayList<>();
    for (SimCharger c : chargers) {
      if (c.ready) {
        ids.add(c.id);
      }
    }
    return ids;
  }

  // ------------------------------------------------------------------ connection ramp

  /**
   * Connects every charger at {@code perSecond} new connections per second (0 = all at once), each
   * then boots (BootNotification, StatusNotification, and a transaction when configured). Completes
   * when every charger is ready or has failed.
   */
  Future<Void> connectAll(int perSecond) {
    Promise<Void> done = Promise.promise();
    allSettled = done;
    settled.set(0);
    if (chargers.isEmpty()) {
      done.complete();
      return done.future();
    }
    long t0 = System.nanoTime();
    int[] started = {0};
    Context driver = contexts[0];
    driver.runOnContext(v -> {
      long[] timer = new long[1];
      Runnable tick = () -> {
        long due = perSecond <= 0 ? chargers.size()
            : Math.min(chargers.size(), 1 + (System.nanoTime() - t0) * perSecond / 1_000_000_000L);
        while (started[0] < due) {
          if (s.maxConnecting > 0 && connecting.get() >= s.maxConnecting) {
            break;
          }
          SimCharger c = chargers.get(started[0]++);
          connecting.incrementAndGet();
          c.ctx.runOnContext(x -> c.connect());
        }
        if (started[0] >= chargers.size()) {
          vertx.cancelTimer(timer[0]);
        }
      };
      tick.run();
      if (started[0] < chargers.size()) {
        timer[0] = vertx.setPeriodic(5, t -> tick.run());
      }
    });
    return done.future();
  }

  private void settle() {
    if (settled.incrementAndGet() == chargers.size() && allSettled != null) {
      allSettled.tryComplete();
    }
  }

  // ------------------------------------------------------------------ load shapes

  /** Every ready charger sends Heartbeat / StatusNotification / MeterValues at these intervals (0 = never). */
  void startIntervals(int heartbeatSec, int statusSec, int meterSec) {
    for (SimCharger c : chargers) {
      c.ctx.runOnContext(v -> {
        if (!c.ready) {
          return;
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        if (heartbeatSec > 0) {
          c.every(heartbeatSec * 1000L, r.nextLong(heartbeatSec * 1000L) + 1, () -> c.send("Heartbeat", Payloads.heartbeat()));
        }
        if (statusSec > 0) {
          c.every(statusSec * 1000L, r.nextLong(statusSec * 1000L) + 1, c::sendStatusFlip);
        }
        if (meterSec > 0) {
          c.every(meterSec * 1000L, r.nextLong(meterSec * 1000L) + 1, () -> c.sendNextIngest(System.nanoTime(), metrics));
        }
      });
    }
  }

  void stopIntervals() {
    for (SimCharger c : chargers) {
      c.ctx.runOnContext(v -> c.cancelTimers());
    }
  }

  /** Closed loop: each ready charger keeps {@code inflight} ingest messages outstanding, until {@link #stopLoad}. */
  void closedLoop() {
    closedLoop = true;
    for (SimCharger c : chargers) {
      c.ctx.runOnContext(v -> {
        for (int i = c.pending.size(); i < s.inflight && c.ready && c.isOpen(); i++) {
          c.sendNextIngest(System.nanoTime(), metrics);
        }
      });
    }
  }

  /**
   * Open loop at {@code perSecond} ingest messages per second in total, spread round-robin over the
   * ready chargers of each event loop. A message due while its charger has a CALL outstanding waits
   * in that charger's backlog; its latency still counts from when it was due.
   */
  void openLoop(double perSecond) {
    int loops = contexts.length;
    for (int l = 0; l < loops; l++) {
      List<SimCharger> mine = new ArrayList<>();
      for (SimCharger c : chargers) {
        if (c.ctx == contexts[l] && c.ready) {
          mine.add(c);
        }
      }
      if (mine.isEmpty()) {
        continue;
      }
      double perNano = perSecond / loops / 1e9;
      contexts[l].runOnContext(v -> {
        long t0 = System.nanoTime();
        long[] issued = {0};
        int[] rr = {0};
        long id = vertx.setPeriodic(2, t -> {
          long now = System.nanoTime();
          long due = (long) ((now - t0) * perNano);
          Metrics m = metrics;
          int guard = 0;
          while (issued[0] < due && guard++ < 100_000) {
            long scheduled = t0 + (long) (issued[0] / perNano);
            issued[0]++;
            SimCharger c = mine.get(rr[0]++ % mine.size());
            c.offer(scheduled, m);
          }
        });
        synchronized (periodicTimers) {
          periodicTimers.add(id);
        }
      });
    }
  }

  /** Stops the closed and open loops (outstanding CALLs still complete; backlogs are dropped). */
  void stopLoad() {
    closedLoop = false;
    synchronized (periodicTimers) {
      for (long id : periodicTimers) {
        vertx.cancelTimer(id);
      }
      periodicTimers.clear();
    }
    for (SimCharger c : chargers) {
      c.ctx.runOnContext(v -> c.backlog.clear());
    }
  }

  /** Waits (from a non-Vert.x thread) until no CALL is outstanding, at most {@code maxMillis}. */
  void awaitQuiet(long maxMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + maxMillis;
    while (System.currentTimeMillis() < deadline) {
      if (outstanding() == 0) {
        return;
      }
      Thread.sleep(50);
    }
  }

  int outstanding() {
    int n = 0;
    for (SimCharger c : chargers) {
      n += c.pendingCount;
    }
    return n;
  }

  /** Closes every socket and the Vert.x instance (blocking, bounded). */
  @Override
  public void close() {
    closing = true;
    stopLoad();
    for (SimCharger c : chargers) {
      c.ctx.runOnContext(v -> {
        c.cancelTimers();
        if (c.ws != null && c.isOpen()) {
          c.ws.close();
        }
      });
    }
    long deadline = System.currentTimeMillis() + 10_000;
    while (open.get() > 0 && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("generator: vertx close: " + e);
    }
  }

  // ------------------------------------------------------------------ one simulated charger

  /** A CALL waiting for its answer. */
  private record Pending(String action, long scheduledNanos, Metrics metrics, int samples, Promise<String> promise) {}

  private record Due(long scheduledNanos, Metrics metrics) {}

  /** Thrown into a call's future when the server answered CALLERROR. */
  static final class CallError extends RuntimeException {
    final String code;

    CallError(String code) {
      super(code, null, false, false);
      this.code = code;
    }
  }

  final class SimCharger {
    final int index;
    final String id;
    final Proto proto;
    final WebSocketClient client;
    final Context ctx;
    ClientWebSocket ws;
    private boolean wsOpen;
    volatile boolean ready;
    private long msgSeq;
    final HashMap<String, Pending> pending = new HashMap<>(4);
    volatile int pendingCount;
    final ArrayDeque<Due> backlog = new ArrayDeque<>();
    private final List<Long> timers = new ArrayList<>(3);
    private long lastTimestamp;
    private long energyWh = ThreadLocalRandom.current().nextLong(1_000, 1_000_000);
    private Long txId16;
    private String txId201;
    private int txSeq;
    private int seqNo;
    private int metersInTx;
    private boolean statusCharging;
    private long connectStart;

    SimCharger(int index, String id, Proto proto, WebSocketClient client, Context ctx) {
      this.index = index;
      this.id = id;
      this.proto = proto;
      this.client = client;
      this.ctx = ctx;
    }

    boolean isOpen() {
      return wsOpen;
    }

    void connect() {
      connectStart = System.nanoTime();
      ws = client.webSocket();
      ws.textMessageHandler(this::onText);
      ws.exceptionHandler(e -> { /* close handler does the accounting */ });
      ws.closeHandler(v -> onClosed());
      WebSocketConnectOptions o = new WebSocketConnectOptions()
          .setHost(s.host)
          .setPort(s.port)
          .setURI("/OCPP/" + id)
          .setTimeout(s.connectTimeoutMs)
          .setSubProtocols(List.of(proto.subprotocol));
      if (s.password != null) {
        o.addHeader("Authorization", "Basic " + Base64.getEncoder()
            .encodeToString((id + ":" + s.password).getBytes(StandardCharsets.UTF_8)));
      }
      ws.connect(o).onComplete(ar -> {
        connecting.decrementAndGet();
        Metrics m = metrics;
        if (ar.failed()) {
          m.connectFailed.increment();
          m.error("connect:" + reason(ar.cause()));
          settle();
          return;
        }
        wsOpen = true;
        open.incrementAndGet();
        m.connectOk.increment();
        m.hist("(connect)").recordNanos(System.nanoTime() - connectStart);
        boot();
      });
    }

    private void boot() {
      String payload = proto == Proto.V16 ? Payloads.boot16(id) : Payloads.boot201(id);
      call("BootNotification", payload, System.nanoTime(), metrics, 0).onComplete(ar -> {
        if (ar.failed()) {
          settle();
          return;
        }
        String status = new JsonObject(ar.result()).getString("status");
        if (!"Accepted".equals(status)) {
          metrics.error("boot:" + status);
          settle();
          return;
        }
        String st = proto == Proto.V16 ? Payloads.status16(1, "Available", stamp(1))
            : Payloads.status201(1, 1, "Available", stamp(1));
        call("StatusNotification", st, System.nanoTime(), metrics, 0).onComplete(ar2 -> {
          if (ar2.failed() || !s.startTransaction) {
            if (ar2.succeeded()) {
              becomeReady();
            }
            settle();
            return;
          }
          sendNextIngest(System.nanoTime(), metrics).onComplete(ar3 -> {
            if (ar3.succeeded()) {
              becomeReady();
            }
            settle();
          });
        });
      });
    }

    private void becomeReady() {
      ready = true;
      ready();
    }

    /** A timestamp after every one this charger used before (samples need distinct times). */
    private long stamp(int entries) {
      long t = Math.max(System.currentTimeMillis(), lastTimestamp + 1);
      lastTimestamp = t + entries - 1;
      return t;
    }

    void every(long periodMs, long firstDelayMs, Runnable action) {
      long[] holder = new long[1];
      holder[0] = vertx.setTimer(firstDelayMs, t -> {
        if (!wsOpen || closing) {
          return;
        }
        action.run();
        long p = vertx.setPeriodic(periodMs, x -> {
          if (wsOpen && !closing) {
            action.run();
          }
        });
        timers.add(p);
      });
      timers.add(holder[0]);
    }

    void cancelTimers() {
      for (long t : timers) {
        vertx.cancelTimer(t);
      }
      timers.clear();
    }

    void send(String action, String payload) {
      if (pendingCount >= Math.max(1, s.inflight)) {
        metrics.error("skipped:busy");
        return;
      }
      call(action, payload, System.nanoTime(), metrics, 0);
    }

    void sendStatusFlip() {
      statusCharging = !statusCharging;
      String status = statusCharging ? (proto == Proto.V16 ? "Preparing" : "Occupied") : "Available";
      send("StatusNotification", proto == Proto.V16 ? Payloads.status16(1, status, stamp(1))
          : Payloads.status201(1, 1, status, stamp(1)));
    }

    /** Open loop: send now if allowed, else queue (the latency counts from {@code scheduled}). */
    void offer(long scheduled, Metrics m) {
      if (!wsOpen) {
        return;
      }
      if (pendingCount < s.inflight && backlog.isEmpty()) {
        sendNextIngest(scheduled, m);
      } else if (backlog.size() < 1000) {
        backlog.add(new Due(scheduled, m));
      } else {
        m.overflow.increment();
      }
    }

    /**
     * The next message of the ingest cycle: Start (1.6 StartTransaction / 2.0.1 TransactionEvent
     * Started), then MeterValues (or TransactionEvent Updated) with the configured samples, and
     * after {@code txMessages} of them Stop and a new Start.
     */
    Future<String> sendNextIngest(long scheduled, Metrics m) {
      int n = s.samplesPerMessage;
      int entries = (n + 9) / 10;
      energyWh += 50;
      if (proto == Proto.V16) {
        if (txId16 == null && s.startTransaction) {
          return call("StartTransaction", Payloads.start16(1, energyWh, stamp(1)), scheduled, m, 0).map(r -> {
            txId16 = new JsonObject(r).getLong("transactionId");
            metersInTx = 0;
            return r;
          });
        }
        if (s.txMessages > 0 && metersInTx >= s.txMessages && txId16 != null) {
          long tx = txId16;
          return call("StopTransaction", Payloads.stop16(tx, energyWh, stamp(1)), scheduled, m, 0).map(r -> {
            txId16 = null;
            return r;
          });
        }
        metersInTx++;
        return call("MeterValues", Payloads.meterValues16(1, txId16, stamp(entries), n, energyWh), scheduled, m, n);
      }
      if (txId201 == null && s.startTransaction) {
        String tx = id + "-" + (++txSeq);
        seqNo = 0;
        return call("TransactionEvent", Payloads.transactionEvent201("Started", tx, seqNo++, stamp(1), 1, energyWh),
            scheduled, m, 1).map(r -> {
              txId201 = tx;
              metersInTx = 0;
              return r;
            });
      }
      if (s.txMessages > 0 && metersInTx >= s.txMessages && txId201 != null) {
        String tx = txId201;
        txId201 = null;
        return call("TransactionEvent", Payloads.transactionEvent201("Ended", tx, seqNo++, stamp(1), 1, energyWh),
            scheduled, m, 1);
      }
      metersInTx++;
      if (s.v2MeterValuesMessage || txId201 == null) {
        return call("MeterValues", Payloads.meterValues201(1, stamp(entries), n, energyWh), scheduled, m, n);
      }
      return call("TransactionEvent", Payloads.transactionEvent201("Updated", txId201, seqNo++, stamp(entries), n,
          energyWh), scheduled, m, n);
    }

    /** Sends {@code [2, id, action, payload]}; the future gets the CALLRESULT payload text. */
    Future<String> call(String action, String payload, long scheduled, Metrics m, int samples) {
      Promise<String> p = Promise.promise();
      if (!wsOpen) {
        p.fail("not connected");
        return p.future();
      }
      String msgId = Long.toString(++msgSeq);
      pending.put(msgId, new Pending(action, scheduled, m, samples, p));
      pendingCount = pending.size();
      m.sent.increment();
      ws.writeTextMessage("[2,\"" + msgId + "\",\"" + action + "\"," + payload + "]");
      return p.future();
    }

    private void onText(String text) {
      int type = Frames.type(text);
      if (type == 3 || type == 4) {
        String msgId = Frames.stringAt(text, 1);
        Pending p = msgId == null ? null : pending.remove(msgId);
        pendingCount = pending.size();
        if (p == null) {
          metrics.error("protocol:reply-to-unknown-id");
          return;
        }
        if (type == 3) {
          p.metrics.answered(p.action, System.nanoTime() - p.scheduledNanos);
          if (p.samples > 0) {
            p.metrics.samplesAcked.add(p.samples);
            if (proto == Proto.V16) {
              samplesAcked16.add(p.samples);
              meterValuesAcked16.increment();
            } else {
              samplesAcked201.add(p.samples);
            }
          }
          p.promise.tryComplete(Frames.payloadOfResult(text));
        } else {
          String code = Frames.stringAt(text, 2);
          p.metrics.callErrors.increment();
          p.metrics.error(p.action + ":" + code);
          p.promise.tryFail(new CallError(code));
        }
        afterAnswer();
      } else if (type == 2) {
        String msgId = Frames.stringAt(text, 1);
        String action = Frames.stringAt(text, 2);
        metrics.serverCalls.increment();
        ws.writeTextMessage("[3,\"" + msgId + "\"," + Payloads.answerTo(action, proto != Proto.V16) + "]");
      } else {
        metrics.error("protocol:unreadable-frame");
      }
    }

    private void afterAnswer() {
      if (!ready || closing) {
        return;
      }
      if (!backlog.isEmpty()) {
        Due d = backlog.poll();
        sendNextIngest(d.scheduledNanos(), d.metrics());
      } else if (closedLoop && pendingCount < s.inflight) {
        sendNextIngest(System.nanoTime(), metrics);
      }
    }

    /** Fails CALLs outstanding longer than the call timeout (swept once a second). */
    void sweep(long now) {
      if (pending.isEmpty()) {
        return;
      }
      Iterator<Pending> it = pending.values().iterator();
      boolean any = false;
      while (it.hasNext()) {
        Pending p = it.next();
        if (now - p.scheduledNanos > s.callTimeoutMs * 1_000_000L) {
          it.remove();
          p.metrics.timeouts.increment();
          p.metrics.error(p.action + ":timeout");
          p.promise.tryFail("timeout");
          any = true;
        }
      }
      pendingCount = pending.size();
      if (any) {
        afterAnswer();
      }
    }

    private void onClosed() {
      if (!wsOpen) {
        return;
      }
      wsOpen = false;
      open.decrementAndGet();
      cancelTimers();
      if (!closing) {
        Metrics m = metrics;
        Short code = ws.closeStatusCode();
        m.error("closed-by-server:" + (code == null ? "none" : code));
      }
      for (Pending p : pending.values()) {
        p.promise.tryFail("closed");
      }
      pending.clear();
      pendingCount = 0;
      backlog.clear();
      if (ready) {
        ready = false;
        readyCounter.decrementAndGet();
      }
    }
  }

  private void ready() {
    readyCounter.incrementAndGet();
    lastReadyNanos = System.nanoTime();
  }

  /** Starts the once-a-second sweep of timed-out CALLs. */
  void startSweeper() {
    for (Context ctx : contexts) {
      ctx.runOnContext(v -> vertx.setPeriodic(1000, t -> {
        long now = System.nanoTime();
        for (SimCharger c : chargers) {
          if (c.ctx == ctx) {
            c.sweep(now);
          }
        }
      }));
    }
  }

  static String reason(Throwable t) {
    if (t instanceof UpgradeRejectedException u) {
      return "http-" + u.getStatus();
    }
    if (t instanceof ConnectException) {
      return "refused";
    }
    String msg = String.valueOf(t.getMessage()).toLowerCase();
    if (msg.contains("timeout") || msg.contains("timed out")) {
      return "timeout";
    }
    if (msg.contains("reset")) {
      return "reset";
    }
    if (msg.contains("cannot assign requested address")) {
      return "no-local-port";
    }
    if (msg.contains("too many open files")) {
      return "too-many-open-files";
    }
    String simple = t.getClass().getSimpleName();
    return simple + (t.getMessage() == null ? "" : "(" + truncate(t.getMessage(), 60) + ")");
  }

  private static String truncate(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n);
  }

  /** Cheap reading of OCPP-J frames the generator receives (no JSON tree). */
  static final class Frames {
    private Frames() {}

    /** The message type (2, 3, 4), or -1 when unreadable. */
    static int type(String t) {
      int i = skip(t, 0);
      if (i >= t.length() || t.charAt(i) != '[') {
        return -1;
      }
      i = skip(t, i + 1);
      if (i >= t.length()) {
        return -1;
      }
      char c = t.charAt(i);
      return c >= '0' && c <= '9' && (i + 1 >= t.length() || !Character.isDigit(t.charAt(i + 1))) ? c - '0' : -1;
    }

    /** The string element at {@code position} (0-based) of the top-level array, or null. */
    static String stringAt(String t, int position) {
      int i = skip(t, 0) + 1;
      for (int pos = 0; pos < position; pos++) {
        i = skipValue(t, skip(t, i));
        i = skip(t, i);
        if (i >= t.length() || t.charAt(i) != ',') {
          return null;
        }
        i++;
      }
      i = skip(t, i);
      if (i >= t.length() || t.charAt(i) != '"') {
        return null;
      }
      StringBuilder sb = new StringBuilder();
      for (i++; i < t.length(); i++) {
        char c = t.charAt(i);
        if (c == '\\' && i + 1 < t.length()) {
          sb.append(t.charAt(++i));
        } else if (c == '"') {
          return sb.toString();
        } else {
          sb.append(c);
        }
      }
      return null;
    }

    /** The payload text of {@code [3, "id", payload]}. */
    static String payloadOfResult(String t) {
      int i = skip(t, 0) + 1;
      for (int pos = 0; pos < 2; pos++) {
        i = skipValue(t, skip(t, i));
        i = skip(t, i);
        if (i >= t.length() || t.charAt(i) != ',') {
          return "{}";
        }
        i++;
      }
      int end = t.lastIndexOf(']');
      return end > i ? t.substring(i, end).trim() : "{}";
    }

    private static int skip(String t, int i) {
      while (i < t.length() && Character.isWhitespace(t.charAt(i))) {
        i++;
      }
      return i;
    }

    /** Index just after the JSON value starting at {@code i} (strings, numbers, literals, nested). */
    private static int skipValue(String t, int i) {
      if (i >= t.length()) {
        return i;
      }
      char c = t.charAt(i);
      if (c == '"') {
        for (i++; i < t.length(); i++) {
          char d = t.charAt(i);
          if (d == '\\') {
            i++;
          } else if (d == '"') {
            return i + 1;
          }
        }
        return i;
      }
      if (c == '{' || c == '[') {
        int depth = 0;
        boolean inString = false;
        for (; i < t.length(); i++) {
          char d = t.charAt(i);
          if (inString) {
            if (d == '\\') {
              i++;
            } else if (d == '"') {
              inString = false;
            }
          } else if (d == '"') {
            inString = true;
          } else if (d == '{' || d == '[') {
            depth++;
          } else if (d == '}' || d == ']') {
            if (--depth == 0) {
              return i + 1;
            }
          }
        }
        return i;
      }
      while (i < t.length() && ",]}".indexOf(t.charAt(i)) < 0 && !Character.isWhitespace(t.charAt(i))) {
        i++;
      }
      return i;
    }
  }
}
