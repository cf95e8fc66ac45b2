/**
 * Busy time out of an iCalendar feed (RFC 5545), with `ical.js`: VEVENTs,
 * their recurrences (RRULE, RDATE, EXDATE, and moved or cancelled
 * instances by RECURRENCE-ID) expanded over the kitchen's booking window.
 *
 * Times:
 * - `TZID` naming an IANA zone (what Google, Apple and most feeds send) is
 *   converted with Temporal from the runtime's zone data, not from the
 *   feed's VTIMEZONE, which may be truncated; other TZIDs (Outlook's
 *   "Central Standard Time") use the feed's VTIMEZONE through ical.js.
 *   UTC (`Z`) is UTC; floating times and unknown zones are read in the
 *   kitchen's zone. A wall time that DST skips moves forward (Temporal's
 *   "compatible").
 * - All-day events (`VALUE=DATE`) are whole local days in the kitchen's
 *   zone, from midnight to midnight, whatever their length that day (23 or
 *   25 hours on DST changes).
 * - A repeated instance keeps the wall-clock start and end of the first (a
 *   22:00–06:00 series stays 22:00–06:00 across a DST change, as calendar
 *   apps show it); a single event is exactly its DTSTART to its DTEND.
 *
 * Left out: cancelled events and instances, events marked free
 * (`TRANSP:TRANSPARENT`), and zero-length events. Limits keep a hostile or
 * broken feed (a 300-byte `RRULE:FREQ=SECONDLY` repeats 86,400 times a day)
 * from costing more than a moment or more than KV can hold, and each is
 * counted for the host: busy time only within the window asked for, at most
 * MAX_OCCURRENCES_PER_RULE repeats of one event in it and MAX_EVENTS busy
 * intervals in all, and a budget of recurrence steps per event and per feed
 * (an event that runs out of steps is cut where it got to).
 *
 * Pure: no clock, no IO.
 */
import ICAL from "ical.js";
import { localInstant } from "../kitchens/free_time.ts";

type Component = InstanceType<typeof ICAL.Component>;
type ICalTime = InstanceType<typeof ICAL.Time>;
type ICalEvent = InstanceType<typeof ICAL.Event>;

/** One busy interval from the feed. */
export interface BusyEvent {
  /** The event's UID and times: stable while the event is unchanged. */
  key: string;
  start: number;
  end: number;
  /** The event's title, cleaned for display ("Busy" when it has none). */
  summary: string;
}

export interface ParseOptions {
  /** The kitchen's IANA zone: all-day events and floating times are read in it. */
  timeZone: string;
  /** Only busy time overlapping [from, to) is returned. */
  from: number;
  to: number;
  maxEvents?: number;
  /** Repeats of one event kept within the window; the rest are left out. */
  maxOccurrencesPerRule?: number;
  /** Recurrence steps one event may take before it is given up on. */
  maxStepsPerEvent?: number;
  /** Recurrence steps the whole feed may take. */
  maxStepsPerFeed?: number;
}

export interface ParsedCalendar {
  /** Busy intervals, earliest first. */
  events: BusyEvent[];
  /** Intervals beyond `maxEvents`, left out. */
  tooMany: number;
  /**
   * Repeating events cut short: more than `maxOccurrencesPerRule` repeats in
   * the window, or too many steps to get through (every second since 2000).
   */
  repeatsCut: number;
  /** Events that could not be read (a broken date or rule). */
  unreadable: number;
}

export const MAX_EVENTS = 2_000;
/**
 * Twice a day for the longest booking window (365 days) fits; an event that
 * repeats more often than that is not a schedule a kitchen keeps.
 */
export const MAX_OCCURRENCES_PER_RULE = 1_000;
const MAX_STEPS_PER_EVENT = 20_000;
const MAX_STEPS_PER_FEED = 100_000;
/** Moved instances can land a little after their original slot. */
const LATE_MARGIN_MS = 7 * 24 * 3600_000;

export class CalendarParseError extends Error {}

/** A wall-clock date and time, as written in the feed. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** How to turn a feed's wall time into an instant. */
export type ZoneRule =
  | { kind: "utc" }
  | { kind: "iana"; id: string }
  | { kind: "vtimezone"; zone: InstanceType<typeof ICAL.Timezone> }
  /** Floating, or a zone we cannot read: the kitchen's zone. */
  | { kind: "local"; id: string };

/** The IANA name Temporal knows `tzid` by, or null ("/mozilla.org/…/Europe/Paris" works too). */
export function ianaZone(tzid: string): string | null {
  const candidates = [tzid, tzid.replace(/^\/+/, "")];
  const tail = /([A-Za-z_+-]+\/[A-Za-z0-9_+-]+(?:\/[A-Za-z0-9_+-]+)?)$/.exec(
    tzid,
  );
  if (tail) candidates.push(tail[1]);
  for (const c of candidates) {
    try {
      return Temporal.PlainDate.from("2000-01-01").toZonedDateTime(c)
        .timeZoneId;
    } catch {
      // not a zone Temporal knows
    }
  }
  return null;
}

/** The instant of `wall` under `rule`; skipped wall times move forward. */
export function instantOf(wall: WallTime, rule: ZoneRule): number {
  if (rule.kind === "utc") {
    return Date.UTC(
      wall.year,
      wall.month - 1,
      wall.day,
      wall.hour,
      wall.minute,
      wall.second,
    );
  }
  if (rule.kind === "vtimezone") {
    const t = new ICAL.Time({ ...wall, isDate: false }, rule.zone);
    return t.toUnixTime() * 1000;
  }
  return Temporal.PlainDateTime.from(wall)
    .toZonedDateTime(rule.id, { disambiguation: "compatible" })
    .epochMilliseconds;
}

/**
 * An all-day event from `startDate` to `endDate` (exclusive), as local
 * midnights in `timeZone`; an end not after the start means one day.
 */
export function allDayInterval(
  startDate: string,
  endDate: string | null,
  timeZone: string,
): { start: number; end: number } {
  const first = Temporal.PlainDate.from(startDate);
  let last = endDate ? Temporal.PlainDate.from(endDate) : first;
  if (Temporal.PlainDate.compare(last, first) <= 0) {
    last = first.add({ days: 1 });
  }
  return {
    start: localInstant(timeZone, first.toString(), "00:00"),
    end: localInstant(timeZone, last.toString(), "00:00"),
  };
}

// Controls and bidi overrides never reach a page or a log from a feed.
const NOT_TEXT =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;

/** A feed's event title as Prep shows it: one line, at most 120 characters. */
export function cleanSummary(raw: unknown): string {
  const text = typeof raw === "string" ? raw : "";
  const clean = text.normalize("NFC").replace(NOT_TEXT, " ").replace(
    /\s+/g,
    " ",
  ).trim();
  const chars = [...clean];
  if (chars.length === 0) return "Busy";
  return chars.length > 120 ? `${chars.slice(0, 119).join("")}…` : clean;
}

const wallOf = (t: ICalTime): WallTime => ({
  year: t.year,
  month: t.month,
  day: t.day,
  hour: t.hour,
  minute: t.minute,
  second: t.second,
});

const dateOf = (t: ICalTime): string =>
  Temporal.PlainDate.from({ year: t.year, month: t.month, day: t.day })
    .toString();

/** How the feed means a DTSTART/DTEND/EXDATE value's wall time. */
function zoneRule(
  prop: InstanceType<typeof ICAL.Property> | null,
  time: ICalTime,
  kitchenZone: string,
): ZoneRule {
  const zone = time.zone;
  if (zone === ICAL.Timezone.utcTimezone || zone?.tzid === "UTC") {
    return { kind: "utc" };
  }
  const tzid = prop?.getParameter("tzid");
  const name = typeof tzid === "string" ? tzid : null;
  if (name) {
    const iana = ianaZone(name);
    if (iana) return { kind: "iana", id: iana };
    if (zone && zone !== ICAL.Timezone.localTimezone && zone.component) {
      return { kind: "vtimezone", zone };
    }
  }
  return { kind: "local", id: kitchenZone };
}

const upper = (v: unknown) => typeof v === "string" ? v.toUpperCase() : "";

/** Events that take no time in the host's other calendar. */
function isFree(c: Component): boolean {
  return upper(c.getFirstPropertyValue("status")) === "CANCELLED" ||
    upper(c.getFirstPropertyValue("transp")) === "TRANSPARENT";
}

/** Start and end instants of one event as written (not a repetition). */
function ownInterval(
  ev: ICalEvent,
  tz: string,
): { start: number; end: number } | null {
  const c = ev.component;
  const start = ev.startDate;
  if (!start) return null;
  if (start.isDate) {
    const end = c.hasProperty("dtend")
      ? ev.endDate
      : c.hasProperty("duration")
      ? ev.endDate
      : null;
    return allDayInterval(dateOf(start), end ? dateOf(end) : null, tz);
  }
  const startRule = zoneRule(c.getFirstProperty("dtstart"), start, tz);
  const startMs = instantOf(wallOf(start), startRule);
  let endMs = startMs;
  if (c.hasProperty("dtend")) {
    const end = ev.endDate;
    endMs = end.isDate
      ? localInstant(tz, dateOf(end), "00:00")
      : instantOf(wallOf(end), zoneRule(c.getFirstProperty("dtend"), end, tz));
  } else if (c.hasProperty("duration")) {
    endMs = addDuration(start, startRule, ev.duration);
  }
  return { start: startMs, end: endMs };
}

/** `start` plus an iCalendar duration: days and weeks on the wall clock, the rest exact. */
function addDuration(
  start: ICalTime,
  rule: ZoneRule,
  d: InstanceType<typeof ICAL.Duration>,
): number {
  const sign = d.isNegative ? -1 : 1;
  const days = sign * (d.weeks * 7 + d.days);
  const exact = sign * (d.hours * 3600 + d.minutes * 60 + d.seconds) * 1000;
  const wall = Temporal.PlainDateTime.from(wallOf(start)).add({ days });
  return instantOf(
    {
      year: wall.year,
      month: wall.month,
      day: wall.day,
      hour: wall.hour,
      minute: wall.minute,
      second: wall.second,
    },
    rule,
  ) + exact;
}

/**
 * The interval of a repetition starting at `occ` (a wall time in the
 * series' zone): the first instance's wall-clock length, or its exact
 * length when its end is written in another zone.
 */
function repeatInterval(
  master: ICalEvent,
  occ: ICalTime,
  tz: string,
): { start: number; end: number } | null {
  const c = master.component;
  const first = master.startDate;
  if (first.isDate) {
    const own = ownInterval(master, tz);
    if (!own) return null;
    const days = Temporal.PlainDate.from(dateOf(first)).until(
      Temporal.PlainDate.from(dateOf(master.endDate)),
    ).days;
    const startDate = Temporal.PlainDate.from(dateOf(occ));
    return allDayInterval(
      startDate.toString(),
      startDate.add({ days: Math.max(1, days) }).toString(),
      tz,
    );
  }
  const startProp = c.getFirstProperty("dtstart");
  const rule = zoneRule(startProp, first, tz);
  const start = instantOf(wallOf(occ), rule);
  if (c.hasProperty("duration")) {
    return { start, end: addDuration(occ, rule, master.duration) };
  }
  if (!c.hasProperty("dtend")) return { start, end: start };
  const endProp = c.getFirstProperty("dtend");
  const end = master.endDate;
  const sameZone = !end.isDate &&
    (endProp?.getParameter("tzid") ?? null) ===
      (startProp?.getParameter("tzid") ?? null) &&
    (end.zone === ICAL.Timezone.utcTimezone) ===
      (first.zone === ICAL.Timezone.utcTimezone);
  if (sameZone) {
    const length = Temporal.PlainDateTime.from(wallOf(first)).until(
      Temporal.PlainDateTime.from(wallOf(end)),
      { largestUnit: "day" },
    );
    const w = Temporal.PlainDateTime.from(wallOf(occ)).add(length);
    return {
      start,
      end: instantOf({
        year: w.year,
        month: w.month,
        day: w.day,
        hour: w.hour,
        minute: w.minute,
        second: w.second,
      }, rule),
    };
  }
  const own = ownInterval(master, tz);
  return own ? { start, end: start + (own.end - own.start) } : null;
}

/** The text of a feed, or a CalendarParseError saying it is not one. */
function parseRoot(text: string): Component[] {
  if (!/BEGIN:VCALENDAR/i.test(text)) {
    throw new CalendarParseError(
      "The link did not return a calendar (.ics) file.",
    );
  }
  let jcal: unknown;
  try {
    jcal = ICAL.parse(text);
  } catch (err) {
    throw new CalendarParseError(
      `The calendar file could not be read: ${
        err instanceof Error ? err.message.slice(0, 200) : "invalid"
      }`,
    );
  }
  const list = Array.isArray(jcal) && Array.isArray(jcal[0]) ? jcal : [jcal];
  return list.map((j) => new ICAL.Component(j as unknown[]))
    .filter((c) => c.name === "vcalendar");
}

/**
 * The busy intervals of an iCalendar text that overlap [from, to), in the
 * kitchen's zone rules above. Throws CalendarParseError when the text is
 * not a calendar at all; a single broken event is counted, not fatal.
 */
export function parseCalendar(
  text: string,
  opts: ParseOptions,
): ParsedCalendar {
  const tz = opts.timeZone;
  const maxEvents = opts.maxEvents ?? MAX_EVENTS;
  const maxOccurrences = opts.maxOccurrencesPerRule ??
    MAX_OCCURRENCES_PER_RULE;
  const maxStepsPerEvent = opts.maxStepsPerEvent ?? MAX_STEPS_PER_EVENT;
  let budget = opts.maxStepsPerFeed ?? MAX_STEPS_PER_FEED;
  const roots = parseRoot(text);
  if (roots.length === 0) {
    throw new CalendarParseError("The file has no calendar in it.");
  }
  const groups = new Map<string, { master?: Component; moved: Component[] }>();
  let anonymous = 0;
  for (const root of roots) {
    for (const vevent of root.getAllSubcomponents("vevent")) {
      const rawUid = vevent.getFirstPropertyValue("uid");
      const uid = typeof rawUid === "string" && rawUid !== ""
        ? rawUid.slice(0, 200)
        : `#${anonymous++}`;
      const group = groups.get(uid) ?? { moved: [] };
      if (vevent.hasProperty("recurrence-id")) group.moved.push(vevent);
      else if (!group.master) group.master = vevent;
      groups.set(uid, group);
    }
  }

  const out = new Map<string, BusyEvent>();
  let unreadable = 0;
  let repeatsCut = 0;
  type Interval = { start: number; end: number } | null;
  /** Whether `iv` of component `c` is busy time within the window. */
  const busy = (c: Component, iv: Interval): iv is NonNullable<Interval> =>
    iv !== null && iv.end > iv.start && !isFree(c) &&
    iv.end > opts.from && iv.start < opts.to;
  const keep = (uid: string, c: Component, iv: Interval): void => {
    if (!busy(c, iv)) return;
    const key = `${uid}|${iv.start}|${iv.end}`;
    out.set(key, {
      key,
      start: iv.start,
      end: iv.end,
      summary: cleanSummary(c.getFirstPropertyValue("summary")),
    });
  };

  for (const [uid, group] of groups) {
    try {
      if (!group.master) {
        // Instances whose series is not in the feed stand on their own.
        for (const c of group.moved) {
          keep(uid, c, ownInterval(new ICAL.Event(c), tz));
        }
        continue;
      }
      if (isFree(group.master) && group.moved.length === 0) continue;
      const event = new ICAL.Event(group.master, {
        strictExceptions: false,
        exceptions: group.moved,
      });
      if (!event.isRecurring()) {
        keep(uid, group.master, ownInterval(event, tz));
        continue;
      }
      if (isFree(group.master)) continue;
      const excluded = exdates(group.master, tz);
      const it = event.iterator();
      let steps = 0;
      let kept = 0;
      for (let occ = it.next(); occ; occ = it.next()) {
        if (++steps > maxStepsPerEvent || --budget < 0) {
          repeatsCut++;
          break;
        }
        const details = event.getOccurrenceDetails(occ);
        let c = group.master;
        let iv: Interval;
        if (details.item !== event) {
          c = details.item.component;
          iv = ownInterval(details.item, tz);
        } else {
          iv = repeatInterval(event, occ, tz);
          if (!iv) continue;
          if (iv.start >= opts.to + LATE_MARGIN_MS) break;
          if (excluded.has(iv.start)) continue;
        }
        if (!busy(c, iv)) continue;
        if (kept >= maxOccurrences) {
          repeatsCut++;
          break;
        }
        keep(uid, c, iv);
        kept++;
      }
    } catch {
      unreadable++;
    }
  }

  const events = [...out.values()].sort((a, b) =>
    a.start - b.start || a.end - b.end
  );
  return {
    events: events.slice(0, maxEvents),
    tooMany: Math.max(0, events.length - maxEvents),
    repeatsCut,
    unreadable,
  };
}

/**
 * EXDATE instants, for the exclusions ical.js misses when DTSTART and
 * EXDATE name their zones differently (a UTC EXDATE on a zoned series).
 */
function exdates(master: Component, tz: string): Set<number> {
  const out = new Set<number>();
  for (const prop of master.getAllProperties("exdate")) {
    for (const value of prop.getValues()) {
      const t = value as ICalTime;
      if (!t || typeof t !== "object" || !("isDate" in t) || t.isDate) continue;
      out.add(instantOf(wallOf(t), zoneRule(prop, t, tz)));
    }
  }
  return out;
}
