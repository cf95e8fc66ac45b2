import type { BookableStart } from "../availability.ts";
import { formatTime } from "./calendar.ts";

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
    timeZone,
    slots: slots.map((s) => ({
      start: new Date(s.start).toISOString(),
      time: wallClock(timeZone, s.start),
      label: formatTime(timeZone, s.start),
      until: formatTime(timeZone, s.maxEnd),
      hours: Math.round((s.maxEnd - s.start) / 360_000) / 10,
    })),
  };
}

// A Temporal conversion costs ~2 µs and a kitchen page has dozens of starts,
// which repeat across requests (as the labels in calendar.ts do).
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
