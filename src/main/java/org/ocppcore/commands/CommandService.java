package org.ocppcore.commands;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.ocppcore.app.Addresses;
import org.ocppcore.app.StationCallFailure;
import org.ocppcore.ocpp.OcppVersion;
import org.ocppcore.store.AdminStore;
import org.ocppcore.store.Ocpp2Store;
import org.ocppcore.store.Store;

/**
 * Sends operator commands to chargers, wherever they are connected: finds the charger's
 * negotiated version, builds the call for it ({@link CommandTranslator}), sends it to
 * {@code ocpp.station.<id>} and maps the outcome: the charger's answer, or a
 * {@link CommandException} with the HTTP status the API answers (404 unknown charge point, 409
 * offline, 502 CALLERROR, 504 no answer in time, 400 invalid). Every command is audited in the
 * message log with who sent it and what came back.
 */
public final class CommandService {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CommandService.class);
  private final Vertx vertx;
  private final Store store;
  private final AdminStore admin;
  private final ConfigurationRecorder configuration;

  public CommandService(Vertx vertx, Store store, AdminStore admin) {
    this.vertx = vertx;
    this.store = store;
    this.admin = admin;
    this.configuration = new ConfigurationRecorder(new Ocpp2Store(store));
  }

  /** The charger's answer to one command, with the call that produced it. */
  public record Result(String action, JsonObject request, JsonObject response) {
    public JsonObject toJson() {
      return new JsonObject().put("action", action).put("request", request).put("response", response);
    }
  }

  /**
   * The version of a connected charger, asked of its session (on whatever node): fails 404 for an
   * unknown and 409 at once for a disconnected charger.
   */
  public Future<OcppVersion> connectedVersion(String cpId) {
    return admin.chargePoint(cpId).compose(cp -> {
      if (cp == null) {
        return Future.failedFuture(new CommandException(404, "unknown charge point " + cpId));
      }
      DeliveryOptions describe = new DeliveryOptions().addHeader(Addresses.HEADER_CONTROL, Addresses.CONTROL_DESCRIBE)
          .setSendTimeout(5000);
      return vertx.eventBus().<JsonObject>request(Addresses.station(cpId), new JsonObject(), describe)
          .map(reply -> OcppVersion.fromSubprotocol(reply.body().getString("protocol")))
          .recover(err -> Future.failedFuture(err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
              ? new CommandException(409, "charge point " + cpId + " is not connected")
              : new CommandException(504, "the charger's session did not answer")));
    });
  }

  /**
   * Builds the call for the charger's version and sends it.
   *
   * @param actor who asked (API key name or UI user), for the audit log
   */
  public Future<Result> execute(String cpId, Function<OcppVersion, OcppCall> build, int timeoutSeconds, String actor) {
    return connectedVersion(cpId).compose(v -> {
      OcppCall call;
      try {
        call = build.apply(v);
      } catch (CommandException e) {
        return Future.failedFuture(e);
      }
      return send(cpId, call, timeoutSeconds, actor);
    });
  }

  /** Sends one call as given (the raw passthrough uses this directly). */
  public Future<Result> send(String cpId, OcppCall call, int timeoutSeconds, String actor) {
    JsonObject body = new JsonObject().put("action", call.action()).put("payload", call.payload())
        .put("timeoutSeconds", timeoutSeconds);
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutSeconds * 1000L + 5000);
    return vertx.eventBus().<JsonObject>request(Addresses.station(cpId), body, options)
        .map(reply -> new Result(call.action(), call.payload(), reply.body()))
        // configuration read or changed is kept in the device model before the caller hears of it
        .compose(result -> configuration.record(cpId, call, result.response())
            .otherwise(err -> {
              LOG.warn("[{}] could not record the configuration from {}: {}", cpId, call.action(), err.toString());
              return null;
            })
            .map(result))
        .recover(err -> Future.failedFuture(map(cpId, call, err)))
        .andThen(ar -> audit(cpId, call, actor, ar.succeeded() ? ar.result().response().encode()
            : ((CommandException) ar.cause()).body().encode(), ar.succeeded() ? null
            : String.valueOf(((CommandException) ar.cause()).status())));
  }

  private static CommandException map(String cpId, OcppCall call, Throwable err) {
    if (err instanceof ReplyException re) {
      if (re.failureType() == ReplyFailure.NO_HANDLERS) {
        return new CommandException(409, "charge point " + cpId + " is not connected");
      }
      if (re.failureType() == ReplyFailure.TIMEOUT) {
        return new CommandException(504, call.action() + ": no answer in time");
      }
      switch (re.failureCode()) {
        case StationCallFailure.CALL_ERROR -> {
          JsonObject error = new JsonObject(re.getMessage());
          return new CommandException(502, new JsonObject().put("error", "the charger answered with a CALLERROR")
              .put("errorCode", error.getString("errorCode")).put("errorDescription", error.getString("errorDescription"))
              .put("errorDetails", error.getJsonObject("errorDetails")));
        }
        case StationCallFailure.TIMEOUT -> {
          return new CommandException(504, re.getMessage());
        }
        case StationCallFailure.BAD_REQUEST -> {
          return new CommandException(400, re.getMessage());
        }
        case StationCallFailure.SESSION_CLOSED -> {
          return new CommandException(409, "the charger disconnected before answering");
        }
        default -> {
          return new CommandException(500, String.valueOf(re.getMessage()));
        }
      }
    }
    return err instanceof CommandException ce ? ce : new CommandException(500, String.valueOf(err.getMessage()));
  }

  private void audit(String cpId, OcppCall call, String actor, String outcome, String errorCode) {
    store.messageLog(cpId, null, "Command:" + call.action(), "by " + actor + ": " + call.payload().encode() + " => "
        + outcome, errorCode);
  }

  /** A fresh remoteStartId (positive int) that links a 2.x remote start to its transaction. */
  public static int newRemoteStartId() {
    return ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
  }
}
