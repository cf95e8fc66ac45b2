/**
 * Booking and paying in Stripe mode: the real `stripe` SDK against the local
 * Stripe-compatible server (tests/stripe_fake.ts), webhooks signed with the
 * SDK's test-header helper and delivered to POST /api/stripe/webhook.
 */
import assert from "node:assert/strict";
import { serialize } from "node:v8";
import type Stripe from "stripe";
import { listAuditFor } from "../../lib/audit/repo.ts";
import { ledgerProblem } from "../../lib/bookings/lifecycle.ts";
import type { CalendarDay } from "../../lib/bookings/day_claims.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import { keys } from "../../lib/db/keys.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import { newId } from "../../lib/ids.ts";
import { listDeadJobs } from "../../lib/jobs/outbox.ts";
import { getHostFresh } from "../../lib/hosts/repo.ts";
import type { UnprocessablePaymentEvent } from "../../lib/payments/schema.ts";
import { stripeClient } from "../../lib/payments/stripe.ts";
import { acceptRequest } from "../../lib/payments/requests.ts";
import { withdrawRequest } from "../../lib/bookings/requests.ts";
import { at } from "../../lib/app.ts";
import {
  get,
  post,
  runJobs,
  signUpConfirmed,
  userByEmail,
} from "../account_helpers.ts";
import { addKitchens, kitchenFixture, testApp } from "../helpers.ts";
import {
  signedWebhook,
  signedWebhookBody,
  startStripeFake,
  type StripeFake,
} from "../stripe_fake.ts";
import type { KitchenInput } from "../../lib/kitchens/schema.ts";

const SECRET = "whsec_prep_test";
const confirmedCookie = async (t: T, email: string, intent = "rent") =>
  (await signUpConfirmed(t, email, intent, { wallet: intent === "rent" }))
    .cookie;

type T = Awaited<ReturnType<typeof testApp>>;

interface World {
  t: T;
  fake: StripeFake;
  stripe: Stripe;
  host: string;
  hostId: string;
  accountId: string;
  kitchenId: string;
  renter: string;
  close(): Promise<void>;
}

async function deliver(
  w: Pick<World, "t" | "stripe">,
  event: Stripe.Event,
  opts: { secret?: string; timestamp?: number; tamper?: boolean } = {},
): Promise<Response> {
  const signed = await signedWebhook(w.stripe, event, opts.secret ?? SECRET, {
    timestamp: opts.timestamp,
  });
  return await w.t.request("/api/stripe/webhook", {
    method: "POST",
    headers: signed.headers,
    body: opts.tamper ? signed.body.replace("usd", "eur") : signed.body,
  });
}

/** A host onboarded through /host/payouts and account.updated, a kitchen, a renter. */
async function world(over: Partial<KitchenInput> = {}): Promise<World> {
  let clock = () => Date.parse("2026-12-01T15:00:00Z");
  const fake = startStripeFake({ now: () => clock() });
  const t = await testApp(undefined, {
    STRIPE_SECRET_KEY: fake.secretKey,
    STRIPE_WEBHOOK_SECRET: SECRET,
    STRIPE_API_BASE: fake.apiBase,
  });
  clock = t.clock;
  const stripe = stripeClient(fake.secretKey, { apiBase: fake.apiBase });
  const host = await confirmedCookie(t, "hank@example.com", "host");
  const hostId = (await userByEmail(t, "hank@example.com"))!.id;
  const setup = await post(t, "/host/payouts", {}, { cookie: host });
  assert.equal(setup.status, 303);
  assert.match(setup.headers.get("location")!, /\/onboard\//);
  const accountId = (await getHostFresh(t.kv, hostId)).value!.payout.accountId!;
  assert.match(accountId, /^acct_/);
  const w = { t, stripe };
  const res = await deliver(w, fake.setAccountReady(accountId).event);
  assert.equal(res.status, 200);
  await runJobs(t);
  const [k] = await addKitchens(t.kv, hostId, [kitchenFixture(over)]);
  const renter = await confirmedCookie(t, "rosa@example.com");
  return {
    t,
    fake,
    stripe,
    host,
    hostId,
    accountId,
    kitchenId: k.id,
    renter,
    close: async () => {
      t.close();
      await fake.close();
    },
  };
}

const form = (kitchen: string, start = "10:00", end = "13:00") => ({
  kitchen,
  date: "2026-12-03",
  start,
  end,
  acceptRules: "yes",
});

async function checkout(
  w: World,
  cookie = w.renter,
  start?: string,
  end?: string,
) {
  const res = await post(w.t, "/bookings", form(w.kitchenId, start, end), {
    cookie,
  });
  assert.equal(res.status, 303, await res.clone().text());
  const url = res.headers.get("location")!;
  assert.ok(url.startsWith(`${w.fake.origin}/pay/`), url);
  const sessionId = url.split("/pay/")[1];
  const session = w.fake.state.sessions.get(sessionId)!;
  return { sessionId, bookingId: session.client_reference_id! };
}

const booking = async (t: T, id: string) =>
  (await t.kv.get<Booking>(keys.booking(id))).value!;

Deno.test("stripe: a host onboards through Connect, and account.updated makes them payable", async () => {
  const w = await world();
  const host = (await getHostFresh(w.t.kv, w.hostId)).value!;
  assert.equal(host.payout.chargesEnabled, true);
  assert.equal(host.payout.payoutsEnabled, true);
  const page = await (await get(w.t, "/host/payouts", w.host)).text();
  assert.doesNotMatch(page, /Set up payouts with Stripe/);
  // The account is created once, under a deterministic idempotency key.
  const creates = w.fake.state.requests.filter((r) =>
    r.method === "POST" && r.path === "/v1/accounts"
  );
  assert.equal(creates.length, 1);
  assert.equal(creates[0].idempotencyKey, `host:${w.hostId}:connect-account`);
  await w.close();
});

Deno.test("stripe: checkout is a destination charge, confirmed only by the signed webhook", async () => {
  const w = await world();
  const { sessionId, bookingId } = await checkout(w);
  const created = w.fake.state.requests.find((r) =>
    r.method === "POST" && r.path === "/v1/checkout/sessions"
  )!;
  assert.equal(created.idempotencyKey, `booking:${bookingId}:checkout`);
  const session = w.fake.state.sessions.get(sessionId)!;
  assert.equal(session.client_reference_id, bookingId);
  const b = await booking(w.t, bookingId);
  assert.equal(b.status, "held");
  assert.equal(b.payment.provider, "stripe");
  assert.equal(b.payment.checkoutSessionId, sessionId);
  // Leaving Checkout comes back to the booking, which leads back to the same session.
  assert.equal(
    session.cancel_url,
    `${w.t.config.BASE_URL}/bookings/${bookingId}`,
  );
  const held = await (await get(w.t, `/bookings/${bookingId}`, w.renter))
    .text();
  assert.match(held, /Continue to payment/);
  const resume = await get(w.t, `/bookings/${bookingId}/pay`, w.renter);
  assert.equal(resume.headers.get("location"), session.url);
  // The success page alone confirms nothing.
  await (await get(w.t, `/bookings/${bookingId}?notice=paid`, w.renter)).body
    ?.cancel();
  assert.equal((await booking(w.t, bookingId)).status, "held");

  const paid = w.fake.completeSession(sessionId);
  assert.equal(
    paid.paymentIntent.application_fee_amount,
    b.quote.totalChargedCents - b.quote.hostPayoutCents,
  );
  assert.equal(
    (paid.paymentIntent.transfer_data as { destination: string }).destination,
    w.accountId,
  );
  assert.equal((await deliver(w, paid.event)).status, 200);
  await runJobs(w.t);
  const after = await booking(w.t, bookingId);
  assert.equal(after.status, "confirmed");
  assert.equal(after.payment.paymentIntentId, paid.paymentIntent.id);
  assert.equal(ledgerProblem(after), null);
  const audit = await listAuditFor(w.t.kv, "booking", bookingId);
  assert.ok(
    audit.some((e) =>
      e.action === "payment.charged" && e.actor.kind === "stripe"
    ),
  );
  await w.close();
});

Deno.test("stripe: ten concurrent deliveries of one event give one confirmation, one email, one charge", async () => {
  const w = await world();
  const { sessionId, bookingId } = await checkout(w);
  const { event } = w.fake.completeSession(sessionId);
  const responses = await Promise.all(
    Array.from({ length: 10 }, () => deliver(w, event)),
  );
  for (const r of responses) assert.equal(r.status, 200);
  await runJobs(w.t);
  const b = await booking(w.t, bookingId);
  assert.equal(b.status, "confirmed");
  assert.equal(b.ledger.filter((e) => e.kind === "charge").length, 1);
  const mails = (await listMail(w.t.kv)).filter((m) =>
    m.to === "rosa@example.com" && /Booking confirmed/.test(m.subject)
  );
  assert.equal(mails.length, 1);
  await w.close();
});

Deno.test("stripe: bad, missing, tampered, wrong-secret and stale signatures are 400 and change nothing", async () => {
  const w = await world();
  const { sessionId, bookingId } = await checkout(w);
  const { event } = w.fake.completeSession(sessionId);
  const now = Math.floor(Date.now() / 1000);
  const bad = [
    await deliver(w, event, { tamper: true }),
    await deliver(w, event, { secret: "whsec_wrong" }),
    await deliver(w, event, { timestamp: now - 301 }),
    await w.t.request("/api/stripe/webhook", {
      method: "POST",
      body: JSON.stringify(event),
    }),
    await w.t.request("/api/stripe/webhook", {
      method: "POST",
      headers: { "stripe-signature": "t=1,v1=abc" },
      body: "not json",
    }),
  ];
  for (const r of bad) {
    assert.equal(r.status, 400);
    assert.deepEqual(await r.json(), { error: "Invalid Stripe signature." });
  }
  assert.equal((await w.t.kv.get(keys.paymentEvent(event.id))).value, null);
  await runJobs(w.t);
  assert.equal((await booking(w.t, bookingId)).status, "held");
  const huge = await w.t.request("/api/stripe/webhook", {
    method: "POST",
    headers: { "stripe-signature": "t=1,v1=abc" },
    body: "x".repeat(300 * 1024),
  });
  assert.equal(huge.status, 413);
  await huge.body?.cancel();
  // A signature 299 seconds old is still fine.
  assert.equal((await deliver(w, event, { timestamp: now - 299 })).status, 200);
  await w.close();
});

Deno.test("stripe: a signed but malformed webhook is recorded as unprocessable and answered 400, never 500", async () => {
  const w = await world();
  const { sessionId, bookingId } = await checkout(w);
  const { event } = w.fake.completeSession(sessionId);
  const session = event.data.object as unknown as Record<string, unknown>;
  const withId = (id: string, over: Record<string, unknown>) =>
    JSON.stringify({ ...event, id, ...over });
  const cases: [what: string, body: string, ref: string | null][] = [
    ["an empty object", "{}", null],
    ["not JSON", "not json", null],
    ["JSON null", "null", null],
    ["an array", "[]", null],
    [
      "no data",
      JSON.stringify({ id: "evt_nodata", type: event.type }),
      "evt_nodata",
    ],
    [
      "data.object a string",
      withId("evt_str", { data: { object: "cs" } }),
      "evt_str",
    ],
    [
      "a session id that is a number",
      withId("evt_num", { data: { object: { ...session, id: 42 } } }),
      "evt_num",
    ],
    [
      "a dispute without its charge",
      withId("evt_dispute", {
        type: "charge.dispute.created",
        data: { object: { id: "dp_1" } },
      }),
      "evt_dispute",
    ],
  ];
  const post = async (body: string) => {
    const signed = await signedWebhookBody(w.stripe, body, SECRET);
    return await w.t.request("/api/stripe/webhook", {
      method: "POST",
      headers: signed.headers,
      body,
    });
  };
  const list = async (prefix: string) => {
    const out = [];
    for await (const e of w.t.kv.list({ prefix: [prefix] })) out.push(e);
    return out;
  };
  const eventsBefore = (await list("payment_events")).length;
  const jobsBefore = (await list("jobs")).length;
  for (const [what, body] of cases) {
    const res = await post(body);
    assert.equal(res.status, 400, what);
    assert.match(
      (await res.json()).error,
      /^Unprocessable Stripe event: /,
      what,
    );
  }
  const bad = await post(cases[6][1]);
  assert.match((await bad.json()).error, /data\.object\.id/);
  const records = (await list("payment_events_unprocessable")).map((e) =>
    e.value as UnprocessablePaymentEvent
  );
  assert.equal(records.length, cases.length, "one record per delivery");
  // Without an id, a delivery is known by the hash of its body.
  assert.deepEqual(
    records.map((r) => r.ref.startsWith("sha256:") ? "hash" : r.ref).sort(),
    cases.map(([, , ref]) => ref ?? "hash").sort(),
  );
  const num = records.find((r) => r.ref === "evt_num")!;
  assert.equal(num.type, "checkout.session.completed");
  assert.equal(num.deliveries, 2, "a redelivery counts up, adds nothing");
  assert.equal((await list("payment_events")).length, eventsBefore);
  assert.equal((await list("jobs")).length, jobsBefore);
  await runJobs(w.t);
  assert.equal((await booking(w.t, bookingId)).status, "held");

  // Stripe's retry after a fix reads: processed, and the failure is closed.
  const fixed = await post(withId("evt_num", {}));
  assert.equal(fixed.status, 200);
  await fixed.body?.cancel();
  assert.equal(
    (await w.t.kv.get(keys.unprocessablePaymentEvent("evt_num"))).value,
    null,
  );
  await runJobs(w.t);
  assert.equal((await booking(w.t, bookingId)).status, "confirmed");
  await w.close();
});

const PERMUTATIONS = [
  ["completed", "expired", "refunded"],
  ["completed", "refunded", "expired"],
  ["expired", "completed", "refunded"],
  ["expired", "refunded", "completed"],
  ["refunded", "completed", "expired"],
  ["refunded", "expired", "completed"],
] as const;

Deno.test("stripe: every order of completed, expired and refunded ends as Stripe says: paid, then refunded", async () => {
  for (const order of PERMUTATIONS) {
    const w = await world();
    const { sessionId, bookingId } = await checkout(w);
    const completed = w.fake.completeSession(sessionId);
    // A paid session is no longer open: back to the booking page.
    assert.equal(
      (await get(w.t, `/bookings/${bookingId}/pay`, w.renter)).headers.get(
        "location",
      ),
      `/bookings/${bookingId}`,
    );
    await w.stripe.refunds.create({
      payment_intent: completed.paymentIntent.id,
    });
    const refunded = w.fake.events({ type: "charge.refunded" }).at(-1)!;
    // Stripe never expires a paid session; a stray or replayed expiry must not matter.
    const expired = {
      ...completed.event,
      id: `${completed.event.id}_exp`,
      type: "checkout.session.expired",
    } as Stripe.Event;
    const events = { completed: completed.event, expired, refunded };
    for (const name of order) {
      assert.equal((await deliver(w, events[name])).status, 200);
      await runJobs(w.t);
    }
    const b = await booking(w.t, bookingId);
    assert.ok(
      !["held", "requested", "confirmed"].includes(b.status),
      `${order.join(" → ")}: ${b.status}`,
    );
    assert.equal(ledgerProblem(b), null, order.join(" → "));
    assert.equal(b.ledger.filter((e) => e.kind === "refund").length, 1);
    const free = await (await get(
      w.t,
      `/api/kitchens/${w.kitchenId}/availability?date=2026-12-03`,
    )).json();
    assert.ok(
      free.slots.some((s: { label: string }) => s.label === "10:00 AM"),
      `${order.join(" → ")}: the time is free again`,
    );
    await w.close();
  }
});

Deno.test("stripe: a payment after the hold lapsed re-claims free time, else is refunded in full", async () => {
  const w = await world();
  // Paid in the session's last minute, but the webhook arrives after the
  // hold lapsed (Stripe retries deliveries for days).
  const first = await checkout(w);
  w.t.advance(29 * 60_000);
  const paid = w.fake.completeSession(first.sessionId);
  w.t.advance(7 * 60_000);
  await runJobs(w.t); // the hold expires
  assert.equal((await booking(w.t, first.bookingId)).status, "expired");
  await deliver(w, paid.event);
  await runJobs(w.t);
  assert.equal(
    (await booking(w.t, first.bookingId)).status,
    "confirmed",
    "time was still free",
  );

  // Now the same again, but someone else takes the time meanwhile.
  const second = await checkout(w, w.renter, "14:00", "17:00");
  w.t.advance(29 * 60_000);
  const late = w.fake.completeSession(second.sessionId);
  w.t.advance(7 * 60_000);
  await runJobs(w.t);
  const other = await confirmedCookie(w.t, "bo@example.com");
  const taken = await post(
    w.t,
    "/bookings",
    form(w.kitchenId, "14:00", "17:00"),
    {
      cookie: other,
    },
  );
  assert.equal(taken.status, 303);
  await deliver(w, late.event);
  await runJobs(w.t);
  const b = await booking(w.t, second.bookingId);
  assert.equal(b.status, "expired");
  assert.match(b.note ?? "", /refunded in full/);
  const refund = w.fake.state.requests.find((r) =>
    r.method === "POST" && r.path === "/v1/refunds"
  )!;
  assert.equal(refund.idempotencyKey, `booking:${second.bookingId}:refund:0`);
  assert.equal(
    w.fake.state.charges.get(late.charge.id)!.amount_refunded,
    late.charge.amount,
  );
  assert.equal(ledgerProblem(b), null);
  assert.ok(
    (await listMail(w.t.kv)).some((m) =>
      m.to === "rosa@example.com" && /Payment refunded/.test(m.subject)
    ),
  );
  await w.close();
});

Deno.test("stripe: a payment after the hold lapsed onto a day whose record is full is refunded, never a failed job", async () => {
  const w = await world();
  const first = await checkout(w);
  w.t.advance(29 * 60_000);
  const paid = w.fake.completeSession(first.sessionId);
  w.t.advance(7 * 60_000);
  await runJobs(w.t); // the hold expires
  // Meanwhile the day's record is as full as a KV value can be (written
  // before the caps on blocks): the booking's claim would not fit.
  const held = await booking(w.t, first.bookingId);
  const dayKey = keys.calendarDay(w.kitchenId, "2026-12-03");
  const midnight = Date.parse("2026-12-03T06:00:00Z");
  const mine = {
    ref: held.id,
    start: held.start,
    end: held.end,
    bufferMs: held.bufferMs,
    expiresAt: null,
  };
  const claims: CalendarDay["claims"] = [];
  while (serialize({ v: 1, claims: [...claims, mine] }).byteLength <= 65_536) {
    claims.push({
      ref: `block:${newId()}`,
      start: midnight + claims.length * 2,
      end: midnight + claims.length * 2 + 1,
      bufferMs: 0,
      expiresAt: null,
    });
  }
  await w.t.kv.set(dayKey, { v: 1, claims });
  const res = await deliver(w, paid.event);
  assert.equal(res.status, 200);
  await runJobs(w.t);
  const b = await booking(w.t, first.bookingId);
  assert.equal(b.status, "expired");
  assert.match(
    b.note ?? "",
    /calendar for that day was full; it is refunded in full/,
  );
  assert.equal(
    w.fake.state.charges.get(paid.charge.id)!.amount_refunded,
    paid.charge.amount,
  );
  assert.equal(ledgerProblem(b), null);
  assert.equal((await listDeadJobs(w.t.kv)).length, 0);
  await w.close();
});

Deno.test("stripe: request-to-book authorises, the host accepts (capture) or declines (release)", async () => {
  const w = await world({ bookingMode: "request" });
  const a = await checkout(w);
  const paid = w.fake.completeSession(a.sessionId);
  assert.equal(paid.paymentIntent.status, "requires_capture");
  await deliver(w, paid.event);
  await runJobs(w.t);
  let b = await booking(w.t, a.bookingId);
  assert.equal(b.status, "requested");
  assert.equal(b.ledger.length, 0, "nothing charged yet");
  const list = await (await get(w.t, "/host/bookings", w.host)).text();
  assert.match(list, /Request: waiting for your answer/);
  // Only the host answers.
  assert.equal(
    (await post(w.t, `/host/bookings/${a.bookingId}/accept`, {}, {
      cookie: w.renter,
    })).status,
    403,
  );
  const accepted = await post(w.t, `/host/bookings/${a.bookingId}/accept`, {}, {
    cookie: w.host,
  });
  assert.equal(
    accepted.headers.get("location"),
    `/host/bookings/${a.bookingId}?notice=accepted`,
  );
  b = await booking(w.t, a.bookingId);
  assert.equal(b.status, "confirmed");
  assert.equal(
    w.fake.state.paymentIntents.get(paid.paymentIntent.id)!.status,
    "succeeded",
  );
  assert.equal(ledgerProblem(b), null);

  const d = await checkout(w, w.renter, "15:00", "18:00");
  const dPaid = w.fake.completeSession(d.sessionId);
  await deliver(w, dPaid.event);
  await runJobs(w.t);
  await post(w.t, `/host/bookings/${d.bookingId}/decline`, {}, {
    cookie: w.host,
  });
  await runJobs(w.t);
  assert.equal((await booking(w.t, d.bookingId)).status, "declined");
  assert.equal(
    w.fake.state.paymentIntents.get(dPaid.paymentIntent.id)!.status,
    "canceled",
  );

  // The renter withdraws: the time is free, and the job releases the card.
  const r = await checkout(w, w.renter, "18:00", "20:00");
  const rPaid = w.fake.completeSession(r.sessionId);
  await deliver(w, rPaid.event);
  await runJobs(w.t);
  const withdrawn = await post(w.t, `/bookings/${r.bookingId}/withdraw`, {}, {
    cookie: w.renter,
  });
  assert.equal(
    withdrawn.headers.get("location"),
    `/bookings/${r.bookingId}?notice=withdrawn`,
  );
  await runJobs(w.t);
  assert.equal((await booking(w.t, r.bookingId)).status, "withdrawn");
  assert.equal(
    w.fake.state.paymentIntents.get(rPaid.paymentIntent.id)!.status,
    "canceled",
  );
  await checkout(w, w.renter, "18:00", "20:00");

  // Unanswered: expires at the deadline and releases the card.
  const e = await checkout(w, w.renter, "08:00", "10:00");
  const ePaid = w.fake.completeSession(e.sessionId);
  await deliver(w, ePaid.event);
  await runJobs(w.t);
  w.t.advance(25 * 3600_000);
  await runJobs(w.t);
  await runJobs(w.t);
  assert.equal((await booking(w.t, e.bookingId)).status, "expired");
  assert.equal(
    w.fake.state.paymentIntents.get(ePaid.paymentIntent.id)!.status,
    "canceled",
  );
  await w.close();
});

Deno.test("stripe: a request withdrawn while the host accepts is refunded in full, never confirmed", async () => {
  const w = await world({ bookingMode: "request" });
  const a = await checkout(w);
  const paid = w.fake.completeSession(a.sessionId);
  await deliver(w, paid.event);
  await runJobs(w.t);
  const renter = (await userByEmail(w.t, "rosa@example.com"))!;
  // The renter's withdrawal lands between the capture and the confirmation.
  const racing = {
    paymentIntents: {
      capture: async (
        ...args: Parameters<Stripe["paymentIntents"]["capture"]>
      ) => {
        const pi = await w.stripe.paymentIntents.capture(...args);
        await withdrawRequest(at(w.t.services), a.bookingId, renter);
        return pi;
      },
    },
    refunds: w.stripe.refunds,
  } as unknown as Stripe;
  await assert.rejects(
    acceptRequest(
      { ...at(w.t.services), stripe: racing },
      a.bookingId,
      { id: w.hostId, roles: ["host"] },
    ),
    /withdrawn by the renter a moment ago, so it cannot be accepted; the renter's card was refunded in full\./,
  );
  const b = await booking(w.t, a.bookingId);
  assert.equal(b.status, "withdrawn");
  assert.equal(b.ledger.length, 0, "never charged on the ledger");
  const refunds = [...w.fake.state.refunds.values()].filter((r) =>
    r.payment_intent === paid.paymentIntent.id
  );
  assert.equal(refunds.length, 1);
  assert.equal(refunds[0].amount, paid.paymentIntent.amount);
  const audit = await listAuditFor(w.t.kv, "booking", a.bookingId);
  assert.ok(audit.some((e) => e.action === "payment.capture_refunded"));
  await w.close();
});

Deno.test("stripe: a dispute flags the booking; a host who cannot be paid takes no holds", async () => {
  const w = await world();
  const { sessionId, bookingId } = await checkout(w);
  const paid = w.fake.completeSession(sessionId);
  await deliver(w, paid.event);
  await runJobs(w.t);
  await deliver(w, w.fake.createDispute(paid.charge.id).event);
  await runJobs(w.t);
  assert.equal((await booking(w.t, bookingId)).disputed, true);

  await deliver(w, w.fake.setAccountReady(w.accountId, false).event);
  await runJobs(w.t);
  const refused = await post(
    w.t,
    "/bookings",
    form(w.kitchenId, "15:00", "18:00"),
    {
      cookie: w.renter,
    },
  );
  assert.equal(refused.status, 409);
  assert.match(await refused.text(), /not taking bookings yet/);
  await w.close();
});

/** The renter's bookings, newest last. */
async function bookingsOf(t: T, email: string): Promise<Booking[]> {
  const renter = (await userByEmail(t, email))!;
  const out: Booking[] = [];
  for await (
    const e of t.kv.list<string>({
      prefix: keys.bookingsByRenterPrefix(renter.id),
    })
  ) out.push(await booking(t, e.value));
  return out;
}

async function assertReleased(t: T, b: Booking) {
  assert.equal(b.status, "expired");
  for (const day of b.claimDays) {
    const doc =
      (await t.kv.get<CalendarDay>(keys.calendarDay(b.kitchenId, day)))
        .value;
    assert.ok(
      !(doc?.claims ?? []).some((c) => c.ref === b.id),
      `the claim on ${day} is freed`,
    );
  }
  assert.equal(
    (await t.kv.get(keys.occupancy(b.kitchenId, b.start, b.id))).value,
    null,
  );
  assert.deepEqual(
    (await t.kv.get(keys.renterHolds(b.renterId))).value ?? [],
    [],
  );
}

const OUTAGE =
  /Payments are unavailable right now; your hours were released, try again in a minute\./;

Deno.test("stripe: an outage at checkout (5xx) answers 503 and releases the hours it held", async () => {
  const w = await world();
  w.fake.setOutage(500);
  const res = await post(w.t, "/bookings", form(w.kitchenId), {
    cookie: w.renter,
  });
  assert.equal(res.status, 503);
  assert.equal(res.headers.get("retry-after"), "60");
  assert.match(await res.text(), OUTAGE);
  const [b] = await bookingsOf(w.t, "rosa@example.com");
  await assertReleased(w.t, b);
  // The same hours can be held again as soon as Stripe is back.
  w.fake.setOutage(null);
  const again = await checkout(w);
  assert.notEqual(again.bookingId, b.id);
  await w.close();
});

const RESUME_OUTAGE =
  /Payments are unavailable right now; try again in a minute\. Your hold is kept until 9:35\sAM\./;

Deno.test("stripe: resuming payment while Stripe is down (5xx or unreachable) answers 503 and keeps the hold", async () => {
  const w = await world();
  const { bookingId, sessionId } = await checkout(w);
  w.t.advance(60_000);
  w.fake.setOutage(502);
  const down = await get(w.t, `/bookings/${bookingId}/pay`, w.renter);
  assert.equal(down.status, 503);
  assert.equal(down.headers.get("retry-after"), "60");
  const html = await down.text();
  assert.match(html, RESUME_OUTAGE);
  assert.doesNotMatch(html, /hours were released/);
  const held = await booking(w.t, bookingId);
  assert.equal(held.status, "held");
  assert.equal(held.holdExpiresAt, Date.parse("2026-12-01T15:35:00Z"));
  // Back up: the same session again.
  w.fake.setOutage(null);
  const back = await get(w.t, `/bookings/${bookingId}/pay`, w.renter);
  assert.equal(back.status, 303);
  assert.equal(
    back.headers.get("location"),
    w.fake.state.sessions.get(sessionId)!.url,
  );
  // Unreachable: the same answer.
  await w.fake.close();
  const gone = await get(w.t, `/bookings/${bookingId}/pay`, w.renter);
  assert.equal(gone.status, 503);
  assert.equal(gone.headers.get("retry-after"), "60");
  assert.match(await gone.text(), RESUME_OUTAGE);
  assert.equal((await booking(w.t, bookingId)).status, "held");
  w.t.close();
});

Deno.test("stripe: Stripe unreachable at checkout answers 503 and releases the hours it held", async () => {
  const w = await world();
  await w.fake.close();
  const res = await post(w.t, "/bookings", form(w.kitchenId), {
    cookie: w.renter,
  });
  assert.equal(res.status, 503);
  assert.equal(res.headers.get("retry-after"), "60");
  assert.match(await res.text(), OUTAGE);
  const [b] = await bookingsOf(w.t, "rosa@example.com");
  await assertReleased(w.t, b);
  // Another renter is not told the time is taken.
  const other = await confirmedCookie(w.t, "bo@example.com");
  const review = await get(
    w.t,
    `/bookings/new?kitchen=${w.kitchenId}&date=2026-12-03&start=10:00&end=13:00`,
    other,
  );
  assert.equal(review.status, 200);
  await review.body?.cancel();
  w.t.close();
});
