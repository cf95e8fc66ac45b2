/**
 * Calendar sync's door to KV (DESIGN §14): a kitchen's export feed record
 * and its import feeds, one per slot. Only this module spells their keys;
 * the blocks an import writes go through the bookings repo.
 */
import { keys } from "../db/keys.ts";
import {
  type ExportFeed,
  type ImportFeed,
  MAX_IMPORT_FEEDS,
} from "./schema.ts";

export async function getExportFeed(
  kv: Deno.Kv,
  kitchenId: string,
): Promise<ExportFeed | null> {
  return (await kv.get<ExportFeed>(keys.kitchenFeed(kitchenId))).value;
}

/** Replaces the kitchen's export feed record (a new token), or removes it with null. */
export async function setExportFeed(
  kv: Deno.Kv,
  kitchenId: string,
  feed: ExportFeed | null,
): Promise<void> {
  if (feed) await kv.set(keys.kitchenFeed(kitchenId), feed);
  else await kv.delete(keys.kitchenFeed(kitchenId));
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
