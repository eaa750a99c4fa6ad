package org.ocppcore.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.ocppcore.TestServer;
import org.ocppcore.api.ApiClient.Resp;
import org.ocppcore.store.AdminStore;

/**
 * Every route of {@link ApiRouter#routes()}: refused without a key, with a wrong key and — on a
 * fresh server where no key was ever created — with anything at all; read-only keys may only GET.
 * The OpenAPI document itself is public by design (tools discover the API from it; it holds no
 * data), and so are its schemas.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiAuthTest {
  /** Plausible values for every path parameter (all name things that do not exist: GETs answer 404). */
  static final Map<String, String> PATH_VALUES = Map.of("id", "NO-SUCH-CP", "connectorId", "1", "tagId",
      "NO-SUCH-TAG", "transactionId", "999999", "commandId", "no-such-command", "action", "Reset");
  /** A minimal valid body for every request schema a route uses. */
  static final Map<String, JsonObject> MINIMAL_BODIES = Map.ofEntries(
      Map.entry("ChargePointInput", new JsonObject()),
      Map.entry("ConnectorInput", new JsonObject().put("name", "x")),
      Map.entry("TagInput", new JsonObject()),
      Map.entry("ResetCommand", new JsonObject().put("type", "soft")),
      Map.entry("UnlockCommand", new JsonObject().put("connectorId", 1)),
      Map.entry("RemoteStartCommand", new JsonObject().put("idTag", "T").put("preAuthorize", false)),
      Map.entry("RemoteStopCommand", new JsonObject().put("transactionId", 1)),
      Map.entry("AvailabilityCommand", new JsonObject().put("available", true)),
      Map.entry("GetConfigurationCommand", new JsonObject()),
      Map.entry("ChangeConfigurationCommand", new JsonObject().put("key", "k").put("value", "v")),
      Map.entry("TriggerCommand", new JsonObject().put("message", "Heartbeat")),
      Map.entry("DataTransferCommand", new JsonObject().put("vendorId", "v")),
      Map.entry("ChargingLimitCommand", new JsonObject().put("limit", 1).put("unit", "A")),
      Map.entry("RawPayload", new JsonObject().put("type", "Soft")));

  private static final Pattern PARAM = Pattern.compile("\\{(\\w+)}");

  private TestServer server;
  private JsonObject document;
  private List<String> routes;
  private ApiClient noKey;

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start();
    document = RequestSchemas.load().document();
    routes = server.server().api().routes();
    noKey = new ApiClient(server, null);
    assertTrue(routes.size() > 20, "routes: " + routes);
  }

  @AfterAll
  void stop() throws Exception {
    noKey.close();
    server.close();
  }

  /** A request for one route: the path with its parameters filled in, the body its schema needs. */
  record Call(HttpMethod method, String path, String body, String schema) {}

  static Call call(String route, JsonObject document) {
    String[] parts = route.split(" ", 2);
    HttpMethod method = HttpMethod.valueOf(parts[0]);
    Matcher m = PARAM.matcher(parts[1]);
    StringBuilder path = new StringBuilder();
    while (m.find()) {
      String value = PATH_VALUES.get(m.group(1));
      if (value == null) {
        fail("no test value for path parameter " + m.group(1) + " of " + route + ": add it to PATH_VALUES");
      }
      m.appendReplacement(path, value);
    }
    m.appendTail(path);
    String schema = requestSchema(document, method, parts[1]);
    String body = null;
    if (schema != null) {
      JsonObject minimal = MINIMAL_BODIES.get(schema);
      if (minimal == null) {
        fail("no minimal body for " + schema + " (" + route + "): add it to MINIMAL_BODIES");
      }
      body = minimal.encode();
    }
    return new Call(method, path.toString(), body, schema);
  }

  /** The component name of the documented JSON request body of an operation, or null. */
  static String requestSchema(JsonObject document, HttpMethod method, String path) {
    JsonObject op = document.getJsonObject("paths").getJsonObject(path, new JsonObject())
        .getJsonObject(method.name().toLowerCase(), new JsonObject());
    JsonObject rb = op.getJsonObject("requestBody");
    if (rb == null) {
      return null;
    }
    String ref = rb.getJsonObject("content").getJsonObject("application/json").getJsonObject("schema")
        .getString("$ref");
    return ref.substring(ref.lastIndexOf('/') + 1);
  }

  private Resp send(ApiClient client, Call c) {
    return client.send(c.method(), c.path(), c.body(), Map.of());
  }

  @Test
  @Order(1)
  void withNoKeyCreatedEveryRouteIs401() {
    for (String route : routes) {
      Call c = call(route, document);
      Resp none = send(noKey, c);
      assertEquals(401, none.status(), route + " without a key: " + none);
      assertNotNull(none.headers().get("WWW-Authenticate"), route);
      assertNotNull(none.json().getString("error"), route);
      for (String guess : List.of("admin", "x".repeat(43))) {
        Resp r = send(noKey.withKey(guess), c);
        assertEquals(401, r.status(), route + " with key '" + guess + "' on a server without keys: " + r);
      }
    }
    for (String guess : List.of("", " ", "readonly", "null")) {
      assertEquals(401, noKey.withKey(guess).get("/chargepoints").status(), "key '" + guess + "'");
    }
    // unknown routes are not revealed either
    assertEquals(401, noKey.get("/no-such-route").status());
    // the document is public
    Resp doc = noKey.get("/openapi.json").expect(200);
    assertTrue(doc.headers().get("Content-Type").startsWith("application/json"));
    assertTrue(doc.json().getString("openapi").startsWith("3.1"));
  }

  @Test
  @Order(2)
  void missingWrongAndReadOnlyKeys() throws Exception {
    String admin = server.apiKey("admin-key", "admin");
    String readonly = server.apiKey("reader", "readonly");
    ApiClient ro = noKey.withKey(readonly);
    List<String> wrongKeys = List.of(admin + "x", "Bearer " + admin);
    for (String route : routes) {
      Call c = call(route, document);
      assertEquals(401, send(noKey, c).status(), route + " without a key");
      for (String wrong : wrongKeys) {
        assertEquals(401, send(noKey.withKey(wrong), c).status(), route + " with a wrong key");
      }
      Resp r = send(ro, c);
      if (c.method() == HttpMethod.GET) {
        assertTrue(r.status() == 200 || r.status() == 404, route + " read-only GET: " + r);
      } else {
        assertEquals(403, r.status(), route + " read-only " + c.method() + ": " + r);
        assertTrue(r.json().getString("error").contains("read-only"), r.body());
      }
    }
    for (String wrong : List.of(admin.substring(1), readonly.toUpperCase(), "x".repeat(201))) {
      assertEquals(401, noKey.withKey(wrong).get("/chargepoints").status(), "key '" + wrong + "'");
    }
    // nothing was changed by the refused calls
    ApiClient adminClient = noKey.withKey(admin);
    assertEquals("[]", adminClient.get("/chargepoints").expect(200).body());
    assertEquals("[]", adminClient.get("/tags").expect(200).body());
    // the read-only key reads
    ro.get("/chargepoints").expect(200);
    ro.get("/transactions").expect(200);
    ro.get("/status").expect(200);
    ro.get("/chargepoints/NO-SUCH-CP").expect(404);
    // fail closed: a key whose stored role is not exactly "admin" cannot write
    String odd = ApiKeys.newKey();
    TestServer.await(new AdminStore(server.server().store(), server.server().database().readPool())
        .saveApiKey("odd-role", ApiKeys.hash(odd), "ReadOnly"));
    ApiClient oddClient = noKey.withKey(odd);
    oddClient.get("/tags").expect(200);
    oddClient.put("/tags/ODD", new JsonObject()).expect(403);
    boolean refused = new ApiKeys(new AdminStore(server.server().store(), server.server().database().readPool()))
        .create("bad", "superuser").failed();
    assertTrue(refused, "an unknown role is refused at creation");
    // keys are bound to their role, and re-creating a key by name revokes the old one
    String rotated = server.apiKey("reader", "readonly");
    assertEquals(401, ro.get("/chargepoints").status(), "the replaced key no longer works");
    noKey.withKey(rotated).get("/chargepoints").expect(200);
  }

  @Test
  @Order(3)
  void adminKeyPassesEveryRouteAndBodiesAreValidatedAgainstTheDocumentedSchema() throws Exception {
    ApiClient admin = noKey.withKey(server.apiKey("admin-2", "admin"));
    List<String> problems = new ArrayList<>();
    for (String route : routes) {
      Call c = call(route, document);
      Resp r = send(admin, c);
      if (r.status() == 401 || r.status() == 403 || r.status() >= 500) {
        problems.add(route + " => " + r);
      }
      // a body with a property no documented schema allows is refused by the router with a reason
      if (c.schema() != null && Boolean.FALSE.equals(document.getJsonObject("components").getJsonObject("schemas")
          .getJsonObject(c.schema()).getValue("additionalProperties"))) {
        JsonObject bad = new JsonObject(c.body()).put("undocumentedProperty", 1);
        Resp refused = admin.send(c.method(), c.path(), bad.encode(), Map.of());
        if (refused.status() != 400 || !refused.body().contains("undocumentedProperty")) {
          problems.add(route + " accepted an undocumented property: " + refused);
        }
      }
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
    Set<Integer> statuses = Set.of(admin.get("/no-such-route").status());
    assertEquals(Set.of(404), statuses, "with a key, an unknown route is a 404");
  }
}
