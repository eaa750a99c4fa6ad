package org.ocppcore.ocpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaValidatorTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** The unmodified copy of the official schemas (maven runs tests from the project directory). */
  private static final Path SCHEMAS = Path.of("src/main/resources/ocpp-schemas");

  private static SchemaValidator validator;

  @BeforeAll
  static void load() {
    validator = SchemaValidator.loadFromClasspath();
  }

  private static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text.replace('\'', '"'));
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static SchemaValidator.Violation v16(String action, String payload) {
    return validator.validate(OcppVersion.V16, action, false, json(payload));
  }

  private static void assertViolation(
      CallErrorCode expected, String pathFragment, SchemaValidator.Violation violation) {
    assertNotNull(violation, "expected a violation");
    assertEquals(expected, violation.code(), violation.description());
    assertTrue(violation.description().contains(pathFragment), violation.description());
    assertTrue(violation.description().length() <= 255);
  }

  // ---- OCPP 1.6 ----

  @Test
  void bootNotification16Valid() {
    assertNull(v16("BootNotification", "{'chargePointVendor':'VendorX','chargePointModel':'ModelY'}"));
  }

  @Test
  void missingRequiredIsOccurrence() {
    SchemaValidator.Violation v = v16("BootNotification", "{'chargePointVendor':'VendorX'}");
    assertViolation(CallErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION, "$.chargePointModel", v);
    assertEquals("$.chargePointModel: required property missing", v.description());
  }

  @Test
  void tooLongIsProperty() {
    String vendor = "V".repeat(21);
    assertViolation(
        CallErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
        "$.chargePointVendor",
        v16("BootNotification", "{'chargePointVendor':'" + vendor + "','chargePointModel':'M'}"));
  }

  @Test
  void wrongTypeIsType() {
    assertViolation(
        CallErrorCode.TYPE_CONSTRAINT_VIOLATION,
        "$.connectorId",
        v16("StatusNotification", "{'connectorId':'1','errorCode':'NoError','status':'Available'}"));
  }

  @Test
  void unknownPropertyIsFormat() {
    SchemaValidator.Violation v =
        v16("BootNotification", "{'chargePointVendor':'V','chargePointModel':'M','colour':'red'}");
    assertViolation(CallErrorCode.FORMAT_VIOLATION, "$.colour", v);
    assertEquals("$.colour: unknown property", v.description());
  }

  @Test
  void badEnumIsProperty() {
    assertViolation(
        CallErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
        "$.status",
        v16("StatusNotification", "{'connectorId':1,'errorCode':'NoError','status':'Sleeping'}"));
  }

  @Test
  void typeWinsOverRequiredAndUnknown() {
    // three violations at once: the type error is reported
    assertViolation(
        CallErrorCode.TYPE_CONSTRAINT_VIOLATION,
        "$.chargePointVendor",
        v16("BootNotification", "{'chargePointVendor':5,'extra':true}"));
    // required before additionalProperties
    assertViolation(
        CallErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION,
        "$.chargePointModel",
        v16("BootNotification", "{'chargePointVendor':'V','extra':true}"));
  }

  @Test
  void nonObjectPayloadIsFormat() {
    assertViolation(
        CallErrorCode.FORMAT_VIOLATION, "$", validator.validate(OcppVersion.V16, "Heartbeat", false, json("[]")));
    assertViolation(
        CallErrorCode.FORMAT_VIOLATION, "$", validator.validate(OcppVersion.V16, "Heartbeat", false, null));
  }

  @Test
  void noSchemaMeansValid() {
    assertNull(validator.validate(OcppVersion.V16, "Foo", false, json("{'x':1}")));
  }

  @Test
  void responsesAreValidated() {
    assertNull(
        validator.validate(
            OcppVersion.V16, "Heartbeat", true, json("{'currentTime':'2024-05-01T10:00:00Z'}")));
    assertViolation(
        CallErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION,
        "$.currentTime",
        validator.validate(OcppVersion.V16, "Heartbeat", true, json("{}")));
  }

  @Test
  void celsiusAcceptedIn16MeterValuesAndStopTransaction() {
    String sample = "{'value':'21.5','measurand':'Temperature','unit':'Celsius'}";
    assertNull(
        v16(
            "MeterValues",
            "{'connectorId':1,'meterValue':[{'timestamp':'2024-05-01T10:00:00Z','sampledValue':[" + sample + "]}]}"));
    JsonNode stop =
        json(
            "{'meterStop':100,'timestamp':'2024-05-01T10:00:00Z','transactionId':7,"
                + "'transactionData':[{'timestamp':'2024-05-01T10:00:00Z','sampledValue':[" + sample + "]}]}");
    assertNull(validator.validate(OcppVersion.V16, "StopTransaction", false, stop));
    // the caller's tree is not modified
    assertEquals("Celsius", stop.at("/transactionData/0/sampledValue/0/unit").asText());
    // the official spelling and real typos are still judged by the schema
    assertNull(validator.validate(OcppVersion.V16, "StopTransaction", false, json(stop.toString().replace("Celsius", "Celcius"))));
    assertViolation(
        CallErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
        "unit",
        validator.validate(OcppVersion.V16, "StopTransaction", false, json(stop.toString().replace("Celsius", "Celsuis"))));
  }

  @Test
  void multipleOfIsFloatSafe() {
    String profile =
        "{'connectorId':1,'csChargingProfiles':{'chargingProfileId':1,'stackLevel':0,"
            + "'chargingProfilePurpose':'TxDefaultProfile','chargingProfileKind':'Absolute',"
            + "'chargingSchedule':{'chargingRateUnit':'A','chargingSchedulePeriod':"
            + "[{'startPeriod':0,'limit':LIMIT}],'minChargingRate':0.3}}}";
    for (String ok : List.of("16.3", "16", "0.1", "32.7", "11000.9")) {
      assertNull(v16("SetChargingProfile", profile.replace("LIMIT", ok)), ok);
    }
    assertViolation(
        CallErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
        "limit",
        v16("SetChargingProfile", profile.replace("LIMIT", "16.35")));
  }

  @Test
  void dateTimeFormatIsAsserted() {
    String base = "{'connectorId':1,'errorCode':'NoError','status':'Available','timestamp':'TS'}";
    for (String ok : List.of("2024-05-01T10:00:00Z", "2024-05-01T10:00:00.123Z", "2024-05-01T12:00:00+02:00")) {
      assertNull(v16("StatusNotification", base.replace("TS", ok)), ok);
    }
    SchemaValidator.Violation v = v16("StatusNotification", base.replace("TS", "yesterday"));
    assertViolation(CallErrorCode.PROPERTY_CONSTRAINT_VIOLATION, "$.timestamp", v);
    assertEquals("$.timestamp: not a valid date-time", v.description());
  }

  @Test
  void hasSchema() {
    assertTrue(validator.hasSchema(OcppVersion.V16, "Heartbeat", false));
    assertTrue(validator.hasSchema(OcppVersion.V16, "Heartbeat", true));
    assertFalse(validator.hasSchema(OcppVersion.V16, "Foo", false));
    assertFalse(validator.hasSchema(OcppVersion.V16, "Foo", true));
    assertTrue(validator.hasSchema(OcppVersion.V16, "SignCertificate", false)); // draft-06 security file
    assertTrue(validator.hasSchema(OcppVersion.V201, "Heartbeat", false));
    assertFalse(validator.hasSchema(OcppVersion.V201, "HeartbeatRequest", false));
    assertFalse(validator.hasSchema(OcppVersion.V201, "NotifyPeriodicEventStream", false));
  }

  // ---- OCPP 2.0.1 / 2.1 ----

  @Test
  void bootNotification201() {
    String ok = "{'chargingStation':{'model':'M','vendorName':'V'},'reason':'PowerUp'}";
    assertNull(validator.validate(OcppVersion.V201, "BootNotification", false, json(ok)));
    assertViolation(
        CallErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION,
        "$.reason",
        validator.validate(OcppVersion.V201, "BootNotification", false, json("{'chargingStation':{'model':'M','vendorName':'V'}}")));
    // nested violation through a $ref'd definition
    assertViolation(
        CallErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
        "$.chargingStation.model",
        validator.validate(
            OcppVersion.V201,
            "BootNotification",
            false,
            json("{'chargingStation':{'model':'" + "M".repeat(21) + "','vendorName':'V'},'reason':'PowerUp'}")));
    // customData is deliberately open
    assertNull(
        validator.validate(
            OcppVersion.V201,
            "BootNotification",
            false,
            json("{'chargingStation':{'model':'M','vendorName':'V'},'reason':'PowerUp','customData':{'vendorId':'x','any':1}}")));
  }

  @Test
  void transactionEvent201Timestamp() {
    String event =
        "{'eventType':'Started','timestamp':'TS','triggerReason':'Authorized','seqNo':0,"
            + "'transactionInfo':{'transactionId':'tx-1'}}";
    assertNull(validator.validate(OcppVersion.V201, "TransactionEvent", false, json(event.replace("TS", "2024-05-01T10:00:00.5+01:00"))));
    assertViolation(
        CallErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
        "$.timestamp",
        validator.validate(OcppVersion.V201, "TransactionEvent", false, json(event.replace("TS", "yesterday"))));
  }

  @Test
  void minItemsIsOccurrence201() {
    assertViolation(
        CallErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION,
        "$.meterValue",
        validator.validate(
            OcppVersion.V201,
            "MeterValues",
            false,
            json("{'evseId':1,'meterValue':[]}")));
  }

  @Test
  void longDescriptionsAreCut() {
    // the 2.0.1 measurand enum lists ~22 values: the library message exceeds 255 chars
    SchemaValidator.Violation v =
        validator.validate(
            OcppVersion.V201,
            "MeterValues",
            false,
            json("{'evseId':1,'meterValue':[{'timestamp':'2024-05-01T10:00:00Z','sampledValue':[{'value':1,'measurand':'Bogus'}]}]}"));
    assertViolation(CallErrorCode.PROPERTY_CONSTRAINT_VIOLATION, "$.meterValue[0].sampledValue[0].measurand", v);
    assertEquals(255, v.description().length());
    assertTrue(v.description().endsWith("..."));
  }

  @Test
  void notifyPeriodicEventStream21() {
    assertTrue(validator.hasSchema(OcppVersion.V21, "NotifyPeriodicEventStream", false));
    assertFalse(validator.hasSchema(OcppVersion.V21, "NotifyPeriodicEventStream", true));
    assertTrue(validator.hasSchema(OcppVersion.V21, "Heartbeat", true));
    assertNull(validator.validate(OcppVersion.V21, "Heartbeat", false, json("{}")));
  }

  // ---- loading ----

  private static List<String> jsonFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
    }
  }

  @Test
  void everySchemaFileIsLoaded() throws IOException {
    for (OcppVersion version : OcppVersion.values()) {
      int files = jsonFiles(SCHEMAS.resolve(version.schemaDir())).size();
      assertEquals(files, validator.schemaCount(version), version.name());
    }
    // the counts documented in ocpp-schemas/README.md
    assertEquals(78, validator.schemaCount(OcppVersion.V16));
    assertEquals(128, validator.schemaCount(OcppVersion.V201));
    assertEquals(181, validator.schemaCount(OcppVersion.V21));
  }

  @Test
  void sha256sumsIndexMatchesFolder() throws IOException {
    ClassLoader cl = getClass().getClassLoader();
    for (OcppVersion version : OcppVersion.values()) {
      String dir = SchemaValidator.ROOT + version.schemaDir();
      List<String> expected = jsonFiles(SCHEMAS.resolve(version.schemaDir()));
      assertEquals(expected, SchemaValidator.indexedSchemaFiles(cl, dir).stream().sorted().toList());
      assertEquals(expected, SchemaValidator.listSchemaFiles(cl, dir));
    }
  }

  /** Writes ocpp-schemas/ into a jar, like the shaded ocpp-core.jar (optionally without directory entries). */
  private static Path jar(Path target, boolean directoryEntries) throws IOException {
    try (OutputStream out = Files.newOutputStream(target);
        JarOutputStream jar = new JarOutputStream(out);
        Stream<Path> walk = Files.walk(SCHEMAS)) {
      for (Path p : walk.sorted().toList()) {
        String name = "ocpp-schemas/" + SCHEMAS.relativize(p).toString().replace('\\', '/');
        if (Files.isDirectory(p)) {
          if (directoryEntries) {
            jar.putNextEntry(new JarEntry(name.endsWith("/") ? name : name + "/"));
            jar.closeEntry();
          }
        } else {
          jar.putNextEntry(new JarEntry(name));
          jar.write(Files.readAllBytes(p));
          jar.closeEntry();
        }
      }
    }
    return target;
  }

  @Test
  void loadsFromJar(@TempDir Path tmp) throws Exception {
    for (boolean directoryEntries : new boolean[] {true, false}) {
      Path jar = jar(tmp.resolve("schemas-" + directoryEntries + ".jar"), directoryEntries);
      // parent null: resources come from the jar only, never from target/classes
      try (URLClassLoader cl = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
        assertEquals(directoryEntries, cl.getResource("ocpp-schemas/1.6") != null);
        for (OcppVersion version : OcppVersion.values()) {
          assertEquals(
              jsonFiles(SCHEMAS.resolve(version.schemaDir())),
              SchemaValidator.listSchemaFiles(cl, SchemaValidator.ROOT + version.schemaDir()));
        }
        SchemaValidator fromJar = SchemaValidator.load(cl);
        for (OcppVersion version : OcppVersion.values()) {
          assertEquals(validator.schemaCount(version), fromJar.schemaCount(version));
        }
        assertViolation(
            CallErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION,
            "$.chargePointModel",
            fromJar.validate(OcppVersion.V16, "BootNotification", false, json("{'chargePointVendor':'V'}")));
      }
    }
  }

  @Test
  void concurrentValidation() throws Exception {
    JsonNode bad = json("{'chargePointVendor':'V'}");
    JsonNode good = json("{'chargePointVendor':'V','chargePointModel':'M'}");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        results.add(
            pool.submit(
                () -> {
                  for (int n = 0; n < 200; n++) {
                    if (validator.validate(OcppVersion.V16, "BootNotification", false, good) != null
                        || validator.validate(OcppVersion.V16, "BootNotification", false, bad) == null) {
                      return false;
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> r : results) {
        assertTrue(r.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
