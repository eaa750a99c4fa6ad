package org.ocppcore.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocppcore.security.PasswordHash;

/** The admin command writes charge points and tags, hashes passwords, and rejects bad arguments before writing. */
class AdminCommandTest {

  private static Config config(Path dir) {
    return Config.of(new JsonObject().put("db", new JsonObject().put("url", "jdbc:sqlite:" + dir.resolve("a.sqlite")))
        .put("security", new JsonObject().put("pbkdf2Iterations", 1000)));
  }

  private static String[] row(Path dir, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("a.sqlite"));
         ResultSet rs = c.createStatement().executeQuery(sql)) {
      if (!rs.next()) {
        return null;
      }
      String[] out = new String[rs.getMetaData().getColumnCount()];
      for (int i = 0; i < out.length; i++) {
        out[i] = rs.getString(i + 1);
      }
      return out;
    }
  }

  @Test
  void savesChargePointWithHashedPasswordAndTag(@TempDir Path dir) throws Exception {
    PrintStream out = new PrintStream(new ByteArrayOutputStream());
    assertEquals(0, AdminCommand.run(config(dir), List.of("chargepoint", "CP7", "--password", "s3cret-password-16",
        "--status", "Pending"), out));
    String[] cp = row(dir, "SELECT PasswordHash, RegistrationStatus FROM ChargePoint WHERE ChargePointId='CP7'");
    assertFalse(cp[0].contains("s3cret"));
    assertTrue(PasswordHash.verify("s3cret-password-16", cp[0]));
    assertEquals("Pending", cp[1]);

    assertEquals(0, AdminCommand.run(config(dir), List.of("tag", "T1", "--parent", "G1", "--expiry",
        "2030-01-01T00:00:00Z", "--blocked"), out));
    String[] tag = row(dir, "SELECT ParentTagId, ExpiryDate, Blocked FROM ChargeTags WHERE TagId='T1'");
    assertEquals("G1", tag[0]);
    assertEquals("2030-01-01T00:00:00.000Z", tag[1]);
    assertEquals("1", tag[2]);
  }

  @Test
  void badArgumentsChangeNothing(@TempDir Path dir) throws Exception {
    PrintStream out = new PrintStream(new ByteArrayOutputStream());
    AdminCommand.run(config(dir), List.of("tag", "T2", "--parent", "G"), out);
    assertThrows(IllegalArgumentException.class,
        () -> AdminCommand.run(config(dir), List.of("tag", "T2", "--bogus"), out));
    assertEquals("G", row(dir, "SELECT ParentTagId FROM ChargeTags WHERE TagId='T2'")[0]);
    assertThrows(IllegalArgumentException.class,
        () -> AdminCommand.run(config(dir), List.of("chargepoint", "CP8", "--password", "short"), out));
    assertThrows(IllegalArgumentException.class,
        () -> AdminCommand.run(config(dir), List.of("chargepoint", "CP8", "--status", "Maybe"), out));
    assertEquals(null, row(dir, "SELECT * FROM ChargePoint WHERE ChargePointId='CP8'"));
  }
}
