/**
 * Publishing a booking's reviews (issue 18 §8), shared by the second
 * review's arrival and the window's end: the reviews, the kitchen's and
 * the renter's counters, the kitchen's place in the rating sort and the
 * notices go in one atomic. Also who a booking's parties are, which every
 * review change needs for its notices.
 */
import { getUser } from "../accounts/repo.ts";
import type { User } from "../accounts/schema.ts";
import type { Booking } from "../bookings/schema.ts";
import { getHost } from "../hosts/repo.ts";
import { isUserId } from "../ids.ts";
import { getKitchen } from "../kitchens/repo.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import { addInAppNotice, type Parties, publishedNotice } from "./notices.ts";
import {
  addDue,
  addRatingChange,
  addWindow,
  type RatingEntries,
} from "./repo.ts";
import { CLOSING_REMINDER_BEFORE_MS, firstName, windowOf } from "./rules.ts";
import type { Review, ReviewSide, ReviewWindow } from "./schema.ts";
import { addJob } from "../jobs/outbox.ts";
import { REVIEW_REMINDER_JOB, REVIEW_WINDOW_CLOSE_JOB } from "../job_names.ts";
import type { NoticeDeps } from "./notices.ts";

export interface ReviewDeps extends NoticeDeps {
  kv: Deno.Kv;
  /**
   * False: tell nobody in the app that reviews were published. Only the
   * demo seed says so, as it writes months of history at once.
   */
  notices?: boolean;
}

/** A booking's kitchen and people, as review notices and pages name them. */
export interface BookingParties extends Parties {
  kitchen: Kitchen | null;
  renter: User | null;
  host: User | null;
}

export async function partiesOf(
  kv: Deno.Kv,
  b: Pick<Booking, "kitchenId" | "renterId" | "hostId">,
): Promise<BookingParties> {
  const [kitchen, renter, host, profile] = await Promise.all([
    getKitchen(kv, b.kitchenId),
    isUserId(b.renterId) ? getUser(kv, b.renterId) : null,
    isUserId(b.hostId) ? getUser(kv, b.hostId) : null,
    getHost(kv, b.hostId),
  ]);
  return {
    kitchen,
    renter,
    host,
    kitchenTitle: kitchen?.title ?? "a Prep kitchen",
    hostName: profile?.name ?? host?.name ?? "the host",
    renterName: renter ? firstName(renter.name) : "the renter",
  };
}

/** How a review's author is shown: the renter's first name, the host's business. */
export function authorNameOf(side: ReviewSide, p: BookingParties): string {
  return side === "renter" ? p.renterName : p.hostName;
}

/**
 * Adds a booking's review window to the atomic (checked absent): the
 * record, "review this booking" for each side that has not written, the
 * job that publishes at its end and, while there is time for it, the
 * reminder three days before.
 */
export function addNewWindow(
  atomic: Deno.AtomicOperation,
  entry: Deno.KvEntryMaybe<ReviewWindow>,
  b: Pick<Booking, "id" | "end" | "kitchenId" | "renterId" | "hostId">,
  deps: ReviewDeps,
  opts: { announced: boolean; written: ReviewSide[] },
): ReviewWindow {
  const { opensAt, closesAt } = windowOf(b);
  const window: ReviewWindow = {
    v: 1,
    bookingId: b.id,
    opensAt,
    closesAt,
    announced: opts.announced,
    closed: false,
  };
  addWindow(atomic, entry, window);
  for (const side of ["renter", "host"] as const) {
    if (opts.written.includes(side)) continue;
    addDue(atomic, side === "renter" ? b.renterId : b.hostId, {
      bookingId: b.id,
      kitchenId: b.kitchenId,
      side,
      closesAt,
    }, deps.now);
  }
  const jobs = { now: deps.now, wake: deps.mail.wake };
  addJob(atomic, {
    id: `review-close:${b.id}`,
    type: REVIEW_WINDOW_CLOSE_JOB,
    payload: { bookingId: b.id },
    runAt: closesAt,
  }, jobs);
  const remindAt = closesAt - CLOSING_REMINDER_BEFORE_MS;
  if (remindAt > deps.now) {
    addJob(atomic, {
      id: `review-reminder:${b.id}`,
      type: REVIEW_REMINDER_JOB,
      payload: { bookingId: b.id },
      runAt: remindAt,
    }, jobs);
  }
  return window;
}

/**
 * Adds publishing a booking's reviews to the atomic: each becomes
 * published (`before` null: new in this atomic), the counters and the
 * rating sort take them in, and both people are told in the app.
 */
export function addPublish(
  atomic: Deno.AtomicOperation,
  deps: ReviewDeps,
  b: Pick<Booking, "id">,
  p: BookingParties,
  ratings: RatingEntries,
  items: { before: Deno.KvEntryMaybe<Review> | null; review: Review }[],
): Review[] {
  const published = items.map(({ before, review }) => ({
    before,
    after: { ...review, status: "published" as const, publishedAt: deps.now },
  }));
  addRatingChange(
    atomic,
    ratings,
    published,
    1,
    p.kitchen?.address.city ?? null,
  );
  for (const user of deps.notices === false ? [] : [p.renter, p.host]) {
    if (!user) continue;
    addInAppNotice(atomic, deps.now, user.id, {
      ...publishedNotice(b, p),
      timeZone: p.kitchen?.timeZone,
    });
  }
  return published.map((x) => x.after);
}
