import { getUser } from "../accounts/repo.ts";
import { cached } from "../db/read_cache.ts";
import { renterViewScope } from "./cache_keys.ts";
import { findCity } from "../cities.ts";
import { NotFoundError } from "../errors.ts";
import { getHost } from "../hosts/repo.ts";
import type { CancellationPolicy } from "../kitchens/policy.ts";
import { getKitchen, getPlaceSecret } from "../kitchens/repo.ts";
import { type PlaceView, placeView } from "../kitchens/place.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import { listBookingsByHost, listBookingsByRenter } from "./repo.ts";
import { bookingCalendar, icsFileName } from "./ics.ts";
import {
  accessCodeVisible,
  cancellerThrough,
  getBookingFor,
  refundNow,
} from "./lifecycle.ts";
import { type MoveWindow, moveWindow } from "./move_rules.ts";
import { receiptFileName, receiptPdf } from "./receipt.ts";
import {
  loadHostSeries,
  loadRenterSeries,
  type SeriesSummary,
} from "./series_pages.ts";
import { referenceOf } from "./reference.ts";
import {
  type Canceller,
  policyOf,
  type RefundDeadline,
  refundDeadline,
} from "./refunds.ts";
import type { Booking } from "./schema.ts";

/** Who is looking at a booking's page. */
export type BookingViewer = "renter" | "host" | "staff";

/** What cancelling now would do, for the page to say before anyone clicks. */
export interface CancelOffer {
  /** Who would cancel: the viewer, as the renter or as the host. */
  by: Canceller;
  refundCents: number;
  refundBps: number;
  policy: CancellationPolicy;
  /** Until when this refund holds and what it becomes after (renters only). */
  deadline: RefundDeadline | null;
}

export interface BookingView {
  booking: Booking;
  kitchen: Kitchen;
  /** "PRP-7K3Q-9D": what the renter, the host and staff quote. */
  reference: string;
  viewer: BookingViewer;
  /** The host's public name (their business name, or their name). */
  hostName: string;
  accessCode: string | null;
  /** The full address and a directions link, once the booking is confirmed. */
  address: { text: string; directionsUrl: string } | null;
  /** Where the kitchen is: the approximate circle, or the pin once confirmed. */
  place: PlaceView;
  /** What cancelling now would refund, when the viewer may cancel. */
  cancel: CancelOffer | null;
  /** The renter may still pay: the hold has not lapsed. */
  canPay: boolean;
  /** The renter may take back their request. */
  canWithdraw: boolean;
  /** Whether a receipt exists: the card was charged. */
  hasReceipt: boolean;
  /** Whether and how its renter may change its time now (move_rules.ts); null for others. */
  move: MoveWindow | null;
}

/** A kitchen's full address on one line: "1400 W Randolph St, Chicago, IL 60607". */
export function fullAddress(k: Pick<Kitchen, "address">): string {
  const a = k.address;
  const city = findCity(a.city)?.name ?? a.city;
  return `${a.line1}, ${city}, ${a.state} ${a.postalCode}`;
}

/**
 * A maps link that gives directions to `address`. Built with URL, so the
 * host's text is only ever a percent-encoded query value, never a path,
 * scheme or second parameter.
 */
export function directionsUrl(address: string): string {
  const url = new URL("https://www.google.com/maps/dir/");
  url.searchParams.set("api", "1");
  url.searchParams.set("destination", address);
  return url.href;
}

/** Whether the card behind a booking was charged (so it has a receipt). */
export function wasCharged(b: Pick<Booking, "ledger">): boolean {
  return b.ledger.some((e) => e.kind === "charge");
}

function viewerOf(
  b: Booking,
  viewer: { id: string },
): BookingViewer {
  return b.renterId === viewer.id
    ? "renter"
    : b.hostId === viewer.id
    ? "host"
    : "staff";
}

/** A booking as its renter, host or staff sees it now. */
export async function loadBookingPage(
  kv: Deno.Kv,
  id: string,
  viewer: { id: string; roles: readonly string[] },
  now: number,
): Promise<BookingView> {
  const booking = await getBookingFor(kv, id, viewer);
  const [kitchen, host, secret] = await Promise.all([
    getKitchen(kv, booking.kitchenId),
    getHost(kv, booking.hostId),
    getPlaceSecret(kv),
  ]);
  if (!kitchen) throw new NotFoundError("We could not find that kitchen.");
  // The form posts to the booking's own route, which serves its two sides;
  // staff cancel from the staff page, with a reason.
  const by = cancellerThrough(booking, viewer, ["renter", "host"]);
  // A standing booking's later date can be cancelled before it is charged.
  const cancellable = booking.status === "confirmed" ||
    (booking.status === "scheduled" && booking.start > now);
  const refund = cancellable && by
    ? refundNow(booking, kitchen, by, now)
    : null;
  // The renter was there: a past booking keeps its address and pin.
  const confirmed = booking.status === "confirmed" ||
    booking.status === "completed";
  const address = fullAddress(kitchen);
  return {
    booking,
    kitchen,
    reference: referenceOf(booking),
    viewer: viewerOf(booking, viewer),
    hostName: host?.name ?? "the host",
    accessCode: accessCodeVisible(booking, now) ? booking.accessCode : null,
    address: confirmed
      ? { text: address, directionsUrl: directionsUrl(address) }
      : null,
    place: placeView(kitchen, confirmed, secret),
    canPay: booking.status === "held" && booking.renterId === viewer.id &&
      (booking.holdExpiresAt ?? 0) > now,
    canWithdraw: booking.status === "requested" &&
      booking.renterId === viewer.id,
    hasReceipt: wasCharged(booking),
    move: booking.renterId === viewer.id && confirmed
      ? moveWindow(booking, policyOf(booking, kitchen), now)
      : null,
    cancel: refund && by
      ? {
        by,
        refundCents: refund.refundCents,
        refundBps: refund.refundBps,
        policy: policyOf(booking, kitchen),
        deadline: by === "renter"
          ? refundDeadline(policyOf(booking, kitchen), booking.start, now)
          : null,
      }
      : null,
  };
}

/**
 * The renter's trips with their kitchens' titles, and their standing
 * bookings (whose dates the page lists under the series, not one by one).
 */
export async function loadTrips(
  kv: Deno.Kv,
  renterId: string,
  now: number,
): Promise<
  {
    bookings: Booking[];
    titles: Record<string, string>;
    series: SeriesSummary[];
  }
> {
  // Through the per-instance read cache, as the host's dashboard is: a
  // renter with weekly bookings has a hundred bookings or more to read, and
  // every booking write drops the cached lists (cache_keys.ts).
  return await cached(kv, `${renterViewScope(renterId)}trips`, async () => {
    const trips = await withTitles(
      kv,
      await listBookingsByRenter(kv, renterId),
    );
    // The series' dates are mostly among the bookings just read.
    const known = new Map(trips.bookings.map((b) => [b.id, b]));
    return {
      ...trips,
      series: await loadRenterSeries(kv, renterId, now, known),
    };
  });
}

/**
 * A host's bookings (newest start first) with their kitchens' titles, and
 * the standing bookings in play (whose dates the page lists under them).
 */
export async function loadHostBookings(
  kv: Deno.Kv,
  hostId: string,
  now: number,
): Promise<
  {
    bookings: Booking[];
    titles: Record<string, string>;
    series: SeriesSummary[];
  }
> {
  const bookings = await withTitles(kv, await listBookingsByHost(kv, hostId));
  const known = new Map(bookings.bookings.map((b) => [b.id, b]));
  return {
    ...bookings,
    series: await loadHostSeries(kv, hostId, now, known),
  };
}

async function withTitles(
  kv: Deno.Kv,
  bookings: Booking[],
): Promise<{ bookings: Booking[]; titles: Record<string, string> }> {
  const titles: Record<string, string> = {};
  const ids = [...new Set(bookings.map((b) => b.kitchenId))];
  const kitchens = await Promise.all(ids.map((id) => getKitchen(kv, id)));
  for (const k of kitchens) if (k) titles[k.id] = k.title;
  return { bookings, titles };
}

/** The platform's name on receipts (and card statements). */
export const PLATFORM_NAME = "Prep";

/**
 * A charged booking's receipt (PDF) for its renter, its host or staff; a
 * booking never charged (a hold, a request, one that lapsed) has none.
 */
export async function loadReceipt(
  kv: Deno.Kv,
  id: string,
  viewer: { id: string; roles: readonly string[] },
  now: number,
): Promise<{ pdf: Uint8Array; filename: string }> {
  const booking = await getBookingFor(kv, id, viewer);
  if (!wasCharged(booking)) {
    throw new NotFoundError(
      "This booking has no receipt: the card was not charged for it.",
    );
  }
  const [kitchen, host, renter] = await Promise.all([
    getKitchen(kv, booking.kitchenId),
    getHost(kv, booking.hostId),
    getUser(kv, booking.renterId),
  ]);
  if (!kitchen) throw new NotFoundError("We could not find that kitchen.");
  const reference = referenceOf(booking);
  const pdf = await receiptPdf({
    booking,
    kitchen,
    address: fullAddress(kitchen),
    reference,
    platformName: PLATFORM_NAME,
    hostName: host?.name ?? "The kitchen's host",
    renterName: renter
      ? renter.businessName
        ? `${renter.name}, ${renter.businessName}`
        : renter.name
      : "A former Prep member",
    now,
  });
  return { pdf, filename: receiptFileName(reference) };
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
