/**
 * Writing reviews (issue 18 §7, §8): a booking's renter reviews the
 * kitchen and its host reviews the renter, once each, within 14 days of
 * the end. The first review waits, hidden; the second publishes both at
 * once, in the atomic that writes it. A review never changes after it is
 * sent; the host may answer a review of their kitchen once, publicly.
 */
import { z } from "zod";
import { getBooking } from "../bookings/repo.ts";
import type { Booking } from "../bookings/schema.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { fieldErrors } from "../forms.ts";
import { isId, newId } from "../ids.ts";
import {
  addNewWindow,
  addPublish,
  authorNameOf,
  partiesOf,
  type ReviewDeps,
} from "./publish.ts";
import {
  addDueRemoval,
  addNewReview,
  addReviewUpdate,
  commitReviewWrite,
  getBookingReviews,
  getRatingEntries,
  getReviewEntry,
  getWindowEntry,
} from "./repo.ts";
import {
  onSubmit,
  otherSide,
  REFUSAL_TEXT,
  reviewRefusal,
  sideOf,
} from "./rules.ts";
import {
  kitchenReviewForm,
  renterReviewForm,
  type Review,
  type ReviewSide,
  TEXT_MAX,
} from "./schema.ts";

const ATTEMPTS = 8;

/**
 * What the review form posts, read as text: which fields count depends on
 * the side, which only the booking tells (`reviewInputFor`). Each field is
 * capped, so nothing long reaches the parse.
 */
const posted = z.string().max(20, "Choose from 1 to 5 stars");
export const reviewPost = z.object({
  overall: posted,
  cleanliness: posted,
  equipment: posted,
  communication: posted,
  clean: posted,
  rules: posted,
  text: z.string().max(20_000, `Use at most ${TEXT_MAX} characters`),
});
export type ReviewPost = z.infer<typeof reviewPost>;

/** A review's content for `side`, or a ValidationError naming each field to fix. */
export function reviewInputFor(
  side: ReviewSide,
  post: ReviewPost,
): Pick<Review, "ratings" | "text"> & { side: ReviewSide } {
  const parsed = side === "renter"
    ? kitchenReviewForm.safeParse(post)
    : renterReviewForm.safeParse(post);
  if (!parsed.success) {
    throw new ValidationError(
      fieldErrors(parsed.error),
      "Please check the highlighted fields.",
    );
  }
  const { text, ...ratings } = parsed.data;
  return { side, text, ratings } as Pick<Review, "ratings" | "text"> & {
    side: ReviewSide;
  };
}

/** The booking, when `userId` is its renter or host; anyone else gets 404. */
export async function bookingForReview(
  kv: Deno.Kv,
  bookingId: string,
  userId: string,
): Promise<{ booking: Booking; side: ReviewSide }> {
  const b = isId(bookingId) ? await getBooking(kv, bookingId) : null;
  const side = b ? sideOf(b, userId) : null;
  if (!b || !side) throw new NotFoundError("We could not find that booking.");
  return { booking: b, side };
}

export interface Submitted {
  review: Review;
  /** Both reviews published with this one (it was the second). */
  published: boolean;
}

/**
 * Sends `author`'s review of booking `bookingId`: checked (a party to the
 * booking, the booking took place, the window is open, none written yet),
 * then written with what it causes in one atomic. Bad fields throw a
 * ValidationError before anything is read for writing; a refusal is a
 * ConflictError with the reason, and nothing is written.
 */
export async function submitReview(
  deps: ReviewDeps,
  bookingId: string,
  author: { id: string },
  post: ReviewPost,
): Promise<Submitted> {
  const { side } = await bookingForReview(deps.kv, bookingId, author.id);
  const input = reviewInputFor(side, post);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const { booking: b } = await bookingForReview(
      deps.kv,
      bookingId,
      author.id,
    );
    const [reviews, windowEntry, ratings, p] = await Promise.all([
      getBookingReviews(deps.kv, bookingId),
      getWindowEntry(deps.kv, bookingId),
      getRatingEntries(deps.kv, b.kitchenId, b.renterId),
      partiesOf(deps.kv, b),
    ]);
    const own = reviews.reviews[side]?.value ?? null;
    // An index entry without its review still counts as written.
    const written = reviews.index[side].value !== null;
    const refusal = reviewRefusal(
      b,
      own ?? (written ? { status: "pending" } : null),
      deps.now,
    );
    if (refusal) throw new ConflictError(REFUSAL_TEXT[refusal]);
    const otherEntry = reviews.reviews[otherSide(side)];
    const other = otherEntry?.value ?? null;
    const outcome = onSubmit(other);
    const publishing = outcome === "publish_both";
    const review = {
      v: 1,
      id: newId(),
      bookingId,
      kitchenId: b.kitchenId,
      hostId: b.hostId,
      renterId: b.renterId,
      authorId: author.id,
      authorName: authorNameOf(side, p),
      text: input.text,
      // The second review is written published, with the first.
      status: publishing ? "published" : "pending",
      createdAt: deps.now,
      publishedAt: publishing ? deps.now : null,
      response: null,
      removal: null,
      side: input.side,
      ratings: input.ratings,
    } as Review;
    const ok = await commitReviewWrite(
      deps.kv,
      { parties: b, kitchens: publishing ? [b.kitchenId] : [] },
      (atomic) => {
        addNewReview(atomic, reviews.index[side], review);
        addDueRemoval(atomic, author.id, bookingId);
        if (windowEntry.value) atomic.check(windowEntry);
        else {
          addNewWindow(atomic, windowEntry, b, deps, {
            // The window-open job, still to come, tells the other side.
            announced: false,
            written: [side, ...(other ? [otherSide(side)] : [])],
          });
        }
        if (!publishing) return;
        addPublish(atomic, deps, b, p, ratings, [
          ...(otherEntry && other?.status === "pending"
            ? [{ before: otherEntry, review: other }]
            : []),
          { before: null, review },
        ]);
      },
    );
    if (ok) return { review, published: publishing };
  }
  throw new ConflictError(
    "Your review could not be saved just now. Please try again.",
  );
}

/**
 * The host's one public response to a published review of their kitchen.
 * Anyone but the kitchen's host gets 404; a second response, or one to a
 * review not yet published, is refused.
 */
export async function respondToReview(
  deps: ReviewDeps,
  reviewId: string,
  host: { id: string },
  text: string,
): Promise<Review> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const entry = isId(reviewId)
      ? await getReviewEntry(deps.kv, reviewId)
      : null;
    const r = entry?.value;
    if (!entry || !r || r.side !== "renter" || r.hostId !== host.id) {
      throw new NotFoundError("We could not find that review.");
    }
    if (r.status !== "published") {
      throw new ConflictError(
        r.status === "removed"
          ? "Prep removed this review, so it takes no response."
          : "You can respond once the review is published.",
      );
    }
    if (r.response) {
      throw new ConflictError(
        "You have already responded to this review, and a response cannot be changed.",
      );
    }
    const next: Review = { ...r, response: { text, at: deps.now } };
    const ok = await commitReviewWrite(
      deps.kv,
      { parties: r, kitchens: [r.kitchenId] },
      (atomic) => addReviewUpdate(atomic, entry, next),
    );
    if (ok) return next;
  }
  throw new ConflictError(
    "Your response could not be saved just now. Please try again.",
  );
}
