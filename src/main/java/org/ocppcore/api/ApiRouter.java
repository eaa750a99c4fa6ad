package org.ocppcore.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.ocppcore.app.Addresses;
import org.ocppcore.app.Config;
import org.ocppcore.commands.CommandException;
import org.ocppcore.commands.CommandService;
import org.ocppcore.commands.CommandTranslator;
import org.ocppcore.commands.OcppCall;
import org.ocppcore.domain.Authorization;
import org.ocppcore.domain.Numbers;
import org.ocppcore.domain.TagRecord;
import org.ocppcore.domain.Times;
import org.ocppcore.ocpp.OcppVersion;
import org.ocppcore.security.PasswordHash;
import org.ocppcore.store.AdminStore;
import org.ocppcore.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The integrator REST API under {@code /api/v1}, exactly as {@code openapi.json} describes it
 * (a test checks both ways). Every route needs an {@code X-API-Key}; read-only keys may only GET.
 */
public final class ApiRouter {
  private static final Logger LOG = LoggerFactory.getLogger(ApiRouter.class);
  private static final Pattern IDENTITY = Pattern.compile("[A-Za-z0-9*\\-_=+|@.]{1,48}");
  private static final int DEFAULT_TIMEOUT = 30;
  private static final int MAX_TIMEOUT = 300;
  private static final long COMMAND_RETENTION_MS = 15 * 60_000L;
  private static final int MAX_BODY_BYTES = 1_048_576;
  /**
   * Outcomes of ?async=true commands by id ({commandId, state, httpStatus, result}), kept
   * COMMAND_RETENTION_MS. A shared-data map: cluster-wide when Vert.x is clustered, so
   * GET /commands/{id} works on any management node behind a balancer.
   */
  private static final String COMMAND_OUTCOMES = "ocpp.api.commands";

  private final Vertx vertx;
  private final Config config;
  private final Store store;
  private final AdminStore admin;
  private final CommandService commands;
  private final ApiKeys keys;
  private final ApiRateLimit rateLimit;
  private final RequestSchemas schemas;
  /** Every (method, path template) mounted, for the OpenAPI completeness test. */
  private final List<String> routes = new ArrayList<>();

  public ApiRouter(Vertx vertx, Config config, Store store, AdminStore admin, CommandService commands,
      RequestSchemas schemas) {
    this.vertx = vertx;
    this.config = config;
    this.store = store;
    this.admin = admin;
    this.commands = commands;
    this.keys = new ApiKeys(admin);
    this.rateLimit = new ApiRateLimit(config.integer("api.requestsPerSecondPerKey"));
    this.schemas = schemas;
  }

  /** The sub-router to mount at {@code /api/v1}. */
  public Router router() {
    Router r = Router.router(vertx);
    r.get("/openapi.json").handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache").end(schemas.document().encodePrettily()));
    // the body is read before the (asynchronous) key lookup, as vertx-web requires
    r.route().handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES));
    // what vertx-web fails by itself (a body over the limit: 413) is answered in JSON too, not by the UI's HTML page
    r.route().failureHandler(ctx -> {
      Throwable failure = ctx.failure();
      int status = failure instanceof HttpException he ? he.getStatusCode() : ctx.statusCode();
      if (failure == null || failure instanceof HttpException) {
        failure = new CommandException(status > 0 ? status : 500, status == 413
            ? "the body is larger than " + MAX_BODY_BYTES + " bytes" : "the request failed (HTTP " + status + ")");
      }
      fail(ctx, failure);
    });
    r.route().handler(this::authenticate);

    get(r, "/chargepoints", ctx -> admin.chargePoints().map(JsonArray::new));
    get(r, "/chargepoints/:id", ctx -> chargePointOr404(ctx));
    route(r, HttpMethod.PUT, "/chargepoints/:id", "ChargePointInput", this::putChargePoint);
    route(r, HttpMethod.DELETE, "/chargepoints/:id", null, this::deleteChargePoint);
    get(r, "/chargepoints/:id/connectors", ctx -> chargePointOr404(ctx)
        .compose(cp -> admin.connectors(cp.getString("id")).map(JsonArray::new)));
    route(r, HttpMethod.PUT, "/chargepoints/:id/connectors/:connectorId", "ConnectorInput", this::putConnector);
    get(r, "/tags", ctx -> admin.tags().map(JsonArray::new));
    get(r, "/tags/:tagId", ctx -> admin.tag(ctx.pathParam("tagId")).map(t -> orNotFound(t, "unknown tag")));
    route(r, HttpMethod.PUT, "/tags/:tagId", "TagInput", this::putTag);
    route(r, HttpMethod.DELETE, "/tags/:tagId", null, ctx -> admin.deleteTag(ctx.pathParam("tagId"))
        .map(found -> {
          if (!found) {
            throw new CommandException(404, "unknown tag");
          }
          return Reply.NO_CONTENT;
        }));
    r.get("/transactions").handler(this::transactions);
    routes.add("GET /transactions");
    get(r, "/transactions/:transactionId", ctx -> admin.transaction(longParam(ctx, "transactionId"))
        .map(t -> orNotFound(t, "unknown transaction")));
    get(r, "/status", ctx -> status());

    command(r, "reset", "ResetCommand", (ctx, body) -> v -> CommandTranslator.reset(v, body));
    command(r, "unlock", "UnlockCommand", (ctx, body) -> v -> CommandTranslator.unlock(v, body));
    route(r, HttpMethod.POST, "/chargepoints/:id/remote-start", "RemoteStartCommand", this::remoteStart);
    route(r, HttpMethod.POST, "/chargepoints/:id/remote-stop", "RemoteStopCommand", this::remoteStop);
    command(r, "availability", "AvailabilityCommand", (ctx, body) -> v -> CommandTranslator.availability(v, body));
    command(r, "get-configuration", "GetConfigurationCommand",
        (ctx, body) -> v -> CommandTranslator.getConfiguration(v, body, CommandService.newRemoteStartId()));
    command(r, "change-configuration", "ChangeConfigurationCommand",
        (ctx, body) -> v -> CommandTranslator.setConfiguration(v, body));
    command(r, "trigger", "TriggerCommand", (ctx, body) -> v -> CommandTranslator.trigger(v, body));
    command(r, "clear-cache", null, (ctx, body) -> v -> CommandTranslator.clearCache());
    command(r, "data-transfer", "DataTransferCommand", (ctx, body) -> v -> CommandTranslator.dataTransfer(body));
    command(r, "charging-limit", "ChargingLimitCommand", (ctx, body) -> v -> CommandTranslator.chargingLimit(v, body));
    route(r, HttpMethod.DELETE, "/chargepoints/:id/charging-limit", null, ctx -> {
      int connectorId = intQuery(ctx, "connectorId", 0);
      return runCommand(ctx, v -> CommandTranslator.clearChargingLimit(v, connectorId));
    });
    get(r, "/chargepoints/:id/composite-schedule", ctx -> {
      int connectorId = intQuery(ctx, "connectorId", 0);
      int duration = intQuery(ctx, "duration", 86400);
      String unit = ctx.queryParams().get("unit");
      if (unit != null && !unit.equals("A") && !unit.equals("W")) {
        throw new CommandException(400, "unit must be A or W");
      }
      if (duration < 1) {
        throw new CommandException(400, "duration must be at least 1 second");
      }
      return runCommand(ctx, v -> CommandTranslator.compositeSchedule(v, connectorId, duration, unit));
    });
    route(r, HttpMethod.POST, "/chargepoints/:id/ocpp/:action", "RawPayload", this::raw);
    get(r, "/commands/:commandId", ctx -> commandOutcomes().compose(m -> m.get(ctx.pathParam("commandId")))
        .map(state -> orNotFound(state, "unknown or expired command")));
    r.route().last().handler(ctx -> fail(ctx, new CommandException(404, "no such API route")));
    return r;
  }

  /** Method and path template (OpenAPI style, {param}) of every route mounted. */
  public List<String> routes() {
    return List.copyOf(routes);
  }

  // ------------------------------------------------------------------ plumbing

  /** What a handler produced: a JSON body with a status, or no content. */
  private record Reply(int status, Object body) {
    static final Reply NO_CONTENT = new Reply(204, null);
  }

  private void get(Router r, String path, Function<RoutingContext, Future<?>> handler) {
    route(r, HttpMethod.GET, path, null, handler);
  }

  /** Mounts a route whose body (if {@code schema} is given) is validated first; the handler's result becomes the response. */
  private void route(Router r, HttpMethod method, String path, String schema, Function<RoutingContext, Future<?>> handler) {
    routes.add(method.name() + " " + path.replaceAll(":(\\w+)", "{$1}"));
    Route route = r.route(method, path);
    route.handler(ctx -> {
      // fail closed: only the admin role may change anything (an unknown role reads at most)
      if (method != HttpMethod.GET && !"admin".equals(ctx.<String>get("apiRole"))) {
        fail(ctx, new CommandException(403, "this API key is read-only"));
        return;
      }
      if (ctx.pathParam("id") != null && !IDENTITY.matcher(ctx.pathParam("id")).matches()) {
        fail(ctx, new CommandException(400, "invalid charge point id"));
        return;
      }
      if (ctx.pathParam("tagId") != null && ctx.pathParam("tagId").length() > 255) {
        fail(ctx, new CommandException(400, "tagId must be at most 255 characters"));
        return;
      }
      try {
        if (schema != null) {
          JsonObject body = jsonBody(ctx);
          String violation = schemas.violation(schema, body);
          if (violation != null) {
            throw new CommandException(400, "invalid body: " + violation);
          }
          ctx.put("body", body);
        }
        handler.apply(ctx).onComplete(ar -> {
          if (ar.succeeded()) {
            respond(ctx, ar.result());
          } else {
            fail(ctx, ar.cause());
          }
        });
      } catch (RuntimeException e) {
        fail(ctx, e);
      }
    });
  }

  private static JsonObject jsonBody(RoutingContext ctx) {
    String text = ctx.body().asString();
    if (text == null || text.isBlank()) {
      return new JsonObject();
    }
    try {
      Object parsed = io.vertx.core.json.Json.decodeValue(text);
      if (!(parsed instanceof JsonObject o)) {
        throw new CommandException(400, "the body must be a JSON object");
      }
      return o;
    } catch (DecodeException e) {
      throw new CommandException(400, "the body is not valid JSON: " + e.getMessage());
    }
  }

  private static void respond(RoutingContext ctx, Object result) {
    if (result instanceof Reply reply) {
      if (reply.body == null) {
        ctx.response().setStatusCode(reply.status).end();
      } else {
        ctx.response().setStatusCode(reply.status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(reply.body instanceof JsonObject o ? o.encode() : ((JsonArray) reply.body).encode());
      }
    } else if (result instanceof JsonArray a) {
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(a.encode());
    } else {
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(((JsonObject) result).encode());
    }
  }

  private static void fail(RoutingContext ctx, Throwable err) {
    if (ctx.response().ended()) {
      return;
    }
    int status;
    JsonObject body;
    if (err instanceof CommandException ce) {
      status = ce.status();
      body = ce.body();
    } else {
      LOG.error("API {} {} failed", ctx.request().method(), ctx.request().path(), err);
      status = 500;
      body = new JsonObject().put("error", "internal error");
    }
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
  }

  private void authenticate(RoutingContext ctx) {
    keys.lookup(ctx.request().getHeader("X-API-Key")).onComplete(ar -> {
      if (ar.failed()) {
        fail(ctx, ar.cause());
      } else if (ar.result() == null) {
        ctx.response().putHeader("WWW-Authenticate", "ApiKey header=\"X-API-Key\"");
        fail(ctx, new CommandException(401, "a valid X-API-Key header is required"));
      } else if (!rateLimit.tryTake(ar.result().getString("name"), System.nanoTime())) {
        ctx.response().putHeader("Retry-After", "1");
        fail(ctx, new CommandException(429, "this key sent more than " + rateLimit.perSecond()
            + " requests per second (api.requestsPerSecondPerKey); retry after a second"));
      } else {
        ctx.put("apiKey", ar.result().getString("name"));
        ctx.put("apiRole", ar.result().getString("role"));
        ctx.next();
      }
    });
  }

  private static JsonObject orNotFound(JsonObject value, String message) {
    if (value == null) {
      throw new CommandException(404, message);
    }
    return value;
  }

  private Future<JsonObject> chargePointOr404(RoutingContext ctx) {
    return admin.chargePoint(ctx.pathParam("id")).map(cp -> orNotFound(cp, "unknown charge point"));
  }

  private static long longParam(RoutingContext ctx, String name) {
    try {
      return Long.parseLong(ctx.pathParam(name));
    } catch (NumberFormatException e) {
      throw new CommandException(400, name + " must be an integer");
    }
  }

  private static int intQuery(RoutingContext ctx, String name, int fallback) {
    String v = ctx.queryParams().get(name);
    if (v == null) {
      return fallback;
    }
    int i = Numbers.nonNegativeInt(v);
    if (i < 0) {
      throw new CommandException(400, name + " must be a non-negative integer");
    }
    return i;
  }

  private static String actor(RoutingContext ctx) {
    return "api-key:" + ctx.get("apiKey");
  }

  // ------------------------------------------------------------------ charge points, connectors, tags

  private Future<?> putChargePoint(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    JsonObject body = ctx.get("body");
    return admin.chargePoint(id).compose(existing -> {
      Future<String> hash;
      if (!body.containsKey("password")) {
        // write-only: omitted keeps the stored hash
        hash = existing == null ? Future.succeededFuture(null) : store.passwordHash(id);
      } else if (body.getString("password") == null) {
        hash = Future.succeededFuture(null);
      } else {
        String password = body.getString("password");
        int iterations = config.integer("security.pbkdf2Iterations");
        hash = vertx.executeBlocking(() -> PasswordHash.hash(password, iterations), false);
      }
      String status = body.getString("registrationStatus",
          existing == null ? "Accepted" : existing.getString("registrationStatus"));
      // a connected charger's session keeps the status it was admitted with: when the status changes,
      // close it so that the charger reconnects (and boots) under the new one — an approval or a
      // lockout takes effect now, not at the next reconnection
      boolean statusChanged = existing != null && !status.equals(existing.getString("registrationStatus"));
      return hash.compose(h -> store.upsertChargePoint(id, body.getString("name", id), h,
              body.getString("clientCertThumbprint"), status, body.getBoolean("cutTagAtUnderscore", false),
              body.getString("comment")))
          .compose(v -> statusChanged ? disconnect(id, true) : Future.<Void>succeededFuture())
          .compose(v -> admin.chargePoint(id))
          .map(cp -> new Reply(existing == null ? 201 : 200, cp));
    });
  }

  private Future<?> deleteChargePoint(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    return admin.chargePoint(id).compose(cp -> {
      if (cp == null) {
        throw new CommandException(404, "unknown charge point");
      }
      return admin.hasTransactions(id);
    }).compose(hasTx -> {
      if (hasTx) {
        throw new CommandException(409, BILLING_RECORDS);
      }
      return admin.deleteChargePoint(id);
    }).recover(err -> {
      // records written between the check and the delete: the foreign keys refuse it
      // SQLite "FOREIGN KEY constraint failed", PostgreSQL "violates foreign key constraint", SQL Server "REFERENCE constraint"
      String m = String.valueOf(err.getMessage()).toLowerCase(java.util.Locale.ROOT);
      return Future.failedFuture(m.contains("foreign key") || m.contains("reference constraint")
          ? new CommandException(409, BILLING_RECORDS) : err);
    }).compose(deleted -> disconnect(id, false)) // a deleted charge point must not stay connected
        .map(v -> Reply.NO_CONTENT);
  }

  /**
   * Closes the charger's connection, on whatever node it is, and completes once it is closed (or
   * when none was open). The session is asked with the takeover control, after which it leaves the
   * online state to its successor: {@code record} writes the disconnection itself.
   */
  private Future<Void> disconnect(String id, boolean record) {
    return vertx.eventBus().request(Addresses.station(id), new JsonObject(), new io.vertx.core.eventbus.DeliveryOptions()
            .addHeader(Addresses.HEADER_CONTROL, Addresses.CONTROL_TAKEOVER).setSendTimeout(5000))
        .compose(reply -> record ? store.connectionChanged(id, null, false) : Future.<Void>succeededFuture())
        .recover(err -> {
          if (!(err instanceof io.vertx.core.eventbus.ReplyException re
              && re.failureType() == io.vertx.core.eventbus.ReplyFailure.NO_HANDLERS)) {
            LOG.warn("[{}] could not close the charger's connection: {}", id, err.toString());
          }
          return Future.succeededFuture();
        });
  }

  private static final String BILLING_RECORDS = "the charge point has transactions or meter values, which are kept "
      + "as billing records; set registrationStatus Rejected to lock it out instead";

  private Future<?> putConnector(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    int connectorId;
    try {
      connectorId = Integer.parseInt(ctx.pathParam("connectorId"));
    } catch (NumberFormatException e) {
      throw new CommandException(400, "connectorId must be an integer");
    }
    JsonObject body = ctx.get("body");
    return admin.connectors(id).compose(list -> {
      if (list.stream().noneMatch(c -> c.getInteger("connectorId") == connectorId)) {
        throw new CommandException(404, "unknown connector");
      }
      return admin.renameConnector(id, connectorId, body.getString("name"));
    }).compose(v -> admin.connectors(id))
        .map(list -> list.stream().filter(c -> c.getInteger("connectorId") == connectorId).findFirst().orElseThrow());
  }

  private Future<?> putTag(RoutingContext ctx) {
    String tagId = ctx.pathParam("tagId");
    JsonObject body = ctx.get("body");
    Instant expiry = body.getString("expiryDate") == null ? null : Times.parse(body.getString("expiryDate"));
    return admin.tag(tagId).compose(existing -> store.upsertTag(new TagRecord(
            existing == null ? tagId : existing.getString("tagId"), body.getString("name"),
            body.getString("parentTagId"), expiry, body.getBoolean("blocked", false)))
        .compose(v -> admin.tag(tagId))
        .map(t -> new Reply(existing == null ? 201 : 200, t)));
  }

  // ------------------------------------------------------------------ transactions and status

  private void transactions(RoutingContext ctx) {
    try {
      String cp = ctx.queryParams().get("chargePointId");
      Integer connector = ctx.queryParams().contains("connectorId") ? intQuery(ctx, "connectorId", 0) : null;
      String from = timeQuery(ctx, "from");
      String to = timeQuery(ctx, "to");
      int limit = Math.min(intQuery(ctx, "limit", 10_000), 100_000);
      if (limit < 1) {
        throw new CommandException(400, "limit must be at least 1");
      }
      boolean csv = String.valueOf(ctx.request().getHeader(HttpHeaders.ACCEPT)).contains("text/csv");
      admin.transactions(cp, connector, from, to, limit).onComplete(ar -> {
        if (ar.failed()) {
          fail(ctx, ar.cause());
        } else if (csv) {
          ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/csv; charset=utf-8")
              .putHeader("Content-Disposition", "attachment; filename=\"transactions.csv\"")
              .end(TransactionCsv.render(ar.result()));
        } else {
          respond(ctx, new JsonArray(ar.result()));
        }
      });
    } catch (RuntimeException e) {
      fail(ctx, e);
    }
  }

  private static String timeQuery(RoutingContext ctx, String name) {
    String v = ctx.queryParams().get(name);
    if (v == null) {
      return null;
    }
    Instant t = Times.parse(v);
    if (t == null) {
      throw new CommandException(400, name + " must be an ISO-8601 date-time");
    }
    return Times.format(t);
  }

  private Future<JsonObject> status() {
    return admin.chargePoints().compose(cps -> {
      List<Future<JsonObject>> each = new ArrayList<>();
      for (JsonObject cp : cps) {
        each.add(admin.connectors(cp.getString("id")).map(conns -> new JsonObject().put("id", cp.getString("id"))
            .put("name", cp.getString("name")).put("online", cp.getBoolean("online"))
            .put("protocol", cp.getString("protocol")).put("lastSeen", cp.getString("lastSeen"))
            .put("connectors", new JsonArray(conns))));
      }
      return Future.all(each).map(all -> new JsonObject().put("chargePoints", new JsonArray(all.list())));
    });
  }

  // ------------------------------------------------------------------ commands

  private interface CommandBuilder {
    Function<OcppVersion, OcppCall> build(RoutingContext ctx, JsonObject body);
  }

  private void command(Router r, String name, String schema, CommandBuilder builder) {
    route(r, HttpMethod.POST, "/chargepoints/:id/" + name, schema, ctx -> {
      JsonObject body = schema == null ? new JsonObject() : ctx.get("body");
      return runCommand(ctx, builder.build(ctx, body));
    });
  }

  /** Runs a command synchronously, or with ?async=true answers 202 and keeps the outcome for GET /commands/{id}. */
  private Future<?> runCommand(RoutingContext ctx, Function<OcppVersion, OcppCall> build) {
    int timeout = timeout(ctx); // validated before an asynchronous command is registered
    return runCommand(ctx, () -> commands.execute(ctx.pathParam("id"), build, timeout, actor(ctx))
        .map(CommandService.Result::toJson));
  }

  private Future<?> runCommand(RoutingContext ctx, java.util.function.Supplier<Future<JsonObject>> work) {
    if (!"true".equals(ctx.queryParams().get("async"))) {
      return work.get();
    }
    String commandId = UUID.randomUUID().toString();
    JsonObject state = new JsonObject().put("commandId", commandId).put("state", "pending");
    // stored before the 202, so that the id is known to every node the moment the caller has it
    return commandOutcomes().compose(m -> m.put(commandId, state, COMMAND_RETENTION_MS).map(v -> {
      work.get().onComplete(ar -> {
        JsonObject outcome;
        if (ar.succeeded()) {
          outcome = state.copy().put("state", "done").put("httpStatus", 200).put("result", ar.result());
        } else {
          CommandException ce = ar.cause() instanceof CommandException c ? c : new CommandException(500, "internal error");
          outcome = state.copy().put("state", "failed").put("httpStatus", ce.status()).put("result", ce.body());
        }
        m.put(commandId, outcome, COMMAND_RETENTION_MS)
            .onFailure(e -> LOG.warn("could not keep the outcome of command {}: {}", commandId, e.toString()));
      });
      return new Reply(202, state.copy());
    }));
  }

  private Future<io.vertx.core.shareddata.AsyncMap<String, JsonObject>> commandOutcomes() {
    return vertx.sharedData().getAsyncMap(COMMAND_OUTCOMES);
  }

  private int timeout(RoutingContext ctx) {
    int t = intQuery(ctx, "timeout", DEFAULT_TIMEOUT);
    if (t < 1 || t > MAX_TIMEOUT) {
      throw new CommandException(400, "timeout must be 1.." + MAX_TIMEOUT + " seconds");
    }
    return t;
  }

  private Future<?> remoteStart(RoutingContext ctx) {
    JsonObject body = ctx.get("body");
    String cpId = ctx.pathParam("id");
    int remoteStartId = CommandService.newRemoteStartId();
    int timeout = timeout(ctx);
    return runCommand(ctx, () -> {
      Future<Void> preAuthorized = !body.getBoolean("preAuthorize", true) ? Future.succeededFuture()
          : store.authorize(body.getString("idTag")).compose(auth -> auth.status() == Authorization.Status.Accepted
              ? Future.succeededFuture()
              : Future.failedFuture(new CommandException(409, new JsonObject()
                  .put("error", "the tag is not authorized: " + auth.status()).put("status", "Rejected")
                  .put("tagStatus", auth.status().name()))));
      return preAuthorized.compose(v -> commands.execute(cpId, ver -> CommandTranslator.remoteStart(ver, body,
              remoteStartId), timeout, actor(ctx)))
          .map(res -> res.toJson().put("remoteStartId", remoteStartId));
    });
  }

  private Future<?> remoteStop(RoutingContext ctx) {
    JsonObject body = ctx.get("body");
    String cpId = ctx.pathParam("id");
    int timeout = timeout(ctx);
    return runCommand(ctx, () -> {
      Future<JsonObject> tx;
      if (body.getLong("transactionId") != null) {
        tx = admin.transaction(body.getLong("transactionId")).map(t -> {
          if (t == null || !cpId.equals(t.getString("chargePointId"))) {
            throw new CommandException(404, "unknown transaction for this charge point");
          }
          if (t.getString("stopTime") != null) {
            throw new CommandException(409, "the transaction is already stopped");
          }
          return t;
        });
      } else {
        int connectorId = body.getInteger("connectorId");
        tx = admin.openTransaction(cpId, connectorId).map(t -> {
          if (t == null) {
            throw new CommandException(409, "no open transaction on connector " + connectorId);
          }
          return t;
        });
      }
      return tx.compose(t -> commands.execute(cpId, v -> {
        if (v.is2x() && t.getString("uid") == null) {
          throw new CommandException(409, "the transaction was not reported over OCPP 2.x");
        }
        return CommandTranslator.remoteStop(v, t.getLong("transactionId"), t.getString("uid"));
      }, timeout, actor(ctx))).map(CommandService.Result::toJson);
    });
  }

  private Future<?> raw(RoutingContext ctx) {
    String action = ctx.pathParam("action");
    JsonObject payload = ctx.get("body");
    String cpId = ctx.pathParam("id");
    int timeout = timeout(ctx);
    return runCommand(ctx, () -> commands.execute(cpId, v -> new OcppCall(action, payload), timeout, actor(ctx))
        .map(CommandService.Result::response));
  }
}
