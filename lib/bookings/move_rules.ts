/**
 * Changing a booking's time, the rules (pure; moves.ts does the writing).
 *
 * - Only a confirmed booking that has not started, is not disputed and has
 *   no change under way can move, at most `MAX_MOVES` times, to another
 *   free time at the same kitchen.
 * - While cancelling would still refund the renter in full (the kitchen's
 *   policy, as the cancel button says), the move is the renter's to make.
 *   After that, the host must approve it, within 24 hours and before either
 *   start; an unanswered request lapses and the new time is released.
 * - The new time is priced at the kitchen's prices now and the booking's
 *   own fee rates. A higher total is charged (the saved card, else a
 *   Checkout link, with the new time held meanwhile); a lower one is
 *   refunded, taking back each part (host, commission, platform, city) by
 *   the difference in that part.
 * - An occurrence of a standing booking is a booking, so the same rules move it.
 */
import type { CancellationPolicy } from "../kitchens/policy.ts";
import type { Quote } from "./pricing.ts";
import { HOLD_MS } from "./holds.ts";
import { refundForCancellation } from "./refunds.ts";
import { REQUEST_ANSWER_HOURS } from "./request_terms.ts";
import {
  type Booking,
  type ExtraCharge,
  type LedgerEntry,
  MAX_MOVES,
} from "./schema.ts";

/** How long the host has to answer a late change of time, at most. */
export const MOVE_ANSWER_MS = REQUEST_ANSWER_HOURS * 3600_000;
/** How long the new time is held while the renter pays the difference. */
export const MOVE_PAY_MS = HOLD_MS;

/** The calendar claim of a move's new time while it is pending. */
export function moveClaimRef(bookingId: string): string {
  return `${bookingId}~move`;
}

export type MoveWindow =
  /** The renter moves it now: cancelling would refund them in full. */
  | { kind: "free"; until: number | null }
  /** The host must approve the move. */
  | { kind: "approval" }
  | { kind: "closed"; reason: string };

/**
 * Whether and how `b` can be moved at `now` under the kitchen's
 * cancellation `policy`. `until`: the last instant of the free window
 * (null: it lasts until the start).
 */
export function moveWindow(
  b: Booking,
  policy: CancellationPolicy,
  now: number,
): MoveWindow {
  if (b.status !== "confirmed") {
    return { kind: "closed", reason: "Only a confirmed booking can be moved." };
  }
  if (b.start <= now) {
    return {
      kind: "closed",
      reason: "This booking has started, so its time can no longer change.",
    };
  }
  if (b.move) {
    return {
      kind: "closed",
      reason: "A change of time is already under way for this booking.",
    };
  }
  if (b.disputed) {
    return {
      kind: "closed",
      reason: "This booking's payment is disputed, so its time cannot change.",
    };
  }
  if ((b.moves?.length ?? 0) >= MAX_MOVES) {
    return {
      kind: "closed",
      reason:
        `This booking has been moved ${MAX_MOVES} times already; cancel it and book the new time instead.`,
    };
  }
  if (renterShare(b, policy, now) < 10_000) return { kind: "approval" };
  return { kind: "free", until: freeUntil(b, policy, now) };
}

/** The share a renter cancelling `b` at `at` gets back, in basis points. */
function renterShare(
  b: Booking,
  policy: CancellationPolicy,
  at: number,
): number {
  return refundForCancellation({
    quote: b.quote,
    cancelledBy: "renter",
    policy,
    startMs: b.start,
    cancelledAtMs: at,
  }).refundBps;
}

/** The last instant cancelling refunds in full (null: right up to the start). */
function freeUntil(
  b: Booking,
  policy: CancellationPolicy,
  now: number,
): number | null {
  // Found by halving: policies are step functions of the notice, so this
  // is exact to the millisecond.
  if (renterShare(b, policy, b.start - 1) === 10_000) {
    return null;
  }
  let lo = now;
  let hi = b.start - 1;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (renterShare(b, policy, mid) === 10_000) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** What a booking's price splits into: each party's share of the total. */
export interface PriceSplit {
  amountCents: number;
  hostCents: number;
  commissionCents: number;
  /** The platform's renter-paid lines (service fee, platform extras). */
  renterFeeCents: number;
  cityFeeCents: number;
}

export function splitOf(q: Quote): PriceSplit {
  return {
    amountCents: q.totalChargedCents,
    hostCents: q.hostPayoutCents,
    commissionCents: q.commissionCents,
    renterFeeCents: q.platformRevenueCents - q.commissionCents,
    cityFeeCents: q.authorityCents,
  };
}

/**
 * The new price less the old, part by part (signed), or null when the
 * parts move in different directions (one party would gain while another
 * loses, which no single charge or refund can settle — only when a kitchen
 * changed its hourly price and cleaning fee in opposite directions).
 */
export function moveDifference(
  before: Quote,
  after: Quote,
): PriceSplit | null {
  const a = splitOf(before);
  const b = splitOf(after);
  const diff: PriceSplit = {
    amountCents: b.amountCents - a.amountCents,
    hostCents: b.hostCents - a.hostCents,
    commissionCents: b.commissionCents - a.commissionCents,
    renterFeeCents: b.renterFeeCents - a.renterFeeCents,
    cityFeeCents: b.cityFeeCents - a.cityFeeCents,
  };
  const parts = [
    diff.hostCents,
    diff.commissionCents,
    diff.renterFeeCents,
    diff.cityFeeCents,
  ];
  if (parts.some((n) => n > 0) && parts.some((n) => n < 0)) return null;
  return diff;
}

/** What the platform keeps of a positive difference: everything but the host's part. */
export function applicationFeeOf(diff: PriceSplit): number {
  return diff.amountCents - diff.hostCents;
}

/**
 * The ledger of a settled difference (pure): for a higher price, the
 * charge and where it went; for a lower one, the refund and what each
 * party gives back (its `ref` filled in by the refund job); nothing when
 * the price is the same.
 */
export function differenceLedger(
  diff: PriceSplit,
  chargeRef: string | null,
  at: number,
): LedgerEntry[] {
  const sign = diff.amountCents < 0 ? -1 : 1;
  const part = (n: number) => n * sign;
  const kinds = diff.amountCents > 0
    ? ["charge", "transfer", "commission", "renter_fee", "city_fee"] as const
    : diff.amountCents < 0
    ? [
      "refund",
      "transfer_reversal",
      "fee_refund",
      "renter_fee_refund",
      "city_fee_refund",
    ] as const
    : null;
  if (!kinds) return [];
  const amounts = [
    diff.amountCents,
    diff.hostCents,
    diff.commissionCents,
    diff.renterFeeCents,
    diff.cityFeeCents,
  ].map(part);
  return kinds.flatMap((kind, i) =>
    // The charge or refund line always; the others when they are not zero.
    i === 0 || amounts[i] > 0
      ? [{
        kind,
        amountCents: amounts[i],
        at,
        ref: i === 0 && diff.amountCents > 0 ? chargeRef : null,
      }]
      : []
  );
}

/** One refund against one PaymentIntent. */
export interface RefundPart {
  paymentIntentId: string;
  amountCents: number;
}

/**
 * Which payments a refund of `amountCents` comes from: the newest extra
 * charge first (a move's difference), then the booking's first payment;
 * and the extra charges with what they have had refunded after it (pure).
 * Null parts when the booking has only its first payment: refunds work as
 * they always did.
 */
export function refundParts(
  b: Pick<Booking, "payment" | "ledger">,
  amountCents: number,
): { parts: RefundPart[] | null; extra: ExtraCharge[] | undefined } {
  const extra = b.payment.extra;
  if (!extra || extra.length === 0) {
    return { parts: null, extra };
  }
  const sum = (kind: LedgerEntry["kind"]) =>
    b.ledger.filter((e) => e.kind === kind).reduce(
      (n, e) => n + e.amountCents,
      0,
    );
  const extraCharged = extra.reduce((n, c) => n + c.amountCents, 0);
  const extraRefunded = extra.reduce((n, c) => n + c.refundedCents, 0);
  const firstLeft = sum("charge") - extraCharged -
    (sum("refund") - extraRefunded);
  let left = amountCents;
  const parts: RefundPart[] = [];
  const next = extra.map((c) => ({ ...c }));
  for (let i = next.length - 1; i >= 0 && left > 0; i--) {
    const take = Math.min(left, next[i].amountCents - next[i].refundedCents);
    if (take <= 0) continue;
    parts.push({ paymentIntentId: next[i].paymentIntentId, amountCents: take });
    next[i].refundedCents += take;
    left -= take;
  }
  if (left > 0) {
    if (left > firstLeft || !b.payment.paymentIntentId) {
      throw new RangeError("A refund larger than what was paid");
    }
    parts.push({
      paymentIntentId: b.payment.paymentIntentId,
      amountCents: left,
    });
  }
  return { parts, extra: next };
}

/**
 * Until when a move's new time is held: the host's answer within 24 hours
 * (`requested`), or the renter's payment within the hold time; never past
 * either start, since the time must be settled before anyone arrives.
 */
export function moveDeadline(
  kind: "answer" | "pay",
  b: Pick<Booking, "start">,
  newStart: number,
  now: number,
): number {
  const wait = kind === "answer" ? MOVE_ANSWER_MS : MOVE_PAY_MS;
  return Math.min(now + wait, b.start, newStart);
}
