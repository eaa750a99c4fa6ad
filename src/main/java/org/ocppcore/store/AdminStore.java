package org.ocppcore.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.ocppcore.domain.MeterSample;
import org.ocppcore.domain.Times;

/**
 * The queries of the management API and UI: listings and details of charge points, connectors,
 * tags and transactions, and API keys. Writes go through {@link Store#write} like every write.
 */
public final class AdminStore {
  private static final String CHARGE_POINT_COLUMNS = "c.ChargePointId, c.Name, c.Comment, c.ClientCertThumb, "
      + "c.RegistrationStatus, c.TagIdCutAtUnderscore, c.PasswordHash, b.Protocol, b.Vendor, b.Model, b.SerialNumber, "
      + "b.ChargeBoxSerialNumber, b.FirmwareVersion, b.Iccid, b.Imsi, b.MeterType, b.MeterSerialNumber, b.BootTime, "
      + "b.LastSeen, b.ConnectedSince, b.DisconnectedAt, c.CreatedAt";
  private final Store store;
  private final Pool readPool;
  private final String transactionColumns;

  public AdminStore(Store store, Pool readPool) {
    this.store = store;
    this.readPool = readPool;
    this.transactionColumns = "TransactionId, Uid, ChargePointId, ConnectorId, StartTagId, StartTime, "
        + "MeterStartWh, StartResult, StopTagId, StopTime, MeterStopWh, StopReason, "
        + "StopResult, ReservationId, RemoteStartId, ChargingState, SeqNoGaps, OfflineEvents, "
        + "Protocol";
  }

  /** A nullable numeric column as a double (see {@link DoubleDecoder} for why floats are read as doubles). */
  /**
   * A connector as JSON from the columns ConnectorId, ConnectorName, LastStatus, OcppStatus,
   * LastStatusTime, ErrorCode, Info, LastMeter, LastMeterTime, LastPowerKw, LastSoc starting at {@code first}.
   */
  static JsonObject connector(Row r, int first) {
    return new JsonObject()
        .put("connectorId", r.getInteger(first))
        .put("name", r.getString(first + 1))
        .put("status", r.getString(first + 3) != null ? r.getString(first + 3) : r.getString(first + 2))
        .put("summaryStatus", r.getString(first + 2))
        .put("statusTime", r.getString(first + 4))
        .put("errorCode", r.getString(first + 5))
        .put("info", r.getString(first + 6))
        .put("meterKwh", number(r.getValue(first + 7)))
        .put("meterTime", r.getString(first + 8))
        .put("powerKw", number(r.getValue(first + 9)))
        .put("soc", number(r.getValue(first + 10)));
  }

  static Double number(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    return Double.valueOf(v.toString());
  }

  // ---------------------------------------------------------------- charge points

  public Future<List<JsonObject>> chargePoints() {
    return readPool.query("SELECT " + CHARGE_POINT_COLUMNS + " FROM ChargePoint c LEFT JOIN ChargePointBoot b "
        + "ON b.ChargePointId = c.ChargePointId ORDER BY c.ChargePointId").execute().map(AdminStore::chargePointList);
  }

  public Future<JsonObject> chargePoint(String id) {
    return readPool.preparedQuery("SELECT " + CHARGE_POINT_COLUMNS + " FROM ChargePoint c LEFT JOIN ChargePointBoot b "
        + "ON b.ChargePointId = c.ChargePointId WHERE c.ChargePointId = ?").execute(Tuple.of(id))
        .map(rows -> {
          List<JsonObject> list = chargePointList(rows);
          return list.isEmpty() ? null : list.get(0);
        });
  }

  private static List<JsonObject> chargePointList(RowSet<Row> rows) {
    List<JsonObject> out = new ArrayList<>();
    for (Row r : rows) {
      String connectedSince = r.getString(19);
      String disconnectedAt = r.getString(20);
      boolean online = connectedSince != null && (disconnectedAt == null || connectedSince.compareTo(disconnectedAt) > 0);
      JsonObject boot = new JsonObject()
          .put("vendor", r.getString(8)).put("model", r.getString(9)).put("serialNumber", r.getString(10))
          .put("chargeBoxSerialNumber", r.getString(11)).put("firmwareVersion", r.getString(12))
          .put("iccid", r.getString(13)).put("imsi", r.getString(14)).put("meterType", r.getString(15))
          .put("meterSerialNumber", r.getString(16)).put("bootTime", r.getString(17));
      out.add(new JsonObject()
          .put("id", r.getString(0))
          .put("name", r.getString(1))
          .put("comment", r.getString(2))
          .put("clientCertThumbprint", r.getString(3))
          .put("registrationStatus", r.getString(4))
          .put("cutTagAtUnderscore", Store.bool(r.getValue(5)))
          // the password is write-only: only whether one is set is ever shown
          .put("passwordSet", r.getString(6) != null && !r.getString(6).isBlank())
          .put("protocol", r.getString(7))
          .put("online", online)
          .put("lastSeen", r.getString(18))
          .put("connectedSince", connectedSince)
          .put("disconnectedAt", disconnectedAt)
          .put("createdAt", r.getString(21))
          .put("boot", boot));
    }
    return out;
  }

  /** Deletes a charge point; fails with a foreign-key error when it has transactions (billing records are kept). */
  public Future<Boolean> deleteChargePoint(String id) {
    return store.write(c -> c.update("DELETE FROM ChargePoint WHERE ChargePointId = ?", id) > 0);
  }

  /**
   * Whether the charge point has billing records — transactions (2.x ones with their events) or
   * meter samples (also those sent outside a transaction) — which the database keeps (their foreign
   * keys refuse the delete), so it cannot be deleted. A 2.x event is stored in the op that creates
   * or finds its transaction's row, so the Transactions check covers TransactionEvent.
   */
  public Future<Boolean> hasTransactions(String id) {
    // EXISTS stops at the first record: MeterValue has no index on ChargePointId (docs/architecture.md,
    // Persistence), so a count read every row of it even for a charge point with thousands
    return readPool.preparedQuery("SELECT CASE WHEN EXISTS (SELECT 1 FROM Transactions WHERE ChargePointId = ?) "
            + "OR EXISTS (SELECT 1 FROM MeterValue WHERE ChargePointId = ?) THEN 1 ELSE 0 END")
        .execute(Tuple.of(id, id))
        .map(rows -> ((Number) rows.iterator().next().getValue(0)).longValue() > 0);
  }

  // ---------------------------------------------------------------- connectors and live status

  public Future<List<JsonObject>> connectors(String cpId) {
    return readPool.preparedQuery("SELECT s.ConnectorId, s.ConnectorName, s.LastStatus, s.OcppStatus, s.LastStatusTime, "
            + "s.ErrorCode, s.Info, s.LastMeter, s.LastMeterTime, s.LastPowerKw, s.LastSoc, "
            + "(SELECT MAX(t.TransactionId) FROM Transactions t WHERE t.ChargePointId = s.ChargePointId "
            + "AND t.ConnectorId = s.ConnectorId AND t.StopTime IS NULL) "
            + "FROM ConnectorStatus s WHERE s.ChargePointId = ? ORDER BY s.ConnectorId")
        .execute(Tuple.of(cpId))
        .map(rows -> {
          List<JsonObject> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(connector(r, 0)
                .put("openTransactionId", r.getValue(11) == null ? null : ((Number) r.getValue(11)).longValue()));
          }
          return out;
        });
  }

  /** The open transaction of a connector (EVSE for 2.x): [TransactionId, Uid], or null. */
  public Future<JsonObject> openTransaction(String cpId, int connectorId) {
    return readPool.preparedQuery(store.dialect().limit("SELECT TransactionId, Uid FROM Transactions WHERE "
            + "ChargePointId = ? AND ConnectorId = ? AND StopTime IS NULL ORDER BY TransactionId DESC", 1))
        .execute(Tuple.of(cpId, connectorId))
        .map(rows -> {
          for (Row r : rows) {
            return new JsonObject().put("transactionId", r.getLong(0)).put("uid", r.getString(1));
          }
          return null;
        });
  }

  public Future<Void> renameConnector(String cpId, int connectorId, String name) {
    return store.write(c -> {
      c.update("UPDATE ConnectorStatus SET ConnectorName = ? WHERE ChargePointId = ? AND ConnectorId = ?", name, cpId,
          connectorId);
      return null;
    });
  }

  // ---------------------------------------------------------------- tags

  public Future<List<JsonObject>> tags() {
    return readPool.query("SELECT TagId, TagName, ParentTagId, ExpiryDate, Blocked FROM ChargeTags ORDER BY TagId")
        .execute().map(AdminStore::tagList);
  }

  public Future<JsonObject> tag(String tagId) {
    return readPool.preparedQuery("SELECT TagId, TagName, ParentTagId, ExpiryDate, Blocked FROM ChargeTags WHERE "
        + store.dialect().equalsIgnoreCase("TagId")).execute(Tuple.of(tagId))
        .map(rows -> {
          List<JsonObject> list = tagList(rows);
          return list.isEmpty() ? null : list.get(0);
        });
  }

  private static List<JsonObject> tagList(RowSet<Row> rows) {
    List<JsonObject> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(new JsonObject().put("tagId", r.getString(0)).put("name", r.getString(1))
          .put("parentTagId", r.getString(2)).put("expiryDate", r.getString(3)).put("blocked", Store.bool(r.getValue(4))));
    }
    return out;
  }

  public Future<Boolean> deleteTag(String tagId) {
    String delete = "DELETE FROM ChargeTags WHERE " + store.dialect().equalsIgnoreCase("TagId");
    return store.write(c -> c.update(delete, tagId) > 0);
  }

  // ---------------------------------------------------------------- transactions

  /** Transactions filtered by any of charge point, connector and start-time range (ISO-8601, inclusive from, exclusive to). */
  public Future<List<JsonObject>> transactions(String cpId, Integer connectorId, String from, String to, int limit) {
    StringBuilder sql = new StringBuilder("SELECT " + transactionColumns + " FROM Transactions WHERE 1 = 1");
    Tuple params = Tuple.tuple();
    if (cpId != null) {
      sql.append(" AND ChargePointId = ?");
      params.addString(cpId);
    }
    if (connectorId != null) {
      sql.append(" AND ConnectorId = ?");
      params.addInteger(connectorId);
    }
    if (from != null) {
      sql.append(" AND StartTime >= ?");
      params.addString(from);
    }
    if (to != null) {
      sql.append(" AND StartTime < ?");
      params.addString(to);
    }
    String query = store.dialect().limit(sql + " ORDER BY StartTime DESC, TransactionId DESC", limit);
    return readPool.preparedQuery(query).execute(params).map(rows -> {
      List<JsonObject> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(transaction(r));
      }
      return out;
    });
  }

  public Future<JsonObject> transaction(long id) {
    return readPool.preparedQuery("SELECT " + transactionColumns + " FROM Transactions WHERE TransactionId = ?")
        .execute(Tuple.of(id))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(null);
          }
          JsonObject tx = transaction(rows.iterator().next());
          return readPool.preparedQuery("SELECT Timestamp, ConnectorId, Measurand, Value, NumericValue, Unit, Phase, "
                  + "Location, Context, Format, SignedMeterValue FROM MeterSample WHERE "
                  + BulkTransactionIndex.METER_VALUES.rowsOfTransaction + " ORDER BY Timestamp, MeterValueId, SampleIndex")
              .execute(Tuple.of(id, id))
              .map(samples -> {
                JsonArray list = new JsonArray();
                Set<String> keys = new HashSet<>();
                for (Row s : samples) {
                  // a reading a charger sent again in another message is stored with that message
                  // (only a retried message is recognised when storing), and listed once
                  if (!keys.add(new MeterSample(s.getInteger(1), id, s.getString(0), null, null, s.getString(2),
                      s.getString(5), s.getString(6), s.getString(7), s.getString(8), s.getString(9)).key())) {
                    continue;
                  }
                  list.add(new JsonObject().put("timestamp", s.getString(0)).put("connectorId", s.getInteger(1))
                      .put("measurand", s.getString(2)).put("value", s.getString(3))
                      .put("numericValue", number(s.getValue(4)))
                      .put("unit", s.getString(5)).put("phase", s.getString(6)).put("location", s.getString(7))
                      .put("context", s.getString(8)).put("format", s.getString(9))
                      .put("signedMeterValue", s.getString(10) == null ? null : new JsonObject(s.getString(10))));
                }
                return tx.put("meterSamples", list);
              });
        });
  }

  /**
   * A transaction's start from a row whose first columns are TransactionId, Uid, ChargePointId,
   * ConnectorId, StartTagId, StartTime, MeterStartWh.
   */
  static JsonObject transactionStart(Row r) {
    return new JsonObject()
        .put("transactionId", r.getLong(0))
        .put("uid", r.getString(1))
        .put("chargePointId", r.getString(2))
        .put("connectorId", r.getInteger(3))
        .put("startTagId", r.getString(4))
        .put("startTime", r.getString(5))
        .put("meterStartWh", number(r.getValue(6)));
  }

  private static JsonObject transaction(Row r) {
    Double start = number(r.getValue(6));
    Double stop = number(r.getValue(10));
    return transactionStart(r)
        .put("startResult", r.getString(7))
        .put("stopTagId", r.getString(8))
        .put("stopTime", r.getString(9))
        .put("meterStopWh", stop)
        .put("energyKwh", start != null && stop != null ? (stop - start) / 1000.0 : null)
        .put("stopReason", r.getString(11))
        .put("stopResult", r.getString(12))
        .put("reservationId", r.getValue(13) == null ? null : ((Number) r.getValue(13)).intValue())
        .put("remoteStartId", r.getValue(14) == null ? null : ((Number) r.getValue(14)).intValue())
        .put("chargingState", r.getString(15))
        .put("seqNoGaps", r.getString(16))
        .put("offlineEvents", r.getValue(17) == null ? 0 : ((Number) r.getValue(17)).intValue())
        .put("protocol", r.getString(18));
  }

  // ---------------------------------------------------------------- API keys

  /** Name and role of the key with this SHA-256 hash, or null. */
  public Future<JsonObject> apiKeyByHash(String keyHash) {
    return readPool.preparedQuery("SELECT Name, Role FROM ApiKey WHERE KeyHash = ?").execute(Tuple.of(keyHash))
        .map(rows -> {
          for (Row r : rows) {
            return new JsonObject().put("name", r.getString(0)).put("role", r.getString(1));
          }
          return null;
        });
  }

  public Future<Void> saveApiKey(String name, String keyHash, String role) {
    String now = Times.now();
    return store.write(c -> {
      c.update("DELETE FROM ApiKey WHERE Name = ?", name);
      c.update("INSERT INTO ApiKey (Name, KeyHash, Role, CreatedAt) VALUES (?, ?, ?, ?)", name, keyHash, role, now);
      return null;
    });
  }
}
