/**
 * The accounts domain's door to KV (DESIGN §14). It writes user records
 * with their indexes (`users_by_email`, `users_by_term`) and is the only
 * module of the domain that holds or drops read-cached values: sessions
 * and the users behind them (every signed-in request reads both) and
 * renter profiles (public pages). A write that changes one of those drops
 * it here once its atomic has committed, so the flows (signup.ts,
 * login.ts…) and other domains never call `forget`.
 *
 * Other domains read an account here rather than spelling `keys.user(`.
 * `get*` reads are fresh (never the read cache), so they are fit for
 * decisions; `view*` reads may be a few seconds old (db/read_cache.ts).
 */
import { keys } from "../db/keys.ts";
import { cached, forget, forgetPrivate } from "../db/read_cache.ts";
import { ValidationError } from "../errors.ts";
import { forgetHost } from "../hosts/repo.ts";
import { isUserId } from "../ids.ts";
import {
  type RenterProfile,
  renterProfileOf,
  storedProfile,
} from "./business_profile.ts";
import type { SessionRecord, User } from "./schema.ts";
import { addUserIndex } from "./user_index.ts";

/** An account by id, with its versionstamp for an atomic to check. */
export function getUserEntry(
  kv: Deno.Kv,
  id: string,
): Promise<Deno.KvEntryMaybe<User>> {
  return kv.get<User>(keys.user(id));
}

/** An account by id, or null. */
export async function getUser(kv: Deno.Kv, id: string): Promise<User | null> {
  return (await getUserEntry(kv, id)).value;
}

/** The account with this (normalised) email address, as an entry to check. */
export async function getUserEntryByEmail(
  kv: Deno.Kv,
  email: string,
): Promise<Deno.KvEntryMaybe<User>> {
  const id = (await kv.get<string>(keys.userByEmail(email))).value;
  return id
    ? await getUserEntry(kv, id)
    : { key: [], value: null, versionstamp: null };
}

/** The account with this (normalised) email address, or null. */
export async function getUserByEmail(
  kv: Deno.Kv,
  email: string,
): Promise<User | null> {
  return (await getUserEntryByEmail(kv, email)).value;
}

/** The `users_by_email` entry of an address (its account's id, or null), for an atomic to check. */
export function getEmailOwnerEntry(
  kv: Deno.Kv,
  email: string,
): Promise<Deno.KvEntryMaybe<string>> {
  return kv.get<string>(keys.userByEmail(email));
}

/** Accounts by id, read fresh; a missing one is absent from the map. */
export async function getUsers(
  kv: Deno.Kv,
  ids: readonly string[],
): Promise<Map<string, User>> {
  const unique = [...new Set(ids)];
  const out = new Map<string, User>();
  // getMany takes at most 10 keys.
  for (let i = 0; i < unique.length; i += 10) {
    const got = await kv.getMany<User[]>(
      unique.slice(i, i + 10).map((id) => keys.user(id)),
    );
    for (const e of got) if (e.value) out.set(e.value.id, e.value);
  }
  return out;
}

/** Adds a new account to an atomic, checked that neither its id nor its address is taken. */
export function addNewUser(atomic: Deno.AtomicOperation, user: User): void {
  atomic
    .check({ key: keys.userByEmail(user.email), versionstamp: null })
    .check({ key: keys.user(user.id), versionstamp: null })
    .set(keys.user(user.id), user)
    .set(keys.userByEmail(user.email), user.id);
  addUserIndex(atomic, null, user);
}

/**
 * Adds rewriting an account to an atomic, checked against the entry read;
 * a new address moves `users_by_email`, checked free.
 */
export function addUserUpdate(
  atomic: Deno.AtomicOperation,
  read: Deno.KvEntry<User>,
  after: User,
): void {
  const before = read.value;
  atomic.check(read).set(keys.user(before.id), after);
  addUserIndex(atomic, before, after);
  if (after.email === before.email) return;
  atomic
    .check({ key: keys.userByEmail(after.email), versionstamp: null })
    .delete(keys.userByEmail(before.email))
    .set(keys.userByEmail(after.email), before.id);
}

/** Adds deleting an account and its index entries to an atomic, checked against the entry read. */
export function addUserRemoval(
  atomic: Deno.AtomicOperation,
  read: Deno.KvEntry<User>,
): void {
  const user = read.value;
  atomic.check(read)
    .delete(keys.user(user.id))
    .delete(keys.userByEmail(user.email))
    // What the renter told us about their business goes with the account.
    .delete(keys.renterProfile(user.id));
  addUserIndex(atomic, user, null);
}

/** What an account atomic changed that this instance may hold cached. */
export interface AccountChange {
  /** The account it wrote. */
  userId?: string;
  /** Sessions it ended. */
  endedSessions?: readonly string[];
  /** It renamed or removed the account's public host profile (lib/hosts). */
  hostProfile?: boolean;
}

/**
 * Commits an atomic that changes accounts, then drops this instance's
 * cached copies of what it changed, so roles and suspensions apply at once
 * here and within the cache's seconds on other instances. After the
 * commit: a request in between could cache them again.
 */
export async function commitAccountChange(
  kv: Deno.Kv,
  atomic: Deno.AtomicOperation,
  change: AccountChange,
): Promise<boolean> {
  if (!(await atomic.commit()).ok) return false;
  if (change.userId) {
    forget(kv, userCacheKey(change.userId));
    if (change.hostProfile) forgetHost(kv, change.userId);
  }
  for (const hash of change.endedSessions ?? []) {
    forget(kv, sessionCacheKey(hash));
  }
  return true;
}

/**
 * Session records are read through the read cache: every signed-in request
 * needs one, and the user behind it. Ending a session drops it on this
 * instance once the atomic that ends it has committed; another instance may
 * accept a just-ended session for up to the cache's five seconds.
 */
const sessionCacheKey = (hash: string) => `session:${hash}`;
const userCacheKey = (userId: string) => `session-user:${userId}`;

/** A session record through the read cache (for loading a cookie). */
export function viewSession(
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

/**
 * The key holding a session, for a live stream to `kv.watch` beside its
 * own: the stream ends the moment the session does (logout, a new
 * password, a suspension), on every instance, with no polling.
 */
export function sessionWatchKey(hash: string): Deno.KvKey {
  return keys.session(hash);
}

/** The user behind a session, through the read cache; every account write drops it. */
export function viewSessionUser(
  kv: Deno.Kv,
  userId: string,
): Promise<Deno.KvEntryMaybe<User>> {
  return cached(
    kv,
    userCacheKey(userId),
    () => getUserEntry(kv, userId),
    (e) => e.value !== null,
  );
}

/** Moves a session's lastSeenAt to `now`, checked against the entry read. */
export async function touchSession(
  kv: Deno.Kv,
  hash: string,
  read: Deno.KvEntry<SessionRecord>,
  now: number,
): Promise<void> {
  const s = read.value;
  // A lost race only means another request already touched it.
  await kv.atomic().check(read).set(keys.session(hash), {
    ...s,
    lastSeenAt: now,
  }, { expireIn: Math.max(1, s.expiresAt - now) }).commit();
  // Won or lost, the cached copy is stale now.
  forget(kv, sessionCacheKey(hash));
}

/** Ends these sessions of a user in an atomic of their own. */
export async function deleteSessions(
  kv: Deno.Kv,
  userId: string,
  hashes: readonly string[],
): Promise<void> {
  const atomic = kv.atomic();
  for (const hash of hashes) {
    atomic.delete(keys.session(hash)).delete(keys.sessionsByUser(userId, hash));
  }
  await commitAccountChange(kv, atomic, { endedSessions: hashes });
}

/** The renter's profile (accounts/business_profile.ts), or the defaults. */
export async function getRenterProfile(
  kv: Deno.Kv,
  userId: string,
): Promise<RenterProfile> {
  if (!isUserId(userId)) return renterProfileOf(null);
  return renterProfileOf((await kv.get(keys.renterProfile(userId))).value);
}

const profileCacheKey = (userId: string) => `renter-profile:${userId}`;

/** The profile as public pages show it, through the read cache; saving drops it. */
export function viewRenterProfile(
  kv: Deno.Kv,
  userId: string,
): Promise<RenterProfile> {
  return cached(
    kv,
    profileCacheKey(userId),
    () => getRenterProfile(kv, userId),
  );
}

/** Saves the renter's profile (a ValidationError for values outside it). */
export async function saveRenterProfile(
  kv: Deno.Kv,
  userId: string,
  input: RenterProfile,
  now: number,
): Promise<RenterProfile> {
  if (!isUserId(userId)) throw new ValidationError({}, "No such renter.");
  const parsed = storedProfile.safeParse({ v: 1, ...input, updatedAt: now });
  if (!parsed.success) {
    const issues: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      issues[String(issue.path[0] ?? "form")] ??= "Choose from the list";
    }
    throw new ValidationError(issues);
  }
  const res = await kv.atomic().set(keys.renterProfile(userId), parsed.data)
    .commit();
  if (!res.ok) throw new Error(`Could not save the profile of ${userId}`);
  // Shown only to the renter (a kitchen page's viewer slot): visitors' cached pages stay.
  forgetPrivate(kv, profileCacheKey(userId));
  return renterProfileOf(parsed.data);
}

/**
 * A renter's business profile as stored (read it with business_profile.ts
 * `renterProfileOf`), with its versionstamp: a hold checks it, so a profile
 * saved meanwhile makes the booking decide again.
 */
export function getRenterProfileEntry(
  kv: Deno.Kv,
  userId: string,
): Promise<Deno.KvEntryMaybe<unknown>> {
  return kv.get(keys.renterProfile(userId));
}
