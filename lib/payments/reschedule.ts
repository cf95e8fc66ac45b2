/**
 * Changing a booking's time, the money (the calendar side is
 * lib/bookings/moves.ts). A higher price is charged to the renter's saved
 * card off-session (off_session.ts) under `booking:<id>:move:<moveId>:charge`;
 * when the bank declines or asks for authentication, the renter gets a
 * Checkout for the difference by email and on the booking page while the
 * new time stays held until a deadline. A lower price is refunded by the
 * refund job the move writes. Payments for a move reach `settleMovePayment`
 * through the usual signed-webhook → job path (purpose "reschedule").
 */
import type Stripe from "stripe";
import type { SessionUser } from "../accounts/schema.ts";
import type { AuditActor } from "../audit/schema.ts";
import { getBookingFor } from "../bookings/lifecycle.ts";
import {
  answerMove,
  awaitMovePayment,
  refundStrayMovePayment,
} from "../bookings/move_answers.ts";
import type { MoveAsk, MoveDeps } from "../bookings/move_read.ts";
import {
  completeMove,
  type MoveSettled,
  releaseMove,
} from "../bookings/move_settle.ts";
import type { MovePayment } from "../bookings/move_swap.ts";
import { startMove } from "../bookings/moves.ts";
import {
  applicationFeeOf,
  MOVE_PAY_MS,
  moveDifference,
} from "../bookings/move_rules.ts";
import { getBooking } from "../bookings/repo.ts";
import type { Booking, PendingMove } from "../bookings/schema.ts";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
} from "../errors.ts";
import { formatTimeRange } from "../format.ts";
import { getHostFresh } from "../hosts/repo.ts";
import { getKitchen } from "../kitchens/repo.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import { logError } from "../log.ts";
import { newId } from "../ids.ts";
import { CHECKOUT_MS } from "../bookings/holds.ts";
import { ensureStripeCustomer } from "./customers.ts";
import { recordPaymentEvent } from "./events.ts";
import {
  addOffSessionAudit,
  chargeOffSession,
  offSessionProblem,
  type OffSessionResult,
} from "./off_session.ts";
import { getUser } from "../accounts/repo.ts";
import { isStripeOutage } from "./stripe.ts";
import type { PaymentEvent } from "./schema.ts";

/** The purpose in a move's payments' metadata: what routes their webhooks here. */
export const MOVE_PURPOSE = "reschedule";

export interface RescheduleDeps extends MoveDeps {
  stripe: Stripe | null;
}

/** Where the renter stands after confirming a change of time. */
export type MoveOutcome =
  | { kind: "moved"; booking: Booking }
  | { kind: "requested"; booking: Booking }
  /** The saved card could not pay: pay the difference at `url`. */
  | { kind: "pay"; booking: Booking; url: string; external: boolean }
  /** The charge is still being made (Stripe did not answer): the booking page says so. */
  | { kind: "charging"; booking: Booking };

/** The idempotency key of a move's off-session charge. */
export function moveChargeKey(bookingId: string, moveId: string): string {
  return `booking:${bookingId}:move:${moveId}:charge`;
}

/**
 * The renter confirms a change of time on the review page: moved at once,
 * asked of the host, or (a higher price) charged to the saved card, with
 * a Checkout link when that fails.
 */
export async function requestMove(
  deps: RescheduleDeps,
  id: string,
  renter: Pick<SessionUser, "id" | "email">,
  ask: MoveAsk,
): Promise<MoveOutcome> {
  const started = await startMove(deps, id, renter, ask);
  if (started.kind === "moved") {
    return { kind: "moved", booking: started.booking };
  }
  if (started.move.status === "requested") {
    return { kind: "requested", booking: started.booking };
  }
  return await chargeNow(deps, id, started.move.id);
}

/** Runs a move's charge at once (its job would run it too): what the renter sees next. */
async function chargeNow(
  deps: RescheduleDeps,
  id: string,
  moveId: string,
): Promise<MoveOutcome> {
  try {
    await chargeMove(deps, id, moveId);
  } catch (err) {
    // The job retries; the booking page says the charge is under way.
    if (!isStripeOutage(err)) throw err;
    logError(`Charging move ${moveId} of booking ${id} failed:`, err);
  }
  const b = (await getBooking(deps.kv, id))!;
  if (b.move?.id === moveId && b.move.status === "awaiting_payment") {
    const url = b.move.payUrl ?? `/bookings/${id}/change/pay`;
    return { kind: "pay", booking: b, url, external: !url.startsWith("/") };
  }
  if (b.move?.id === moveId) return { kind: "charging", booking: b };
  return { kind: "moved", booking: b };
}

/**
 * The charge job (and its inline run): charges the difference of pending
 * move `moveId` to the renter's saved card. Paid: the move is made. Not:
 * the renter is sent a Checkout for it. Idempotent: the charge replays
 * under its key, and a move no longer charging is left alone.
 */
export async function chargeMove(
  deps: RescheduleDeps,
  id: string,
  moveId: string,
): Promise<void> {
  const b = await getBooking(deps.kv, id);
  const move = b?.move;
  if (!b || !move || move.id !== moveId || move.status !== "charging") return;
  const diff = moveDifference(b.quote, move.quote)!;
  const kitchen = await getKitchen(deps.kv, b.kitchenId);
  const host = (await getHostFresh(deps.kv, b.hostId)).value;
  const actor: AuditActor = {
    kind: "system",
    id: `booking-move-charge:${id}:${moveId}`,
  };
  const result = await chargeOffSession(deps, {
    bookingId: id,
    amountCents: diff.amountCents,
    applicationFeeCents: applicationFeeOf(diff),
    idempotencyKey: moveChargeKey(id, moveId),
    description: `Change of time: ${kitchen?.title ?? "kitchen booking"}, ${
      formatTimeRange(b.timeZone, move.start, move.end)
    }`,
    hostAccount: b.payment.provider === "stripe"
      ? host?.payout.accountId ?? null
      : null,
    purpose: MOVE_PURPOSE,
    ref: moveId,
  });
  if (result.status === "succeeded") {
    await settlePaid(
      deps,
      b,
      moveId,
      {
        paymentIntentId: result.paymentIntentId!,
        chargeId: result.chargeId,
        amountCents: diff.amountCents,
      },
      actor,
      result,
    );
    return;
  }
  const pay = await fallbackCheckout(deps, b, move, kitchen);
  await awaitMovePayment(deps, id, moveId, {
    ...pay,
    problem: offSessionProblem(result),
  }, (atomic) =>
    addOffSessionAudit(atomic, {
      actor,
      bookingId: id,
      amountCents: diff.amountCents,
      purpose: MOVE_PURPOSE,
      result,
    }, deps.now));
}

/**
 * A paid move made (or, when no longer pending, the payment refunded),
 * with the charge's audit entry in the atomic that records it.
 */
async function settlePaid(
  deps: RescheduleDeps,
  b: Booking,
  moveId: string,
  paid: MovePayment,
  actor: AuditActor,
  result?: OffSessionResult,
): Promise<MoveSettled | null> {
  const fresh = (await getBooking(deps.kv, b.id)) ?? b;
  const known = fresh.payment.extra?.some((c) =>
    c.paymentIntentId === paid.paymentIntentId
  );
  if (known) return null;
  if (fresh.move?.id !== moveId) {
    await refundStrayMovePayment(deps, b.id, paid, actor);
    return null;
  }
  const settled = await completeMove(
    deps,
    b.id,
    moveId,
    paid,
    actor,
    result
      ? (atomic) =>
        addOffSessionAudit(atomic, {
          actor,
          bookingId: b.id,
          amountCents: paid.amountCents,
          purpose: MOVE_PURPOSE,
          result,
        }, deps.now)
      : undefined,
  );
  return settled;
}

/** Where the renter pays a move's difference when the saved card could not, and until when. */
async function fallbackCheckout(
  deps: RescheduleDeps,
  b: Booking,
  move: PendingMove,
  kitchen: Kitchen | null,
): Promise<
  { deadline: number; payUrl: string; checkoutSessionId: string | null }
> {
  const deadline = Math.min(
    deps.now + MOVE_PAY_MS,
    Math.max(move.deadline, deps.now + MOVE_PAY_MS),
    b.start,
    move.start,
  );
  const demo = {
    deadline,
    payUrl: `/bookings/${b.id}/change/pay`,
    checkoutSessionId: null,
  };
  if (b.payment.provider !== "stripe") return demo;
  if (!deps.stripe) throw new Error("Stripe is not configured");
  const [host, renter] = await Promise.all([
    getHostFresh(deps.kv, b.hostId),
    getUser(deps.kv, b.renterId),
  ]);
  const destination = host.value?.payout.accountId;
  if (!destination || !renter) {
    throw new ConflictError(
      "This kitchen's host cannot take payments right now.",
    );
  }
  const customer = await ensureStripeCustomer(
    { ...deps, stripe: deps.stripe },
    renter,
  );
  const diff = moveDifference(b.quote, move.quote)!;
  const base = deps.mail.baseUrl;
  const metadata = { booking_id: b.id, purpose: MOVE_PURPOSE, ref: move.id };
  const session = await deps.stripe.checkout.sessions.create({
    mode: "payment",
    line_items: [{
      quantity: 1,
      price_data: {
        currency: b.quote.currency,
        unit_amount: diff.amountCents,
        product_data: {
          name: `Change of time: ${kitchen?.title ?? "kitchen booking"}, ${
            formatTimeRange(b.timeZone, move.start, move.end)
          }`.slice(0, 250),
        },
      },
    }],
    payment_intent_data: {
      application_fee_amount: applicationFeeOf(diff),
      transfer_data: { destination },
      metadata,
      setup_future_usage: "off_session",
    },
    metadata,
    customer,
    // Stripe's minimum is 30 minutes; the held time outlives the session.
    expires_at: Math.floor((deps.now + CHECKOUT_MS) / 1000),
    success_url: `${base}/bookings/${b.id}?notice=move_paid`,
    cancel_url: `${base}/bookings/${b.id}`,
  }, { idempotencyKey: `booking:${b.id}:move:${move.id}:checkout` });
  if (!session.url) throw new Error("Stripe returned no Checkout URL");
  return {
    deadline: Math.max(deadline, deps.now + CHECKOUT_MS + 60_000),
    payUrl: session.url,
    checkoutSessionId: session.id,
  };
}

/**
 * The handler of payments with purpose "reschedule" (wired in lib/app.ts):
 * an off-session PaymentIntent that succeeded or failed, a Checkout for
 * the difference completed, or the demo equivalent. Reads what Stripe says
 * now; idempotent, in any order.
 */
export async function settleMovePayment(
  deps: RescheduleDeps,
  event: PaymentEvent,
): Promise<void> {
  const id = event.bookingId;
  const moveId = event.ref;
  if (!id || !moveId) return;
  const b = await getBooking(deps.kv, id);
  if (!b) return;
  const actor: AuditActor = {
    kind: event.provider === "stripe" ? "stripe" : "system",
    id: event.id,
  };
  if (event.provider === "demo") {
    if (event.type !== "demo.paid" || !event.paymentIntentId) return;
    await settlePaid(deps, b, moveId, {
      paymentIntentId: event.paymentIntentId,
      chargeId: event.chargeId,
      amountCents: b.move?.id === moveId ? b.move.differenceCents : 0,
    }, actor);
    return;
  }
  if (!deps.stripe) {
    throw new Error("A Stripe event, but Stripe is not configured");
  }
  let piId = event.paymentIntentId;
  if (!piId && event.checkoutSessionId) {
    const session = await deps.stripe.checkout.sessions.retrieve(
      event.checkoutSessionId,
    );
    piId = typeof session.payment_intent === "string"
      ? session.payment_intent
      : session.payment_intent?.id ?? null;
  }
  if (!piId) return;
  const pi = await deps.stripe.paymentIntents.retrieve(piId);
  if (pi.status === "succeeded") {
    const charge = typeof pi.latest_charge === "string"
      ? pi.latest_charge
      : pi.latest_charge?.id ?? null;
    await settlePaid(deps, b, moveId, {
      paymentIntentId: pi.id,
      chargeId: charge,
      amountCents: pi.amount_received,
    }, actor);
    return;
  }
  // A failed off-session attempt: the charge job's own path (replayed under
  // its key) sends the renter to Checkout, if it has not already.
  if (b.move?.id === moveId && b.move.status === "charging") {
    await chargeMove(deps, id, moveId);
  }
}

/** What the pay-the-difference page leads to. */
export type MovePayPage =
  | { kind: "demo"; booking: Booking; kitchen: Kitchen; move: PendingMove }
  | { kind: "redirect"; url: string; external: boolean };

/**
 * The renter comes to pay a move's difference: the open Checkout, the demo
 * page, or the booking page when there is nothing to pay (any more).
 */
export async function resumeMovePayment(
  deps: RescheduleDeps,
  id: string,
  renter: { id: string; roles: readonly string[] },
): Promise<MovePayPage> {
  const b = await getBookingFor(deps.kv, id, renter);
  if (b.renterId !== renter.id) {
    throw new NotFoundError("We could not find that booking.");
  }
  const page = {
    kind: "redirect" as const,
    url: `/bookings/${id}`,
    external: false,
  };
  const move = b.move;
  if (
    !move || move.status !== "awaiting_payment" || move.deadline <= deps.now
  ) return page;
  if (b.payment.provider === "demo") {
    const kitchen = await getKitchen(deps.kv, b.kitchenId);
    return kitchen ? { kind: "demo", booking: b, kitchen, move } : page;
  }
  if (!deps.stripe || !move.checkoutSessionId) return page;
  try {
    const session = await deps.stripe.checkout.sessions.retrieve(
      move.checkoutSessionId,
    );
    return session.status === "open" && session.url
      ? { kind: "redirect", url: session.url, external: true }
      : page;
  } catch (err) {
    if (!isStripeOutage(err)) throw err;
    logError(`Resuming the payment of move ${move.id} failed:`, err);
    throw new UnavailableError(
      "Payments are unavailable right now; try again in a minute. The new time stays held until the deadline on your booking page.",
    );
  }
}

/** The demo page's "Pay": the difference paid with nothing charged, as the event Stripe would send. */
export async function payMoveDemo(
  deps: RescheduleDeps,
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
  const move = b.move;
  if (
    !move || move.status !== "awaiting_payment" || move.deadline <= deps.now
  ) {
    throw new ConflictError(
      "There is no change of time waiting for payment on this booking.",
    );
  }
  await recordPaymentEvent(deps.kv, {
    id: `demo_evt_${newId()}`,
    type: "demo.paid",
    provider: "demo",
    receivedAt: deps.now,
    bookingId: id,
    accountId: null,
    chargeId: `demo_ch_${id}_${move.id}`,
    paymentIntentId: `demo_pi_${id}_${move.id}`,
    checkoutSessionId: null,
    purpose: MOVE_PURPOSE,
    ref: move.id,
    createdAt: deps.now,
  }, { now: deps.now, wake: deps.mail.wake });
}

/**
 * The host answers a late change of time. Accepted at a higher price, the
 * saved card is charged at once (its job would too).
 */
export async function answerMoveAsHost(
  deps: RescheduleDeps,
  id: string,
  host: Pick<SessionUser, "id" | "email">,
  answer: { accept: boolean; moveId: string; reason: string | null },
): Promise<Booking> {
  const answered = await answerMove(deps, id, host, answer);
  if (answered.kind === "charging") {
    return (await chargeNow(deps, id, answer.moveId)).booking;
  }
  return answered.booking;
}

/** The renter takes back a change of time still waiting (for the host, or for payment). */
export async function withdrawMove(
  deps: RescheduleDeps,
  id: string,
  renter: Pick<SessionUser, "id" | "email">,
  moveId: string,
): Promise<void> {
  const b = await getBooking(deps.kv, id);
  if (!b || b.renterId !== renter.id) {
    throw new NotFoundError("We could not find that booking.");
  }
  if (!b.move || b.move.id !== moveId || b.move.status === "charging") {
    throw new ConflictError(
      "This change of time can no longer be withdrawn; the booking page says where it stands.",
    );
  }
  await releaseMove(deps, id, moveId, "withdrawn", {
    kind: "user",
    id: renter.id,
    email: renter.email,
  });
}
