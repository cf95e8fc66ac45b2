import assert from "node:assert/strict";
import { bookingTally, localHourSpans } from "../../lib/bookings/metrics.ts";
import type { Booking, LedgerEntry } from "../../lib/bookings/schema.ts";
import { documentTally } from "../../lib/compliance/metrics.ts";
import type { HistoryEntry } from "../../lib/compliance/schema.ts";
import {
  ALL,
  cellKey,
  countKey,
  decisionWaitBucket,
  diffTally,
  kitchenKey,
  lastMonths,
  lastWeeks,
  openMinutesByCell,
  openMinutesByHour,
  openMinutesInWeek,
  sumTallies,
  utcWeekOf,
  weekdayOf,
  weekOf,
} from "../../lib/metrics/schema.ts";

Deno.test("figures: weeks run Monday to Sunday on the local calendar; months and windows end with the current one", () => {
  const cases: [string, number, string][] = [
    ["2026-03-02", 1, "w:2026-03-02"],
    ["2026-03-08", 7, "w:2026-03-02"],
    ["2026-03-09", 1, "w:2026-03-09"],
    ["2026-01-01", 4, "w:2025-12-29"],
    ["2024-02-29", 4, "w:2024-02-26"],
    ["1999-12-31", 5, "w:1999-12-27"],
  ];
  for (const [date, weekday, week] of cases) {
    assert.equal(weekdayOf(date), weekday, date);
    assert.equal(weekOf(date), week, date);
  }
  assert.equal(utcWeekOf(Date.parse("2026-03-08T23:59:59Z")), "w:2026-03-02");
  assert.deepEqual(lastWeeks("2026-03-04", 3), [
    "w:2026-02-16",
    "w:2026-02-23",
    "w:2026-03-02",
  ]);
  assert.deepEqual(lastMonths("2026-02-10", 3), [
    "m:2025-12",
    "m:2026-01",
    "m:2026-02",
  ]);
});

Deno.test("figures: decision waits fall in bounded buckets", () => {
  const H = 3600_000;
  const cases: [number, number][] = [
    [0, 0],
    [59 * 60_000, 0],
    [H, 1],
    [3.9 * H, 1],
    [4 * H, 2],
    [23 * H, 3],
    [24 * H, 4],
    [71 * H, 5],
    [167 * H, 6],
    [200 * H, 7],
    [336 * H, 8],
    [10_000 * H, 8],
    [-5, 0],
  ];
  for (const [ms, bucket] of cases) {
    assert.equal(decisionWaitBucket(ms), bucket, `${ms / H} h`);
  }
});

const hours = (
  ranges: [number, string, string][],
  blackoutDates: string[] = [],
  since = "2000-01-01",
) => ({
  weeklyHours: ranges.map(([day, start, end]) => ({ day, start, end })),
  blackoutDates,
  since,
});

Deno.test("figures: open minutes per hour come from weekly hours on the wall clock, overnight ranges, overlaps and closed dates", () => {
  // 2026-03-02 is a Monday, 2026-03-03 a Tuesday.
  const k = hours([
    [1, "09:30", "12:00"],
    [1, "11:00", "13:00"], // overlaps the first
    [1, "22:00", "02:00"], // overnight into Tuesday
    [2, "08:00", "09:00"],
  ]);
  const mon = openMinutesByHour(k, "2026-03-02");
  assert.equal(mon[9], 30);
  assert.equal(mon[10], 60);
  assert.equal(mon[12], 60);
  assert.equal(mon[13], 0);
  assert.equal(mon[22], 60);
  assert.equal(mon[23], 60);
  assert.equal(mon.reduce((a, b) => a + b), 30 + 60 + 60 + 60 + 120);
  const tue = openMinutesByHour(k, "2026-03-03");
  assert.equal(tue[0], 60);
  assert.equal(tue[1], 60);
  assert.equal(tue[8], 60);
  assert.equal(tue.reduce((a, b) => a + b), 180);
  // A closed date has no hours, its overnight part included.
  const closed = hours([[1, "22:00", "02:00"]], ["2026-03-03"]);
  assert.equal(openMinutesByHour(closed, "2026-03-03")[0], 0);
  // Before the listing was first published, nothing was open.
  const later = hours([[1, "09:00", "17:00"]], [], "2026-03-09");
  assert.equal(openMinutesInWeek(later, "w:2026-03-02"), 0);
  assert.equal(openMinutesInWeek(later, "w:2026-03-09"), 480);
  // All day, every day: 168 hours a week, 60 minutes a cell.
  const always = hours(
    [1, 2, 3, 4, 5, 6, 7].map((d) => [d, "00:00", "24:00"]),
  );
  assert.equal(openMinutesInWeek(always, "w:2026-03-02"), 168 * 60);
  const cells = openMinutesByCell(always, ["w:2026-03-02", "w:2026-03-09"]);
  assert.ok(cells.every((m) => m === 120));
});

const ledger = (
  ...entries: [LedgerEntry["kind"], number][]
): LedgerEntry[] =>
  entries.map(([kind, amountCents]) => ({
    kind,
    amountCents,
    at: 0,
    ref: null,
  }));

function booking(over: Partial<Booking>): Booking {
  return {
    kitchenId: "K1",
    city: "chicago",
    status: "confirmed",
    // Thu 2026-03-05 10:00–13:00 in Chicago (UTC-6).
    start: Date.parse("2026-03-05T16:00:00Z"),
    end: Date.parse("2026-03-05T19:00:00Z"),
    timeZone: "America/Chicago",
    localDate: "2026-03-05",
    ledger: ledger(
      ["charge", 14_500],
      ["transfer", 12_325],
      ["commission", 2_175],
    ),
    ...over,
  } as Booking;
}

Deno.test("figures: a confirmed booking counts for everything, its city and its kitchen, in the week of its stay", () => {
  const t = bookingTally(booking({}));
  const w = "w:2026-03-02";
  for (
    const scope of [ALL, { kind: "city" as const, id: "chicago" }, {
      kind: "kitchen" as const,
      id: "K1",
    }]
  ) {
    assert.equal(t.get(countKey(scope, w, "bookings")), 1);
    assert.equal(t.get(countKey(scope, w, "gross_cents")), 14_500);
    assert.equal(t.get(countKey(scope, w, "commission_cents")), 2_175);
    assert.equal(t.get(countKey(scope, w, "booked_minutes")), 180);
    assert.equal(t.get(countKey(scope, w, "cancellations")), undefined);
  }
  // Thursday is weekday 4: cells 3 × 24 + 10, 11, 12.
  for (const h of [10, 11, 12]) {
    assert.equal(t.get(cellKey("K1", w, 72 + h)), 60);
  }
  assert.equal(
    t.get(
      countKey({ kind: "kitchen", id: "K1" }, "m:2026-03", "host_net_cents"),
    ),
    12_325,
  );
  assert.equal(t.get(kitchenKey("chicago", "K1")), 1);
});

Deno.test("figures: holds, requests, scheduled, expired and declined bookings count nothing; a cancellation takes its hours back and keeps its money and refund", () => {
  for (
    const status of [
      "held",
      "requested",
      "scheduled",
      "expired",
      "declined",
      "withdrawn",
    ] as const
  ) {
    assert.equal(bookingTally(booking({ status })).size, 0, status);
  }
  // A standing booking's date cancelled before it was charged: nothing.
  assert.equal(
    bookingTally(booking({ status: "cancelled", ledger: [] })).size,
    0,
  );
  // A late payment refunded in full never reached the host: nothing.
  assert.equal(
    bookingTally(booking({
      status: "expired",
      ledger: ledger(["charge", 100], ["renter_fee", 100], ["refund", 100]),
    })).size,
    0,
  );
  const confirmed = booking({});
  const cancelled = booking({
    status: "cancelled",
    ledger: [
      ...confirmed.ledger,
      ...ledger(
        ["refund", 7_250],
        ["transfer_reversal", 6_163],
        ["fee_refund", 1_087],
      ),
    ],
  });
  const change = diffTally(bookingTally(cancelled), bookingTally(confirmed));
  const w = "w:2026-03-02";
  assert.equal(change.get(countKey(ALL, w, "cancellations")), 1);
  assert.equal(change.get(countKey(ALL, w, "refunds_cents")), 7_250);
  assert.equal(
    change.get(countKey(ALL, w, "commission_refunded_cents")),
    1_087,
  );
  assert.equal(change.get(countKey(ALL, w, "booked_minutes")), -180);
  assert.equal(change.get(cellKey("K1", w, 82)), -60);
  assert.equal(change.get(countKey(ALL, w, "bookings")), undefined);
  assert.equal(
    change.get(
      countKey({ kind: "kitchen", id: "K1" }, "m:2026-03", "host_net_cents"),
    ),
    -6_163,
  );
  // Completing changes no figure.
  assert.equal(
    diffTally(
      bookingTally(booking({ status: "completed" })),
      bookingTally(confirmed),
    ).size,
    0,
  );
  // City fees count too.
  const fees = bookingTally(booking({
    ledger: ledger(["charge", 100], ["city_fee", 7], ["city_fee_refund", 2]),
  }));
  assert.equal(fees.get(countKey(ALL, w, "city_fees_cents")), 7);
  assert.equal(fees.get(countKey(ALL, w, "city_fees_refunded_cents")), 2);
});

Deno.test("figures: an overnight booking's minutes fall in the hours, weekdays and weeks they happen in, across a clock change", () => {
  // Sun 2026-03-08 22:00 → Mon 02:00 in Chicago: summer time began at 2 AM
  // that Sunday, before the start, so these are four real hours, two in
  // each week.
  const start = Temporal.ZonedDateTime.from(
    "2026-03-08T22:00[America/Chicago]",
  ).epochMilliseconds;
  const end = Temporal.ZonedDateTime.from("2026-03-09T02:00[America/Chicago]")
    .epochMilliseconds;
  const spans = localHourSpans(start, end, "America/Chicago");
  assert.deepEqual(
    spans.map((s) => [s.date, s.weekday, s.hour, s.minutes]),
    [
      ["2026-03-08", 7, 22, 60],
      ["2026-03-08", 7, 23, 60],
      ["2026-03-09", 1, 0, 60],
      ["2026-03-09", 1, 1, 60],
    ],
  );
  const t = bookingTally(booking({ start, end, localDate: "2026-03-08" }));
  assert.equal(t.get(countKey(ALL, "w:2026-03-02", "booked_minutes")), 120);
  assert.equal(t.get(countKey(ALL, "w:2026-03-09", "booked_minutes")), 120);
  assert.equal(t.get(cellKey("K1", "w:2026-03-02", 6 * 24 + 23)), 60);
  assert.equal(t.get(cellKey("K1", "w:2026-03-09", 1)), 60);
  // The booking itself counts in the week of its start.
  assert.equal(t.get(countKey(ALL, "w:2026-03-02", "bookings")), 1);
  // Spring forward inside a booking: 01:00–04:00 local is two real hours.
  const s2 = Temporal.ZonedDateTime.from("2026-03-08T01:00[America/Chicago]")
    .epochMilliseconds;
  const e2 = Temporal.ZonedDateTime.from("2026-03-08T04:00[America/Chicago]")
    .epochMilliseconds;
  assert.deepEqual(
    localHourSpans(s2, e2, "America/Chicago").map((s) => [s.hour, s.minutes]),
    [[1, 60], [3, 60]],
  );
});

const entry = (
  at: number,
  action: HistoryEntry["action"],
  from: HistoryEntry["from"],
  to: HistoryEntry["to"],
): HistoryEntry => ({
  at,
  by: "x",
  action,
  from,
  to,
  reason: null,
  expiryCorrected: null,
});

Deno.test("figures: a document counts its upload, waiting, and each staff decision with how long it waited", () => {
  const H = 3600_000;
  const t0 = Date.parse("2026-03-02T09:00:00Z");
  const pending = {
    status: "pending" as const,
    createdAt: t0,
    history: [entry(t0, "upload", null, "pending")],
  };
  const a = documentTally(pending);
  assert.equal(a.get(countKey(ALL, "now", "documents_waiting")), 1);
  assert.equal(a.get(countKey(ALL, "w:2026-03-02", "documents_uploaded")), 1);
  // Sent back for renewal after 5 h (still waiting), verified 30 h later.
  const decided = {
    status: "verified" as const,
    createdAt: t0,
    history: [
      ...pending.history,
      entry(t0 + 5 * H, "request_renewal", "pending", "renewal_requested"),
      entry(t0 + 35 * H, "verify", "renewal_requested", "verified"),
      // Not a decision on a waiting document: a later renewal request of a verified one.
      entry(t0 + 200 * H, "request_renewal", "verified", "renewal_requested"),
    ],
  };
  const b = documentTally({ ...decided, status: "renewal_requested" });
  assert.equal(b.get(countKey(ALL, "now", "documents_waiting")), 1);
  assert.equal(b.get(countKey(ALL, "w:2026-03-02", "documents_decided")), 2);
  assert.equal(b.get(countKey(ALL, "w:2026-03-02", "decision_wait_2")), 1);
  assert.equal(b.get(countKey(ALL, "w:2026-03-02", "decision_wait_4")), 1);
  assert.equal(
    b.get(countKey(ALL, "w:2026-03-09", "documents_decided")),
    undefined,
  );
  // The change of a decision: one fewer waiting, one decided.
  const change = diffTally(
    documentTally({
      status: "verified",
      createdAt: t0,
      history: [
        ...pending.history,
        entry(t0 + 2 * H, "verify", "pending", "verified"),
      ],
    }),
    a,
  );
  assert.deepEqual(
    [...change].sort(),
    [
      [countKey(ALL, "now", "documents_waiting"), -1],
      [countKey(ALL, "w:2026-03-02", "decision_wait_1"), 1],
      [countKey(ALL, "w:2026-03-02", "documents_decided"), 1],
    ].sort(),
  );
  assert.equal(
    sumTallies([a, change]).get(countKey(ALL, "now", "documents_waiting")),
    undefined,
  );
});
