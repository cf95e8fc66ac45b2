/**
 * What a host sees of a request before answering it (issue 17 §3): who is
 * asking (name, business, what they make), the documents Prep has verified
 * for them — names and expiry dates only, never the files or numbers — how
 * they have booked on Prep before, and what they wrote with the request.
 * Here, above bookings, because the wallet is compliance's.
 */
import { PRODUCT_TYPE_NAMES } from "../accounts/business_profile.ts";
import { getRenterProfile, getUser } from "../accounts/repo.ts";
import { getBooking, listBookingsByRenter } from "../bookings/repo.ts";
import { referenceOf } from "../bookings/reference.ts";
import type { Booking } from "../bookings/schema.ts";
import { NotFoundError } from "../errors.ts";
import { getKitchen } from "../kitchens/repo.ts";
import { listDocumentsFor } from "./repo.ts";
import {
  currentDocument,
  effectiveStatus,
  RENTER_DOCUMENT_ZONE,
} from "./review.ts";
import {
  type ComplianceDocument,
  DOCUMENT_KIND_NAMES,
  RENTER_DOCUMENT_KINDS,
} from "./schema.ts";

/** A verified document as a host may see it. */
export interface VerifiedDocument {
  name: string;
  /** "YYYY-MM-DD": valid to the end of that date. */
  expiryDate: string;
}

/** How a renter has booked on Prep before this request. */
export interface RenterRecord {
  /** Bookings that took place (completed, or confirmed and ended). */
  completed: number;
  /** Confirmed bookings the renter cancelled. */
  cancelledByRenter: number;
}

export interface HostRequestView {
  booking: Booking;
  reference: string;
  kitchenTitle: string;
  renter: {
    name: string;
    businessName: string | null;
    /** What they make, in words, or null when they have not said. */
    makes: string | null;
    /** ISO date the account was made. */
    memberSince: string | null;
  };
  documents: VerifiedDocument[];
  record: RenterRecord;
  /** What the renter wrote with the request, if anything. */
  message: string | null;
}

/** The renter's current documents that are verified and unexpired at `now` (pure). */
export function verifiedDocuments(
  docs: readonly ComplianceDocument[],
  now: number,
): VerifiedDocument[] {
  if (docs.length === 0) return [];
  return RENTER_DOCUMENT_KINDS.flatMap((kind) => {
    const doc = currentDocument(docs, kind, now, RENTER_DOCUMENT_ZONE);
    return doc && effectiveStatus(doc, now, RENTER_DOCUMENT_ZONE) === "verified"
      ? [{ name: DOCUMENT_KIND_NAMES[kind], expiryDate: doc.expiryDate }]
      : [];
  });
}

/** The renter's record from their bookings, leaving out `exceptId` (pure). */
export function renterRecord(
  bookings: readonly Booking[],
  exceptId: string,
  now: number,
): RenterRecord {
  const others = bookings.filter((b) => b.id !== exceptId);
  return {
    completed:
      others.filter((b) =>
        b.status === "completed" || (b.status === "confirmed" && b.end <= now)
      ).length,
    cancelledByRenter:
      others.filter((b) =>
        b.status === "cancelled" && b.cancellation?.by === "renter"
      ).length,
  };
}

/**
 * A request (or a booking that was one) of the host's kitchen, with what
 * the host may know of the renter. Anyone but the kitchen's host gets 404.
 */
export async function loadHostRequest(
  kv: Deno.Kv,
  id: string,
  hostId: string,
  now: number,
): Promise<HostRequestView> {
  const booking = await getBooking(kv, id);
  if (!booking || booking.hostId !== hostId) {
    throw new NotFoundError("We could not find that booking.");
  }
  const renterId = booking.renterId;
  const [kitchen, user, profile, docs, history] = await Promise.all([
    getKitchen(kv, booking.kitchenId),
    getUser(kv, renterId),
    getRenterProfile(kv, renterId),
    listDocumentsFor(kv, { kind: "renter", id: renterId }),
    listBookingsByRenter(kv, renterId),
  ]);
  return {
    booking,
    reference: referenceOf(booking),
    kitchenTitle: kitchen?.title ?? "Your kitchen",
    renter: {
      name: user?.name ?? "A former Prep member",
      businessName: user?.businessName ?? null,
      makes: profile.productType
        ? PRODUCT_TYPE_NAMES[profile.productType]
        : null,
      memberSince: user?.createdAt.slice(0, 10) ?? null,
    },
    documents: verifiedDocuments(docs, now),
    record: renterRecord(history, booking.id, now),
    message: booking.requestMessage ?? null,
  };
}
