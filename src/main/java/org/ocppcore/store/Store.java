package org.ocppcore.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.ocppcore.app.Addresses;
import org.ocppcore.domain.Authorization;
import org.ocppcore.domain.ChargePointRecord;
import org.ocppcore.domain.LiveMeter;
import org.ocppcore.domain.MeterSample;
import org.ocppcore.domain.TagRecord;
import org.ocppcore.domain.Times;

/**
 * Every query of the charging domain. Reads go straight to the read pool; writes are {@link WriteOp}s
 * sent to the node's {@link StoreVerticle}, whose futures complete only after the group commit.
 * Columns are read by position because PostgreSQL folds unquoted names to lower case.
 */
public final class Store {
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setSendTimeout(120_000);
  private static final String[] SAMPLE_COLUMNS = {"ChargePointId", "ConnectorId", "TransactionId", "Timestamp", "Value",
      "NumericValue", "Measurand", "Unit", "Phase", "Location", "Context", "Format", "SampleKey"};

  private final EventBus eventBus;
  private final Pool readPool;
  private final Dialect dialect;
  private final String insertSample;
  private final String tagById;

  public Store(Vertx vertx, Pool readPool, Dialect dialect) {
    this.eventBus = vertx.eventBus();
    this.readPool = readPool;
    this.dialect = dialect;
    this.insertSample = dialect.insertIgnoringDuplicates("MeterSample", SAMPLE_COLUMNS,
        new String[] {"ChargePointId", "SampleKey"});
    this.tagById = "SELECT TagId, TagName, ParentTagId, ExpiryDate, Blocked FROM ChargeTags WHERE "
        + dialect.equalsIgnoreCase("TagId");
  }

  public Dialect dialect() {
    return dialect;
  }

  /** The read pool, for the other stores of this database. */
  public Pool readPool() {
    return readPool;
  }

  /** Runs an op in the next group commit; completes after the commit. */
  @SuppressWarnings("unchecked")
  public <T> Future<T> write(WriteOp<T> op) {
    return eventBus.<LocalCodec.Envelope>request(Addresses.STORE_WRITE, new LocalCodec.Envelope(op), LOCAL)
        .map(reply -> (T) reply.body().value());
  }

  // ---------------------------------------------------------------- charge points and tags (reads)

  public Future<ChargePointRecord> findChargePoint(String id) {
    return readPool.preparedQuery("SELECT ChargePointId, PasswordHash, ClientCertThumb, RegistrationStatus, "
            + "TagIdCutAtUnderscore FROM ChargePoint WHERE ChargePointId = ?")
        .execute(Tuple.of(id))
        .map(rows -> {
          for (Row r : rows) {
            return new ChargePointRecord(r.getString(0), r.getString(1), r.getString(2), r.getString(3),
                bool(r.getValue(4)));
          }
          return null;
        });
  }

  public Future<TagRecord> findTag(String tagId) {
    return readPool.preparedQuery(tagById).execute(Tuple.of(tagId)).map(Store::firstTag);
  }

  Future<TagRecord> findTag(SqlConnection c, String tagId) {
    if (tagId == null) {
      return Future.succeededFuture(null);
    }
    return c.preparedQuery(tagById).execute(Tuple.of(tagId)).map(Store::firstTag);
  }

  private static TagRecord firstTag(RowSet<Row> rows) {
    for (Row r : rows) {
      return new TagRecord(r.getString(0), r.getString(1), r.getString(2), Times.parse(r.getString(3)),
          bool(r.getValue(4)));
    }
    return null;
  }

  static boolean bool(Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    return v instanceof Number n && n.intValue() != 0;
  }

  // ---------------------------------------------------------------- administration used by the gateway

  /** Registers an unknown charge point as Pending for an administrator to approve (opt-in). */
  public Future<Void> registerPending(String id) {
    return write(c -> c.preparedQuery("SELECT 1 FROM ChargePoint WHERE ChargePointId = ?").execute(Tuple.of(id))
        .compose(rows -> rows.size() > 0 ? Future.succeededFuture()
            : c.preparedQuery("INSERT INTO ChargePoint (ChargePointId, Name, RegistrationStatus, CreatedAt) "
                + "VALUES (?, ?, 'Pending', ?)").execute(Tuple.of(id, id, Times.now())).mapEmpty()));
  }

  /** Creates or replaces a charge point (administration; tests use it to seed). */
  public Future<Void> upsertChargePoint(String id, String name, String passwordHash, String certThumb,
      String registrationStatus, boolean cutTag) {
    return upsertChargePoint(id, name, passwordHash, certThumb, registrationStatus, cutTag, null);
  }

  public Future<Void> upsertChargePoint(String id, String name, String passwordHash, String certThumb,
      String registrationStatus, boolean cutTag, String comment) {
    return write(c -> c.preparedQuery("UPDATE ChargePoint SET Name = ?, PasswordHash = ?, ClientCertThumb = ?, "
            + "RegistrationStatus = ?, TagIdCutAtUnderscore = ?, Comment = ? WHERE ChargePointId = ?")
        .execute(Tuple.of(name, passwordHash, certThumb, registrationStatus, cutTag ? 1 : 0, comment, id))
        .compose(r -> r.rowCount() > 0 ? Future.succeededFuture()
            : c.preparedQuery("INSERT INTO ChargePoint (ChargePointId, Name, PasswordHash, ClientCertThumb, "
                + "RegistrationStatus, TagIdCutAtUnderscore, Comment, CreatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .execute(Tuple.of(id, name, passwordHash, certThumb, registrationStatus, cutTag ? 1 : 0, comment,
                Times.now()))
            .mapEmpty()));
  }

  /** The stored password hash of a charge point (null when none or unknown). */
  public Future<String> passwordHash(String id) {
    return readPool.preparedQuery("SELECT PasswordHash FROM ChargePoint WHERE ChargePointId = ?").execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
  }

  public Future<Void> upsertTag(TagRecord t) {
    Tuple values = Tuple.of(t.name(), t.parentTagId(), Times.format(t.expiryDate()), t.blocked() ? 1 : 0, t.tagId());
    return write(c -> c.preparedQuery("UPDATE ChargeTags SET TagName = ?, ParentTagId = ?, ExpiryDate = ?, "
            + "Blocked = ? WHERE TagId = ?").execute(values)
        .compose(r -> r.rowCount() > 0 ? Future.succeededFuture()
            : c.preparedQuery("INSERT INTO ChargeTags (TagName, ParentTagId, ExpiryDate, Blocked, TagId) "
                + "VALUES (?, ?, ?, ?, ?)").execute(values).mapEmpty()));
  }

  // ---------------------------------------------------------------- connection and boot data

  /** Upserts the ChargePointBoot row's connection columns. */
  public Future<Void> connectionChanged(String id, String protocol, boolean connected) {
    String now = Times.now();
    return write(c -> upsertBoot(c, id,
        connected ? "Protocol = ?, LastSeen = ?, ConnectedSince = ?" : "LastSeen = ?, DisconnectedAt = ?",
        connected ? Tuple.of(protocol, now, now) : Tuple.of(now, now)));
  }

  public Future<Void> heartbeat(String id) {
    return write(c -> upsertBoot(c, id, "LastSeen = ?", Tuple.of(Times.now())));
  }

  /** Stores a BootNotification's data (1.6 field names; 2.x maps onto them). */
  public Future<Void> bootNotification(String id, String protocol, JsonObject boot) {
    Tuple t = Tuple.of(protocol, boot.getString("vendor"), boot.getString("model"), boot.getString("serialNumber"),
        boot.getString("chargeBoxSerialNumber"), boot.getString("firmwareVersion"), boot.getString("iccid"),
        boot.getString("imsi"), boot.getString("meterType"), boot.getString("meterSerialNumber"),
        boot.getString("reason"), Times.now(), Times.now());
    return write(c -> upsertBoot(c, id, "Protocol = ?, Vendor = ?, Model = ?, SerialNumber = ?, "
        + "ChargeBoxSerialNumber = ?, FirmwareVersion = ?, Iccid = ?, Imsi = ?, MeterType = ?, MeterSerialNumber = ?, "
        + "BootReason = ?, BootTime = ?, LastSeen = ?", t));
  }

  private static Future<Void> upsertBoot(SqlConnection c, String id, String assignments, Tuple values) {
    Tuple update = Tuple.tuple();
    for (int i = 0; i < values.size(); i++) {
      update.addValue(values.getValue(i));
    }
    update.addValue(id);
    return c.preparedQuery("UPDATE ChargePointBoot SET " + assignments + " WHERE ChargePointId = ?").execute(update)
        .compose(r -> {
          if (r.rowCount() > 0) {
            return Future.succeededFuture();
          }
          return c.preparedQuery("INSERT INTO ChargePointBoot (ChargePointId) SELECT ChargePointId FROM ChargePoint "
                  + "WHERE ChargePointId = ?").execute(Tuple.of(id))
              .compose(i -> c.preparedQuery("UPDATE ChargePointBoot SET " + assignments + " WHERE ChargePointId = ?")
                  .execute(update))
              .mapEmpty();
        });
  }

  // ---------------------------------------------------------------- authorization

  /** Result of authorizing a tag: the verdict and the tag row (null when unknown). */
  public record AuthResult(Authorization.Status status, TagRecord tag) {}

  /** Authorize (no concurrency check): a read, answered without waiting for a commit. */
  public Future<AuthResult> authorize(String tagId) {
    return findTag(tagId).map(tag -> new AuthResult(Authorization.evaluate(tag, Instant.now()), tag));
  }

  private Future<AuthResult> authorizeForStart(SqlConnection c, String tagId, boolean denyConcurrentTx) {
    return findTag(c, tagId).compose(tag -> {
      Authorization.Status status = Authorization.evaluate(tag, Instant.now());
      if (status != Authorization.Status.Accepted || !denyConcurrentTx) {
        return Future.succeededFuture(new AuthResult(status, tag));
      }
      return c.preparedQuery("SELECT COUNT(*) FROM Transactions WHERE " + dialect.equalsIgnoreCase("StartTagId")
              + " AND StopTime IS NULL")
          .execute(Tuple.of(tagId))
          .map(rows -> rows.iterator().next().getLong(0) > 0
              ? new AuthResult(Authorization.Status.ConcurrentTx, tag) : new AuthResult(status, tag));
    });
  }

  // ---------------------------------------------------------------- transactions (1.6)

  public record StartResult(long transactionId, AuthResult auth, boolean duplicate) {}

  /**
   * Records a 1.6 StartTransaction whatever the tag's verdict (the car may already be charging; the
   * charger decides to stop). A retry (same charger, connector and start time) returns the first id.
   */
  public Future<StartResult> startTransaction(String cpId, int connectorId, String idTag, long meterStartWh,
      String timestamp, Integer reservationId, boolean denyConcurrentTx) {
    return write(c -> c.preparedQuery("SELECT TransactionId, StartTagId FROM Transactions WHERE ChargePointId = ? "
            + "AND ConnectorId = ? AND StartTime = ? AND Uid IS NULL")
        .execute(Tuple.of(cpId, connectorId, timestamp))
        .compose(existing -> {
          for (Row r : existing) {
            long id = r.getLong(0);
            // a retry is answered exactly as the first time, without the concurrency check it would now fail
            return authorizeForStart(c, idTag, false).map(a -> new StartResult(id, a, true));
          }
          return authorizeForStart(c, idTag, denyConcurrentTx).compose(auth -> {
            String insert = dialect.returningKey("INSERT INTO Transactions (ChargePointId, ConnectorId, StartTagId, "
                + "StartTime, MeterStart, MeterStartWh, StartResult, ReservationId, Protocol) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ocpp1.6')", "TransactionId");
            return c.preparedQuery(insert)
                .execute(Tuple.of(cpId, connectorId, idTag, timestamp, meterStartWh / 1000.0, (double) meterStartWh,
                    auth.status().name(), reservationId))
                .compose(rows -> {
                  long id = rows.iterator().next().getLong(0);
                  return updateConnectorMeter(c, cpId, connectorId, meterStartWh / 1000.0, null, null, timestamp)
                      .map(v -> new StartResult(id, auth, false));
                });
          });
        }));
  }

  /** What a StopTransaction found and did. */
  public record StopResult(boolean known, boolean alreadyStopped, AuthResult stopAuth, boolean stopTagAllowed,
      int connectorId) {}

  /**
   * Records a 1.6 StopTransaction. A stop cannot be refused: an unknown or already-stopped
   * transaction is reported back (for the message log) but never fails, and a stop tag that may not
   * end the transaction still ends it (the charger has stopped) with the verdict kept in StopResult.
   */
  public Future<StopResult> stopTransaction(String cpId, long transactionId, String idTag, long meterStopWh,
      String timestamp, String reason, List<MeterSample> transactionData) {
    return write(c -> c.preparedQuery("SELECT ConnectorId, StartTagId, StopTime FROM Transactions "
            + "WHERE TransactionId = ? AND ChargePointId = ?")
        .execute(Tuple.of(transactionId, cpId))
        .compose(rows -> {
          Row tx = rows.size() == 0 ? null : rows.iterator().next();
          Future<AuthResult> stopAuth = idTag == null ? Future.succeededFuture(null)
              : findTag(c, idTag).map(t -> new AuthResult(Authorization.evaluate(t, Instant.now()), t));
          return stopAuth.compose(auth -> {
            Future<Void> samples = insertSamples(c, cpId, transactionData);
            if (tx == null) {
              // recorded for the operator in the same commit, whatever the message log level
              return samples.compose(v -> insertMessageLog(c, cpId, null, "StopTransaction",
                      "UnknownTransaction:ID=" + transactionId + "/Meter=" + meterStopWh + "/Tag=" + idTag,
                      "UnknownTransaction"))
                  .map(v -> new StopResult(false, false, auth, false, -1));
            }
            int connectorId = tx.getInteger(0);
            String startTagId = tx.getString(1);
            if (tx.getValue(2) != null) {
              return samples.map(v -> new StopResult(true, true, auth, true, connectorId));
            }
            Future<TagRecord> startTag = findTag(c, startTagId);
            return samples.compose(v -> startTag).compose(st -> {
              boolean allowed = idTag == null
                  || Authorization.mayStop(startTagId, st, idTag, auth.tag(), auth.status());
              String stopResult = idTag == null ? "Accepted" : allowed ? "Accepted" : "Invalid";
              return c.preparedQuery("UPDATE Transactions SET StopTagId = ?, StopTime = ?, MeterStop = ?, "
                      + "MeterStopWh = ?, StopReason = ?, StopResult = ? WHERE TransactionId = ?")
                  .execute(Tuple.of(idTag, timestamp, meterStopWh / 1000.0, (double) meterStopWh, reason, stopResult,
                      transactionId))
                  .compose(u -> updateConnectorMeter(c, cpId, connectorId, meterStopWh / 1000.0, null, null, timestamp))
                  .map(u -> new StopResult(true, false, auth, allowed, connectorId));
            });
          });
        }));
  }

  // ---------------------------------------------------------------- meter values and status

  /** Stores every sample (retries are ignored by key) and updates the connector's live figures. */
  public Future<LiveMeter> meterValues(String cpId, int connectorId, List<MeterSample> samples) {
    LiveMeter live = LiveMeter.of(samples);
    return write(c -> insertSamples(c, cpId, samples)
        .compose(v -> live.isEmpty() ? Future.succeededFuture()
            : updateConnectorMeter(c, cpId, connectorId, live.energyKwh(), live.powerKw(), live.soc(), live.timestamp()))
        .map(v -> live));
  }

  Future<Void> insertSamples(SqlConnection c, String cpId, List<MeterSample> samples) {
    if (samples == null || samples.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> batch = new ArrayList<>(samples.size());
    for (MeterSample s : samples) {
      batch.add(Tuple.of(cpId, s.connectorId(), s.transactionId(), s.timestamp(), s.value(), s.numericValue(),
          s.measurand(), s.unit(), s.phase(), s.location(), s.context(), s.format()).addString(s.key()));
    }
    return c.preparedQuery(insertSample).executeBatch(batch).mapEmpty();
  }

  /** Updates the live columns given (nulls keep the old value), creating the connector row if needed. */
  Future<Void> updateConnectorMeter(SqlConnection c, String cpId, int connectorId, Double energyKwh,
      Double powerKw, Double soc, String time) {
    return ensureConnector(c, cpId, connectorId).compose(v -> c.preparedQuery("UPDATE ConnectorStatus SET "
            + "LastMeter = COALESCE(?, LastMeter), LastMeterTime = COALESCE(?, LastMeterTime), "
            + "LastPowerKw = COALESCE(?, LastPowerKw), LastSoc = COALESCE(?, LastSoc) "
            + "WHERE ChargePointId = ? AND ConnectorId = ?")
        .execute(Tuple.of(energyKwh, energyKwh == null ? null : time, powerKw, soc, cpId, connectorId))
        .mapEmpty());
  }

  Future<Void> ensureConnector(SqlConnection c, String cpId, int connectorId) {
    return c.preparedQuery("SELECT 1 FROM ConnectorStatus WHERE ChargePointId = ? AND ConnectorId = ?")
        .execute(Tuple.of(cpId, connectorId))
        .compose(rows -> rows.size() > 0 ? Future.succeededFuture()
            : c.preparedQuery("INSERT INTO ConnectorStatus (ChargePointId, ConnectorId) VALUES (?, ?)")
                .execute(Tuple.of(cpId, connectorId)).mapEmpty());
  }

  /** A status report: the connector's current status and a history row. */
  public record StatusReport(int connectorId, String ocppStatus, String summaryStatus, String errorCode, String info,
      String vendorId, String vendorErrorCode, String statusTime) {}

  public Future<Void> statusNotification(String cpId, StatusReport s) {
    String now = Times.now();
    return write(c -> ensureConnector(c, cpId, s.connectorId())
        .compose(v -> c.preparedQuery("UPDATE ConnectorStatus SET LastStatus = ?, LastStatusTime = ?, OcppStatus = ?, "
                + "ErrorCode = ?, Info = ?, VendorId = ?, VendorErrorCode = ? WHERE ChargePointId = ? AND ConnectorId = ?")
            .execute(Tuple.of(s.summaryStatus(), s.statusTime(), s.ocppStatus(), s.errorCode(), s.info(), s.vendorId(),
                s.vendorErrorCode(), cpId, s.connectorId())))
        .compose(v -> c.preparedQuery("INSERT INTO StatusHistory (ChargePointId, ConnectorId, Status, ErrorCode, Info, "
                + "VendorId, VendorErrorCode, StatusTime, ReceivedTime) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .execute(Tuple.of(cpId, s.connectorId(), s.ocppStatus(), s.errorCode(), s.info(), s.vendorId(),
                s.vendorErrorCode(), s.statusTime(), now)))
        .mapEmpty());
  }

  // ---------------------------------------------------------------- notifications and logs

  /** Stores a notification a charger sends about itself (firmware, diagnostics, log upload, data transfer). */
  public Future<Void> chargerEvent(String cpId, String action, String status, Integer requestId, JsonObject detail) {
    return write(c -> c.preparedQuery("INSERT INTO ChargerEvent (ChargePointId, Action, Status, RequestId, Detail, "
            + "ReceivedTime) VALUES (?, ?, ?, ?, ?, ?)")
        .execute(Tuple.of(cpId, action, status, requestId, detail == null ? null : detail.encode(), Times.now()))
        .mapEmpty());
  }

  public Future<Void> securityEvent(String cpId, String type, String timestamp, String techInfo) {
    return write(c -> c.preparedQuery("INSERT INTO SecurityEvent (ChargePointId, Type, Timestamp, TechInfo, "
            + "ReceivedTime) VALUES (?, ?, ?, ?, ?)")
        .execute(Tuple.of(cpId, type, timestamp, techInfo, Times.now()))
        .mapEmpty());
  }

  /** One MessageLog row (OCPP.Core's table); callers decide by the configured level whether to log. */
  public Future<Void> messageLog(String cpId, Integer connectorId, String message, String result, String errorCode) {
    return write(c -> insertMessageLog(c, cpId, connectorId, message, result, errorCode));
  }

  private static Future<Void> insertMessageLog(SqlConnection c, String cpId, Integer connectorId, String message,
      String result, String errorCode) {
    String r = result != null && result.length() > 4000 ? result.substring(0, 4000) : result;
    return c.preparedQuery("INSERT INTO MessageLog (LogTime, ChargePointId, ConnectorId, Message, Result, ErrorCode) "
            + "VALUES (?, ?, ?, ?, ?, ?)")
        .execute(Tuple.of(Times.now(), cpId, connectorId, message, r, errorCode))
        .mapEmpty();
  }
}
