import assert from "node:assert/strict";
import { characters } from "../page_text.ts";
import { keys } from "../../lib/db/keys.ts";
import type { Booking, LedgerKind } from "../../lib/bookings/schema.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import { formatCents } from "../../lib/money.ts";
import {
  bookPaid,
  get,
  post,
  runJobs,
  signUpConfirmed,
} from "../account_helpers.ts";
import { addKitchens, kitchenFixture, testApp } from "../helpers.ts";

type T = Awaited<ReturnType<typeof testApp>>;

const HOSTILE_TITLE = '=HYPERLINK("http://evil.example","Free")';

/** A renter books through the real flow: hold, demo pay, the payment job. */
function book(
  t: T,
  cookie: string,
  kitchen: string,
  date: string,
  start: string,
  end: string,
): Promise<string> {
  return bookPaid(t, cookie, { kitchen, date, start, end });
}

const stored = async (t: T, id: string) =>
  (await t.kv.get<Booking>(keys.booking(id))).value!;

/**
 * Now is Tue 2026-12-01, 09:00 in Chicago. Hank hosts an instant kitchen and
 * a request-to-book one with a hostile title; Rosa books both; Hal is
 * another host with his own kitchen and booking.
 */
async function setup() {
  const t = await testApp();
  const hank = await signUpConfirmed(t, "hank@example.com", "host");
  await setDemoPayoutReady(t.kv, hank.user.id, t.clock());
  const [main, hostile] = await addKitchens(t.kv, hank.user.id, [
    kitchenFixture({ title: "Main Street Kitchen" }),
    kitchenFixture({ title: HOSTILE_TITLE, bookingMode: "request" }),
  ]);
  const hal = await signUpConfirmed(t, "hal@example.com", "host");
  await setDemoPayoutReady(t.kv, hal.user.id, t.clock());
  const [halsKitchen] = await addKitchens(t.kv, hal.user.id, [
    kitchenFixture({ title: "Harbor Kitchen" }),
  ]);
  const rosa = await signUpConfirmed(t, "rosa@example.com", "rent", {
    wallet: true,
  });
  const r = rosa.cookie;
  const ids = {
    today: await book(t, r, main.id, "2026-12-01", "12:00", "15:00"),
    upcoming: await book(t, r, main.id, "2026-12-03", "10:00", "13:00"),
    // 6–8 pm in Chicago is after midnight in UTC: still the 3rd locally.
    evening: await book(t, r, main.id, "2026-12-03", "18:00", "20:00"),
    cancelled: await book(t, r, main.id, "2026-12-02", "10:00", "14:00"),
    request: await book(t, r, hostile.id, "2026-12-04", "10:00", "12:00"),
    accepted: await book(t, r, hostile.id, "2026-12-06", "09:00", "12:00"),
    hals: await book(t, r, halsKitchen.id, "2026-12-03", "10:00", "12:00"),
  };
  // 25 hours' notice under Moderate: half back to the renter.
  await post(t, `/bookings/${ids.cancelled}/cancel`, {}, { cookie: r });
  await post(t, `/host/bookings/${ids.accepted}/accept`, {}, {
    cookie: hank.cookie,
  });
  await runJobs(t);
  assert.equal((await stored(t, ids.request)).status, "requested");
  assert.equal((await stored(t, ids.accepted)).status, "confirmed");
  assert.equal((await stored(t, ids.cancelled)).status, "cancelled");
  return { t, hank: hank.cookie, hal: hal.cookie, rosa: r, ids, main, hostile };
}

/** One kitchen's row of the month view, found by its title. */
function gridOf(html: string, title: string): string {
  const m = new RegExp(
    `<tr[^>]*><th[^>]*scope="row"[^>]*><a[^>]*>${title}</a></th>.*?</tr>`,
    "s",
  ).exec(html);
  assert.ok(m, `a row for ${title}`);
  return m[0];
}

/** The inner HTML of the calendar cell for a local date. */
function cell(html: string, date: string): string {
  const m = new RegExp(`<td[^>]*data-date="${date}"[^>]*>(.*?)</td>`, "s")
    .exec(html);
  assert.ok(m, `a cell for ${date}`);
  return m[1];
}

/** RFC 4180: quoted fields, doubled quotes, CRLF line ends. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else {
      assert.notEqual(ch, "\n", "bare LF outside quotes");
      field += ch;
    }
  }
  assert.equal(field + row.join(""), "", "the file ends with CRLF");
  return rows;
}

const sum = (b: Booking, kind: LedgerKind) =>
  b.ledger.filter((e) => e.kind === kind).reduce(
    (n, e) => n + e.amountCents,
    0,
  );

const dollars = (cents: number) => (cents / 100).toFixed(2);

Deno.test("host dashboard: today, upcoming and requests with their deadline", async () => {
  const { t, hank, ids } = await setup();
  const res = await get(t, "/host", hank);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "private, no-store");
  const html = characters(await res.text());
  assert.match(html, /<h1[^>]*>Host dashboard<\/h1>/);

  const section = (id: string) => {
    const m = new RegExp(`aria-labelledby="${id}".*?</section>`, "s").exec(
      html,
    );
    assert.ok(m, id);
    return m[0];
  };
  const requests = section("requests-heading");
  assert.match(requests, /Requests waiting for your answer \(1\)/);
  const request = await stored(t, ids.request);
  // Answer within 24 hours of the payment: Wed, Dec 2, 9:00 AM in Chicago.
  assert.equal(request.respondBy, t.clock() + 24 * 3600_000);
  assert.match(requests, /Fri, Dec 4, 10:00 AM - 12:00 PM/);
  assert.match(requests, /Answer by Wed, Dec 2, 9:00 AM CST/);
  assert.match(requests, /href="\/host\/bookings"/);
  // The request itself opens where it is answered.
  assert.ok(requests.includes(`href="/host/bookings/${ids.request}"`));
  // /host/bookings lists it first, above the kitchens' bookings.
  const list = characters(await (await get(t, "/host/bookings", hank)).text());
  const first = /<section aria-labelledby="answer-heading".*?<\/section>/s
    .exec(list)?.[0] ?? "";
  assert.match(first, /Waiting for your answer \(1\)/);
  assert.ok(first.includes(`href="/host/bookings/${ids.request}"`));
  assert.match(first, /Answer by Wed, Dec 2, 9:00 AM CST\./);
  assert.ok(list.indexOf("answer-heading") < list.indexOf("<h2 class"));

  const today = section("today-heading");
  assert.match(today, /Tue, Dec 1, 12:00 PM - 3:00 PM/);
  assert.match(
    today,
    /Main Street Kitchen · Confirmed · your payout \$123\.25/,
  );
  assert.doesNotMatch(today, /Dec 3/);
  // Each booking opens its own page.
  assert.ok(today.includes(`href="/host/bookings/${ids.today}"`));

  const upcoming = section("upcoming-heading");
  const order = [
    "Thu, Dec 3, 10:00 AM - 1:00 PM",
    "Thu, Dec 3, 6:00 PM - 8:00 PM",
    "Fri, Dec 4, 10:00 AM - 12:00 PM",
    "Sun, Dec 6, 9:00 AM - 12:00 PM",
  ].map((s) => upcoming.indexOf(s));
  assert.ok(order.every((i) => i >= 0), `all upcoming listed: ${order}`);
  assert.deepEqual(order, [...order].sort((a, b) => a - b), "by start");
  assert.doesNotMatch(upcoming, /Wed, Dec 2/, "the cancelled one is gone");
  // Another host's booking on the same day is not Hank's.
  assert.doesNotMatch(html, /Harbor Kitchen/);
  // The hostile title is text, escaped once.
  assert.match(
    html,
    /=HYPERLINK\(&quot;http:\/\/evil\.example&quot;,&quot;Free&quot;\)/,
  );
  assert.doesNotMatch(html, /&amp;quot;/);
  t.close();
});

Deno.test("host dashboard: the month grid shows bookings on their local dates; ?month= moves and is validated", async () => {
  const { t, hank } = await setup();
  const html = await (await get(t, "/host", hank)).text();
  assert.match(html, /<h3[^>]*>December 2026<\/h3>/);
  assert.match(html, /data-island="MonthCalendar"/);
  assert.match(html, /href="\/host\?month=2026-11#calendar"/);
  assert.match(html, /href="\/host\?month=2027-01#calendar"/);
  // One row per kitchen, each with a Dec 3 cell, in one compact table.
  assert.equal(html.match(/data-date="2026-12-03"/g)?.length, 2);
  const main = gridOf(html, "Main Street Kitchen");
  const dec3 = cell(main, "2026-12-03");
  // 10:00–1:00 PM and 6:00–8:00 PM (after midnight UTC, still the 3rd).
  assert.match(
    characters(dec3),
    /Thu, Dec 3, open 8:00 AM - 8:00 PM, 5 hours booked/,
  );
  assert.match(dec3, />5h</);
  assert.match(
    /<td[^>]*data-date="2026-12-03"[^>]*>/.exec(main)![0],
    /bg-emerald-400/,
    "5 of 12 open hours: the middle shade",
  );
  assert.doesNotMatch(cell(main, "2026-12-04"), /booked/);
  assert.doesNotMatch(cell(main, "2026-12-02"), /booked/, "cancelled");
  const hostile = gridOf(html, "=HYPERLINK\\(&quot;.*?");
  assert.match(
    cell(hostile, "2026-12-04"),
    /2 hours requested or on hold.*\+2h/s,
  );
  assert.match(cell(hostile, "2026-12-06"), /3 hours booked/);
  assert.doesNotMatch(cell(hostile, "2026-12-03"), /booked/);
  assert.doesNotMatch(html, /Harbor Kitchen/);

  const jan = await get(t, "/host?month=2027-01", hank);
  assert.equal(jan.status, 200);
  const janHtml = await jan.text();
  assert.match(janHtml, /<h3[^>]*>January 2027<\/h3>/);
  assert.doesNotMatch(janHtml, /\d hours? booked/);

  const json = await get(t, "/host/calendar.json?month=2026-12", hank);
  assert.equal(json.status, 200);
  assert.equal(json.headers.get("cache-control"), "private, no-store");
  const calendar = await json.json();
  assert.equal(calendar.label, "December 2026");
  assert.deepEqual(calendar.next, { month: "2027-01", label: "January 2027" });
  assert.equal(calendar.html.match(/<table/g)?.length, 1);
  assert.match(
    cell(gridOf(calendar.html, "Main Street Kitchen"), "2026-12-03"),
    /5 hours booked/,
  );

  for (
    const bad of ["2026-13", "2026-1", "abc", "1999-12", "2026-12-01", "%00"]
  ) {
    const res = await get(t, `/host?month=${bad}`, hank);
    assert.equal(res.status, 400, bad);
    assert.match(await res.text(), /Pick a month like 2026-12/, bad);
    const api = await get(t, `/host/calendar.json?month=${bad}`, hank);
    assert.equal(api.status, 400, bad);
    assert.deepEqual(await api.json(), {
      error: "Pick a month like 2026-12.",
    });
  }
  t.close();
});

Deno.test("host dashboard: earnings equal the ledgers, and the CSV parses with the hostile title neutralised", async () => {
  const { t, hank, ids } = await setup();
  const mine = await Promise.all(
    [ids.today, ids.upcoming, ids.evening, ids.cancelled, ids.accepted].map(
      (id) => stored(t, id),
    ),
  );
  const total = (kind: LedgerKind) =>
    mine.reduce((n, b) => n + sum(b, kind), 0);
  const net = total("transfer") - total("transfer_reversal");
  const cancelled = mine.find((b) => b.status === "cancelled")!;
  const kept = sum(cancelled, "transfer") - sum(cancelled, "transfer_reversal");
  assert.ok(kept > 0 && sum(cancelled, "refund") > 0, "a partial refund");
  // The bookings list says what the host keeps of it, as the earnings do.
  const list = characters(await (await get(t, "/host/bookings", hank)).text());
  assert.ok(
    list.includes(`Cancelled · your payout ${formatCents(kept)}`),
    "the payout kept after the refund",
  );
  assert.ok(list.includes(`href="/host/bookings/${cancelled.id}"`));
  assert.ok(kept < cancelled.quote.hostPayoutCents);

  const html = await (await get(t, "/host", hank)).text();
  const m = /<tr class="bg-stone-50">(.*?)<\/tr>/s.exec(html);
  assert.ok(m, "December's total row");
  const cells = [...m[1].matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((c) =>
    c[1]
  );
  assert.deepEqual(cells, [
    "December 2026",
    "5",
    formatCents(total("charge")),
    formatCents(total("commission") - total("fee_refund")),
    formatCents(total("refund")),
    formatCents(net),
    // Paid out: the cancelled booking's kept share is final.
    formatCents(kept),
    formatCents(net - kept),
  ]);

  const res = await get(t, "/host/earnings.csv", hank);
  assert.equal(res.status, 200);
  assert.equal(
    res.headers.get("content-type"),
    "text/csv; charset=utf-8; header=present",
  );
  assert.equal(res.headers.get("cache-control"), "private, no-store");
  assert.equal(
    res.headers.get("content-disposition"),
    `attachment; filename="prep-earnings-2026-12-01.csv"; filename*=UTF-8''prep-earnings-2026-12-01.csv`,
  );
  const rows = parseCsv(await res.text());
  assert.deepEqual(rows[0], [
    "month",
    "kitchen",
    "booking id",
    "start (kitchen time)",
    "status",
    "gross",
    "commission",
    "refunds",
    "net",
  ]);
  const body = rows.slice(1);
  assert.equal(body.length, mine.length, "one row per paid booking");
  for (const b of mine) {
    const row = body.find((r) => r[2] === b.id);
    assert.ok(row, b.id);
    assert.deepEqual(row.slice(4), [
      b.status,
      dollars(sum(b, "charge")),
      dollars(sum(b, "commission") - sum(b, "fee_refund")),
      dollars(sum(b, "refund")),
      dollars(sum(b, "transfer") - sum(b, "transfer_reversal")),
    ]);
    assert.equal(row[0], "2026-12");
    assert.match(row[3], new RegExp(`^${b.localDate}T${b.localStart}-06:00$`));
  }
  const hostile = body.find((r) => r[2] === ids.accepted)!;
  assert.equal(hostile[1], `'${HOSTILE_TITLE}`, "cannot start a formula");
  assert.ok(body.every((r) => r.every((c) => !/^[=+\-@]/.test(c))));
  assert.ok(!body.some((r) => r[2] === ids.request), "authorised only");
  assert.ok(!body.some((r) => r[2] === ids.hals), "another host's");
  t.close();
});

Deno.test("host dashboard: renters get 403, strangers log in, and another host sees only their own", async () => {
  const { t, hal, rosa, ids } = await setup();
  for (
    const path of [
      "/host",
      "/host/earnings.csv",
      "/host/calendar.json?month=2026-12",
    ]
  ) {
    const renter = await get(t, path, rosa);
    assert.equal(renter.status, 403, path);
    assert.doesNotMatch(await renter.text(), /Main Street Kitchen/, path);
    const stranger = await get(t, path);
    assert.equal(stranger.status, 303, path);
    assert.match(stranger.headers.get("location")!, /^\/login\?next=/, path);
  }

  const html = await (await get(t, "/host", hal)).text();
  assert.match(html, /Harbor Kitchen/);
  assert.doesNotMatch(html, /Main Street Kitchen|HYPERLINK/);
  assert.doesNotMatch(html, /Requests waiting/);
  assert.equal(html.match(/data-date="2026-12-03"/g)?.length, 1);
  assert.match(cell(html, "2026-12-03"), /2 hours booked/);
  const calendar =
    await (await get(t, "/host/calendar.json?month=2026-12", hal))
      .json();
  assert.match(calendar.html, /Harbor Kitchen/);
  assert.doesNotMatch(calendar.html, /Main Street Kitchen|HYPERLINK/);
  assert.equal(calendar.html.match(/<table/g)?.length, 1);
  const rows = parseCsv(await (await get(t, "/host/earnings.csv", hal)).text());
  assert.deepEqual(rows.slice(1).map((r) => r[2]), [ids.hals]);
  assert.deepEqual(rows.slice(1).map((r) => r[1]), ["Harbor Kitchen"]);
  t.close();
});

Deno.test("host dashboard: a host with no kitchens sees empty sections and 'List your first kitchen' as the main action", async () => {
  const t = await testApp();
  const { cookie } = await signUpConfirmed(t, "new@example.com", "host");
  const res = await get(t, "/host", cookie);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /Nothing booked today\./);
  assert.match(html, /No upcoming bookings\./);
  assert.match(html, /No kitchens on the calendar yet/);
  assert.match(html, /No earnings yet\./);
  assert.match(
    html,
    /<a href="\/host\/kitchens\/new"[^>]*>List your first kitchen<\/a>/,
  );
  // With a draft started, the main action is to finish it.
  const other = await signUpConfirmed(t, "drafting@example.com", "host");
  await post(t, "/host/kitchens/new", {}, { cookie: other.cookie });
  const drafting = await (await get(t, "/host", other.cookie)).text();
  assert.match(drafting, /Finish your listing/);
  assert.match(
    drafting,
    /<a href="\/host\/kitchens"[^>]*>Continue your listing<\/a>/,
  );
  const csv = await (await get(t, "/host/earnings.csv", cookie)).text();
  assert.equal(parseCsv(csv).length, 1, "only the header");
  t.close();
});

Deno.test("host dashboard: the host's own answers show at once, despite the page cache", async () => {
  const { t, hank, ids } = await setup();
  const before = await (await get(t, "/host", hank)).text();
  assert.match(before, /Requests waiting for your answer \(1\)/);
  await post(t, `/host/bookings/${ids.request}/accept`, {}, { cookie: hank });
  const after = await (await get(t, "/host", hank)).text();
  assert.doesNotMatch(after, /Requests waiting for your answer \(1\)/);
  await post(t, `/host/bookings/${ids.upcoming}/cancel`, {}, { cookie: hank });
  const later = await (await get(t, "/host", hank)).text();
  assert.doesNotMatch(later, /Thu, Dec 3, 10:00 AM - 1:00 PM/);
  t.close();
});
