package org.ocppcore.commands;

import io.vertx.core.json.JsonObject;

/** One OCPP call to send to a charger: the action of its version and the payload. */
public record OcppCall(String action, JsonObject payload) {}
