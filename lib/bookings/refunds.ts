/**
 * Refunds, the rules (pure): payments/refunds.ts moves the money these decide.
 *
 * How much goes back to the renter when a confirmed booking is cancelled, and
 * whose money it comes from.
 *
 * Rules:
 * - The renter cancels: the kitchen policy's share (`refundBpsFor`, by hours
 *   of notice) applies to everything they paid, as the policy describes it:
 *   hours, cleaning, the service fee and any extra lines alike. At or after
 *   the start the share is 0 whatever the policy says.
 * - The host or staff (`admin`) cancels: a full refund, at any time.
 * - The share is split by who kept the money, each part rounded half-up on
 *   its own integer total: the host's lines (hours, cleaning, host extras),
 *   the commission, the platform's lines, the authorities' lines. The host
 *   reversal is the host-lines refund less the commission refund; since
 *   half-up rounding is monotonic and commission ≤ host lines, it lies
 *   between 0 and the host payout. The refund is the sum of the parts, so it
 *   can differ by a cent or two from share × total; the parts always add up.
 *
 * The payments code should move these exact amounts (a transfer reversal of
 * `hostReversalCents`, an application-fee refund of the rest) rather than
 * Stripe's own proportional split, so the ledger matches to the cent.
 */
import {
  type CancellationPolicy,
  POLICY_NAMES,
  POLICY_TIERS,
  refundBpsFor,
} from "../kitchens/policy.ts";
import { bpsOf, type Quote, sumByPayee } from "./pricing.ts";

export const CANCELLERS = ["renter", "host", "admin"] as const;

/**
 * The policy a booking's refund follows: the one it was made under, or, for
 * bookings from before that was kept, the kitchen's current one.
 */
export function policyOf(
  booking: { cancellationPolicy?: CancellationPolicy },
  kitchen: { cancellationPolicy: CancellationPolicy },
): CancellationPolicy {
  return booking.cancellationPolicy ?? kitchen.cancellationPolicy;
}
/** Who cancelled: the renter, the host, or staff. */
export type Canceller = typeof CANCELLERS[number];

export interface RefundInput {
  /** The quote charged, as stored on the booking. */
  quote: Quote;
  cancelledBy: Canceller;
  policy: CancellationPolicy;
  /** Booking start, epoch ms. */
  startMs: number;
  /** When the cancellation happened, epoch ms (passed in: no clock here). */
  cancelledAtMs: number;
}

/**
 * The refund and its split. Invariants: refundCents = hostReversalCents +
 * commissionRefundCents + renterFeeRefundCents + authorityRefundCents; no part
 * is negative or more than what it refunds; the `…KeepsCents` fields are what
 * each side holds afterwards, and with the refund they add up to the total
 * charged.
 */
export interface Refund {
  cancelledBy: Canceller;
  /** Share refunded, basis points (10000 = full). */
  refundBps: number;
  /** Back to the renter's card. */
  refundCents: number;
  /** Taken back from the host's transfer. */
  hostReversalCents: number;
  /** Commission the platform gives back: its cut of the refunded host lines. */
  commissionRefundCents: number;
  /** The platform's renter-paid lines given back: the service fee and any platform extras. */
  renterFeeRefundCents: number;
  /** Amounts collected for authorities given back (no longer owed). */
  authorityRefundCents: number;
  /** hostPayoutCents − hostReversalCents. */
  hostKeepsCents: number;
  /** platformRevenueCents − commissionRefundCents − renterFeeRefundCents. */
  platformKeepsCents: number;
  /** authorityCents − authorityRefundCents. */
  authorityKeepsCents: number;
  /** One sentence for the renter and host, e.g. "Cancelled 5 days before the start: full refund under the Moderate policy." */
  explanation: string;
}

const HOUR_MS = 3_600_000;

/**
 * The refund for cancelling a booking priced by `quote`.
 *
 * @example
 * refundForCancellation({ quote: q, cancelledBy: "renter", policy: "moderate",
 *   startMs, cancelledAtMs: startMs - 48 * 3_600_000 })
 * // refundBps 5000, explanation "Cancelled 2 days before the start: 50% refund under the Moderate policy."
 */
export function refundForCancellation(input: RefundInput): Refund {
  const { quote, cancelledBy, policy, startMs, cancelledAtMs } = input;
  if (!Number.isFinite(startMs) || !Number.isFinite(cancelledAtMs)) {
    throw new RangeError("startMs and cancelledAtMs must be finite instants");
  }
  const noticeMs = startMs - cancelledAtMs;
  const refundBps = cancelledBy !== "renter"
    ? 10_000
    : noticeMs <= 0
    ? 0
    : refundBpsFor(policy, noticeMs / HOUR_MS);

  const byPayee = sumByPayee(quote.lines);
  const hostLinesRefund = bpsOf(byPayee.host, refundBps);
  const commissionRefundCents = bpsOf(quote.commissionCents, refundBps);
  const hostReversalCents = hostLinesRefund - commissionRefundCents;
  const renterFeeRefundCents = bpsOf(byPayee.platform, refundBps);
  const authorityRefundCents = bpsOf(byPayee.authority, refundBps);
  const refundCents = hostReversalCents + commissionRefundCents +
    renterFeeRefundCents + authorityRefundCents;

  // Holds by the monotonicity argument above for any quote that passes
  // quoteSchema; a hand-built inconsistent quote must not move money.
  if (
    hostReversalCents < 0 || hostReversalCents > quote.hostPayoutCents ||
    commissionRefundCents > quote.commissionCents ||
    refundCents > quote.totalChargedCents
  ) {
    throw new Error(
      `Refund split out of bounds for a quote of ${quote.totalChargedCents} cents`,
    );
  }

  return {
    cancelledBy,
    refundBps,
    refundCents,
    hostReversalCents,
    commissionRefundCents,
    renterFeeRefundCents,
    authorityRefundCents,
    hostKeepsCents: quote.hostPayoutCents - hostReversalCents,
    platformKeepsCents: quote.platformRevenueCents - commissionRefundCents -
      renterFeeRefundCents,
    authorityKeepsCents: quote.authorityCents - authorityRefundCents,
    explanation: explain(cancelledBy, policy, noticeMs, refundBps),
  };
}

function explain(
  cancelledBy: Canceller,
  policy: CancellationPolicy,
  noticeMs: number,
  refundBps: number,
): string {
  if (cancelledBy === "host") return "Cancelled by the host: full refund.";
  if (cancelledBy === "admin") return "Cancelled by Prep: full refund.";
  const when = noticeMs <= 0
    ? "once the booking had started"
    : `${describeNotice(noticeMs)} before the start`;
  const share = refundBps === 10_000
    ? "full refund"
    : refundBps === 0
    ? "no refund"
    : `${refundBps / 100}% refund`;
  return `Cancelled ${when}: ${share} under the ${
    POLICY_NAMES[policy]
  } policy.`;
}

// Rounded down so the words never overstate the notice: 71 h 59 min under a
// 3-day tier reads "2 days", matching the smaller refund it gets.
function describeNotice(ms: number): string {
  const hours = Math.floor(ms / HOUR_MS);
  if (hours < 1) return "less than an hour";
  if (hours === 1) return "1 hour";
  if (hours < 48) return `${hours} hours`;
  return `${Math.floor(hours / 24)} days`;
}

/** Until when a renter's refund stays as it is now, and what it becomes after. */
export interface RefundDeadline {
  /** The instant the current tier ends (epoch ms). */
  until: number;
  /** The share refunded after it, in basis points (0: nothing). */
  thenBps: number;
}

/**
 * When the share a renter would get back by cancelling at `nowMs` drops,
 * and to what; null when it never drops again (nothing is refunded
 * already). Hosts and staff always refund in full, so only renters have a
 * deadline.
 *
 * @example
 * // Moderate, 5 days ahead: full refund until 3 days before, then 50%.
 * refundDeadline("moderate", start, start - 5 * 24 * 3_600_000)
 * // { until: start - 72 * 3_600_000, thenBps: 5000 }
 */
export function refundDeadline(
  policy: CancellationPolicy,
  startMs: number,
  nowMs: number,
): RefundDeadline | null {
  const tiers = POLICY_TIERS[policy];
  const noticeHours = (startMs - nowMs) / HOUR_MS;
  const i = tiers.findIndex((t) => noticeHours >= t.minHoursNotice);
  if (i === -1 || noticeHours <= 0) return null;
  return {
    until: startMs - tiers[i].minHoursNotice * HOUR_MS,
    thenBps: tiers[i + 1]?.refundBps ?? 0,
  };
}
