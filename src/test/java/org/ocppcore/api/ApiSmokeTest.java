package org.ocppcore.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.ocppcore.TestServer.await;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.Test;
import org.ocppcore.TestServer;
import org.ocppcore.testsupport.TestCharger;

class ApiSmokeTest {
  @Test
  void smoke() throws Exception {
    try (TestServer server = TestServer.start()) {
      String key = server.apiKey("it", "admin");
      WebClient web = WebClient.create(server.vertx());
      var noKey = await(web.get(server.httpPort(), "127.0.0.1", "/api/v1/chargepoints").send());
      assertEquals(401, noKey.statusCode());
      var put = await(web.put(server.httpPort(), "127.0.0.1", "/api/v1/chargepoints/CPX").putHeader("X-API-Key", key)
          .sendJsonObject(new JsonObject().put("name", "X").put("password", "a-long-password-1")));
      assertEquals(201, put.statusCode(), put.bodyAsString());
      var bad = await(web.put(server.httpPort(), "127.0.0.1", "/api/v1/chargepoints/CPX").putHeader("X-API-Key", key)
          .sendJsonObject(new JsonObject().put("nmae", "X")));
      assertEquals(400, bad.statusCode(), bad.bodyAsString());
      System.out.println(bad.bodyAsString());
      TestCharger cp = await(TestCharger.connect(server.vertx(), server.wsUrl("CPX"),
          new TestCharger.Options().basicAuth("CPX", "a-long-password-1")));
      cp.onCall("Reset", p -> new JsonObject().put("status", "Accepted"));
      var reset = await(web.post(server.httpPort(), "127.0.0.1", "/api/v1/chargepoints/CPX/reset").putHeader("X-API-Key", key)
          .sendJsonObject(new JsonObject().put("type", "hard")));
      System.out.println(reset.statusCode() + " " + reset.bodyAsString());
      assertEquals(200, reset.statusCode());
      var list = await(web.get(server.httpPort(), "127.0.0.1", "/api/v1/chargepoints").putHeader("X-API-Key", key).send());
      System.out.println(list.bodyAsString());
    }
  }
}
