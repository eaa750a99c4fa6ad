package org.ocppcore.api;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests per second per API key, as a token bucket: a key may send {@code perSecond} requests a
 * second on average and bursts of twice that. A runaway integration then slows itself down (429)
 * instead of slowing the chargers' node for everyone. Node-local: behind a load balancer each
 * management node grants its own budget.
 */
final class ApiRateLimit {
  private static final class Bucket {
    double tokens;
    long lastNanos;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.lastNanos = now;
    }
  }

  private final double perSecond;
  private final double burst;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  /** @param perSecond 0 turns the limit off */
  ApiRateLimit(int perSecond) {
    this.perSecond = perSecond;
    this.burst = 2.0 * perSecond;
  }

  /** Takes one request from the key's budget; false when the key has used it up. */
  boolean tryTake(String key, long nowNanos) {
    if (perSecond <= 0) {
      return true;
    }
    Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, nowNanos));
    synchronized (b) {
      b.tokens = Math.min(burst, b.tokens + (nowNanos - b.lastNanos) / 1e9 * perSecond);
      b.lastNanos = nowNanos;
      if (b.tokens < 1) {
        return false;
      }
      b.tokens -= 1;
      return true;
    }
  }

  int perSecond() {
    return (int) perSecond;
  }
}
