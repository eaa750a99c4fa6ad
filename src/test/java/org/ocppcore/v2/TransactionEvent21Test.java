package org.ocppcore.v2;

/** Every {@link TransactionEventTest} scenario again with stations speaking OCPP 2.1 (2.1 schemas both ways). */
class TransactionEvent21Test extends TransactionEventTest {
  @Override
  protected String subprotocol() {
    return "ocpp2.1";
  }
}
