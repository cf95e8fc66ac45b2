/**
 * A kitchen's month as the host's wall calendar shows it: weeks of local
 * days (Monday first, as ISO weekdays and the weekly hours count), each with
 * its open hours, "closed" or "blackout", and the bookings, requests and live
 * holds on it, all in the kitchen's time zone.
 *
 * Pure: no clock and no IO. Day boundaries are the kitchen's local midnights
 * computed with Temporal, so a 23- or 25-hour DST day holds exactly its own
 * hours; a booking that runs past midnight shows on every local date it
 * touches (the start day says where it ends, the next day says "until").
 */
import {
  type AvailabilityRules,
  type Interval,
  openIntervals,
} from "../kitchens/availability.ts";
import { localInstant, localToday } from "../kitchens/free_time.ts";
import { formatTime } from "../format.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import type { Booking } from "./schema.ts";

/** "2026-12": a calendar month. Years outside 2000–2099 are refused. */
export const MONTH_RE = /^20\d\d-(0[1-9]|1[0-2])$/;

export const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;

/** What a grid needs of a kitchen. */
export type GridKitchen = Pick<
  Kitchen,
  "id" | "title" | "timeZone" | "weeklyHours" | "blackoutDates"
>;

/** What a grid needs of a booking. */
export type GridBooking =
  & Pick<
    Booking,
    "id" | "kitchenId" | "start" | "end" | "status" | "holdExpiresAt"
  >
  & Partial<Pick<Booking, "seriesId">>;

/** Confirmed (or completed), waiting for the host's answer, or held while the renter pays. */
export type EntryKind = "booking" | "request" | "hold";

export interface DayEntry {
  bookingId: string;
  kind: EntryKind;
  /** "9:00 AM - 12:00 PM", "10:00 PM - 2:00 AM next day", "until 2:00 AM". */
  time: string;
}

export interface MonthDay {
  /** "2026-12-03" */
  date: string;
  /** Day of the month, 1–31. */
  day: number;
  today: boolean;
  /** "blackout": closed all day by a blackout date; "closed": no open hours that day. */
  state: "open" | "closed" | "blackout";
  /** Open hours that day: "8:00 AM - 8:00 PM", "10:00 PM - midnight", "all day"; "" when not open. */
  hours: string;
  entries: DayEntry[];
  /** Minutes the kitchen is open that local day (0 when closed). */
  openMinutes: number;
  /** Minutes of confirmed (or completed) bookings within that local day. */
  bookedMinutes: number;
  /** Minutes of open requests and live holds within that local day. */
  pendingMinutes: number;
  /** Some of the day's time is a weekly standing booking's (lib/bookings/series.ts). */
  weekly: boolean;
}

export interface MonthGrid {
  kitchenId: string;
  title: string;
  timeZone: string;
  month: string;
  /** Monday to Sunday; null pads the days of the neighbouring months. */
  weeks: (MonthDay | null)[][];
}

/** Whether `s` is a month the calendar accepts ("2026-12"). */
export function isMonth(s: string): boolean {
  return MONTH_RE.test(s);
}

/** The month of `now` on the wall calendar of `timeZone`. */
export function monthOf(timeZone: string, now: number): string {
  const known = monthSpans.get(timeZone);
  if (known && now >= known.from && now < known.until) return known.month;
  const day = Temporal.Instant.fromEpochMilliseconds(now)
    .toZonedDateTimeISO(timeZone).toPlainDate();
  const month = day.toPlainYearMonth();
  const startOf = (m: Temporal.PlainYearMonth) =>
    m.toPlainDate({ day: 1 }).toZonedDateTime(timeZone).epochMilliseconds;
  if (monthSpans.size >= MONTH_SPANS_KEPT) monthSpans.clear();
  monthSpans.set(timeZone, {
    month: month.toString(),
    from: startOf(month),
    until: startOf(month.add({ months: 1 })),
  });
  return month.toString();
}

/**
 * Each zone's current month and the instants it spans: the host dashboard
 * asks on every view, and Temporal's zone arithmetic was 4% of one.
 */
const monthSpans = new Map<
  string,
  { month: string; from: number; until: number }
>();
const MONTH_SPANS_KEPT = 64;

/** The month `by` months after `month` ("2026-12", 1 → "2027-01"). */
export function shiftMonth(month: string, by: number): string {
  return Temporal.PlainYearMonth.from(month).add({ months: by }).toString();
}

/** "December 2026" */
export function monthLabel(month: string): string {
  const ym = Temporal.PlainYearMonth.from(month);
  return `${MONTH_NAMES[ym.month - 1]} ${ym.year}`;
}

/** The instants the month's local days span in `timeZone`: [first midnight, next month's). */
export function monthSpan(month: string, timeZone: string): Interval {
  const ym = Temporal.PlainYearMonth.from(month);
  return {
    start: localInstant(
      timeZone,
      ym.toPlainDate({ day: 1 }).toString(),
      "00:00",
    ),
    end: localInstant(
      timeZone,
      ym.add({ months: 1 }).toPlainDate({ day: 1 }).toString(),
      "00:00",
    ),
  };
}

/** How a booking shows on the calendar, or null when it holds no time. */
export function entryKind(b: GridBooking, now: number): EntryKind | null {
  switch (b.status) {
    case "confirmed":
    case "completed":
    // A standing booking's later date: booked, charged 3 days before.
    case "scheduled":
      return "booking";
    case "requested":
      return "request";
    case "held":
      // An expired hold is free at once, before any job removes it.
      return (b.holdExpiresAt ?? 0) > now ? "hold" : null;
    default:
      return null;
  }
}

function entryTime(
  timeZone: string,
  b: GridBooking,
  dayStart: number,
  dayEnd: number,
): string {
  const from = formatTime(timeZone, b.start);
  const to = formatTime(timeZone, b.end);
  if (b.start >= dayStart) {
    return b.end <= dayEnd ? `${from} - ${to}` : `${from} - ${to} next day`;
  }
  return b.end <= dayEnd ? `until ${to}` : "all day";
}

/** "8:00 AM - 8:00 PM", "10:00 PM - midnight", "all day". */
function hoursText(
  timeZone: string,
  open: Interval[],
  dayStart: number,
  dayEnd: number,
): string {
  if (
    open.length === 1 && open[0].start === dayStart && open[0].end === dayEnd
  ) {
    return "all day";
  }
  return open.map((iv) =>
    `${formatTime(timeZone, iv.start)} - ${
      iv.end === dayEnd ? "midnight" : formatTime(timeZone, iv.end)
    }`
  ).join(", ");
}

/**
 * The month grid of one kitchen. `bookings` may include other kitchens' and
 * other months' bookings; only this kitchen's that touch the month show.
 * Entries in a day are ordered by start.
 */
export function buildMonthGrid(
  kitchen: GridKitchen,
  month: string,
  bookings: readonly GridBooking[],
  now: number,
): MonthGrid {
  const tz = kitchen.timeZone;
  const ym = Temporal.PlainYearMonth.from(month);
  const span = monthSpan(month, tz);
  const today = localToday(tz, now);
  const blackouts = new Set(kitchen.blackoutDates);
  // One pass of the availability engine for the whole month, split by day below.
  const open = openIntervals(openHoursOf(kitchen), span.start, span.end);
  const mine = bookings
    .filter((b) =>
      b.kitchenId === kitchen.id && b.start < span.end && b.end > span.start &&
      entryKind(b, now) !== null
    )
    .sort((a, b) => a.start - b.start);

  const days: MonthDay[] = [];
  let dayStart = span.start;
  for (let d = 1; d <= ym.daysInMonth; d++) {
    const date = ym.toPlainDate({ day: d });
    const iso = date.toString();
    const dayEnd = d === ym.daysInMonth
      ? span.end
      : localInstant(tz, date.add({ days: 1 }).toString(), "00:00");
    const dayOpen = clip(open, dayStart, dayEnd);
    const state = blackouts.has(iso)
      ? "blackout"
      : dayOpen.length === 0
      ? "closed"
      : "open";
    const onDay = mine.filter((b) => b.start < dayEnd && b.end > dayStart);
    const minutesOf = (kinds: EntryKind[]) =>
      onDay.filter((b) => kinds.includes(entryKind(b, now)!)).reduce(
        (sum, b) =>
          sum + (Math.min(b.end, dayEnd) - Math.max(b.start, dayStart)) /
            60_000,
        0,
      );
    days.push({
      date: iso,
      day: d,
      today: iso === today,
      state,
      hours: hoursText(tz, dayOpen, dayStart, dayEnd),
      entries: onDay.map((b) => ({
        bookingId: b.id,
        kind: entryKind(b, now)!,
        time: entryTime(tz, b, dayStart, dayEnd),
      })),
      openMinutes: dayOpen.reduce(
        (sum, iv) => sum + (iv.end - iv.start) / 60_000,
        0,
      ),
      bookedMinutes: minutesOf(["booking"]),
      pendingMinutes: minutesOf(["request", "hold"]),
      weekly: onDay.some((b) => b.seriesId !== undefined),
    });
    dayStart = dayEnd;
  }

  const lead = ym.toPlainDate({ day: 1 }).dayOfWeek - 1;
  const cells: (MonthDay | null)[] = [...Array(lead).fill(null), ...days];
  while (cells.length % 7 !== 0) cells.push(null);
  const weeks: (MonthDay | null)[][] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return {
    kitchenId: kitchen.id,
    title: kitchen.title,
    timeZone: tz,
    month,
    weeks,
  };
}

/** Open hours only: notice, window and length limits are about bookings, not the calendar. */
function openHoursOf(k: GridKitchen): AvailabilityRules {
  return {
    timeZone: k.timeZone,
    weeklyHours: k.weeklyHours,
    blackoutDates: k.blackoutDates,
    bufferMinutes: 0,
    minNoticeHours: 0,
    bookingWindowDays: 1,
    minHours: 1,
    maxHours: 24,
  };
}

function clip(intervals: Interval[], from: number, to: number): Interval[] {
  const out: Interval[] = [];
  for (const iv of intervals) {
    const start = Math.max(iv.start, from);
    const end = Math.min(iv.end, to);
    if (start < end) out.push({ start, end });
  }
  return out;
}

/** A month grid's days in order, without the padding of the weeks. */
export function daysOf(grid: MonthGrid): MonthDay[] {
  return grid.weeks.flat().filter((d): d is MonthDay => d !== null);
}

/** How much of a day is booked, as the compact month view shades it: 0 (none) to 3 (most). */
export function bookedLevel(day: MonthDay): 0 | 1 | 2 | 3 {
  if (day.bookedMinutes <= 0) return 0;
  const share = day.bookedMinutes /
    Math.max(day.openMinutes, day.bookedMinutes);
  return share <= 1 / 3 ? 1 : share <= 2 / 3 ? 2 : 3;
}

/** The host's calendar for one month: every kitchen's grid, and the months either side. */
export interface CalendarMonth {
  month: string;
  /** "December 2026" */
  label: string;
  /** Null past the range `isMonth` accepts. */
  prev: { month: string; label: string } | null;
  next: { month: string; label: string } | null;
  grids: MonthGrid[];
}

/** Every kitchen's grid for `month`, in the order given. */
export function buildCalendarMonth(
  kitchens: readonly GridKitchen[],
  month: string,
  bookings: readonly GridBooking[],
  now: number,
): CalendarMonth {
  const near = (by: number) => {
    const m = shiftMonth(month, by);
    return isMonth(m) ? { month: m, label: monthLabel(m) } : null;
  };
  return {
    month,
    label: monthLabel(month),
    prev: near(-1),
    next: near(1),
    grids: kitchens.map((k) => buildMonthGrid(k, month, bookings, now)),
  };
}
