package org.ocppcore.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * The reads of the management web UI that {@link AdminStore} does not offer: every connector of
 * every charge point at once (the overview), open and last transactions, a charge point's history
 * (status, security and charger events) and the message log with filters. Plain portable SQL with
 * {@code ?} placeholders; columns read by position (PostgreSQL folds unquoted names).
 */
public final class UiStore {
  private final Store store;
  private final Pool readPool;

  public UiStore(Store store) {
    this.store = store;
    this.readPool = store.readPool();
  }

  /** Every ConnectorStatus row of every charge point, ordered by charge point and connector. */
  public Future<List<JsonObject>> allConnectors() {
    return readPool.query("SELECT ChargePointId, ConnectorId, ConnectorName, LastStatus, OcppStatus, LastStatusTime, "
            + "ErrorCode, Info, LastMeter, LastMeterTime, LastPowerKw, LastSoc FROM ConnectorStatus "
            + "ORDER BY ChargePointId, ConnectorId")
        .execute()
        .map(rows -> list(rows, r -> AdminStore.connector(r, 1).put("chargePointId", r.getString(0))));
  }

  /** Every transaction without a stop time: id, uid, charge point, connector, start tag, start time and meter. */
  public Future<List<JsonObject>> openTransactions() {
    return readPool.query("SELECT TransactionId, Uid, ChargePointId, ConnectorId, StartTagId, StartTime, MeterStartWh "
            + "FROM Transactions WHERE StopTime IS NULL ORDER BY TransactionId")
        .execute()
        .map(rows -> list(rows, AdminStore::transactionStart));
  }

  /** Per connector, its most recent finished transaction: charge point, connector, id, stop time, energy (kWh). */
  public Future<List<JsonObject>> lastFinishedTransactions() {
    return readPool.query("SELECT t.ChargePointId, t.ConnectorId, t.TransactionId, t.StopTime, t.MeterStartWh, "
            + "t.MeterStopWh FROM Transactions t WHERE t.TransactionId = (SELECT MAX(x.TransactionId) FROM Transactions x "
            + "WHERE x.ChargePointId = t.ChargePointId AND x.ConnectorId = t.ConnectorId AND x.StopTime IS NOT NULL)")
        .execute()
        .map(rows -> list(rows, r -> {
          Double start = AdminStore.number(r.getValue(4));
          Double stop = AdminStore.number(r.getValue(5));
          return new JsonObject()
              .put("chargePointId", r.getString(0))
              .put("connectorId", r.getInteger(1))
              .put("transactionId", r.getLong(2))
              .put("stopTime", r.getString(3))
              .put("energyKwh", start != null && stop != null ? (stop - start) / 1000.0 : null);
        }));
  }

  /** The newest status reports of a charge point, newest first. */
  public Future<List<JsonObject>> statusHistory(String cpId, int limit) {
    return readPool.preparedQuery(store.dialect().limit("SELECT ConnectorId, EvseId, Status, ErrorCode, Info, VendorId, "
            + "VendorErrorCode, StatusTime, ReceivedTime FROM StatusHistory WHERE ChargePointId = ? "
            + "ORDER BY StatusId DESC", limit))
        .execute(Tuple.of(cpId))
        .map(rows -> list(rows, r -> new JsonObject()
            .put("connectorId", r.getInteger(0))
            .put("evseId", r.getValue(1) == null ? null : ((Number) r.getValue(1)).intValue())
            .put("status", r.getString(2))
            .put("errorCode", r.getString(3))
            .put("info", r.getString(4))
            .put("vendorId", r.getString(5))
            .put("vendorErrorCode", r.getString(6))
            .put("statusTime", r.getString(7))
            .put("receivedTime", r.getString(8))));
  }

  /** The newest security events of a charge point, newest first. */
  public Future<List<JsonObject>> securityEvents(String cpId, int limit) {
    return readPool.preparedQuery(store.dialect().limit("SELECT Type, Timestamp, TechInfo, ReceivedTime FROM SecurityEvent "
            + "WHERE ChargePointId = ? ORDER BY EventId DESC", limit))
        .execute(Tuple.of(cpId))
        .map(rows -> list(rows, r -> new JsonObject()
            .put("type", r.getString(0))
            .put("timestamp", r.getString(1))
            .put("techInfo", r.getString(2))
            .put("receivedTime", r.getString(3))));
  }

  /** The newest notifications a charge point sent about itself (firmware, diagnostics, logs, data transfers). */
  public Future<List<JsonObject>> chargerEvents(String cpId, int limit) {
    return readPool.preparedQuery(store.dialect().limit("SELECT Action, Status, RequestId, Detail, ReceivedTime "
            + "FROM ChargerEvent WHERE ChargePointId = ? ORDER BY EventId DESC", limit))
        .execute(Tuple.of(cpId))
        .map(rows -> list(rows, r -> new JsonObject()
            .put("action", r.getString(0))
            .put("status", r.getString(1))
            .put("requestId", r.getValue(2) == null ? null : ((Number) r.getValue(2)).intValue())
            .put("detail", r.getString(3))
            .put("receivedTime", r.getString(4))));
  }

  /**
   * A filter of the message log; every field is optional.
   *
   * @param message a part of the message (action) name, case-insensitive
   * @param text a part of the result text, case-insensitive
   * @param from inclusive, to exclusive: stored ISO-8601 times
   * @param beforeId only rows older than this LogId (paging)
   */
  public record MessageFilter(String chargePointId, String message, String text, boolean errorsOnly, String from,
      String to, Long beforeId, int limit) {}

  /** Message log rows matching the filter, newest first. */
  public Future<List<JsonObject>> messageLog(MessageFilter f) {
    StringBuilder sql = new StringBuilder("SELECT LogId, LogTime, ChargePointId, ConnectorId, Message, Result, ErrorCode "
        + "FROM MessageLog WHERE 1 = 1");
    Tuple params = Tuple.tuple();
    if (f.chargePointId() != null) {
      sql.append(" AND ChargePointId = ?");
      params.addString(f.chargePointId());
    }
    if (f.message() != null) {
      sql.append(" AND LOWER(Message) LIKE ? ESCAPE '!'");
      params.addString("%" + likeEscaped(f.message().toLowerCase()) + "%");
    }
    if (f.text() != null) {
      sql.append(" AND LOWER(Result) LIKE ? ESCAPE '!'");
      params.addString("%" + likeEscaped(f.text().toLowerCase()) + "%");
    }
    if (f.errorsOnly()) {
      sql.append(" AND ErrorCode IS NOT NULL AND ErrorCode <> ''");
    }
    if (f.from() != null) {
      sql.append(" AND LogTime >= ?");
      params.addString(f.from());
    }
    if (f.to() != null) {
      sql.append(" AND LogTime < ?");
      params.addString(f.to());
    }
    if (f.beforeId() != null) {
      sql.append(" AND LogId < ?");
      params.addLong(f.beforeId());
    }
    return readPool.preparedQuery(store.dialect().limit(sql + " ORDER BY LogId DESC", f.limit()))
        .execute(params)
        .map(rows -> list(rows, r -> new JsonObject()
            .put("logId", r.getLong(0))
            .put("logTime", r.getString(1))
            .put("chargePointId", r.getString(2))
            .put("connectorId", r.getValue(3) == null ? null : ((Number) r.getValue(3)).intValue())
            .put("message", r.getString(4))
            .put("result", r.getString(5))
            .put("errorCode", r.getString(6))));
  }

  /** The distinct "charge point" names in the message log (charge points, UserManager, ...), sorted. */
  public Future<List<String>> messageLogSources() {
    return readPool.query("SELECT DISTINCT ChargePointId FROM MessageLog ORDER BY ChargePointId").execute()
        .map(rows -> list(rows, r -> r.getString(0)));
  }

  /** The LIKE wildcards of user input taken literally ('!' is the escape character, portable across dialects). */
  private static String likeEscaped(String s) {
    return s.replace("!", "!!").replace("%", "!%").replace("_", "!_");
  }

  private static <T> List<T> list(RowSet<Row> rows, java.util.function.Function<Row, T> each) {
    List<T> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      out.add(each.apply(r));
    }
    return out;
  }


}
