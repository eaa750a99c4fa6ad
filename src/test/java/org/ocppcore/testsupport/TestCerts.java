package org.ocppcore.testsupport;

import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Principal;
import java.security.cert.Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test PKI generated on the fly with BouncyCastle, written as PEM files into a temp directory.
 *
 * <ul>
 *   <li>{@link #ca()}: self-signed CA (basicConstraints CA:true, keyCertSign).
 *   <li>{@link #server()}: server certificate for {@code localhost} + IP {@code 127.0.0.1} (SAN),
 *       signed by the CA, EKU serverAuth.
 *   <li>{@link #client(String)}: client certificate CN=name, O=TestCPO, signed by the CA, EKU
 *       clientAuth (cached per name).
 *   <li>{@link #selfSignedClient(String)}: client certificate CN=name, O=TestCPO, self-signed
 *       (NOT issued by the CA).
 * </ul>
 *
 * Keys are written as unencrypted PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), which Vert.x
 * {@link PemKeyCertOptions} and Node's tls module both read. Certificates are single-cert PEM files
 * ({@code -----BEGIN CERTIFICATE-----}).
 *
 * <p>RSA 2048 by default (most compatible); {@link KeyAlg#EC} (P-256, SHA256withECDSA) is ~50x
 * faster to generate (RSA: 0.1-1 s per key on a loaded CI machine). {@link #shared()} gives one RSA
 * instance per JVM. Instances are thread-safe.
 */
public final class TestCerts {

  /** Default O of client certificates. */
  public static final String CLIENT_ORG = "TestCPO";

  public enum KeyAlg {
    RSA,
    EC
  }

  /** A certificate PEM file and its private key PEM file (PKCS#8). */
  public record Pem(Path cert, Path key, X509Certificate certificate) {
    public String certPath() {
      return cert.toString();
    }

    public String keyPath() {
      return key.toString();
    }

    /** For {@code setKeyCertOptions(...)} of a Vert.x server or client. */
    public PemKeyCertOptions keyCertOptions() {
      return new PemKeyCertOptions().setCertPath(certPath()).setKeyPath(keyPath());
    }

    /** Trust exactly this certificate (useful for the CA, or a self-signed cert). */
    public PemTrustOptions trustOptions() {
      return new PemTrustOptions().addCertPath(certPath());
    }

    /** Uppercase hex SHA-256 of the DER encoding, no colons. */
    public String sha256() {
      return sha256Thumbprint(cert);
    }

    /** Uppercase hex SHA-1 of the DER encoding, no colons. */
    public String sha1() {
      return sha1Thumbprint(cert);
    }

    public String subject() {
      return certificate.getSubjectX500Principal().getName();
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private final Path dir;
  private final KeyAlg alg;
  private final Pem ca;
  private final KeyPair caKeys;
  private final Pem server;
  private final Path serverChain;
  private final Map<String, Pem> clients = new ConcurrentHashMap<>();

  private TestCerts(Path dir, KeyAlg alg) throws IOException, GeneralSecurityException {
    this.dir = dir;
    this.alg = alg;
    Instant now = Instant.now();
    Instant from = now.minus(Duration.ofHours(1));
    Instant to = now.plus(Duration.ofDays(2));

    caKeys = newKeyPair();
    X500Name caName = name("OCPP Core Test CA", "OCPP Core Tests");
    X509v3CertificateBuilder caB =
        new JcaX509v3CertificateBuilder(caName, serial(), Date.from(from), Date.from(to), caName,
            caKeys.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    caB.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    caB.addExtension(Extension.keyUsage, true,
        new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
    caB.addExtension(Extension.subjectKeyIdentifier, false,
        ext.createSubjectKeyIdentifier(caKeys.getPublic()));
    X509Certificate caCert = sign(caB, caKeys.getPrivate());
    ca = write("ca", caCert, caKeys.getPrivate());

    KeyPair sk = newKeyPair();
    X509v3CertificateBuilder sb =
        new JcaX509v3CertificateBuilder(caCert, serial(), Date.from(from), Date.from(to),
            name("localhost", "OCPP Core Tests"), sk.getPublic());
    sb.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    sb.addExtension(Extension.keyUsage, true,
        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    sb.addExtension(Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
    sb.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.dNSName, "localhost"),
          new GeneralName(GeneralName.iPAddress, "127.0.0.1")
        }));
    sb.addExtension(Extension.subjectKeyIdentifier, false,
        ext.createSubjectKeyIdentifier(sk.getPublic()));
    sb.addExtension(Extension.authorityKeyIdentifier, false,
        ext.createAuthorityKeyIdentifier(caCert));
    server = write("server", sign(sb, caKeys.getPrivate()), sk.getPrivate());
    serverChain = dir.resolve("server-chain.pem");
    Files.writeString(serverChain,
        Files.readString(server.cert()) + Files.readString(ca.cert()), StandardCharsets.US_ASCII);
  }

  private static TestCerts shared;

  /**
   * One RSA PKI per JVM, created on first use: lets many test classes share the (slow) RSA key
   * generation. Do not use it for tests that need fresh, unrelated certificates.
   */
  public static synchronized TestCerts shared() {
    if (shared == null) {
      shared = create();
    }
    return shared;
  }

  /** RSA 2048 PKI in a fresh temp directory (deleted on JVM exit). */
  public static TestCerts create() {
    return create(KeyAlg.RSA);
  }

  public static TestCerts create(KeyAlg alg) {
    try {
      Path dir = Files.createTempDirectory("ocpp-test-certs");
      // deleteOnExit would leave it: a folder is deleted only when empty, and the PEM files come later
      Runtime.getRuntime().addShutdownHook(new Thread(() -> TempFiles.deleteTree(dir)));
      return create(dir, alg);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static TestCerts create(Path dir, KeyAlg alg) {
    try {
      Files.createDirectories(dir);
      return new TestCerts(dir, alg);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate test certificates", e);
    }
  }

  public Path dir() {
    return dir;
  }

  public KeyAlg keyAlg() {
    return alg;
  }

  /** The CA (cert + key). */
  public Pem ca() {
    return ca;
  }

  /** Path of the CA certificate PEM. */
  public Path caCert() {
    return ca.cert();
  }

  /** Trust options for the CA: for servers verifying clients and clients verifying the server. */
  public PemTrustOptions caTrustOptions() {
    return ca.trustOptions();
  }

  /** Server cert for localhost / 127.0.0.1, signed by the CA. */
  public Pem server() {
    return server;
  }

  /** PEM file with the server certificate followed by the CA certificate. */
  public Path serverChain() {
    return serverChain;
  }

  /** Client cert CN=cn, O=TestCPO, signed by the CA (created once per cn). */
  public Pem client(String cn) {
    return client(cn, CLIENT_ORG);
  }

  /** Client cert CN=cn, O=org, signed by the CA (created once per cn/org pair). */
  public Pem client(String cn, String org) {
    return clients.computeIfAbsent("ca|" + cn + "|" + org,
        k -> issueClient(cn, org, true, Instant.now().minus(Duration.ofHours(1)),
            Instant.now().plus(Duration.ofDays(2)), "client-" + safe(cn) + "-" + safe(org)));
  }

  /** A fresh client cert signed by the CA with an explicit validity window (e.g. expired). */
  public Pem client(String cn, String org, Instant notBefore, Instant notAfter) {
    return issueClient(cn, org, true, notBefore, notAfter,
        "client-" + safe(cn) + "-" + safe(org) + "-" + SERIAL.incrementAndGet());
  }

  /** Self-signed client cert CN=cn, O=TestCPO: NOT issued by the CA. */
  public Pem selfSignedClient(String cn) {
    return clients.computeIfAbsent("self|" + cn,
        k -> issueClient(cn, CLIENT_ORG, false, Instant.now().minus(Duration.ofHours(1)),
            Instant.now().plus(Duration.ofDays(2)), "selfsigned-" + safe(cn)));
  }

  private Pem issueClient(String cn, String org, boolean byCa, Instant nb, Instant na, String file) {
    try {
      KeyPair kp = newKeyPair();
      X500Name subject = name(cn, org);
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          byCa
              ? new JcaX509v3CertificateBuilder(ca.certificate(), serial(), Date.from(nb),
                  Date.from(na), subject, kp.getPublic())
              : new JcaX509v3CertificateBuilder(subject, serial(), Date.from(nb), Date.from(na),
                  subject, kp.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
      b.addExtension(Extension.subjectKeyIdentifier, false,
          ext.createSubjectKeyIdentifier(kp.getPublic()));
      if (byCa) {
        b.addExtension(Extension.authorityKeyIdentifier, false,
            ext.createAuthorityKeyIdentifier(ca.certificate()));
      }
      X509Certificate cert = sign(b, byCa ? caKeys.getPrivate() : kp.getPrivate());
      return write(file, cert, kp.getPrivate());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- thumbprints / PEM utilities

  /** SHA-256 of the DER encoding of the (first) certificate in a PEM file, uppercase hex. */
  public static String sha256Thumbprint(Path certPath) {
    return thumbprint(certPath, "SHA-256");
  }

  public static String sha256Thumbprint(String certPath) {
    return sha256Thumbprint(Path.of(certPath));
  }

  /** SHA-1 of the DER encoding of the (first) certificate in a PEM file, uppercase hex. */
  public static String sha1Thumbprint(Path certPath) {
    return thumbprint(certPath, "SHA-1");
  }

  public static String sha1Thumbprint(String certPath) {
    return sha1Thumbprint(Path.of(certPath));
  }

  /** Reads the first certificate of a PEM (or DER) file. */
  public static X509Certificate readCertificate(Path certPath) {
    try (InputStream in = Files.newInputStream(certPath)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a certificate: " + certPath, e);
    }
  }

  private static String thumbprint(Path certPath, String digest) {
    try {
      byte[] der = readCertificate(certPath).getEncoded();
      return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance(digest).digest(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- key managers

  /**
   * A client key manager that ALWAYS presents this certificate (like a real charger / OpenSSL),
   * even when its issuer is not among the CAs the server lists in its CertificateRequest. The
   * JDK's default key manager silently sends no certificate in that case, which would make an
   * "untrusted client certificate" test pass for the wrong reason.
   */
  public static X509KeyManager alwaysPresentingKeyManager(Path certPem, Path keyPem) {
    try {
      List<X509Certificate> chain = new ArrayList<>();
      try (InputStream in = Files.newInputStream(certPem)) {
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          chain.add((X509Certificate) c);
        }
      }
      PrivateKey key = readPrivateKey(keyPem);
      X509Certificate[] certs = chain.toArray(new X509Certificate[0]);
      String alg = key.getAlgorithm(); // "RSA" or "EC"
      return new X509ExtendedKeyManager() {
        private static final String ALIAS = "client";

        private String pick(String[] keyTypes) {
          if (keyTypes == null) {
            return ALIAS;
          }
          for (String t : keyTypes) {
            if (t.equalsIgnoreCase(alg) || ("RSA".equals(alg) && t.equalsIgnoreCase("RSASSA-PSS"))
                || ("EC".equals(alg) && t.toUpperCase().startsWith("EC"))) {
              return ALIAS;
            }
          }
          return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
          return pick(keyType);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers,
            SSLEngine engine) {
          return pick(keyType);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
          return pick(new String[] {keyType}) == null ? null : new String[] {ALIAS};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
          return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
          return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
          return ALIAS.equals(alias) ? certs.clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
          return ALIAS.equals(alias) ? key : null;
        }
      };
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot load " + certPem + " / " + keyPem, e);
    }
  }

  /** Reads an unencrypted PKCS#8 PEM private key (RSA or EC). */
  public static PrivateKey readPrivateKey(Path keyPem) throws IOException, GeneralSecurityException {
    String pem = Files.readString(keyPem, StandardCharsets.US_ASCII);
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < 0) {
      throw new GeneralSecurityException("not a PKCS#8 PEM key: " + keyPem);
    }
    byte[] der = Base64.getMimeDecoder()
        .decode(pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    try {
      return KeyFactory.getInstance("RSA").generatePrivate(spec);
    } catch (InvalidKeySpecException e) {
      return KeyFactory.getInstance("EC").generatePrivate(spec);
    }
  }

  // ---------------------------------------------------------------- internals

  private KeyPair newKeyPair() throws GeneralSecurityException {
    if (alg == KeyAlg.EC) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    }
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048, RANDOM);
    return g.generateKeyPair();
  }

  private X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
      throws GeneralSecurityException {
    String sigAlg = "EC".equals(signer.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder(sigAlg).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private Pem write(String base, X509Certificate cert, PrivateKey key)
      throws IOException, GeneralSecurityException {
    Path certFile = dir.resolve(base + ".crt.pem");
    Path keyFile = dir.resolve(base + ".key.pem");
    Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()), StandardCharsets.US_ASCII);
    // PrivateKey#getEncoded() of JCA RSA/EC keys is PKCS#8 PrivateKeyInfo
    Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
    return new Pem(certFile, keyFile, cert);
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static X500Name name(String cn, String org) {
    // encoded O then CN (conventional order): getName() shows "CN=cn,O=org" (RFC 2253 reverses)
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, org)
        .addRDN(BCStyle.CN, cn)
        .build();
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIAL.incrementAndGet()).shiftLeft(16)
        .or(BigInteger.valueOf(RANDOM.nextInt(1 << 16)));
  }

  private static String safe(String s) {
    return s.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
