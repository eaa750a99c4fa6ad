package org.ocppcore.v16;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ocppcore.TestServer;
import org.ocppcore.testsupport.NodeOcppClient;

/**
 * A happy-path 1.6 session driven by an OCPP library nobody on the team wrote (npm ocpp-rpc in
 * strict mode, which validates every frame the server sends against its own schemas), so the
 * mistakes of our own test client cannot hide ours.
 */
class IndependentClientInteropTest {

  @Test
  void ocppRpcStrictClientCompletesASession() throws Exception {
    try (TestServer server = TestServer.start()) {
      server.chargePoint("INTEROP1", "interop-secret-0123", null, "Accepted").tag("TAG-X", "G", null, false);
      NodeOcppClient.Result result = NodeOcppClient.runSession("ws://127.0.0.1:" + server.ocppPort() + "/OCPP",
          "INTEROP1", "TAG-X", "interop-secret-0123").assertOk();
      long txId = result.transactionId();
      assertTrue(txId > 0);
      List<Map<String, Object>> tx = server.query("SELECT * FROM Transactions WHERE TransactionId = ?", txId);
      assertEquals(1, tx.size());
      assertEquals("INTEROP1", tx.get(0).get("ChargePointId"));
      assertEquals("TAG-X", tx.get(0).get("StartTagId"));
      assertTrue(tx.get(0).get("StopTime") != null, "the library's StopTransaction closed it");
      assertTrue(server.query("SELECT * FROM MeterSample WHERE TransactionId = ?", txId).size() >= 3,
          "the library's MeterValues samples are stored");
      assertEquals("ocpp1.6", server.query("SELECT Protocol FROM ChargePointBoot WHERE ChargePointId='INTEROP1'")
          .get(0).get("Protocol"));
    }
  }

  @Test
  void ocppRpcClientWithWrongPasswordIsRefused() throws Exception {
    try (TestServer server = TestServer.start()) {
      server.chargePoint("INTEROP2", "the-right-password-1", null, "Accepted");
      NodeOcppClient.Result result = NodeOcppClient.runSession("ws://127.0.0.1:" + server.ocppPort() + "/OCPP",
          "INTEROP2", "TAG-X", "a-wrong-password-123");
      assertEquals(1, result.exitCode(), result.toString());
      assertEquals(401, result.json().getInteger("code"), result.toString());
    }
  }
}
