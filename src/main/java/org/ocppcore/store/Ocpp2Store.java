package org.ocppcore.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.sql.SQLException;
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
 * single rows and DELETE-then-INSERT for batches, both inside the writer's transaction (on the
 * writer's thread, so a statement costs no thread hop).
 */
public final class Ocpp2Store {
  /** Longest ChargerEvent.Detail stored as sent; longer payloads are replaced by a summary. */
  public static final int MAX_DETAIL = 65_536;

  private static final String[] DEVICE_VARIABLE_COLUMNS = {"ChargePointId", "Component", "ComponentInstance", "EvseId",
      "ConnectorId", "Variable", "VariableInstance", "AttributeType", "Value", "Mutability", "Persistent", "Constant",
      "DataType", "Unit", "MinLimit", "MaxLimit", "ValuesList", "SupportsMonitoring", "UpdatedAt"};
  private static final String INSERT_DEVICE_VARIABLE = "INSERT INTO DeviceVariable ("
      + String.join(", ", DEVICE_VARIABLE_COLUMNS) + ") VALUES (?" + ", ?".repeat(DEVICE_VARIABLE_COLUMNS.length - 1) + ")";

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

  private EvseStatus connectorStatus(WriteConnection c, String cpId, ConnectorReport r) throws SQLException {
    if (c.update("UPDATE EvseConnectorStatus SET Status = ?, StatusTime = ? WHERE ChargePointId = ? AND EvseId = ? "
        + "AND ConnectorId = ?", r.status(), r.statusTime(), cpId, r.evseId(), r.connectorId()) == 0) {
      c.update("INSERT INTO EvseConnectorStatus (ChargePointId, EvseId, ConnectorId, Status, StatusTime) "
          + "VALUES (?, ?, ?, ?, ?)", cpId, r.evseId(), r.connectorId(), r.status(), r.statusTime());
    }
    c.update("INSERT INTO StatusHistory (ChargePointId, EvseId, ConnectorId, Status, StatusTime, ReceivedTime) "
        + "VALUES (?, ?, ?, ?, ?, ?)", cpId, r.evseId(), r.connectorId(), r.status(), r.statusTime(), Times.now());
    List<String> statuses = new ArrayList<>();
    for (SqlRow row : c.query("SELECT Status FROM EvseConnectorStatus WHERE ChargePointId = ? AND EvseId = ?", cpId,
        r.evseId())) {
      statuses.add(row.getString(0));
    }
    String ocpp = evseStatus(statuses);
    EvseStatus result = new EvseStatus(r.evseId(), ocpp, summaryStatus(ocpp));
    Store.updateConnector(c, cpId, r.evseId(), "LastStatus = ?, LastStatusTime = ?, OcppStatus = ?, ErrorCode = NULL, "
        + "Info = NULL, VendorId = NULL, VendorErrorCode = NULL", result.summaryStatus(), r.statusTime(),
        result.ocppStatus());
    return result;
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
    return store.write(c -> {
      insertEvents(c, cpId, events);
      List<EvseStatus> out = new ArrayList<>(statuses.size());
      for (ConnectorReport report : statuses) {
        out.add(connectorStatus(c, cpId, report));
      }
      return out;
    });
  }

  private static void insertEvents(WriteConnection c, String cpId, List<Event> events) throws SQLException {
    String now = Times.now();
    List<Object[]> batch = new ArrayList<>(events.size());
    for (Event e : events) {
      batch.add(new Object[] {cpId, e.action(), e.status(), e.requestId(), detailText(e.detail()), now});
    }
    c.batch("INSERT INTO ChargerEvent (ChargePointId, Action, Status, RequestId, Detail, ReceivedTime) "
        + "VALUES (?, ?, ?, ?, ?, ?)", batch);
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
    return store.write(c -> {
      upsertDeviceVariables(c, cpId, rows, now);
      insertEvents(c, cpId, reportEvent == null ? List.of() : List.of(reportEvent));
      return rows.size();
    });
  }

  private static void upsertDeviceVariables(WriteConnection c, String cpId, List<DeviceVariable> rows, String now)
      throws SQLException {
    List<Object[]> keys = new ArrayList<>(rows.size());
    List<Object[]> values = new ArrayList<>(rows.size());
    for (DeviceVariable v : rows) {
      keys.add(new Object[] {cpId, v.component(), v.componentInstance(), v.evseId(), v.connectorId(), v.variable(),
          v.variableInstance(), v.attributeType()});
      values.add(new Object[] {cpId, v.component(), v.componentInstance(), v.evseId(), v.connectorId(), v.variable(),
          v.variableInstance(), v.attributeType(), v.value(), v.mutability(), bit(v.persistent()), bit(v.constant()),
          v.dataType(), v.unit(), v.minLimit(), v.maxLimit(), v.valuesList(), bit(v.supportsMonitoring()), now});
    }
    c.batch("DELETE FROM DeviceVariable WHERE ChargePointId = ? AND Component = ? AND ComponentInstance = ? "
        + "AND EvseId = ? AND ConnectorId = ? AND Variable = ? AND VariableInstance = ? AND AttributeType = ?", keys);
    c.batch(INSERT_DEVICE_VARIABLE, values);
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
      for (DeviceVariable v : values) {
        if (c.update("UPDATE DeviceVariable SET Value = ?, Mutability = COALESCE(?, Mutability), UpdatedAt = ? "
            + "WHERE ChargePointId = ? AND Component = ? AND ComponentInstance = ? AND EvseId = ? AND ConnectorId = ? "
            + "AND Variable = ? AND VariableInstance = ? AND AttributeType = ?", v.value(), v.mutability(), now, cpId,
            v.component(), v.componentInstance(), v.evseId(), v.connectorId(), v.variable(), v.variableInstance(),
            v.attributeType()) == 0) {
          upsertDeviceVariables(c, cpId, List.of(v), now);
        }
      }
      return null;
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
