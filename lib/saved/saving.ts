/**
 * Saving kitchens and the pages that show them: the heart's two actions,
 * the page a signed-out visitor comes back to after logging in, the
 * signed-in search page's hearts and the list at /saved.
 */
import { NotFoundError } from "../errors.ts";
import { nextFreeDay } from "../kitchens/free_time.ts";
import { loadSearchPage, type SearchPageData } from "../kitchens/pages.ts";
import {
  getKitchen,
  getKitchens,
  getPublishedKitchen,
  isListed,
} from "../kitchens/repo.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import type { RankedOrder } from "../kitchens/search.ts";
import type { SearchQuery } from "../kitchens/search_query.ts";
import {
  addSavedKitchen,
  countSavedKitchens,
  isKitchenSaved,
  listSavedKitchens,
  removeSavedKitchen,
  savedAmong,
} from "./repo.ts";
import {
  NEXT_FREE_DAYS,
  SAVED_PAGE_SIZE,
  type SavedState,
  type SaveOutcome,
} from "./schema.ts";

export interface SavingDeps {
  kv: Deno.Kv;
  now: number;
}

/**
 * Saves a kitchen to the user's list. Only a published kitchen can be
 * saved (one whose page a renter can open), read fresh: an unknown,
 * draft, unlisted or suspended one is a NotFoundError and nothing is
 * written. Saving one already saved changes nothing.
 */
export async function saveKitchen(
  deps: SavingDeps,
  userId: string,
  kitchenId: string,
): Promise<SaveOutcome> {
  const kitchen = await getKitchen(deps.kv, kitchenId);
  if (!kitchen || kitchen.status !== "published") {
    throw new NotFoundError("We could not find that kitchen.");
  }
  return await addSavedKitchen(deps.kv, userId, kitchenId, deps.now);
}

/**
 * Takes a kitchen off the user's list, whatever became of the kitchen (an
 * unlisted or deleted one must still be removable); removing one not on
 * the list changes nothing.
 */
export async function unsaveKitchen(
  kv: Deno.Kv,
  userId: string,
  kitchenId: string,
): Promise<void> {
  await removeSavedKitchen(kv, userId, kitchenId);
}

/** The kitchen a heart names, before anyone is signed in: published, or NotFoundError. */
export async function kitchenToSave(
  kv: Deno.Kv,
  kitchenId: string,
): Promise<Kitchen> {
  return await getPublishedKitchen(kv, kitchenId);
}

/** What the page after logging in shows: the kitchen and whether it is saved. */
export async function loadSavePrompt(
  kv: Deno.Kv,
  userId: string,
  kitchenId: string,
): Promise<{ kitchen: Kitchen; saved: boolean }> {
  const [kitchen, saved] = await Promise.all([
    getPublishedKitchen(kv, kitchenId),
    isKitchenSaved(kv, userId, kitchenId),
  ]);
  return { kitchen, saved };
}

/**
 * The search page for `q`, with which of its kitchens the viewer saved
 * (null for a visitor: their page is the one the page cache shares, so
 * it must not depend on anyone's list).
 */
export async function loadSearchPageFor(
  kv: Deno.Kv,
  q: SearchQuery,
  now: number,
  viewerId: string | null,
  /** A ranking from a domain above (reviews' rating sort). */
  ranked?: RankedOrder,
): Promise<SearchPageData & { saved: string[] | null }> {
  const page = await loadSearchPage(kv, q, now, ranked);
  if (!viewerId) return { ...page, saved: null };
  const ids = page.result?.hits.map((h) => h.kitchen.id) ?? [];
  const saved = await savedAmong(kv, viewerId, ids);
  return { ...page, saved: [...saved] };
}

/** Whether the viewer saved the kitchen; null for a visitor (see loadSearchPageFor). */
export async function savedStateFor(
  kv: Deno.Kv,
  viewerId: string | null,
  kitchenId: string,
): Promise<SavedState> {
  if (!viewerId) return null;
  return (await savedAmong(kv, viewerId, [kitchenId])).has(kitchenId);
}

/**
 * One row of /saved. A kitchen can change after it was saved: still open
 * (with its next free day, or none in the look-ahead), out of search for
 * its permits (its page says why), taken off Prep by its host or staff
 * (no page to open), or deleted.
 */
export type SavedRow =
  | {
    kind: "open";
    kitchen: Kitchen;
    /** The first local date with free hours within NEXT_FREE_DAYS, and its first start. */
    next: { date: string; start: number } | null;
  }
  | { kind: "paused"; kitchen: Kitchen }
  | { kind: "hidden"; kitchen: Kitchen }
  | { kind: "gone"; kitchenId: string };

export interface SavedPage {
  rows: SavedRow[];
  /** The next (older) page, or null on the last one. */
  cursor: string | null;
  /** Every kitchen on the list, on all pages. */
  total: number;
}

/** A page of the user's saved kitchens, newest saved first, each as it stands now. */
export async function loadSavedPage(
  kv: Deno.Kv,
  userId: string,
  cursor: string | null,
  now: number,
): Promise<SavedPage> {
  const [list, total] = await Promise.all([
    listSavedKitchens(kv, userId, { cursor, limit: SAVED_PAGE_SIZE }),
    countSavedKitchens(kv, userId),
  ]);
  const kitchens = await getKitchens(kv, list.saves.map((s) => s.kitchenId));
  const rows = await Promise.all(
    list.saves.map(async ({ kitchenId }, i): Promise<SavedRow> => {
      const kitchen = kitchens[i];
      if (!kitchen) return { kind: "gone", kitchenId };
      if (kitchen.status !== "published") return { kind: "hidden", kitchen };
      if (!isListed(kitchen)) return { kind: "paused", kitchen };
      const day = await nextFreeDay(kv, kitchen, now, NEXT_FREE_DAYS);
      return {
        kind: "open",
        kitchen,
        next: day && day.starts.length > 0
          ? { date: day.date, start: day.starts[0].start }
          : null,
      };
    }),
  );
  return { rows, cursor: list.cursor, total };
}
