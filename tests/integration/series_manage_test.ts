/**
 * Standing bookings, managed (issue 19 §4–6): cancelling the rest and the
 * host ending a series (with their refunds), one date cancelled on its
 * own, a request-to-book series answered as a whole, renters racing for
 * the same dates, a document lapsing in week 6, and bad input on the
 * preview and claim URLs.
 */
import assert from "node:assert/strict";
import { keys } from "../../lib/db/keys.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import { listAuditFor } from "../../lib/audit/repo.ts";
import { ledgerProblem } from "../../lib/bookings/lifecycle.ts";
import type { Booking, Series } from "../../lib/bookings/schema.ts";
import { isLive } from "../../lib/bookings/state.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import type { KitchenInput } from "../../lib/kitchens/schema.ts";
import {
  get,
  PASSWORD,
  post,
  runJobs,
  sessionCookie,
  signUpConfirmed,
  type T,
} from "../account_helpers.ts";
import { addVerified, giveWallet, upload } from "../compliance_helpers.ts";
import { addKitchens, kitchenFixture, testApp } from "../helpers.ts";

async function setup(over: Partial<KitchenInput> = {}) {
  const t = await testApp();
  const host = await signUpConfirmed(t, "hank@example.com", "host");
  await setDemoPayoutReady(t.kv, host.user.id, t.clock());
  const [k] = await addKitchens(t.kv, host.user.id, [
    kitchenFixture({ standingBookings: true, standingMonthsAhead: 6, ...over }),
  ]);
  const renter = await signUpConfirmed(t, "rosa@example.com", "rent", {
    wallet: true,
  });
  return {
    t,
    k,
    host: host.cookie,
    renter: renter.cookie,
    renterId: renter.user.id,
  };
}

const RULE = {
  weekdays: "tue,thu",
  start: "09:00",
  end: "13:00",
  every: "1",
  from: "2026-12-08",
  count: "4",
};

const query = (kitchen: string, rule: Record<string, string> = RULE) =>
  `/bookings/series/new?${new URLSearchParams({ kitchen, ...rule })}`;

async function login(t: T, email: string): Promise<string> {
  return sessionCookie(await post(t, "/login", { email, password: PASSWORD }));
}

const booking = async (t: T, id: string) =>
  (await t.kv.get<Booking>(keys.booking(id))).value!;
const seriesById = async (t: T, id: string) =>
  (await t.kv.get<Series>(keys.bookingSeries(id))).value!;

function claimRequest(
  t: T,
  cookie: string,
  kitchen: string,
  rule: Record<string, string>,
  keep: string[],
) {
  const body = new URLSearchParams({ kitchen, ...rule, acceptRules: "yes" });
  for (const n of keep) body.append("keep", n);
  return t.request("/bookings/series", {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "Sec-Fetch-Site": "same-origin",
      Cookie: cookie,
    },
  });
}

/** Claims and pays (demo, a card that works): the series. */
async function bookSeries(
  t: T,
  cookie: string,
  kitchen: string,
  rule: Record<string, string> = RULE,
): Promise<Series> {
  const preview = await (await get(t, query(kitchen, rule), cookie)).text();
  const keep = [...preview.matchAll(/name="keep" value="(\d+)"/g)].map((m) =>
    m[1]
  );
  const res = await claimRequest(t, cookie, kitchen, rule, keep);
  assert.equal(res.status, 303, await res.clone().text());
  const pay = res.headers.get("location")!;
  await post(t, pay, { card: "works" }, { cookie });
  await runJobs(t);
  const lead = await booking(t, pay.split("/")[2]);
  return await seriesById(t, lead.seriesId!);
}

async function datesOf(t: T, s: Series): Promise<Booking[]> {
  const fresh = await seriesById(t, s.id);
  return await Promise.all(
    fresh.occurrences.filter((o) => o.bookingId).map((o) =>
      booking(t, o.bookingId!)
    ),
  );
}

Deno.test("series: the renter cancels the rest: paid dates refunded by the policy each, unpaid ones not charged, one email a side", async () => {
  const { t, k, renter } = await setup();
  const s = await bookSeries(t, renter, k.id);
  // Mon Dec 7, 9:01 AM: Thu Dec 10 was just charged; Tue Dec 8 is < 24 h away.
  t.advance(Date.parse("2026-12-07T15:01:00Z") - t.clock());
  await runJobs(t);
  const before = await datesOf(t, s);
  assert.deepEqual(before.map((b) => b.status), [
    "confirmed",
    "confirmed",
    "scheduled",
    "scheduled",
  ]);
  const cookie = await login(t, "rosa@example.com");
  const ask = await get(t, `/bookings/series/${s.id}/cancel`, cookie);
  assert.match(await ask.text(), /the 4 dates still ahead are cancelled/);
  const res = await post(t, `/bookings/series/${s.id}/cancel`, {}, { cookie });
  assert.equal(res.status, 303);
  await runJobs(t);
  const after = await datesOf(t, s);
  assert.deepEqual(after.map((b) => b.status), [
    "cancelled",
    "cancelled",
    "cancelled",
    "cancelled",
  ]);
  // Moderate: under 24 hours nothing; 24–72 hours half; unpaid: nothing to refund.
  assert.deepEqual(after.map((b) => b.cancellation!.refundCents), [
    0,
    9250,
    0,
    0,
  ]);
  for (const b of after) assert.equal(ledgerProblem(b), null, b.id);
  assert.equal(after[1].ledger.filter((e) => e.kind === "refund").length, 1);
  assert.ok(after[1].ledger.find((e) => e.kind === "refund")!.ref);
  assert.equal((await seriesById(t, s.id)).status, "ended");
  const mail = await listMail(t.kv);
  assert.ok(mail.some((m) =>
    m.to === "rosa@example.com" &&
    m.subject === `Weekly booking cancelled: ${k.title}` &&
    /\$92\.50 back/.test(m.text)
  ));
  assert.ok(mail.some((m) =>
    m.to === "hank@example.com" &&
    m.subject === `Weekly booking cancelled: ${k.title}`
  ));
  assert.equal(
    mail.filter((m) => /^Booking cancelled/.test(m.subject)).length,
    0,
    "no email per date",
  );
  // The time is free for others again.
  assert.ok(after.every((b) => !isLive(b.status)));
  t.close();
});

Deno.test("series: the host ends a series with a reason: every paid date refunded in full, audited", async () => {
  const { t, k, renter } = await setup();
  const s = await bookSeries(t, renter, k.id);
  t.advance(Date.parse("2026-12-07T15:01:00Z") - t.clock());
  await runJobs(t);
  const host = await login(t, "hank@example.com");
  const page = await (await get(t, `/host/bookings/series/${s.id}`, host))
    .text();
  assert.match(page, /End this weekly booking/);
  const blank = await post(t, `/host/bookings/series/${s.id}/end`, {
    reason: "",
    confirm: "yes",
  }, { cookie: host });
  assert.equal(blank.status, 400);
  assert.match(await blank.text(), /Enter a reason/);
  // Not confirmed: asked, and the reason typed is kept.
  const unconfirmed = await post(t, `/host/bookings/series/${s.id}/end`, {
    reason: "The kitchen closes for a refit in January.",
  }, { cookie: host });
  assert.equal(unconfirmed.status, 400);
  const asked = await unconfirmed.text();
  assert.match(asked, /Tick the box to confirm/);
  assert.match(asked, /The kitchen closes for a refit in January\./);
  assert.equal((await seriesById(t, s.id)).status, "active");

  const res = await post(t, `/host/bookings/series/${s.id}/end`, {
    reason: "The kitchen closes for a refit in January.",
    confirm: "yes",
  }, { cookie: host });
  assert.equal(res.status, 303);
  await runJobs(t);
  const after = await datesOf(t, s);
  assert.deepEqual(after.map((b) => b.cancellation!.refundCents), [
    18500,
    18500,
    0,
    0,
  ]);
  assert.ok(after.every((b) => b.cancellation!.by === "host"));
  for (const b of after) assert.equal(ledgerProblem(b), null);
  const ended = await seriesById(t, s.id);
  assert.equal(ended.status, "ended");
  assert.equal(
    ended.ended!.reason,
    "The kitchen closes for a refit in January.",
  );
  const audit = await listAuditFor(t.kv, "series", s.id);
  assert.equal(audit[0].action, "series.ended");
  assert.equal(audit[0].details.refundCents, 37000);
  const mail = await listMail(t.kv);
  const told = mail.find((m) =>
    m.to === "rosa@example.com" &&
    m.subject === `Weekly booking ended: ${k.title}`
  );
  assert.ok(told);
  assert.match(told.text, /The kitchen closes for a refit in January/);
  assert.match(told.text, /\$370 in all/);
  // Only the kitchen's host ends it: the renter cannot.
  const renterCookie = await login(t, "rosa@example.com");
  const notHost = await post(t, `/host/bookings/series/${s.id}/end`, {
    reason: "x",
    confirm: "yes",
  }, { cookie: renterCookie });
  assert.equal(notHost.status, 403);
  t.close();
});

Deno.test("series: one unpaid date cancelled on its own costs nothing and leaves the rest", async () => {
  const { t, k, renter } = await setup();
  const s = await bookSeries(t, renter, k.id);
  const [, , third] = await datesOf(t, s);
  const page = await (await get(t, `/bookings/${third.id}`, renter)).text();
  assert.match(page, /cancelling it now costs nothing/);
  assert.match(page, /See every date/);
  const res = await post(t, `/bookings/${third.id}/cancel`, {}, {
    cookie: renter,
  });
  assert.equal(res.status, 303);
  await runJobs(t);
  const after = await datesOf(t, s);
  assert.deepEqual(after.map((b) => b.status), [
    "confirmed",
    "scheduled",
    "cancelled",
    "scheduled",
  ]);
  assert.equal(after[2].cancellation!.refundCents, 0);
  assert.deepEqual(after[2].ledger, []);
  // Its page says why nothing is refunded, and only that.
  const cancelled = await (await get(t, `/bookings/${third.id}`, renter))
    .text();
  assert.match(cancelled, /This date was not charged yet/);
  // When, in the kitchen's zone, named as the other times on the page are.
  assert.match(cancelled, /cancelled this booking on [^.<]+ [A-Z]{2,5}T\./);
  assert.doesNotMatch(cancelled, /No refund was due/);
  // Its charge never runs.
  t.advance(Date.parse("2026-12-12T15:01:00Z") - t.clock());
  await runJobs(t);
  assert.deepEqual((await booking(t, third.id)).ledger, []);
  t.close();
});

Deno.test("series: request-to-book: the host gets one request for the series and accepts every date at once", async () => {
  const { t, k, renter } = await setup({ bookingMode: "request" });
  const s = await bookSeries(t, renter, k.id);
  const dates = await datesOf(t, s);
  assert.deepEqual([...new Set(dates.map((b) => b.status))], ["requested"]);
  assert.equal((await seriesById(t, s.id)).status, "requested");
  const mail = await listMail(t.kv);
  assert.equal(
    mail.filter((m) =>
      m.to === "hank@example.com" &&
      m.subject === `Weekly booking request: ${k.title}`
    ).length,
    1,
  );
  assert.equal(
    mail.filter((m) => /^Booking request/.test(m.subject)).length,
    0,
    "no request per date",
  );
  const host = await login(t, "hank@example.com");
  // The dashboard and the bookings list show it once, leading to its page.
  const seriesHref = `href="/host/bookings/series/${s.id}"`;
  const dashboard = await (await get(t, "/host", host)).text();
  const requests = /aria-labelledby="requests-heading".*?<\/section>/s
    .exec(dashboard)?.[0] ?? "";
  assert.match(requests, /Requests waiting for your answer \(1\)/);
  assert.ok(requests.includes(seriesHref), requests);
  assert.match(requests, new RegExp(`weekly: ${dates.length} dates`));
  const list = await (await get(t, "/host/bookings", host)).text();
  const first = /aria-labelledby="answer-heading".*?<\/section>/s.exec(list)
    ?.[0] ?? "";
  assert.match(first, /Waiting for your answer \(1\)/);
  assert.ok(first.includes(seriesHref), first);
  // One date alone cannot be answered.
  const alone = await post(t, `/host/bookings/${dates[0].id}/accept`, {}, {
    cookie: host,
  });
  assert.equal(alone.status, 409);
  assert.match(await alone.text(), /part of a weekly booking/);
  const page = await (await get(t, `/host/bookings/series/${s.id}`, host))
    .text();
  assert.match(page, /Accept every date/);
  const res = await post(t, `/host/bookings/series/${s.id}/accept`, {}, {
    cookie: host,
  });
  assert.equal(res.status, 303);
  await runJobs(t);
  const after = await datesOf(t, s);
  assert.deepEqual(after.map((b) => b.status), [
    "confirmed",
    "scheduled",
    "scheduled",
    "scheduled",
  ]);
  assert.equal((await seriesById(t, s.id)).status, "active");
  t.close();
});

Deno.test("series: request-to-book: declining the series releases every date and tells the renter why, once", async () => {
  const { t, k, renter } = await setup({ bookingMode: "request" });
  const s = await bookSeries(t, renter, k.id);
  const host = await login(t, "hank@example.com");
  const res = await post(t, `/host/bookings/series/${s.id}/decline`, {
    reason: "We only take weekly bakers on Mondays.",
  }, { cookie: host });
  assert.equal(res.status, 303);
  await runJobs(t);
  const after = await datesOf(t, s);
  assert.deepEqual([...new Set(after.map((b) => b.status))], ["declined"]);
  assert.equal((await seriesById(t, s.id)).status, "declined");
  const mail = await listMail(t.kv);
  const told = mail.filter((m) =>
    m.to === "rosa@example.com" && /declined/i.test(m.subject)
  );
  assert.equal(told.length, 1);
  assert.match(told[0].text, /We only take weekly bakers on Mondays/);
  t.close();
});

Deno.test("series: renters racing for the same dates: each date is held by one of them, never two", async () => {
  const { t, k } = await setup();
  const cookies = await Promise.all(
    ["a", "b", "c", "d", "e", "f"].map(async (n) =>
      (await signUpConfirmed(t, `${n}@example.com`, "rent", { wallet: true }))
        .cookie
    ),
  );
  const rule = { ...RULE, count: "6" };
  const keep = ["1", "2", "3", "4", "5", "6"];
  const results = await Promise.all(
    cookies.map((c) => claimRequest(t, c, k.id, rule, keep)),
  );
  for (const r of results) {
    assert.ok([303, 409].includes(r.status), `${r.status}`);
    await r.body?.cancel();
  }
  assert.ok(results.some((r) => r.status === 303));
  const live: Booking[] = [];
  for await (const e of t.kv.list<Booking>({ prefix: keys.bookingsPrefix() })) {
    if (isLive(e.value.status)) live.push(e.value);
  }
  const byDate = Map.groupBy(live, (b) => b.localDate);
  for (const [date, list] of byDate) {
    assert.equal(list.length, 1, `${date}: ${list.length} holders`);
  }
  assert.ok(byDate.size >= 2);
  t.close();
});

Deno.test("series: a document lapsing in week 6 makes weeks 6+ wait: reminded, not charged while denied, charged once renewed", async () => {
  const t = await testApp();
  const host = await signUpConfirmed(t, "hank@example.com", "host");
  await setDemoPayoutReady(t.kv, host.user.id, t.clock());
  const [k] = await addKitchens(t.kv, host.user.id, [
    kitchenFixture({ standingBookings: true, standingMonthsAhead: 6 }),
  ]);
  const renter = await signUpConfirmed(t, "rosa@example.com", "rent");
  await giveWallet(t.kv, renter.user.id, t.clock(), {
    skip: ["food_handler_card"],
  });
  // The food handler card lapses at the end of Mon Jan 11 2027: week 6.
  await addVerified(
    t.kv,
    { kind: "renter", id: renter.user.id },
    renter.user.id,
    upload("food_handler_card", { expiryDate: "2027-01-11" }),
    t.clock(),
  );
  const rule = { ...RULE, count: "12" };
  const html = await (await get(t, query(k.id, rule), renter.cookie)).text();
  assert.match(html, /10 of 12 dates are free/);
  assert.match(html, /data-state="renew" data-date="2027-01-12"/);
  assert.match(html, /data-state="renew" data-date="2027-01-14"/);
  assert.match(html, /A document of yours lapses before this date/);
  const s = await bookSeries(t, renter.cookie, k.id, rule);
  const dates = await datesOf(t, s);
  assert.equal(dates.length, 12);
  const week6 = dates.find((b) => b.localDate === "2027-01-12")!;
  assert.equal(week6.status, "scheduled");

  // Four days before its charge (Sat Jan 9), the renter is reminded.
  t.advance(Date.parse("2027-01-05T15:01:00Z") - t.clock());
  await runJobs(t);
  let mail = await listMail(t.kv);
  assert.ok(mail.some((m) =>
    m.to === "rosa@example.com" &&
    m.subject === "Renew your documents before Tue, Jan 12"
  ));
  // At its charge it is denied: not charged, and the renter told.
  t.advance(Date.parse("2027-01-09T15:01:00Z") - t.clock());
  await runJobs(t);
  const denied = await booking(t, week6.id);
  assert.equal(denied.status, "scheduled");
  assert.equal(denied.charge!.problem, "documents");
  assert.deepEqual(denied.ledger, []);
  mail = await listMail(t.kv);
  assert.ok(
    mail.some((m) => m.subject === `Documents needed: ${k.title}, Tue, Jan 12`),
  );
  // The week before was charged as usual (and has taken place since).
  const week5 = dates.find((b) => b.localDate === "2027-01-07")!;
  assert.equal(
    (await booking(t, week5.id)).ledger.filter((e) => e.kind === "charge")
      .length,
    1,
  );

  // The renter renews; the next look (6 hours on) charges it.
  await addVerified(
    t.kv,
    { kind: "renter", id: renter.user.id },
    renter.user.id,
    upload("food_handler_card", { expiryDate: "2029-01-31" }),
    t.clock(),
  );
  t.advance(6 * 3600_000 + 60_000);
  await runJobs(t);
  const paid = await booking(t, week6.id);
  assert.equal(paid.status, "confirmed");
  assert.equal(paid.ledger.filter((e) => e.kind === "charge").length, 1);
  t.close();
});

Deno.test("series: bad input on the preview and claim URLs gets a clear answer, never a 500", async () => {
  const { t, k, renter } = await setup();
  const cases: [Record<string, string>, number, RegExp][] = [
    [{ weekdays: "" }, 400, /Pick at least one weekday/],
    [{ weekdays: "tue,funday" }, 400, /Pick weekdays from Monday to Sunday/],
    [{ every: "5" }, 400, /Repeat every 1, 2, 3 or 4 weeks/],
    [{ count: "27" }, 400, /A weekly booking has at most 26 dates/],
    [
      { count: "", until: "2027-07-01" },
      400,
      /A weekly booking runs at most 6 months/,
    ],
    [{ from: "2026-11-30" }, 400, /The first date has passed/],
    [{ from: "not-a-date" }, 400, /Use a date like 2026-12-31/],
    [{ start: "25:00" }, 400, /Pick a start time on the half hour/],
    [
      { weekdays: "mon,tue,wed,thu,fri", count: "", until: "2027-05-31" },
      400,
      /more than 26 dates/,
    ],
    [{ kitchen: "not-an-id" }, 404, /We could not find that kitchen/],
    [
      { kitchen: "01HZZZZZZZZZZZZZZZZZZZZZZZ" },
      404,
      /We could not find that kitchen/,
    ],
  ];
  for (const [over, status, message] of cases) {
    const q = `/bookings/series/new?${new URLSearchParams({
      kitchen: k.id,
      ...RULE,
      ...over,
    })}`;
    const res = await get(t, q, renter);
    assert.equal(res.status, status, q);
    assert.match(await res.text(), message, q);
    const claimed = await claimRequest(t, renter, over.kitchen ?? k.id, {
      ...RULE,
      ...over,
    }, ["1", "2"]);
    assert.equal(claimed.status, status, `POST ${JSON.stringify(over)}`);
    assert.match(await claimed.text(), message);
  }
  // A passed first date is said with the fields' problems, not after them.
  const both = await get(
    t,
    `/bookings/series/new?${new URLSearchParams({
      kitchen: k.id,
      ...RULE,
      from: "2026-11-30",
      start: "25:00",
    })}`,
    renter,
  );
  assert.equal(both.status, 400);
  const bothText = await both.text();
  assert.match(bothText, /Pick a start time on the half hour/);
  assert.match(bothText, /The first date has passed/);
  // The refused start is asked again, not shown as 12:00 AM; the date
  // fields offer nothing before the kitchen's today.
  assert.match(
    bothText,
    /<select id="[^"]*" name="start"[^>]*><option value="" selected>Choose one<\/option>/,
  );
  assert.match(
    bothText,
    /name="from" type="date" value="2026-11-30"[^>]* min="\d{4}-\d\d-\d\d"/,
  );
  // Only the kitchen: the blank form, no errors.
  const blank = await get(t, `/bookings/series/new?kitchen=${k.id}`, renter);
  assert.equal(blank.status, 200);
  assert.doesNotMatch(await blank.text(), /role="alert"/);
  // Keeping fewer than 2 dates, or none of the listed ones.
  const one = await claimRequest(t, renter, k.id, RULE, ["1"]);
  assert.equal(one.status, 400);
  assert.match(await one.text(), /Keep at least 2 free dates/);
  const odd = await claimRequest(t, renter, k.id, RULE, ["99", "x"]);
  assert.equal(odd.status, 400);
  // A kitchen that takes no weekly bookings says so.
  const [single] = await addKitchens(t.kv, k.hostId, [kitchenFixture()]);
  const no = await get(t, query(single.id), renter);
  assert.equal(no.status, 409);
  assert.match(await no.text(), /does not take weekly bookings/);
  // Nothing was held by any of it.
  const held: Booking[] = [];
  for await (const e of t.kv.list<Booking>({ prefix: keys.bookingsPrefix() })) {
    held.push(e.value);
  }
  assert.equal(held.length, 0);
  t.close();
});

Deno.test("series: a host chooses in the hours section whether a kitchen takes weekly bookings and how far ahead", async () => {
  const t = await testApp();
  const { cookie } = await signUpConfirmed(t, "hana@example.com", "host");
  const made = await post(t, "/host/kitchens/new", {}, { cookie });
  const id = made.headers.get("location")!.split("/")[3];
  const hours = {
    rangeDay: "1",
    rangeStart: "08:00",
    rangeEnd: "20:00",
    blackoutDates: "",
    bufferMinutes: "0",
    minNoticeHours: "0",
    bookingWindowDays: "30",
    minHours: "2",
    maxHours: "10",
  };
  const page = await (await get(t, `/host/kitchens/${id}/edit/hours`, cookie))
    .text();
  assert.match(page, /Weekly standing bookings/);
  assert.match(page, /How far ahead a weekly booking may reach/);
  const bad = await post(t, `/host/kitchens/${id}/edit/hours`, {
    ...hours,
    standingBookings: "yes",
    standingMonthsAhead: "7",
  }, { cookie });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /Use at most 6/);
  const ok = await post(t, `/host/kitchens/${id}/edit/hours`, {
    ...hours,
    standingBookings: "yes",
    standingMonthsAhead: "4",
  }, { cookie });
  assert.equal(ok.status, 303);
  const draft =
    (await t.kv.get<{ values: KitchenInput }>(keys.kitchenDraft(id)))
      .value!;
  assert.equal(draft.values.standingBookings, true);
  assert.equal(draft.values.standingMonthsAhead, 4);
  // The single-booking window stays its own.
  assert.equal(draft.values.bookingWindowDays, 30);
  // A form from before the setting (no such fields) turns it off, months kept.
  await post(t, `/host/kitchens/${id}/edit/hours`, hours, { cookie });
  const after =
    (await t.kv.get<{ values: KitchenInput }>(keys.kitchenDraft(id)))
      .value!;
  assert.equal(after.values.standingBookings, false);
  t.close();
});

Deno.test("series: the series' window is the host's months ahead, not the single-booking window", async () => {
  // Single bookings up to 30 days ahead; weekly ones up to 3 months.
  const { t, k, renter } = await setup({
    bookingWindowDays: 30,
    standingMonthsAhead: 3,
  });
  const rule = { ...RULE, weekdays: "tue", count: "16" };
  const html = await (await get(t, query(k.id, rule), renter)).text();
  // Today is Dec 1: Tuesdays up to Feb 23 are within 3 months; from Mar 2 not.
  assert.match(html, /12 of 16 dates are free/);
  assert.match(
    html,
    /data-state="conflict" data-date="2027-03-02"[^]*?Too far ahead: this kitchen takes weekly bookings up to 3 months ahead/,
  );
  assert.match(html, /data-state="free" data-date="2027-02-23"/);
  t.close();
});

Deno.test("series: once a date has taken place, /bookings offers the renter its review on the weekly booking's card", async () => {
  const { t, k, renter } = await setup();
  const s = await bookSeries(t, renter, k.id);
  const first = (await datesOf(t, s)).sort((a, b) => a.start - b.start)[0];
  const card = async (cookie: string) => {
    const html = await (await get(t, "/bookings", cookie)).text();
    const list = /data-testid="series-list".*?<\/ul>/s.exec(html)?.[0];
    assert.ok(list, "the weekly booking is listed");
    return list;
  };
  assert.doesNotMatch(await card(renter), /Review this weekly booking/);
  // Its first date ends; the jobs complete it and open its review window.
  t.advance(first.end - t.clock() + 3600_000);
  await runJobs(t);
  const after = await card(await login(t, "rosa@example.com"));
  assert.ok(after.includes(`href="/bookings/${first.id}/review"`), after);
  assert.match(after, /Review this weekly booking<\/a> by \w{3}, \w{3} \d+/);
  t.close();
});
