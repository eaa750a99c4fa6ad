package org.ocppcore.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.ocppcore.TestServer.await;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.ocppcore.store.UsePostgres;
import org.ocppcore.testsupport.TestCharger;

/** {@link TransactionEventTest} against PostgreSQL (embedded): the same assertions, every store path on the fleet database. */
@ExtendWith(UsePostgres.class)
class TransactionEventPostgresTest extends TransactionEventTest {

  @Test
  void aRetryTheRowCallsMissingOrNewIsConfirmedByTheEvents() throws Exception {
    String cpId = "TE-LOSTUPDATE";
    TestCharger cp = connect(cpId);
    String uid = uid();
    send(cp, event("Started", 0, uid, "CablePluggedIn", 0).put("evse", evse(1, 1)));
    send(cp, event("Updated", 1, uid, "MeterValuePeriodic", 10).put("meterValue", energy(10, 100, null)));
    send(cp, event("Updated", 2, uid, "MeterValuePeriodic", 20));
    // as if another node's update of the row (event 1) had been lost to this node's (event 2)
    server.query("UPDATE Transactions SET SeqNoGaps = '1' WHERE ChargePointId = ? AND Uid = ? RETURNING Uid", cpId, uid);

    // the retry of event 1 is answered as one, not refused by the unique index (nor stored twice)
    send(cp, event("Updated", 1, uid, "MeterValuePeriodic", 10).put("meterValue", energy(10, 100, null)));
    assertEquals(3, storedEvents(cpId));
    Map<String, Object> row = tx(cpId, uid);
    assertEquals("1", row.get("SeqNoGaps"), "a retry changes nothing");
    assertEquals(2, row.get("LastSeqNo"));

    // the same for the last event, when the lost update was the one that recorded it
    server.query("UPDATE Transactions SET LastSeqNo = 1, SeqNoGaps = NULL WHERE ChargePointId = ? AND Uid = ? "
        + "RETURNING Uid", cpId, uid);
    send(cp, event("Updated", 2, uid, "MeterValuePeriodic", 20));
    assertEquals(3, storedEvents(cpId));
    send(cp, event("Updated", 3, uid, "MeterValuePeriodic", 30)); // and the charger goes on
    assertEquals(3, tx(cpId, uid).get("LastSeqNo"));
    await(cp.close());
  }
}
