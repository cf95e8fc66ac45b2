/**
 * The kitchen page's week view (issue 17 §6): seven days of free hours
 * beside the day picker, as text people read. Pure.
 */
import type { BookableStart, Interval } from "./availability.ts";
import { formatDate, formatTime } from "../format.ts";
import { addDays, type WeekDay } from "./free_time.ts";
import { startOfLocalDate } from "./availability.ts";
import { dayPick, kitchenPageHref, type KitchenPick } from "./pick.ts";
import type { Kitchen } from "./schema.ts";

export interface WeekDayView {
  date: string;
  /** "Thu, Dec 10". */
  label: string;
  /** The stretches a booking can fall in: "9:00 AM - 1:00 PM". */
  free: string[];
  /** What the day shows: its free stretches, or why there are none. */
  freeText: string;
  /** The kitchen page on this date with the same hours asked (their length alone where the day cannot take them); null outside the booking window. */
  href: string | null;
  /** The date the picker shows. */
  picked: boolean;
}

export interface WeekView {
  /** "Week of Mon, Dec 7". */
  heading: string;
  days: WeekDayView[];
  /** The date to open for the week before, or null when it is all past. */
  earlier: string | null;
  /** The date to open for the week after, or null when it is past the booking window. */
  later: string | null;
  /** The kitchen page on `earlier` and `later`, with the same hours asked. */
  earlierHref: string | null;
  laterHref: string | null;
}

/**
 * The time bookings can fall in: each start to its latest end, merged where
 * they touch. Starts come sorted, as `bookableStarts` gives them.
 */
export function freeStretches(starts: readonly BookableStart[]): Interval[] {
  const out: Interval[] = [];
  for (const s of starts) {
    const last = out.at(-1);
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.maxEnd);
    else out.push({ start: s.start, end: s.maxEnd });
  }
  return out;
}

/**
 * The week of `days` (seven dates from a Monday) as the page shows it, with
 * `picked` marked, and the dates the earlier and later links open: the
 * same weekday a week away, kept inside `today`…`lastDate`. Views are
 * shared between requests, so nobody may change one.
 */
export function weekView(
  k: Pick<Kitchen, "id" | "timeZone">,
  days: readonly WeekDay[],
  picked: string,
  window: { today: string; lastDate: string },
  pick: KitchenPick = {},
): WeekView {
  // The same week (by identity: see weekSlots) reads the same for the same
  // picked date, window and hours asked; a kitchen page asks on every request.
  let byKey = views.get(days);
  if (!byKey) views.set(days, byKey = new Map());
  const key =
    `${k.id}|${k.timeZone}|${picked}|${window.today}|${window.lastDate}|${pick.start}|${pick.end}|${pick.hours}`;
  let view = byKey.get(key);
  if (!view) {
    if (byKey.size >= 16) byKey.clear();
    view = makeWeekView(k, days, picked, window, pick);
    byKey.set(key, view);
  }
  return view;
}

const views = new WeakMap<readonly WeekDay[], Map<string, WeekView>>();

function makeWeekView(
  k: Pick<Kitchen, "id" | "timeZone">,
  days: readonly WeekDay[],
  picked: string,
  window: { today: string; lastDate: string },
  pick: KitchenPick,
): WeekView {
  const tz = k.timeZone;
  const first = days[0].date;
  const next = addDays(first, 7);
  // A page opened outside the booking window steps from the window's edge.
  const from = clampDate(picked, window);
  const earlier = first > window.today
    ? maxDate(window.today, addDays(from, -7))
    : null;
  const later = next <= window.lastDate
    ? minDate(window.lastDate, addDays(from, 7))
    : null;
  const href = (date: string, anchor: string) =>
    `${kitchenPageHref(k.id, { ...pick, date })}#${anchor}`;
  const dayHref = (d: WeekDay) =>
    `${kitchenPageHref(k.id, dayPick(k, d, pick))}#book`;
  return {
    heading: `Week of ${formatDate(first)}`,
    days: days.map((d) => {
      const midnight = startOfLocalDate(addDays(d.date, 1), tz);
      const free = freeStretches(d.starts).map((f) =>
        `${formatTime(tz, f.start)} - ${formatTime(tz, f.end)}${
          f.end > midnight ? " next day" : ""
        }`
      );
      return {
        date: d.date,
        label: formatDate(d.date),
        free,
        freeText: !d.inWindow
          ? "Not bookable"
          : free.length > 0
          ? free.join(", ")
          : "No free hours",
        href: d.inWindow ? dayHref(d) : null,
        picked: d.date === picked,
      };
    }),
    earlier,
    later,
    earlierHref: earlier && href(earlier, "week"),
    laterHref: later && href(later, "week"),
  };
}

/**
 * `date` kept inside `today`…`lastDate`: the week a kitchen page shows for
 * a date outside its booking window (a bookmark from last month, a hand-made
 * URL for the year 9999) is the window's nearest.
 */
export function clampDate(
  date: string,
  window: { today: string; lastDate: string },
): string {
  return minDate(window.lastDate, maxDate(window.today, date));
}

const maxDate = (a: string, b: string) => a > b ? a : b;
const minDate = (a: string, b: string) => a < b ? a : b;
