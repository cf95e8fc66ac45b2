/**
 * The pure rules of reviews (lib/reviews/rules.ts, schema.ts), as tables:
 * blind publishing for each order of events before and after the window's
 * end, who may review when, averages to one decimal, the rating sort (and
 * that its KV index sorts the same way), and the form's fields.
 */
import assert from "node:assert/strict";
import type { Booking } from "../../lib/bookings/schema.ts";
import {
  average,
  compareByRating,
  formatAverage,
  isCompleted,
  lastReviewDate,
  onSubmit,
  onWindowClose,
  ratingRank,
  REVIEW_WINDOW_MS,
  reviewRefusal,
  sideOf,
  summarise,
  visibleTo,
  windowOf,
  withScores,
} from "../../lib/reviews/rules.ts";
import {
  KITCHEN_SCORES,
  type KitchenRatingCounters,
  kitchenReviewForm,
  type ReviewSide,
  type ReviewStatus,
} from "../../lib/reviews/schema.ts";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const END = Date.parse("2026-12-03T18:00:00Z");
const BOOKING = {
  status: "completed" as Booking["status"],
  end: END,
  renterId: "renter",
  hostId: "host",
};
const CLOSES = windowOf(BOOKING).closesAt;

type Event =
  | { kind: "write"; side: ReviewSide; at: number }
  | { kind: "close"; at: number };

interface Pair {
  status: Partial<Record<ReviewSide, ReviewStatus>>;
  refused: string[];
}

/** Plays events through the rules, as submitReview and the window-end job apply them. */
function play(events: Event[]): Pair {
  const pair: Pair = { status: {}, refused: [] };
  for (const e of events) {
    if (e.kind === "close") {
      const pending = onWindowClose(
        (["renter", "host"] as const)
          .filter((s) => pair.status[s])
          .map((s) => ({ side: s, status: pair.status[s]! })),
        CLOSES,
        e.at,
      );
      for (const r of pending) pair.status[r.side] = "published";
      continue;
    }
    const own = pair.status[e.side];
    const refusal = reviewRefusal(
      BOOKING,
      own ? { status: own } : null,
      e.at,
    );
    if (refusal) {
      pair.refused.push(`${e.side}: ${refusal}`);
      continue;
    }
    const otherSide = e.side === "renter" ? "host" : "renter";
    const other = pair.status[otherSide];
    if (onSubmit(other ? { status: other } : null) === "publish_both") {
      pair.status[e.side] = "published";
      pair.status[otherSide] = "published";
    } else pair.status[e.side] = "pending";
  }
  return pair;
}

const before = (h: number) => END + h * HOUR;
const after = (h: number) => CLOSES + h * HOUR;
const w = (side: ReviewSide, at: number): Event => ({
  kind: "write",
  side,
  at,
});
const close = (at: number): Event => ({ kind: "close", at });

const BLIND: [string, Event[], Pair][] = [
  ["renter alone, window open", [w("renter", before(1))], {
    status: { renter: "pending" },
    refused: [],
  }],
  ["host alone, window open", [w("host", before(1))], {
    status: { host: "pending" },
    refused: [],
  }],
  ["renter then host: both publish at once", [
    w("renter", before(1)),
    w("host", before(30)),
  ], { status: { renter: "published", host: "published" }, refused: [] }],
  ["host then renter: both publish at once", [
    w("host", before(1)),
    w("renter", before(300)),
  ], { status: { renter: "published", host: "published" }, refused: [] }],
  ["renter, then the window's end: the renter's publishes alone", [
    w("renter", before(1)),
    close(after(0)),
  ], { status: { renter: "published" }, refused: [] }],
  ["host, then the window's end: the host's publishes alone", [
    w("host", before(1)),
    close(after(2)),
  ], { status: { host: "published" }, refused: [] }],
  ["renter, the window's end, then the host: too late", [
    w("renter", before(1)),
    close(after(0)),
    w("host", after(1)),
  ], { status: { renter: "published" }, refused: ["host: window_closed"] }],
  [
    "renter, then the host after the end but before the job: refused, the job publishes",
    [
      w("renter", before(1)),
      w("host", after(0)),
      close(after(1)),
    ],
    { status: { renter: "published" }, refused: ["host: window_closed"] },
  ],
  ["a job that ran early publishes nothing", [
    w("renter", before(1)),
    close(before(2)),
  ], { status: { renter: "pending" }, refused: [] }],
  ["both, then the window's end: nothing changes", [
    w("renter", before(1)),
    w("host", before(2)),
    close(after(0)),
  ], { status: { renter: "published", host: "published" }, refused: [] }],
  ["nothing written, then the window's end", [close(after(0))], {
    status: {},
    refused: [],
  }],
  ["the same side twice: refused", [
    w("renter", before(1)),
    w("renter", before(2)),
  ], { status: { renter: "pending" }, refused: ["renter: already_written"] }],
  ["after publishing, no second review", [
    w("renter", before(1)),
    w("host", before(2)),
    w("host", before(3)),
  ], {
    status: { renter: "published", host: "published" },
    refused: ["host: already_written"],
  }],
  ["before the booking ends: refused", [w("renter", END - HOUR)], {
    status: {},
    refused: ["renter: not_ended"],
  }],
  ["the last moment of the window counts, its end does not", [
    w("renter", CLOSES - 1),
    w("host", CLOSES),
  ], { status: { renter: "pending" }, refused: ["host: window_closed"] }],
];

for (const [name, events, want] of BLIND) {
  Deno.test(`reviews: blind publishing: ${name}`, () => {
    assert.deepEqual(play(events), want);
  });
}

Deno.test("reviews: who may read a review: its author always, others once published, nobody once removed", () => {
  const cases: [ReviewStatus, string | null, boolean][] = [
    ["pending", "author", true],
    ["pending", "other", false],
    ["pending", null, false],
    ["published", "other", true],
    ["published", null, true],
    ["removed", "author", false],
    ["removed", "other", false],
  ];
  for (const [status, viewer, want] of cases) {
    assert.equal(
      visibleTo({ status, authorId: "author" }, viewer),
      want,
      `${status} to ${viewer}`,
    );
  }
});

Deno.test("reviews: a booking took place when its end passed and it was not cancelled", () => {
  const cases: [Booking["status"], number, boolean][] = [
    ["completed", END, true],
    ["confirmed", END, true],
    ["confirmed", END - 1, false],
    ["cancelled", END + DAY, false],
    ["expired", END + DAY, false],
    ["declined", END + DAY, false],
    ["requested", END + DAY, false],
    ["held", END + DAY, false],
  ];
  for (const [status, now, want] of cases) {
    assert.equal(isCompleted({ status, end: END }, now), want, status);
  }
  assert.equal(
    reviewRefusal({ status: "cancelled", end: END }, null, END + 1),
    "not_completed",
  );
  assert.equal(sideOf(BOOKING, "renter"), "renter");
  assert.equal(sideOf(BOOKING, "host"), "host");
  assert.equal(sideOf(BOOKING, "someone"), null);
  assert.equal(CLOSES - END, REVIEW_WINDOW_MS);
  assert.equal(REVIEW_WINDOW_MS, 14 * DAY);
  // Ending at 6 PM UTC (noon in Chicago): the last day to write is the 17th there.
  assert.equal(lastReviewDate(CLOSES, "America/Chicago"), "2026-12-17");
});

Deno.test("reviews: averages to one decimal, from integers", () => {
  const cases: [number, number, number | null, string | null][] = [
    [0, 0, null, null],
    [5, 1, 5, "5.0"],
    [14, 3, 4.7, "4.7"],
    [13, 3, 4.3, "4.3"],
    [9, 2, 4.5, "4.5"],
    // 4.45 rounds up, not down by floating point.
    [89, 20, 4.5, "4.5"],
    [3, 2, 1.5, "1.5"],
    [1, 1, 1, "1.0"],
    [4999, 1000, 5, "5.0"],
    [4949, 1000, 4.9, "4.9"],
  ];
  for (const [sum, count, want, shown] of cases) {
    const got = average(sum, count);
    assert.equal(got, want, `${sum}/${count}`);
    assert.equal(got === null ? null : formatAverage(got), shown);
  }
});

Deno.test("reviews: counters add and take away a review's scores", () => {
  const one = { overall: 5, cleanliness: 4, equipment: 5, communication: 3 };
  const two = { overall: 4, cleanliness: 4, equipment: 3, communication: 5 };
  let c: KitchenRatingCounters | null = null;
  c = withScores(c, KITCHEN_SCORES, one, 1);
  c = withScores(c, KITCHEN_SCORES, two, 1);
  assert.deepEqual(summarise(c, KITCHEN_SCORES), {
    average: 4.5,
    count: 2,
    scores: [
      { score: "cleanliness", average: 4 },
      { score: "equipment", average: 4 },
      { score: "communication", average: 4 },
    ],
  });
  c = withScores(c, KITCHEN_SCORES, one, -1);
  assert.equal(c.count, 1);
  assert.deepEqual(c.sums, two);
  c = withScores(c, KITCHEN_SCORES, two, -1);
  assert.equal(c.count, 0);
  assert.equal(summarise(c, KITCHEN_SCORES).average, null);
  // The city a kitchen is indexed under survives the arithmetic.
  const withCity = withScores(
    { ...c, city: "chicago" },
    KITCHEN_SCORES,
    one,
    1,
  );
  assert.equal(withCity.city, "chicago");
});

function counters(overalls: number[]): KitchenRatingCounters {
  const sum = overalls.reduce((a, b) => a + b, 0);
  return {
    v: 1,
    count: overalls.length,
    sums: {
      overall: sum,
      cleanliness: sum,
      equipment: sum,
      communication: sum,
    },
  };
}

Deno.test("reviews: the rating sort: rated kitchens (3+ reviews) by average then count, then fewer reviews, then none", () => {
  const kitchens: [string, KitchenRatingCounters | null][] = [
    ["none", null],
    ["two at 5.0", counters([5, 5])],
    ["three at 4.7", counters([5, 5, 4])],
    ["ten at 4.7", counters([5, 5, 5, 5, 5, 5, 5, 4, 4, 4])],
    ["five at 4.8", counters([5, 5, 5, 5, 4])],
    ["one at 3.0", counters([3])],
    ["four at 2.5", counters([2, 3, 2, 3])],
    ["zero counted", { v: 1, count: 0, sums: counters([]).sums }],
  ];
  const sorted = [...kitchens].sort((a, b) => compareByRating(a[1], b[1]))
    .map(([name]) => name);
  assert.deepEqual(sorted.slice(0, 6), [
    "five at 4.8",
    "ten at 4.7",
    "three at 4.7",
    "four at 2.5",
    "two at 5.0",
    "one at 3.0",
  ]);
  assert.deepEqual(new Set(sorted.slice(6)), new Set(["none", "zero counted"]));
  assert.deepEqual(ratingRank(counters([5, 5, 4])), {
    tier: 0,
    tenths: 47,
    count: 3,
  });
  assert.equal(ratingRank(counters([5, 5]))?.tier, 1);
  assert.equal(ratingRank(null), null);
});

Deno.test("reviews: the rating index's keys sort in KV as the rating sort does", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const rated: [string, KitchenRatingCounters][] = [
      ["a", counters([5, 5])],
      ["b", counters([5, 5, 4])],
      ["c", counters([5, 5, 5, 5, 5, 5, 5, 4, 4, 4])],
      ["d", counters([5, 5, 5, 5, 4])],
      ["e", counters([3])],
      ["f", counters([2, 3, 2, 3])],
      ["g", counters([1, 1, 1])],
    ];
    for (const [id, c] of rated) {
      const r = ratingRank(c)!;
      await kv.set(["x", r.tier, -r.tenths, -r.count, id], id);
    }
    const listed: string[] = [];
    for await (const e of kv.list<string>({ prefix: ["x"] })) {
      listed.push(e.value);
    }
    const expected = [...rated].sort((a, b) => compareByRating(a[1], b[1]))
      .map(([id]) => id);
    assert.deepEqual(listed, expected);
    assert.deepEqual(listed, ["d", "c", "b", "f", "g", "a", "e"]);
  } finally {
    kv.close();
  }
});

Deno.test("reviews: the form's ratings are whole stars from 1 to 5, its text 20 to 2,000 characters", () => {
  const base = {
    overall: "5",
    cleanliness: "4",
    equipment: "3",
    communication: "2",
    text: "A".repeat(20),
  };
  const ratings: [string, boolean][] = [
    ["1", true],
    ["5", true],
    [" 3 ", true],
    ["0", false],
    ["6", false],
    ["2.5", false],
    ["-1", false],
    ["", false],
    ["five", false],
    ["1e0", false],
    ["05", false],
  ];
  for (const [value, ok] of ratings) {
    const parsed = kitchenReviewForm.safeParse({ ...base, overall: value });
    assert.equal(parsed.success, ok, `overall ${JSON.stringify(value)}`);
    if (!ok) {
      assert.equal(parsed.error!.issues[0].message, "Choose from 1 to 5 stars");
    }
  }
  const texts: [string, boolean][] = [
    ["a".repeat(19), false],
    ["a".repeat(20), true],
    ["a".repeat(2000), true],
    ["a".repeat(2001), false],
    // Counted in characters, after trimming.
    [`  ${"é".repeat(20)}  `, true],
    ["😀".repeat(2000), true],
    [" ".repeat(40), false],
    [`${"a".repeat(25)}\u202e`, false],
  ];
  for (const [text, ok] of texts) {
    assert.equal(
      kitchenReviewForm.safeParse({ ...base, text }).success,
      ok,
      `text of ${[...text].length}`,
    );
  }
  const parsed = kitchenReviewForm.parse(base);
  assert.deepEqual(parsed, {
    overall: 5,
    cleanliness: 4,
    equipment: 3,
    communication: 2,
    text: "A".repeat(20),
  });
});
