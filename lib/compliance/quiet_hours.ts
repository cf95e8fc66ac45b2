/**
 * Quiet hours outside the verdict: the picker offers no start whose booking
 * the verdict would deny for noise, and the host's hours editor warns about
 * weekly hours that fall inside them. Pure.
 */
import { formatClockRange } from "../format.ts";
import type { BookableStart } from "../kitchens/availability.ts";
import type { WeeklyRange } from "../kitchens/schema.ts";
import type { RulePack } from "./rules.ts";
import { quietPeriods } from "./verdict.ts";

const HOUR = 3600_000;

/**
 * The starts that can still be booked for at least `minHours` without
 * touching quiet hours, each with its latest end moved back to where quiet
 * hours begin.
 */
export function withoutQuietHours(
  pack: Pick<RulePack, "quietHours">,
  timeZone: string,
  slots: readonly BookableStart[],
  minHours: number,
): BookableStart[] {
  const quiet = pack.quietHours;
  if (!quiet) return [...slots];
  const out: BookableStart[] = [];
  for (const slot of slots) {
    const periods = quietPeriods(quiet, timeZone, {
      start: slot.start,
      end: slot.maxEnd,
    });
    if (periods.some((p) => p.start <= slot.start && slot.start < p.end)) {
      continue;
    }
    const next = periods
      .filter((p) => p.start > slot.start)
      .reduce((min, p) => Math.min(min, p.start), Infinity);
    const maxEnd = Math.min(slot.maxEnd, next);
    if (maxEnd - slot.start >= minHours * HOUR) {
      out.push({ start: slot.start, maxEnd });
    }
  }
  return out;
}

const toMinutes = (hhmm: string) =>
  hhmm === "24:00"
    ? 24 * 60
    : Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

const DAY_NAMES = [
  "",
  "Mondays",
  "Tuesdays",
  "Wednesdays",
  "Thursdays",
  "Fridays",
  "Saturdays",
  "Sundays",
];

/**
 * One warning per weekly range that overlaps the city's quiet hours, in
 * plain words; empty when none does. Ranges whose end is at or before their
 * start run past midnight, as in the hours editor.
 */
export function quietHoursWarnings(
  pack: Pick<RulePack, "quietHours" | "cityName">,
  weeklyHours: readonly WeeklyRange[],
): string[] {
  const quiet = pack.quietHours;
  if (!quiet) return [];
  // Minutes of a week-long line, quiet periods placed on each day and the next.
  const qs = toMinutes(quiet.start);
  const qe = toMinutes(quiet.end);
  const quietOn = (day: number): [number, number][] => {
    const base = (day - 1) * 1440;
    return qe <= qs
      ? [[base + qs, base + 1440 + qe], [base - 1440 + qs, base + qe]]
      : [[base + qs, base + qe]];
  };
  const out: string[] = [];
  for (const r of weeklyHours) {
    const base = (r.day - 1) * 1440;
    const start = base + toMinutes(r.start);
    const endRaw = base + toMinutes(r.end);
    const end = endRaw <= start ? endRaw + 1440 : endRaw;
    const days = [r.day, r.day === 7 ? 1 : r.day + 1];
    const touches = days.some((d) =>
      quietOn(d).some(([a, b]) => {
        const shift = d < r.day ? 7 * 1440 : 0;
        return a + shift < end && start < b + shift;
      })
    );
    if (touches) {
      out.push(
        `${DAY_NAMES[r.day]} ${
          formatClockRange(r.start, r.end)
        } falls inside ${pack.cityName}'s quiet hours (${
          formatClockRange(quiet.start, quiet.end)
        }), when kitchens may not be used; renters will not be offered those hours.`,
      );
    }
  }
  return out;
}
