/**
 * Request-to-book, the money side: bookings/requests.ts changes the booking
 * once the money here has moved.
 *
 * Accepting captures the authorised card (idempotency key
 * `booking:<id>:capture`) before the booking is confirmed; a declined or
 * lapsed request's authorisation is released by a job.
 */
import Stripe from "stripe";
import { getBooking } from "../bookings/repo.ts";
import {
  confirmRequest,
  expireRequest,
  requireHostOf,
  requireHostsTurn,
} from "../bookings/requests.ts";
import type { Booking } from "../bookings/schema.ts";
import { TransitionError } from "../bookings/state.ts";
import { addAudit } from "../audit/repo.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import type { PaymentDeps } from "./events.ts";

/** The host accepts: capture, then confirm. Safe to repeat. */
export async function acceptRequest(
  deps: PaymentDeps,
  id: string,
  actor: { id: string; email?: string; roles: readonly string[] },
  /** A series' first date, accepted for the whole series (bookings/series.ts). */
  opts: { asSeries?: boolean } = {},
): Promise<Booking> {
  const b = await getBooking(deps.kv, id);
  if (!b) throw new NotFoundError("We could not find that booking.");
  requireHostOf(b, actor);
  if (b.status === "confirmed") return b;
  requireHostsTurn(b, opts);
  if (b.status !== "requested" || (b.respondBy ?? 0) <= deps.now) {
    throw new ConflictError(
      "This request can no longer be accepted: it was answered or it expired.",
    );
  }
  let chargeId = b.payment.chargeId;
  if (b.payment.provider === "stripe") {
    if (!deps.stripe || !b.payment.paymentIntentId) {
      throw new Error(`Booking ${id} has no authorised payment to capture`);
    }
    try {
      const pi = await deps.stripe.paymentIntents.capture(
        b.payment.paymentIntentId,
        {},
        { idempotencyKey: `booking:${id}:capture` },
      );
      chargeId = typeof pi.latest_charge === "string"
        ? pi.latest_charge
        : pi.latest_charge?.id ?? chargeId;
    } catch (err) {
      if (err instanceof Stripe.errors.StripeInvalidRequestError) {
        // The authorisation lapsed or was released: the request cannot stand.
        await expireRequest(
          deps,
          id,
          "The card authorisation had lapsed, so the request could not be accepted.",
        );
        throw new ConflictError(
          "The renter's card authorisation has lapsed, so this request has expired.",
        );
      }
      throw err;
    }
  }
  try {
    return await confirmRequest(
      deps,
      id,
      { kind: "user", id: actor.id, email: actor.email },
      chargeId,
    );
  } catch (err) {
    // The renter withdrew (or the request lapsed) while the card was being
    // captured: the booking stands as they left it, so the capture goes back.
    if (err instanceof TransitionError && b.payment.provider === "stripe") {
      await undoCapture(deps, b, err.from);
      throw new ConflictError(
        `This request was ${
          err.from === "withdrawn" ? "withdrawn by the renter" : err.from
        } a moment ago, so it cannot be accepted; the renter's card was refunded in full.`,
      );
    }
    throw err;
  }
}

/**
 * Refunds in full a capture that raced a request's end (the booking was
 * never confirmed, so its ledger records no charge), with the host's
 * transfer and the platform's fee taken back; audited.
 */
async function undoCapture(
  deps: PaymentDeps,
  b: Booking,
  status: string,
): Promise<void> {
  const refund = await deps.stripe!.refunds.create({
    payment_intent: b.payment.paymentIntentId!,
    reverse_transfer: true,
    refund_application_fee: true,
    metadata: { booking_id: b.id, reason: `request ${status}` },
  }, { idempotencyKey: `booking:${b.id}:capture-undo` });
  const atomic = deps.kv.atomic();
  addAudit(atomic, {
    actor: { kind: "system", id: null },
    action: "payment.capture_refunded",
    subject: { kind: "booking", id: b.id },
    details: {
      refund: refund.id,
      amountCents: b.quote.totalChargedCents,
      status,
    },
  }, deps.now);
  await atomic.commit();
}

/**
 * The release job: cancels the authorisation of a request that will not be
 * charged (declined, lapsed or withdrawn).
 */
export async function releaseAuthorisation(
  deps: PaymentDeps,
  id: string,
): Promise<void> {
  const b = await getBooking(deps.kv, id);
  if (!b || b.payment.provider !== "stripe" || !b.payment.paymentIntentId) {
    return;
  }
  if (!["declined", "expired", "withdrawn"].includes(b.status)) return;
  if (!deps.stripe) throw new Error("Stripe is not configured");
  const pi = await deps.stripe.paymentIntents.retrieve(
    b.payment.paymentIntentId,
  );
  if (pi.status !== "requires_capture") return;
  await deps.stripe.paymentIntents.cancel(pi.id, {}, {
    idempotencyKey: `booking:${id}:release`,
  });
}
