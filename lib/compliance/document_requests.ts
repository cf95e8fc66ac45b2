/**
 * After staff decide one of a renter's documents (repo.ts reviewDocument
 * adds this job to the decision's atomic, which stays small): each of the
 * renter's hours held while documents were in review is judged again, from
 * KV as it is now, never as it was when the hours were requested.
 *
 * - The verdict allows it: an instant kitchen's booking is captured and
 *   confirmed; a request-to-book kitchen's becomes the host's request.
 * - It still only waits for documents in review: nothing changes yet.
 * - Anything else (a document rejected, another lapsed, the kitchen's
 *   permit gone): the hours and the authorisation are released, and the
 *   renter is told why.
 */
import { listBookingsByRenter, readCalendarDays } from "../bookings/repo.ts";
import {
  forwardToHost,
  releaseDocumentRequest,
  waitsForDocuments,
} from "../bookings/document_requests.ts";
import { EMPTY_DAY, withoutClaim } from "../bookings/day_claims.ts";
import type { Booking } from "../bookings/schema.ts";
import { getKitchen } from "../kitchens/repo.ts";
import { captureDocumentRequest } from "../payments/document_capture.ts";
import type { PaymentDeps } from "../payments/events.ts";
import { assessBooking } from "./booking_policy.ts";

/** Bookings read per renter: requests are upcoming, and the newest starts come first. */
const SCAN = 200;

export type Settlement = "confirmed" | "forwarded" | "waiting" | "released";

/** What the verdict now says about one booking waiting for documents. */
export async function settleDocumentRequest(
  deps: PaymentDeps,
  b: Booking,
): Promise<Settlement> {
  const kitchen = await getKitchen(deps.kv, b.kitchenId);
  if (!kitchen) {
    await releaseDocumentRequest(
      deps,
      b.id,
      "This kitchen is no longer on Prep, so the hours were released; your card was not charged.",
    );
    return "released";
  }
  const entries = await readCalendarDays(deps.kv, b.kitchenId, b.claimDays);
  // Judged as the hold was: without the booking's own claim on its days.
  const assessment = await assessBooking(deps.kv, {
    kitchen,
    renterId: b.renterId,
    interval: { start: b.start, end: b.end },
    localDate: b.localDate,
    days: b.claimDays.map((date, i) => ({
      date,
      doc: withoutClaim(entries[i].value ?? EMPTY_DAY, b.id),
    })),
    now: deps.now,
  });
  if (assessment.decision !== "DENY") {
    if (b.mode === "request") {
      await forwardToHost(deps, b.id);
      return "forwarded";
    }
    await captureDocumentRequest(deps, b.id);
    return "confirmed";
  }
  if (assessment.inReview) return "waiting";
  await releaseDocumentRequest(
    deps,
    b.id,
    `We could not confirm your booking, so the hours were released and your card was not charged: ${
      assessment.denies.map((d) => d.message).join(" ")
    }`,
  );
  return "released";
}

/** The job: every booking of `renterId` waiting for documents, judged again. */
export async function settleDocumentRequests(
  deps: PaymentDeps,
  renterId: string,
): Promise<Settlement[]> {
  const bookings = await listBookingsByRenter(deps.kv, renterId, SCAN);
  const out: Settlement[] = [];
  for (const b of bookings) {
    if (waitsForDocuments(b)) out.push(await settleDocumentRequest(deps, b));
  }
  return out;
}
