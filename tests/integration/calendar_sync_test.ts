// Calendar sync (issue 9 §3–4) through the real app: host blocks racing with
// holds, the export feed read back with ical.js, and imports from a feed
// served by a local Deno.serve — recurring, all-day and overnight events
// around Chicago's DST change on 2027-03-14 — with the fetch limits.
import assert from "node:assert/strict";
import { characters } from "../page_text.ts";
import { serialize } from "node:v8";
import ICAL from "ical.js";
import type { SessionUser } from "../../lib/accounts/schema.ts";
import { listBlocks } from "../../lib/bookings/repo.ts";
import {
  BLOCK_OVERLAP_MESSAGE,
  createBlock,
  ImportStoppedError,
  MAX_DAY_CLAIMS,
  MAX_IMPORTED_PER_DAY,
  removeBlock,
  replaceImportedBlocks,
} from "../../lib/bookings/blocks.ts";
import type { CalendarDay } from "../../lib/bookings/day_claims.ts";
import { createHold, type HoldDeps } from "../../lib/bookings/holds.ts";
import { type Block, type Booking } from "../../lib/bookings/schema.ts";
import { type ImportFeed } from "../../lib/calendar_sync/schema.ts";
import {
  listImportFeeds,
  PERMANENT_RECHECK_MS,
  SYNC_INTERVAL_MS,
  syncImportFeed,
} from "../../lib/calendar_sync/feeds.ts";
import { FeedFetchError, fetchFeed } from "../../lib/calendar_sync/fetch.ts";
import { MAX_OCCURRENCES_PER_RULE } from "../../lib/calendar_sync/parse.ts";
import { keys } from "../../lib/db/keys.ts";
import { ConflictError, ValidationError } from "../../lib/errors.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import { newId } from "../../lib/ids.ts";
import type { JobRecord } from "../../lib/jobs/outbox.ts";
import { daySlots } from "../../lib/kitchens/free_time.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import {
  bookPaid,
  get,
  PASSWORD,
  post,
  runJobs,
  sessionCookie,
  signUpConfirmed,
} from "../account_helpers.ts";
import { addKitchens, ALLOW_ALL, kitchenFixture, testApp } from "../helpers.ts";
import { at as servicesAt } from "../../lib/app.ts";

type T = Awaited<ReturnType<typeof testApp>>;

/** Mon 2027-03-01, 09:00 in Chicago: two weeks before the clocks go forward. */
const NOW = Date.parse("2027-03-01T15:00:00Z");
const CHICAGO = "America/Chicago";
const HOUR = 3600_000;
const LOOPBACK = { CALENDAR_FETCH_ALLOW_LOOPBACK: "true" };

/** An instant from a Chicago wall time, read independently with Temporal. */
const at = (wall: string) =>
  Temporal.PlainDateTime.from(wall).toZonedDateTime(CHICAGO).epochMilliseconds;

/** A host (payouts ready) with one kitchen, and a renter. */
async function setup(
  env: Record<string, string> = LOOPBACK,
  kitchen: Parameters<typeof kitchenFixture>[0] = {},
) {
  const t = await testApp(NOW, env);
  const host = await signUpConfirmed(t, "hank@example.com", "host");
  await setDemoPayoutReady(t.kv, host.user.id, t.clock());
  const [k] = await addKitchens(t.kv, host.user.id, [
    kitchenFixture({ bookingWindowDays: 90, ...kitchen }),
  ]);
  const renter = await signUpConfirmed(t, "rosa@example.com", "rent", {
    wallet: true,
  });
  const base = `/host/kitchens/${k.id}/edit/calendar`;
  return { t, host, renter, k, base };
}

/** A local server for feeds; each path answers with its handler. */
function feedServer() {
  const routes = new Map<
    string,
    (req: Request) => Response | Promise<Response>
  >();
  const pending: (() => void)[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => {
      const handler = routes.get(new URL(req.url).pathname);
      return handler ? handler(req) : new Response("missing", { status: 404 });
    },
  );
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    routes,
    /** A response that never comes until the server closes. */
    stall: () =>
      new Promise<Response>((resolve) =>
        pending.push(() => resolve(new Response("late")))
      ),
    async close() {
      for (const release of pending) release();
      await server.shutdown();
    },
  };
}

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

const calendarText = (body: string) => () =>
  new Response(body, { headers: { "content-type": "text/calendar" } });

/** The host's other calendar: single, all-day, recurring and overnight events. */
const FEED_EVENTS = {
  single: [
    "UID:one-off@example",
    "DTSTART;TZID=America/Chicago:20270305T100000",
    "DTEND;TZID=America/Chicago:20270305T120000",
    "SUMMARY:One-off tasting",
  ],
  allDay: [
    "UID:all-day@example",
    "DTSTART;VALUE=DATE:20270314",
    "DTEND;VALUE=DATE:20270315",
    "SUMMARY:Deep clean",
  ],
  recurring: [
    "UID:daily@example",
    "DTSTART;TZID=America/Chicago:20270310T090000",
    "DTEND;TZID=America/Chicago:20270310T110000",
    "RRULE:FREQ=DAILY;COUNT=8",
    "EXDATE;TZID=America/Chicago:20270312T090000",
    "SUMMARY:Prep class",
  ],
  overnight: [
    "UID:overnight@example",
    "DTSTART;TZID=America/Chicago:20270313T220000",
    "DTEND;TZID=America/Chicago:20270314T060000",
    "SUMMARY:Night bake",
  ],
  past: [
    "UID:past@example",
    "DTSTART:20270201T150000Z",
    "DTEND:20270201T170000Z",
  ],
};

/** What those events block, worked out by hand. */
const EXPECTED: [number, number][] = [
  [at("2027-03-05T10:00"), at("2027-03-05T12:00")],
  ...["10", "11", "13", "14", "15", "16", "17"].map((
    d,
  ): [number, number] => [at(`2027-03-${d}T09:00`), at(`2027-03-${d}T11:00`)]),
  [at("2027-03-13T22:00"), at("2027-03-14T06:00")],
  [at("2027-03-14T00:00"), at("2027-03-15T00:00")],
].sort((a, b) => a[0] - b[0] || a[1] - b[1]) as [number, number][];

const intervals = (blocks: Block[]) =>
  blocks.map((b): [number, number] => [b.start, b.end]).sort((a, b) =>
    a[0] - b[0] || a[1] - b[1]
  );

const importedBlocks = async (t: T, k: Kitchen) =>
  (await listBlocks(t.kv, k.id)).filter((b) => b.source !== "manual");

async function feedOf(t: T, k: Kitchen): Promise<ImportFeed> {
  const [feed] = await listImportFeeds(t.kv, k.id);
  assert.ok(feed, "the feed exists");
  return feed;
}

async function addFeed(
  t: T,
  base: string,
  cookie: string,
  url: string,
  name = "Google",
) {
  const res = await post(t, `${base}/imports`, { url, name }, { cookie });
  assert.equal(res.status, 303, await res.clone().text());
  assert.equal(res.headers.get("location"), `${base}?notice=import-added`);
}

/** Every live claim in the kitchen's day documents, by ref. */
async function claimRefs(t: T, k: Kitchen): Promise<Set<string>> {
  const refs = new Set<string>();
  for await (
    const e of t.kv.list<CalendarDay>({ prefix: ["calendar_days", k.id] })
  ) {
    for (const c of e.value.claims) refs.add(c.ref);
  }
  return refs;
}

Deno.test("calendar sync: a feed's single, all-day, recurring and overnight events across DST become exactly those blocks", async () => {
  const { t, host, renter, k, base } = await setup();
  const feeds = feedServer();
  try {
    let body = ics(...Object.values(FEED_EVENTS));
    feeds.routes.set("/feed.ics", () => calendarText(body)());
    await addFeed(t, base, host.cookie, `${feeds.base}/feed.ics`);
    const feed0 = await feedOf(t, k);
    assert.equal(feed0.lastAttemptAt, null);
    assert.ok(
      (await get(t, base, host.cookie).then((r) => r.text())).includes(
        "Waiting for the first import",
      ),
    );

    await runJobs(t);
    const blocks = await importedBlocks(t, k);
    assert.deepEqual(intervals(blocks), EXPECTED);
    const allDay = blocks.find((b) => b.reason === "Deep clean")!;
    assert.equal((allDay.end - allDay.start) / HOUR, 23, "DST day is 23 h");
    const night = blocks.find((b) => b.reason === "Night bake")!;
    assert.equal((night.end - night.start) / HOUR, 7, "DST night is 7 h");
    // The claims are in the day documents, and the hours leave the picker.
    const refs = await claimRefs(t, k);
    for (const b of blocks) assert.ok(refs.has(`block:${b.id}`));
    const starts = (await daySlots(t.kv, k, "2027-03-16", t.clock())).map((
      s,
    ) => s.start);
    assert.ok(!starts.includes(at("2027-03-16T09:00")));
    assert.ok(!starts.includes(at("2027-03-16T10:00")));
    assert.ok(starts.includes(at("2027-03-16T11:00")));

    const feed1 = await feedOf(t, k);
    assert.equal(feed1.lastSuccessAt, NOW);
    assert.equal(feed1.lastError, null);
    assert.equal(feed1.imported, EXPECTED.length);
    // The next run is one job, due in 30 minutes.
    const job = (await t.kv.get<JobRecord>(keys.job(feed1.syncJobId!))).value!;
    assert.equal(job.runAt, NOW + SYNC_INTERVAL_MS);
    const page = await (await get(t, base, host.cookie)).text();
    assert.match(page, /Imported Mon, Mar 1, 9:00 AM: 10 busy times blocked/);
    assert.match(page, /One-off tasting \(from Google\)/);

    // Imported time is removed at its source, not here.
    const refused = await post(t, `${base}/blocks/${night.id}/remove`, {}, {
      cookie: host.cookie,
    });
    assert.equal(refused.status, 409);
    assert.match(await refused.text(), /comes from an imported calendar/);
    assert.equal((await importedBlocks(t, k)).length, EXPECTED.length);

    // A renter cannot book over an imported event.
    const over = await post(t, "/bookings", {
      kitchen: k.id,
      date: "2027-03-16",
      start: "09:00",
      end: "11:00",
      acceptRules: "yes",
    }, { cookie: renter.cookie });
    assert.equal(over.status, 409);
    assert.match(await over.text(), /Someone else has just booked part/);

    // A renter holds Mar 20 10:00–13:00; the feed drops the tasting and
    // gains an event over that hold.
    const held = await post(t, "/bookings", {
      kitchen: k.id,
      date: "2027-03-20",
      start: "10:00",
      end: "13:00",
      acceptRules: "yes",
    }, { cookie: renter.cookie });
    assert.equal(held.status, 303);
    const bookingId = held.headers.get("location")!.split("/")[2];
    const { single: _gone, ...rest } = FEED_EVENTS;
    body = ics(...Object.values(rest), [
      "UID:clash@example",
      "DTSTART;TZID=America/Chicago:20270320T110000",
      "DTEND;TZID=America/Chicago:20270320T120000",
      "SUMMARY:Clash",
    ]);
    t.advance(SYNC_INTERVAL_MS);
    await runJobs(t);
    const after = await importedBlocks(t, k);
    assert.deepEqual(
      intervals(after),
      EXPECTED.filter(([s]) => s !== at("2027-03-05T10:00")),
    );
    // Unchanged events were left alone, not rewritten.
    const ids = new Set(blocks.map((b) => b.id));
    assert.ok(after.every((b) => ids.has(b.id)));
    const booking = (await t.kv.get<Booking>(keys.booking(bookingId))).value!;
    assert.equal(booking.status, "held", "the import touched no booking");
    const feed2 = await feedOf(t, k);
    assert.equal(feed2.overlapping, 1);
    assert.deepEqual(feed2.overlappingSamples, [{
      start: at("2027-03-20T11:00"),
      end: at("2027-03-20T12:00"),
    }]);
    const page2 = await (await get(t, base, host.cookie)).text();
    assert.match(
      characters(page2),
      /1 event overlaps a booking and was not imported \(Sat, Mar 20, 11:00 AM - 12:00 PM\)/,
    );
    assert.doesNotMatch(page2, /One-off tasting/);
  } finally {
    await feeds.close();
    t.close();
  }
});

function renterUser(n: number): SessionUser {
  const iso = new Date(NOW).toISOString();
  return {
    v: 1,
    id: newId(),
    email: `racer${n}@example.com`,
    name: `Racer ${n}`,
    roles: ["renter"],
    emailVerifiedAt: iso,
    phone: null,
    businessName: null,
    createdAt: iso,
    updatedAt: iso,
  };
}

function holdDeps(kv: Deno.Kv): HoldDeps {
  return {
    kv,
    now: NOW,
    fees: { renterFeeBps: 0, platformFeeBps: 1500 },
    policy: ALLOW_ALL,
    wake: false,
    payments: "demo",
  };
}

Deno.test("calendar sync: 200 blocks and holds racing for one slot, exactly one wins", async () => {
  const { t, k } = await setup({}, { bufferMinutes: 30 });
  try {
    const req = {
      kitchen: k.id,
      date: "2027-03-03",
      start: "10:00",
      end: "13:00",
    };
    const interval = {
      start: at("2027-03-03T10:00"),
      end: at("2027-03-03T13:00"),
    };
    const attempts = Array.from(
      { length: 200 },
      (_, i) =>
        i % 2 === 0
          ? createBlock(t.kv, k, { ...interval, reason: `block ${i}` }, NOW)
          : createHold(holdDeps(t.kv), renterUser(i), req),
    );
    const results = await Promise.allSettled(attempts);
    const won = results.filter((r) => r.status === "fulfilled");
    assert.equal(won.length, 1, "exactly one writer takes the time");
    for (const r of results) {
      if (r.status === "rejected") {
        assert.ok(r.reason instanceof ConflictError, String(r.reason));
      }
    }
    const refs = await claimRefs(t, k);
    assert.equal(refs.size, 1, "one claim in the calendar");
  } finally {
    t.close();
  }
});

Deno.test("calendar sync: a manual block refuses an overlapping booking and vice versa", async () => {
  const { t, host, renter, k, base } = await setup({}, { bufferMinutes: 30 });
  try {
    const blocked = await post(t, `${base}/blocks`, {
      date: "2027-03-04",
      start: "12:00",
      end: "15:00",
      reason: "Hood cleaning",
    }, { cookie: host.cookie });
    assert.equal(blocked.status, 303);
    assert.equal(blocked.headers.get("location"), `${base}?notice=block-added`);
    const [block] = await listBlocks(t.kv, k.id);
    assert.equal(block.start, at("2027-03-04T12:00"));
    assert.equal(block.end, at("2027-03-04T15:00"));
    assert.equal(block.source, "manual");
    assert.equal(block.reason, "Hood cleaning");

    // A booking over the block, or inside the kitchen's 30-minute buffer of it.
    for (const [start, end] of [["13:00", "16:00"], ["15:00", "17:00"]]) {
      const res = await post(t, "/bookings", {
        kitchen: k.id,
        date: "2027-03-04",
        start,
        end,
        acceptRules: "yes",
      }, { cookie: renter.cookie });
      assert.equal(res.status, 409, `${start}–${end}`);
    }
    const clear = await post(t, "/bookings", {
      kitchen: k.id,
      date: "2027-03-04",
      start: "16:00",
      end: "18:00",
      acceptRules: "yes",
    }, { cookie: renter.cookie });
    assert.equal(clear.status, 303, "outside the buffer is bookable");

    // A block over that booking, over another block, or in the booking's buffer.
    for (
      const [start, end] of [["17:00", "19:00"], ["14:00", "15:30"], [
        "18:00",
        "19:00",
      ]]
    ) {
      const res = await post(t, `${base}/blocks`, {
        date: "2027-03-04",
        start,
        end,
        reason: "",
      }, { cookie: host.cookie });
      assert.equal(res.status, 409, `${start}–${end}`);
      const html = await res.text();
      assert.ok(html.includes(BLOCK_OVERLAP_MESSAGE), html);
      assert.match(
        html,
        new RegExp(`value="${start}"`),
        "keeps what was typed",
      );
    }
    assert.equal((await listBlocks(t.kv, k.id)).length, 1, "nothing written");

    // Overnight, across the DST change: 22:00–06:00 is 7 hours.
    const night = await post(t, `${base}/blocks`, {
      date: "2027-03-13",
      start: "22:00",
      end: "06:00",
      reason: "",
    }, { cookie: host.cookie });
    assert.equal(night.status, 303);
    const overnight = (await listBlocks(t.kv, k.id)).find((b) =>
      b.start === at("2027-03-13T22:00")
    )!;
    assert.equal(overnight.end, at("2027-03-14T06:00"));
    assert.equal(overnight.reason, "Blocked");
    assert.deepEqual(overnight.claimDays, ["2027-03-13", "2027-03-14"]);

    // Removing the block frees the time in one step.
    const removed = await post(
      t,
      `${base}/blocks/${block.id}/remove`,
      {},
      { cookie: host.cookie },
    );
    assert.equal(removed.status, 303);
    assert.ok(!(await claimRefs(t, k)).has(`block:${block.id}`));
    const now = await post(t, "/bookings", {
      kitchen: k.id,
      date: "2027-03-04",
      start: "12:00",
      end: "14:00",
      acceptRules: "yes",
    }, { cookie: renter.cookie });
    assert.equal(now.status, 303, "the freed time is bookable");
  } finally {
    t.close();
  }
});

Deno.test("calendar sync: hundreds of short manual blocks stop at the day's cap with a form error, never a 500", async () => {
  const { t, host, k, base } = await setup();
  try {
    const FULL =
      "This day has too many separate blocks; join them into longer ones.";
    const dayKey = keys.calendarDay(k.id, "2027-03-05");
    // One-minute blocks a minute apart from 00:01, as many as the day
    // takes and more.
    let made = 0;
    for (let i = 0; i < 700; i++) {
      const start = at("2027-03-05T00:01") + i * 2 * 60_000;
      try {
        await createBlock(t.kv, k, {
          start,
          end: start + 60_000,
          reason: "",
        }, NOW);
        made++;
      } catch (err) {
        assert.ok(err instanceof ValidationError, String(err));
        assert.equal(err.message, FULL);
      }
    }
    assert.equal(made, MAX_DAY_CLAIMS);
    const day = (await t.kv.get<CalendarDay>(dayKey)).value!;
    assert.equal(day.claims.length, MAX_DAY_CLAIMS);
    assert.ok(serialize(day).byteLength < 64 * 1024);

    // Through the form: the reason, with what was typed kept.
    const stamp = (await t.kv.get(dayKey)).versionstamp;
    const res = await post(t, `${base}/blocks`, {
      date: "2027-03-05",
      start: "23:40",
      end: "23:50",
      reason: "Deep clean",
    }, { cookie: host.cookie });
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.ok(html.includes(FULL), html);
    assert.match(html, /value="23:40"/);
    assert.equal((await t.kv.get(dayKey)).versionstamp, stamp);
    // A block reaching into the full day from the day before is refused too.
    const across = await post(t, `${base}/blocks`, {
      date: "2027-03-04",
      start: "23:00",
      end: "23:59",
      reason: "",
    }, { cookie: host.cookie });
    assert.equal(across.status, 303, "the day before is not full");
    const into = await post(t, `${base}/blocks`, {
      date: "2027-03-04",
      start: "23:59",
      end: "00:01",
      reason: "",
    }, { cookie: host.cookie });
    assert.equal(into.status, 400);
    assert.ok((await into.text()).includes(FULL));
    assert.equal((await listBlocks(t.kv, k.id)).length, MAX_DAY_CLAIMS + 1);
    // Other days are as open as ever.
    const next = await post(t, `${base}/blocks`, {
      date: "2027-03-06",
      start: "10:00",
      end: "11:00",
      reason: "",
    }, { cookie: host.cookie });
    assert.equal(next.status, 303);
  } finally {
    t.close();
  }
});

Deno.test("calendar sync: bad block input re-renders with field errors (400) and writes nothing", async () => {
  const { t, host, k, base } = await setup();
  try {
    const cases: [Record<string, string>, RegExp][] = [
      [{ date: "2027-13-01", start: "10:00", end: "12:00" }, /Use a date like/],
      [{ date: "", start: "10:00", end: "12:00" }, /Use a date like/],
      [{ date: "2027-03-04", start: "25:00", end: "12:00" }, /24-hour time/],
      [
        { date: "2027-03-04", start: "24:00", end: "12:00" },
        /Start before 24:00/,
      ],
      [{ date: "2027-03-04", start: "10:00", end: "noon" }, /24-hour time/],
      [{ date: "2027-02-01", start: "10:00", end: "12:00" }, /already passed/],
      [{ date: "2030-01-01", start: "10:00", end: "12:00" }, /next two years/],
      [
        {
          date: "2027-03-04",
          start: "10:00",
          end: "12:00",
          reason: "a\u0007b",
        },
        /control characters/,
      ],
      [
        {
          date: "2027-03-04",
          start: "10:00",
          end: "12:00",
          reason: "x".repeat(201),
        },
        /at most 200 characters/,
      ],
    ];
    for (const [form, message] of cases) {
      const res = await post(t, `${base}/blocks`, { reason: "", ...form }, {
        cookie: host.cookie,
      });
      assert.equal(res.status, 400, JSON.stringify(form));
      assert.match(await res.text(), message, JSON.stringify(form));
    }
    const bad = await post(t, `${base}/imports`, {
      url: "ftp://example.com/x.ics",
      name: "",
    }, { cookie: host.cookie });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /starts with https:\/\//);
    assert.deepEqual(await listBlocks(t.kv, k.id), []);
    assert.deepEqual(await listImportFeeds(t.kv, k.id), []);
    assert.equal((await claimRefs(t, k)).size, 0);
  } finally {
    t.close();
  }
});

/** The VEVENTs of a feed, as ical.js reads them (VTIMEZONE included). */
function readFeed(text: string) {
  const root = new ICAL.Component(ICAL.parse(text));
  assert.equal(root.name, "vcalendar");
  return root.getAllSubcomponents("vevent").map((c) => {
    const e = new ICAL.Event(c);
    return {
      uid: e.uid,
      summary: e.summary,
      start: e.startDate.toUnixTime() * 1000,
      end: e.endDate.toUnixTime() * 1000,
      tzid: c.getFirstProperty("dtstart")!.getParameter("tzid"),
      status: c.getFirstPropertyValue("status"),
    };
  });
}

const feedUrlIn = (html: string, k: Kitchen) => {
  const m = new RegExp(
    `http://localhost:8000(/calendars/${k.id}/[A-Za-z0-9_-]{43}\\.ics)`,
  ).exec(html);
  assert.ok(m, "the page shows the new link");
  return m[1];
};

Deno.test("calendar sync: the export feed holds bookings and blocks at the right instants, for the right token only", async () => {
  const { t, host, renter, k, base } = await setup();
  try {
    const id = await bookPaid(t, renter.cookie, {
      kitchen: k.id,
      date: "2027-03-14",
      start: "10:00",
      end: "13:00",
    });
    const booking = (await t.kv.get<Booking>(keys.booking(id))).value!;
    assert.equal(booking.status, "confirmed");
    await post(t, `${base}/blocks`, {
      date: "2027-03-13",
      start: "22:00",
      end: "06:00",
      reason: "Night bake",
    }, { cookie: host.cookie });
    const [block] = await listBlocks(t.kv, k.id);
    // Imported busy time is not sent back out.
    await replaceImportedBlocks(t.kv, k.id, "feed-x", [{
      key: "imported",
      start: at("2027-03-20T08:00"),
      end: at("2027-03-20T09:00"),
      reason: "From elsewhere",
    }], { now: NOW });

    const noFeed = await get(t, base, host.cookie);
    assert.match(await noFeed.text(), /No calendar link yet/);
    const made = await post(t, `${base}/export`, {}, { cookie: host.cookie });
    assert.equal(made.status, 303, "the link is shown on the page after");
    const shown = made.headers.get("location")!;
    assert.equal(shown, `${base}?notice=export-made`);
    const html = await (await get(t, shown, host.cookie)).text();
    assert.match(html, /Copy it now: for your security we show it only once/);
    const path = feedUrlIn(html, k);
    // A refresh of that page shows it no more, and makes no new link.
    const refreshed = await (await get(t, shown, host.cookie)).text();
    assert.doesNotMatch(
      refreshed,
      new RegExp(path.split("/").pop()!),
      "the link is not shown again",
    );
    assert.match(refreshed, /was shown once, when it was made/);
    assert.equal((await t.request(path)).status, 200, "still the live link");

    const res = await t.request(path);
    assert.equal(res.status, 200);
    assert.equal(
      res.headers.get("content-type"),
      "text/calendar; charset=utf-8",
    );
    assert.equal(res.headers.get("cache-control"), "private, max-age=300");
    const text = await res.text();
    const secrets = ["rosa@example.com", "Ada Lovelace", booking.accessCode];
    for (const secret of secrets.filter((s): s is string => Boolean(s))) {
      assert.ok(!text.includes(secret), `no ${secret} in the feed`);
    }
    const events = readFeed(text);
    assert.deepEqual(
      events.map((e) => e.uid).sort(),
      [`block-${block.id}@prep`, `booking-${id}@prep`].sort(),
    );
    const b = events.find((e) => e.uid === `booking-${id}@prep`)!;
    assert.equal(b.summary, "Booked on Prep");
    assert.equal(b.status, "CONFIRMED");
    assert.equal(b.tzid, CHICAGO);
    assert.equal(b.start, booking.start);
    assert.equal(b.end, booking.end);
    assert.equal(b.start, at("2027-03-14T10:00"), "after the DST change");
    const blk = events.find((e) => e.uid === `block-${block.id}@prep`)!;
    assert.equal(blk.summary, "Blocked on Prep");
    assert.equal(blk.start, at("2027-03-13T22:00"));
    assert.equal(blk.end, at("2027-03-14T06:00"));

    // Wrong, malformed and other kitchens' tokens: 404.
    const token = path.split("/").pop()!.replace(".ics", "");
    const wrong = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    for (
      const p of [
        `/calendars/${k.id}/${wrong}.ics`,
        `/calendars/${k.id}/short.ics`,
        `/calendars/${k.id}/${token}`,
        `/calendars/${newId()}/${token}.ics`,
      ]
    ) {
      assert.equal((await t.request(p)).status, 404, p);
    }

    // A new link revokes the old one; turning it off revokes the new one.
    await post(t, `${base}/export`, {}, { cookie: host.cookie });
    const path2 = feedUrlIn(
      await (await get(t, `${base}?notice=export-made`, host.cookie)).text(),
      k,
    );
    assert.notEqual(path2, path);
    assert.equal((await t.request(path)).status, 404);
    assert.equal((await t.request(path2)).status, 200);
    const off = await post(t, `${base}/export/revoke`, {}, {
      cookie: host.cookie,
    });
    assert.equal(off.status, 303);
    assert.equal((await t.request(path2)).status, 404);
  } finally {
    t.close();
  }
});

Deno.test("calendar sync: private and loopback URLs are refused when the test option is off", async () => {
  const { t, host, k, base } = await setup({});
  const feeds = feedServer();
  try {
    feeds.routes.set("/feed.ics", calendarText(ics(FEED_EVENTS.single)));
    for (
      const url of [
        `${feeds.base}/feed.ics`,
        `http://localhost:${new URL(feeds.base).port}/feed.ics`,
        "http://[::1]/feed.ics",
        "http://10.0.0.8/feed.ics",
        "http://192.168.1.20/feed.ics",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://metadata.google.internal/computeMetadata/v1/",
      ]
    ) {
      const res = await post(t, `${base}/imports`, { url, name: "" }, {
        cookie: host.cookie,
      });
      assert.equal(res.status, 400, url);
      assert.match(await res.text(), /on a private network/, url);
    }
    const long = await post(t, `${base}/imports`, {
      url: `https://example.com/${"a".repeat(2000)}`,
      name: "",
    }, { cookie: host.cookie });
    assert.equal(long.status, 400);
    assert.match(await long.text(), /at most 2000 characters/);
    assert.deepEqual(await listImportFeeds(t.kv, k.id), []);

    // At fetch time, every address a name resolves to is checked.
    const off = { allowLoopback: false };
    for (
      const addresses of [["10.0.0.7"], ["93.184.216.34", "127.0.0.1"], [
        "::ffff:169.254.169.254",
      ]]
    ) {
      await assert.rejects(
        fetchFeed("https://calendar.example.com/x.ics", {
          ...off,
          resolve: () => Promise.resolve(addresses),
        }),
        (err) =>
          err instanceof FeedFetchError && /private network/.test(err.message),
        addresses.join(","),
      );
    }
    await assert.rejects(
      fetchFeed(`${feeds.base}/feed.ics`, off),
      /private network/,
    );
    await assert.rejects(
      fetchFeed("https://calendar.example.com/x.ics", {
        ...off,
        resolve: () => Promise.resolve([]),
      }),
      /could not find the calendar's server/,
    );
  } finally {
    await feeds.close();
    t.close();
  }
});

Deno.test("calendar sync: redirects are followed by hand, at most 3, each checked", async () => {
  const feeds = feedServer();
  try {
    const on = { allowLoopback: true };
    feeds.routes.set("/feed.ics", calendarText(ics(FEED_EVENTS.single)));
    const to = (where: string) => () =>
      new Response(null, { status: 302, headers: { location: where } });
    feeds.routes.set("/r1", to("/feed.ics"));
    feeds.routes.set("/r2", to("/r1"));
    feeds.routes.set("/r3", to(`${feeds.base}/r2`));
    feeds.routes.set("/r4", to("/r3"));
    feeds.routes.set(
      "/private",
      to("http://169.254.169.254/latest/meta-data/"),
    );
    feeds.routes.set("/ftp", to("ftp://example.com/x.ics"));
    assert.match(await fetchFeed(`${feeds.base}/r3`, on), /One-off tasting/);
    // Over http a name is connected to the very address that was checked
    // (this name resolves nowhere else, so a second lookup would fail).
    const port = new URL(feeds.base).port;
    assert.match(
      await fetchFeed(`http://calendar.prep-test.invalid:${port}/feed.ics`, {
        ...on,
        resolve: () => Promise.resolve(["127.0.0.1"]),
      }),
      /One-off tasting/,
    );
    await assert.rejects(
      fetchFeed(`${feeds.base}/r4`, on),
      /redirected more than 3 times/,
    );
    await assert.rejects(
      fetchFeed(`${feeds.base}/private`, on),
      /on a private network/,
    );
    await assert.rejects(
      fetchFeed(`${feeds.base}/ftp`, on),
      /starts with https:\/\//,
    );
    await assert.rejects(
      fetchFeed(`${feeds.base}/missing`, on),
      /answered 404: the link may have been reset/,
    );
  } finally {
    await feeds.close();
  }
});

Deno.test("calendar sync: oversize, slow and broken feeds fail cleanly and keep the last good copy", async () => {
  const { t, host, k, base } = await setup();
  const feeds = feedServer();
  try {
    let serve: (req: Request) => Response | Promise<Response> = calendarText(
      ics(...Object.values(FEED_EVENTS)),
    );
    feeds.routes.set("/feed.ics", (req) => serve(req));
    await addFeed(t, base, host.cookie, `${feeds.base}/feed.ics`);
    await runJobs(t);
    const good = await importedBlocks(t, k);
    assert.deepEqual(intervals(good), EXPECTED);
    const goodAt = (await feedOf(t, k)).lastSuccessAt;

    const chunk = new TextEncoder().encode("X".repeat(64 * 1024));
    const failures: [string, () => Response | Promise<Response>, RegExp][] = [
      [
        "3 MB, streamed without a length",
        () =>
          new Response(
            new ReadableStream({
              start(c) {
                for (let i = 0; i < 48; i++) c.enqueue(chunk);
                c.close();
              },
            }),
          ),
        /larger than 2 MB/,
      ],
      [
        "3 MB with its length",
        () => new Response("X".repeat(3 * 1024 * 1024)),
        /larger than 2 MB/,
      ],
      [
        "a login page",
        () => new Response("<!doctype html><title>Sign in</title>"),
        /did not return a calendar/,
      ],
      ["gone", () => new Response("gone", { status: 410 }), /answered 410/],
    ];
    for (const [what, handler, message] of failures) {
      serve = handler;
      t.advance(SYNC_INTERVAL_MS);
      // Each of these is permanent, so its next run is a day away: run the
      // feed's job now rather than wait (a day would end the host's session).
      const due = await feedOf(t, k);
      await syncImportFeed(
        servicesAt(t.services),
        { kitchenId: k.id, slot: due.slot, feedId: due.id },
        due.syncJobId!,
      );
      const feed = await feedOf(t, k);
      assert.match(feed.lastError ?? "", message, what);
      assert.equal(feed.lastErrorPermanent, true, what);
      assert.equal(feed.nextSyncAt, t.clock() + PERMANENT_RECHECK_MS, what);
      assert.equal(feed.lastSuccessAt, goodAt, what);
      assert.equal(feed.lastAttemptAt, t.clock(), what);
      assert.deepEqual(
        (await importedBlocks(t, k)).map((b) => b.id).sort(),
        good.map((b) => b.id).sort(),
        `${what}: the last good blocks stay`,
      );
    }
    const page = await (await get(t, base, host.cookie)).text();
    assert.match(
      page,
      /The last import failed \([^)]*\): The calendar(?:'|&#39;)s server answered 410/,
    );
    assert.match(
      page,
      /Still blocking the events from the last good import \(Mon, Mar 1, 9:00 AM\)/,
    );

    // Slow: headers that never come, and a body that stops halfway. The
    // deadline is 10 s in production; a test passes a shorter one.
    for (
      const handler of [
        () => feeds.stall(),
        () =>
          new Response(
            new ReadableStream({
              start(c) {
                c.enqueue(new TextEncoder().encode("BEGIN:VCALENDAR\r\n"));
              },
            }),
          ),
      ]
    ) {
      serve = handler;
      t.advance(SYNC_INTERVAL_MS);
      const feed = await feedOf(t, k);
      const started = performance.now();
      await syncImportFeed(
        {
          kv: t.kv,
          now: t.clock(),
          wake: false,
          calendarFetch: { allowLoopback: true, timeoutMs: 300 },
        },
        { kitchenId: k.id, slot: feed.slot, feedId: feed.id },
        feed.syncJobId!,
      );
      assert.ok(performance.now() - started < 5_000);
      const after = await feedOf(t, k);
      assert.equal(
        after.lastError,
        "The calendar did not answer within 0.3 seconds.",
      );
      assert.equal(after.lastErrorPermanent, false, "a blip, tried again soon");
      assert.equal(after.nextSyncAt, t.clock() + SYNC_INTERVAL_MS);
      assert.equal(after.lastSuccessAt, goodAt);
      assert.notEqual(
        after.syncJobId,
        feed.syncJobId,
        "the next run is scheduled",
      );
      assert.equal((await importedBlocks(t, k)).length, good.length);
    }

    // A duplicate run of an old job does nothing.
    const before = await feedOf(t, k);
    await syncImportFeed(
      servicesAt(t.services),
      { kitchenId: k.id, slot: before.slot, feedId: before.id },
      "calendar-sync:stale",
    );
    assert.deepEqual(await feedOf(t, k), before);

    // Back to good: the error clears.
    serve = calendarText(ics(...Object.values(FEED_EVENTS)));
    t.advance(SYNC_INTERVAL_MS);
    await runJobs(t);
    const healed = await feedOf(t, k);
    assert.equal(healed.lastError, null);
    assert.equal(healed.lastSuccessAt, t.clock());
  } finally {
    await feeds.close();
    t.close();
  }
});

Deno.test("calendar sync: a 300-byte FREQ=SECONDLY feed imports within the caps and says what it left out", async () => {
  const { t, host, k, base } = await setup();
  const feeds = feedServer();
  try {
    const secondly = ics([
      "UID:every-second@example",
      "DTSTART:20270302T150000Z",
      "DTEND:20270302T150001Z",
      "RRULE:FREQ=SECONDLY",
    ], FEED_EVENTS.single);
    assert.ok(secondly.length < 400, `${secondly.length} bytes`);
    feeds.routes.set("/secondly.ics", calendarText(secondly));
    await addFeed(t, base, host.cookie, `${feeds.base}/secondly.ics`);
    await runJobs(t);

    const feed = await feedOf(t, k);
    assert.equal(feed.lastError, null);
    assert.equal(feed.lastSuccessAt, t.clock());
    assert.equal(
      feed.imported,
      MAX_IMPORTED_PER_DAY + 1,
      "a day's cap, and the one-off",
    );
    assert.equal(feed.repeatsCut, 1);
    assert.equal(feed.crowded, MAX_OCCURRENCES_PER_RULE - MAX_IMPORTED_PER_DAY);
    const blocks = await importedBlocks(t, k);
    assert.equal(blocks.length, feed.imported);
    assert.deepEqual(blocks.slice(0, 3).map((b) => b.start), [
      Date.parse("2027-03-02T15:00:00Z"),
      Date.parse("2027-03-02T15:00:01Z"),
      Date.parse("2027-03-02T15:00:02Z"),
    ]);
    // Every day document stays far below the 64 KiB a KV value may hold.
    for await (
      const e of t.kv.list<CalendarDay>({ prefix: ["calendar_days", k.id] })
    ) {
      assert.ok(e.value.claims.length <= MAX_DAY_CLAIMS, e.key.join("/"));
    }
    // A success: checked again in 30 minutes, and the next run changes nothing.
    assert.equal(feed.nextSyncAt, t.clock() + SYNC_INTERVAL_MS);
    t.advance(SYNC_INTERVAL_MS);
    await runJobs(t);
    const again = await feedOf(t, k);
    assert.equal(again.lastError, null);
    assert.deepEqual(
      (await importedBlocks(t, k)).map((b) => b.id).sort(),
      blocks.map((b) => b.id).sort(),
      "the same busy times keep the same blocks",
    );

    const page = await (await get(t, base, host.cookie)).text();
    assert.match(
      page,
      /49 busy times blocked\. Checked again every 30 minutes\./,
    );
    assert.match(
      page,
      /1 repeating event repeats too often to import in full \(at most 1,000 times each within your booking window\): its later repeats were not imported\./,
    );
    assert.match(
      page,
      /952 busy times were not imported: their days were full \(at most 48 busy times a day from one calendar\)\./,
    );
  } finally {
    await feeds.close();
    t.close();
  }
});

Deno.test("calendar sync: a permanent failure stops the half-hourly checks until the feed works again", async () => {
  const { t, host, k, base } = await setup();
  const feeds = feedServer();
  try {
    let serve: () => Response = () => new Response("gone", { status: 404 });
    let requests = 0;
    feeds.routes.set("/feed.ics", () => {
      requests++;
      return serve();
    });
    await addFeed(t, base, host.cookie, `${feeds.base}/feed.ics`);
    await runJobs(t);
    const failed = await feedOf(t, k);
    assert.match(failed.lastError ?? "", /answered 404/);
    assert.equal(failed.lastErrorPermanent, true);
    assert.equal(failed.nextSyncAt, t.clock() + PERMANENT_RECHECK_MS);
    const page = await (await get(t, base, host.cookie)).text();
    assert.match(
      page,
      /Trying again will not fix this, so we stopped checking every 30 minutes: we look at this link once a day \(next: Tue, Mar 2, 9:00 AM\)\. If the link has changed, remove this calendar and add the new link\./,
    );

    // Half-hourly runs no longer happen: 23 hours pass without a fetch.
    for (let i = 0; i < 46; i++) {
      t.advance(SYNC_INTERVAL_MS);
      await runJobs(t);
    }
    assert.equal(requests, 1);
    assert.equal((await feedOf(t, k)).lastAttemptAt, failed.lastAttemptAt);

    // The daily look finds it fixed: back to every 30 minutes.
    serve = calendarText(ics(FEED_EVENTS.single));
    t.advance(2 * SYNC_INTERVAL_MS);
    await runJobs(t);
    assert.equal(requests, 2);
    const healed = await feedOf(t, k);
    assert.equal(healed.lastError, null);
    assert.equal(healed.lastErrorPermanent, false);
    assert.equal(healed.imported, 1);
    assert.equal(healed.nextSyncAt, t.clock() + SYNC_INTERVAL_MS);

    // A server error is a blip: tried again in 30 minutes.
    serve = () => new Response("busy", { status: 503 });
    t.advance(SYNC_INTERVAL_MS);
    await runJobs(t);
    const blip = await feedOf(t, k);
    assert.match(blip.lastError ?? "", /answered 503/);
    assert.equal(blip.lastErrorPermanent, false);
    assert.equal(blip.nextSyncAt, t.clock() + SYNC_INTERVAL_MS);
    // A day has passed: the host signs in again to read it.
    const cookie = sessionCookie(
      await post(t, "/login", {
        email: "hank@example.com",
        password: PASSWORD,
      }),
    );
    const later = await (await get(t, base, cookie)).text();
    assert.match(later, /The calendar(?:'|&#39;)s server answered 503/);
    assert.doesNotMatch(later, /stopped checking/);
  } finally {
    await feeds.close();
    t.close();
  }
});

Deno.test("calendar sync: at most 5 feeds, no duplicates; removing one releases its blocks", async () => {
  const { t, host, k, base } = await setup();
  const feeds = feedServer();
  try {
    for (let i = 0; i < 5; i++) {
      feeds.routes.set(
        `/f${i}.ics`,
        calendarText(ics([
          `UID:e${i}`,
          `DTSTART;TZID=America/Chicago:2027030${2 + i}T090000`,
          `DTEND;TZID=America/Chicago:2027030${2 + i}T100000`,
        ])),
      );
      await addFeed(
        t,
        base,
        host.cookie,
        `${feeds.base}/f${i}.ics`,
        `Cal ${i}`,
      );
    }
    const sixth = await post(t, `${base}/imports`, {
      url: `${feeds.base}/f5.ics`,
      name: "",
    }, { cookie: host.cookie });
    assert.equal(sixth.status, 400);
    assert.match(await sixth.text(), /at most 5 calendars; remove one first/);
    const dup = await post(t, `${base}/imports`, {
      url: `${feeds.base}/f0.ics`,
      name: "",
    }, { cookie: host.cookie });
    assert.equal(dup.status, 400);
    assert.match(await dup.text(), /already imports that calendar/);

    await runJobs(t);
    assert.equal((await importedBlocks(t, k)).length, 5);
    const feedsNow = await listImportFeeds(t.kv, k.id);
    assert.equal(feedsNow.length, 5);
    const gone = feedsNow[2];
    const res = await post(t, `${base}/imports/${gone.id}/remove`, {}, {
      cookie: host.cookie,
    });
    assert.equal(res.status, 303);
    await runJobs(t);
    const left = await importedBlocks(t, k);
    assert.equal(left.length, 4);
    assert.ok(left.every((b) => b.source !== gone.id));
    const refs = await claimRefs(t, k);
    assert.equal(refs.size, 4, "its claims left the day documents");
    // Its scheduled sync finds no feed and schedules nothing more.
    t.advance(SYNC_INTERVAL_MS);
    await runJobs(t);
    assert.equal((await listImportFeeds(t.kv, k.id)).length, 4);
    assert.equal((await importedBlocks(t, k)).length, 4);
  } finally {
    await feeds.close();
    t.close();
  }
});

Deno.test("calendar sync: another host's kitchen id is 404 on every route, and nothing changes", async () => {
  const { t, host, renter, k, base } = await setup();
  try {
    await post(t, `${base}/blocks`, {
      date: "2027-03-04",
      start: "10:00",
      end: "12:00",
      reason: "Mine",
    }, { cookie: host.cookie });
    const [block] = await listBlocks(t.kv, k.id);
    await post(t, `${base}/imports`, {
      url: "https://calendar.example.com/a.ics",
      name: "",
    }, { cookie: host.cookie });
    const [feed] = await listImportFeeds(t.kv, k.id);
    await post(t, `${base}/export`, {}, { cookie: host.cookie });
    const path = feedUrlIn(
      await (await get(t, `${base}?notice=export-made`, host.cookie)).text(),
      k,
    );

    const other = await signUpConfirmed(t, "hal@example.com", "host");
    const cookie = other.cookie;
    assert.equal((await get(t, base, cookie)).status, 404);
    const posts: [string, Record<string, string>][] = [
      [`${base}/blocks`, {
        date: "2027-03-05",
        start: "10:00",
        end: "12:00",
        reason: "",
      }],
      [`${base}/blocks`, { date: "bad", start: "", end: "", reason: "" }],
      [`${base}/blocks/${block.id}/remove`, {}],
      [`${base}/export`, {}],
      [`${base}/export/revoke`, {}],
      [`${base}/imports`, {
        url: "https://calendar.example.com/b.ics",
        name: "",
      }],
      [`${base}/imports`, { url: "ftp://nope", name: "" }],
      [`${base}/imports/${feed.id}/remove`, {}],
    ];
    for (const [p, form] of posts) {
      const res = await post(t, p, form, { cookie });
      assert.equal(res.status, 404, p);
      assert.doesNotMatch(await res.text(), /Mine|calendar\.example\.com/);
    }
    assert.deepEqual((await listBlocks(t.kv, k.id)).map((b) => b.id), [
      block.id,
    ]);
    assert.deepEqual((await listImportFeeds(t.kv, k.id)).map((f) => f.id), [
      feed.id,
    ]);
    assert.equal((await t.request(path)).status, 200, "the link still works");
    // Another host asking for the page a link is shown on: 404, nothing taken.
    await post(t, `${base}/export`, {}, { cookie: host.cookie });
    const asked = await get(t, `${base}?notice=export-made`, cookie);
    assert.equal(asked.status, 404);
    assert.doesNotMatch(await asked.text(), /calendars\//);
    assert.match(
      await (await get(t, `${base}?notice=export-made`, host.cookie)).text(),
      /Your calendar link/,
      "the host still gets their new link",
    );

    // A renter is not a host; a visitor is sent to log in.
    assert.equal((await get(t, base, renter.cookie)).status, 403);
    const anon = await get(t, base);
    assert.equal(anon.status, 303);
    assert.match(anon.headers.get("location")!, /^\/login\?next=/);

    // The owner sees the page, with the forms.
    const mine = await (await get(t, base, host.cookie)).text();
    assert.match(mine, /Calendar and sync/);
    assert.match(mine, /Mine/);
    assert.match(mine, /Block this time/);
  } finally {
    t.close();
  }
});

/** A KV whose atomics report how many checks each one made. */
function countingKv(kv: Deno.Kv, checks: number[]): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          const atomic = target.atomic();
          let n = 0;
          const proxy: Deno.AtomicOperation = new Proxy(atomic, {
            get(a, p) {
              if (p === "check") {
                return (...c: Deno.AtomicCheck[]) => {
                  n += c.length;
                  a.check(...c);
                  return proxy;
                };
              }
              if (p === "commit") {
                return () => {
                  checks.push(n);
                  return a.commit();
                };
              }
              const v = Reflect.get(a, p);
              return typeof v === "function"
                ? (...args: unknown[]) => {
                  const r = v.apply(a, args);
                  return r === a ? proxy : r;
                }
                : v;
            },
          });
          return proxy;
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

Deno.test("calendar sync: a big import is applied in several atomics of at most 10 checks", async () => {
  const { t, renter, k } = await setup({}, { bookingWindowDays: 120 });
  try {
    // A booking the import must step around.
    const held = await post(t, "/bookings", {
      kitchen: k.id,
      date: "2027-03-10",
      start: "10:00",
      end: "12:00",
      acceptRules: "yes",
    }, { cookie: renter.cookie });
    assert.equal(held.status, 303);
    const events = Array.from({ length: 240 }, (_, i) => {
      const day = Temporal.PlainDate.from("2027-03-02").add({
        days: Math.floor(i / 3),
      });
      const hour = 8 + (i % 3) * 3;
      const start = at(`${day}T${String(hour).padStart(2, "0")}:00`);
      return { key: `e${i}`, start, end: start + 2 * HOUR, reason: `E${i}` };
    });
    // Plus one longer than a week: cut into week-long pieces.
    events.push({
      key: "long",
      start: at("2027-05-01T00:00"),
      end: at("2027-05-20T00:00"),
      reason: "Closed for works",
    });
    const checks: number[] = [];
    const kv = countingKv(t.kv, checks);
    const guardKey = ["test_guard", k.id];
    await t.kv.set(guardKey, 1);
    const guard = await t.kv.get(guardKey);
    const result = await replaceImportedBlocks(kv, k.id, "feed-1", events, {
      now: NOW,
      guard,
    });
    assert.ok(checks.length > 5, `several atomics: ${checks.length}`);
    assert.ok(Math.max(...checks) <= 10, `checks per atomic: ${checks}`);
    // On 2027-03-10, 08:00–10:00 only touches the booking (fine without a
    // buffer); 11:00–13:00 overlaps it and is left out.
    assert.deepEqual(result.overlapping.map((e) => e.key), ["e25"]);
    assert.equal(result.added, 239 + 3);
    const blocks = await importedBlocks(t, k);
    assert.equal(blocks.length, 242);
    const long = blocks.filter((b) => b.reason === "Closed for works");
    assert.equal(long.length, 3);
    assert.equal(long[0].start, at("2027-05-01T00:00"));
    assert.equal(long[2].end, at("2027-05-20T00:00"));

    // The same set again changes nothing; a smaller one releases the rest.
    checks.length = 0;
    const same = await replaceImportedBlocks(kv, k.id, "feed-1", events, {
      now: NOW,
      guard,
    });
    assert.deepEqual(
      [same.added, same.kept, same.removed],
      [0, 242, 0],
    );
    const fewer = await replaceImportedBlocks(
      kv,
      k.id,
      "feed-1",
      events.slice(0, 10),
      {
        now: NOW,
        guard,
      },
    );
    assert.equal(fewer.removed, 242 - 10);
    assert.ok(Math.max(...checks) <= 10);
    assert.equal((await importedBlocks(t, k)).length, 10);

    // A removed feed stops an import at its next step.
    await t.kv.delete(guardKey);
    await assert.rejects(
      replaceImportedBlocks(t.kv, k.id, "feed-1", events, { now: NOW, guard }),
      ImportStoppedError,
    );
  } finally {
    t.close();
  }
});

/** `kv` whose commits all lose a race (as if another writer always got there first); when each was tried. */
function losingKv(kv: Deno.Kv, tries: number[]): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          const atomic = target.atomic();
          atomic.commit = () => {
            tries.push(performance.now());
            return Promise.resolve({ ok: false } as Deno.KvCommitError);
          };
          return atomic;
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

Deno.test("calendar sync: a block write that keeps losing the race pauses between tries, as bookings do", async () => {
  const { t, k } = await setup();
  const random = Math.random;
  try {
    const start = at("2027-03-03T08:00");
    const block = await createBlock(t.kv, k, {
      start,
      end: start + HOUR,
      reason: "Deep clean",
    }, NOW);
    // The longest pause each time: 2, 4, … ms, at most 50, once per lost race.
    Math.random = () => 0.999;
    const writes: [string, (kv: Deno.Kv) => Promise<unknown>][] = [
      ["a manual block", (kv) =>
        createBlock(kv, k, {
          start: start + 2 * HOUR,
          end: start + 3 * HOUR,
          reason: "Repairs",
        }, NOW)],
      ["its removal", (kv) => removeBlock(kv, k.id, block.id)],
      ["an import", (kv) =>
        replaceImportedBlocks(kv, k.id, "feed-1", [{
          key: "e1",
          start: start + 4 * HOUR,
          end: start + 5 * HOUR,
          reason: "Elsewhere",
        }], { now: NOW })],
    ];
    for (const [what, write] of writes) {
      const tries: number[] = [];
      await assert.rejects(write(losingKv(t.kv, tries)), ConflictError);
      assert.equal(tries.length, 8, what);
      const waited = tries[tries.length - 1] - tries[0];
      assert.ok(
        waited >= 140,
        `${what}: ${waited.toFixed(1)} ms between tries`,
      );
    }
  } finally {
    Math.random = random;
    t.close();
  }
});
