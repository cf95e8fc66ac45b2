/**
 * Sessions: their lifetime and cap, adding and ending them inside the
 * atomics that change an account, loading one from a cookie, logging out.
 * Reads through the read cache, and writes that must drop it, go through
 * repo.ts.
 */
import { keys } from "../db/keys.ts";
import { ConflictError, ForbiddenError } from "../errors.ts";
import {
  commitAccountChange,
  deleteSessions,
  getUserEntry,
  touchSession,
  viewSession,
  viewSessionUser,
} from "./repo.ts";
import { hashSecret, newSecret } from "./tokens.ts";
import type { SessionRecord, SessionUser, User } from "./schema.ts";

/** Ends after this long without a request… */
export const SESSION_IDLE_MS = 3 * 24 * 3600_000;
/** …and after this long whatever the activity. */
export const SESSION_MAX_MS = 30 * 24 * 3600_000;
/** lastSeenAt is rewritten at most this often, not on every request. */
const TOUCH_EVERY_MS = 10 * 60_000;

/**
 * An account has at most this many sessions: a new one ends the least
 * recently used, so one atomic can end them all (suspension, new password)
 * within KV's 1000 mutations.
 */
export const MAX_SESSIONS_PER_USER = 50;

export interface NewSession {
  /** Goes in the cookie; only its hash is stored. */
  secret: string;
  hash: string;
  /** Sessions the atomic also ends (over the cap), for `commitAccountChange`. */
  ended: string[];
}

async function listSessionHashes(
  kv: Deno.Kv,
  userId: string,
  limit: number,
): Promise<string[]> {
  const out: string[] = [];
  for await (
    const e of kv.list<string>({ prefix: keys.sessionsByUserPrefix(userId) }, {
      limit,
    })
  ) out.push(e.value);
  return out;
}

/** Which `count` sessions to end first (pure): gone or dead ones, then the least recently used. */
export function sessionsToEvict(
  sessions: { hash: string; record: SessionRecord | null }[],
  count: number,
  now: number,
): string[] {
  const rank = (s: { record: SessionRecord | null }) =>
    s.record && isLive(s.record, now) ? s.record.lastSeenAt : -Infinity;
  return [...sessions].sort((a, b) => rank(a) - rank(b)).slice(0, count)
    .map((s) => s.hash);
}

/**
 * Adds a new session for `userId` to an atomic (the login or confirmation
 * that causes it), ending the least recently used one when the account is
 * at its cap. The atomic checks the user's `sessionsAdded` marker, so
 * concurrent logins cannot pass the cap and an atomic ending every session
 * cannot miss this one; the caller retries a failed commit.
 */
export async function addSession(
  atomic: Deno.AtomicOperation,
  kv: Deno.Kv,
  userId: string,
  now: number,
  opts: { replacing?: string } = {},
): Promise<NewSession> {
  const added = await kv.get<number>(keys.sessionsAdded(userId));
  const others = (await listSessionHashes(
    kv,
    userId,
    MAX_SESSIONS_PER_USER + 1,
  )).filter((h) => h !== opts.replacing);
  const ended: string[] = [];
  if (others.length >= MAX_SESSIONS_PER_USER) {
    const sessions: { hash: string; record: SessionRecord | null }[] = [];
    // getMany takes at most 10 keys.
    for (let i = 0; i < others.length; i += 10) {
      const got = await kv.getMany<SessionRecord[]>(
        others.slice(i, i + 10).map((h) => keys.session(h)),
      );
      got.forEach((e, j) =>
        sessions.push({ hash: others[i + j], record: e.value })
      );
    }
    ended.push(
      ...sessionsToEvict(
        sessions,
        others.length - MAX_SESSIONS_PER_USER + 1,
        now,
      ),
    );
  }
  if (opts.replacing) ended.push(opts.replacing);
  for (const hash of ended) {
    atomic.delete(keys.session(hash)).delete(keys.sessionsByUser(userId, hash));
  }
  const secret = newSecret();
  const hash = await hashSecret(secret);
  const record: SessionRecord = {
    userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + SESSION_MAX_MS,
  };
  atomic
    .check(added)
    .set(keys.sessionsAdded(userId), now, { expireIn: SESSION_MAX_MS })
    .check({ key: keys.session(hash), versionstamp: null })
    .set(keys.session(hash), record, { expireIn: SESSION_MAX_MS })
    .set(keys.sessionsByUser(userId, hash), hash, {
      expireIn: SESSION_MAX_MS,
    });
  return { secret, hash, ended };
}

/**
 * How many sessions the atomic that changes the account ends itself; more
 * than this (only left from before the cap) are ended in atomics of their
 * own first, which is what the caller is about to do anyway.
 */
const END_IN_ONE_ATOMIC = 200;

/**
 * Adds the end of every session of a user (but `keep`) to an atomic that
 * changes the account, checked against sessions added meanwhile. Returns
 * the hashes ended, for `commitAccountChange`.
 */
export async function addEndSessions(
  atomic: Deno.AtomicOperation,
  kv: Deno.Kv,
  userId: string,
  keep?: string,
): Promise<string[]> {
  // Read before listing: a session added after this read fails the commit.
  atomic.check(await kv.get(keys.sessionsAdded(userId)));
  for (;;) {
    const listed = await listSessionHashes(kv, userId, END_IN_ONE_ATOMIC + 1);
    const ending = listed.filter((h) => h !== keep);
    if (listed.length <= END_IN_ONE_ATOMIC) {
      for (const hash of ending) {
        atomic.delete(keys.sessionsByUser(userId, hash)).delete(
          keys.session(hash),
        );
      }
      return ending;
    }
    await deleteSessions(kv, userId, ending.slice(0, END_IN_ONE_ATOMIC));
  }
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
 * long, past its lifetime, or its user is gone or suspended. Expired
 * sessions, and those of a suspended user, are deleted.
 */
export async function loadSession(
  kv: Deno.Kv,
  secret: string,
  now: number,
): Promise<{ user: SessionUser; hash: string } | null> {
  if (secret.length < 20 || secret.length > 100) return null;
  const hash = await hashSecret(secret);
  const entry = await viewSession(kv, hash);
  if (!entry.value) return null;
  const s = entry.value;
  if (!isLive(s, now)) {
    await deleteSessions(kv, s.userId, [hash]);
    return null;
  }
  const user = (await viewSessionUser(kv, s.userId)).value;
  if (!user) return null;
  // Suspending ends every session; one that slipped through (written before
  // that was so, or by an instance that had not yet seen the suspension) is
  // ended here, so reinstating the account does not bring it back.
  if (user.suspension) {
    await deleteSessions(kv, s.userId, [hash]);
    return null;
  }
  if (now - s.lastSeenAt > TOUCH_EVERY_MS) {
    await touchSession(kv, hash, entry as Deno.KvEntry<SessionRecord>, now);
  }
  return { user: toSessionUser(user), hash };
}

/** Logs out: the cookie's session no longer exists. */
export async function endSession(kv: Deno.Kv, secret: string): Promise<void> {
  const hash = await hashSecret(secret);
  const s = (await kv.get<SessionRecord>(keys.session(hash))).value;
  if (s) await deleteSessions(kv, s.userId, [hash]);
}

/**
 * A fresh session id for the same user (after a privilege change); the old
 * one ends. Refused for an account that is gone or suspended.
 */
export async function rotateSession(
  kv: Deno.Kv,
  userId: string,
  oldHash: string,
  now: number,
): Promise<NewSession> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const user = await getUserEntry(kv, userId);
    if (!user.value || user.value.suspension) {
      throw new ForbiddenError("Log in to continue.");
    }
    const atomic = kv.atomic().check(user);
    const fresh = await addSession(atomic, kv, userId, now, {
      replacing: oldHash,
    });
    if (await commitAccountChange(kv, atomic, { endedSessions: fresh.ended })) {
      return fresh;
    }
  }
  throw new ConflictError("Your account changed meanwhile; please try again.");
}
