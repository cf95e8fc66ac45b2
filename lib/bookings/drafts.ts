/**
 * A renter's booking draft: the kitchen, date and hours they were about to
 * book, kept on the server for a few days (one per user, `booking_drafts`)
 * so that whatever they must do first (confirm their email, upload their
 * documents, wait for staff) they come back to the same hours instead of
 * picking them again. It is only a memory: nothing is held, and the review
 * page it leads back to judges availability and the city's rules afresh.
 *
 * Viewing the review page remembers it. That is a write on a GET, like a
 * session's last-seen time, and as harmless: it takes no time, moves no
 * money and sends nothing, and the next review replaces it.
 */
import { type Refund, refundForCancellation } from "./refunds.ts";
import { z } from "zod";
import { formatTimeRange } from "../format.ts";
import { getKitchen } from "../kitchens/repo.ts";
import { localDate } from "../kitchens/schema.ts";
import {
  bookingModeOf,
  type HoldDeps,
  previewHold,
  requestedInterval,
} from "./holds.ts";
import { getDraftEntry, setDraft } from "./repo.ts";
import { holdRequest, type ReviewRequest } from "./schema.ts";

/** How long a draft lasts: past a working day of document review, and a weekend. */
export const DRAFT_TTL_MS = 3 * 24 * 3600_000;
/** A draft viewed again is rewritten at most this often (a review page is reloaded a lot). */
const REFRESH_MS = 3600_000;

export const bookingDraft = z.object({
  v: z.literal(1),
  kitchen: holdRequest.shape.kitchen,
  date: localDate,
  start: holdRequest.shape.start,
  end: holdRequest.shape.end,
  savedAt: z.number().int(),
  /** KV's `expireIn` is only the earliest deletion: checked on read. */
  expiresAt: z.number().int(),
});
export type BookingDraft = z.infer<typeof bookingDraft>;

type Pick4 = Pick<BookingDraft, "kitchen" | "date" | "start" | "end">;

/** The review page of a draft's hours. */
export function reviewPath(d: Pick4): string {
  const q = new URLSearchParams({
    kitchen: d.kitchen,
    date: d.date,
    start: d.start,
    end: d.end,
  });
  return `/bookings/new?${q}`;
}

/** Whether two picks are the same hours of the same kitchen. */
export function sameHours(a: Pick4, b: Pick4): boolean {
  return a.kitchen === b.kitchen && a.date === b.date && a.start === b.start &&
    a.end === b.end;
}

/** The renter's draft, unless it has lapsed or no longer reads. */
export async function currentDraft(
  kv: Deno.Kv,
  userId: string,
  now: number,
): Promise<BookingDraft | null> {
  const parsed = bookingDraft.safeParse(
    (await getDraftEntry(kv, userId)).value,
  );
  return parsed.success && parsed.data.expiresAt > now ? parsed.data : null;
}

/** Remembers the hours a renter is reviewing (see the module comment). */
export async function rememberDraft(
  kv: Deno.Kv,
  userId: string,
  pick: Pick4,
  now: number,
): Promise<void> {
  const before = await currentDraft(kv, userId, now);
  if (before && sameHours(before, pick) && now - before.savedAt < REFRESH_MS) {
    return;
  }
  const draft: BookingDraft = {
    v: 1,
    kitchen: pick.kitchen,
    date: pick.date,
    start: pick.start,
    end: pick.end,
    savedAt: now,
    expiresAt: now + DRAFT_TTL_MS,
  };
  await setDraft(kv, userId, draft, DRAFT_TTL_MS);
}

/**
 * The review page's data (holds.ts `previewHold`: availability and the
 * verdict read fresh), remembering the hours for a signed-in renter once
 * they pass the availability rules. With it, what cancelling would refund
 * if booked now: hours close to their start are already inside the
 * policy's window, and the renter should know before paying.
 */
export async function reviewBooking(
  deps: Pick<HoldDeps, "kv" | "now" | "fees" | "policy">,
  req: ReviewRequest,
  renterId: string | null,
): Promise<
  Awaited<ReturnType<typeof previewHold>> & { cancelNow: Refund | null }
> {
  const preview = await previewHold(deps, req, renterId);
  if (renterId) await rememberDraft(deps.kv, renterId, req, deps.now);
  // A request is only authorised until the host accepts: withdrawing it
  // costs nothing, so there is no early refund to warn of.
  const cancelNow = bookingModeOf(preview.kitchen) === "instant"
    ? refundForCancellation({
      quote: preview.quote,
      cancelledBy: "renter",
      policy: preview.kitchen.cancellationPolicy,
      startMs: preview.start,
      cancelledAtMs: deps.now,
    })
    : null;
  return { ...preview, cancelNow };
}

/** "Continue your booking at …": where a renter's draft leads back to. */
export interface ContinueCard {
  href: string;
  kitchenTitle: string;
  /** "Thu, Dec 10, 9:00 AM - 1:00 PM", in the kitchen's zone. */
  when: string;
}

/**
 * The card for a renter's draft, while its kitchen is published and its
 * hours have not begun; null otherwise.
 */
export async function loadContinueCard(
  kv: Deno.Kv,
  userId: string,
  now: number,
): Promise<ContinueCard | null> {
  const draft = await currentDraft(kv, userId, now);
  if (!draft) return null;
  return await continueCardOf(kv, draft, now);
}

/** The card of a draft (or of any picked hours), as above. */
export async function continueCardOf(
  kv: Deno.Kv,
  draft: Pick4,
  now: number,
): Promise<ContinueCard | null> {
  const kitchen = await getKitchen(kv, draft.kitchen);
  if (!kitchen || kitchen.status !== "published") return null;
  const { start, end } = requestedInterval(kitchen, draft);
  if (start <= now) return null;
  return {
    href: reviewPath(draft),
    kitchenTitle: kitchen.title,
    when: formatTimeRange(kitchen.timeZone, start, end),
  };
}
