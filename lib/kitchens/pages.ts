import type { BookableStart } from "./availability.ts";
import { CITIES, type City, findCity } from "../cities.ts";
import { ALL_CITIES } from "../db/keys.ts";
import { localDate } from "./schema.ts";
import { ValidationError } from "../errors.ts";
import { cached } from "../db/read_cache.ts";
import {
  daySlots,
  lastBookableDate,
  localToday,
  nextFreeDay,
  nextFreeSlot,
} from "./free_time.ts";
import { getHost } from "../hosts/repo.ts";
import type { Host } from "../hosts/schema.ts";
import {
  countPublishedKitchensIn,
  getKitchens,
  getPublishedKitchen,
  isListed,
  listNewestKitchenIds,
  SEARCH_VIEWS,
} from "./repo.ts";
import type { Kitchen } from "./schema.ts";
import {
  type RankedOrder,
  type SearchHit,
  searchKitchens,
  type SearchResult,
} from "./search.ts";
import type { SearchQuery } from "./search_query.ts";

/**
 * What the home page shows: the newest kitchens and how many each city has.
 * The list and the counts come through the read cache (writes to kitchens
 * drop them); the cards' next free slots are memoised in free_time.ts.
 */
export async function loadHome(
  kv: Deno.Kv,
  now: number,
  featuredCount = 6,
): Promise<{
  featured: SearchHit[];
  cities: { city: City; count: number }[];
}> {
  const [ids, counts] = await Promise.all([
    newestKitchenIds(kv, featuredCount),
    cityCounts(kv),
  ]);
  const kitchens = (await getKitchens(kv, ids)).filter((k): k is Kitchen =>
    k !== null
  );
  const featured = await Promise.all(
    kitchens.map(async (kitchen) => ({
      kitchen,
      slot: await nextFreeSlot(kv, kitchen, now),
    })),
  );
  return {
    featured,
    cities: CITIES.map((city, i) => ({ city, count: counts[i] })),
  };
}

/** Ids of the newest listed kitchens, newest first; display only. */
function newestKitchenIds(kv: Deno.Kv, count: number): Promise<string[]> {
  return cached(
    kv,
    `${SEARCH_VIEWS}newest:${count}`,
    () => listNewestKitchenIds(kv, ALL_CITIES, count),
  );
}

/** Listed kitchens per city, in CITIES order; display only. */
function cityCounts(kv: Deno.Kv): Promise<number[]> {
  return cached(
    kv,
    `${SEARCH_VIEWS}city-counts`,
    () => countPublishedKitchensIn(kv, CITIES.map((c) => c.slug)),
  );
}

export interface KitchenPage {
  kitchen: Kitchen;
  host: Host | null;
  /** False while the kitchen is out of search for its permits: no hours then. */
  bookable: boolean;
  date: string;
  today: string;
  lastDate: string;
  slots: BookableStart[];
}

/**
 * A published kitchen with the bookable hours of one local date (the next
 * day with free hours, in the kitchen's zone, unless asked), or NotFoundError.
 * A published kitchen that is not listed (its permits stand in the way) is
 * shown, as renters may have it bookmarked, but with no hours: every hold
 * would be refused.
 */
export async function loadKitchenPage(
  kv: Deno.Kv,
  id: string,
  dateParam: string | undefined,
  now: number,
): Promise<KitchenPage> {
  const kitchen = await getPublishedKitchen(kv, id);
  const today = localToday(kitchen.timeZone, now);
  const lastDate = lastBookableDate(kitchen, today);
  const bookable = isListed(kitchen);
  const [host, { date, slots }] = await Promise.all([
    getHost(kv, kitchen.hostId),
    bookable
      ? pickDay(kv, kitchen, dateParam, today, now)
      : { date: parseDate(dateParam) ?? today, slots: [] },
  ]);
  return { kitchen, host, bookable, date, today, lastDate, slots };
}

/** The `?date=` asked for, undefined when none; a ValidationError when not a date. */
function parseDate(dateParam: string | undefined): string | undefined {
  if (dateParam === undefined || dateParam === "") return undefined;
  const parsed = localDate.safeParse(dateParam);
  if (!parsed.success) {
    throw new ValidationError(
      { date: "Use a date like 2026-12-31" },
      "Pick a valid date.",
    );
  }
  return parsed.data;
}

/** The asked-for date, or else the next day with free hours: opening on a full day helps no one. */
async function pickDay(
  kv: Deno.Kv,
  kitchen: Kitchen,
  dateParam: string | undefined,
  today: string,
  now: number,
): Promise<{ date: string; slots: BookableStart[] }> {
  const date = parseDate(dateParam);
  if (date === undefined) {
    const next = await nextFreeDay(kv, kitchen, now);
    return next
      ? { date: next.date, slots: next.starts }
      : { date: today, slots: [] };
  }
  return { date, slots: await daySlots(kv, kitchen, date, now) };
}

/**
 * The search page for `q`: the city searched and the matching kitchens, or
 * no result when `q` names a city we don't serve (the page says so).
 */
export async function loadSearchPage(
  kv: Deno.Kv,
  q: SearchQuery,
  now: number,
  /** How `sort=rating` ranks (lib/reviews); without it, by price. */
  ranked?: RankedOrder,
): Promise<{ city: City | undefined; result: SearchResult | null }> {
  const city = q.city ? findCity(q.city) : undefined;
  if (q.city && !city) return { city, result: null };
  return { city, result: await searchKitchens(kv, q, now, ranked) };
}
