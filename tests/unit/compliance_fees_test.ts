import assert from "node:assert/strict";
import {
  type ExtraLine,
  quote,
  type QuoteInput,
  quoteSchema,
} from "../../lib/bookings/pricing.ts";
import {
  cityFeeLines,
  type FeeBaseAmounts,
} from "../../lib/compliance/fees.ts";
import {
  CITY_SLUGS,
  type CitySlug,
  rulePackFor,
} from "../../lib/compliance/rules.ts";

/** 2.5 h at $40 with $25 cleaning: hours 10000, cleaning 2500, commission 1875. */
const INPUT: QuoteInput = {
  hourlyPriceCents: 4000,
  cleaningFeeCents: 2500,
  durationMinutes: 150,
};

function fee(label: string, amountCents: number): ExtraLine {
  return { kind: "city_fee", label, amountCents, to: "authority" };
}

const cases: [string, CitySlug, FeeBaseAmounts, ExtraLine[]][] = [
  [
    "San Francisco: 3.5% of hours",
    "san-francisco",
    quote(INPUT),
    [fee("San Francisco Commercial Rents Tax (3.5%)", 350)],
  ],
  [
    "San Francisco: $10.50 rounds half-up to $11",
    "san-francisco",
    { subtotalCents: 300, cleaningFeeCents: 999, commissionCents: 999 },
    [fee("San Francisco Commercial Rents Tax (3.5%)", 11)],
  ],
  [
    "Seattle: lodging 2% of hours + cleaning, B&O 0.44% of commission ($8.25 → $8)",
    "seattle",
    quote(INPUT),
    [
      fee("King County lodging tax (2%)", 250),
      fee("Seattle business and occupation tax (0.44%)", 8),
    ],
  ],
  [
    "Seattle: each line rounds on its own (lodging $20.02 → $20, B&O $5.50 → $6)",
    "seattle",
    { subtotalCents: 1000, cleaningFeeCents: 1, commissionCents: 1250 },
    [
      fee("King County lodging tax (2%)", 20),
      fee("Seattle business and occupation tax (0.44%)", 6),
    ],
  ],
  [
    "Seattle: no commission, so no B&O line",
    "seattle",
    quote({ ...INPUT, platformFeeBps: 0 }),
    [fee("King County lodging tax (2%)", 250)],
  ],
  [
    "Portland: 11.5% of hours + cleaning + commission ($1,653.125 → $1,653)",
    "portland",
    quote(INPUT),
    [fee("Multnomah County lodging tax (11.5%)", 1653)],
  ],
  [
    "Portland: one rounding on the sum ($11.50 → $12)",
    "portland",
    { subtotalCents: 60, cleaningFeeCents: 20, commissionCents: 20 },
    [fee("Multnomah County lodging tax (11.5%)", 12)],
  ],
  ...(["new-york", "chicago", "atlanta", "los-angeles", "boston"] as const)
    .map((city): [string, CitySlug, FeeBaseAmounts, ExtraLine[]] => [
      `${city}: no city fees`,
      city,
      quote(INPUT),
      [],
    ]),
];

for (const [name, city, amounts, expected] of cases) {
  Deno.test(`fees: ${name}`, () => {
    assert.deepEqual(cityFeeLines(rulePackFor(city), amounts), expected);
  });
}

Deno.test("fees: quote() with city fee lines keeps its invariants", () => {
  const inputs: QuoteInput[] = [
    INPUT,
    { hourlyPriceCents: 3333, cleaningFeeCents: 0, durationMinutes: 90 },
    {
      hourlyPriceCents: 12_345,
      cleaningFeeCents: 4_999,
      durationMinutes: 630,
      renterFeeBps: 500,
      platformFeeBps: 1250,
    },
    { hourlyPriceCents: 1, cleaningFeeCents: 1, durationMinutes: 30 },
  ];
  for (const city of CITY_SLUGS) {
    for (const input of inputs) {
      const base = quote(input);
      const extraLines = cityFeeLines(rulePackFor(city), base);
      const q = quote({ ...input, extraLines });
      const fees = extraLines.reduce((s, l) => s + l.amountCents, 0);
      const where = `${city} ${JSON.stringify(input)}`;
      assert.deepEqual(quoteSchema.parse(q), q, where);
      assert.equal(q.totalChargedCents, base.totalChargedCents + fees, where);
      assert.equal(q.authorityCents, fees, where);
      // Commission is never taken on fee lines, so host and platform keep what they had.
      assert.equal(q.commissionCents, base.commissionCents, where);
      assert.equal(q.hostPayoutCents, base.hostPayoutCents, where);
      assert.equal(q.platformRevenueCents, base.platformRevenueCents, where);
      assert.deepEqual(q.lines.slice(0, base.lines.length), base.lines, where);
      assert.deepEqual(
        q.lines.slice(base.lines.length).map(({ payer: _, ...l }) => l),
        extraLines,
        where,
      );
    }
  }
});

Deno.test("fees: a Seattle quote lists both fees, remitted to the authority", () => {
  const base = quote(INPUT);
  const q = quote({
    ...INPUT,
    extraLines: cityFeeLines(rulePackFor("seattle"), base),
  });
  assert.deepEqual(
    q.lines.filter((l) => l.kind === "city_fee").map((l) => [
      l.label,
      l.amountCents,
      l.to,
    ]),
    [
      ["King County lodging tax (2%)", 250, "authority"],
      ["Seattle business and occupation tax (0.44%)", 8, "authority"],
    ],
  );
  assert.equal(q.totalChargedCents, 12500 + 258);
  assert.equal(q.authorityCents, 258);
});
