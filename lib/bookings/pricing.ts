/**
 * What a booking costs, in integer cents: the lines the renter pays, and how
 * the money splits between the host, the platform and (from the compliance
 * part on) public authorities.
 *
 * Rules:
 * - Hours: hourly price × minutes / 60, in 30-minute steps, rounded half-up
 *   to the cent (so $33.33 × 1.5 h = $49.995 → $50.00).
 * - Renter service fee: `renterFeeBps` of the hours subtotal (not of the
 *   cleaning fee), rounded half-up.
 * - Platform commission: `platformFeeBps` of hours + cleaning, rounded
 *   half-up once on the sum. The cleaning fee is commissioned too: it is host
 *   revenue at a price the host sets, and leaving it out would reward moving
 *   the hourly price into the cleaning fee.
 * - Every rounding is half-up on a non-negative exact integer ratio; no
 *   floating-point fractions are ever formed.
 *
 * Pure: no clock, no IO. The quote is stored on the booking as charged.
 */
import { z } from "zod";
import { formatCents } from "../money.ts";

/** Renter service fee when configuration says nothing. */
export const DEFAULT_RENTER_FEE_BPS = 0;
/** Platform commission (taken from the host's side) when configuration says nothing: 15%. */
export const DEFAULT_PLATFORM_FEE_BPS = 1500;
/** Highest hourly price or cleaning fee, as in the kitchen schema. */
export const MAX_PRICE_CENTS = 10_000_000;
/**
 * Longest bookable duration. Kitchens cap bookings at 24 h; a week leaves
 * room while keeping every product below 2^53, so integer maths stays exact.
 */
export const MAX_DURATION_MINUTES = 7 * 24 * 60;
/** Largest line or total ($1 billion): keeps every `amount × bps` exact. */
export const MAX_AMOUNT_CENTS = 100_000_000_000;

/** The lines `quote` itself writes; any other kind is an extra line. */
export const CORE_LINE_KINDS = ["hours", "cleaning", "renter_fee"] as const;
export type CoreLineKind = typeof CORE_LINE_KINDS[number];

/** Who ends up with a renter-paid line's money. */
export const PAYEES = ["host", "platform", "authority"] as const;
export type Payee = typeof PAYEES[number];

const CORE_LINE_PAYEES: Record<string, Payee | undefined> = {
  hours: "host",
  cleaning: "host",
  renter_fee: "platform",
};

/**
 * One renter-paid line. `kind` is "hours", "cleaning", "renter_fee", or a
 * snake_case kind added later (e.g. "city_fee", "tax"); `to` says who keeps
 * the money, which is how extra lines reach the totals.
 */
export const quoteLineSchema = z.object({
  kind: z.string().regex(/^[a-z][a-z0-9_]*$/, "Use a snake_case kind"),
  label: z.string().trim().min(1).max(200),
  amountCents: z.number().int().min(0).max(MAX_AMOUNT_CENTS),
  payer: z.literal("renter"),
  to: z.enum(PAYEES),
});
export type QuoteLine = z.infer<typeof quoteLineSchema>;

/**
 * A line added on top of the core ones (city fees, taxes, add-ons). Its amount
 * is final: compute it with `bpsOf` over `sumLines` of a quote made without
 * extras, e.g. a lodging fee of 2% on hours + cleaning is
 * `bpsOf(sumLines(base.lines, ["hours", "cleaning"]), 200)`.
 *
 * How it affects the totals (commission is never taken on extra lines):
 * - every extra line adds to `totalChargedCents` (the renter pays it);
 * - `to: "host"` adds to `hostPayoutCents` in full;
 * - `to: "platform"` adds to `platformRevenueCents`;
 * - `to: "authority"` adds to `authorityCents`, money the platform collects
 *   in its application fee and remits, so it is nobody's revenue.
 */
export type ExtraLine = Omit<QuoteLine, "payer">;

/** What `quote` needs; the rates default to `DEFAULT_RENTER_FEE_BPS` and `DEFAULT_PLATFORM_FEE_BPS`. */
export interface QuoteInput {
  hourlyPriceCents: number;
  cleaningFeeCents: number;
  /** A positive multiple of 30, at most `MAX_DURATION_MINUTES`. */
  durationMinutes: number;
  renterFeeBps?: number;
  platformFeeBps?: number;
  extraLines?: ExtraLine[];
}

const cents = z.number().int().min(0).max(MAX_AMOUNT_CENTS);
const bps = z.number().int().min(0).max(10_000);

const quoteObject = z.object({
  currency: z.literal("usd"),
  hourlyPriceCents: z.number().int().min(0).max(MAX_PRICE_CENTS),
  durationMinutes: z.number().int().min(30).max(MAX_DURATION_MINUTES)
    .multipleOf(30),
  renterFeeBps: bps,
  platformFeeBps: bps,
  lines: z.array(quoteLineSchema).min(1).max(50),
  /** The hours line. */
  subtotalCents: cents,
  cleaningFeeCents: cents,
  renterFeeCents: cents,
  /** Taken from the host's side of hours + cleaning; not a renter line. */
  commissionCents: cents,
  /** What the renter pays: every line. */
  totalChargedCents: cents,
  /** Host lines (hours, cleaning, host extras) less commission. */
  hostPayoutCents: cents,
  /** Commission plus platform lines (renter fee, platform extras). */
  platformRevenueCents: cents,
  /** Collected for public authorities and remitted. */
  authorityCents: cents,
});
/** A priced booking: the lines the renter pays and where the money goes. */
export type Quote = z.infer<typeof quoteObject>;

/**
 * The quote as stored on a booking. It checks that the totals agree with the
 * lines, not that the rates are today's: a stored quote records what was
 * charged under the rules of its day.
 */
export const quoteSchema: z.ZodType<Quote> = quoteObject.superRefine(
  (q, ctx) => {
    const problem = quoteProblem(q);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  },
);

/**
 * Prices a booking. Throws a RangeError for a duration that is not a positive
 * multiple of 30 minutes, and for any amount or rate out of range.
 *
 * @example
 * quote({ hourlyPriceCents: 4000, cleaningFeeCents: 2500, durationMinutes: 150 })
 * // hours "2.5 hours × $40" 10000 + cleaning 2500 = totalChargedCents 12500;
 * // commission 1875; hostPayoutCents 10625; platformRevenueCents 1875
 */
export function quote(input: QuoteInput): Quote {
  const {
    hourlyPriceCents,
    cleaningFeeCents,
    durationMinutes,
    renterFeeBps = DEFAULT_RENTER_FEE_BPS,
    platformFeeBps = DEFAULT_PLATFORM_FEE_BPS,
    extraLines = [],
  } = input;
  if (
    !Number.isInteger(durationMinutes) || durationMinutes <= 0 ||
    durationMinutes % 30 !== 0 || durationMinutes > MAX_DURATION_MINUTES
  ) {
    throw new RangeError(
      `durationMinutes must be a positive multiple of 30 up to ${MAX_DURATION_MINUTES}, got ${durationMinutes}`,
    );
  }
  requireInt("hourlyPriceCents", hourlyPriceCents, MAX_PRICE_CENTS);
  requireInt("cleaningFeeCents", cleaningFeeCents, MAX_PRICE_CENTS);
  requireInt("renterFeeBps", renterFeeBps, 10_000);
  requireInt("platformFeeBps", platformFeeBps, 10_000);

  const halfHours = durationMinutes / 30;
  const subtotalCents = divRoundHalfUp(hourlyPriceCents * halfHours, 2);
  const renterFeeCents = bpsOf(subtotalCents, renterFeeBps);
  const commissionCents = bpsOf(
    subtotalCents + cleaningFeeCents,
    platformFeeBps,
  );

  const lines: QuoteLine[] = [{
    kind: "hours",
    label: `${describeHours(halfHours)} × ${formatCents(hourlyPriceCents)}`,
    amountCents: subtotalCents,
    payer: "renter",
    to: "host",
  }];
  // Zero lines are left out so a receipt never shows "Cleaning fee $0".
  if (cleaningFeeCents > 0) {
    lines.push({
      kind: "cleaning",
      label: "Cleaning fee",
      amountCents: cleaningFeeCents,
      payer: "renter",
      to: "host",
    });
  }
  if (renterFeeCents > 0) {
    lines.push({
      kind: "renter_fee",
      label: `Service fee (${renterFeeBps / 100}%)`,
      amountCents: renterFeeCents,
      payer: "renter",
      to: "platform",
    });
  }
  for (const extra of extraLines) {
    const parsed = quoteLineSchema.safeParse({ ...extra, payer: "renter" });
    if (!parsed.success) {
      throw new RangeError(
        `Extra line "${extra.kind}": ${parsed.error.issues[0].message}`,
      );
    }
    if ((CORE_LINE_KINDS as readonly string[]).includes(parsed.data.kind)) {
      throw new RangeError(
        `Extra line kind "${parsed.data.kind}" is reserved for the quote itself`,
      );
    }
    lines.push(parsed.data);
  }

  const byPayee = sumByPayee(lines);
  const totalChargedCents = byPayee.host + byPayee.platform + byPayee.authority;
  if (totalChargedCents > MAX_AMOUNT_CENTS) {
    throw new RangeError(
      `The total of ${totalChargedCents} cents is over ${MAX_AMOUNT_CENTS}`,
    );
  }
  return {
    currency: "usd",
    hourlyPriceCents,
    durationMinutes,
    renterFeeBps,
    platformFeeBps,
    lines,
    subtotalCents,
    cleaningFeeCents,
    renterFeeCents,
    commissionCents,
    totalChargedCents,
    hostPayoutCents: byPayee.host - commissionCents,
    platformRevenueCents: commissionCents + byPayee.platform,
    authorityCents: byPayee.authority,
  };
}

/**
 * `bps` basis points of `cents`, rounded half-up to the cent, exactly.
 * Throws a RangeError unless both are non-negative integers whose product is
 * a safe integer.
 */
export function bpsOf(cents: number, bps: number): number {
  const product = cents * bps;
  if (
    !Number.isInteger(cents) || !Number.isInteger(bps) || cents < 0 ||
    bps < 0 || !Number.isSafeInteger(product)
  ) {
    throw new RangeError(`Cannot take ${bps} bps of ${cents} cents exactly`);
  }
  return divRoundHalfUp(product, 10_000);
}

/** Sum of the lines whose kind is one of `kinds`. */
export function sumLines(
  lines: readonly QuoteLine[],
  kinds: readonly string[],
): number {
  return lines.reduce(
    (sum, l) => kinds.includes(l.kind) ? sum + l.amountCents : sum,
    0,
  );
}

/** Renter-paid amounts by who keeps them (before commission). */
export function sumByPayee(
  lines: readonly QuoteLine[],
): Record<Payee, number> {
  const sums: Record<Payee, number> = { host: 0, platform: 0, authority: 0 };
  for (const l of lines) sums[l.to] += l.amountCents;
  return sums;
}

// `n % d` and the division of an exact multiple are both exact in IEEE
// doubles for safe integers, unlike Math.round(n / d) near the top of range.
function divRoundHalfUp(n: number, d: number): number {
  const rest = n % d;
  const whole = (n - rest) / d;
  return rest * 2 >= d ? whole + 1 : whole;
}

function requireInt(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(
      `${name} must be an integer from 0 to ${max}, got ${value}`,
    );
  }
}

function describeHours(halfHours: number): string {
  return halfHours === 2 ? "1 hour" : `${halfHours / 2} hours`;
}

/** Why a stored quote's totals disagree with its lines, or null when they agree. */
function quoteProblem(q: Quote): string | null {
  const byPayee = sumByPayee(q.lines);
  const hours = q.lines.filter((l) => l.kind === "hours");
  if (hours.length !== 1) return "A quote has exactly one hours line";
  for (const l of q.lines) {
    const owner = CORE_LINE_PAYEES[l.kind];
    if (owner && l.to !== owner) {
      return `The ${l.kind} line goes to the ${owner}`;
    }
  }
  const expect: [string, number, number][] = [
    ["subtotalCents", q.subtotalCents, hours[0].amountCents],
    ["cleaningFeeCents", q.cleaningFeeCents, sumLines(q.lines, ["cleaning"])],
    ["renterFeeCents", q.renterFeeCents, sumLines(q.lines, ["renter_fee"])],
    [
      "totalChargedCents",
      q.totalChargedCents,
      q.lines.reduce((sum, l) => sum + l.amountCents, 0),
    ],
    ["hostPayoutCents", q.hostPayoutCents, byPayee.host - q.commissionCents],
    [
      "platformRevenueCents",
      q.platformRevenueCents,
      q.commissionCents + byPayee.platform,
    ],
    ["authorityCents", q.authorityCents, byPayee.authority],
  ];
  for (const [name, stored, computed] of expect) {
    if (stored !== computed) {
      return `${name} is ${stored} but the lines make it ${computed}`;
    }
  }
  if (q.commissionCents > q.subtotalCents + q.cleaningFeeCents) {
    return "Commission exceeds hours + cleaning";
  }
  return null;
}

/** A kitchen's prices and length limits, as the pricing example needs them. */
export interface PriceRules {
  hourlyPriceCents: number;
  cleaningFeeCents: number;
  minHours?: number;
  maxHours?: number;
}

/** The example's length, unless the kitchen's minimum or maximum says otherwise. */
export const EXAMPLE_HOURS = 4;

/** An example booking as the host sees it: what the renter pays and what the host receives. */
export interface EarningsExample {
  hours: number;
  quote: Quote;
  /** What the renter pays in all. */
  renterPaysCents: number;
  commissionCents: number;
  /** What reaches the host: hours and cleaning, less the commission. */
  hostReceivesCents: number;
  /** "A 4-hour booking at $40: renter pays $160 + $20 cleaning; you receive $153" */
  sentence: string;
}

/**
 * What a host receives from an example booking of their kitchen, priced by
 * `quote` itself at the site's fees, so the example and every real quote
 * agree to the cent. City fees are left out: they pass through to the city.
 */
export function earningsExample(
  rules: PriceRules,
  fees: { renterFeeBps: number; platformFeeBps: number },
): EarningsExample {
  const min = rules.minHours ?? 1;
  const max = Math.max(min, rules.maxHours ?? 24);
  const hours = Math.min(Math.max(EXAMPLE_HOURS, min), max);
  const q = quote({
    hourlyPriceCents: rules.hourlyPriceCents,
    cleaningFeeCents: rules.cleaningFeeCents,
    durationMinutes: hours * 60,
    renterFeeBps: fees.renterFeeBps,
    platformFeeBps: fees.platformFeeBps,
  });
  const parts = [formatCents(q.subtotalCents)];
  if (q.cleaningFeeCents > 0) {
    parts.push(`${formatCents(q.cleaningFeeCents)} cleaning`);
  }
  if (q.renterFeeCents > 0) {
    parts.push(`${formatCents(q.renterFeeCents)} service fee`);
  }
  return {
    hours,
    quote: q,
    renterPaysCents: q.totalChargedCents,
    commissionCents: q.commissionCents,
    hostReceivesCents: q.hostPayoutCents,
    sentence: `A ${hours}-hour booking at ${
      formatCents(rules.hourlyPriceCents)
    }: renter pays ${parts.join(" + ")}; you receive ${
      formatCents(q.hostPayoutCents)
    }`,
  };
}

/** Basis points as a percentage: 1500 → "15%", 1250 → "12.5%". */
export function formatBps(bps: number): string {
  return `${Number((bps / 100).toFixed(2))}%`;
}
