package org.ocppcore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The benchmark's histogram math (no load is run here: speed is measured by Bench, never asserted). */
class LatencyHistogramTest {

  @Test
  void bucketsAreContiguousAndBounded() {
    for (long v = 0; v < 1_000_000; v++) {
      int i = LatencyHistogram.index(v);
      assertTrue(LatencyHistogram.lowerBound(i) <= v && v <= LatencyHistogram.upperBound(i), "value " + v);
    }
    for (int i = 1; i < LatencyHistogram.BUCKETS; i++) {
      assertEquals(LatencyHistogram.upperBound(i - 1) + 1, LatencyHistogram.lowerBound(i), "bucket " + i);
    }
    assertEquals(LatencyHistogram.BUCKETS - 1, LatencyHistogram.index(Long.MAX_VALUE));
  }

  @Test
  void percentilesAreWithinOneBucketAboveTheTrueValue() {
    LatencyHistogram h = new LatencyHistogram();
    for (long v = 1; v <= 100_000; v++) {
      h.recordMicros(v);
    }
    assertEquals(100_000, h.count());
    assertEquals(100_000, h.maxMicros());
    assertEquals(50_000.5, h.meanMicros(), 1e-9);
    for (double p : new double[] {50, 95, 99, 99.9}) {
      long exact = (long) Math.ceil(p / 100 * 100_000);
      long got = h.percentileMicros(p);
      assertTrue(got >= exact && got <= exact * (1 + 1.0 / LatencyHistogram.SUB), "p" + p + ": " + got + " vs " + exact);
    }
    assertEquals(100_000, h.percentileMicros(100));
  }

  @Test
  void smallValuesAreExactAndEmptyIsZero() {
    LatencyHistogram h = new LatencyHistogram();
    assertEquals(0, h.percentileMicros(99));
    h.recordMicros(3);
    h.recordMicros(7);
    h.recordMicros(-5); // clamped to 0
    assertEquals(0, h.percentileMicros(1));
    assertEquals(3, h.percentileMicros(50));
    assertEquals(7, h.percentileMicros(99));
  }

  @Test
  void mergingAddsCounts() {
    LatencyHistogram a = new LatencyHistogram();
    LatencyHistogram b = new LatencyHistogram();
    for (int i = 0; i < 900; i++) {
      a.recordMicros(1_000);
    }
    for (int i = 0; i < 100; i++) {
      b.recordMicros(50_000);
    }
    a.add(b);
    assertEquals(1000, a.count());
    assertEquals(50_000, a.maxMicros());
    assertTrue(a.percentileMicros(90) <= 1_000 * (1 + 1.0 / LatencyHistogram.SUB));
    assertTrue(a.percentileMicros(95) >= 50_000);
  }

  @Test
  void framesAreReadWithoutAJsonTree() {
    assertEquals(3, LoadGenerator.Frames.type("[3,\"17\",{\"status\":\"Accepted\"}]"));
    assertEquals("17", LoadGenerator.Frames.stringAt("[3, \"17\" ,{}]", 1));
    assertEquals("{\"a\":[1,2],\"b\":\"]\"}", LoadGenerator.Frames.payloadOfResult("[3,\"1\",{\"a\":[1,2],\"b\":\"]\"}]"));
    assertEquals("FormationViolation",
        LoadGenerator.Frames.stringAt("[4,\"9\",\"FormationViolation\",\"bad \\\"x\\\"\",{}]", 2));
    assertEquals("Reset", LoadGenerator.Frames.stringAt("[2,\"abc\",\"Reset\",{\"type\":\"Soft\"}]", 2));
    assertEquals(-1, LoadGenerator.Frames.type("not json"));
  }

  @Test
  void medianAndPathLookupOfTheSummary() {
    assertEquals(2.0, Bench.median(java.util.List.of(3.0, 1.0, 2.0)));
    assertEquals(2.5, Bench.median(java.util.List.of(4.0, 1.0, 2.0, 3.0)));
    io.vertx.core.json.JsonObject r = new io.vertx.core.json.JsonObject()
        .put("storm", new io.vertx.core.json.JsonObject().put("latencyMs", new io.vertx.core.json.JsonObject()
            .put("(connect)", new io.vertx.core.json.JsonObject().put("p99", 12.5))));
    assertEquals(12.5, Bench.number(r, "storm.latencyMs.(connect).p99"));
    assertEquals(null, Bench.number(r, "storm.latencyMs.Boot.p99"));
  }
}
