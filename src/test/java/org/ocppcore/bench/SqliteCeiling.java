package org.ocppcore.bench;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.ocppcore.domain.MeterSample;
import org.ocppcore.store.Dialect;
import org.ocppcore.store.BulkTransactionIndex;
import org.ocppcore.store.MeterValueRows;
import org.ocppcore.store.WriteConnection;

/**
 * The storage ceiling: the statements the server runs for one MeterValues ({@code Store.meterValues}:
 * the MeterValue row's INSERT OR IGNORE, the connector UPDATE, and every {@link
 * BulkTransactionIndex#CATCH_UP_ROWS} rows the index's catch-up round), on the server's own schema and
 * pragmas, run on one thread with plain JDBC and one commit per {@code opsPerCommit} ops. No
 * network, no JSON parsing, no Vert.x: how many acknowledged-after-commit MeterValues this
 * machine's SQLite can take, to compare the server's ingest rate with.
 */
final class SqliteCeiling {
  private SqliteCeiling() {}

  /** Storage layouts compared by {@code Bench ceiling}. */
  enum Layout {
    /** The server's schema and statements: one MeterValue row per message (schema version 5). */
    SERVER,
    /** One MeterSample row per sample, unique on ChargePointId and a 64-bit SampleHash (schema version 4). */
    SAMPLE_ROWS
  }

  static JsonObject run(Path templateDb, Path dir, String synchronous, int opsPerCommit, int samplesPerMessage,
      int chargers, int seconds) throws Exception {
    return run(templateDb, dir, synchronous, opsPerCommit, samplesPerMessage, chargers, seconds, Layout.SERVER);
  }

  private static final String[] KINDS = {"Energy.Active.Import.Register|", "Power.Active.Import|", "Current.Import|L1",
      "Current.Import|L2", "Current.Import|L3", "Voltage|L1-N", "Voltage|L2-N", "Voltage|L3-N", "Current.Offered|",
      "SoC|"};

  static JsonObject run(Path templateDb, Path dir, String synchronous, int opsPerCommit, int samplesPerMessage,
      int chargers, int seconds, Layout layout) throws Exception {
    Files.createDirectories(dir);
    Path db = dir.resolve("ceiling-" + synchronous + ".sqlite");
    Files.copy(templateDb, db, StandardCopyOption.REPLACE_EXISTING);
    String url = "jdbc:sqlite:" + db + "?journal_mode=WAL&synchronous=" + synchronous
        + "&busy_timeout=10000&foreign_keys=true&cache_size=-65536";
    LatencyHistogram commitLatency = new LatencyHistogram();
    long ops = 0;
    long commits = 0;
    long samples = 0;
    long[] clock = new long[chargers];
    try (Connection c = DriverManager.getConnection(url)) {
      if (layout == Layout.SAMPLE_ROWS) {
        // the table of schema version 4, where the view of version 5 is
        c.createStatement().execute("DROP VIEW MeterSample");
        c.createStatement().execute("CREATE TABLE MeterSample (SampleId INTEGER PRIMARY KEY AUTOINCREMENT, "
            + "ChargePointId TEXT NOT NULL REFERENCES ChargePoint(ChargePointId), ConnectorId INTEGER NOT NULL, "
            + "TransactionId INTEGER, Timestamp TEXT NOT NULL, Value TEXT NOT NULL, NumericValue REAL, "
            + "Measurand TEXT NOT NULL, Unit TEXT, Phase TEXT, Location TEXT, Context TEXT, Format TEXT, "
            + "SampleKey TEXT NOT NULL, SampleHash INTEGER)");
        c.createStatement().execute("CREATE UNIQUE INDEX IX_MeterSample_Hash ON MeterSample (ChargePointId, SampleHash)");
        c.createStatement().execute("CREATE INDEX IX_MeterSample_Transaction ON MeterSample (TransactionId)");
      }
      c.setAutoCommit(false);
      WriteConnection writer = new WriteConnection(c); // for the catch-up, the server's own code
      // the server's SQL (Store.insertSamples, updateConnector), and that of schema version 4
      PreparedStatement insertRow = c.prepareStatement("INSERT OR IGNORE INTO MeterValue (ChargePointId, ConnectorId, "
          + "TransactionId, Timestamp, KeyHash, Samples) VALUES (?, ?, ?, ?, ?, ?)");
      PreparedStatement insert = layout != Layout.SAMPLE_ROWS ? null : c.prepareStatement("INSERT OR IGNORE INTO "
          + "MeterSample (ChargePointId, ConnectorId, TransactionId, Timestamp, Value, NumericValue, Measurand, Unit, "
          + "Phase, Location, Context, Format, SampleKey, SampleHash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      PreparedStatement insertConnector = c.prepareStatement("INSERT INTO ConnectorStatus (ChargePointId, ConnectorId) VALUES (?, ?)");
      PreparedStatement update = c.prepareStatement("UPDATE ConnectorStatus SET LastMeter = COALESCE(?, LastMeter), "
          + "LastMeterTime = COALESCE(?, LastMeterTime), LastPowerKw = COALESCE(?, LastPowerKw), "
          + "LastSoc = COALESCE(?, LastSoc) WHERE ChargePointId = ? AND ConnectorId = ?");
      long start = System.nanoTime();
      long deadline = start + seconds * 1_000_000_000L;
      long base = System.currentTimeMillis();
      int next = 0;
      while (System.nanoTime() < deadline) {
        long t0 = System.nanoTime();
        for (int k = 0; k < opsPerCommit; k++) {
          int i = next++ % chargers;
          String cp = LoadGenerator.chargerId("CP", i);
          String time = Payloads.time(base + (clock[i] += 1000));
          List<MeterSample> batch = new ArrayList<>(samplesPerMessage);
          for (int s = 0; s < samplesPerMessage; s++) {
            String[] kind = KINDS[s % KINDS.length].split("\\|", -1);
            String ts = s < KINDS.length ? time : Payloads.time(base + clock[i] + s / KINDS.length);
            // a transaction per charger, as in the server's ingest (scattered TransactionId index entries)
            batch.add(new MeterSample(1, i + 1L, ts, "230.1", 230.1, kind[0], "V", kind[1].isEmpty() ? null : kind[1],
                "Outlet", "Sample.Periodic", "Raw"));
          }
          if (layout == Layout.SERVER) {
            MeterValueRows.Row row = MeterValueRows.rows(cp, batch).get(0);
            insertRow.setString(1, cp);
            insertRow.setInt(2, row.connectorId());
            insertRow.setLong(3, row.transactionId());
            insertRow.setString(4, row.timestamp());
            insertRow.setLong(5, row.keyHash());
            insertRow.setString(6, row.samples());
            insertRow.executeUpdate();
          } else {
            for (MeterSample s : batch) {
              insert.setString(1, cp);
              insert.setInt(2, s.connectorId());
              insert.setLong(3, s.transactionId());
              insert.setString(4, s.timestamp());
              insert.setString(5, s.value());
              insert.setDouble(6, s.numericValue());
              insert.setString(7, s.measurand());
              insert.setString(8, s.unit());
              insert.setString(9, s.phase());
              insert.setString(10, s.location());
              insert.setString(11, s.context());
              insert.setString(12, s.format());
              insert.setString(13, s.key());
              insert.setLong(14, MeterValueRows.hash(s.key()));
              insert.addBatch();
            }
            insert.executeBatch();
          }
          update.setDouble(1, 12.3);
          update.setString(2, time);
          update.setDouble(3, 11.0);
          update.setDouble(4, 40.0);
          update.setString(5, cp);
          update.setInt(6, 1);
          if (update.executeUpdate() == 0) {
            insertConnector.setString(1, cp);
            insertConnector.setInt(2, 1);
            insertConnector.executeUpdate();
            update.executeUpdate();
          }
          ops++;
          samples += samplesPerMessage;
          if (layout == Layout.SERVER && ops % BulkTransactionIndex.CATCH_UP_ROWS == 0) {
            catchUp(writer);
          }
        }
        c.commit();
        commits++;
        commitLatency.recordNanos(System.nanoTime() - t0);
      }
      double secs = (System.nanoTime() - start) / 1e9;
      long rows;
      try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM MeterSample")) {
        rs.next();
        rows = rs.getLong(1);
      }
      long fileBytes = Files.size(db) + (Files.exists(Path.of(db + "-wal")) ? Files.size(Path.of(db + "-wal")) : 0);
      return new JsonObject()
          .put("layout", layout.name())
          .put("bytesPerSample", rows == 0 ? 0 : Math.round((double) (fileBytes - Files.size(templateDb)) / rows))
          .put("synchronous", synchronous)
          .put("opsPerCommit", opsPerCommit)
          .put("seconds", ProcSampler.round(secs))
          .put("rate", ProcSampler.round(ops / secs))
          .put("samplesPerSec", ProcSampler.round(samples / secs))
          .put("commitsPerSec", ProcSampler.round(commits / secs))
          .put("rows", rows)
          .put("batchP50Ms", Metrics.ms(commitLatency.percentileMicros(50)))
          .put("batchP99Ms", Metrics.ms(commitLatency.percentileMicros(99)));
    } finally {
      Files.deleteIfExists(db);
      Files.deleteIfExists(Path.of(db + "-wal"));
      Files.deleteIfExists(Path.of(db + "-shm"));
    }
  }

  /**
   * The server's catch-up round ({@link BulkTransactionIndex}): its read and its writes, inside the
   * ceiling's transaction on the one thread (the server writes the entries in chunks between
   * chargers' writes).
   */
  private static void catchUp(WriteConnection writer) throws SQLException {
    BulkTransactionIndex.Round round = BulkTransactionIndex.read(writer, BulkTransactionIndex.METER_VALUES);
    if (round != null) {
      writer.batch(BulkTransactionIndex.METER_VALUES.insertEntry(Dialect.SQLITE), round.entries());
      writer.update(BulkTransactionIndex.METER_VALUES.moveMark, round.last());
    }
  }
}
