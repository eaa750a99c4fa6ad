package org.ocppcore.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.ocppcore.bench.LoadGenerator.Proto;
import org.ocppcore.testsupport.TempFiles;

/**
 * The load benchmark: {@code Bench hold|ingest|storm|commands|all [flags]}. Starts the packaged server and
 * the bare {@link BaselineServer} as child processes (each in a temp folder of its own, loopback
 * only), drives both with the same {@link LoadGenerator} in this JVM, samples their RSS, CPU and
 * heap, and prints one results block and one {@code BENCH-SUMMARY} JSON line (medians over
 * {@code --runs}, ratios to the baseline). See docs/benchmarks.md.
 */
public final class Bench {

  static final String USAGE = """
      usage: Bench hold|ingest|storm|commands|all|ceiling [flags]
        (ceiling: the SQLite storage ceiling alone, for the server's layout and that of schema 4;
         commands: REST API commands to random connected chargers while hold runs, ours only; all: hold, ingest, storm)
        --chargers N            simulated chargers (hold/storm 5000, ingest 1000, commands 10000)
        --ramp-per-sec R        new connections per second (hold/ingest 2000; storm 0 = all at once)
        --duration S            hold: seconds held after the ramp (20); ingest: seconds per load step (5)
        --rate R                ingest: one open-loop step at R msgs/s instead of the saturation probe + ladder
        --inflight K            ingest: CALLs a charger keeps outstanding in the closed loop (1, as OCPP allows)
        --warmup S              ingest: seconds of closed-loop load before measuring, for the JIT (15)
        --samples-per-message K sampled values per MeterValues (10)
        --tx-messages M         ingest: MeterValues per transaction before Stop + new Start (0 = endless)
        --heartbeat-interval S  hold/commands: seconds between heartbeats (30); --status-interval S, --meter-interval S (0 = off)
        --sources A,B           loopback source addresses (127.0.0.1); use two above ~25k chargers
        --protocol-mix 16:80,201:20   weights per OCPP version (16:100)
        --v2-metervalues        2.0.1 chargers send MeterValues instead of TransactionEvent(Updated)
        --basic-auth            ours: every charge point has a password (security profile 1, PBKDF2 as the server
                                stores it) and every charger sends it with HTTP Basic auth
        --runs N                repetitions; medians are reported (1)
        --target ours|baseline|both   (both)
        --sync FULL[,NORMAL]    db.synchronous variants of ours (ingest: FULL,NORMAL; others FULL)
        --heap SIZE             server heap, -Xms = -Xmx (1g); --gc G1|Parallel|Serial|ZGC (G1)
        --max-gc-pause MS       G1 pause goal (50); --server-opts "..." more server JVM flags
        --server-config JSON    ours: merged into the bench's server config, e.g. '{"ocpp":{"instances":1}}'
        --slo-ms MS             ingest latency goal for p99 (50)
        --ceiling-batch N       ingest: MeterValues per commit of the SQLite ceiling (100; 0 = skip it)
        --storm-warmups K       storm: K unmeasured storms (connect, boot, disconnect) first, so the measured one
                                meets a warm JIT (0: the measured storm meets a freshly started server)
        --connect-timeout S     (30); --max-connecting N: handshakes in progress at most (0 = unlimited)
        --commands N            commands: API commands measured (5000), after --command-warmup N unmeasured ones (1000)
        --command-rate R        commands: open loop, commands per second (200); latency counts from each one's due time
        --command-concurrency K commands: then --commands more in a closed loop, K outstanding (0 = skip)
        --command-mix trigger:1,get-configuration:1   command kinds by weight (TriggerMessage Heartbeat,
                                GetConfiguration / 2.x GetBaseReport)
        --jfr                   ingest: one extra run of ours with a JFR recording (kept out of the medians)
        --perf                  ingest/storm: one extra run of ours sampled by Linux perf (needs linux-perf;
                                kept out of the medians)
        --jar PATH              server jar (target/ocpp-core.jar); --out DIR results folder (target/bench)
        --max-minutes M         hard stop of the whole benchmark (45); --keep keeps the temp folders
      """;

  /** Command-line flags. Scenario defaults apply where a flag is not given. */
  static final class Options {
    String command;
    Integer chargers;
    Integer rampPerSec;
    Integer duration;
    double rate;
    int inflight = 1;
    int samplesPerMessage = 10;
    int txMessages;
    int heartbeatInterval = 30;
    int statusInterval;
    int meterInterval;
    List<String> sources = List.of("127.0.0.1");
    Map<Proto, Integer> mix = Map.of(Proto.V16, 100);
    boolean v2MeterValues;
    boolean basicAuth;
    int runs = 1;
    List<String> targets = List.of("ours", "baseline");
    List<String> sync;
    String heap = "1g";
    String gc = "G1";
    int maxGcPauseMs = 50;
    String serverOpts = "";
    JsonObject serverConfig = new JsonObject();
    double sloMs = 50;
    int connectTimeout = 30;
    int maxConnecting;
    int warmup = 15;
    int stormWarmups;
    int ceilingBatch = 100;
    int commands = 5000;
    int commandWarmup = 1000;
    double commandRate = 200;
    int commandConcurrency;
    Map<String, Integer> commandMix = parseCommandMix("trigger:1,get-configuration:1");
    boolean jfr;
    boolean perf;
    Path jar = Path.of("target/ocpp-core.jar");
    Path out = Path.of("target/bench");
    int maxMinutes = 45;
    boolean keep;

    static Options parse(String[] args) {
      Options o = new Options();
      if (args.length == 0 || args[0].startsWith("-")) {
        throw new IllegalArgumentException(USAGE);
      }
      o.command = args[0];
      if (!List.of("hold", "ingest", "storm", "commands", "all", "ceiling").contains(o.command)) {
        throw new IllegalArgumentException("unknown scenario " + o.command + "\n" + USAGE);
      }
      for (int i = 1; i < args.length; i++) {
        String flag = args[i];
        if (flag.equals("--jfr")) {
          o.jfr = true;
          continue;
        }
        if (flag.equals("--perf")) {
          o.perf = true;
          continue;
        }
        if (flag.equals("--keep")) {
          o.keep = true;
          continue;
        }
        if (flag.equals("--v2-metervalues")) {
          o.v2MeterValues = true;
          continue;
        }
        if (flag.equals("--basic-auth")) {
          o.basicAuth = true;
          continue;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value for " + flag + "\n" + USAGE);
        }
        String v = args[++i];
        switch (flag) {
          case "--chargers" -> o.chargers = Integer.parseInt(v);
          case "--ramp-per-sec" -> o.rampPerSec = Integer.parseInt(v);
          case "--duration" -> o.duration = Integer.parseInt(v);
          case "--rate" -> o.rate = Double.parseDouble(v);
          case "--inflight" -> o.inflight = Integer.parseInt(v);
          case "--warmup" -> o.warmup = Integer.parseInt(v);
          case "--storm-warmups" -> o.stormWarmups = Integer.parseInt(v);
          case "--ceiling-batch" -> o.ceilingBatch = Integer.parseInt(v);
          case "--commands" -> o.commands = Integer.parseInt(v);
          case "--command-warmup" -> o.commandWarmup = Integer.parseInt(v);
          case "--command-rate" -> o.commandRate = Double.parseDouble(v);
          case "--command-concurrency" -> o.commandConcurrency = Integer.parseInt(v);
          case "--command-mix" -> o.commandMix = parseCommandMix(v);
          case "--samples-per-message" -> o.samplesPerMessage = Integer.parseInt(v);
          case "--tx-messages" -> o.txMessages = Integer.parseInt(v);
          case "--heartbeat-interval" -> o.heartbeatInterval = Integer.parseInt(v);
          case "--status-interval" -> o.statusInterval = Integer.parseInt(v);
          case "--meter-interval" -> o.meterInterval = Integer.parseInt(v);
          case "--sources" -> o.sources = Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
          case "--protocol-mix" -> o.mix = parseMix(v);
          case "--runs" -> o.runs = Integer.parseInt(v);
          case "--target" -> o.targets = switch (v) {
            case "both" -> List.of("ours", "baseline");
            case "ours" -> List.of("ours");
            case "baseline" -> List.of("baseline");
            default -> throw new IllegalArgumentException("--target ours|baseline|both");
          };
          case "--sync" -> o.sync = Arrays.stream(v.split(",")).map(x -> x.trim().toUpperCase(Locale.ROOT)).toList();
          case "--heap" -> o.heap = v;
          case "--gc" -> o.gc = v;
          case "--max-gc-pause" -> o.maxGcPauseMs = Integer.parseInt(v);
          case "--server-opts" -> o.serverOpts = v;
          case "--server-config" -> o.serverConfig = new JsonObject(v);
          case "--slo-ms" -> o.sloMs = Double.parseDouble(v);
          case "--connect-timeout" -> o.connectTimeout = Integer.parseInt(v);
          case "--max-connecting" -> o.maxConnecting = Integer.parseInt(v);
          case "--jar" -> o.jar = Path.of(v);
          case "--out" -> o.out = Path.of(v);
          case "--max-minutes" -> o.maxMinutes = Integer.parseInt(v);
          default -> throw new IllegalArgumentException("unknown flag " + flag + "\n" + USAGE);
        }
      }
      for (String src : o.sources) {
        if (!src.startsWith("127.")) {
          throw new IllegalArgumentException("--sources must be loopback addresses (127.x.x.x): " + src);
        }
      }
      if (o.chargers != null && (o.chargers < 1 || o.chargers > 19_900)) {
        throw new IllegalArgumentException("--chargers must be 1..19900 (one process has 20000 file descriptors)");
      }
      if (o.inflight > 1 && o.txMessages > 0) {
        throw new IllegalArgumentException("--inflight > 1 needs --tx-messages 0 (a Stop must follow its MeterValues)");
      }
      if (o.command.equals("commands") && !o.targets.contains("ours")) {
        throw new IllegalArgumentException("commands runs against ours only (the baseline has no API)");
      }
      if (o.commands < 1 || o.commands > 1_000_000 || o.commandWarmup < 0 || o.commandRate <= 0
          || o.commandConcurrency < 0 || o.commandConcurrency > 1000) {
        throw new IllegalArgumentException("--commands 1..1000000, --command-warmup >= 0, --command-rate > 0, "
            + "--command-concurrency 0..1000");
      }
      return o;
    }

    static Map<String, Integer> parseCommandMix(String v) {
      return Weights.parse("--command-mix", v, kind -> {
        if (!CommandClient.KINDS.containsKey(kind)) {
          throw new IllegalArgumentException("--command-mix: unknown command " + kind + " " + CommandClient.KINDS.keySet());
        }
        return kind;
      });
    }

    static Map<Proto, Integer> parseMix(String v) {
      return Weights.parse("--protocol-mix", v, version -> switch (version) {
        case "16", "1.6" -> Proto.V16;
        case "201", "2.0.1" -> Proto.V201;
        default -> throw new IllegalArgumentException("--protocol-mix: unknown version " + version + " (16, 201)");
      });
    }

    int chargers(String scenario) {
      return chargers != null ? chargers
          : scenario.equals("ingest") ? 1000 : scenario.equals("commands") ? 10_000 : 5000;
    }

    int ramp(String scenario) {
      return rampPerSec != null ? rampPerSec : scenario.equals("storm") ? 0 : 2000;
    }

    int duration(String scenario) {
      return duration != null ? duration : scenario.equals("hold") ? 20 : 5;
    }

    List<String> sync(String scenario) {
      return sync != null ? sync : scenario.equals("ingest") ? List.of("FULL", "NORMAL") : List.of("FULL");
    }

    List<String> protocols() {
      List<String> p = new ArrayList<>();
      for (Proto proto : mix.keySet()) {
        p.add(proto.subprotocol);
      }
      return p;
    }
  }

  /** Paths shared by every run; {@code apiKey}: an admin key in the template database (commands only). */
  record Env(Path work, Path jar, Path benchClasses, Path templateDb, String apiKey) {}

  private final Options o;
  private final Env env;
  private final Path resultsFile;
  private final List<JsonObject> results = new ArrayList<>();
  private boolean jfrDone;
  private boolean perfDone;
  private boolean generatorWarm;

  private Bench(Options o, Env env, Path resultsFile) {
    this.o = o;
    this.env = env;
    this.resultsFile = resultsFile;
  }

  public static void main(String[] args) throws Exception {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(TimeUnit.MINUTES.toMillis(o.maxMinutes));
      } catch (InterruptedException e) {
        return;
      }
      log("ABORT: the benchmark ran longer than --max-minutes " + o.maxMinutes + "; stopping its child processes");
      stopChildren();
      Runtime.getRuntime().halt(3);
    }, "bench-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    Path work = Files.createTempDirectory("ocpp-bench-");
    // on Ctrl-C / SIGTERM too: our child processes go, and so does the temp folder
    Thread hook = new Thread(() -> {
      stopChildren();
      if (!o.keep) {
        TempFiles.deleteTree(work);
      }
    }, "bench-children");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Env env = prepare(o, work);
      Files.createDirectories(o.out);
      String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(ZonedDateTime.now());
      Path resultsFile = o.out.resolve("bench-" + o.command + "-" + stamp + ".jsonl");
      Bench bench = new Bench(o, env, resultsFile);
      bench.runAll();
      log("results: " + resultsFile.toAbsolutePath());
    } finally {
      stopChildren();
      watchdog.interrupt();
      if (!o.keep) {
        TempFiles.deleteTree(work);
      } else {
        log("kept " + work);
      }
      Runtime.getRuntime().removeShutdownHook(hook);
    }
  }

  private static void stopChildren() {
    for (Process p : Target.CHILDREN) {
      if (p.isAlive()) {
        p.destroyForcibly();
        try {
          p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private static Env prepare(Options o, Path work) throws Exception {
    Path jar = o.jar.toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " not found: build it first with mvn -q -DskipTests package");
    }
    // a private copy: a rebuild of target/ during the run cannot change what is measured
    Path jarCopy = work.resolve("ocpp-core.jar");
    Files.copy(jar, jarCopy);
    Path benchClasses = Path.of(BaselineServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path template = null;
    String apiKey = null;
    if (o.targets.contains("ours") || o.command.equals("ceiling")) {
      int max = 0;
      for (String sc : scenarios(o.command)) {
        max = Math.max(max, o.chargers(sc));
      }
      log("seeding a database with " + max + " charge points");
      apiKey = Target.buildTemplate(work.resolve("template"), jarCopy, max, "CP", o.basicAuth,
          scenarios(o.command).contains("commands"));
      template = work.resolve("template").resolve("ocpp.sqlite");
    }
    return new Env(work, jarCopy, benchClasses, template, apiKey);
  }

  static List<String> scenarios(String command) {
    return command.equals("all") ? List.of("hold", "ingest", "storm")
        : command.equals("ceiling") ? List.of("ingest") : List.of(command);
  }

  // ------------------------------------------------------------------ orchestration

  private void runAll() throws Exception {
    JsonObject machine = machine();
    log("machine: " + machine.encode());
    appendResult(new JsonObject().put("type", "machine").mergeIn(machine));
    if (o.command.equals("ceiling")) {
      ceilingTable();
      return;
    }
    for (String scenario : scenarios(o.command)) {
      List<Target.Spec> specs = new ArrayList<>();
      if (o.targets.contains("ours")) {
        for (String sync : o.sync(scenario)) {
          specs.add(Target.Spec.ours(sync));
        }
      }
      // the baseline has no API: commands measures ours alone
      if (o.targets.contains("baseline") && !scenario.equals("commands")) {
        specs.add(Target.Spec.baselineSpec());
      }
      boolean profiling = (o.jfr && scenario.equals("ingest"))
          || (o.perf && (scenario.equals("ingest") || scenario.equals("storm")));
      if (profiling && o.targets.contains("ours")) {
        // profiling slows the server down: one extra run of ours does it, and stays out of the medians
        Target.Spec spec = specs.get(0);
        JsonObject r;
        try {
          r = scenario.equals("ingest") ? ingest(spec, 0) : storm(spec, 0);
        } catch (Exception e) {
          log(scenario + " profiling run FAILED: " + e);
          r = new JsonObject().put("failed", String.valueOf(e));
        }
        r.put("type", "result").put("scenario", scenario).put("target", spec.label()).put("run", 0)
            .put("profiled", true).put("loadAvgAfter", loadAverage());
        appendResult(r);
        System.out.println("BENCH-RESULT " + r.encode());
        jfrDone = true;
        perfDone = true;
      }
      for (int run = 1; run <= o.runs; run++) {
        // alternate the order so that drift of the shared machine's load does not favour one target
        List<Target.Spec> order = new ArrayList<>(specs);
        if (run % 2 == 0) {
          java.util.Collections.reverse(order);
        }
        if (scenario.equals("ingest") && o.ceilingBatch > 0 && env.templateDb() != null) {
          for (String sync : o.sync(scenario)) {
            JsonObject c = ceiling(sync, run);
            appendResult(c);
            System.out.println("BENCH-RESULT " + c.encode());
          }
        }
        for (Target.Spec spec : order) {
          JsonObject r;
          String uptime = loadAverage();
          try {
            r = switch (scenario) {
              case "hold" -> hold(spec, run);
              case "ingest" -> ingest(spec, run);
              case "commands" -> commands(spec, run);
              default -> storm(spec, run);
            };
          } catch (Exception e) {
            log(scenario + " " + spec.label() + " run " + run + " FAILED: " + e);
            r = new JsonObject().put("failed", String.valueOf(e));
          }
          r.put("type", "result").put("scenario", scenario).put("target", spec.label()).put("run", run)
              .put("loadAvgBefore", uptime).put("loadAvgAfter", loadAverage());
          appendResult(r);
          System.out.println("BENCH-RESULT " + r.encode());
        }
      }
    }
    JsonObject summary = summarize(machine);
    System.out.println();
    System.out.println(summary.getString("table"));
    JsonObject line = summary.copy();
    line.remove("table");
    System.out.println("BENCH-SUMMARY " + line.encode());
    appendResult(line.put("type", "summary"));
    Files.writeString(resultsFile.resolveSibling(resultsFile.getFileName().toString().replace(".jsonl", ".md")),
        summary.getString("table"));
  }

  private void appendResult(JsonObject r) throws IOException {
    results.add(r);
    Files.writeString(resultsFile, r.encode() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  private LoadGenerator.Settings settings(Target t, String scenario) {
    LoadGenerator.Settings s = new LoadGenerator.Settings();
    s.port = t.port;
    s.sources = o.sources;
    s.mix = o.mix;
    s.connectTimeoutMs = o.connectTimeout * 1000;
    s.samplesPerMessage = o.samplesPerMessage;
    s.txMessages = o.txMessages;
    s.v2MeterValuesMessage = o.v2MeterValues;
    s.inflight = scenario.equals("ingest") ? o.inflight : 1;
    s.startTransaction = scenario.equals("ingest");
    s.maxConnecting = o.maxConnecting;
    s.password = o.basicAuth ? Payloads.PASSWORD : null;
    return s;
  }

  private Target start(Target.Spec spec, String scenario, int run) throws Exception {
    Path dir = env.work().resolve(scenario + "-" + spec.label() + "-run" + run);
    log(scenario + " run " + run + ": starting " + spec.label());
    return Target.start(spec, dir, env, o, o.protocols());
  }

  private static void awaitFuture(io.vertx.core.Future<?> f, long timeoutMs, String what) throws Exception {
    try {
      f.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      log(what + ": not complete after " + timeoutMs + " ms, going on");
    }
  }

  /** The future's value; the run fails when it is not there within {@code timeoutMs}. */
  private static <T> T result(io.vertx.core.Future<T> f, long timeoutMs, String what) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(what + ": not complete after " + timeoutMs + " ms");
    }
  }

  // ------------------------------------------------------------------ scenario (a): hold

  private JsonObject hold(Target.Spec spec, int run) throws Exception {
    int n = o.chargers("hold");
    int ramp = o.ramp("hold");
    JsonObject r = new JsonObject().put("chargers", n).put("rampPerSec", ramp);
    try (Target t = start(spec, "hold", run); ProcSampler sampler = new ProcSampler(t.pid(), 500)) {
      // warm-up: a few chargers connect, boot and leave, so that class loading, pools and caches
      // are not counted as per-charger memory
      LoadGenerator warm = new LoadGenerator(settings(t, "hold"), Math.min(200, n));
      try {
        awaitFuture(warm.connectAll(500), 30_000, "warm-up");
      } finally {
        warm.close();
      }
      Thread.sleep(2000);
      Tools.Histogram idle = Tools.classHistogram(t.pid());
      ProcSampler.Reading r0 = sampler.read();
      LoadGenerator gen = new LoadGenerator(settings(t, "hold"), n);
      try {
        Metrics ramping = gen.phase("ramp");
        JsonObject tcp0 = ProcSampler.tcpCounters();
        long t0 = System.nanoTime();
        awaitFuture(gen.connectAll(ramp), 60_000L + (ramp > 0 ? 1000L * n / ramp : 0), "ramp");
        r.put("tcp", ProcSampler.delta(tcp0, ProcSampler.tcpCounters()));
        double rampSecs = (System.nanoTime() - t0) / 1e9;
        ProcSampler.Reading r1 = sampler.read();
        gen.startIntervals(o.heartbeatInterval, o.statusInterval, o.meterInterval);
        Metrics holding = gen.phase("hold");
        sampler.resetHeapMax();
        Thread.sleep(o.duration("hold") * 1000L);
        ProcSampler.Reading r2 = sampler.read();
        gen.phase("measure");
        int connected = gen.openCount();
        Tools.Histogram full = Tools.classHistogram(t.pid());
        ProcSampler.Reading r3 = sampler.read();
        long perCharger = connected == 0 ? 0 : (full.totalBytes() - idle.totalBytes()) / connected;
        r.put("connected", connected)
            .put("ready", gen.readyCount())
            .put("rampSeconds", ProcSampler.round(rampSecs))
            .put("liveHeapIdleMb", ProcSampler.round(idle.totalBytes() / 1048576.0))
            .put("liveHeapMb", ProcSampler.round(full.totalBytes() / 1048576.0))
            .put("liveHeapPerChargerKb", ProcSampler.round(perCharger / 1024.0))
            .put("rssPerChargerKb", connected == 0 ? 0 : ProcSampler.round((r3.rssKb() - r0.rssKb()) / (double) connected))
            .put("liveHeapGrowthTop", new JsonArray(full.topGrowth(idle, 12, connected)))
            .put("rampStats", sampler.between(r0, r1))
            .put("holdStats", sampler.between(r1, r2))
            .put("ramp", ramping.toJson())
            .put("hold", holding.toJson());
      } finally {
        gen.close();
      }
    }
    return r;
  }

  // ------------------------------------------------------------------ scenario (b): ingest

  private JsonObject ingest(Target.Spec spec, int run) throws Exception {
    int n = o.chargers("ingest");
    JsonObject r = new JsonObject().put("chargers", n).put("samplesPerMessage", o.samplesPerMessage)
        .put("inflight", o.inflight).put("synchronous", spec.synchronous());
    Target t = start(spec, "ingest", run);
    LoadGenerator gen = null;
    try (ProcSampler sampler = new ProcSampler(t.pid(), 500)) {
      gen = new LoadGenerator(settings(t, "ingest"), n);
      Metrics setup = gen.phase("setup");
      awaitFuture(gen.connectAll(o.ramp("ingest")), 60_000L + 1000L * n / Math.max(1, o.ramp("ingest")), "connect");
      r.put("ready", gen.readyCount()).put("setup", setup.toJson());
      Tools.Histogram before = Tools.classHistogram(t.pid());
      boolean profile = o.jfr && !jfrDone && !spec.baseline();
      Path jfrFile = t.dir.resolve("ingest.jfr");
      int step = o.duration("ingest");
      // saturation probe: closed loop, every charger keeps its CALLs outstanding; first a warm-up
      // (the server's JIT compiler alone takes most of its CPU during its first ~10 s of load)
      gen.phase("warmup");
      gen.closedLoop();
      Thread.sleep(o.warmup * 1000L);
      if (profile) {
        int seconds = o.rate > 0 ? 8 + Math.max(step, 20) + 2 : 8 + 8 * (step + 1) + 2;
        log("JFR: recording " + seconds + " s of " + spec.label());
        Tools.jcmd(t.pid(), "JFR.start", "name=bench", "settings=" + jfcFile(t.dir), "duration=" + seconds + "s",
            "filename=" + jfrFile);
      }
      Metrics sat = gen.phase("saturation");
      ProcSampler.Reading a = sampler.read();
      sampler.resetHeapMax();
      boolean perf = o.perf && !perfDone && !spec.baseline();
      if (perf) {
        perfDone = true;
        String report = Perf.profile(t.pid(), 8, t.dir);
        Path txt = o.out.resolve("perf-ingest-" + spec.label() + ".txt");
        Files.writeString(txt, report);
        r.put("perfReport", txt.toAbsolutePath().toString());
        log("perf report written to " + txt.toAbsolutePath());
      } else {
        Thread.sleep(8000);
      }
      ProcSampler.Reading b = sampler.read();
      gen.phase("drain");
      gen.stopLoad();
      gen.awaitQuiet(10_000);
      sat.end();
      double satRate = ingestAnswered(sat) / sat.seconds();
      r.put("saturation", stepJson(sat, satRate, 0).put("proc", sampler.between(a, b)));
      log(String.format("%s saturation: %.0f msgs/s, p99 %.1f ms", spec.label(), satRate,
          Metrics.ms(combined(sat).percentileMicros(99))));
      JsonArray steps = new JsonArray();
      double[] fractions = o.rate > 0 ? new double[] {-1} : new double[] {0.25, 0.5, 0.65, 0.8, 0.9, 1.0};
      int overloaded = 0;
      for (double f : fractions) {
        double offered = f < 0 ? o.rate : Math.max(10, Math.round(satRate * f));
        JsonObject sj = openLoopStep(gen, sampler, spec, f < 0 ? "rate" : "open-" + Math.round(f * 100) + "%",
            offered, f < 0 ? Math.max(step, 20) : step);
        steps.add(sj);
        overloaded = sj.getDouble("p99Ms") > 4 * o.sloMs ? overloaded + 1 : 0;
        if (overloaded >= 2 && f >= 0.5) {
          break; // clearly overloaded twice in a row: higher steps only queue more
        }
      }
      // the ladder's steps are 10-15 % apart: two bisection steps between the last passing and the
      // first failing one find the knee within ~4 %, so the figure does not jump with the ladder
      for (int i = 0; i < 2 && o.rate <= 0; i++) {
        double lo = 0;
        double hi = Double.MAX_VALUE;
        for (int k = 0; k < steps.size(); k++) {
          JsonObject sj = steps.getJsonObject(k);
          double offered = sj.getDouble("offered");
          if (sj.getBoolean("meetsSlo")) {
            lo = Math.max(lo, offered);
          } else {
            hi = Math.min(hi, offered);
          }
        }
        if (lo == 0 || hi == Double.MAX_VALUE || hi < lo || (hi - lo) / hi < 0.04) {
          break;
        }
        double offered = Math.round((lo + hi) / 2);
        steps.add(openLoopStep(gen, sampler, spec, "refine-" + Math.round(offered), offered, step));
      }
      JsonObject best = null;
      for (int k = 0; k < steps.size(); k++) {
        JsonObject sj = steps.getJsonObject(k);
        if (sj.getBoolean("meetsSlo") && (best == null || sj.getDouble("rate") > best.getDouble("rate"))) {
          best = sj;
        }
      }
      r.put("steps", steps);
      // live heap after all that load, against after the setup: anything that grows with the
      // number of messages (not chargers) is a leak
      Tools.Histogram after = Tools.classHistogram(t.pid());
      long messages = gen.meterValuesAcked16.sum() + gen.samplesAcked201.sum() / Math.max(1, o.samplesPerMessage);
      r.put("liveHeapAfterSetupMb", ProcSampler.round(before.totalBytes() / 1048576.0))
          .put("liveHeapAfterLoadMb", ProcSampler.round(after.totalBytes() / 1048576.0))
          .put("liveHeapGrowthPer1000MsgsKb", messages == 0 ? 0
              : ProcSampler.round((after.totalBytes() - before.totalBytes()) / 1024.0 / (messages / 1000.0)))
          .put("liveHeapGrowthTop", new JsonArray(after.topGrowth(before, 8, 1)));
      r.put("rateAtSlo", best == null ? 0.0 : best.getDouble("rate"));
      r.put("p99AtSlo", best == null ? null : best.getDouble("p99Ms"));
      r.put("serverCpuUsPerMsgAtSlo", best == null ? null : best.getDouble("serverCpuUsPerMsg"));
      r.put("diskWriteKbPerMsgAtSlo", best == null ? null : best.getDouble("diskWriteKbPerMsg"));
      r.put("samplesPerSecAtSlo", best == null ? 0.0 : best.getDouble("rate") * o.samplesPerMessage);
      r.put("saturationRate", ProcSampler.round(satRate));
      if (profile) {
        waitForFile(jfrFile, 60_000);
        try {
          String summary = JfrSummary.summarize(jfrFile, 15);
          Path txt = o.out.resolve("jfr-ingest-" + spec.label() + ".txt");
          Files.writeString(txt, summary);
          Files.copy(jfrFile, o.out.resolve("jfr-ingest-" + spec.label() + ".jfr"),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          r.put("jfrSummary", txt.toAbsolutePath().toString());
          log("JFR summary written to " + txt.toAbsolutePath());
          System.out.println(summary);
          jfrDone = true;
        } catch (IOException e) {
          log("JFR summary failed: " + e);
        }
      }
    } finally {
      if (gen != null) {
        gen.close();
      }
      t.close();
    }
    long acked16 = gen.samplesAcked16.sum();
    long acked201 = gen.samplesAcked201.sum();
    long acked = acked16 + acked201;
    r.put("samplesAcked16", acked16).put("meterValuesAcked16", gen.meterValuesAcked16.sum())
        .put("samplesAcked201", acked201);
    if (!spec.baseline()) {
      // every sample of an acknowledged MeterValues or TransactionEvent is one row of the view
      long rows = t.meterSampleRows();
      r.put("meterSampleRows", rows).put("everyAckedSamplePersisted", rows >= acked).mergeIn(t.writerFigures());
      log(String.format("%s: %d samples acked (1.6: %d, 2.0.1: %d), %d rows in MeterSample%s", spec.label(), acked,
          acked16, acked201, rows, rows >= acked ? "" : "  <-- LOST ACKED SAMPLES"));
    }
    return r;
  }

  /** The JDK's "profile" JFR settings with denser method sampling (Java every 2 ms, native every 10 ms). */
  private static Path jfcFile(Path dir) throws IOException {
    Path profile = Path.of(System.getProperty("java.home"), "lib", "jfr", "profile.jfc");
    String jfc = Files.readString(profile)
        .replace("control=\"method-sampling-java-interval\">10 ms<", "control=\"method-sampling-java-interval\">2 ms<")
        .replace("control=\"method-sampling-native-interval\">20 ms<", "control=\"method-sampling-native-interval\">10 ms<");
    Path out = dir.resolve("bench.jfc");
    Files.writeString(out, jfc);
    return out;
  }

  /** {@code Bench ceiling}: every layout, both synchronous modes, batches of 1, 10, 100 and 1000 MeterValues. */
  private void ceilingTable() throws Exception {
    StringBuilder table = new StringBuilder("\n### SQLite ceiling — MeterValues/s (" + o.samplesPerMessage
        + " samples each) on one thread, plain JDBC, median of " + o.runs + " run(s); load " + loadAverage()
        + "\n\n| layout | synchronous | per commit | MeterValues/s | samples/s | commit p99 (ms) | bytes/sample |\n"
        + "|---|---|---:|---:|---:|---:|---:|\n");
    for (SqliteCeiling.Layout layout : SqliteCeiling.Layout.values()) {
      for (String sync : List.of("FULL", "NORMAL")) {
        for (int batch : new int[] {1, 10, 100, 1000}) {
          List<JsonObject> runs = new ArrayList<>();
          for (int run = 1; run <= o.runs; run++) {
            JsonObject r = SqliteCeiling.run(env.templateDb(), env.work().resolve("ceiling"), sync, batch,
                o.samplesPerMessage, o.chargers("ingest"), 5, layout);
            appendResult(r.copy().put("type", "result").put("scenario", "ceiling").put("run", run));
            runs.add(r);
          }
          Double rate = median(runs.stream().map(r -> r.getDouble("rate")).toList());
          table.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s |%n", layout, sync, batch,
              fmt(rate), fmt(rate * o.samplesPerMessage),
              fmt(median(runs.stream().map(r -> r.getDouble("batchP99Ms")).toList())),
              fmt(median(runs.stream().map(r -> r.getLong("bytesPerSample").doubleValue()).toList()))));
          log(layout + " " + sync + " " + batch + "/commit: " + fmt(rate) + " MeterValues/s");
        }
      }
    }
    System.out.println(table);
    Files.writeString(resultsFile.resolveSibling(resultsFile.getFileName().toString().replace(".jsonl", ".md")),
        table.toString());
  }

  /** One open-loop ingest step at {@code offered} MeterValues/s for {@code seconds}; its figures and SLO verdict. */
  private JsonObject openLoopStep(LoadGenerator gen, ProcSampler sampler, Target.Spec spec, String phase, double offered,
      int seconds) throws InterruptedException {
    Metrics m = gen.phase(phase);
    ProcSampler.Reading c = sampler.read();
    sampler.resetHeapMax();
    gen.openLoop(offered);
    Thread.sleep(seconds * 1000L);
    ProcSampler.Reading d = sampler.read();
    gen.phase("drain");
    gen.stopLoad();
    m.end();
    gen.awaitQuiet(5_000);
    double achieved = ingestAnswered(m) / m.seconds();
    JsonObject proc = sampler.between(c, d);
    JsonObject sj = stepJson(m, achieved, offered).put("proc", proc);
    if (achieved > 0) {
      // the server's cost per message: what the 2 shared cores are spent on, and the storage traffic
      sj.put("serverCpuUsPerMsg", ProcSampler.round(proc.getDouble("serverCpuPct") * 1e4 / achieved));
      double mbps = proc.getDouble("diskWriteMBps");
      sj.put("diskWriteKbPerMsg", mbps < 0 ? -1 : ProcSampler.round(mbps * 1e6 / 1024 / achieved));
    }
    boolean meets = sj.getDouble("p99Ms") <= o.sloMs && m.errorCount() == 0 && m.overflow.sum() == 0
        && achieved >= 0.95 * offered;
    sj.put("meetsSlo", meets);
    log(String.format("%s open loop %.0f msgs/s offered: %.0f achieved, p99 %.1f ms%s", spec.label(), offered,
        achieved, sj.getDouble("p99Ms"), meets ? "" : " (misses the goal)"));
    return sj;
  }

  /** The storage ceiling of this machine for the server's MeterValues statements (see {@link SqliteCeiling}). */
  private JsonObject ceiling(String sync, int run) {
    String label = "FULL".equals(sync) ? "sqlite-ceiling" : "sqlite-ceiling-" + sync.toLowerCase(Locale.ROOT);
    JsonObject r;
    String load = loadAverage();
    try {
      r = SqliteCeiling.run(env.templateDb(), env.work().resolve("ceiling-run" + run), sync, o.ceilingBatch,
          o.samplesPerMessage, o.chargers("ingest"), 8);
      r.put("saturationRate", r.getDouble("rate"));
      log(String.format("%s: %.0f MeterValues/s (%.0f samples/s) on one thread, %d per commit", label,
          r.getDouble("rate"), r.getDouble("samplesPerSec"), o.ceilingBatch));
    } catch (Exception | LinkageError e) {
      log(label + " FAILED: " + e);
      r = new JsonObject().put("failed", String.valueOf(e));
    }
    return r.put("type", "result").put("scenario", "ingest").put("target", label).put("run", run)
        .put("loadAvgBefore", load).put("loadAvgAfter", loadAverage());
  }

  private static void waitForFile(Path f, long maxMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + maxMs;
    long lastSize = -1;
    while (System.currentTimeMillis() < deadline) {
      try {
        long size = Files.exists(f) ? Files.size(f) : -1;
        if (size > 0 && size == lastSize) {
          return;
        }
        lastSize = size;
      } catch (IOException ignored) {
        // not yet
      }
      Thread.sleep(1000);
    }
  }

  private static final List<String> INGEST_ACTIONS = List.of("MeterValues", "TransactionEvent", "StartTransaction",
      "StopTransaction");

  private static long ingestAnswered(Metrics m) {
    long n = 0;
    for (String a : INGEST_ACTIONS) {
      n += m.answered(a);
    }
    return n;
  }

  private static LatencyHistogram combined(Metrics m) {
    LatencyHistogram h = new LatencyHistogram();
    m.latencies().forEach((action, hist) -> {
      if (INGEST_ACTIONS.contains(action)) {
        h.add(hist);
      }
    });
    return h;
  }

  private JsonObject stepJson(Metrics m, double achieved, double offered) {
    LatencyHistogram h = combined(m);
    return new JsonObject()
        .put("phase", m.phase)
        .put("offered", Math.round(offered))
        .put("rate", ProcSampler.round(achieved))
        .put("samplesPerSec", ProcSampler.round(achieved * o.samplesPerMessage))
        .put("p50Ms", Metrics.ms(h.percentileMicros(50)))
        .put("p95Ms", Metrics.ms(h.percentileMicros(95)))
        .put("p99Ms", Metrics.ms(h.percentileMicros(99)))
        .put("maxMs", Metrics.ms(h.maxMicros()))
        .put("metrics", m.toJson());
  }

  // ------------------------------------------------------------------ scenario (c): boot storm

  /**
   * Once per bench process, before the first measured storm: the generator storms a throwaway bare
   * baseline server, so the measured storm meets warm chargers. Real chargers are separate devices;
   * a cold generator on the same 2 cores would otherwise take CPU from the server it measures.
   */
  private void warmGenerator(int n) throws Exception {
    if (generatorWarm) {
      return;
    }
    generatorWarm = true;
    Path dir = env.work().resolve("storm-generator-warmup");
    log("storm: warming the generator on a throwaway baseline server");
    try (Target t = Target.start(Target.Spec.baselineSpec(), dir, env, o, o.protocols())) {
      unmeasuredStorm(t, n, "generator warm-up storm");
    }
    Thread.sleep(2000);
  }

  /** All chargers connect and boot, then disconnect; nothing is recorded. */
  private void unmeasuredStorm(Target t, int n, String what) throws Exception {
    LoadGenerator warm = new LoadGenerator(settings(t, "storm"), n);
    try {
      awaitFuture(warm.connectAll(o.ramp("storm")), 120_000, what);
    } finally {
      warm.close();
    }
  }

  /** The HTTP status of a WebSocket upgrade to {@code id} without an Authorization header (101 when let in). */
  static int statusWithoutCredentials(int port, String id) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    try {
      http.newWebSocketBuilder().subprotocols("ocpp1.6")
          .buildAsync(URI.create("ws://127.0.0.1:" + port + "/OCPP/" + id), new WebSocket.Listener() {})
          .get(30, TimeUnit.SECONDS)
          .abort();
      return 101;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) {
        return h.getResponse().statusCode();
      }
      throw e;
    }
  }

  private JsonObject storm(Target.Spec spec, int run) throws Exception {
    int n = o.chargers("storm");
    JsonObject r = new JsonObject().put("chargers", n).put("rampPerSec", o.ramp("storm"));
    // a freshly started server process (cold JIT, nothing cached): what chargers meet after a restart
    r.put("warmups", o.stormWarmups);
    warmGenerator(n);
    try (Target t = start(spec, "storm", run); ProcSampler sampler = new ProcSampler(t.pid(), 500)) {
      r.put("startSeconds", ProcSampler.round(t.startSeconds));
      if (o.basicAuth && !spec.baseline()) {
        // the passwords are in force: a charger that sends none is refused
        r.put("statusWithoutPassword", statusWithoutCredentials(t.port, LoadGenerator.chargerId("CP", 0)));
      }
      for (int w = 0; w < o.stormWarmups; w++) {
        unmeasuredStorm(t, n, "warm-up storm");
        Thread.sleep(3000);
      }
      LoadGenerator gen = new LoadGenerator(settings(t, "storm"), n);
      try {
        Metrics storm = gen.phase("storm");
        Perf perf = null;
        if (o.perf && !perfDone && !spec.baseline()) {
          perfDone = true;
          perf = Perf.start(t.pid(), Math.max(5, (int) Math.ceil(n / 1000.0) + 5), t.dir);
          Thread.sleep(300); // perf attaches
        }
        ProcSampler.Reading a = sampler.read();
        JsonObject tcp0 = ProcSampler.tcpCounters();
        long t0 = System.nanoTime();
        awaitFuture(gen.connectAll(o.ramp("storm")), 120_000, "storm");
        r.put("tcp", ProcSampler.delta(tcp0, ProcSampler.tcpCounters()));
        ProcSampler.Reading b = sampler.read();
        double secs = gen.readyCount() == 0 ? -1 : (gen.lastReadyNanos() - t0) / 1e9;
        storm.end();
        long failed = storm.connectFailed.sum();
        r.put("ready", gen.readyCount())
            .put("connected", storm.connectOk.sum())
            .put("connectFailed", failed)
            .put("stormSeconds", ProcSampler.round(secs))
            .put("allReady", gen.readyCount() == n)
            .put("proc", sampler.between(a, b))
            .put("storm", storm.toJson());
        log(String.format("%s storm: %d/%d ready in %.2f s, %d failed connections", spec.label(), gen.readyCount(),
            n, secs, failed));
        if (perf != null) {
          Path txt = o.out.resolve("perf-storm-" + spec.label() + ".txt");
          Files.writeString(txt, perf.report());
          r.put("perfReport", txt.toAbsolutePath().toString());
          log("perf report written to " + txt.toAbsolutePath());
        }
      } finally {
        gen.close();
      }
    }
    return r;
  }

  // ------------------------------------------------------------------ scenario (d): commands

  /** Closed loop: no command starts after this (the open loop ends by its schedule). */
  private static final int CLOSED_LOOP_MAX_SECONDS = 120;

  private JsonObject commands(Target.Spec spec, int run) throws Exception {
    int n = o.chargers("commands");
    int ramp = o.ramp("commands");
    String mix = String.join(",", o.commandMix.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).toList());
    JsonObject r = new JsonObject().put("chargers", n).put("rampPerSec", ramp).put("commands", o.commands)
        .put("commandWarmup", o.commandWarmup).put("commandRate", o.commandRate)
        .put("commandConcurrency", o.commandConcurrency).put("commandMix", mix)
        .put("heartbeatInterval", o.heartbeatInterval);
    try (Target t = start(spec, "commands", run); ProcSampler sampler = new ProcSampler(t.pid(), 500);
         CommandClient api = new CommandClient(t.httpPort, env.apiKey(), o.commandMix, o.commandConcurrency)) {
      LoadGenerator gen = new LoadGenerator(settings(t, "commands"), n);
      try {
        Metrics ramping = gen.phase("ramp");
        long t0 = System.nanoTime();
        awaitFuture(gen.connectAll(ramp), 60_000L + (ramp > 0 ? 1000L * n / ramp : 0), "ramp");
        r.put("rampSeconds", ProcSampler.round((System.nanoTime() - t0) / 1e9)).put("ramp", ramping.toJson());
        // (a) hold: every charger heartbeats while the commands run
        gen.startIntervals(o.heartbeatInterval, o.statusInterval, o.meterInterval);
        List<String> ids = gen.readyIds();
        if (ids.isEmpty()) {
          throw new IllegalStateException("no charger booted");
        }
        int openSeconds = (int) Math.ceil(o.commands / o.commandRate) + 5;
        long wait = 1000L * openSeconds + CommandClient.CLIENT_TIMEOUT_MS + 10_000;
        if (o.commandWarmup > 0) {
          // unmeasured: the server's API path meets a cold JIT and empty pools first
          gen.phase("warmup");
          JsonObject w = result(api.run(ids, o.commandWarmup, o.commandRate, 0,
              (int) Math.ceil(o.commandWarmup / o.commandRate) + 5, new Metrics("warmup")), wait, "warm-up commands");
          r.put("warmup", w);
          log(String.format("%s warm-up: %d commands, %d ok, p99 %.1f ms", spec.label(), w.getInteger("sent"),
              w.getLong("ok"), w.getDouble("p99Ms")));
        }
        Metrics holding = gen.phase("hold-open");
        ProcSampler.Reading a = sampler.read();
        sampler.resetHeapMax();
        JsonObject open = result(api.run(ids, o.commands, o.commandRate, 0, openSeconds, new Metrics("open")), wait,
            "commands");
        ProcSampler.Reading b = sampler.read();
        Metrics holdingClosed = gen.phase("hold-closed");
        r.put("connected", gen.openCount())
            .put("ready", ids.size())
            .put("open", open)
            .put("openStats", sampler.between(a, b))
            .put("hold", holding.toJson());
        log(String.format("%s commands: %d sent at %.0f/s, %d ok (%s), p50 %.1f p99 %.1f max %.1f ms; "
                + "Heartbeat p99 %.1f ms", spec.label(), open.getInteger("sent"), o.commandRate, open.getLong("ok"),
            open.getJsonObject("statuses").encode(), open.getDouble("p50Ms"), open.getDouble("p99Ms"),
            open.getDouble("maxMs"), Metrics.ms(holding.hist("Heartbeat").percentileMicros(99))));
        if (o.commandConcurrency > 0) {
          ProcSampler.Reading c = sampler.read();
          sampler.resetHeapMax();
          JsonObject closed = result(api.run(ids, o.commands, 0, o.commandConcurrency, CLOSED_LOOP_MAX_SECONDS,
              new Metrics("closed")), 1000L * CLOSED_LOOP_MAX_SECONDS + CommandClient.CLIENT_TIMEOUT_MS + 10_000,
              "closed-loop commands");
          ProcSampler.Reading d = sampler.read();
          r.put("closed", closed).put("closedStats", sampler.between(c, d)).put("holdClosed", holdingClosed.toJson());
          log(String.format("%s closed loop (%d outstanding): %.0f commands/s, p99 %.1f ms, %d failed", spec.label(),
              o.commandConcurrency, closed.getDouble("rate"), closed.getDouble("p99Ms"), closed.getLong("failed")));
        }
        gen.phase("end");
      } finally {
        gen.close();
      }
    }
    return r;
  }

  // ------------------------------------------------------------------ summary

  /** One reported figure: where to find it in a result, whether lower is better. */
  private record Figure(String scenario, String label, String path, boolean lowerIsBetter) {}

  private static final List<Figure> FIGURES = List.of(
      new Figure("hold", "chargers connected", "connected", false),
      new Figure("hold", "connections failed", "ramp.connectFailed", true),
      new Figure("hold", "live heap per charger (KB)", "liveHeapPerChargerKb", true),
      new Figure("hold", "RSS per charger (KB)", "rssPerChargerKb", true),
      new Figure("hold", "live heap total (MB)", "liveHeapMb", true),
      new Figure("hold", "server CPU while holding (%)", "holdStats.serverCpuPct", true),
      new Figure("hold", "server RSS (MB)", "holdStats.rssMaxMb", true),
      new Figure("hold", "ramp time (s)", "rampSeconds", true),
      new Figure("hold", "generator CPU during ramp (%)", "rampStats.generatorCpuPct", true),
      new Figure("hold", "BootNotification p99 during ramp (ms)", "ramp.latencyMs.BootNotification.p99", true),
      new Figure("hold", "Heartbeat p50 (ms)", "hold.latencyMs.Heartbeat.p50", true),
      new Figure("hold", "Heartbeat p99 (ms)", "hold.latencyMs.Heartbeat.p99", true),
      new Figure("hold", "Heartbeat max (ms)", "hold.latencyMs.Heartbeat.max", true),
      new Figure("hold", "errors while holding", "hold.callErrors", true),
      new Figure("ingest", "saturation rate (msgs/s, closed loop)", "saturationRate", false),
      new Figure("ingest", "saturation p99 (ms)", "saturation.p99Ms", true),
      new Figure("ingest", "rate at p99 <= SLO (msgs/s)", "rateAtSlo", false),
      new Figure("ingest", "samples/s at p99 <= SLO", "samplesPerSecAtSlo", false),
      new Figure("ingest", "p99 at that rate (ms)", "p99AtSlo", true),
      new Figure("ingest", "server CPU per MeterValues at that rate (µs)", "serverCpuUsPerMsgAtSlo", true),
      new Figure("ingest", "storage writes per MeterValues at that rate (KB)", "diskWriteKbPerMsgAtSlo", true),
      new Figure("ingest", "server CPU at saturation (%)", "saturation.proc.serverCpuPct", true),
      new Figure("ingest", "generator CPU at saturation (%)", "saturation.proc.generatorCpuPct", true),
      new Figure("ingest", "other tenants' CPU at saturation (%)", "saturation.proc.otherCpuPct", true),
      new Figure("ingest", "server RSS max (MB)", "saturation.proc.rssMaxMb", true),
      new Figure("ingest", "live heap growth per 1000 MeterValues (KB)", "liveHeapGrowthPer1000MsgsKb", true),
      new Figure("ingest", "samples acked (1.6)", "samplesAcked16", false),
      new Figure("ingest", "samples acked (2.0.1)", "samplesAcked201", false),
      new Figure("ingest", "MeterSample rows", "meterSampleRows", false),
      new Figure("ingest", "writes per group commit (whole run)", "opsPerCommit", false),
      new Figure("ingest", "store writer CPU per write (whole run, µs)", "writerCpuUsPerOp", true),
      new Figure("storm", "chargers booted", "ready", false),
      new Figure("storm", "connections failed", "connectFailed", true),
      new Figure("storm", "server start until its port opens (s)", "startSeconds", true),
      new Figure("storm", "storm time to all booted (s)", "stormSeconds", true),
      new Figure("storm", "connect p99 (ms)", "storm.latencyMs.(connect).p99", true),
      new Figure("storm", "BootNotification p50 (ms)", "storm.latencyMs.BootNotification.p50", true),
      new Figure("storm", "BootNotification p99 (ms)", "storm.latencyMs.BootNotification.p99", true),
      new Figure("storm", "server CPU during storm (%)", "proc.serverCpuPct", true),
      new Figure("storm", "generator CPU during storm (%)", "proc.generatorCpuPct", true),
      new Figure("storm", "listen queue overflows (machine)", "tcp.ListenOverflows", true),
      new Figure("commands", "chargers connected", "connected", false),
      new Figure("commands", "connections failed", "ramp.connectFailed", true),
      new Figure("commands", "commands sent", "open.sent", false),
      new Figure("commands", "commands answered 2xx", "open.ok", false),
      new Figure("commands", "commands failed (other status or none)", "open.failed", true),
      new Figure("commands", "command rate achieved (/s)", "open.rate", false),
      new Figure("commands", "command p50 (ms)", "open.p50Ms", true),
      new Figure("commands", "command p95 (ms)", "open.p95Ms", true),
      new Figure("commands", "command p99 (ms)", "open.p99Ms", true),
      new Figure("commands", "command max (ms)", "open.maxMs", true),
      new Figure("commands", "server CPU during commands (%)", "openStats.serverCpuPct", true),
      new Figure("commands", "bench JVM CPU (generator + API client) (%)", "openStats.generatorCpuPct", true),
      new Figure("commands", "other tenants' CPU (%)", "openStats.otherCpuPct", true),
      new Figure("commands", "Heartbeat p50 during commands (ms)", "hold.latencyMs.Heartbeat.p50", true),
      new Figure("commands", "Heartbeat p99 during commands (ms)", "hold.latencyMs.Heartbeat.p99", true),
      new Figure("commands", "Heartbeat max during commands (ms)", "hold.latencyMs.Heartbeat.max", true),
      new Figure("commands", "charger errors during commands", "hold.callErrors", true),
      new Figure("commands", "closed-loop commands/s", "closed.rate", false),
      new Figure("commands", "closed-loop p50 (ms)", "closed.p50Ms", true),
      new Figure("commands", "closed-loop p99 (ms)", "closed.p99Ms", true),
      new Figure("commands", "closed-loop failed", "closed.failed", true),
      new Figure("commands", "server CPU in the closed loop (%)", "closedStats.serverCpuPct", true));

  private JsonObject summarize(JsonObject machine) {
    StringBuilder table = new StringBuilder();
    JsonObject medians = new JsonObject();
    for (String scenario : scenarios(o.command)) {
      List<String> labels = results.stream()
          .filter(r -> "result".equals(r.getString("type")) && scenario.equals(r.getString("scenario"))
              && !r.getBoolean("profiled", false))
          .map(r -> r.getString("target")).distinct().sorted(Comparator.comparing(Bench::targetOrder)).toList();
      if (labels.isEmpty()) {
        continue;
      }
      table.append("\n### ").append(scenario).append(" — medians of ").append(o.runs).append(" run(s)")
          .append(scenario.equals("ingest") ? ", " + o.samplesPerMessage + " samples per MeterValues" : "")
          .append(scenario.equals("commands") ? ", " + o.commands + " API commands at " + fmt(o.commandRate) + "/s ("
              + String.join(", ", o.commandMix.keySet()) + ")"
              + (o.commandConcurrency > 0 ? ", then closed loop " + o.commandConcurrency : "") : "")
          .append(", chargers ").append(o.chargers(scenario)).append("\n\n| figure |");
      for (String l : labels) {
        table.append(' ').append(l).append(" |");
      }
      boolean hasBaseline = labels.contains("baseline");
      if (hasBaseline) {
        for (String l : labels) {
          if (!l.equals("baseline")) {
            table.append(' ').append(l).append(" / baseline |");
          }
        }
      }
      table.append("\n|---|");
      table.append("---:|".repeat(labels.size() + (hasBaseline ? labels.size() - 1 : 0)));
      table.append('\n');
      JsonObject sm = new JsonObject();
      for (Figure f : FIGURES) {
        if (!f.scenario().equals(scenario)) {
          continue;
        }
        Map<String, Double> med = new LinkedHashMap<>();
        Map<String, List<Double>> all = new LinkedHashMap<>();
        for (String l : labels) {
          List<Double> values = results.stream()
              .filter(r -> "result".equals(r.getString("type")) && scenario.equals(r.getString("scenario"))
                  && l.equals(r.getString("target")) && !r.getBoolean("profiled", false))
              .map(r -> number(r, f.path())).filter(v -> v != null).toList();
          all.put(l, values);
          med.put(l, median(values));
        }
        if (med.values().stream().allMatch(v -> v == null)) {
          continue;
        }
        table.append("| ").append(f.label()).append(" |");
        JsonObject fj = new JsonObject();
        for (String l : labels) {
          table.append(' ').append(fmt(med.get(l)));
          if (all.get(l).size() > 1) {
            table.append(" <sub>(").append(String.join(", ", all.get(l).stream().map(Bench::fmt).toList()))
                .append(")</sub>");
          }
          table.append(" |");
          fj.put(l, med.get(l));
        }
        if (hasBaseline) {
          Double base = med.get("baseline");
          for (String l : labels) {
            if (l.equals("baseline")) {
              continue;
            }
            Double v = med.get(l);
            String ratio = v == null || base == null || base == 0 ? "–" : String.format(Locale.ROOT, "%.2f", v / base);
            table.append(' ').append(ratio).append(" |");
            if (!ratio.equals("–")) {
              fj.put(l + "/baseline", Double.parseDouble(ratio));
            }
          }
        }
        table.append('\n');
        sm.put(f.label(), fj);
      }
      medians.put(scenario, sm);
    }
    String header = "Machine: " + machine.getInteger("nproc") + " cores, " + machine.getString("memTotal")
        + " RAM, load average before " + machine.getString("loadAverage") + ", after " + loadAverage() + "; "
        + machine.getString("java") + "; server JVM " + String.join(" ", Target.jvmOptions(o)) + "\n";
    return new JsonObject().put("machine", machine).put("medians", medians).put("table", header + table);
  }

  private static int targetOrder(String label) {
    return label.equals("ours") ? 0 : label.equals("baseline") ? 9 : label.startsWith("sqlite") ? 5 : 1;
  }

  static Double number(JsonObject r, String path) {
    Object cur = r;
    String rest = path;
    while (cur instanceof JsonObject j && !rest.isEmpty()) {
      // keys may contain dots only at the latency level: try the longest key first
      String hit = null;
      for (String k : j.fieldNames()) {
        if ((rest.equals(k) || rest.startsWith(k + ".")) && (hit == null || k.length() > hit.length())) {
          hit = k;
        }
      }
      if (hit == null) {
        return null;
      }
      cur = j.getValue(hit);
      rest = rest.length() == hit.length() ? "" : rest.substring(hit.length() + 1);
    }
    if (!rest.isEmpty()) {
      return null;
    }
    if (cur instanceof Number n) {
      return n.doubleValue();
    }
    if (cur instanceof Boolean b) {
      return b ? 1.0 : 0.0;
    }
    return null;
  }

  static Double median(List<Double> values) {
    if (values.isEmpty()) {
      return null;
    }
    List<Double> s = new ArrayList<>(values);
    s.sort(Double::compare);
    int m = s.size() / 2;
    return s.size() % 2 == 1 ? s.get(m) : (s.get(m - 1) + s.get(m)) / 2;
  }

  static String fmt(Double v) {
    if (v == null) {
      return "–";
    }
    if (Math.abs(v) >= 100 || v == Math.rint(v)) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  // ------------------------------------------------------------------ machine

  static JsonObject machine() {
    JsonObject m = new JsonObject()
        .put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
        .put("nproc", Runtime.getRuntime().availableProcessors())
        .put("loadAverage", loadAverage())
        .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
          m.put("memTotal", String.format(Locale.ROOT, "%.1f GiB", kb / 1048576.0));
        }
      }
      try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
        lines.filter(l -> l.startsWith("model name")).findFirst()
            .ifPresent(l -> m.put("cpu", l.substring(l.indexOf(':') + 1).trim()));
      }
    } catch (IOException | RuntimeException ignored) {
      // not Linux
    }
    try {
      m.put("gitHead", Tools.run(10, "git", "rev-parse", "--short", "HEAD").trim());
      m.put("gitDirtyFiles", Tools.run(10, "git", "status", "--porcelain").lines().count());
    } catch (Exception ignored) {
      // not a work tree
    }
    return m;
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  static void log(String message) {
    System.out.println("[bench " + DateTimeFormatter.ofPattern("HH:mm:ss").format(ZonedDateTime.now()) + "] " + message);
  }
}
