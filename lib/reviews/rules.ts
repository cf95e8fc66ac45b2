/**
 * The rules of reviewing, pure (issue 18 §7–9): who may review which
 * booking and when, when reviews stay hidden and when they publish, and
 * the averages and order they add up to. No IO; the repo and the domain
 * functions apply these inside their atomics.
 */
import type { Booking } from "../bookings/schema.ts";
import type {
  KitchenRatingCounters,
  RatingCounters,
  Review,
  ReviewSide,
} from "./schema.ts";

const DAY = 24 * 3600_000;

/** How long after a booking ends both sides may review it. */
export const REVIEW_WINDOW_MS = 14 * DAY;

/** The second reminder goes this long before the window closes. */
export const CLOSING_REMINDER_BEFORE_MS = 3 * DAY;

/** Reviews a kitchen needs before the rating sort counts it as rated. */
export const RATED_MIN_REVIEWS = 3;

/** When the window of a booking opens (its end) and closes. */
export function windowOf(b: Pick<Booking, "end">): {
  opensAt: number;
  closesAt: number;
} {
  return { opensAt: b.end, closesAt: b.end + REVIEW_WINDOW_MS };
}

/**
 * The last local date (YYYY-MM-DD, in the kitchen's zone) a review can be
 * written: the window closes at the booking's end time 14 days on, so the
 * date of the instant just before.
 */
export function lastReviewDate(closesAt: number, timeZone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(closesAt - 1)
    .toZonedDateTimeISO(timeZone).toPlainDate().toString();
}

/** The local date (YYYY-MM-DD) of an instant in `timeZone`, for a review's date. */
export function localDateOf(ms: number, timeZone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(ms)
    .toZonedDateTimeISO(timeZone).toPlainDate().toString();
}

/**
 * Whether a booking took place: its end has passed and it was not
 * cancelled. A confirmed booking whose completion job has not run yet
 * counts: the time is what decides, not the job.
 */
export function isCompleted(
  b: Pick<Booking, "status" | "end">,
  now: number,
): boolean {
  return (b.status === "completed" || b.status === "confirmed") &&
    b.end <= now;
}

/** The side `userId` reviews a booking from, or null for anyone else. */
export function sideOf(
  b: Pick<Booking, "renterId" | "hostId">,
  userId: string,
): ReviewSide | null {
  if (b.renterId === userId) return "renter";
  if (b.hostId === userId) return "host";
  return null;
}

export const otherSide = (side: ReviewSide): ReviewSide =>
  side === "renter" ? "host" : "renter";

/** Why a side may not write its review now; null when it may. */
export type ReviewRefusal =
  | "not_ended"
  | "not_completed"
  | "window_closed"
  | "already_written";

export function reviewRefusal(
  b: Pick<Booking, "status" | "end">,
  own: Pick<Review, "status"> | null,
  now: number,
): ReviewRefusal | null {
  if (own) return "already_written";
  if (b.status !== "completed" && b.status !== "confirmed") {
    return "not_completed";
  }
  if (b.end > now) return "not_ended";
  if (now >= windowOf(b).closesAt) return "window_closed";
  return null;
}

export const REFUSAL_TEXT: Record<ReviewRefusal, string> = {
  not_ended: "You can review this booking once it has ended.",
  not_completed: "Only bookings that took place can be reviewed.",
  window_closed:
    "Reviews for this booking closed 14 days after it ended, so it can no longer be reviewed.",
  already_written:
    "You have already reviewed this booking, and a review cannot be changed.",
};

/**
 * What a new review does to a booking's pair (the blind rule): it stays
 * pending while the other side has written nothing, and both publish at
 * once when it is the second. A window that has closed publishes whatever
 * is pending without a new review (`onWindowClose`).
 */
export function onSubmit(
  other: Pick<Review, "status"> | null,
): "pending" | "publish_both" {
  return other ? "publish_both" : "pending";
}

/** The reviews the window's end publishes: those still pending, once it has closed. */
export function onWindowClose<R extends Pick<Review, "status">>(
  reviews: readonly R[],
  closesAt: number,
  now: number,
): R[] {
  if (now < closesAt) return [];
  return reviews.filter((r) => r.status === "pending");
}

/**
 * Whether `viewerId` may read a review: its author always; anyone else
 * (the other side, the public for kitchen reviews) only once published.
 */
export function visibleTo(
  r: Pick<Review, "status" | "authorId">,
  viewerId: string | null,
): boolean {
  if (r.status === "removed") return false;
  return r.status === "published" || r.authorId === viewerId;
}

/**
 * An average to one decimal (4.666… → 4.7), or null with no reviews.
 * Rounds from integers, so 4.45 is never 4.4 by floating point.
 */
export function average(sum: number, count: number): number | null {
  if (count <= 0) return null;
  return Math.round((sum * 10) / count) / 10;
}

/** "4.7": an average as shown, always one decimal. */
export function formatAverage(avg: number): string {
  return avg.toFixed(1);
}

/** A summary as shown: the overall average and count, and each score's average. */
export interface RatingSummary<S extends string = string> {
  average: number | null;
  count: number;
  scores: { score: S; average: number | null }[];
}

export function summarise<S extends string>(
  c: RatingCounters<S> | null,
  scores: readonly S[],
): RatingSummary<S> {
  const count = c?.count ?? 0;
  const avg = (s: S) => c ? average(c.sums[s] ?? 0, count) : null;
  return {
    average: avg("overall" as S),
    count,
    scores: scores.filter((s) => s !== "overall").map((score) => ({
      score,
      average: avg(score),
    })),
  };
}

/** Counters after adding (+1) or taking away (-1) one review's scores. */
export function withScores<S extends string>(
  c: RatingCounters<S> | null,
  scores: readonly S[],
  ratings: Record<S, number>,
  sign: 1 | -1,
): RatingCounters<S> {
  const sums = {} as Record<S, number>;
  for (const s of scores) {
    sums[s] = Math.max(0, (c?.sums[s] ?? 0) + sign * ratings[s]);
  }
  return {
    ...(c ?? {}),
    v: 1,
    count: Math.max(0, (c?.count ?? 0) + sign),
    sums,
  };
}

/**
 * Where a kitchen sorts under `/search?sort=rating`, or null when it has no
 * published review (it then comes after every ranked kitchen, by price).
 * Rated kitchens (at least RATED_MIN_REVIEWS) come first, by the average
 * as shown (one decimal), then by how many reviews; kitchens with fewer
 * reviews follow in the same order.
 */
export function ratingRank(
  c: Pick<KitchenRatingCounters, "count" | "sums"> | null,
): { tier: 0 | 1; tenths: number; count: number } | null {
  if (!c || c.count <= 0) return null;
  const avg = average(c.sums.overall, c.count)!;
  return {
    tier: c.count >= RATED_MIN_REVIEWS ? 0 : 1,
    tenths: Math.round(avg * 10),
    count: c.count,
  };
}

/** Orders two kitchens as the rating sort does (for tests and anything sorting in memory). */
export function compareByRating(
  a: Pick<KitchenRatingCounters, "count" | "sums"> | null,
  b: Pick<KitchenRatingCounters, "count" | "sums"> | null,
): number {
  const ra = ratingRank(a);
  const rb = ratingRank(b);
  if (!ra || !rb) return (ra ? 0 : 1) - (rb ? 0 : 1);
  return ra.tier - rb.tier || rb.tenths - ra.tenths || rb.count - ra.count;
}

/** "Rosa" from "Rosa Renter": how a renter is named on a public review. */
export function firstName(name: string): string {
  const first = name.trim().split(/\s+/)[0] ?? "";
  return [...first].slice(0, 40).join("") || "A renter";
}
