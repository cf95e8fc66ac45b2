import {
  type AvailabilityRules,
  type BookableStart,
  bookableStarts,
  firstBookableDay,
  nextBookableStart,
  startOfLocalDate,
} from "../availability.ts";
import { viewOccupancy } from "./repo.ts";
import type { Kitchen } from "./schema.ts";

export function rulesOf(k: Kitchen): AvailabilityRules {
  return {
    timeZone: k.timeZone,
    weeklyHours: k.weeklyHours,
    blackoutDates: k.blackoutDates,
    bufferMinutes: k.bufferMinutes,
    minNoticeHours: k.minNoticeHours,
    bookingWindowDays: k.bookingWindowDays,
    minHours: k.minHours,
    maxHours: k.maxHours,
  };
}

/** Today's date on the kitchen's wall calendar. */
export function localToday(timeZone: string, now: number): string {
  return Temporal.Instant.fromEpochMilliseconds(now).toZonedDateTimeISO(
    timeZone,
  ).toPlainDate()
    .toString();
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

/** Bookable starts of one local date, against the kitchen's current bookings and holds. */
export async function daySlots(
  kv: Deno.Kv,
  k: Kitchen,
  date: string,
  now: number,
): Promise<BookableStart[]> {
  const [from, to] = dayWindow(k, date);
  const busy = await viewOccupancy(kv, k, from, to, now);
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
  return firstBookableDay(...await nextDays(kv, k, now, days));
}

/** The first bookable start within the next `days` local dates, for result cards. */
export async function nextFreeSlot(
  kv: Deno.Kv,
  k: Kitchen,
  now: number,
  days = 14,
): Promise<BookableStart | null> {
  return nextBookableStart(...await nextDays(kv, k, now, days));
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

function format(
  timeZone: string,
  kind: "time" | "dayTime",
): Intl.DateTimeFormat {
  const key = `${timeZone}|${kind}`;
  let f = timeFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hour: "numeric",
      minute: "2-digit",
      ...(kind === "dayTime"
        ? { weekday: "short", month: "short", day: "numeric" }
        : {}),
    });
    timeFormats.set(key, f);
  }
  return f;
}

// Intl formatting showed up in page profiles; slots repeat across requests.
const formatted = new Map<string, string>();

function formatCached(
  timeZone: string,
  kind: "time" | "dayTime",
  ms: number,
): string {
  const key = `${kind}|${timeZone}|${ms}`;
  let text = formatted.get(key);
  if (text === undefined) {
    text = format(timeZone, kind).format(ms);
    if (formatted.size >= 20_000) formatted.clear();
    formatted.set(key, text);
  }
  return text;
}

/** "9:30 AM" in the kitchen's zone. */
export function formatTime(timeZone: string, ms: number): string {
  return formatCached(timeZone, "time", ms);
}

/** "Tue, Dec 1, 9:30 AM" in the kitchen's zone. */
export function formatDayTime(timeZone: string, ms: number): string {
  return formatCached(timeZone, "dayTime", ms);
}
