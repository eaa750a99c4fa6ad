package org.ocppcore.security;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.util.HexFormat;

/** Thumbprints of client certificates: SHA-256 (profile 3), SHA-1 accepted for OCPP.Core's data. */
public final class CertificateThumbprint {
  private CertificateThumbprint() {}

  public static String sha256(Certificate cert) {
    return digest(cert, "SHA-256");
  }

  public static String sha1(Certificate cert) {
    return digest(cert, "SHA-1");
  }

  /** Whether the certificate matches a configured thumbprint (hex, any case, colons or spaces allowed). */
  public static boolean matches(Certificate cert, String configured) {
    if (cert == null || configured == null) {
      return false;
    }
    String want = configured.replaceAll("[:\\s]", "").toUpperCase();
    String have = want.length() == 40 ? sha1(cert) : sha256(cert);
    return MessageDigest.isEqual(want.getBytes(), have.getBytes());
  }

  private static String digest(Certificate cert, String algorithm) {
    try {
      return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance(algorithm).digest(cert.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }
}
