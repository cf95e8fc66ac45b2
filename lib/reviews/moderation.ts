/**
 * Moderation (issue 18 §11): anyone signed in reports a review they can
 * read, with a reason; staff see reported reviews at /admin/reviews, and
 * an admin removes one with a reason (it leaves the ratings in the same
 * atomic, the audit log records it and its author is told by email) or
 * dismisses its reports (audited too).
 */
import { getUser, getUsers } from "../accounts/repo.ts";
import { addLimitHit, type Limit } from "../accounts/rate_limit.ts";
import { requireCapability } from "../accounts/roles.ts";
import type { SessionUser } from "../accounts/schema.ts";
import { addAudit } from "../audit/repo.ts";
import { getBookings } from "../bookings/repo.ts";
import { referenceOf } from "../bookings/reference.ts";
import {
  ConflictError,
  NotFoundError,
  TooManyAttemptsError,
} from "../errors.ts";
import { isId } from "../ids.ts";
import { getKitchens } from "../kitchens/repo.ts";
import { addNotice, removedNotice } from "./notices.ts";
import type { ReviewDeps } from "./publish.ts";
import {
  addRatingChange,
  addReport,
  addReportedRemoval,
  commitReviewWrite,
  getRatingEntries,
  getReportedEntry,
  getReportEntry,
  getReviewEntry,
  getReviews,
  listReported,
  listReports,
} from "./repo.ts";
import { visibleTo } from "./rules.ts";
import type {
  ReportedReview,
  ReportInput,
  Review,
  ReviewReport,
} from "./schema.ts";

const ATTEMPTS = 8;

/** Reports one person may send a day: enough for honest use, too few to flood staff. */
export const REPORT_LIMIT: Limit = {
  bucket: "review-report:user",
  max: 10,
  windowMs: 24 * 3600_000,
};

/**
 * A published review `viewer` may read and report: kitchen reviews are
 * public; a host's review of a renter is seen only by the booking's two
 * people. Anything else is not found.
 */
export async function reviewToReport(
  kv: Deno.Kv,
  reviewId: string,
  viewerId: string,
): Promise<Review> {
  const r = isId(reviewId) ? (await getReviewEntry(kv, reviewId)).value : null;
  const mayRead = r !== null && r.status === "published" &&
    visibleTo(r, viewerId) &&
    (r.side === "renter" || r.renterId === viewerId || r.hostId === viewerId);
  if (!r || !mayRead) throw new NotFoundError("We could not find that review.");
  return r;
}

/**
 * Records `reporter`'s report and puts the review in the staff queue, in
 * one atomic with the reporter's daily count. Its author cannot report it,
 * and one person reports a review once.
 */
export async function reportReview(
  deps: ReviewDeps,
  reviewId: string,
  reporter: { id: string },
  input: ReportInput,
): Promise<ReviewReport> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const r = await reviewToReport(deps.kv, reviewId, reporter.id);
    if (r.authorId === reporter.id) {
      throw new ConflictError(
        "You wrote this review, so you cannot report it.",
      );
    }
    const [mine, queued] = await Promise.all([
      getReportEntry(deps.kv, r.id, reporter.id),
      getReportedEntry(deps.kv, r.id),
    ]);
    if (mine.value) {
      throw new ConflictError(
        "You have already reported this review; Prep's staff will look at it.",
      );
    }
    const report: ReviewReport = {
      v: 1,
      reviewId: r.id,
      reporterId: reporter.id,
      reason: input.reason,
      details: input.details,
      at: deps.now,
    };
    const atomic = deps.kv.atomic();
    const hit = await addLimitHit(
      atomic,
      deps.kv,
      REPORT_LIMIT,
      reporter.id,
      deps.now,
    );
    if (!hit.ok) throw new TooManyAttemptsError(hit.retryAfterSeconds);
    addReport(atomic, mine, queued, report);
    if ((await atomic.commit()).ok) return report;
  }
  throw new ConflictError(
    "Your report could not be sent just now. Please try again.",
  );
}

/**
 * An admin removes a review with a reason: it stops showing, leaves the
 * ratings (counters and the rating sort) and the staff queue, is audited,
 * and its author is told by email and in the app, all in one atomic.
 */
export async function removeReview(
  deps: ReviewDeps,
  reviewId: string,
  actor: SessionUser,
  reason: string,
): Promise<Review> {
  requireCapability(actor, "admin:act");
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const entry = isId(reviewId)
      ? await getReviewEntry(deps.kv, reviewId)
      : null;
    const r = entry?.value;
    if (!entry || !r) throw new NotFoundError("We could not find that review.");
    if (r.status === "removed") {
      throw new ConflictError("This review was removed already.");
    }
    if (r.status !== "published") {
      throw new ConflictError(
        "This review is not published yet; only published reviews can be removed.",
      );
    }
    const [ratings, queued, author, kitchens] = await Promise.all([
      getRatingEntries(deps.kv, r.kitchenId, r.renterId),
      getReportedEntry(deps.kv, r.id),
      getUser(deps.kv, r.authorId),
      getKitchens(deps.kv, [r.kitchenId]),
    ]);
    const kitchen = kitchens[0];
    const next: Review = {
      ...r,
      status: "removed",
      removal: { reason, at: deps.now, byId: actor.id },
    };
    const ok = await commitReviewWrite(
      deps.kv,
      { parties: r, kitchens: r.side === "renter" ? [r.kitchenId] : [] },
      (atomic) => {
        addRatingChange(
          atomic,
          ratings,
          [{ before: entry, after: next }],
          -1,
          kitchen?.address.city ?? null,
        );
        if (queued.value) addReportedRemoval(atomic, r.id, queued);
        else atomic.check(queued);
        addAudit(atomic, {
          actor: { kind: "user", id: actor.id, email: actor.email },
          action: "review.removed",
          subject: { kind: "review", id: r.id },
          details: {
            bookingId: r.bookingId,
            kitchenId: r.kitchenId,
            side: r.side,
            overall: r.ratings.overall,
            reports: queued.value?.count ?? 0,
          },
          reason,
        }, deps.now);
        if (author) {
          addNotice(
            atomic,
            deps,
            author,
            removedNotice(
              {
                kitchenTitle: kitchen?.title ?? "a Prep kitchen",
                timeZone: kitchen?.timeZone,
              },
              r.bookingId,
              reason,
            ),
          );
        }
      },
    );
    if (ok) return next;
  }
  throw new ConflictError(
    "This review changed while we were removing it; please try again.",
  );
}

/** An admin dismisses a review's reports: it leaves the staff queue, audited; the review stays. */
export async function dismissReports(
  deps: ReviewDeps,
  reviewId: string,
  actor: SessionUser,
): Promise<void> {
  requireCapability(actor, "admin:act");
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const queued = isId(reviewId)
      ? await getReportedEntry(deps.kv, reviewId)
      : null;
    if (!queued?.value) {
      throw new NotFoundError(
        "This review has no reports waiting; someone may have handled them.",
      );
    }
    const count = queued.value.count;
    // Only the staff queue changes: no host page shows reports.
    const ok = await commitReviewWrite(deps.kv, { parties: null }, (atomic) => {
      addReportedRemoval(atomic, reviewId, queued);
      addAudit(atomic, {
        actor: { kind: "user", id: actor.id, email: actor.email },
        action: "review.reports_dismissed",
        subject: { kind: "review", id: reviewId },
        details: { reports: count },
      }, deps.now);
    });
    if (ok) return;
  }
  throw new ConflictError(
    "These reports changed while we were dismissing them; please try again.",
  );
}

/** A reported review as staff see it. */
export interface StaffReviewItem {
  queued: ReportedReview;
  review: Review | null;
  kitchenTitle: string;
  bookingReference: string | null;
  author: { name: string; email: string } | null;
  reports:
    (ReviewReport & { reporter: { name: string; email: string } | null })[];
}

export const STAFF_PAGE_SIZE = 20;

/** The staff queue of reported reviews, oldest review first, a page at a time. */
export async function loadReportedReviews(
  kv: Deno.Kv,
  after: string | null,
): Promise<{ items: StaffReviewItem[]; cursor: string | null }> {
  const { queued, cursor } = await listReported(kv, after, STAFF_PAGE_SIZE);
  const reviews = await getReviews(kv, queued.map((q) => q.reviewId));
  const byId = new Map(reviews.map((r) => [r.id, r]));
  const reports = await Promise.all(
    queued.map((q) => listReports(kv, q.reviewId)),
  );
  const [kitchens, bookings, people] = await Promise.all([
    getKitchens(kv, [...new Set(reviews.map((r) => r.kitchenId))]),
    getBookings(kv, reviews.map((r) => r.bookingId)),
    getUsers(kv, [
      ...reviews.map((r) => r.authorId),
      ...reports.flat().map((x) => x.reporterId),
    ]),
  ]);
  const titles = new Map(
    kitchens.filter((k) => k !== null).map((k) => [k!.id, k!.title]),
  );
  const refs = new Map(bookings.map((b) => [b.id, referenceOf(b)]));
  const person = (id: string) => {
    const u = people.get(id);
    return u ? { name: u.name, email: u.email } : null;
  };
  return {
    items: queued.map((q, i) => {
      const r = byId.get(q.reviewId) ?? null;
      return {
        queued: q,
        review: r,
        kitchenTitle: r ? titles.get(r.kitchenId) ?? "A kitchen" : "A kitchen",
        bookingReference: r ? refs.get(r.bookingId) ?? null : null,
        author: r ? person(r.authorId) : null,
        reports: reports[i].map((x) => ({
          ...x,
          reporter: person(x.reporterId),
        })),
      };
    }),
    cursor,
  };
}
