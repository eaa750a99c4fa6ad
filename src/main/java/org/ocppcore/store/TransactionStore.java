package org.ocppcore.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.ocppcore.domain.MeterSample;
import org.ocppcore.domain.TagRecord;
import org.ocppcore.domain.Times;

/**
 * The SQL of OCPP 2.x transactions (TransactionEvent). Every method works on the connection of a
 * {@link WriteOp}, so that one event's reads and writes run in one group commit: the caller
 * composes them into a single op and sends it with {@link Store#write}. A 2.x transaction is the
 * Transactions row keyed by (ChargePointId, Uid); 1.6 rows (Uid NULL) are never touched here.
 */
public final class TransactionStore {
  private static final String TX_COLUMNS = "TransactionId, ConnectorId, EvseConnectorId, StartTagId, IdTokenType, "
      + "StartTime, MeterStartWh, StartResult, ReservationId, StopTagId, StopTime, MeterStopWh, StopReason, StopResult, "
      + "RemoteStartId, ChargingState, TimeSpentCharging, FirstSeqNo, LastSeqNo, SeqNoGaps, OfflineEvents, Protocol";

  private final Store store;
  private final Dialect dialect;
  private final String openWithTag;

  public TransactionStore(Store store) {
    this.store = store;
    this.dialect = store.dialect();
    this.openWithTag = "SELECT COUNT(*) FROM Transactions WHERE " + dialect.equalsIgnoreCase("StartTagId")
        + " AND StopTime IS NULL AND TransactionId <> ?";
  }

  /** Runs the op in the next group commit (see {@link Store#write}). */
  public <T> Future<T> write(WriteOp<T> op) {
    return store.write(op);
  }

  /** A 2.x Transactions row, as read and as written back (mutable: the rebuild fills it in). */
  public static final class Tx {
    public long id;
    public int connectorId;
    public Integer evseConnectorId;
    public String startTagId;
    public String idTokenType;
    public String startTime;
    public Double meterStartWh;
    public String startResult;
    public Integer reservationId;
    public String stopTagId;
    public String stopTime;
    public Double meterStopWh;
    public String stopReason;
    public String stopResult;
    public Integer remoteStartId;
    public String chargingState;
    public Integer timeSpentCharging;
    public Integer firstSeqNo;
    public Integer lastSeqNo;
    public String seqNoGaps;
    public int offlineEvents;
    public String protocol;

    public Tx copy() {
      Tx t = new Tx();
      t.id = id;
      t.connectorId = connectorId;
      t.evseConnectorId = evseConnectorId;
      t.startTagId = startTagId;
      t.idTokenType = idTokenType;
      t.startTime = startTime;
      t.meterStartWh = meterStartWh;
      t.startResult = startResult;
      t.reservationId = reservationId;
      t.stopTagId = stopTagId;
      t.stopTime = stopTime;
      t.meterStopWh = meterStopWh;
      t.stopReason = stopReason;
      t.stopResult = stopResult;
      t.remoteStartId = remoteStartId;
      t.chargingState = chargingState;
      t.timeSpentCharging = timeSpentCharging;
      t.firstSeqNo = firstSeqNo;
      t.lastSeqNo = lastSeqNo;
      t.seqNoGaps = seqNoGaps;
      t.offlineEvents = offlineEvents;
      t.protocol = protocol;
      return t;
    }
  }

  /** A stored TransactionEvent row (what a rebuild replays). */
  public record StoredEvent(int seqNo, String eventType, String timestamp, boolean offline, String idToken,
      String payload) {}

  /** The 2.x transaction of this charger with this transactionId, or null. */
  public Future<Tx> find(SqlConnection c, String cpId, String uid) {
    return c.preparedQuery("SELECT " + TX_COLUMNS + " FROM Transactions WHERE ChargePointId = ? AND Uid = ?")
        .execute(Tuple.of(cpId, uid))
        .map(rows -> {
          for (Row r : rows) {
            Tx t = new Tx();
            t.id = r.getLong(0);
            t.connectorId = r.getInteger(1) == null ? 0 : r.getInteger(1);
            t.evseConnectorId = r.getInteger(2);
            t.startTagId = r.getString(3);
            t.idTokenType = r.getString(4);
            t.startTime = r.getString(5);
            t.meterStartWh = r.getDouble(6);
            t.startResult = r.getString(7);
            t.reservationId = r.getInteger(8);
            t.stopTagId = r.getString(9);
            t.stopTime = r.getString(10);
            t.meterStopWh = r.getDouble(11);
            t.stopReason = r.getString(12);
            t.stopResult = r.getString(13);
            t.remoteStartId = r.getInteger(14);
            t.chargingState = r.getString(15);
            t.timeSpentCharging = r.getInteger(16);
            t.firstSeqNo = r.getInteger(17);
            t.lastSeqNo = r.getInteger(18);
            t.seqNoGaps = r.getString(19);
            t.offlineEvents = r.getInteger(20) == null ? 0 : r.getInteger(20);
            t.protocol = r.getString(21);
            return t;
          }
          return null;
        });
  }

  /** Creates the row with what is known before the rebuild; returns the integer TransactionId. */
  public Future<Long> insert(SqlConnection c, String cpId, String uid, int connectorId, String startTime,
      String protocol) {
    String insert = dialect.returningKey("INSERT INTO Transactions (ChargePointId, Uid, ConnectorId, StartTime, "
        + "Protocol, OfflineEvents) VALUES (?, ?, ?, ?, ?, 0)", "TransactionId");
    return c.preparedQuery(insert).execute(Tuple.of(cpId, uid, connectorId, startTime, protocol))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** Writes every rebuilt column of the row. */
  public Future<Void> update(SqlConnection c, Tx t) {
    Tuple v = Tuple.tuple()
        .addValue(t.connectorId).addValue(t.evseConnectorId).addValue(t.startTagId).addValue(t.idTokenType)
        .addValue(t.startTime).addValue(kwh(t.meterStartWh)).addValue(t.meterStartWh).addValue(t.startResult)
        .addValue(t.reservationId).addValue(t.stopTagId).addValue(t.stopTime).addValue(kwh(t.meterStopWh))
        .addValue(t.meterStopWh).addValue(t.stopReason).addValue(t.stopResult).addValue(t.remoteStartId)
        .addValue(t.chargingState).addValue(t.timeSpentCharging).addValue(t.firstSeqNo).addValue(t.lastSeqNo)
        .addValue(t.seqNoGaps).addValue(t.offlineEvents).addValue(t.protocol).addValue(t.id);
    return c.preparedQuery("UPDATE Transactions SET ConnectorId = ?, EvseConnectorId = ?, StartTagId = ?, "
            + "IdTokenType = ?, StartTime = ?, MeterStart = ?, MeterStartWh = ?, StartResult = ?, ReservationId = ?, "
            + "StopTagId = ?, StopTime = ?, MeterStop = ?, MeterStopWh = ?, StopReason = ?, StopResult = ?, "
            + "RemoteStartId = ?, ChargingState = ?, TimeSpentCharging = ?, FirstSeqNo = ?, LastSeqNo = ?, "
            + "SeqNoGaps = ?, OfflineEvents = ?, Protocol = ? WHERE TransactionId = ?")
        .execute(v).mapEmpty();
  }

  private static Double kwh(Double wh) {
    return wh == null ? null : wh / 1000.0;
  }

  /** Whether an event with this seqNo was already stored (a charger's retry). */
  public Future<Boolean> hasEvent(SqlConnection c, String cpId, String uid, int seqNo) {
    return c.preparedQuery("SELECT 1 FROM TransactionEvent WHERE ChargePointId = ? AND Uid = ? AND SeqNo = ?")
        .execute(Tuple.of(cpId, uid, seqNo)).map(rows -> rows.size() > 0);
  }

  /** Whether a Started event of this transaction was stored. */
  public Future<Boolean> hasStartedEvent(SqlConnection c, String cpId, String uid) {
    return c.preparedQuery("SELECT COUNT(*) FROM TransactionEvent WHERE ChargePointId = ? AND Uid = ? "
            + "AND EventType = 'Started'")
        .execute(Tuple.of(cpId, uid)).map(rows -> rows.iterator().next().getLong(0) > 0);
  }

  public Future<Void> insertEvent(SqlConnection c, String cpId, String uid, long transactionId, int seqNo,
      String eventType, String triggerReason, String timestamp, boolean offline, String idToken, String payload) {
    return c.preparedQuery("INSERT INTO TransactionEvent (ChargePointId, Uid, TransactionId, SeqNo, EventType, "
            + "TriggerReason, Timestamp, Offline, IdToken, Payload, ReceivedTime) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .execute(Tuple.tuple().addValue(cpId).addValue(uid).addValue(transactionId).addValue(seqNo)
            .addValue(eventType).addValue(triggerReason).addValue(timestamp).addValue(offline ? 1 : 0)
            .addValue(idToken).addValue(payload).addValue(Times.now()))
        .mapEmpty();
  }

  /** Every stored event of a transaction, by seqNo. */
  public Future<List<StoredEvent>> events(SqlConnection c, String cpId, String uid) {
    return c.preparedQuery("SELECT SeqNo, EventType, Timestamp, Offline, IdToken, Payload FROM TransactionEvent "
            + "WHERE ChargePointId = ? AND Uid = ? ORDER BY SeqNo")
        .execute(Tuple.of(cpId, uid))
        .map(rows -> {
          List<StoredEvent> out = new ArrayList<>(rows.size());
          for (Row r : rows) {
            out.add(new StoredEvent(r.getInteger(0), r.getString(1), r.getString(2), bool(r.getValue(3)),
                r.getString(4), r.getString(5)));
          }
          return out;
        });
  }

  public Future<TagRecord> findTag(SqlConnection c, String tagId) {
    return store.findTag(c, tagId);
  }

  /** Whether another open transaction (any charger, any protocol) was started with this tag. */
  public Future<Boolean> otherOpenTransactionWithTag(SqlConnection c, String tagId, long exceptTransactionId) {
    return c.preparedQuery(openWithTag).execute(Tuple.of(tagId, exceptTransactionId))
        .map(rows -> rows.iterator().next().getLong(0) > 0);
  }

  /** Stores samples, a retried reading being ignored by its key (the same insert as 1.6). */
  public Future<Void> insertSamples(SqlConnection c, String cpId, List<MeterSample> samples) {
    return store.insertSamples(c, cpId, samples);
  }

  /** Gives the samples stored before the transaction's EVSE was known (events out of order) that EVSE. */
  public Future<Void> assignSamplesToEvse(SqlConnection c, long transactionId, int evseId) {
    return c.preparedQuery("UPDATE MeterSample SET ConnectorId = ? WHERE TransactionId = ? AND ConnectorId = 0")
        .execute(Tuple.of(evseId, transactionId)).mapEmpty();
  }

  /** Updates the connector's live figures (nulls keep the old value), creating its row if needed. */
  public Future<Void> updateConnectorMeter(SqlConnection c, String cpId, int connectorId, Double energyKwh,
      Double powerKw, Double soc, String time) {
    return store.updateConnectorMeter(c, cpId, connectorId, energyKwh, powerKw, soc, time);
  }

  private static boolean bool(Object v) {
    return Store.bool(v);
  }
}
