package org.ocppcore.web;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.ocppcore.domain.Times;
import org.ocppcore.web.WebUi.Role;

/**
 * Transactions per charge point and connector (30/90/365 days, CSV and XLSX), one transaction
 * with its charging curve, and the charge report grouped by tag group (with quick date ranges
 * and four exports, as OCPP.Core has them).
 */
final class TransactionPages {
  static final List<Integer> PERIODS = List.of(30, 90, 365);
  private static final int MAX_ROWS = 100_000;
  private static final int PAGE_ROWS = 2_000;

  private final WebUi ui;

  TransactionPages(WebUi ui) {
    this.ui = ui;
  }

  void register(Router r) {
    ui.route(r, HttpMethod.GET, "/transactions", Role.USER, this::list);
    ui.route(r, HttpMethod.GET, "/transactions/export.csv", Role.USER, req -> export(req, false));
    ui.route(r, HttpMethod.GET, "/transactions/export.xlsx", Role.USER, req -> export(req, true));
    ui.route(r, HttpMethod.GET, "/transactions/:transactionId", Role.USER, this::detail);
    ui.route(r, HttpMethod.GET, "/report", Role.USER, this::report);
    ui.route(r, HttpMethod.GET, "/report/summary.csv", Role.USER, req -> reportExport(req, true, false));
    ui.route(r, HttpMethod.GET, "/report/summary.xlsx", Role.USER, req -> reportExport(req, true, true));
    ui.route(r, HttpMethod.GET, "/report/transactions.csv", Role.USER, req -> reportExport(req, false, false));
    ui.route(r, HttpMethod.GET, "/report/transactions.xlsx", Role.USER, req -> reportExport(req, false, true));
  }

  // ---------------------------------------------------------------- the list

  /** The list's filter from the query: charge point, connector, days back. */
  private record Filter(String chargePointId, Integer connectorId, int days) {
    String from() {
      return Times.format(Instant.now().minus(days, ChronoUnit.DAYS));
    }

    String query() {
      StringBuilder q = new StringBuilder("days=").append(days);
      if (chargePointId != null) {
        q.append("&cp=").append(java.net.URLEncoder.encode(chargePointId, java.nio.charset.StandardCharsets.UTF_8));
      }
      if (connectorId != null) {
        q.append("&connector=").append(connectorId);
      }
      return q.toString();
    }
  }

  private static Filter filter(Req r) {
    Integer days = r.intField("days", 30);
    Integer connector = r.query("cp") == null ? null : r.intField("connector", null);
    return new Filter(r.query("cp"), connector, PERIODS.contains(days) ? days : 30);
  }

  private Future<Map<String, JsonObject>> tagsById() {
    return ui.admin().tags().map(tags -> {
      Map<String, JsonObject> out = new HashMap<>();
      for (JsonObject t : tags) {
        out.put(t.getString("tagId").toLowerCase(Locale.ROOT), t);
      }
      return out;
    });
  }

  private static JsonObject tag(Map<String, JsonObject> tags, String id) {
    return id == null ? null : tags.get(id.toLowerCase(Locale.ROOT));
  }

  private static String tagName(Map<String, JsonObject> tags, String id) {
    JsonObject t = tag(tags, id);
    return t == null || t.getString("name") == null ? id : t.getString("name");
  }

  private Future<?> list(Req r) {
    Filter f = filter(r);
    return Future.all(ui.admin().chargePoints(), ui.admin().transactions(f.chargePointId(), f.connectorId(), f.from(),
            null, MAX_ROWS), tagsById(),
        f.chargePointId() == null ? Future.succeededFuture(List.<JsonObject>of()) : ui.admin().connectors(f.chargePointId()))
        .compose(all -> {
          Map<String, JsonObject> tags = all.resultAt(2);
          List<JsonObject> txs = all.resultAt(1);
          for (JsonObject t : txs) {
            t.put("startTagName", tagName(tags, t.getString("startTagId")))
                .put("stopTagName", tagName(tags, t.getString("stopTagId")));
          }
          List<JsonObject> cps = new ArrayList<>(all.<List<JsonObject>>resultAt(0));
          cps.sort(Comparator.comparing((JsonObject cp) -> ChargePointPages.displayName(cp).toLowerCase()));
          Map<String, Object> m = r.model();
          m.put("active", "transactions");
          m.put("chargePoints", cps);
          m.put("connectors", all.resultAt(3));
          m.put("cp", f.chargePointId() == null ? "" : f.chargePointId());
          m.put("connector", f.connectorId() == null ? "" : String.valueOf(f.connectorId()));
          m.put("days", f.days());
          m.put("periods", PERIODS);
          // the page shows the newest ones; the exports have them all
          m.put("transactions", txs.size() > PAGE_ROWS ? txs.subList(0, PAGE_ROWS) : txs);
          m.put("limited", txs.size() > PAGE_ROWS);
          m.put("count", txs.size());
          m.put("query", f.query());
          m.put("totalKwh", txs.stream().mapToDouble(t -> t.getDouble("energyKwh") == null ? 0 : t.getDouble("energyKwh")).sum());
          return r.render("transactions", m);
        });
  }

  private Future<?> export(Req r, boolean xlsx) {
    Filter f = filter(r);
    return Future.all(ui.admin().transactions(f.chargePointId(), f.connectorId(), f.from(), null, MAX_ROWS), tagsById())
        .compose(all -> {
          Map<String, JsonObject> tags = all.resultAt(1);
          List<String> headers = List.of(r.t("tx.id"), r.t("tx.chargePoint"), r.t("tx.connector"), r.t("tx.startTime"),
              r.t("tx.startTag"), r.t("tx.meterStart"), r.t("tx.stopTime"), r.t("tx.stopTag"), r.t("tx.meterStop"),
              r.t("tx.energy"));
          List<List<Object>> rows = new ArrayList<>();
          for (JsonObject t : all.<List<JsonObject>>resultAt(0)) {
            rows.add(java.util.Arrays.asList(t.getLong("transactionId"), t.getString("chargePointId"),
                t.getInteger("connectorId"), Times.parse(t.getString("startTime")), tagName(tags, t.getString("startTagId")),
                kwh(t.getDouble("meterStartWh")), Times.parse(t.getString("stopTime")),
                tagName(tags, t.getString("stopTagId")), kwh(t.getDouble("meterStopWh")), t.getDouble("energyKwh")));
          }
          return send(r, new Table(r.t("nav.transactions"), headers, rows), "transactions", xlsx);
        });
  }

  private static Double kwh(Double wh) {
    return wh == null ? null : wh / 1000.0;
  }

  private static Future<Void> send(Req r, Table table, String baseName, boolean xlsx) {
    ZoneId zone = r.zone();
    String file = baseName + "-" + LocalDate.now(zone) + (xlsx ? ".xlsx" : ".csv");
    Buffer body = xlsx ? Buffer.buffer(Xlsx.write(table, zone)) : Buffer.buffer(table.csv(r.lang(), zone));
    return r.ctx().response()
        .putHeader(HttpHeaders.CONTENT_TYPE, xlsx ? Xlsx.CONTENT_TYPE : "text/csv; charset=utf-8")
        .putHeader("Content-Disposition", "attachment; filename=\"" + file + "\"")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(body);
  }

  // ---------------------------------------------------------------- one transaction

  private Future<?> detail(Req r) {
    long id;
    try {
      id = Long.parseLong(r.param("transactionId"));
    } catch (NumberFormatException e) {
      return Future.failedFuture(new UiException(404, "error.unknownTransaction", r.param("transactionId")));
    }
    return Future.all(ui.admin().transaction(id), tagsById()).compose(all -> {
      JsonObject tx = all.resultAt(0);
      if (tx == null) {
        throw new UiException(404, "error.unknownTransaction", String.valueOf(id));
      }
      Map<String, JsonObject> tags = all.resultAt(1);
      List<ChargingCurve.Point> points = ChargingCurve.points(tx);
      String chart = ChargingCurve.svg(points, r.lang(), r.t("curve.title", String.valueOf(id)), r.t("curve.power"),
          r.t("curve.energy"));
      List<JsonObject> rows = new ArrayList<>();
      for (ChargingCurve.Point p : points) {
        rows.add(new JsonObject().put("time", Times.format(p.time())).put("powerKw", p.powerKw())
            .put("energyKwh", p.energyKwh()).put("soc", p.soc()));
      }
      Map<String, Object> m = r.model();
      m.put("active", "transactions");
      m.put("tx", tx.put("startTagName", tagName(tags, tx.getString("startTagId")))
          .put("stopTagName", tagName(tags, tx.getString("stopTagId"))));
      m.put("chart", chart);
      m.put("points", rows);
      m.put("sampleCount", tx.getJsonArray("meterSamples").size());
      m.put("signed", signedReadings(tx.getJsonArray("meterSamples")));
      return r.render("transaction", m);
    });
  }

  /**
   * The readings a calibrated meter signed, for transparency software (e.g. S.A.F.E.) and billing
   * disputes: 2.x sends the proof beside the reading (signedMeterValue), 1.6 as the value itself
   * (format SignedData).
   */
  static List<JsonObject> signedReadings(JsonArray samples) {
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      JsonObject s = samples.getJsonObject(i);
      JsonObject proof = s.getJsonObject("signedMeterValue");
      JsonObject row = new JsonObject().put("time", s.getString("timestamp")).put("measurand", s.getString("measurand"))
          .put("context", s.getString("context"));
      if (proof != null) {
        // the number is formatted by the page, in the reader's language, like every other figure
        out.add(row.put("reading", s.getDouble("numericValue")).put("unit", s.getString("unit"))
            .put("method", java.util.stream.Stream.of(proof.getString("encodingMethod"), proof.getString("signingMethod"))
                .filter(part -> part != null && !part.isBlank()).collect(java.util.stream.Collectors.joining(" · ")))
            .put("data", proof.getString("signedMeterData", ""))
            .put("publicKey", proof.getString("publicKey", "")));
      } else if ("SignedData".equals(s.getString("format"))) {
        out.add(row.put("method", "SignedData").put("data", s.getString("value", "")).put("publicKey", ""));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- charge report

  /** The report's range: first and last day (inclusive) in the browser's zone. */
  private record Range(LocalDate first, LocalDate last, ZoneId zone) {
    String from() {
      return Times.format(first.atStartOfDay(zone).toInstant());
    }

    String to() {
      return Times.format(last.plusDays(1).atStartOfDay(zone).toInstant());
    }
  }

  private static Range range(Req r) {
    ZoneId zone = r.zone();
    LocalDate today = LocalDate.now(zone);
    LocalDate first = today.minusMonths(1).withDayOfMonth(1);
    LocalDate last = first.with(TemporalAdjusters.lastDayOfMonth());
    try {
      if (r.query("from") != null) {
        first = LocalDate.parse(r.query("from"));
      }
      if (r.query("to") != null) {
        last = LocalDate.parse(r.query("to"));
      }
    } catch (DateTimeParseException e) {
      throw new UiException(400, "report.error.date");
    }
    if (last.isBefore(first)) {
      throw new UiException(400, "report.error.range");
    }
    return new Range(first, last, zone);
  }

  /** Transactions started in the range that ended before its end or are still open (OCPP.Core's rule). */
  private Future<List<JsonObject>> reportTransactions(Range range) {
    String to = range.to();
    return ui.admin().transactions(null, null, range.from(), to, MAX_ROWS)
        .map(list -> list.stream().filter(t -> t.getString("stopTime") == null || t.getString("stopTime").compareTo(to) < 0)
            .sorted(Comparator.comparing((JsonObject t) -> t.getString("startTime")))
            .toList());
  }

  /** Group (tag's parent) → tag name → [kWh, count]. */
  private static Map<String, Map<String, double[]>> grouped(List<JsonObject> txs, Map<String, JsonObject> tags) {
    Map<String, Map<String, double[]>> groups = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (JsonObject t : txs) {
      JsonObject tag = tag(tags, t.getString("startTagId"));
      String group = tag == null || tag.getString("parentTagId") == null ? "" : tag.getString("parentTagId");
      String name = tagName(tags, t.getString("startTagId"));
      double[] sum = groups.computeIfAbsent(group, g -> new TreeMap<>(String.CASE_INSENSITIVE_ORDER))
          .computeIfAbsent(name == null ? "" : name, n -> new double[2]);
      sum[0] += t.getDouble("energyKwh") == null ? 0 : t.getDouble("energyKwh");
      sum[1]++;
    }
    return groups;
  }

  private Future<?> report(Req r) {
    Range range = range(r);
    return Future.all(reportTransactions(range), tagsById()).compose(all -> {
      List<JsonObject> txs = all.resultAt(0);
      Map<String, Map<String, double[]>> groups = grouped(txs, all.resultAt(1));
      List<Map<String, Object>> groupRows = new ArrayList<>();
      double total = 0;
      for (Map.Entry<String, Map<String, double[]>> g : groups.entrySet()) {
        List<Map<String, Object>> tagRows = new ArrayList<>();
        double sum = 0;
        for (Map.Entry<String, double[]> t : g.getValue().entrySet()) {
          tagRows.add(Map.of("name", t.getKey().isEmpty() ? r.t("report.unknownTag") : t.getKey(),
              "energyKwh", t.getValue()[0], "count", (int) t.getValue()[1]));
          sum += t.getValue()[0];
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("group", g.getKey().isEmpty() ? r.t("report.noGroup") : g.getKey());
        row.put("tags", tagRows);
        row.put("energyKwh", sum);
        groupRows.add(row);
        total += sum;
      }
      Map<String, Object> m = r.model();
      m.put("active", "report");
      m.put("from", range.first().toString());
      m.put("to", range.last().toString());
      m.put("groups", groupRows);
      m.put("totalKwh", total);
      m.put("count", txs.size());
      m.put("quick", quickRanges(r, range.zone()));
      m.put("query", "from=" + range.first() + "&to=" + range.last());
      return r.render("report", m);
    });
  }

  /** OCPP.Core's quick buttons: year to date, previous year, previous month, previous week. */
  private static List<Map<String, String>> quickRanges(Req r, ZoneId zone) {
    LocalDate today = LocalDate.now(zone);
    LocalDate prevMonth = today.minusMonths(1).withDayOfMonth(1);
    LocalDate prevWeek = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).minusWeeks(1);
    return List.of(
        quick(r.t("report.ytd"), today.withDayOfYear(1), today),
        quick(r.t("report.previousYear"), today.minusYears(1).withDayOfYear(1), today.withDayOfYear(1).minusDays(1)),
        quick(r.t("report.previousMonth"), prevMonth, prevMonth.with(TemporalAdjusters.lastDayOfMonth())),
        quick(r.t("report.previousWeek"), prevWeek, prevWeek.plusDays(6)));
  }

  private static Map<String, String> quick(String label, LocalDate from, LocalDate to) {
    return Map.of("label", label, "from", from.toString(), "to", to.toString());
  }

  private Future<?> reportExport(Req r, boolean summary, boolean xlsx) {
    Range range = range(r);
    return Future.all(reportTransactions(range), tagsById()).compose(all -> {
      List<JsonObject> txs = all.resultAt(0);
      Map<String, JsonObject> tags = all.resultAt(1);
      List<List<Object>> rows = new ArrayList<>();
      Table table;
      if (summary) {
        for (Map.Entry<String, Map<String, double[]>> g : grouped(txs, tags).entrySet()) {
          for (Map.Entry<String, double[]> t : g.getValue().entrySet()) {
            rows.add(List.of(g.getKey(), t.getKey(), t.getValue()[0]));
          }
        }
        table = new Table(r.t("nav.report"), List.of(r.t("report.group"), r.t("report.tag"), r.t("tx.energy")), rows);
      } else {
        Map<String, String> cpNames = new HashMap<>();
        Map<String, String> connectorNames = new HashMap<>();
        return Future.all(ui.admin().chargePoints(), ui.uiStore().allConnectors()).compose(names -> {
          for (JsonObject cp : names.<List<JsonObject>>resultAt(0)) {
            cpNames.put(cp.getString("id"), ChargePointPages.displayName(cp));
          }
          for (JsonObject c : names.<List<JsonObject>>resultAt(1)) {
            if (c.getString("name") != null) {
              connectorNames.put(OverviewPages.connectorKey(c), c.getString("name"));
            }
          }
          for (JsonObject t : txs) {
            JsonObject start = tag(tags, t.getString("startTagId"));
            String cp = t.getString("chargePointId");
            rows.add(java.util.Arrays.asList(t.getLong("transactionId"), cpNames.getOrDefault(cp, cp),
                connectorNames.getOrDefault(OverviewPages.connectorKey(t), String.valueOf(t.getInteger("connectorId"))),
                t.getString("startTagId"), tagName(tags, t.getString("startTagId")),
                start == null ? null : start.getString("parentTagId"), Times.parse(t.getString("startTime")),
                kwh(t.getDouble("meterStartWh")), t.getString("stopTagId"), tagName(tags, t.getString("stopTagId")),
                Times.parse(t.getString("stopTime")), kwh(t.getDouble("meterStopWh")), t.getDouble("energyKwh")));
          }
          return send(r, new Table(r.t("nav.transactions"), List.of(r.t("tx.id"), r.t("tx.chargePoint"),
              r.t("tx.connector"), r.t("report.startTagId"), r.t("report.startTagName"), r.t("report.group"),
              r.t("tx.startTime"), r.t("tx.meterStart"), r.t("report.stopTagId"), r.t("report.stopTagName"),
              r.t("tx.stopTime"), r.t("tx.meterStop"), r.t("tx.energy")), rows), "report-transactions", xlsx);
        });
      }
      return send(r, table, "report-summary", xlsx);
    });
  }
}
