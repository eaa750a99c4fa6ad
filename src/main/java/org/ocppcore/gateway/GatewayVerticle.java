package org.ocppcore.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.ocppcore.app.Addresses;
import org.ocppcore.app.Config;
import org.ocppcore.domain.ChargePointRecord;
import org.ocppcore.ocpp.OcppVersion;
import org.ocppcore.ocpp.ProtocolHandler;
import org.ocppcore.ocpp.SchemaValidator;
import org.ocppcore.security.CertificateThumbprint;
import org.ocppcore.security.PasswordHash;
import org.ocppcore.security.VerifiedPasswords;
import org.ocppcore.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OCPP-J WebSocket endpoint {@code /OCPP/{chargePointId}} on a plain port (security profiles
 * 0/1) and optionally a TLS port (profiles 2/3). Every check happens before the upgrade: identity
 * syntax, subprotocol header, known charge point (404), Basic-auth password (401), client
 * certificate thumbprint (401). Deployed as several instances sharing the ports.
 */
public final class GatewayVerticle extends VerticleBase implements GatewayContext {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  /** OCPP identifierString without ':' (the Basic-auth separator), at most 48 characters. */
  private static final Pattern IDENTITY = Pattern.compile("[A-Za-z0-9*\\-_=+|@.]{1,48}");

  private final Config config;
  private final Store store;
  /** Shared by every gateway instance of the node: a charger may land on any of them. */
  private final VerifiedPasswords verifiedPasswords;
  private final SchemaValidator validator;
  private final Map<OcppVersion, ProtocolHandler> handlers;
  private final Set<ChargerSession> sessions = ConcurrentHashMap.newKeySet();
  private final List<String> protocols = new ArrayList<>();
  /** Read once: asked for every message, and a config lookup splits its dotted key each time. */
  private final boolean validateSchemas;
  private MessageRecorder recorder;
  private final List<HttpServer> servers = new ArrayList<>();
  /** Connections whose upgrade request has not arrived yet, with their timeout timers. */
  private final Map<HttpConnection, Long> awaitingRequest = new HashMap<>();
  private final long upgradeRequestTimeoutMs;

  public GatewayVerticle(Config config, Store store, SchemaValidator validator, Map<OcppVersion, ProtocolHandler> handlers,
      VerifiedPasswords verifiedPasswords) {
    this.config = config;
    this.store = store;
    this.verifiedPasswords = verifiedPasswords;
    this.validator = validator;
    this.handlers = handlers;
    this.validateSchemas = config.bool("ocpp.validateSchemas");
    this.upgradeRequestTimeoutMs = 1000L * config.integer("ocpp.upgradeRequestTimeoutSeconds");
    for (Object p : config.list("ocpp.protocols")) {
      OcppVersion v = OcppVersion.fromSubprotocol(String.valueOf(p));
      if (v == null || !handlers.containsKey(v)) {
        throw new IllegalArgumentException("ocpp.protocols: unsupported subprotocol " + p + " (implemented: "
            + handlers.keySet().stream().map(OcppVersion::subprotocol).toList() + ")");
      }
      protocols.add(v.subprotocol());
    }
    String assumed = config.string("ocpp.assumeProtocolWhenMissing");
    if (!assumed.isEmpty() && !protocols.contains(assumed)) {
      throw new IllegalArgumentException("ocpp.assumeProtocolWhenMissing must be one of ocpp.protocols: " + assumed);
    }
  }

  @Override
  public Future<?> start() {
    recorder = new MessageRecorder(vertx, store, config);
    List<Future<?>> listening = new ArrayList<>();
    HttpServerOptions plain = baseOptions().setHost(config.string("ocpp.host")).setPort(config.integer("ocpp.port"));
    listening.add(listen(plain, false));
    if (config.bool("ocpp.tls.enabled")) {
      listening.add(listen(tlsOptions(), true));
    }
    long pingNanos = config.integer("ocpp.pingIntervalSeconds") * 1_000_000_000L;
    long pongNanos = config.integer("ocpp.pongTimeoutSeconds") * 1_000_000_000L;
    if (pingNanos > 0) {
      long tick = Math.max(200, Math.min(pingNanos, pongNanos) / 1_000_000 / 4);
      vertx.setPeriodic(tick, t -> {
        long now = System.nanoTime();
        for (ChargerSession s : sessions) {
          s.checkLiveness(now, pingNanos, pongNanos);
        }
      });
    }
    return Future.all(listening);
  }

  /** Tells every charger we are going away (1001), then stops listening; stragglers are cut after 2 s. */
  @Override
  public Future<?> stop() {
    for (ChargerSession s : sessions) {
      s.close((short) 1001, "server shutting down");
    }
    return Future.join(servers.stream().map(s -> s.shutdown(2, java.util.concurrent.TimeUnit.SECONDS)).toList());
  }

  private HttpServerOptions baseOptions() {
    int max = config.integer("ocpp.maxMessageSize");
    return new HttpServerOptions()
        .setWebSocketSubProtocols(protocols)
        .setMaxWebSocketFrameSize(max)
        .setMaxWebSocketMessageSize(max)
        .setPerMessageWebSocketCompressionSupported(true)
        .setPerFrameWebSocketCompressionSupported(true)
        .setWebSocketClosingTimeout(5)
        .setTcpNoDelay(true)
        // OCPP-J is WebSocket over HTTP/1.1: without the h2c detector the connection (and the wait
        // for its upgrade request) starts at accept, not at the first byte the client cares to send
        .setHttp2ClearTextEnabled(false)
        .setRegisterWebSocketWriteHandlers(false);
  }

  private HttpServerOptions tlsOptions() {
    HttpServerOptions o = baseOptions()
        .setHost(config.string("ocpp.host"))
        .setPort(config.integer("ocpp.tls.port"))
        .setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.string("ocpp.tls.certPath"))
            .setKeyPath(config.string("ocpp.tls.keyPath")));
    o.removeEnabledSecureTransportProtocol("TLSv1");
    o.removeEnabledSecureTransportProtocol("TLSv1.1");
    String clientAuth = config.string("ocpp.tls.clientAuth");
    if (!clientAuth.equals("none")) {
      o.setClientAuth(clientAuth.equals("required") ? ClientAuth.REQUIRED : ClientAuth.REQUEST);
      String ca = config.string("ocpp.tls.clientCaPath");
      // Without a CA every client certificate is let through the handshake; the charge point's
      // pinned thumbprint then decides (the TLS handshake proves possession of the key).
      o.setTrustOptions(ca.isEmpty() ? TrustOptions.wrap(ACCEPT_ANY_CLIENT) : new PemTrustOptions().addCertPath(ca));
    }
    return o;
  }

  private static final TrustManager ACCEPT_ANY_CLIENT = new X509TrustManager() {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
      // the thumbprint check happens per charge point, before the upgrade
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("server side only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  };

  private Future<HttpServer> listen(HttpServerOptions options, boolean tls) {
    HttpServer server = vertx.createHttpServer(options);
    servers.add(server);
    server.connectionHandler(this::awaitUpgradeRequest);
    server.requestHandler(req -> handleRequest(req, tls));
    return server.listen()
        .recover(e -> Future.failedFuture(new IllegalStateException("OCPP " + (tls ? "TLS " : "") + "port "
            + options.getHost() + ":" + options.getPort() + ": " + e.getMessage(), e)))
        .onSuccess(s -> LOG.info("OCPP {} endpoint listening on {}:{}", tls ? "wss" : "ws", options.getHost(),
            s.actualPort()));
  }

  /** The actual ports (plain first, then TLS) once started; useful with port 0 in tests. */
  public List<Integer> actualPorts() {
    return servers.stream().map(HttpServer::actualPort).toList();
  }

  // ------------------------------------------------------------------ the upgrade request

  /**
   * A connection must deliver its upgrade request within {@code ocpp.upgradeRequestTimeoutSeconds}:
   * one that sends nothing, or half a request, would otherwise hold its socket (a file descriptor
   * of the node's few tens of thousands) for ever. The wait ends when the request is complete:
   * the admission that follows (a database read, a PBKDF2 check queued behind a restart storm's)
   * is the server's own time and is never cut; every refusal closes the connection, and after the
   * upgrade ping/pong watches it. Only this verticle's event loop touches the map.
   */
  private void awaitUpgradeRequest(HttpConnection conn) {
    long timer = vertx.setTimer(upgradeRequestTimeoutMs, t -> {
      if (awaitingRequest.remove(conn) != null) {
        LOG.debug("closing a connection from {}: no upgrade request within {} ms", conn.remoteAddress(),
            upgradeRequestTimeoutMs);
        conn.close();
      }
    });
    awaitingRequest.put(conn, timer);
    conn.closeHandler(v -> stopWaitingForRequest(conn));
  }

  private void stopWaitingForRequest(HttpConnection conn) {
    Long timer = awaitingRequest.remove(conn);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }

  private void handleRequest(HttpServerRequest req, boolean tls) {
    stopWaitingForRequest(req.connection());
    String path = req.path();
    if (path == null || !(path.startsWith("/OCPP/") || path.startsWith("/ocpp/"))) {
      refuse(req, 404, "not an OCPP endpoint: use /OCPP/{chargePointId}");
      return;
    }
    if (!"websocket".equalsIgnoreCase(req.getHeader(HttpHeaders.UPGRADE))) {
      refuse(req, 400, "WebSocket upgrade required");
      return;
    }
    String id = chargePointId(path);
    if (id == null) {
      refuse(req, 400, "invalid charge point identity (1-48 of A-Z a-z 0-9 * - _ = + | @ .)");
      return;
    }
    String offered = req.getHeader("Sec-WebSocket-Protocol");
    boolean assume = !config.string("ocpp.assumeProtocolWhenMissing").isEmpty();
    if ((offered == null || offered.isBlank()) && !assume) {
      refuse(req, 400, "Sec-WebSocket-Protocol header required (" + String.join(", ", protocols) + ")");
      return;
    }
    req.pause();
    store.findChargePoint(id)
        .compose(cp -> {
          if (cp != null) {
            return Future.succeededFuture(cp);
          }
          if (!config.bool("ocpp.acceptUnknownChargePoints")) {
            return Future.succeededFuture(null);
          }
          LOG.info("[{}] unknown charge point registered as Pending", id);
          return store.registerPending(id).compose(v -> store.findChargePoint(id));
        })
        .compose(cp -> cp == null ? Future.succeededFuture(new Admission(null, 404, "unknown charge point"))
            : authenticate(req, cp, tls))
        .onComplete(ar -> {
          if (ar.failed()) {
            LOG.error("[{}] admission failed", id, ar.cause());
            refuse(req, 500, "internal error");
          } else if (ar.result().status != 0) {
            Admission a = ar.result();
            recorder.always(id, null, "Connect", "refused: " + a.reason, String.valueOf(a.status));
            if (a.status == 401) {
              req.response().putHeader("WWW-Authenticate", "Basic realm=\"OCPP\"");
            }
            refuse(req, a.status, a.reason);
          } else {
            upgrade(req, id, ar.result().chargePoint);
          }
        });
  }

  private record Admission(ChargePointRecord chargePoint, int status, String reason) {}

  private Future<Admission> authenticate(HttpServerRequest req, ChargePointRecord cp, boolean tls) {
    String thumb = cp.clientCertThumb();
    if (thumb != null && !thumb.isBlank()) {
      Certificate peer = tls ? peerCertificate(req) : null;
      // a pinned certificate is the charger's credential (profile 3): a password never replaces it
      return Future.succeededFuture(CertificateThumbprint.matches(peer, thumb) ? new Admission(cp, 0, null)
          : new Admission(null, 401, "the client certificate pinned for this charge point is required"));
    }
    if (cp.passwordHash() == null || cp.passwordHash().isBlank()) {
      return Future.succeededFuture(new Admission(cp, 0, null));
    }
    byte[][] credentials = basicCredentials(req.getHeader(HttpHeaders.AUTHORIZATION));
    if (credentials == null || !cp.id().equals(new String(credentials[0], StandardCharsets.UTF_8))) {
      return Future.succeededFuture(new Admission(null, 401, "HTTP Basic authentication as the charge point required"));
    }
    byte[] raw = credentials[1];
    if (verifiedPasswords.remembers(cp.id(), cp.passwordHash(), raw)) {
      return Future.succeededFuture(new Admission(cp, 0, null));
    }
    return vertx.executeBlocking(() -> {
      // OCPP 1.6 AuthorizationKey: accept the key as text and, when sent as raw bytes, as hex text
      boolean ok = PasswordHash.verify(new String(raw, StandardCharsets.UTF_8), cp.passwordHash())
          || PasswordHash.verify(HexFormat.of().withUpperCase().formatHex(raw), cp.passwordHash())
          || PasswordHash.verify(HexFormat.of().formatHex(raw), cp.passwordHash());
      if (ok) {
        verifiedPasswords.remember(cp.id(), cp.passwordHash(), raw);
      }
      return ok ? new Admission(cp, 0, null) : new Admission(null, 401, "wrong password");
    }, false);
  }

  /** Splits {@code Basic base64(user:password)} into user and password bytes; null when malformed. */
  static byte[][] basicCredentials(String header) {
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(header.substring(6).trim());
    } catch (IllegalArgumentException e) {
      return null;
    }
    for (int i = 0; i < decoded.length; i++) {
      if (decoded[i] == ':') {
        byte[] user = java.util.Arrays.copyOfRange(decoded, 0, i);
        byte[] pass = java.util.Arrays.copyOfRange(decoded, i + 1, decoded.length);
        return new byte[][] {user, pass};
      }
    }
    return null;
  }

  private static Certificate peerCertificate(HttpServerRequest req) {
    try {
      List<Certificate> chain = req.connection().peerCertificates();
      return chain == null || chain.isEmpty() ? null : chain.get(0);
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  /** The last non-empty path segment, percent-decoded and checked against the identity rules. */
  static String chargePointId(String path) {
    String[] segments = path.split("/");
    for (int i = segments.length - 1; i >= 0; i--) {
      if (!segments[i].isEmpty()) {
        String id = percentDecode(segments[i]);
        return id != null && IDENTITY.matcher(id).matches() && i >= 2 ? id : null;
      }
    }
    return null;
  }

  private static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Answers and closes: Vert.x keeps an upgrade request's connection open despite "Connection: close". */
  private static void refuse(HttpServerRequest req, int status, String reason) {
    req.resume();
    req.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .putHeader(HttpHeaders.CONNECTION, "close").end(reason + "\n")
        .onComplete(ar -> req.connection().close());
  }

  private void upgrade(HttpServerRequest req, String id, ChargePointRecord cp) {
    String offered = req.getHeader("Sec-WebSocket-Protocol");
    OcppVersion version = negotiate(offered);
    if (version == null) {
      // OCPP-J §3.2: none of the offered versions is acceptable: complete the handshake without
      // the header (Netty does that when nothing matches), then close
      req.toWebSocket().onSuccess(ws -> {
        recorder.always(id, null, "Connect", "no acceptable subprotocol in: " + offered, "ProtocolError");
        ws.close((short) 1002, "no supported OCPP version offered (" + String.join(", ", protocols) + ")");
      });
      return;
    }
    ChargerSession session = new ChargerSession(vertx, id, version, cp, this);
    session.register()
        .compose(v -> req.toWebSocket())
        .onComplete(ar -> {
          if (ar.succeeded()) {
            session.attach(ar.result());
          } else {
            LOG.warn("[{}] WebSocket upgrade failed: {}", id, ar.cause().toString());
            session.abandon();
            if (!req.response().ended()) {
              refuse(req, 500, "upgrade failed");
            }
          }
        });
  }

  /**
   * The version for an offered Sec-WebSocket-Protocol list: the first offered that we enabled
   * (the client lists in order of preference; Netty applies the same rule to the handshake), the
   * configured assumption when the header is absent, or null when nothing offered is acceptable.
   */
  private OcppVersion negotiate(String offered) {
    if (offered == null || offered.isBlank()) {
      return OcppVersion.fromSubprotocol(config.string("ocpp.assumeProtocolWhenMissing"));
    }
    for (String token : offered.split(",")) {
      if (protocols.contains(token.trim())) {
        return OcppVersion.fromSubprotocol(token.trim());
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ GatewayContext

  @Override
  public Map<OcppVersion, ProtocolHandler> handlers() {
    return handlers;
  }

  @Override
  public SchemaValidator validator() {
    return validator;
  }

  @Override
  public MessageRecorder recorder() {
    return recorder;
  }

  @Override
  public boolean validateSchemas() {
    return validateSchemas;
  }

  @Override
  public int callTimeoutSeconds() {
    return config.integer("ocpp.callTimeoutSeconds");
  }

  @Override
  public void sessionOpened(ChargerSession session) {
    sessions.add(session);
    LOG.info("[{}] connected ({})", session.chargePointId(), session.version().subprotocol());
    store.connectionChanged(session.chargePointId(), session.version().subprotocol(), true)
        .onFailure(e -> LOG.warn("[{}] could not record the connection: {}", session.chargePointId(), e.toString()));
    recorder.log(session.chargePointId(), null, "Connect", session.version().subprotocol(), null);
    vertx.eventBus().publish(Addresses.EVENT_CONNECTION, new JsonObject().put("chargePointId", session.chargePointId())
        .put("connected", true).put("protocol", session.version().subprotocol()));
  }

  @Override
  public void sessionClosed(ChargerSession session, boolean replaced) {
    sessions.remove(session);
    LOG.info("[{}] disconnected{}", session.chargePointId(), replaced ? " (replaced)" : "");
    if (replaced) {
      return; // the new session owns the charger's online state now
    }
    store.connectionChanged(session.chargePointId(), null, false)
        .onFailure(e -> LOG.warn("[{}] could not record the disconnection: {}", session.chargePointId(), e.toString()));
    recorder.log(session.chargePointId(), null, "Disconnect", null, null);
    vertx.eventBus().publish(Addresses.EVENT_CONNECTION, new JsonObject().put("chargePointId", session.chargePointId())
        .put("connected", false));
  }

  /** Number of open sessions on this verticle instance. */
  public int sessionCount() {
    return sessions.size();
  }
}
