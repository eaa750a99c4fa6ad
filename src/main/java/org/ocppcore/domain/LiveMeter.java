package org.ocppcore.domain;

import java.util.List;

/**
 * The connector's live figures derived from a batch of samples: energy register (kWh), active
 * import power (kW, the sum of the phases when only per-phase values are sent) and state of charge.
 */
public record LiveMeter(Double energyKwh, Double powerKw, Double soc, String timestamp) {

  public static LiveMeter of(List<MeterSample> samples) {
    Double energy = null;
    Double power = null;
    Double phasePower = null;
    Double soc = null;
    String time = null;
    for (MeterSample s : samples) {
      if (s.numericValue() == null) {
        continue;
      }
      switch (s.measurand()) {
        case "Energy.Active.Import.Register" -> {
          if (s.phase() == null) {
            energy = toKilo(s.numericValue(), s.unit(), "Wh");
            time = latest(time, s.timestamp());
          }
        }
        case "Power.Active.Import" -> {
          double kw = toKilo(s.numericValue(), s.unit(), "W");
          if (s.phase() == null) {
            power = kw;
          } else if (s.phase().startsWith("L") && !s.phase().contains("-L")) {
            phasePower = (phasePower == null ? 0 : phasePower) + kw;
          }
          time = latest(time, s.timestamp());
        }
        case "SoC" -> {
          soc = s.numericValue();
          time = latest(time, s.timestamp());
        }
        default -> { }
      }
    }
    return new LiveMeter(energy, power != null ? power : phasePower, soc, time);
  }

  private static String latest(String a, String b) {
    return a == null || (b != null && b.compareTo(a) > 0) ? b : a;
  }

  /** Converts a Wh/W-family value to kWh/kW. */
  static double toKilo(double value, String unit, String base) {
    if (unit == null || unit.equals(base) || unit.equals("varh") || unit.equals("var") || unit.equals("VA")) {
      return value / 1000.0;
    }
    return value; // kWh, kW, kvarh, kvar, kVA
  }

  /** The message log's line for a MeterValues. */
  public String summary() {
    return "Meter (kWh): " + energyKwh + " | Charge (kW): " + powerKw + " | SoC (%): " + soc;
  }

  public boolean isEmpty() {
    return energyKwh == null && powerKw == null && soc == null;
  }
}
