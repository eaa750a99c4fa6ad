package org.ocppcore.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Validates API request bodies against the schemas of the OpenAPI document itself, so the
 * document and the checks cannot drift apart.
 */
public final class RequestSchemas {
  public static final String RESOURCE = "openapi.json";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final JsonObject document;
  private final Map<String, JsonSchema> schemas = new HashMap<>();

  private RequestSchemas(JsonObject document, JsonNode tree) {
    this.document = document;
    SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true)
        .pathType(PathType.JSON_PATH).locale(Locale.ENGLISH).build();
    // the wrapper's "components" carries the document's schemas for the $refs; declared as a
    // non-validating keyword, it is no longer logged as an unknown one at every start
    JsonMetaSchema meta = JsonMetaSchema.builder(JsonMetaSchema.getV202012())
        .keyword(new NonValidationKeyword("components")).build();
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012, b -> b.metaSchema(meta));
    // one schema per component, with $refs resolved inside the whole document
    JsonNode components = tree.path("components").path("schemas");
    components.fieldNames().forEachRemaining(name -> {
      JsonNode wrapper = MAPPER.createObjectNode()
          .put("$schema", "https://json-schema.org/draft/2020-12/schema")
          .put("$ref", "#/components/schemas/" + name)
          .set("components", tree.get("components"));
      schemas.put(name, factory.getSchema(wrapper, config));
    });
  }

  /** Loads the OpenAPI document from the classpath (blocking: call at start). */
  public static RequestSchemas load() {
    try (InputStream in = RequestSchemas.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing " + RESOURCE);
      }
      byte[] bytes = in.readAllBytes();
      return new RequestSchemas(new JsonObject(new String(bytes, java.nio.charset.StandardCharsets.UTF_8)),
          MAPPER.readTree(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public JsonObject document() {
    return document;
  }

  /** @return null when valid, else a reason naming the JSON path */
  public String violation(String schemaName, JsonObject body) {
    JsonSchema schema = schemas.get(schemaName);
    if (schema == null) {
      throw new IllegalArgumentException("no schema " + schemaName + " in " + RESOURCE);
    }
    Set<ValidationMessage> messages = schema.validate(MAPPER.valueToTree(body.getMap()));
    return messages.stream().map(ValidationMessage::getMessage).min(Comparator.naturalOrder()).orElse(null);
  }
}
