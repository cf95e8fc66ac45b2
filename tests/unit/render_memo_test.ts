/**
 * The memos that make a render cheaper (issue 11 §2) must answer exactly
 * what the code without them answered: tables of cases against a fresh
 * Temporal/Intl computation, across DST changes.
 */
import assert from "node:assert/strict";
import { addDays, localToday } from "../../lib/kitchens/free_time.ts";
import { formatDayTime, formatTime } from "../../lib/format.ts";
import { formatCents } from "../../lib/money.ts";
import { newNonce, securityHeaders } from "../../routes/security.ts";
import { Hono } from "hono";
import type { AppEnv } from "../../routes/context.tsx";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function todayByTemporal(timeZone: string, ms: number): string {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(
    timeZone,
  ).toPlainDate().toString();
}

Deno.test("localToday: the memo agrees with Temporal around midnights and DST changes", () => {
  const cases: [string, string][] = [
    // Spring forward and fall back in the US, at 2 AM.
    ["America/New_York", "2026-03-08T00:00:00-05:00"],
    ["America/New_York", "2026-11-01T00:00:00-04:00"],
    ["America/Los_Angeles", "2026-12-31T20:00:00-08:00"],
    // Half-hour DST, and a zone whose DST change falls at midnight.
    ["Australia/Lord_Howe", "2026-04-04T22:00:00+11:00"],
    ["America/Santiago", "2026-04-04T22:00:00-03:00"],
    ["America/Havana", "2026-03-07T22:00:00-05:00"],
    // Fell back at 00:01 until 2010: the date went forward, then back a day.
    ["America/Goose_Bay", "2009-10-31T20:00:00-03:00"],
    // A whole day skipped when Samoa crossed the date line.
    ["Pacific/Apia", "2011-12-29T20:00:00-10:00"],
    ["UTC", "2026-06-30T23:00:00+00:00"],
  ];
  for (const [zone, from] of cases) {
    const start = Date.parse(from);
    // Forward in 7-minute steps across a day and a half…
    for (let t = start; t < start + 36 * HOUR; t += 7 * MINUTE) {
      assert.equal(
        localToday(zone, t),
        todayByTemporal(zone, t),
        `${zone} ${t}`,
      );
    }
    // …and backwards, which a memo valid only forward must not get wrong.
    for (let t = start + 36 * HOUR; t > start; t -= 29 * MINUTE) {
      assert.equal(
        localToday(zone, t),
        todayByTemporal(zone, t),
        `${zone} ${t}`,
      );
    }
    // The last millisecond of a day, the first of the next, then minute by minute.
    const midnight = Temporal.Instant.fromEpochMilliseconds(start)
      .toZonedDateTimeISO(zone).add({ days: 1 }).startOfDay()
      .epochMilliseconds;
    const around = [midnight - 1, midnight, midnight + 1];
    for (let t = midnight; t < midnight + 3 * HOUR; t += MINUTE) around.push(t);
    for (const t of around) {
      assert.equal(
        localToday(zone, t),
        todayByTemporal(zone, t),
        `${zone} ${t}`,
      );
    }
  }
});

Deno.test("localToday: an unknown zone is still an error", () => {
  assert.throws(() => localToday("Mars/Olympus_Mons", Date.now()), RangeError);
});

Deno.test("addDays: dates after a local date, across months, years and leap days", () => {
  const cases: [string, number, string][] = [
    ["2026-01-31", 1, "2026-02-01"],
    ["2028-02-28", 1, "2028-02-29"],
    ["2026-12-31", 60, "2027-03-01"],
    ["2026-03-08", 0, "2026-03-08"],
  ];
  for (const [date, days, want] of cases) {
    assert.equal(addDays(date, days), want);
    assert.equal(addDays(date, days), want, "from the memo");
  }
});

Deno.test("formatCents: whole dollars without cents, the rest with, every time", () => {
  const cases: [number, string][] = [
    [4500, "$45"],
    [4550, "$45.50"],
    [5, "$0.05"],
    [0, "$0"],
    [123456700, "$1,234,567"],
    [-2500, "-$25"],
    [-2550, "-$25.50"],
  ];
  for (let round = 0; round < 3; round++) {
    for (const [cents, want] of cases) assert.equal(formatCents(cents), want);
  }
  // Past the memo's bound the answers stay right.
  for (let cents = 0; cents < 25_000; cents += 1) {
    if (cents % 997 === 0) {
      assert.equal(
        formatCents(cents),
        cents % 100 === 0
          ? `$${(cents / 100).toLocaleString("en-US")}`
          : `$${(cents / 100).toFixed(2)}`,
      );
    } else formatCents(cents);
  }
});

Deno.test("formatTime and formatDayTime: memoised labels equal fresh Intl formatting in each zone", () => {
  const zones = ["America/Chicago", "America/New_York", "Asia/Kolkata", "UTC"];
  const start = Date.parse("2026-03-07T00:00:00Z");
  for (const timeZone of zones) {
    const time = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hour: "numeric",
      minute: "2-digit",
    });
    const dayTime = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hour: "numeric",
      minute: "2-digit",
      weekday: "short",
      month: "short",
      day: "numeric",
    });
    // Across the US spring-forward night, past the memo's bound, twice.
    for (let round = 0; round < 2; round++) {
      for (let t = start; t < start + 60 * 24 * HOUR; t += 5 * 60 * MINUTE) {
        assert.equal(formatTime(timeZone, t), time.format(t));
        assert.equal(formatDayTime(timeZone, t), dayTime.format(t));
      }
    }
  }
  assert.equal(
    formatDayTime("America/Chicago", Date.parse("2026-12-01T15:30:00Z")),
    "Tue, Dec 1, 9:30 AM",
  );
});

Deno.test("nonces: 16 random bytes in canonical base64, never repeated", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 20_000; i++) {
    const nonce = newNonce();
    assert.match(nonce, /^[A-Za-z0-9+/]{22}==$/);
    const bytes = Uint8Array.from(atob(nonce), (c) => c.charCodeAt(0));
    assert.equal(bytes.length, 16);
    assert.equal(btoa(String.fromCharCode(...bytes)), nonce);
    seen.add(nonce);
  }
  assert.equal(seen.size, 20_000);
});

Deno.test("security headers: the prebuilt policy carries this response's nonce; a route's own policy stands", async () => {
  const app = new Hono<AppEnv>();
  app.use(securityHeaders(true, ["http://127.0.0.1:9999"]));
  app.get("/", (c) => c.text(c.var.nonce));
  app.get(
    "/own",
    (c) =>
      c.text("x", 200, { "Content-Security-Policy": "default-src 'none'" }),
  );
  const nonces = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const res = await app.request("/");
    const nonce = await res.text();
    nonces.add(nonce);
    assert.equal(
      res.headers.get("content-security-policy"),
      `default-src 'self'; script-src 'nonce-${nonce}' 'strict-dynamic'; ` +
        "style-src 'self'; img-src 'self' data:; object-src 'none'; " +
        "base-uri 'none'; form-action 'self' https://checkout.stripe.com " +
        "https://connect.stripe.com http://127.0.0.1:9999; " +
        "frame-ancestors 'none'",
    );
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(
      res.headers.get("referrer-policy"),
      "strict-origin-when-cross-origin",
    );
    assert.equal(res.headers.get("x-frame-options"), "DENY");
    assert.equal(
      res.headers.get("strict-transport-security"),
      "max-age=63072000; includeSubDomains",
    );
  }
  assert.equal(nonces.size, 50);
  const own = await app.request("/own");
  assert.equal(
    own.headers.get("content-security-policy"),
    "default-src 'none'",
  );
  const plain = new Hono<AppEnv>();
  plain.use(securityHeaders(false));
  plain.get("/", (c) => c.text("ok"));
  const res = await plain.request("/");
  assert.equal(res.headers.get("strict-transport-security"), null);
  assert.match(
    res.headers.get("content-security-policy")!,
    /form-action 'self' https:\/\/checkout\.stripe\.com https:\/\/connect\.stripe\.com; /,
  );
});
