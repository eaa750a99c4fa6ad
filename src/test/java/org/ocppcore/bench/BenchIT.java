package org.ocppcore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shipped benchmark, run small against the packaged jar, as docs/benchmarks.md runs it large:
 * {@code java -cp <test classpath> org.ocppcore.bench.Bench <scenario> ...} in a process of its own,
 * which starts the server and the bare baseline as child processes. It keeps the documented
 * commands working, and checks what each scenario promises besides its figures: every charger
 * connects, nothing fails, and every sample a charger saw acknowledged is in the database. No
 * speed is asserted here; speed is what the full runs measure.
 */
class BenchIT {

  private static final Path BASE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();

  /** Runs one scenario; returns its BENCH-RESULT lines, in order. */
  private static List<JsonObject> bench(String scenario, String... flags) throws Exception {
    Path out = BASE.resolve("target/bench-it").resolve(scenario);
    Files.createDirectories(out);
    List<String> cmd = new ArrayList<>(List.of(Tools.jdkTool("java"), "-Xmx512m",
        "-cp", System.getProperty("java.class.path"), Bench.class.getName(), scenario,
        "--jar", BASE.resolve("target/ocpp-core.jar").toString(), "--out", out.toString(), "--max-minutes", "4"));
    cmd.addAll(List.of(flags));
    Path log = out.resolve("bench.log");
    Process p = new ProcessBuilder(cmd).directory(BASE.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail(scenario + " did not finish in 5 minutes; see " + log);
    }
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), scenario + " exited with " + p.exitValue() + ":\n" + String.join("\n", lines));
    List<JsonObject> results = new ArrayList<>();
    for (String line : lines) {
      if (line.startsWith("BENCH-RESULT ")) {
        JsonObject r = new JsonObject(line.substring("BENCH-RESULT ".length()));
        assertTrue(!r.containsKey("failed"), scenario + " " + r.getString("target") + ": " + r.getString("failed"));
        results.add(r);
      }
    }
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("BENCH-SUMMARY ")), "no summary in " + log);
    return results;
  }

  private static void assertTargets(List<JsonObject> results, String... targets) {
    assertEquals(List.of(targets), results.stream().map(r -> r.getString("target")).toList());
  }

  /** A phase of the generator: no CALLERROR, no timeout, no error of any kind, every CALL answered. */
  private static void assertClean(JsonObject phase, String what) {
    assertEquals(0, phase.getLong("callErrors"), what);
    assertEquals(0, phase.getLong("timeouts"), what);
    assertEquals(0, phase.getLong("connectFailed"), what);
    assertEquals(new JsonObject(), phase.getJsonObject("errors"), what);
    assertEquals(phase.getLong("sent"), phase.getLong("answered"), what);
  }

  @Test
  void holdConnectsEveryChargerToBothServersAndMeasuresTheirHeap() throws Exception {
    List<JsonObject> results = bench("hold", "--chargers", "20", "--duration", "2");
    assertTargets(results, "ours", "baseline");
    for (JsonObject r : results) {
      String t = r.getString("target");
      assertEquals(20, r.getInteger("ready"), t);
      assertClean(r.getJsonObject("ramp"), t + " ramp");
      assertClean(r.getJsonObject("hold"), t + " hold");
      assertTrue(r.getDouble("liveHeapPerChargerKb") > 0, t + " heap per charger " + r.getDouble("liveHeapPerChargerKb"));
    }
  }

  @Test
  void ingestPersistsEverySampleAcknowledgedToBothProtocols() throws Exception {
    List<JsonObject> results = bench("ingest", "--target", "ours", "--chargers", "20", "--protocol-mix", "16:50,201:50",
        "--warmup", "1", "--rate", "200", "--ceiling-batch", "0", "--sync", "FULL");
    assertTargets(results, "ours");
    JsonObject r = results.get(0);
    assertTrue(r.getLong("samplesAcked16") > 0, "1.6 samples acked: " + r.getLong("samplesAcked16"));
    assertTrue(r.getLong("samplesAcked201") > 0, "2.0.1 samples acked: " + r.getLong("samplesAcked201"));
    assertTrue(r.getLong("meterSampleRows") >= r.getLong("samplesAcked16") + r.getLong("samplesAcked201"),
        r.getLong("meterSampleRows") + " rows for " + r.getLong("samplesAcked16") + " + " + r.getLong("samplesAcked201") + " acked");
    assertTrue(r.getBoolean("everyAckedSamplePersisted"));
    // the server stopped in order: its store writer committed what was queued and said so
    assertTrue(r.getDouble("opsPerCommit") >= 1, "ops per commit: " + r.getValue("opsPerCommit"));
    assertTrue(r.getDouble("writerCpuUsPerOp") > 0, "writer CPU per op: " + r.getValue("writerCpuUsPerOp"));
    JsonObject step = r.getJsonArray("steps").getJsonObject(0);
    assertClean(step.getJsonObject("metrics"), "the 200/s step");
    assertTrue(step.getDouble("rate") >= 0.95 * 200, "the 200/s step achieved " + step.getDouble("rate"));
  }

  /** With passwords, and a storm before the measured one: the fleet reconnects on remembered passwords. */
  @Test
  void stormBootsEveryChargerWithItsPasswordTwice() throws Exception {
    List<JsonObject> results = bench("storm", "--chargers", "50", "--basic-auth", "--storm-warmups", "1");
    assertTargets(results, "ours", "baseline");
    for (JsonObject r : results) {
      String t = r.getString("target");
      assertEquals(50, r.getInteger("ready"), t);
      assertEquals(0, r.getInteger("connectFailed"), t);
      assertTrue(r.getBoolean("allReady"), t);
      assertClean(r.getJsonObject("storm"), t + " storm");
    }
    assertEquals(401, results.get(0).getInteger("statusWithoutPassword"), "ours without a password");
  }

  @Test
  void commandsAreAnsweredThroughTheApiAndTheChargers() throws Exception {
    List<JsonObject> results = bench("commands", "--chargers", "20", "--commands", "40", "--command-warmup", "10",
        "--command-rate", "20");
    assertTargets(results, "ours");
    JsonObject open = results.get(0).getJsonObject("open");
    assertEquals(40, open.getInteger("ok"), open.encode());
    assertEquals(0, open.getInteger("failed"), open.encode());
    assertEquals(40, results.get(0).getJsonObject("hold").getInteger("serverCalls"), "CALLs the chargers answered");
  }
}
