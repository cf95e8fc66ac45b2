/**
 * A booking's review window, run by delayed jobs (issue 18 §8, §10): it
 * opens when the booking completes (both sides are told, by email and in
 * the app), three days before it closes whoever has not written is
 * reminded, and at its end whatever was written is published. Each step
 * is one atomic and safe to run twice.
 */
import { getBooking } from "../bookings/repo.ts";
import { addJobEffect } from "../jobs/outbox.ts";
import { addNotice, reviewDueNotice } from "./notices.ts";
import {
  addNewWindow,
  addPublish,
  partiesOf,
  type ReviewDeps,
} from "./publish.ts";
import {
  addDueRemoval,
  addWindow,
  commitReviewWrite,
  getBookingReviews,
  getRatingEntries,
  getWindowEntry,
} from "./repo.ts";
import { isCompleted, onWindowClose, windowOf } from "./rules.ts";
import type { ReviewSide } from "./schema.ts";

const DAY = 24 * 3600_000;
const ATTEMPTS = 8;

function sidesWritten(
  reviews: Awaited<ReturnType<typeof getBookingReviews>>,
): ReviewSide[] {
  return (["renter", "host"] as const).filter((s) => reviews.index[s].value);
}

/**
 * The window-open job: a completed booking's window is recorded (if a
 * review did not record it already) and each side that has not written is
 * told "Review your booking at …". Nothing for a booking that did not take
 * place, or whose window has already closed.
 */
export async function openReviewWindow(
  deps: ReviewDeps,
  bookingId: string,
): Promise<void> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const b = await getBooking(deps.kv, bookingId);
    if (!b || !isCompleted(b, deps.now)) return;
    const { closesAt } = windowOf(b);
    if (deps.now >= closesAt) return;
    const [entry, reviews, p] = await Promise.all([
      getWindowEntry(deps.kv, bookingId),
      getBookingReviews(deps.kv, bookingId),
      partiesOf(deps.kv, b),
    ]);
    if (entry.value?.announced) return;
    const written = sidesWritten(reviews);
    const ok = await commitReviewWrite(
      deps.kv,
      { parties: b },
      (atomic) => {
        if (entry.value) {
          addWindow(atomic, entry, { ...entry.value, announced: true });
        } else {
          addNewWindow(atomic, entry, b, deps, { announced: true, written });
        }
        // A review written meanwhile makes this retry and leave its side out.
        atomic.check(reviews.index.renter).check(reviews.index.host);
        for (const side of ["renter", "host"] as const) {
          const to = side === "renter" ? p.renter : p.host;
          if (!to || written.includes(side)) continue;
          addNotice(atomic, deps, to, reviewDueNotice(b, side, p, closesAt));
        }
      },
    );
    if (ok) return;
  }
  throw new Error(`Opening the review window of ${bookingId} kept racing.`);
}

/**
 * The reminder job, three days before the window closes: whoever has not
 * written is told how many days are left. Once per job (a retry after the
 * commit finds its mark and sends nothing).
 */
export async function remindToReview(
  deps: ReviewDeps,
  bookingId: string,
  jobId: string,
): Promise<void> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const b = await getBooking(deps.kv, bookingId);
    if (!b || !isCompleted(b, deps.now)) return;
    const [entry, reviews, p] = await Promise.all([
      getWindowEntry(deps.kv, bookingId),
      getBookingReviews(deps.kv, bookingId),
      partiesOf(deps.kv, b),
    ]);
    const w = entry.value;
    if (!w || w.closed || deps.now >= w.closesAt) return;
    const written = sidesWritten(reviews);
    if (written.length === 2) return;
    const daysLeft = Math.max(1, Math.ceil((w.closesAt - deps.now) / DAY));
    const ok = await commitReviewWrite(
      deps.kv,
      { parties: b },
      (atomic) => {
        addJobEffect(atomic, jobId, 30 * DAY);
        atomic.check(reviews.index.renter).check(reviews.index.host);
        for (const side of ["renter", "host"] as const) {
          const to = side === "renter" ? p.renter : p.host;
          if (!to || written.includes(side)) continue;
          addNotice(
            atomic,
            deps,
            to,
            reviewDueNotice(b, side, p, w.closesAt, daysLeft),
          );
        }
      },
    );
    if (ok) return;
  }
  // Still refused: the reminder went already (its mark stays), or reviews
  // kept arriving; either way there is nothing left to send.
}

/**
 * The window-close job: every review still pending is published, with the
 * ratings, in one atomic; nothing is due any more. Safe to run twice.
 */
export async function closeReviewWindow(
  deps: ReviewDeps,
  bookingId: string,
): Promise<void> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const entry = await getWindowEntry(deps.kv, bookingId);
    const w = entry.value;
    if (!w || w.closed || deps.now < w.closesAt) return;
    const b = await getBooking(deps.kv, bookingId);
    if (!b) return;
    const [reviews, ratings, p] = await Promise.all([
      getBookingReviews(deps.kv, bookingId),
      getRatingEntries(deps.kv, b.kitchenId, b.renterId),
      partiesOf(deps.kv, b),
    ]);
    const entries = [reviews.reviews.renter, reviews.reviews.host].filter(
      (e): e is NonNullable<typeof e> => e !== null && e.value !== null,
    );
    const pending = onWindowClose(
      entries.map((e) => e.value!),
      w.closesAt,
      deps.now,
    );
    const items = entries
      .filter((e) => pending.includes(e.value!))
      .map((e) => ({ before: e, review: e.value! }));
    const ok = await commitReviewWrite(
      deps.kv,
      {
        parties: b,
        kitchens: items.some((i) => i.review.side === "renter")
          ? [b.kitchenId]
          : [],
      },
      (atomic) => {
        addWindow(atomic, entry, { ...w, closed: true });
        addDueRemoval(atomic, b.renterId, bookingId);
        addDueRemoval(atomic, b.hostId, bookingId);
        atomic.check(reviews.index.renter).check(reviews.index.host);
        if (items.length > 0) addPublish(atomic, deps, b, p, ratings, items);
      },
    );
    if (ok) return;
  }
  throw new Error(`Closing the review window of ${bookingId} kept racing.`);
}
