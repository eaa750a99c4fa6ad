package org.ocppcore.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.ocppcore.app.Config;
import org.ocppcore.ocpp.OcppVersion;
import org.ocppcore.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OCPP.Core's two message records: the MessageLog table (level 0 off, 1 all but the chatty
 * messages, 2 everything) and the dump directory (every frame in and out, one file each).
 */
public final class MessageRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(MessageRecorder.class);
  /** Not logged at level 1 (OCPP.Core's rule): frequent and of little interest. */
  private static final Set<String> CHATTY = Set.of("BootNotification", "Heartbeat", "DataTransfer", "StatusNotification");
  private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd_HH-mm-ss-SSSS");

  private final Vertx vertx;
  private final Store store;
  private final int level;
  private final String dumpDir;
  private final AtomicLong sequence = new AtomicLong();

  public MessageRecorder(Vertx vertx, Store store, Config config) {
    this.vertx = vertx;
    this.store = store;
    this.level = config.integer("log.dbMessageLog");
    String dir = config.string("log.messageDumpDir");
    this.dumpDir = dir.isBlank() ? null : dir;
    if (dumpDir != null) {
      vertx.fileSystem().mkdirs(dumpDir).onFailure(e -> LOG.warn("cannot create message dump dir {}: {}", dumpDir, e.toString()));
    }
  }

  public boolean logs(String action) {
    return level >= 2 || (level == 1 && !CHATTY.contains(action));
  }

  /** Writes a MessageLog row if the level asks for it. Never fails the caller. */
  public void log(String cpId, Integer connectorId, String action, String result, String errorCode) {
    if (logs(action)) {
      always(cpId, connectorId, action, result, errorCode);
    }
  }

  /** Writes a MessageLog row whatever the level: for what an operator must see (anomalies, logins). */
  public void always(String cpId, Integer connectorId, String action, String result, String errorCode) {
    store.messageLog(cpId, connectorId, action, result, errorCode)
        .onFailure(e -> LOG.warn("message log write failed: {}", e.toString()));
  }

  /** Dumps one frame to its own file if a dump directory is configured. */
  public void dump(String cpId, OcppVersion version, boolean incoming, String frame) {
    if (dumpDir == null) {
      return;
    }
    String name = LocalDateTime.now().format(FILE_TIME) + "_" + sequence.incrementAndGet() + "_" + safe(cpId) + "_"
        + version.subprotocol().replace(".", "") + "-" + (incoming ? "in" : "out") + ".txt";
    vertx.fileSystem().writeFile(dumpDir + "/" + name, Buffer.buffer(frame))
        .onFailure(e -> LOG.warn("message dump failed: {}", e.toString()));
  }

  private static String safe(String id) {
    return id.replaceAll("[^A-Za-z0-9._=+@-]", "_");
  }
}
