package org.ocppcore.store;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes an object by reference between verticles of one node. Store work never crosses nodes, so
 * nothing is ever encoded to the wire.
 */
public final class LocalCodec implements MessageCodec<LocalCodec.Envelope, LocalCodec.Envelope> {

  /** Any object carried on the local event bus. */
  public record Envelope(Object value) {}

  public static final String NAME = "ocpp-local";

  /** Registers the codec once per Vert.x instance. */
  public static synchronized void register(Vertx vertx) {
    try {
      vertx.eventBus().registerDefaultCodec(Envelope.class, new LocalCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // another server instance on the same Vert.x registered it
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, Envelope envelope) {
    throw new UnsupportedOperationException("local-only codec");
  }

  @Override
  public Envelope decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException("local-only codec");
  }

  @Override
  public Envelope transform(Envelope envelope) {
    return envelope;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
