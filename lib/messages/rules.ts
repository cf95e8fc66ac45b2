/**
 * The pure rules of messaging: who a thread's sides are, the rate limits,
 * when contact details show, and how a host's reply times are kept and
 * read. No IO.
 */
import type { Limit } from "../accounts/rate_limit.ts";
import type { BookingStatus } from "../bookings/state.ts";
import type { ReplyTimes, Side, Thread } from "./schema.ts";

/** Issue 18 §5: 30 messages per person per 10 minutes, 5 new threads per renter a day. */
export const MESSAGE_LIMITS = {
  messagesByUser: { bucket: "messages:user", max: 30, windowMs: 10 * 60_000 },
  threadsByRenter: {
    bucket: "threads:renter",
    max: 5,
    windowMs: 24 * 3600_000,
  },
} satisfies Record<string, Limit>;

/** Which side of `t` the user is on, or null for anyone else (staff included). */
export function sideOf(
  t: Pick<Thread, "renterId" | "hostId">,
  userId: string,
): Side | null {
  if (userId === t.renterId) return "renter";
  if (userId === t.hostId) return "host";
  return null;
}

export const otherSide = (s: Side): Side => s === "renter" ? "host" : "renter";

/** The user id on side `s`. */
export const userOn = (t: Pick<Thread, "renterId" | "hostId">, s: Side) =>
  s === "renter" ? t.renterId : t.hostId;

/**
 * Statuses of a booking after which the pair may see each other's contact
 * details: the booking is paid for and on the platform. A cancelled or
 * declined one does not count, nor a request the host has not accepted.
 */
const CONFIRMED: ReadonlySet<BookingStatus> = new Set([
  "confirmed",
  "completed",
]);

/** Whether contact details in the pair's messages show (issue 18 §5). */
export function contactsShown(
  bookings: readonly { status: BookingStatus }[],
): boolean {
  return bookings.some((b) => CONFIRMED.has(b.status));
}

/** How far back reply times count (issue 18 §6), and how many a host keeps. */
export const REPLY_WINDOW_MS = 90 * 24 * 3600_000;
export const REPLY_SAMPLES_KEPT = 200;
/** Shown once a host has answered this many threads within the window. */
export const REPLY_MIN_THREADS = 3;

/**
 * The samples with one more: a first reply at `at` after `ms`. Samples
 * older than the window go, and at most REPLY_SAMPLES_KEPT newest stay, so
 * the record stays small whatever the host's volume.
 */
export function addReplySample(
  times: ReplyTimes | null,
  sample: { at: number; ms: number },
): ReplyTimes {
  const kept = (times?.samples ?? []).filter((s) =>
    s.at > sample.at - REPLY_WINDOW_MS
  );
  kept.push({ at: sample.at, ms: Math.max(0, sample.ms) });
  kept.sort((a, b) => a.at - b.at);
  return { v: 1, samples: kept.slice(-REPLY_SAMPLES_KEPT) };
}

/**
 * The median first-reply delay within the window before `now`, in ms; null
 * while fewer than REPLY_MIN_THREADS samples fall in it.
 */
export function medianReplyMs(
  times: ReplyTimes | null,
  now: number,
): number | null {
  const ms = (times?.samples ?? [])
    .filter((s) => s.at > now - REPLY_WINDOW_MS && s.at <= now)
    .map((s) => s.ms)
    .sort((a, b) => a - b);
  if (ms.length < REPLY_MIN_THREADS) return null;
  const mid = Math.floor(ms.length / 2);
  return ms.length % 2 ? ms[mid] : Math.round((ms[mid - 1] + ms[mid]) / 2);
}

const HOUR = 3600_000;

/**
 * "Usually replies within 2 hours": the median rounded up to a whole hour
 * (a host who replies in 61 minutes does not reply "within an hour"), in
 * days from two days on.
 */
export function replyTimeLabel(medianMs: number): string {
  if (medianMs <= HOUR) return "Usually replies within an hour";
  const hours = Math.ceil(medianMs / HOUR);
  if (hours < 48) return `Usually replies within ${hours} hours`;
  return `Usually replies within ${Math.ceil(hours / 24)} days`;
}

/** The kitchen page's line, or null when there is too little to say. */
export function replyFigure(
  times: ReplyTimes | null,
  now: number,
): string | null {
  const median = medianReplyMs(times, now);
  return median === null ? null : replyTimeLabel(median);
}

/** What the inbox keeps of a message's text: a line's worth. */
export function previewOf(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  const chars = [...line];
  return chars.length <= 160 ? line : `${chars.slice(0, 159).join("")}…`;
}

/** How long after a message its recipient is emailed if it is still unread. */
export const UNREAD_EMAIL_DELAY_MS = 10 * 60_000;
/** At most one unread-message email per thread and recipient in this time. */
export const UNREAD_EMAIL_GAP_MS = 3600_000;

/**
 * What the unread-message job does for a recipient, given the thread now:
 * nothing (read, already emailed, setting off), send now, or try again when
 * the hour since the last email is up.
 */
export function unreadEmailPlan(
  t: Thread,
  side: Side,
  messageId: string,
  now: number,
  emailsOn: boolean,
): { kind: "none" } | { kind: "send" } | { kind: "later"; at: number } {
  if (!emailsOn) return { kind: "none" };
  if (t.unread[side] === 0) return { kind: "none" };
  const read = t.readUpTo[side];
  if (read !== null && read >= messageId) return { kind: "none" };
  const emailed = t.emailedUpTo[side];
  if (emailed !== null && emailed >= messageId) return { kind: "none" };
  const last = t.lastEmailAt[side];
  if (last !== null && now < last + UNREAD_EMAIL_GAP_MS) {
    return { kind: "later", at: last + UNREAD_EMAIL_GAP_MS };
  }
  return { kind: "send" };
}
