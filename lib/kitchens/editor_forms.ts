/**
 * The listing editor's forms: what a browser posts (strings, repeated keys)
 * turned into section values, which `saveSection` then validates with the
 * kitchen schema. Field names are the kitchen's paths ("address.city",
 * "hourlyPriceCents"), so the schema's messages land next to their fields;
 * money is typed in dollars. Pure.
 */
import { z } from "zod";
import { CITY_SLUGS, findCity } from "../cities.ts";
import { CANCELLATION_POLICIES } from "./policy.ts";
import {
  crossFieldProblems,
  kitchenFields,
  type KitchenInput,
  MAX_PRICE_CENTS,
} from "./schema.ts";
import type { EditSection } from "./listings.ts";
import type { LocationInput } from "./place.ts";
import { EQUIPMENT_IDS, STORAGE_IDS } from "./vocabulary.ts";

const whole = (label: string, min: number, max: number) =>
  z.string().trim().regex(/^\d+$/, `Enter ${label} as a whole number`)
    .transform(Number).pipe(
      z.number().min(min, `Use at least ${min}`).max(max, `Use at most ${max}`),
    );

/** "$45", "45.5" or "45.50" dollars → 4550 cents. */
const dollars = (label: string, min: number) =>
  z.string().trim().transform((v) => v.replace(/^\$/, "")).pipe(
    z.string().regex(
      /^\d{1,6}(\.\d{1,2})?$/,
      `Enter ${label} in dollars, like 45 or 45.50`,
    ),
  ).transform((v) => Math.round(Number(v) * 100)).refine(
    (c) => c >= min,
    `Use at least $${min / 100}`,
  ).refine(
    (c) => c <= MAX_PRICE_CENTS,
    `Use at most $${(MAX_PRICE_CENTS / 100).toLocaleString("en-US")}`,
  );

const ISO_DAYS = ["1", "2", "3", "4", "5", "6", "7"] as const;

const lines = (v: string) =>
  v.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);

interface RangeRows {
  rangeDay: string[];
  rangeStart: string[];
  rangeEnd: string[];
}

/**
 * The hours form's rows as opening ranges, with the (1-based) form row of
 * each (unused rows are skipped), or the first row left incomplete.
 */
function rangesOf(
  f: RangeRows,
): { ranges: KitchenInput["weeklyHours"]; rows: number[] } | { row: number } {
  const ranges: KitchenInput["weeklyHours"] = [];
  const rows: number[] = [];
  // The refinement below also sees fields that did not parse.
  const at = (list: unknown, i: number) =>
    Array.isArray(list) && typeof list[i] === "string" ? list[i].trim() : "";
  const days = Array.isArray(f.rangeDay) ? f.rangeDay : [];
  for (let i = 0; i < days.length; i++) {
    const day = at(days, i);
    const start = at(f.rangeStart, i);
    const end = at(f.rangeEnd, i);
    // A row without times is unused (a day offered but left closed).
    if (!start && !end) continue;
    if (!(ISO_DAYS as readonly string[]).includes(day) || !start || !end) {
      return { row: i + 1 };
    }
    ranges.push({ day: Number(day), start, end });
    rows.push(i + 1);
  }
  return { ranges, rows };
}

/** Closed dates, one field each (or, from older forms, a line or comma each). */
const blackoutsOf = (f: { blackoutDates: string[] }) => {
  const fields = Array.isArray(f.blackoutDates)
    ? f.blackoutDates.filter((d) => typeof d === "string")
    : [];
  return [...new Set(lines(fields.join("\n").replaceAll(",", "\n")))].sort();
};

/** Whether `value` is one `schema` takes as it is. */
const valid = <T>(schema: z.ZodType<T>, value: unknown): value is T =>
  schema.safeParse(value).success;

/** A check's issues as the form's own, under `field`, each message after what `where` says of its path. */
function addIssuesAt(
  ctx: z.RefinementCtx,
  field: string,
  result: z.ZodSafeParseResult<unknown>,
  where: (path: PropertyKey[]) => string,
) {
  if (result.success) return;
  for (const issue of result.error.issues) {
    ctx.addIssue({
      code: "custom",
      path: [field, ...issue.path],
      message: `${where(issue.path)}${issue.message}`,
    });
  }
}

export const SECTION_FORMS = {
  // The kitchen's own rules for its texts, here too: every field's problem
  // is said at once, not the capacity's first and the texts' after.
  basics: z.object({
    title: kitchenFields.shape.title,
    description: kitchenFields.shape.description,
    capacity: whole("the capacity", 1, 100),
  }),
  location: z.object({
    "address.line1": z.string(),
    "address.neighborhood": z.string(),
    "address.city": z.enum(
      CITY_SLUGS as [string, ...string[]],
      "Choose a city we serve",
    ),
    "address.state": z.string(),
    "address.postalCode": z.string(),
    timeZone: z.string(),
    zoningDistrict: z.string().default(""),
    // The map's pin (islands/PinPicker.tsx); absent without JavaScript.
    pinLat: z.string().default(""),
    pinLng: z.string().default(""),
  }).transform((f, ctx): LocationInput => {
    const coordinate = (v: string, max: number) => {
      const n = /^-?\d{1,3}(\.\d{1,9})?$/.test(v.trim()) ? Number(v) : NaN;
      return Math.abs(n) <= max ? n : NaN;
    };
    let pin: LocationInput["pin"] = null;
    if (f.pinLat.trim() !== "" || f.pinLng.trim() !== "") {
      const lat = coordinate(f.pinLat, 90);
      const lng = coordinate(f.pinLng, 180);
      if (Number.isNaN(lat) || Number.isNaN(lng)) {
        ctx.addIssue({
          code: "custom",
          path: ["pin"],
          message: "The pin's position was not understood; move it again",
        });
        return z.NEVER;
      }
      pin = { lat, lng };
    }
    return {
      address: {
        line1: f["address.line1"],
        neighborhood: f["address.neighborhood"],
        city: f["address.city"],
        state: f["address.state"],
        postalCode: f["address.postalCode"],
      },
      // Empty means the city's own zone, which is nearly always right.
      timeZone: f.timeZone.trim() || findCity(f["address.city"])!.timeZone,
      zoningDistrict: f.zoningDistrict.trim().toUpperCase(),
      pin,
    };
  }),
  features: z.object({
    equipment: z.array(z.enum(EQUIPMENT_IDS, "Choose from the list")),
    storage: z.array(z.enum(STORAGE_IDS, "Choose from the list")),
    accessible: z.string().default("").transform((v) => v === "yes"),
  }),
  hours: z.object({
    rangeDay: z.array(z.string()),
    rangeStart: z.array(z.string()),
    rangeEnd: z.array(z.string()),
    // One date field each (older forms: one textarea, a date per line).
    blackoutDates: z.array(z.string()),
    bufferMinutes: whole("the buffer", 0, 240),
    minNoticeHours: whole("the notice", 0, 24 * 14),
    bookingWindowDays: whole("the booking window", 1, 365),
    minHours: whole("the minimum", 1, 24),
    maxHours: whole("the maximum", 1, 24),
    standingBookings: z.string().default("").transform((v) => v === "yes"),
    // Forms from before standing bookings leave it out: the default stands.
    standingMonthsAhead: z.union([
      z.literal("").transform(() => undefined),
      whole("how many months ahead", 1, 6),
    ]),
  }).superRefine((f, ctx) => {
    // What saving checks across the section (its rows, dates, and the
    // minimum against the maximum), said with the fields' own problems:
    // before, a wrong buffer hid a wrong row until it was fixed, and that
    // a maximum below the minimum. Runs whatever else failed, so a field
    // may still hold its text: only numbers are compared.
    const rows = rangesOf(f);
    if ("row" in rows) {
      ctx.addIssue({
        code: "custom",
        path: ["weeklyHours"],
        message: `Row ${rows.row}: choose a day, a start and an end`,
      });
    } else {
      // Which row, and what was typed: a time field cannot show "25:00".
      addIssuesAt(
        ctx,
        "weeklyHours",
        kitchenFields.shape.weeklyHours.safeParse(rows.ranges),
        ([i, part]) => {
          if (typeof i !== "number") return "";
          const range = rows.ranges[i];
          const typed = part === "start" || part === "end"
            ? ` ${part === "start" ? "opens" : "closes"} "${range?.[part]}"`
            : "";
          return `Row ${rows.rows[i] ?? i + 1},${typed}: `;
        },
      );
    }
    const dates = blackoutsOf(f);
    addIssuesAt(
      ctx,
      "blackoutDates",
      kitchenFields.shape.blackoutDates.safeParse(dates),
      ([i]) => typeof i === "number" ? `"${dates[i]}": ` : "",
    );
    // Only two numbers that are each fine: "30" against "4" is the
    // minimum's problem ("Use at most 24"), not the maximum's.
    const { minHours, maxHours } = f as Record<string, unknown>;
    if (
      valid(kitchenFields.shape.minHours, minHours) &&
      valid(kitchenFields.shape.maxHours, maxHours)
    ) {
      for (
        const [path, message] of Object.entries(
          crossFieldProblems({ minHours, maxHours }),
        )
      ) ctx.addIssue({ code: "custom", path: [path], message });
    }
  }, {
    // Whatever else failed, as long as a form (an object) was read.
    when: (payload) =>
      typeof payload.value === "object" && payload.value !== null,
  }).transform((f) => {
    const rows = rangesOf(f);
    // Refused above: a transform runs only once every check has passed.
    if ("row" in rows) return z.NEVER;
    return {
      weeklyHours: rows.ranges,
      blackoutDates: blackoutsOf(f),
      bufferMinutes: f.bufferMinutes,
      minNoticeHours: f.minNoticeHours,
      bookingWindowDays: f.bookingWindowDays,
      minHours: f.minHours,
      maxHours: f.maxHours,
      standingBookings: f.standingBookings,
      ...(f.standingMonthsAhead === undefined
        ? {}
        : { standingMonthsAhead: f.standingMonthsAhead }),
    };
  }),
  pricing: z.object({
    hourlyPriceCents: dollars("the hourly price", 100),
    cleaningFeeCents: dollars("the cleaning fee", 0),
    bookingMode: z.enum(["instant", "request"], "Choose how renters book"),
  }),
  rules: z.object({
    rules: z.string().transform(lines),
    cancellationPolicy: z.enum(CANCELLATION_POLICIES, "Choose a policy"),
  }),
} satisfies Partial<Record<EditSection, z.ZodType>>;

/** A section's form schema, typed loosely for the generic route. */
export function sectionForm(section: FormSection): z.ZodType<unknown> {
  return SECTION_FORMS[section] as z.ZodType<unknown>;
}

export type FormSection = keyof typeof SECTION_FORMS;
export const FORM_SECTIONS = Object.keys(SECTION_FORMS) as FormSection[];

/** A listing's saved values as the section's form shows them (strings). */
export function formValues(
  section: FormSection,
  v: Partial<KitchenInput>,
): Record<string, string> {
  const s = (x: number | undefined) => (x === undefined ? "" : String(x));
  const money = (c: number | undefined) =>
    c === undefined
      ? ""
      : (c % 100 === 0 ? String(c / 100) : (c / 100).toFixed(2));
  switch (section) {
    case "basics":
      return {
        title: v.title ?? "",
        description: v.description ?? "",
        capacity: s(v.capacity),
      };
    case "location":
      return {
        "address.line1": v.address?.line1 ?? "",
        "address.neighborhood": v.address?.neighborhood ?? "",
        "address.city": v.address?.city ?? "",
        "address.state": v.address?.state ?? "",
        "address.postalCode": v.address?.postalCode ?? "",
        timeZone: v.timeZone ?? "",
        zoningDistrict: v.zoningDistrict ?? "",
      };
    case "features":
      return {
        equipment: (v.equipment ?? []).join(","),
        storage: (v.storage ?? []).join(","),
        accessible: v.accessible ? "yes" : "",
      };
    case "hours":
      return {
        blackoutDates: (v.blackoutDates ?? []).join("\n"),
        bufferMinutes: s(v.bufferMinutes ?? 0),
        minNoticeHours: s(v.minNoticeHours ?? 24),
        bookingWindowDays: s(v.bookingWindowDays ?? 60),
        minHours: s(v.minHours ?? 2),
        maxHours: s(v.maxHours ?? 12),
        standingBookings: v.standingBookings ? "yes" : "",
        standingMonthsAhead: s(v.standingMonthsAhead ?? 3),
      };
    case "pricing":
      return {
        hourlyPriceCents: money(v.hourlyPriceCents),
        cleaningFeeCents: money(v.cleaningFeeCents ?? 0),
        bookingMode: v.bookingMode ?? "instant",
      };
    case "rules":
      return {
        rules: (v.rules ?? []).join("\n"),
        cancellationPolicy: v.cancellationPolicy ?? "moderate",
      };
  }
}
