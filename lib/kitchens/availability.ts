/**
 * Pure availability engine: turns a kitchen's weekly hours, blackout dates and
 * booking rules into open time, and decides whether a requested interval can
 * be booked. No IO and no clock: callers pass `now` so results are repeatable.
 *
 * All instants are epoch milliseconds and all intervals are half-open
 * [start, end), so back-to-back bookings never collide.
 */
import type { WeeklyRange } from "./schema.ts";

export interface Interval {
  start: number;
  end: number;
}

export interface AvailabilityRules {
  /** IANA zone of the kitchen, e.g. "America/New_York". */
  timeZone: string;
  weeklyHours: WeeklyRange[];
  /** Local dates "YYYY-MM-DD" on which the kitchen is closed all day. */
  blackoutDates: string[];
  /** Required gap between a booking and any occupied interval. */
  bufferMinutes: number;
  /** A booking must start at least this long after `now`. */
  minNoticeHours: number;
  /** A booking must start before now + this many days (24 h each). */
  bookingWindowDays: number;
  minHours: number;
  maxHours: number;
  /**
   * No booking may end after this instant: the end of the expiry date of the
   * kitchen's first required permit to lapse, when it has one. Past it the
   * city's verdict would deny every booking, so none is offered.
   */
  bookableUntil?: number;
  /** Start-time granularity; defaults to 30. */
  slotMinutes?: number;
}

export type Rejection =
  | "invalid"
  | "outside_hours"
  | "blackout"
  | "too_short"
  | "too_long"
  | "past"
  | "too_soon"
  | "too_far_ahead"
  | "permits_lapse"
  | "overlaps"
  | "inside_buffer";

export type CheckResult = { ok: true } | { ok: false; reason: Rejection };

/** A bookable start and the latest end allowed from it (capped by maxHours). */
export interface BookableStart {
  start: number;
  maxEnd: number;
}

/** "1 hour", "2.5 hours". */
export function hoursText(hours: number): string {
  return hours === 1 ? "1 hour" : `${hours} hours`;
}

/** Why a request was refused, in plain words that name the kitchen's own limits. */
export function rejectionMessage(
  reason: Rejection,
  rules: Pick<
    AvailabilityRules,
    "minHours" | "maxHours" | "minNoticeHours" | "bookingWindowDays"
  >,
): string {
  switch (reason) {
    case "invalid":
      return "Please choose an end time after the start time.";
    case "outside_hours":
      return "The kitchen is not open for the whole of that time.";
    case "blackout":
      return "The kitchen is closed on that date.";
    case "too_short":
      return `That booking is shorter than this kitchen's minimum of ${
        hoursText(rules.minHours)
      }.`;
    case "too_long":
      return `That booking is longer than this kitchen's maximum of ${
        hoursText(rules.maxHours)
      }.`;
    case "past":
      return "That time has passed. Please pick a later start.";
    case "too_soon":
      return `That start time is too soon: this kitchen takes bookings at least ${
        hoursText(rules.minNoticeHours)
      } ahead.`;
    case "too_far_ahead":
      return `That date is too far ahead: this kitchen takes bookings up to ${rules.bookingWindowDays} days ahead.`;
    case "permits_lapse":
      return "This kitchen's permits run out before that booking would end. Please choose an earlier date.";
    case "overlaps":
      return "Someone has already booked part of that time.";
    case "inside_buffer":
      return "That time is too close to another booking; the kitchen needs time to reset.";
  }
}

/**
 * Why `hours` (the no-JavaScript form's number of hours) is not a length
 * this kitchen takes, naming the range it does take; null when it is one.
 */
export function lengthProblem(
  rules: Pick<AvailabilityRules, "minHours" | "maxHours">,
  hours: number,
): string | null {
  if (hours >= rules.minHours && hours <= rules.maxHours) return null;
  return rules.minHours === rules.maxHours
    ? `This kitchen is booked for exactly ${hoursText(rules.minHours)}.`
    : `Pick between ${rules.minHours} and ${rules.maxHours} hours.`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const DEFAULT_SLOT_MINUTES = 30;
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const CLOCK = /^(\d{2}):(\d{2})$/;

// ---------------------------------------------------------------------------
// Parsing

/**
 * Strict "YYYY-MM-DD": Temporal alone would also accept date-times and the
 * basic "20260308" form, which would hide caller bugs.
 */
function parseLocalDate(date: string): Temporal.PlainDate {
  let parsed = parsedDates.get(date);
  if (!parsed) {
    if (!LOCAL_DATE.test(date)) {
      throw new RangeError(`Invalid local date: ${date}`);
    }
    parsed = Temporal.PlainDate.from(date, { overflow: "reject" });
    if (parsedDates.size >= 10_000) parsedDates.clear();
    parsedDates.set(date, parsed);
  }
  return parsed;
}

// PlainDate is immutable, so one parse of each date string serves every call.
const parsedDates = new Map<string, Temporal.PlainDate>();

/** Minutes since local midnight; "24:00" is 1440 so it can only ever be an end. */
function parseClock(time: string): number {
  const m = CLOCK.exec(time);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  const valid = m !== null && Number(m[2]) < 60 && minutes <= 24 * 60;
  if (!valid) throw new RangeError(`Invalid clock time: ${time}`);
  return minutes;
}

interface DailyRange {
  startMinutes: number;
  endMinutes: number;
  /** Ends on the following local date. */
  overnight: boolean;
}

/** Ranges indexed by ISO weekday. */
function parseWeeklyHours(weeklyHours: WeeklyRange[]): DailyRange[][] {
  const byDay: DailyRange[][] = Array.from({ length: 8 }, () => []);
  for (const r of weeklyHours) {
    const startMinutes = parseClock(r.start);
    const endMinutes = parseClock(r.end);
    if (startMinutes >= 24 * 60) {
      throw new RangeError("A range cannot start at 24:00");
    }
    byDay[r.day]?.push({
      startMinutes,
      endMinutes,
      overnight: endMinutes <= startMinutes,
    });
  }
  return byDay;
}

interface ParsedHours {
  byDay: DailyRange[][];
  /** Open intervals of the ranges starting on a date, by "zone|date". */
  dates: Map<string, Interval[]>;
  /** Open time around a date's starts, by blackout list, then "zone|date|maxMs". */
  days: WeakMap<string[], Map<string, OpenTime>>;
}

// Pages ask about the same kitchens' weeks again and again; the parsed hours
// and each date's open intervals live as long as the weeklyHours array does.
const parsedHours = new WeakMap<WeeklyRange[], ParsedHours>();
const parsedBlackouts = new WeakMap<string[], Set<string>>();

function hoursOf(weeklyHours: WeeklyRange[]): ParsedHours {
  let parsed = parsedHours.get(weeklyHours);
  if (!parsed) {
    parsed = {
      byDay: parseWeeklyHours(weeklyHours),
      dates: new Map(),
      days: new WeakMap(),
    };
    parsedHours.set(weeklyHours, parsed);
  }
  return parsed;
}

function blackoutsOf(blackoutDates: string[]): Set<string> {
  let set = parsedBlackouts.get(blackoutDates);
  if (!set) {
    for (const d of blackoutDates) parseLocalDate(d);
    set = new Set(blackoutDates);
    parsedBlackouts.set(blackoutDates, set);
  }
  return set;
}

/** Open intervals of the weekly ranges that start on local `date`. */
function rangesStartingOn(
  hours: ParsedHours,
  date: Temporal.PlainDate,
  dateString: string,
  timeZone: string,
): Interval[] {
  const key = `${timeZone}|${dateString}`;
  let out = hours.dates.get(key);
  if (!out) {
    out = [];
    for (const r of hours.byDay[date.dayOfWeek]) {
      const start = wallClockToEpoch(date, r.startMinutes, timeZone);
      const endDate = r.overnight ? date.add({ days: 1 }) : date;
      const end = wallClockToEpoch(endDate, r.endMinutes, timeZone);
      // Guards odd DST cases where a short range collapses to nothing.
      if (start < end) out.push({ start, end });
    }
    hours.dates.set(key, out);
  }
  return out;
}

function slotMs(rules: Pick<AvailabilityRules, "slotMinutes">): number {
  const minutes = rules.slotMinutes ?? DEFAULT_SLOT_MINUTES;
  // A zero or negative step would never advance through the day.
  if (!(minutes > 0) || !Number.isFinite(minutes)) {
    throw new RangeError(`Invalid slotMinutes: ${minutes}`);
  }
  return minutes * MINUTE;
}

// ---------------------------------------------------------------------------
// Wall clock <-> instants

interface ZoneDay {
  midnight: number;
  /** Exactly 24 h long, so wall-clock minutes map to instants by addition. */
  plain: boolean;
}

// Time-zone conversion dominated page rendering; a day's midnight and length
// never change, so they are computed once per zone and date.
const zoneDays = new Map<string, ZoneDay>();
const ZONE_DAYS_MAX = 50_000;

function zoneDay(date: Temporal.PlainDate, timeZone: string): ZoneDay {
  const key = `${timeZone}|${date.year}|${date.month}|${date.day}`;
  let day = zoneDays.get(key);
  if (!day) {
    const midnight = temporalEpoch(date, 0, timeZone);
    const next = temporalEpoch(date.add({ days: 1 }), 0, timeZone);
    day = { midnight, plain: next - midnight === DAY };
    if (zoneDays.size >= ZONE_DAYS_MAX) zoneDays.clear();
    zoneDays.set(key, day);
  }
  return day;
}

/**
 * "compatible" matches what people expect at DST changes: a time skipped by
 * spring-forward moves later, a repeated fall-back time takes its first
 * occurrence.
 */
function temporalEpoch(
  date: Temporal.PlainDate,
  minutes: number,
  timeZone: string,
): number {
  return date
    .toPlainDateTime({ hour: Math.floor(minutes / 60), minute: minutes % 60 })
    .toZonedDateTime(timeZone, { disambiguation: "compatible" })
    .epochMilliseconds;
}

function wallClockToEpoch(
  date: Temporal.PlainDate,
  minutes: number,
  timeZone: string,
): number {
  const day = minutes >= 24 * 60 ? date.add({ days: 1 }) : date;
  const m = minutes % (24 * 60);
  const info = zoneDay(day, timeZone);
  // Days with a DST change (23 or 25 hours) take the exact path.
  return info.plain
    ? info.midnight + m * MINUTE
    : temporalEpoch(day, m, timeZone);
}

function localMidnight(date: Temporal.PlainDate, timeZone: string): number {
  return zoneDay(date, timeZone).midnight;
}

// Search asks this once per kitchen and request; by string it skips reading
// a PlainDate's fields to build zoneDay's key.
const localDateStarts = new Map<string, number>();

/** The instant local `date` ("YYYY-MM-DD") begins in `timeZone`. */
export function startOfLocalDate(date: string, timeZone: string): number {
  const key = `${timeZone}|${date}`;
  let start = localDateStarts.get(key);
  if (start === undefined) {
    start = localMidnight(parseLocalDate(date), timeZone);
    if (localDateStarts.size >= ZONE_DAYS_MAX) localDateStarts.clear();
    localDateStarts.set(key, start);
  }
  return start;
}

function localDateOf(epochMs: number, timeZone: string): Temporal.PlainDate {
  return Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(
    timeZone,
  )
    .toPlainDate();
}

// ---------------------------------------------------------------------------
// Interval arithmetic (inputs and outputs sorted by start)

/** Touching intervals merge too, so open time that continues past midnight stays one period. */
function mergeIntervals(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const iv of sorted) {
    const last = out[out.length - 1];
    if (last && iv.start <= last.end) last.end = Math.max(last.end, iv.end);
    else out.push({ ...iv });
  }
  return out;
}

function clipIntervals(
  intervals: Interval[],
  from: number,
  to: number,
): Interval[] {
  const out: Interval[] = [];
  for (const iv of intervals) {
    const start = Math.max(iv.start, from);
    const end = Math.min(iv.end, to);
    if (start < end) out.push({ start, end });
  }
  return out;
}

function subtractIntervals(base: Interval[], holes: Interval[]): Interval[] {
  let pieces = base;
  for (const hole of holes) {
    const next: Interval[] = [];
    for (const iv of pieces) {
      if (hole.end <= iv.start || iv.end <= hole.start) {
        next.push(iv);
        continue;
      }
      if (iv.start < hole.start) {
        next.push({ start: iv.start, end: hole.start });
      }
      if (hole.end < iv.end) next.push({ start: hole.end, end: iv.end });
    }
    pieces = next;
  }
  return pieces;
}

function intersects(a: Interval, b: Interval): boolean {
  return a.start < b.end && b.start < a.end;
}

function containing(
  intervals: Interval[],
  req: Interval,
): Interval | undefined {
  return intervals.find((iv) => iv.start <= req.start && req.end <= iv.end);
}

// ---------------------------------------------------------------------------
// Open time

interface OpenTime {
  /** Open time as if there were no blackout dates; tells "blackout" apart from "outside_hours". */
  ignoringBlackouts: Interval[];
  open: Interval[];
}

function computeOpenTime(
  rules: AvailabilityRules,
  from: number,
  to: number,
  /** The local date of `from`, when the caller knows it already. */
  fromDate?: Temporal.PlainDate,
): OpenTime {
  if (!(from < to)) return { ignoringBlackouts: [], open: [] };
  const { timeZone } = rules;
  const hours = hoursOf(rules.weeklyHours);
  const blackouts = blackoutsOf(rules.blackoutDates);

  const firstDate = fromDate ?? localDateOf(from, timeZone);
  const lastDate = localDateOf(to - 1, timeZone);
  const raw: Interval[] = [];
  const holes: Interval[] = [];
  // Start a day early: an overnight range from the day before can run into `from`.
  for (
    let date = firstDate.subtract({ days: 1 });
    Temporal.PlainDate.compare(date, lastDate) <= 0;
    date = date.add({ days: 1 })
  ) {
    const dateString = date.toString();
    raw.push(...rangesStartingOn(hours, date, dateString, timeZone));
    if (blackouts.has(dateString)) {
      const next = date.add({ days: 1 });
      holes.push({
        start: localMidnight(date, timeZone),
        end: localMidnight(next, timeZone),
      });
    }
  }
  const ignoringBlackouts = clipIntervals(mergeIntervals(raw), from, to);
  return {
    ignoringBlackouts,
    open: subtractIntervals(ignoringBlackouts, holes),
  };
}

/** computeOpenTime for the window of a date's starts, kept with the kitchen's parsed hours. */
function dayOpenTime(
  rules: AvailabilityRules,
  day: Temporal.PlainDate,
  date: string,
  from: number,
  to: number,
): OpenTime {
  const hours = hoursOf(rules.weeklyHours);
  let byKey = hours.days.get(rules.blackoutDates);
  if (!byKey) {
    byKey = new Map();
    hours.days.set(rules.blackoutDates, byKey);
  }
  const key = `${rules.timeZone}|${date}|${to - from}`;
  let open = byKey.get(key);
  if (!open) {
    open = computeOpenTime(rules, from, to, day);
    byKey.set(key, open);
  }
  return open;
}

/** Merged open intervals clipped to [from, to), sorted by start. */
export function openIntervals(
  rules: AvailabilityRules,
  from: number,
  to: number,
): Interval[] {
  return computeOpenTime(rules, from, to).open;
}

// ---------------------------------------------------------------------------
// Checking a request

/** Drops empty or malformed occupied intervals (they block nothing) and sorts the rest. */
function normalizeOccupied(occupied: Interval[]): Interval[] {
  return occupied
    .filter((o) =>
      Number.isFinite(o.start) && Number.isFinite(o.end) && o.start < o.end
    )
    .sort((a, b) => a.start - b.start);
}

/** Checks that need no time-zone math, so they run before any Temporal work. */
function checkArithmetic(
  rules: AvailabilityRules,
  req: Interval,
  now: number,
): Rejection | null {
  if (
    !Number.isFinite(req.start) || !Number.isFinite(req.end) ||
    req.start >= req.end
  ) {
    return "invalid";
  }
  const duration = req.end - req.start;
  if (duration < rules.minHours * HOUR) return "too_short";
  if (duration > rules.maxHours * HOUR) return "too_long";
  if (req.start < now) return "past";
  if (req.start < now + rules.minNoticeHours * HOUR) return "too_soon";
  if (req.start >= now + rules.bookingWindowDays * DAY) return "too_far_ahead";
  if (rules.bookableUntil !== undefined && req.end > rules.bookableUntil) {
    return "permits_lapse";
  }
  return null;
}

function checkAgainst(
  openTime: OpenTime,
  occupied: Interval[],
  bufferMs: number,
  req: Interval,
): Rejection | null {
  if (!containing(openTime.open, req)) {
    return containing(openTime.ignoringBlackouts, req)
      ? "blackout"
      : "outside_hours";
  }
  if (occupied.some((o) => intersects(o, req))) return "overlaps";
  const widened = (o: Interval) => ({
    start: o.start - bufferMs,
    end: o.end + bufferMs,
  });
  if (occupied.some((o) => intersects(widened(o), req))) return "inside_buffer";
  return null;
}

export function checkInterval(
  rules: AvailabilityRules,
  req: Interval,
  occupied: Interval[],
  now: number,
): CheckResult {
  const early = checkArithmetic(rules, req, now);
  if (early) return { ok: false, reason: early };
  const openTime = computeOpenTime(rules, req.start, req.end);
  const reason = checkAgainst(
    openTime,
    normalizeOccupied(occupied),
    rules.bufferMinutes * MINUTE,
    req,
  );
  return reason ? { ok: false, reason } : { ok: true };
}

// ---------------------------------------------------------------------------
// Search

/**
 * Valid ends for a fixed start form one contiguous run (containment, overlap
 * and buffer only get worse as the end moves later), so the latest end is the
 * nearest limit rounded down to a slot step — no need to test every step.
 */
function latestEnd(
  start: number,
  minMs: number,
  maxMs: number,
  slot: number,
  open: Interval,
  occupied: Interval[],
  bufferMs: number,
  until = Infinity,
): number {
  let limit = Math.min(start + maxMs, open.end, until);
  for (const o of occupied) {
    // Anything still reaching past `start` must begin after the minimum booking, which passed.
    if (o.end + bufferMs > start) limit = Math.min(limit, o.start - bufferMs);
  }
  const stepped = start + Math.floor((limit - start) / slot) * slot;
  // The minimum duration may not be a whole number of slots; it is still a valid end.
  return Math.max(stepped, start + minMs);
}

/**
 * The lengths, in hours, a booking from `s` may have: the minimum, then each
 * slot step up to its latest end. Valid ends from one start form one run
 * (see latestEnd), so every length listed fits the kitchen's hours, its
 * maximum, its buffer and the bookings around it.
 */
export function bookableHours(
  rules: Pick<AvailabilityRules, "minHours" | "slotMinutes">,
  s: BookableStart,
): number[] {
  const slot = slotMs(rules);
  const minMs = rules.minHours * HOUR;
  const longest = s.maxEnd - s.start;
  if (!(longest >= minMs)) return [];
  const out = [rules.minHours];
  for (
    let ms = (Math.floor(minMs / slot) + 1) * slot;
    ms <= longest;
    ms += slot
  ) {
    out.push(ms / HOUR);
  }
  return out;
}

/**
 * Visits the starts on local `date` (every `slotMinutes` of absolute time from
 * local midnight) where a minimum-length booking fits, each with its latest
 * end, in order, until `visit` returns true.
 */
function visitBookableStarts(
  rules: AvailabilityRules,
  date: string,
  occupied: Interval[],
  now: number,
  visit: (s: BookableStart) => boolean,
): void {
  const day = parseLocalDate(date);
  const slot = slotMs(rules);
  const dayStart = localMidnight(day, rules.timeZone);
  const dayEnd = localMidnight(day.add({ days: 1 }), rules.timeZone);
  const minMs = rules.minHours * HOUR;
  const maxMs = rules.maxHours * HOUR;
  const bufferMs = rules.bufferMinutes * MINUTE;

  // Every candidate ends by dayEnd + maxHours, so one window serves the whole day.
  const windowEnd = dayEnd + Math.max(maxMs, 0);
  const openTime = dayOpenTime(rules, day, date, dayStart, windowEnd);
  const window = { start: dayStart - bufferMs, end: windowEnd + bufferMs };
  const relevant = normalizeOccupied(occupied).filter((o) =>
    intersects(o, window)
  );

  for (let start = dayStart; start < dayEnd; start += slot) {
    const req = { start, end: start + minMs };
    if (
      checkArithmetic(rules, req, now) ||
      checkAgainst(openTime, relevant, bufferMs, req)
    ) {
      continue;
    }
    const open = containing(openTime.open, req)!;
    const maxEnd = latestEnd(
      start,
      minMs,
      maxMs,
      slot,
      open,
      relevant,
      bufferMs,
      rules.bookableUntil,
    );
    if (visit({ start, maxEnd })) return;
  }
}

/** Every bookable start on local `date`, each with its latest end. */
export function bookableStarts(
  rules: AvailabilityRules,
  date: string,
  occupied: Interval[],
  now: number,
): BookableStart[] {
  const out: BookableStart[] = [];
  visitBookableStarts(rules, date, occupied, now, (s) => {
    out.push(s);
    return false;
  });
  return out;
}

/** The first bookable start on local `date` that `accept`s, without computing the rest. */
export function firstBookableStart(
  rules: AvailabilityRules,
  date: string,
  occupied: Interval[],
  now: number,
  accept: (s: BookableStart) => boolean = () => true,
): BookableStart | null {
  let found: BookableStart | null = null;
  visitBookableStarts(rules, date, occupied, now, (s) => {
    if (accept(s)) found = s;
    return found !== null;
  });
  return found;
}

/** Local dates from `fromDate` over `days` dates, stopping past the booking window. */
function* datesToTry(
  rules: AvailabilityRules,
  now: number,
  fromDate: string,
  days: number,
): Generator<string> {
  const windowEnd = Math.min(
    now + rules.bookingWindowDays * DAY,
    rules.bookableUntil ?? Infinity,
  );
  let date = parseLocalDate(fromDate);
  for (let i = 0; i < days; i++, date = date.add({ days: 1 })) {
    // Later dates can only be further past the booking window or the permits.
    if (localMidnight(date, rules.timeZone) >= windowEnd) return;
    yield date.toString();
  }
}

/** The first local date, from `fromDate` over `days` dates, with bookable starts, and those starts. */
export function firstBookableDay(
  rules: AvailabilityRules,
  occupied: Interval[],
  now: number,
  fromDate: string,
  days: number,
): { date: string; starts: BookableStart[] } | null {
  for (const date of datesToTry(rules, now, fromDate, days)) {
    const starts = bookableStarts(rules, date, occupied, now);
    if (starts.length > 0) return { date, starts };
  }
  return null;
}

/** First bookable start on `fromDate` or one of the following `days - 1` local dates. */
export function nextBookableStart(
  rules: AvailabilityRules,
  occupied: Interval[],
  now: number,
  fromDate: string,
  days: number,
): BookableStart | null {
  for (const date of datesToTry(rules, now, fromDate, days)) {
    const start = firstBookableStart(rules, date, occupied, now);
    if (start) return start;
  }
  return null;
}
