package org.ocppcore.api;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.ocppcore.app.Config;

/**
 * The OpenAPI document ({@code src/main/resources/openapi.json}, served at
 * {@code /api/v1/openapi.json}): structurally valid OpenAPI 3.1 and complete against the mounted
 * routes. No full OpenAPI validator library is available offline, so the structure is checked
 * here (version, info, paths, operations, responses, path parameters, $refs, security); the
 * component schemas are compiled as JSON Schema 2020-12 by {@link RequestSchemas}, which also
 * validates the request bodies with them at run time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiDocumentTest {
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
      "trace");
  private static final Set<String> PATH_ITEM_KEYS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
      "trace", "summary", "description", "servers", "parameters", "$ref");
  private static final Pattern TEMPLATE_PARAM = Pattern.compile("\\{([^}/]+)}");
  /** Public by design (the document itself); every other operation needs the API key. */
  private static final String PUBLIC_ROUTE = "GET /openapi.json";

  private Vertx vertx;
  private RequestSchemas schemas;
  private JsonObject doc;
  private List<String> routes;

  @BeforeAll
  void load() {
    vertx = Vertx.vertx();
    schemas = RequestSchemas.load();
    doc = schemas.document();
    ApiRouter router = new ApiRouter(vertx, Config.of(new JsonObject()), null, null, null, schemas);
    router.router();
    routes = router.routes();
  }

  @AfterAll
  void close() {
    vertx.close();
  }

  /** Every operation of the document as "METHOD /path". */
  private Set<String> documentedOperations() {
    Set<String> ops = new TreeSet<>();
    JsonObject paths = doc.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String key : paths.getJsonObject(path).fieldNames()) {
        if (METHODS.contains(key)) {
          ops.add(key.toUpperCase() + " " + path);
        }
      }
    }
    return ops;
  }

  private JsonObject operation(String op) {
    String[] parts = op.split(" ", 2);
    return doc.getJsonObject("paths").getJsonObject(parts[1]).getJsonObject(parts[0].toLowerCase());
  }

  @Test
  void topLevelStructure() {
    assertTrue(doc.getString("openapi", "").matches("3\\.1\\.\\d+"), "openapi 3.1.x: " + doc.getString("openapi"));
    JsonObject info = doc.getJsonObject("info");
    assertNotNull(info, "info");
    assertFalse(info.getString("title", "").isBlank(), "info.title");
    assertFalse(info.getString("version", "").isBlank(), "info.version");
    assertFalse(doc.getJsonObject("paths").isEmpty(), "paths");
    assertEquals("/api/v1", doc.getJsonArray("servers").getJsonObject(0).getString("url"));
    for (String key : doc.fieldNames()) {
      assertTrue(Set.of("openapi", "info", "jsonSchemaDialect", "servers", "paths", "webhooks", "components",
          "security", "tags", "externalDocs").contains(key) || key.startsWith("x-"), "unknown top-level key " + key);
    }
  }

  @Test
  void pathsAndOperations() {
    JsonObject paths = doc.getJsonObject("paths");
    List<String> problems = new ArrayList<>();
    Set<String> operationIds = new HashSet<>();
    for (String path : paths.fieldNames()) {
      if (!path.startsWith("/") || (path.length() > 1 && path.endsWith("/"))) {
        problems.add("bad path " + path);
      }
      JsonObject item = paths.getJsonObject(path);
      for (String key : item.fieldNames()) {
        if (!PATH_ITEM_KEYS.contains(key) && !key.startsWith("x-")) {
          problems.add(path + ": unknown path item key " + key);
        }
      }
      Set<String> template = new TreeSet<>();
      Matcher m = TEMPLATE_PARAM.matcher(path);
      while (m.find()) {
        template.add(m.group(1));
      }
      for (String method : item.fieldNames()) {
        if (!METHODS.contains(method)) {
          continue;
        }
        String where = method.toUpperCase() + " " + path;
        JsonObject op = item.getJsonObject(method);
        // responses: at least one, each with a description
        JsonObject responses = op.getJsonObject("responses");
        if (responses == null || responses.isEmpty()) {
          problems.add(where + ": no responses");
        } else {
          for (String code : responses.fieldNames()) {
            if (!code.matches("[1-5](\\d\\d|XX)|default")) {
              problems.add(where + ": bad response code " + code);
            }
            JsonObject r = responses.getJsonObject(code);
            if (!r.containsKey("$ref") && !(r.getValue("description") instanceof String)) {
              problems.add(where + " " + code + ": a response needs a description");
            }
          }
        }
        // parameters: well-formed, path parameters exactly those of the template
        Set<String> declaredPath = new TreeSet<>();
        Set<String> seen = new HashSet<>();
        JsonArray params = new JsonArray();
        params.addAll(item.getJsonArray("parameters", new JsonArray()));
        params.addAll(op.getJsonArray("parameters", new JsonArray()));
        for (Object o : params) {
          JsonObject p = (JsonObject) o;
          String name = p.getString("name");
          String in = p.getString("in");
          if (name == null || !Set.of("query", "header", "path", "cookie").contains(in)) {
            problems.add(where + ": bad parameter " + p.encode());
            continue;
          }
          if (!seen.add(in + ":" + name)) {
            problems.add(where + ": duplicate parameter " + name);
          }
          if (!p.containsKey("schema") && !p.containsKey("content")) {
            problems.add(where + ": parameter " + name + " has no schema");
          }
          if ("path".equals(in)) {
            declaredPath.add(name);
            if (!Boolean.TRUE.equals(p.getBoolean("required"))) {
              problems.add(where + ": path parameter " + name + " must be required");
            }
          }
        }
        if (!declaredPath.equals(template)) {
          problems.add(where + ": path parameters declared " + declaredPath + " but the template has " + template);
        }
        String id = op.getString("operationId");
        if (id != null && !operationIds.add(id)) {
          problems.add(where + ": duplicate operationId " + id);
        }
        if (op.containsKey("requestBody") && !op.getJsonObject("requestBody").containsKey("content")) {
          problems.add(where + ": requestBody without content");
        }
      }
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  @Test
  void everyRefResolves() {
    List<String> refs = new ArrayList<>();
    collectRefs(doc, refs);
    assertFalse(refs.isEmpty());
    List<String> broken = new ArrayList<>();
    for (String ref : refs) {
      if (!ref.startsWith("#/") || resolve(ref) == null) {
        broken.add(ref);
      }
    }
    assertTrue(broken.isEmpty(), "unresolvable $refs: " + broken);
  }

  private static void collectRefs(Object node, List<String> out) {
    if (node instanceof JsonObject o) {
      if (o.getValue("$ref") instanceof String ref) {
        out.add(ref);
      }
      for (String k : o.fieldNames()) {
        collectRefs(o.getValue(k), out);
      }
    } else if (node instanceof JsonArray a) {
      for (Object v : a) {
        collectRefs(v, out);
      }
    }
  }

  /** A local JSON pointer ("#/a/b~1c") in the document, or null. */
  private Object resolve(String ref) {
    Object node = doc;
    for (String raw : ref.substring(2).split("/")) {
      String token = raw.replace("~1", "/").replace("~0", "~");
      if (node instanceof JsonObject o && o.containsKey(token)) {
        node = o.getValue(token);
      } else {
        return null;
      }
    }
    return node;
  }

  @Test
  void securityIsDeclaredAndOnlyTheDocumentIsPublic() {
    JsonObject schemes = doc.getJsonObject("components").getJsonObject("securitySchemes");
    JsonObject apiKey = schemes.getJsonObject("apiKey");
    assertEquals("apiKey", apiKey.getString("type"));
    assertEquals("header", apiKey.getString("in"));
    assertEquals("X-API-Key", apiKey.getString("name"));
    // global requirement: every operation needs the key unless it says otherwise
    assertEquals(new JsonArray().add(new JsonObject().put("apiKey", new JsonArray())), doc.getJsonArray("security"));
    for (String op : documentedOperations()) {
      JsonObject operation = operation(op);
      JsonArray security = operation.getJsonArray("security");
      if (op.equals(PUBLIC_ROUTE)) {
        assertEquals(new JsonArray(), security, "the document is public: security []");
        continue;
      }
      if (security != null) {
        for (Object req : security) {
          for (String scheme : ((JsonObject) req).fieldNames()) {
            assertTrue(schemes.containsKey(scheme), op + ": undeclared security scheme " + scheme);
          }
        }
        assertFalse(security.isEmpty(), op + " must not be public");
      }
      JsonObject responses = operation.getJsonObject("responses");
      assertTrue(responses.containsKey("401"), op + " documents 401");
      if (!op.startsWith("GET ")) {
        assertTrue(responses.containsKey("403"), op + " documents 403 (read-only keys)");
      }
    }
  }

  @Test
  void documentAndRoutesMatchExactly() {
    Set<String> mounted = new TreeSet<>(routes);
    assertEquals(routes.size(), mounted.size(), "a route is mounted twice: " + routes);
    Set<String> documented = documentedOperations();
    assertTrue(documented.contains(PUBLIC_ROUTE), "the public document route is documented");
    documented.remove(PUBLIC_ROUTE); // mounted before authentication, outside routes()
    Set<String> undocumented = new TreeSet<>(mounted);
    undocumented.removeAll(documented);
    Set<String> notMounted = new TreeSet<>(documented);
    notMounted.removeAll(mounted);
    assertTrue(undocumented.isEmpty() && notMounted.isEmpty(),
        "mounted but not documented: " + undocumented + "; documented but not mounted: " + notMounted);
  }

  @Test
  void everyRouteWithABodyDocumentsTheBodyLimit() {
    int withBody = 0;
    for (String op : documentedOperations()) {
      JsonObject operation = operation(op);
      if (operation.containsKey("requestBody")) {
        withBody++;
        assertTrue(operation.getJsonObject("responses").containsKey("413"), op + " documents 413");
      }
    }
    assertTrue(withBody >= 10, "routes with a body: " + withBody);
  }

  @Test
  void commandRoutesDocumentTheirOutcomes() {
    for (String op : documentedOperations()) {
      if (!op.startsWith("POST /chargepoints/{id}/") && !op.equals("DELETE /chargepoints/{id}/charging-limit")
          && !op.equals("GET /chargepoints/{id}/composite-schedule")) {
        continue;
      }
      JsonObject operation = operation(op);
      Set<String> codes = operation.getJsonObject("responses").fieldNames();
      assertTrue(codes.containsAll(Set.of("200", "202", "400", "404", "409", "502", "504")), op + ": " + codes);
      Set<String> params = new HashSet<>();
      for (Object p : operation.getJsonArray("parameters")) {
        params.add(((JsonObject) p).getString("name"));
      }
      assertTrue(params.containsAll(Set.of("timeout", "async")), op + " documents timeout and async: " + params);
    }
  }

  @Test
  void everyRequestBodySchemaExistsAndCompiles() {
    JsonObject components = doc.getJsonObject("components").getJsonObject("schemas");
    List<String> problems = new ArrayList<>();
    for (String op : documentedOperations()) {
      JsonObject rb = operation(op).getJsonObject("requestBody");
      if (rb == null) {
        if (op.startsWith("PUT ")) {
          problems.add(op + ": a PUT without a request body");
        }
        continue;
      }
      JsonObject json = rb.getJsonObject("content").getJsonObject("application/json");
      String ref = json == null ? null : json.getJsonObject("schema", new JsonObject()).getString("$ref");
      if (ref == null || !ref.startsWith("#/components/schemas/")) {
        problems.add(op + ": the JSON request body must reference a component schema");
        continue;
      }
      String name = ref.substring("#/components/schemas/".length());
      if (!components.containsKey(name)) {
        problems.add(op + ": missing schema " + name);
        continue;
      }
      // the router validates bodies with these very schemas; {} is a well-defined instance for each
      assertDoesNotThrow(() -> schemas.violation(name, new JsonObject()), name);
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
    for (String name : components.fieldNames()) {
      assertDoesNotThrow(() -> schemas.violation(name, new JsonObject()), "component " + name + " compiles");
    }
  }

  @Test
  void schemasAcceptTheirExamplesAndRefuseObviousErrors() {
    // spot checks that the compiled schemas enforce what the document says
    assertEquals(null, schemas.violation("ResetCommand", new JsonObject().put("type", "hard")));
    assertNotNull(schemas.violation("ResetCommand", new JsonObject().put("type", "Hard")));
    assertNotNull(schemas.violation("TagInput", new JsonObject().put("expiryDate", "soon")), "format date-time is asserted");
    assertEquals(null, schemas.violation("TagInput", new JsonObject().put("expiryDate", "2030-01-01T00:00:00Z")));
    assertNotNull(schemas.violation("RemoteStopCommand", new JsonObject()));
    assertNotNull(schemas.violation("ChangeConfigurationCommand", new JsonObject().put("key", "a")));
  }
}
