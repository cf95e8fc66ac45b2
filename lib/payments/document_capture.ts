/**
 * The money side of hours requested while documents were in review
 * (bookings/document_requests.ts): once staff verified them and the
 * kitchen books instantly, the authorised card is captured (idempotency
 * key `booking:<id>:capture`, as a host's accept) before the booking is
 * confirmed. Runs in a job, so a Stripe outage is retried with backoff.
 */
import Stripe from "stripe";
import {
  confirmDocumentRequest,
  waitsForDocuments,
} from "../bookings/document_requests.ts";
import { getBooking } from "../bookings/repo.ts";
import { expireRequest } from "../bookings/requests.ts";
import type { Booking } from "../bookings/schema.ts";
import type { PaymentDeps } from "./events.ts";

/** Captures the card of a booking waiting for documents, then confirms it. Safe to repeat. */
export async function captureDocumentRequest(
  deps: PaymentDeps,
  id: string,
): Promise<Booking | null> {
  const b = await getBooking(deps.kv, id);
  if (!b || !waitsForDocuments(b)) return b;
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
        // The authorisation lapsed or was released: nothing left to charge.
        return await expireRequest(
          deps,
          id,
          "The card authorisation had lapsed before your documents were verified, so the hours were released; the card was not charged.",
        );
      }
      throw err;
    }
  }
  return await confirmDocumentRequest(deps, id, chargeId);
}
