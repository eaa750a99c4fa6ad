package org.ocppcore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The benchmark's weighted mixes: the protocol mix must hold for any number of chargers. */
class WeightsTest {

  private static Map<String, Integer> mix(String flag) {
    return Weights.parse("--mix", flag, Function.identity());
  }

  @Test
  void anEvenMixAlternatesFromTheFirstCharger() {
    List<String> dealt = Weights.spread(mix("16:50,201:50"), 20);
    for (int i = 0; i < 20; i++) {
      assertEquals(i % 2 == 0 ? "16" : "201", dealt.get(i), "charger " + i);
    }
  }

  @Test
  void everyPrefixKeepsEachShareWithinOneItem() {
    for (String flag : new String[] {"16:80,201:20", "a:67,b:33", "a:1,b:1,c:1", "a:5,b:3,c:2", "a:99,b:1"}) {
      Map<String, Integer> m = mix(flag);
      int total = Weights.total(m);
      for (int n : new int[] {1, 7, 20, 50, 1000}) {
        List<String> dealt = Weights.spread(m, n);
        assertEquals(n, dealt.size());
        for (int prefix = 1; prefix <= n; prefix++) {
          List<String> head = dealt.subList(0, prefix);
          for (Map.Entry<String, Integer> e : m.entrySet()) {
            double share = (double) prefix * e.getValue() / total;
            int got = Collections.frequency(head, e.getKey());
            assertTrue(Math.abs(got - share) < 1.0,
                flag + " over " + n + ": " + got + " of the first " + prefix + " for " + e.getKey() + ", share " + share);
          }
        }
      }
    }
  }

  @Test
  void aWholeRunSplitsExactlyWhenTheWeightsDivideIt() {
    List<String> dealt = Weights.spread(mix("16:80,201:20"), 1000);
    assertEquals(800, Collections.frequency(dealt, "16"));
    assertEquals(200, Collections.frequency(dealt, "201"));
  }

  @Test
  void zeroWeightsDropAKeyAndNoWeightIsAnError() {
    assertEquals(List.of("16", "16", "16"), Weights.spread(mix("16:1,201:0"), 3));
    assertThrows(IllegalArgumentException.class, () -> mix("16:0"));
  }
}
