import assert from "node:assert/strict";
import { z } from "zod";
import {
  MAX_OCCURRENCES,
  planOccurrences,
  refineRule,
  ruleOf,
  RuleProblem,
  ruleQuery,
  seriesDates,
  type SeriesRule,
  seriesRuleFields,
  weekdaysText,
  weeklyHref,
} from "../../lib/bookings/series_rule.ts";

const CHICAGO = "America/Chicago";
const HOUR = 3600_000;

function rule(over: Partial<SeriesRule> = {}): SeriesRule {
  return {
    weekdays: [2, 4],
    start: "05:00",
    end: "10:00",
    every: 1,
    from: "2027-03-01",
    until: null,
    count: 8,
    ...over,
  };
}

/** The wall clock of an instant in Chicago: "2027-03-16T05:00". */
function wall(ms: number): string {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(CHICAGO)
    .toPlainDateTime().toString().slice(0, 16);
}

Deno.test("series rule: weekdays, intervals and where the series starts (table)", () => {
  const cases: [string, Partial<SeriesRule>, string[]][] = [
    [
      "Tue and Thu every week, 8 dates",
      {},
      [
        "2027-03-02",
        "2027-03-04",
        "2027-03-09",
        "2027-03-11",
        "2027-03-16",
        "2027-03-18",
        "2027-03-23",
        "2027-03-25",
      ],
    ],
    [
      "a first date mid-week skips the weekdays before it",
      { from: "2027-03-03", count: 3 },
      ["2027-03-04", "2027-03-09", "2027-03-11"],
    ],
    [
      "every 2 weeks counts from the week of the first date",
      { weekdays: [1, 3], from: "2027-03-03", every: 2, count: 4 },
      ["2027-03-03", "2027-03-15", "2027-03-17", "2027-03-29"],
    ],
    [
      "every 4 weeks on Saturdays",
      { weekdays: [6], every: 4, count: 3 },
      ["2027-03-06", "2027-04-03", "2027-05-01"],
    ],
    [
      "until a date, inclusive",
      { weekdays: [6], count: null, until: "2027-03-20" },
      ["2027-03-06", "2027-03-13", "2027-03-20"],
    ],
    [
      "until a date that is not one of the weekdays",
      { weekdays: [2], count: null, until: "2027-03-15" },
      ["2027-03-02", "2027-03-09"],
    ],
    [
      "Sunday is the last day of the week",
      { weekdays: [7, 1], from: "2027-03-07", count: 3 },
      ["2027-03-07", "2027-03-08", "2027-03-14"],
    ],
  ];
  for (const [name, over, want] of cases) {
    assert.deepEqual(seriesDates(rule(over)), want, name);
  }
});

Deno.test("series rule: until and count describe the same dates", () => {
  const byCount = seriesDates(rule({ count: 6 }));
  const byUntil = seriesDates(
    rule({ count: null, until: byCount[byCount.length - 1] }),
  );
  assert.deepEqual(byUntil, byCount);
});

Deno.test("series rule: the caps of 26 dates and 6 months (table)", () => {
  const refused: [string, Partial<SeriesRule>, string, RegExp][] = [
    [
      "27 dates",
      { count: 27 },
      "count",
      /at most 26 dates/,
    ],
    [
      "26 Saturdays every 4 weeks run past 6 months",
      { weekdays: [6], every: 4, count: 26 },
      "count",
      /would run past 6 months/,
    ],
    [
      "a last date 7 months on",
      { count: null, until: "2027-10-01" },
      "until",
      /at most 6 months: pick a last date by Wed, Sep 1, 2027/,
    ],
    [
      "every weekday until 6 months on is more than 26 dates",
      { weekdays: [1, 2, 3, 4, 5], count: null, until: "2027-08-31" },
      "until",
      /more than 26 dates/,
    ],
    ["no weekday", { weekdays: [] }, "weekdays", /at least one weekday/],
    ["every 5 weeks", { every: 5 }, "every", /1, 2, 3 or 4 weeks/],
    [
      "both a count and a last date",
      { count: 4, until: "2027-04-01" },
      "count",
      /not both/,
    ],
  ];
  for (const [name, over, field, message] of refused) {
    assert.throws(
      () => seriesDates(rule(over)),
      (e) =>
        e instanceof RuleProblem && e.field === field &&
        message.test(e.message),
      name,
    );
  }
  // At the caps exactly: 26 dates, and a last date 6 months on.
  assert.equal(
    seriesDates(rule({ weekdays: [2, 4], count: MAX_OCCURRENCES })).length,
    26,
  );
  assert.equal(
    seriesDates(rule({ weekdays: [5], count: null, until: "2027-09-01" }))
      .length,
    26,
  );
});

Deno.test("series rule: wall-clock times hold across the March and November DST changes", () => {
  // Chicago springs forward on Sun 2027-03-14 and falls back on Sun 2027-11-07.
  const march = planOccurrences(
    rule({ weekdays: [6, 7], from: "2027-03-13", count: 4 }),
    CHICAGO,
  );
  assert.deepEqual(
    march.map((o) => [wall(o.start), wall(o.end), (o.end - o.start) / HOUR]),
    [
      ["2027-03-13T05:00", "2027-03-13T10:00", 5],
      ["2027-03-14T05:00", "2027-03-14T10:00", 5],
      ["2027-03-20T05:00", "2027-03-20T10:00", 5],
      ["2027-03-21T05:00", "2027-03-21T10:00", 5],
    ],
  );
  // The same wall clock is an hour earlier in UTC once daylight time starts.
  assert.equal(
    new Date(march[0].start).toISOString(),
    "2027-03-13T11:00:00.000Z",
  );
  assert.equal(
    new Date(march[1].start).toISOString(),
    "2027-03-14T10:00:00.000Z",
  );

  const november = planOccurrences(
    rule({ weekdays: [6, 7], from: "2027-11-06", count: 2 }),
    CHICAGO,
  );
  assert.equal(
    new Date(november[0].start).toISOString(),
    "2027-11-06T10:00:00.000Z",
  );
  assert.equal(
    new Date(november[1].start).toISOString(),
    "2027-11-07T11:00:00.000Z",
  );
});

Deno.test("series rule: overnight sessions, DST nights and midnight ends (table)", () => {
  const cases: [
    string,
    Partial<SeriesRule>,
    string,
    [string, string, number],
  ][] = [
    [
      "an ordinary overnight",
      {
        weekdays: [6],
        start: "22:00",
        end: "06:00",
        from: "2027-03-06",
        count: 1,
      },
      CHICAGO,
      ["2027-03-06T22:00", "2027-03-07T06:00", 8],
    ],
    [
      "the March night is an hour shorter",
      {
        weekdays: [6],
        start: "22:00",
        end: "06:00",
        from: "2027-03-13",
        count: 1,
      },
      CHICAGO,
      ["2027-03-13T22:00", "2027-03-14T06:00", 7],
    ],
    [
      "the November night is an hour longer",
      {
        weekdays: [6],
        start: "22:00",
        end: "06:00",
        from: "2027-11-06",
        count: 1,
      },
      CHICAGO,
      ["2027-11-06T22:00", "2027-11-07T06:00", 9],
    ],
    [
      "a start the clocks skip is read an hour later",
      {
        weekdays: [7],
        start: "02:30",
        end: "06:00",
        from: "2027-03-14",
        count: 1,
      },
      CHICAGO,
      ["2027-03-14T03:30", "2027-03-14T06:00", 2.5],
    ],
    [
      "an end at midnight is the next day's midnight",
      {
        weekdays: [5],
        start: "18:00",
        end: "24:00",
        from: "2027-03-05",
        count: 1,
      },
      CHICAGO,
      ["2027-03-05T18:00", "2027-03-06T00:00", 6],
    ],
  ];
  for (const [name, over, zone, [start, end, hours]] of cases) {
    const [o] = planOccurrences(rule(over), zone);
    assert.deepEqual(
      [wall(o.start), wall(o.end), (o.end - o.start) / HOUR],
      [start, end, hours],
      name,
    );
    assert.equal(o.localDate, over.from, name);
  }
});

const query = z.object(seriesRuleFields).superRefine(refineRule);
const read = (q: Record<string, string | string[]>) =>
  query.safeParse({
    weekdays: [],
    start: "",
    end: "",
    every: "",
    from: "",
    count: "",
    until: "",
    ...Object.fromEntries(
      Object.entries(q).map((
        [k, v],
      ) => [k, k === "weekdays" && !Array.isArray(v) ? [v] : v]),
    ),
  });
const good = {
  weekdays: "tue,thu",
  start: "05:00",
  end: "10:00",
  every: "1",
  from: "2027-03-02",
  count: "8",
};

Deno.test("series rule: the URL contract parses, and bad input names its field (table)", () => {
  const ok = read(good);
  assert.ok(ok.success);
  assert.deepEqual(ruleOf(ok.data), {
    weekdays: [2, 4],
    start: "05:00",
    end: "10:00",
    every: 1,
    from: "2027-03-02",
    until: null,
    count: 8,
  });
  // Checkboxes send one value per weekday.
  const boxes = read({ ...good, weekdays: ["thu", "tue", "tue"] });
  assert.ok(boxes.success && boxes.data.weekdays.join() === "2,4");
  assert.equal(
    ruleQuery("K", ruleOf(ok.data)),
    "kitchen=K&weekdays=tue%2Cthu&start=05%3A00&end=10%3A00&every=1&from=2027-03-02&count=8",
  );

  const bad: [Record<string, string>, string, RegExp][] = [
    [{ weekdays: "" }, "weekdays", /at least one weekday/],
    [{ weekdays: "tue,funday" }, "weekdays", /Monday to Sunday/],
    [{ every: "5" }, "every", /1, 2, 3 or 4 weeks/],
    [{ every: "0" }, "every", /1, 2, 3 or 4 weeks/],
    [{ count: "27" }, "count", /at most 26 dates/],
    [{ count: "1" }, "count", /at least 2 dates/],
    [{ count: "" }, "count", /how many dates, or the last date/],
    [{ until: "2027-04-01" }, "until", /not both/],
    [{ count: "", until: "2027-09-03" }, "until", /at most 6 months/],
    [{ count: "", until: "2027-03-01" }, "until", /on or after the first date/],
    [{ start: "05:15" }, "start", /half hour/],
    [{ end: "10:00", start: "10:00" }, "end", /after the start/],
    [{ from: "2027-02-30" }, "from", /date like/],
  ];
  for (const [over, field, message] of bad) {
    const r = read({ ...good, ...over });
    assert.ok(!r.success, JSON.stringify(over));
    const issue = r.error.issues.find((i) => i.path[0] === field);
    assert.ok(
      issue,
      `${JSON.stringify(over)}: ${JSON.stringify(r.error.issues)}`,
    );
    assert.match(issue.message, message, JSON.stringify(over));
  }
});

Deno.test("series rule: weekdays read as people say them", () => {
  assert.equal(weekdaysText([2, 4]), "Tuesdays and Thursdays");
  assert.equal(weekdaysText([6]), "Saturdays");
  assert.equal(weekdaysText([1, 3, 5]), "Mondays, Wednesdays and Fridays");
});

Deno.test("series rule: a last date beside a first date that does not read is refused, not thrown (fuzz #2833)", () => {
  const r = read({ ...good, from: "", count: "", until: "x@aaaa" });
  assert.ok(!r.success);
  assert.ok(r.error.issues.some((i) => i.path[0] === "from"));
  const s = read({
    ...good,
    from: "2027-02-30",
    count: "",
    until: "2027-03-04",
  });
  assert.ok(!s.success);
});

Deno.test("series rule: the weekly form for picked hours opens on their weekday and times", () => {
  const cases: [
    string,
    { date?: string; start?: string; end?: string },
    string,
  ][] = [
    [
      "a Monday morning",
      { date: "2026-12-07", start: "06:00", end: "08:00" },
      "/bookings/series/new?kitchen=K1&from=2026-12-07&weekdays=mon&start=06%3A00&end=08%3A00&every=1&count=8",
    ],
    [
      "a Sunday night, overnight",
      { date: "2026-12-13", start: "22:00", end: "02:00" },
      "/bookings/series/new?kitchen=K1&from=2026-12-13&weekdays=sun&start=22%3A00&end=02%3A00&every=1&count=8",
    ],
    [
      "a date without hours",
      { date: "2026-12-09" },
      "/bookings/series/new?kitchen=K1&from=2026-12-09",
    ],
    ["nothing picked", {}, "/bookings/series/new?kitchen=K1"],
  ];
  for (const [why, pick, href] of cases) {
    assert.equal(weeklyHref("K1", pick), href, why);
  }
});
