package org.ocppcore.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.ocppcore.store.AdminStore;

/**
 * Integrator API keys: 256-bit random values shown once at creation; only their SHA-256 is stored
 * (a slow hash adds nothing for keys of this entropy). A presented key is hashed and looked up by
 * its hash, so no stored secret is ever compared byte by byte with attacker input.
 */
public final class ApiKeys {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final AdminStore admin;

  public ApiKeys(AdminStore admin) {
    this.admin = admin;
  }

  /** A new random key (URL-safe Base64, 43 characters). */
  public static String newKey() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static String hash(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {name, role} of a presented key, or null when it is missing or unknown. */
  public Future<JsonObject> lookup(String presented) {
    if (presented == null || presented.isBlank() || presented.length() > 200) {
      return Future.succeededFuture(null);
    }
    return admin.apiKeyByHash(hash(presented.trim()));
  }

  /** The roles: admin may do everything, readonly only GET. */
  public static final java.util.Set<String> ROLES = java.util.Set.of("admin", "readonly");

  /** Creates or replaces the key of this name; returns the key, to be shown once. */
  public Future<String> create(String name, String role) {
    if (!ROLES.contains(role)) {
      return Future.failedFuture(new IllegalArgumentException("role must be admin or readonly: " + role));
    }
    String key = newKey();
    return admin.saveApiKey(name, hash(key), role).map(v -> key);
  }
}
