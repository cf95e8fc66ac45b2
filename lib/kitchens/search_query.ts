import { z } from "zod";
import { matchCity } from "../cities.ts";
import { choicesField, optionalField } from "../forms.ts";
import { clockTime, localDate } from "./schema.ts";
import { EQUIPMENT_IDS, STORAGE_IDS } from "./vocabulary.ts";
import { inUnitedStates } from "../place/geo.ts";
import { NEAR_HINT, parseNear } from "../place/near.ts";

/** "rating" is ranked by lib/reviews (search.ts `RankedOrder`); price otherwise. */
export const SORTS = [
  "price",
  "newest",
  "soonest",
  "rating",
  "distance",
] as const;
export type Sort = typeof SORTS[number];

const dollars = z.coerce.number({ error: "Enter a price in dollars" })
  .min(0, "Prices cannot be negative")
  .max(10_000, "Enter a price up to $10,000");

/**
 * The search page's query string, as routes/forms.ts reads it: fields left
 * blank by the GET form are absent, and values are trimmed.
 */
export const searchQuery = z.object({
  // A city's name or slug becomes its slug. An unknown city is kept as typed,
  // not rejected, so the page can say which city we don't serve.
  city: optionalField(
    z.string().trim().max(60).transform((v) => matchCity(v)?.slug ?? v),
  ),
  date: optionalField(localDate),
  start: optionalField(clockTime),
  end: optionalField(clockTime),
  hours: optionalField(
    z.coerce.number({ error: "Enter a number of hours" }).int(
      "Enter whole hours",
    ).min(1, "Book at least 1 hour").max(24, "Book at most 24 hours"),
  ),
  minPrice: optionalField(dollars),
  maxPrice: optionalField(dollars),
  equipment: choicesField(EQUIPMENT_IDS, "Unknown equipment", 10).default([]),
  storage: choicesField(STORAGE_IDS, "Unknown storage type").default([]),
  sort: optionalField(
    z.enum(SORTS, {
      error:
        "Sort by price, newest, soonest available, rating or nearest first",
    }),
  ).transform((v) => v ?? "price"),
  cursor: optionalField(
    z.string().max(400).regex(/^[A-Za-z0-9_\-:=]*$/, "Invalid page link"),
  ),
  // Place (issue 20): a ZIP or "City, ST", or a point (near me, the map).
  near: optionalField(
    z.string().max(80, NEAR_HINT).refine(
      (v) => parseNear(v) !== null,
      NEAR_HINT,
    ),
  ),
  lat: optionalField(
    z.coerce.number({ error: "Enter a latitude in degrees" })
      .min(-90, "A latitude is between -90 and 90")
      .max(90, "A latitude is between -90 and 90"),
  ),
  lng: optionalField(
    z.coerce.number({ error: "Enter a longitude in degrees" })
      .min(-180, "A longitude is between -180 and 180")
      .max(180, "A longitude is between -180 and 180"),
  ),
  radius: optionalField(
    z.coerce.number({ error: "Enter a distance in miles" })
      .int("Enter whole miles, from 1 to 50")
      .min(1, "Search at least 1 mile around")
      .max(50, "Search at most 50 miles around"),
  ),
  /** Whose point lat/lng is: the renter's location, or the map's centre. */
  from: optionalField(z.enum(["me", "map"])),
  /** "map": the map beside the list (its script loads only then). */
  view: optionalField(z.enum(["map"], { error: "Unknown view" })),
  /** "1": the renter asked for their location; the map asks the browser. */
  locate: optionalField(z.enum(["1"])),
}).superRefine((q, ctx) => {
  if ((q.lat === undefined) !== (q.lng === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: [q.lat === undefined ? "lat" : "lng"],
      message: "Give both a latitude and a longitude",
    });
  } else if (
    q.lat !== undefined && q.lng !== undefined &&
    !inUnitedStates({ lat: q.lat, lng: q.lng })
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["lat"],
      message:
        "That point is outside the United States; Prep lists kitchens in the US only",
    });
  }
  if (q.sort === "distance" && !q.near && q.lat === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["sort"],
      message:
        "Nearest first needs a place: enter a ZIP code or a city and state",
    });
  }
}).superRefine((q, ctx) => {
  if (
    q.minPrice !== undefined && q.maxPrice !== undefined &&
    q.minPrice > q.maxPrice
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["maxPrice"],
      message: "Max price is below min price",
    });
  }
  // A number of hours alone asks for kitchens booked that long at all
  // (search.ts); a start and an end belong to a day.
  if ((q.start || q.end) && !q.date) {
    ctx.addIssue({
      code: "custom",
      path: ["date"],
      message: "Pick a date to search by time",
    });
  }
  if ((q.start === undefined) !== (q.end === undefined)) {
    const path = q.start === undefined ? "start" : "end";
    ctx.addIssue({
      code: "custom",
      path: [path],
      message: "Give both a start and an end time",
    });
  }
  if (q.start && q.end && q.hours) {
    ctx.addIssue({
      code: "custom",
      path: ["hours"],
      message: "Use either times or a duration",
    });
  }
});
export type SearchQuery = z.infer<typeof searchQuery>;

/** The query string for a query, e.g. for pagination links; defaults are left out. */
export function searchHref(
  q: Partial<SearchQuery>,
  overrides: Partial<SearchQuery> = {},
): string {
  const merged = { ...q, ...overrides };
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(merged)) {
    if (
      value === undefined || value === "" ||
      (key === "sort" && value === "price")
    ) continue;
    if (Array.isArray(value)) {
      for (const v of value) params.append(key, String(v));
    } else params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `/search?${s}` : "/search";
}

/**
 * How many filters a search sets, for the phone's "Filters (n)" button:
 * the city, the place (near a ZIP, a town or a point), the date, the time
 * (a start and end, or a number of hours), the price range and each
 * equipment and storage choice count once each;
 * the sort order is no filter. `q` is a parsed query or, for a refused
 * one, the fields as typed (lists joined by commas).
 */
export function filterCount(
  q: Record<string, string | string[] | number | undefined>,
): number {
  const given = (key: string) => {
    const v = q[key];
    return v !== undefined && v !== "" && !(Array.isArray(v) && !v.length);
  };
  const chosen = (key: string) => {
    const v = q[key];
    if (Array.isArray(v)) return v.length;
    return typeof v === "string" ? v.split(",").filter(Boolean).length : 0;
  };
  return [
    given("city"),
    given("near") || given("lat"),
    given("date"),
    given("start") || given("end") || given("hours"),
    given("minPrice") || given("maxPrice"),
  ].filter(Boolean).length + chosen("equipment") + chosen("storage");
}
