import assert from "node:assert/strict";
import {
  type AvailabilityRules,
  bookableHours,
  bookableStarts,
  checkInterval,
  type Interval,
  lengthProblem,
  nextBookableStart,
  openIntervals,
  type Rejection,
  rejectionMessage,
} from "../../lib/kitchens/availability.ts";
import type { WeeklyRange } from "../../lib/kitchens/schema.ts";

const NY = "America/New_York";
const LONDON = "Europe/London";
const HOUR = 3_600_000;
const NOW = Date.parse("2026-03-01T12:00:00Z");

// Calendar used below: 2026-03-08 is a Sunday (US spring-forward), so
// 2026-03-09 is Monday, 2026-03-10 Tuesday, 2026-03-11 Wednesday.

/** Local wall-clock "YYYY-MM-DDTHH:MM" in `tz` to epoch ms. */
function at(local: string, tz = NY): number {
  return Temporal.PlainDateTime.from(local)
    .toZonedDateTime(tz, { disambiguation: "compatible" })
    .epochMilliseconds;
}

/** Epoch ms to local wall-clock "YYYY-MM-DDTHH:MM" in `tz`, for readable assertions. */
function local(ms: number, tz = NY): string {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(tz)
    .toPlainDateTime()
    .toString({ smallestUnit: "minute" });
}

function span([start, end]: [string, string], tz = NY): Interval {
  return { start: at(start, tz), end: at(end, tz) };
}

function everyDay(start: string, end: string): WeeklyRange[] {
  return [1, 2, 3, 4, 5, 6, 7].map((day) => ({ day, start, end }));
}

function rules(overrides: Partial<AvailabilityRules> = {}): AvailabilityRules {
  return {
    timeZone: NY,
    weeklyHours: everyDay("08:00", "18:00"),
    blackoutDates: [],
    bufferMinutes: 0,
    minNoticeHours: 0,
    bookingWindowDays: 365,
    minHours: 2,
    maxHours: 4,
    ...overrides,
  };
}

const MON_NIGHT: WeeklyRange = { day: 1, start: "22:00", end: "06:00" };
const TUE_MORNING: WeeklyRange = { day: 2, start: "06:00", end: "12:00" };

Deno.test("checkInterval", async (t) => {
  const W = "2026-03-11T";
  const cases: {
    name: string;
    rules?: Partial<AvailabilityRules>;
    req: Interval;
    occupied?: [string, string][];
    now?: number;
    expect: "ok" | Rejection;
  }[] = [
    // Back-to-back is fine because intervals are half-open.
    {
      name: "starts when a booking ends",
      req: span([`${W}12:00`, `${W}14:00`]),
      occupied: [[`${W}10:00`, `${W}12:00`]],
      expect: "ok",
    },
    {
      name: "ends when a booking starts",
      req: span([`${W}08:00`, `${W}10:00`]),
      occupied: [[`${W}10:00`, `${W}12:00`]],
      expect: "ok",
    },
    {
      name: "one minute overlap at the end of a booking",
      req: span([`${W}11:59`, `${W}13:59`]),
      occupied: [[`${W}10:00`, `${W}12:00`]],
      expect: "overlaps",
    },
    {
      name: "one minute overlap at the start of a booking",
      req: span([`${W}08:01`, `${W}10:01`]),
      occupied: [[`${W}10:00`, `${W}12:00`]],
      expect: "overlaps",
    },
    {
      name: "request covering a booking",
      req: span([`${W}09:00`, `${W}13:00`]),
      occupied: [[`${W}10:00`, `${W}11:00`]],
      expect: "overlaps",
    },
    {
      name: "start inside the buffer after a booking",
      rules: { bufferMinutes: 30 },
      req: span([`${W}12:15`, `${W}14:15`]),
      occupied: [[`${W}10:00`, `${W}12:00`]],
      expect: "inside_buffer",
    },
    {
      name: "start exactly at the end of the buffer",
      rules: { bufferMinutes: 30 },
      req: span([`${W}12:30`, `${W}14:30`]),
      occupied: [[`${W}10:00`, `${W}12:00`]],
      expect: "ok",
    },
    {
      name: "end inside the buffer before a booking",
      rules: { bufferMinutes: 30, minHours: 1 },
      req: span([`${W}08:30`, `${W}09:45`]),
      occupied: [[`${W}10:00`, `${W}12:00`]],
      expect: "inside_buffer",
    },
    {
      name: "end exactly at the start of the buffer",
      rules: { bufferMinutes: 30, minHours: 1 },
      req: span([`${W}08:30`, `${W}09:30`]),
      occupied: [[`${W}10:00`, `${W}12:00`]],
      expect: "ok",
    },
    {
      name: "overlap wins over buffer when both apply",
      rules: { bufferMinutes: 30 },
      req: span([`${W}12:15`, `${W}14:15`]),
      occupied: [[`${W}10:00`, `${W}12:00`], [`${W}14:00`, `${W}16:00`]],
      expect: "overlaps",
    },
    {
      name: "empty occupied interval blocks nothing",
      req: span([`${W}11:00`, `${W}13:00`]),
      occupied: [[`${W}12:00`, `${W}12:00`]],
      expect: "ok",
    },
    {
      name: "too soon: starts before the notice period ends",
      rules: { minNoticeHours: 2 },
      now: at(`${W}08:00`),
      req: span([`${W}09:59`, `${W}11:59`]),
      expect: "too_soon",
    },
    {
      name: "past: starts before now, whatever the notice",
      rules: { minNoticeHours: 2 },
      now: at(`${W}12:00`),
      req: span([`${W}09:00`, `${W}11:00`]),
      expect: "past",
    },
    {
      name: "past: one minute ago, with no notice required",
      now: at(`${W}09:01`),
      req: span([`${W}09:00`, `${W}11:00`]),
      expect: "past",
    },
    {
      name: "starting right now is not past",
      now: at(`${W}09:00`),
      req: span([`${W}09:00`, `${W}11:00`]),
      expect: "ok",
    },
    {
      name: "notice period met exactly",
      rules: { minNoticeHours: 2 },
      now: at(`${W}08:00`),
      req: span([`${W}10:00`, `${W}12:00`]),
      expect: "ok",
    },
    // 10 days of absolute time from 10:00 EST on 03-01 is 11:00 EDT on 03-11 (DST on 03-08).
    {
      name: "too far ahead: starts at the end of the booking window",
      rules: { bookingWindowDays: 10 },
      now: at("2026-03-01T10:00"),
      req: span([`${W}11:00`, `${W}13:00`]),
      expect: "too_far_ahead",
    },
    {
      name: "starts just inside the booking window",
      rules: { bookingWindowDays: 10 },
      now: at("2026-03-01T10:00"),
      req: span([`${W}10:59`, `${W}12:59`]),
      expect: "ok",
    },
    {
      name: "too short",
      req: span([`${W}09:00`, `${W}10:59`]),
      expect: "too_short",
    },
    {
      name: "exactly minHours",
      req: span([`${W}09:00`, `${W}11:00`]),
      expect: "ok",
    },
    {
      name: "too long",
      req: span([`${W}09:00`, `${W}13:01`]),
      expect: "too_long",
    },
    {
      name: "exactly maxHours",
      req: span([`${W}09:00`, `${W}13:00`]),
      expect: "ok",
    },
    {
      name: "outside hours: runs past closing",
      req: span([`${W}17:00`, `${W}19:00`]),
      expect: "outside_hours",
    },
    {
      name: "outside hours: starts before opening",
      req: span([`${W}07:00`, `${W}09:00`]),
      expect: "outside_hours",
    },
    {
      name: "outside hours: spans the closed night between two days",
      rules: { maxHours: 24 },
      req: span([`${W}16:00`, "2026-03-12T09:00"]),
      expect: "outside_hours",
    },
    {
      name: "invalid: start equals end",
      req: span([`${W}09:00`, `${W}09:00`]),
      expect: "invalid",
    },
    {
      name: "invalid: end before start",
      req: span([`${W}11:00`, `${W}09:00`]),
      expect: "invalid",
    },
    {
      name: "invalid: NaN start",
      req: { start: NaN, end: at(`${W}11:00`) },
      expect: "invalid",
    },
    {
      name: "invalid: infinite end",
      req: { start: at(`${W}09:00`), end: Infinity },
      expect: "invalid",
    },
    {
      name: "order: too_short is reported before too_soon",
      rules: { minNoticeHours: 48 },
      now: at(`${W}08:00`),
      req: span([`${W}09:00`, `${W}10:00`]),
      expect: "too_short",
    },
    {
      name: "order: too_soon is reported before outside_hours",
      rules: { minNoticeHours: 48 },
      now: at(`${W}08:00`),
      req: span([`${W}19:00`, `${W}21:00`]),
      expect: "too_soon",
    },
    {
      name: "overnight range: booking across midnight",
      rules: { weeklyHours: everyDay("22:00", "06:00") },
      req: span([`${W}23:00`, "2026-03-12T03:00"]),
      expect: "ok",
    },
    {
      name: "overnight range: runs past the overnight close",
      rules: { weeklyHours: everyDay("22:00", "06:00") },
      req: span(["2026-03-12T05:00", "2026-03-12T07:00"]),
      expect: "outside_hours",
    },
    {
      name:
        "merged ranges: Mon 22:00-06:00 + Tue 06:00-12:00 spans 05:00-07:00",
      rules: { weeklyHours: [MON_NIGHT, TUE_MORNING] },
      req: span(["2026-03-10T05:00", "2026-03-10T07:00"]),
      expect: "ok",
    },
    {
      name: "merged ranges: Monday night into Tuesday morning",
      rules: { weeklyHours: [MON_NIGHT, TUE_MORNING], maxHours: 12 },
      req: span(["2026-03-09T23:00", "2026-03-10T11:00"]),
      expect: "ok",
    },
    {
      name: "ranges with a gap do not merge",
      rules: {
        weeklyHours: [MON_NIGHT, { day: 2, start: "07:00", end: "12:00" }],
      },
      req: span(["2026-03-10T05:00", "2026-03-10T07:00"]),
      expect: "outside_hours",
    },
    {
      name: "24:00 end touches the next day's 00:00 start",
      rules: {
        weeklyHours: [{ day: 3, start: "20:00", end: "24:00" }, {
          day: 4,
          start: "00:00",
          end: "02:00",
        }],
      },
      req: span([`${W}23:00`, "2026-03-12T01:00"]),
      expect: "ok",
    },
    // Blackout on Tuesday 03-10 with nightly 22:00-06:00 hours.
    {
      name: "blackout: previous evening before midnight stays open",
      rules: {
        weeklyHours: everyDay("22:00", "06:00"),
        blackoutDates: ["2026-03-10"],
      },
      req: span(["2026-03-09T22:00", "2026-03-10T00:00"]),
      expect: "ok",
    },
    {
      name: "blackout: previous night's range crossing into the blackout day",
      rules: {
        weeklyHours: everyDay("22:00", "06:00"),
        blackoutDates: ["2026-03-10"],
      },
      req: span(["2026-03-09T23:00", "2026-03-10T01:00"]),
      expect: "blackout",
    },
    {
      name: "blackout: after-midnight tail of the previous night",
      rules: {
        weeklyHours: everyDay("22:00", "06:00"),
        blackoutDates: ["2026-03-10"],
      },
      req: span(["2026-03-10T01:00", "2026-03-10T03:00"]),
      expect: "blackout",
    },
    {
      name: "blackout: the blackout day's own evening",
      rules: {
        weeklyHours: everyDay("22:00", "06:00"),
        blackoutDates: ["2026-03-10"],
      },
      req: span(["2026-03-10T22:00", "2026-03-11T00:00"]),
      expect: "blackout",
    },
    {
      name: "blackout: the next day's early hours are open again",
      rules: {
        weeklyHours: everyDay("22:00", "06:00"),
        blackoutDates: ["2026-03-10"],
      },
      req: span(["2026-03-11T00:00", "2026-03-11T02:00"]),
      expect: "ok",
    },
    {
      name: "blackout day but a time that is never open is outside_hours",
      rules: {
        weeklyHours: everyDay("22:00", "06:00"),
        blackoutDates: ["2026-03-10"],
      },
      req: span(["2026-03-10T12:00", "2026-03-10T14:00"]),
      expect: "outside_hours",
    },
  ];

  for (const c of cases) {
    await t.step(c.name, () => {
      const occupied = (c.occupied ?? []).map((o) => span(o));
      const result = checkInterval(
        rules(c.rules),
        c.req,
        occupied,
        c.now ?? NOW,
      );
      assert.deepEqual(
        result,
        c.expect === "ok" ? { ok: true } : { ok: false, reason: c.expect },
      );
    });
  }
});

Deno.test("bookableStarts", async (t) => {
  const W = "2026-03-11T";
  const cases: {
    name: string;
    rules?: Partial<AvailabilityRules>;
    date: string;
    occupied?: [string, string][];
    now?: number;
    /** Every returned start as local "start -> maxEnd"; omitted when `count`/`some` suffice. */
    all?: string[];
    count?: number;
    first?: string;
    last?: string;
    /** Spot checks: local start -> local maxEnd. */
    some?: Record<string, string>;
    absent?: string[];
  }[] = [
    {
      name: "simple day range 09:00-17:00",
      rules: { weeklyHours: everyDay("09:00", "17:00") },
      date: "2026-03-11",
      count: 13,
      first: `${W}09:00`,
      last: `${W}15:00`,
      some: {
        [`${W}09:00`]: `${W}13:00`,
        [`${W}14:00`]: `${W}17:00`,
        [`${W}15:00`]: `${W}17:00`,
      },
    },
    {
      name: "occupied interval removes starts and caps maxEnd",
      rules: { weeklyHours: everyDay("09:00", "17:00") },
      date: "2026-03-11",
      occupied: [[`${W}12:00`, `${W}13:00`]],
      all: [
        `${W}09:00 -> ${W}12:00`,
        `${W}09:30 -> ${W}12:00`,
        `${W}10:00 -> ${W}12:00`,
        `${W}13:00 -> ${W}17:00`,
        `${W}13:30 -> ${W}17:00`,
        `${W}14:00 -> ${W}17:00`,
        `${W}14:30 -> ${W}17:00`,
        `${W}15:00 -> ${W}17:00`,
      ],
    },
    {
      name: "buffer widens the occupied interval",
      rules: { weeklyHours: everyDay("09:00", "17:00"), bufferMinutes: 30 },
      date: "2026-03-11",
      occupied: [[`${W}12:00`, `${W}13:00`]],
      all: [
        `${W}09:00 -> ${W}11:30`,
        `${W}09:30 -> ${W}11:30`,
        `${W}13:30 -> ${W}17:00`,
        `${W}14:00 -> ${W}17:00`,
        `${W}14:30 -> ${W}17:00`,
        `${W}15:00 -> ${W}17:00`,
      ],
    },
    {
      name: "occupied interval on another day is irrelevant",
      rules: { weeklyHours: everyDay("09:00", "17:00") },
      date: "2026-03-11",
      occupied: [["2026-03-10T09:00", "2026-03-10T17:00"]],
      count: 13,
    },
    {
      name: "overnight range: the next date starts from midnight",
      rules: { weeklyHours: [MON_NIGHT] },
      date: "2026-03-10",
      count: 9,
      first: "2026-03-10T00:00",
      last: "2026-03-10T04:00",
      some: {
        "2026-03-10T00:00": "2026-03-10T04:00",
        "2026-03-10T03:00": "2026-03-10T06:00",
      },
    },
    {
      name: "overnight range: the evening's starts run past midnight",
      rules: { weeklyHours: [MON_NIGHT] },
      date: "2026-03-09",
      all: [
        "2026-03-09T22:00 -> 2026-03-10T02:00",
        "2026-03-09T22:30 -> 2026-03-10T02:30",
        "2026-03-09T23:00 -> 2026-03-10T03:00",
        "2026-03-09T23:30 -> 2026-03-10T03:30",
      ],
    },
    {
      name: "merged ranges across midnight",
      rules: { weeklyHours: [MON_NIGHT, TUE_MORNING] },
      date: "2026-03-10",
      count: 21,
      first: "2026-03-10T00:00",
      last: "2026-03-10T10:00",
      some: {
        "2026-03-10T05:00": "2026-03-10T09:00",
        "2026-03-10T09:30": "2026-03-10T12:00",
      },
    },
    {
      name: "blackout closes the after-midnight tail",
      rules: { weeklyHours: [MON_NIGHT], blackoutDates: ["2026-03-10"] },
      date: "2026-03-10",
      all: [],
    },
    {
      name: "blackout leaves the previous evening up to midnight",
      rules: { weeklyHours: [MON_NIGHT], blackoutDates: ["2026-03-10"] },
      date: "2026-03-09",
      all: ["2026-03-09T22:00 -> 2026-03-10T00:00"],
    },
    {
      name: "minimum notice removes early starts",
      rules: { weeklyHours: everyDay("09:00", "17:00"), minNoticeHours: 2 },
      date: "2026-03-11",
      now: at(`${W}10:15`),
      first: `${W}12:30`,
      count: 6,
    },
    // 10 days of absolute time from 10:00 EST on 03-01 ends at 11:00 EDT on 03-11.
    {
      name: "booking window removes late starts",
      rules: { weeklyHours: everyDay("09:00", "17:00"), bookingWindowDays: 10 },
      date: "2026-03-11",
      now: at("2026-03-01T10:00"),
      first: `${W}09:00`,
      last: `${W}10:30`,
      count: 4,
    },
    {
      name: "slotMinutes sets the start granularity",
      rules: { weeklyHours: everyDay("09:00", "17:00"), slotMinutes: 60 },
      date: "2026-03-11",
      count: 7,
      absent: [`${W}09:30`],
    },
    {
      name: "closed weekday has no starts",
      rules: { weeklyHours: [{ day: 1, start: "09:00", end: "17:00" }] },
      date: "2026-03-11",
      all: [],
    },
  ];

  for (const c of cases) {
    await t.step(c.name, () => {
      const occupied = (c.occupied ?? []).map((o) => span(o));
      const starts = bookableStarts(
        rules(c.rules),
        c.date,
        occupied,
        c.now ?? NOW,
      );
      const shown = starts.map((s) =>
        `${local(s.start)} -> ${local(s.maxEnd)}`
      );
      if (c.all) assert.deepEqual(shown, c.all);
      if (c.count !== undefined) assert.equal(starts.length, c.count);
      if (c.first) assert.equal(local(starts[0].start), c.first);
      if (c.last) assert.equal(local(starts[starts.length - 1].start), c.last);
      for (const [start, maxEnd] of Object.entries(c.some ?? {})) {
        assert.ok(
          shown.includes(`${start} -> ${maxEnd}`),
          `${start} -> ${maxEnd} in ${shown}`,
        );
      }
      for (const start of c.absent ?? []) {
        assert.ok(
          !starts.some((s) => local(s.start) === start),
          `${start} absent`,
        );
      }
    });
  }
});

Deno.test("DST days", async (t) => {
  const cases: {
    tz: string;
    date: string;
    hours: number;
    /** Local time two absolute hours after midnight. */
    twoHoursIn: string;
    /** Local end of a 4-hour booking starting at midnight. */
    fourHoursEnd: string;
    /** Wall-clock 00:00-04:00 lasts this many absolute hours. */
    wallClockFour: number;
  }[] = [
    {
      tz: NY,
      date: "2026-03-08",
      hours: 23,
      twoHoursIn: "03:00",
      fourHoursEnd: "05:00",
      wallClockFour: 3,
    },
    {
      tz: NY,
      date: "2026-03-15",
      hours: 24,
      twoHoursIn: "02:00",
      fourHoursEnd: "04:00",
      wallClockFour: 4,
    },
    {
      tz: NY,
      date: "2026-11-01",
      hours: 25,
      twoHoursIn: "01:00",
      fourHoursEnd: "03:00",
      wallClockFour: 5,
    },
    {
      tz: LONDON,
      date: "2026-03-29",
      hours: 23,
      twoHoursIn: "03:00",
      fourHoursEnd: "05:00",
      wallClockFour: 3,
    },
    {
      tz: LONDON,
      date: "2026-10-25",
      hours: 25,
      twoHoursIn: "01:00",
      fourHoursEnd: "03:00",
      wallClockFour: 5,
    },
  ];

  for (const c of cases) {
    await t.step(`${c.tz} ${c.date}`, () => {
      const midnight = at(`${c.date}T00:00`, c.tz);
      const weekday = Temporal.PlainDate.from(c.date).dayOfWeek;

      // Only this weekday open 00:00-24:00: exactly one open interval of the day's real length.
      const oneDay = rules({
        timeZone: c.tz,
        weeklyHours: [{ day: weekday, start: "00:00", end: "24:00" }],
      });
      const open = openIntervals(
        oneDay,
        midnight - 48 * HOUR,
        midnight + 72 * HOUR,
      );
      assert.equal(open.length, 1);
      assert.equal(open[0].start, midnight);
      assert.equal((open[0].end - open[0].start) / HOUR, c.hours);

      // Open around the clock with 1-hour minimum: every candidate is bookable.
      const allDay = rules({
        timeZone: c.tz,
        weeklyHours: everyDay("00:00", "24:00"),
        minHours: 1,
      });
      const starts = bookableStarts(allDay, c.date, [], NOW);
      assert.equal(starts.length, c.hours * 2);
      assert.equal(starts[0].start, midnight);
      assert.equal(local(starts[4].start, c.tz), `${c.date}T${c.twoHoursIn}`);
      assert.equal(
        local(starts[starts.length - 1].start, c.tz),
        `${c.date}T23:30`,
      );

      // maxHours is absolute time, so the local end moves with the clock change.
      assert.equal(starts[0].maxEnd - starts[0].start, 4 * HOUR);
      assert.equal(
        local(starts[0].maxEnd, c.tz),
        `${c.date}T${c.fourHoursEnd}`,
      );

      // A wall-clock 00:00-04:00 booking is only 4 hours long on an ordinary day.
      const wallClock = span([`${c.date}T00:00`, `${c.date}T04:00`], c.tz);
      assert.equal((wallClock.end - wallClock.start) / HOUR, c.wallClockFour);
      const expected = c.wallClockFour > 4
        ? { ok: false, reason: "too_long" }
        : { ok: true };
      assert.deepEqual(checkInterval(allDay, wallClock, [], NOW), expected);
    });
  }
});

Deno.test("wall-clock times skipped or repeated by DST", async (t) => {
  // Skipped times move later; repeated times take their first occurrence.
  const cases: {
    name: string;
    date: string;
    start: string;
    end: string;
    hours: number;
  }[] = [
    {
      name: "range starting in the skipped hour",
      date: "2026-03-08",
      start: "02:30",
      end: "04:00",
      hours: 0.5,
    },
    {
      name: "range ending in the skipped hour",
      date: "2026-03-08",
      start: "01:00",
      end: "02:30",
      hours: 1.5,
    },
    {
      name: "range starting in the repeated hour",
      date: "2026-11-01",
      start: "01:30",
      end: "03:00",
      hours: 2.5,
    },
    {
      name: "range inside the repeated hour",
      date: "2026-11-01",
      start: "01:00",
      end: "01:30",
      hours: 0.5,
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const day = Temporal.PlainDate.from(c.date).dayOfWeek;
      const r = rules({ weeklyHours: [{ day, start: c.start, end: c.end }] });
      const midnight = at(`${c.date}T00:00`);
      const open = openIntervals(r, midnight, midnight + 24 * HOUR);
      assert.equal(open.length, 1);
      assert.equal((open[0].end - open[0].start) / HOUR, c.hours);
    });
  }
});

Deno.test("openIntervals", async (t) => {
  const cases: {
    name: string;
    rules: Partial<AvailabilityRules>;
    from: string;
    to: string;
    expect: [string, string][];
  }[] = [
    {
      name: "includes the previous day's overnight range, merged and clipped",
      rules: { weeklyHours: [MON_NIGHT, TUE_MORNING] },
      from: "2026-03-10T02:00",
      to: "2026-03-10T10:00",
      expect: [["2026-03-10T02:00", "2026-03-10T10:00"]],
    },
    {
      name: "overnight range merges with the next morning",
      rules: { weeklyHours: [MON_NIGHT, TUE_MORNING] },
      from: "2026-03-09T00:00",
      to: "2026-03-11T00:00",
      expect: [["2026-03-09T22:00", "2026-03-10T12:00"]],
    },
    {
      name: "24:00 end merges with the next day's 00:00 start",
      rules: {
        weeklyHours: [{ day: 1, start: "00:00", end: "24:00" }, {
          day: 2,
          start: "00:00",
          end: "12:00",
        }],
      },
      from: "2026-03-08T00:00",
      to: "2026-03-12T00:00",
      expect: [["2026-03-09T00:00", "2026-03-10T12:00"]],
    },
    {
      name: "overlapping ranges on one day merge",
      rules: {
        weeklyHours: [{ day: 3, start: "09:00", end: "12:00" }, {
          day: 3,
          start: "11:00",
          end: "14:00",
        }],
      },
      from: "2026-03-11T00:00",
      to: "2026-03-12T00:00",
      expect: [["2026-03-11T09:00", "2026-03-11T14:00"]],
    },
    {
      name: "blackout removes its day, including the previous night's tail",
      rules: {
        weeklyHours: everyDay("22:00", "06:00"),
        blackoutDates: ["2026-03-10"],
      },
      from: "2026-03-09T00:00",
      to: "2026-03-12T00:00",
      expect: [
        ["2026-03-09T00:00", "2026-03-09T06:00"],
        ["2026-03-09T22:00", "2026-03-10T00:00"],
        ["2026-03-11T00:00", "2026-03-11T06:00"],
        ["2026-03-11T22:00", "2026-03-12T00:00"],
      ],
    },
    {
      name: "empty when to is not after from",
      rules: {},
      from: "2026-03-11T12:00",
      to: "2026-03-11T12:00",
      expect: [],
    },
  ];

  for (const c of cases) {
    await t.step(c.name, () => {
      const got = openIntervals(rules(c.rules), at(c.from), at(c.to));
      assert.deepEqual(
        got.map((iv) => [local(iv.start), local(iv.end)]),
        c.expect,
      );
    });
  }
});

Deno.test("nextBookableStart", async (t) => {
  const base = { weeklyHours: everyDay("09:00", "17:00") };
  const cases: {
    name: string;
    rules?: Partial<AvailabilityRules>;
    occupied?: [string, string][];
    now?: number;
    fromDate: string;
    days: number;
    expect: [string, string] | null;
  }[] = [
    {
      name: "skips a fully booked day and a blackout day",
      rules: { ...base, blackoutDates: ["2026-03-12"] },
      occupied: [["2026-03-11T09:00", "2026-03-11T17:00"]],
      fromDate: "2026-03-11",
      days: 7,
      expect: ["2026-03-13T09:00", "2026-03-13T13:00"],
    },
    {
      name: "null when every searched day is unavailable",
      rules: { ...base, blackoutDates: ["2026-03-12"] },
      occupied: [["2026-03-11T09:00", "2026-03-11T17:00"]],
      fromDate: "2026-03-11",
      days: 2,
      expect: null,
    },
    {
      name: "first free start later on the same day",
      rules: base,
      occupied: [["2026-03-11T09:00", "2026-03-11T12:00"]],
      fromDate: "2026-03-11",
      days: 1,
      expect: ["2026-03-11T12:00", "2026-03-11T16:00"],
    },
    {
      name: "minimum notice pushes to the next day",
      rules: { ...base, minNoticeHours: 2 },
      now: at("2026-03-11T14:00"),
      fromDate: "2026-03-11",
      days: 3,
      expect: ["2026-03-12T09:00", "2026-03-12T13:00"],
    },
    {
      name: "null beyond the booking window",
      rules: { ...base, bookingWindowDays: 10 },
      fromDate: "2026-03-20",
      days: 30,
      expect: null,
    },
    {
      name: "null when searching zero days",
      rules: base,
      fromDate: "2026-03-11",
      days: 0,
      expect: null,
    },
  ];

  for (const c of cases) {
    await t.step(c.name, () => {
      const occupied = (c.occupied ?? []).map((o) => span(o));
      const got = nextBookableStart(
        rules(c.rules),
        occupied,
        c.now ?? NOW,
        c.fromDate,
        c.days,
      );
      assert.deepEqual(got && [local(got.start), local(got.maxEnd)], c.expect);
    });
  }
});

Deno.test("bookableStarts agrees with checkInterval start by start", async (t) => {
  const cases: {
    name: string;
    rules: Partial<AvailabilityRules>;
    date: string;
    occupied: [string, string][];
  }[] = [
    {
      name: "buffer and several bookings",
      rules: { bufferMinutes: 15, maxHours: 6 },
      date: "2026-03-11",
      occupied: [["2026-03-11T10:10", "2026-03-11T11:00"], [
        "2026-03-11T14:45",
        "2026-03-11T15:00",
      ]],
    },
    {
      name: "merged overnight hours with a booking after midnight",
      rules: {
        weeklyHours: [MON_NIGHT, TUE_MORNING],
        bufferMinutes: 30,
        maxHours: 8,
      },
      date: "2026-03-09",
      occupied: [["2026-03-10T04:00", "2026-03-10T05:00"]],
    },
    {
      name:
        "45-minute slots with a minimum that is not a whole number of slots",
      rules: {
        weeklyHours: everyDay("00:00", "24:00"),
        slotMinutes: 45,
        minHours: 1,
        maxHours: 3,
      },
      date: "2026-03-08",
      occupied: [["2026-03-08T06:00", "2026-03-08T07:00"]],
    },
    {
      name: "a permit lapsing at midnight, overnight hours",
      rules: {
        weeklyHours: everyDay("20:00", "04:00"),
        maxHours: 6,
        bookableUntil: at("2026-03-12T00:00"),
      },
      date: "2026-03-11",
      occupied: [],
    },
    {
      name: "blackout the day after, with notice",
      rules: {
        weeklyHours: everyDay("20:00", "04:00"),
        blackoutDates: ["2026-03-12"],
        minNoticeHours: 24 * 10 + 8,
      },
      date: "2026-03-11",
      occupied: [],
    },
  ];

  for (const c of cases) {
    await t.step(c.name, () => {
      const r = rules(c.rules);
      const occupied = c.occupied.map((o) => span(o));
      const slot = (r.slotMinutes ?? 30) * 60_000;
      const dayStart = at(`${c.date}T00:00`);
      const dayEnd = at(
        `${Temporal.PlainDate.from(c.date).add({ days: 1 })}T00:00`,
      );
      const passes = (start: number, end: number) =>
        checkInterval(r, { start, end }, occupied, NOW).ok;

      const expected = [];
      for (let start = dayStart; start < dayEnd; start += slot) {
        let maxEnd = start + r.minHours * HOUR;
        if (!passes(start, maxEnd)) continue;
        for (
          let end = start + slot;
          end <= start + r.maxHours * HOUR;
          end += slot
        ) {
          if (end > maxEnd && passes(start, end)) maxEnd = end;
        }
        expected.push({ start, maxEnd });
      }
      assert.ok(expected.length > 0);
      assert.deepEqual(bookableStarts(r, c.date, occupied, NOW), expected);
    });
  }
});

Deno.test("bookableUntil: nothing is offered that could not end by then", async (t) => {
  // A permit that lasts to the end of Wednesday 2026-03-11 in New York.
  const until = at("2026-03-12T00:00");
  const r = rules({
    weeklyHours: everyDay("00:00", "24:00"),
    maxHours: 4,
    bookableUntil: until,
  });
  await t.step("the last day: starts end by midnight, ends pulled back", () => {
    const starts = bookableStarts(r, "2026-03-11", [], NOW);
    assert.equal(local(starts.at(-1)!.start), "2026-03-11T22:00");
    assert.ok(starts.every((s) => s.maxEnd <= until));
    const late = starts.find((s) => local(s.start) === "2026-03-11T21:00")!;
    assert.equal(local(late.maxEnd), "2026-03-12T00:00");
    // Without the lapse, the same day runs on past midnight.
    const open = bookableStarts(
      { ...r, bookableUntil: undefined },
      "2026-03-11",
      [],
      NOW,
    );
    assert.equal(local(open.at(-1)!.start), "2026-03-11T23:30");
  });
  await t.step(
    "later days offer nothing, and the next free start is before",
    () => {
      assert.deepEqual(bookableStarts(r, "2026-03-12", [], NOW), []);
      assert.deepEqual(bookableStarts(r, "2026-03-20", [], NOW), []);
      assert.equal(
        nextBookableStart(r, [], at("2026-03-11T23:00"), "2026-03-11", 14),
        null,
      );
    },
  );
  await t.step(
    "a request ending after it is refused; one ending at it is fine",
    () => {
      const check = (start: string, end: string) =>
        checkInterval(r, span([start, end]), [], NOW);
      assert.deepEqual(check("2026-03-11T22:00", "2026-03-12T00:00"), {
        ok: true,
      });
      assert.deepEqual(check("2026-03-11T22:30", "2026-03-12T00:30"), {
        ok: false,
        reason: "permits_lapse",
      });
      assert.deepEqual(check("2026-03-15T10:00", "2026-03-15T12:00"), {
        ok: false,
        reason: "permits_lapse",
      });
    },
  );
});

Deno.test("invalid dates throw RangeError", async (t) => {
  const dates = [
    "2026-02-30",
    "2026-13-01",
    "2026-3-8",
    "20260308",
    "2026-03-08T00:00",
    "",
    "soon",
  ];
  for (const date of dates) {
    await t.step(JSON.stringify(date), () => {
      assert.throws(() => bookableStarts(rules(), date, [], NOW), RangeError);
      assert.throws(
        () => nextBookableStart(rules(), [], NOW, date, 3),
        RangeError,
      );
    });
  }
});

Deno.test("malformed rules throw RangeError", async (t) => {
  const cases: { name: string; rules: Partial<AvailabilityRules> }[] = [
    {
      name: "blackout date not YYYY-MM-DD",
      rules: { blackoutDates: ["2026-3-12"] },
    },
    {
      name: "clock time past 24:00",
      rules: { weeklyHours: [{ day: 3, start: "09:00", end: "25:00" }] },
    },
    {
      name: "range starting at 24:00",
      rules: { weeklyHours: [{ day: 3, start: "24:00", end: "02:00" }] },
    },
    { name: "zero slotMinutes", rules: { slotMinutes: 0 } },
    { name: "unknown time zone", rules: { timeZone: "Mars/Olympus_Mons" } },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      assert.throws(
        () => bookableStarts(rules(c.rules), "2026-03-11", [], NOW),
        RangeError,
      );
    });
  }
});

Deno.test("rejectionMessage: every reason in plain words, naming the kitchen's own limits", async (t) => {
  const limits = {
    minHours: 3,
    maxHours: 8,
    minNoticeHours: 24,
    bookingWindowDays: 60,
  };
  const cases: [Rejection, RegExp][] = [
    ["invalid", /^Please choose an end time after the start time\.$/],
    ["outside_hours", /not open for the whole of that time/],
    ["blackout", /closed on that date/],
    ["too_short", /shorter than this kitchen's minimum of 3 hours\.$/],
    ["too_long", /longer than this kitchen's maximum of 8 hours\.$/],
    ["past", /^That time has passed\./],
    [
      "too_soon",
      /too soon: this kitchen takes bookings at least 24 hours ahead/,
    ],
    ["too_far_ahead", /up to 60 days ahead/],
    ["permits_lapse", /permits run out before that booking would end/],
    ["overlaps", /already booked part of that time/],
    ["inside_buffer", /too close to another booking/],
  ];
  for (const [reason, expected] of cases) {
    await t.step(reason, () => {
      const message = rejectionMessage(reason, limits);
      assert.match(message, expected);
      assert.match(message, /^[A-Z].*\.$/);
    });
  }
  await t.step("a time in the past never speaks of notice", () => {
    assert.doesNotMatch(rejectionMessage("past", limits), /notice|soon/);
  });
  await t.step("one hour is singular", () => {
    assert.match(
      rejectionMessage("too_short", { ...limits, minHours: 1 }),
      /minimum of 1 hour\.$/,
    );
  });
});

Deno.test("lengthProblem: a number of hours outside the kitchen's range names the range", () => {
  const cases: [number, number, number, string | null][] = [
    [2, 12, 2, null],
    [2, 12, 12, null],
    [2, 12, 6.5, null],
    [2, 12, 25, "Pick between 2 and 12 hours."],
    [2, 12, 0, "Pick between 2 and 12 hours."],
    [2, 12, 1.5, "Pick between 2 and 12 hours."],
    [2, 12, 12.5, "Pick between 2 and 12 hours."],
    [4, 4, 4, null],
    [4, 4, 5, "This kitchen is booked for exactly 4 hours."],
    [1, 1, 2, "This kitchen is booked for exactly 1 hour."],
  ];
  for (const [minHours, maxHours, hours, expected] of cases) {
    assert.equal(
      lengthProblem({ minHours, maxHours }, hours),
      expected,
      `${hours} h in ${minHours}–${maxHours}`,
    );
  }
});

Deno.test("bookableHours: the lengths that fit from a start, minimum first", () => {
  const start = at("2026-03-11T09:00");
  const cases: {
    name: string;
    minHours: number;
    slotMinutes?: number;
    longest: number;
    expect: number[];
  }[] = [
    { name: "only the minimum", minHours: 2, longest: 2, expect: [2] },
    {
      name: "half-hour steps up to the latest end",
      minHours: 2,
      longest: 4,
      expect: [2, 2.5, 3, 3.5, 4],
    },
    {
      name: "a latest end between steps rounds down",
      minHours: 2,
      longest: 3.25,
      expect: [2, 2.5, 3],
    },
    {
      name: "less than the minimum fits nothing",
      minHours: 2,
      longest: 1.5,
      expect: [],
    },
    {
      name: "hour slots",
      minHours: 1,
      slotMinutes: 60,
      longest: 3,
      expect: [1, 2, 3],
    },
    {
      name: "a whole day",
      minHours: 23.5,
      longest: 24,
      expect: [23.5, 24],
    },
  ];
  for (const c of cases) {
    assert.deepEqual(
      bookableHours(
        { minHours: c.minHours, slotMinutes: c.slotMinutes },
        { start, maxEnd: start + c.longest * HOUR },
      ),
      c.expect,
      c.name,
    );
  }
});

Deno.test("bookableHours: every length offered from every bookable start passes checkInterval", () => {
  const r = rules({
    bufferMinutes: 30,
    maxHours: 6,
    weeklyHours: everyDay("08:00", "20:00"),
  });
  const occupied = [span(["2026-03-11T12:00", "2026-03-11T14:00"])];
  const starts = bookableStarts(r, "2026-03-11", occupied, NOW);
  assert.ok(starts.length > 0);
  for (const s of starts) {
    const lengths = bookableHours(r, s);
    assert.ok(lengths.length > 0);
    for (const h of lengths) {
      const req = { start: s.start, end: s.start + h * HOUR };
      assert.deepEqual(checkInterval(r, req, occupied, NOW), { ok: true });
    }
    // Half an hour more than the longest does not fit.
    const over = {
      start: s.start,
      end: s.start + (lengths.at(-1)! + 0.5) * HOUR,
    };
    assert.equal(checkInterval(r, over, occupied, NOW).ok, false);
  }
});
