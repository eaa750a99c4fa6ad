package org.ocppcore.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;

/** Exact JSON comparison where numbers compare by value (16 equals 16.0), with a readable failure. */
final class JsonAssert {
  private JsonAssert() {}

  static void assertJson(Object expected, Object actual) {
    assertJson(expected, actual, null);
  }

  static void assertJson(Object expected, Object actual, String message) {
    if (!same(expected, actual)) {
      throw new AssertionError((message == null ? "" : message + ": ") + "expected " + encode(expected)
          + " but was " + encode(actual));
    }
  }

  private static String encode(Object o) {
    if (o instanceof JsonObject j) {
      return j.encode();
    }
    if (o instanceof JsonArray a) {
      return a.encode();
    }
    return String.valueOf(o);
  }

  static boolean same(Object a, Object b) {
    if (a instanceof JsonObject x && b instanceof JsonObject y) {
      if (!x.fieldNames().equals(y.fieldNames())) {
        return false;
      }
      for (String k : x.fieldNames()) {
        if (!same(x.getValue(k), y.getValue(k))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof JsonArray x && b instanceof JsonArray y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!same(x.getValue(i), y.getValue(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Number x && b instanceof Number y) {
      return new BigDecimal(x.toString()).compareTo(new BigDecimal(y.toString())) == 0;
    }
    return a == null ? b == null : a.equals(b);
  }
}
