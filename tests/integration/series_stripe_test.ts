/**
 * Standing bookings in Stripe mode, the real SDK against tests/stripe_fake.ts
 * (issue 19 §4, §8): the first date paid at Checkout with the card saved
 * for later, each later date charged off-session 3 days before it as a
 * destination charge under `occ:<bookingId>:charge` — once, under
 * duplicate job runs and duplicate webhooks — and a declined card paid on
 * a fallback Checkout, or released 24 hours before.
 */
import assert from "node:assert/strict";
import { at } from "../../lib/app.ts";
import { keys } from "../../lib/db/keys.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import { ledgerProblem } from "../../lib/bookings/lifecycle.ts";
import type { Booking, Series } from "../../lib/bookings/schema.ts";
import { chargeDate } from "../../lib/payments/occurrences.ts";
import {
  get,
  PASSWORD,
  post,
  runJobs,
  sessionCookie,
  type T,
} from "../account_helpers.ts";
import type { TestCardNumber } from "../stripe_fake.ts";
import { deliverAll, type StripeWorld, stripeWorld } from "../stripe_world.ts";

const RULE = {
  weekdays: "tue,thu",
  start: "09:00",
  end: "13:00",
  every: "1",
  from: "2026-12-08",
  count: "4",
};

const booking = async (t: T, id: string) =>
  (await t.kv.get<Booking>(keys.booking(id))).value!;

async function login(t: T): Promise<string> {
  return sessionCookie(
    await post(t, "/login", { email: "rosa@example.com", password: PASSWORD }),
  );
}

/** Claims the series through the preview's form; the fake Checkout's session id. */
async function claimSeries(w: StripeWorld): Promise<string> {
  const preview = await (await get(
    w.t,
    `/bookings/series/new?${new URLSearchParams({
      kitchen: w.kitchenId,
      ...RULE,
    })}`,
    w.renter,
  )).text();
  const body = new URLSearchParams({
    kitchen: w.kitchenId,
    ...RULE,
    acceptRules: "yes",
  });
  for (const m of preview.matchAll(/name="keep" value="(\d+)"/g)) {
    body.append("keep", m[1]);
  }
  const res = await w.t.request("/bookings/series", {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "Sec-Fetch-Site": "same-origin",
      Cookie: w.renter,
    },
  });
  assert.equal(res.status, 303, await res.clone().text());
  const url = res.headers.get("location")!;
  assert.ok(url.startsWith(`${w.fake.origin}/pay/`), url);
  return url.split("/pay/")[1];
}

/** Claims the series, pays its first date on the fake's Checkout with `card`, delivers the webhooks. */
async function bookSeries(
  w: StripeWorld,
  card: TestCardNumber = "4242424242424242",
): Promise<{ series: Series; dates: Booking[] }> {
  const sessionId = await claimSeries(w);
  const last = w.fake.events().at(-1)?.id;
  const paid = w.fake.completeSession(sessionId, { card });
  await deliverAll(w, last);
  await runJobs(w.t);
  const lead = await booking(w.t, paid.session.client_reference_id!);
  const series = (await w.t.kv.get<Series>(keys.bookingSeries(lead.seriesId!)))
    .value!;
  const dates = await Promise.all(
    series.occurrences.map((o) => booking(w.t, o.bookingId!)),
  );
  return { series, dates };
}

Deno.test("series (Stripe): the first date's Checkout saves the card; later dates are charged off-session once each, under duplicate jobs and webhooks", async () => {
  const w = await stripeWorld({
    standingBookings: true,
    standingMonthsAhead: 6,
  });
  try {
    const { series, dates } = await bookSeries(w);
    assert.equal(series.status, "active");
    assert.deepEqual(dates.map((b) => b.status), [
      "confirmed",
      "scheduled",
      "scheduled",
      "scheduled",
    ]);
    const checkout = w.fake.state.requests.find((r) =>
      r.method === "POST" && r.path === "/v1/checkout/sessions"
    )!;
    assert.equal(checkout.idempotencyKey, `booking:${dates[0].id}:checkout`);
    assert.equal(
      (checkout.params.payment_intent_data as Record<string, string>)
        .setup_future_usage,
      "off_session",
    );

    // Mon Dec 7, 9:01 AM CST: Thu Dec 10 is 3 days away.
    const mark = w.fake.events().at(-1)?.id;
    w.t.advance(Date.parse("2026-12-07T15:01:00Z") - w.t.clock());
    await runJobs(w.t);
    const second = dates[1].id;
    assert.equal((await booking(w.t, second)).status, "confirmed");
    // The job again, twice at once, and every webhook delivered twice.
    const deps = at(w.t.services);
    await Promise.all([
      chargeDate(deps, second, "again-1"),
      chargeDate(deps, second, "again-2"),
    ]);
    await deliverAll(w, mark);
    await deliverAll(w, mark);
    await runJobs(w.t);

    const intents = [...w.fake.state.paymentIntents.values()].filter((pi) =>
      pi.metadata.booking_id === second
    );
    assert.equal(intents.length, 1, "one PaymentIntent for the date");
    const pi = intents[0];
    assert.equal(pi.status, "succeeded");
    assert.equal(pi.amount, dates[1].quote.totalChargedCents);
    assert.equal(pi.metadata.purpose, "occurrence");
    assert.equal(pi.transfer_data?.destination, w.accountId);
    assert.equal(
      pi.application_fee_amount,
      dates[1].quote.totalChargedCents - dates[1].quote.hostPayoutCents,
    );
    const creates = w.fake.state.requests.filter((r) =>
      r.method === "POST" && r.path === "/v1/payment_intents" &&
      r.idempotencyKey === `occ:${second}:charge`
    );
    assert.ok(creates.length >= 1);
    assert.equal(
      creates.filter((r) => !r.replayed && r.status < 300).length,
      1,
    );
    const after = await booking(w.t, second);
    assert.equal(after.ledger.filter((e) => e.kind === "charge").length, 1);
    assert.equal(after.payment.paymentIntentId, pi.id);
    assert.equal(ledgerProblem(after), null);
    // The other dates wait for their own day.
    assert.equal((await booking(w.t, dates[2].id)).status, "scheduled");
  } finally {
    await w.close();
  }
});

Deno.test("series (Stripe): a saved card the bank wants confirmed: the renter pays that date on Checkout with another card, which pays the next date too", async () => {
  const w = await stripeWorld({
    standingBookings: true,
    standingMonthsAhead: 6,
  });
  try {
    // Stripe's 3184 card: authenticated on Checkout, but every off-session
    // charge fails with authentication_required.
    const { dates } = await bookSeries(w, "4000002760003184");
    const second = dates[1].id;
    w.t.advance(Date.parse("2026-12-07T15:01:00Z") - w.t.clock());
    await runJobs(w.t);
    const waiting = await booking(w.t, second);
    assert.equal(waiting.status, "scheduled");
    assert.equal(waiting.charge!.problem, "authentication_required");
    const mail = await listMail(w.t.kv);
    assert.ok(
      mail.some((m) =>
        m.to === "rosa@example.com" && /^Payment needed:/.test(m.subject) &&
        /Your bank asked to confirm this payment with you/.test(m.text)
      ),
    );

    const cookie = await login(w.t);
    const res = await get(w.t, `/bookings/${second}/pay-date`, cookie);
    assert.equal(res.status, 303);
    const url = res.headers.get("location")!;
    assert.ok(url.startsWith(`${w.fake.origin}/pay/`), url);
    const session = w.fake.state.sessions.get(url.split("/pay/")[1])!;
    assert.equal(session.metadata?.purpose, "occurrence");
    assert.equal(session.metadata?.booking_id, second);
    const mark = w.fake.events().at(-1)?.id;
    w.fake.completeSession(session.id, { card: "4242424242424242" });
    await deliverAll(w, mark);
    await deliverAll(w, mark);
    await runJobs(w.t);
    const paid = await booking(w.t, second);
    assert.equal(paid.status, "confirmed");
    assert.equal(paid.ledger.filter((e) => e.kind === "charge").length, 1);
    assert.equal(ledgerProblem(paid), null);

    // Sat Dec 12: the third date goes on the card saved at that Checkout.
    w.t.advance(Date.parse("2026-12-12T15:01:00Z") - w.t.clock());
    await runJobs(w.t);
    assert.equal((await booking(w.t, dates[2].id)).status, "confirmed");
  } finally {
    await w.close();
  }
});

Deno.test("series (Stripe): a date whose charge failed and nobody paid is released 24 hours before, and never charged", async () => {
  const w = await stripeWorld({
    standingBookings: true,
    standingMonthsAhead: 6,
  });
  try {
    const { dates } = await bookSeries(w, "4000002760003184");
    const second = dates[1].id;
    w.t.advance(Date.parse("2026-12-09T15:00:00Z") - w.t.clock());
    await runJobs(w.t);
    const released = await booking(w.t, second);
    assert.equal(released.status, "expired");
    assert.deepEqual(released.ledger, []);
    const succeeded = [...w.fake.state.paymentIntents.values()].filter((pi) =>
      pi.metadata.booking_id === second && pi.status === "succeeded"
    );
    assert.equal(succeeded.length, 0);
  } finally {
    await w.close();
  }
});

Deno.test("series (Stripe): a date cancelled while its fallback Checkout is open: the Checkout is closed, and a payment that beat the close is refunded in full", async () => {
  const w = await stripeWorld({
    standingBookings: true,
    standingMonthsAhead: 6,
  });
  try {
    // Every off-session charge of the 3184 card needs the bank: each later
    // date waits for the renter to pay it on Checkout.
    const { dates } = await bookSeries(w, "4000002760003184");
    const [, second, third] = dates.map((d) => d.id);
    let cookie = "";
    const openCheckout = async (id: string) => {
      const res = await get(w.t, `/bookings/${id}/pay-date`, cookie);
      assert.equal(res.status, 303);
      const url = res.headers.get("location")!;
      assert.ok(url.startsWith(`${w.fake.origin}/pay/`), url);
      return w.fake.state.sessions.get(url.split("/pay/")[1])!;
    };
    const cancel = async (id: string) => {
      const res = await post(w.t, `/bookings/${id}/cancel`, {}, { cookie });
      assert.equal(res.status, 303, await res.clone().text());
    };

    // The renter opens Checkout for Thursday's date, then cancels it instead.
    w.t.advance(Date.parse("2026-12-07T15:01:00Z") - w.t.clock());
    await runJobs(w.t);
    cookie = await login(w.t);
    const thursday = await openCheckout(second);
    let mark = w.fake.events().at(-1)?.id;
    await cancel(second);
    await runJobs(w.t);
    assert.equal(w.fake.state.sessions.get(thursday.id)!.status, "expired");
    await deliverAll(w, mark);
    await runJobs(w.t);
    const dropped = await booking(w.t, second);
    assert.equal(dropped.status, "cancelled");
    assert.deepEqual(dropped.ledger, []);

    // Next Tuesday's date: paid in another tab after the cancel, before the
    // Checkout could be closed. The payment buys nothing and goes back.
    w.t.advance(Date.parse("2026-12-12T15:01:00Z") - w.t.clock());
    await runJobs(w.t);
    cookie = await login(w.t);
    const tuesday = await openCheckout(third);
    mark = w.fake.events().at(-1)?.id;
    await cancel(third);
    const paid = w.fake.completeSession(tuesday.id, {
      card: "4242424242424242",
    });
    await runJobs(w.t);
    await deliverAll(w, mark);
    await deliverAll(w, mark);
    await runJobs(w.t);
    const refunded = await booking(w.t, third);
    assert.equal(refunded.status, "cancelled");
    assert.equal(refunded.accessCode, null);
    assert.match(refunded.note ?? "", /after this date was cancelled/);
    const amount = refunded.quote.totalChargedCents;
    assert.deepEqual(
      refunded.ledger.map((e) => [e.kind, e.amountCents]),
      [
        ["charge", amount],
        ["renter_fee", amount],
        ["refund", amount],
        ["renter_fee_refund", amount],
      ],
    );
    assert.equal(ledgerProblem(refunded), null);
    const piId = paid.session.payment_intent as string;
    const refunds = [...w.fake.state.refunds.values()].filter((r) =>
      r.payment_intent === piId
    );
    assert.deepEqual(refunds.map((r) => r.amount), [amount]);
    const mail = await listMail(w.t.kv);
    assert.equal(
      mail.filter((m) =>
        m.to === "rosa@example.com" &&
        /arrived after the date was cancelled/.test(m.text)
      ).length,
      1,
    );
  } finally {
    await w.close();
  }
});

Deno.test("series (Stripe): the first date paid after the series' hold lapsed: it and the dates its lapse released are booked again, each charged later as usual", async () => {
  const w = await stripeWorld({
    standingBookings: true,
    standingMonthsAhead: 6,
  });
  try {
    const sessionId = await claimSeries(w);
    const leadId = w.fake.state.sessions.get(sessionId)!.client_reference_id!;
    const seriesId = (await booking(w.t, leadId)).seriesId!;

    // Paid on Checkout in time, but the webhook is late: meanwhile the
    // 35-minute hold lapses and every date is released.
    const mark = w.fake.events().at(-1)?.id;
    w.fake.completeSession(sessionId, { card: "4242424242424242" });
    w.t.advance(36 * 60_000);
    await runJobs(w.t);
    const lapsed = (await w.t.kv.get<Series>(keys.bookingSeries(seriesId)))
      .value!;
    assert.equal(lapsed.status, "expired");
    const dateIds = lapsed.occurrences.map((o) => o.bookingId!);
    for (const id of dateIds) {
      assert.equal((await booking(w.t, id)).status, "expired", id);
    }

    // Then the payment's webhook arrives.
    await deliverAll(w, mark);
    await runJobs(w.t);
    const series = (await w.t.kv.get<Series>(keys.bookingSeries(seriesId)))
      .value!;
    assert.equal(series.status, "active");
    const dates = await Promise.all(dateIds.map((id) => booking(w.t, id)));
    assert.deepEqual(
      dates.map((b) => b.status),
      ["confirmed", "scheduled", "scheduled", "scheduled"],
    );
    const mail = await listMail(w.t.kv);
    assert.ok(
      mail.some((m) =>
        m.to === "rosa@example.com" &&
        /^Weekly booking confirmed:/.test(m.subject)
      ),
    );

    // Thursday's date is charged on the saved card 3 days before, as usual.
    w.t.advance(Date.parse("2026-12-07T15:01:00Z") - w.t.clock());
    await runJobs(w.t);
    const second = await booking(w.t, dateIds[1]);
    assert.equal(second.status, "confirmed");
    assert.equal(ledgerProblem(second), null);
  } finally {
    await w.close();
  }
});
