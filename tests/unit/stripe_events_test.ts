import assert from "node:assert/strict";
import { parseStripeEvent } from "../../lib/payments/events.ts";
import type { PaymentEvent } from "../../lib/payments/schema.ts";
import { newId } from "../../lib/ids.ts";

const AT = Date.parse("2026-12-01T15:00:00Z");
const BOOKING = newId();

const event = (type: string, object: unknown, id = "evt_1") => ({
  id,
  object: "event",
  type,
  data: { object },
});

const recorded = (over: Partial<PaymentEvent>): PaymentEvent => ({
  id: "evt_1",
  type: "checkout.session.completed",
  provider: "stripe",
  receivedAt: AT,
  bookingId: null,
  accountId: null,
  chargeId: null,
  paymentIntentId: null,
  checkoutSessionId: null,
  ...over,
});

Deno.test("stripe events: each handled type is read into what the job needs", () => {
  const cases: [string, unknown, Partial<PaymentEvent>][] = [
    [
      "checkout.session.completed",
      {
        id: "cs_1",
        payment_intent: "pi_1",
        client_reference_id: BOOKING,
        metadata: {},
      },
      {
        bookingId: BOOKING,
        checkoutSessionId: "cs_1",
        paymentIntentId: "pi_1",
      },
    ],
    [
      "checkout.session.expired",
      { id: "cs_2", payment_intent: null, metadata: { booking_id: BOOKING } },
      { bookingId: BOOKING, checkoutSessionId: "cs_2" },
    ],
    [
      // An expanded reference is the object; its id is what counts.
      "charge.refunded",
      { id: "ch_1", payment_intent: { id: "pi_9", amount: 5 }, metadata: null },
      { chargeId: "ch_1", paymentIntentId: "pi_9" },
    ],
    [
      "payment_intent.canceled",
      { id: "pi_2", metadata: { booking_id: BOOKING, other: "x" } },
      { bookingId: BOOKING, paymentIntentId: "pi_2" },
    ],
    [
      "charge.dispute.created",
      { id: "dp_1", charge: "ch_2", payment_intent: "pi_3" },
      { chargeId: "ch_2", paymentIntentId: "pi_3" },
    ],
    ["account.updated", { id: "acct_1" }, { accountId: "acct_1" }],
    [
      // Another integration's session on the same account: not a booking of ours.
      "checkout.session.completed",
      { id: "cs_3", client_reference_id: "order-17", metadata: { shop: "1" } },
      { checkoutSessionId: "cs_3" },
    ],
    // Types we ignore are recorded whatever their object holds.
    ["customer.created", { id: 5, anything: [1, 2] }, {}],
  ];
  for (const [type, object, want] of cases) {
    assert.deepEqual(
      parseStripeEvent(event(type, object), AT),
      { ok: true, event: recorded({ type, ...want }) },
      type,
    );
  }
});

Deno.test("stripe events: Stripe's created time is kept in ms, for the webhook lag, and an odd one is ignored", () => {
  const sent = {
    ...event("account.updated", { id: "acct_1" }),
    created: 1_796_000_000,
  };
  assert.deepEqual(parseStripeEvent(sent, AT), {
    ok: true,
    event: recorded({
      type: "account.updated",
      accountId: "acct_1",
      createdAt: 1_796_000_000_000,
    }),
  });
  // Only a measure: an odd value is left out, and the event still counts.
  const odd = { ...sent, created: "yesterday" };
  assert.deepEqual(parseStripeEvent(odd, AT), {
    ok: true,
    event: recorded({ type: "account.updated", accountId: "acct_1" }),
  });
});

Deno.test("stripe events: a malformed event is refused with what was wrong, never half-read", () => {
  const long = "x".repeat(300);
  const cases: [
    string,
    unknown,
    { eventId: string | null; type: string | null; problem: RegExp },
  ][] = [
    ["an empty object", {}, {
      eventId: null,
      type: null,
      problem: /^id: .*; type: .*; data: /,
    }],
    ["null", null, { eventId: null, type: null, problem: /^event: / }],
    ["an array", [], { eventId: null, type: null, problem: /^event: / }],
    ["a string", "evt_1", { eventId: null, type: null, problem: /^event: / }],
    ["no data", { id: "evt_1", type: "account.updated" }, {
      eventId: "evt_1",
      type: "account.updated",
      problem: /^data: /,
    }],
    ["an id too long", { ...event("account.updated", {}), id: long }, {
      eventId: null,
      type: "account.updated",
      problem: /^id: /,
    }],
    ["data.object null", event("customer.created", null), {
      eventId: "evt_1",
      type: "customer.created",
      problem: /^data\.object: /,
    }],
    [
      "a session id that is a number",
      event("checkout.session.completed", {
        id: 42,
      }),
      {
        eventId: "evt_1",
        type: "checkout.session.completed",
        problem: /^data\.object\.id: /,
      },
    ],
    [
      "a payment intent reference that is a number",
      event(
        "checkout.session.completed",
        { id: "cs_1", payment_intent: 7 },
      ),
      {
        eventId: "evt_1",
        type: "checkout.session.completed",
        problem: /^data\.object\.payment_intent: /,
      },
    ],
    [
      "metadata that is a list",
      event("charge.refunded", {
        id: "ch_1",
        metadata: ["booking_id"],
      }),
      {
        eventId: "evt_1",
        type: "charge.refunded",
        problem: /^data\.object\.metadata: /,
      },
    ],
    [
      "a booking id that is a number",
      event("payment_intent.canceled", {
        id: "pi_1",
        metadata: { booking_id: 12 },
      }),
      {
        eventId: "evt_1",
        type: "payment_intent.canceled",
        problem: /^data\.object\.metadata\.booking_id: /,
      },
    ],
    [
      "a dispute without its charge",
      event("charge.dispute.created", {
        id: "dp_1",
      }),
      {
        eventId: "evt_1",
        type: "charge.dispute.created",
        problem: /^data\.object\.charge: /,
      },
    ],
    ["an account without an id", event("account.updated", {}), {
      eventId: "evt_1",
      type: "account.updated",
      problem: /^data\.object\.id: /,
    }],
  ];
  for (const [what, raw, want] of cases) {
    const got = parseStripeEvent(raw, AT);
    assert.ok(!got.ok, what);
    assert.equal(got.unreadable.eventId, want.eventId, what);
    assert.equal(got.unreadable.type, want.type, what);
    assert.match(got.unreadable.problem, want.problem, what);
    assert.ok(got.unreadable.problem.length <= 300, what);
  }
});
