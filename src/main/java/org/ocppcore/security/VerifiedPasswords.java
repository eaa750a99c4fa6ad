package org.ocppcore.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The password each charge point last proved with a full {@link PasswordHash} check, remembered by
 * this process so that its reconnections cost one HMAC instead of a PBKDF2 verification. Fleets
 * reconnect all at once (a network blip, a load balancer's idle timeout), and PBKDF2 is 2.5 ms of
 * CPU per check here: 19,000 chargers with passwords reconnected in 33.5 s, in 11 s with this
 * (docs/benchmarks.md).
 *
 * <p>An entry is an HMAC of the stored hash and the presented password under a key drawn at start
 * and kept only in memory. A new password (a new stored hash) therefore no longer matches, a wrong
 * password never does, and nothing here outlives the process or reveals a password. Only successful
 * checks are remembered, so there is at most one entry per charge point with a password. A server
 * restart starts empty: the first connection of each charger after it pays the full check.
 */
public final class VerifiedPasswords {
  private final SecretKeySpec key;
  private final Map<String, byte[]> proofs = new ConcurrentHashMap<>();

  public VerifiedPasswords() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    key = new SecretKeySpec(k, "HmacSHA256");
  }

  /** Whether this charge point proved exactly this password against exactly this stored hash before. */
  public boolean remembers(String chargePointId, String storedHash, byte[] presented) {
    byte[] proof = proofs.get(chargePointId);
    return proof != null && MessageDigest.isEqual(proof, proof(storedHash, presented));
  }

  /** Records a successful full check (a later one with another password replaces it). */
  public void remember(String chargePointId, String storedHash, byte[] presented) {
    proofs.put(chargePointId, proof(storedHash, presented));
  }

  private byte[] proof(String storedHash, byte[] presented) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(storedHash.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0); // the hash's text never holds a NUL: no two inputs run together
      return mac.doFinal(presented);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
