package org.ocppcore.web;

/** A request the UI refuses, with an HTTP status and a message key (localized on the error page or in a flash). */
final class UiException extends RuntimeException {
  private final int status;
  private final String key;
  private final transient Object[] args;

  UiException(int status, String key, Object... args) {
    super(key, null, false, false);
    this.status = status;
    this.key = key;
    this.args = args;
  }

  int status() {
    return status;
  }

  String key() {
    return key;
  }

  Object[] args() {
    return args;
  }
}
