/**
 * The staff figures page (`/admin/metrics`): bookings, money, refunds, city
 * fees and fill rate per week for the last 12 weeks, for every city, one
 * city (with its kitchens) or one kitchen; documents waiting and how long
 * decisions take; dead letters. It lives here, in the highest domain it
 * reads (documents), as DESIGN §3 places a view that spans several.
 *
 * Everything counted comes from the counters of lib/metrics, kept in the
 * atomics of the events (bookings/metrics.ts, compliance/metrics.ts,
 * jobs/outbox.ts): a page reads a few hundred counters, never the records.
 * Open hours are not events: they come from each kitchen's weekly hours
 * and closed dates on read (metrics/schema.ts `openMinutesInWeek`), from
 * the local date its listing was first published. That is a few hundred
 * additions per kitchen, pure, over kitchen records the read cache holds;
 * a city counts at most MAX_KITCHENS of them. It uses each kitchen's hours
 * as they are now: a host who changed them changes past weeks' rate too.
 */
import { z } from "zod";
import { CITIES, CITY_SLUGS, findCity } from "../cities.ts";
import { cached } from "../db/read_cache.ts";
import { NotFoundError } from "../errors.ts";
import { isId } from "../ids.ts";
import { getKitchens, listNewestKitchenIds } from "../kitchens/repo.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import {
  listCountedKitchens,
  readCount,
  readScopeCounts,
} from "../metrics/repo.ts";
import {
  ALL,
  DECISION_WAIT_BOUNDS_H,
  lastWeeks,
  mondayOf,
  type OpenHours,
  openHoursOf,
  openMinutesInWeek,
  type Scope,
} from "../metrics/schema.ts";

/** Weeks shown. */
export const WEEKS = 12;
/** Kitchens of a city whose open hours count towards its fill rate, at most. */
export const MAX_KITCHENS = 500;
/** Kitchens listed in a city's table, at most (most bookings first). */
export const MAX_KITCHEN_ROWS = 100;

export const figuresQuery = z.object({
  city: z.union([
    z.literal(""),
    z.enum(CITY_SLUGS as [string, ...string[]], { error: "Pick a city" }),
  ]),
  kitchen: z.union([
    z.literal(""),
    z.string().refine(isId, "Not a kitchen id"),
  ]),
});
export type FiguresQuery = z.infer<typeof figuresQuery>;

/** One week of a scope. Money in cents; commission and city fees net of refunds. */
export interface WeekFigures {
  /** The Monday the week starts on. */
  monday: string;
  bookings: number;
  grossCents: number;
  commissionCents: number;
  refundsCents: number;
  cityFeesCents: number;
  cancellations: number;
  bookedMinutes: number;
  openMinutes: number;
}

export interface ScopeRow {
  href: string;
  name: string;
  /** The 12 weeks added up. */
  total: WeekFigures;
}

export interface DocumentFigures {
  waiting: number;
  uploaded: number;
  decided: number;
  /** Decisions per wait bucket (metrics/schema.ts DECISION_WAIT_BOUNDS_H), over the weeks. */
  waits: number[];
  /** The bucket holding the median decision, or null with none. */
  medianBucket: number | null;
  /** Per week: uploads and decisions. */
  weeks: { monday: string; uploaded: number; decided: number }[];
}

export interface StaffFigures {
  scope:
    | { kind: "all" }
    | { kind: "city"; slug: string; name: string }
    | { kind: "kitchen"; id: string; title: string; city: string };
  weeks: WeekFigures[];
  total: WeekFigures;
  /** Cities (for all) or kitchens (for a city); none for a kitchen. */
  rows: ScopeRow[];
  /** Kitchens of the city beyond those in the table. */
  moreRows: number;
  /** Kitchens whose open hours counted (for all and a city). */
  kitchensCounted: number;
  /** Only with every city: documents and dead letters are not per city. */
  documents: DocumentFigures | null;
  deadLetters: number | null;
}

const ZERO_WEEK = (monday: string): WeekFigures => ({
  monday,
  bookings: 0,
  grossCents: 0,
  commissionCents: 0,
  refundsCents: 0,
  cityFeesCents: 0,
  cancellations: 0,
  bookedMinutes: 0,
  openMinutes: 0,
});

/** Adds `b` into `a` (pure apart from `a`). */
function addWeek(a: WeekFigures, b: WeekFigures): void {
  a.bookings += b.bookings;
  a.grossCents += b.grossCents;
  a.commissionCents += b.commissionCents;
  a.refundsCents += b.refundsCents;
  a.cityFeesCents += b.cityFeesCents;
  a.cancellations += b.cancellations;
  a.bookedMinutes += b.bookedMinutes;
  a.openMinutes += b.openMinutes;
}

/**
 * The weeks' totals. Booked minutes count only in weeks that had open
 * hours, so the total's fill rate is of the same weeks as its open hours
 * (a week before a kitchen was listed has bookings only in a seed).
 */
export function totalOf(weeks: readonly WeekFigures[]): WeekFigures {
  const t = ZERO_WEEK(weeks[0]?.monday ?? "");
  for (const w of weeks) {
    addWeek(t, w.openMinutes > 0 ? w : { ...w, bookedMinutes: 0 });
  }
  return t;
}

/** Booked ÷ open hours, or null when nothing was open. */
export function fillRate(
  w: Pick<WeekFigures, "bookedMinutes" | "openMinutes">,
): number | null {
  return w.openMinutes > 0 ? w.bookedMinutes / w.openMinutes : null;
}

/** The bucket holding the middle decision of a histogram, or null when it is empty. */
export function medianBucket(counts: readonly number[]): number | null {
  const n = counts.reduce((a, b) => a + b, 0);
  if (n === 0) return null;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i];
    if (seen * 2 >= n) return i;
  }
  return counts.length - 1;
}

/** A wait bucket's bounds in hours: [from, to), `to` null for the last. */
export function waitBucketBounds(i: number): [number, number | null] {
  return [
    i === 0 ? 0 : DECISION_WAIT_BOUNDS_H[i - 1],
    DECISION_WAIT_BOUNDS_H[i] ?? null,
  ];
}

/** The weeks of a scope from its counters, open minutes from `kitchens`. */
async function scopeWeeks(
  kv: Deno.Kv,
  scope: Scope,
  weeks: readonly string[],
  kitchens: readonly OpenHours[],
): Promise<WeekFigures[]> {
  const counts = await readScopeCounts(kv, scope, weeks[0], weeks.at(-1)!);
  return weeks.map((week) => {
    const c = counts.get(week) ?? new Map<string, number>();
    const n = (name: string) => c.get(name) ?? 0;
    let open = 0;
    for (const k of kitchens) open += openMinutesInWeek(k, week);
    return {
      monday: mondayOf(week),
      bookings: n("bookings"),
      grossCents: n("gross_cents"),
      commissionCents: n("commission_cents") - n("commission_refunded_cents"),
      refundsCents: n("refunds_cents"),
      cityFeesCents: n("city_fees_cents") - n("city_fees_refunded_cents"),
      cancellations: n("cancellations"),
      bookedMinutes: n("booked_minutes"),
      openMinutes: open,
    };
  });
}

/** A city's kitchens that count: those listed now and those with counted bookings. */
async function cityKitchens(
  kv: Deno.Kv,
  city: string,
): Promise<{ kitchens: Kitchen[]; counted: Map<string, number> }> {
  const [listed, counted] = await Promise.all([
    listNewestKitchenIds(kv, city, MAX_KITCHENS),
    listCountedKitchens(kv, city, MAX_KITCHENS),
  ]);
  const ids = [...new Set([...counted.map((c) => c.kitchenId), ...listed])]
    .slice(0, MAX_KITCHENS);
  const kitchens = (await getKitchens(kv, ids)).filter((k): k is Kitchen =>
    k !== null
  );
  return {
    kitchens,
    counted: new Map(counted.map((c) => [c.kitchenId, c.bookings])),
  };
}

async function documentFigures(
  kv: Deno.Kv,
  weeks: readonly string[],
): Promise<DocumentFigures> {
  const [counts, waiting] = await Promise.all([
    readScopeCounts(kv, ALL, weeks[0], weeks.at(-1)!),
    readCount(kv, ALL, "now", "documents_waiting"),
  ]);
  const waits = new Array<number>(DECISION_WAIT_BOUNDS_H.length + 1).fill(0);
  let uploaded = 0;
  let decided = 0;
  const perWeek = weeks.map((week) => {
    const c = counts.get(week) ?? new Map<string, number>();
    waits.forEach((_, i) => waits[i] += c.get(`decision_wait_${i}`) ?? 0);
    const w = {
      monday: mondayOf(week),
      uploaded: c.get("documents_uploaded") ?? 0,
      decided: c.get("documents_decided") ?? 0,
    };
    uploaded += w.uploaded;
    decided += w.decided;
    return w;
  });
  return {
    waiting,
    uploaded,
    decided,
    waits,
    medianBucket: medianBucket(waits),
    weeks: perWeek,
  };
}

async function load(
  kv: Deno.Kv,
  q: FiguresQuery,
  today: string,
): Promise<StaffFigures> {
  const weeks = lastWeeks(today, WEEKS);
  if (q.kitchen) {
    const [k] = await getKitchens(kv, [q.kitchen]);
    if (!k) throw new NotFoundError("We could not find that kitchen.");
    const rows = await scopeWeeks(kv, { kind: "kitchen", id: k.id }, weeks, [
      openHoursOf(k),
    ]);
    return {
      scope: {
        kind: "kitchen",
        id: k.id,
        title: k.title,
        city: k.address.city,
      },
      weeks: rows,
      total: totalOf(rows),
      rows: [],
      moreRows: 0,
      kitchensCounted: 1,
      documents: null,
      deadLetters: null,
    };
  }
  if (q.city) {
    const city = findCity(q.city)!;
    const { kitchens, counted } = await cityKitchens(kv, city.slug);
    const open = kitchens.map(openHoursOf);
    const ordered = [...kitchens].sort((a, b) =>
      (counted.get(b.id) ?? 0) - (counted.get(a.id) ?? 0) ||
      a.title.localeCompare(b.title, "en")
    );
    const shown = ordered.slice(0, MAX_KITCHEN_ROWS);
    const [own, ...perKitchen] = await Promise.all([
      scopeWeeks(kv, { kind: "city", id: city.slug }, weeks, open),
      ...shown.map((k) =>
        scopeWeeks(kv, { kind: "kitchen", id: k.id }, weeks, [openHoursOf(k)])
      ),
    ]);
    return {
      scope: { kind: "city", slug: city.slug, name: city.name },
      weeks: own,
      total: totalOf(own),
      rows: shown.map((k, i) => ({
        href: `/admin/metrics?kitchen=${k.id}`,
        name: k.title,
        total: totalOf(perKitchen[i]),
      })),
      moreRows: ordered.length - shown.length,
      kitchensCounted: kitchens.length,
      documents: null,
      deadLetters: null,
    };
  }
  const perCity = await Promise.all(CITIES.map(async (city) => {
    const { kitchens } = await cityKitchens(kv, city.slug);
    return {
      city,
      kitchens: kitchens.length,
      weeks: await scopeWeeks(
        kv,
        { kind: "city", id: city.slug },
        weeks,
        kitchens.map(openHoursOf),
      ),
    };
  }));
  // Everything's counters, with every city's open hours.
  const counts = await scopeWeeks(kv, ALL, weeks, []);
  counts.forEach((w, i) => {
    for (const c of perCity) w.openMinutes += c.weeks[i].openMinutes;
  });
  const [documents, deadLetters] = await Promise.all([
    documentFigures(kv, weeks),
    readCount(kv, ALL, "now", "dead_letters"),
  ]);
  return {
    scope: { kind: "all" },
    weeks: counts,
    total: totalOf(counts),
    rows: perCity.map((c) => ({
      href: `/admin/metrics?city=${c.city.slug}`,
      name: c.city.name,
      total: totalOf(c.weeks),
    })),
    moreRows: 0,
    kitchensCounted: perCity.reduce((n, c) => n + c.kitchens, 0),
    documents,
    deadLetters,
  };
}

/**
 * The figures for every city, a city or a kitchen, over the 12 weeks to
 * `now`'s (UTC) week, through the five-second read cache.
 */
export function staffFigures(
  kv: Deno.Kv,
  q: FiguresQuery,
  now: number,
): Promise<StaffFigures> {
  const today = new Date(now).toISOString().slice(0, 10);
  return cached(
    kv,
    `figures:${q.city}:${q.kitchen}:${today}`,
    () => load(kv, q, today),
  );
}
