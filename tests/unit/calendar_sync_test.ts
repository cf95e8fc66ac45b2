// The pure parts of calendar sync: which URLs and addresses may be fetched,
// how a feed's events become busy time (recurrence, all-day, overnight, DST),
// and how blocks are cut to fit KV's atomic limits.
import assert from "node:assert/strict";
import {
  checkFeedUrl,
  classifyAddress,
  hostProblem,
  MAX_FEED_URL_LENGTH,
} from "../../lib/calendar_sync/address.ts";
import { serialize } from "node:v8";
import {
  allDayInterval,
  CalendarParseError,
  cleanSummary,
  ianaZone,
  MAX_OCCURRENCES_PER_RULE,
  parseCalendar,
} from "../../lib/calendar_sync/parse.ts";
import {
  capPerDay,
  MAX_BLOCK_DAYS,
  MAX_DAY_CLAIMS,
  MAX_IMPORTED_PER_DAY,
  occupancySegments,
  splitForClaims,
} from "../../lib/bookings/blocks.ts";
import {
  claimDays,
  MAX_CLAIMS_PER_DAY,
} from "../../lib/bookings/day_claims.ts";
import { kitchenFields } from "../../lib/kitchens/schema.ts";
import {
  blockTimes,
  importStatus,
} from "../../components/CalendarSyncPage.tsx";
import {
  type ImportFeed,
  MAX_IMPORT_FEEDS,
} from "../../lib/calendar_sync/schema.ts";
import { isPermanentFailure } from "../../lib/calendar_sync/feeds.ts";
import { FeedFetchError } from "../../lib/calendar_sync/fetch.ts";
import { ConflictError } from "../../lib/errors.ts";
import { loadConfig } from "../../lib/config.ts";

const CHICAGO = "America/Chicago";
const off = { allowLoopback: false };
const on = { allowLoopback: true };

/** The instant of a wall time in a zone (the test's own reading, with Temporal). */
const at = (wall: string, zone = CHICAGO) =>
  Temporal.PlainDateTime.from(wall).toZonedDateTime(zone).epochMilliseconds;

const HOUR = 3600_000;

Deno.test("calendar sync: feed URLs are http(s) only, bounded, without credentials or private hosts", () => {
  const cases: [string, string | null][] = [
    ["https://calendar.google.com/calendar/ical/x/basic.ics", null],
    ["http://example.com/feed.ics", null],
    ["  https://example.com/feed.ics  ", null],
    ["webcal://p01-caldav.icloud.com/published/2/abc", null],
    ["", "Enter the calendar's URL"],
    ["ftp://example.com/feed.ics", "Use a link that starts with https://"],
    ["file:///etc/passwd", "Use a link that starts with https://"],
    ["javascript:alert(1)", "Use a link that starts with https://"],
    ["not a url", "Use a link that starts with https://"],
    ["https://user:pass@example.com/x.ics", "without a user name or password"],
    [
      `https://example.com/${"a".repeat(MAX_FEED_URL_LENGTH)}`,
      "at most 2000 characters",
    ],
    ["http://127.0.0.1:8000/feed.ics", "private network"],
    ["http://2130706433/", "private network"], // 127.0.0.1 as one number
    ["http://0x7f.0.0.1/", "private network"],
    ["http://[::1]/", "private network"],
    ["http://localhost/feed.ics", "private network"],
    ["http://calendar.localhost/feed.ics", "private network"],
    ["http://10.1.2.3/feed.ics", "private network"],
    ["http://172.16.0.9/", "private network"],
    ["http://192.168.1.1/", "private network"],
    ["http://169.254.169.254/latest/meta-data/", "private network"],
    ["http://[fd00:ec2::254]/", "private network"],
    ["http://[::ffff:169.254.169.254]/", "private network"],
    ["http://metadata.google.internal/", "private network"],
    ["http://intranet/", "private network"],
    ["http://printer.local/", "private network"],
  ];
  for (const [url, problem] of cases) {
    const check = checkFeedUrl(url, off);
    if (problem === null) {
      assert.ok(check.ok, `${url}: ${!check.ok && check.problem}`);
    } else {
      assert.ok(!check.ok, `${url} should be refused`);
      assert.ok(
        check.problem.includes(problem),
        `${url}: ${check.problem}`,
      );
    }
  }
  const webcal = checkFeedUrl("webcal://example.com/x.ics", off);
  assert.ok(webcal.ok);
  assert.equal(webcal.url.href, "https://example.com/x.ics");
});

Deno.test("calendar sync: the test option allows loopback and nothing else private", () => {
  for (
    const url of [
      "http://127.0.0.1:8000/x",
      "http://[::1]/",
      "http://localhost:1/",
    ]
  ) {
    assert.ok(checkFeedUrl(url, on).ok, url);
  }
  for (
    const url of [
      "http://10.0.0.1/",
      "http://169.254.169.254/",
      "http://192.168.0.1/",
      "http://[fe80::1]/",
    ]
  ) {
    assert.ok(!checkFeedUrl(url, on).ok, url);
  }
  assert.equal(hostProblem("example.com", off), null);
});

Deno.test("calendar sync: addresses are classified by range, IPv4 inside IPv6 included", () => {
  const cases: [string, string][] = [
    ["8.8.8.8", "public"],
    ["1.1.1.1", "public"],
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["0.0.0.0", "private"],
    ["10.0.0.1", "private"],
    ["100.64.0.1", "private"],
    ["100.100.100.200", "private"], // Alibaba metadata
    ["169.254.169.254", "private"], // AWS/GCP/Azure metadata
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.1", "private"],
    ["192.0.2.1", "private"],
    ["198.18.0.1", "private"],
    ["224.0.0.1", "private"],
    ["255.255.255.255", "private"],
    ["2606:4700:4700::1111", "public"],
    ["::1", "loopback"],
    ["::", "private"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:8.8.8.8", "public"],
    ["::ffff:a9fe:a9fe", "private"],
    ["64:ff9b::a9fe:a9fe", "private"], // NAT64 of 169.254.169.254
    ["64:ff9b::808:808", "public"],
    ["2002:a9fe:a9fe::1", "private"], // 6to4 of 169.254.169.254
    ["fc00::1", "private"],
    ["fd00:ec2::254", "private"], // AWS metadata over IPv6
    ["fe80::1", "private"],
    ["ff02::1", "private"],
    ["2001:db8::1", "private"],
    ["1:::2", "invalid"],
    ["999.1.1.1", "invalid"],
    ["example.com", "invalid"],
  ];
  for (const [address, kind] of cases) {
    assert.equal(classifyAddress(address), kind, address);
  }
});

Deno.test("calendar sync: CALENDAR_FETCH_ALLOW_LOOPBACK defaults off and is refused in production", () => {
  const base = { DENO_KV_PATH: ":memory:" };
  assert.equal(
    loadConfig({ ...base, APP_ENV: "test" }).CALENDAR_FETCH_ALLOW_LOOPBACK,
    false,
  );
  assert.equal(
    loadConfig({
      ...base,
      APP_ENV: "test",
      CALENDAR_FETCH_ALLOW_LOOPBACK: "true",
    }).CALENDAR_FETCH_ALLOW_LOOPBACK,
    true,
  );
  assert.throws(
    () =>
      loadConfig({
        ...base,
        APP_ENV: "production",
        BASE_URL: "https://prep.example",
        RESEND_API_KEY: "re_x",
        STRIPE_SECRET_KEY: "sk_test_x",
        STRIPE_WEBHOOK_SECRET: "whsec_x",
        CALENDAR_FETCH_ALLOW_LOOPBACK: "true",
      }),
    /CALENDAR_FETCH_ALLOW_LOOPBACK: test-only/,
  );
});

function ics(...events: string[][]): string {
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Prep tests//EN",
    ...events.flatMap((e) => ["BEGIN:VEVENT", ...e, "END:VEVENT"]),
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}

const WINDOW = {
  timeZone: CHICAGO,
  from: at("2027-03-01T00:00"),
  to: at("2027-04-01T00:00"),
};

const spans = (text: string, opts = WINDOW) =>
  parseCalendar(text, opts).events.map((e) => [e.start, e.end]);

Deno.test("calendar sync: a single event with a TZID is read in that zone", () => {
  const text = ics([
    "UID:one",
    "DTSTART;TZID=America/New_York:20270305T090000",
    "DTEND;TZID=America/New_York:20270305T120000",
    "SUMMARY:Pop-up",
  ]);
  const [e] = parseCalendar(text, WINDOW).events;
  assert.equal(e.start, at("2027-03-05T09:00", "America/New_York"));
  assert.equal(e.end, at("2027-03-05T12:00", "America/New_York"));
  assert.equal(e.summary, "Pop-up");
  assert.equal(e.key, `one|${e.start}|${e.end}`);
});

Deno.test("calendar sync: UTC, floating and unknown-zone times", () => {
  assert.deepEqual(
    spans(ics(["UID:u", "DTSTART:20270305T150000Z", "DTEND:20270305T170000Z"])),
    [[Date.parse("2027-03-05T15:00:00Z"), Date.parse("2027-03-05T17:00:00Z")]],
  );
  // Floating: the kitchen's wall clock.
  assert.deepEqual(
    spans(ics(["UID:f", "DTSTART:20270305T090000", "DTEND:20270305T100000"])),
    [[at("2027-03-05T09:00"), at("2027-03-05T10:00")]],
  );
  // A TZID with a "/mozilla.org/…" style prefix still names an IANA zone.
  assert.equal(
    ianaZone("/mozilla.org/20050126_1/Europe/Paris"),
    "Europe/Paris",
  );
  assert.equal(ianaZone("Not A Zone"), null);
});

Deno.test("calendar sync: a Windows TZID uses the feed's VTIMEZONE", () => {
  const text = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Outlook//EN",
    "BEGIN:VTIMEZONE",
    "TZID:Central Standard Time",
    "BEGIN:STANDARD",
    "DTSTART:16011104T020000",
    "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11",
    "TZOFFSETFROM:-0500",
    "TZOFFSETTO:-0600",
    "END:STANDARD",
    "BEGIN:DAYLIGHT",
    "DTSTART:16010311T020000",
    "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3",
    "TZOFFSETFROM:-0600",
    "TZOFFSETTO:-0500",
    "END:DAYLIGHT",
    "END:VTIMEZONE",
    "BEGIN:VEVENT",
    "UID:w",
    "DTSTART;TZID=Central Standard Time:20270320T100000",
    "DTEND;TZID=Central Standard Time:20270320T110000",
    "END:VEVENT",
    "END:VCALENDAR",
  ].join("\r\n");
  assert.deepEqual(spans(text), [[
    at("2027-03-20T10:00"),
    at("2027-03-20T11:00"),
  ]]);
});

Deno.test("calendar sync: all-day events are whole local days in the kitchen's zone", () => {
  const cases: [string, string | null, string, number][] = [
    // [start date, end date, zone, hours]
    ["2027-03-05", "2027-03-06", CHICAGO, 24],
    ["2027-03-14", "2027-03-15", CHICAGO, 23], // spring forward
    ["2027-11-07", "2027-11-08", CHICAGO, 25], // fall back
    ["2027-03-05", null, CHICAGO, 24], // no DTEND: one day
    ["2027-03-05", "2027-03-05", CHICAGO, 24], // end not after start: one day
    ["2027-03-05", "2027-03-08", CHICAGO, 72],
    ["2027-03-14", "2027-03-15", "UTC", 24],
  ];
  for (const [start, end, zone, hours] of cases) {
    const iv = allDayInterval(start, end, zone);
    assert.equal(iv.start, at(`${start}T00:00`, zone), `${start} ${zone}`);
    assert.equal((iv.end - iv.start) / HOUR, hours, `${start}–${end} ${zone}`);
  }
  assert.deepEqual(
    spans(
      ics([
        "UID:a",
        "DTSTART;VALUE=DATE:20270314",
        "DTEND;VALUE=DATE:20270315",
      ]),
    ),
    [[at("2027-03-14T00:00"), at("2027-03-15T00:00")]],
  );
});

Deno.test("calendar sync: an overnight event across the DST change is its exact instants", () => {
  const [[start, end]] = spans(ics([
    "UID:o",
    "DTSTART;TZID=America/Chicago:20270313T220000",
    "DTEND;TZID=America/Chicago:20270314T060000",
  ]));
  assert.equal(start, at("2027-03-13T22:00"));
  assert.equal(end, at("2027-03-14T06:00"));
  assert.equal(
    (end - start) / HOUR,
    7,
    "the night the clocks go forward is 7 hours",
  );
});

Deno.test("calendar sync: RRULE with EXDATE across DST keeps the wall-clock times", () => {
  const text = ics([
    "UID:daily",
    "DTSTART;TZID=America/Chicago:20270311T090000",
    "DTEND;TZID=America/Chicago:20270311T110000",
    "RRULE:FREQ=DAILY;COUNT=6",
    "EXDATE;TZID=America/Chicago:20270313T090000",
  ], [
    "UID:nightly",
    "DTSTART;TZID=America/Chicago:20270312T220000",
    "DTEND;TZID=America/Chicago:20270313T060000",
    "RRULE:FREQ=DAILY;UNTIL=20270315T030000Z",
  ]);
  const got = spans(text);
  const daily = ["11", "12", "14", "15", "16"].map((d) => [
    at(`2027-03-${d}T09:00`),
    at(`2027-03-${d}T11:00`),
  ]);
  const nightly = ["12", "13", "14"].map((d) => [
    at(`2027-03-${d}T22:00`),
    at(`2027-03-${Number(d) + 1}T06:00`),
  ]);
  assert.deepEqual(
    got,
    [...daily, ...nightly].sort((a, b) => a[0] - b[0]),
  );
  // 09:00 is 15:00Z before the change and 14:00Z after it.
  assert.equal(new Date(daily[0][0]).toISOString(), "2027-03-11T15:00:00.000Z");
  assert.equal(new Date(daily[2][0]).toISOString(), "2027-03-14T14:00:00.000Z");
});

Deno.test("calendar sync: a UTC EXDATE removes an instance of a zoned series", () => {
  const text = ics([
    "UID:x",
    "DTSTART;TZID=America/Chicago:20270315T090000",
    "DTEND;TZID=America/Chicago:20270315T100000",
    "RRULE:FREQ=DAILY;COUNT=3",
    "EXDATE:20270316T140000Z",
  ]);
  assert.deepEqual(spans(text), [
    [at("2027-03-15T09:00"), at("2027-03-15T10:00")],
    [at("2027-03-17T09:00"), at("2027-03-17T10:00")],
  ]);
});

Deno.test("calendar sync: moved and cancelled instances, free and cancelled events", () => {
  const text = ics(
    [
      "UID:s",
      "DTSTART;TZID=America/Chicago:20270315T090000",
      "DTEND;TZID=America/Chicago:20270315T100000",
      "RRULE:FREQ=DAILY;COUNT=3",
    ],
    [
      "UID:s",
      "RECURRENCE-ID;TZID=America/Chicago:20270316T090000",
      "DTSTART;TZID=America/Chicago:20270316T130000",
      "DTEND;TZID=America/Chicago:20270316T150000",
    ],
    [
      "UID:s",
      "RECURRENCE-ID;TZID=America/Chicago:20270317T090000",
      "DTSTART;TZID=America/Chicago:20270317T090000",
      "DTEND;TZID=America/Chicago:20270317T100000",
      "STATUS:CANCELLED",
    ],
    [
      "UID:free",
      "DTSTART:20270320T150000Z",
      "DTEND:20270320T160000Z",
      "TRANSP:TRANSPARENT",
    ],
    [
      "UID:gone",
      "DTSTART:20270321T150000Z",
      "DTEND:20270321T160000Z",
      "STATUS:CANCELLED",
    ],
    ["UID:zero", "DTSTART:20270322T150000Z", "DTEND:20270322T150000Z"],
  );
  assert.deepEqual(spans(text), [
    [at("2027-03-15T09:00"), at("2027-03-15T10:00")],
    [at("2027-03-16T13:00"), at("2027-03-16T15:00")],
  ]);
});

Deno.test("calendar sync: DURATION, and the window bounds what is returned", () => {
  assert.deepEqual(
    spans(ics(["UID:d", "DTSTART:20270305T150000Z", "DURATION:PT90M"])),
    [[Date.parse("2027-03-05T15:00:00Z"), Date.parse("2027-03-05T16:30:00Z")]],
  );
  const text = ics(
    ["UID:before", "DTSTART:20270201T150000Z", "DTEND:20270201T160000Z"],
    ["UID:after", "DTSTART:20270501T150000Z", "DTEND:20270501T160000Z"],
    // Started before the window, still running in it: kept, real start.
    ["UID:running", "DTSTART:20270228T150000Z", "DTEND:20270302T160000Z"],
    [
      "UID:forever",
      "DTSTART:20100104T150000Z",
      "DTEND:20100104T160000Z",
      "RRULE:FREQ=WEEKLY",
    ],
  );
  const got = parseCalendar(text, WINDOW).events;
  assert.equal(got.filter((e) => e.key.startsWith("running|")).length, 1);
  assert.equal(got[0].start, Date.parse("2027-02-28T15:00:00Z"));
  assert.equal(got.filter((e) => e.key.startsWith("forever|")).length, 5);
  assert.ok(got.every((e) => e.end > WINDOW.from && e.start < WINDOW.to));
});

Deno.test("calendar sync: limits: too many events, endless rules, not a calendar", () => {
  const many = ics([
    "UID:m",
    "DTSTART:20270301T150000Z",
    "DTEND:20270301T151000Z",
    "RRULE:FREQ=HOURLY",
  ]);
  const capped = parseCalendar(many, { ...WINDOW, maxEvents: 100 });
  assert.equal(capped.events.length, 100);
  // One an hour from 15:00Z on March 1 to the window's end (DST skips none).
  const hourly = (WINDOW.to - Date.parse("2027-03-01T15:00:00Z")) / HOUR;
  assert.equal(capped.tooMany, hourly - 100);

  // Every second since 2000: given up on, counted, and quick.
  const endless = ics([
    "UID:e",
    "DTSTART:20000101T000000Z",
    "DTEND:20000101T000001Z",
    "RRULE:FREQ=SECONDLY",
  ], ["UID:ok", "DTSTART:20270305T150000Z", "DTEND:20270305T160000Z"]);
  const t0 = performance.now();
  const parsed = parseCalendar(endless, WINDOW);
  assert.ok(performance.now() - t0 < 5_000);
  assert.equal(parsed.repeatsCut, 1, "cut where its steps ran out");
  assert.equal(parsed.unreadable, 0);
  assert.deepEqual(parsed.events.map((e) => e.key.split("|")[0]), ["ok"]);

  assert.throws(
    () => parseCalendar("<!doctype html><title>Sign in</title>", WINDOW),
    (err) =>
      err instanceof CalendarParseError &&
      /did not return a calendar/.test(err.message),
  );
  assert.throws(
    () => parseCalendar("BEGIN:VCALENDAR\r\nthis is not ical", WINDOW),
    CalendarParseError,
  );
});

Deno.test("calendar sync: one rule keeps at most its cap of repeats in the window", () => {
  const rule = (freq: string, extra: string[] = []) =>
    ics([
      "UID:r",
      "DTSTART:20270302T000000Z",
      "DTEND:20270302T000001Z",
      `RRULE:FREQ=${freq}`,
      ...extra,
    ], ["UID:ok", "DTSTART:20270305T150000Z", "DTEND:20270305T160000Z"]);
  const cases: [string, string, number, number][] = [
    // [what, feed, repeats kept, rules cut]
    ["every second: the cap, then cut", rule("SECONDLY"), 1_000, 1],
    ["every minute: the cap, then cut", rule("MINUTELY"), 1_000, 1],
    ["daily: all 31 in the window", rule("DAILY"), 31, 0],
    // Exactly the cap within the window, more after it: nothing was cut.
    [
      "hourly, 10 a day, for the window",
      rule("HOURLY;BYHOUR=8,9,10,11,12,13,14,15,16,17"),
      300,
      0,
    ],
  ];
  for (const [what, text, kept, cut] of cases) {
    const got = parseCalendar(text, WINDOW);
    assert.equal(
      got.events.filter((e) => e.key.startsWith("r|")).length,
      kept,
      what,
    );
    assert.ok(got.events.some((e) => e.key.startsWith("ok|")), what);
    assert.equal(got.repeatsCut, cut, what);
  }
  const exact = parseCalendar(
    rule("HOURLY;BYHOUR=8,9,10,11,12,13,14,15,16,17"),
    {
      ...WINDOW,
      maxOccurrencesPerRule: 300,
    },
  );
  assert.equal(exact.repeatsCut, 0, "exactly the cap in the window is whole");
  assert.equal(MAX_OCCURRENCES_PER_RULE, 1_000);
});

Deno.test("calendar sync: a feed's busy times are capped per local day, earliest first", () => {
  const piece = (key: string, ...claimDays: string[]) => ({ key, claimDays });
  const cases: [
    string,
    ReturnType<typeof piece>[],
    number,
    string[],
    number,
  ][] = [
    ["under the cap", [piece("a", "d1"), piece("b", "d1")], 2, ["a", "b"], 0],
    [
      "the third on a day of two",
      [piece("a", "d1"), piece("b", "d1"), piece("c", "d1"), piece("d", "d2")],
      2,
      ["a", "b", "d"],
      1,
    ],
    [
      // A piece across two days needs room on both.
      "an overnight piece onto a full day",
      [piece("a", "d2"), piece("b", "d2"), piece("c", "d1", "d2")],
      2,
      ["a", "b"],
      1,
    ],
    ["nothing", [], 2, [], 0],
  ];
  for (const [what, pieces, max, kept, crowded] of cases) {
    const got = capPerDay(pieces, max);
    assert.deepEqual(got.kept.map((p) => p.key), kept, what);
    assert.equal(got.crowded, crowded, what);
  }
});

Deno.test("calendar sync: a day document at the import caps fits in one KV value", async () => {
  // The longest refs: blocks ("block:" + ULID) and bookings (a ULID, with
  // a buffer and an expiry); five feeds at the cap, then bookings every hour.
  const claim = (i: number, ref: string, hold: boolean) => ({
    ref,
    start: at("2027-03-02T00:00") + i * 60_000,
    end: at("2027-03-02T00:00") + i * 60_000 + 1_000,
    bufferMs: hold ? 240 * 60_000 : 0,
    expiresAt: hold ? at("2027-03-02T00:00") + i : null,
  });
  const ulid = "01M915G1V8J1JXAH86D3QFRGNA";
  assert.ok(MAX_IMPORT_FEEDS * MAX_IMPORTED_PER_DAY <= MAX_DAY_CLAIMS);
  const day = {
    v: 1,
    claims: [
      ...Array.from(
        { length: MAX_DAY_CLAIMS },
        (_, i) => claim(i, `block:${ulid}`, false),
      ),
      ...Array.from({ length: 48 }, (_, i) => claim(i, ulid, true)),
    ],
  };
  using kv = await Deno.openKv(":memory:");
  await kv.set(["calendar_days", "k", "2027-03-02"], day);
  const bytes = serialize(day).byteLength;
  assert.ok(bytes < 48 * 1024, `${bytes} bytes`);
});

Deno.test("calendar: blocks at their cap plus every booking a day can take stay under MAX_CLAIMS_PER_DAY, which fits in one KV value", async () => {
  // Bookings never come closer than the larger buffer and last at least the
  // shortest minimum; a day document holds those whose buffered time
  // touches the day. Worst case: a 25-hour day (Chicago's fall-back day),
  // each buffer the schema allows, bookings packed as tight as the rules let.
  const minMs = kitchenFields.shape.minHours.minValue! * 3600_000;
  const maxBufferMinutes = kitchenFields.shape.bufferMinutes.maxValue!;
  const day = "2027-11-07";
  const d0 = at("2027-11-07T00:00");
  const d1 = at("2027-11-08T00:00");
  assert.equal(d1 - d0, 25 * 3600_000);
  let most = 0;
  for (let m = 0; m <= maxBufferMinutes; m += 15) {
    const b = m * 60_000;
    let count = 0;
    for (let s = d0 - b - minMs + 1; s < d1 + b; s += minMs + b) {
      if (claimDays("America/Chicago", s, s + minMs, b).includes(day)) count++;
    }
    most = Math.max(most, count);
  }
  // Any mix of buffers: disjoint bookings of at least the minimum length,
  // all inside the day widened by the largest buffer on each side.
  const bound = Math.ceil((d1 - d0 + 2 * maxBufferMinutes * 60_000) / minMs) +
    1;
  assert.ok(most <= bound, `${most} > ${bound}`);
  assert.ok(MAX_DAY_CLAIMS + bound <= MAX_CLAIMS_PER_DAY);

  // And a document at the cap, of the longest claims there are, fits.
  const ulid = "01M915G1V8J1JXAH86D3QFRGNA";
  const full = {
    v: 1,
    claims: Array.from({ length: MAX_CLAIMS_PER_DAY }, (_, i) => ({
      ref: `block:${ulid}`,
      start: d0 + i * 60_000 + 0.5,
      end: d0 + i * 60_000 + 1_000.5,
      bufferMs: maxBufferMinutes * 60_000,
      expiresAt: d0 + i + 0.5,
    })),
  };
  const bytes = serialize(full).byteLength;
  assert.ok(bytes < 60 * 1024, `${bytes} bytes`);
  using kv = await Deno.openKv(":memory:");
  await kv.set(["calendar_days", "k", day], full);
});

Deno.test("calendar sync: a failure that asking again will not fix is permanent", () => {
  const cases: [string, unknown, boolean][] = [
    ["a 404", new FeedFetchError("answered 404", true), true],
    ["a timeout", new FeedFetchError("did not answer"), false],
    ["not a calendar", new CalendarParseError("not a calendar"), true],
    ["the calendar busy here", new ConflictError("kept changing"), false],
    ["anything else", new TypeError("Value too large"), false],
  ];
  for (const [what, err, permanent] of cases) {
    assert.equal(isPermanentFailure(err), permanent, what);
  }
});

Deno.test("calendar sync: event titles are cleaned for display", () => {
  assert.equal(cleanSummary(undefined), "Busy");
  assert.equal(cleanSummary("  \u0007 "), "Busy");
  assert.equal(cleanSummary("Staff\r\nmeeting\u202e"), "Staff meeting");
  assert.equal([...cleanSummary("x".repeat(500))].length, 120);
});

Deno.test("calendar sync: blocks are cut to fit KV: week-long pieces, day-long occupancy entries", () => {
  const start = at("2027-03-01T10:00");
  const end = at("2027-03-20T10:00");
  const pieces = splitForClaims(CHICAGO, start, end);
  assert.equal(pieces[0].start, start);
  assert.equal(pieces[pieces.length - 1].end, end);
  for (let i = 1; i < pieces.length; i++) {
    assert.equal(pieces[i].start, pieces[i - 1].end, "pieces are contiguous");
  }
  for (const p of pieces) {
    assert.ok(
      claimDays(CHICAGO, p.start, p.end, 0).length <= MAX_BLOCK_DAYS,
      "a piece touches at most a week of day documents",
    );
  }
  assert.deepEqual(splitForClaims(CHICAGO, start, start + HOUR), [
    { start, end: start + HOUR },
  ]);

  const segs = occupancySegments(start, start + 50 * HOUR);
  assert.deepEqual(segs.map((s) => (s.end - s.start) / HOUR), [24, 24, 2]);
});

Deno.test("calendar sync: the host reads what each import did", () => {
  const feed: ImportFeed = {
    v: 1,
    id: "01J0000000000000000000FEED",
    kitchenId: "k",
    slot: 0,
    url: "https://example.com/x.ics",
    name: "Google",
    createdAt: 0,
    syncJobId: null,
    lastAttemptAt: null,
    lastSuccessAt: null,
    lastError: null,
    imported: 0,
    overlapping: 0,
    overlappingSamples: [],
    tooMany: 0,
    unreadable: 0,
  };
  assert.match(importStatus(feed, CHICAGO)[0], /Waiting for the first import/);
  const ok = {
    ...feed,
    lastAttemptAt: at("2027-03-01T09:00"),
    lastSuccessAt: at("2027-03-01T09:00"),
    imported: 12,
    overlapping: 3,
  };
  const lines = importStatus(ok, CHICAGO);
  assert.equal(
    lines[0],
    "Imported Mon, Mar 1, 9:00 AM: 12 busy times blocked. Checked again every 30 minutes.",
  );
  assert.equal(lines[1], "3 events overlap bookings and were not imported.");
  assert.equal(
    importStatus({ ...ok, overlapping: 1 }, CHICAGO)[1],
    "1 event overlaps a booking and was not imported.",
  );
  const failed = importStatus({
    ...ok,
    lastAttemptAt: at("2027-03-01T10:00"),
    lastError: "The calendar is larger than 2 MB.",
  }, CHICAGO);
  assert.deepEqual(failed, [
    "The last import failed (Mon, Mar 1, 10:00 AM): The calendar is larger than 2 MB.",
    "Still blocking the events from the last good import (Mon, Mar 1, 9:00 AM).",
  ]);
  assert.deepEqual(
    importStatus({
      ...ok,
      lastAttemptAt: at("2027-03-01T10:00"),
      lastError: "The calendar's server answered 404.",
      lastErrorPermanent: true,
      nextSyncAt: at("2027-03-02T10:00"),
    }, CHICAGO),
    [
      "The last import failed (Mon, Mar 1, 10:00 AM): The calendar's server answered 404.",
      "Trying again will not fix this, so we stopped checking every 30 minutes: we look at this link once a day (next: Tue, Mar 2, 10:00 AM). If the link has changed, remove this calendar and add the new link.",
      "Still blocking the events from the last good import (Mon, Mar 1, 9:00 AM).",
    ],
  );
  assert.deepEqual(
    importStatus(
      { ...ok, overlapping: 0, repeatsCut: 1, crowded: 952 },
      CHICAGO,
    )
      .slice(1),
    [
      "1 repeating event repeats too often to import in full (at most 1,000 times each within your booking window): its later repeats were not imported.",
      "952 busy times were not imported: their days were full (at most 48 busy times a day from one calendar).",
    ],
  );
  assert.match(
    importStatus({ ...ok, overlapping: 0, repeatsCut: 2, crowded: 1 }, CHICAGO)
      .join(" "),
    /2 repeating events repeat too often .*: their later repeats .* 1 busy time was not imported/,
  );
  assert.equal(
    blockTimes(CHICAGO, {
      start: at("2027-03-13T22:00"),
      end: at("2027-03-14T06:00"),
    }),
    "Sat, Mar 13, 10:00 PM - Sun, Mar 14, 6:00 AM",
  );
  assert.equal(
    blockTimes(CHICAGO, {
      start: at("2027-03-13T09:00"),
      end: at("2027-03-13T12:00"),
    }),
    "Sat, Mar 13, 9:00 AM - 12:00 PM",
  );
});
