/**
 * The saved-kitchens store: the only module that spells its keys.
 *
 * Layout: `["saved", userId, kitchenId]` holds the save (unique per user and
 * kitchen, so saving twice is a no-op), `["saved_by_time", userId, saveId]`
 * orders a user's list by when (the value is the kitchen id), and
 * `["saved_counts", userId]` counts them. Every save and removal is one
 * atomic that checks the entry and the count it read, so the count is exact
 * and never passes MAX_SAVED however many requests race.
 *
 * Hearts on pages read a short list through the read cache: one KV read
 * per signed-in page view halved how many the server could answer (issue 21
 * §8). A save or removal drops its owner's entry on this instance; another
 * instance may show the old heart for up to the cache's five seconds, as it
 * does the unread badges. No write marks the public page cache stale: a save
 * changes only its owner's pages, which are never cached
 * (routes/page_cache.ts), so hearts cost anonymous visitors nothing.
 */
import { keys } from "../db/keys.ts";
import { cached, forgetPrivate } from "../db/read_cache.ts";
import { ConflictError, ValidationError } from "../errors.ts";
import { isId, isUserId, newId } from "../ids.ts";
import { MAX_SAVED, type SavedKitchen, type SaveOutcome } from "./schema.ts";

/** getMany takes at most 10 keys. */
const GET_MANY = 10;
const ATTEMPTS = 10;
const BUSY = "Your saved kitchens changed meanwhile; please try again.";

function checkIds(userId: string, kitchenId: string): void {
  // Programming errors: routes match both shapes before calling.
  if (!isUserId(userId)) throw new Error("saved: bad user id");
  if (!isId(kitchenId)) throw new Error("saved: bad kitchen id");
}

/**
 * Saves `kitchenId` to the user's list, unless it is there already or the
 * list holds MAX_SAVED. The caller has checked the kitchen is one a renter
 * may save (lib/saved/saving.ts).
 */
export async function addSavedKitchen(
  kv: Deno.Kv,
  userId: string,
  kitchenId: string,
  now: number,
): Promise<SaveOutcome> {
  checkIds(userId, kitchenId);
  const key = keys.savedKitchen(userId, kitchenId);
  const countKey = keys.savedCount(userId);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const [entry, count] = await kv.getMany<[SavedKitchen, number]>([
      key,
      countKey,
    ]);
    if (entry.value) return "already";
    const n = count.value ?? 0;
    if (n >= MAX_SAVED) return "full";
    const save: SavedKitchen = {
      v: 1,
      id: newId(),
      userId,
      kitchenId,
      savedAt: now,
    };
    const res = await kv.atomic()
      .check(entry)
      .check(count)
      .set(key, save)
      .set(keys.savedByTime(userId, save.id), kitchenId)
      .set(countKey, n + 1)
      .commit();
    if (res.ok) {
      forgetPrivate(kv, savedCacheKey(userId));
      return "saved";
    }
  }
  // Only a flood of the same user's own saves gets here; the list is intact.
  throw new ConflictError(BUSY);
}

/** Removes `kitchenId` from the user's list; true if it was there. */
export async function removeSavedKitchen(
  kv: Deno.Kv,
  userId: string,
  kitchenId: string,
): Promise<boolean> {
  checkIds(userId, kitchenId);
  const key = keys.savedKitchen(userId, kitchenId);
  const countKey = keys.savedCount(userId);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const [entry, count] = await kv.getMany<[SavedKitchen, number]>([
      key,
      countKey,
    ]);
    if (!entry.value) return false;
    const res = await kv.atomic()
      .check(entry)
      .check(count)
      .delete(key)
      .delete(keys.savedByTime(userId, entry.value.id))
      .set(countKey, Math.max(0, (count.value ?? 1) - 1))
      .commit();
    if (res.ok) {
      forgetPrivate(kv, savedCacheKey(userId));
      return true;
    }
  }
  throw new ConflictError(BUSY);
}

/** Whether the user has saved the kitchen: one read, fresh. */
export async function isKitchenSaved(
  kv: Deno.Kv,
  userId: string,
  kitchenId: string,
): Promise<boolean> {
  if (!isUserId(userId) || !isId(kitchenId)) return false;
  return (await kv.get(keys.savedKitchen(userId, kitchenId))).value !== null;
}

/**
 * A list this long or shorter is read whole for a page of cards: one range
 * read costs about what one point read does (Deno KV on SQLite), and most
 * lists are short, where a point read per card took three reads of ten.
 * Only lists this short are kept in the read cache, as one string of ids
 * (about 1 KB a user; a Set of strings took three times that).
 */
const SHORT_LIST = 40;

const savedCacheKey = (userId: string) => `saved:${userId}`;

/** The user's saved kitchen ids as ",id,id," if there are SHORT_LIST or fewer, else null; cached. */
function shortSavedList(
  kv: Deno.Kv,
  userId: string,
): Promise<string | null> {
  return cached(kv, savedCacheKey(userId), async () => {
    const listed: string[] = [];
    for await (
      const e of kv.list({ prefix: keys.savedKitchensPrefix(userId) }, {
        limit: SHORT_LIST + 1,
      })
    ) listed.push(e.key[2] as string);
    return listed.length <= SHORT_LIST ? `,${listed.join(",")},` : null;
  });
}

/**
 * Which of `kitchenIds` the user has saved (a page of result cards, or the
 * one kitchen of its page), as shown on pages: see the module's note.
 */
export async function savedAmong(
  kv: Deno.Kv,
  userId: string,
  kitchenIds: readonly string[],
): Promise<Set<string>> {
  const out = new Set<string>();
  if (!isUserId(userId)) return out;
  const ids = [...new Set(kitchenIds.filter(isId))];
  if (ids.length === 0) return out;
  const short = await shortSavedList(kv, userId);
  if (short !== null) {
    // Ids never hold a comma (isId): ",id," matches that id only.
    for (const id of ids) if (short.includes(`,${id},`)) out.add(id);
    return out;
  }
  // A long list: a point read per card, ten at a time.
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += GET_MANY) {
    batches.push(ids.slice(i, i + GET_MANY));
  }
  const found = await Promise.all(
    batches.map((batch) =>
      kv.getMany(batch.map((id) => keys.savedKitchen(userId, id)))
    ),
  );
  found.flat().forEach((e) => {
    if (e.value !== null) out.add(e.key[2] as string);
  });
  return out;
}

/** How many kitchens the user has saved. */
export async function countSavedKitchens(
  kv: Deno.Kv,
  userId: string,
): Promise<number> {
  if (!isUserId(userId)) return 0;
  return (await kv.get<number>(keys.savedCount(userId))).value ?? 0;
}

export interface SavedListPage {
  /** Newest saved first. */
  saves: { saveId: string; kitchenId: string }[];
  /** Pass back for the next (older) page; null on the last. */
  cursor: string | null;
}

/**
 * A page of the user's saved kitchens, newest saved first. The cursor is
 * the id of the last save shown, so it can travel in a query string; one
 * that is not an id is a ValidationError.
 */
export async function listSavedKitchens(
  kv: Deno.Kv,
  userId: string,
  opts: { cursor?: string | null; limit: number },
): Promise<SavedListPage> {
  const cursor = opts.cursor || null;
  if (cursor !== null && !isId(cursor)) {
    throw new ValidationError(
      { cursor: "That page link is not valid; start again." },
      "That page link is not valid; start again.",
    );
  }
  if (!isUserId(userId)) return { saves: [], cursor: null };
  const limit = Math.min(Math.max(1, opts.limit), 100);
  const saves: SavedListPage["saves"] = [];
  const iter = kv.list<string>({
    prefix: keys.savedByTimePrefix(userId),
    ...(cursor ? { end: keys.savedByTime(userId, cursor) } : {}),
  }, { reverse: true, limit: limit + 1 });
  for await (const e of iter) {
    saves.push({ saveId: e.key[2] as string, kitchenId: e.value });
  }
  const more = saves.length > limit;
  if (more) saves.length = limit;
  return { saves, cursor: more ? saves[limit - 1].saveId : null };
}

/** Saves removed per atomic: two keys each, well inside KV's 1,000 mutations. */
const REMOVE_BATCH = 100;

/**
 * Removes a user's whole list and its count (their account was deleted).
 * Safe to run again: each batch deletes what it finds.
 */
export async function removeSavedList(
  kv: Deno.Kv,
  userId: string,
): Promise<void> {
  if (!isUserId(userId)) return;
  for (;;) {
    const batch = await Array.fromAsync(
      kv.list<SavedKitchen>({ prefix: keys.savedKitchensPrefix(userId) }, {
        limit: REMOVE_BATCH,
      }),
    );
    if (batch.length === 0) break;
    const atomic = kv.atomic();
    for (const e of batch) {
      atomic.delete(e.key).delete(keys.savedByTime(userId, e.value.id));
    }
    await atomic.commit();
  }
  await kv.delete(keys.savedCount(userId));
  forgetPrivate(kv, savedCacheKey(userId));
}
