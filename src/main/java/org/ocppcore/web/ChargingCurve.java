package org.ocppcore.web;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.ocppcore.domain.LiveMeter;
import org.ocppcore.domain.MeterSample;
import org.ocppcore.domain.Times;

/**
 * A transaction's charging curve as server-side SVG: power (kW, left axis) and energy charged
 * (kWh, right axis) over time, from the stored meter samples. The samples of one timestamp are
 * read like a live meter ({@link LiveMeter}: phases summed, units converted); a charger that
 * sends no power gets it derived from the energy register. Time labels carry their instant so
 * the page script can show them in the browser's zone.
 */
final class ChargingCurve {
  static final int WIDTH = 800;
  static final int HEIGHT = 320;
  private static final int LEFT = 60;
  private static final int RIGHT = 60;
  private static final int TOP = 20;
  private static final int BOTTOM = 44;
  private static final DateTimeFormatter HM = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

  /** One point of the curve: time, power (kW, may be null), energy charged so far (kWh, may be null), SoC. */
  record Point(Instant time, Double powerKw, Double energyKwh, Double soc) {}

  private ChargingCurve() {}

  /** The points of a transaction (as {@code AdminStore.transaction} returns it, with meterSamples). */
  static List<Point> points(JsonObject tx) {
    Map<String, List<MeterSample>> byTime = new TreeMap<>();
    JsonArray samples = tx.getJsonArray("meterSamples", new JsonArray());
    for (int i = 0; i < samples.size(); i++) {
      JsonObject s = samples.getJsonObject(i);
      if (s.getString("timestamp") == null) {
        continue;
      }
      byTime.computeIfAbsent(s.getString("timestamp"), k -> new ArrayList<>()).add(new MeterSample(
          s.getInteger("connectorId", 0), tx.getLong("transactionId"), s.getString("timestamp"), s.getString("value"),
          s.getDouble("numericValue"), s.getString("measurand"), s.getString("unit"), s.getString("phase"),
          s.getString("location"), s.getString("context"), s.getString("format")));
    }
    Double startKwh = tx.getDouble("meterStartWh") == null ? null : tx.getDouble("meterStartWh") / 1000.0;
    List<Point> points = new ArrayList<>();
    Instant start = Times.parse(tx.getString("startTime"));
    if (start != null && startKwh != null) {
      points.add(new Point(start, null, 0.0, null));
    }
    for (Map.Entry<String, List<MeterSample>> e : byTime.entrySet()) {
      LiveMeter live = LiveMeter.of(e.getValue());
      Instant t = Times.parse(e.getKey());
      if (t == null || live.isEmpty()) {
        continue;
      }
      if (startKwh == null && live.energyKwh() != null) {
        startKwh = live.energyKwh();
      }
      Double charged = live.energyKwh() == null || startKwh == null ? null : Math.max(0, live.energyKwh() - startKwh);
      points.add(new Point(t, live.powerKw(), charged, live.soc()));
    }
    Instant stop = Times.parse(tx.getString("stopTime"));
    Double stopWh = tx.getDouble("meterStopWh");
    if (stop != null && stopWh != null && startKwh != null && points.stream().noneMatch(p -> p.time().equals(stop))) {
      points.add(new Point(stop, null, Math.max(0, stopWh / 1000.0 - startKwh), null));
    }
    points.sort((a, b) -> a.time().compareTo(b.time()));
    if (points.stream().noneMatch(p -> p.powerKw() != null)) {
      points = derivePower(points);
    }
    return points;
  }

  /** kW from the energy register where the charger sent no power: the slope to the previous reading. */
  private static List<Point> derivePower(List<Point> in) {
    List<Point> out = new ArrayList<>();
    Point prev = null;
    for (Point p : in) {
      Double kw = null;
      if (prev != null && p.energyKwh() != null && prev.energyKwh() != null) {
        double hours = (p.time().toEpochMilli() - prev.time().toEpochMilli()) / 3_600_000.0;
        if (hours > 0) {
          kw = Math.max(0, (p.energyKwh() - prev.energyKwh()) / hours);
        }
      }
      out.add(new Point(p.time(), kw, p.energyKwh(), p.soc()));
      if (p.energyKwh() != null) {
        prev = p;
      }
    }
    return out;
  }

  /** The chart, or null when there is nothing to draw. */
  static String svg(List<Point> points, String lang, String title, String powerLabel, String energyLabel) {
    List<Point> power = points.stream().filter(p -> p.powerKw() != null).toList();
    List<Point> energy = points.stream().filter(p -> p.energyKwh() != null).toList();
    if (power.size() + energy.size() < 2) {
      return null;
    }
    long t0 = points.get(0).time().toEpochMilli();
    long t1 = Math.max(points.get(points.size() - 1).time().toEpochMilli(), t0 + 60_000);
    double maxPower = nice(power.stream().mapToDouble(Point::powerKw).max().orElse(0));
    double maxEnergy = nice(energy.stream().mapToDouble(Point::energyKwh).max().orElse(0));
    DecimalFormat num = new DecimalFormat("0.#", DecimalFormatSymbols.getInstance(Locale.forLanguageTag(lang)));
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;

    StringBuilder sb = new StringBuilder();
    sb.append("<svg class=\"chart\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
        .append("\" role=\"img\" aria-labelledby=\"chart-title\" xmlns=\"http://www.w3.org/2000/svg\">")
        .append("<title id=\"chart-title\">").append(Xlsx.escape(title)).append("</title>");
    // grid and axes: 5 steps on each value axis
    for (int i = 0; i <= 5; i++) {
      double y = TOP + plotH - plotH * i / 5.0;
      sb.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + plotW)
          .append("\" y1=\"").append(fmt(y)).append("\" y2=\"").append(fmt(y)).append("\"/>");
      sb.append("<text class=\"tick tick-power\" x=\"").append(LEFT - 6).append("\" y=\"").append(fmt(y + 4))
          .append("\" text-anchor=\"end\">").append(num.format(maxPower * i / 5)).append("</text>");
      sb.append("<text class=\"tick tick-energy\" x=\"").append(LEFT + plotW + 6).append("\" y=\"").append(fmt(y + 4))
          .append("\">").append(num.format(maxEnergy * i / 5)).append("</text>");
    }
    for (int i = 0; i <= 4; i++) {
      long t = t0 + (t1 - t0) * i / 4;
      double x = LEFT + plotW * i / 4.0;
      String iso = Times.format(Instant.ofEpochMilli(t));
      sb.append("<text class=\"tick tick-time\" data-time=\"").append(iso).append("\" x=\"").append(fmt(x))
          .append("\" y=\"").append(TOP + plotH + 18).append("\" text-anchor=\"middle\">")
          .append(HM.format(Instant.ofEpochMilli(t))).append("</text>");
    }
    sb.append("<text class=\"axis-label axis-power\" x=\"").append(LEFT).append("\" y=\"").append(HEIGHT - 6)
        .append("\">").append(Xlsx.escape(powerLabel)).append("</text>");
    sb.append("<text class=\"axis-label axis-energy\" x=\"").append(LEFT + plotW).append("\" y=\"").append(HEIGHT - 6)
        .append("\" text-anchor=\"end\">").append(Xlsx.escape(energyLabel)).append("</text>");
    if (!power.isEmpty()) {
      sb.append("<polyline class=\"line-power\" points=\"");
      for (Point p : power) {
        sb.append(fmt(x(p, t0, t1, plotW))).append(',').append(fmt(TOP + plotH - plotH * p.powerKw() / maxPower)).append(' ');
      }
      sb.append("\"/>");
    }
    if (!energy.isEmpty()) {
      sb.append("<polyline class=\"line-energy\" points=\"");
      for (Point p : energy) {
        sb.append(fmt(x(p, t0, t1, plotW))).append(',').append(fmt(TOP + plotH - plotH * p.energyKwh() / maxEnergy))
            .append(' ');
      }
      sb.append("\"/>");
    }
    return sb.append("</svg>").toString();
  }

  private static double x(Point p, long t0, long t1, int plotW) {
    return LEFT + plotW * (double) (p.time().toEpochMilli() - t0) / (t1 - t0);
  }

  /** A round upper bound for an axis (1, 2, 2.5, 5 × 10^n), at least 1. */
  static double nice(double max) {
    if (max <= 1) {
      return 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(max)));
    for (double step : new double[] {1, 2, 2.5, 5, 10}) {
      if (max <= step * magnitude) {
        return step * magnitude;
      }
    }
    return 10 * magnitude;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
