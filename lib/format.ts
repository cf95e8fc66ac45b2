/**
 * How dates and times read to people (issue 17 §8): one module, so every
 * page and email says "Thu, Dec 10" and "9:00 AM", never an ISO string.
 * Instants are shown in the zone they belong to (a kitchen's, or the one
 * passed); local dates ("YYYY-MM-DD") and wall-clock times ("HH:MM") are
 * shown as they are, with no zone arithmetic.
 *
 * Ranges read "9:00 AM - 1:00 PM", with an ASCII hyphen: an en dash (past
 * U+00FF) made every page that lists bookings two-byte text, which Deno
 * sends at about half the speed (issue 21 §8; a weekly booking's page went
 * from 4,300 to 5,200 requests a second without it).
 */

// Intl formatting showed in page profiles, and the same slots are labelled
// on every request: each formatter (one per zone and kind) keeps its labels.
interface TimeFormat {
  intl: Intl.DateTimeFormat;
  labels: Map<number, string>;
}

const LABELS_PER_FORMAT = 5_000;
const timeFormats = new Map<string, TimeFormat>();
const dayTimeFormats = new Map<string, TimeFormat>();

function formatIn(
  formats: Map<string, TimeFormat>,
  timeZone: string,
  options: Intl.DateTimeFormatOptions,
  ms: number,
): string {
  let f = formats.get(timeZone);
  if (!f) {
    f = {
      intl: new Intl.DateTimeFormat("en-US", { timeZone, ...options }),
      labels: new Map(),
    };
    formats.set(timeZone, f);
  }
  let text = f.labels.get(ms);
  if (text === undefined) {
    text = f.intl.format(ms);
    if (f.labels.size >= LABELS_PER_FORMAT) f.labels.clear();
    f.labels.set(ms, text);
  }
  return text;
}

const TIME: Intl.DateTimeFormatOptions = { hour: "numeric", minute: "2-digit" };
const DAY_TIME: Intl.DateTimeFormatOptions = {
  ...TIME,
  weekday: "short",
  month: "short",
  day: "numeric",
};

/** "9:30 AM" in the kitchen's zone. */
export function formatTime(timeZone: string, ms: number): string {
  return formatIn(timeFormats, timeZone, TIME, ms);
}

/** "Tue, Dec 1, 9:30 AM" in the kitchen's zone. */
export function formatDayTime(timeZone: string, ms: number): string {
  return formatIn(dayTimeFormats, timeZone, DAY_TIME, ms);
}

const stampFormats = new Map<string, TimeFormat>();
const STAMP: Intl.DateTimeFormatOptions = { ...DAY_TIME, year: "numeric" };

/**
 * "Thu, Dec 10, 2026, 9:00 AM" in `timeZone`: for records that span years
 * (the audit log, a document's history), where the day alone is not enough.
 */
export function formatStamp(timeZone: string, ms: number): string {
  return formatIn(stampFormats, timeZone, STAMP, ms);
}

const DATE: Intl.DateTimeFormatOptions = {
  weekday: "short",
  month: "short",
  day: "numeric",
  timeZone: "UTC",
};
const DATE_LONG: Intl.DateTimeFormatOptions = {
  weekday: "long",
  month: "long",
  day: "numeric",
  year: "numeric",
  timeZone: "UTC",
};
const dateFormat = new Intl.DateTimeFormat("en-US", DATE);
const dateYearFormat = new Intl.DateTimeFormat("en-US", {
  ...DATE,
  year: "numeric",
});
const dateLongFormat = new Intl.DateTimeFormat("en-US", DATE_LONG);

/** A local date "YYYY-MM-DD" as "Thu, Dec 10". */
export function formatDate(date: string): string {
  return dateFormat.format(Date.parse(`${date}T12:00:00Z`));
}

/**
 * A local date "YYYY-MM-DD" as "Tue, Jan 5, 2027": for dates that may be
 * in another year (a document's expiry, an issue date).
 */
const monthDayFormat = new Intl.DateTimeFormat("en-US", {
  month: "short",
  day: "numeric",
  timeZone: "UTC",
});

/** A local date "2026-11-30" as "Nov 30" (chart axes, week labels). */
export function formatMonthDay(date: string): string {
  return monthDayFormat.format(Date.parse(`${date}T12:00:00Z`));
}

export function formatDateYear(date: string): string {
  return dateYearFormat.format(Date.parse(`${date}T12:00:00Z`));
}

/** A local date "YYYY-MM-DD" as "Thursday, December 10, 2026". */
export function formatDateLong(date: string): string {
  return dateLongFormat.format(Date.parse(`${date}T12:00:00Z`));
}

/** A wall-clock "HH:MM" (00:00–24:00) as "9:00 AM"; "24:00" is midnight. */
export function formatClock(hhmm: string): string {
  const [h, m] = hhmm.split(":").map(Number);
  const hour = h % 24;
  const suffix = hour < 12 ? "AM" : "PM";
  return `${hour % 12 === 0 ? 12 : hour % 12}:${
    String(m).padStart(2, "0")
  } ${suffix}`;
}

/** Wall-clock "HH:MM" times as "10:00 PM - 6:00 AM" (quiet hours, opening hours). */
export function formatClockRange(start: string, end: string): string {
  return `${formatClock(start)} - ${formatClock(end)}`;
}

const DAY: Intl.DateTimeFormatOptions = {
  year: "numeric",
  month: "numeric",
  day: "numeric",
};
const dayFormats = new Map<string, TimeFormat>();

/**
 * "Thu, Dec 10, 9:00 AM - 1:00 PM" in `timeZone`; an end on another local
 * day names its day too ("Thu, Dec 10, 10:00 PM - Fri, Dec 11, 6:00 AM").
 */
export function formatTimeRange(
  timeZone: string,
  start: number,
  end: number,
): string {
  const startDay = formatIn(dayFormats, timeZone, DAY, start);
  const endDay = formatIn(dayFormats, timeZone, DAY, end - 1);
  return startDay === endDay
    ? `${formatDayTime(timeZone, start)} - ${formatTime(timeZone, end)}`
    : `${formatDayTime(timeZone, start)} - ${formatDayTime(timeZone, end)}`;
}

const zonedFormats = new Map<string, TimeFormat>();
const zonedDayFormats = new Map<string, TimeFormat>();

/**
 * "3:41 PM CST": a time in `timeZone` with its zone, for a deadline a
 * renter may read from another zone (a hold, a host's answer).
 */
export function formatTimeZoned(timeZone: string, ms: number): string {
  return formatIn(zonedFormats, timeZone, {
    ...TIME,
    timeZoneName: "short",
  }, ms);
}

/** "Fri, Dec 4, 3:41 PM CST": a day and time in `timeZone` with its zone. */
export function formatDayTimeZoned(timeZone: string, ms: number): string {
  return formatIn(zonedDayFormats, timeZone, {
    ...DAY_TIME,
    timeZoneName: "short",
  }, ms);
}

/**
 * How long until `until`, in words, for a deadline: "23 hours", "45
 * minutes", "less than a minute"; rounded down, so it never promises more
 * time than there is.
 */
export function formatTimeLeft(now: number, until: number): string {
  return timeSpan(until - now);
}

/**
 * How long ago `at` was, in words, for the last week: "just now", "5
 * minutes ago", "3 hours ago", "2 days ago"; null past that. Rounded down.
 * It reads the same whatever zone the clock time beside it is in.
 */
export function formatAgo(now: number, at: number): string | null {
  const ms = now - at;
  if (ms < 60_000) return "just now";
  if (ms >= 7 * 24 * 3600_000) return null;
  return `${timeSpan(ms)} ago`;
}

function timeSpan(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return "less than a minute";
  if (minutes < 60) return minutes === 1 ? "1 minute" : `${minutes} minutes`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return hours === 1 ? "1 hour" : `${hours} hours`;
  return `${Math.floor(hours / 24)} days`;
}
