package org.ocppcore.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.TestServer.await;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.ocppcore.TestServer;
import org.ocppcore.api.ApiClient.Resp;
import org.ocppcore.store.AdminStore;

/** Each API key has its own budget of requests per second (api.requestsPerSecondPerKey). */
class ApiRateLimitTest {

  @Test
  void aKeyOverItsBudgetGets429WhileOtherKeysGoOn() throws Exception {
    try (TestServer server = TestServer.start(new JsonObject().put("api", new JsonObject()
        .put("requestsPerSecondPerKey", 5)))) {
      ApiKeys keys = new ApiKeys(new AdminStore(server.server().store(), server.server().database().readPool()));
      ApiClient busy = new ApiClient(server, await(keys.create("busy", "admin")));
      ApiClient calm = new ApiClient(server, await(keys.create("calm", "readonly")));
      int ok = 0;
      Resp refused = null;
      // until the first refusal: however slow the machine, 200 requests outrun 5 per second
      for (int i = 0; i < 200 && refused == null; i++) {
        Resp r = busy.get("/status");
        if (r.status() == 200) {
          ok++;
        } else {
          assertEquals(429, r.status(), r.toString());
          refused = r;
        }
      }
      assertTrue(refused != null, "no refusal in 200 requests");
      assertTrue(ok >= 10, "a burst of twice the rate first: " + ok);
      assertEquals("1", refused.headers().get("Retry-After"));
      assertTrue(refused.json().getString("error").contains("more than 5 requests per second"), refused.toString());
      calm.get("/status").expect(200);
      Thread.sleep(1100);
      busy.get("/status").expect(200);
      busy.close();
      calm.close();
    }
  }

  @Test
  void theBucketRefillsAtTheRateUpToTwiceIt() {
    ApiRateLimit limit = new ApiRateLimit(10);
    long t = 1_000_000_000L;
    int taken = 0;
    while (limit.tryTake("k", t)) {
      taken++;
    }
    assertEquals(20, taken, "a full bucket holds two seconds' worth");
    assertFalse(limit.tryTake("k", t + 50_000_000L), "half a token after 50 ms");
    assertTrue(limit.tryTake("k", t + 100_000_000L), "one token after 100 ms");
    assertTrue(limit.tryTake("other", t), "each key has its own bucket");
    int refilled = 0;
    while (limit.tryTake("k", t + 60_000_000_000L)) {
      refilled++;
    }
    assertEquals(20, refilled, "a long pause refills no more than the burst");
    ApiRateLimit off = new ApiRateLimit(0);
    for (int i = 0; i < 10_000; i++) {
      assertTrue(off.tryTake("k", t));
    }
  }
}
