/**
 * In-app notifications: what a user is told in the app, beside the email
 * (compliance.md §2: "Every action notifies the holder (email + in-app)").
 * A notification is added inside the atomic of the change it reports, so
 * the app never tells a user about a decision that did not commit.
 */
import { z } from "zod";
import type { DerivedCounters } from "../db/backup.ts";
import { keys } from "../db/keys.ts";
import { cached, forgetPrivate } from "../db/read_cache.ts";
import { ValidationError } from "../errors.ts";
import { isId, newId } from "../ids.ts";
import { text } from "../text.ts";

/** Seeded demo accounts have readable ids ("demo-user-renter"); the rest are ULIDs. */
const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const isUserId = (id: string) => USER_ID.test(id);

/** Deno.KvU64 sums wrap around, so adding 2^64 - n subtracts n. */
const PLUS_ONE = new Deno.KvU64(1n);

/**
 * A link inside the site. Absolute and protocol-relative URLs ("//evil")
 * are refused so a notification can never send a user elsewhere.
 */
export const sitePath = z.string().max(500).refine(
  (s) =>
    s.startsWith("/") && !s.startsWith("//") && !s.includes("\\") &&
    // deno-lint-ignore no-control-regex
    !/[\u0000-\u0020\u007f]/.test(s),
  "Use a path on this site, like /account/compliance",
);

export const notification = z.object({
  v: z.literal(1),
  /** A ULID: a user's notifications list in the order they were added. */
  id: z.string(),
  userId: z.string(),
  title: text({ label: "a title", max: 200 }),
  body: text({ label: "a message", max: 2000, multiline: true }),
  href: sitePath,
  read: z.boolean(),
  /** ISO instant, from the caller's clock. */
  createdAt: z.string(),
  /**
   * The zone of the kitchen it is about (a booking's, a permit's): when it
   * arrived reads in that zone, as a message in the kitchen's thread does.
   * None for news about the account itself, which reads in UTC.
   */
  timeZone: z.string().max(64).refine(
    isTimeZone,
    "Use an IANA time zone, like America/Chicago",
  ).optional(),
  /** When it was opened, or "mark all read" covered it. */
  readAt: z.string().optional(),
});
export type Notification = z.infer<typeof notification>;

/** A zone Intl would refuse is refused on write, never when the page formats it. */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Adds a notification for `userId` to `atomic`, unread, and bumps the
 * user's unread counter. The counter is a sum, not a read-modify-write, so
 * adding a notification costs no check in the caller's atomic (self-hosted
 * denokv allows 10). Throws on bad input (a programming error) before
 * anything is committed.
 */
export function addNotification(
  atomic: Deno.AtomicOperation,
  userId: string,
  n: { title: string; body: string; href: string; timeZone?: string },
  now: number,
): void {
  if (!isUserId(userId)) {
    throw new Error(`addNotification: bad user id`);
  }
  const full = notification.parse({
    v: 1,
    id: newId(),
    userId,
    title: n.title,
    body: n.body,
    href: n.href,
    read: false,
    createdAt: new Date(now).toISOString(),
    ...(n.timeZone ? { timeZone: n.timeZone } : {}),
  });
  atomic
    .set(keys.notification(userId, full.id), full)
    .sum(keys.notificationsUnread(userId), PLUS_ONE.value);
  // The atomic has no KV to forget through: mark the badge for a fresh read.
  staleBadges.add(userId);
}

/** Users whose badge this process may hold stale (a notification was added since). */
const staleBadges = new Set<string>();

export interface NotificationPage {
  notifications: Notification[];
  /** Pass back to get the next (older) page; null on the last page. */
  cursor: string | null;
}

/**
 * A user's notifications, newest first, `limit` at a time. The cursor is
 * the id of the last notification shown, so it can travel in a query string.
 */
export async function listNotifications(
  kv: Deno.Kv,
  userId: string,
  opts: { cursor?: string | null; limit?: number } = {},
): Promise<NotificationPage> {
  const limit = Math.min(Math.max(1, opts.limit ?? 20), 100);
  const cursor = opts.cursor || null;
  if (cursor !== null && !isId(cursor)) {
    throw new ValidationError({ cursor: "Not a page of your notifications." });
  }
  if (!isUserId(userId)) return { notifications: [], cursor: null };
  const out: Notification[] = [];
  const iter = kv.list<Notification>({
    prefix: keys.notificationsPrefix(userId),
    ...(cursor ? { end: keys.notification(userId, cursor) } : {}),
  }, { reverse: true, limit: limit + 1 });
  for await (const e of iter) out.push(e.value);
  const more = out.length > limit;
  if (more) out.length = limit;
  return {
    notifications: out,
    cursor: more ? out[limit - 1].id : null,
  };
}

/** How many of a user's notifications are unread: one read, for every page's header. */
export async function unreadCount(
  kv: Deno.Kv,
  userId: string,
): Promise<number> {
  if (!isUserId(userId)) return 0;
  const e = await kv.get<Deno.KvU64>(keys.notificationsUnread(userId));
  return countOf(e.value);
}

const unreadCacheKey = (userId: string) => `unread:${userId}`;

/**
 * The unread count as the header badge shows it: through the read cache, so
 * a new notification reaches the badge within seconds rather than at once;
 * marking read drops it on this instance. The notifications page reads KV.
 */
export function viewUnreadCount(kv: Deno.Kv, userId: string): Promise<number> {
  // A badge is the user's own: visitors' pages stay (forgetPrivate).
  if (staleBadges.delete(userId)) forgetPrivate(kv, unreadCacheKey(userId));
  return cached(kv, unreadCacheKey(userId), () => unreadCount(kv, userId));
}

function countOf(v: Deno.KvU64 | null): number {
  if (!v) return 0;
  // A counter that wrapped below zero reads as a huge number: treat as none.
  return v.value > 1_000_000n ? 0 : Number(v.value);
}

/** Notifications marked per commit: well under KV's 1000 mutations and 800 KiB. */
const BATCH = 200;

/**
 * Marks every unread notification of a user read and sets the counter to
 * what is left unread. Each commit checks the counter's versionstamp, so a
 * notification added meanwhile (which bumps the counter) makes it retry
 * from a fresh read rather than be lost or miscounted; two tabs marking at
 * once cannot subtract the same notification twice. Returns how many were
 * marked.
 */
export async function markAllRead(
  kv: Deno.Kv,
  userId: string,
  now: number,
): Promise<number> {
  if (!isUserId(userId)) return 0;
  const at = new Date(now).toISOString();
  let marked = 0;
  for (let attempt = 0; attempt < 50; attempt++) {
    const counter = await kv.get<Deno.KvU64>(keys.notificationsUnread(userId));
    const count = countOf(counter.value);
    if (count === 0) return marked;
    // Unread notifications are the newest ones, except for a rare straggler
    // written with a skewed clock: scan until the counter's worth is found.
    const want = Math.min(count, BATCH);
    const batch: Notification[] = [];
    for await (
      const e of kv.list<Notification>({
        prefix: keys.notificationsPrefix(userId),
      }, { reverse: true, batchSize: 100 })
    ) {
      if (!e.value.read) batch.push(e.value);
      if (batch.length >= want) break;
    }
    // Fewer found than counted means the counter drifted: the scan was full.
    const left = batch.length < want ? 0 : count - batch.length;
    const atomic = kv.atomic().check(counter).set(
      keys.notificationsUnread(userId),
      new Deno.KvU64(BigInt(left)),
    );
    for (const n of batch) {
      atomic.set(keys.notification(userId, n.id), {
        ...n,
        read: true,
        readAt: at,
      });
    }
    if (!(await atomic.commit()).ok) continue;
    forgetPrivate(kv, unreadCacheKey(userId));
    marked += batch.length;
    if (left === 0) return marked;
  }
  return marked;
}

/**
 * Opens one of a user's notifications: marks it read (the counter one
 * less) if it was not, and returns it for its link; null when the user has
 * none by that id. Both entries are checked, so two tabs opening it at
 * once count it once.
 */
export async function openNotification(
  kv: Deno.Kv,
  userId: string,
  id: string,
  now: number,
): Promise<Notification | null> {
  if (!isUserId(userId) || !isId(id)) return null;
  for (let attempt = 0; attempt < 10; attempt++) {
    const [entry, counter] = await kv.getMany<[Notification, Deno.KvU64]>([
      keys.notification(userId, id),
      keys.notificationsUnread(userId),
    ]);
    const n = entry.value;
    if (!n || n.read) return n;
    const read: Notification = {
      ...n,
      read: true,
      readAt: new Date(now).toISOString(),
    };
    const left = Math.max(0, countOf(counter.value) - 1);
    const done = await kv.atomic().check(entry, counter)
      .set(keys.notification(userId, id), read)
      .set(keys.notificationsUnread(userId), new Deno.KvU64(BigInt(left)))
      .commit();
    if (done.ok) {
      forgetPrivate(kv, unreadCacheKey(userId));
      return read;
    }
  }
  // Lost every race (a flood of new notifications): the link still works,
  // and it is marked read the next time, as "mark all as read" gives up.
  return await getNotification(kv, userId, id);
}

/** One of the user's notifications as it is, read or not; null for someone else's. */
export async function getNotification(
  kv: Deno.Kv,
  userId: string,
  id: string,
): Promise<Notification | null> {
  if (!isUserId(userId) || !isId(id)) return null;
  return (await kv.get<Notification>(keys.notification(userId, id))).value;
}

/** Unread counts, summed again from the notifications after an import (lib/db/backup.ts). */
export const unreadCountsDerived: DerivedCounters = {
  name: "unread notifications",
  prefixes: [keys.notificationsUnreadRoot()],
  sources: [{
    prefix: keys.notificationsRoot(),
    add: (atomic, e) => {
      const n = e.value as Notification;
      if (!n.read) {
        atomic.sum(keys.notificationsUnread(n.userId), PLUS_ONE.value);
      }
    },
  }],
};
