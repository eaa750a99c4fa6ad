package org.ocppcore.web;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import org.apache.commons.codec.digest.Md5Crypt;
import org.ocppcore.TestServer;

/**
 * A real server for the UI tests with a users file: {@code admin} (an {@code $apr1$} hash, named in
 * ui.admins) and {@code viewer} (a {@code {SHA}} hash, a plain user).
 */
final class UiFixture {
  static final String ADMIN = "admin";
  static final String ADMIN_PASSWORD = "admin-secret-1";
  static final String USER = "viewer";
  static final String USER_PASSWORD = "viewer-secret-2";

  private UiFixture() {}

  /** The htpasswd lines of the two test users. */
  static String usersFile() throws Exception {
    String sha = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
        .digest(USER_PASSWORD.getBytes(StandardCharsets.UTF_8)));
    return ADMIN + ":" + Md5Crypt.apr1Crypt(ADMIN_PASSWORD.getBytes(StandardCharsets.UTF_8)) + "\n"
        + USER + ":{SHA}" + sha + "\n";
  }

  static TestServer start() throws Exception {
    return start(new JsonObject());
  }

  static TestServer start(JsonObject overrides) throws Exception {
    Path users = Files.createTempFile("ui-users", ".htpasswd");
    Files.writeString(users, usersFile(), StandardCharsets.UTF_8);
    users.toFile().deleteOnExit(); // read by the running server until the end of the test run
    JsonObject config = new JsonObject().put("ui", new JsonObject().put("htpasswdFile", users.toString())
        .put("commandTimeoutSeconds", 5));
    return TestServer.start(config.mergeIn(overrides, true));
  }
}
