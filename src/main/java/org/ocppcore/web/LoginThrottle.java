package org.ocppcore.web;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed UI logins counted per user name and client address: after {@code maxFailures} within one
 * window, that pair is refused until the window ends, without the password being checked (so a
 * guesser learns nothing more). Per pair and not per name, so nobody can lock the real user out
 * from another address. Counts are node-local; behind a load balancer each node counts its own.
 */
final class LoginThrottle {
  private record Window(long startMillis, int failures) {}

  /** Pairs remembered at most: guessing across many names and addresses cannot exhaust the heap. */
  static final int MAX_PAIRS = 100_000;

  private final int maxFailures;
  private final long windowMillis;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  /** @param maxFailures 0 turns the throttle off */
  LoginThrottle(int maxFailures, long windowMillis) {
    this.maxFailures = maxFailures;
    this.windowMillis = windowMillis;
  }

  /** Seconds until this pair may try again; 0 when it may now. */
  long lockedForSeconds(String user, String address, long now) {
    Window w = windows.get(key(user, address));
    if (maxFailures <= 0 || w == null || w.failures < maxFailures || now - w.startMillis >= windowMillis) {
      return 0;
    }
    return Math.max(1, (w.startMillis + windowMillis - now + 999) / 1000);
  }

  void failed(String user, String address, long now) {
    if (maxFailures <= 0) {
      return;
    }
    if (windows.size() >= MAX_PAIRS) {
      prune(now);
      if (windows.size() >= MAX_PAIRS && !windows.containsKey(key(user, address))) {
        return; // full of live windows: new pairs go uncounted (the per-failure delay still applies)
      }
    }
    windows.compute(key(user, address), (k, w) -> w == null || now - w.startMillis >= windowMillis
        ? new Window(now, 1) : new Window(w.startMillis, w.failures + 1));
  }

  void succeeded(String user, String address) {
    windows.remove(key(user, address));
  }

  /** Forgets windows that have ended (called periodically, so guessing with many names cannot grow it for long). */
  void prune(long now) {
    windows.values().removeIf(w -> now - w.startMillis >= windowMillis);
  }

  int size() {
    return windows.size();
  }

  private static String key(String user, String address) {
    return user + '\n' + address;
  }
}
