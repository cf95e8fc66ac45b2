import assert from "node:assert/strict";
import {
  bpsOf,
  earningsExample,
  formatBps,
  MAX_AMOUNT_CENTS,
  MAX_DURATION_MINUTES,
  MAX_PRICE_CENTS,
  type Quote,
  quote,
  type QuoteInput,
  quoteSchema,
  sumLines,
} from "../../lib/bookings/pricing.ts";
import { mulberry32 } from "../../lib/random.ts";

type Totals = Pick<
  Quote,
  | "subtotalCents"
  | "cleaningFeeCents"
  | "renterFeeCents"
  | "commissionCents"
  | "totalChargedCents"
  | "hostPayoutCents"
  | "platformRevenueCents"
>;

function totals(q: Quote): Totals {
  return {
    subtotalCents: q.subtotalCents,
    cleaningFeeCents: q.cleaningFeeCents,
    renterFeeCents: q.renterFeeCents,
    commissionCents: q.commissionCents,
    totalChargedCents: q.totalChargedCents,
    hostPayoutCents: q.hostPayoutCents,
    platformRevenueCents: q.platformRevenueCents,
  };
}

// [name, input, subtotal, cleaning, renter fee, commission, charged, host, platform]
const cases: [string, QuoteInput, ...number[]][] = [
  [
    "2.5 h at $40 with $25 cleaning, default rates",
    { hourlyPriceCents: 4000, cleaningFeeCents: 2500, durationMinutes: 150 },
    10000,
    2500,
    0,
    1875,
    12500,
    10625,
    1875,
  ],
  [
    "$33.33/h × 1.5 h is $49.995, rounded up",
    { hourlyPriceCents: 3333, cleaningFeeCents: 0, durationMinutes: 90 },
    5000,
    0,
    0,
    750,
    5000,
    4250,
    750,
  ],
  [
    "$0 cleaning and 0 bps fees: the host gets everything",
    {
      hourlyPriceCents: 4500,
      cleaningFeeCents: 0,
      durationMinutes: 60,
      renterFeeBps: 0,
      platformFeeBps: 0,
    },
    4500,
    0,
    0,
    0,
    4500,
    4500,
    0,
  ],
  [
    "exactly half a cent rounds up (500.5 and 1501.5)",
    {
      hourlyPriceCents: 10010,
      cleaningFeeCents: 0,
      durationMinutes: 60,
      renterFeeBps: 500,
    },
    10010,
    0,
    501,
    1502,
    10511,
    8508,
    2003,
  ],
  [
    "under half a cent rounds down (500.45 and 1501.35)",
    {
      hourlyPriceCents: 10009,
      cleaningFeeCents: 0,
      durationMinutes: 60,
      renterFeeBps: 500,
    },
    10009,
    0,
    500,
    1501,
    10509,
    8508,
    2001,
  ],
  [
    "30 minutes at a cent an hour rounds half a cent up",
    { hourlyPriceCents: 1, cleaningFeeCents: 0, durationMinutes: 30 },
    1,
    0,
    0,
    0,
    1,
    1,
    0,
  ],
  [
    "commission rounds once on hours + cleaning (999, not 500 + 500)",
    { hourlyPriceCents: 3330, cleaningFeeCents: 3330, durationMinutes: 60 },
    3330,
    3330,
    0,
    999,
    6660,
    5661,
    999,
  ],
  [
    "the renter fee is not taken on cleaning; commission is",
    {
      hourlyPriceCents: 5000,
      cleaningFeeCents: 5000,
      durationMinutes: 180,
      renterFeeBps: 1000,
    },
    15000,
    5000,
    1500,
    3000,
    21500,
    17000,
    4500,
  ],
  [
    "top of range: $100,000/h for 24 h, 100% fees",
    {
      hourlyPriceCents: MAX_PRICE_CENTS,
      cleaningFeeCents: MAX_PRICE_CENTS,
      durationMinutes: 24 * 60,
      renterFeeBps: 10000,
      platformFeeBps: 10000,
    },
    240_000_000,
    10_000_000,
    240_000_000,
    250_000_000,
    490_000_000,
    0,
    490_000_000,
  ],
];

Deno.test("pricing: totals by table", () => {
  for (const [name, input, ...n] of cases) {
    const q = quote(input);
    assert.deepEqual(totals(q), {
      subtotalCents: n[0],
      cleaningFeeCents: n[1],
      renterFeeCents: n[2],
      commissionCents: n[3],
      totalChargedCents: n[4],
      hostPayoutCents: n[5],
      platformRevenueCents: n[6],
    }, name);
    assert.equal(
      q.totalChargedCents,
      q.hostPayoutCents + q.platformRevenueCents + q.authorityCents,
      name,
    );
  }
});

Deno.test("pricing: lines in plain words", () => {
  const q = quote({
    hourlyPriceCents: 5000,
    cleaningFeeCents: 5000,
    durationMinutes: 180,
    renterFeeBps: 1000,
  });
  assert.equal(q.currency, "usd");
  assert.deepEqual(q.lines, [
    {
      kind: "hours",
      label: "3 hours × $50",
      amountCents: 15000,
      payer: "renter",
      to: "host",
    },
    {
      kind: "cleaning",
      label: "Cleaning fee",
      amountCents: 5000,
      payer: "renter",
      to: "host",
    },
    {
      kind: "renter_fee",
      label: "Service fee (10%)",
      amountCents: 1500,
      payer: "renter",
      to: "platform",
    },
  ]);
});

Deno.test("pricing: hour and fee labels", () => {
  const labels: [QuoteInput, string[]][] = [
    [{ hourlyPriceCents: 4500, cleaningFeeCents: 0, durationMinutes: 30 }, [
      "0.5 hours × $45",
    ]],
    [{ hourlyPriceCents: 3333, cleaningFeeCents: 0, durationMinutes: 60 }, [
      "1 hour × $33.33",
    ]],
    [
      {
        hourlyPriceCents: 4000,
        cleaningFeeCents: 1550,
        durationMinutes: 210,
        renterFeeBps: 250,
      },
      ["3.5 hours × $40", "Cleaning fee", "Service fee (2.5%)"],
    ],
  ];
  for (const [input, expected] of labels) {
    assert.deepEqual(quote(input).lines.map((l) => l.label), expected);
  }
});

Deno.test("pricing: zero cleaning and zero service fee leave no line", () => {
  const q = quote({
    hourlyPriceCents: 4500,
    cleaningFeeCents: 0,
    durationMinutes: 60,
    renterFeeBps: 0,
  });
  assert.deepEqual(q.lines.map((l) => l.kind), ["hours"]);
  assert.equal(q.cleaningFeeCents, 0);
  assert.equal(q.renterFeeCents, 0);
});

Deno.test("pricing: extra lines reach the totals by destination", () => {
  const input: QuoteInput = {
    hourlyPriceCents: 4000,
    cleaningFeeCents: 2500,
    durationMinutes: 120,
    renterFeeBps: 500,
  };
  const base = quote(input);
  const lodging = bpsOf(sumLines(base.lines, ["hours", "cleaning"]), 200);
  assert.equal(lodging, 210);
  const q = quote({
    ...input,
    extraLines: [
      {
        kind: "city_fee",
        label: "Lodging tax (2%)",
        amountCents: lodging,
        to: "authority",
      },
      {
        kind: "equipment",
        label: "Mixer hire",
        amountCents: 1500,
        to: "host",
      },
      {
        kind: "insurance",
        label: "Damage cover",
        amountCents: 300,
        to: "platform",
      },
    ],
  });
  assert.deepEqual(q.lines.map((l) => [l.kind, l.payer, l.to]), [
    ["hours", "renter", "host"],
    ["cleaning", "renter", "host"],
    ["renter_fee", "renter", "platform"],
    ["city_fee", "renter", "authority"],
    ["equipment", "renter", "host"],
    ["insurance", "renter", "platform"],
  ]);
  // Commission stays on hours + cleaning; extras pass through untouched.
  assert.equal(q.commissionCents, base.commissionCents);
  assert.equal(q.commissionCents, 1575);
  assert.equal(q.totalChargedCents, 12910);
  assert.equal(q.hostPayoutCents, 10425);
  assert.equal(q.platformRevenueCents, 2275);
  assert.equal(q.authorityCents, 210);
  assert.equal(
    q.totalChargedCents,
    q.hostPayoutCents + q.platformRevenueCents + q.authorityCents,
  );
});

Deno.test("pricing: durations that are not positive multiples of 30 minutes throw", () => {
  for (
    const minutes of [
      0,
      -30,
      15,
      45,
      29,
      30.5,
      NaN,
      Infinity,
      MAX_DURATION_MINUTES + 30,
    ]
  ) {
    assert.throws(
      () =>
        quote({
          hourlyPriceCents: 4000,
          cleaningFeeCents: 0,
          durationMinutes: minutes,
        }),
      (e) => e instanceof RangeError && /durationMinutes/.test(e.message),
      `${minutes} minutes`,
    );
  }
  assert.equal(
    quote({
      hourlyPriceCents: 4000,
      cleaningFeeCents: 0,
      durationMinutes: MAX_DURATION_MINUTES,
    }).subtotalCents,
    4000 * 168,
  );
});

Deno.test("pricing: out-of-range amounts, rates and extra lines throw", () => {
  const ok: QuoteInput = {
    hourlyPriceCents: 4000,
    cleaningFeeCents: 0,
    durationMinutes: 60,
  };
  const bad: [string, Partial<QuoteInput>][] = [
    ["negative price", { hourlyPriceCents: -1 }],
    ["fractional cents", { hourlyPriceCents: 40.5 }],
    ["price over the cap", { hourlyPriceCents: MAX_PRICE_CENTS + 1 }],
    ["negative cleaning", { cleaningFeeCents: -100 }],
    ["renter fee over 100%", { renterFeeBps: 10001 }],
    ["fractional bps", { platformFeeBps: 1500.5 }],
    ["negative bps", { platformFeeBps: -1 }],
    ["reserved extra kind", {
      extraLines: [{
        kind: "hours",
        label: "More",
        amountCents: 1,
        to: "host",
      }],
    }],
    ["negative extra", {
      extraLines: [{
        kind: "tax",
        label: "Tax",
        amountCents: -1,
        to: "authority",
      }],
    }],
    ["kind not snake_case", {
      extraLines: [{
        kind: "City Fee",
        label: "Fee",
        amountCents: 1,
        to: "authority",
      }],
    }],
    ["empty label", {
      extraLines: [{
        kind: "tax",
        label: " ",
        amountCents: 1,
        to: "authority",
      }],
    }],
  ];
  bad.push(["total over the cap", {
    extraLines: [0, 1].map((j) => ({
      kind: "tax",
      label: `Tax ${j}`,
      amountCents: MAX_AMOUNT_CENTS,
      to: "authority" as const,
    })),
  }]);
  for (const [name, change] of bad) {
    assert.throws(() => quote({ ...ok, ...change }), RangeError, name);
  }
});

Deno.test("pricing: bpsOf rounds half-up exactly", () => {
  const table: [number, number, number][] = [
    [1, 5000, 1],
    [1, 4999, 0],
    [3, 5000, 2],
    [4999, 1, 0],
    [5000, 1, 1],
    [0, 10000, 0],
    [12345, 0, 0],
    [MAX_AMOUNT_CENTS, 10000, MAX_AMOUNT_CENTS],
    [MAX_AMOUNT_CENTS - 1, 5000, MAX_AMOUNT_CENTS / 2],
    [2 ** 40 + 1, 5000, 2 ** 39 + 1],
  ];
  for (const [cents, bps, expected] of table) {
    assert.equal(bpsOf(cents, bps), expected, `${bps} bps of ${cents}`);
  }
  for (const [cents, bps] of [[-1, 100], [1.5, 100], [100, -1], [2 ** 52, 4]]) {
    assert.throws(() => bpsOf(cents, bps), RangeError, `${bps} of ${cents}`);
  }
});

Deno.test("pricing: quoteSchema accepts a stored quote and refuses totals that disagree", () => {
  const q = quote({
    hourlyPriceCents: 4000,
    cleaningFeeCents: 2500,
    durationMinutes: 150,
    renterFeeBps: 300,
    extraLines: [{
      kind: "tax",
      label: "Tax",
      amountCents: 99,
      to: "authority",
    }],
  });
  assert.deepEqual(quoteSchema.parse(JSON.parse(JSON.stringify(q))), q);

  const tampered: [string, Quote][] = [
    ["charged", { ...q, totalChargedCents: q.totalChargedCents + 1 }],
    ["payout", { ...q, hostPayoutCents: q.hostPayoutCents + 1 }],
    ["revenue", { ...q, platformRevenueCents: q.platformRevenueCents - 1 }],
    ["authority", { ...q, authorityCents: 0 }],
    ["no hours", { ...q, lines: q.lines.filter((l) => l.kind !== "hours") }],
    ["fee to host", {
      ...q,
      lines: q.lines.map((l) =>
        l.kind === "renter_fee" ? { ...l, to: "host" as const } : l
      ),
    }],
    ["bad duration", { ...q, durationMinutes: 45 }],
    ["other currency", { ...q, currency: "eur" as "usd" }],
  ];
  for (const [name, bad] of tampered) {
    assert.equal(quoteSchema.safeParse(bad).success, false, name);
  }
});

Deno.test("pricing: thousands of random quotes balance to the cent", () => {
  const rand = mulberry32(20260301);
  const int = (max: number) => Math.floor(rand() * (max + 1));
  const payees = ["host", "platform", "authority"] as const;
  for (let i = 0; i < 5000; i++) {
    const small = rand() < 0.5;
    const input: QuoteInput = {
      hourlyPriceCents: small ? int(20000) : int(MAX_PRICE_CENTS),
      cleaningFeeCents: rand() < 0.3 ? 0 : small ? int(10000) : int(
        MAX_PRICE_CENTS,
      ),
      durationMinutes: 30 *
        (1 + int(rand() < 0.9 ? 47 : MAX_DURATION_MINUTES / 30 - 1)),
      renterFeeBps: rand() < 0.3 ? 0 : int(10000),
      platformFeeBps: rand() < 0.1 ? 0 : int(10000),
      extraLines: Array.from({ length: int(3) }, (_, j) => ({
        kind: `extra_${j}`,
        label: `Extra ${j}`,
        amountCents: int(small ? 5000 : 10_000_000),
        to: payees[int(2)],
      })),
    };
    const q = quote(input);
    const seen = JSON.stringify(input);
    for (const [field, value] of Object.entries(q)) {
      if (typeof value === "number") {
        assert.ok(
          Number.isSafeInteger(value) && value >= 0,
          `${field} ${seen}`,
        );
      }
    }
    for (const l of q.lines) {
      assert.ok(Number.isSafeInteger(l.amountCents) && l.amountCents >= 0);
    }
    assert.equal(
      q.totalChargedCents,
      q.hostPayoutCents + q.platformRevenueCents + q.authorityCents,
      seen,
    );
    assert.equal(
      q.totalChargedCents,
      q.lines.reduce((s, l) => s + l.amountCents, 0),
    );
    // Half-up: the rounded amount is within half a cent of the exact one,
    // with an exact half going up.
    const halfHours = input.durationMinutes / 30;
    const overHours = 2 * q.subtotalCents - input.hourlyPriceCents * halfHours;
    assert.ok(overHours === 0 || overHours === 1, seen);
    const overFee = 10000 * q.renterFeeCents -
      q.subtotalCents * q.renterFeeBps;
    assert.ok(overFee > -5000 && overFee <= 5000, seen);
    const overCommission = 10000 * q.commissionCents -
      (q.subtotalCents + q.cleaningFeeCents) * q.platformFeeBps;
    assert.ok(overCommission > -5000 && overCommission <= 5000, seen);
    assert.ok(quoteSchema.safeParse(q).success, seen);
  }
});

Deno.test("pricing: the host's earnings example comes from the quote itself, at the site's fees", () => {
  const fees = (platformFeeBps = 1500, renterFeeBps = 0) => ({
    platformFeeBps,
    renterFeeBps,
  });
  const cases: [
    string,
    Parameters<typeof earningsExample>[0],
    ReturnType<typeof fees>,
    string,
  ][] = [
    [
      "the issue's example",
      { hourlyPriceCents: 4000, cleaningFeeCents: 2000 },
      fees(),
      "A 4-hour booking at $40: renter pays $160 + $20 cleaning; you receive $153",
    ],
    [
      "no cleaning fee",
      { hourlyPriceCents: 4000, cleaningFeeCents: 0 },
      fees(),
      "A 4-hour booking at $40: renter pays $160; you receive $136",
    ],
    [
      "a renter service fee is the platform's, not the host's",
      { hourlyPriceCents: 4000, cleaningFeeCents: 2000 },
      fees(1500, 500),
      "A 4-hour booking at $40: renter pays $160 + $20 cleaning + $8 service fee; you receive $153",
    ],
    [
      "another commission",
      { hourlyPriceCents: 4000, cleaningFeeCents: 2000 },
      fees(1000),
      "A 4-hour booking at $40: renter pays $160 + $20 cleaning; you receive $162",
    ],
    [
      "the kitchen's minimum is longer than 4 hours",
      { hourlyPriceCents: 8500, cleaningFeeCents: 4000, minHours: 6 },
      fees(),
      "A 6-hour booking at $85: renter pays $510 + $40 cleaning; you receive $467.50",
    ],
    [
      "the kitchen's maximum is shorter than 4 hours",
      { hourlyPriceCents: 3333, cleaningFeeCents: 0, maxHours: 2 },
      fees(),
      "A 2-hour booking at $33.33: renter pays $66.66; you receive $56.66",
    ],
  ];
  for (const [name, rules, f, sentence] of cases) {
    const example = earningsExample(rules, f);
    assert.equal(example.sentence, sentence, name);
    // The same numbers a real quote of those hours gives.
    const q = quote({
      hourlyPriceCents: rules.hourlyPriceCents,
      cleaningFeeCents: rules.cleaningFeeCents,
      durationMinutes: example.hours * 60,
      ...f,
    });
    assert.equal(example.hostReceivesCents, q.hostPayoutCents, name);
    assert.equal(example.renterPaysCents, q.totalChargedCents, name);
    assert.equal(example.commissionCents, q.commissionCents, name);
  }
  const rates: [number, string][] = [
    [1500, "15%"],
    [1250, "12.5%"],
    [0, "0%"],
    [10000, "100%"],
    [333, "3.33%"],
  ];
  for (const [bps, text] of rates) assert.equal(formatBps(bps), text);
});
