package org.ocppcore.store;

import io.vertx.core.Future;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
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
      + "RemoteStartId, ChargingState, TimeSpentCharging, FirstSeqNo, LastSeqNo, SeqNoGaps, OfflineEvents, Protocol, "
      + "StartedSeqNo";
  /** The row's columns no index covers; the indexed ones are added only when they changed ({@link #update}). */
  private static final String UNINDEXED_ASSIGNMENTS = "EvseConnectorId = ?, IdTokenType = ?, MeterStart = ?, "
      + "MeterStartWh = ?, StartResult = ?, ReservationId = ?, StopTagId = ?, MeterStop = ?, MeterStopWh = ?, "
      + "StopReason = ?, StopResult = ?, RemoteStartId = ?, ChargingState = ?, TimeSpentCharging = ?, FirstSeqNo = ?, "
      + "LastSeqNo = ?, SeqNoGaps = ?, OfflineEvents = ?, Protocol = ?, StartedSeqNo = ?";
  private static final String UPDATE = "UPDATE Transactions SET " + UNINDEXED_ASSIGNMENTS + " WHERE TransactionId = ?";
  private static final String UPDATE_WITH_INDEXED = "UPDATE Transactions SET " + UNINDEXED_ASSIGNMENTS
      + ", ConnectorId = ?, StartTagId = ?, StartTime = ?, StopTime = ? WHERE TransactionId = ?";
  /** A transaction's events, as a condition on EventId (parameters: the transaction id, twice). */
  private static final String EVENTS_OF_TRANSACTION = BulkTransactionIndex.TRANSACTION_EVENTS.rowsOfTransaction;

  private final Store store;
  private final Dialect dialect;
  /** Whether rows are remembered between events ({@link TransactionRows}: only with one writer). */
  private final boolean rememberRows;
  private final String openWithTag;
  private final String insert;

  public TransactionStore(Store store) {
    this.store = store;
    this.dialect = store.dialect();
    this.rememberRows = dialect.onlyOneWriter();
    this.openWithTag = "SELECT COUNT(*) FROM Transactions WHERE " + dialect.equalsIgnoreCase("StartTagId")
        + " AND StopTime IS NULL AND TransactionId <> ?";
    this.insert = dialect.returningKey("INSERT INTO Transactions (ChargePointId, Uid, ConnectorId, StartTime, Protocol, "
        + "OfflineEvents) VALUES (?, ?, ?, ?, ?, 0)", "TransactionId");
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
    /** The seqNo of the (first) Started event received; null while none was. */
    public Integer startedSeqNo;

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
      t.startedSeqNo = startedSeqNo;
      t.protocol = protocol;
      return t;
    }
  }

  /** A stored TransactionEvent row (what a rebuild replays). */
  public record StoredEvent(int seqNo, String eventType, String timestamp, boolean offline, String idToken,
      String payload) {}

  /** The 2.x transaction of this charger with this transactionId, or null. */
  public Tx find(WriteConnection c, String cpId, String uid) throws SQLException {
    Tx remembered = rememberRows ? c.transactionRows.get(cpId, uid) : null;
    if (remembered != null) {
      return remembered;
    }
    SqlRow r = c.first("SELECT " + TX_COLUMNS + " FROM Transactions WHERE ChargePointId = ? AND Uid = ?", cpId, uid);
    if (r == null) {
      return null;
    }
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
    t.startedSeqNo = r.getInteger(22);
    if (rememberRows) {
      c.transactionRows.put(cpId, uid, t);
    }
    return t;
  }

  /** Creates the row with what is known before the rebuild; returns the integer TransactionId. */
  public long insert(WriteConnection c, String cpId, String uid, int connectorId, String startTime, String protocol)
      throws SQLException {
    return c.insertReturningKey(insert, cpId, uid, connectorId, startTime, protocol);
  }

  /**
   * Writes the rebuilt row. The indexed columns (ConnectorId, StartTagId, StartTime, StopTime) are
   * assigned only when one of them changed: SQLite rewrites an index's entry whenever the UPDATE
   * assigns one of its columns, even to the value it has (measured: twice the WAL per update with
   * one index), and most events (Updated, periodic) change none of them.
   *
   * @param before the row as read (a new, empty {@link Tx} when this op created it)
   * @param t the row to write; a copy is remembered as written
   */
  public void update(WriteConnection c, String cpId, String uid, Tx before, Tx t) throws SQLException {
    boolean indexedChanged = before.connectorId != t.connectorId || !Objects.equals(before.startTagId, t.startTagId)
        || !Objects.equals(before.startTime, t.startTime) || !Objects.equals(before.stopTime, t.stopTime);
    Object[] columns = {t.evseConnectorId, t.idTokenType, kwh(t.meterStartWh), t.meterStartWh, t.startResult,
        t.reservationId, t.stopTagId, kwh(t.meterStopWh), t.meterStopWh, t.stopReason, t.stopResult, t.remoteStartId,
        t.chargingState, t.timeSpentCharging, t.firstSeqNo, t.lastSeqNo, t.seqNoGaps, t.offlineEvents, t.protocol,
        t.startedSeqNo};
    Object[] args = indexedChanged
        ? concat(columns, t.connectorId, t.startTagId, t.startTime, t.stopTime, t.id)
        : concat(columns, t.id);
    c.update(indexedChanged ? UPDATE_WITH_INDEXED : UPDATE, args);
    if (rememberRows) {
      c.transactionRows.put(cpId, uid, t);
    }
  }

  private static Object[] concat(Object[] head, Object... tail) {
    Object[] out = Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, out, head.length, tail.length);
    return out;
  }

  private static Double kwh(Double wh) {
    return wh == null ? null : wh / 1000.0;
  }

  /** Whether the transaction has an event with this seqNo stored (a charger's retry). */
  public boolean hasEvent(WriteConnection c, long transactionId, int seqNo) throws SQLException {
    return c.first("SELECT 1 FROM TransactionEvent WHERE " + EVENTS_OF_TRANSACTION + " AND SeqNo = ?", transactionId,
        transactionId, seqNo) != null;
  }

  public void insertEvent(WriteConnection c, String cpId, String uid, long transactionId, int seqNo,
      String eventType, String triggerReason, String timestamp, boolean offline, String idToken, String payload)
      throws SQLException {
    c.update("INSERT INTO TransactionEvent (ChargePointId, Uid, TransactionId, SeqNo, EventType, TriggerReason, "
        + "Timestamp, Offline, IdToken, Payload, ReceivedTime) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", cpId, uid,
        transactionId, seqNo, eventType, triggerReason, timestamp, offline ? 1 : 0, idToken, payload, Times.now());
    store.eventIndex().stored(1);
  }

  /** Every stored event of a transaction, by seqNo. */
  public List<StoredEvent> events(WriteConnection c, long transactionId) throws SQLException {
    List<StoredEvent> out = new ArrayList<>();
    for (SqlRow r : c.query("SELECT SeqNo, EventType, Timestamp, Offline, IdToken, Payload FROM TransactionEvent "
        + "WHERE " + EVENTS_OF_TRANSACTION + " ORDER BY SeqNo", transactionId, transactionId)) {
      out.add(new StoredEvent(r.getInteger(0), r.getString(1), r.getString(2), Store.bool(r.getValue(3)),
          r.getString(4), r.getString(5)));
    }
    return out;
  }

  public TagRecord findTag(WriteConnection c, String tagId) throws SQLException {
    return store.findTag(c, tagId);
  }

  /** Whether another open transaction (any charger, any protocol) was started with this tag. */
  public boolean otherOpenTransactionWithTag(WriteConnection c, String tagId, long exceptTransactionId)
      throws SQLException {
    return c.first(openWithTag, tagId, exceptTransactionId).getLong(0) > 0;
  }

  /** Stores an event's samples, a retried message being ignored (the same insert as 1.6). */
  public void insertSamples(WriteConnection c, String cpId, List<MeterSample> samples) throws SQLException {
    store.insertSamples(c, cpId, samples);
  }

  /** Gives the samples stored before the transaction's EVSE was known (events out of order) that EVSE. */
  public void assignSamplesToEvse(WriteConnection c, long transactionId, int evseId) throws SQLException {
    c.update("UPDATE MeterValue SET ConnectorId = ? WHERE ConnectorId = 0 AND " + BulkTransactionIndex.METER_VALUES.rowsOfTransaction,
        evseId, transactionId, transactionId);
  }

  /** Updates the connector's live figures (nulls keep the old value), creating its row if needed. */
  public void updateConnectorMeter(WriteConnection c, String cpId, int connectorId, Double energyKwh, Double powerKw,
      Double soc, String time) throws SQLException {
    store.updateConnectorMeter(c, cpId, connectorId, energyKwh, powerKw, soc, time);
  }
}
