import assert from "node:assert/strict";
import { hitLimit } from "../../lib/accounts/rate_limit.ts";
import { HIDDEN, maskContacts, shownText } from "../../lib/messages/masking.ts";
import {
  addReplySample,
  contactsShown,
  medianReplyMs,
  MESSAGE_LIMITS,
  previewOf,
  REPLY_SAMPLES_KEPT,
  replyFigure,
  replyTimeLabel,
  unreadEmailPlan,
} from "../../lib/messages/rules.ts";
import { messageText, newThreadForm } from "../../lib/messages/schema.ts";
import type { Thread } from "../../lib/messages/schema.ts";
import { withMessage } from "../../lib/messages/threads.ts";

const H = HIDDEN;

/** [what was typed, what the reader sees before a confirmed booking]. */
const MASKED: [string, string][] = [
  // Email addresses
  ["Email me at jo@example.com.", `Email me at ${H}.`],
  ["JO.SMITH+kitchen@Mail.Example.co.uk", H],
  ["write to jo@prep.test", `write to ${H}`],
  ["jo @ example.com", H],
  // …spelled out
  ["jo at gmail dot com", H],
  ["jo (at) example [dot] com", H],
  ["jo [at] example [dot] io please", `${H} please`],
  ["reach me: jo at gmail", `reach me: ${H}`],
  ["jo at hotmail dot com or text", `${H} or text`],
  // US phone numbers
  ["Call (555) 555-1234", `Call ${H}`],
  ["555-555-1234", H],
  ["555.555.1234", H],
  ["555 555 1234", H],
  ["5555551234", H],
  ["+1 555 555 1234", H],
  ["+15555551234", H],
  ["1-555-555-1234", H],
  ["(555)555-1234 anytime", `${H} anytime`],
  ["call 555-1234 tonight", `call ${H} tonight`],
  // …spelled out, or digit by digit
  ["five five five one two three four", H],
  [
    "my cell is five five five, one two three, four five six seven",
    `my cell is ${H}`,
  ],
  ["5 5 5 1 2 3 4", H],
  ["five-five-five 12 34", H],
  ["double five five one two three four", H],
  // Web addresses
  ["see https://example.com/menu", `see ${H}`],
  ["(http://my-kitchen.example/book)", `(${H})`],
  ["www.mykitchen.com", H],
  ["visit mykitchen.com today", `visit ${H} today`],
  ["mykitchen dot com", H],
  ["book at MyKitchen.co/rent", `book at ${H}`],
  ["jo at example.com", `jo at ${H}`],
  // Handles
  ["DM @chef_jo on insta", `DM ${H} on insta`],
];

/** Left exactly as typed. */
const KEPT = [
  "It costs $40 an hour",
  "$1,250.00 total, $40.50 an hour",
  "from 9:00 to 13:00",
  "10am-2pm works, or 9:30 AM",
  "12/10/2026",
  "2026-12-10",
  "Dec 10, 2026 at 9:00 AM",
  "3-4 hours",
  "e.g. flour, i.e. sugar, etc.",
  "1.5 hours",
  "Suite 200, ZIP 94110-1234",
  "We need one or two ovens",
  "Meet at noon. Co-working is fine",
  "I'll be at the kitchen at 9",
  "I have 2 people and 3 trays",
  "Order 12 10 2026",
  "The walk-in is 40 sq ft, 36-38°F",
  "Booking PRP-7K3Q-9D",
  "ServSafe certificate #12345",
  "We bake 200 loaves; 3 sheet pans of 60.",
];

Deno.test("masking: emails, US phones, URLs, handles and spelled-out forms are hidden", () => {
  const wrong = MASKED.filter(([typed, want]) => maskContacts(typed) !== want)
    .map(([typed, want]) => `${typed} → ${maskContacts(typed)} (want ${want})`);
  assert.deepEqual(wrong, []);
});

Deno.test("masking: prices, times, dates, counts and references are left alone", () => {
  const changed = KEPT.filter((t) => maskContacts(t) !== t)
    .map((t) => `${t} → ${maskContacts(t)}`);
  assert.deepEqual(changed, []);
});

Deno.test("masking: shown as typed once the pair has a confirmed booking", () => {
  const text = "Call 555-555-1234 or jo@example.com";
  assert.equal(shownText(text, true), text);
  assert.equal(shownText(text, false), `Call ${H} or ${H}`);
  const table: [string[], boolean][] = [
    [[], false],
    [["held"], false],
    [["requested"], false],
    [["expired", "declined", "withdrawn"], false],
    [["cancelled"], false],
    [["confirmed"], true],
    [["completed"], true],
    [["cancelled", "confirmed"], true],
  ];
  for (const [statuses, want] of table) {
    assert.equal(
      contactsShown(statuses.map((s) => ({ status: s as "held" }))),
      want,
      statuses.join(","),
    );
  }
});

Deno.test("messages: one text schema, 1 to 4,000 characters, no control characters", () => {
  const table: [string, boolean][] = [
    ["Hi", true],
    ["x", true],
    ["line one\nline two", true],
    ["", false],
    ["   \n ", false],
    ["\u200b", false],
    ["a".repeat(4000), true],
    ["a".repeat(4001), false],
    ["é".normalize("NFD").repeat(4000), true],
    ["bell\u0007", false],
    ["evil\u202etxt.exe", false],
  ];
  for (const [text, ok] of table) {
    assert.equal(
      messageText.safeParse(text).success,
      ok,
      JSON.stringify(text.slice(0, 20)),
    );
  }
  assert.equal(
    newThreadForm.safeParse({ kitchen: "", booking: "", text: "Hi" }).success,
    false,
  );
  assert.equal(
    newThreadForm.safeParse({ kitchen: "../x", booking: "", text: "Hi" })
      .success,
    false,
  );
});

Deno.test("messages: rate limits allow 30 messages per 10 minutes and 5 new threads a day", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const t0 = Date.parse("2026-12-01T15:00:00Z");
    const m = MESSAGE_LIMITS.messagesByUser;
    const results: boolean[] = [];
    for (let i = 0; i < 31; i++) {
      results.push((await hitLimit(kv, m, "u1", t0 + i * 1000)).ok);
    }
    assert.deepEqual(results, [...Array(30).fill(true), false]);
    // Another person is counted apart.
    assert.equal((await hitLimit(kv, m, "u2", t0)).ok, true);
    // The next window starts afresh.
    const next = (Math.floor(t0 / m.windowMs) + 1) * m.windowMs;
    assert.equal((await hitLimit(kv, m, "u1", next)).ok, true);

    const t = MESSAGE_LIMITS.threadsByRenter;
    const threads: boolean[] = [];
    for (let i = 0; i < 6; i++) {
      threads.push((await hitLimit(kv, t, "u1", t0 + i * 3600_000)).ok);
    }
    assert.deepEqual(threads, [true, true, true, true, true, false]);
    assert.equal(m.max, 30);
    assert.equal(m.windowMs, 10 * 60_000);
    assert.equal(t.max, 5);
    assert.equal(t.windowMs, 24 * 3600_000);
  } finally {
    kv.close();
  }
});

const HOUR = 3600_000;
const NOW = Date.parse("2026-12-01T15:00:00Z");

Deno.test("reply times: the median first reply of the last 90 days, once there are 3", () => {
  const table: [number[], number | null][] = [
    [[], null],
    [[HOUR], null],
    [[HOUR, 2 * HOUR], null],
    [[HOUR, 2 * HOUR, 30 * HOUR], 2 * HOUR],
    [[HOUR, 2 * HOUR, 3 * HOUR, 4 * HOUR], 2.5 * HOUR],
    [[10 * 60_000, 5 * 60_000, 50 * 60_000], 10 * 60_000],
  ];
  for (const [delays, want] of table) {
    let times = null;
    for (const [i, ms] of delays.entries()) {
      times = addReplySample(times, { at: NOW - (i + 1) * HOUR, ms });
    }
    assert.equal(medianReplyMs(times, NOW), want, delays.join(","));
  }
  // Samples older than 90 days no longer count.
  let old = null;
  for (let i = 0; i < 3; i++) {
    old = addReplySample(old, { at: NOW - (91 + i) * 24 * HOUR, ms: HOUR });
  }
  assert.equal(medianReplyMs(old, NOW), null);
  const mixed = addReplySample(old, { at: NOW - HOUR, ms: 5 * HOUR });
  // Adding a new sample drops what fell out of the window.
  assert.equal(mixed.samples.length, 1);
});

Deno.test("reply times: the record keeps at most the newest 200 samples", () => {
  let times = null;
  for (let i = 0; i < 250; i++) {
    times = addReplySample(times, { at: NOW - (250 - i) * 60_000, ms: i });
  }
  assert.equal(times!.samples.length, REPLY_SAMPLES_KEPT);
  assert.equal(times!.samples[0].ms, 50);
  assert.equal(times!.samples.at(-1)!.ms, 249);
});

Deno.test("reply times: the kitchen page's words", () => {
  const table: [number, string][] = [
    [5 * 60_000, "Usually replies within an hour"],
    [HOUR, "Usually replies within an hour"],
    [HOUR + 60_000, "Usually replies within 2 hours"],
    [2 * HOUR, "Usually replies within 2 hours"],
    [23.5 * HOUR, "Usually replies within 24 hours"],
    [47 * HOUR, "Usually replies within 47 hours"],
    [48 * HOUR, "Usually replies within 2 days"],
    [80 * HOUR, "Usually replies within 4 days"],
  ];
  for (const [ms, want] of table) assert.equal(replyTimeLabel(ms), want);
  assert.equal(replyFigure(null, NOW), null);
});

function thread(over: Partial<Thread> = {}): Thread {
  return {
    v: 1,
    id: "01KTHREAD0000000000000000A",
    renterId: "r",
    hostId: "h",
    kitchenId: "01KKITCHEN000000000000000A",
    createdAt: NOW,
    lastAt: NOW,
    last: null,
    count: 0,
    unread: { renter: 0, host: 0 },
    readUpTo: { renter: null, host: null },
    emailedUpTo: { renter: null, host: null },
    lastEmailAt: { renter: null, host: null },
    firstRenterAt: null,
    hostRepliedAt: null,
    openReports: 0,
    ...over,
  };
}

Deno.test("messages: a message moves the thread: unread for the other side, read for the author, the first reply noted", () => {
  const ask = withMessage(thread(), "renter", {
    v: 1,
    id: "01K00000000000000000000001",
    threadId: "t",
    authorId: "r",
    text: "Is the mixer free?",
    at: NOW,
  });
  assert.deepEqual(ask.unread, { renter: 0, host: 1 });
  assert.equal(ask.firstRenterAt, NOW);
  assert.equal(ask.hostRepliedAt, null);
  assert.equal(ask.readUpTo.renter, "01K00000000000000000000001");
  const answer = withMessage(ask, "host", {
    v: 1,
    id: "01K00000000000000000000002",
    threadId: "t",
    authorId: "h",
    text: "Yes",
    at: NOW + HOUR,
  });
  assert.deepEqual(answer.unread, { renter: 1, host: 0 });
  assert.equal(answer.hostRepliedAt, NOW + HOUR);
  assert.equal(answer.count, 2);
  assert.equal(answer.last?.preview, "Yes");
});

Deno.test("messages: the unread email is sent once, an hour apart at most, never when read or turned off", () => {
  const m = "01K00000000000000000000005";
  const unread = thread({ unread: { renter: 0, host: 2 } });
  const table: [string, Thread, boolean, string][] = [
    ["unread, never emailed", unread, true, "send"],
    ["setting off", unread, false, "none"],
    ["read since", thread({ unread: { renter: 0, host: 0 } }), true, "none"],
    [
      "read past it",
      thread({
        unread: { renter: 0, host: 1 },
        readUpTo: { renter: null, host: "01K00000000000000000000006" },
      }),
      true,
      "none",
    ],
    [
      "already emailed about it",
      thread({
        unread: { renter: 0, host: 2 },
        emailedUpTo: { renter: null, host: m },
      }),
      true,
      "none",
    ],
    [
      "emailed 20 minutes ago",
      thread({
        unread: { renter: 0, host: 2 },
        lastEmailAt: { renter: null, host: NOW - 20 * 60_000 },
      }),
      true,
      "later",
    ],
    [
      "emailed an hour ago",
      thread({
        unread: { renter: 0, host: 2 },
        lastEmailAt: { renter: null, host: NOW - HOUR },
      }),
      true,
      "send",
    ],
  ];
  for (const [name, t, on, want] of table) {
    assert.equal(unreadEmailPlan(t, "host", m, NOW, on).kind, want, name);
  }
  const later = unreadEmailPlan(
    thread({
      unread: { renter: 0, host: 2 },
      lastEmailAt: { renter: null, host: NOW - 20 * 60_000 },
    }),
    "host",
    m,
    NOW,
    true,
  );
  assert.deepEqual(later, { kind: "later", at: NOW + 40 * 60_000 });
});

Deno.test("messages: the inbox preview is one line of at most 160 characters", () => {
  assert.equal(previewOf("Hi\n\nthere"), "Hi there");
  const long = previewOf("word ".repeat(100));
  assert.equal([...long].length, 160);
  assert.ok(long.endsWith("…"));
});
