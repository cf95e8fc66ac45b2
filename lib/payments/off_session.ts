/**
 * Charging a renter's saved card without them (DESIGN §16): a changed
 * booking's higher price, a standing booking's later occurrence. One
 * PaymentIntent per thing charged, confirmed off-session as a destination
 * charge to the host (as Checkout's are), under a deterministic idempotency
 * key derived from what it is for, so a retried job or a second run never
 * charges twice. In demo mode the renter's demo card decides the outcome.
 *
 * The caller records the outcome — the booking change, its ledger entries
 * (`chargeLedger`) and the audit entry (`addOffSessionAudit`) — in one
 * atomic. Stripe's `payment_intent.succeeded` / `payment_intent.payment_failed`
 * webhooks for these PaymentIntents carry `purpose` in their metadata and
 * reach that purpose's handler (`OffSessionHandlers`, wired in lib/app.ts)
 * through the usual signed-webhook → job path, in case the caller's job
 * never got to record it.
 */
import Stripe from "stripe";
import { addAudit } from "../audit/repo.ts";
import type { AuditActor } from "../audit/schema.ts";
import { getBooking } from "../bookings/repo.ts";
import type { LifecycleDeps } from "../bookings/lifecycle.ts";
import type { LedgerEntry } from "../bookings/schema.ts";
import { NotFoundError } from "../errors.ts";
import { getPaymentCustomer } from "./repo.ts";
import type { PaymentEvent } from "./schema.ts";

/**
 * How an off-session charge went: paid; declined by the bank (or no card is
 * saved); or the bank wants the renter to authenticate, which only a
 * payment page with them present can do. Either failure means: send the
 * renter a link to pay on Checkout.
 */
export type OffSessionStatus = "succeeded" | "declined" | "requires_action";

export interface OffSessionCharge {
  /** The booking charged for (an occurrence is a booking); its renter's card pays. */
  bookingId: string;
  amountCents: number;
  /**
   * What the platform keeps of it: commission, renter fee, city fees (the
   * quote's total less the host's payout). Defaults to 0: all to the host.
   */
  applicationFeeCents?: number;
  /** Derived from what it is for: `occ:<bookingId>:charge`, `booking:<id>:move:<moveId>:charge`. */
  idempotencyKey: string;
  /** On the renter's statement line and in Stripe's dashboard. */
  description: string;
  /** The host's Connect account (Stripe mode): the destination, as at Checkout. */
  hostAccount: string | null;
  /** What it is for, read back from webhooks: "occurrence", "reschedule". Defaults to "occurrence". */
  purpose?: string;
  /** The charge's own reference within its purpose (a move's id). */
  ref?: string;
}

export interface OffSessionResult {
  status: OffSessionStatus;
  /** Null only when there was nothing to charge (no saved card). */
  paymentIntentId: string | null;
  /** The successful charge, for the ledger. */
  chargeId: string | null;
  /** Why it did not succeed: Stripe's code (`card_declined`, `authentication_required`) or `no_saved_card`. */
  code: string | null;
  provider: "stripe" | "demo";
}

export interface OffSessionDeps {
  kv: Deno.Kv;
  now: number;
  stripe: Stripe | null;
}

/** The renter has no card to charge: the same next step as a decline. */
export const NO_SAVED_CARD = "no_saved_card";

/**
 * Charges the booking's renter's saved card `amountCents` off-session.
 * Idempotent under `idempotencyKey`: a repeat returns the first outcome
 * without charging again. Throws only when Stripe cannot be reached or
 * refuses the request itself (the job retries); a card's failure is a
 * result, not an error.
 */
export async function chargeOffSession(
  deps: OffSessionDeps,
  charge: OffSessionCharge,
): Promise<OffSessionResult> {
  const booking = await getBooking(deps.kv, charge.bookingId);
  if (!booking) throw new NotFoundError("We could not find that booking.");
  const customer = await getPaymentCustomer(deps.kv, booking.renterId);
  if (booking.payment.provider === "demo") {
    return demoCharge(customer?.demoCard ?? null, charge.idempotencyKey);
  }
  if (!deps.stripe) throw new Error("Stripe is not configured");
  const none: OffSessionResult = {
    status: "declined",
    paymentIntentId: null,
    chargeId: null,
    code: NO_SAVED_CARD,
    provider: "stripe",
  };
  const customerId = customer?.stripeCustomerId;
  if (!customerId) return none;
  const cards = await deps.stripe.paymentMethods.list({
    customer: customerId,
    type: "card",
    limit: 1,
  });
  const card = cards.data[0];
  if (!card) return none;
  const metadata: Record<string, string> = {
    booking_id: booking.id,
    purpose: charge.purpose ?? "occurrence",
    charge_key: charge.idempotencyKey.slice(0, 500),
    ...(charge.ref ? { ref: charge.ref } : {}),
  };
  try {
    const pi = await deps.stripe.paymentIntents.create({
      amount: charge.amountCents,
      currency: booking.quote.currency,
      customer: customerId,
      payment_method: card.id,
      off_session: true,
      confirm: true,
      ...(charge.hostAccount
        ? {
          application_fee_amount: charge.applicationFeeCents ?? 0,
          transfer_data: { destination: charge.hostAccount },
        }
        : {}),
      metadata,
      description: charge.description.slice(0, 1000),
    }, { idempotencyKey: charge.idempotencyKey });
    return resultOf(pi);
  } catch (err) {
    if (err instanceof Stripe.errors.StripeCardError) {
      return {
        status: err.code === "authentication_required"
          ? "requires_action"
          : "declined",
        paymentIntentId: err.payment_intent?.id ?? null,
        chargeId: null,
        code: err.code ?? "card_declined",
        provider: "stripe",
      };
    }
    if (err instanceof Stripe.errors.StripeIdempotencyError) {
      // The first attempt used another card (the renter saved a new one
      // between a job's retries): that attempt's PaymentIntent is the answer.
      const earlier = await findByKey(
        deps.stripe,
        customerId,
        charge.idempotencyKey,
      );
      if (earlier) return resultOf(earlier);
    }
    throw err;
  }
}

/** The outcome a PaymentIntent stands at (pure). */
export function resultOf(pi: Stripe.PaymentIntent): OffSessionResult {
  const chargeId = typeof pi.latest_charge === "string"
    ? pi.latest_charge
    : pi.latest_charge?.id ?? null;
  const base = { paymentIntentId: pi.id, provider: "stripe" as const };
  switch (pi.status) {
    case "succeeded":
    case "requires_capture":
      return { ...base, status: "succeeded", chargeId, code: null };
    case "requires_action":
    case "requires_confirmation":
      return {
        ...base,
        status: "requires_action",
        chargeId: null,
        code: "authentication_required",
      };
    case "requires_payment_method":
    case "canceled": {
      const code = pi.last_payment_error?.code ?? "card_declined";
      return {
        ...base,
        status: code === "authentication_required"
          ? "requires_action"
          : "declined",
        chargeId: null,
        code,
      };
    }
    default:
      // "processing" never happens to cards; a retry will see it settle.
      throw new Error(`PaymentIntent ${pi.id} is ${pi.status}`);
  }
}

async function findByKey(
  stripe: Stripe,
  customer: string,
  key: string,
): Promise<Stripe.PaymentIntent | null> {
  const recent = await stripe.paymentIntents.list({ customer, limit: 100 });
  return recent.data.find((pi) => pi.metadata?.charge_key === key) ?? null;
}

/** Demo ids derived from the idempotency key: a repeat gives the same ones. */
function demoIds(key: string) {
  const tail = key.replace(/[^A-Za-z0-9]+/g, "_").slice(0, 200);
  return { pi: `demo_pi_${tail}`, ch: `demo_ch_${tail}` };
}

/** What the demo card the renter last paid with does to a later charge (pure). */
export function demoCharge(
  card: "works" | "declines" | "needs_authentication" | null,
  idempotencyKey: string,
): OffSessionResult {
  const ids = demoIds(idempotencyKey);
  switch (card) {
    case "works":
      return {
        status: "succeeded",
        paymentIntentId: ids.pi,
        chargeId: ids.ch,
        code: null,
        provider: "demo",
      };
    case "declines":
      return {
        status: "declined",
        paymentIntentId: ids.pi,
        chargeId: null,
        code: "card_declined",
        provider: "demo",
      };
    case "needs_authentication":
      return {
        status: "requires_action",
        paymentIntentId: ids.pi,
        chargeId: null,
        code: "authentication_required",
        provider: "demo",
      };
    case null:
      return {
        status: "declined",
        paymentIntentId: null,
        chargeId: null,
        code: NO_SAVED_CARD,
        provider: "demo",
      };
  }
}

/** What the renter is told about a failed off-session charge, in plain words (pure). */
export function offSessionProblem(result: OffSessionResult): string {
  if (result.status === "requires_action") {
    return "Your bank asked to confirm this payment with you.";
  }
  return result.code === NO_SAVED_CARD
    ? "We have no card saved to charge."
    : "Your card was declined.";
}

/**
 * The ledger of an off-session charge split as a quote splits: the charge,
 * the host's transfer, and what the platform and authorities keep. Parts
 * must add up to the charge (pure; throws when they do not).
 */
export function chargeLedger(
  split: {
    amountCents: number;
    hostCents: number;
    commissionCents: number;
    renterFeeCents: number;
    cityFeeCents: number;
  },
  chargeId: string | null,
  at: number,
): LedgerEntry[] {
  const { amountCents, hostCents, commissionCents, renterFeeCents } = split;
  if (
    amountCents !==
      hostCents + commissionCents + renterFeeCents + split.cityFeeCents ||
    [hostCents, commissionCents, renterFeeCents, split.cityFeeCents].some((n) =>
      n < 0
    )
  ) throw new RangeError("A charge's parts must add up to it");
  const entries: LedgerEntry[] = [
    { kind: "charge", amountCents, at, ref: chargeId },
    { kind: "transfer", amountCents: hostCents, at, ref: null },
    { kind: "commission", amountCents: commissionCents, at, ref: null },
  ];
  if (renterFeeCents > 0) {
    entries.push({
      kind: "renter_fee",
      amountCents: renterFeeCents,
      at,
      ref: null,
    });
  }
  if (split.cityFeeCents > 0) {
    entries.push({
      kind: "city_fee",
      amountCents: split.cityFeeCents,
      at,
      ref: null,
    });
  }
  return entries;
}

/**
 * Adds the audit entry of an off-session charge's outcome to the atomic
 * that records it: `payment.charged_off_session` or
 * `payment.off_session_failed`.
 */
export function addOffSessionAudit(
  atomic: Deno.AtomicOperation,
  entry: {
    actor: AuditActor;
    bookingId: string;
    amountCents: number;
    purpose: string;
    result: OffSessionResult;
  },
  now: number,
): void {
  const { result } = entry;
  addAudit(atomic, {
    actor: entry.actor,
    action: result.status === "succeeded"
      ? "payment.charged_off_session"
      : "payment.off_session_failed",
    subject: { kind: "booking", id: entry.bookingId },
    details: {
      amountCents: entry.amountCents,
      purpose: entry.purpose,
      provider: result.provider,
      paymentIntent: result.paymentIntentId,
      status: result.status,
      code: result.code,
    },
  }, now);
}

/**
 * Settles a payment event of one purpose: an off-session PaymentIntent
 * that succeeded or failed, or a fallback Checkout for it that completed
 * or expired. Reads Stripe's current state (events are only a trigger) and
 * must be idempotent.
 */
export type OffSessionHandler = (
  deps: OffSessionDeps & LifecycleDeps,
  event: PaymentEvent,
) => Promise<void>;

/** Handlers by purpose, wired at the composition root (lib/app.ts). */
export type OffSessionHandlers = Partial<Record<string, OffSessionHandler>>;
