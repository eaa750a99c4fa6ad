package org.ocppcore.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A deliberately dumb, blocking WebSocket client on a plain {@link Socket} (or {@link SSLSocket})
 * that does the HTTP/1.1 upgrade by hand. It exists to test what Vert.x's client cannot:
 *
 * <ul>
 *   <li>inspect the raw status line and response headers of the upgrade (e.g. {@code 101} without
 *       {@code Sec-WebSocket-Protocol} when no offered subprotocol is acceptable, {@code 400} when
 *       the header is missing, {@code 401} with {@code WWW-Authenticate});
 *   <li>read the next frame exactly as sent (close frames and their status codes);
 *   <li>send arbitrary (masked) frames;
 *   <li>be a dead charger: it never answers pings unless {@link #setAutoPong(boolean)} is on and
 *       the caller is reading, so the server's ping/pong timeout has to close it.
 * </ul>
 *
 * Everything is blocking: call it from the test thread, never from a Vert.x event loop.
 * Not thread-safe. RFC 6455: client frames are always masked; 7/16/64-bit lengths are handled.
 */
public final class RawWebSocket implements Closeable {

  public static final int OP_CONTINUATION = 0x0;
  public static final int OP_TEXT = 0x1;
  public static final int OP_BINARY = 0x2;
  public static final int OP_CLOSE = 0x8;
  public static final int OP_PING = 0x9;
  public static final int OP_PONG = 0xA;

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** One WebSocket frame as read from the wire (payload unmasked). */
  public record Frame(int opcode, boolean fin, byte[] payload) {
    public boolean isText() {
      return opcode == OP_TEXT;
    }

    public boolean isClose() {
      return opcode == OP_CLOSE;
    }

    public boolean isPing() {
      return opcode == OP_PING;
    }

    public boolean isPong() {
      return opcode == OP_PONG;
    }

    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** Status code of a close frame; 1005 (no status) if the close frame has no body. */
    public int closeCode() {
      if (!isClose()) {
        throw new IllegalStateException("not a close frame: opcode " + opcode);
      }
      return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
    }

    public String closeReason() {
      return payload.length > 2
          ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
          : "";
    }

    @Override
    public String toString() {
      String body = isClose() ? closeCode() + " " + closeReason()
          : isText() ? text() : payload.length + " bytes";
      return "Frame[op=" + opcode + (fin ? "" : ",!fin") + ", " + body + "]";
    }
  }

  /** How to connect. All fields optional; builder-style setters. */
  public static final class Options {
    private List<String> subprotocols = List.of("ocpp1.6");
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final List<String> omitHeaders = new ArrayList<>();
    private SSLContext sslContext;
    private Duration timeout = DEFAULT_TIMEOUT;

    /** Subprotocols to offer; an empty list (or null) sends NO Sec-WebSocket-Protocol header. */
    public Options subprotocols(String... protocols) {
      this.subprotocols = protocols == null ? List.of() : List.of(protocols);
      return this;
    }

    public Options subprotocols(List<String> protocols) {
      this.subprotocols = protocols == null ? List.of() : List.copyOf(protocols);
      return this;
    }

    /** Adds or replaces a request header (e.g. a malformed Sec-WebSocket-Version). */
    public Options header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    /** Do not send one of the standard headers (Upgrade, Connection, Sec-WebSocket-Key, ...). */
    public Options omitHeader(String name) {
      omitHeaders.add(name.toLowerCase());
      return this;
    }

    public Options basicAuth(String user, String password) {
      return basicAuth(user, password.getBytes(StandardCharsets.UTF_8));
    }

    /** Basic auth with an arbitrary binary password (OCPP allows raw bytes). */
    public Options basicAuth(String user, byte[] password) {
      byte[] u = (user + ":").getBytes(StandardCharsets.UTF_8);
      byte[] all = new byte[u.length + password.length];
      System.arraycopy(u, 0, all, 0, u.length);
      System.arraycopy(password, 0, all, u.length, password.length);
      return header("Authorization", "Basic " + Base64.getEncoder().encodeToString(all));
    }

    /** For wss:// URLs: use this SSL context (see {@link #trustingPem}, {@link #trustAll}). */
    public Options ssl(SSLContext ctx) {
      this.sslContext = ctx;
      return this;
    }

    /** Socket read timeout for the handshake and default frame reads. */
    public Options timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final String statusLine;
  private final int status;
  private final Map<String, List<String>> headers;
  private final String expectedAccept;
  private final Duration defaultTimeout;
  private byte[] body;
  private boolean autoPong;
  private int pingsReceived;
  private boolean closeSent;

  private RawWebSocket(Socket socket, InputStream in, OutputStream out, String statusLine,
      Map<String, List<String>> headers, String expectedAccept, Duration defaultTimeout) {
    this.socket = socket;
    this.in = in;
    this.out = out;
    this.statusLine = statusLine;
    String[] parts = statusLine.split(" ", 3);
    this.status = parts.length >= 2 ? Integer.parseInt(parts[1].trim()) : -1;
    this.headers = headers;
    this.expectedAccept = expectedAccept;
    this.defaultTimeout = defaultTimeout;
  }

  /** Connects offering {@code ocpp1.6}. */
  public static RawWebSocket connect(String url) throws IOException {
    return connect(url, new Options());
  }

  /** Connects offering the given subprotocols (none: no Sec-WebSocket-Protocol header). */
  public static RawWebSocket connect(String url, String... subprotocols) throws IOException {
    return connect(url, new Options().subprotocols(subprotocols));
  }

  /**
   * Opens the TCP (TLS for wss://) connection, sends the upgrade request and reads the response
   * status line and headers. Does not fail on a non-101 status: check {@link #status()}.
   */
  public static RawWebSocket connect(String url, Options o) throws IOException {
    URI uri = URI.create(url);
    boolean tls = "wss".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
    String host = uri.getHost();
    int port = uri.getPort() != -1 ? uri.getPort() : tls ? 443 : 80;
    int timeoutMs = (int) o.timeout.toMillis();

    Socket s;
    if (tls) {
      SSLContext ctx = o.sslContext != null ? o.sslContext : trustAll();
      Socket plain = new Socket();
      plain.connect(new InetSocketAddress(host, port), timeoutMs);
      SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket(plain, host, port, true);
      SSLParameters p = ssl.getSSLParameters();
      p.setEndpointIdentificationAlgorithm(o.sslContext != null ? "HTTPS" : null);
      ssl.setSSLParameters(p);
      ssl.setSoTimeout(timeoutMs);
      ssl.startHandshake();
      s = ssl;
    } else {
      s = new Socket();
      s.connect(new InetSocketAddress(host, port), timeoutMs);
    }
    s.setSoTimeout(timeoutMs);
    s.setTcpNoDelay(true);

    byte[] keyBytes = new byte[16];
    RANDOM.nextBytes(keyBytes);
    String key = Base64.getEncoder().encodeToString(keyBytes);
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }

    Map<String, String> h = new LinkedHashMap<>();
    boolean defaultPort = uri.getPort() == -1;
    h.put("Host", host + (defaultPort ? "" : ":" + port));
    h.put("Upgrade", "websocket");
    h.put("Connection", "Upgrade");
    h.put("Sec-WebSocket-Key", key);
    h.put("Sec-WebSocket-Version", "13");
    if (o.subprotocols != null && !o.subprotocols.isEmpty()) {
      h.put("Sec-WebSocket-Protocol", String.join(", ", o.subprotocols));
    }
    o.headers.forEach((k, v) -> {
      h.keySet().removeIf(existing -> existing.equalsIgnoreCase(k));
      h.put(k, v);
    });
    h.keySet().removeIf(k -> o.omitHeaders.contains(k.toLowerCase()));

    StringBuilder req = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\n");
    h.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
    req.append("\r\n");
    OutputStream out = s.getOutputStream();
    out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();

    InputStream in = new BufferedInputStream(s.getInputStream());
    String statusLine = readLine(in);
    if (statusLine == null) {
      s.close();
      throw new EOFException("connection closed before any HTTP response");
    }
    Map<String, List<String>> respHeaders = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        respHeaders.computeIfAbsent(line.substring(0, colon).trim(), k -> new ArrayList<>())
            .add(line.substring(colon + 1).trim());
      }
    }
    String accept = acceptFor(key);
    return new RawWebSocket(s, in, out, statusLine, respHeaders, accept, o.timeout);
  }

  // ---------------------------------------------------------------- handshake results

  /** E.g. {@code HTTP/1.1 101 Switching Protocols}. */
  public String statusLine() {
    return statusLine;
  }

  public int status() {
    return status;
  }

  /** Response headers, case-insensitive names, all values. */
  public Map<String, List<String>> headers() {
    return Collections.unmodifiableMap(headers);
  }

  /** First value of a response header or null. */
  public String header(String name) {
    List<String> v = headers.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  public boolean hasHeader(String name) {
    return headers.containsKey(name);
  }

  /** Status 101 and a correct Sec-WebSocket-Accept. */
  public boolean isUpgraded() {
    return status == 101 && expectedAccept.equals(header("Sec-WebSocket-Accept"));
  }

  /** The selected subprotocol (Sec-WebSocket-Protocol response header) or null. */
  public String subprotocol() {
    return header("Sec-WebSocket-Protocol");
  }

  /**
   * Body of a non-101 response: Content-Length bytes, or chunked, or until the server closes /
   * the read timeout expires.
   */
  public byte[] body() throws IOException {
    if (body != null) {
      return body;
    }
    if (status == 101) {
      throw new IllegalStateException("101 has no body");
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    String cl = header("Content-Length");
    String te = header("Transfer-Encoding");
    if (cl != null) {
      buf.write(readExactly(Integer.parseInt(cl.trim())));
    } else if (te != null && te.toLowerCase().contains("chunked")) {
      while (true) {
        String sizeLine = readLine(in);
        if (sizeLine == null) {
          break;
        }
        int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
        if (size == 0) {
          readLine(in);
          break;
        }
        buf.write(readExactly(size));
        readLine(in);
      }
    } else {
      try {
        in.transferTo(buf);
      } catch (SocketTimeoutException e) {
        // take what we have
      }
    }
    body = buf.toByteArray();
    return body;
  }

  public String bodyText() throws IOException {
    return new String(body(), StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- sending

  /** Sends a single masked final text frame. */
  public void sendText(String text) throws IOException {
    sendFrame(OP_TEXT, true, text.getBytes(StandardCharsets.UTF_8));
  }

  public void sendBinary(byte[] data) throws IOException {
    sendFrame(OP_BINARY, true, data);
  }

  public void sendPing(byte[] data) throws IOException {
    sendFrame(OP_PING, true, data);
  }

  public void sendPong(byte[] data) throws IOException {
    sendFrame(OP_PONG, true, data);
  }

  /** Sends a close frame with a status code and reason. */
  public void sendClose(int code, String reason) throws IOException {
    byte[] r = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
    byte[] p = new byte[2 + r.length];
    p[0] = (byte) (code >> 8);
    p[1] = (byte) code;
    System.arraycopy(r, 0, p, 2, r.length);
    sendFrame(OP_CLOSE, true, p);
    closeSent = true;
  }

  /** Sends one masked frame (any opcode; fin=false for fragments). */
  public void sendFrame(int opcode, boolean fin, byte[] payload) throws IOException {
    out.write(encodeFrame(opcode, fin, payload, true));
    out.flush();
  }

  /** Sends one frame WITHOUT a mask (a protocol violation the server must reject with 1002). */
  public void sendUnmaskedFrame(int opcode, boolean fin, byte[] payload) throws IOException {
    out.write(encodeFrame(opcode, fin, payload, false));
    out.flush();
  }

  /** Writes arbitrary bytes on the socket. */
  public void sendRawBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  static byte[] encodeFrame(int opcode, boolean fin, byte[] payload, boolean mask) {
    int len = payload.length;
    int headerLen = 2 + (len <= 125 ? 0 : len <= 0xFFFF ? 2 : 8) + (mask ? 4 : 0);
    ByteBuffer b = ByteBuffer.allocate(headerLen + len);
    b.put((byte) ((fin ? 0x80 : 0) | (opcode & 0x0F)));
    int maskBit = mask ? 0x80 : 0;
    if (len <= 125) {
      b.put((byte) (maskBit | len));
    } else if (len <= 0xFFFF) {
      b.put((byte) (maskBit | 126));
      b.putShort((short) len);
    } else {
      b.put((byte) (maskBit | 127));
      b.putLong(len);
    }
    if (mask) {
      byte[] key = new byte[4];
      RANDOM.nextBytes(key);
      b.put(key);
      for (int i = 0; i < len; i++) {
        b.put((byte) (payload[i] ^ key[i & 3]));
      }
    } else {
      b.put(payload);
    }
    return b.array();
  }

  // ---------------------------------------------------------------- receiving

  /** When on, {@link #readFrame} answers pings with pongs. Off by default: a silent charger. */
  public RawWebSocket setAutoPong(boolean autoPong) {
    this.autoPong = autoPong;
    return this;
  }

  /** Number of ping frames read so far (answered or not). */
  public int pingsReceived() {
    return pingsReceived;
  }

  /** Reads the next frame with the default timeout. */
  public Frame readFrame() throws IOException {
    return readFrame(defaultTimeout);
  }

  /**
   * Reads the next frame (any opcode; pings/pongs are returned too).
   *
   * @return the frame, or null if the connection was closed (EOF) before a frame header
   * @throws SocketTimeoutException when nothing arrives in time
   */
  public Frame readFrame(Duration timeout) throws IOException {
    requireUpgraded();
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    int b0 = in.read();
    if (b0 < 0) {
      return null;
    }
    int b1 = readByte();
    boolean fin = (b0 & 0x80) != 0;
    int opcode = b0 & 0x0F;
    boolean masked = (b1 & 0x80) != 0;
    long len = b1 & 0x7F;
    if (len == 126) {
      len = ((long) readByte() << 8) | readByte();
    } else if (len == 127) {
      len = 0;
      for (int i = 0; i < 8; i++) {
        len = (len << 8) | readByte();
      }
    }
    if (len > Integer.MAX_VALUE - 8) {
      throw new IOException("frame too large: " + len);
    }
    byte[] key = masked ? readExactly(4) : null;
    byte[] payload = readExactly((int) len);
    if (masked) { // servers must not mask, but unmask anyway so the test can see the content
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= key[i & 3];
      }
    }
    Frame f = new Frame(opcode, fin, payload);
    if (f.isPing()) {
      pingsReceived++;
      if (autoPong) {
        sendPong(payload);
      }
    }
    return f;
  }

  /**
   * Reads the next text message (reassembling fragments), skipping ping/pong frames.
   *
   * @return the text, or null if a close frame or EOF came first
   */
  public String readText(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ByteArrayOutputStream msg = null;
    while (true) {
      Frame f = readFrame(remaining(deadline));
      if (f == null || f.isClose()) {
        return null;
      }
      if (f.isPing() || f.isPong()) {
        continue;
      }
      if (f.opcode() == OP_TEXT || f.opcode() == OP_BINARY) {
        msg = new ByteArrayOutputStream();
      }
      if (msg != null) {
        msg.write(f.payload());
      }
      if (f.fin() && msg != null) {
        return msg.toString(StandardCharsets.UTF_8);
      }
    }
  }

  /**
   * Stays silent (never answers pings, even if autoPong is on) and reads until the server sends a
   * close frame or drops the connection.
   *
   * @return the close status code, or -1 if the TCP connection ended without a close frame
   * @throws SocketTimeoutException if the connection is still open after {@code timeout}
   */
  public int awaitServerClose(Duration timeout) throws IOException {
    boolean saved = autoPong;
    autoPong = false;
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        Frame f;
        try {
          f = readFrame(remaining(deadline));
        } catch (SocketTimeoutException e) {
          throw e;
        } catch (IOException e) { // e.g. connection reset
          return -1;
        }
        if (f == null) {
          return -1;
        }
        if (f.isClose()) {
          return f.closeCode();
        }
      }
    } finally {
      autoPong = saved;
    }
  }

  /**
   * Waits until the server ends the TCP connection (after a close handshake or not), returning
   * true if it did within the timeout; frames read meanwhile are discarded.
   */
  public boolean awaitEof(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      socket.setSoTimeout((int) Math.max(1, remaining(deadline).toMillis()));
      byte[] sink = new byte[4096];
      while (in.read(sink) >= 0) {
        socket.setSoTimeout((int) Math.max(1, remaining(deadline).toMillis()));
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  public boolean isClosed() {
    return socket.isClosed();
  }

  /** Closes the TCP connection abruptly (no close frame): a charger losing its network. */
  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing
    }
  }

  /** Sends a close frame (if not sent yet), waits briefly for the server's reply, closes TCP. */
  public void closeGracefully(int code) {
    try {
      if (!closeSent && status == 101) {
        sendClose(code, "");
      }
      awaitEof(Duration.ofSeconds(2));
    } catch (IOException ignored) {
      // nothing
    } finally {
      close();
    }
  }

  @Override
  public String toString() {
    return "RawWebSocket[" + statusLine + ", " + headers + "]";
  }

  // ---------------------------------------------------------------- TLS helpers

  /** An SSL context that trusts every server certificate (no host check either). */
  public static SSLContext trustAll() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, RANDOM);
      return ctx;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An SSL context trusting the CA certificate(s) in a PEM file (host name is verified). */
  public static SSLContext trustingPem(java.nio.file.Path caPem) {
    return trustingPem(caPem, null);
  }

  /** Same, presenting a client certificate (mutual TLS); clientCert may be null. */
  public static SSLContext trustingPem(java.nio.file.Path caPem, TestCerts.Pem clientCert) {
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      ks.setCertificateEntry("ca", TestCerts.readCertificate(caPem));
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      javax.net.ssl.KeyManager[] kms = clientCert == null ? null
          : new javax.net.ssl.KeyManager[] {
            TestCerts.alwaysPresentingKeyManager(clientCert.cert(), clientCert.key())};
      ctx.init(kms, tmf.getTrustManagers(), RANDOM);
      return ctx;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- internals

  private void requireUpgraded() {
    if (status != 101) {
      throw new IllegalStateException("not upgraded: " + statusLine);
    }
  }

  private static Duration remaining(long deadlineNanos) throws SocketTimeoutException {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) {
      throw new SocketTimeoutException("timed out");
    }
    return Duration.ofNanos(left);
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("connection closed inside a frame");
    }
    return b;
  }

  private byte[] readExactly(int n) throws IOException {
    byte[] buf = in.readNBytes(n);
    if (buf.length != n) {
      throw new EOFException("connection closed: wanted " + n + " bytes, got " + buf.length);
    }
    return buf;
  }

  /** Reads a CRLF (or LF) terminated ISO-8859-1 line; null at EOF before any byte. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    boolean any = false;
    while ((c = in.read()) >= 0) {
      any = true;
      if (c == '\n') {
        break;
      }
      line.write(c);
    }
    if (!any) {
      return null;
    }
    String s = line.toString(StandardCharsets.ISO_8859_1);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  static String acceptFor(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1")
          .digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
