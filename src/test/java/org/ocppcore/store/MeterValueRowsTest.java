package org.ocppcore.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ocppcore.domain.MeterSample;

/** The stored form of a message's samples: the JSON text, the rows a message becomes, and their keys. */
class MeterValueRowsTest {

  private static MeterSample sample(int connector, Long tx, String time, String measurand, String value) {
    return new MeterSample(connector, tx, time, value, value.matches("[0-9.]+") ? Double.valueOf(value) : null,
        measurand, "Wh", null, "Outlet", "Sample.Periodic", "Raw");
  }

  @Test
  void samplesComeBackAsStored() {
    List<MeterSample> samples = List.of(
        sample(2, 7L, "2026-01-01T00:00:00.000Z", "Energy.Active.Import.Register", "12300.5"),
        new MeterSample(2, 7L, "2026-01-01T00:00:00.000Z", "ÄÖ \"signed\" \\ data\n\u0001", null, "Voltage", null, "L1-N",
            null, null, "SignedData"));
    String json = MeterValueRows.encode(samples);
    assertEquals("[{\"t\":\"2026-01-01T00:00:00.000Z\",\"v\":\"12300.5\",\"n\":12300.5,\"m\":\"Energy.Active.Import.Register\","
        + "\"u\":\"Wh\",\"l\":\"Outlet\",\"c\":\"Sample.Periodic\",\"f\":\"Raw\"},{\"t\":\"2026-01-01T00:00:00.000Z\","
        + "\"v\":\"ÄÖ \\\"signed\\\" \\\\ data\\n\\u0001\",\"m\":\"Voltage\",\"p\":\"L1-N\",\"f\":\"SignedData\"}]", json);
    assertEquals(samples, MeterValueRows.decode(json, 2, 7L));

    MeterSample signed = new MeterSample(1, null, "2026-01-01T00:00:00.000Z", "1.5", 1.5, "Energy.Active.Import.Register",
        "Wh", null, "Outlet", "Sample.Periodic", "Raw", "{\"signedMeterData\":\"AA==\",\"encodingMethod\":\"OCMF\"}");
    String withProof = MeterValueRows.encode(List.of(signed));
    assertTrue(withProof.endsWith(",\"s\":{\"signedMeterData\":\"AA==\",\"encodingMethod\":\"OCMF\"}}]"), withProof);
    assertEquals(List.of(signed), MeterValueRows.decode(withProof, 1, null));
  }

  @Test
  void aMessageIsOneRowPerConnectorAndTransactionWithEachReadingOnce() {
    MeterSample a = sample(1, 5L, "2026-01-01T00:00:00.000Z", "Energy.Active.Import.Register", "1");
    MeterSample b = sample(1, 5L, "2026-01-01T00:00:00.000Z", "Power.Active.Import", "2");
    MeterSample c = sample(2, null, "2026-01-01T00:00:01.000Z", "Power.Active.Import", "3");
    List<MeterValueRows.Row> rows = MeterValueRows.rows("CP", List.of(a, b, a, c));
    assertEquals(2, rows.size());
    assertEquals(List.of(a, b), MeterValueRows.decode(rows.get(0).samples(), 1, 5L), "the repeated reading once");
    assertEquals(1, rows.get(0).connectorId());
    assertEquals(5L, rows.get(0).transactionId());
    assertEquals(List.of(c), MeterValueRows.decode(rows.get(1).samples(), 2, null));
    assertEquals("2026-01-01T00:00:01.000Z", rows.get(1).timestamp());
    assertEquals(List.of(), MeterValueRows.rows("CP", List.of()));
  }

  @Test
  void keysFollowTimeAndTellChargePointsApart() {
    List<MeterSample> m = List.of(sample(1, null, "2026-01-01T00:00:00.000Z", "Power.Active.Import", "1"));
    List<MeterSample> later = List.of(sample(1, null, "2026-01-01T00:00:01.000Z", "Power.Active.Import", "1"));
    long key = MeterValueRows.rows("CP1", m).get(0).keyHash();
    assertEquals(key, MeterValueRows.rows("CP1", m).get(0).keyHash(), "a retry has the same key");
    assertNotEquals(key, MeterValueRows.rows("CP2", m).get(0).keyHash(), "another charge point's message does not");
    assertTrue(key >= 0);
    assertEquals(1767225600L, key >>> 31, "seconds in the high bits");
    assertTrue(MeterValueRows.rows("CP2", later).get(0).keyHash() > MeterValueRows.rows("CP1", m).get(0).keyHash());
    assertEquals(MeterValueRows.rows("CP1", m).get(0).identity().replace("CP1", "CP2"),
        MeterValueRows.rows("CP2", m).get(0).identity());
  }
}
