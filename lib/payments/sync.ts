/**
 * Stripe is the truth about money. Any Stripe event about a booking makes
 * the job read the booking's Checkout Session and PaymentIntent from Stripe
 * and move the booking to match, so duplicates and every order of
 * completed / expired / refunded end in the state Stripe is in (DESIGN §7).
 */
import type Stripe from "stripe";
import type { AuditActor } from "../audit/schema.ts";
import { getBooking } from "../bookings/repo.ts";
import { confirmPayment, type LifecycleDeps } from "../bookings/lifecycle.ts";
import { abandonHold, recordExternalRefund } from "../bookings/reconcile.ts";
import { expireRequest } from "../bookings/requests.ts";
import type { Booking } from "../bookings/schema.ts";
import { ConflictError } from "../errors.ts";
import { enqueueJob } from "../jobs/outbox.ts";
import { REFUND_JOB } from "../job_names.ts";

/** What Stripe says about a booking's payment. */
export interface StripeTruth {
  session: "open" | "complete" | "expired";
  paymentIntentId: string | null;
  /** PaymentIntent status: succeeded, requires_capture, canceled, … */
  intent: string | null;
  chargeId: string | null;
  amountCents: number;
  refundedCents: number;
}

export type SyncAction =
  | "none"
  | "confirm"
  | "abandon"
  | "expire_request"
  | "refunded_elsewhere";

/**
 * The change that brings a booking in line with Stripe (pure). Refunds we
 * made ourselves leave the booking cancelled already, so a refund only
 * matters when it took back everything from a booking we still count as
 * live or unpaid.
 */
export function syncAction(b: Booking, t: StripeTruth): SyncAction {
  const live = b.status === "held" || b.status === "requested" ||
    b.status === "confirmed" || b.status === "expired";
  if (t.amountCents > 0 && t.refundedCents >= t.amountCents) {
    return live && b.status !== "expired" ||
        (b.status === "expired" && !b.ledger.some((e) => e.kind === "refund"))
      ? "refunded_elsewhere"
      : "none";
  }
  if (t.intent === "succeeded" || t.intent === "requires_capture") {
    return b.status === "held" || b.status === "expired" ? "confirm" : "none";
  }
  if (t.session === "expired" || t.intent === "canceled") {
    if (b.status === "held") return "abandon";
    if (b.status === "requested") return "expire_request";
  }
  return "none";
}

/** Reads what Stripe says about the booking's payment. */
export async function readStripeTruth(
  stripe: Stripe,
  b: Booking,
): Promise<StripeTruth | null> {
  if (!b.payment.checkoutSessionId) return null;
  const session = await stripe.checkout.sessions.retrieve(
    b.payment.checkoutSessionId,
  );
  const piId = typeof session.payment_intent === "string"
    ? session.payment_intent
    : session.payment_intent?.id ?? null;
  if (!piId) {
    return {
      session: session.status ?? "open",
      paymentIntentId: null,
      intent: null,
      chargeId: null,
      amountCents: 0,
      refundedCents: 0,
    };
  }
  const pi = await stripe.paymentIntents.retrieve(piId, {
    expand: ["latest_charge"],
  });
  const charge = typeof pi.latest_charge === "object" ? pi.latest_charge : null;
  return {
    session: session.status ?? "open",
    paymentIntentId: pi.id,
    intent: pi.status,
    chargeId: charge?.id ?? null,
    amountCents: charge?.amount ?? 0,
    refundedCents: charge?.amount_refunded ?? 0,
  };
}

/** Moves the booking to match Stripe; idempotent. */
export async function syncBookingFromStripe(
  deps: LifecycleDeps,
  stripe: Stripe,
  bookingId: string,
  actor: AuditActor,
): Promise<void> {
  const b = await getBooking(deps.kv, bookingId);
  if (!b || b.payment.provider !== "stripe") return;
  const truth = await readStripeTruth(stripe, b);
  if (!truth) return;
  const refs = {
    provider: "stripe" as const,
    checkoutSessionId: b.payment.checkoutSessionId,
    paymentIntentId: truth.paymentIntentId,
    chargeId: truth.chargeId,
  };
  switch (syncAction(b, truth)) {
    case "confirm": {
      const outcome = await confirmPayment(deps, b.id, refs, actor);
      if (outcome.kind === "lost") {
        await refundLatePayment(deps, outcome.booking);
      }
      return;
    }
    case "abandon":
      await abandonHold(deps, b.id);
      return;
    case "expire_request":
      await expireRequest(deps, b.id, "The card authorisation was released.");
      return;
    case "refunded_elsewhere":
      await recordExternalRefund(deps, b.id, refs, truth.refundedCents, actor);
      return;
  }
}

/**
 * A payment that arrived after its hold lapsed, for time booked meanwhile:
 * refunded in full by the refund job (idempotency key `booking:<id>:refund:0`).
 */
export async function refundLatePayment(
  deps: LifecycleDeps,
  b: Booking,
): Promise<void> {
  try {
    await enqueueJob(deps.kv, {
      id: `booking-refund:${b.id}:late`,
      type: REFUND_JOB,
      payload: {
        bookingId: b.id,
        n: 0,
        amountCents: b.quote.totalChargedCents,
        hostReversalCents: 0,
        commissionRefundCents: 0,
      },
    }, { now: deps.now, wake: deps.mail.wake });
  } catch (err) {
    // A second run finds the job already there, and that is fine.
    if (!(err instanceof ConflictError)) throw err;
  }
}
