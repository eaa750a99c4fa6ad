package org.ocppcore.testsupport;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A simulated OCPP-J charger on Vert.x's {@link WebSocketClient}.
 *
 * <pre>{@code
 * TestCharger cp = TestCharger.connect(vertx, "ws://127.0.0.1:" + port + "/OCPP/CP1",
 *     new TestCharger.Options().basicAuth("CP1", "secret")
 *         .onCall("GetConfiguration", p -> new JsonObject())) // in place before the handshake ends
 *     .await(5, TimeUnit.SECONDS); // Vert.x 5: blocks a non-Vert.x (test) thread
 * cp.onCall("Reset", p -> new JsonObject().put("status", "Accepted"));
 * JsonArray reply = cp.call("BootNotification", boot).await(); // [3, id, {...}] or [4, id, ...]
 * }</pre>
 *
 * <p>Thread-safety: may be used from the test thread or any event loop. Handlers registered with
 * {@link #onCall} run on the WebSocket's event loop and must not block. All received text frames
 * are recorded ({@link #receivedFrames()}); anything that is not a well-formed OCPP-J frame
 * (invalid JSON, binary frame, unknown message type, reply to an unknown id) is recorded in {@link
 * #protocolViolations()}; see {@link #assertNoProtocolViolations()}.
 *
 * <p>A Vert.x WebSocket client always answers pings, even while paused: to simulate a dead/silent
 * charger use {@link RawWebSocket} (it never answers pings).
 */
public final class TestCharger {

  public static final int CALL = 2;
  public static final int CALLRESULT = 3;
  public static final int CALLERROR = 4;

  /** Returned by an {@link #onCall} handler: send no reply at all. */
  public static final Object NO_REPLY = new Object() {
    @Override
    public String toString() {
      return "NO_REPLY";
    }
  };

  /** Returned by an {@link #onCall} handler: answer with {@code [4, id, code, description, details]}. */
  public record Error(String code, String description, JsonObject details) {
    public Error(String code, String description) {
      this(code, description, new JsonObject());
    }
  }

  /** Returned by an {@link #onCall} handler: send this text verbatim (e.g. a malformed reply). */
  public record RawReply(String text) {}

  /** Connection options (builder style). Defaults: subprotocol ocpp1.6, 10 s call timeout. */
  public static final class Options {
    private List<String> subprotocols = List.of("ocpp1.6");
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String trustCaPem;
    private boolean trustAll;
    private String clientCertPem;
    private String clientKeyPem;
    private Integer maxFrameSize;
    private Integer maxMessageSize;
    private boolean perMessageCompression;
    private boolean verifyHost = true;
    private Duration callTimeout = Duration.ofSeconds(10);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private final Map<String, Function<JsonObject, Object>> handlers = new LinkedHashMap<>();

    /**
     * Pre-registers a CALL handler (see {@link TestCharger#onCall}) so that it is in place before
     * the handshake completes: needed for CALLs the server sends right after accepting.
     */
    public Options onCall(String action, Function<JsonObject, Object> handler) {
      handlers.put(action, handler);
      return this;
    }

    /** Subprotocols offered in Sec-WebSocket-Protocol, in order (empty: header not sent). */
    public Options subprotocols(String... protocols) {
      this.subprotocols = List.of(protocols);
      return this;
    }

    public Options subprotocols(List<String> protocols) {
      this.subprotocols = List.copyOf(protocols);
      return this;
    }

    /** {@code Authorization: Basic base64(user:password)} with a UTF-8 password. */
    public Options basicAuth(String user, String password) {
      return basicAuth(user, password.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code Authorization: Basic base64(user ":" rawPasswordBytes)} (OCPP allows binary keys). */
    public Options basicAuth(String user, byte[] rawPassword) {
      byte[] u = (user + ":").getBytes(StandardCharsets.UTF_8);
      byte[] all = new byte[u.length + rawPassword.length];
      System.arraycopy(u, 0, all, 0, u.length);
      System.arraycopy(rawPassword, 0, all, u.length, rawPassword.length);
      return header("Authorization", "Basic " + Base64.getEncoder().encodeToString(all));
    }

    /** Any extra upgrade request header (replaces a previous value of the same name). */
    public Options header(String name, String value) {
      headers.keySet().removeIf(k -> k.equalsIgnoreCase(name));
      headers.put(name, value);
      return this;
    }

    /** wss: trust the CA certificate in this PEM file (host name is verified). */
    public Options trustCaPem(String caPemPath) {
      this.trustCaPem = caPemPath;
      return this;
    }

    public Options trustCaPem(java.nio.file.Path caPemPath) {
      return trustCaPem(caPemPath.toString());
    }

    /** wss: trust any server certificate and skip the host name check. */
    public Options trustAll() {
      this.trustAll = true;
      return this;
    }

    /**
     * wss: present this client certificate (mutual TLS, security profile 3). PEM cert (chain) and
     * PKCS#8 key. It is sent whatever CA list the server announces (like a real charger).
     */
    public Options clientCert(String certPemPath, String keyPemPath) {
      this.clientCertPem = certPemPath;
      this.clientKeyPem = keyPemPath;
      return this;
    }

    public Options clientCert(TestCerts.Pem pem) {
      return clientCert(pem.certPath(), pem.keyPath());
    }

    /** Max size of one WebSocket frame (incoming and the split size of outgoing messages). */
    public Options maxFrameSize(int bytes) {
      this.maxFrameSize = bytes;
      return this;
    }

    public Options maxMessageSize(int bytes) {
      this.maxMessageSize = bytes;
      return this;
    }

    /** Offer permessage-deflate. */
    public Options tryUsePerMessageCompression(boolean on) {
      this.perMessageCompression = on;
      return this;
    }

    public Options verifyHost(boolean on) {
      this.verifyHost = on;
      return this;
    }

    /** Default timeout of {@link #call} / {@link #sendRaw}. */
    public Options callTimeout(Duration timeout) {
      this.callTimeout = timeout;
      return this;
    }

    public Options connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    WebSocketClientOptions clientOptions(URI uri) {
      WebSocketClientOptions o = new WebSocketClientOptions()
          .setConnectTimeout((int) connectTimeout.toMillis())
          .setTryUsePerMessageCompression(perMessageCompression);
      if (maxFrameSize != null) {
        o.setMaxFrameSize(maxFrameSize);
      }
      if (maxMessageSize != null) {
        o.setMaxMessageSize(maxMessageSize);
      } else if (maxFrameSize != null && maxFrameSize > o.getMaxMessageSize()) {
        o.setMaxMessageSize(maxFrameSize);
      }
      if (isTls(uri)) {
        o.setSsl(true);
        if (trustAll) {
          o.setTrustAll(true).setVerifyHost(false);
        } else {
          o.setVerifyHost(verifyHost);
          if (trustCaPem != null) {
            o.setTrustOptions(new PemTrustOptions().addCertPath(trustCaPem));
          }
        }
        if (clientCertPem != null) {
          // always present the certificate, like a real charger: the JDK's default key manager
          // (PemKeyCertOptions) silently omits it when the server's CA list lacks its issuer
          o.setKeyCertOptions(KeyCertOptions.wrap(TestCerts.alwaysPresentingKeyManager(
              java.nio.file.Path.of(clientCertPem), java.nio.file.Path.of(clientKeyPem))));
        }
      }
      return o;
    }

    WebSocketConnectOptions connectOptions(URI uri) {
      boolean tls = isTls(uri);
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      if (uri.getRawQuery() != null) {
        path += "?" + uri.getRawQuery();
      }
      WebSocketConnectOptions o = new WebSocketConnectOptions()
          .setHost(uri.getHost())
          .setPort(uri.getPort() != -1 ? uri.getPort() : tls ? 443 : 80)
          .setSsl(tls)
          .setURI(path)
          .setTimeout(connectTimeout.toMillis())
          .setSubProtocols(new ArrayList<>(subprotocols));
      headers.forEach(o::putHeader);
      return o;
    }

    private static boolean isTls(URI uri) {
      return "wss".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
    }
  }

  // ------------------------------------------------------------------------------------ state

  private final Vertx vertx;
  private final WebSocketClient client;
  private final ClientWebSocket ws;
  /**
   * The socket's context. Every write runs on it: a message split into several frames (maxFrameSize)
   * is written frame by frame, and a write from another thread could otherwise slip an automatic
   * reply between those frames, which the server must reject as a protocol error.
   */
  private final Context context;
  private final Duration callTimeout;
  private final Map<String, Promise<JsonArray>> pending = new ConcurrentHashMap<>();
  private final Map<String, Function<JsonObject, Object>> handlers = new ConcurrentHashMap<>();
  private final List<String> receivedFrames = new CopyOnWriteArrayList<>();
  private final List<JsonArray> receivedCalls = new CopyOnWriteArrayList<>();
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final List<Throwable> exceptions = new CopyOnWriteArrayList<>();
  private final Set<String> consumedCallIds = ConcurrentHashMap.newKeySet();
  private final List<Waiter> callWaiters = new ArrayList<>(); // guarded by itself
  private final Promise<Integer> closed = Promise.promise();
  private volatile boolean open;

  private record Waiter(String action, Promise<JsonArray> promise) {}

  private TestCharger(Vertx vertx, WebSocketClient client, ClientWebSocket ws, Context context, Options o) {
    this.vertx = vertx;
    this.client = client;
    this.ws = ws;
    this.context = context;
    this.callTimeout = o.callTimeout;
    this.handlers.putAll(o.handlers);
  }

  // ------------------------------------------------------------------------------------ connect

  /** Connects with default options (ocpp1.6, no auth). */
  public static Future<TestCharger> connect(Vertx vertx, String url) {
    return connect(vertx, url, new Options());
  }

  /**
   * Connects to {@code ws://host:port/path/ID} or {@code wss://...}. Fails with Vert.x's {@link
   * UpgradeRejectedException} when the server refuses the upgrade (see {@link
   * #connectExpectingFailure}), or with an SSL/connect exception.
   */
  public static Future<TestCharger> connect(Vertx vertx, String url, Options options) {
    URI uri;
    WebSocketClient client;
    try {
      uri = URI.create(url);
      client = vertx.createWebSocketClient(options.clientOptions(uri));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    // handlers are installed on the ClientWebSocket BEFORE connecting, so a frame the server
    // sends right after the handshake cannot be lost
    ClientWebSocket ws = client.webSocket();
    Context context = vertx.getOrCreateContext();
    TestCharger cp = new TestCharger(vertx, client, ws, context, options);
    cp.installHandlers();
    // connecting on the context binds the socket (and its handlers) to it
    Promise<WebSocket> connected = Promise.promise();
    context.runOnContext(v -> ws.connect(options.connectOptions(uri)).onComplete(connected));
    return connected.future()
        .map(w -> {
          cp.open = true;
          return cp;
        })
        .recover(err -> {
          client.close();
          return Future.failedFuture(err);
        });
  }

  /**
   * Connects expecting the server to refuse the WebSocket upgrade; completes with the HTTP status
   * (e.g. 401, 404). Fails if the connection was accepted (it is then closed) or failed for
   * another reason (TLS, connection refused: the cause is kept).
   */
  public static Future<Integer> connectExpectingFailure(Vertx vertx, String url, Options options) {
    return connect(vertx, url, options).transform(ar -> {
      if (ar.succeeded()) {
        ar.result().close();
        return Future.failedFuture(new AssertionError(
            "expected the upgrade to be refused but it succeeded with subprotocol "
                + ar.result().selectedSubprotocol()));
      }
      Throwable t = ar.cause();
      for (Throwable c = t; c != null; c = c.getCause()) {
        if (c instanceof UpgradeRejectedException u) {
          return Future.succeededFuture(u.getStatus());
        }
      }
      return Future.failedFuture(new AssertionError(
          "expected an HTTP refusal of the upgrade, got " + t, t));
    });
  }

  public static Future<Integer> connectExpectingFailure(Vertx vertx, String url) {
    return connectExpectingFailure(vertx, url, new Options());
  }

  /**
   * Connects expecting any failure (e.g. a TLS handshake failure for an untrusted client
   * certificate); completes with the cause, fails if the connection succeeded.
   */
  public static Future<Throwable> connectExpectingError(Vertx vertx, String url, Options options) {
    return connect(vertx, url, options).transform(ar -> {
      if (ar.succeeded()) {
        ar.result().close();
        return Future.failedFuture(new AssertionError("expected the connection to fail"));
      }
      return Future.succeededFuture(ar.cause());
    });
  }

  private void installHandlers() {
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(b -> violations.add("binary frame received (" + b.length() + " bytes)"));
    // e.g. a frame above maxFrameSize, connection reset: kept apart from protocol violations
    ws.exceptionHandler(exceptions::add);
    ws.closeHandler(v -> {
      open = false;
      Short code = ws.closeStatusCode();
      failPending(new IllegalStateException(
          "connection closed" + (code != null ? " with status " + code : "")));
      synchronized (callWaiters) {
        for (Waiter w : callWaiters) {
          w.promise.tryFail("connection closed while waiting for a " + w.action + " CALL");
        }
        callWaiters.clear();
      }
      closed.tryComplete(code == null ? null : code.intValue());
      client.close();
    });
  }

  // ------------------------------------------------------------------------------------ outgoing

  /**
   * Sends {@code [2, uniqueId, action, payload]}; completes with the whole reply frame ({@code [3,
   * id, payload]} or {@code [4, id, code, description, details]}). Fails after the call timeout
   * (default 10 s) or when the connection closes.
   */
  public Future<JsonArray> call(String action, JsonObject payload) {
    return call(action, payload, callTimeout);
  }

  public Future<JsonArray> call(String action, JsonObject payload, Duration timeout) {
    String id = UUID.randomUUID().toString();
    JsonArray frame = new JsonArray().add(CALL).add(id).add(action).add(payload);
    return send(frame.encode(), id, timeout, action);
  }

  /** Like {@link #call} but completes with the CALLRESULT payload and fails on a CALLERROR. */
  public Future<JsonObject> callForResult(String action, JsonObject payload) {
    return call(action, payload).compose(reply -> reply.getInteger(0) == CALLRESULT
        ? Future.succeededFuture(reply.getJsonObject(2))
        : Future.failedFuture(new IllegalStateException(action + " answered " + reply.encode())));
  }

  /**
   * Sends arbitrary text (e.g. a malformed frame) and completes with the reply whose id (element
   * 1) equals {@code expectedReplyId} ("-1" for frames whose id the server cannot read).
   */
  public Future<JsonArray> sendRaw(String text, String expectedReplyId) {
    return send(text, expectedReplyId, callTimeout, "raw frame");
  }

  public Future<JsonArray> sendRaw(String text, String expectedReplyId, Duration timeout) {
    return send(text, expectedReplyId, timeout, "raw frame");
  }

  /** Sends arbitrary text and expects nothing back. */
  public Future<Void> sendRawNoReply(String text) {
    return write(text);
  }

  private Future<Void> write(String text) {
    if (Vertx.currentContext() == context) {
      return ws.writeTextMessage(text);
    }
    Promise<Void> written = Promise.promise();
    context.runOnContext(v -> ws.writeTextMessage(text).onComplete(written));
    return written.future();
  }

  private Future<JsonArray> send(String text, String id, Duration timeout, String what) {
    Promise<JsonArray> p = Promise.promise();
    if (!open) {
      p.fail(new IllegalStateException("not connected"));
      return p.future();
    }
    Promise<JsonArray> previous = pending.put(id, p);
    if (previous != null) {
      previous.tryFail("superseded by another request with id " + id);
    }
    long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), t -> {
      if (pending.remove(id, p)) {
        p.tryFail(new TimeoutException(
            "no reply to " + what + " (id " + id + ") within " + timeout.toMillis() + " ms"));
      }
    });
    p.future().onComplete(ar -> vertx.cancelTimer(timer));
    write(text).onFailure(err -> {
      if (pending.remove(id, p)) {
        p.tryFail(err);
      }
    });
    return p.future();
  }

  // ------------------------------------------------------------------------------------ incoming

  /**
   * Registers the answer to server CALLs of {@code action}. The handler gets the payload and
   * returns a {@link JsonObject} (CALLRESULT), an {@link Error} (CALLERROR), {@link #NO_REPLY},
   * a {@link RawReply}, or a {@link Future} of one of these. Exceptions become CALLERROR
   * InternalError. Unhandled actions are answered CALLERROR NotImplemented.
   */
  public TestCharger onCall(String action, Function<JsonObject, Object> handler) {
    handlers.put(action, handler);
    return this;
  }

  /**
   * The next server CALL of {@code action} not returned before by this method (including CALLs
   * already received); fails after the call timeout.
   */
  public Future<JsonArray> awaitCall(String action) {
    return awaitCall(action, callTimeout);
  }

  public Future<JsonArray> awaitCall(String action, Duration timeout) {
    Promise<JsonArray> p = Promise.promise();
    synchronized (callWaiters) {
      for (JsonArray c : receivedCalls) {
        if (action.equals(c.getValue(2)) && consumedCallIds.add(String.valueOf(c.getValue(1)))) {
          p.complete(c);
          return p.future();
        }
      }
      callWaiters.add(new Waiter(action, p));
    }
    long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), t -> {
      synchronized (callWaiters) {
        callWaiters.removeIf(w -> w.promise == p);
      }
      p.tryFail(new TimeoutException("no " + action + " CALL within " + timeout.toMillis() + " ms"));
    });
    p.future().onComplete(ar -> vertx.cancelTimer(timer));
    return p.future();
  }

  private void onText(String text) {
    // a frame came in, so the socket is up: a server CALL sent right after the handshake can
    // arrive before the connect future's listener marks it open, and its answer was dropped
    open = true;
    receivedFrames.add(text);
    JsonArray frame;
    try {
      Object parsed = io.vertx.core.json.Json.decodeValue(text);
      if (!(parsed instanceof JsonArray a)) {
        violations.add("not a JSON array: " + text);
        return;
      }
      frame = a;
    } catch (DecodeException e) {
      violations.add("invalid JSON: " + text);
      return;
    }
    Object type = frame.getValue(0);
    Object idValue = frame.size() > 1 ? frame.getValue(1) : null;
    if (!(type instanceof Integer t) || !(idValue instanceof String id)) {
      violations.add("bad message type or id: " + text);
      return;
    }
    switch (t) {
      case CALL -> {
        if (frame.size() != 4 || !(frame.getValue(2) instanceof String action)
            || !(frame.getValue(3) instanceof JsonObject payload)) {
          violations.add("malformed CALL: " + text);
          return;
        }
        receivedCalls.add(frame);
        notifyWaiters(action, frame);
        answer(id, action, payload);
      }
      case CALLRESULT, CALLERROR -> {
        boolean wellFormed = t == CALLRESULT
            ? frame.size() == 3 && frame.getValue(2) instanceof JsonObject
            : frame.size() == 5 && frame.getValue(2) instanceof String
                && frame.getValue(3) instanceof String && frame.getValue(4) instanceof JsonObject;
        if (!wellFormed) {
          violations.add("malformed " + (t == CALLRESULT ? "CALLRESULT" : "CALLERROR") + ": " + text);
        }
        Promise<JsonArray> p = pending.remove(id);
        if (p == null) {
          violations.add("reply to unknown id: " + text);
        } else {
          p.tryComplete(frame);
        }
      }
      case 5, 6 -> {
        // OCPP 2.1 CALLRESULTERROR / SEND: recorded in receivedFrames only
      }
      default -> violations.add("unknown message type: " + text);
    }
  }

  private void notifyWaiters(String action, JsonArray frame) {
    Promise<JsonArray> target = null;
    synchronized (callWaiters) {
      for (Iterator<Waiter> it = callWaiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (w.action.equals(action)) {
          it.remove();
          consumedCallIds.add(frame.getString(1));
          target = w.promise;
          break;
        }
      }
    }
    if (target != null) {
      target.tryComplete(frame);
    }
  }

  private void answer(String id, String action, JsonObject payload) {
    Function<JsonObject, Object> h = handlers.get(action);
    if (h == null) {
      reply(id, new Error("NotImplemented", "TestCharger has no handler for " + action));
      return;
    }
    Object result;
    try {
      result = h.apply(payload);
    } catch (RuntimeException e) {
      reply(id, new Error("InternalError", String.valueOf(e)));
      return;
    }
    if (result instanceof Future<?> f) {
      f.onComplete(ar -> reply(id,
          ar.succeeded() ? ar.result() : new Error("InternalError", String.valueOf(ar.cause()))));
    } else {
      reply(id, result);
    }
  }

  private void reply(String id, Object result) {
    if (result == NO_REPLY) {
      return;
    }
    String text;
    if (result instanceof Error e) {
      text = new JsonArray().add(CALLERROR).add(id).add(e.code())
          .add(e.description() == null ? "" : e.description())
          .add(e.details() == null ? new JsonObject() : e.details()).encode();
    } else if (result instanceof RawReply r) {
      text = r.text();
    } else if (result instanceof JsonObject o) {
      text = new JsonArray().add(CALLRESULT).add(id).add(o).encode();
    } else if (result == null) {
      text = new JsonArray().add(CALLRESULT).add(id).add(new JsonObject()).encode();
    } else {
      text = new JsonArray().add(CALLERROR).add(id).add("InternalError")
          .add("handler returned " + result.getClass().getName()).add(new JsonObject()).encode();
    }
    if (open) {
      write(text);
    }
  }

  private void failPending(Throwable cause) {
    for (String id : List.copyOf(pending.keySet())) {
      Promise<JsonArray> p = pending.remove(id);
      if (p != null) {
        p.tryFail(cause);
      }
    }
  }

  // ------------------------------------------------------------------------------------ queries

  /** All text frames received, in order (thread-safe snapshot-able list). */
  public List<String> receivedFrames() {
    return receivedFrames;
  }

  /** All CALL frames the server sent, in order. */
  public List<JsonArray> receivedCalls() {
    return receivedCalls;
  }

  /** Server CALLs of one action, in order. */
  public List<JsonArray> receivedCalls(String action) {
    return receivedCalls.stream().filter(c -> action.equals(c.getValue(2))).toList();
  }

  /** Everything the server sent that is not a well-formed OCPP-J frame. */
  public List<String> protocolViolations() {
    return violations;
  }

  /** Exceptions reported by the Vert.x WebSocket (frame too large, connection reset, ...). */
  public List<Throwable> exceptions() {
    return exceptions;
  }

  /** Throws AssertionError listing the violations if the server sent anything malformed. */
  public void assertNoProtocolViolations() {
    if (!violations.isEmpty()) {
      throw new AssertionError("server sent invalid frames: " + violations);
    }
  }

  /** The subprotocol the server selected (null if none). */
  public String selectedSubprotocol() {
    String p = ws.subProtocol();
    return p == null || p.isEmpty() ? null : p;
  }

  /** Headers of the server's 101 response. */
  public io.vertx.core.MultiMap handshakeHeaders() {
    return ws.headers();
  }

  /** The underlying Vert.x WebSocket (for raw frames, pings, sslSession(), ...). */
  public WebSocket webSocket() {
    return ws;
  }

  /**
   * Completes when the connection is closed, with the close status code received from the server
   * (or sent by us), or null if the TCP connection ended without a close frame.
   */
  public Future<Integer> closed() {
    return closed.future();
  }

  public String closeReason() {
    return ws.closeReason();
  }

  public boolean isClosed() {
    return !open || ws.isClosed();
  }

  /** Close handshake with status 1000; completes when closed. */
  public Future<Integer> close() {
    return close((short) 1000);
  }

  public Future<Integer> close(short statusCode) {
    if (open) {
      ws.close(statusCode);
    }
    return closed.future();
  }

  /** Pauses reading (back-pressure). Note: Vert.x still answers pings; see class doc. */
  public TestCharger pause() {
    ws.pause();
    return this;
  }

  public TestCharger resume() {
    ws.resume();
    return this;
  }

  @Override
  public String toString() {
    return "TestCharger[" + (open ? "open" : "closed") + ", " + selectedSubprotocol() + "]";
  }
}
