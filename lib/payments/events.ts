/**
 * Payment events reach the app one way, whoever sends them: recorded by id
 * (checked absent, so a duplicate delivery is a no-op) together with the job
 * that processes them, in one atomic (DESIGN §6, §7). The demo checkout
 * produces the same kind of events as Stripe's webhooks, so both run through
 * the same job and the same booking state machine.
 */
import type Stripe from "stripe";
import { z } from "zod";
import { keys } from "../db/keys.ts";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors.ts";
import { newId } from "../ids.ts";
import { addJob } from "../jobs/outbox.ts";
import {
  confirmPayment,
  getBooking,
  type LifecycleDeps,
} from "../bookings/lifecycle.ts";
import { refundLatePayment, syncBookingFromStripe } from "./sync.ts";
import { flagDispute, syncPayoutAccount } from "./connect.ts";
import { verifyWebhook } from "./stripe.ts";

export const PAYMENT_EVENT_JOB = "payment.event";

const id = z.string().min(1).max(255);
const bookingId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/);

/**
 * What we keep of an event: enough to act on, never the whole payload
 * (Stripe's objects can outgrow a KV value). Stripe events about a booking
 * are only a trigger: the job reads the booking's payment from Stripe and
 * moves the booking to match it, so the order events arrive in never matters.
 */
export const paymentEvent = z.object({
  id,
  /** Stripe's event type, or the demo checkout's "demo.paid". */
  type: z.string().min(1).max(100),
  provider: z.enum(["stripe", "demo"]),
  receivedAt: z.number().int(),
  bookingId: bookingId.nullable(),
  /** Connect account for account.updated. */
  accountId: id.nullable(),
  /** Charge of a dispute. */
  chargeId: id.nullable(),
  paymentIntentId: id.nullable(),
  checkoutSessionId: id.nullable(),
});
export type PaymentEvent = z.infer<typeof paymentEvent>;

/** Stripe event types that start work; every other type is recorded and ignored. */
export const HANDLED_STRIPE_EVENTS = [
  "checkout.session.completed",
  "checkout.session.expired",
  "payment_intent.canceled",
  "charge.refunded",
  "charge.dispute.created",
  "account.updated",
] as const;

/** The booking an object belongs to: our metadata, or the session's client reference. */
function bookingOf(obj: Record<string, unknown>): string | null {
  const meta = obj.metadata as Record<string, string> | undefined;
  const candidate = meta?.booking_id ??
    (obj.client_reference_id as string | undefined);
  return candidate && bookingId.safeParse(candidate).success ? candidate : null;
}

function idOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && "id" in value) {
    return String((value as { id: unknown }).id);
  }
  return null;
}

/** A verified Stripe event as we record it (pure). */
export function fromStripeEvent(
  event: Stripe.Event,
  receivedAt: number,
): PaymentEvent {
  const obj = event.data.object as unknown as Record<string, unknown>;
  const base = {
    id: event.id,
    type: event.type,
    provider: "stripe" as const,
    receivedAt,
    bookingId: null,
    accountId: null,
    chargeId: null,
    paymentIntentId: null,
    checkoutSessionId: null,
  };
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.expired":
      return {
        ...base,
        bookingId: bookingOf(obj),
        checkoutSessionId: idOf(obj.id),
        paymentIntentId: idOf(obj.payment_intent),
      };
    case "payment_intent.canceled":
      return {
        ...base,
        bookingId: bookingOf(obj),
        paymentIntentId: idOf(obj.id),
      };
    case "charge.refunded":
      return {
        ...base,
        bookingId: bookingOf(obj),
        chargeId: idOf(obj.id),
        paymentIntentId: idOf(obj.payment_intent),
      };
    case "charge.dispute.created":
      return {
        ...base,
        chargeId: idOf(obj.charge),
        paymentIntentId: idOf(obj.payment_intent),
      };
    case "account.updated":
      return { ...base, accountId: idOf(obj.id) };
    default:
      return base;
  }
}

/**
 * Records an event and, when it starts work, its processing job, once: a
 * second delivery of the same id changes nothing and returns false.
 */
export async function recordPaymentEvent(
  kv: Deno.Kv,
  event: PaymentEvent,
  opts: { now: number; wake: boolean },
): Promise<boolean> {
  const key = keys.paymentEvent(event.id);
  const atomic = kv.atomic()
    .check({ key, versionstamp: null })
    .set(key, paymentEvent.parse(event), { expireIn: 90 * 24 * 3600_000 });
  const handled = event.provider === "demo" ||
    (HANDLED_STRIPE_EVENTS as readonly string[]).includes(event.type);
  if (handled) {
    addJob(atomic, {
      id: `payment-event:${event.id}`,
      type: PAYMENT_EVENT_JOB,
      payload: { eventId: event.id },
    }, opts);
  }
  return (await atomic.commit()).ok;
}

export interface PaymentDeps extends LifecycleDeps {
  /** The Stripe client in Stripe mode; null for demo payments. */
  stripe: Stripe | null;
}

/**
 * The processing job: applies a recorded event. Idempotent, and indifferent
 * to order: Stripe events make the booking match what Stripe says now.
 */
export async function processPaymentEvent(
  deps: PaymentDeps,
  eventId: string,
): Promise<void> {
  const event = (await deps.kv.get<PaymentEvent>(keys.paymentEvent(eventId)))
    .value;
  if (!event) return;
  const actor = {
    kind: event.provider === "stripe" ? "stripe" as const : "system" as const,
    id: event.id,
  };
  if (event.provider === "demo") {
    if (!event.bookingId) return;
    const outcome = await confirmPayment(deps, event.bookingId, {
      provider: "demo",
      checkoutSessionId: event.checkoutSessionId,
      paymentIntentId: event.paymentIntentId,
      chargeId: event.chargeId,
    }, actor);
    if (outcome.kind === "lost") await refundLatePayment(deps, outcome.booking);
    return;
  }
  if (!deps.stripe) {
    throw new Error("A Stripe event, but Stripe is not configured");
  }
  switch (event.type) {
    case "account.updated":
      if (event.accountId) {
        await syncPayoutAccount(deps, deps.stripe, event.accountId);
      }
      return;
    case "charge.dispute.created":
      await flagDispute(deps, deps.stripe, event, actor);
      return;
  }
  const booking = event.bookingId ??
    (event.paymentIntentId
      ? await bookingOfPaymentIntent(deps.stripe, event.paymentIntentId)
      : null);
  if (booking) await syncBookingFromStripe(deps, deps.stripe, booking, actor);
}

async function bookingOfPaymentIntent(
  stripe: Stripe,
  paymentIntentId: string,
): Promise<string | null> {
  const pi = await stripe.paymentIntents.retrieve(paymentIntentId);
  return bookingOf(pi as unknown as Record<string, unknown>);
}

/**
 * The demo checkout's "Pay": the renter's own held booking, paid with
 * nothing charged, as the event Stripe would send.
 */
export async function payDemo(
  deps: LifecycleDeps,
  id: string,
  renterId: string,
): Promise<void> {
  const b = await getBooking(deps.kv, id);
  if (!b || b.renterId !== renterId) {
    throw new NotFoundError("We could not find that booking.");
  }
  if (b.payment.provider !== "demo") {
    throw new ForbiddenError("This booking is paid through Stripe.");
  }
  if (b.status !== "held") {
    throw new ConflictError(
      b.status === "expired"
        ? "This hold has lapsed; please pick your hours again."
        : "This booking is already paid.",
    );
  }
  await recordPaymentEvent(deps.kv, {
    id: `demo_evt_${newId()}`,
    type: "demo.paid",
    provider: "demo",
    receivedAt: deps.now,
    bookingId: id,
    accountId: null,
    chargeId: `demo_ch_${id}`,
    paymentIntentId: `demo_pi_${id}`,
    checkoutSessionId: `demo_cs_${id}`,
  }, { now: deps.now, wake: deps.mail.wake });
}

/**
 * A webhook delivery: verified against the endpoint's secret (a bad,
 * missing or stale signature throws a 400 and records nothing), then
 * recorded once with its job. Returns whether it was new.
 */
export async function receiveStripeWebhook(
  kv: Deno.Kv,
  stripe: Stripe,
  delivery: { body: string; signature: string | undefined; secret: string },
  opts: { now: number; wake: boolean },
): Promise<boolean> {
  const event = await verifyWebhook(
    stripe,
    delivery.body,
    delivery.signature,
    delivery.secret,
  );
  return await recordPaymentEvent(kv, fromStripeEvent(event, opts.now), opts);
}
