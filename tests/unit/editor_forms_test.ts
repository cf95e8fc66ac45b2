/**
 * lib/kitchens/editor_forms.ts: the hours section's checks across fields
 * run whatever else failed (so every problem is said at once), and never
 * throw on input no browser sends.
 */
import assert from "node:assert/strict";
import { SECTION_FORMS } from "../../lib/kitchens/editor_forms.ts";

const hours = SECTION_FORMS.hours;
const GOOD = {
  rangeDay: ["1"],
  rangeStart: ["08:00"],
  rangeEnd: ["12:00"],
  blackoutDates: [],
  bufferMinutes: "0",
  minNoticeHours: "0",
  bookingWindowDays: "60",
  minHours: "2",
  maxHours: "4",
  standingBookings: "",
  standingMonthsAhead: "",
};

const problems = (input: unknown): Record<string, string> => {
  const read = hours.safeParse(input as never);
  if (read.success) return {};
  const out: Record<string, string> = {};
  for (const issue of read.error.issues) {
    out[issue.path.join(".")] ??= issue.message;
  }
  return out;
};

Deno.test("editor forms: the hours section's cross-field problems, table", () => {
  const cases: [string, Record<string, unknown>, Record<string, RegExp>][] = [
    ["all fine", {}, {}],
    ["max below min", { minHours: "8", maxHours: "4" }, {
      maxHours: /at least the minimum/,
    }],
    // The minimum's own problem, not the maximum's.
    ["min past its cap", { minHours: "30", maxHours: "4" }, {
      minHours: /at most 24/,
    }],
    ["a wrong buffer and a wrong row together", {
      bufferMinutes: "lots",
      rangeStart: ["25:00"],
    }, {
      bufferMinutes: /whole number/,
      "weeklyHours.0.start": /^Row 1, opens "25:00": Use a 24-hour time/,
    }],
    // The row as the form numbers it: unused rows before it count.
    ["a wrong row after an unused one", {
      rangeDay: ["1", "", "2"],
      rangeStart: ["08:00", "", "07:61"],
      rangeEnd: ["12:00", "", "09:00"],
    }, { "weeklyHours.1.start": /^Row 3, opens "07:61": / }],
    ["an incomplete row and a bad date", {
      rangeDay: ["9"],
      blackoutDates: ["someday"],
    }, {
      weeklyHours: /Row 1: choose a day/,
      "blackoutDates.0": /^"someday": Use a date like/,
    }],
  ];
  for (const [what, over, expected] of cases) {
    const got = problems({ ...GOOD, ...over });
    assert.deepEqual(
      Object.keys(got).sort(),
      Object.keys(expected).sort(),
      `${what}: ${JSON.stringify(got)}`,
    );
    for (const [field, message] of Object.entries(expected)) {
      assert.match(got[field], message, `${what}: ${field}`);
    }
  }
});

Deno.test("editor forms: the hours section refuses what no browser sends, never throws", () => {
  for (
    const input of [
      {},
      null,
      5,
      "x",
      { rangeStart: [9] },
      { blackoutDates: "2026-01-01" },
      { ...GOOD, rangeStart: [9], rangeEnd: [null] },
      { ...GOOD, rangeDay: "1" },
    ]
  ) {
    const read = hours.safeParse(input as never);
    assert.equal(read.success, false, JSON.stringify(input));
  }
});
