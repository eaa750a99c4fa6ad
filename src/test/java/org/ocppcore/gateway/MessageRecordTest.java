package org.ocppcore.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.TestServer.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocppcore.TestServer;
import org.ocppcore.domain.Times;
import org.ocppcore.testsupport.TestCharger;

/** OCPP.Core's DbMessageLog levels and message dump directory. */
class MessageRecordTest {

  @Test
  void levelTwoLogsEverythingAndTheDumpDirHasEveryFrame(@TempDir Path tmp) throws Exception {
    Path dump = tmp.resolve("frames");
    try (TestServer server = TestServer.start(new JsonObject().put("log", new JsonObject().put("dbMessageLog", 2)
        .put("messageDumpDir", dump.toString())))) {
      server.chargePoint("L2");
      TestCharger cp = await(TestCharger.connect(server.vertx(), server.wsUrl("L2")));
      await(cp.call("Heartbeat", new JsonObject()));
      await(cp.call("BootNotification", new JsonObject().put("chargePointVendor", "V").put("chargePointModel", "M")));
      assertTrue(server.queryEventually(1, "SELECT * FROM MessageLog WHERE ChargePointId='L2' AND Message='Heartbeat'").size() >= 1);
      assertTrue(server.queryEventually(1, "SELECT * FROM MessageLog WHERE ChargePointId='L2' AND Message='BootNotification'").size() >= 1);
      List<Path> files = waitForFiles(dump, 4);
      assertEquals(2, files.stream().filter(f -> f.getFileName().toString().endsWith("ocpp16-in.txt")).count());
      assertEquals(2, files.stream().filter(f -> f.getFileName().toString().endsWith("ocpp16-out.txt")).count());
      assertTrue(files.stream().allMatch(f -> f.getFileName().toString().contains("_L2_")));
      String heartbeatIn = files.stream().map(TestServerFiles::read).filter(t -> t.contains("\"Heartbeat\"")).findFirst().orElseThrow();
      assertTrue(heartbeatIn.startsWith("[2,"));

      // MeterValues: its line carries the connector and the live figures
      await(cp.call("MeterValues", new JsonObject().put("connectorId", 1).put("meterValue", new JsonArray().add(
          new JsonObject().put("timestamp", Times.now()).put("sampledValue", new JsonArray()
              .add(new JsonObject().put("value", "4200")))))));
      assertEquals(1, server.queryEventually(1, "SELECT * FROM MessageLog WHERE ChargePointId='L2' AND Message='MeterValues' "
          + "AND ConnectorId=1 AND Result='Meter (kWh): 4.2 | Charge (kW): null | SoC (%): null'").size());
    }
  }

  @Test
  void levelZeroLogsOnlyAnomalies() throws Exception {
    try (TestServer server = TestServer.start()) {
      server.chargePoint("L0");
      TestCharger cp = await(TestCharger.connect(server.vertx(), server.wsUrl("L0")));
      await(cp.call("Heartbeat", new JsonObject()));
      await(cp.call("Authorize", new JsonObject().put("idTag", "X")));
      await(cp.call("MakeCoffee", new JsonObject()));
      assertEquals(1, server.queryEventually(1, "SELECT * FROM MessageLog WHERE ChargePointId='L0'").size(),
          "only the refused frame is logged at level 0");
    }
  }

  private static List<Path> waitForFiles(Path dir, int count) throws Exception {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (true) {
      List<Path> files = Files.isDirectory(dir) ? list(dir) : List.of();
      if (files.size() >= count || System.nanoTime() > deadline) {
        return files;
      }
      Thread.sleep(20);
    }
  }

  private static List<Path> list(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  private static final class TestServerFiles {
    static String read(Path p) {
      try {
        return Files.readString(p);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }
}
