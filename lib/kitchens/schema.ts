import { z } from "zod";
import { CITY_SLUGS } from "../cities.ts";
import { text } from "../text.ts";
import { CANCELLATION_POLICIES } from "./policy.ts";
import { EQUIPMENT_IDS, KITCHEN_STATUSES, STORAGE_IDS } from "./vocabulary.ts";

/** "HH:MM" on a 24-hour clock; "24:00" is allowed as the end of a day. */
export const clockTime = z.string().regex(
  /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/,
  "Use a 24-hour time like 09:30",
);

/** The wall-clock hours from `start` to `end`; an end at or before the start is the next day. */
export function hoursBetween(start: string, end: string): number {
  const minutes = (t: string) =>
    Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  const diff = minutes(end) - minutes(start);
  return (diff <= 0 ? diff + 24 * 60 : diff) / 60;
}

export const localDate = z.iso.date({ error: "Use a date like 2026-12-31" });

export const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return tz.includes("/") || tz === "UTC";
  } catch {
    return false;
  }
}, "Unknown time zone");

/**
 * One opening range on an ISO weekday (1 = Monday … 7 = Sunday). An end at or
 * before the start means the range runs overnight into the next day.
 */
export const weeklyRange = z.object({
  day: z.number().int().min(1).max(7),
  start: clockTime,
  end: clockTime,
}).refine((r) => r.start !== "24:00", {
  message: "A range cannot start at 24:00",
  path: ["start"],
});
export type WeeklyRange = z.infer<typeof weeklyRange>;

export const photoRef = z.object({
  id: z.string().min(1),
  alt: text({ label: "a description of the photo", max: 300 }),
  /** The same photo at card size (kitchens/photos.ts); older photos have none. */
  cardId: z.string().min(1).optional(),
});
export type PhotoRef = z.infer<typeof photoRef>;

/** What a photo upload answers to `Accept: application/json` (islands/PhotoUploader). */
export type UploadAnswer =
  | { photo: PhotoRef; count: number; max: number }
  | { error: string; issues?: Record<string, string> };

/** The most a price or fee may be: $100,000. */
export const MAX_PRICE_CENTS = 10_000_000;
const cents = z.number().int().min(0).max(MAX_PRICE_CENTS);

/** Everything a host decides about a kitchen; the stored record adds ids and timestamps. */
export const kitchenFields = z.object({
  title: text({ label: "a title", min: 3, max: 120 }),
  description: text({
    label: "a description",
    min: 20,
    max: 5000,
    multiline: true,
  }),
  rules: z.array(text({ label: "a rule", max: 300 })).max(20),
  address: z.object({
    line1: text({ label: "a street address", max: 200 }),
    neighborhood: text({ label: "a neighbourhood", max: 100 }),
    city: z.enum(CITY_SLUGS as [string, ...string[]]),
    state: text({ label: "a state", min: 2, max: 50 }),
    postalCode: text({ label: "a postal code", min: 3, max: 12 }),
  }),
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  timeZone,
  photos: z.array(photoRef).max(20),
  equipment: z.array(z.enum(EQUIPMENT_IDS)).max(EQUIPMENT_IDS.length),
  storage: z.array(z.enum(STORAGE_IDS)).max(STORAGE_IDS.length),
  capacity: z.number().int().min(1).max(100),
  hourlyPriceCents: cents.min(100),
  cleaningFeeCents: cents,
  currency: z.literal("usd"),
  minHours: z.number().int().min(1).max(24),
  maxHours: z.number().int().min(1).max(24),
  bufferMinutes: z.number().int().min(0).max(240),
  minNoticeHours: z.number().int().min(0).max(24 * 14),
  bookingWindowDays: z.number().int().min(1).max(365),
  weeklyHours: z.array(weeklyRange).max(50),
  blackoutDates: z.array(localDate).max(366),
  cancellationPolicy: z.enum(CANCELLATION_POLICIES),
  /**
   * "instant": paying confirms; "request": the card is authorised and the
   * host accepts or declines. Kitchens stored before this field are instant.
   */
  bookingMode: z.enum(["instant", "request"]).default("instant"),
  /**
   * The planning district (e.g. San Francisco's "NC-3"), which decides
   * whether a neighbourhood notice is needed; empty when not known.
   */
  zoningDistrict: z.string().trim().max(20).regex(
    /^[A-Za-z0-9 .-]*$/,
    "Use letters, digits and dashes, like NC-3",
  ).optional(),
  /** Step-free entrance, accessible workstations and restroom. */
  accessible: z.boolean().optional(),
  /**
   * Standing bookings (lib/bookings/series.ts): whether renters may book
   * the same hours every 1–4 weeks, and how many months ahead such a series
   * may reach (at most 6; the booking window above is for single bookings
   * and does not apply). Kitchens stored before these fields take none.
   */
  standingBookings: z.boolean().optional(),
  standingMonthsAhead: z.number().int().min(1).max(6).optional(),
});

/** Rules across fields; a section that edits one side re-checks them. */
export function crossFieldProblems(
  k: Partial<Pick<KitchenInput, "minHours" | "maxHours">>,
): Record<string, string> {
  return k.minHours !== undefined && k.maxHours !== undefined &&
      k.maxHours < k.minHours
    ? { maxHours: "Maximum hours must be at least the minimum" }
    : {};
}

export const kitchenInput = kitchenFields.superRefine((k, ctx) => {
  for (const [path, message] of Object.entries(crossFieldProblems(k))) {
    ctx.addIssue({ code: "custom", message, path: [path] });
  }
});
export type KitchenInput = z.infer<typeof kitchenFields>;

/**
 * Whether the city's required permits are verified and unexpired, as the
 * compliance part last worked out (lib/compliance/standing.ts). Kitchens own
 * the shape so search and holds can read it without knowing the rules.
 */
export const permitStanding = z.object({
  ok: z.boolean(),
  /** Required kinds not verified or expired, e.g. "health_permit". */
  missing: z.array(z.string()),
  /** The same, as people call them ("Health permit"), for the host's pages. */
  missingNames: z.array(z.string()),
  /**
   * Why each missing kind is missing, in `missing`'s order: its current
   * document's status ("renewal_requested", "expired"…), or null when there
   * is none; what the kitchen page tells renters. Absent on older standings.
   */
  missingStatuses: z.array(z.string().nullable()).optional(),
  /**
   * The verified required permit that expires first, and its expiry date:
   * it lasts to the end of that date in the kitchen's zone, so no booking
   * may end later. Absent when none is verified (or on older standings).
   */
  firstExpiry: z.object({ kind: z.string(), date: localDate }).optional(),
  checkedAt: z.number().int(),
});
export type PermitStanding = z.infer<typeof permitStanding>;

/** A staff suspension: the kitchen leaves search and takes no holds. */
export const kitchenSuspension = z.object({
  reason: z.string(),
  by: z.string(),
  at: z.number().int(),
  /** What reinstating returns the kitchen to. */
  previous: z.enum(KITCHEN_STATUSES),
});
export type KitchenSuspension = z.infer<typeof kitchenSuspension>;

export const kitchenRecord = z.object({
  v: z.literal(1),
  id: z.string(),
  hostId: z.string(),
  status: z.enum(KITCHEN_STATUSES),
  createdAt: z.string(),
  updatedAt: z.string(),
  permits: permitStanding.optional(),
  suspension: kitchenSuspension.optional(),
}).and(kitchenInput);
export type Kitchen = z.infer<typeof kitchenRecord>;

/** A listing not yet published (listings.ts): the sections its host saved so far. */
export interface DraftRecord {
  v: 1;
  id: string;
  hostId: string;
  /** Saved sections so far. */
  values: Partial<KitchenInput>;
  createdAt: string;
  updatedAt: string;
}
