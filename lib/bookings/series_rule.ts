/**
 * Standing bookings, the rule (DESIGN §16): "Tuesdays and Thursdays, 5:00
 * to 10:00 AM, every week from March 2, eight times" turned into the dates
 * and instants it falls on, in the kitchen's zone. Pure and Temporal-based:
 * a wall-clock time keeps its place across DST changes (5:00 AM stays
 * 5:00 AM in March and November), an overnight session (22:00 to 06:00)
 * ends on the next local date, and on the nights the clocks change it is an
 * hour shorter or longer, as the hours really are.
 *
 * The caps are the product's: at most 26 dates and 6 months from the first
 * date, so a series never needs more than 26 bookings and its later charges
 * stay within what a saved card is good for.
 */
import { z } from "zod";
import { formatDateYear } from "../format.ts";
import { localInstant } from "../kitchens/free_time.ts";
import { localDate } from "../kitchens/schema.ts";

/** ISO weekday codes in order: index + 1 is the ISO weekday (1 = Monday). */
export const WEEKDAY_CODES = [
  "mon",
  "tue",
  "wed",
  "thu",
  "fri",
  "sat",
  "sun",
] as const;
export type WeekdayCode = typeof WEEKDAY_CODES[number];

export const WEEKDAY_NAMES = [
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
  "Sunday",
] as const;

/** At most this many dates in one standing booking. */
export const MAX_OCCURRENCES = 26;
/** A standing booking ends at most this many calendar months after its first date. */
export const MAX_SERIES_MONTHS = 6;
/** A standing booking needs at least this many dates that are free. */
export const MIN_FREE_OCCURRENCES = 2;
/** Every 1 to 4 weeks. */
export const MAX_INTERVAL_WEEKS = 4;
/** How many dates the weekly form offers before the renter says otherwise. */
export const DEFAULT_OCCURRENCES = 8;

/** A weekly rule, in the kitchen's wall-clock time. */
export interface SeriesRule {
  /** ISO weekdays (1 = Monday … 7 = Sunday), ascending, at least one. */
  weekdays: number[];
  /** "HH:MM" on the half hour. */
  start: string;
  /** "HH:MM", or "24:00"; at or before the start, it is the next day. */
  end: string;
  /** Every 1–4 weeks, counted from the week (Monday first) of `from`. */
  every: number;
  /** The first local date the series may fall on. */
  from: string;
  /** The last local date it may fall on; exactly one of `until` and `count`. */
  until: string | null;
  /** How many dates; exactly one of `until` and `count`. */
  count: number | null;
}

export const seriesRuleSchema = z.object({
  weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7),
  start: z.string(),
  end: z.string(),
  every: z.number().int().min(1).max(MAX_INTERVAL_WEEKS),
  from: localDate,
  until: localDate.nullable(),
  count: z.number().int().min(1).max(MAX_OCCURRENCES).nullable(),
});

/** One date of a series, with its instants in the kitchen's zone. */
export interface PlannedOccurrence {
  /** 1-based position in the series. */
  n: number;
  localDate: string;
  localStart: string;
  localEnd: string;
  /** UTC instants, half-open [start, end). */
  start: number;
  end: number;
}

const HALF_HOUR = /^([01]\d|2[0-3]):[03]0$/;
const HALF_HOUR_END = /^([01]\d|2[0-3]):[03]0$|^24:00$/;

/** The last date a series from `from` may reach: 6 calendar months on. */
export function seriesLastDate(from: string): string {
  return Temporal.PlainDate.from(from).add({ months: MAX_SERIES_MONTHS })
    .toString();
}

/** "tue,thu" (or repeated checkboxes) → ISO weekdays, ascending; unknown codes are refused. */
function parseWeekdays(
  values: readonly string[],
): { ok: true; days: number[] } | { ok: false } {
  const days = new Set<number>();
  for (const part of values.flatMap((v) => v.split(","))) {
    const code = part.trim().toLowerCase();
    if (!code) continue;
    const i = (WEEKDAY_CODES as readonly string[]).indexOf(code);
    if (i < 0) return { ok: false };
    days.add(i + 1);
  }
  return { ok: true, days: [...days].sort((a, b) => a - b) };
}

/** The rule's fields as a form or query sends them (names match the URL contract). */
export const seriesRuleFields = {
  weekdays: z.array(z.string().max(40)).max(14).transform((values, ctx) => {
    const parsed = parseWeekdays(values);
    if (!parsed.ok) {
      ctx.addIssue({
        code: "custom",
        message: "Pick weekdays from Monday to Sunday",
      });
      return z.NEVER;
    }
    if (parsed.days.length === 0) {
      ctx.addIssue({ code: "custom", message: "Pick at least one weekday" });
      return z.NEVER;
    }
    return parsed.days;
  }),
  start: z.string().regex(HALF_HOUR, "Pick a start time on the half hour"),
  end: z.string().regex(HALF_HOUR_END, "Pick an end time on the half hour"),
  every: z.string().regex(
    /^[1-4]$/,
    "Repeat every 1, 2, 3 or 4 weeks",
  ).transform(Number),
  from: localDate,
  count: z.union([
    z.literal(""),
    z.string().regex(/^\d{1,4}$/, "Enter how many dates, like 8")
      .transform(Number).pipe(
        z.number()
          .min(
            MIN_FREE_OCCURRENCES,
            `A weekly booking has at least ${MIN_FREE_OCCURRENCES} dates`,
          )
          .max(
            MAX_OCCURRENCES,
            `A weekly booking has at most ${MAX_OCCURRENCES} dates`,
          ),
      ),
  ]),
  until: z.union([z.literal(""), localDate]),
};

type RuleFields = {
  weekdays: number[];
  start: string;
  end: string;
  every: number;
  from: string;
  count: "" | number;
  until: "" | string;
};

/**
 * The checks across fields, as field messages (pure; the clock's checks,
 * such as a first date in the past, are the caller's).
 */
export function ruleFieldProblems(f: RuleFields): Record<string, string> {
  const out: Record<string, string> = {};
  if (f.count === "" && f.until === "") {
    out.count = "Say how many dates, or the last date";
  } else if (f.count !== "" && f.until !== "") {
    out.until = "Give either a number of dates or a last date, not both";
  }
  if (f.start === f.end) out.end = "Pick an end time after the start";
  // Refinements run on what did not parse too: only real dates compare.
  const dates = localDate.safeParse(f.from).success &&
    localDate.safeParse(f.until).success;
  if (f.until !== "" && dates) {
    if (f.until < f.from) {
      out.until = "The last date must be on or after the first date";
    } else if (f.until > seriesLastDate(f.from)) {
      out.until =
        `A weekly booking runs at most ${MAX_SERIES_MONTHS} months: pick a last date by ${
          formatDateYear(seriesLastDate(f.from))
        }`;
    }
  }
  return out;
}

/** Adds `ruleFieldProblems` to a schema's issues. */
export function refineRule(f: RuleFields, ctx: z.RefinementCtx): void {
  for (const [path, message] of Object.entries(ruleFieldProblems(f))) {
    ctx.addIssue({ code: "custom", message, path: [path] });
  }
}

/** The rule a parsed form or query describes. */
export function ruleOf(f: RuleFields): SeriesRule {
  return {
    weekdays: f.weekdays,
    start: f.start,
    end: f.end,
    every: f.every,
    from: f.from,
    until: f.until === "" ? null : f.until,
    count: f.count === "" ? null : f.count,
  };
}

/** A rule's problem, in plain words, with the field it belongs to. */
export class RuleProblem extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = "RuleProblem";
  }
}

/**
 * The local dates a rule falls on, in order: each chosen weekday of every
 * `every`-th week from the week of `from`, from `from` on, until `until` or
 * `count` dates. Throws a RuleProblem when the rule would pass the caps (more
 * than 26 dates, or past 6 months from `from`).
 */
export function seriesDates(rule: SeriesRule): string[] {
  if (rule.weekdays.length === 0) {
    throw new RuleProblem("weekdays", "Pick at least one weekday");
  }
  if (!(rule.every >= 1 && rule.every <= MAX_INTERVAL_WEEKS)) {
    throw new RuleProblem("every", "Repeat every 1, 2, 3 or 4 weeks");
  }
  if ((rule.count === null) === (rule.until === null)) {
    throw new RuleProblem(
      "count",
      "Say how many dates, or the last date, but not both",
    );
  }
  if (rule.count !== null && rule.count > MAX_OCCURRENCES) {
    throw new RuleProblem(
      "count",
      `A weekly booking has at most ${MAX_OCCURRENCES} dates`,
    );
  }
  const from = Temporal.PlainDate.from(rule.from);
  const last = seriesLastDate(rule.from);
  const until = rule.until ?? last;
  if (until > last) {
    throw new RuleProblem(
      "until",
      `A weekly booking runs at most ${MAX_SERIES_MONTHS} months: pick a last date by ${
        formatDateYear(last)
      }`,
    );
  }
  const monday = from.subtract({ days: from.dayOfWeek - 1 });
  const days = [...new Set(rule.weekdays)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let week = 0;; week += rule.every) {
    for (const day of days) {
      const date = monday.add({ days: week * 7 + day - 1 }).toString();
      if (date < rule.from) continue;
      if (date > until) {
        if (rule.count !== null && out.length < rule.count) {
          throw new RuleProblem(
            "count",
            `${rule.count} dates would run past ${MAX_SERIES_MONTHS} months from the first date: pick fewer dates, more weekdays or a shorter interval`,
          );
        }
        return out;
      }
      out.push(date);
      if (out.length > MAX_OCCURRENCES) {
        throw new RuleProblem(
          "until",
          `That comes to more than ${MAX_OCCURRENCES} dates: pick an earlier last date, fewer weekdays or a longer interval`,
        );
      }
      if (rule.count !== null && out.length === rule.count) return out;
    }
  }
}

/**
 * Every date of the rule with its instants in `timeZone` (see
 * `seriesDates` for the dates and caps). An end at or before the start is
 * on the next local date; a wall-clock time the clocks skip (2:30 AM on the
 * March change) is read as the clocks read it, an hour later.
 */
export function planOccurrences(
  rule: SeriesRule,
  timeZone: string,
): PlannedOccurrence[] {
  return seriesDates(rule).map((date, i) => ({
    n: i + 1,
    localDate: date,
    localStart: rule.start,
    localEnd: rule.end,
    // As a single booking's hours are read (holds.ts requestedInterval).
    start: localInstant(timeZone, date, rule.start),
    end: rule.end === "24:00"
      ? localInstant(timeZone, date, "24:00")
      : localInstant(
        timeZone,
        rule.end <= rule.start
          ? Temporal.PlainDate.from(date).add({ days: 1 }).toString()
          : date,
        rule.end,
      ),
  }));
}

/** "Tuesdays and Thursdays", "Saturdays", "Mondays, Wednesdays and Fridays". */
export function weekdaysText(days: readonly number[]): string {
  const names = days.map((d) => `${WEEKDAY_NAMES[d - 1]}s`);
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** "every week", "every 2 weeks". */
export function everyText(every: number): string {
  return every === 1 ? "every week" : `every ${every} weeks`;
}

/** The URL contract's query for a rule (item 2): `weekdays=tue,thu&start=05:00&…`. */
export function ruleQuery(kitchenId: string, rule: SeriesRule): string {
  const q = new URLSearchParams({
    kitchen: kitchenId,
    weekdays: rule.weekdays.map((d) => WEEKDAY_CODES[d - 1]).join(","),
    start: rule.start,
    end: rule.end,
    every: String(rule.every),
    from: rule.from,
  });
  if (rule.count !== null) q.set("count", String(rule.count));
  if (rule.until !== null) q.set("until", rule.until);
  return q.toString();
}

/**
 * The weekly booking form for hours a renter picked (a date, a start, an
 * end): that weekday, those times, every week from that date for the
 * default number of dates, so it opens on their preview; without times,
 * only the kitchen and the date (the blank form).
 *
 * @example
 * weeklyHref("K1", { date: "2026-12-07", start: "06:00", end: "08:00" })
 * // "/bookings/series/new?kitchen=K1&from=2026-12-07&weekdays=mon&start=06%3A00&end=08%3A00&every=1&count=8"
 */
export function weeklyHref(
  kitchenId: string,
  pick: { date?: string; start?: string; end?: string },
): string {
  const q = new URLSearchParams({ kitchen: kitchenId });
  if (pick.date) q.set("from", pick.date);
  if (pick.date && pick.start && pick.end) {
    const day = Temporal.PlainDate.from(pick.date).dayOfWeek;
    q.set("weekdays", WEEKDAY_CODES[day - 1]);
    q.set("start", pick.start);
    q.set("end", pick.end);
    q.set("every", "1");
    q.set("count", String(DEFAULT_OCCURRENCES));
  }
  return `/bookings/series/new?${q}`;
}
