package org.ocppcore.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.UUID;
import org.ocppcore.app.Addresses;
import org.ocppcore.app.StationCallFailure;
import org.ocppcore.domain.ChargePointRecord;
import org.ocppcore.ocpp.CallErrorCode;
import org.ocppcore.ocpp.Frame;
import org.ocppcore.ocpp.OcppException;
import org.ocppcore.ocpp.OcppVersion;
import org.ocppcore.ocpp.ProtocolHandler;
import org.ocppcore.ocpp.SchemaValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One charger's connection: OCPP-J framing, schema validation, CALLERROR mapping, the queue of
 * server-initiated calls (one outstanding at a time, each with a timeout), liveness by ping/pong,
 * and the cluster-wide consumer on {@code ocpp.station.<id>}. Everything runs on the event loop of
 * the gateway verticle that accepted the socket, so the session needs no locks.
 */
public final class ChargerSession implements ProtocolHandler.StationContext {
  private static final Logger LOG = LoggerFactory.getLogger(ChargerSession.class);

  /** A server-initiated call waiting for, or being answered by, the charger. */
  private static final class OutgoingCall {
    final String id = UUID.randomUUID().toString();
    final String action;
    final JsonObject payload;
    final long timeoutMs;
    final Message<JsonObject> requester;
    long timer = -1;

    OutgoingCall(String action, JsonObject payload, long timeoutMs, Message<JsonObject> requester) {
      this.action = action;
      this.payload = payload;
      this.timeoutMs = timeoutMs;
      this.requester = requester;
    }
  }

  /** Pipelined CALLs of one charger awaiting their answers at which its socket is no longer read. */
  static final int MAX_UNANSWERED = 16;

  private final Vertx vertx;
  /** Null until {@link #attach}: the session is registered before the upgrade completes. */
  private ServerWebSocket ws;
  private final String id;
  private final OcppVersion version;
  private final ChargePointRecord chargePoint;
  private final GatewayContext gw;
  private final ProtocolHandler handler;
  private final ArrayDeque<OutgoingCall> outgoing = new ArrayDeque<>();
  private OutgoingCall inFlight;
  /** The charger's CALLs handed to the handler and not answered yet. */
  private int unanswered;
  private boolean readPaused;
  /** The CALL the handler is answering, while {@link ProtocolHandler#handle} runs (for {@link #payloadText}). */
  private Frame.Call answering;
  private MessageConsumer<JsonObject> consumer;
  private boolean closed;
  private boolean replaced;
  /** Liveness: last time anything arrived, and when the unanswered ping went out (0 = none). */
  private long lastActivity = System.nanoTime();
  private long pingSentAt;

  ChargerSession(Vertx vertx, String id, OcppVersion version, ChargePointRecord chargePoint, GatewayContext gw) {
    this.vertx = vertx;
    this.id = id;
    this.version = version;
    this.chargePoint = chargePoint;
    this.gw = gw;
    this.handler = gw.handlers().get(version);
  }

  /**
   * Before the upgrade: takes over any other session of this id (on any node), then registers on
   * {@code ocpp.station.<id>}, so the charger is reachable the moment it sees the handshake.
   * Calls that arrive before {@link #attach} wait in the queue.
   */
  Future<Void> register() {
    DeliveryOptions takeover = new DeliveryOptions().addHeader(Addresses.HEADER_CONTROL, Addresses.CONTROL_TAKEOVER)
        .setSendTimeout(5000);
    return vertx.eventBus().request(Addresses.station(id), new JsonObject(), takeover)
        .<Void>mapEmpty()
        .recover(err -> {
          if (!(err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS)) {
            LOG.warn("[{}] takeover of the previous session did not confirm: {}", id, err.toString());
          }
          return Future.succeededFuture();
        })
        .compose(v -> {
          consumer = vertx.eventBus().consumer(Addresses.station(id), this::onBusMessage);
          return consumer.completion();
        });
  }

  /** After the upgrade: serves the socket. */
  void attach(ServerWebSocket socket) {
    if (closed) {
      // replaced by an even newer connection while this one was upgrading
      socket.close((short) 1000, "replaced by a new connection");
      return;
    }
    ws = socket;
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(b -> ws.close((short) 1003, "OCPP-J uses text frames"));
    ws.pongHandler(b -> onActivity());
    ws.exceptionHandler(this::onSocketError);
    ws.closeHandler(v -> onClosed());
    gw.sessionOpened(this);
    sendNextCall();
  }

  /** The upgrade failed: give up the registration without recording a disconnection. */
  void abandon() {
    replaced = true;
    onClosed();
  }

  /** Vert.x reports oversized or corrupt frames here but leaves closing (with the right status) to us. */
  private void onSocketError(Throwable e) {
    LOG.debug("[{}] socket error: {}", id, e.toString());
    if (e instanceof io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException corrupt) {
      gw.recorder().always(id, null, "Disconnect", e.getMessage(), String.valueOf(corrupt.closeStatus().code()));
      close((short) corrupt.closeStatus().code(), "message too big or malformed frame");
    } else if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("max message size")) {
      gw.recorder().always(id, null, "Disconnect", e.getMessage(), "1009");
      close((short) 1009, "message too big");
    }
  }

  // ------------------------------------------------------------------ incoming frames

  private void onText(String text) {
    onActivity();
    gw.recorder().dump(id, version, true, text);
    Frame frame;
    try {
      frame = Frame.parse(text, version);
    } catch (Frame.Invalid invalid) {
      if (invalid.code() == CallErrorCode.MESSAGE_TYPE_NOT_SUPPORTED && version == OcppVersion.V21) {
        // OCPP 2.1 §4.4: an unknown message type is ignored (recorded for the operator)
        gw.recorder().always(id, null, "InvalidFrame", invalid.getMessage(), invalid.code().wireName(version));
        return;
      }
      gw.recorder().always(id, null, "InvalidFrame", truncate(text, 200) + " => " + invalid.getMessage(),
          invalid.code().wireName(version));
      send(Frame.callError(invalid.id(), invalid.code(), invalid.getMessage(), version));
      return;
    }
    if (frame instanceof Frame.Call call) {
      onCall(call);
    } else if (frame instanceof Frame.CallResult result) {
      onReply(result.id(), result.payload(), null);
    } else if (frame instanceof Frame.CallError error) {
      if (error.resultError()) {
        gw.recorder().always(id, null, "CallResultError", error.code() + ": " + error.description(), error.code());
        return;
      }
      onReply(error.id(), null, error);
    }
  }

  private void onCall(Frame.Call call) {
    String action = call.action();
    if (!handler.handles(action)) {
      boolean known = gw.validator().hasSchema(version, action, false);
      CallErrorCode code = known ? CallErrorCode.NOT_SUPPORTED : CallErrorCode.NOT_IMPLEMENTED;
      String reason = known ? action + " is not a message a charging station sends" : "unknown action " + action;
      reject(call, code, reason);
      return;
    }
    if (!call.send() && version.is2x() && !gw.validator().hasSchema(version, action, true)) {
      reject(call, CallErrorCode.PROTOCOL_ERROR, action + " is a SEND message (type 6)");
      return;
    }
    if (gw.validateSchemas()) {
      SchemaValidator.Violation violation = gw.validator().validate(version, action, false, call.payload());
      if (violation != null) {
        reject(call, violation.code(), violation.description());
        return;
      }
    }
    if (!"Accepted".equals(registrationStatus()) && !"BootNotification".equals(action)) {
      reject(call, CallErrorCode.SECURITY_ERROR, "charging station is not accepted (" + registrationStatus() + ")");
      return;
    }
    JsonObject payload = Frame.toJson(call.payload());
    Future<JsonObject> answer;
    callHandedOver();
    answering = call;
    try {
      answer = handler.handle(this, action, payload);
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    } finally {
      answering = null;
    }
    answer.onComplete(ar -> {
      callDone();
      if (call.send()) {
        return; // 2.1 SEND is never answered
      }
      if (ar.succeeded()) {
        JsonNode response = Frame.toNode(ar.result());
        if (gw.validateSchemas()) {
          SchemaValidator.Violation own = gw.validator().validate(version, action, true, response);
          if (own != null) {
            // our own bug: say so rather than send a frame the charger must reject
            LOG.error("[{}] our {} response violates the schema: {} ({})", id, action, own.description(), response);
            send(Frame.callError(call.id(), CallErrorCode.INTERNAL_ERROR, "invalid response: " + own.description(), version));
            return;
          }
        }
        send(Frame.callResult(call.id(), response));
      } else if (ar.cause() instanceof OcppException oe) {
        reject(call, oe.code(), oe.getMessage());
      } else {
        LOG.error("[{}] {} failed", id, action, ar.cause());
        reject(call, CallErrorCode.INTERNAL_ERROR, "the server could not process " + action);
      }
    });
  }

  /**
   * OCPP allows a charger one CALL at a time; one that pipelines more (a firmware bug, a replayed
   * backlog) is read no further while {@link #MAX_UNANSWERED} of its calls await their answers.
   * TCP then slows that charger down, and nothing is dropped, instead of its burst filling the
   * heap and queueing ahead of every other charger on the event loop and at the store's writer.
   */
  private void callHandedOver() {
    if (++unanswered >= MAX_UNANSWERED && !readPaused && ws != null) {
      readPaused = true;
      ws.pause();
    }
  }

  private void callDone() {
    unanswered--;
    if (readPaused && unanswered <= MAX_UNANSWERED / 2) {
      readPaused = false;
      if (!closed && ws != null) {
        ws.resume();
      }
    }
  }

  private void reject(Frame.Call call, CallErrorCode code, String description) {
    gw.recorder().always(id, null, call.action(), description, code.wireName(version));
    if (!call.send()) {
      send(Frame.callError(call.id(), code, description, version));
    }
  }

  // ------------------------------------------------------------------ server-initiated calls

  private void onBusMessage(Message<JsonObject> msg) {
    if (Addresses.CONTROL_TAKEOVER.equals(msg.headers().get(Addresses.HEADER_CONTROL))) {
      replaced = true;
      LOG.info("[{}] replaced by a new connection", id);
      unregister().onComplete(ar -> {
        msg.reply(new JsonObject());
        if (ws != null) {
          ws.close((short) 1000, "replaced by a new connection");
        }
        onClosed();
      });
      return;
    }
    if (Addresses.CONTROL_DESCRIBE.equals(msg.headers().get(Addresses.HEADER_CONTROL))) {
      msg.reply(new JsonObject().put("chargePointId", id).put("protocol", version.subprotocol()));
      return;
    }
    JsonObject body = msg.body() == null ? new JsonObject() : msg.body();
    String action = body.getString("action");
    JsonObject payload = body.getJsonObject("payload", new JsonObject());
    if (!serverMayCall(action)) {
      msg.fail(StationCallFailure.BAD_REQUEST, "unknown action for " + version.subprotocol() + ": " + action);
      return;
    }
    SchemaValidator.Violation violation = gw.validator().validate(version, action, false,
        Frame.toNode(payload));
    if (violation != null) {
      msg.fail(StationCallFailure.BAD_REQUEST, action + ": " + violation.description());
      return;
    }
    long timeoutMs = 1000L * body.getInteger("timeoutSeconds", gw.callTimeoutSeconds());
    outgoing.add(new OutgoingCall(action, payload, timeoutMs, msg));
    sendNextCall();
  }

  /** A server-to-charger message of this version: it has a schema and is not one the charger sends (DataTransfer goes both ways). */
  private boolean serverMayCall(String action) {
    return action != null && gw.validator().hasSchema(version, action, false)
        && (!handler.handles(action) || "DataTransfer".equals(action));
  }

  private void sendNextCall() {
    if (inFlight != null || closed || ws == null || outgoing.isEmpty()) {
      return;
    }
    OutgoingCall call = outgoing.poll();
    inFlight = call;
    call.timer = vertx.setTimer(call.timeoutMs, t -> {
      if (inFlight == call) {
        inFlight = null;
        gw.recorder().always(id, null, call.action, "no answer within " + call.timeoutMs + " ms", "Timeout");
        call.requester.fail(StationCallFailure.TIMEOUT, call.action + ": no answer within " + call.timeoutMs + " ms");
        sendNextCall();
      }
    });
    send(Frame.call(call.id, call.action, Frame.toNode(call.payload)));
  }

  private void onReply(String messageId, JsonNode payload, Frame.CallError error) {
    OutgoingCall call = inFlight;
    if (call == null || !call.id.equals(messageId)) {
      LOG.debug("[{}] ignoring a reply to unknown or expired call {}", id, messageId);
      return;
    }
    vertx.cancelTimer(call.timer);
    inFlight = null;
    if (error != null) {
      gw.recorder().log(id, null, call.action, error.code() + ": " + error.description(), error.code());
      call.requester.fail(StationCallFailure.CALL_ERROR, new JsonObject().put("errorCode", error.code())
          .put("errorDescription", error.description())
          .put("errorDetails", Frame.toJson(error.details())).encode());
    } else {
      JsonObject result = Frame.toJson(payload);
      gw.recorder().log(id, null, call.action, result.encode(), null);
      call.requester.reply(result);
    }
    sendNextCall();
  }

  // ------------------------------------------------------------------ liveness and closing

  private void onActivity() {
    lastActivity = System.nanoTime();
    pingSentAt = 0;
  }

  /** Called by the verticle's liveness timer: pings an idle charger, closes one that did not answer. */
  void checkLiveness(long now, long pingIntervalNanos, long pongTimeoutNanos) {
    if (closed) {
      return;
    }
    if (pingSentAt != 0) {
      if (now - pingSentAt >= pongTimeoutNanos) {
        LOG.info("[{}] no pong within the timeout: closing", id);
        gw.recorder().always(id, null, "Disconnect", "ping timeout", "PingTimeout");
        ws.close((short) 1001, "ping timeout");
        onClosed();
      }
    } else if (now - lastActivity >= pingIntervalNanos) {
      pingSentAt = now;
      ws.writePing(io.vertx.core.buffer.Buffer.buffer("ocpp"));
    }
  }

  private void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    if (inFlight != null) {
      vertx.cancelTimer(inFlight.timer);
      outgoing.addFirst(inFlight);
      inFlight = null;
    }
    for (OutgoingCall call : outgoing) {
      call.requester.fail(StationCallFailure.SESSION_CLOSED, "the charger disconnected");
    }
    outgoing.clear();
    unregister();
    gw.sessionClosed(this, replaced);
  }

  private Future<Void> unregister() {
    MessageConsumer<JsonObject> c = consumer;
    consumer = null;
    return c == null ? Future.succeededFuture() : c.unregister();
  }

  private void send(String frame) {
    if (closed || ws == null) {
      return;
    }
    gw.recorder().dump(id, version, false, frame);
    ws.writeTextMessage(frame);
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }

  // ------------------------------------------------------------------ StationContext

  @Override
  public String chargePointId() {
    return id;
  }

  @Override
  public OcppVersion version() {
    return version;
  }

  @Override
  public String registrationStatus() {
    return chargePoint.registrationStatus();
  }

  @Override
  public boolean cutTagAtUnderscore() {
    return chargePoint.cutTagAtUnderscore();
  }

  @Override
  public boolean logs(String action) {
    return gw.recorder().logs(action);
  }

  @Override
  public void log(Integer connectorId, String action, String result, String errorCode) {
    gw.recorder().log(id, connectorId, action, result, errorCode);
  }

  @Override
  public String payloadText() {
    if (answering == null) {
      throw new IllegalStateException("payloadText() is known only while a CALL is being handled");
    }
    return answering.payloadText();
  }

  /** Closes the socket from our side (server shutdown). */
  void close(short code, String reason) {
    if (!closed) {
      if (ws != null) {
        ws.close(code, reason);
      }
      onClosed();
    }
  }

  boolean isClosed() {
    return closed;
  }
}
