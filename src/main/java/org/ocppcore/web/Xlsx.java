package org.ocppcore.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A minimal Office Open XML workbook (one sheet) written with java.util.zip: typed cells as
 * ClosedXML writes them in OCPP.Core — numbers as numbers, times as dates in the given zone, text
 * as inline strings (never formulas; text that looks like one also gets Excel's quote prefix).
 */
final class Xlsx {
  private Xlsx() {}

  static final String CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  private static final LocalDateTime EPOCH = LocalDateTime.of(1899, 12, 30, 0, 0);
  // styles (cellXfs index): 0 default, 1 header (bold), 2 number, 3 date-time, 4 text with quote prefix
  private static final int HEADER = 1;
  private static final int NUMBER = 2;
  private static final int DATE = 3;
  private static final int QUOTED = 4;

  static byte[] write(Table table, ZoneId zone) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
      entry(zip, "[Content_Types].xml", """
          <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
          <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
          <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
          <Default Extension="xml" ContentType="application/xml"/>\
          <Override PartName="/xl/workbook.xml" \
          ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
          <Override PartName="/xl/worksheets/sheet1.xml" \
          ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
          <Override PartName="/xl/styles.xml" \
          ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
          </Types>""");
      entry(zip, "_rels/.rels", """
          <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
          <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
          <Relationship Id="rId1" \
          Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
          Target="xl/workbook.xml"/></Relationships>""");
      entry(zip, "xl/workbook.xml", """
          <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
          <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
          xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
          <sheets><sheet name="%s" sheetId="1" r:id="rId1"/></sheets></workbook>""".formatted(
          escape(sheetName(table.sheetName()))));
      entry(zip, "xl/_rels/workbook.xml.rels", """
          <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
          <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
          <Relationship Id="rId1" \
          Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" \
          Target="worksheets/sheet1.xml"/>\
          <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" \
          Target="styles.xml"/></Relationships>""");
      entry(zip, "xl/styles.xml", """
          <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
          <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
          <numFmts count="2"><numFmt numFmtId="164" formatCode="0.000"/>\
          <numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd\\ hh:mm:ss"/></numFmts>\
          <fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
          <font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
          <fills count="2"><fill><patternFill patternType="none"/></fill>\
          <fill><patternFill patternType="gray125"/></fill></fills>\
          <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
          <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
          <cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
          <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
          <xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
          <xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
          <xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>\
          <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
          </styleSheet>""");
      entry(zip, "xl/worksheets/sheet1.xml", sheet(table, zone));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static String sheet(Table table, ZoneId zone) {
    StringBuilder sb = new StringBuilder(4096 + table.rows().size() * 200);
    sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n")
        .append("<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">")
        .append("<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" "
            + "state=\"frozen\"/></sheetView></sheetViews>")
        .append("<cols>");
    for (int c = 0; c < table.headers().size(); c++) {
      sb.append("<col min=\"").append(c + 1).append("\" max=\"").append(c + 1).append("\" width=\"")
          .append(Math.max(12, Math.min(40, table.headers().get(c).length() + 4))).append("\" customWidth=\"1\"/>");
    }
    sb.append("</cols><sheetData>");
    row(sb, 1, table.headers().stream().map(h -> (Object) h).toList(), zone, true);
    int r = 2;
    for (List<Object> cells : table.rows()) {
      row(sb, r++, cells, zone, false);
    }
    sb.append("</sheetData></worksheet>");
    return sb.toString();
  }

  private static void row(StringBuilder sb, int r, List<Object> cells, ZoneId zone, boolean header) {
    sb.append("<row r=\"").append(r).append("\">");
    for (int c = 0; c < cells.size(); c++) {
      Object v = cells.get(c);
      if (v == null) {
        continue;
      }
      String ref = column(c) + r;
      if (v instanceof Number n) {
        sb.append("<c r=\"").append(ref).append("\" s=\"").append(NUMBER).append("\"><v>")
            .append(n instanceof Long || n instanceof Integer ? n.toString() : Double.toString(n.doubleValue()))
            .append("</v></c>");
      } else if (v instanceof Instant t) {
        sb.append("<c r=\"").append(ref).append("\" s=\"").append(DATE).append("\"><v>")
            .append(serial(t, zone)).append("</v></c>");
      } else {
        String s = v.toString();
        int style = header ? HEADER : !s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0 ? QUOTED : 0;
        sb.append("<c r=\"").append(ref).append("\" t=\"inlineStr\"");
        if (style != 0) {
          sb.append(" s=\"").append(style).append('"');
        }
        sb.append("><is><t xml:space=\"preserve\">").append(escape(s)).append("</t></is></c>");
      }
    }
    sb.append("</row>");
  }

  /** Excel's serial date: days since 1899-12-30, the fraction is the time of day. */
  static double serial(Instant t, ZoneId zone) {
    return Duration.between(EPOCH, LocalDateTime.ofInstant(t, zone)).toMillis() / 86_400_000.0;
  }

  /** A, B, ..., Z, AA, AB, ... */
  static String column(int index) {
    StringBuilder sb = new StringBuilder();
    for (int i = index + 1; i > 0; i = (i - 1) / 26) {
      sb.insert(0, (char) ('A' + (i - 1) % 26));
    }
    return sb.toString();
  }

  private static String sheetName(String name) {
    String clean = name.replaceAll("[\\\\/?*\\[\\]:]", " ");
    return clean.length() > 31 ? clean.substring(0, 31) : clean;
  }

  /** XML text: the five entities, and characters XML 1.0 cannot carry dropped. */
  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&apos;");
        default -> {
          if (ch >= 0x20 || ch == '\t' || ch == '\n' || ch == '\r') {
            sb.append(ch);
          }
        }
      }
    }
    return sb.toString();
  }

  private static void entry(ZipOutputStream zip, String name, String content) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(content.getBytes(StandardCharsets.UTF_8));
    zip.closeEntry();
  }
}
