/**
 * The accounts domain's door to KV for other domains (DESIGN §14): read an
 * account here rather than spelling `keys.user(`. Reads are fresh (never
 * the read cache), so they are fit for decisions.
 *
 * Renter profiles are read and saved here too: public pages read them
 * through the read cache, and saving drops the cached copy.
 */
import { keys } from "../db/keys.ts";
import { cached, forget } from "../db/read_cache.ts";
import { ValidationError } from "../errors.ts";
import { isId } from "../ids.ts";
import {
  type RenterProfile,
  renterProfileOf,
  storedProfile,
} from "./business_profile.ts";
import type { User } from "./schema.ts";

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

/** The account with this (normalised) email address, or null. */
export async function getUserByEmail(
  kv: Deno.Kv,
  email: string,
): Promise<User | null> {
  const id = (await kv.get<string>(keys.userByEmail(email))).value;
  return id ? await getUser(kv, id) : null;
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

/** The renter's profile (accounts/business_profile.ts), or the defaults. */
export async function getRenterProfile(
  kv: Deno.Kv,
  userId: string,
): Promise<RenterProfile> {
  if (!isId(userId)) return renterProfileOf(null);
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
  if (!isId(userId)) throw new ValidationError({}, "No such renter.");
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
  forget(kv, profileCacheKey(userId));
  return renterProfileOf(parsed.data);
}
