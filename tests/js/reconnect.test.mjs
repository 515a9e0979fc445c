import { test } from "node:test";
import assert from "node:assert/strict";
import { afterClose, afterProbe, retryDelayMs } from "../../static/js/reconnect.js";

test("a stopping server's 1012 means now; idle and policy closes are not retried by backoff", () => {
  assert.equal(afterClose(1012), "now");
  assert.equal(afterClose(1001), "idle");
  assert.equal(afterClose(1008), "refused");
  for (const code of [1006, 1011, 1013, 1000, 4000]) assert.equal(afterClose(code), "backoff", code);
});

test("backoff doubles from 250 ms to at most 8 s, and half of each wait is random", () => {
  const low = (attempt) => retryDelayMs(attempt, "backoff", () => 0);
  const high = (attempt) => retryDelayMs(attempt, "backoff", () => 0.999999);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 9].map(low), [125, 250, 500, 1000, 2000, 4000, 4000, 4000]);
  assert.deepEqual([0, 1, 5, 9].map((a) => Math.round(high(a))), [250, 500, 8000, 8000]);
  // Thirty pages dropped together spread over the window instead of returning in lockstep.
  const waits = Array.from({ length: 30 }, () => retryDelayMs(0, "backoff"));
  assert.ok(Math.min(...waits) >= 125 && Math.max(...waits) <= 250);
  assert.ok(new Set(waits.map((w) => Math.round(w))).size > 10, waits);
});

test("a drained page reconnects within 0.1 s whatever its earlier tries", () => {
  for (const attempt of [0, 3, 12]) {
    assert.ok(retryDelayMs(attempt, "now", () => 0.999) < 100);
    assert.equal(retryDelayMs(attempt, "now", () => 0), 0);
  }
});

test("only the server's own no is a refusal; a balancer's 502/503 or silence is an upstream fault", () => {
  assert.equal(afterProbe(200, { admitted: false, message: "origin" }), "refused");
  assert.equal(afterProbe(400, null), "refused"); // the host guard
  assert.equal(afterProbe(403, null), "refused");
  assert.equal(afterProbe(200, { admitted: true }), "upstream");
  for (const status of [502, 503, 504, 500, 404, null]) assert.equal(afterProbe(status, null), "unreachable", status);
  assert.equal(afterProbe(200, null), "unreachable"); // an HTML page from something else
});
