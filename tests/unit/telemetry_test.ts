/**
 * Telemetry off (no OTEL_DENO, as in this test process) costs nothing: no
 * middleware, no wrapped KV, no spans.
 */
import assert from "node:assert/strict";
import {
  observing,
  traceJob,
  traceKvCommits,
  withSpan,
} from "../../lib/telemetry.ts";
import { requestTelemetry, routePattern } from "../../routes/telemetry.ts";

Deno.test({
  name: "telemetry: without OTEL_DENO nothing is installed or wrapped",
  // A run with OTEL_DENO=true has telemetry on, which is not this case.
  ignore: observing,
}, async () => {
  assert.equal(requestTelemetry(), null);
  const kv = await Deno.openKv(":memory:");
  try {
    assert.equal(traceKvCommits(kv), kv);
    assert.ok(!Object.hasOwn(kv, "atomic"), "kv.atomic was wrapped");
  } finally {
    kv.close();
  }
  assert.equal(await withSpan("x", {}, (span) => Promise.resolve(span)), null);
  assert.equal(await traceJob("t", 1, () => Promise.resolve("ran")), "ran");
});

Deno.test("telemetry: route patterns drop Hono's parameter patterns", () => {
  const cases: [string, string][] = [
    ["/", "/"],
    ["/kitchens/:id", "/kitchens/:id"],
    ["/bookings/:id{[0-9A-HJKMNP-TV-Z]{26}}/pay", "/bookings/:id/pay"],
    [
      "/admin/documents/:id{[0-9A-Z]{26}}/:action{verify|reject}",
      "/admin/documents/:id/:action",
    ],
    ["/assets/*", "/assets/*"],
  ];
  for (const [path, want] of cases) assert.equal(routePattern(path), want);
});
