/**
 * Payment events reach the app one way, whoever sends them: recorded by id
 * (checked absent, so a duplicate delivery is a no-op) together with the job
 * that processes them, in one atomic (DESIGN §6, §7). The demo checkout
 * produces the same events as Stripe's webhooks, so both run through the
 * same job and the same booking state machine.
 */
import { z } from "zod";
import { keys } from "../db/keys.ts";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors.ts";
import { newId } from "../ids.ts";
import { addJob } from "../jobs/outbox.ts";
import {
  confirmPayment,
  expireHold,
  getBooking,
  type LifecycleDeps,
  REFUND_JOB,
} from "../bookings/lifecycle.ts";

export const PAYMENT_EVENT_JOB = "payment.event";

export const paymentEvent = z.object({
  /** Stripe's event id (evt_…) or a demo id; the key that makes delivery idempotent. */
  id: z.string().min(1).max(255),
  type: z.enum(["checkout.completed", "checkout.expired"]),
  bookingId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/),
  provider: z.enum(["stripe", "demo"]),
  checkoutSessionId: z.string().max(255).nullable(),
  paymentIntentId: z.string().max(255).nullable(),
  chargeId: z.string().max(255).nullable(),
  receivedAt: z.number().int(),
});
export type PaymentEvent = z.infer<typeof paymentEvent>;

/**
 * Records an event and its processing job, once: a second delivery of the
 * same id changes nothing and returns false.
 */
export async function recordPaymentEvent(
  kv: Deno.Kv,
  event: PaymentEvent,
  opts: { now: number; wake: boolean },
): Promise<boolean> {
  const key = keys.paymentEvent(event.id);
  const atomic = kv.atomic()
    .check({ key, versionstamp: null })
    .set(key, paymentEvent.parse(event));
  addJob(atomic, {
    id: `payment-event:${event.id}`,
    type: PAYMENT_EVENT_JOB,
    payload: { eventId: event.id },
  }, opts);
  return (await atomic.commit()).ok;
}

/**
 * The processing job: applies a recorded event to its booking. Idempotent,
 * and indifferent to order: a completion after an expiry re-claims the time
 * if it is free and otherwise refunds in full.
 */
export async function processPaymentEvent(
  deps: LifecycleDeps,
  eventId: string,
): Promise<void> {
  const event = (await deps.kv.get<PaymentEvent>(keys.paymentEvent(eventId)))
    .value;
  if (!event) return;
  if (event.type === "checkout.expired") {
    await expireHold(deps, event.bookingId);
    return;
  }
  const outcome = await confirmPayment(deps, event.bookingId, {
    provider: event.provider,
    checkoutSessionId: event.checkoutSessionId,
    paymentIntentId: event.paymentIntentId,
    chargeId: event.chargeId,
  });
  if (outcome.kind === "lost") {
    const b = outcome.booking;
    const atomic = deps.kv.atomic();
    addJob(atomic, {
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
    // A second run of this job finds the refund job already there.
    await atomic.commit();
  }
}

/**
 * The demo checkout's "Pay": the renter's own held booking, paid with
 * nothing charged, as the event Stripe would send.
 */
export async function payDemo(
  deps: LifecycleDeps,
  bookingId: string,
  renterId: string,
): Promise<void> {
  const b = await getBooking(deps.kv, bookingId);
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
    type: "checkout.completed",
    bookingId,
    provider: "demo",
    checkoutSessionId: `demo_cs_${bookingId}`,
    paymentIntentId: `demo_pi_${bookingId}`,
    chargeId: `demo_ch_${bookingId}`,
    receivedAt: deps.now,
  }, { now: deps.now, wake: deps.mail.wake });
}
