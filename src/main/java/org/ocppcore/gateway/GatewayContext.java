package org.ocppcore.gateway;

import java.util.Map;
import org.ocppcore.ocpp.OcppVersion;
import org.ocppcore.ocpp.ProtocolHandler;
import org.ocppcore.ocpp.SchemaValidator;

/** What the gateway verticle shares with its sessions. */
interface GatewayContext {
  Map<OcppVersion, ProtocolHandler> handlers();

  SchemaValidator validator();

  MessageRecorder recorder();

  boolean validateSchemas();

  int callTimeoutSeconds();

  void sessionOpened(ChargerSession session);

  /** @param replaced true when a newer connection of the same charger took over */
  void sessionClosed(ChargerSession session, boolean replaced);
}
