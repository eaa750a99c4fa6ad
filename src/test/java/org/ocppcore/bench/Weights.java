package org.ocppcore.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** Weighted mixes given on the command line ({@code a:3,b:1}): the protocol mix and the command mix. */
final class Weights {
  private Weights() {}

  /**
   * Parses {@code key:weight,...} (a missing weight is 1; weight 0 drops the key).
   *
   * @param key maps a key's text to the key, throwing IllegalArgumentException for an unknown one
   */
  static <K> Map<K, Integer> parse(String flag, String v, Function<String, K> key) {
    Map<K, Integer> mix = new LinkedHashMap<>();
    for (String part : v.split(",")) {
      String[] kv = part.trim().split(":");
      K k = key.apply(kv[0]);
      int w = kv.length > 1 ? Integer.parseInt(kv[1]) : 1;
      if (w > 0) {
        mix.put(k, w);
      }
    }
    if (mix.isEmpty()) {
      throw new IllegalArgumentException(flag + " needs a positive weight");
    }
    return mix;
  }

  static <K> int total(Map<K, Integer> mix) {
    return mix.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** The key whose share of {@code [0, total)} holds {@code slot}, in the map's order. */
  static <K> K pick(Map<K, Integer> mix, int slot) {
    int acc = 0;
    for (Map.Entry<K, Integer> e : mix.entrySet()) {
      acc += e.getValue();
      if (slot < acc) {
        return e.getKey();
      }
    }
    return mix.keySet().iterator().next();
  }
}
