package org.ocppcore.ocpp;

/** The OCPP-J versions the server knows, keyed by their WebSocket subprotocol name. */
public enum OcppVersion {
  V16("ocpp1.6", "1.6"),
  V201("ocpp2.0.1", "2.0.1"),
  V21("ocpp2.1", "2.1");

  private final String subprotocol;
  private final String schemaDir;

  OcppVersion(String subprotocol, String schemaDir) {
    this.subprotocol = subprotocol;
    this.schemaDir = schemaDir;
  }

  /** The exact (case-sensitive) Sec-WebSocket-Protocol token. */
  public String subprotocol() {
    return subprotocol;
  }

  /** Folder of the official schema set under {@code ocpp-schemas/} on the classpath. */
  public String schemaDir() {
    return schemaDir;
  }

  public boolean is2x() {
    return this != V16;
  }

  /** @return the version for a subprotocol token, or {@code null} when unknown */
  public static OcppVersion fromSubprotocol(String token) {
    for (OcppVersion v : values()) {
      if (v.subprotocol.equals(token)) {
        return v;
      }
    }
    return null;
  }
}
