// The hours a search brings to a kitchen page (issue 17 §6): the query, the links that carry it,
// what the picker opens on, the week view beside it, and the phone's "Filters (n)" count.
import assert from "node:assert/strict";
import type { BookableStart } from "../../lib/kitchens/availability.ts";
import { weekStart } from "../../lib/kitchens/free_time.ts";
import {
  kitchenPageHref,
  type KitchenPick,
  parseKitchenPick,
  pickedHours,
  pickFromSearch,
  pickNote,
} from "../../lib/kitchens/pick.ts";
import { filterCount } from "../../lib/kitchens/search_query.ts";
import { freeStretches, weekView } from "../../lib/kitchens/week_view.ts";
import { dayPick } from "../../lib/kitchens/pick.ts";

const CHI = { timeZone: "America/Chicago" };
const at = (iso: string) => Date.parse(iso);
/** A start and its latest end, both as Chicago wall-clock times on Thu 2026-12-03 (UTC-6). */
const slot = (start: string, end: string): BookableStart => ({
  start: at(`2026-12-03T${start}:00-06:00`),
  maxEnd: at(`2026-12-03T${end}:00-06:00`),
});

Deno.test("kitchen pick: the query reads a date with a start and an end or hours; bad input names the field", () => {
  const empty = { date: "", start: "", end: "", hours: "" };
  const ok: [Record<string, string>, KitchenPick][] = [
    [empty, {}],
    [{ ...empty, date: "2026-12-03" }, { date: "2026-12-03" }],
    [
      { date: "2026-12-03", start: "09:00", end: "13:00", hours: "" },
      { date: "2026-12-03", start: "09:00", end: "13:00" },
    ],
    [
      { ...empty, date: "2026-12-03", start: " 22:00 ", end: "02:00" },
      { date: "2026-12-03", start: "22:00", end: "02:00" },
    ],
    [
      { ...empty, date: "2026-12-03", hours: "2.5" },
      { date: "2026-12-03", hours: 2.5 },
    ],
  ];
  for (const [query, pick] of ok) {
    assert.deepEqual(parseKitchenPick(query), { ok: true, pick }, query.start);
  }
  const bad: [Record<string, string>, Record<string, string>][] = [
    [{ ...empty, date: "2026-13-45" }, { date: "Use a date like 2026-12-31" }],
    [
      { ...empty, date: "2026-12-03", start: "25:00", end: "13:00" },
      { start: "Use a 24-hour time like 09:30" },
    ],
    [
      { ...empty, date: "2026-12-03", start: "24:00" },
      { start: "Start before midnight" },
    ],
    [
      { ...empty, date: "2026-12-03", end: "13:00" },
      { start: "Give a start time with the end" },
    ],
    [
      { date: "2026-12-03", start: "09:00", end: "13:00", hours: "4" },
      { hours: "Use either an end time or a number of hours" },
    ],
    [
      { ...empty, start: "09:00", end: "13:00" },
      { date: "Pick a date to choose hours" },
    ],
    [
      { ...empty, date: "2026-12-03", hours: "1.3" },
      { hours: "Use whole or half hours" },
    ],
    [
      { ...empty, date: "2026-12-03", hours: "lots" },
      { hours: "Enter a number of hours" },
    ],
    [
      { ...empty, date: "2026-12-03", hours: "25" },
      { hours: "Book at most 24 hours" },
    ],
  ];
  for (const [query, errors] of bad) {
    assert.deepEqual(
      parseKitchenPick(query),
      { ok: false, errors },
      JSON.stringify(query),
    );
  }
});

Deno.test("kitchen pick: links write the pick in one order, empty fields left out", () => {
  const cases: [KitchenPick, string][] = [
    [{}, "/kitchens/K"],
    [{ date: "2026-12-03" }, "/kitchens/K?date=2026-12-03"],
    [
      { end: "13:00", start: "09:00", date: "2026-12-03" },
      "/kitchens/K?date=2026-12-03&start=09:00&end=13:00",
    ],
    [
      { hours: 3, date: "2026-12-03", start: "10:30" },
      "/kitchens/K?date=2026-12-03&start=10:30&hours=3",
    ],
  ];
  for (const [pick, href] of cases) {
    assert.equal(kitchenPageHref("K", pick), href);
  }
});

Deno.test("kitchen pick: a search card carries the search's date and hours, and for a duration the start it shows", () => {
  const free = slot("10:30", "20:00");
  const cases: [
    { date?: string; start?: string; end?: string; hours?: number },
    BookableStart | null,
    KitchenPick,
  ][] = [
    [{}, free, {}],
    [{ date: "2026-12-03" }, free, { date: "2026-12-03" }],
    [
      { date: "2026-12-03", start: "09:00", end: "13:00" },
      free,
      { date: "2026-12-03", start: "09:00", end: "13:00" },
    ],
    [
      { date: "2026-12-03", hours: 3 },
      free,
      { date: "2026-12-03", start: "10:30", hours: 3 },
    ],
    [{ date: "2026-12-03", hours: 3 }, null, { date: "2026-12-03", hours: 3 }],
  ];
  for (const [q, s, pick] of cases) {
    assert.deepEqual(pickFromSearch(q, CHI, s), pick, JSON.stringify(q));
  }
});

/** Today and the last bookable date, around every date the cases ask. */
const WINDOW = { today: "2026-10-01", lastDate: "2027-01-31" };

Deno.test("kitchen pick: the picker opens on the start asked, the end as elapsed hours (overnight and DST counted)", () => {
  const slots = [slot("08:00", "09:30"), slot("10:00", "20:00")];
  const day = "2026-12-03";
  const cases: [string, string, KitchenPick, ReturnType<typeof pickedHours>][] =
    [
      ["nothing asked", day, { date: day }, {}],
      ["another date's pick", day, { date: "2026-12-04", start: "09:00" }, {}],
      [
        "a start and an end",
        day,
        { date: day, start: "09:00", end: "13:00" },
        { start: "09:00", hours: 4, asked: "9:00 AM - 1:00 PM" },
      ],
      [
        "an end past midnight is the next day",
        day,
        { date: day, start: "22:00", end: "02:00" },
        { start: "22:00", hours: 4, asked: "10:00 PM - 2:00 AM" },
      ],
      [
        "a start and hours",
        day,
        { date: day, start: "09:00", hours: 3 },
        { start: "09:00", hours: 3, asked: "9:00 AM - 12:00 PM" },
      ],
      [
        "a start alone",
        day,
        { date: day, start: "09:00" },
        { start: "09:00", asked: "9:00 AM" },
      ],
      [
        "hours alone take the first start they fit from",
        day,
        { date: day, hours: 3 },
        { start: "10:00", hours: 3 },
      ],
      [
        "hours that fit nowhere",
        day,
        { date: day, hours: 11 },
        { hours: 11, asked: "11 hours" },
      ],
      [
        // Sun 2026-11-01: clocks go back at 2:00, so midnight to 4:00 is five hours.
        "across the autumn DST change",
        "2026-11-01",
        { date: "2026-11-01", start: "00:00", end: "04:00" },
        { start: "00:00", hours: 5, asked: "12:00 AM - 4:00 AM" },
      ],
    ];
  for (const [why, date, pick, want] of cases) {
    assert.deepEqual(pickedHours(CHI, date, slots, pick, WINDOW), want, why);
  }
  // Outside the booking window nothing opens, and no instant is counted:
  // 9999-12-31 has no next day for an end at midnight to fall on.
  const outside: [string, KitchenPick, ReturnType<typeof pickedHours>][] = [
    [
      "9999-12-31",
      { date: "9999-12-31", start: "23:00", end: "00:00" },
      { start: "23:00", asked: "11:00 PM - 12:00 AM" },
    ],
    [
      "9999-12-31",
      { date: "9999-12-31", start: "09:00" },
      { start: "09:00", asked: "9:00 AM" },
    ],
    ["2026-01-05", { date: "2026-01-05", hours: 3 }, { asked: "3 hours" }],
    ["2026-01-05", { date: "2026-01-05" }, {}],
  ];
  for (const [date, pick, want] of outside) {
    assert.deepEqual(pickedHours(CHI, date, [], pick, WINDOW), want, date);
  }
});

Deno.test("kitchen pick: a note only when the picker could not open on the hours asked", () => {
  const asked = { start: "09:00", hours: 4, asked: "9:00 AM - 1:00 PM" };
  const sorry =
    "9:00 AM - 1:00 PM can't be booked here on Thu, Dec 3. Choose other hours below, or another day this week.";
  const cases: [
    string,
    ReturnType<typeof pickedHours>,
    { start: string | null; hours: number | null },
    string | null,
  ][] = [
    ["nothing asked", {}, { start: "08:00", hours: null }, null],
    ["honoured", asked, { start: "09:00", hours: 4 }, null],
    ["the start is taken", asked, { start: "08:00", hours: 4 }, sorry],
    ["shorter than asked", asked, { start: "09:00", hours: 3 }, sorry],
    ["no hours that day", asked, { start: null, hours: null }, sorry],
    [
      "a duration that fits nowhere",
      { hours: 11, asked: "11 hours" },
      { start: "08:00", hours: null },
      "11 hours can't be booked here on Thu, Dec 3. Choose other hours below, or another day this week.",
    ],
  ];
  for (const [why, picked, opened, note] of cases) {
    assert.equal(pickNote("2026-12-03", picked, opened), note, why);
  }
  // With the kitchen's lengths, a length outside them says so.
  const lengths = { minHours: 4, maxHours: 8 };
  const three = { start: "10:00", hours: 3, asked: "10:00 AM - 1:00 PM" };
  assert.equal(
    pickNote("2026-12-03", three, { start: "10:00", hours: 4 }, lengths),
    "10:00 AM - 1:00 PM can't be booked here on Thu, Dec 3. This kitchen is booked for at least 4 hours. Choose other hours below, or another day this week.",
  );
  assert.match(
    pickNote("2026-12-03", { hours: 11, asked: "11 hours" }, {
      start: "08:00",
      hours: null,
    }, lengths)!,
    /booked for at most 8 hours\./,
  );
  assert.equal(
    pickNote("2026-12-03", asked, { start: "08:00", hours: 4 }, lengths),
    sorry,
    "taken, not too short: no length to blame",
  );
});

Deno.test("week view: weeks run Monday to Sunday", () => {
  const cases: [string, string][] = [
    ["2026-12-07", "2026-12-07"],
    ["2026-12-10", "2026-12-07"],
    ["2026-12-13", "2026-12-07"],
    ["2027-01-01", "2026-12-28"],
  ];
  for (const [date, monday] of cases) assert.equal(weekStart(date), monday);
});

Deno.test("week view: free stretches merge starts whose bookings touch or overlap", () => {
  const cases: [string, BookableStart[], [string, string][]][] = [
    ["none", [], []],
    ["one", [slot("09:00", "13:00")], [["09:00", "13:00"]]],
    [
      "overlapping starts are one stretch",
      [slot("09:00", "13:00"), slot("09:30", "15:00"), slot("12:00", "14:00")],
      [["09:00", "15:00"]],
    ],
    [
      "a booking in between splits the day",
      [slot("08:00", "11:00"), slot("13:00", "20:00")],
      [["08:00", "11:00"], ["13:00", "20:00"]],
    ],
  ];
  const wall = (ms: number) =>
    new Date(ms - 6 * 3600_000).toISOString().slice(11, 16);
  for (const [why, starts, want] of cases) {
    assert.deepEqual(
      freeStretches(starts).map((s) => [wall(s.start), wall(s.end)]),
      want,
      why,
    );
  }
});

Deno.test("week view: seven labelled days, the picked one marked, links a week either way inside the window", () => {
  const week = Array.from({ length: 7 }, (_, i) => {
    const date = `2026-12-${String(7 + i).padStart(2, "0")}`;
    // As weekSlots marks them when today is Tuesday.
    return {
      date,
      inWindow: date >= "2026-12-08",
      starts: [] as BookableStart[],
    };
  });
  // Thu: two stretches; Fri: a night shift into Saturday.
  week[3].starts = [slot("08:00", "11:00"), slot("13:00", "20:00")];
  week[4].starts = [{
    start: at("2026-12-11T22:00:00-06:00"),
    maxEnd: at("2026-12-12T06:00:00-06:00"),
  }];
  const K = { id: "K", ...CHI };
  const view = weekView(K, week, "2026-12-10", {
    today: "2026-12-08",
    lastDate: "2027-01-31",
  }, { start: "10:00", end: "14:00" });
  assert.equal(view.heading, "Week of Mon, Dec 7");
  assert.deepEqual(
    view.days.map((d) => [d.label, d.href !== null, d.picked, d.free]),
    [
      ["Mon, Dec 7", false, false, []],
      ["Tue, Dec 8", true, false, []],
      ["Wed, Dec 9", true, false, []],
      ["Thu, Dec 10", true, true, ["8:00 AM - 11:00 AM", "1:00 PM - 8:00 PM"]],
      ["Fri, Dec 11", true, false, ["10:00 PM - 6:00 AM next day"]],
      ["Sat, Dec 12", true, false, []],
      ["Sun, Dec 13", true, false, []],
    ],
  );
  assert.deepEqual(view.days.map((d) => d.freeText), [
    "Not bookable",
    "No free hours",
    "No free hours",
    "8:00 AM - 11:00 AM, 1:00 PM - 8:00 PM",
    "10:00 PM - 6:00 AM next day",
    "No free hours",
    "No free hours",
  ]);
  // Each day opens the page on it, with the length of the hours asked
  // where it cannot take them at that time (dayPick's table below).
  assert.equal(view.days[5].href, "/kitchens/K?date=2026-12-12&hours=4#book");
  // Today is in this week: no earlier week to open.
  assert.equal(view.earlier, null);
  assert.equal(view.later, "2026-12-17");
  assert.equal(
    view.laterHref,
    "/kitchens/K?date=2026-12-17&start=10:00&end=14:00#week",
  );

  const cases: [
    string,
    { today: string; lastDate: string },
    string | null,
    string | null,
  ][] = [
    [
      "the week before holds today: it opens on today, not a week back",
      { today: "2026-12-04", lastDate: "2027-01-31" },
      "2026-12-04",
      "2026-12-17",
    ],
    [
      "the window ends this week",
      { today: "2026-11-20", lastDate: "2026-12-12" },
      "2026-12-03",
      null,
    ],
    [
      "the window ends next week",
      { today: "2026-11-20", lastDate: "2026-12-15" },
      "2026-12-03",
      "2026-12-15",
    ],
  ];
  for (const [why, window, earlier, later] of cases) {
    const v = weekView(K, week, "2026-12-10", window);
    assert.deepEqual([v.earlier, v.later], [earlier, later], why);
  }
  // A page opened past the booking window (this week is the window's last)
  // marks no day and steps from the window's edge, never from the year 9999.
  const past = weekView(K, week, "9999-12-31", {
    today: "2026-11-20",
    lastDate: "2026-12-15",
  });
  assert.deepEqual(past.days.filter((d) => d.picked), []);
  assert.deepEqual([past.earlier, past.later], ["2026-12-08", "2026-12-15"]);
});

Deno.test("search: the phone's Filters button counts the filters a search sets", () => {
  const cases: [
    Record<string, string | string[] | number | undefined>,
    number,
  ][] = [
    [{ sort: "price", equipment: [], storage: [] }, 0],
    [{ city: "chicago", equipment: [], storage: [] }, 1],
    [{ city: "chicago", date: "2026-12-10", start: "09:00", end: "13:00" }, 3],
    [{ date: "2026-12-10", hours: 4 }, 2],
    [{ minPrice: 10, maxPrice: 50 }, 1],
    [{ equipment: ["fryer", "smoker"], storage: ["cold"], sort: "newest" }, 3],
    // A refused search echoes what was typed, lists joined by commas.
    [{ city: "", date: "banana", equipment: "fryer,smoker", storage: "" }, 3],
  ];
  for (const [q, n] of cases) {
    assert.equal(filterCount(q), n, JSON.stringify(q));
  }
});

Deno.test("week view: a day's link keeps the hours asked where that day can take them, else their length", () => {
  // Wed Dec 9 in Chicago: starts at 10:00 (free to 14:00) and 22:00 (to 02:00).
  const day = {
    date: "2026-12-09",
    starts: [
      {
        start: at("2026-12-09T10:00:00-06:00"),
        maxEnd: at("2026-12-09T14:00:00-06:00"),
      },
      {
        start: at("2026-12-09T22:00:00-06:00"),
        maxEnd: at("2026-12-10T02:00:00-06:00"),
      },
    ],
  };
  const cases: [string, KitchenPick, KitchenPick][] = [
    ["nothing asked", {}, { date: "2026-12-09" }],
    [
      "hours alone travel as they are",
      { date: "2026-12-12", hours: 3 },
      { date: "2026-12-09", hours: 3 },
    ],
    [
      "a start and end the day can take",
      { date: "2026-12-12", start: "10:00", end: "13:00" },
      { date: "2026-12-09", start: "10:00", end: "13:00" },
    ],
    [
      "a start and hours the day can take",
      { date: "2026-12-12", start: "10:00", hours: 4 },
      { date: "2026-12-09", start: "10:00", hours: 4 },
    ],
    [
      "overnight, the day can take it",
      { date: "2026-12-12", start: "22:00", end: "02:00" },
      { date: "2026-12-09", start: "22:00", end: "02:00" },
    ],
    [
      "free at that start, but not for that long: the length alone",
      { date: "2026-12-12", start: "10:00", end: "15:00" },
      { date: "2026-12-09", hours: 5 },
    ],
    [
      "no start at that time: the length alone",
      { date: "2026-12-12", start: "06:00", end: "09:00" },
      { date: "2026-12-09", hours: 3 },
    ],
    [
      "a start alone the day has",
      { date: "2026-12-12", start: "22:00" },
      { date: "2026-12-09", start: "22:00" },
    ],
    [
      "a start alone the day lacks: the date alone",
      { date: "2026-12-12", start: "06:00" },
      { date: "2026-12-09" },
    ],
  ];
  for (const [why, pick, want] of cases) {
    assert.deepEqual(dayPick(CHI, day, pick), want, why);
  }
  // The length travels as asked on the wall clock, whatever a clock change
  // inside the asked span would make of it, down to a half hour.
  const closed = (date: string) => ({ date, starts: [] });
  const lengths: [string, string, KitchenPick, KitchenPick][] = [
    [
      "spring forward: 02:00 does not exist that night",
      "2026-03-08",
      { date: "2026-03-07", start: "02:00", end: "03:00" },
      { date: "2026-03-08", hours: 1 },
    ],
    [
      "spring forward inside an overnight span",
      "2026-03-07",
      { date: "2026-03-06", start: "22:00", end: "06:00" },
      { date: "2026-03-07", hours: 8 },
    ],
    [
      "fall back inside an overnight span",
      "2026-10-31",
      { date: "2026-10-30", start: "22:00", end: "06:00" },
      { date: "2026-10-31", hours: 8 },
    ],
    [
      "an end off the half hour: down to one",
      "2026-12-09",
      { date: "2026-12-12", start: "09:00", end: "10:45" },
      { date: "2026-12-09", hours: 1.5 },
    ],
    [
      "less than half an hour: the date alone",
      "2026-12-09",
      { date: "2026-12-12", start: "09:00", end: "09:15" },
      { date: "2026-12-09" },
    ],
  ];
  for (const [why, date, pick, want] of lengths) {
    assert.deepEqual(dayPick(CHI, closed(date), pick), want, why);
  }
});
