/** A kitchen's weekly hours as pages list them (pure). */
import type { WeeklyRange } from "./schema.ts";

/**
 * Weekly hours as people read them: Monday first, each day's ranges by
 * start, whatever order the host entered them in (pure; a new array).
 */
export function inWeekOrder<R extends WeeklyRange>(rows: readonly R[]): R[] {
  return [...rows].sort((a, b) =>
    a.day - b.day || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0)
  );
}
