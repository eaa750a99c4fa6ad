package org.ocppcore.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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

  /**
   * Deals {@code n} items out by weight, interleaved: each item goes to the key furthest behind its
   * share so far (ties to the earlier key). Any n splits as the weights say, to within one item per
   * key: {@code 16:50,201:50} over 20 chargers gives 10 and 10, alternating. (Taking item i's key
   * by {@code i % total} gave a 20-charger run only 1.6, as every slot fell in the first share.)
   */
  static <K> List<K> spread(Map<K, Integer> mix, int n) {
    int total = total(mix);
    List<K> keys = new ArrayList<>(mix.keySet());
    long[] dealt = new long[keys.size()];
    List<K> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int best = 0;
      long bestLag = Long.MIN_VALUE;
      for (int k = 0; k < keys.size(); k++) {
        // (i + 1) * w / total - dealt, scaled by total to stay in integers
        long lag = (long) (i + 1) * mix.get(keys.get(k)) - dealt[k] * total;
        if (lag > bestLag) {
          bestLag = lag;
          best = k;
        }
      }
      dealt[best]++;
      out.add(keys.get(best));
    }
    return out;
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
