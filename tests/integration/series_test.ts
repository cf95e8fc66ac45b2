/**
 * Standing bookings end to end on demo payments (issue 19 §1–6): preview,
 * claim with a conflict skipped, the first date paid and the rest
 * scheduled, charges 3 days ahead on a moved clock (once each, however
 * often the jobs run), a declined card released 24 hours before, the
 * renter cancelling the rest and the host ending a series, and bad input
 * on the preview and claim URLs.
 */
import assert from "node:assert/strict";
import { characters } from "../page_text.ts";
import { keys } from "../../lib/db/keys.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import { at } from "../../lib/app.ts";
import { ledgerProblem } from "../../lib/bookings/lifecycle.ts";
import type { Booking, Series } from "../../lib/bookings/schema.ts";
import { chargeDate } from "../../lib/payments/occurrences.ts";
import { getWindowEntry } from "../../lib/reviews/repo.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import type { KitchenInput } from "../../lib/kitchens/schema.ts";
import {
  bookPaid,
  get,
  PASSWORD,
  post,
  runJobs,
  sessionCookie,
  signUpConfirmed,
  type T,
} from "../account_helpers.ts";
import { addKitchens, kitchenFixture, testApp } from "../helpers.ts";

const DAY = 24 * 3600_000;

/** Dec 1 2026, 9 AM in Chicago: the suite's usual "now". */
async function setup(over: Partial<KitchenInput> = {}) {
  const t = await testApp();
  const host = await signUpConfirmed(t, "hank@example.com", "host");
  await setDemoPayoutReady(t.kv, host.user.id, t.clock());
  const [k] = await addKitchens(t.kv, host.user.id, [
    kitchenFixture({
      standingBookings: true,
      standingMonthsAhead: 6,
      ...over,
    }),
  ]);
  const renter = await signUpConfirmed(t, "rosa@example.com", "rent", {
    wallet: true,
  });
  return { t, k, host: host.cookie, renter: renter.cookie };
}

/** Tuesdays and Thursdays 9 AM - 1 PM from Tue Dec 8, 12 dates. */
const RULE = {
  weekdays: "tue,thu",
  start: "09:00",
  end: "13:00",
  every: "1",
  from: "2026-12-08",
  count: "12",
};

const query = (kitchen: string, rule: Record<string, string> = RULE) =>
  `/bookings/series/new?${new URLSearchParams({ kitchen, ...rule })}`;

/** A fresh session after the clock moved past the idle expiry (3 days). */
async function login(t: T, email: string): Promise<string> {
  return sessionCookie(await post(t, "/login", { email, password: PASSWORD }));
}

async function booking(t: T, id: string): Promise<Booking> {
  return (await t.kv.get<Booking>(keys.booking(id))).value!;
}

async function seriesOf(t: T, leadId: string): Promise<Series> {
  const b = await booking(t, leadId);
  return (await t.kv.get<Series>(keys.bookingSeries(b.seriesId!))).value!;
}

/** Every date's n the preview offers to keep. */
function keptDates(html: string): string[] {
  return [...html.matchAll(/name="keep" value="(\d+)"/g)].map((m) => m[1]);
}

/** Claims the series through the preview's form: the lead's pay path. */
async function claim(
  t: T,
  cookie: string,
  kitchen: string,
  rule: Record<string, string> = RULE,
): Promise<string> {
  const preview = await (await get(t, query(kitchen, rule), cookie)).text();
  const body = new URLSearchParams({ kitchen, ...rule, acceptRules: "yes" });
  for (const n of keptDates(preview)) body.append("keep", n);
  const res = await t.request("/bookings/series", {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "Sec-Fetch-Site": "same-origin",
      Cookie: cookie,
    },
  });
  assert.equal(res.status, 303, await res.clone().text());
  const to = res.headers.get("location")!;
  assert.match(to, /^\/bookings\/[0-9A-Z]{26}\/pay$/);
  return to;
}

Deno.test("series: a 12-date series with one date taken: the preview names it, the claim skips it, paying books the rest", async () => {
  const { t, k, renter } = await setup();
  // Someone else books Thu Dec 17, 10 AM - noon, first.
  const other = await signUpConfirmed(t, "bo@example.com", "rent", {
    wallet: true,
  });
  await bookPaid(t, other.cookie, {
    kitchen: k.id,
    date: "2026-12-17",
    start: "10:00",
    end: "12:00",
  });

  const kitchenPage = await (await get(t, `/kitchens/${k.id}`)).text();
  assert.match(kitchenPage, /Book weekly/);

  const res = await get(t, query(k.id), renter);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /11 of 12 dates are free/);
  assert.match(html, /Not available: Already booked/);
  assert.match(html, /data-state="conflict" data-date="2026-12-17"/);
  // Price with the city's fees from the same pricing as a single booking:
  // 4 hours × $40 + $25 cleaning.
  assert.match(html, /\$185\b/);
  assert.equal(keptDates(html).length, 11);

  const payPath = await claim(t, renter, k.id);
  const leadId = payPath.split("/")[2];
  const held = await seriesOf(t, leadId);
  assert.equal(held.status, "held");
  assert.equal(held.leadId, leadId);
  assert.equal(
    held.occurrences.filter((o) => o.state === "claimed").length,
    11,
  );
  const skipped = held.occurrences.filter((o) => o.state === "skipped");
  assert.deepEqual(skipped.map((o) => o.localDate), ["2026-12-17"]);

  // The series page says where it stands before payment.
  const page = await (await get(t, `/bookings/series/${held.id}`, renter))
    .text();
  assert.match(page, /Waiting for payment of the first date/);
  // Taken by someone else, not left out: the page says which.
  assert.match(page, /Not booked: Already booked/);
  assert.doesNotMatch(page, /You left this date out/);

  const paid = await post(t, payPath, { card: "works" }, { cookie: renter });
  assert.equal(paid.status, 303);
  await runJobs(t);
  const active = await seriesOf(t, leadId);
  assert.equal(active.status, "active");
  const dates = await Promise.all(
    active.occurrences.filter((o) => o.bookingId).map((o) =>
      booking(t, o.bookingId!)
    ),
  );
  assert.equal(dates[0].status, "confirmed");
  assert.deepEqual(
    [...new Set(dates.slice(1).map((b) => b.status))],
    ["scheduled"],
  );
  for (const b of dates.slice(1)) {
    assert.equal(b.charge!.at, b.start - 3 * DAY);
    assert.equal(b.charge!.releaseAt, b.start - DAY);
    assert.deepEqual(b.ledger, []);
  }
  // The time is taken: nobody else can hold a scheduled date.
  const clash = await post(t, "/bookings", {
    kitchen: k.id,
    date: "2026-12-10",
    start: "09:00",
    end: "11:00",
    acceptRules: "yes",
  }, { cookie: other.cookie });
  assert.equal(clash.status, 409);

  const mail = await listMail(t.kv);
  assert.ok(
    mail.some((m) =>
      m.to === "rosa@example.com" &&
      m.subject === `Weekly booking confirmed: ${k.title}`
    ),
  );
  assert.ok(
    mail.some((m) =>
      m.to === "hank@example.com" &&
      m.subject === `New weekly booking: ${k.title}`
    ),
  );
  // One email about the series, not one per date.
  assert.equal(
    mail.filter((m) =>
      m.to === "rosa@example.com" && /Booking confirmed/.test(m.subject)
    ).length,
    0,
  );

  // The host's dashboard and calendar show it as a weekly booking.
  const host = await login(t, "hank@example.com");
  const dashboard = await (await get(t, "/host", host)).text();
  assert.match(dashboard, /Weekly booking, 10 more dates<\/a>/);
  assert.match(dashboard, /part of a weekly booking/);
  const hostList = await (await get(t, "/host/bookings", host)).text();
  assert.match(hostList, /Weekly bookings/);
  assert.match(hostList, /11 dates ahead/);

  // The renter's bookings group the series.
  const trips = await (await get(t, "/bookings", renter)).text();
  assert.match(trips, /Weekly bookings/);
  assert.match(characters(trips), /Tuesdays and Thursdays, 9:00 AM - 1:00 PM/);
  assert.match(trips, /11 dates ahead · next Tue, Dec 8, 9:00 AM · 1 paid/);
  // Its dates are on its card: Upcoming points there rather than say none.
  assert.match(trips, /None besides your weekly bookings above\./);
  t.close();
});

Deno.test("series: hours picked for one date lead to the weekly form with that weekday and those times", async () => {
  const { t, k, renter } = await setup();
  const review = await (await get(
    t,
    `/bookings/new?kitchen=${k.id}&date=2026-12-08&start=09:00&end=13:00`,
    renter,
  )).text();
  const href = /data-testid="make-weekly">[^<]*<a href="([^"]+)"/.exec(review)
    ?.[1].replaceAll("&amp;", "&");
  assert.ok(href, "the review page offers it weekly");
  const opened = await get(t, href, renter);
  const form = await opened.text();
  // A form to book, not one to correct: every week, the usual 8 dates.
  assert.equal(opened.status, 200);
  assert.doesNotMatch(form, /Please check the highlighted fields/);
  assert.match(form, /name="count"[^>]*value="8"/);
  // Tuesday ticked, 9 AM - 1 PM chosen, from Dec 8.
  assert.match(form, /value="tue"[^>]*checked/);
  assert.match(form, /value="09:00" selected/);
  assert.match(form, /value="13:00" selected/);
  assert.match(form, /value="2026-12-08"/);
  // The kitchen page opened on those hours carries them too.
  const kitchen = await (await get(
    t,
    `/kitchens/${k.id}?date=2026-12-08&start=09:00&end=13:00`,
  )).text();
  assert.match(kitchen, /weekdays=tue&amp;start=09%3A00&amp;end=13%3A00/);
  t.close();
});

Deno.test("series: each later date is charged 3 days before it, once, however often its job runs", async () => {
  const { t, k, renter } = await setup();
  const payPath = await claim(t, renter, k.id, { ...RULE, count: "4" });
  const leadId = payPath.split("/")[2];
  await post(t, payPath, { card: "works" }, { cookie: renter });
  await runJobs(t);
  const s = await seriesOf(t, leadId);
  const [, second, third] = s.occurrences.map((o) => o.bookingId!);

  // Thu Dec 10, 9 AM CST is charged Mon Dec 7, 9 AM: not a minute before.
  t.advance(Date.parse("2026-12-07T14:59:00Z") - t.clock());
  await runJobs(t);
  assert.equal((await booking(t, second)).status, "scheduled");
  t.advance(2 * 60_000);
  await runJobs(t);
  const charged = await booking(t, second);
  assert.equal(charged.status, "confirmed");
  assert.equal(ledgerProblem(charged), null);
  assert.match(charged.accessCode ?? "", /^\d{6}$/);
  assert.equal((await booking(t, third)).status, "scheduled");

  // The job again, and again at once: still one charge.
  const deps = at(t.services);
  await Promise.all([
    chargeDate(deps, second, "dup-1"),
    chargeDate(deps, second, "dup-2"),
  ]);
  await runJobs(t);
  const after = await booking(t, second);
  assert.equal(after.ledger.filter((e) => e.kind === "charge").length, 1);
  assert.equal(after.status, "confirmed");

  const mail = await listMail(t.kv);
  assert.equal(
    mail.filter((m) => m.subject === `Paid: ${k.title}, Thu, Dec 10`).length,
    1,
  );
  // Once both have taken place, a review is asked for the weekly booking
  // once, after its first date, not after every date.
  t.advance(Date.parse("2026-12-10T20:00:00Z") - t.clock());
  await runJobs(t);
  assert.equal((await booking(t, second)).status, "completed");
  assert.ok(
    (await getWindowEntry(t.kv, leadId)).value,
    "the first date's window",
  );
  assert.equal((await getWindowEntry(t.kv, second)).value, null);

  // The page shows the date paid with its receipt, the next one to come.
  const page = await (await get(
    t,
    `/bookings/series/${s.id}`,
    await login(t, "rosa@example.com"),
  )).text();
  assert.match(page, /Done/);
  assert.match(page, /Receipt \(PDF\)/);
  assert.match(
    page,
    /Booked · \$185 to be charged on Sat, Dec 12, 9:00 AM/,
  );
  t.close();
});

Deno.test("series: a declined saved card: the renter gets a link, the date waits, then is released 24 hours before with both sides told", async () => {
  const { t, k, renter } = await setup();
  const payPath = await claim(t, renter, k.id, { ...RULE, count: "3" });
  const leadId = payPath.split("/")[2];
  // Works now; later charges are declined.
  await post(t, payPath, { card: "declines" }, { cookie: renter });
  await runJobs(t);
  const s = await seriesOf(t, leadId);
  const second = s.occurrences[1].bookingId!;

  t.advance(Date.parse("2026-12-07T15:01:00Z") - t.clock());
  await runJobs(t);
  const waiting = await booking(t, second);
  assert.equal(waiting.status, "scheduled");
  assert.equal(waiting.charge!.problem, "declined");
  assert.deepEqual(waiting.ledger, []);
  const mail = await listMail(t.kv);
  const ask = mail.find((m) =>
    m.subject === `Payment needed: ${k.title}, Thu, Dec 10`
  );
  assert.ok(ask, "the renter is asked to pay");
  assert.match(ask.text, new RegExp(`/bookings/${second}/pay-date`));
  const page = await (await get(
    t,
    `/bookings/series/${s.id}`,
    await login(t, "rosa@example.com"),
  )).text();
  assert.match(page, /Payment needed: Your card was declined\./);
  assert.match(page, /Pay for this date/);

  // Nobody pays: 24 hours before the start, the date is released.
  t.advance(Date.parse("2026-12-09T15:00:00Z") - t.clock());
  await runJobs(t);
  const released = await booking(t, second);
  assert.equal(released.status, "expired");
  assert.match(released.note ?? "", /not paid/);
  const after = await listMail(t.kv);
  assert.ok(after.some((m) =>
    m.to === "rosa@example.com" &&
    m.subject === `Date released: ${k.title}, Thu, Dec 10`
  ));
  assert.ok(after.some((m) =>
    m.to === "hank@example.com" &&
    m.subject === `Date released: ${k.title}, Thu, Dec 10`
  ));
  // Its time is free again.
  const day = await (await get(
    t,
    `/api/kitchens/${k.id}/availability?date=2026-12-10`,
  )).json();
  assert.ok(
    JSON.stringify(day).includes("09:00"),
    "9 AM is free again on Dec 10",
  );
  t.close();
});

Deno.test("series: a declined date paid by the renter on the demo checkout is confirmed", async () => {
  const { t, k, renter: cookie } = await setup();
  let renter = cookie;
  const payPath = await claim(t, renter, k.id, { ...RULE, count: "3" });
  const leadId = payPath.split("/")[2];
  await post(t, payPath, { card: "declines" }, { cookie: renter });
  await runJobs(t);
  const s = await seriesOf(t, leadId);
  const second = s.occurrences[1].bookingId!;
  t.advance(Date.parse("2026-12-07T15:01:00Z") - t.clock());
  await runJobs(t);
  renter = await login(t, "rosa@example.com");
  const demo = await get(t, `/bookings/${second}/pay-date`, renter);
  assert.equal(demo.status, 200);
  assert.match(await demo.text(), /Pay for this date/);
  const paid = await post(t, `/bookings/${second}/pay-date`, {
    card: "works",
  }, { cookie: renter });
  assert.equal(paid.status, 303);
  await runJobs(t);
  const b = await booking(t, second);
  assert.equal(b.status, "confirmed");
  assert.equal(b.ledger.filter((e) => e.kind === "charge").length, 1);
  // The card paid with now is the one the next date is charged to.
  t.advance(Date.parse("2026-12-12T15:01:00Z") - t.clock());
  await runJobs(t);
  assert.equal(
    (await booking(t, s.occurrences[2].bookingId!)).status,
    "confirmed",
  );
  // Paying twice is refused, not charged.
  renter = await login(t, "rosa@example.com");
  const again = await post(t, `/bookings/${second}/pay-date`, {
    card: "works",
  }, { cookie: renter });
  assert.equal(again.status, 409);
  t.close();
});
