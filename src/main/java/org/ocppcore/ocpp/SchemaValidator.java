package org.ocppcore.ocpp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion.VersionFlag;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Validates OCPP-J payloads against the official OCA JSON schemas shipped (unmodified) under
 * {@code ocpp-schemas/<version>/} on the classpath, and maps violations onto CALLERROR codes.
 */
public final class SchemaValidator {

  static final String ROOT = "ocpp-schemas/";
  private static final int MAX_DESCRIPTION = 255;

  // Non-standard keywords of the OCA generator: declared as no-ops so networknt neither warns nor asserts.
  private static final List<NonValidationKeyword> OCA_KEYWORDS =
      List.of(new NonValidationKeyword("comment"), new NonValidationKeyword("javaType"));

  // "format" (date-time) is asserted explicitly rather than left to per-draft defaults; English messages
  // keep descriptions stable whatever the JVM locale. multipleOf needs no option: networknt compares via
  // BigDecimal.valueOf(double), so 16.3 is a multiple of 0.1.
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder()
          .formatAssertionsEnabled(Boolean.TRUE)
          .pathType(PathType.JSON_PATH)
          .locale(Locale.ENGLISH)
          .typeLoose(false)
          .build();

  /** A compiled schema; {@code celsiusErrata} marks 1.6 schemas that only know the "Celcius" typo. */
  private record Entry(JsonSchema schema, boolean celsiusErrata) {}

  public record Violation(CallErrorCode code, String description) {}

  private final Map<OcppVersion, Map<String, Entry>> requests;
  private final Map<OcppVersion, Map<String, Entry>> responses;

  private SchemaValidator(
      Map<OcppVersion, Map<String, Entry>> requests, Map<OcppVersion, Map<String, Entry>> responses) {
    this.requests = requests;
    this.responses = responses;
  }

  /** Loads and compiles every schema of every version from the classpath folder ocpp-schemas/ once (call off the event loop). */
  public static SchemaValidator loadFromClasspath() {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    if (cl == null || cl.getResource(ROOT + "README.md") == null) {
      cl = SchemaValidator.class.getClassLoader();
    }
    return load(cl);
  }

  /** Loads from the given class loader (tests use a URLClassLoader over a jar). */
  static SchemaValidator load(ClassLoader cl) {
    ObjectMapper mapper = new ObjectMapper();
    Map<VersionFlag, JsonSchemaFactory> factories = new EnumMap<>(VersionFlag.class);
    Map<OcppVersion, Map<String, Entry>> requests = new EnumMap<>(OcppVersion.class);
    Map<OcppVersion, Map<String, Entry>> responses = new EnumMap<>(OcppVersion.class);
    for (OcppVersion version : OcppVersion.values()) {
      String dir = ROOT + version.schemaDir();
      Map<String, Entry> req = new HashMap<>();
      Map<String, Entry> res = new HashMap<>();
      for (String file : listSchemaFiles(cl, dir)) {
        byte[] bytes = readResource(cl, dir + "/" + file);
        JsonSchema schema;
        try {
          JsonNode node = mapper.readTree(bytes);
          // each file declares its own draft: 1.6 core = draft-04, 1.6 security and 2.x = draft-06
          VersionFlag draft =
              SpecVersionDetector.detectOptionalVersion(node, false)
                  .orElse(version.is2x() ? VersionFlag.V6 : VersionFlag.V4);
          schema = factories.computeIfAbsent(draft, SchemaValidator::factory).getSchema(node, CONFIG);
          schema.initializeValidators(); // resolve every $ref now: validation stays lock-free and cheap
        } catch (IOException | RuntimeException e) {
          throw new IllegalStateException("cannot compile OCPP schema " + dir + "/" + file, e);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        // OCPP-J 1.6 errata 2025-04 (2.1): accept "Celsius" where the 2019 schema only lists "Celcius"
        boolean celsiusErrata =
            version == OcppVersion.V16 && text.contains("\"Celcius\"") && !text.contains("\"Celsius\"");
        Entry entry = new Entry(schema, celsiusErrata);
        String base = file.substring(0, file.length() - ".json".length());
        if (base.endsWith("Response")) {
          res.put(base.substring(0, base.length() - "Response".length()), entry);
        } else if (version.is2x() && base.endsWith("Request")) {
          req.put(base.substring(0, base.length() - "Request".length()), entry);
        } else {
          req.put(base, entry); // 1.6 request, or a 2.1 SEND message such as NotifyPeriodicEventStream
        }
      }
      requests.put(version, Map.copyOf(req));
      responses.put(version, Map.copyOf(res));
    }
    return new SchemaValidator(Collections.unmodifiableMap(requests), Collections.unmodifiableMap(responses));
  }

  private static JsonSchemaFactory factory(VersionFlag draft) {
    JsonMetaSchema standard = draft == VersionFlag.V4 ? JsonMetaSchema.getV4() : JsonMetaSchema.getV6();
    JsonMetaSchema lenient = JsonMetaSchema.builder(standard).keywords(OCA_KEYWORDS).build();
    return JsonSchemaFactory.getInstance(draft, b -> b.metaSchema(lenient));
  }

  /** true when an official schema exists for this action+direction in this version. */
  public boolean hasSchema(OcppVersion version, String action, boolean response) {
    return entry(version, action, response) != null;
  }

  /** Number of compiled schemas of a version (requests + responses). */
  int schemaCount(OcppVersion version) {
    return requests.get(version).size() + responses.get(version).size();
  }

  /** Validates a payload. Returns null when valid (or when no schema exists for it), else the first/most relevant violation. Thread-safe, fast (called for every frame). */
  public Violation validate(OcppVersion version, String action, boolean response, JsonNode payload) {
    Entry entry = entry(version, action, response);
    if (entry == null) {
      return null;
    }
    if (payload == null || !payload.isObject()) {
      return new Violation(CallErrorCode.FORMAT_VIOLATION, "$: payload must be a JSON object");
    }
    JsonNode instance = payload;
    if (entry.celsiusErrata && hasCelsius(payload)) {
      instance = payload.deepCopy(); // never mutate the caller's tree
      replaceCelsius(instance);
    }
    Set<ValidationMessage> messages = entry.schema.validate(instance);
    if (!response && !messages.isEmpty()) {
      // Some chargers send timestamps without an offset; OCPP times are UTC, so such a reading is
      // unambiguous. Refusing it would make a charger retry its transaction messages forever.
      messages = new java.util.LinkedHashSet<>(messages);
      messages.removeIf(SchemaValidator::isDateTimeWithoutOffset);
    }
    if (messages.isEmpty()) {
      return null;
    }
    // Most relevant = lowest rank (type < occurrence < unknown property < property value < other),
    // ties broken by the validator's report order (schema order, so deterministic).
    ValidationMessage best = null;
    int bestRank = Integer.MAX_VALUE;
    for (ValidationMessage m : messages) {
      int rank = rank(m.getType());
      if (rank < bestRank) {
        best = m;
        bestRank = rank;
      }
    }
    return new Violation(code(best.getType()), describe(best));
  }

  private static boolean isDateTimeWithoutOffset(ValidationMessage m) {
    if (!"format".equals(m.getType()) || !"date-time".equals(m.getSchemaNode().asText())
        || m.getInstanceNode() == null || !m.getInstanceNode().isTextual()) {
      return false;
    }
    try {
      java.time.LocalDateTime.parse(m.getInstanceNode().asText());
      return true;
    } catch (java.time.format.DateTimeParseException e) {
      return false;
    }
  }

  private Entry entry(OcppVersion version, String action, boolean response) {
    if (version == null || action == null) {
      return null;
    }
    return (response ? responses : requests).get(version).get(action);
  }

  /** OCPP-J advice on which CALLERROR a schema violation is. */
  static CallErrorCode code(String keyword) {
    return switch (keyword) {
      case "type" -> CallErrorCode.TYPE_CONSTRAINT_VIOLATION;
      case "required", "minItems", "maxItems" -> CallErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION;
      case "enum", "const", "maxLength", "minLength", "pattern", "minimum", "maximum",
          "exclusiveMinimum", "exclusiveMaximum", "format", "multipleOf" ->
          CallErrorCode.PROPERTY_CONSTRAINT_VIOLATION;
      default -> CallErrorCode.FORMAT_VIOLATION; // additionalProperties and anything unexpected
    };
  }

  private static int rank(String keyword) {
    if (keyword.equals("type")) {
      return 0;
    }
    if (keyword.equals("required")) {
      return 1;
    }
    if (keyword.equals("additionalProperties")) {
      return 2;
    }
    return code(keyword) == CallErrorCode.FORMAT_VIOLATION ? 4 : 3;
  }

  private static String describe(ValidationMessage m) {
    String text =
        switch (m.getType()) {
          case "required" -> at(m) + ": required property missing";
          case "additionalProperties" -> at(m) + ": unknown property";
          case "format" -> m.getInstanceLocation() + ": not a valid " + m.getSchemaNode().asText();
          default -> m.getMessage(); // networknt messages already start with the JSON path
        };
    return text.length() <= MAX_DESCRIPTION ? text : text.substring(0, MAX_DESCRIPTION - 3) + "...";
  }

  /** Path of the property a required/additionalProperties message is about (reported on its parent). */
  private static String at(ValidationMessage m) {
    JsonNodePath where = m.getInstanceLocation();
    String property = m.getProperty();
    if (property != null && (where.getNameCount() == 0 || !property.equals(where.getName(-1)))) {
      where = where.append(property);
    }
    return where.toString();
  }

  private static boolean hasCelsius(JsonNode node) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode value = field.getValue();
        if (value.isContainerNode() ? hasCelsius(value) : isCelsiusUnit(field.getKey(), value)) {
          return true;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode item : node) {
        if (hasCelsius(item)) {
          return true;
        }
      }
    }
    return false;
  }

  private static void replaceCelsius(JsonNode node) {
    if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      JsonNode unit = object.get("unit");
      if (unit != null && isCelsiusUnit("unit", unit)) {
        object.set("unit", TextNode.valueOf("Celcius"));
      }
      object.elements().forEachRemaining(SchemaValidator::replaceCelsius);
    } else if (node.isArray()) {
      node.forEach(SchemaValidator::replaceCelsius);
    }
  }

  private static boolean isCelsiusUnit(String name, JsonNode value) {
    return "unit".equals(name) && "Celsius".equals(value.textValue());
  }

  // ---- classpath enumeration: works for a directory (IDE, mvn test) and inside the shaded jar ----

  /**
   * Lists the *.json files of a schema folder: by listing the directory (file: URL) or the jar entries
   * (jar: URL); when neither works (exotic class loader, jar without directory entries) it falls back
   * to the folder's official SHA256SUMS file as index.
   */
  static List<String> listSchemaFiles(ClassLoader cl, String dir) {
    List<String> names = new ArrayList<>();
    URL url = cl.getResource(dir);
    try {
      if (url != null && "file".equals(url.getProtocol())) {
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
          files.map(p -> p.getFileName().toString()).filter(SchemaValidator::isSchemaFile).forEach(names::add);
        }
      } else if (url != null && "jar".equals(url.getProtocol())) {
        JarURLConnection connection = (JarURLConnection) url.openConnection();
        connection.setUseCaches(false); // our own JarFile handle, safe to close
        try (JarFile jar = connection.getJarFile()) {
          String prefix = dir + "/";
          for (Iterator<JarEntry> it = jar.entries().asIterator(); it.hasNext(); ) {
            String name = it.next().getName();
            if (name.startsWith(prefix)) {
              String rest = name.substring(prefix.length());
              if (rest.indexOf('/') < 0 && isSchemaFile(rest)) {
                names.add(rest);
              }
            }
          }
        }
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      names.clear(); // fall back to the index below
    }
    if (names.isEmpty()) {
      names.addAll(indexedSchemaFiles(cl, dir));
    }
    if (names.isEmpty()) {
      throw new IllegalStateException("no OCPP schemas found on the classpath under " + dir);
    }
    return List.copyOf(new TreeSet<>(names));
  }

  /** The file names listed in the folder's SHA256SUMS ("<hash>  <name>" lines); empty when absent. */
  static List<String> indexedSchemaFiles(ClassLoader cl, String dir) {
    List<String> names = new ArrayList<>();
    try (InputStream in = cl.getResourceAsStream(dir + "/SHA256SUMS")) {
      if (in == null) {
        return names;
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = reader.readLine()) != null; ) {
        String[] parts = line.trim().split("\\s+", 2);
        if (parts.length == 2) {
          String name = parts[1].startsWith("*") ? parts[1].substring(1) : parts[1];
          if (isSchemaFile(name)) {
            names.add(name);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }

  private static boolean isSchemaFile(String name) {
    return name.endsWith(".json") && name.indexOf('/') < 0;
  }

  private static byte[] readResource(ClassLoader cl, String path) {
    try (InputStream in = cl.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing OCPP schema " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read OCPP schema " + path, e);
    }
  }
}
