import assert from "node:assert/strict";
import Stripe from "stripe";
import type { CalendarClaim } from "../../lib/bookings/day_claims.ts";
import {
  type Taken,
  takenError,
  whoHasTaken,
} from "../../lib/bookings/holds.ts";
import {
  type RenterHolds,
  reviewQuery,
  unreadablePick,
} from "../../lib/bookings/schema.ts";
import { hoursBetween } from "../../lib/kitchens/schema.ts";
import { ConflictError, ValidationError } from "../../lib/errors.ts";
import { pickerDay } from "../../lib/kitchens/slot_view.ts";
import { isStripeOutage } from "../../lib/payments/stripe.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");
const H = 3600_000;
const T0 = Date.parse("2026-12-03T16:00:00Z");
const MINE = "01MINE0000000000000000000A";
const THEIRS = "01THEIRS000000000000000000";

const claim = (
  ref: string,
  from: number,
  to: number,
  expiresAt: number | null = NOW + 30 * 60_000,
): CalendarClaim => ({
  ref,
  start: T0 + from * H,
  end: T0 + to * H,
  bufferMs: 0,
  expiresAt,
});

Deno.test("whoHasTaken: only the renter's own live hold of the same time is theirs", async (t) => {
  const held: RenterHolds = [{ bookingId: MINE, expiresAt: NOW + 30 * 60_000 }];
  const lapsed: RenterHolds = [{ bookingId: MINE, expiresAt: NOW - 1 }];
  const want = { start: T0, end: T0 + 3 * H };
  const cases: {
    name: string;
    conflicts: CalendarClaim[];
    mine: RenterHolds;
    expect: Taken;
  }[] = [
    {
      name: "the same hours, held by the renter: theirs, with the booking",
      conflicts: [claim(MINE, 0, 3)],
      mine: held,
      expect: { by: "you", bookingId: MINE },
    },
    {
      name: "the same hours held by the renter, seen on two day documents",
      conflicts: [claim(MINE, 0, 3), claim(MINE, 0, 3)],
      mine: held,
      expect: { by: "you", bookingId: MINE },
    },
    {
      name: "the renter's hold of the same hours, and someone else's nearby",
      conflicts: [claim(MINE, 0, 3), claim(THEIRS, 3, 5)],
      mine: held,
      expect: { by: "you", bookingId: MINE },
    },
    {
      name: "overlapping hours held by the renter: theirs, no booking named",
      conflicts: [claim(MINE, 1, 4)],
      mine: held,
      expect: { by: "you_partly" },
    },
    {
      name: "the renter's overlapping hold and someone else's: someone else",
      conflicts: [claim(MINE, 1, 4), claim(THEIRS, -1, 1)],
      mine: held,
      expect: { by: "other" },
    },
    {
      name: "someone else's hold of the same hours",
      conflicts: [claim(THEIRS, 0, 3)],
      mine: held,
      expect: { by: "other" },
    },
    {
      name: "the same hours, but the renter's hold has lapsed in their list",
      conflicts: [claim(MINE, 0, 3)],
      mine: lapsed,
      expect: { by: "other" },
    },
    {
      name: "a confirmed booking (firm claim) is not a live hold",
      conflicts: [claim(MINE, 0, 3, null)],
      mine: [],
      expect: { by: "other" },
    },
    {
      name: "a visitor (no holds)",
      conflicts: [claim(MINE, 0, 3)],
      mine: [],
      expect: { by: "other" },
    },
    {
      name: "nothing found (a race lost between reads)",
      conflicts: [],
      mine: held,
      expect: { by: "other" },
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      assert.deepEqual(whoHasTaken(c.conflicts, c.mine, want, NOW), c.expect);
    });
  }
});

Deno.test("takenError: what the renter is told, and where it links", async (t) => {
  const cases: [Taken, RegExp, string | undefined][] = [
    [
      { by: "you", bookingId: MINE },
      /^You already hold this time\.$/,
      `/bookings/${MINE}`,
    ],
    [
      { by: "you_partly" },
      /^Part of that time is in one of your bookings waiting for payment\./,
      "/bookings",
    ],
    [
      { by: "other" },
      /^Someone else has just booked part of that time\. Please pick another time\.$/,
      undefined,
    ],
  ];
  for (const [taken, message, href] of cases) {
    await t.step(taken.by, () => {
      const err = takenError(taken);
      assert.ok(err instanceof ConflictError);
      assert.equal(err.status, 409);
      assert.match(err.message, message);
      assert.equal(err.link?.href, href);
    });
  }
});

Deno.test("reviewQuery: a number of hours is kept for the kitchen's range check, never wrapped away", async (t) => {
  const base = {
    kitchen: "01JD0000000000000000000000",
    date: "2026-12-03",
    start: "10:00",
  };
  const cases: {
    name: string;
    end: string;
    hours: string;
    expect: { end: string; hours?: number } | "invalid";
  }[] = [
    { name: "an end time", end: "13:00", hours: "", expect: { end: "13:00" } },
    {
      name: "an end time wins over hours",
      end: "13:00",
      hours: "5",
      expect: { end: "13:00" },
    },
    {
      name: "hours",
      end: "",
      hours: "3",
      expect: { end: "13:00", hours: 3 },
    },
    {
      name: "25 hours stays 25 (the range check refuses it)",
      end: "",
      hours: "25",
      expect: { end: "11:00", hours: 25 },
    },
    {
      name: "0 hours stays 0",
      end: "",
      hours: "0",
      expect: { end: "10:00", hours: 0 },
    },
    { name: "not a number", end: "", hours: "three", expect: "invalid" },
    { name: "a quarter hour", end: "", hours: "2.25", expect: "invalid" },
    { name: "neither", end: "", hours: "", expect: "invalid" },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const parsed = reviewQuery.safeParse({
        ...base,
        end: c.end,
        hours: c.hours,
      });
      if (c.expect === "invalid") {
        assert.equal(parsed.success, false);
        return;
      }
      assert.ok(parsed.success);
      assert.deepEqual(parsed.data, { ...base, ...c.expect });
    });
  }
});

Deno.test("unreadablePick: what a garbled booking form still says, and which fields to fix", async (t) => {
  const K = "01JD0000000000000000000000";
  const read = (values: Record<string, string>) => {
    const parsed = reviewQuery.safeParse({
      kitchen: "",
      date: "",
      start: "",
      end: "",
      hours: "",
      ...values,
    });
    assert.equal(parsed.success, false);
    const errors: Record<string, string> = {};
    for (const i of parsed.error!.issues) {
      errors[i.path.join(".")] ??= i.message;
    }
    return unreadablePick(values, errors);
  };
  const cases: {
    name: string;
    values: Record<string, string>;
    expect: ReturnType<typeof unreadablePick>;
  }[] = [
    {
      name: "hours that are no number keep the start",
      values: { kitchen: K, date: "2026-12-03", start: "10:00", hours: "abc" },
      expect: {
        pick: { kitchen: K, date: "2026-12-03", start: "10:00" },
        message: "Pick a number of hours.",
      },
    },
    {
      name: "no hours and no end ask for the hours",
      values: { kitchen: K, date: "2026-12-03", start: "10:00" },
      expect: {
        pick: { kitchen: K, date: "2026-12-03", start: "10:00" },
        message: "Pick how many hours to book.",
      },
    },
    {
      name: "a garbled date and start keep the hours out of it",
      values: { kitchen: K, date: "2026-13-45", start: "1x", hours: "3" },
      expect: {
        pick: { kitchen: K },
        message: "Use a date like 2026-12-31. Pick a start time.",
      },
    },
    {
      name: "a garbled date keeps the start and hours",
      values: { kitchen: K, date: "tomorrow", start: "09:30", end: "12:30" },
      expect: {
        pick: { kitchen: K, start: "09:30", hours: 3 },
        message: "Use a date like 2026-12-31.",
      },
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => assert.deepEqual(read(c.values), c.expect));
  }
  await t.step("no kitchen: nothing to show again", () => {
    assert.throws(() => read({ hours: "3" }), ValidationError);
  });
  await t.step("a kitchen id that is none: nothing to show either", () => {
    assert.throws(
      () => read({ kitchen: "../x", hours: "3" }),
      (err) =>
        err instanceof ValidationError &&
        err.message === "Pick a kitchen, a date and your hours." &&
        err.issues.kitchen === "Pick a kitchen",
    );
  });
});

Deno.test("hoursBetween: wall-clock hours, overnight when the end is not after the start", () => {
  const cases: [string, string, number][] = [
    ["10:00", "13:00", 3],
    ["10:00", "10:30", 0.5],
    ["22:00", "02:00", 4],
    ["10:00", "10:00", 24],
    ["00:00", "24:00", 24],
  ];
  for (const [start, end, hours] of cases) {
    assert.equal(hoursBetween(start, end), hours, `${start}–${end}`);
  }
});

Deno.test("pickerDay: the no-JS form selects the picked start and offers the lengths that fit from it", async (t) => {
  const k = { timeZone: "America/Chicago", minHours: 2 };
  // 08:00 and 14:00 Chicago on 2026-12-03; from 08:00 up to 3.5 h, from 14:00 up to 6 h.
  const at8 = Date.parse("2026-12-03T14:00:00Z");
  const at14 = Date.parse("2026-12-03T20:00:00Z");
  const slots = [
    { start: at8, maxEnd: at8 + 3.5 * H },
    { start: at14, maxEnd: at14 + 6 * H },
  ];
  const cases: {
    name: string;
    picked?: { start?: string; hours?: number };
    expect: { start: string | null; lengths: number[]; hours: number | null };
  }[] = [
    {
      name: "nothing picked: the first start, nothing selected",
      expect: { start: "08:00", lengths: [2, 2.5, 3, 3.5], hours: null },
    },
    {
      name: "a later start: its own lengths",
      picked: { start: "14:00", hours: 4 },
      expect: {
        start: "14:00",
        lengths: [2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6],
        hours: 4,
      },
    },
    {
      name: "more hours than fit: the longest that does",
      picked: { start: "08:00", hours: 25 },
      expect: { start: "08:00", lengths: [2, 2.5, 3, 3.5], hours: 3.5 },
    },
    {
      name: "fewer hours than the minimum: nothing selected",
      picked: { start: "08:00", hours: 1 },
      expect: { start: "08:00", lengths: [2, 2.5, 3, 3.5], hours: null },
    },
    {
      name: "a start that is not bookable: the first that is",
      picked: { start: "16:30", hours: 2 },
      expect: { start: "08:00", lengths: [2, 2.5, 3, 3.5], hours: 2 },
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const day = pickerDay(k, "2026-12-03", slots, c.picked);
      assert.deepEqual(
        { start: day.start, lengths: day.lengths, hours: day.hours },
        c.expect,
      );
      assert.equal(day.initial.slots.length, 2);
    });
  }
  await t.step("a day with no starts", () => {
    const day = pickerDay(k, "2026-12-25", [], { start: "10:00", hours: 3 });
    assert.deepEqual(
      { start: day.start, lengths: day.lengths, hours: day.hours },
      { start: null, lengths: [], hours: null },
    );
  });
});

Deno.test("isStripeOutage: Stripe down or unreachable, not a request it refused", async (t) => {
  const cases: [string, unknown, boolean][] = [
    [
      "network error",
      new Stripe.errors.StripeConnectionError({
        type: "api_error",
        message: "connect ECONNREFUSED",
      }),
      true,
    ],
    [
      "api_error (5xx)",
      Stripe.errors.StripeError.generate({
        type: "api_error",
        message: "An unknown error occurred",
        statusCode: 500,
      } as Stripe.StripeRawError),
      true,
    ],
    [
      "api_error without a status",
      new Stripe.errors.StripeAPIError({
        type: "api_error",
        message: "Invalid JSON received",
      }),
      true,
    ],
    [
      "another error type with a 502",
      Stripe.errors.StripeError.generate({
        type: "invalid_request_error",
        message: "Bad gateway",
        statusCode: 502,
      } as Stripe.StripeRawError),
      true,
    ],
    [
      "invalid request (our bug)",
      Stripe.errors.StripeError.generate({
        type: "invalid_request_error",
        message: "Missing required param",
        statusCode: 400,
      } as Stripe.StripeRawError),
      false,
    ],
    [
      "card declined",
      Stripe.errors.StripeError.generate({
        type: "card_error",
        message: "Your card was declined",
        statusCode: 402,
      } as Stripe.StripeRawError),
      false,
    ],
    [
      "rate limited",
      Stripe.errors.StripeError.generate({
        type: "rate_limit_error",
        message: "Too many requests",
        statusCode: 429,
      } as Stripe.StripeRawError),
      false,
    ],
    ["not a Stripe error", new Error("Stripe is not configured"), false],
    ["not an error", "boom", false],
  ];
  for (const [name, err, expected] of cases) {
    await t.step(name, () => assert.equal(isStripeOutage(err), expected));
  }
});
