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
  getPlaceSecret,
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
  searchPool,
  type SearchResult,
} from "./search.ts";
import type { SearchQuery } from "./search_query.ts";
import { gazetteer } from "../place/gazetteer.ts";
import { formatMiles } from "../place/geo.ts";
import { formatCents } from "../money.ts";
import { kitchenPageHref, pickFromSearch } from "./pick.ts";
import {
  type PlaceProblem,
  type PlaceView,
  placeView,
  publicPoint,
  resolveCentre,
  type SearchCentre,
} from "./place.ts";
import { nearMapHits, searchNear } from "./radius_search.ts";

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
  /** Where renters see it: the approximate circle (the page is public). */
  place: PlaceView;
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
  const [host, { date, slots }, secret] = await Promise.all([
    getHost(kv, kitchen.hostId),
    bookable
      ? pickDay(kv, kitchen, dateParam, today, now)
      : { date: parseDate(dateParam) ?? today, slots: [] },
    getPlaceSecret(kv),
  ]);
  const place = placeView(kitchen, false, secret);
  return { kitchen, host, bookable, date, today, lastDate, slots, place };
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

/** A kitchen on the search page's map: at its approximate place, never its pin. */
export interface MapPoint {
  id: string;
  title: string;
  /** "$45". */
  price: string;
  lat: number;
  lng: number;
  /** The kitchen page, opened on the hours searched. */
  href: string;
  /** "1.2 mi" from a distance search's centre, or null. */
  distance: string | null;
}

/** At most this many kitchens go on a search's map (found by price, as the list's first pages). */
export const MAP_POINTS = 150;

/** What /search shows. */
export interface SearchPageData {
  city: City | undefined;
  /** Null when `q` names a city we don't serve, or a place we can't find. */
  result: SearchResult | null;
  /** The distance search's centre, if it has one. */
  centre: SearchCentre | null;
  /** Why the place asked for could not be found (a 404 page says so). */
  placeProblem: PlaceProblem | null;
  /** The map's kitchens, when the map is open. */
  map: MapPoint[] | null;
}

const LAST_US_ZONE = "Pacific/Honolulu";
const DATE_PASSED = "That date has passed: pick today or a later date.";

/**
 * The search page for `q`: the city searched and the matching kitchens, or
 * no result when `q` names a city we don't serve or a place the gazetteer
 * does not know (the page says so). With a place, the search is by
 * distance (radius_search.ts); with the map open, it also finds the map's
 * kitchens.
 */
export async function loadSearchPage(
  kv: Deno.Kv,
  q: SearchQuery,
  now: number,
  /** How `sort=rating` ranks (lib/reviews); without it, by price. */
  ranked?: RankedOrder,
): Promise<SearchPageData> {
  const city = q.city ? findCity(q.city) : undefined;
  const none = { centre: null, placeProblem: null, map: null };
  if (q.city && !city) return { city, result: null, ...none };
  // A day already over (in the city's zone; without one, Hawaii's, the
  // last of ours to end) could only find nothing: said beside the date.
  if (q.date && q.date < localToday(city?.timeZone ?? LAST_US_ZONE, now)) {
    throw new ValidationError({ date: DATE_PASSED }, DATE_PASSED);
  }
  const asked = q.near !== undefined || q.lat !== undefined;
  const resolved = asked ? resolveCentre(q, await gazetteer()) : null;
  if (resolved && "title" in resolved) {
    return { city, result: null, ...none, placeProblem: resolved };
  }
  const centre = resolved;
  const [result, map] = await Promise.all([
    centre
      ? searchNear(kv, q, centre, now, ranked)
      : searchKitchens(kv, q, now, ranked),
    q.view === "map" ? mapHits(kv, q, centre, now) : null,
  ]);
  return {
    city,
    result,
    centre,
    placeProblem: null,
    map: map && await mapPoints(kv, q, map),
  };
}

function mapHits(
  kv: Deno.Kv,
  q: SearchQuery,
  centre: SearchCentre | null,
  now: number,
): Promise<SearchHit[]> {
  const first = { ...q, cursor: undefined };
  return centre
    ? nearMapHits(kv, first, centre, MAP_POINTS, now)
    : searchPool(kv, first, MAP_POINTS, now);
}

async function mapPoints(
  kv: Deno.Kv,
  q: SearchQuery,
  hits: SearchHit[],
): Promise<MapPoint[]> {
  const secret = await getPlaceSecret(kv);
  return hits.map(({ kitchen: k, slot, distanceMiles }) => {
    const at = publicPoint(k, secret);
    return {
      id: k.id,
      title: k.title,
      price: formatCents(k.hourlyPriceCents),
      lat: Math.round(at.lat * 1e5) / 1e5,
      lng: Math.round(at.lng * 1e5) / 1e5,
      href: kitchenPageHref(k.id, pickFromSearch(q, k, slot)),
      distance: distanceMiles === undefined ? null : formatMiles(distanceMiles),
    };
  });
}
