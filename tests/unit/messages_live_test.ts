import assert from "node:assert/strict";
import { LiveStreams } from "../../lib/messages/live.ts";
import {
  cursorAfter,
  formatCursor,
  parseCursor,
  RECONNECT_MAX_MS,
  reconnectDelay,
  streamLifetime,
} from "../../lib/messages/live_rules.ts";

const ID = "01JH3Q9V4W5X6Y7Z8A9B0C1D2E";

Deno.test("live rules: reconnect waits double per failure, with jitter, never near zero, capped at a minute", () => {
  // [attempt, random, wait ms]
  const cases: [number, number, number][] = [
    [0, 0, 500],
    [0, 0.999999, 1000],
    [1, 0, 1000],
    [1, 0.5, 1500],
    [2, 0, 2000],
    [3, 1, 8000],
    [5, 0, 16_000],
    [6, 0, 30_000],
    [6, 1, 60_000],
    [7, 0, 30_000],
    [50, 1, 60_000],
    [-3, 0, 500],
    [Number.NaN, 0, 500],
  ];
  for (const [attempt, random, wait] of cases) {
    assert.equal(
      reconnectDelay(Number.isNaN(attempt) ? 0 : attempt, random),
      wait,
      `attempt ${attempt}, random ${random}`,
    );
  }
  // Randoms spread tabs over the upper half of each ceiling.
  for (let attempt = 0; attempt < 12; attempt++) {
    const waits = Array.from(
      { length: 200 },
      () => reconnectDelay(attempt, Math.random()),
    );
    const ceiling = Math.min(RECONNECT_MAX_MS, 1000 * 2 ** attempt);
    assert.ok(waits.every((w) => w >= ceiling / 2 && w <= ceiling));
    assert.ok(new Set(waits).size > 20, "jittered");
  }
});

Deno.test("live rules: stream cursors round-trip; anything else starts afresh", () => {
  const c = { at: 1764601200000, messageId: ID };
  assert.equal(formatCursor(c), `1764601200000-${ID}`);
  assert.deepEqual(parseCursor(formatCursor(c)), c);
  for (
    const bad of [
      null,
      undefined,
      "",
      ID,
      `x-${ID}`,
      `1764601200000-${ID.toLowerCase()}`,
      `1764601200000-${ID}x`,
      `-1-${ID}`,
      `1e12-${ID}`,
      `9999999999999999-${ID}`,
      `1764601200000-${ID}\n`,
      "1".repeat(70),
    ]
  ) assert.equal(parseCursor(bad), null, String(bad));
  // Order: time first, then the message id.
  const later = { at: c.at + 1, messageId: "00000000000000000000000000" };
  assert.ok(cursorAfter(later, c));
  assert.ok(!cursorAfter(c, later));
  assert.ok(cursorAfter({ at: c.at, messageId: "Z".repeat(26) }, c));
  assert.ok(!cursorAfter(c, c));
  assert.ok(cursorAfter(c, null));
});

Deno.test("live rules: lifetimes spread over a tenth more than the base", () => {
  assert.equal(streamLifetime(600_000, 0), 600_000);
  assert.equal(streamLifetime(600_000, 0.5), 630_000);
  assert.equal(streamLifetime(600_000, 1), 660_000);
  assert.equal(streamLifetime(600_000, 7), 660_000);
});

const SETTINGS = {
  maxStreams: 4,
  perUser: 2,
  lifetimeMs: 1000,
  heartbeatMs: 100,
};

Deno.test("live streams: a person's newest stream replaces their oldest; a full instance refuses; releases give places back", () => {
  const streams = new LiveStreams({ ...SETTINGS });
  const a1 = streams.open("ann")!;
  const a2 = streams.open("ann")!;
  assert.equal(streams.countOf("ann"), 2);
  const a3 = streams.open("ann")!;
  // The oldest was told, and its place given to the newest.
  assert.ok(a1.replaced.aborted);
  assert.ok(!a2.replaced.aborted && !a3.replaced.aborted);
  assert.equal(streams.countOf("ann"), 2);
  assert.equal(streams.size, 2);
  a1.release(); // the replaced stream's own cleanup is a no-op
  assert.equal(streams.size, 2);

  const b1 = streams.open("bob")!;
  const b2 = streams.open("bob")!;
  assert.equal(streams.size, 4);
  assert.equal(streams.open("cid"), null, "the instance is full");
  // A person at their cap still gets in: their oldest makes room.
  const b3 = streams.open("bob")!;
  assert.ok(b1.replaced.aborted && b3);
  assert.equal(streams.size, 4);

  for (const l of [a2, a3, b2, b3]) l.release();
  assert.equal(streams.size, 0);
  assert.equal(streams.countOf("ann"), 0);
  assert.equal(streams.countOf("bob"), 0);
  // Releasing twice changes nothing.
  a2.release();
  assert.equal(streams.size, 0);
  assert.ok(streams.open("cid"));
});

Deno.test("live streams: the count never passes the cap under churn", () => {
  const streams = new LiveStreams({ ...SETTINGS, maxStreams: 50, perUser: 3 });
  const open = new Set<ReturnType<typeof streams.open>>();
  let seed = 7;
  const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (let i = 0; i < 5000; i++) {
    const user = `u${Math.floor(rand() * 40)}`;
    if (rand() < 0.6) {
      const lease = streams.open(user);
      if (lease) open.add(lease);
    } else {
      const list = [...open];
      const lease = list[Math.floor(rand() * list.length)];
      lease?.release();
      open.delete(lease);
    }
    for (const l of open) if (l!.replaced.aborted) open.delete(l);
    assert.ok(streams.size <= 50);
    assert.equal(streams.size, open.size);
    assert.ok(streams.countOf(user) <= 3);
  }
});
