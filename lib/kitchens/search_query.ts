import { z } from "zod";
import { matchCity } from "../cities.ts";
import { choicesField, optionalField } from "../forms.ts";
import { clockTime, localDate } from "./schema.ts";
import { EQUIPMENT_IDS, STORAGE_IDS } from "./vocabulary.ts";

/** "rating" is ranked by lib/reviews (search.ts `RankedOrder`); price otherwise. */
export const SORTS = ["price", "newest", "soonest", "rating"] as const;
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
      error: "Sort by price, newest, soonest available or rating",
    }),
  ).transform((v) => v ?? "price"),
  cursor: optionalField(
    z.string().max(400).regex(/^[A-Za-z0-9_\-:=]*$/, "Invalid page link"),
  ),
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
  if ((q.start || q.end || q.hours) && !q.date) {
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
 * the city, the date, the time (a start and end, or a number of hours),
 * the price range and each equipment and storage choice count once each;
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
    given("date"),
    given("start") || given("end") || given("hours"),
    given("minPrice") || given("maxPrice"),
  ].filter(Boolean).length + chosen("equipment") + chosen("storage");
}
