/**
 * The hours a renter brings to a kitchen page (issue 17 §6): a search's date
 * and hours travel as `?date=&start=&end=` (or `&hours=`), and the page's
 * picker opens on them, server-rendered, so it works without JavaScript.
 * Pure: the schema, the links that carry a pick, and what the picker makes
 * of one on a given day.
 */
import { z } from "zod";
import { hoursText } from "./availability.ts";
import type { BookableStart } from "./availability.ts";
import { formatClock, formatDate, formatTime } from "../format.ts";
import { optionalField } from "../forms.ts";
import { addDays, localInstant } from "./free_time.ts";
import { clockTime, hoursBetween, type Kitchen, localDate } from "./schema.ts";
import type { SearchQuery } from "./search_query.ts";
import { wallClock } from "./slot_view.ts";

const HOUR = 3600_000;

/**
 * The kitchen page's query as the URL spells it. `loadKitchenPage` checks
 * the date once the kitchen is found, and `readKitchenPick` the rest, so an
 * unknown kitchen is a 404 whatever its query says.
 */
export const kitchenPageQuery = z.object({
  date: z.string(),
  start: z.string(),
  end: z.string(),
  hours: z.string(),
});
export type KitchenPageQuery = z.infer<typeof kitchenPageQuery>;

/** The free-hours API's query: a date alone. */
export const kitchenDateQuery = kitchenPageQuery.pick({ date: true });

/**
 * A pick as the page reads it: a date, and optionally a start with an end
 * or a number of hours, or a number of hours alone (a search by duration).
 */
export const kitchenPick = z.object({
  date: optionalField(localDate),
  start: optionalField(
    clockTime.refine((t) => t !== "24:00", "Start before midnight"),
  ),
  end: optionalField(clockTime),
  hours: optionalField(
    z.coerce.number({ error: "Enter a number of hours" })
      .min(0.5, "Book at least half an hour")
      .max(24, "Book at most 24 hours")
      .multipleOf(0.5, "Use whole or half hours"),
  ),
}).superRefine((q, ctx) => {
  const issue = (path: string, message: string) =>
    ctx.addIssue({ code: "custom", path: [path], message });
  if ((q.start || q.end || q.hours) && !q.date) {
    issue("date", "Pick a date to choose hours");
  }
  if (q.end && !q.start) issue("start", "Give a start time with the end");
  if (q.end && q.hours) {
    issue("hours", "Use either an end time or a number of hours");
  }
});
export type KitchenPick = z.infer<typeof kitchenPick>;

/** The pick in `q`, or the fields it could not read. */
export function parseKitchenPick(
  q: Partial<KitchenPageQuery>,
): PickRead {
  // Most visits ask nothing: nothing to parse.
  if (!q.start && !q.end && !q.hours && !q.date?.trim()) {
    return { ok: true, pick: {} };
  }
  const key = `${q.date}|${q.start}|${q.end}|${q.hours}`;
  // A real pick is some 30 characters; longer text is read, never kept.
  if (key.length > 64) return readPick(q);
  let read = picks.get(key);
  if (!read) {
    read = readPick(q);
    if (picks.size >= 1_000) picks.clear();
    picks.set(key, read);
  }
  return read;
}

type PickRead = { ok: true; pick: KitchenPick } | {
  ok: false;
  errors: Record<string, string>;
};

// The page and its cache key both read the pick, on every request; the
// answers are plain data nobody changes, so they are shared.
const picks = new Map<string, PickRead>();

function readPick(q: Partial<KitchenPageQuery>): PickRead {
  const parsed = kitchenPick.safeParse(q);
  if (parsed.success) {
    // Fields left out stay out, as links and cache keys compare picks.
    const pick: KitchenPick = {};
    for (const [k, v] of Object.entries(parsed.data)) {
      if (v !== undefined) Object.assign(pick, { [k]: v });
    }
    return { ok: true, pick };
  }
  const errors: Record<string, string> = {};
  for (const i of parsed.error.issues) {
    const field = String(i.path[0] ?? "date");
    errors[field] ??= i.message;
  }
  return { ok: false, errors };
}

/**
 * The kitchen page's URL for a pick, fields in one order and empty ones
 * left out: the links that carry a pick, and the page cache's key (two
 * URLs share a page only when they ask the same).
 */
export function kitchenPageHref(id: string, pick: KitchenPick = {}): string {
  // By hand, not URLSearchParams: a page writes a dozen of these, and the
  // parsed values need no escaping beyond what encodeURIComponent gives
  // (times keep their ":", which reads better).
  let query = "";
  for (const key of PICK_KEYS) {
    const value = pick[key];
    if (value === undefined) continue;
    query += `${query ? "&" : "?"}${key}=${
      encodeURIComponent(value).replaceAll("%3A", ":")
    }`;
  }
  return `/kitchens/${id}${query}`;
}

const PICK_KEYS = ["date", "start", "end", "hours"] as const;

/**
 * What a search result card links with: the search's date and hours, and
 * for a search by duration the start the card shows, so the picker opens
 * where the card said the kitchen is free.
 */
export function pickFromSearch(
  q: Pick<SearchQuery, "date" | "start" | "end" | "hours">,
  k: Pick<Kitchen, "timeZone">,
  slot: BookableStart | null,
): KitchenPick {
  if (!q.date) return {};
  if (q.start && q.end) return { date: q.date, start: q.start, end: q.end };
  if (q.hours) {
    return slot
      ? {
        date: q.date,
        start: wallClock(k.timeZone, slot.start),
        hours: q.hours,
      }
      : { date: q.date, hours: q.hours };
  }
  return { date: q.date };
}

/** What the picker opens with for a pick on its date. */
export interface PickedHours {
  /** "09:30"; absent to open on the day's first start. */
  start?: string;
  /** Elapsed hours from the start (an end on the wall clock, DST counted). */
  hours?: number;
  /** The hours asked, as people read them ("9:00 AM - 1:00 PM"), when a start was. */
  asked?: string;
}

/**
 * The start and length the picker opens with on `date` for `pick`: an end
 * becomes elapsed hours from the start (an end at or before the start is
 * the next day); hours alone take the first start they fit from. Outside
 * the booking window (`today`…`lastDate`) there is nothing to open on.
 */
export function pickedHours(
  k: Pick<Kitchen, "timeZone">,
  date: string,
  slots: readonly BookableStart[],
  pick: KitchenPick,
  window: { today: string; lastDate: string },
): PickedHours {
  if (pick.date !== date) return {};
  const tz = k.timeZone;
  if (date < window.today || date > window.lastDate) {
    // Nothing to open on, and no instants to count (a date near the end of
    // the calendar has no next day): only say what was asked.
    if (!pick.start) return pick.hours ? { asked: hoursText(pick.hours) } : {};
    return {
      start: pick.start,
      asked: pick.end
        ? `${formatClock(pick.start)} - ${formatClock(pick.end)}`
        : formatClock(pick.start),
    };
  }
  if (pick.start) {
    const { from, to } = pickSpan(tz, date, pick.start, pick);
    return to === undefined
      ? { start: pick.start, asked: formatTime(tz, from) }
      : {
        start: pick.start,
        hours: (to - from) / HOUR,
        asked: `${formatTime(tz, from)} - ${formatTime(tz, to)}`,
      };
  }
  if (!pick.hours) return {};
  const want = pick.hours * HOUR;
  const fit = slots.find((s) => s.maxEnd - s.start >= want);
  return fit
    ? { start: wallClock(tz, fit.start), hours: pick.hours }
    : { hours: pick.hours, asked: hoursText(pick.hours) };
}

/**
 * The instants a start with an end (at or before the start: the next day)
 * or a number of hours means on `date`; `to` is absent for a start alone.
 */
function pickSpan(
  tz: string,
  date: string,
  start: string,
  pick: Pick<KitchenPick, "end" | "hours">,
): { from: number; to?: number } {
  const from = localInstant(tz, date, start);
  if (pick.end) {
    const to = localInstant(tz, date, pick.end);
    return {
      from,
      to: to > from ? to : localInstant(tz, addDays(date, 1), pick.end),
    };
  }
  return pick.hours ? { from, to: from + pick.hours * HOUR } : { from };
}

/**
 * What a link to another day carries of the hours asked: all of them where
 * that day can take them (a start at that time, free long enough), else
 * only their length, on which the picker opens at the day's first start
 * it fits. A day then never opens on hours it cannot take.
 */
export function dayPick(
  k: Pick<Kitchen, "timeZone">,
  day: { date: string; starts: readonly BookableStart[] },
  pick: KitchenPick,
): KitchenPick {
  const { date } = day;
  if (!pick.start) return { ...pick, date };
  const { from, to } = pickSpan(k.timeZone, date, pick.start, pick);
  const fits = day.starts.some((s) =>
    s.start === from && (to === undefined || s.maxEnd >= to)
  );
  if (fits) return { ...pick, date };
  // The length as asked, on the wall clock: the picker opens it at another
  // start, where a clock change that fell inside the asked span is no part
  // of it. Down to a half hour, which is what a pick may ask for.
  const asked = pick.hours ??
    (pick.end ? hoursBetween(pick.start, pick.end) : undefined);
  const hours = asked === undefined ? 0 : Math.floor(asked * 2) / 2;
  return hours > 0 ? { date, hours } : { date };
}

/**
 * When the picker could not open on the hours asked (taken since the
 * search, or not how this kitchen books), a sentence saying so, and why
 * when the length is outside the kitchen's; else null.
 */
export function pickNote(
  date: string,
  picked: PickedHours,
  opened: { start: string | null; hours: number | null },
  lengths?: Pick<Kitchen, "minHours" | "maxHours">,
): string | null {
  if (!picked.asked) return null;
  const honoured = picked.start !== undefined &&
    opened.start === picked.start &&
    (picked.hours === undefined || opened.hours === picked.hours);
  if (honoured) return null;
  const why = lengths && picked.hours !== undefined
    ? picked.hours < lengths.minHours
      ? ` This kitchen is booked for at least ${hoursText(lengths.minHours)}.`
      : picked.hours > lengths.maxHours
      ? ` This kitchen is booked for at most ${hoursText(lengths.maxHours)}.`
      : ""
    : "";
  return `${picked.asked} can't be booked here on ${
    formatDate(date)
  }.${why} Choose other hours below, or another day this week.`;
}
