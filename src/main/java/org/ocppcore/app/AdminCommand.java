package org.ocppcore.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.ocppcore.api.ApiKeys;
import org.ocppcore.domain.TagRecord;
import org.ocppcore.store.AdminStore;
import org.ocppcore.security.PasswordHash;
import org.ocppcore.store.Database;
import org.ocppcore.store.Store;
import org.ocppcore.store.StoreVerticle;

/**
 * Command-line administration on the configured database, usable while the server runs:
 * <pre>
 *   admin chargepoint CP1 [--name N] [--password P] [--cert-thumbprint HEX] [--status Accepted|Pending|Rejected] [--cut-tag-at-underscore]
 *   admin tag TAG1 [--name N] [--parent GROUP] [--expiry 2027-01-01T00:00:00Z] [--blocked]
 *   admin api-key NAME [--role admin|readonly]   (prints a new key once; only its hash is stored)
 * </pre>
 * Passwords are stored only as PBKDF2 hashes.
 */
final class AdminCommand {
  private AdminCommand() {}

  static final String USAGE = """
      usage: java -jar ocpp-core.jar [--config FILE] admin chargepoint ID [--name N] [--password P]
                 [--cert-thumbprint HEX] [--status Accepted|Pending|Rejected] [--cut-tag-at-underscore]
             java -jar ocpp-core.jar [--config FILE] admin tag TAG [--name N] [--parent GROUP]
                 [--expiry ISO-8601] [--blocked]
             java -jar ocpp-core.jar [--config FILE] admin api-key NAME [--role admin|readonly]""";

  /** @return the exit code */
  static int run(Config config, List<String> args, PrintStream out) throws Exception {
    if (args.size() < 2) {
      throw new IllegalArgumentException(USAGE);
    }
    String kind = args.get(0);
    String id = args.get(1);
    Options o = new Options(args.subList(2, args.size()));
    Vertx vertx = Vertx.vertx();
    try (Database db = Database.open(vertx, config)) {
      StoreVerticle writer = new StoreVerticle(db, 1);
      OcppServer.await(vertx.deployVerticle(writer));
      Store store = new Store(db.readPool(), db.dialect(), writer);
      switch (kind) {
        case "chargepoint" -> {
          String status = o.value("--status", "Accepted");
          if (!List.of("Accepted", "Pending", "Rejected").contains(status)) {
            throw new IllegalArgumentException("--status must be Accepted, Pending or Rejected");
          }
          String password = o.value("--password", null);
          if (password != null && password.length() < 8) {
            throw new IllegalArgumentException("--password must have at least 8 characters (OCPP asks for 16-40)");
          }
          String name = o.value("--name", id);
          String thumb = o.value("--cert-thumbprint", null);
          boolean cut = o.flag("--cut-tag-at-underscore");
          o.rejectLeftovers();
          String hash = password == null ? null : PasswordHash.hash(password, config.integer("security.pbkdf2Iterations"));
          OcppServer.await(store.upsertChargePoint(id, name, hash, thumb, status, cut));
          out.println("charge point " + id + " saved (" + status + (hash == null ? ", no password" : ", password set")
              + ")");
        }
        case "tag" -> {
          String expiry = o.value("--expiry", null);
          TagRecord tag = new TagRecord(id, o.value("--name", null), o.value("--parent", null),
              expiry == null ? null : Instant.parse(expiry), o.flag("--blocked"));
          o.rejectLeftovers();
          OcppServer.await(store.upsertTag(tag));
          out.println("tag " + id + " saved");
        }
        case "api-key" -> {
          String role = o.value("--role", "admin");
          if (!role.equals("admin") && !role.equals("readonly")) {
            throw new IllegalArgumentException("--role must be admin or readonly");
          }
          o.rejectLeftovers();
          String key = OcppServer.await(new ApiKeys(new AdminStore(store, db.readPool())).create(id, role));
          out.println("API key " + id + " (" + role + "), shown only now:");
          out.println(key);
        }
        default -> throw new IllegalArgumentException(USAGE);
      }
      return 0;
    } finally {
      OcppServer.await(vertx.close());
    }
  }



  /** Minimal --key value / --flag parsing that rejects what it does not know. */
  private static final class Options {
    private final List<String> rest;

    Options(List<String> args) {
      this.rest = new ArrayList<>(args);
    }

    String value(String key, String fallback) {
      int i = rest.indexOf(key);
      if (i < 0) {
        return fallback;
      }
      if (i + 1 >= rest.size()) {
        throw new IllegalArgumentException(key + " needs a value");
      }
      String v = rest.get(i + 1);
      rest.subList(i, i + 2).clear();
      return v;
    }

    boolean flag(String key) {
      return rest.remove(key);
    }

    void rejectLeftovers() {
      if (!rest.isEmpty()) {
        throw new IllegalArgumentException("unknown arguments " + rest + "\n" + USAGE);
      }
    }
  }
}
