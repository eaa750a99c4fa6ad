package org.ocppcore.web;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.ocppcore.commands.CommandException;
import org.ocppcore.commands.CommandService;
import org.ocppcore.commands.CommandTranslator;
import org.ocppcore.commands.OcppCall;
import org.ocppcore.domain.Authorization;
import org.ocppcore.domain.Times;
import org.ocppcore.ocpp.OcppVersion;
import org.ocppcore.web.WebUi.Role;

/**
 * Every operator command of the command service, for administrators: one form each on the charge
 * point page (and the Unlock/Start/Stop buttons of the connectors page), answered with the
 * charger's reply in a message on the next page. Plus the charger's configuration: read
 * (GetConfiguration, or GetBaseReport whose NotifyReport fills the stored device model on 2.x)
 * and changed (ChangeConfiguration / SetVariables).
 */
final class CommandPages {
  static final List<String> COMMANDS = List.of("reset", "unlock", "remote-start", "remote-stop", "availability",
      "trigger", "clear-cache", "data-transfer", "charging-limit", "clear-charging-limit", "composite-schedule", "raw");
  private static final List<String> TRIGGERS_16 = List.of("BootNotification", "DiagnosticsStatusNotification",
      "FirmwareStatusNotification", "Heartbeat", "MeterValues", "StatusNotification");
  private static final List<String> TRIGGERS_2X = List.of("BootNotification", "FirmwareStatusNotification", "Heartbeat",
      "LogStatusNotification", "MeterValues", "PublishFirmwareStatusNotification", "SignChargingStationCertificate",
      "SignCombinedCertificate", "SignV2GCertificate", "StatusNotification", "TransactionEvent");
  private static final int CONFIG_CACHE = 500;

  private final WebUi ui;
  /** The last configuration read from each 1.6 charger (node-local, bounded). */
  private final Map<String, JsonObject> configurations = Collections.synchronizedMap(
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JsonObject> eldest) {
          return size() > CONFIG_CACHE;
        }
      });

  CommandPages(WebUi ui) {
    this.ui = ui;
  }

  void register(Router r) {
    ui.route(r, HttpMethod.POST, "/chargepoints/:id/commands/:command", Role.ADMIN, this::command);
    ui.route(r, HttpMethod.GET, "/chargepoints/:id/configuration", Role.ADMIN, this::configuration);
    ui.route(r, HttpMethod.POST, "/chargepoints/:id/configuration/read", Role.ADMIN, this::readConfiguration);
    ui.route(r, HttpMethod.POST, "/chargepoints/:id/configuration", Role.ADMIN, this::changeConfiguration);
  }

  static List<String> triggerMessages(String protocol) {
    return protocol == null || "ocpp1.6".equals(protocol) ? TRIGGERS_16 : TRIGGERS_2X;
  }

  private static boolean is16(String protocol) {
    return protocol == null || "ocpp1.6".equals(protocol);
  }

  // ---------------------------------------------------------------- commands

  private Future<?> command(Req r) {
    String name = r.param("command");
    if (!COMMANDS.contains(name)) {
      return Future.failedFuture(new UiException(404, "error.notFound"));
    }
    return ChargePointPages.existing(ui, r).compose(cp -> {
      String id = cp.getString("id");
      String back = r.form("returnTo") == null ? "/chargepoints/" + id : r.form("returnTo");
      Future<CommandService.Result> run;
      try {
        run = run(r, id, name);
      } catch (RuntimeException e) {
        run = Future.failedFuture(e);
      }
      return run.transform(ar -> {
        report(r, ar.succeeded() ? ar.result() : null, ar.cause());
        return r.redirect(back);
      });
    });
  }

  /** The charger's answer (or why there is none) as a message on the next page. */
  private static void report(Req r, CommandService.Result result, Throwable err) {
    if (result != null) {
      String status = result.response().getValue("status") instanceof String s ? s : r.t("command.answered");
      r.flash("ok", r.t("command.result", result.action(), status),
          new JsonObject().put("request", result.request()).put("response", result.response()).encodePrettily());
    } else {
      String detail = err instanceof CommandException ce ? ce.body().encodePrettily() : null;
      r.flash("error", r.errorText(err), detail);
    }
  }

  private Future<CommandService.Result> run(Req r, String id, String name) {
    return switch (name) {
      case "reset" -> {
        String type = "hard".equals(r.form("type")) ? "hard" : "soft";
        yield execute(r, id, v -> CommandTranslator.reset(v, new JsonObject().put("type", type)));
      }
      case "unlock" -> {
        int connector = required(r.intField("connectorId", null), "connectorId");
        yield execute(r, id, v -> CommandTranslator.unlock(v, new JsonObject().put("connectorId", connector)));
      }
      case "remote-start" -> remoteStart(r, id);
      case "remote-stop" -> remoteStop(r, id);
      case "availability" -> {
        int connector = r.intField("connectorId", 0);
        boolean available = !"inoperative".equals(r.form("type"));
        yield execute(r, id, v -> CommandTranslator.availability(v, new JsonObject().put("connectorId", connector)
            .put("available", available)));
      }
      case "trigger" -> {
        String message = required(r.form("message"), "message");
        Integer connector = r.intField("connectorId", null);
        JsonObject body = new JsonObject().put("message", message);
        if (connector != null) {
          body.put("connectorId", connector);
        }
        yield execute(r, id, v -> CommandTranslator.trigger(v, body));
      }
      case "clear-cache" -> execute(r, id, v -> CommandTranslator.clearCache());
      case "data-transfer" -> {
        JsonObject body = new JsonObject().put("vendorId", required(r.form("vendorId"), "vendorId"))
            .put("messageId", r.form("messageId")).put("data", r.form("data"));
        yield execute(r, id, v -> CommandTranslator.dataTransfer(body));
      }
      case "charging-limit" -> {
        int connector = r.intField("connectorId", 0);
        double limit = decimal(required(r.form("limit"), "limit"), "limit");
        String unit = "W".equals(r.form("unit")) ? "W" : "A";
        yield execute(r, id, v -> CommandTranslator.chargingLimit(v, new JsonObject().put("connectorId", connector)
            .put("limit", limit).put("unit", unit)));
      }
      case "clear-charging-limit" -> {
        int connector = r.intField("connectorId", 0);
        yield execute(r, id, v -> CommandTranslator.clearChargingLimit(v, connector));
      }
      case "composite-schedule" -> {
        int connector = r.intField("connectorId", 0);
        int duration = r.intField("duration", 86400);
        String unit = r.form("unit");
        yield execute(r, id, v -> CommandTranslator.compositeSchedule(v, connector, Math.max(1, duration),
            "A".equals(unit) || "W".equals(unit) ? unit : null));
      }
      case "raw" -> {
        String action = required(r.form("action"), "action");
        JsonObject payload;
        try {
          payload = new JsonObject(r.form("payload") == null ? "{}" : r.form("payload"));
        } catch (DecodeException | ClassCastException e) {
          throw new UiException(400, "command.error.json");
        }
        yield ui.commands().send(id, new OcppCall(action, payload), ui.commandTimeoutSeconds(), r.actor());
      }
      default -> throw new UiException(404, "error.notFound");
    };
  }

  private Future<CommandService.Result> execute(Req r, String id, Function<OcppVersion, OcppCall> build) {
    return ui.commands().execute(id, build, ui.commandTimeoutSeconds(), r.actor());
  }

  /** Remote start with the chosen tag, which must be valid here first (OCPP.Core's local pre-check). */
  private Future<CommandService.Result> remoteStart(Req r, String id) {
    String tag = required(r.form("idTag"), "idTag");
    Integer connector = r.intField("connectorId", null);
    int remoteStartId = CommandService.newRemoteStartId();
    return ui.store().authorize(tag).compose(auth -> {
      if (auth.status() != Authorization.Status.Accepted) {
        return Future.failedFuture(new UiException(409, "command.error.tagNotAuthorized", tag, auth.status().name()));
      }
      JsonObject body = new JsonObject().put("idTag", auth.tag().tagId());
      if (connector != null) {
        body.put("connectorId", connector);
      }
      return execute(r, id, v -> CommandTranslator.remoteStart(v, body, remoteStartId));
    });
  }

  /** Remote stop of the connector's open transaction (or of the transaction given). */
  private Future<CommandService.Result> remoteStop(Req r, String id) {
    Long txId = r.form("transactionId") == null ? null : (long) required(r.intField("transactionId", null), "transactionId");
    Future<JsonObject> tx;
    if (txId != null) {
      tx = ui.admin().transaction(txId).map(t -> {
        if (t == null || !id.equals(t.getString("chargePointId")) || t.getString("stopTime") != null) {
          throw new UiException(409, "command.error.noOpenTransaction", String.valueOf(txId));
        }
        return t;
      });
    } else {
      int connector = required(r.intField("connectorId", null), "connectorId");
      tx = ui.admin().openTransaction(id, connector).map(t -> {
        if (t == null) {
          throw new UiException(409, "command.error.noOpenTransaction", String.valueOf(connector));
        }
        return t;
      });
    }
    return tx.compose(t -> execute(r, id, v -> {
      if (v.is2x() && t.getString("uid") == null) {
        throw new CommandException(409, "the transaction was not reported over OCPP 2.x");
      }
      return CommandTranslator.remoteStop(v, t.getLong("transactionId"), t.getString("uid"));
    }));
  }

  private static <T> T required(T value, String field) {
    if (value == null) {
      throw new UiException(400, "error.required", field);
    }
    return value;
  }

  private static double decimal(String s, String field) {
    try {
      double d = Double.parseDouble(s.replace(',', '.'));
      if (d < 0 || Double.isNaN(d) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new UiException(400, "error.notANumber", field);
    }
  }

  // ---------------------------------------------------------------- configuration

  private Future<?> configuration(Req r) {
    return ChargePointPages.existing(ui, r).compose(cp -> {
      String id = cp.getString("id");
      Future<List<JsonObject>> model = is16(cp.getString("protocol")) ? Future.succeededFuture(List.of())
          : ui.ocpp2().deviceModel(id);
      return model.compose(variables -> {
        Map<String, Object> m = r.model();
        m.put("active", "chargepoints");
        m.put("cp", cp);
        m.put("name", ChargePointPages.displayName(cp));
        m.put("v16", is16(cp.getString("protocol")));
        JsonObject read = configurations.get(id);
        List<JsonObject> keys = new ArrayList<>();
        if (read != null) {
          JsonArray list = read.getJsonArray("configurationKey", new JsonArray());
          for (int i = 0; i < list.size(); i++) {
            keys.add(list.getJsonObject(i));
          }
          m.put("readAt", read.getString("readAt"));
          m.put("unknownKeys", read.getJsonArray("unknownKey", new JsonArray()));
        }
        m.put("keys", keys);
        m.put("variables", variables);
        return r.render("configuration", m);
      });
    });
  }

  private Future<?> readConfiguration(Req r) {
    return ChargePointPages.existing(ui, r).compose(cp -> {
      String id = cp.getString("id");
      int requestId = CommandService.newRemoteStartId();
      return execute(r, id, v -> CommandTranslator.getConfiguration(v, new JsonObject(), requestId)).transform(ar -> {
        if (ar.succeeded() && "GetConfiguration".equals(ar.result().action())) {
          configurations.put(id, ar.result().response().copy().put("readAt", Times.now()));
          r.flash("ok", r.t("configuration.read", ar.result().response().getJsonArray("configurationKey",
              new JsonArray()).size()), null);
        } else if (ar.succeeded()) {
          // 2.x: GetBaseReport is accepted now; NotifyReport messages fill the device model shortly
          r.flash("ok", r.t("configuration.reportRequested"), ar.result().toJson().encodePrettily());
        } else {
          report(r, null, ar.cause());
        }
        return r.redirect("/chargepoints/" + id + "/configuration");
      });
    });
  }

  private Future<?> changeConfiguration(Req r) {
    return ChargePointPages.existing(ui, r).compose(cp -> {
      String id = cp.getString("id");
      String value = r.ctx().request().getFormAttribute("value") == null ? "" : r.ctx().request().getFormAttribute("value");
      JsonObject body;
      if (r.form("component") != null) {
        JsonObject var = new JsonObject().put("component", r.form("component")).put("variable",
            required(r.form("variable"), "variable")).put("value", value);
        for (String f : List.of("componentInstance", "variableInstance", "attributeType")) {
          if (r.form(f) != null) {
            var.put(f, r.form(f));
          }
        }
        for (String f : List.of("evseId", "connectorId")) {
          Integer n = r.intField(f, null);
          if (n != null && n > 0) {
            var.put(f, n);
          }
        }
        body = new JsonObject().put("variables", new JsonArray().add(var));
      } else {
        body = new JsonObject().put("key", required(r.form("key"), "key")).put("value", value);
      }
      return execute(r, id, v -> CommandTranslator.setConfiguration(v, body)).transform(ar -> {
        report(r, ar.succeeded() ? ar.result() : null, ar.cause());
        if (ar.succeeded() && body.getString("key") != null) {
          remember(id, body.getString("key"), value, ar.result().response().getString("status"));
        }
        return r.redirect("/chargepoints/" + id + "/configuration");
      });
    });
  }

  /** Keeps the cached 1.6 configuration in step with an accepted change. */
  private void remember(String id, String key, String value, String status) {
    JsonObject read = configurations.get(id);
    if (read == null || !("Accepted".equals(status) || "RebootRequired".equals(status))) {
      return;
    }
    JsonArray list = read.getJsonArray("configurationKey", new JsonArray());
    for (int i = 0; i < list.size(); i++) {
      if (key.equals(list.getJsonObject(i).getString("key"))) {
        list.getJsonObject(i).put("value", value);
      }
    }
  }
}
