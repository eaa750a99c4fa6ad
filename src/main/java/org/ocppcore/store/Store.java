package org.ocppcore.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
  private static final String[] METER_VALUE_COLUMNS = {"ChargePointId", "ConnectorId", "TransactionId", "Timestamp",
      "KeyHash", "Samples"};
  private static final int HASH = 4;

  private final StoreVerticle writer;
  private final Pool readPool;
  private final Dialect dialect;
  private final String insertMeterValue;
  private final String tagById;
  private final String openWithTag;
  private final BulkTransactionIndex meterIndex;
  private final BulkTransactionIndex eventIndex;
  /** LastSeen of heartbeats not yet written, by charge point (see {@link #heartbeat}). */
  private final Map<String, String> lastSeen = new ConcurrentHashMap<>();

  public Store(Pool readPool, Dialect dialect, StoreVerticle writer) {
    this.writer = writer;
    this.readPool = readPool;
    this.dialect = dialect;
    this.insertMeterValue = dialect.insertIgnoringDuplicates("MeterValue", METER_VALUE_COLUMNS,
        new String[] {"KeyHash"});
    this.tagById = "SELECT TagId, TagName, ParentTagId, ExpiryDate, Blocked FROM ChargeTags WHERE "
        + dialect.equalsIgnoreCase("TagId");
    this.meterIndex = new BulkTransactionIndex(this, dialect, BulkTransactionIndex.METER_VALUES);
    this.eventIndex = new BulkTransactionIndex(this, dialect, BulkTransactionIndex.TRANSACTION_EVENTS);
    this.openWithTag = "SELECT COUNT(*) FROM Transactions WHERE " + dialect.equalsIgnoreCase("StartTagId")
        + " AND StopTime IS NULL";
  }

  public Dialect dialect() {
    return dialect;
  }

  /** The read pool, for the other stores of this database. */
  public Pool readPool() {
    return readPool;
  }

  /** Runs an op in the next group commit; completes after the commit. */
  public <T> Future<T> write(WriteOp<T> op) {
    return writer.submit(op);
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

  TagRecord findTag(WriteConnection c, String tagId) throws SQLException {
    if (tagId == null) {
      return null;
    }
    SqlRow r = c.first(tagById, tagId);
    return r == null ? null : tag(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getValue(4));
  }

  private static TagRecord firstTag(RowSet<Row> rows) {
    for (Row r : rows) {
      return tag(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getValue(4));
    }
    return null;
  }

  /** A tag from the columns of {@code tagById}, read through either client. */
  private static TagRecord tag(String id, String name, String parent, String expiry, Object blocked) {
    return new TagRecord(id, name, parent, Times.parse(expiry), bool(blocked));
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
    return write(c -> {
      if (c.first("SELECT 1 FROM ChargePoint WHERE ChargePointId = ?", id) == null) {
        c.update("INSERT INTO ChargePoint (ChargePointId, Name, RegistrationStatus, CreatedAt) VALUES (?, ?, 'Pending', ?)",
            id, id, Times.now());
      }
      return null;
    });
  }

  /** Creates or replaces a charge point (administration; tests use it to seed). */
  public Future<Void> upsertChargePoint(String id, String name, String passwordHash, String certThumb,
      String registrationStatus, boolean cutTag) {
    return upsertChargePoint(id, name, passwordHash, certThumb, registrationStatus, cutTag, null);
  }

  public Future<Void> upsertChargePoint(String id, String name, String passwordHash, String certThumb,
      String registrationStatus, boolean cutTag, String comment) {
    return write(c -> {
      if (c.update("UPDATE ChargePoint SET Name = ?, PasswordHash = ?, ClientCertThumb = ?, RegistrationStatus = ?, "
          + "TagIdCutAtUnderscore = ?, Comment = ? WHERE ChargePointId = ?",
          name, passwordHash, certThumb, registrationStatus, cutTag ? 1 : 0, comment, id) == 0) {
        c.update("INSERT INTO ChargePoint (ChargePointId, Name, PasswordHash, ClientCertThumb, RegistrationStatus, "
            + "TagIdCutAtUnderscore, Comment, CreatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            id, name, passwordHash, certThumb, registrationStatus, cutTag ? 1 : 0, comment, Times.now());
      }
      return null;
    });
  }

  /** The stored password hash of a charge point (null when none or unknown). */
  public Future<String> passwordHash(String id) {
    return readPool.preparedQuery("SELECT PasswordHash FROM ChargePoint WHERE ChargePointId = ?").execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
  }

  public Future<Void> upsertTag(TagRecord t) {
    Object[] values = {t.name(), t.parentTagId(), Times.format(t.expiryDate()), t.blocked() ? 1 : 0, t.tagId()};
    return write(c -> {
      if (c.update("UPDATE ChargeTags SET TagName = ?, ParentTagId = ?, ExpiryDate = ?, Blocked = ? WHERE TagId = ?",
          values) == 0) {
        c.update("INSERT INTO ChargeTags (TagName, ParentTagId, ExpiryDate, Blocked, TagId) VALUES (?, ?, ?, ?, ?)",
            values);
      }
      return null;
    });
  }

  // ---------------------------------------------------------------- connection and boot data

  /** Upserts the ChargePointBoot row's connection columns. */
  public Future<Void> connectionChanged(String id, String protocol, boolean connected) {
    String now = Times.now();
    lastSeen.remove(id); // this write sets LastSeen itself; a later flush must not move it back
    return write(c -> {
      if (connected) {
        upsertBoot(c, id, "Protocol = ?, LastSeen = ?, ConnectedSince = ?", protocol, now, now);
      } else {
        upsertBoot(c, id, "LastSeen = ?, DisconnectedAt = ?", now, now);
      }
      return null;
    });
  }

  /**
   * A Heartbeat: nothing in it needs to be durable before the answer, so its time is kept in memory
   * and written with every other charger's by {@link #flushLastSeen} (a heartbeat per charger every
   * few minutes would otherwise be a large share of the writer's work in a big fleet).
   */
  public void heartbeat(String id) {
    lastSeen.put(id, Times.now());
  }

  BulkTransactionIndex meterIndex() {
    return meterIndex;
  }

  BulkTransactionIndex eventIndex() {
    return eventIndex;
  }

  /**
   * Adds the MeterValue and TransactionEvent rows stored lately to their indexes by transaction
   * when that is due (on SQLite; see {@link BulkTransactionIndex}); called every second. A stored
   * row waits at most {@code maxWaitSeconds}. Completes with the rows covered (both tables).
   */
  public Future<Long> indexInBulkIfDue(int maxWaitSeconds) {
    if (!dialect.indexesInBulk()) {
      return Future.succeededFuture(0L);
    }
    long now = System.nanoTime();
    long maxWait = maxWaitSeconds * 1_000_000_000L;
    return meterIndex.catchUpIfDue(now, maxWait)
        .compose(meters -> eventIndex.catchUpIfDue(now, maxWait).map(events -> meters + events));
  }

  /** Writes the LastSeen times of heartbeats since the last flush (in ops of at most 500 rows). */
  public Future<Void> flushLastSeen() {
    List<Future<Void>> writes = new ArrayList<>();
    List<String[]> chunk = new ArrayList<>();
    for (Map.Entry<String, String> e : lastSeen.entrySet()) {
      if (lastSeen.remove(e.getKey(), e.getValue())) {
        chunk.add(new String[] {e.getKey(), e.getValue()});
      }
      if (chunk.size() == 500) {
        writes.add(writeLastSeen(chunk));
        chunk = new ArrayList<>();
      }
    }
    if (!chunk.isEmpty()) {
      writes.add(writeLastSeen(chunk));
    }
    return Future.join(writes).mapEmpty();
  }

  private Future<Void> writeLastSeen(List<String[]> idAndTime) {
    return write(c -> {
      for (String[] seen : idAndTime) {
        upsertBoot(c, seen[0], "LastSeen = ?", seen[1]);
      }
      return null;
    });
  }

  /** Stores a BootNotification's data (1.6 field names; 2.x maps onto them). */
  public Future<Void> bootNotification(String id, String protocol, JsonObject boot) {
    String now = Times.now();
    lastSeen.remove(id);
    Object[] values = {protocol, boot.getString("vendor"), boot.getString("model"), boot.getString("serialNumber"),
        boot.getString("chargeBoxSerialNumber"), boot.getString("firmwareVersion"), boot.getString("iccid"),
        boot.getString("imsi"), boot.getString("meterType"), boot.getString("meterSerialNumber"),
        boot.getString("reason"), now, now};
    return write(c -> {
      upsertBoot(c, id, "Protocol = ?, Vendor = ?, Model = ?, SerialNumber = ?, ChargeBoxSerialNumber = ?, "
          + "FirmwareVersion = ?, Iccid = ?, Imsi = ?, MeterType = ?, MeterSerialNumber = ?, BootReason = ?, "
          + "BootTime = ?, LastSeen = ?", values);
      return null;
    });
  }

  /** UPDATEs the ChargePointBoot row, creating it first when missing (for a known charge point only). */
  private static void upsertBoot(WriteConnection c, String id, String assignments, Object... values)
      throws SQLException {
    c.updateCreatingRow("UPDATE ChargePointBoot SET " + assignments + " WHERE ChargePointId = ?", values,
        new Object[] {id}, "INSERT INTO ChargePointBoot (ChargePointId) SELECT ChargePointId FROM ChargePoint "
            + "WHERE ChargePointId = ?");
  }

  // ---------------------------------------------------------------- authorization

  /** Result of authorizing a tag: the verdict and the tag row (null when unknown). */
  public record AuthResult(Authorization.Status status, TagRecord tag) {}

  /** Authorize (no concurrency check): a read, answered without waiting for a commit. */
  public Future<AuthResult> authorize(String tagId) {
    return findTag(tagId).map(tag -> new AuthResult(Authorization.evaluate(tag, Instant.now()), tag));
  }

  private AuthResult authorizeForStart(WriteConnection c, String tagId, boolean denyConcurrentTx)
      throws SQLException {
    TagRecord tag = findTag(c, tagId);
    Authorization.Status status = Authorization.evaluate(tag, Instant.now());
    if (status == Authorization.Status.Accepted && denyConcurrentTx
        && c.first(openWithTag, tagId).getLong(0) > 0) {
      return new AuthResult(Authorization.Status.ConcurrentTx, tag);
    }
    return new AuthResult(status, tag);
  }

  // ---------------------------------------------------------------- transactions (1.6)

  public record StartResult(long transactionId, AuthResult auth, boolean duplicate) {}

  /**
   * Records a 1.6 StartTransaction whatever the tag's verdict (the car may already be charging; the
   * charger decides to stop). A retry (same charger, connector and start time) returns the first id.
   */
  public Future<StartResult> startTransaction(String cpId, int connectorId, String idTag, long meterStartWh,
      String timestamp, Integer reservationId, boolean denyConcurrentTx) {
    String insert = dialect.returningKey("INSERT INTO Transactions (ChargePointId, ConnectorId, StartTagId, StartTime, "
        + "MeterStart, MeterStartWh, StartResult, ReservationId, Protocol) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ocpp1.6')",
        "TransactionId");
    return write(c -> {
      SqlRow existing = c.first("SELECT TransactionId, StartTagId FROM Transactions WHERE ChargePointId = ? "
          + "AND ConnectorId = ? AND StartTime = ? AND Uid IS NULL", cpId, connectorId, timestamp);
      if (existing != null) {
        // a retry is answered exactly as the first time, without the concurrency check it would now fail
        return new StartResult(existing.getLong(0), authorizeForStart(c, idTag, false), true);
      }
      AuthResult auth = authorizeForStart(c, idTag, denyConcurrentTx);
      long id = c.insertReturningKey(insert, cpId, connectorId, idTag, timestamp, meterStartWh / 1000.0,
          (double) meterStartWh, auth.status().name(), reservationId);
      updateConnectorMeter(c, cpId, connectorId, meterStartWh / 1000.0, null, null, timestamp);
      return new StartResult(id, auth, false);
    });
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
    return write(c -> {
      SqlRow tx = c.first("SELECT ConnectorId, StartTagId, StopTime, Uid FROM Transactions WHERE TransactionId = ? "
          + "AND ChargePointId = ?", transactionId, cpId);
      AuthResult auth = null;
      if (idTag != null) {
        TagRecord t = findTag(c, idTag);
        auth = new AuthResult(Authorization.evaluate(t, Instant.now()), t);
      }
      // the charger does not repeat the connector: the transaction's (0, the whole station, if unknown)
      int sampleConnector = tx == null ? 0 : tx.getInteger(0);
      insertSamples(c, cpId, transactionData == null ? null
          : transactionData.stream().map(s -> s.withConnectorId(sampleConnector)).toList());
      if (tx == null) {
        // recorded for the operator in the same commit, whatever the message log level
        insertMessageLog(c, cpId, null, "StopTransaction",
            "UnknownTransaction:ID=" + transactionId + "/Meter=" + meterStopWh + "/Tag=" + idTag, "UnknownTransaction");
        return new StopResult(false, false, auth, false, -1);
      }
      int connectorId = tx.getInteger(0);
      String startTagId = tx.getString(1);
      if (tx.getValue(2) != null) {
        return new StopResult(true, true, auth, true, connectorId);
      }
      boolean allowed = idTag == null
          || Authorization.mayStop(startTagId, findTag(c, startTagId), idTag, auth.tag(), auth.status());
      c.update("UPDATE Transactions SET StopTagId = ?, StopTime = ?, MeterStop = ?, MeterStopWh = ?, StopReason = ?, "
          + "StopResult = ? WHERE TransactionId = ?", idTag, timestamp, meterStopWh / 1000.0, (double) meterStopWh,
          reason, allowed ? "Accepted" : "Invalid", transactionId);
      if (tx.getString(3) != null) {
        c.transactionRows.forget(cpId, tx.getString(3)); // a 2.x transaction stopped by a 1.6 message
      }
      updateConnectorMeter(c, cpId, connectorId, meterStopWh / 1000.0, null, null, timestamp);
      return new StopResult(true, false, auth, allowed, connectorId);
    });
  }

  // ---------------------------------------------------------------- meter values and status

  /** Stores every sample (retries are ignored by key) and updates the connector's live figures. */
  public Future<LiveMeter> meterValues(String cpId, int connectorId, List<MeterSample> samples) {
    LiveMeter live = LiveMeter.of(samples);
    List<MeterValueRows.Row> rows = MeterValueRows.rows(cpId, samples);
    return write(c -> {
      insertRows(c, cpId, rows);
      if (!live.isEmpty()) {
        updateConnectorMeter(c, cpId, connectorId, live.energyKwh(), live.powerKw(), live.soc(), live.timestamp());
      }
      return live;
    });
  }

  /**
   * Stores a message's samples as {@link MeterValueRows} rows; a charger's retry of the message is
   * skipped. Uniqueness is on KeyHash: a row the index turned away is a retry when the stored row
   * has the same identity (charge point and sample keys), and otherwise a hash collision, stored
   * under the next free key.
   */
  void insertSamples(WriteConnection c, String cpId, List<MeterSample> samples) throws SQLException {
    insertRows(c, cpId, MeterValueRows.rows(cpId, samples));
  }

  void insertRows(WriteConnection c, String cpId, List<MeterValueRows.Row> rows) throws SQLException {
    meterIndex.stored(rows.size());
    for (MeterValueRows.Row r : rows) {
      Object[] row = {cpId, r.connectorId(), r.transactionId(), r.timestamp(), r.keyHash(), r.samples()};
      if (c.update(insertMeterValue, row) == 0) {
        insertUnlessStored(c, row, r.identity());
      }
    }
  }

  /** The slow path of a turned-away row: probe key, key + 1, ... until its identity or a free key is found. */
  private void insertUnlessStored(WriteConnection c, Object[] row, String identity) throws SQLException {
    for (long hash = (Long) row[HASH]; ; hash = (hash + 1) & Long.MAX_VALUE) {
      SqlRow stored = c.first("SELECT ChargePointId, ConnectorId, TransactionId, Samples FROM MeterValue "
          + "WHERE KeyHash = ?", hash);
      if (stored == null) {
        row[HASH] = hash;
        c.update(insertMeterValue, row);
        return;
      }
      List<MeterSample> storedSamples = MeterValueRows.decode(stored.getString(3), stored.getInteger(1),
          stored.getLong(2));
      if (identity.equals(MeterValueRows.identity(stored.getString(0), storedSamples))) {
        return; // a retry
      }
    }
  }

  /** Updates the live columns given (nulls keep the old value), creating the connector row if needed. */
  void updateConnectorMeter(WriteConnection c, String cpId, int connectorId, Double energyKwh, Double powerKw,
      Double soc, String time) throws SQLException {
    updateConnector(c, cpId, connectorId, "LastMeter = COALESCE(?, LastMeter), "
        + "LastMeterTime = COALESCE(?, LastMeterTime), LastPowerKw = COALESCE(?, LastPowerKw), "
        + "LastSoc = COALESCE(?, LastSoc)", energyKwh, energyKwh == null ? null : time, powerKw, soc);
  }

  /** UPDATEs a ConnectorStatus row, creating it first when missing. */
  static void updateConnector(WriteConnection c, String cpId, int connectorId, String assignments, Object... values)
      throws SQLException {
    c.updateCreatingRow("UPDATE ConnectorStatus SET " + assignments + " WHERE ChargePointId = ? AND ConnectorId = ?",
        values, new Object[] {cpId, connectorId}, "INSERT INTO ConnectorStatus (ChargePointId, ConnectorId) VALUES (?, ?)");
  }

  /** A status report: the connector's current status and a history row. */
  public record StatusReport(int connectorId, String ocppStatus, String summaryStatus, String errorCode, String info,
      String vendorId, String vendorErrorCode, String statusTime) {}

  public Future<Void> statusNotification(String cpId, StatusReport s) {
    String now = Times.now();
    return write(c -> {
      updateConnector(c, cpId, s.connectorId(), "LastStatus = ?, LastStatusTime = ?, OcppStatus = ?, ErrorCode = ?, "
          + "Info = ?, VendorId = ?, VendorErrorCode = ?", s.summaryStatus(), s.statusTime(), s.ocppStatus(),
          s.errorCode(), s.info(), s.vendorId(), s.vendorErrorCode());
      c.update("INSERT INTO StatusHistory (ChargePointId, ConnectorId, Status, ErrorCode, Info, VendorId, "
          + "VendorErrorCode, StatusTime, ReceivedTime) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", cpId, s.connectorId(),
          s.ocppStatus(), s.errorCode(), s.info(), s.vendorId(), s.vendorErrorCode(), s.statusTime(), now);
      return null;
    });
  }

  // ---------------------------------------------------------------- notifications and logs

  /** Stores a notification a charger sends about itself (firmware, diagnostics, log upload, data transfer). */
  public Future<Void> chargerEvent(String cpId, String action, String status, Integer requestId, JsonObject detail) {
    String now = Times.now();
    return write(c -> {
      c.update("INSERT INTO ChargerEvent (ChargePointId, Action, Status, RequestId, Detail, ReceivedTime) "
          + "VALUES (?, ?, ?, ?, ?, ?)", cpId, action, status, requestId, detail == null ? null : detail.encode(), now);
      return null;
    });
  }

  public Future<Void> securityEvent(String cpId, String type, String timestamp, String techInfo) {
    String now = Times.now();
    return write(c -> {
      c.update("INSERT INTO SecurityEvent (ChargePointId, Type, Timestamp, TechInfo, ReceivedTime) "
          + "VALUES (?, ?, ?, ?, ?)", cpId, type, timestamp, techInfo, now);
      return null;
    });
  }

  /** One MessageLog row (OCPP.Core's table); callers decide by the configured level whether to log. */
  public Future<Void> messageLog(String cpId, Integer connectorId, String message, String result, String errorCode) {
    return write(c -> {
      insertMessageLog(c, cpId, connectorId, message, result, errorCode);
      return null;
    });
  }

  private static void insertMessageLog(WriteConnection c, String cpId, Integer connectorId, String message,
      String result, String errorCode) throws SQLException {
    String r = result != null && result.length() > 4000 ? result.substring(0, 4000) : result;
    c.update("INSERT INTO MessageLog (LogTime, ChargePointId, ConnectorId, Message, Result, ErrorCode) "
        + "VALUES (?, ?, ?, ?, ?, ?)", Times.now(), cpId, connectorId, message, r, errorCode);
  }
}
