package org.ocppcore.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The CSV and XLSX writers and the charging curve, on their own. */
class ExportFormatsTest {
  private static final Instant T = Instant.parse("2026-03-01T10:30:00Z");

  private static Table table() {
    return new Table("Sheet/with:odd*chars?and a very long name", List.of("Text", "Number", "Time", "Empty"), List.of(
        Arrays.asList("plain", 1.5, T, null),
        Arrays.asList("=SUM(A1:A9)", 42L, T, null),
        Arrays.asList("-2+3", -2.25, null, "x"),
        Arrays.asList("@cmd", 0, T, null),
        Arrays.asList("semi;colon, comma \"quoted\"\nnew line", 1234567.891, null, null),
        Arrays.asList("<&>'\u0001", 3, null, null)));
  }

  @Test
  void csvNeutralizesFormulasAndFollowsTheLanguage() {
    String en = table().csv("en", ZoneOffset.UTC);
    assertTrue(en.startsWith("\uFEFFText,Number,Time,Empty\r\n"), en);
    String[] rows = en.substring(1).split("\r\n");
    assertEquals("plain,1.5,2026-03-01 10:30:00,", rows[1]);
    assertEquals("'=SUM(A1:A9),42,2026-03-01 10:30:00,", rows[2]);
    assertEquals("'-2+3,-2.25,,x", rows[3], "text that looks like a formula is text; numbers are numbers");
    assertEquals("'@cmd,0,2026-03-01 10:30:00,", rows[4]);
    assertTrue(en.contains("\"semi;colon, comma \"\"quoted\"\"\nnew line\",1234567.891,,"), en);

    String de = table().csv("de", ZoneId.of("Europe/Berlin"));
    String[] deRows = de.substring(1).split("\r\n");
    assertEquals("plain;1,5;2026-03-01 11:30:00;", deRows[1], "German: ; and decimal comma, Berlin time");
    assertTrue(de.contains("\"semi;colon, comma \"\"quoted\"\"\nnew line\";1234567,891;;"), de);
  }

  private static Map<String, byte[]> unzip(byte[] zip) throws Exception {
    Map<String, byte[]> out = new HashMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        out.put(e.getName(), in.readAllBytes());
      }
    }
    return out;
  }

  private static Document xml(byte[] bytes) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(bytes));
  }

  @Test
  void xlsxIsAValidTypedWorkbook() throws Exception {
    Map<String, byte[]> parts = unzip(Xlsx.write(table(), ZoneOffset.UTC));
    for (String part : List.of("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
        "xl/styles.xml", "xl/worksheets/sheet1.xml")) {
      assertTrue(parts.containsKey(part), part);
      xml(parts.get(part)); // well-formed
    }
    Element sheetRef = (Element) xml(parts.get("xl/workbook.xml")).getElementsByTagName("sheet").item(0);
    assertEquals("Sheet with odd chars and a very", sheetRef.getAttribute("name"), "Excel's rules: no []:*?/\\, 31 chars");

    Document sheet = xml(parts.get("xl/worksheets/sheet1.xml"));
    NodeList cells = sheet.getElementsByTagName("c");
    Map<String, Element> byRef = new HashMap<>();
    for (int i = 0; i < cells.getLength(); i++) {
      Element c = (Element) cells.item(i);
      byRef.put(c.getAttribute("r"), c);
    }
    assertEquals(0, sheet.getElementsByTagName("f").getLength(), "never a formula");
    assertEquals("inlineStr", byRef.get("A1").getAttribute("t"));
    assertEquals("1", byRef.get("A1").getAttribute("s"), "the header is bold");
    assertEquals("=SUM(A1:A9)", byRef.get("A3").getTextContent());
    assertEquals("4", byRef.get("A3").getAttribute("s"), "formula-like text gets the quote prefix");
    assertEquals("", byRef.get("B2").getAttribute("t"), "a number cell");
    assertEquals("1.5", byRef.get("B2").getTextContent());
    assertEquals("42", byRef.get("B3").getTextContent());
    assertEquals("3", byRef.get("C2").getAttribute("s"), "a date-time cell");
    assertEquals(46082.4375, Double.parseDouble(byRef.get("C2").getTextContent()), 1e-9, "1 March 2026 10:30");
    assertNull(byRef.get("D2"), "an empty cell is left out");
    assertEquals("<&>'", byRef.get("A7").getTextContent(), "escaped, and characters XML cannot carry dropped");
    assertTrue(new String(parts.get("xl/styles.xml"), StandardCharsets.UTF_8).contains("quotePrefix=\"1\""));
  }

  @Test
  void columnNamesAndSerialDates() {
    assertEquals("A", Xlsx.column(0));
    assertEquals("Z", Xlsx.column(25));
    assertEquals("AA", Xlsx.column(26));
    assertEquals("AZ", Xlsx.column(51));
    assertEquals("BA", Xlsx.column(52));
    assertEquals(1.0, Xlsx.serial(Instant.parse("1899-12-31T00:00:00Z"), ZoneOffset.UTC), 1e-9);
    assertEquals(46082 + 11.5 / 24, Xlsx.serial(T, ZoneId.of("Europe/Berlin")), 1e-9, "in the given zone");
  }

  private static JsonObject sample(String time, String measurand, double value, String unit, String phase) {
    return new JsonObject().put("timestamp", time).put("measurand", measurand).put("value", String.valueOf(value))
        .put("numericValue", value).put("unit", unit).put("phase", phase).put("connectorId", 1);
  }

  @Test
  void theCurveSumsPhasesAndConvertsUnits() {
    JsonObject tx = new JsonObject().put("transactionId", 1L).put("startTime", "2026-03-01T10:00:00.000Z")
        .put("stopTime", "2026-03-01T11:00:00.000Z").put("meterStartWh", 1000.0).put("meterStopWh", 12000.0)
        .put("meterSamples", new JsonArray()
            .add(sample("2026-03-01T10:20:00.000Z", "Energy.Active.Import.Register", 4.0, "kWh", null))
            .add(sample("2026-03-01T10:20:00.000Z", "Power.Active.Import", 3700, "W", "L1"))
            .add(sample("2026-03-01T10:20:00.000Z", "Power.Active.Import", 3600, "W", "L2"))
            .add(sample("2026-03-01T10:20:00.000Z", "Voltage", 230, "V", "L1-N"))
            .add(sample("2026-03-01T10:40:00.000Z", "Energy.Active.Import.Register", 8000, "Wh", null))
            .add(sample("2026-03-01T10:40:00.000Z", "Power.Active.Import", 11.0, "kW", null)));
    List<ChargingCurve.Point> points = ChargingCurve.points(tx);
    assertEquals(4, points.size(), "start, two readings, stop");
    assertEquals(0.0, points.get(0).energyKwh());
    assertEquals(3.0, points.get(1).energyKwh(), 1e-9, "4 kWh register - 1 kWh at the start");
    assertEquals(7.3, points.get(1).powerKw(), 1e-9, "L1 + L2");
    assertEquals(7.0, points.get(2).energyKwh(), 1e-9);
    assertEquals(11.0, points.get(2).powerKw(), 1e-9);
    assertEquals(11.0, points.get(3).energyKwh(), 1e-9, "the stop meter");
    String svg = ChargingCurve.svg(points, "de", "Kurve", "Leistung (kW)", "Energie (kWh)");
    assertTrue(svg.startsWith("<svg class=\"chart\""));
    assertTrue(svg.contains("data-time=\"2026-03-01T10:00:00.000Z\""), "time labels carry their instant");
    xmlOk(svg);
    String small = ChargingCurve.svg(List.of(new ChargingCurve.Point(T, 1.0, 0.0, null),
        new ChargingCurve.Point(T.plusSeconds(3600), 2.0, 2.2, null)), "de", "Kurve", "kW", "kWh");
    assertTrue(small.contains(">0,5</text>") && small.contains(">2,5</text>"), "German axis numbers: " + small);
    assertTrue(ChargingCurve.svg(List.of(new ChargingCurve.Point(T, 1.0, 0.0, null),
        new ChargingCurve.Point(T.plusSeconds(3600), 2.0, 2.2, null)), "en", "t", "kW", "kWh").contains(">0.5</text>"));
  }

  @Test
  void withoutPowerSamplesThePowerComesFromTheEnergyRegister() {
    JsonObject tx = new JsonObject().put("transactionId", 2L).put("startTime", "2026-03-01T10:00:00.000Z")
        .put("meterStartWh", 0.0).put("meterSamples", new JsonArray()
            .add(sample("2026-03-01T10:30:00.000Z", "Energy.Active.Import.Register", 5500, "Wh", null))
            .add(sample("2026-03-01T11:00:00.000Z", "Energy.Active.Import.Register", 9000, "Wh", null)));
    List<ChargingCurve.Point> points = ChargingCurve.points(tx);
    assertNull(points.get(0).powerKw());
    assertEquals(11.0, points.get(1).powerKw(), 1e-9, "5.5 kWh in half an hour");
    assertEquals(7.0, points.get(2).powerKw(), 1e-9);
    assertNull(ChargingCurve.svg(List.of(points.get(0)), "en", "t", "p", "e"), "nothing to draw from one point");
    assertEquals(1, ChargingCurve.nice(0.3));
    assertEquals(25, ChargingCurve.nice(22));
    assertEquals(50, ChargingCurve.nice(30));
  }

  private static void xmlOk(String svg) {
    try {
      xml(svg.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new AssertionError("the chart is not well-formed XML: " + e.getMessage());
    }
  }
}
