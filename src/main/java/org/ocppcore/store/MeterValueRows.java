package org.ocppcore.store;

import com.fasterxml.jackson.core.io.NumberOutput;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.ocppcore.domain.MeterSample;
import org.ocppcore.domain.Times;

/**
 * The stored form of samples: one {@code MeterValue} row per charger message (per connector and
 * transaction), its samples as one compact JSON array. One row instead of one per sample writes
 * about a sixth of the bytes and index entries per message (docs/benchmarks.md, storage ceiling);
 * the {@code MeterSample} view unfolds the array again for queries. The member names are one
 * letter because they are stored once per sample: t timestamp, v value, n numericValue,
 * m measurand, u unit, p phase, l location, c context, f format, s signedMeterValue (an object;
 * absent when null).
 */
public final class MeterValueRows {
  private MeterValueRows() {}

  /** The JSON text stored for samples that share one connector and transaction. */
  public static String encode(List<MeterSample> samples) {
    // written by hand: a JSON generator (or a JsonObject per sample) was ~16 % of the server's
    // Java CPU under ingest (docs/benchmarks.md); the format is fixed and small
    StringBuilder b = new StringBuilder(samples.size() * 140).append('[');
    for (MeterSample s : samples) {
      b.append(b.length() == 1 ? "{" : ",{");
      string(b, "t", s.timestamp());
      b.append(',');
      string(b, "v", s.value());
      Double n = s.numericValue();
      if (n != null && Double.isFinite(n)) {
        b.append(",\"n\":").append(NumberOutput.toString(n, true));
      }
      b.append(',');
      string(b, "m", s.measurand());
      optional(b, "u", s.unit());
      optional(b, "p", s.phase());
      optional(b, "l", s.location());
      optional(b, "c", s.context());
      optional(b, "f", s.format());
      if (s.signedMeterValue() != null) {
        b.append(",\"s\":").append(s.signedMeterValue()); // JSON already, encoded by Vert.x
      }
      b.append('}');
    }
    return b.append(']').toString();
  }

  private static void optional(StringBuilder b, String name, String value) {
    if (value != null) {
      b.append(',');
      string(b, name, value);
    }
  }

  /** {@code "name":"value"} with the value escaped as JSON requires (quote, backslash, controls). */
  private static void string(StringBuilder b, String name, String value) {
    b.append('"').append(name).append("\":");
    if (value == null) {
      b.append("null");
      return;
    }
    b.append('"');
    int plain = 0;
    while (plain < value.length() && !escaped(value.charAt(plain))) {
      plain++;
    }
    b.append(value, 0, plain); // almost always the whole value, in one copy
    for (int i = plain; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c == '\n') {
        b.append("\\n");
      } else if (c == '\r') {
        b.append("\\r");
      } else if (c == '\t') {
        b.append("\\t");
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    b.append('"');
  }

  private static boolean escaped(char c) {
    return c == '"' || c == '\\' || c < 0x20;
  }

  /** The samples of a stored row. */
  public static List<MeterSample> decode(String json, int connectorId, Long transactionId) {
    JsonArray array = new JsonArray(json);
    List<MeterSample> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      JsonObject o = array.getJsonObject(i);
      Number n = o.getNumber("n");
      JsonObject signed = o.getJsonObject("s");
      out.add(new MeterSample(connectorId, transactionId, o.getString("t"), o.getString("v"),
          n == null ? null : n.doubleValue(), o.getString("m"), o.getString("u"), o.getString("p"), o.getString("l"),
          o.getString("c"), o.getString("f"), signed == null ? null : signed.encode()));
    }
    return out;
  }

  /**
   * The identity of a charge point's message: the charge point and its samples' keys in order. A
   * charger's retry of the message has the same identity; values are not part of it, as a
   * reading's value is not part of its key.
   */
  public static String identity(String cpId, List<MeterSample> samples) {
    StringBuilder b = identityStart(cpId, samples.size());
    for (MeterSample s : samples) {
      b.append(s.key()).append('\n');
    }
    return b.toString();
  }

  private static StringBuilder identityStart(String cpId, int samples) {
    return new StringBuilder(cpId.length() + 1 + samples * 96).append(cpId).append('\n');
  }

  /**
   * The unique key of a row: the time of its first sample in seconds (high 32 bits) and a hash of
   * its identity (low 31 bits), never negative. Keys in time order put each commit's new index
   * entries on a few neighbouring pages, where a key ordered by charge point touched one page
   * per charger (docs/benchmarks.md); a hash collision is stored under the next free key.
   */
  public static long keyHash(String timestamp, String identity) {
    Instant t = Times.parse(timestamp);
    long seconds = t == null ? 0 : Math.max(0, Math.min(0xFFFFFFFFL, t.getEpochSecond()));
    return (seconds << 31) | (hash(identity) & 0x7FFFFFFFL);
  }

  /**
   * A 64-bit hash of a text, never negative (rows of schema 4 used it on a sample's key, and
   * negative values there marked rows stored before). FNV-1a with a final mix: fast, and well
   * spread for these short texts.
   */
  public static long hash(String text) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < text.length(); i++) {
      h ^= text.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h & Long.MAX_VALUE;
  }

  /** One MeterValue row, ready to insert: computed before the write, off the single writer thread. */
  public record Row(int connectorId, Long transactionId, String timestamp, long keyHash, String identity,
      String samples) {}

  /**
   * A charge point's message as rows: one per run of samples that share connector and transaction
   * (a message normally is one run), keeping the first of samples with the same key (one reading
   * sent twice in one message).
   */
  public static List<Row> rows(String cpId, List<MeterSample> samples) {
    if (samples == null || samples.isEmpty()) {
      return List.of();
    }
    List<Row> out = new ArrayList<>(1);
    Set<String> keys = new HashSet<>();
    List<MeterSample> run = new ArrayList<>(samples.size());
    StringBuilder identity = identityStart(cpId, samples.size());
    for (MeterSample s : samples) {
      if (!run.isEmpty() && !sameRow(run.get(0), s)) {
        out.add(row(run, identity.toString()));
        run = new ArrayList<>();
        keys.clear();
        identity = identityStart(cpId, samples.size());
      }
      String key = s.key();
      if (keys.add(key)) {
        run.add(s);
        identity.append(key).append('\n');
      }
    }
    out.add(row(run, identity.toString()));
    return out;
  }

  private static Row row(List<MeterSample> run, String identity) {
    MeterSample first = run.get(0);
    return new Row(first.connectorId(), first.transactionId(), first.timestamp(), keyHash(first.timestamp(), identity),
        identity, encode(run));
  }

  private static boolean sameRow(MeterSample a, MeterSample b) {
    return a.connectorId() == b.connectorId() && Objects.equals(a.transactionId(), b.transactionId());
  }
}
