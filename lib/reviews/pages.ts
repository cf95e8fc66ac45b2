/**
 * What pages show of reviews, each the one call its route makes: the
 * booking's pages (the renter's and the host's) with the review section,
 * the review form, the kitchen page with its rating and latest reviews,
 * a kitchen's reviews a page at a time, the response and report forms,
 * and the "Review your booking at …" lists on /account and the host
 * dashboard. The pages of lower domains are loaded by their own
 * functions and given the reviews beside them.
 */
import { loadContinueCard } from "../bookings/drafts.ts";
import { getBookings } from "../bookings/repo.ts";
import {
  type BookingView,
  loadBookingPage,
  loadTrips,
} from "../bookings/pages.ts";
import type { Booking } from "../bookings/schema.ts";
import {
  type HostRequestView,
  loadHostRequest,
} from "../compliance/host_request.ts";
import { loadKitchenPageFor } from "../compliance/kitchen_page.ts";
import { NotFoundError } from "../errors.ts";
import { getKitchens, getPublishedKitchen } from "../kitchens/repo.ts";
import type { KitchenPageQuery } from "../kitchens/pick.ts";
import { viewHostDashboard } from "../bookings/dashboard.ts";
import { hostViewScope, renterViewScope } from "../bookings/cache_keys.ts";
import { cached } from "../db/read_cache.ts";
import type { DashboardData } from "../bookings/dashboard.ts";
import { listKitchenIdsByHost } from "../kitchens/repo.ts";
import { reviewToReport } from "./moderation.ts";
import { partiesOf } from "./publish.ts";
import {
  getBookingReviews,
  getRenterRating,
  getReportEntry,
  getReviewEntry,
  listDue,
  listHostReviews,
  listKitchenReviews,
  viewKitchenRating,
  viewKitchenRatings,
  viewLatestKitchenReviews,
} from "./repo.ts";
import {
  isCompleted,
  type RatingSummary,
  type ReviewRefusal,
  reviewRefusal,
  sideOf,
  summarise,
  visibleTo,
  windowOf,
} from "./rules.ts";
import {
  KITCHEN_SCORES,
  type KitchenScore,
  RENTER_SCORES,
  type RenterScore,
  type Review,
  type ReviewSide,
} from "./schema.ts";
import { bookingForReview } from "./write.ts";
import { isId } from "../ids.ts";

/** The reviews part of a booking's page, as one viewer sees it. */
export interface BookingReviewsView {
  bookingId: string;
  /** The viewer's side; null for staff, who read but do not write. */
  side: ReviewSide | null;
  timeZone: string;
  /** The booking took place (ended, not cancelled): reviews apply. */
  completed: boolean;
  closesAt: number;
  /** Why the viewer cannot write now; null when they may. */
  refusal: ReviewRefusal | null;
  /** Each side's review, when the viewer may read it (its author: always). */
  renter: Review | null;
  host: Review | null;
  names: { kitchen: string; host: string; renter: string };
  /** The renter's review the viewing host may still answer. */
  respondTo: string | null;
  /** The viewer's own review, when Prep staff removed it: why and when. */
  removedOwn: { reason: string; at: number } | null;
}

async function bookingReviews(
  kv: Deno.Kv,
  b: Booking,
  viewerId: string,
  now: number,
): Promise<BookingReviewsView> {
  const [reviews, p] = await Promise.all([
    getBookingReviews(kv, b.id),
    partiesOf(kv, b),
  ]);
  const side = sideOf(b, viewerId);
  const shown = (r: Review | null | undefined) =>
    r && visibleTo(r, viewerId) ? r : null;
  const renter = shown(reviews.reviews.renter?.value);
  const host = shown(reviews.reviews.host?.value);
  const own = side ? reviews.reviews[side]?.value ?? null : null;
  return {
    bookingId: b.id,
    side,
    timeZone: b.timeZone,
    completed: isCompleted(b, now),
    closesAt: windowOf(b).closesAt,
    refusal: side ? reviewRefusal(b, own, now) : "not_completed",
    renter,
    host,
    names: {
      kitchen: p.kitchenTitle,
      host: p.hostName,
      renter: p.renterName,
    },
    respondTo: side === "host" && renter?.status === "published" &&
        !renter.response
      ? renter.id
      : null,
    removedOwn: own?.status === "removed" && own.removal
      ? { reason: own.removal.reason, at: own.removal.at }
      : null,
  };
}

/** `/bookings/:id`: the booking as its renter, host or staff see it, with its reviews. */
export async function loadReviewedBookingPage(
  kv: Deno.Kv,
  id: string,
  viewer: { id: string; roles: readonly string[] },
  now: number,
): Promise<BookingView & { reviews: BookingReviewsView }> {
  const view = await loadBookingPage(kv, id, viewer, now);
  return {
    ...view,
    reviews: await bookingReviews(kv, view.booking, viewer.id, now),
  };
}

/** `/host/bookings/:id`: the request as its host sees it, with the renter's rating from hosts. */
export async function loadReviewedHostRequest(
  kv: Deno.Kv,
  id: string,
  hostId: string,
  now: number,
): Promise<
  HostRequestView & {
    renterRating: RatingSummary<RenterScore>;
    reviews: BookingReviewsView;
  }
> {
  const view = await loadHostRequest(kv, id, hostId, now);
  const [rating, reviews] = await Promise.all([
    getRenterRating(kv, view.booking.renterId),
    bookingReviews(kv, view.booking, hostId, now),
  ]);
  return {
    ...view,
    renterRating: summarise(rating, RENTER_SCORES),
    reviews,
  };
}

/** What the review form needs: whom it is about, until when, or why not. */
export interface ReviewFormView {
  booking: Booking;
  side: ReviewSide;
  kitchenTitle: string;
  /** Who the other side is: the host's business, or the renter's first name. */
  otherName: string;
  /** The other side has sent theirs: this one publishes both. */
  otherWrote: boolean;
  renterName: string;
  closesAt: number;
  refusal: ReviewRefusal | null;
}

/** `/bookings/:id/review`: the form for the viewer's side; 404 for anyone not on the booking. */
export async function loadReviewForm(
  kv: Deno.Kv,
  bookingId: string,
  user: { id: string },
  now: number,
): Promise<ReviewFormView> {
  const { booking: b, side } = await bookingForReview(kv, bookingId, user.id);
  const [reviews, p] = await Promise.all([
    getBookingReviews(kv, b.id),
    partiesOf(kv, b),
  ]);
  const own = reviews.reviews[side]?.value ??
    (reviews.index[side].value ? { status: "pending" as const } : null);
  return {
    booking: b,
    side,
    kitchenTitle: p.kitchenTitle,
    otherName: side === "renter" ? p.hostName : p.renterName,
    otherWrote: reviews.index[side === "renter" ? "host" : "renter"].value !==
      null,
    renterName: p.renterName,
    closesAt: windowOf(b).closesAt,
    refusal: reviewRefusal(b, own, now),
  };
}

/** A kitchen's rating and latest reviews, for its page. */
export interface KitchenReviewsView {
  kitchenId: string;
  timeZone: string;
  summary: RatingSummary<KitchenScore>;
  latest: Review[];
  /** More reviews than the latest: the page links them all. */
  more: boolean;
}

/** Reviews the kitchen page shows before "Read all …". */
export const LATEST_ON_KITCHEN_PAGE = 3;

async function kitchenReviews(
  kv: Deno.Kv,
  kitchenId: string,
  timeZone: string,
): Promise<KitchenReviewsView> {
  const [counters, latest] = await Promise.all([
    viewKitchenRating(kv, kitchenId),
    viewLatestKitchenReviews(kv, kitchenId, LATEST_ON_KITCHEN_PAGE),
  ]);
  return {
    kitchenId,
    timeZone,
    summary: summarise(counters, KITCHEN_SCORES),
    latest: latest.reviews,
    more: latest.cursor !== null,
  };
}

/** `/kitchens/:id`: the kitchen page (lib/compliance) with its rating and latest reviews. */
export async function loadReviewedKitchenPage(
  kv: Deno.Kv,
  id: string,
  query: Partial<KitchenPageQuery>,
  now: number,
  viewerId: string | null,
) {
  const data = await loadKitchenPageFor(kv, id, query, now, viewerId);
  return {
    ...data,
    reviews: await kitchenReviews(kv, id, data.kitchen.timeZone),
  };
}

export const REVIEWS_PAGE_SIZE = 10;

/** `/kitchens/:id/reviews`: a published kitchen's reviews, newest first, ten a page. */
export async function loadKitchenReviewsPage(
  kv: Deno.Kv,
  kitchenId: string,
  before: string | null,
) {
  const kitchen = await getPublishedKitchen(kv, kitchenId);
  const [counters, page] = await Promise.all([
    viewKitchenRating(kv, kitchenId),
    listKitchenReviews(kv, kitchenId, before, REVIEWS_PAGE_SIZE),
  ]);
  return {
    kitchen,
    summary: summarise(counters, KITCHEN_SCORES),
    page,
    first: before === null,
  };
}

/** `/reviews/:id/response`: a review of the host's kitchen and whether it may still be answered. */
export async function loadResponseForm(
  kv: Deno.Kv,
  reviewId: string,
  hostId: string,
) {
  const r = isId(reviewId) ? (await getReviewEntry(kv, reviewId)).value : null;
  if (!r || r.side !== "renter" || r.hostId !== hostId) {
    throw new NotFoundError("We could not find that review.");
  }
  const [kitchen] = await getKitchens(kv, [r.kitchenId]);
  return {
    review: r,
    kitchenTitle: kitchen?.title ?? "Your kitchen",
    timeZone: kitchen?.timeZone ?? "UTC",
  };
}

/** `/reviews/:id/report`: a review the viewer may read, and whether they reported it already. */
export async function loadReportForm(
  kv: Deno.Kv,
  reviewId: string,
  viewerId: string,
) {
  const review = await reviewToReport(kv, reviewId, viewerId);
  const [kitchens, mine] = await Promise.all([
    getKitchens(kv, [review.kitchenId]),
    getReportEntry(kv, review.id, viewerId),
  ]);
  return {
    review,
    kitchenTitle: kitchens[0]?.title ?? "a Prep kitchen",
    timeZone: kitchens[0]?.timeZone ?? "UTC",
    reported: mine.value !== null,
    own: review.authorId === viewerId,
    /** Where the review is read: the kitchen's reviews, or the booking (reviews of renters). */
    backHref: review.side === "renter"
      ? `/kitchens/${review.kitchenId}/reviews`
      : `/bookings/${review.bookingId}#reviews`,
  };
}

/** A review the viewer may still write, as /account and the dashboard list it. */
export interface DueView {
  bookingId: string;
  side: ReviewSide;
  kitchenTitle: string;
  localDate: string;
  timeZone: string;
  closesAt: number;
}

async function dueViews(
  kv: Deno.Kv,
  userId: string,
  now: number,
  side?: ReviewSide,
): Promise<DueView[]> {
  const due = (await listDue(kv, userId, now)).filter((d) =>
    !side || d.side === side
  );
  const bookings = await getBookings(kv, due.map((d) => d.bookingId));
  const kitchens = await getKitchens(kv, bookings.map((b) => b.kitchenId));
  return bookings.flatMap((b, i) => {
    const d = due.find((x) => x.bookingId === b.id)!;
    // Only what the viewer can still write: the window and the booking say so.
    if (sideOf(b, userId) !== d.side || !isCompleted(b, now)) return [];
    return [{
      bookingId: b.id,
      side: d.side,
      kitchenTitle: kitchens[i]?.title ?? "a Prep kitchen",
      localDate: b.localDate,
      timeZone: b.timeZone,
      closesAt: d.closesAt,
    }];
  });
}

/**
 * `/bookings`: the renter's bookings, and by booking id the end of the
 * window for each past one they may still review. The reviews due come
 * through the read cache with the bookings (the renter's view scope, which
 * booking and review writes drop): the page is a renter's most visited.
 */
export async function loadReviewedTrips(
  kv: Deno.Kv,
  renterId: string,
  now: number,
) {
  const [trips, due] = await Promise.all([
    loadTrips(kv, renterId, now),
    cached(
      kv,
      `${renterViewScope(renterId)}reviews-due`,
      () => listDue(kv, renterId, now),
    ),
  ]);
  const byId = new Map(trips.bookings.map((b) => [b.id, b]));
  const reviewBy: Record<string, number> = {};
  for (const d of due) {
    const b = byId.get(d.bookingId);
    if (
      b && d.side === "renter" && d.closesAt > now &&
      sideOf(b, renterId) === "renter" && isCompleted(b, now)
    ) reviewBy[b.id] = d.closesAt;
  }
  return { ...trips, reviewBy };
}

/** `/account`: the booking the renter was about to make, and the reviews they may still write. */
export async function loadAccountCards(
  kv: Deno.Kv,
  userId: string,
  now: number,
) {
  const [continueBooking, reviewsDue] = await Promise.all([
    loadContinueCard(kv, userId, now),
    dueViews(kv, userId, now),
  ]);
  return { continueBooking, reviewsDue };
}

/** The host dashboard's reviews: each kitchen's rating, reviews to write, the newest reviews. */
export interface HostReviewsView {
  kitchens: {
    id: string;
    title: string;
    summary: RatingSummary<KitchenScore>;
  }[];
  due: DueView[];
  latest: (Review & { kitchenTitle: string; timeZone: string })[];
}

/** Newest reviews of the host's kitchens the dashboard lists. */
export const HOST_LATEST = 3;

/**
 * Through the read cache with the rest of the dashboard (the host's view
 * scope, lib/bookings/cache_keys.ts): four KV reads were a quarter of a
 * dashboard view. Booking and review writes drop the scope, so a host
 * never sees their own review or answer late; a kitchen's new title shows
 * within the cache's five seconds, as on the rest of the dashboard.
 */
function hostReviews(
  kv: Deno.Kv,
  hostId: string,
  now: number,
): Promise<HostReviewsView> {
  return cached(
    kv,
    `${hostViewScope(hostId)}reviews`,
    () => loadHostReviews(kv, hostId, now),
  );
}

async function loadHostReviews(
  kv: Deno.Kv,
  hostId: string,
  now: number,
): Promise<HostReviewsView> {
  const ids = await listKitchenIdsByHost(kv, hostId);
  const [kitchens, ratings, due, latest] = await Promise.all([
    getKitchens(kv, ids),
    viewKitchenRatings(kv, ids),
    dueViews(kv, hostId, now, "host"),
    listHostReviews(kv, hostId, HOST_LATEST),
  ]);
  const titles = new Map<string, string>();
  const zones = new Map<string, string>();
  const rated = kitchens.flatMap((k) => {
    if (!k) return [];
    titles.set(k.id, k.title);
    zones.set(k.id, k.timeZone);
    if (k.status !== "published") return [];
    return [{
      id: k.id,
      title: k.title,
      summary: summarise(ratings.get(k.id) ?? null, KITCHEN_SCORES),
    }];
  });
  return {
    kitchens: rated,
    due,
    latest: latest.reviews.map((r) => ({
      ...r,
      kitchenTitle: titles.get(r.kitchenId) ?? "Your kitchen",
      timeZone: zones.get(r.kitchenId) ?? "UTC",
    })),
  };
}

/** `/host`: the dashboard (lib/bookings, rendered and cached by `render`) and its reviews. */
export async function viewReviewedHostDashboard<T>(
  kv: Deno.Kv,
  hostId: string,
  month: string,
  now: number,
  render: (data: DashboardData) => T,
): Promise<{ parts: T; reviews: HostReviewsView }> {
  const [parts, reviews] = await Promise.all([
    viewHostDashboard(kv, hostId, month, now, render),
    hostReviews(kv, hostId, now),
  ]);
  return { parts, reviews };
}
