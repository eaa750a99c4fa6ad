package org.ocppcore.web;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.auth.authentication.UsernamePasswordCredentials;
import io.vertx.ext.auth.htpasswd.HtpasswdAuth;
import io.vertx.ext.auth.htpasswd.HtpasswdAuthOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.codec.digest.Md5Crypt;
import org.ocppcore.app.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UI's users: an Apache htpasswd file ({@code $apr1$} or {@code {SHA}} hashes; bcrypt is not
 * supported by vertx-auth-htpasswd), administrators named in {@code ui.admins}. Without a file,
 * the first start creates one with the first administrator name and a random password, logged
 * once. The file is read again when it changes, so users can be added without a restart.
 */
final class UiUsers {
  private static final Logger LOG = LoggerFactory.getLogger(UiUsers.class);
  private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

  static final String ADMIN = "admin";
  static final String USER = "user";

  private final Vertx vertx;
  private final Path file;
  private final Set<String> admins;
  private volatile HtpasswdAuth auth;
  private volatile long loadedModified;

  private UiUsers(Vertx vertx, Path file, Set<String> admins) {
    this.vertx = vertx;
    this.file = file;
    this.admins = admins;
  }

  /** Creates the file on first start if needed and reads it (blocking: call at start, off the event loop). */
  static UiUsers create(Vertx vertx, Config config) throws IOException {
    Set<String> admins = new LinkedHashSet<>();
    JsonArray list = config.list("ui.admins");
    for (int i = 0; i < list.size(); i++) {
      admins.add(list.getString(i));
    }
    UiUsers users = new UiUsers(vertx, usersFile(config), admins);
    users.createIfMissing();
    users.load();
    return users;
  }

  /**
   * {@code ui.htpasswdFile}, or by default {@code htpasswd} beside the SQLite database file
   * ({@code data/htpasswd} with the default database), {@code data/htpasswd} for server databases.
   */
  static Path usersFile(Config config) {
    String configured = config.string("ui.htpasswdFile");
    if (!configured.isBlank()) {
      return Path.of(configured);
    }
    String url = config.string("db.url");
    if (url.startsWith("jdbc:sqlite:")) {
      String path = url.substring("jdbc:sqlite:".length());
      int q = path.indexOf('?');
      path = q >= 0 ? path.substring(0, q) : path;
      if (!path.isEmpty() && !path.equals(":memory:") && !path.startsWith("file:")) {
        Path parent = Path.of(path).toAbsolutePath().getParent();
        if (parent != null) {
          return parent.resolve("htpasswd");
        }
      }
    }
    return Path.of("data", "htpasswd");
  }

  Path file() {
    return file;
  }

  private void createIfMissing() throws IOException {
    if (Files.exists(file)) {
      return;
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    String name = admins.isEmpty() ? "admin" : admins.iterator().next();
    String password = randomPassword(20);
    String line = name + ":" + Md5Crypt.apr1Crypt(password.getBytes(StandardCharsets.UTF_8)) + "\n";
    try {
      Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (FileAlreadyExistsException raced) {
      return; // another node sharing the folder created it first
    }
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException | IOException notPosix) {
      // Windows: the folder's permissions apply
    }
    // the only place the password ever appears: not in the file (hashed), not in any other log line
    LOG.warn("\n==========================================================================\n"
        + " First start of the management UI: created the users file {}\n"
        + " with the administrator '{}' and the password:  {}\n"
        + " It is shown only this once. Add or change users with: htpasswd -m {} <name>\n"
        + "==========================================================================", file.toAbsolutePath(), name,
        password, file.toAbsolutePath());
  }

  static String randomPassword(int length) {
    SecureRandom random = new SecureRandom();
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return sb.toString();
  }

  /** Reads the file into a fresh provider and warns about entries it cannot verify (blocking). */
  private void load() throws IOException {
    long modified = Files.getLastModifiedTime(file).toMillis();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    int usable = 0;
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (line.isBlank() || line.startsWith("#") || colon < 1) {
        continue;
      }
      String hash = line.substring(colon + 1);
      if (hash.startsWith("$2")) {
        LOG.warn("UI user '{}' in {} has a bcrypt hash, which cannot be verified: recreate it with htpasswd -m (or -s)",
            line.substring(0, colon), file);
      } else {
        usable++;
      }
    }
    if (usable == 0) {
      LOG.warn("the UI users file {} has no usable entry: nobody can log in", file.toAbsolutePath());
    }
    auth = HtpasswdAuth.create(vertx, new HtpasswdAuthOptions().setHtpasswdFile(file.toString())
        .setPlainTextEnabled(false));
    loadedModified = modified;
    LOG.info("UI users read from {} ({} usable entries); administrators: {}", file.toAbsolutePath(), usable, admins);
  }

  /** Checks the credentials; completes with the user's role, or fails. */
  Future<String> authenticate(String username, String password) {
    return reloadIfChanged()
        .compose(v -> auth.authenticate(new UsernamePasswordCredentials(username, password)))
        .map(u -> role(username));
  }

  String role(String username) {
    return admins.contains(username) ? ADMIN : USER;
  }

  private Future<Void> reloadIfChanged() {
    return vertx.fileSystem().props(file.toString()).transform(ar -> {
      if (ar.failed() || ar.result().lastModifiedTime() == loadedModified) {
        return Future.succeededFuture();
      }
      return vertx.executeBlocking(() -> {
        load();
        return null;
      });
    });
  }
}
