package org.ocppcore.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.Map;
import org.ocppcore.TestServer;

/** A small blocking client of the REST API for tests (one per test class; not thread-safe by design). */
final class ApiClient {
  /** A response: status, body text and headers. */
  record Resp(int status, String body, MultiMap headers) {
    JsonObject json() {
      try {
        return new JsonObject(body);
      } catch (RuntimeException e) {
        throw new AssertionError("not a JSON object (" + status + "): " + body, e);
      }
    }

    JsonArray array() {
      try {
        return new JsonArray(body);
      } catch (RuntimeException e) {
        throw new AssertionError("not a JSON array (" + status + "): " + body, e);
      }
    }

    /** Asserts the status and returns this. */
    Resp expect(int expected) {
      assertEquals(expected, status, () -> "HTTP status; body: " + body);
      return this;
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  private final TestServer server;
  private final WebClient web;
  private final String key;

  ApiClient(TestServer server, String key) {
    this.server = server;
    this.web = WebClient.create(server.vertx());
    this.key = key;
  }

  /** A JSON object from alternating keys and values: {@code obj("type", "soft")}. */
  static JsonObject obj(Object... kv) {
    JsonObject o = new JsonObject();
    for (int i = 0; i < kv.length; i += 2) {
      o.put((String) kv[i], kv[i + 1]);
    }
    return o;
  }

  /** The same server with another key (null: no X-API-Key header). */
  ApiClient withKey(String otherKey) {
    return new ApiClient(server, otherKey);
  }

  Resp get(String path) {
    return send(HttpMethod.GET, path, null, Map.of());
  }

  Resp get(String path, Map<String, String> headers) {
    return send(HttpMethod.GET, path, null, headers);
  }

  Resp put(String path, JsonObject body) {
    return send(HttpMethod.PUT, path, body == null ? null : body.encode(), Map.of());
  }

  Resp post(String path, JsonObject body) {
    return send(HttpMethod.POST, path, body == null ? null : body.encode(), Map.of());
  }

  Resp delete(String path) {
    return send(HttpMethod.DELETE, path, null, Map.of());
  }

  /**
   * One request to {@code /api/v1 + path}.
   *
   * @param body raw body text (sent as application/json), or null for none
   */
  Resp send(HttpMethod method, String path, String body, Map<String, String> headers) {
    HttpRequest<Buffer> req = web.request(method, server.httpPort(), "127.0.0.1", "/api/v1" + path);
    if (key != null) {
      req.putHeader("X-API-Key", key);
    }
    headers.forEach(req::putHeader);
    try {
      HttpResponse<Buffer> r = TestServer.await(body == null ? req.send()
          : req.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)));
      return new Resp(r.statusCode(), r.bodyAsString() == null ? "" : r.bodyAsString(), r.headers());
    } catch (Exception e) {
      return fail(method + " " + path + " failed: " + e, e);
    }
  }

  void close() {
    web.close();
  }
}
