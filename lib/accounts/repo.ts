/**
 * The accounts domain's door to KV for other domains (DESIGN §14): read an
 * account here rather than spelling `keys.user(`. Reads are fresh (never
 * the read cache), so they are fit for decisions.
 */
import { keys } from "../db/keys.ts";
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
