/** Changing a booking's time, the pure rules (lib/bookings/move_rules.ts), as tables. */
import assert from "node:assert/strict";
import { ledgerProblem } from "../../lib/bookings/lifecycle.ts";
import {
  applicationFeeOf,
  differenceLedger,
  moveDeadline,
  moveDifference,
  moveWindow,
  refundParts,
} from "../../lib/bookings/move_rules.ts";
import { quote } from "../../lib/bookings/pricing.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import type { CancellationPolicy } from "../../lib/kitchens/policy.ts";

const HOUR = 3_600_000;
const START = Date.parse("2026-12-10T16:00:00Z");

const q = (minutes: number, over: Partial<Parameters<typeof quote>[0]> = {}) =>
  quote({
    hourlyPriceCents: 4000,
    cleaningFeeCents: 2500,
    durationMinutes: minutes,
    renterFeeBps: 500,
    ...over,
  });

function booking(over: Partial<Booking> = {}): Booking {
  return {
    v: 1,
    id: "01JM0000000000000000000000",
    kitchenId: "k",
    renterId: "r",
    hostId: "h",
    start: START,
    end: START + 3 * HOUR,
    timeZone: "America/Chicago",
    localDate: "2026-12-10",
    localStart: "10:00",
    localEnd: "13:00",
    status: "confirmed",
    mode: "instant",
    quote: q(180),
    bufferMs: 0,
    claimDays: ["2026-12-10"],
    holdExpiresAt: null,
    respondBy: null,
    payment: {
      provider: "stripe",
      checkoutSessionId: "cs_1",
      paymentIntentId: "pi_first",
      chargeId: "ch_first",
    },
    ledger: [],
    accessCode: "123456",
    cancellation: null,
    disputed: false,
    note: null,
    rulesAcceptedAt: 0,
    createdAt: 0,
    updatedAt: 0,
    ...over,
  };
}

Deno.test("move rules: who may move a booking, and how, by policy and notice", () => {
  const cases: [
    string,
    Partial<Booking>,
    CancellationPolicy,
    number,
    string,
  ][] = [
    ["moderate, 5 days ahead", {}, "moderate", START - 120 * HOUR, "free"],
    [
      "moderate, exactly 72 hours ahead",
      {},
      "moderate",
      START - 72 * HOUR,
      "free",
    ],
    ["moderate, 71 hours ahead", {}, "moderate", START - 71 * HOUR, "approval"],
    ["flexible, 25 hours ahead", {}, "flexible", START - 25 * HOUR, "free"],
    ["flexible, 23 hours ahead", {}, "flexible", START - 23 * HOUR, "approval"],
    [
      "strict never refunds in full",
      {},
      "strict",
      START - 400 * HOUR,
      "approval",
    ],
    ["started", {}, "flexible", START + 1, "closed"],
    ["held", { status: "held" }, "flexible", START - 100 * HOUR, "closed"],
    [
      "cancelled",
      { status: "cancelled" },
      "flexible",
      START - 100 * HOUR,
      "closed",
    ],
    ["disputed", { disputed: true }, "flexible", START - 100 * HOUR, "closed"],
    [
      "moved five times",
      {
        moves: Array.from({ length: 5 }, (_, i) => ({
          id: `m${i}`,
          fromStart: 0,
          fromEnd: 1,
          toStart: 0,
          toEnd: 1,
          at: 0,
          differenceCents: 0,
          byApproval: false,
        })),
      },
      "flexible",
      START - 100 * HOUR,
      "closed",
    ],
  ];
  for (const [name, over, policy, now, kind] of cases) {
    assert.equal(moveWindow(booking(over), policy, now).kind, kind, name);
  }
  const free = moveWindow(booking(), "moderate", START - 120 * HOUR);
  assert.deepEqual(free, { kind: "free", until: START - 72 * HOUR });
});

Deno.test("move rules: the difference part by part, and which differences no single payment can settle", () => {
  const three = q(180);
  const cases: [string, ReturnType<typeof quote>, number | null][] = [
    ["an hour more", q(240), 4200],
    ["an hour less", q(120), -4200],
    ["the same length", q(180), 0],
    ["a higher hourly price", q(180, { hourlyPriceCents: 5000 }), 3150],
    // Hours up, cleaning down: the host gains while the service fee...
    // here everything still moves one way.
    [
      "cleaning dropped to nothing, an hour more",
      q(240, { cleaningFeeCents: 0 }),
      1700,
    ],
    // Hours down and cleaning up by more: the host gains, the renter's fee falls.
    [
      "fewer hours, much dearer cleaning",
      q(120, { cleaningFeeCents: 9000 }),
      null,
    ],
  ];
  for (const [name, after, amount] of cases) {
    const diff = moveDifference(three, after);
    if (amount === null) {
      assert.equal(diff, null, name);
      continue;
    }
    assert.equal(diff?.amountCents, amount, name);
    assert.equal(
      diff!.hostCents + diff!.commissionCents + diff!.renterFeeCents +
        diff!.cityFeeCents,
      diff!.amountCents,
      `${name}: the parts add up`,
    );
    if (amount > 0) {
      assert.equal(applicationFeeOf(diff!), amount - diff!.hostCents, name);
    }
  }
});

Deno.test("move rules: the ledger of a difference balances whichever way it goes", () => {
  for (const after of [q(240), q(120), q(180), q(600)]) {
    const before = q(180);
    const diff = moveDifference(before, after)!;
    const b = booking({
      quote: after,
      ledger: [
        {
          kind: "charge",
          amountCents: before.totalChargedCents,
          at: 0,
          ref: "ch",
        },
        {
          kind: "transfer",
          amountCents: before.hostPayoutCents,
          at: 0,
          ref: null,
        },
        {
          kind: "commission",
          amountCents: before.commissionCents,
          at: 0,
          ref: null,
        },
        {
          kind: "renter_fee",
          amountCents: before.platformRevenueCents - before.commissionCents,
          at: 0,
          ref: null,
        },
        ...differenceLedger(diff, "ch_2", 1),
      ],
    });
    assert.equal(ledgerProblem(b), null, `${after.durationMinutes} minutes`);
    const entries = differenceLedger(diff, "ch_2", 1);
    if (diff.amountCents === 0) assert.deepEqual(entries, []);
    if (diff.amountCents > 0) assert.equal(entries[0].ref, "ch_2");
    if (diff.amountCents < 0) {
      assert.equal(entries[0].kind, "refund");
      assert.equal(entries[0].ref, null, "the refund job fills it in");
    }
  }
});

Deno.test("move rules: a refund takes from the newest charge first, then the first payment", () => {
  const b = booking({
    payment: {
      provider: "stripe",
      checkoutSessionId: "cs_1",
      paymentIntentId: "pi_first",
      chargeId: "ch_first",
      extra: [
        {
          paymentIntentId: "pi_a",
          chargeId: "ch_a",
          amountCents: 4000,
          refundedCents: 0,
        },
        {
          paymentIntentId: "pi_b",
          chargeId: "ch_b",
          amountCents: 1000,
          refundedCents: 500,
        },
      ],
    },
    ledger: [
      { kind: "charge", amountCents: 14500, at: 0, ref: "ch_first" },
      { kind: "charge", amountCents: 4000, at: 0, ref: "ch_a" },
      { kind: "charge", amountCents: 1000, at: 0, ref: "ch_b" },
      { kind: "refund", amountCents: 500, at: 0, ref: "re" },
    ],
  });
  const cases: [number, [string, number][]][] = [
    [300, [["pi_b", 300]]],
    [500, [["pi_b", 500]]],
    [3000, [["pi_b", 500], ["pi_a", 2500]]],
    [10000, [["pi_b", 500], ["pi_a", 4000], ["pi_first", 5500]]],
    [19000, [["pi_b", 500], ["pi_a", 4000], ["pi_first", 14500]]],
  ];
  for (const [amount, parts] of cases) {
    const out = refundParts(b, amount);
    assert.deepEqual(
      out.parts!.map((p) => [p.paymentIntentId, p.amountCents]),
      parts,
      String(amount),
    );
    const taken = out.extra!.reduce((n, c) => n + c.refundedCents, 0) - 500;
    assert.equal(
      taken + (parts.find(([pi]) => pi === "pi_first")?.[1] ?? 0),
      amount,
    );
  }
  assert.throws(() => refundParts(b, 19001), /larger than what was paid/);
  // A booking paid once refunds as it always did.
  assert.deepEqual(refundParts(booking(), 1000), {
    parts: null,
    extra: undefined,
  });
});

Deno.test("move rules: deadlines never pass either start", () => {
  const now = START - 100 * HOUR;
  const cases: [string, "answer" | "pay", number, number][] = [
    ["the host has 24 hours", "answer", START + 48 * HOUR, now + 24 * HOUR],
    ["payment has 35 minutes", "pay", START + 48 * HOUR, now + 35 * 60_000],
    ["a new time sooner than that", "answer", now + 2 * HOUR, now + 2 * HOUR],
  ];
  for (const [name, kind, newStart, want] of cases) {
    assert.equal(moveDeadline(kind, booking(), newStart, now), want, name);
  }
  assert.equal(
    moveDeadline("answer", booking(), START + HOUR, START - 3 * HOUR),
    START,
    "the booking's own start",
  );
});
