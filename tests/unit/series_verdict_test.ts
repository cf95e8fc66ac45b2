import assert from "node:assert/strict";
import type { AvailabilityRules } from "../../lib/kitchens/availability.ts";
import type { CalendarDay } from "../../lib/bookings/day_claims.ts";
import {
  type CalendarFacts,
  calendarFacts,
  type DateAssessment,
  type DateState,
  judgeDates,
} from "../../lib/bookings/series_verdict.ts";

const HOUR = 3600_000;
const CHICAGO = "America/Chicago";

const RULES: AvailabilityRules = {
  timeZone: CHICAGO,
  weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((day) => ({
    day,
    start: "08:00",
    end: "20:00",
  })),
  blackoutDates: ["2027-03-11"],
  bufferMinutes: 30,
  minNoticeHours: 0,
  bookingWindowDays: 90,
  minHours: 2,
  maxHours: 12,
};

/** Tue Mar 9 2027, 9 AM - 1 PM in Chicago, and "now" a week before. */
const AT = Date.parse("2027-03-09T15:00:00Z");
const DATE = { start: AT, end: AT + 4 * HOUR };
const NOW = AT - 7 * 24 * HOUR;

const allow: DateAssessment = { decision: "ALLOW", denies: [], conditions: [] };
const fee = { code: "fees.sf_cleaning.assessed", message: "A city fee." };
const training = {
  code: "training.missing",
  message: "You need a verified food handler card.",
  renterDocument: true,
};
const insurance = {
  code: "insurance.liability.min",
  message: "Your liability insurance must cover at least $1,000,000.",
  renterDocument: true,
};
const quiet = {
  code: "sound.quiet_hours",
  message: "The city does not allow kitchen use between 10 PM and 6 AM.",
};
const permit = {
  code: "permit.health_permit.missing",
  message: "This kitchen's health permit expires before your booking ends.",
};
const deny = (...d: DateAssessment["denies"]): DateAssessment => ({
  decision: "DENY",
  denies: d,
  conditions: [],
});
const free: CalendarFacts = { rejection: null, taken: [] };

Deno.test("series verdict: each date judged, the first date deciding what a renter lacks (table)", () => {
  const cases: [
    string,
    { calendar: CalendarFacts; assessment: DateAssessment }[],
    [DateState, RegExp | null][],
  ][] = [
    [
      "all free",
      [{ calendar: free, assessment: allow }, {
        calendar: free,
        assessment: allow,
      }],
      [["free", null], ["free", null]],
    ],
    [
      "a closed date",
      [{ calendar: free, assessment: allow }, {
        calendar: { rejection: "blackout", taken: [] },
        assessment: allow,
      }],
      [["free", null], ["conflict", /The kitchen is closed on that date/]],
    ],
    [
      "outside the kitchen's hours",
      [{
        calendar: { rejection: "outside_hours", taken: [] },
        assessment: allow,
      }],
      [["conflict", /not open for the whole of that time/]],
    ],
    [
      "past the series' window",
      [{
        calendar: { rejection: "too_far_ahead", taken: [] },
        assessment: allow,
      }],
      [["conflict", /takes weekly bookings up to 3 months ahead/]],
    ],
    [
      "a permit lapsing first (the calendar's own rule)",
      [{
        calendar: { rejection: "permits_lapse", taken: [] },
        assessment: allow,
      }],
      [["conflict", /permits run out before that booking would end/]],
    ],
    [
      "a booking, and a host's block",
      [
        { calendar: { rejection: null, taken: ["booked"] }, assessment: allow },
        {
          calendar: { rejection: null, taken: ["booked", "blocked"] },
          assessment: allow,
        },
        { calendar: { rejection: null, taken: ["yours"] }, assessment: allow },
      ],
      [
        ["conflict", /^Already booked at this time\.$/],
        ["conflict", /The host has blocked this time/],
        ["conflict", /You already have a booking at this time/],
      ],
    ],
    [
      "quiet hours and a permit: the city's reasons",
      [
        { calendar: free, assessment: allow },
        { calendar: free, assessment: deny(quiet) },
        { calendar: free, assessment: deny(permit) },
      ],
      [
        ["free", null],
        ["conflict", /does not allow kitchen use/],
        ["conflict", /health permit expires/],
      ],
    ],
    [
      "a document lapsing in week 6: renew from then on",
      [
        { calendar: free, assessment: allow },
        { calendar: free, assessment: allow },
        { calendar: free, assessment: deny(training) },
        { calendar: free, assessment: deny(training, insurance) },
      ],
      [
        ["free", null],
        ["free", null],
        [
          "renew",
          /lapses before this date\. You need a verified food handler card/,
        ],
        ["renew", /food handler card\. Your liability insurance/],
      ],
    ],
    [
      "a document the renter lacks from the first date: every date refused",
      [
        { calendar: free, assessment: deny(training) },
        { calendar: free, assessment: deny(training) },
      ],
      [
        ["conflict", /food handler card/],
        ["conflict", /food handler card/],
      ],
    ],
    [
      "lacking one document, another lapsing: still refused",
      [
        { calendar: free, assessment: deny(insurance) },
        { calendar: free, assessment: deny(training, insurance) },
      ],
      [["conflict", /insurance/], ["conflict", /food handler card/]],
    ],
    [
      "a lapsing document and quiet hours: the city's reason wins",
      [
        { calendar: free, assessment: allow },
        { calendar: free, assessment: deny(training, quiet) },
      ],
      [["free", null], ["conflict", /does not allow kitchen use/]],
    ],
    [
      "the calendar before the city",
      [{
        calendar: { rejection: null, taken: ["booked"] },
        assessment: deny(quiet),
      }],
      [["conflict", /Already booked/]],
    ],
  ];
  for (const [name, dates, want] of cases) {
    const got = judgeDates(dates, RULES, 3);
    assert.equal(got.length, want.length, name);
    got.forEach((v, i) => {
      assert.equal(v.state, want[i][0], `${name} #${i + 1}`);
      if (want[i][1] === null) {
        assert.equal(v.reason, null, `${name} #${i + 1}`);
      } else assert.match(v.reason ?? "", want[i][1]!, `${name} #${i + 1}`);
    });
  }
});

Deno.test("series verdict: a free date keeps its conditions for the renter to tick", () => {
  const [v] = judgeDates(
    [{
      calendar: free,
      assessment: {
        decision: "ALLOW_WITH_CONDITIONS",
        denies: [],
        conditions: [fee],
      },
    }],
    RULES,
    3,
  );
  assert.equal(v.state, "free");
  assert.deepEqual(v.conditions, [fee]);
});

const day = (
  ...claims: [string, number, number, number | null][]
): CalendarDay => ({
  v: 1,
  claims: claims.map(([ref, start, end, expiresAt]) => ({
    ref,
    start,
    end,
    bufferMs: 30 * 60_000,
    expiresAt,
  })),
});

Deno.test("series verdict: the calendar side of a date (table)", () => {
  const claim = { ref: "me", bufferMs: 30 * 60_000 };
  const cases: [string, CalendarDay[], ReadonlySet<string>, CalendarFacts][] = [
    ["an empty day", [day()], new Set(), free],
    [
      "a booking overlapping",
      [day(["b1", AT + HOUR, AT + 2 * HOUR, null])],
      new Set(),
      { rejection: null, taken: ["booked"] },
    ],
    [
      "a booking inside the buffer",
      [day(["b1", AT + 4 * HOUR + 10 * 60_000, AT + 6 * HOUR, null])],
      new Set(),
      { rejection: null, taken: ["booked"] },
    ],
    [
      "a booking just outside the buffer",
      [day(["b1", AT + 4 * HOUR + 30 * 60_000, AT + 6 * HOUR, null])],
      new Set(),
      free,
    ],
    [
      "a hold that lapsed is free",
      [day(["b1", AT, AT + HOUR, NOW - 1])],
      new Set(),
      free,
    ],
    [
      "a host's block",
      [day(["block:x", AT - HOUR, AT + HOUR, null])],
      new Set(),
      { rejection: null, taken: ["blocked"] },
    ],
    [
      "the renter's own hold",
      [day(["mine", AT, AT + HOUR, NOW + HOUR])],
      new Set(["mine"]),
      { rejection: null, taken: ["yours"] },
    ],
    [
      "its own claim is not in its way",
      [day(["me", AT, AT + 4 * HOUR, null])],
      new Set(),
      free,
    ],
  ];
  for (const [name, days, mine, want] of cases) {
    assert.deepEqual(
      calendarFacts(RULES, DATE, days, NOW, claim, mine),
      want,
      name,
    );
  }
  // The rules: a closed date, and the window.
  const closed = Date.parse("2027-03-11T15:00:00Z");
  assert.deepEqual(
    calendarFacts(
      RULES,
      { start: closed, end: closed + 4 * HOUR },
      [day()],
      NOW,
      claim,
    ),
    { rejection: "blackout", taken: [] },
  );
  assert.deepEqual(
    calendarFacts(RULES, DATE, [day()], AT - 100 * 24 * HOUR, claim),
    { rejection: "too_far_ahead", taken: [] },
  );
});
