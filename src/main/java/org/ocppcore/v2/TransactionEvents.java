package org.ocppcore.v2;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.ocppcore.app.Addresses;
import org.ocppcore.app.Config;
import org.ocppcore.app.MeterEventRelay;
import org.ocppcore.domain.Authorization;
import org.ocppcore.domain.LiveMeter;
import org.ocppcore.domain.MeterSample;
import org.ocppcore.domain.TagRecord;
import org.ocppcore.domain.Times;
import org.ocppcore.ocpp.ProtocolHandler;
import org.ocppcore.store.Store;
import org.ocppcore.store.TransactionStore;
import org.ocppcore.store.WriteConnection;
import org.ocppcore.store.TransactionStore.Tx;

/**
 * OCPP 2.0.1/2.1 TransactionEvent: one transaction per (charger, transactionId), rebuilt from its events.
 *
 * <p>Every event is stored (once per seqNo: a retry changes nothing and gets the same answer) and
 * folded into the Transactions row in seqNo order, whatever order the events arrive in:
 * <ul>
 *   <li>the first event of any type creates the row; an Ended-only transaction is created closed;
 *   <li>evse, evse connector, remoteStartId, reservationId: from the first event (by seqNo) that has them;
 *   <li>the first idToken is the start token (also when it only comes in an Updated: "cable first");
 *       the token of an Ended event is the stop token;
 *   <li>chargingState, timeSpentCharging: the latest (by seqNo) event that has them;
 *   <li>StartTime: the Started event's timestamp, else the earliest event's; StopTime/StopReason: the
 *       Ended event's timestamp and {@code stoppedReason} ("Local" when omitted, as the spec allows);
 *   <li>MeterStartWh: the Transaction.Begin energy register reading, else the earliest event's reading
 *       (an end reading is never a start); MeterStopWh: the Transaction.End reading, else the latest
 *       event's (a begin reading is never a stop); NULL while unknown, never a sentinel;
 *   <li>FirstSeqNo, LastSeqNo, SeqNoGaps ("3,5-7"), OfflineEvents and StartedSeqNo (the Started
 *       event's, null while none came) describe what was received.
 * </ul>
 * An event that arrives in seqNo order is folded into the row as it is; one that arrives late (or
 * would change what an earlier event decided) makes the row be rebuilt from all stored events.
 * All of one event's writes are one {@link org.ocppcore.store.WriteOp}: the answer leaves after the commit.
 */
public final class TransactionEvents {
  /** SeqNoGaps fits the SQL Server column (NVARCHAR(400)); the events themselves are all stored. */
  static final int MAX_GAPS_TEXT = 400;
  private static final String ENERGY = "Energy.Active.Import.Register";

  private final Vertx vertx;
  private final Store store;
  private final TransactionStore txStore;
  private final boolean denyConcurrentTx;
  private final MeterEventRelay meterEvents;
  /** Whether a seqNo the row calls missing or new is confirmed by the events (see {@link #process}). */
  private final boolean confirmMissing;

  public TransactionEvents(Vertx vertx, Store store, Config config, MeterEventRelay meterEvents) {
    this.vertx = vertx;
    this.meterEvents = meterEvents;
    this.store = store;
    this.txStore = new TransactionStore(store);
    this.denyConcurrentTx = config.bool("ocpp.denyConcurrentTx");
    this.confirmMissing = !store.dialect().onlyOneWriter();
  }

  // ------------------------------------------------------------------ the event as received

  /** What one TransactionEvent says, with the spec's defaults applied. */
  record Event(String eventType, String timestamp, String triggerReason, int seqNo, boolean offline, String uid,
      String chargingState, Integer timeSpentCharging, String stoppedReason, Integer remoteStartId,
      Integer reservationId, Integer evseId, Integer evseConnectorId, boolean hasIdToken, String token,
      String tokenType, Double firstWh, Double lastWh, Double beginWh, Double endWh, List<MeterSample> samples) {

    static Event parse(JsonObject p, boolean cutTagAtUnderscore) {
      JsonObject idToken = p.getJsonObject("idToken");
      String token = idToken == null ? null
          : Authorization.cleanTag(idToken.getString("idToken"), cutTagAtUnderscore);
      return parse(p, idToken != null, token == null || token.isBlank() ? null : token);
    }

    /** @param token the (cleaned, non-blank) token, as stored in TransactionEvent.IdToken */
    static Event parse(JsonObject p, boolean hasIdToken, String token) {
      JsonObject info = p.getJsonObject("transactionInfo", new JsonObject());
      JsonObject evse = p.getJsonObject("evse");
      JsonObject idToken = p.getJsonObject("idToken");
      // flattened once, off the writer; the writer only gives them their connector and transaction
      List<MeterSample> samples = V2Handler.samples(0, null, p.getJsonArray("meterValue"));
      Double firstWh = null;
      Double lastWh = null;
      Double beginWh = null;
      Double endWh = null;
      String firstTime = null;
      String lastTime = null;
      for (MeterSample s : samples) {
        Double wh = energyWh(s);
        if (wh == null) {
          continue;
        }
        // an end reading says nothing about the start, a begin reading nothing about the end
        if (!"Transaction.End".equals(s.context()) && (firstTime == null || s.timestamp().compareTo(firstTime) < 0)) {
          firstTime = s.timestamp();
          firstWh = wh;
        }
        if (!"Transaction.Begin".equals(s.context()) && (lastTime == null || s.timestamp().compareTo(lastTime) >= 0)) {
          lastTime = s.timestamp();
          lastWh = wh;
        }
        if ("Transaction.Begin".equals(s.context()) && beginWh == null) {
          beginWh = wh;
        }
        if ("Transaction.End".equals(s.context())) {
          endWh = wh;
        }
      }
      return new Event(p.getString("eventType"), Times.normalize(p.getString("timestamp")),
          p.getString("triggerReason"), p.getInteger("seqNo"), p.getBoolean("offline", false),
          info.getString("transactionId"), info.getString("chargingState"), info.getInteger("timeSpentCharging"),
          info.getString("stoppedReason"), info.getInteger("remoteStartId"), p.getInteger("reservationId"),
          evse == null ? null : evse.getInteger("id"), evse == null ? null : evse.getInteger("connectorId"),
          hasIdToken, token, idToken == null ? null : idToken.getString("type"), firstWh, lastWh, beginWh, endWh,
          samples);
    }

    boolean started() {
      return "Started".equals(eventType);
    }

    boolean ended() {
      return "Ended".equals(eventType);
    }

    boolean hasEnergy() {
      return firstWh != null || lastWh != null;
    }
  }

  /** The register reading of a sample in Wh, or null when it is not the (phase-less) import register. */
  private static Double energyWh(MeterSample s) {
    if (!ENERGY.equals(s.measurand()) || s.phase() != null || s.numericValue() == null) {
      return null;
    }
    if (s.unit() == null || "Wh".equals(s.unit())) {
      return s.numericValue();
    }
    return "kWh".equals(s.unit()) ? s.numericValue() * 1000.0 : null;
  }

  // ------------------------------------------------------------------ folding events into the row

  /** The row being rebuilt plus what the row alone cannot tell about where its values came from. */
  static final class State {
    final Tx tx;
    boolean startFromBegin;
    boolean stopFromEnd;

    State(Tx tx) {
      this.tx = tx;
    }
  }

  /** Folds one event into the state; events must be applied in seqNo order. */
  static void apply(State s, Event e) {
    Tx t = s.tx;
    if (e.evseId() != null && e.evseId() > 0 && t.connectorId <= 0) {
      t.connectorId = e.evseId();
    }
    if (e.evseConnectorId() != null && t.evseConnectorId == null) {
      t.evseConnectorId = e.evseConnectorId();
    }
    if (e.token() != null) {
      if (t.startTagId == null) {
        t.startTagId = e.token();
        t.idTokenType = e.tokenType();
      }
      if (e.ended()) {
        t.stopTagId = e.token();
      }
    }
    if (e.remoteStartId() != null && t.remoteStartId == null) {
      t.remoteStartId = e.remoteStartId();
    }
    if (e.reservationId() != null && t.reservationId == null) {
      t.reservationId = e.reservationId();
    }
    if (e.chargingState() != null) {
      t.chargingState = e.chargingState();
    }
    if (e.timeSpentCharging() != null) {
      t.timeSpentCharging = e.timeSpentCharging();
    }
    if (e.started()) {
      if (t.startedSeqNo == null) {
        t.startTime = e.timestamp();
        t.startedSeqNo = e.seqNo();
      }
    } else if (t.startedSeqNo == null && (t.startTime == null || e.timestamp().compareTo(t.startTime) < 0)) {
      t.startTime = e.timestamp();
    }
    if (e.ended()) {
      t.stopTime = e.timestamp();
      t.stopReason = e.stoppedReason() != null ? e.stoppedReason() : "Local";
    }
    if (e.beginWh() != null && !s.startFromBegin) {
      t.meterStartWh = e.beginWh();
      s.startFromBegin = true;
    } else if (t.meterStartWh == null && e.firstWh() != null) {
      t.meterStartWh = e.firstWh();
    }
    if (e.endWh() != null) {
      t.meterStopWh = e.endWh();
      s.stopFromEnd = true;
    } else if (!s.stopFromEnd && e.lastWh() != null) {
      t.meterStopWh = e.lastWh();
    }
  }

  /**
   * Whether an event that arrives in seqNo order may still change what the row cannot re-decide
   * by itself (which reading was a Transaction.Begin one, events after the end): then the
   * transaction is rebuilt from all its events instead of folding this one in.
   */
  private static boolean needsReplay(Tx before, Event e) {
    return e.started()
        || (e.beginWh() != null && before.meterStartWh != null)
        || (before.stopTime != null && (e.ended() || e.hasEnergy()));
  }

  // ------------------------------------------------------------------ seqNo bookkeeping

  /** Missing numbers between the lowest and the highest seqNo, e.g. "3,5-7"; null when none. */
  static String gaps(List<Integer> sortedSeqNos) {
    String text = null;
    for (int i = 1; i < sortedSeqNos.size(); i++) {
      int a = sortedSeqNos.get(i - 1);
      int b = sortedSeqNos.get(i);
      if (b > a + 1) {
        text = appendGap(text, a + 1, b - 1);
      }
    }
    return text;
  }

  /** Adds the range from..to to a gap text (kept within {@link #MAX_GAPS_TEXT}, ending in "..." when cut). */
  static String appendGap(String gaps, int from, int to) {
    if (from > to || (gaps != null && gaps.endsWith("..."))) {
      return gaps;
    }
    String range = from == to ? Integer.toString(from) : from + "-" + to;
    String text = gaps == null ? range : gaps + "," + range;
    if (text.length() <= MAX_GAPS_TEXT) {
      return text;
    }
    int cut = text.lastIndexOf(',', MAX_GAPS_TEXT - 4);
    return (cut > 0 ? text.substring(0, cut) : "") + ",...";
  }

  /**
   * Whether an event with this seqNo is stored, from the row's FirstSeqNo, LastSeqNo and SeqNoGaps,
   * which describe exactly the stored events; null when the row cannot tell (no seqNo recorded, or
   * a seqNo past the point where SeqNoGaps was cut short).
   */
  static Boolean received(Tx row, int seqNo) {
    if (row.firstSeqNo == null || row.lastSeqNo == null) {
      return null;
    }
    if (seqNo < row.firstSeqNo || seqNo > row.lastSeqNo) {
      return false;
    }
    if (row.seqNoGaps == null || seqNo == row.firstSeqNo || seqNo == row.lastSeqNo) {
      return true; // the lowest and the highest are stored by definition (the usual retry is of the last)
    }
    // the ranges are ascending ("3,5-7"); one cut short ends in "..."
    for (String range : row.seqNoGaps.split(",")) {
      if (range.equals("...")) {
        return null;
      }
      int dash = range.indexOf('-');
      int from = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
      int to = dash < 0 ? from : Integer.parseInt(range.substring(dash + 1));
      if (seqNo < from) {
        return true;
      }
      if (seqNo <= to) {
        return false;
      }
    }
    return true;
  }

  // ------------------------------------------------------------------ handling

  /** What the op decided, for the answer, the log and the published events. */
  record Outcome(Tx tx, boolean created, boolean duplicate, boolean replayed, boolean announced,
      JsonObject idTokenInfo, LiveMeter live) {}

  /** Answers one TransactionEventRequest after what it reports is committed. */
  public Future<JsonObject> handle(ProtocolHandler.StationContext station, JsonObject request) {
    String cp = station.chargePointId();
    Event e;
    try {
      e = Event.parse(request, station.cutTagAtUnderscore());
    } catch (RuntimeException ex) {
      return Future.failedFuture(ex);
    }
    JsonObject idToken = request.getJsonObject("idToken");
    String protocol = station.version().subprotocol();
    String payload = station.payloadText(); // stored as received: no second encoding
    return txStore.write(c -> process(c, cp, protocol, e, idToken, payload)).map(o -> {
      Tx t = o.tx();
      Integer connector = t != null && t.connectorId > 0 ? t.connectorId : null;
      if (station.logs("TransactionEvent")) {
        station.log(connector, "TransactionEvent", summary(e, o), null);
      }
      if (!o.duplicate() && t != null) {
        if (o.announced()) {
          publish(cp, e, o);
        }
        meterEvents.offer(cp, t.connectorId, t.id, o.live());
      }
      JsonObject answer = new JsonObject();
      if (o.idTokenInfo() != null) {
        answer.put("idTokenInfo", o.idTokenInfo());
      }
      return answer;
    });
  }

  private Outcome process(WriteConnection c, String cp, String protocol, Event e, JsonObject idToken,
      String payload) throws SQLException {
    Tx row = txStore.find(c, cp, e.uid());
    // a transaction's events are stored with its row: no row, no retry; else the row's seqNo
    // bookkeeping answers, and the events only when SeqNoGaps was cut short. Where several nodes
    // may write (PostgreSQL, SQL Server), a reconnecting charger's old and new sessions can each
    // update the row and one update be lost: a seqNo the row calls missing or new is confirmed
    // there by the events (an index lookup; the unique index would refuse a second copy, and the
    // charger's retries with it, for good). SQLite's single writer keeps the row exact.
    Boolean received = row == null ? Boolean.FALSE : received(row, e.seqNo());
    if (received == null || (!received && confirmMissing && row != null)) {
      received = txStore.hasEvent(c, row.id, e.seqNo());
    }
    if (received) {
      // a retry: nothing changes, the answer is computed from the same stored state as the first time
      return new Outcome(row, false, true, false, false, answer(c, row, e, idToken), null);
    }
    Tx before = row;
    if (before == null) {
      before = new Tx();
      before.id = txStore.insert(c, cp, e.uid(), e.evseId() == null ? 0 : e.evseId(), e.timestamp(), protocol);
      before.protocol = protocol;
    }
    txStore.insertEvent(c, cp, e.uid(), before.id, e.seqNo(), e.eventType(), e.triggerReason(), e.timestamp(),
        e.offline(), e.token(), payload);
    Rebuilt r = rebuild(c, row == null, before, e);
    return finish(c, cp, row == null, before, r.tx(), r.replayed(), e, idToken);
  }

  private record Rebuilt(Tx tx, boolean replayed) {}

  private Rebuilt rebuild(WriteConnection c, boolean created, Tx before, Event e) throws SQLException {
    boolean inOrder = created || before.lastSeqNo == null || e.seqNo() > before.lastSeqNo;
    if (inOrder && (created || !needsReplay(before, e))) {
      Tx t = before.copy();
      // an earlier time only moves the start when no Started event fixed it (the row's StartedSeqNo)
      apply(new State(t), e);
      t.firstSeqNo = t.firstSeqNo == null ? e.seqNo() : Math.min(t.firstSeqNo, e.seqNo());
      t.seqNoGaps = t.lastSeqNo == null ? null : appendGap(t.seqNoGaps, t.lastSeqNo + 1, e.seqNo() - 1);
      t.lastSeqNo = e.seqNo();
      t.offlineEvents += e.offline() ? 1 : 0;
      return new Rebuilt(t, false);
    }
    // late or decisive event: rebuild the row from every stored event (this one included), by seqNo
    List<TransactionStore.StoredEvent> events = txStore.events(c, before.id);
    Tx t = new Tx();
    t.id = before.id;
    t.protocol = before.protocol;
    t.startResult = before.startResult;
    t.stopResult = before.stopResult;
    State s = new State(t);
    List<Integer> seqs = new ArrayList<>(events.size());
    int offline = 0;
    for (TransactionStore.StoredEvent stored : events) {
      JsonObject p = new JsonObject(stored.payload());
      apply(s, Event.parse(p, p.containsKey("idToken"), stored.idToken()));
      seqs.add(stored.seqNo());
      offline += stored.offline() ? 1 : 0;
    }
    t.startTagId = keepCase(before.startTagId, t.startTagId);
    t.firstSeqNo = seqs.isEmpty() ? null : seqs.get(0);
    t.lastSeqNo = seqs.isEmpty() ? null : seqs.get(seqs.size() - 1);
    t.seqNoGaps = gaps(seqs);
    t.offlineEvents = offline;
    if (t.startTime == null) {
      t.startTime = before.startTime;
    }
    return new Rebuilt(t, true);
  }

  private static String keepCase(String before, String after) {
    return before != null && before.equalsIgnoreCase(after) ? before : after;
  }

  /** Authorizes what the event bound, writes the row, the samples and the live meter. */
  private Outcome finish(WriteConnection c, String cp, boolean created, Tx before, Tx after, boolean replayed,
      Event e, JsonObject idToken) throws SQLException {
    boolean startBound = after.startTagId != null && !after.startTagId.equalsIgnoreCase(before.startTagId);
    boolean stopBound = after.stopTagId != null && !after.stopTagId.equalsIgnoreCase(before.stopTagId);
    // the tags are read only when this event binds one (not for the periodic Updated events)
    TagRecord startTag = after.startTagId == null || !(startBound || stopBound) ? null
        : txStore.findTag(c, after.startTagId);
    if (startBound) {
      Authorization.Status status = Authorization.evaluate(startTag, Instant.now());
      after.startResult = wireStatus(status, startTag);
      if (denyConcurrentTx && status == Authorization.Status.Accepted && !e.ended() && after.stopTime == null
          && txStore.otherOpenTransactionWithTag(c, after.startTagId, after.id)) {
        after.startResult = Authorization.Status.ConcurrentTx.name();
      }
    } else if (after.startTagId == null) {
      after.startResult = null;
    }
    if (stopBound) {
      TagRecord stopTag = txStore.findTag(c, after.stopTagId);
      Authorization.Status stopStatus = Authorization.evaluate(stopTag, Instant.now());
      boolean allowed = Authorization.mayStop(after.startTagId, startTag, after.stopTagId, stopTag, stopStatus);
      after.stopResult = allowed ? "Accepted" : "Invalid";
    } else if (after.stopTime != null && after.stopTagId == null && after.stopResult == null) {
      after.stopResult = "Accepted"; // no stop token: nothing to refuse (as for 1.6)
    }
    boolean newest = created || before.lastSeqNo == null || e.seqNo() >= before.lastSeqNo;
    List<MeterSample> samples = new ArrayList<>(e.samples().size());
    for (MeterSample sample : e.samples()) {
      samples.add(sample.withTransaction(after.connectorId, after.id));
    }
    LiveMeter live = newest && after.connectorId > 0 ? LiveMeter.of(samples) : null;
    boolean evseLearnt = !created && before.connectorId <= 0 && after.connectorId > 0;
    txStore.update(c, cp, e.uid(), before, after);
    if (evseLearnt) {
      txStore.assignSamplesToEvse(c, after.id, after.connectorId);
    }
    txStore.insertSamples(c, cp, samples);
    if (live != null && !live.isEmpty()) {
      txStore.updateConnectorMeter(c, cp, after.connectorId, live.energyKwh(), live.powerKw(), live.soc(),
          live.timestamp());
    }
    return new Outcome(after, created, false, replayed, announced(created, replayed, e, before, after),
        answer(c, after, e, idToken), live == null || live.isEmpty() ? null : live);
  }

  /**
   * Whether the event changes what a listener of {@code ocpp.events.transaction} sees (the UI's
   * tiles): a transaction begun, ended, rebuilt, or its state, token, EVSE or start reading changed.
   * A periodic Updated event only brings readings, which reach listeners through the live-meter
   * relay once a second; announcing each one cost the gateway's event loop 8 % under 2.0.1 ingest
   * (docs/benchmarks.md), as 1.6 MeterValues would have.
   */
  private static boolean announced(boolean created, boolean replayed, Event e, Tx before, Tx after) {
    return created || replayed || e.started() || e.ended() || !Objects.equals(before.stopTime, after.stopTime)
        || !Objects.equals(before.chargingState, after.chargingState)
        || !Objects.equals(before.startTagId, after.startTagId) || before.connectorId != after.connectorId
        || !Objects.equals(before.meterStartWh, after.meterStartWh);
  }

  /** The status as a 2.x idTokenInfo says it ("Unknown" for a token not in ChargeTags). */
  private static String wireStatus(Authorization.Status status, TagRecord tag) {
    return Authorization.idTokenInfo2x(status, tag).getString("status");
  }

  /**
   * The idTokenInfo for the event's token (null when it has none): the token's verdict by the
   * shared rules, the start token keeping a ConcurrentTx verdict while the transaction runs.
   */
  private JsonObject answer(WriteConnection c, Tx tx, Event e, JsonObject idToken) throws SQLException {
    if (idToken == null) {
      return null;
    }
    if (e.token() == null) {
      // an empty idToken: NoAuthorization says none is needed, anything else is no known token
      String status = "NoAuthorization".equals(e.tokenType()) ? "Accepted" : "Unknown";
      return new JsonObject().put("status", status);
    }
    TagRecord tag = txStore.findTag(c, e.token());
    Authorization.Status status = Authorization.evaluate(tag, Instant.now());
    boolean isStartToken = tx != null && e.token().equalsIgnoreCase(tx.startTagId);
    if (isStartToken && status == Authorization.Status.Accepted && !e.ended()
        && Authorization.Status.ConcurrentTx.name().equals(tx.startResult)) {
      status = Authorization.Status.ConcurrentTx;
    }
    return Authorization.idTokenInfo2x(status, tag);
  }

  // ------------------------------------------------------------------ log and events

  private static String summary(Event e, Outcome o) {
    StringBuilder b = new StringBuilder(e.eventType()).append(" tx=").append(e.uid()).append(" seq=").append(e.seqNo())
        .append(" trigger=").append(e.triggerReason());
    if (o.tx() != null) {
      b.append(" id=").append(o.tx().id);
    }
    if (e.offline()) {
      b.append(" offline");
    }
    if (e.token() != null) {
      b.append(" token='").append(e.token()).append("'");
      if (o.idTokenInfo() != null) {
        b.append("=>").append(o.idTokenInfo().getString("status"));
      }
    }
    if (o.duplicate()) {
      b.append(" (retry, already stored)");
    } else {
      if (o.created()) {
        b.append(" (new)");
      }
      if (o.replayed()) {
        b.append(" (rebuilt: out of order)");
      }
      if (o.tx().seqNoGaps != null) {
        b.append(" gaps=").append(o.tx().seqNoGaps);
      }
      if (e.ended()) {
        b.append(" reason=").append(o.tx().stopReason);
      }
    }
    return b.toString();
  }

  private void publish(String cp, Event e, Outcome o) {
    Tx t = o.tx();
    JsonObject tx = new JsonObject().put("chargePointId", cp).put("transactionId", t.id).put("uid", e.uid())
        .put("evseId", t.connectorId).put("connectorId", t.connectorId)
        .put("event", e.eventType().toLowerCase(java.util.Locale.ROOT)).put("seqNo", e.seqNo())
        .put("triggerReason", e.triggerReason()).put("offline", e.offline()).put("created", o.created())
        .put("idTag", t.startTagId).put("chargingState", t.chargingState)
        .put("meterStartWh", t.meterStartWh).put("meterStopWh", t.meterStopWh);
    if (t.stopTime != null) {
      tx.put("stopTime", t.stopTime).put("reason", t.stopReason);
    }
    vertx.eventBus().publish(Addresses.EVENT_TRANSACTION, tx);
  }
}
