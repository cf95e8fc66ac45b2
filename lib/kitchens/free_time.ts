import {
  type AvailabilityRules,
  type BookableStart,
  bookableStarts,
  firstBookableDay,
  type Interval,
  nextBookableStart,
  startOfLocalDate,
} from "./availability.ts";
import { viewOccupancy } from "./repo.ts";
import type { Kitchen } from "./schema.ts";

export function rulesOf(k: Kitchen): AvailabilityRules {
  const lapse = k.permits?.firstExpiry?.date;
  return {
    timeZone: k.timeZone,
    weeklyHours: k.weeklyHours,
    blackoutDates: k.blackoutDates,
    bufferMinutes: k.bufferMinutes,
    minNoticeHours: k.minNoticeHours,
    bookingWindowDays: k.bookingWindowDays,
    minHours: k.minHours,
    maxHours: k.maxHours,
    ...(lapse ? { bookableUntil: permitsLapseAt(k.timeZone, lapse) } : {}),
  };
}

/** A permit lasts to the end of its expiry date on the kitchen's wall calendar. */
function permitsLapseAt(timeZone: string, expiryDate: string): number {
  return startOfLocalDate(addDays(expiryDate, 1), timeZone);
}

/**
 * The last local date a kitchen can be booked on: the booking window's, or
 * the expiry date of its first required permit to lapse, if earlier.
 */
export function lastBookableDate(k: Kitchen, today: string): string {
  const windowEnd = addDays(today, k.bookingWindowDays);
  const lapse = k.permits?.firstExpiry?.date;
  if (!lapse || lapse >= windowEnd) return windowEnd;
  // A lapse the expiry job has not recorded yet still leaves today pickable.
  return lapse < today ? today : lapse;
}

// Every card and kitchen page asks for "today", and building Temporal objects
// for it showed in profiles. From the instant it was computed, a zone's date
// holds until its next midnight or offset change, whichever comes first.
const todays = new Map<string, { date: string; from: number; to: number }>();

/** Today's date on the kitchen's wall calendar. */
export function localToday(timeZone: string, now: number): string {
  const known = todays.get(timeZone);
  if (known && known.from <= now && now < known.to) return known.date;
  const zoned = Temporal.Instant.fromEpochMilliseconds(now)
    .toZonedDateTimeISO(timeZone);
  const date = zoned.toPlainDate().toString();
  const midnight = zoned.add({ days: 1 }).startOfDay().epochMilliseconds;
  const change = zoned.getTimeZoneTransition("next")?.epochMilliseconds ??
    Infinity;
  if (todays.size >= 1_000) todays.clear();
  todays.set(timeZone, { date, from: now, to: Math.min(midnight, change) });
  return date;
}

const laterDates = new Map<string, string>();

/** The local date `days` after `date` ("YYYY-MM-DD"). */
export function addDays(date: string, days: number): string {
  const key = `${date}|${days}`;
  let later = laterDates.get(key);
  if (later === undefined) {
    later = Temporal.PlainDate.from(date).add({ days }).toString();
    if (laterDates.size >= 10_000) laterDates.clear();
    laterDates.set(key, later);
  }
  return later;
}

/** The instant of a wall-clock time on a local date; "24:00" is the next midnight. */
export function localInstant(
  timeZone: string,
  date: string,
  time: string,
): number {
  if (time === "00:00") return startOfLocalDate(date, timeZone);
  const day = Temporal.PlainDate.from(date);
  const [d, t] = time === "24:00"
    ? [day.add({ days: 1 }), "00:00"]
    : [day, time];
  return d.toPlainDateTime(Temporal.PlainTime.from(t))
    .toZonedDateTime(timeZone, { disambiguation: "compatible" })
    .epochMilliseconds;
}

/** The window of busy time that can affect bookings starting on `date`. */
function dayWindow(k: Kitchen, date: string): [number, number] {
  const from = localInstant(k.timeZone, date, "00:00") - 3600_000 * 24;
  return [from, from + 3600_000 * 24 * 3 + k.maxHours * 3600_000];
}

/**
 * Free time already worked out for a kitchen, per question ("next free slot",
 * one date's starts…). An answer holds while the kitchen record is the same
 * object (a write makes the repos drop it, so the next read is a new one),
 * the busy intervals are equal (a hold, booking or block changes them, and an
 * expired hold leaves them), and for at most a minute: time only moves starts
 * into the notice period, which callers check, or past the booking window's
 * far end, which a minute's delay may show late.
 */
interface FreeTimeMemo {
  at: number;
  busy: Interval[];
  value: unknown;
}

const MEMO_MS = 60_000;
const MEMO_QUESTIONS = 64;
const freeTime = new WeakMap<Kitchen, Map<string, FreeTimeMemo>>();

function sameBusy(a: Interval[], b: Interval[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].start !== b[i].start || a[i].end !== b[i].end) return false;
  }
  return true;
}

/**
 * `compute()`'s answer to `question` about kitchen `k`, or the memo of it
 * while that holds (see FreeTimeMemo). `revise` brings a memo up to `now`,
 * given the earliest start the kitchen's notice allows, or says undefined
 * when only computing again can answer.
 */
export function freeTimeMemo<T>(
  k: Kitchen,
  question: string,
  busy: Interval[],
  now: number,
  compute: () => T,
  revise: (memo: T, earliest: number) => T | undefined,
): T {
  let memos = freeTime.get(k);
  const memo = memos?.get(question);
  if (
    memo && now >= memo.at && now < memo.at + MEMO_MS &&
    sameBusy(memo.busy, busy)
  ) {
    const revised = revise(
      memo.value as T,
      now + k.minNoticeHours * 3600_000,
    );
    if (revised !== undefined) return revised;
  }
  const value = compute();
  if (!memos) freeTime.set(k, memos = new Map());
  if (memos.size >= MEMO_QUESTIONS) memos.clear();
  memos.set(question, { at: now, busy, value });
  return value;
}

/** Starts still far enough ahead; the same array when all are. */
function stillBookable(
  starts: BookableStart[],
  earliest: number,
): BookableStart[] {
  return starts.every((s) => s.start >= earliest)
    ? starts
    : starts.filter((s) => s.start >= earliest);
}

/**
 * Revises a memoised "first bookable start": it stays first until it falls
 * inside the notice period (earlier starts were refused for reasons time
 * cannot undo); none stays none for the memo's minute.
 */
export function firstStillBookable(
  start: BookableStart | null,
  earliest: number,
): BookableStart | null | undefined {
  return start === null || start.start >= earliest ? start : undefined;
}

/** Bookable starts of one local date, against the kitchen's current bookings and holds. */
export async function daySlots(
  kv: Deno.Kv,
  k: Kitchen,
  date: string,
  now: number,
): Promise<BookableStart[]> {
  const [from, to] = dayWindow(k, date);
  const busy = await viewOccupancy(kv, k, from, to, now);
  return freeTimeMemo(
    k,
    `day|${date}`,
    busy,
    now,
    () => bookableStarts(rulesOf(k), date, busy, now),
    stillBookable,
  );
}

/**
 * Bookable starts of one local date as the holder of `own` sees them when
 * moving it: their own time counts as free (a booking may move by an hour
 * into itself). Not memoised: it is one renter's view.
 */
export async function daySlotsFreeing(
  kv: Deno.Kv,
  k: Kitchen,
  date: string,
  now: number,
  own: Interval,
): Promise<BookableStart[]> {
  const [from, to] = dayWindow(k, date);
  const busy = (await viewOccupancy(kv, k, from, to, now)).filter((b) =>
    b.start !== own.start || b.end !== own.end
  );
  return bookableStarts(rulesOf(k), date, busy, now);
}

/** The arguments both "next free" searches take: rules, busy time and today, for the next `days`. */
async function nextDays(
  kv: Deno.Kv,
  k: Kitchen,
  now: number,
  days: number,
) {
  const busy = await viewOccupancy(
    kv,
    k,
    now - 86400_000,
    now + (days + 2) * 86400_000,
    now,
  );
  return [rulesOf(k), busy, now, localToday(k.timeZone, now), days] as const;
}

/** The first local date within the next `days` with bookable starts, and its starts. */
export async function nextFreeDay(
  kv: Deno.Kv,
  k: Kitchen,
  now: number,
  days = 14,
): Promise<{ date: string; starts: BookableStart[] } | null> {
  const args = await nextDays(kv, k, now, days);
  return freeTimeMemo(
    k,
    `next-day|${days}`,
    args[1],
    now,
    () => firstBookableDay(...args),
    (day, earliest) => {
      if (day === null) return null;
      const starts = stillBookable(day.starts, earliest);
      if (starts === day.starts) return day;
      // With none left, a later date may be the first free one.
      return starts.length > 0 ? { date: day.date, starts } : undefined;
    },
  );
}

/** The first bookable start within the next `days` local dates, for result cards. */
export async function nextFreeSlot(
  kv: Deno.Kv,
  k: Kitchen,
  now: number,
  days = 14,
): Promise<BookableStart | null> {
  const args = await nextDays(kv, k, now, days);
  return freeTimeMemo(
    k,
    `next-slot|${days}`,
    args[1],
    now,
    () => nextBookableStart(...args),
    firstStillBookable,
  );
}

const mondays = new Map<string, string>();

/** The Monday of the week holding local `date` (weeks run Monday to Sunday, as weekly hours do). */
export function weekStart(date: string): string {
  // Every kitchen page asks; a Temporal date per request showed in profiles.
  let monday = mondays.get(date);
  if (monday === undefined) {
    monday = addDays(date, 1 - Temporal.PlainDate.from(date).dayOfWeek);
    if (mondays.size >= 10_000) mondays.clear();
    mondays.set(date, monday);
  }
  return monday;
}

/** One date of a week view: its bookable starts, none outside the booking window. */
export interface WeekDay {
  date: string;
  /** False before today and past the last bookable date. */
  inWindow: boolean;
  starts: BookableStart[];
}

/**
 * The bookable starts of the seven local dates from `first`; dates outside
 * `today`…`lastDate` are not asked. One busy read covers the week, and the
 * answer is one memo (see FreeTimeMemo): while it holds, every request gets
 * the same array, so what is made of it can be memoised by identity too.
 */
export async function weekSlots(
  kv: Deno.Kv,
  k: Kitchen,
  first: string,
  window: { today: string; lastDate: string },
  now: number,
): Promise<WeekDay[]> {
  const from = dayWindow(k, first)[0];
  const to = dayWindow(k, addDays(first, 6))[1];
  const busy = await viewOccupancy(kv, k, from, to, now);
  return freeTimeMemo(
    k,
    `week|${first}|${window.today}|${window.lastDate}`,
    busy,
    now,
    () => {
      const rules = rulesOf(k);
      return Array.from({ length: 7 }, (_, i): WeekDay => {
        const date = addDays(first, i);
        const inWindow = date >= window.today && date <= window.lastDate;
        return {
          date,
          inWindow,
          starts: inWindow ? bookableStarts(rules, date, busy, now) : [],
        };
      });
    },
    (week, earliest) => {
      const revised = week.map((d) => {
        const starts = stillBookable(d.starts, earliest);
        return starts === d.starts ? d : { ...d, starts };
      });
      return revised.every((d, i) => d === week[i]) ? week : revised;
    },
  );
}
