/**
 * The messages domain's door to KV (DESIGN §14, §15): threads, their
 * messages and indexes, each user's unread counter and inbox version,
 * blocks, reports, message settings and hosts' reply times. Only this
 * module spells those keys. Writes are built from the `add*` helpers below
 * and land through `commitMessagesWrite`, which drops what this instance
 * cached of the people it touched once it commits.
 *
 * Every write that adds or reads messages bumps `["inbox_version", userId]`
 * of the people whose inbox changed, in the same atomic: live updates
 * `kv.watch` that key (DESIGN §15), which works across workers and
 * instances sharing KV.
 */
import { keys } from "../db/keys.ts";
import { cached, forget, forgetPrivate } from "../db/read_cache.ts";
import { isId, isUserId } from "../ids.ts";
import type {
  Block,
  Message,
  MessageSettings,
  ReplyTimes,
  Report,
  Thread,
} from "./schema.ts";

/** Deno.KvU64 sums wrap around, so adding 2^64 - n subtracts n. */
const U64 = 1n << 64n;
const u64 = (n: number) =>
  new Deno.KvU64(n >= 0 ? BigInt(n) : U64 - BigInt(-n));

// ---------------------------------------------------------------------------
// Keys others may watch

/**
 * The key live updates watch for `userId` (DESIGN §15): every message to
 * or from them, and every thread they read, changes it.
 */
export function inboxVersionKey(userId: string): Deno.KvKey {
  return keys.inboxVersion(userId);
}

/** A user's inbox version now (0 before any message), for a stream to start from. */
export async function getInboxVersion(
  kv: Deno.Kv,
  userId: string,
): Promise<bigint> {
  if (!isUserId(userId)) return 0n;
  const e = await kv.get<Deno.KvU64>(keys.inboxVersion(userId));
  return e.value?.value ?? 0n;
}

// ---------------------------------------------------------------------------
// Threads

export function getThreadEntry(
  kv: Deno.Kv,
  id: string,
): Promise<Deno.KvEntryMaybe<Thread>> {
  return kv.get<Thread>(keys.thread(id));
}

/** A thread by id; null for an id that is not one (never a key) or not found. */
export async function getThread(
  kv: Deno.Kv,
  id: string,
): Promise<Thread | null> {
  if (!isId(id)) return null;
  return (await getThreadEntry(kv, id)).value;
}

/** The pair's thread id entry, for a create to check absent. */
export function getPairEntry(
  kv: Deno.Kv,
  renterId: string,
  kitchenId: string,
): Promise<Deno.KvEntryMaybe<string>> {
  return kv.get<string>(keys.threadByPair(renterId, kitchenId));
}

/** The thread of a renter and a kitchen, if they have one. */
export async function getThreadByPair(
  kv: Deno.Kv,
  renterId: string,
  kitchenId: string,
): Promise<Thread | null> {
  if (!isUserId(renterId) || !isId(kitchenId)) return null;
  const id = (await getPairEntry(kv, renterId, kitchenId)).value;
  return id ? await getThread(kv, id) : null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Adds a new thread to `atomic`: checked absent, with its pair key
 * (unique: a second create for the pair fails its check) and both sides'
 * inbox entries.
 */
export function addThreadCreate(atomic: Deno.AtomicOperation, t: Thread): void {
  const pair = keys.threadByPair(t.renterId, t.kitchenId);
  atomic
    .check({ key: keys.thread(t.id), versionstamp: null })
    .check({ key: pair, versionstamp: null })
    .set(keys.thread(t.id), t)
    .set(pair, t.id);
  for (const u of [t.renterId, t.hostId]) {
    atomic.set(keys.threadsByUser(u, iso(t.lastAt), t.id), t.id);
  }
}

/**
 * Adds a change to a thread, checked against the entry read; when its
 * newest message moved, both sides' inbox entries move with it.
 */
export function addThreadUpdate(
  atomic: Deno.AtomicOperation,
  read: Deno.KvEntry<Thread>,
  after: Thread,
): void {
  atomic.check(read).set(keys.thread(after.id), after);
  if (read.value.lastAt !== after.lastAt) {
    for (const u of [after.renterId, after.hostId]) {
      atomic
        .delete(keys.threadsByUser(u, iso(read.value.lastAt), after.id))
        .set(keys.threadsByUser(u, iso(after.lastAt), after.id), after.id);
    }
  }
}

export interface ThreadPage {
  threads: Thread[];
  /** Pass back for the next (older) page; null on the last. */
  cursor: string | null;
}

/** `<ISO instant>~<thread id>`: where an inbox page ends. */
const CURSOR =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)~([0-9A-HJKMNP-TV-Z]{26})$/;

export function isInboxCursor(s: string): boolean {
  return CURSOR.test(s);
}

/** A user's threads, newest message first, `limit` at a time. */
export async function listThreadsOfUser(
  kv: Deno.Kv,
  userId: string,
  opts: { cursor?: string | null; limit?: number } = {},
): Promise<ThreadPage> {
  if (!isUserId(userId)) return { threads: [], cursor: null };
  const limit = Math.min(Math.max(1, opts.limit ?? 20), 100);
  const at = opts.cursor ? CURSOR.exec(opts.cursor) : null;
  const ids: string[] = [];
  const seen: { lastAt: string; id: string }[] = [];
  for await (
    const e of kv.list<string>({
      prefix: keys.threadsByUserPrefix(userId),
      ...(at ? { end: keys.threadsByUser(userId, at[1], at[2]) } : {}),
    }, { reverse: true, limit: limit + 1 })
  ) {
    ids.push(e.value);
    seen.push({ lastAt: String(e.key[2]), id: e.value });
  }
  const more = ids.length > limit;
  if (more) ids.length = limit;
  const threads = await getThreads(kv, ids);
  const last = seen[limit - 1];
  return {
    threads,
    cursor: more && last ? `${last.lastAt}~${last.id}` : null,
  };
}

/**
 * A user's threads whose newest message is at or after `sinceMs`, oldest
 * change first, at most `limit`: what a live stream reads when the user's
 * inbox version moves, to say which threads changed (lib/messages/live.ts).
 */
export async function listThreadsChangedSince(
  kv: Deno.Kv,
  userId: string,
  sinceMs: number,
  limit: number,
): Promise<Thread[]> {
  if (!isUserId(userId)) return [];
  const ids: string[] = [];
  for await (
    const e of kv.list<string>({
      start: keys.threadsByUser(userId, iso(Math.max(0, sinceMs)), ""),
      end: [...keys.threadsByUserPrefix(userId), "\uffff"],
    }, { limit: Math.min(Math.max(1, limit), 100) })
  ) ids.push(e.value);
  return await getThreads(kv, ids);
}

/** Threads by id, in the order asked; missing ones are left out. */
export async function getThreads(
  kv: Deno.Kv,
  ids: readonly string[],
): Promise<Thread[]> {
  const out: Thread[] = [];
  // getMany takes at most 10 keys.
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany<Thread[]>(
      ids.slice(i, i + 10).map((id) => keys.thread(id)),
    );
    for (const e of got) if (e.value) out.push(e.value);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Messages

/** Adds a message to `atomic`, checked absent. */
export function addMessage(atomic: Deno.AtomicOperation, m: Message): void {
  const key = keys.message(m.threadId, m.id);
  atomic.check({ key, versionstamp: null }).set(key, m);
}

export async function getMessage(
  kv: Deno.Kv,
  threadId: string,
  id: string,
): Promise<Message | null> {
  if (!isId(threadId) || !isId(id)) return null;
  return (await kv.get<Message>(keys.message(threadId, id))).value;
}

/** Messages by (thread, id), in the order asked; missing ones are null. */
export async function getMessages(
  kv: Deno.Kv,
  refs: readonly { threadId: string; id: string }[],
): Promise<(Message | null)[]> {
  const out: (Message | null)[] = [];
  // getMany takes at most 10 keys.
  for (let i = 0; i < refs.length; i += 10) {
    const got = await kv.getMany<Message[]>(
      refs.slice(i, i + 10).map((r) => keys.message(r.threadId, r.id)),
    );
    for (const e of got) out.push(e.value);
  }
  return out;
}

/**
 * A thread's messages written after `afterId` (all of them for null),
 * oldest first, at most `limit`: what a live stream sends when it
 * (re)connects, resuming from the last message it had.
 */
export async function listMessagesAfter(
  kv: Deno.Kv,
  threadId: string,
  afterId: string | null,
  limit: number,
): Promise<Message[]> {
  if (!isId(threadId) || (afterId !== null && !isId(afterId))) return [];
  const prefix = keys.messagesPrefix(threadId);
  const out: Message[] = [];
  for await (
    const e of kv.list<Message>(
      afterId
        ? { prefix, start: [...keys.message(threadId, afterId), ""] }
        : { prefix },
      { limit: Math.min(Math.max(1, limit), 500) },
    )
  ) {
    if (afterId === null || e.value.id > afterId) out.push(e.value);
  }
  return out;
}

/**
 * The newest `limit` messages written before `beforeId` (the newest of all
 * for null), oldest first, and whether older ones exist.
 */
export async function listMessagesBefore(
  kv: Deno.Kv,
  threadId: string,
  beforeId: string | null,
  limit: number,
): Promise<{ messages: Message[]; more: boolean }> {
  if (!isId(threadId) || (beforeId !== null && !isId(beforeId))) {
    return { messages: [], more: false };
  }
  const n = Math.min(Math.max(1, limit), 200);
  const out: Message[] = [];
  for await (
    const e of kv.list<Message>({
      prefix: keys.messagesPrefix(threadId),
      ...(beforeId ? { end: keys.message(threadId, beforeId) } : {}),
    }, { reverse: true, limit: n + 1 })
  ) out.push(e.value);
  const more = out.length > n;
  if (more) out.length = n;
  return { messages: out.reverse(), more };
}

// ---------------------------------------------------------------------------
// Unread counts and inbox versions

/** Adds `n` (negative to take away) to a user's unread messages. */
export function addUnread(
  atomic: Deno.AtomicOperation,
  userId: string,
  n: number,
): void {
  if (n !== 0) atomic.sum(keys.messagesUnread(userId), u64(n).value);
}

/** Bumps a user's inbox version: their open streams wake and read what changed. */
export function addInboxBump(
  atomic: Deno.AtomicOperation,
  userId: string,
): void {
  atomic.sum(keys.inboxVersion(userId), 1n);
}

function countOf(v: Deno.KvU64 | null): number {
  if (!v) return 0;
  // A counter that wrapped below zero reads as a huge number: treat as none.
  return v.value > 1_000_000n ? 0 : Number(v.value);
}

/** A user's unread messages over all threads: one read. */
export async function unreadMessages(
  kv: Deno.Kv,
  userId: string,
): Promise<number> {
  if (!isUserId(userId)) return 0;
  return countOf(
    (await kv.get<Deno.KvU64>(keys.messagesUnread(userId))).value,
  );
}

const unreadCacheKey = (userId: string) => `messages-unread:${userId}`;

/**
 * The count as the header shows it, through the read cache: writes here
 * drop it on this instance; another instance shows it within seconds.
 */
export function viewUnreadMessages(
  kv: Deno.Kv,
  userId: string,
): Promise<number> {
  return cached(kv, unreadCacheKey(userId), () => unreadMessages(kv, userId));
}

// ---------------------------------------------------------------------------
// Blocks

/** The blocks between two people, both ways: [a blocks b, b blocks a]. */
export async function getBlockEntries(
  kv: Deno.Kv,
  a: string,
  b: string,
): Promise<[Deno.KvEntryMaybe<Block>, Deno.KvEntryMaybe<Block>]> {
  const [ab, ba] = await kv.getMany<[Block, Block]>([
    keys.messageBlock(a, b),
    keys.messageBlock(b, a),
  ]);
  return [ab, ba];
}

/** Adds checks that the blocks read are still as read (a message needs both absent). */
export function addBlockChecks(
  atomic: Deno.AtomicOperation,
  entries: readonly Deno.KvEntryMaybe<Block>[],
): void {
  for (const e of entries) atomic.check(e);
}

export function addBlock(
  atomic: Deno.AtomicOperation,
  read: Deno.KvEntryMaybe<Block>,
  b: Block,
): void {
  atomic.check(read).set(keys.messageBlock(b.blockerId, b.blockedId), b);
}

export function addBlockRemoval(
  atomic: Deno.AtomicOperation,
  read: Deno.KvEntry<Block>,
): void {
  atomic.check(read).delete(
    keys.messageBlock(read.value.blockerId, read.value.blockedId),
  );
}

// ---------------------------------------------------------------------------
// Reports

export function getReportEntry(
  kv: Deno.Kv,
  id: string,
): Promise<Deno.KvEntryMaybe<Report>> {
  return kv.get<Report>(keys.messageReport(id));
}

export async function getReport(
  kv: Deno.Kv,
  id: string,
): Promise<Report | null> {
  if (!isId(id)) return null;
  return (await getReportEntry(kv, id)).value;
}

/** Whether `reporterId` already reported the message (one report each). */
export function getReporterEntry(
  kv: Deno.Kv,
  messageId: string,
  reporterId: string,
): Promise<Deno.KvEntryMaybe<string>> {
  return kv.get<string>(keys.messageReportByReporter(messageId, reporterId));
}

/** Adds a new, open report: checked absent, unique per message and reporter. */
export function addReportCreate(
  atomic: Deno.AtomicOperation,
  r: Report,
): void {
  const unique = keys.messageReportByReporter(r.messageId, r.reporterId);
  atomic
    .check({ key: keys.messageReport(r.id), versionstamp: null })
    .check({ key: unique, versionstamp: null })
    .set(keys.messageReport(r.id), r)
    .set(unique, r.id)
    .set(keys.messageReportsOpen(r.id), r.id);
}

/** Adds a decision on a report, checked against what was read; it leaves the queue. */
export function addReportUpdate(
  atomic: Deno.AtomicOperation,
  read: Deno.KvEntry<Report>,
  after: Report,
): void {
  atomic.check(read).set(keys.messageReport(after.id), after);
  if (after.status !== "open") atomic.delete(keys.messageReportsOpen(after.id));
}

/** Open reports, oldest first (the staff queue), at most `limit`. */
export async function listOpenReports(
  kv: Deno.Kv,
  limit: number,
): Promise<Report[]> {
  const ids: string[] = [];
  for await (
    const e of kv.list<string>({ prefix: keys.messageReportsOpenPrefix() }, {
      limit,
    })
  ) ids.push(e.value);
  const out: Report[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany<Report[]>(
      ids.slice(i, i + 10).map((id) => keys.messageReport(id)),
    );
    for (const e of got) if (e.value) out.push(e.value);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Settings and reply times

export const DEFAULT_SETTINGS: MessageSettings = { v: 1, emailUnread: true };

export function getSettingsEntry(
  kv: Deno.Kv,
  userId: string,
): Promise<Deno.KvEntryMaybe<MessageSettings>> {
  return kv.get<MessageSettings>(keys.messageSettings(userId));
}

/** A user's settings; the defaults when they never changed them. */
export async function getMessageSettings(
  kv: Deno.Kv,
  userId: string,
): Promise<MessageSettings> {
  if (!isUserId(userId)) return DEFAULT_SETTINGS;
  return (await getSettingsEntry(kv, userId)).value ?? DEFAULT_SETTINGS;
}

export function addSettings(
  atomic: Deno.AtomicOperation,
  read: Deno.KvEntryMaybe<MessageSettings>,
  userId: string,
  s: MessageSettings,
): void {
  atomic.check(read).set(keys.messageSettings(userId), s);
}

export function getReplyTimesEntry(
  kv: Deno.Kv,
  hostId: string,
): Promise<Deno.KvEntryMaybe<ReplyTimes>> {
  return kv.get<ReplyTimes>(keys.hostReplyTimes(hostId));
}

export function addReplyTimes(
  atomic: Deno.AtomicOperation,
  read: Deno.KvEntryMaybe<ReplyTimes>,
  hostId: string,
  times: ReplyTimes,
): void {
  atomic.check(read).set(keys.hostReplyTimes(hostId), times);
}

const replyCacheKey = (hostId: string) => `reply-times:${hostId}`;

/** A host's reply times for the kitchen page, through the read cache (one read at most). */
export function viewReplyTimes(
  kv: Deno.Kv,
  hostId: string,
): Promise<ReplyTimes | null> {
  if (!isUserId(hostId)) return Promise.resolve(null);
  return cached(
    kv,
    replyCacheKey(hostId),
    async () => (await getReplyTimesEntry(kv, hostId)).value,
  );
}

// ---------------------------------------------------------------------------
// Committing

/** Whose cached views a messages write changed. */
export interface MessagesTouched {
  /** People whose unread count changed. */
  unreadOf?: readonly string[];
  /** A host whose reply times changed. */
  repliesOf?: string;
}

/**
 * Commits an atomic built from the helpers above (DESIGN §5: one atomic
 * per logical write); when it lands, this instance drops its cached views
 * of what changed. False when a check failed: the caller re-reads.
 */
export async function commitMessagesWrite(
  kv: Deno.Kv,
  atomic: Deno.AtomicOperation,
  touched: MessagesTouched,
): Promise<boolean> {
  if (!(await atomic.commit()).ok) return false;
  // Badges are their users' own; the reply figure is on a public page.
  for (const u of touched.unreadOf ?? []) forgetPrivate(kv, unreadCacheKey(u));
  if (touched.repliesOf) forget(kv, replyCacheKey(touched.repliesOf));
  return true;
}
