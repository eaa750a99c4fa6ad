package org.ocppcore.commands;

import io.vertx.core.json.JsonObject;

/** A command that did not produce a charger answer: carries the HTTP status and body to report. */
public final class CommandException extends RuntimeException {
  private final int status;
  private final JsonObject body;

  public CommandException(int status, String message) {
    this(status, new JsonObject().put("error", message));
  }

  public CommandException(int status, JsonObject body) {
    super(body.getString("error", body.encode()), null, false, false);
    this.status = status;
    this.body = body;
  }

  public int status() {
    return status;
  }

  public JsonObject body() {
    return body;
  }
}
