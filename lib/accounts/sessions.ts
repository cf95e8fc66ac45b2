import { keys } from "../db/keys.ts";
import { cached, forget } from "../db/read_cache.ts";
import { hashSecret, newSecret } from "./tokens.ts";
import type { SessionRecord, SessionUser, User } from "./schema.ts";

/** Ends after this long without a request… */
export const SESSION_IDLE_MS = 3 * 24 * 3600_000;
/** …and after this long whatever the activity. */
export const SESSION_MAX_MS = 30 * 24 * 3600_000;
/** lastSeenAt is rewritten at most this often, not on every request. */
const TOUCH_EVERY_MS = 10 * 60_000;

export interface NewSession {
  /** Goes in the cookie; only its hash is stored. */
  secret: string;
  hash: string;
}

/** Adds a new session for `userId` to an atomic (the login or signup that causes it). */
export async function addSession(
  atomic: Deno.AtomicOperation,
  userId: string,
  now: number,
): Promise<NewSession> {
  const secret = newSecret();
  const hash = await hashSecret(secret);
  const record: SessionRecord = {
    userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + SESSION_MAX_MS,
  };
  atomic
    .check({ key: keys.session(hash), versionstamp: null })
    .set(keys.session(hash), record, { expireIn: SESSION_MAX_MS })
    .set(keys.sessionsByUser(userId, hash), hash, {
      expireIn: SESSION_MAX_MS,
    });
  return { secret, hash };
}

/** Adds the end of every session of a user (but `keep`) to an atomic that changes the account. */
export async function addEndSessions(
  atomic: Deno.AtomicOperation,
  kv: Deno.Kv,
  userId: string,
  keep?: string,
): Promise<void> {
  for await (
    const e of kv.list<string>({ prefix: keys.sessionsByUserPrefix(userId) })
  ) {
    if (e.value === keep) continue;
    atomic.delete(e.key).delete(keys.session(e.value));
    forget(kv, sessionCacheKey(e.value));
  }
}

/**
 * Session records are read through the read cache: every signed-in request
 * needs one. Ending a session drops it on this instance at once; another
 * instance may accept a just-ended session for up to the cache's five
 * seconds. The user record behind it is always read fresh, so role changes
 * and suspensions apply at once everywhere.
 */
const sessionCacheKey = (hash: string) => `session:${hash}`;

function readSession(
  kv: Deno.Kv,
  hash: string,
): Promise<Deno.KvEntryMaybe<SessionRecord>> {
  return cached(
    kv,
    sessionCacheKey(hash),
    () => kv.get<SessionRecord>(keys.session(hash)),
    (e) => e.value !== null,
  );
}

const userCacheKey = (userId: string) => `session-user:${userId}`;

/**
 * The user behind a session, through the read cache like the session itself;
 * every write to a user record (lib/accounts/users.ts) drops it here with
 * `forgetSessionUser`, so roles and suspensions apply at once on this
 * instance and within five seconds on others.
 */
function readUser(
  kv: Deno.Kv,
  userId: string,
): Promise<Deno.KvEntryMaybe<User>> {
  return cached(
    kv,
    userCacheKey(userId),
    () => kv.get<User>(keys.user(userId)),
    (e) => e.value !== null,
  );
}

/** Drops this instance's cached copy of a user record after a write to it. */
export function forgetSessionUser(kv: Deno.Kv, userId: string): void {
  forget(kv, userCacheKey(userId));
}

function toSessionUser(u: User): SessionUser {
  const { passwordHash: _, ...rest } = u;
  return rest;
}

function isLive(s: SessionRecord, now: number): boolean {
  return now < s.expiresAt && now < s.lastSeenAt + SESSION_IDLE_MS;
}

/**
 * The user behind a session cookie, or null when it is unknown, idle too
 * long, past its lifetime, or its user is gone. Expired sessions are deleted.
 */
export async function loadSession(
  kv: Deno.Kv,
  secret: string,
  now: number,
): Promise<{ user: SessionUser; hash: string } | null> {
  if (secret.length < 20 || secret.length > 100) return null;
  const hash = await hashSecret(secret);
  const entry = await readSession(kv, hash);
  if (!entry.value) return null;
  const s = entry.value;
  if (!isLive(s, now)) {
    await endSessionByHash(kv, s.userId, hash);
    return null;
  }
  const user = (await readUser(kv, s.userId)).value;
  if (!user) return null;
  if (now - s.lastSeenAt > TOUCH_EVERY_MS) {
    // A lost race only means another request already touched it.
    await kv.atomic().check(entry).set(keys.session(hash), {
      ...s,
      lastSeenAt: now,
    }, { expireIn: Math.max(1, s.expiresAt - now) }).commit();
    // Won or lost, the cached copy is stale now.
    forget(kv, sessionCacheKey(hash));
  }
  return { user: toSessionUser(user), hash };
}

async function endSessionByHash(
  kv: Deno.Kv,
  userId: string,
  hash: string,
): Promise<void> {
  await kv.atomic().delete(keys.session(hash)).delete(
    keys.sessionsByUser(userId, hash),
  ).commit();
  forget(kv, sessionCacheKey(hash));
}

/** Logs out: the cookie's session no longer exists. */
export async function endSession(kv: Deno.Kv, secret: string): Promise<void> {
  const hash = await hashSecret(secret);
  const s = (await kv.get<SessionRecord>(keys.session(hash))).value;
  if (s) await endSessionByHash(kv, s.userId, hash);
}

/** A fresh session id for the same user (after a privilege change); the old one ends. */
export async function rotateSession(
  kv: Deno.Kv,
  userId: string,
  oldHash: string,
  now: number,
): Promise<NewSession> {
  const atomic = kv.atomic()
    .delete(keys.session(oldHash))
    .delete(keys.sessionsByUser(userId, oldHash));
  const fresh = await addSession(atomic, userId, now);
  const res = await atomic.commit();
  forget(kv, sessionCacheKey(oldHash));
  if (!res.ok) throw new Error("Could not start a new session");
  return fresh;
}
