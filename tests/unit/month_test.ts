import assert from "node:assert/strict";
import {
  bookedLevel,
  buildCalendarMonth,
  buildMonthGrid,
  daysOf,
  type GridBooking,
  type GridKitchen,
  isMonth,
  type MonthDay,
  type MonthGrid,
  monthLabel,
  monthOf,
  monthSpan,
  shiftMonth,
} from "../../lib/bookings/month.ts";
import type { WeeklyRange } from "../../lib/kitchens/schema.ts";

const HOUR = 3600_000;
const daily = (start: string, end: string): WeeklyRange[] =>
  [1, 2, 3, 4, 5, 6, 7].map((day) => ({ day, start, end }));

function kitchen(over: Partial<GridKitchen> = {}): GridKitchen {
  return {
    id: "K1",
    title: "Test Kitchen",
    timeZone: "America/Chicago",
    weeklyHours: daily("08:00", "20:00"),
    blackoutDates: [],
    ...over,
  };
}

/** The instant of a wall-clock time in a zone (compatible disambiguation). */
function at(timeZone: string, dateTime: string): number {
  return Temporal.PlainDateTime.from(dateTime).toZonedDateTime(timeZone)
    .epochMilliseconds;
}

let n = 0;
function booking(
  timeZone: string,
  start: string,
  end: string,
  over: Partial<GridBooking> = {},
): GridBooking {
  return {
    id: `B${++n}`,
    kitchenId: "K1",
    start: at(timeZone, start),
    end: at(timeZone, end),
    status: "confirmed",
    holdExpiresAt: null,
    ...over,
  };
}

function day(grid: MonthGrid, date: string): MonthDay {
  const found = grid.weeks.flat().find((d) => d?.date === date);
  assert.ok(found, `${date} is in the grid`);
  return found;
}

const times = (grid: MonthGrid, date: string) =>
  day(grid, date).entries.map((e) => `${e.time} (${e.kind})`);

const NOW = Date.parse("2026-12-01T15:00:00Z");

Deno.test("month: months parse strictly and move across years", () => {
  const cases: [string, boolean][] = [
    ["2026-12", true],
    ["2000-01", true],
    ["2099-12", true],
    ["2026-13", false],
    ["2026-00", false],
    ["2026-1", false],
    ["1999-12", false],
    ["2100-01", false],
    ["2026-12-01", false],
    [" 2026-12", false],
    ["", false],
    ["２０２６-12", false],
    ["2026-12\n", false],
  ];
  for (const [s, ok] of cases) assert.equal(isMonth(s), ok, JSON.stringify(s));
  assert.equal(shiftMonth("2026-12", 1), "2027-01");
  assert.equal(shiftMonth("2026-01", -1), "2025-12");
  assert.equal(monthLabel("2026-12"), "December 2026");
  // 05:00 UTC on Jan 1 is still December 31 in Chicago.
  assert.equal(
    monthOf("America/Chicago", Date.parse("2027-01-01T05:00:00Z")),
    "2026-12",
  );
  assert.equal(monthOf("UTC", Date.parse("2027-01-01T05:00:00Z")), "2027-01");
});

Deno.test("month: the month a zone is in, asked in any order, across its edges", () => {
  // In order, so each answer comes after another in the same zone (the
  // spans are kept per zone), moving forward, back and across DST.
  const cases: [string, string, string][] = [
    ["America/Chicago", "2027-01-01T05:59:59.999Z", "2026-12"],
    ["America/Chicago", "2027-01-01T06:00:00Z", "2027-01"],
    ["America/Chicago", "2026-12-15T12:00:00Z", "2026-12"],
    ["America/Chicago", "2026-12-01T05:59:59.999Z", "2026-11"],
    ["America/Chicago", "2026-12-01T06:00:00Z", "2026-12"],
    // March 2027 starts in CST and ends in CDT: April starts at 05:00 UTC.
    ["America/Chicago", "2027-03-20T12:00:00Z", "2027-03"],
    ["America/Chicago", "2027-04-01T04:59:59.999Z", "2027-03"],
    ["America/Chicago", "2027-04-01T05:00:00Z", "2027-04"],
    ["Asia/Kolkata", "2026-12-31T18:29:59.999Z", "2026-12"],
    ["Asia/Kolkata", "2026-12-31T18:30:00Z", "2027-01"],
    ["America/Chicago", "2027-01-01T05:00:00Z", "2026-12"],
    ["UTC", "2027-01-01T05:00:00Z", "2027-01"],
    ["UTC", "2026-12-31T23:59:59.999Z", "2026-12"],
  ];
  for (const [zone, at, month] of cases) {
    assert.equal(monthOf(zone, Date.parse(at)), month, `${zone} ${at}`);
  }
});

Deno.test("month: weeks run Monday to Sunday, padded with the neighbouring months", () => {
  const cases: [string, number, number, number][] = [
    // month, weeks, blanks before the 1st, blanks after the last day
    ["2026-12", 5, 1, 3], // starts on a Tuesday
    ["2027-02", 4, 0, 0], // 28 days from a Monday
    ["2026-11", 6, 6, 6], // starts on a Sunday, 30 days
    ["2028-02", 5, 1, 5], // leap year: 29 days from a Tuesday
  ];
  for (const [month, weeks, before, after] of cases) {
    const g = buildMonthGrid(kitchen(), month, [], NOW);
    assert.equal(g.weeks.length, weeks, month);
    assert.ok(g.weeks.every((w) => w.length === 7), month);
    const cells = g.weeks.flat();
    assert.equal(cells.findIndex((c) => c !== null), before, month);
    assert.equal(
      cells.length - 1 - cells.findLastIndex((c) => c !== null),
      after,
      month,
    );
    assert.equal(cells[before]!.day, 1);
  }
});

Deno.test("month: open hours, closed days and blackout dates come from the kitchen's rules", () => {
  const k = kitchen({
    weeklyHours: [
      ...[1, 2, 3, 4].map((d) => ({ day: d, start: "08:00", end: "20:00" })),
      // Friday nights run into Saturday morning.
      { day: 5, start: "22:00", end: "02:00" },
    ],
    blackoutDates: ["2026-12-09"],
  });
  const g = buildMonthGrid(k, "2026-12", [], NOW);
  const cases: [string, MonthDay["state"], string][] = [
    ["2026-12-07", "open", "8:00 AM - 8:00 PM"], // Monday
    ["2026-12-09", "blackout", ""], // a Wednesday, blacked out
    ["2026-12-11", "open", "10:00 PM - midnight"], // Friday
    ["2026-12-12", "open", "12:00 AM - 2:00 AM"], // Saturday: Friday's night
    ["2026-12-13", "closed", ""], // Sunday
  ];
  for (const [date, state, hours] of cases) {
    assert.equal(day(g, date).state, state, date);
    assert.equal(day(g, date).hours, hours, date);
  }
  const allDay = buildMonthGrid(
    kitchen({ weeklyHours: daily("00:00", "24:00") }),
    "2026-12",
    [],
    NOW,
  );
  assert.equal(day(allDay, "2026-12-15").hours, "all day");
  assert.equal(day(g, "2026-12-01").today, true);
  assert.equal(g.weeks.flat().filter((d) => d?.today).length, 1);
});

Deno.test("month: bookings, requests and live holds show on their local dates; the rest do not", () => {
  const tz = "America/Chicago";
  const bookings: GridBooking[] = [
    booking(tz, "2026-12-03T10:00", "2026-12-03T13:00"),
    booking(tz, "2026-12-03T15:00", "2026-12-03T17:30", {
      status: "requested",
    }),
    booking(tz, "2026-12-03T08:00", "2026-12-03T09:30", {
      status: "held",
      holdExpiresAt: NOW + 10 * 60_000,
    }),
    // Gone: an expired hold (before its job ran), a cancellation, a decline,
    // a request the renter withdrew.
    booking(tz, "2026-12-04T08:00", "2026-12-04T10:00", {
      status: "held",
      holdExpiresAt: NOW - 1,
    }),
    booking(tz, "2026-12-04T10:00", "2026-12-04T12:00", {
      status: "cancelled",
    }),
    booking(tz, "2026-12-04T12:00", "2026-12-04T14:00", { status: "declined" }),
    booking(tz, "2026-12-04T14:00", "2026-12-04T16:00", {
      status: "withdrawn",
    }),
    // Another kitchen's, and another month's.
    booking(tz, "2026-12-05T10:00", "2026-12-05T12:00", { kitchenId: "K2" }),
    booking(tz, "2027-01-05T10:00", "2027-01-05T12:00"),
    // 7 pm in Chicago on Nov 30 is Dec 1 in UTC: still November here.
    booking(tz, "2026-11-30T18:00", "2026-11-30T20:00"),
    booking(tz, "2026-12-20T09:00", "2026-12-20T11:00", {
      status: "completed",
    }),
  ];
  const g = buildMonthGrid(kitchen(), "2026-12", bookings, NOW);
  assert.deepEqual(times(g, "2026-12-03"), [
    "8:00 AM - 9:30 AM (hold)",
    "10:00 AM - 1:00 PM (booking)",
    "3:00 PM - 5:30 PM (request)",
  ]);
  assert.deepEqual(times(g, "2026-12-04"), []);
  assert.deepEqual(times(g, "2026-12-05"), []);
  assert.deepEqual(times(g, "2026-12-20"), ["9:00 AM - 11:00 AM (booking)"]);
  assert.equal(
    g.weeks.flat().reduce((sum, d) => sum + (d?.entries.length ?? 0), 0),
    4,
  );
});

Deno.test("month: an overnight booking shows on both local dates, including across a month's end", () => {
  const tz = "America/Chicago";
  const bookings = [
    booking(tz, "2026-12-04T22:00", "2026-12-05T02:00"),
    booking(tz, "2026-12-31T20:00", "2027-01-01T04:00"),
    // Ends exactly at midnight: the next day is untouched (half-open).
    booking(tz, "2026-12-10T20:00", "2026-12-11T00:00"),
  ];
  const dec = buildMonthGrid(kitchen(), "2026-12", bookings, NOW);
  assert.deepEqual(times(dec, "2026-12-04"), [
    "10:00 PM - 2:00 AM next day (booking)",
  ]);
  assert.deepEqual(times(dec, "2026-12-05"), ["until 2:00 AM (booking)"]);
  assert.deepEqual(times(dec, "2026-12-10"), [
    "8:00 PM - 12:00 AM (booking)",
  ]);
  assert.deepEqual(times(dec, "2026-12-11"), []);
  assert.deepEqual(times(dec, "2026-12-31"), [
    "8:00 PM - 4:00 AM next day (booking)",
  ]);
  const jan = buildMonthGrid(kitchen(), "2027-01", bookings, NOW);
  assert.deepEqual(times(jan, "2027-01-01"), ["until 4:00 AM (booking)"]);
});

Deno.test("month: DST months split days at local midnight (23- and 25-hour days)", () => {
  const tz = "America/New_York";
  const k = kitchen({ timeZone: tz });
  // 2026-03-08: 2 AM becomes 3 AM; 2026-11-01: 2 AM happens twice.
  const march = monthSpan("2026-03", tz);
  assert.equal(march.end - march.start, (31 * 24 - 1) * HOUR);
  const november = monthSpan("2026-11", tz);
  assert.equal(november.end - november.start, (30 * 24 + 1) * HOUR);

  const spring = [
    // 1 AM EST to 4 AM EDT: two real hours, shown on the wall clock.
    booking(tz, "2026-03-08T01:00", "2026-03-08T04:00"),
    // Across the jump: 10 PM EST on the 7th to 3 AM EDT on the 8th.
    booking(tz, "2026-03-07T22:00", "2026-03-08T03:00"),
    booking(tz, "2026-03-09T09:00", "2026-03-09T12:00"),
  ];
  assert.equal(spring[0].end - spring[0].start, 2 * HOUR);
  const mar = buildMonthGrid(k, "2026-03", spring, NOW);
  assert.deepEqual(times(mar, "2026-03-07"), [
    "10:00 PM - 3:00 AM next day (booking)",
  ]);
  assert.deepEqual(times(mar, "2026-03-08"), [
    "until 3:00 AM (booking)",
    "1:00 AM - 4:00 AM (booking)",
  ]);
  assert.deepEqual(times(mar, "2026-03-09"), ["9:00 AM - 12:00 PM (booking)"]);
  assert.equal(day(mar, "2026-03-08").hours, "8:00 AM - 8:00 PM");

  const fall = [
    // 10 PM EDT on Oct 31 to 2 AM EST on Nov 1: five real hours.
    booking(tz, "2026-10-31T22:00", "2026-11-01T02:00"),
    booking(tz, "2026-11-01T20:00", "2026-11-01T23:00"),
  ];
  assert.equal(fall[0].end - fall[0].start, 5 * HOUR);
  const nov = buildMonthGrid(k, "2026-11", fall, NOW);
  assert.deepEqual(times(nov, "2026-11-01"), [
    "until 2:00 AM (booking)",
    "8:00 PM - 11:00 PM (booking)",
  ]);
  assert.deepEqual(times(nov, "2026-11-02"), []);
  const oct = buildMonthGrid(k, "2026-10", fall, NOW);
  assert.deepEqual(times(oct, "2026-10-31"), [
    "10:00 PM - 2:00 AM next day (booking)",
  ]);
});

Deno.test("month: a zone whose DST starts at midnight still gets each day once", () => {
  // Chile moves from 24:00 on Saturday 2026-09-05 to 01:00 on the 6th.
  const tz = "America/Santiago";
  const k = kitchen({ timeZone: tz, weeklyHours: daily("00:00", "24:00") });
  const b = booking(tz, "2026-09-06T01:00", "2026-09-06T03:00");
  const g = buildMonthGrid(k, "2026-09", [b], NOW);
  const days = g.weeks.flat().filter((d) => d !== null);
  assert.equal(days.length, 30);
  assert.deepEqual(times(g, "2026-09-06"), ["1:00 AM - 3:00 AM (booking)"]);
  assert.deepEqual(times(g, "2026-09-05"), []);
  assert.equal(day(g, "2026-09-06").hours, "all day");
});

Deno.test("month: the calendar month links to its neighbours within the accepted range", () => {
  const c = buildCalendarMonth(
    [kitchen(), kitchen({ id: "K2" })],
    "2026-12",
    [],
    NOW,
  );
  assert.equal(c.label, "December 2026");
  assert.deepEqual(c.prev, { month: "2026-11", label: "November 2026" });
  assert.deepEqual(c.next, { month: "2027-01", label: "January 2027" });
  assert.deepEqual(c.grids.map((g) => g.kitchenId), ["K1", "K2"]);
  assert.equal(buildCalendarMonth([], "2000-01", [], NOW).prev, null);
  assert.equal(buildCalendarMonth([], "2099-12", [], NOW).next, null);
});

Deno.test("month view: each day counts its open, booked and requested minutes on the kitchen's wall clock", () => {
  const tz = "America/Chicago";
  const bookings = [
    booking(tz, "2026-12-03T10:00", "2026-12-03T13:00"),
    booking(tz, "2026-12-03T18:00", "2026-12-03T20:00"),
    booking(tz, "2026-12-03T15:00", "2026-12-03T16:30", {
      status: "requested",
    }),
    booking(tz, "2026-12-03T08:00", "2026-12-03T09:00", {
      status: "held",
      holdExpiresAt: NOW + HOUR,
    }),
    // Gone: cancelled, and a hold that lapsed before its job ran.
    booking(tz, "2026-12-04T10:00", "2026-12-04T12:00", {
      status: "cancelled",
    }),
    booking(tz, "2026-12-04T13:00", "2026-12-04T15:00", {
      status: "held",
      holdExpiresAt: NOW - 1,
    }),
    // Overnight: 2 hours on the 5th, 3 on the 6th.
    booking(tz, "2026-12-05T22:00", "2026-12-06T03:00"),
    booking(tz, "2026-12-20T09:00", "2026-12-20T11:00", {
      status: "completed",
    }),
  ];
  const k = kitchen({ blackoutDates: ["2026-12-25"] });
  const g = buildMonthGrid(k, "2026-12", bookings, NOW);
  const cases: [string, number, number, number][] = [
    // date, open, booked, requested or on hold (minutes)
    ["2026-12-03", 720, 300, 150],
    ["2026-12-04", 720, 0, 0],
    ["2026-12-05", 720, 120, 0],
    ["2026-12-06", 720, 180, 0],
    ["2026-12-20", 720, 120, 0],
    ["2026-12-25", 0, 0, 0],
  ];
  for (const [date, open, booked, pending] of cases) {
    const d = day(g, date);
    assert.deepEqual(
      [d.openMinutes, d.bookedMinutes, d.pendingMinutes],
      [open, booked, pending],
      date,
    );
  }
  assert.deepEqual(daysOf(g).map((d) => d.day), range(1, 31));

  // A 23-hour day open all day has 1380 minutes, a 25-hour day 1500.
  const ny = kitchen({
    timeZone: "America/New_York",
    weeklyHours: daily("00:00", "24:00"),
  });
  assert.equal(
    day(buildMonthGrid(ny, "2026-03", [], NOW), "2026-03-08").openMinutes,
    23 * 60,
  );
  assert.equal(
    day(buildMonthGrid(ny, "2026-11", [], NOW), "2026-11-01").openMinutes,
    25 * 60,
  );
});

Deno.test("month view: a day's shade is the share of its open hours that is booked", () => {
  const base: MonthDay = {
    date: "2026-12-03",
    day: 3,
    today: false,
    state: "open",
    hours: "8:00 AM - 8:00 PM",
    entries: [],
    openMinutes: 720,
    bookedMinutes: 0,
    pendingMinutes: 0,
    weekly: false,
  };
  const cases: [string, Partial<MonthDay>, number][] = [
    ["nothing booked", {}, 0],
    ["requests alone do not shade", { pendingMinutes: 600 }, 0],
    ["3 of 12 hours", { bookedMinutes: 180 }, 1],
    ["4 of 12 hours: a third", { bookedMinutes: 240 }, 1],
    ["5 of 12 hours", { bookedMinutes: 300 }, 2],
    ["8 of 12 hours: two thirds", { bookedMinutes: 480 }, 2],
    ["9 of 12 hours", { bookedMinutes: 540 }, 3],
    ["all of it", { bookedMinutes: 720 }, 3],
    // Hours changed after booking: a closed day with a booking is full.
    [
      "booked on a day now closed",
      { state: "closed", openMinutes: 0, bookedMinutes: 120 },
      3,
    ],
  ];
  for (const [name, over, level] of cases) {
    assert.equal(bookedLevel({ ...base, ...over }), level, name);
  }
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

Deno.test("month: a weekly booking's scheduled dates show as booked, and the day says it is weekly", () => {
  const tz = "America/Chicago";
  const g = buildMonthGrid(kitchen(), "2026-12", [
    booking(tz, "2026-12-08T09:00", "2026-12-08T13:00", { seriesId: "S1" }),
    booking(tz, "2026-12-10T09:00", "2026-12-10T13:00", {
      status: "scheduled",
      seriesId: "S1",
    }),
    booking(tz, "2026-12-11T09:00", "2026-12-11T13:00"),
  ], NOW);
  assert.deepEqual(times(g, "2026-12-10"), ["9:00 AM - 1:00 PM (booking)"]);
  assert.equal(day(g, "2026-12-10").bookedMinutes, 240);
  assert.equal(day(g, "2026-12-08").weekly, true);
  assert.equal(day(g, "2026-12-10").weekly, true);
  assert.equal(day(g, "2026-12-11").weekly, false);
});
