import type { BookableStart } from "../availability.ts";
import { formatTime } from "./calendar.ts";

/** A bookable start as the browser sees it: labels already in the kitchen's zone. */
export interface SlotView {
  start: string;
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
      label: formatTime(timeZone, s.start),
      until: formatTime(timeZone, s.maxEnd),
      hours: Math.round((s.maxEnd - s.start) / 360_000) / 10,
    })),
  };
}
