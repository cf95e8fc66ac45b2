/**
 * The reviews domain's door to KV (DESIGN §14, §15): the only module that
 * spells its keys and drops its cached reads. Reads return entries where a
 * writer must check them; writers get `add*(atomic, …)` helpers and commit
 * through `commitReviewWrite`, which drops what the write changed.
 *
 * Ratings are counters (`["rating", kitchenId]`, `["renter_rating", id]`):
 * a publish or a removal changes them, and the kitchen's place in the
 * rating sort, in the same atomic as the review's own change, checked
 * against the counters read, so two publishes at once cannot lose one.
 */
import { keys } from "../db/keys.ts";
import { ALL_CITIES } from "../db/keys.ts";
import {
  cached,
  forget,
  forgetPrefix,
  forgetPrivatePrefix,
} from "../db/read_cache.ts";
import { isId, isUserId } from "../ids.ts";
import { forgetKitchen } from "../kitchens/repo.ts";
import { hostViewScope, renterViewScope } from "../bookings/cache_keys.ts";
import { ratingRank, withScores } from "./rules.ts";
import {
  KITCHEN_SCORES,
  type KitchenRatingCounters,
  RENTER_SCORES,
  type RenterRatingCounters,
  type ReportedReview,
  type Review,
  type ReviewDue,
  reviewRecord,
  type ReviewReport,
  type ReviewSide,
  type ReviewWindow,
} from "./schema.ts";

type Entry<T> = Deno.KvEntryMaybe<T>;

/** Read-cache prefix of everything public pages show of reviews. */
const VIEWS = "reviews:";
const ratingCacheKey = (kitchenId: string) => `${VIEWS}rating:${kitchenId}`;
const latestCacheKey = (kitchenId: string) => `${VIEWS}latest:${kitchenId}`;

// ---------------------------------------------------------------------------
// Reviews

export async function getReview(
  kv: Deno.Kv,
  id: string,
): Promise<Review | null> {
  if (!isId(id)) return null;
  return (await getReviewEntry(kv, id)).value;
}

export function getReviewEntry(
  kv: Deno.Kv,
  id: string,
): Promise<Entry<Review>> {
  return kv.get<Review>(keys.review(id));
}

/** A booking's reviews as entries, with the unique index entries that guard each side. */
export interface BookingReviews {
  index: Record<ReviewSide, Entry<string>>;
  reviews: Record<ReviewSide, Entry<Review> | null>;
}

export async function getBookingReviews(
  kv: Deno.Kv,
  bookingId: string,
): Promise<BookingReviews> {
  const [renter, host] = await kv.getMany<[string, string]>([
    keys.reviewByBooking(bookingId, "renter"),
    keys.reviewByBooking(bookingId, "host"),
  ]);
  const read = (e: Entry<string>) =>
    e.value ? kv.get<Review>(keys.review(e.value)) : Promise.resolve(null);
  const [r, h] = await Promise.all([read(renter), read(host)]);
  return { index: { renter, host }, reviews: { renter: r, host: h } };
}

/**
 * Adds a new review, checked absent by id and by (booking, side): of two
 * posts at once for one side, one commits.
 */
export function addNewReview(
  atomic: Deno.AtomicOperation,
  index: Entry<string>,
  review: Review,
): void {
  const full = reviewRecord.parse(review);
  atomic
    .check(index)
    .check({ key: keys.review(full.id), versionstamp: null })
    .set(keys.review(full.id), full)
    .set(keys.reviewByBooking(full.bookingId, full.side), full.id);
}

/** Adds a change to a review, checked against the entry read. */
export function addReviewUpdate(
  atomic: Deno.AtomicOperation,
  entry: Entry<Review>,
  next: Review,
): void {
  atomic.check(entry).set(keys.review(next.id), reviewRecord.parse(next));
}

/** The counters a publish or a removal changes, read so the atomic can check them. */
export interface RatingEntries {
  kitchen: Entry<KitchenRatingCounters>;
  renter: Entry<RenterRatingCounters>;
}

export async function getRatingEntries(
  kv: Deno.Kv,
  kitchenId: string,
  renterId: string,
): Promise<RatingEntries> {
  const [kitchen, renter] = await kv.getMany<
    [KitchenRatingCounters, RenterRatingCounters]
  >([keys.kitchenRating(kitchenId), keys.renterRating(renterId)]);
  return { kitchen, renter };
}

/** The rating-sort index entries of a kitchen's counters (one per scope). */
function rankKeys(
  kitchenId: string,
  c: Pick<KitchenRatingCounters, "count" | "sums" | "city"> | null,
): Deno.KvKey[] {
  const rank = ratingRank(c);
  if (!rank) return [];
  const scopes = c?.city ? [c.city, ALL_CITIES] : [ALL_CITIES];
  return scopes.map((scope) =>
    keys.kitchensByRating(
      scope,
      rank.tier,
      -rank.tenths,
      -rank.count,
      kitchenId,
    )
  );
}

/**
 * Adds reviews entering (+1: published) or leaving (-1: removed) the
 * ratings: the review records as given, the kitchen's list and the host's
 * for kitchen reviews, the counters (checked as read) and the kitchen's
 * place in the rating sort. `city` is the kitchen's city now. Several
 * reviews of one booking go in one call, so each counter is written once.
 */
export function addRatingChange(
  atomic: Deno.AtomicOperation,
  ratings: RatingEntries,
  /** `before` null: a review new in this atomic (`addNewReview` wrote it). */
  changes: { before: Entry<Review> | null; after: Review }[],
  sign: 1 | -1,
  city: string | null,
): void {
  let kitchen = ratings.kitchen.value;
  let renter = ratings.renter.value;
  let kitchenId: string | null = null;
  let renterId: string | null = null;
  for (const { before, after } of changes) {
    if (before) addReviewUpdate(atomic, before, after);
    if (after.side === "renter") {
      kitchenId = after.kitchenId;
      kitchen = withScores(kitchen, KITCHEN_SCORES, after.ratings, sign);
      const byKitchen = keys.reviewsByKitchen(after.kitchenId, after.id);
      const byHost = keys.reviewsByHost(after.hostId, after.id);
      if (sign > 0) atomic.set(byKitchen, after.id).set(byHost, after.id);
      else atomic.delete(byKitchen).delete(byHost);
    } else {
      renterId = after.renterId;
      renter = withScores(renter, RENTER_SCORES, after.ratings, sign);
    }
  }
  if (kitchenId && kitchen) {
    const { city: _old, ...rest } = kitchen;
    const next: KitchenRatingCounters = city ? { ...rest, city } : rest;
    atomic.check(ratings.kitchen).set(keys.kitchenRating(kitchenId), next);
    for (const k of rankKeys(kitchenId, ratings.kitchen.value)) {
      atomic.delete(k);
    }
    for (const k of rankKeys(kitchenId, next)) atomic.set(k, kitchenId);
  }
  if (renterId && renter) {
    atomic.check(ratings.renter).set(keys.renterRating(renterId), renter);
  }
}

// ---------------------------------------------------------------------------
// Windows and what is due

export function getWindowEntry(
  kv: Deno.Kv,
  bookingId: string,
): Promise<Entry<ReviewWindow>> {
  return kv.get<ReviewWindow>(keys.reviewWindow(bookingId));
}

/** Adds a window, checked as read (absent for a new one). */
export function addWindow(
  atomic: Deno.AtomicOperation,
  entry: Entry<ReviewWindow>,
  window: ReviewWindow,
): void {
  atomic.check(entry).set(keys.reviewWindow(window.bookingId), window);
}

/** Adds "`userId` may review this booking until the window closes". */
export function addDue(
  atomic: Deno.AtomicOperation,
  userId: string,
  due: ReviewDue,
  now: number,
): void {
  if (!isUserId(userId)) return;
  // expireIn is only the earliest deletion; readers check closesAt too.
  atomic.set(keys.reviewDue(userId, due.bookingId), due, {
    expireIn: Math.max(60_000, due.closesAt - now + 24 * 3600_000),
  });
}

export function addDueRemoval(
  atomic: Deno.AtomicOperation,
  userId: string,
  bookingId: string,
): void {
  if (!isUserId(userId)) return;
  atomic.delete(keys.reviewDue(userId, bookingId));
}

/** Reviews `userId` may still write, soonest to close first, at most `limit`. */
export async function listDue(
  kv: Deno.Kv,
  userId: string,
  now: number,
  limit = 10,
): Promise<ReviewDue[]> {
  if (!isUserId(userId)) return [];
  const out: ReviewDue[] = [];
  // Few at once: a window lasts 14 days. The cap keeps a page's cost fixed.
  for await (
    const e of kv.list<ReviewDue>(
      { prefix: keys.reviewsDuePrefix(userId) },
      { limit: 50 },
    )
  ) {
    if (e.value.closesAt > now) out.push(e.value);
  }
  return out.sort((a, b) => a.closesAt - b.closesAt).slice(0, limit);
}

// ---------------------------------------------------------------------------
// Ratings as pages show them (through the read cache)

/** A kitchen's counters, or null with no published review; display only. */
export function viewKitchenRating(
  kv: Deno.Kv,
  kitchenId: string,
): Promise<KitchenRatingCounters | null> {
  return cached(
    kv,
    ratingCacheKey(kitchenId),
    async () =>
      (await kv.get<KitchenRatingCounters>(keys.kitchenRating(kitchenId)))
        .value,
  );
}

/** Several kitchens' counters at once (search cards), by kitchen id; display only. */
export async function viewKitchenRatings(
  kv: Deno.Kv,
  kitchenIds: readonly string[],
): Promise<Map<string, KitchenRatingCounters | null>> {
  const ids = [...new Set(kitchenIds)];
  const values = await Promise.all(ids.map((id) => viewKitchenRating(kv, id)));
  return new Map(ids.map((id, i) => [id, values[i]]));
}

export async function getRenterRating(
  kv: Deno.Kv,
  renterId: string,
): Promise<RenterRatingCounters | null> {
  if (!isUserId(renterId)) return null;
  return (await kv.get<RenterRatingCounters>(keys.renterRating(renterId)))
    .value;
}

/** The selector of the rating-sort index in a scope (a city or ALL_CITIES). */
export function ratingIndexSelector(scope: string): Deno.KvListSelector {
  return { prefix: keys.kitchensByRatingPrefix(scope) };
}

// ---------------------------------------------------------------------------
// Lists

export interface ReviewPage {
  reviews: Review[];
  /** Pass back as `before` for the next (older) page; null on the last. */
  cursor: string | null;
}

async function listIndexed(
  kv: Deno.Kv,
  prefix: Deno.KvKey,
  before: string | null,
  limit: number,
): Promise<ReviewPage> {
  const ids: string[] = [];
  for await (
    const e of kv.list<string>(
      before ? { prefix, end: [...prefix, before] } : { prefix },
      { reverse: true, limit: limit + 1 },
    )
  ) ids.push(e.value);
  const more = ids.length > limit;
  if (more) ids.length = limit;
  const reviews = await getReviews(kv, ids);
  return {
    reviews: reviews.filter((r) => r.status === "published"),
    cursor: more ? ids[ids.length - 1] : null,
  };
}

/** Reviews by id, in the order asked, leaving out any missing. */
export async function getReviews(
  kv: Deno.Kv,
  ids: readonly string[],
): Promise<Review[]> {
  const out: Review[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const entries = await kv.getMany<Review[]>(
      ids.slice(i, i + 10).map((id) => keys.review(id)),
    );
    for (const e of entries) if (e.value) out.push(e.value);
  }
  return out;
}

/** A kitchen's published reviews, newest first, `limit` a page, older than `before`. */
export function listKitchenReviews(
  kv: Deno.Kv,
  kitchenId: string,
  before: string | null,
  limit: number,
): Promise<ReviewPage> {
  return listIndexed(kv, keys.reviewsByKitchenPrefix(kitchenId), before, limit);
}

/** The kitchen page's latest reviews, through the read cache. */
export function viewLatestKitchenReviews(
  kv: Deno.Kv,
  kitchenId: string,
  limit: number,
): Promise<ReviewPage> {
  return cached(
    kv,
    `${latestCacheKey(kitchenId)}:${limit}`,
    () => listKitchenReviews(kv, kitchenId, null, limit),
  );
}

/** The newest published reviews of a host's kitchens. */
export function listHostReviews(
  kv: Deno.Kv,
  hostId: string,
  limit: number,
): Promise<ReviewPage> {
  return listIndexed(kv, keys.reviewsByHostPrefix(hostId), null, limit);
}

// ---------------------------------------------------------------------------
// Reports

export function getReportEntry(
  kv: Deno.Kv,
  reviewId: string,
  reporterId: string,
): Promise<Entry<ReviewReport>> {
  return kv.get<ReviewReport>(keys.reviewReport(reviewId, reporterId));
}

export function getReportedEntry(
  kv: Deno.Kv,
  reviewId: string,
): Promise<Entry<ReportedReview>> {
  return kv.get<ReportedReview>(keys.reportedReview(reviewId));
}

/** Adds a report (checked absent) and the review's place in the staff queue (checked as read). */
export function addReport(
  atomic: Deno.AtomicOperation,
  reportEntry: Entry<ReviewReport>,
  queued: Entry<ReportedReview>,
  report: ReviewReport,
): void {
  const q = queued.value;
  atomic
    .check(reportEntry)
    .check(queued)
    .set(keys.reviewReport(report.reviewId, report.reporterId), report)
    .set(
      keys.reportedReview(report.reviewId),
      {
        v: 1,
        reviewId: report.reviewId,
        count: (q?.count ?? 0) + 1,
        firstAt: q?.firstAt ?? report.at,
        lastAt: report.at,
      } satisfies ReportedReview,
    );
}

/** Takes a review out of the staff queue (handled: removed or dismissed). */
export function addReportedRemoval(
  atomic: Deno.AtomicOperation,
  reviewId: string,
  queued: Entry<ReportedReview>,
): void {
  atomic.check(queued).delete(keys.reportedReview(reviewId));
}

/** Reviews waiting for staff, oldest review first, after `after`. */
export async function listReported(
  kv: Deno.Kv,
  after: string | null,
  limit: number,
): Promise<{ queued: ReportedReview[]; cursor: string | null }> {
  const prefix = keys.reportedReviewsPrefix();
  const queued: ReportedReview[] = [];
  for await (
    const e of kv.list<ReportedReview>(
      after && isId(after)
        ? { prefix, start: [...keys.reportedReview(after), ""] }
        : { prefix },
      { limit: limit + 1 },
    )
  ) queued.push(e.value);
  const more = queued.length > limit;
  if (more) queued.length = limit;
  return {
    queued,
    cursor: more ? queued[queued.length - 1].reviewId : null,
  };
}

/** A review's reports, oldest first, at most `limit`. */
export async function listReports(
  kv: Deno.Kv,
  reviewId: string,
  limit = 20,
): Promise<ReviewReport[]> {
  const out: ReviewReport[] = [];
  for await (
    const e of kv.list<ReviewReport>({
      prefix: keys.reviewReportsPrefix(reviewId),
    }, { limit: 200 })
  ) out.push(e.value);
  return out.sort((a, b) => a.at - b.at).slice(0, limit);
}

// ---------------------------------------------------------------------------
// Committing

/** What a write changed, so the commit drops this instance's cached views of it. */
export interface ReviewsTouched {
  /**
   * The booking the write is about, by its host and renter: the host's
   * dashboard and the renter's bookings show its reviews, the reviews due
   * and ratings. Null only for a write neither sees (a report dismissed
   * from the staff queue).
   */
  parties: { hostId: string; renterId: string } | null;
  /** Kitchens whose rating or list of reviews changed. */
  kitchens?: string[];
}

/**
 * Builds an atomic with `fill`, commits it, and on success drops the cached
 * views the write changed (the host's dashboard views, ratings, a kitchen's
 * latest reviews, search pages and public pages). Returns whether it
 * committed.
 */
export async function commitReviewWrite(
  kv: Deno.Kv,
  touched: ReviewsTouched,
  fill: (atomic: Deno.AtomicOperation) => void,
): Promise<boolean> {
  const atomic = kv.atomic();
  fill(atomic);
  const res = await atomic.commit();
  if (!res.ok) return false;
  if (touched.parties) {
    // Their own pages only: what the public sees changes with a kitchen's
    // rating, dropped below.
    forgetPrivatePrefix(kv, hostViewScope(touched.parties.hostId));
    forgetPrivatePrefix(kv, renterViewScope(touched.parties.renterId));
  }
  for (const id of touched.kitchens ?? []) {
    forget(kv, ratingCacheKey(id));
    forgetPrefix(kv, latestCacheKey(id));
    // The search pages and the kitchen's public page show its rating.
    forgetKitchen(kv, id);
  }
  return true;
}
