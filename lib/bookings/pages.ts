import { NotFoundError } from "../errors.ts";
import { getKitchen } from "../kitchens/repo.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import { listBookingsByHost, listBookingsByRenter } from "./repo.ts";
import { bookingCalendar, icsFileName } from "./ics.ts";
import {
  accessCodeVisible,
  cancellerThrough,
  getBookingFor,
  refundNow,
} from "./lifecycle.ts";
import type { Booking } from "./schema.ts";

export interface BookingView {
  booking: Booking;
  kitchen: Kitchen;
  accessCode: string | null;
  showAddress: boolean;
  refund: { cents: number; explanation: string } | null;
  /** The renter may still pay: the hold has not lapsed. */
  canPay: boolean;
}

/** A booking as its renter, host or staff sees it now. */
export async function loadBookingPage(
  kv: Deno.Kv,
  id: string,
  viewer: { id: string; roles: readonly string[] },
  now: number,
): Promise<BookingView> {
  const booking = await getBookingFor(kv, id, viewer);
  const kitchen = await getKitchen(kv, booking.kitchenId);
  if (!kitchen) throw new NotFoundError("We could not find that kitchen.");
  // The form posts to the booking's own route, which serves its two sides;
  // staff cancel from the staff page, with a reason.
  const by = cancellerThrough(booking, viewer, ["renter", "host"]);
  const refund = booking.status === "confirmed" && by
    ? refundNow(booking, kitchen.cancellationPolicy, by, now)
    : null;
  return {
    booking,
    kitchen,
    accessCode: accessCodeVisible(booking, now) ? booking.accessCode : null,
    showAddress: booking.status === "confirmed",
    canPay: booking.status === "held" && booking.renterId === viewer.id &&
      (booking.holdExpiresAt ?? 0) > now,
    refund: refund
      ? { cents: refund.refundCents, explanation: refund.explanation }
      : null,
  };
}

/** The renter's trips with their kitchens' titles. */
export async function loadTrips(
  kv: Deno.Kv,
  renterId: string,
): Promise<{ bookings: Booking[]; titles: Record<string, string> }> {
  return await withTitles(kv, await listBookingsByRenter(kv, renterId));
}

/** A host's bookings (newest start first) with their kitchens' titles. */
export async function loadHostBookings(
  kv: Deno.Kv,
  hostId: string,
): Promise<{ bookings: Booking[]; titles: Record<string, string> }> {
  return await withTitles(kv, await listBookingsByHost(kv, hostId));
}

async function withTitles(
  kv: Deno.Kv,
  bookings: Booking[],
): Promise<{ bookings: Booking[]; titles: Record<string, string> }> {
  const titles: Record<string, string> = {};
  for (const id of new Set(bookings.map((b) => b.kitchenId))) {
    const k = await getKitchen(kv, id);
    if (k) titles[id] = k.title;
  }
  return { bookings, titles };
}

/** A booking as a calendar file (.ics) for its renter, host or staff. */
export async function loadBookingCalendar(
  kv: Deno.Kv,
  id: string,
  viewer: { id: string; roles: readonly string[] },
  opts: { baseUrl: string; now: number },
): Promise<{ ics: string; filename: string }> {
  const booking = await getBookingFor(kv, id, viewer);
  const kitchen = await getKitchen(kv, booking.kitchenId);
  if (!kitchen) throw new NotFoundError("We could not find that kitchen.");
  return {
    ics: bookingCalendar({ booking, kitchen, ...opts }),
    filename: icsFileName(kitchen.title),
  };
}
