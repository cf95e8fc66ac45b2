import { z } from "zod";
import { matchCity } from "../cities.ts";
import { clockTime, localDate } from "./schema.ts";
import { EQUIPMENT_IDS, STORAGE_IDS } from "./vocabulary.ts";

export const SORTS = ["price", "newest", "soonest"] as const;
export type Sort = typeof SORTS[number];

const dollars = z.coerce.number({ error: "Enter a price in dollars" })
  .min(0, "Prices cannot be negative")
  .max(10_000, "Enter a price up to $10,000");

export const searchQuery = z.object({
  // A city's name or slug becomes its slug. An unknown city is kept as typed,
  // not rejected, so the page can say which city we don't serve.
  city: z.string().trim().max(60).transform((v) => matchCity(v)?.slug ?? v)
    .optional(),
  date: localDate.optional(),
  start: clockTime.optional(),
  end: clockTime.optional(),
  hours: z.coerce.number({ error: "Enter a number of hours" }).int(
    "Enter whole hours",
  )
    .min(1, "Book at least 1 hour").max(24, "Book at most 24 hours").optional(),
  minPrice: dollars.optional(),
  maxPrice: dollars.optional(),
  equipment: z.array(z.enum(EQUIPMENT_IDS, { error: "Unknown equipment" })).max(
    10,
  ).default([]),
  storage: z.array(z.enum(STORAGE_IDS, { error: "Unknown storage type" }))
    .default([]),
  sort: z.enum(SORTS, { error: "Sort by price, newest or soonest available" })
    .default("price"),
  cursor: z.string().max(400).regex(/^[A-Za-z0-9_\-:=]*$/, "Invalid page link")
    .optional(),
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

const MULTI = new Set(["equipment", "storage"]);

/**
 * Turns a query string into the object the schema reads: repeated keys become
 * arrays, and empty values (an untouched GET form field) are dropped.
 */
export function queryObject(
  params: URLSearchParams,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, raw] of params) {
    const value = raw.trim();
    if (value === "") continue;
    if (MULTI.has(key)) ((out[key] ??= []) as string[]).push(value);
    else out[key] = value;
  }
  return out;
}

export type SearchParse =
  | { ok: true; query: SearchQuery }
  | {
    ok: false;
    errors: Record<string, string>;
    raw: Record<string, string | string[]>;
  };

export function parseSearch(params: URLSearchParams): SearchParse {
  const raw = queryObject(params);
  const parsed = searchQuery.safeParse(raw);
  if (parsed.success) return { ok: true, query: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? "form");
    errors[field] ??= issue.message;
  }
  return { ok: false, errors, raw };
}

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
