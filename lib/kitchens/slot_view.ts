import { bookableHours, type BookableStart } from "./availability.ts";
import { formatDate, formatTime } from "../format.ts";
import type { Kitchen } from "./schema.ts";

/** A bookable start as the browser sees it: labels already in the kitchen's zone. */
export interface SlotView {
  start: string;
  /** "09:30": the start on the kitchen's wall clock, as /bookings/new takes it. */
  time: string;
  label: string;
  /** Latest end time a booking from this start can run to. */
  until: string;
  hours: number;
}

export interface DayView {
  date: string;
  /** The date as people read it: "Thu, Dec 10". */
  dateLabel: string;
  timeZone: string;
  slots: SlotView[];
}

export function dayView(
  timeZone: string,
  date: string,
  slots: BookableStart[],
): DayView {
  return {
    date,
    dateLabel: formatDate(date),
    timeZone,
    slots: slots.map((s) => slotView(timeZone, s)),
  };
}

/**
 * The picker's day as its no-JavaScript form shows it: the picked start (or
 * the first bookable one) selected, and only the lengths that fit from it.
 */
export interface PickerDay {
  initial: DayView;
  /** The selected start, "09:30"; null on a day with none. */
  start: string | null;
  /** Hours a booking from the selected start may last, shortest first. */
  lengths: number[];
  /** The selected length: the longest that fits within the one picked. */
  hours: number | null;
}

export function pickerDay(
  k: Pick<Kitchen, "timeZone" | "minHours">,
  date: string,
  slots: BookableStart[],
  picked: { start?: string; hours?: number } = {},
): PickerDay {
  const initial = dayView(k.timeZone, date, slots);
  const i = Math.max(
    0,
    initial.slots.findIndex((s) => s.time === picked.start),
  );
  const lengths = slots[i] ? bookableHours(k, slots[i]) : [];
  const wanted = picked.hours;
  const fitting = wanted === undefined
    ? []
    : lengths.filter((h) => h <= wanted);
  return {
    initial,
    start: initial.slots[i]?.time ?? null,
    lengths,
    hours: fitting.at(-1) ?? null,
  };
}

// A kitchen page labels a few dozen starts, the same ones on every request:
// each (zone, start, latest end) is worked out once. Views are shared, so
// nobody may change one.
const MAX_VIEWS = 20_000;
let viewCount = 0;
const views = new Map<string, Map<number, Map<number, SlotView>>>();

function slotView(timeZone: string, s: BookableStart): SlotView {
  let byStart = views.get(timeZone);
  if (!byStart) views.set(timeZone, byStart = new Map());
  let byEnd = byStart.get(s.start);
  if (!byEnd) byStart.set(s.start, byEnd = new Map());
  let view = byEnd.get(s.maxEnd);
  if (!view) {
    if (viewCount >= MAX_VIEWS) {
      views.clear();
      viewCount = 0;
      return slotView(timeZone, s);
    }
    view = {
      start: new Date(s.start).toISOString(),
      time: wallClock(timeZone, s.start),
      label: formatTime(timeZone, s.start),
      until: formatTime(timeZone, s.maxEnd),
      hours: Math.round((s.maxEnd - s.start) / 360_000) / 10,
    };
    byEnd.set(s.maxEnd, view);
    viewCount++;
  }
  return view;
}

// A Temporal conversion costs ~2 µs and a kitchen page has dozens of starts,
// which repeat across requests (as the labels in lib/format.ts do).
const wallClocks = new Map<string, string>();

/** "09:30": an instant on the wall clock of `timeZone`. */
export function wallClock(timeZone: string, ms: number): string {
  const key = `${timeZone}|${ms}`;
  let time = wallClocks.get(key);
  if (time === undefined) {
    time = Temporal.Instant.fromEpochMilliseconds(ms)
      .toZonedDateTimeISO(timeZone).toPlainTime()
      .toString({ smallestUnit: "minute" });
    if (wallClocks.size >= 20_000) wallClocks.clear();
    wallClocks.set(key, time);
  }
  return time;
}
