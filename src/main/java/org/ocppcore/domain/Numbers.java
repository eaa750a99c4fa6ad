package org.ocppcore.domain;

/** Number parsing shared by the REST API and the web UI, which answer a bad number with their own 400. */
public final class Numbers {
  private Numbers() {}

  /** A non-negative decimal int, or -1 when the text is not one (absent, malformed, negative or too big). */
  public static int nonNegativeInt(String text) {
    try { // Integer.parseInt(null) throws NumberFormatException too
      int i = Integer.parseInt(text);
      return i < 0 ? -1 : i;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
