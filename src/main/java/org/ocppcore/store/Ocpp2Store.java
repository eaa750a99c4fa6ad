package org.ocppcore.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ocppcore.domain.Times;

/**
 * The OCPP 2.0.1 / 2.1 part of the store: per-connector EVSE status, the device model
 * (DeviceVariable) and batches of charger events. Writes are {@link WriteOp}s run by the group-commit
 * writer through {@link Store#write}, so every future completes only after the commit.
 *
 * <p>Only portable SQL is used (no dialect-specific upsert): an upsert is UPDATE-then-INSERT for
 * single rows and DELETE-then-INSERT for batches, both inside the writer's transaction.
 */
public final class Ocpp2Store {
  /** Longest ChargerEvent.Detail stored as sent; longer payloads are replaced by a summary. */
  public static final int MAX_DETAIL = 65_536;

  private static final String[] DEVICE_VARIABLE_COLUMNS = {"ChargePointId", "Component", "ComponentInstance", "EvseId",
      "ConnectorId", "Variable", "VariableInstance", "AttributeType", "Value", "Mutability", "Persistent", "Constant",
      "DataType", "Unit", "MinLimit", "MaxLimit", "ValuesList", "SupportsMonitoring", "UpdatedAt"};

  private final Store store;
  private final Pool readPool;

  /** Reads go through the writer's connection (use the other constructor where a read pool is at hand). */
  public Ocpp2Store(Store store) {
    this.store = store;
    this.readPool = store.readPool();
  }

  // ---------------------------------------------------------------- status per EVSE and connector

  /** One connector's status as a 2.x charger reports it (StatusNotification or NotifyEvent AvailabilityState). */
  public record ConnectorReport(int evseId, int connectorId, String status, String statusTime) {}

  /** The EVSE-level status after a report: the 2.x status and OCPP.Core's four-state summary. */
  public record EvseStatus(int evseId, String ocppStatus, String summaryStatus) {}

  /**
   * Stores a connector status: upserts EvseConnectorStatus, adds a StatusHistory row (EvseId and the
   * connector id within the EVSE), and recomputes the EVSE-level ConnectorStatus row (ConnectorId =
   * EVSE id, as OCPP.Core keys 2.x chargers) from all connectors of the EVSE.
   */
  public Future<EvseStatus> connectorStatus(String cpId, ConnectorReport report) {
    return store.write(c -> connectorStatus(c, cpId, report));
  }

  private Future<EvseStatus> connectorStatus(SqlConnection c, String cpId, ConnectorReport r) {
    String now = Times.now();
    return c.preparedQuery("UPDATE EvseConnectorStatus SET Status = ?, StatusTime = ? "
            + "WHERE ChargePointId = ? AND EvseId = ? AND ConnectorId = ?")
        .execute(Tuple.of(r.status(), r.statusTime(), cpId, r.evseId(), r.connectorId()))
        .compose(u -> u.rowCount() > 0 ? Future.<Void>succeededFuture()
            : c.preparedQuery("INSERT INTO EvseConnectorStatus (ChargePointId, EvseId, ConnectorId, Status, StatusTime) "
                + "VALUES (?, ?, ?, ?, ?)").execute(Tuple.of(cpId, r.evseId(), r.connectorId(), r.status(), r.statusTime()))
                .mapEmpty())
        .compose(v -> c.preparedQuery("INSERT INTO StatusHistory (ChargePointId, EvseId, ConnectorId, Status, StatusTime, "
                + "ReceivedTime) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(Tuple.of(cpId, r.evseId(), r.connectorId(), r.status(), r.statusTime(), now)))
        .compose(v -> c.preparedQuery("SELECT Status FROM EvseConnectorStatus WHERE ChargePointId = ? AND EvseId = ?")
            .execute(Tuple.of(cpId, r.evseId())))
        .compose(rows -> {
          List<String> statuses = new ArrayList<>();
          for (Row row : rows) {
            statuses.add(row.getString(0));
          }
          String ocpp = evseStatus(statuses);
          EvseStatus result = new EvseStatus(r.evseId(), ocpp, summaryStatus(ocpp));
          return ensureConnector(c, cpId, r.evseId())
              .compose(x -> c.preparedQuery("UPDATE ConnectorStatus SET LastStatus = ?, LastStatusTime = ?, OcppStatus = ?, "
                      + "ErrorCode = NULL, Info = NULL, VendorId = NULL, VendorErrorCode = NULL "
                      + "WHERE ChargePointId = ? AND ConnectorId = ?")
                  .execute(Tuple.of(result.summaryStatus(), r.statusTime(), result.ocppStatus(), cpId, r.evseId())))
              .map(x -> result);
        });
  }

  /**
   * The status of an EVSE from its connectors' 2.x statuses: Occupied if any connector is, else
   * Faulted, else Unavailable, else Reserved, else Available.
   */
  public static String evseStatus(List<String> connectorStatuses) {
    for (String s : new String[] {"Occupied", "Faulted", "Unavailable", "Reserved"}) {
      if (connectorStatuses.contains(s)) {
        return s;
      }
    }
    return "Available";
  }

  /** OCPP.Core's summary of a 2.x status (Available, Occupied, Unavailable, Faulted; Reserved counts as Occupied). */
  public static String summaryStatus(String ocppStatus) {
    return switch (ocppStatus) {
      case "Available" -> "Available";
      case "Unavailable" -> "Unavailable";
      case "Faulted" -> "Faulted";
      default -> "Occupied";
    };
  }

  private static Future<Void> ensureConnector(SqlConnection c, String cpId, int connectorId) {
    return c.preparedQuery("SELECT 1 FROM ConnectorStatus WHERE ChargePointId = ? AND ConnectorId = ?")
        .execute(Tuple.of(cpId, connectorId))
        .compose(rows -> rows.size() > 0 ? Future.succeededFuture()
            : c.preparedQuery("INSERT INTO ConnectorStatus (ChargePointId, ConnectorId) VALUES (?, ?)")
                .execute(Tuple.of(cpId, connectorId)).mapEmpty());
  }

  // ---------------------------------------------------------------- charger events

  /** One ChargerEvent row; {@code detail} is stored as JSON (summarised beyond {@link #MAX_DETAIL} characters). */
  public record Event(String action, String status, Integer requestId, JsonObject detail) {}

  /** Stores one ChargerEvent row. */
  public Future<Void> event(String cpId, Event event) {
    return events(cpId, List.of(event), List.of()).mapEmpty();
  }

  /**
   * Stores ChargerEvent rows (one batch) and, in the same commit, the connector statuses they
   * report (NotifyEvent AvailabilityState); completes with the resulting EVSE statuses in order.
   */
  public Future<List<EvseStatus>> events(String cpId, List<Event> events, List<ConnectorReport> statuses) {
    return store.write(c -> insertEvents(c, cpId, events).compose(v -> applyStatuses(c, cpId, statuses, 0,
        new ArrayList<>())));
  }

  private Future<List<EvseStatus>> applyStatuses(SqlConnection c, String cpId, List<ConnectorReport> reports, int i,
      List<EvseStatus> out) {
    if (i == reports.size()) {
      return Future.succeededFuture(out);
    }
    return connectorStatus(c, cpId, reports.get(i)).compose(s -> {
      out.add(s);
      return applyStatuses(c, cpId, reports, i + 1, out);
    });
  }

  private static Future<Void> insertEvents(SqlConnection c, String cpId, List<Event> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    String now = Times.now();
    List<Tuple> batch = new ArrayList<>(events.size());
    for (Event e : events) {
      batch.add(Tuple.of(cpId, e.action(), e.status(), e.requestId(), detailText(e.detail()), now));
    }
    return c.preparedQuery("INSERT INTO ChargerEvent (ChargePointId, Action, Status, RequestId, Detail, ReceivedTime) "
        + "VALUES (?, ?, ?, ?, ?, ?)").executeBatch(batch).mapEmpty();
  }

  /** The JSON stored in ChargerEvent.Detail: as sent, or a summary of the top-level scalars when huge. */
  public static String detailText(JsonObject detail) {
    if (detail == null) {
      return null;
    }
    String text = detail.encode();
    if (text.length() <= MAX_DETAIL) {
      return text;
    }
    JsonObject summary = new JsonObject().put("truncated", true).put("length", text.length());
    for (Map.Entry<String, Object> e : detail) {
      Object v = e.getValue();
      if (v instanceof Number || v instanceof Boolean || (v instanceof String s && s.length() <= 200)) {
        summary.put(e.getKey(), v);
      } else if (v instanceof io.vertx.core.json.JsonArray a) {
        summary.put(e.getKey() + "Count", a.size());
      }
    }
    return summary.encode();
  }

  // ---------------------------------------------------------------- device model

  /** One reported attribute of a component variable: a DeviceVariable row (defaults already filled in). */
  public record DeviceVariable(String component, String componentInstance, int evseId, int connectorId, String variable,
      String variableInstance, String attributeType, String value, String mutability, Boolean persistent,
      Boolean constant, String dataType, String unit, Double minLimit, Double maxLimit, String valuesList,
      Boolean supportsMonitoring) {

    String key() {
      return component + "\u0000" + componentInstance + "\u0000" + evseId + "\u0000" + connectorId + "\u0000" + variable
          + "\u0000" + variableInstance + "\u0000" + attributeType;
    }
  }

  /**
   * Stores one NotifyReport: upserts every DeviceVariable row (batched: delete the keys, insert the
   * rows; the last of duplicate keys in one message wins) and a ChargerEvent row for the report part.
   * Completes with the number of DeviceVariable rows written.
   */
  public Future<Integer> notifyReport(String cpId, Event reportEvent, List<DeviceVariable> variables) {
    Map<String, DeviceVariable> unique = new LinkedHashMap<>();
    for (DeviceVariable v : variables) {
      unique.put(v.key(), v);
    }
    List<DeviceVariable> rows = List.copyOf(unique.values());
    String now = Times.now();
    return store.write(c -> upsertDeviceVariables(c, cpId, rows, now)
        .compose(v -> insertEvents(c, cpId, reportEvent == null ? List.of() : List.of(reportEvent)))
        .map(v -> rows.size()));
  }

  private Future<Void> upsertDeviceVariables(SqlConnection c, String cpId, List<DeviceVariable> rows, String now) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> keys = new ArrayList<>(rows.size());
    List<Tuple> values = new ArrayList<>(rows.size());
    for (DeviceVariable v : rows) {
      keys.add(Tuple.of(cpId, v.component(), v.componentInstance(), v.evseId(), v.connectorId(), v.variable())
          .addValue(v.variableInstance()).addValue(v.attributeType()));
      values.add(Tuple.tuple().addValue(cpId).addValue(v.component()).addValue(v.componentInstance())
          .addValue(v.evseId()).addValue(v.connectorId()).addValue(v.variable()).addValue(v.variableInstance())
          .addValue(v.attributeType()).addValue(v.value()).addValue(v.mutability()).addValue(bit(v.persistent()))
          .addValue(bit(v.constant())).addValue(v.dataType()).addValue(v.unit()).addValue(v.minLimit())
          .addValue(v.maxLimit()).addValue(v.valuesList()).addValue(bit(v.supportsMonitoring())).addValue(now));
    }
    String insert = "INSERT INTO DeviceVariable (" + String.join(", ", DEVICE_VARIABLE_COLUMNS) + ") VALUES (?"
        + ", ?".repeat(DEVICE_VARIABLE_COLUMNS.length - 1) + ")";
    return c.preparedQuery("DELETE FROM DeviceVariable WHERE ChargePointId = ? AND Component = ? AND ComponentInstance = ? "
            + "AND EvseId = ? AND ConnectorId = ? AND Variable = ? AND VariableInstance = ? AND AttributeType = ?")
        .executeBatch(keys)
        .compose(d -> c.preparedQuery(insert).executeBatch(values))
        .mapEmpty();
  }

  /**
   * Records values read or set through configuration commands (1.6 Get/ChangeConfiguration, 2.x
   * Get/SetVariables): updates Value (and Mutability when known) of existing rows, keeping what a
   * NotifyReport said about them, and adds rows for variables not reported yet.
   */
  public Future<Void> recordValues(String cpId, List<DeviceVariable> values) {
    if (values.isEmpty()) {
      return Future.succeededFuture();
    }
    String now = Times.now();
    return store.write(c -> {
      Future<Void> chain = Future.succeededFuture();
      for (DeviceVariable v : values) {
        chain = chain.compose(x -> c.preparedQuery("UPDATE DeviceVariable SET Value = ?, "
                + "Mutability = COALESCE(?, Mutability), UpdatedAt = ? WHERE ChargePointId = ? AND Component = ? "
                + "AND ComponentInstance = ? AND EvseId = ? AND ConnectorId = ? AND Variable = ? AND VariableInstance = ? "
                + "AND AttributeType = ?")
            .execute(Tuple.of(v.value(), v.mutability(), now, cpId, v.component(), v.componentInstance())
                .addValue(v.evseId()).addValue(v.connectorId()).addValue(v.variable()).addValue(v.variableInstance())
                .addValue(v.attributeType()))
            .compose(r -> r.rowCount() > 0 ? Future.<Void>succeededFuture()
                : upsertDeviceVariables(c, cpId, List.of(v), now)));
      }
      return chain;
    });
  }

  private static Integer bit(Boolean b) {
    return b == null ? null : b ? 1 : 0;
  }

  /**
   * A charger's stored device model, one JSON object per DeviceVariable row (keys as the column
   * names, booleans as booleans), ordered by component, EVSE, connector, variable and attribute.
   */
  public Future<List<JsonObject>> deviceModel(String cpId) {
    String sql = "SELECT " + String.join(", ", DEVICE_VARIABLE_COLUMNS) + " FROM DeviceVariable WHERE ChargePointId = ? "
        + "ORDER BY Component, ComponentInstance, EvseId, ConnectorId, Variable, VariableInstance, AttributeType";
    return readPool.preparedQuery(sql).execute(Tuple.of(cpId)).map(Ocpp2Store::deviceVariables);
  }

  private static List<JsonObject> deviceVariables(RowSet<Row> rows) {
    List<JsonObject> out = new ArrayList<>();
    for (Row r : rows) {
      // by position: PostgreSQL folds unquoted column names to lower case
      JsonObject o = new JsonObject();
      for (int i = 0; i < DEVICE_VARIABLE_COLUMNS.length; i++) {
        String name = DEVICE_VARIABLE_COLUMNS[i];
        Object v = r.getValue(i);
        switch (name) {
          case "Persistent", "Constant", "SupportsMonitoring" -> o.put(name, v == null ? null : bool(v));
          case "EvseId", "ConnectorId" -> o.put(name, v == null ? null : ((Number) v).intValue());
          case "MinLimit", "MaxLimit" -> o.put(name, v == null ? null : ((Number) v).doubleValue());
          default -> o.put(name, v == null ? null : v.toString());
        }
      }
      out.add(o);
    }
    return out;
  }

  private static boolean bool(Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    return v instanceof Number n && n.intValue() != 0;
  }
}
