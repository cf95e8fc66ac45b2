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
} from "../bookings/requests.ts";
import type { Booking } from "../bookings/schema.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import type { PaymentDeps } from "./events.ts";

/** The host accepts: capture, then confirm. Safe to repeat. */
export async function acceptRequest(
  deps: PaymentDeps,
  id: string,
  actor: { id: string; email?: string; roles: readonly string[] },
): Promise<Booking> {
  const b = await getBooking(deps.kv, id);
  if (!b) throw new NotFoundError("We could not find that booking.");
  requireHostOf(b, actor);
  if (b.status === "confirmed") return b;
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
  return await confirmRequest(
    deps,
    id,
    { kind: "user", id: actor.id, email: actor.email },
    chargeId,
  );
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
