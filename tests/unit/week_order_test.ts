import assert from "node:assert/strict";
import type { WeeklyRange } from "../../lib/kitchens/schema.ts";
import { inWeekOrder } from "../../lib/kitchens/weekly_hours.ts";

Deno.test("weekly hours read Monday first, each day's ranges by start, whatever order they were entered in", () => {
  const r = (day: number, start: string, end: string): WeeklyRange => ({
    day,
    start,
    end,
  });
  const cases: [string, WeeklyRange[], WeeklyRange[]][] = [
    ["none", [], []],
    [
      "weekdays by day, then each day's night after its day",
      [
        r(1, "08:00", "16:00"),
        r(2, "08:00", "16:00"),
        r(1, "22:00", "06:00"),
        r(2, "22:00", "06:00"),
        r(6, "09:00", "13:00"),
      ],
      [
        r(1, "08:00", "16:00"),
        r(1, "22:00", "06:00"),
        r(2, "08:00", "16:00"),
        r(2, "22:00", "06:00"),
        r(6, "09:00", "13:00"),
      ],
    ],
    [
      "Sunday last, an early range before a later one",
      [r(7, "10:00", "12:00"), r(3, "14:00", "18:00"), r(3, "06:00", "09:00")],
      [r(3, "06:00", "09:00"), r(3, "14:00", "18:00"), r(7, "10:00", "12:00")],
    ],
  ];
  for (const [why, rows, want] of cases) {
    const before = JSON.stringify(rows);
    assert.deepEqual(inWeekOrder(rows), want, why);
    assert.equal(
      JSON.stringify(rows),
      before,
      `${why}: the input is left as it was`,
    );
  }
});
