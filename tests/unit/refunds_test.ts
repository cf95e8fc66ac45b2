import assert from "node:assert/strict";
import { type Quote, quote } from "../../lib/bookings/pricing.ts";
import {
  CANCELLERS,
  type Refund,
  refundForCancellation,
} from "../../lib/bookings/refunds.ts";
import {
  CANCELLATION_POLICIES,
  type CancellationPolicy,
  refundBpsFor,
} from "../../lib/kitchens/policy.ts";
import { mulberry32 } from "../../lib/random.ts";

const HOUR = 3_600_000;
const MINUTE = 60_000;
const START = Date.parse("2026-06-15T16:00:00Z");

// 4 h × $50 = $200, cleaning $30, 5% service fee $10, 15% commission $34.50.
const QUOTE = quote({
  hourlyPriceCents: 5000,
  cleaningFeeCents: 3000,
  durationMinutes: 240,
  renterFeeBps: 500,
});

type Split = Pick<
  Refund,
  | "refundCents"
  | "hostReversalCents"
  | "commissionRefundCents"
  | "renterFeeRefundCents"
>;

const SPLITS: Record<number, Split> = {
  10000: {
    refundCents: 24000,
    hostReversalCents: 19550,
    commissionRefundCents: 3450,
    renterFeeRefundCents: 1000,
  },
  5000: {
    refundCents: 12000,
    hostReversalCents: 9775,
    commissionRefundCents: 1725,
    renterFeeRefundCents: 500,
  },
  0: {
    refundCents: 0,
    hostReversalCents: 0,
    commissionRefundCents: 0,
    renterFeeRefundCents: 0,
  },
};

function split(r: Refund): Split {
  return {
    refundCents: r.refundCents,
    hostReversalCents: r.hostReversalCents,
    commissionRefundCents: r.commissionRefundCents,
    renterFeeRefundCents: r.renterFeeRefundCents,
  };
}

function renterCancels(
  policy: CancellationPolicy,
  noticeMs: number,
  q: Quote = QUOTE,
): Refund {
  return refundForCancellation({
    quote: q,
    cancelledBy: "renter",
    policy,
    startMs: START,
    cancelledAtMs: START - noticeMs,
  });
}

Deno.test("refunds: the example quote", () => {
  assert.equal(QUOTE.totalChargedCents, 24000);
  assert.equal(QUOTE.hostPayoutCents, 19550);
  assert.equal(QUOTE.platformRevenueCents, 4450);
});

// [policy, notice before the start, refund bps, explanation]
const renterCases: [CancellationPolicy, number, number, string][] = [
  [
    "flexible",
    24 * HOUR,
    10000,
    "Cancelled 24 hours before the start: full refund under the Flexible policy.",
  ],
  [
    "flexible",
    24 * HOUR - MINUTE,
    0,
    "Cancelled 23 hours before the start: no refund under the Flexible policy.",
  ],
  [
    "flexible",
    30 * MINUTE,
    0,
    "Cancelled less than an hour before the start: no refund under the Flexible policy.",
  ],
  [
    "moderate",
    5 * 24 * HOUR,
    10000,
    "Cancelled 5 days before the start: full refund under the Moderate policy.",
  ],
  [
    "moderate",
    72 * HOUR,
    10000,
    "Cancelled 3 days before the start: full refund under the Moderate policy.",
  ],
  [
    "moderate",
    72 * HOUR - MINUTE,
    5000,
    "Cancelled 2 days before the start: 50% refund under the Moderate policy.",
  ],
  [
    "moderate",
    24 * HOUR,
    5000,
    "Cancelled 24 hours before the start: 50% refund under the Moderate policy.",
  ],
  [
    "moderate",
    HOUR,
    0,
    "Cancelled 1 hour before the start: no refund under the Moderate policy.",
  ],
  [
    "strict",
    400 * HOUR,
    5000,
    "Cancelled 16 days before the start: 50% refund under the Strict policy.",
  ],
  [
    "strict",
    168 * HOUR,
    5000,
    "Cancelled 7 days before the start: 50% refund under the Strict policy.",
  ],
  [
    "strict",
    167 * HOUR,
    0,
    "Cancelled 6 days before the start: no refund under the Strict policy.",
  ],
  [
    "flexible",
    0,
    0,
    "Cancelled once the booking had started: no refund under the Flexible policy.",
  ],
  [
    "moderate",
    -2 * HOUR,
    0,
    "Cancelled once the booking had started: no refund under the Moderate policy.",
  ],
];

Deno.test("refunds: renter cancels, by policy and notice", () => {
  for (const [policy, noticeMs, bps, explanation] of renterCases) {
    const name = `${policy}, ${noticeMs / HOUR} h`;
    const r = renterCancels(policy, noticeMs);
    assert.equal(r.cancelledBy, "renter");
    assert.equal(r.refundBps, bps, name);
    assert.deepEqual(split(r), SPLITS[bps], name);
    assert.equal(r.authorityRefundCents, 0, name);
    assert.equal(r.explanation, explanation, name);
  }
});

Deno.test("refunds: after a 50% refund each side keeps its half", () => {
  const r = renterCancels("moderate", 48 * HOUR);
  assert.equal(r.hostKeepsCents, 9775);
  assert.equal(r.platformKeepsCents, 2225);
  assert.equal(r.authorityKeepsCents, 0);
  assert.equal(
    r.hostKeepsCents + r.platformKeepsCents + r.refundCents,
    QUOTE.totalChargedCents,
  );
});

Deno.test("refunds: host and staff cancellations are full refunds at any time", () => {
  const explanations = {
    host: "Cancelled by the host: full refund.",
    admin: "Cancelled by Prep: full refund.",
  };
  for (const cancelledBy of ["host", "admin"] as const) {
    for (const policy of CANCELLATION_POLICIES) {
      for (const noticeMs of [500 * HOUR, 2 * HOUR, 0, -3 * HOUR]) {
        const r = refundForCancellation({
          quote: QUOTE,
          cancelledBy,
          policy,
          startMs: START,
          cancelledAtMs: START - noticeMs,
        });
        const name = `${cancelledBy}, ${policy}, ${noticeMs / HOUR} h`;
        assert.equal(r.refundBps, 10000, name);
        assert.deepEqual(split(r), SPLITS[10000], name);
        assert.equal(r.hostKeepsCents, 0, name);
        assert.equal(r.platformKeepsCents, 0, name);
        assert.equal(r.explanation, explanations[cancelledBy], name);
      }
    }
  }
});

Deno.test("refunds: odd cents split exactly, each part rounded half-up", () => {
  // $33.33 × 1.5 h = $50.00, cleaning $10.01, 3.33% fee $1.67, commission $9.00.
  const q = quote({
    hourlyPriceCents: 3333,
    cleaningFeeCents: 1001,
    durationMinutes: 90,
    renterFeeBps: 333,
  });
  assert.deepEqual(
    [q.totalChargedCents, q.hostPayoutCents, q.platformRevenueCents],
    [6168, 5101, 1067],
  );
  const r = renterCancels("moderate", 48 * HOUR, q);
  // Host lines 6001 → 3000.5 → 3001; commission 900 → 450; fee 167 → 83.5 → 84.
  assert.deepEqual(split(r), {
    refundCents: 3085,
    hostReversalCents: 2551,
    commissionRefundCents: 450,
    renterFeeRefundCents: 84,
  });
  assert.equal(r.hostKeepsCents, 2550);
  assert.equal(r.platformKeepsCents, 533);
});

Deno.test("refunds: a host payout of zero is never reversed below zero", () => {
  // 100% commission: the host lines (2¢) all go to the platform.
  const q = quote({
    hourlyPriceCents: 1,
    cleaningFeeCents: 1,
    durationMinutes: 30,
    platformFeeBps: 10000,
  });
  assert.equal(q.hostPayoutCents, 0);
  const r = renterCancels("moderate", 48 * HOUR, q);
  assert.deepEqual(split(r), {
    refundCents: 1,
    hostReversalCents: 0,
    commissionRefundCents: 1,
    renterFeeRefundCents: 0,
  });
});

Deno.test("refunds: extra lines are refunded at the same share, by destination", () => {
  const q = quote({
    hourlyPriceCents: 4000,
    cleaningFeeCents: 2500,
    durationMinutes: 120,
    renterFeeBps: 500,
    extraLines: [
      {
        kind: "city_fee",
        label: "Lodging tax (2%)",
        amountCents: 210,
        to: "authority",
      },
      { kind: "equipment", label: "Mixer hire", amountCents: 1500, to: "host" },
      {
        kind: "insurance",
        label: "Damage cover",
        amountCents: 300,
        to: "platform",
      },
    ],
  });
  const r = renterCancels("moderate", 48 * HOUR, q);
  // Host lines 12000 → 6000; commission 1575 → 787.5 → 788; platform lines 700 → 350.
  assert.deepEqual(split(r), {
    refundCents: 6455,
    hostReversalCents: 5212,
    commissionRefundCents: 788,
    renterFeeRefundCents: 350,
  });
  assert.equal(r.authorityRefundCents, 105);
  assert.equal(r.authorityKeepsCents, 105);
  assert.equal(
    r.hostKeepsCents + r.platformKeepsCents + r.authorityKeepsCents +
      r.refundCents,
    q.totalChargedCents,
  );
});

Deno.test("refunds: instants must be finite", () => {
  assert.throws(
    () =>
      refundForCancellation({
        quote: QUOTE,
        cancelledBy: "renter",
        policy: "flexible",
        startMs: START,
        cancelledAtMs: NaN,
      }),
    RangeError,
  );
});

Deno.test("refunds: thousands of random cancellations keep every part in bounds", () => {
  const rand = mulberry32(15062026);
  const int = (max: number) => Math.floor(rand() * (max + 1));
  const payees = ["host", "platform", "authority"] as const;
  for (let i = 0; i < 5000; i++) {
    const small = rand() < 0.6;
    const q = quote({
      hourlyPriceCents: small ? int(20000) : int(10_000_000),
      cleaningFeeCents: rand() < 0.3 ? 0 : int(small ? 10000 : 10_000_000),
      durationMinutes: 30 * (1 + int(47)),
      renterFeeBps: rand() < 0.3 ? 0 : int(10000),
      platformFeeBps: rand() < 0.1 ? int(1) * 10000 : int(10000),
      extraLines: Array.from({ length: int(3) }, (_, j) => ({
        kind: `extra_${j}`,
        label: `Extra ${j}`,
        amountCents: int(small ? 3000 : 1_000_000),
        to: payees[int(2)],
      })),
    });
    const cancelledBy = CANCELLERS[int(2)];
    const policy = CANCELLATION_POLICIES[int(2)];
    const noticeMs = (int(450 * 60) - 48 * 60) * MINUTE;
    const r = refundForCancellation({
      quote: q,
      cancelledBy,
      policy,
      startMs: START,
      cancelledAtMs: START - noticeMs,
    });
    const seen = JSON.stringify({ q, cancelledBy, policy, noticeMs });

    const expectedBps = cancelledBy !== "renter"
      ? 10000
      : noticeMs <= 0
      ? 0
      : refundBpsFor(policy, noticeMs / HOUR);
    assert.equal(r.refundBps, expectedBps, seen);

    const parts = [
      r.hostReversalCents,
      r.commissionRefundCents,
      r.renterFeeRefundCents,
      r.authorityRefundCents,
    ];
    for (const p of [...parts, r.refundCents]) {
      assert.ok(Number.isSafeInteger(p) && p >= 0, seen);
    }
    assert.equal(r.refundCents, parts.reduce((a, b) => a + b), seen);
    assert.ok(r.hostReversalCents <= q.hostPayoutCents, seen);
    assert.ok(r.commissionRefundCents <= q.commissionCents, seen);
    assert.ok(
      r.commissionRefundCents + r.renterFeeRefundCents <=
        q.platformRevenueCents,
      seen,
    );
    assert.ok(r.authorityRefundCents <= q.authorityCents, seen);
    assert.ok(r.refundCents <= q.totalChargedCents, seen);

    assert.equal(r.hostKeepsCents, q.hostPayoutCents - r.hostReversalCents);
    assert.equal(
      r.platformKeepsCents,
      q.platformRevenueCents - r.commissionRefundCents -
        r.renterFeeRefundCents,
    );
    for (
      const k of [r.hostKeepsCents, r.platformKeepsCents, r.authorityKeepsCents]
    ) {
      assert.ok(k >= 0, seen);
    }
    assert.equal(
      r.hostKeepsCents + r.platformKeepsCents + r.authorityKeepsCents +
        r.refundCents,
      q.totalChargedCents,
      seen,
    );

    // Four parts, each within half a cent of its exact share.
    const off = 10000 * r.refundCents - q.totalChargedCents * r.refundBps;
    assert.ok(Math.abs(off) <= 4 * 5000, seen);
    if (r.refundBps === 10000) assert.equal(r.refundCents, q.totalChargedCents);
    if (r.refundBps === 0) assert.equal(r.refundCents, 0);
  }
});
