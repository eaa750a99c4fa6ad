package org.ocppcore.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.ocppcore.domain.MeterSample;

/**
 * The stored form of samples: one {@code MeterValue} row per charger message (per connector and
 * transaction), its samples as one compact JSON array. One row instead of one per sample writes
 * about a sixth of the bytes and index entries per message (docs/benchmarks.md, storage ceiling);
 * the {@code MeterSample} view unfolds the array again for queries. The member names are one
 * letter because they are stored once per sample: t timestamp, v value, n numericValue,
 * m measurand, u unit, p phase, l location, c context, f format (absent when null).
 */
public final class MeterValueRows {
  private MeterValueRows() {}

  /** The JSON text stored for samples that share one connector and transaction. */
  public static String encode(List<MeterSample> samples) {
    JsonArray out = new JsonArray(new ArrayList<>(samples.size()));
    for (MeterSample s : samples) {
      JsonObject o = new JsonObject().put("t", s.timestamp()).put("v", s.value());
      putIfSet(o, "n", s.numericValue());
      o.put("m", s.measurand());
      putIfSet(o, "u", s.unit());
      putIfSet(o, "p", s.phase());
      putIfSet(o, "l", s.location());
      putIfSet(o, "c", s.context());
      putIfSet(o, "f", s.format());
      out.add(o);
    }
    return out.encode();
  }

  /** The samples of a stored row. */
  public static List<MeterSample> decode(String json, int connectorId, Long transactionId) {
    JsonArray array = new JsonArray(json);
    List<MeterSample> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      JsonObject o = array.getJsonObject(i);
      Number n = o.getNumber("n");
      out.add(new MeterSample(connectorId, transactionId, o.getString("t"), o.getString("v"),
          n == null ? null : n.doubleValue(), o.getString("m"), o.getString("u"), o.getString("p"), o.getString("l"),
          o.getString("c"), o.getString("f")));
    }
    return out;
  }

  /**
   * The identity of a message's samples: their keys in order. A charger's retry of the message has
   * the same identity; values are not part of it, as a reading's value is not part of its key.
   */
  public static String identity(List<MeterSample> samples) {
    StringBuilder b = new StringBuilder(samples.size() * 96);
    for (MeterSample s : samples) {
      b.append(s.key()).append('\n');
    }
    return b.toString();
  }

  /** The samples of one row, and their {@link #identity}. */
  public record Run(List<MeterSample> samples, String identity) {}

  /**
   * Splits a message's samples into runs that share connector and transaction (one row each; a
   * message normally is one run), keeping the first of samples with the same key (one reading sent
   * twice in one message).
   */
  public static List<Run> rows(List<MeterSample> samples) {
    List<Run> out = new ArrayList<>(1);
    Set<String> keys = new HashSet<>();
    List<MeterSample> run = new ArrayList<>(samples.size());
    StringBuilder identity = new StringBuilder(samples.size() * 96);
    for (MeterSample s : samples) {
      if (!run.isEmpty() && !sameRow(run.get(0), s)) {
        out.add(new Run(run, identity.toString()));
        run = new ArrayList<>();
        identity.setLength(0);
        keys.clear();
      }
      String key = s.key();
      if (keys.add(key)) {
        run.add(s);
        identity.append(key).append('\n');
      }
    }
    if (!run.isEmpty()) {
      out.add(new Run(run, identity.toString()));
    }
    return out;
  }

  private static boolean sameRow(MeterSample a, MeterSample b) {
    return a.connectorId() == b.connectorId() && Objects.equals(a.transactionId(), b.transactionId());
  }

  private static void putIfSet(JsonObject o, String name, Object value) {
    if (value != null) {
      o.put(name, value);
    }
  }
}
