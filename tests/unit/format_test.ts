import assert from "node:assert/strict";
import {
  formatAgo,
  formatClock,
  formatClockRange,
  formatDate,
  formatDateLong,
  formatDateYear,
  formatDayTime,
  formatStamp,
  formatTime,
  formatTimeRange,
} from "../../lib/format.ts";

const CHI = "America/Chicago";
const at = (iso: string) => Date.parse(iso);

Deno.test("format: dates and times read as people write them, never ISO", () => {
  const cases: [string, string][] = [
    [formatDate("2026-12-10"), "Thu, Dec 10"],
    [formatDate("2027-03-14"), "Sun, Mar 14"],
    [formatDateLong("2026-12-10"), "Thursday, December 10, 2026"],
    [formatDateYear("2027-01-05"), "Tue, Jan 5, 2027"],
    [formatClockRange("22:00", "06:00"), "10:00 PM - 6:00 AM"],
    [
      formatStamp("UTC", at("2026-12-01T15:00:00Z")),
      "Tue, Dec 1, 2026, 3:00 PM",
    ],
    [
      formatStamp(CHI, at("2027-01-01T03:30:00Z")),
      "Thu, Dec 31, 2026, 9:30 PM",
    ],
    [formatClock("09:00"), "9:00 AM"],
    [formatClock("00:30"), "12:30 AM"],
    [formatClock("12:00"), "12:00 PM"],
    [formatClock("23:45"), "11:45 PM"],
    [formatClock("24:00"), "12:00 AM"],
    [formatTime(CHI, at("2026-12-10T15:00:00Z")), "9:00 AM"],
    [formatDayTime(CHI, at("2026-12-10T15:00:00Z")), "Thu, Dec 10, 9:00 AM"],
    [
      formatTimeRange(
        CHI,
        at("2026-12-10T15:00:00Z"),
        at("2026-12-10T19:00:00Z"),
      ),
      "Thu, Dec 10, 9:00 AM - 1:00 PM",
    ],
    [
      // Overnight: the end names its own day.
      formatTimeRange(
        CHI,
        at("2026-12-11T04:00:00Z"),
        at("2026-12-11T12:00:00Z"),
      ),
      "Thu, Dec 10, 10:00 PM - Fri, Dec 11, 6:00 AM",
    ],
    [
      // Ending at midnight is still the same day's booking.
      formatTimeRange(
        CHI,
        at("2026-12-11T02:00:00Z"),
        at("2026-12-11T06:00:00Z"),
      ),
      "Thu, Dec 10, 8:00 PM - 12:00 AM",
    ],
  ];
  for (const [got, want] of cases) {
    assert.equal(got, want);
  }
});

Deno.test("format: how long ago, for a week, then nothing", () => {
  const now = Date.parse("2026-12-06T12:00:00Z");
  const MIN = 60_000;
  const cases: [number, string | null][] = [
    [0, "just now"],
    [59_999, "just now"],
    [-5 * MIN, "just now"],
    [MIN, "1 minute ago"],
    [59 * MIN, "59 minutes ago"],
    [60 * MIN, "1 hour ago"],
    [47 * 60 * MIN, "47 hours ago"],
    [48 * 60 * MIN, "2 days ago"],
    [7 * 24 * 60 * MIN - 1, "6 days ago"],
    [7 * 24 * 60 * MIN, null],
  ];
  for (const [ago, want] of cases) {
    assert.equal(formatAgo(now, now - ago), want, `${ago} ms`);
  }
});
