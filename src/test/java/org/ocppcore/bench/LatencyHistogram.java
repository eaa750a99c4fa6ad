package org.ocppcore.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A log-linear latency histogram in microseconds (HdrHistogram is not on the classpath): values
 * below 64 are exact; above, every power of two is split into 64 linear buckets, so a reported
 * percentile is at most 1/64 (1.6 %) above the true value and never below it. Fixed size (about
 * 30 KB), lock-free, safe to record from several event loops at once.
 */
final class LatencyHistogram {
  static final int SUB_BITS = 6;
  static final int SUB = 1 << SUB_BITS;
  /** Groups: one exact group for [0, 64), then one per exponent 6..62. */
  static final int BUCKETS = (64 - SUB_BITS) * SUB;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
  private final AtomicLong total = new AtomicLong();
  private final AtomicLong sum = new AtomicLong();
  private final AtomicLong max = new AtomicLong();

  /** The bucket of a value (negative values count as 0). */
  static int index(long v) {
    if (v < SUB) {
      return (int) Math.max(0, v);
    }
    int e = 63 - Long.numberOfLeadingZeros(v); // >= SUB_BITS
    int shift = e - SUB_BITS;
    return (shift + 1) * SUB + (int) ((v >>> shift) - SUB);
  }

  /** Smallest value that falls into bucket {@code i}. */
  static long lowerBound(int i) {
    if (i < SUB) {
      return i;
    }
    int group = i / SUB;
    int sub = i % SUB;
    return ((long) (SUB + sub)) << (group - 1);
  }

  /** Largest value that falls into bucket {@code i}. */
  static long upperBound(int i) {
    if (i < SUB) {
      return i;
    }
    return lowerBound(i) + (1L << (i / SUB - 1)) - 1;
  }

  void recordMicros(long micros) {
    long v = Math.max(0, micros);
    counts.incrementAndGet(index(v));
    total.incrementAndGet();
    sum.addAndGet(v);
    long m;
    while (v > (m = max.get()) && !max.compareAndSet(m, v)) {
      // retry
    }
  }

  void recordNanos(long nanos) {
    recordMicros(nanos / 1000);
  }

  long count() {
    return total.get();
  }

  long maxMicros() {
    return max.get();
  }

  double meanMicros() {
    long n = total.get();
    return n == 0 ? 0 : (double) sum.get() / n;
  }

  /**
   * The value at percentile {@code p} (0 < p <= 100): the upper bound of the bucket holding the
   * ceil(p% * n)-th smallest value, capped at the exact maximum. 0 when empty.
   */
  long percentileMicros(double p) {
    long n = total.get();
    if (n == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(p / 100.0 * n));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts.get(i);
      if (seen >= rank) {
        return Math.min(upperBound(i), max.get());
      }
    }
    return max.get();
  }

  /** Adds another histogram's counts into this one. */
  void add(LatencyHistogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      long c = other.counts.get(i);
      if (c != 0) {
        counts.addAndGet(i, c);
      }
    }
    total.addAndGet(other.total.get());
    sum.addAndGet(other.sum.get());
    long m;
    long v = other.max.get();
    while (v > (m = max.get()) && !max.compareAndSet(m, v)) {
      // retry
    }
  }
}
