/**
 * Reviews after a stay (issue 18 §7–11): what each side rates, the forms
 * that post them, what is kept, and the ratings they add up to.
 *
 * A booking has at most two reviews, one per side: the renter reviews the
 * kitchen ("renter" side) and the host reviews the renter ("host" side).
 */
import { z } from "zod";
import { isId } from "../ids.ts";
import { optionalText, REASON_MAX_CHARS, text } from "../text.ts";

export const REVIEW_SIDES = ["renter", "host"] as const;
/** Who wrote a review: the booking's renter (about the kitchen) or its host (about the renter). */
export type ReviewSide = typeof REVIEW_SIDES[number];

/** What a renter rates about the kitchen, overall first. */
export const KITCHEN_SCORES = [
  "overall",
  "cleanliness",
  "equipment",
  "communication",
] as const;
export type KitchenScore = typeof KITCHEN_SCORES[number];

/** What a host rates about the renter, overall first. */
export const RENTER_SCORES = ["overall", "clean", "rules"] as const;
export type RenterScore = typeof RENTER_SCORES[number];

export const SCORE_NAMES: Record<KitchenScore | RenterScore, string> = {
  overall: "Overall",
  cleanliness: "Cleanliness",
  equipment: "Equipment as described",
  communication: "Communication",
  clean: "Left the kitchen clean",
  rules: "Followed the rules",
};

export const TEXT_MIN = 20;
export const TEXT_MAX = 2000;

/**
 * A star rating as a form posts it: a whole number from 1 to 5. "0", "6",
 * "2.5" and "4 " with letters are refused, not rounded.
 */
export const ratingField = z.string().trim().regex(
  /^[1-5]$/,
  "Choose from 1 to 5 stars",
).transform(Number);

export const reviewText = text({
  label: "your review",
  min: TEXT_MIN,
  max: TEXT_MAX,
  multiline: true,
});

/** The renter's review of the kitchen. */
export const kitchenReviewForm = z.object({
  overall: ratingField,
  cleanliness: ratingField,
  equipment: ratingField,
  communication: ratingField,
  text: reviewText,
});
export type KitchenReviewInput = z.infer<typeof kitchenReviewForm>;

/** The host's review of the renter. */
export const renterReviewForm = z.object({
  overall: ratingField,
  clean: ratingField,
  rules: ratingField,
  text: reviewText,
});
export type RenterReviewInput = z.infer<typeof renterReviewForm>;

export type ReviewInput =
  | { side: "renter"; ratings: KitchenRatings; text: string }
  | { side: "host"; ratings: RenterRatings; text: string };

/** The host's one public answer to a review of their kitchen. */
export const responseForm = z.object({
  response: text({ label: "your response", max: TEXT_MAX, multiline: true }),
});

export const REPORT_REASONS = {
  false: "It is false or not about this booking",
  offensive: "It is offensive, hateful or threatening",
  private: "It shares private or contact details",
  spam: "It is spam or advertising",
  other: "Something else",
} as const;
export type ReportReason = keyof typeof REPORT_REASONS;
const REASON_IDS = Object.keys(REPORT_REASONS) as [
  ReportReason,
  ...ReportReason[],
];

export const reportForm = z.object({
  reason: z.enum(REASON_IDS, "Choose why you are reporting it"),
  details: optionalText({
    label: "what is wrong",
    max: REASON_MAX_CHARS,
    multiline: true,
  }),
});
export type ReportInput = z.infer<typeof reportForm>;

/** Staff remove a review with a reason, which its author is told. */
export const removalForm = z.object({
  reason: text({ label: "a reason", max: REASON_MAX_CHARS, multiline: true }),
});

/** `?before=<review id>`: a page of a kitchen's reviews, older than that one. */
export const reviewsPageQuery = z.object({
  before: z.union([
    z.literal(""),
    z.string().refine(isId, "Not a page of these reviews"),
  ]),
});

const score = z.number().int().min(1).max(5);

export const kitchenRatings = z.object({
  overall: score,
  cleanliness: score,
  equipment: score,
  communication: score,
});
export type KitchenRatings = z.infer<typeof kitchenRatings>;

export const renterRatings = z.object({
  overall: score,
  clean: score,
  rules: score,
});
export type RenterRatings = z.infer<typeof renterRatings>;

export const REVIEW_STATUSES = ["pending", "published", "removed"] as const;
export type ReviewStatus = typeof REVIEW_STATUSES[number];

const reviewBase = z.object({
  v: z.literal(1),
  /** A ULID: a kitchen's reviews list in the order they were written. */
  id: z.string(),
  bookingId: z.string(),
  kitchenId: z.string(),
  hostId: z.string(),
  renterId: z.string(),
  authorId: z.string(),
  /** How the author is shown: a renter's first name, a host's business name. */
  authorName: z.string().max(120),
  text: z.string(),
  /** Pending: written, hidden from everyone but its author until both are in or the window closes. */
  status: z.enum(REVIEW_STATUSES),
  createdAt: z.number().int(),
  publishedAt: z.number().int().nullable(),
  /** The host's public response (kitchen reviews only), once. */
  response: z.object({ text: z.string(), at: z.number().int() }).nullable(),
  /** Why staff removed it; removed reviews leave the ratings. */
  removal: z.object({
    reason: z.string(),
    at: z.number().int(),
    byId: z.string(),
  }).nullable(),
});

export const reviewRecord = z.discriminatedUnion("side", [
  reviewBase.extend({ side: z.literal("renter"), ratings: kitchenRatings }),
  reviewBase.extend({ side: z.literal("host"), ratings: renterRatings }),
]);
export type Review = z.infer<typeof reviewRecord>;
export type KitchenReview = Extract<Review, { side: "renter" }>;

/** A booking's review window (rules.ts): kept so its jobs run once and its notices go once. */
export interface ReviewWindow {
  v: 1;
  bookingId: string;
  opensAt: number;
  closesAt: number;
  /** Both sides were told the window opened (or it opened without telling: a late start). */
  announced: boolean;
  /** The window-end job ran: whatever was written is published. */
  closed: boolean;
}

/** What a user may still review, for /account and the host dashboard. */
export interface ReviewDue {
  bookingId: string;
  kitchenId: string;
  side: ReviewSide;
  closesAt: number;
}

/**
 * The counters behind a rating (DESIGN §15: counters, not scans): how many
 * published reviews, and the sum of each score. `city` is the scope the
 * kitchen is indexed under for sorting by rating (kitchens only).
 */
export interface RatingCounters<S extends string> {
  v: 1;
  count: number;
  sums: Record<S, number>;
  city?: string;
}
export type KitchenRatingCounters = RatingCounters<KitchenScore>;
export type RenterRatingCounters = RatingCounters<RenterScore>;

/** A report of a published review: one per review and person. */
export interface ReviewReport {
  v: 1;
  reviewId: string;
  reporterId: string;
  reason: ReportReason;
  details: string | null;
  at: number;
}

/** A review with reports staff have not handled: the staff queue's entry. */
export interface ReportedReview {
  v: 1;
  reviewId: string;
  count: number;
  firstAt: number;
  lastAt: number;
}
