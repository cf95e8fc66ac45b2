/**
 * Figures for staff and hosts (DESIGN §18), as counters: what an event
 * adds is a pure function of the record it changes, and the write that
 * changes the record sums the difference into KV in the same atomic
 * (repo.ts). No page ever scans records to count them.
 *
 * A record's contribution (a `Tally`) is computed from the record alone,
 * so the change an event makes is `diffTally(after, before)`, and a
 * backfill over existing records writes exactly what the events would have
 * (`tally(record)` for each). Amounts are integers and may be negative
 * (a cancelled booking takes its hours back): Deno.KvU64 `sum` wraps
 * modulo 2^64 on SQLite and FoundationDB alike, so adding 2^64 − n
 * subtracts n, and a counter never goes below zero because every decrease
 * follows its increase in an earlier atomic.
 *
 * Pure.
 */

/** What a figure is about: everything, a city, or a kitchen. */
export type ScopeKind = "all" | "city" | "kitchen";
export interface Scope {
  kind: ScopeKind;
  /** "*" for all, a city's slug, a kitchen's id. */
  id: string;
}
export const ALL: Scope = Object.freeze({ kind: "all", id: "*" });

export const METRIC_NAMES = [
  /** Bookings confirmed (cancelled later or not), by the week of their stay. */
  "bookings",
  /** What renters paid for them (Σ charge). */
  "gross_cents",
  /** Prep's commission on them (Σ commission), and what of it was refunded. */
  "commission_cents",
  "commission_refunded_cents",
  /** What went back to renters (Σ refund). */
  "refunds_cents",
  /** City fees collected for the authorities, and refunded. */
  "city_fees_cents",
  "city_fees_refunded_cents",
  /** Confirmed bookings cancelled afterwards. */
  "cancellations",
  /** Minutes booked and not cancelled, by the week they fall in (net). */
  "booked_minutes",
  /** What hosts keep (Σ transfer − Σ transfer_reversal), by month of the stay, per kitchen. */
  "host_net_cents",
  /** Documents uploaded, by week. */
  "documents_uploaded",
  /** Staff decisions on waiting documents, by week. */
  "documents_decided",
  /** Documents waiting for staff now (a gauge: period "now"). */
  "documents_waiting",
  /** Jobs in dead letters now (a gauge: period "now"). */
  "dead_letters",
] as const;
export type MetricName =
  | typeof METRIC_NAMES[number]
  | `decision_wait_${number}`;

/**
 * How long a document waited for a decision: bucket `i` holds waits below
 * `DECISION_WAIT_BOUNDS_H[i]` hours (and at or above the bound before it);
 * the last bucket holds the rest. A bounded histogram: the median is read
 * from the buckets, as a range.
 */
export const DECISION_WAIT_BOUNDS_H = [1, 4, 8, 24, 48, 72, 168, 336] as const;

export function decisionWaitBucket(waitMs: number): number {
  const hours = Math.max(0, waitMs) / 3600_000;
  const i = DECISION_WAIT_BOUNDS_H.findIndex((b) => hours < b);
  return i === -1 ? DECISION_WAIT_BOUNDS_H.length : i;
}

/** A record's figures: encoded counter key → amount. */
export type Tally = Map<string, number>;

const SEP = "\u0000";

/** The counter of `name` in `scope` over `period` ("w:2026-03-02", "m:2026-03", "now"). */
export function countKey(
  scope: Scope,
  period: string,
  name: MetricName,
): string {
  return ["c", scope.kind, scope.id, period, name].join(SEP);
}

/** Minutes booked in one cell (weekday × hour, 0–167) of one kitchen's week. */
export function cellKey(kitchenId: string, week: string, cell: number): string {
  return ["h", kitchenId, week, String(cell)].join(SEP);
}

/** Bookings counted for a kitchen in a city: lists the city's kitchens. */
export function kitchenKey(city: string, kitchenId: string): string {
  return ["k", city, kitchenId].join(SEP);
}

export type DecodedKey =
  | { kind: "count"; scope: Scope; period: string; name: string }
  | { kind: "cell"; kitchenId: string; week: string; cell: number }
  | { kind: "kitchen"; city: string; kitchenId: string };

export function decodeKey(key: string): DecodedKey {
  const p = key.split(SEP);
  if (p[0] === "c") {
    return {
      kind: "count",
      scope: { kind: p[1] as ScopeKind, id: p[2] },
      period: p[3],
      name: p[4],
    };
  }
  if (p[0] === "h") {
    return { kind: "cell", kitchenId: p[1], week: p[2], cell: Number(p[3]) };
  }
  return { kind: "kitchen", city: p[1], kitchenId: p[2] };
}

export function addTo(t: Tally, key: string, amount: number): void {
  if (amount === 0) return;
  const sum = (t.get(key) ?? 0) + amount;
  if (sum === 0) t.delete(key);
  else t.set(key, sum);
}

/** What changes when a record's tally goes from `before` to `after`. */
export function diffTally(after: Tally, before: Tally): Tally {
  const out: Tally = new Map(after);
  for (const [k, v] of before) addTo(out, k, -v);
  return out;
}

/** Several tallies added up. */
export function sumTallies(tallies: Iterable<Tally>): Tally {
  const out: Tally = new Map();
  for (const t of tallies) for (const [k, v] of t) addTo(out, k, v);
  return out;
}

// ---------------------------------------------------------------------------
// Periods

const DAY_MS = 86_400_000;

function dayNumber(date: string): number {
  return Date.UTC(
    Number(date.slice(0, 4)),
    Number(date.slice(5, 7)) - 1,
    Number(date.slice(8, 10)),
  ) / DAY_MS;
}

function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The date `n` days after `date` ("2026-03-02"). */
export function plusDays(date: string, n: number): string {
  return dateOfDay(dayNumber(date) + n);
}

/** ISO weekday of a date: 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: string): number {
  // 1970-01-01 was a Thursday (4).
  return ((((dayNumber(date) + 3) % 7) + 7) % 7) + 1;
}

/** The week period of a local date: "w:" and its Monday (weeks run Monday to Sunday). */
export function weekOf(date: string): string {
  return `w:${plusDays(date, 1 - weekdayOf(date))}`;
}

/** The week period of an instant on the UTC calendar (documents and jobs have no zone). */
export function utcWeekOf(ms: number): string {
  return weekOf(new Date(ms).toISOString().slice(0, 10));
}

/** The month period of a local date: "m:2026-03". */
export function monthOf(date: string): string {
  return `m:${date.slice(0, 7)}`;
}

/** The Monday a week period starts on. */
export function mondayOf(week: string): string {
  return week.slice(2);
}

/** `count` week periods ending with the one holding `date`, oldest first. */
export function lastWeeks(date: string, count: number): string[] {
  const monday = mondayOf(weekOf(date));
  return Array.from(
    { length: count },
    (_, i) => `w:${plusDays(monday, 7 * (i - count + 1))}`,
  );
}

/** `count` month periods ending with the one holding `date`, oldest first. */
export function lastMonths(date: string, count: number): string[] {
  let y = Number(date.slice(0, 4));
  let m = Number(date.slice(5, 7));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.push(`m:${y}-${String(m).padStart(2, "0")}`);
    if (--m === 0) {
      m = 12;
      y--;
    }
  }
  return out.reverse();
}

// ---------------------------------------------------------------------------
// Open time, from a kitchen's weekly hours (wall clock)

/** What open time needs of a kitchen (its weekly hours are on its wall clock). */
export interface OpenHours {
  weeklyHours: readonly { day: number; start: string; end: string }[];
  blackoutDates: readonly string[];
  /** The first local date the kitchen was open for bookings (its listing's first publication). */
  since: string;
}

/**
 * A kitchen's open hours from its record: weekly hours and closed dates,
 * from the local date its record was made (when its listing was first
 * published; drafts have no record).
 */
export function openHoursOf(
  k: {
    weeklyHours: OpenHours["weeklyHours"];
    blackoutDates: readonly string[];
    createdAt: string;
    timeZone: string;
  },
): OpenHours {
  const since = Temporal.Instant.from(k.createdAt).toZonedDateTimeISO(
    k.timeZone,
  ).toPlainDate().toString();
  return { weeklyHours: k.weeklyHours, blackoutDates: k.blackoutDates, since };
}

const minutesOf = (hhmm: string) =>
  Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * The open minutes of each hour (0–23) of a local date: its ranges and the
 * part of the day before's overnight ranges that runs into it, merged; a
 * closed date has none (as availability counts it). Wall-clock hours: a
 * day with a clock change still has 24 of them here.
 */
export function openMinutesByHour(k: OpenHours, date: string): number[] {
  const hours = new Array<number>(24).fill(0);
  if (date < k.since || k.blackoutDates.includes(date)) return hours;
  const today = weekdayOf(date);
  const yesterday = today === 1 ? 7 : today - 1;
  const spans: [number, number][] = [];
  for (const r of k.weeklyHours) {
    const start = minutesOf(r.start);
    const end = minutesOf(r.end);
    const overnight = end <= start;
    if (r.day === today) spans.push([start, overnight ? 1440 : end]);
    if (r.day === yesterday && overnight && end > 0) spans.push([0, end]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  let covered = 0;
  for (const [s, e] of spans) {
    for (
      let m = Math.max(s, covered);
      m < e;
      m = (Math.floor(m / 60) + 1) * 60
    ) {
      const to = Math.min(e, (Math.floor(m / 60) + 1) * 60);
      hours[Math.floor(m / 60)] += to - m;
    }
    covered = Math.max(covered, e);
  }
  return hours;
}

/** Open minutes of a kitchen in the week period `week`. */
export function openMinutesInWeek(k: OpenHours, week: string): number {
  const monday = mondayOf(week);
  let total = 0;
  for (let d = 0; d < 7; d++) {
    for (const m of openMinutesByHour(k, plusDays(monday, d))) total += m;
  }
  return total;
}

/** Open minutes per weekday × hour cell (0–167) over the week periods `weeks`. */
export function openMinutesByCell(
  k: OpenHours,
  weeks: readonly string[],
): number[] {
  const cells = new Array<number>(168).fill(0);
  for (const week of weeks) {
    const monday = mondayOf(week);
    for (let d = 0; d < 7; d++) {
      const hours = openMinutesByHour(k, plusDays(monday, d));
      for (let h = 0; h < 24; h++) cells[d * 24 + h] += hours[h];
    }
  }
  return cells;
}
