/**
 * Calendar sync's door to KV (DESIGN §14): a kitchen's export feed record
 * and its import feeds, one per slot. Only this module spells their keys;
 * the blocks an import writes go through the bookings repo.
 */
import { keys } from "../db/keys.ts";
import {
  type ExportFeed,
  type FeedReveal,
  feedReveal,
  type ImportFeed,
  MAX_IMPORT_FEEDS,
} from "./schema.ts";

export async function getExportFeed(
  kv: Deno.Kv,
  kitchenId: string,
): Promise<ExportFeed | null> {
  return (await kv.get<ExportFeed>(keys.kitchenFeed(kitchenId))).value;
}

/**
 * Replaces the kitchen's export feed record (a new token), or removes it
 * with null. With `reveal`, the new token is kept for that user to be shown
 * once (`takeExportReveal`), in the same atomic; removing the feed drops
 * nothing else: a kept token of a removed feed no longer works anyway.
 */
export async function setExportFeed(
  kv: Deno.Kv,
  kitchenId: string,
  feed: ExportFeed | null,
  reveal?: { userId: string; kept: FeedReveal; expireIn: number },
): Promise<void> {
  if (!feed) {
    await kv.delete(keys.kitchenFeed(kitchenId));
    return;
  }
  const atomic = kv.atomic().set(keys.kitchenFeed(kitchenId), feed);
  if (reveal) {
    atomic.set(keys.kitchenFeedReveal(kitchenId, reveal.userId), reveal.kept, {
      expireIn: reveal.expireIn,
    });
  }
  await atomic.commit();
}

/**
 * The token kept for `userId` to see once, removed as it is read (two tabs
 * cannot both get it); null when there is none, or it has expired.
 */
export async function takeExportReveal(
  kv: Deno.Kv,
  kitchenId: string,
  userId: string,
  now: number,
): Promise<string | null> {
  const key = keys.kitchenFeedReveal(kitchenId, userId);
  const entry = await kv.get<unknown>(key);
  const kept = feedReveal.safeParse(entry.value);
  if (!kept.success) return null;
  const taken = await kv.atomic().check(entry).delete(key).commit();
  return taken.ok && kept.data.expiresAt > now ? kept.data.token : null;
}

/** Every import slot of a kitchen, in slot order, as entries to check (a free slot's value is null). */
export function readImportSlots(
  kv: Deno.Kv,
  kitchenId: string,
): Promise<Deno.KvEntryMaybe<ImportFeed>[]> {
  return kv.getMany<ImportFeed[]>(
    Array.from(
      { length: MAX_IMPORT_FEEDS },
      (_, slot) => keys.kitchenCalendarImport(kitchenId, slot),
    ),
  );
}

/** One import slot, as an entry to check. */
export function getImportSlot(
  kv: Deno.Kv,
  kitchenId: string,
  slot: number,
): Promise<Deno.KvEntryMaybe<ImportFeed>> {
  return kv.get<ImportFeed>(keys.kitchenCalendarImport(kitchenId, slot));
}

/**
 * Adds writing `next` into its slot (or emptying the slot, with null) to an
 * atomic, checking the slot as read.
 */
export function addImportSlot(
  atomic: Deno.AtomicOperation,
  read: Deno.KvEntryMaybe<ImportFeed>,
  next: ImportFeed | null,
): void {
  atomic.check(read);
  if (next) atomic.set(read.key, next);
  else atomic.delete(read.key);
}

/** Builds one atomic with `write` and commits it; false when a check failed. */
export async function commitCalendarSyncWrite(
  kv: Deno.Kv,
  write: (atomic: Deno.AtomicOperation) => void,
): Promise<boolean> {
  const atomic = kv.atomic();
  write(atomic);
  return (await atomic.commit()).ok;
}
