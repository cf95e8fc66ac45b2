import {
  type BookableStart,
  checkInterval,
  firstBookableStart,
} from "./availability.ts";
import { findCity } from "../cities.ts";
import { ALL_CITIES } from "../db/keys.ts";
import { ValidationError } from "../errors.ts";
import { cached } from "../db/read_cache.ts";
import {
  countPublishedKitchens,
  getKitchens,
  isListed,
  listSearchIndex,
  SEARCH_VIEWS,
  searchIndexSelector,
  viewOccupancy,
} from "./repo.ts";
import {
  addDays,
  firstStillBookable,
  freeTimeMemo,
  localInstant,
  localToday,
  nextFreeSlot,
  rulesOf,
} from "./free_time.ts";
import type { Kitchen } from "./schema.ts";
import type { SearchQuery } from "./search_query.ts";

export const PAGE_SIZE = 12;
/**
 * Index entries examined per request at most. Search cost is bounded by this,
 * not by the catalogue size; when it is reached the page offers to continue.
 */
export const MAX_SCAN = 360;
/** "Soonest available" ranks this many best-priced matches, since next-free time has no index. */
export const SOONEST_POOL = 72;

export interface SearchHit {
  kitchen: Kitchen;
  /** The slot that matched the requested date/time, or the next free one. */
  slot: BookableStart | null;
  /** From a distance search's centre to the kitchen's approximate place (place.ts). */
  distanceMiles?: number;
  /** Its reviews' average (one decimal) and count, when a higher domain adds them (lib/reviews). */
  rating?: { average: number; count: number } | null;
}

/**
 * An order a higher domain keeps an index for (lib/reviews: by rating):
 * the kitchens it ranks come first, in its order, then every other match
 * by price. Kitchens cannot rank themselves by what others know of them.
 */
export interface RankedOrder {
  /** The ranking's index in a scope (a city or ALL_CITIES); its values are kitchen ids. */
  selector(scope: string): Deno.KvListSelector;
  /** Which of `kitchens` the ranking lists in `scope`, so the price walk leaves them out. */
  ranked(kitchens: Kitchen[], scope: string): Promise<Set<string>>;
  /**
   * Orders matches already in price order where there is no index to walk
   * (a distance search's pool): the ranked first, in the ranking's order,
   * the rest as they were.
   */
  sortPool(kitchens: Kitchen[]): Promise<Kitchen[]>;
}

export interface SearchResult {
  hits: SearchHit[];
  /** Exact when it could be read from a counter, otherwise a lower bound. */
  total: { count: number; exact: boolean };
  nextCursor: string | null;
  /** The scan cap was reached before the page filled. */
  truncated: boolean;
}

const EMPTY: SearchResult = {
  hits: [],
  total: { count: 0, exact: true },
  nextCursor: null,
  truncated: false,
};

/** Filters that an index entry cannot answer, checked on the record. Pure. */
export function matchesFilters(k: Kitchen, q: SearchQuery): boolean {
  if (!isListed(k)) return false;
  if (q.city && k.address.city !== q.city) return false;
  if (
    q.minPrice !== undefined &&
    k.hourlyPriceCents < Math.round(q.minPrice * 100)
  ) return false;
  if (
    q.maxPrice !== undefined &&
    k.hourlyPriceCents > Math.round(q.maxPrice * 100)
  ) return false;
  if (!q.equipment.every((e) => k.equipment.includes(e))) return false;
  // "For 4 hours" (with or without a date): kitchens that book that long.
  if (
    q.hours !== undefined && (q.hours < k.minHours || q.hours > k.maxHours)
  ) return false;
  return q.storage.every((s) => k.storage.includes(s));
}

/** Which slot, if any, satisfies the requested date and hours for this kitchen. Pure. */
export function matchingSlot(
  k: Kitchen,
  q: SearchQuery,
  busy: { start: number; end: number }[],
  now: number,
): BookableStart | null {
  if (!q.date) return null;
  // Past the booking window nothing matches; and a date near the end of the
  // calendar (9999-12-31) has no next day to end on.
  if (q.date > addDays(localToday(k.timeZone, now), k.bookingWindowDays)) {
    return null;
  }
  const rules = rulesOf(k);
  if (q.start && q.end) {
    const start = localInstant(k.timeZone, q.date, q.start);
    let end = localInstant(k.timeZone, q.date, q.end);
    if (end <= start) end = localInstant(k.timeZone, nextDate(q.date), q.end);
    return checkInterval(rules, { start, end }, busy, now).ok
      ? { start, maxEnd: end }
      : null;
  }
  if (!q.hours) return firstBookableStart(rules, q.date, busy, now);
  const want = q.hours * 3600_000;
  if (q.hours < k.minHours || q.hours > k.maxHours) return null;
  return firstBookableStart(
    rules,
    q.date,
    busy,
    now,
    (s) => s.maxEnd - s.start >= want,
  );
}

function nextDate(date: string): string {
  return Temporal.PlainDate.from(date).add({ days: 1 }).toString();
}

function selectorFor(q: SearchQuery): Deno.KvListSelector {
  const scope = q.city ?? ALL_CITIES;
  if (q.sort === "newest") {
    return searchIndexSelector(scope, { order: "newest" });
  }
  // A feature index narrows the scan to kitchens having the first wanted feature.
  const feature = q.city &&
    (q.equipment[0] ?? (q.storage[0] && `storage:${q.storage[0]}`));
  const priced = q.minPrice !== undefined || q.maxPrice !== undefined;
  return searchIndexSelector(scope, {
    order: "price",
    feature: feature || null,
    range: priced
      ? {
        minCents: Math.round((q.minPrice ?? 0) * 100),
        maxCents: Math.round((q.maxPrice ?? 1e9) * 100),
      }
      : null,
  });
}

function hasOnlyCityFilter(q: SearchQuery): boolean {
  return !q.date && q.hours === undefined && q.minPrice === undefined &&
    q.maxPrice === undefined && q.equipment.length === 0 &&
    q.storage.length === 0;
}

/** What a dated search asks of each kitchen, as a free-time memo's question. */
export function matchQuestion(q: SearchQuery): string {
  return `match|${q.date}|${q.start ?? ""}|${q.end ?? ""}|${q.hours ?? ""}`;
}

/** Whether a kitchen has the hours a search asks for, and which slot to show. */
export async function slotFor(
  kv: Deno.Kv,
  k: Kitchen,
  q: SearchQuery,
  question: string,
  now: number,
) {
  if (!q.date) return { ok: true, slot: await nextFreeSlot(kv, k, now) };
  const dayStart = localInstant(k.timeZone, q.date, "00:00");
  const busy = await viewOccupancy(
    kv,
    k,
    dayStart - 86400_000,
    dayStart + 3 * 86400_000,
    now,
  );
  // Result cards are display only: the hold recomputes from KV.
  const slot = freeTimeMemo(
    k,
    question,
    busy,
    now,
    () => matchingSlot(k, q, busy, now),
    firstStillBookable,
  );
  return { ok: slot !== null, slot };
}

/** Index entries read per KV list call, and what the read cache keeps per key. */
const CHUNK = 40;

interface IndexChunk {
  entries: { id: string; cursor: string }[];
}

/**
 * Up to CHUNK entries of an index after `cursor`, each with its own cursor,
 * through the read cache: result pages are display only, and any write to a
 * kitchen drops every search view (repo.ts `forgetKitchen`). Encoding a
 * cursor costs about as much as reading the entry, so it is done once here.
 */
function indexChunk(
  kv: Deno.Kv,
  selector: Deno.KvListSelector,
  reverse: boolean,
  cursor: string | undefined,
): Promise<IndexChunk> {
  const key = `${SEARCH_VIEWS}index:${reverse ? "desc" : "asc"}:${
    JSON.stringify(selector)
  }:${cursor ?? ""}`;
  return cached(kv, key, async () => ({
    entries: await listSearchIndex(kv, selector, {
      cursor,
      reverse,
      limit: CHUNK,
    }),
  }));
}

/** Listed kitchens in a city (or ALL_CITIES), from its counter, through the read cache. */
function viewKitchenCount(kv: Deno.Kv, scope: string): Promise<number> {
  return cached(
    kv,
    `${SEARCH_VIEWS}count:${scope}`,
    () => countPublishedKitchens(kv, scope),
  );
}

/**
 * Walks one index in order, checking records in batches, until a page (plus
 * one, to know whether more exist) has matched or the scan cap is reached.
 */
async function scan(
  kv: Deno.Kv,
  q: SearchQuery,
  want: number,
  cursor: string | undefined,
  now: number,
  /** Another index to walk, and kitchens to leave out (a ranked order's). */
  walk: {
    selector?: Deno.KvListSelector;
    skip?: (kitchens: Kitchen[]) => Promise<Set<string>>;
  } = {},
) {
  const selector = walk.selector ?? selectorFor(q);
  const reverse = !walk.selector && q.sort === "newest";
  const question = matchQuestion(q);
  const hits: (SearchHit & { cursor: string })[] = [];
  let scanned = 0;
  let lastCursor: string | null = null;
  const check = async (batch: IndexChunk["entries"]) => {
    const kitchens = await getKitchens(kv, batch.map((b) => b.id));
    const skipped = walk.skip
      ? await walk.skip(kitchens.filter((k): k is Kitchen => k !== null))
      : null;
    const checked = await Promise.all(kitchens.map(async (k, i) => {
      if (!k || !matchesFilters(k, q) || skipped?.has(k.id)) return null;
      const { ok, slot } = await slotFor(kv, k, q, question, now);
      return ok ? { kitchen: k, slot, cursor: batch[i].cursor } : null;
    }));
    for (const hit of checked) if (hit && hits.length < want) hits.push(hit);
  };
  let after = cursor;
  try {
    while (hits.length < want && scanned < MAX_SCAN) {
      const { entries } = await indexChunk(kv, selector, reverse, after);
      for (
        let i = 0;
        i < entries.length && hits.length < want && scanned < MAX_SCAN;
        i += 10
      ) {
        const batch = entries.slice(
          i,
          Math.min(i + 10, i + MAX_SCAN - scanned),
        );
        scanned += batch.length;
        lastCursor = batch[batch.length - 1].cursor;
        await check(batch);
      }
      if (entries.length < CHUNK) break;
      after = entries[entries.length - 1].cursor;
    }
  } catch (err) {
    // A cursor from another query (or edited by hand) makes KV throw on the first read.
    if (cursor && err instanceof TypeError) {
      throw new ValidationError({
        cursor: "That page link is no longer valid; start again.",
      });
    }
    throw err;
  }
  const exhausted = scanned < MAX_SCAN;
  return { hits, truncated: !exhausted && hits.length < want, lastCursor };
}

/**
 * Up to `want` matches in price order, from the start of the index: the
 * kitchens a search's map shows (radius_search.ts has the place-index one).
 */
export async function searchPool(
  kv: Deno.Kv,
  q: SearchQuery,
  want: number,
  now: number,
): Promise<SearchHit[]> {
  const { hits } = await scan(
    kv,
    { ...q, sort: "price" },
    want,
    undefined,
    now,
  );
  return hits.map(({ kitchen, slot }) => ({ kitchen, slot }));
}

export async function searchKitchens(
  kv: Deno.Kv,
  q: SearchQuery,
  now = Date.now(),
  /** How `sort=rating` ranks; without it that sort is by price. */
  ranked?: RankedOrder,
): Promise<SearchResult> {
  if (q.city && !findCity(q.city)) return EMPTY;
  const counted = hasOnlyCityFilter(q)
    ? await viewKitchenCount(kv, q.city ?? ALL_CITIES)
    : null;

  if (q.sort === "rating" && ranked) {
    return await rankedSearch(kv, q, now, ranked, counted);
  }
  if (q.sort === "rating") q = { ...q, sort: "price" };

  if (q.sort === "soonest") {
    const offset = Number(q.cursor?.startsWith("o") ? q.cursor.slice(1) : 0) ||
      0;
    const { hits, truncated } = await scan(
      kv,
      { ...q, sort: "price" },
      SOONEST_POOL,
      undefined,
      now,
    );
    hits.sort((a, b) =>
      (a.slot?.start ?? Infinity) - (b.slot?.start ?? Infinity)
    );
    const page = hits.slice(offset, offset + PAGE_SIZE);
    const more = hits.length > offset + PAGE_SIZE;
    return {
      hits: page.map(({ kitchen, slot }) => ({ kitchen, slot })),
      total: counted !== null && counted <= SOONEST_POOL
        ? { count: counted, exact: true }
        : {
          count: hits.length,
          exact: !truncated && hits.length < SOONEST_POOL,
        },
      nextCursor: more ? `o${offset + PAGE_SIZE}` : null,
      truncated,
    };
  }

  const { hits, truncated, lastCursor } = await scan(
    kv,
    q,
    PAGE_SIZE + 1,
    q.cursor,
    now,
  );
  const page = hits.slice(0, PAGE_SIZE);
  const nextCursor = hits.length > PAGE_SIZE
    ? page[page.length - 1].cursor
    : truncated
    ? lastCursor
    : null;
  return {
    hits: page.map(({ kitchen, slot }) => ({ kitchen, slot })),
    total: counted !== null
      ? { count: counted, exact: true }
      : { count: page.length, exact: nextCursor === null && !q.cursor },
    nextCursor,
    truncated,
  };
}

/**
 * A ranked order's page: the kitchens its index lists, in its order, then
 * the other matches by price. The cursor says which walk to resume: "r…"
 * in the ranking (after a ranked kitchen), "p…" in the price walk ("p"
 * alone: its start). A ranked page that runs out continues into the price
 * walk at once, so pages stay full.
 */
async function rankedSearch(
  kv: Deno.Kv,
  q: SearchQuery,
  now: number,
  ranked: RankedOrder,
  counted: number | null,
): Promise<SearchResult> {
  const scope = q.city ?? ALL_CITIES;
  const phase = q.cursor ? q.cursor[0] : "r";
  if (phase !== "r" && phase !== "p") {
    throw new ValidationError({
      cursor: "That page link is no longer valid; start again.",
    });
  }
  const resume = q.cursor && q.cursor.length > 1
    ? q.cursor.slice(1)
    : undefined;
  const want = PAGE_SIZE + 1;
  const hits: (SearchHit & { cursor: string })[] = [];
  let truncated = false;
  let stop: string | null = null;
  if (phase === "r") {
    const first = await scan(kv, q, want, resume, now, {
      selector: ranked.selector(scope),
    });
    hits.push(...first.hits.map((h) => ({ ...h, cursor: `r${h.cursor}` })));
    if (first.truncated) {
      truncated = true;
      stop = `r${first.lastCursor}`;
    }
  }
  if (hits.length < want && !truncated) {
    const rest = await scan(
      kv,
      { ...q, sort: "price" },
      want - hits.length,
      phase === "p" ? resume : undefined,
      now,
      { skip: (kitchens) => ranked.ranked(kitchens, scope) },
    );
    hits.push(...rest.hits.map((h) => ({ ...h, cursor: `p${h.cursor}` })));
    if (rest.truncated) {
      truncated = true;
      stop = `p${rest.lastCursor}`;
    }
  }
  const page = hits.slice(0, PAGE_SIZE);
  const nextCursor = hits.length > PAGE_SIZE
    ? page[page.length - 1].cursor
    : truncated
    ? stop
    : null;
  return {
    hits: page.map(({ kitchen, slot }) => ({ kitchen, slot })),
    total: counted !== null
      ? { count: counted, exact: true }
      : { count: page.length, exact: nextCursor === null && !q.cursor },
    nextCursor,
    truncated,
  };
}
