/**
 * Charging a renter's saved card later (lib/payments/off_session.ts): the
 * card saved at Checkout on one Stripe Customer per renter, off-session
 * destination charges under deterministic idempotency keys, the card
 * errors Stripe answers, the webhooks that reach a purpose's handler, and
 * the demo cards that do the same without Stripe.
 */
import assert from "node:assert/strict";
import { at } from "../../lib/app.ts";
import { keys } from "../../lib/db/keys.ts";
import {
  chargeLedger,
  chargeOffSession,
  demoCharge,
  NO_SAVED_CARD,
} from "../../lib/payments/off_session.ts";
import { getPaymentCustomer } from "../../lib/payments/repo.ts";
import type { PaymentEvent } from "../../lib/payments/schema.ts";
import {
  bookPaid,
  get,
  post,
  runJobs,
  signUpConfirmed,
} from "../account_helpers.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";
import { readyDemoPayout } from "../../lib/hosts/payouts.ts";
import { bookWithStripe, deliver, stripeWorld } from "../stripe_world.ts";

const HOURS = { date: "2026-12-03", start: "10:00", end: "13:00" };

Deno.test("payments: Checkout saves the renter's card on one Stripe Customer per renter", async () => {
  const w = await stripeWorld();
  try {
    const first = await bookWithStripe(w, HOURS);
    const second = await bookWithStripe(w, { ...HOURS, date: "2026-12-04" });
    assert.equal(first.status, "confirmed");
    assert.equal(second.status, "confirmed");
    const creates = w.fake.state.requests.filter((r) =>
      r.method === "POST" && r.path === "/v1/customers"
    );
    assert.equal(creates.length, 1);
    assert.equal(creates[0].idempotencyKey, `user:${w.renterId}:customer`);
    const saved = await getPaymentCustomer(w.t.kv, w.renterId);
    assert.match(saved!.stripeCustomerId!, /^cus_/);
    const sessions = w.fake.state.requests.filter((r) =>
      r.method === "POST" && r.path === "/v1/checkout/sessions"
    );
    for (const s of sessions) {
      assert.equal(s.params.customer, saved!.stripeCustomerId);
      assert.equal(s.params.customer_email, undefined);
      assert.equal(
        (s.params.payment_intent_data as Record<string, string>)
          .setup_future_usage,
        "off_session",
      );
    }
    const cards = await w.stripe.paymentMethods.list({
      customer: saved!.stripeCustomerId!,
      type: "card",
    });
    assert.equal(cards.data.length, 2);
  } finally {
    await w.close();
  }
});

Deno.test("payments: an off-session charge of the saved card is a destination charge, once per idempotency key", async () => {
  const w = await stripeWorld();
  try {
    const b = await bookWithStripe(w, HOURS);
    const charge = {
      bookingId: b.id,
      amountCents: 4000,
      applicationFeeCents: 600,
      idempotencyKey: `occ:${b.id}:charge`,
      description: "Test Kitchen, one more hour",
      hostAccount: w.accountId,
      purpose: "occurrence",
    };
    const deps = at(w.t.services);
    const first = await chargeOffSession(deps, charge);
    assert.equal(first.status, "succeeded");
    assert.equal(first.provider, "stripe");
    assert.match(first.paymentIntentId!, /^pi_/);
    assert.match(first.chargeId!, /^ch_/);
    // A second run of the same job: the same PaymentIntent, nothing charged again.
    const again = await chargeOffSession(deps, charge);
    assert.deepEqual(again, first);
    const creates = w.fake.state.requests.filter((r) =>
      r.method === "POST" && r.path === "/v1/payment_intents"
    );
    assert.equal(creates.length, 2);
    assert.equal(creates[1].replayed, true);
    assert.equal(creates[0].idempotencyKey, `occ:${b.id}:charge`);
    assert.equal(creates[0].params.off_session, "true");
    assert.equal(creates[0].params.confirm, "true");
    const pi = w.fake.state.paymentIntents.get(first.paymentIntentId!)!;
    assert.equal(pi.amount, 4000);
    assert.equal(pi.application_fee_amount, 600);
    assert.equal(
      (pi.transfer_data as { destination: string }).destination,
      w.accountId,
    );
    assert.equal(pi.metadata.booking_id, b.id);
    assert.equal(pi.metadata.purpose, "occurrence");
    assert.equal(w.fake.events({ type: "payment_intent.succeeded" }).length, 2);
  } finally {
    await w.close();
  }
});

Deno.test("payments: a declined card, one asking for authentication and no saved card are results, not errors", async () => {
  const w = await stripeWorld();
  try {
    const b = await bookWithStripe(w, HOURS);
    const deps = at(w.t.services);
    const base = {
      bookingId: b.id,
      amountCents: 4000,
      applicationFeeCents: 600,
      description: "Test Kitchen",
      hostAccount: w.accountId,
    };
    // The renter's newest card is one Stripe declines.
    const customer = (await getPaymentCustomer(w.t.kv, w.renterId))!
      .stripeCustomerId!;
    await w.stripe.paymentMethods.attach("pm_card_chargeCustomerFail", {
      customer,
    });
    const declined = await chargeOffSession(deps, {
      ...base,
      idempotencyKey: `occ:${b.id}:charge`,
    });
    assert.equal(declined.status, "declined");
    assert.equal(declined.code, "card_declined");
    assert.match(declined.paymentIntentId!, /^pi_/);
    // Retried, it is the same failure: no second attempt at the bank.
    assert.deepEqual(
      await chargeOffSession(deps, {
        ...base,
        idempotencyKey: `occ:${b.id}:charge`,
      }),
      declined,
    );
    assert.equal(w.fake.events({ type: "charge.failed" }).length, 1);

    w.fake.attachCard(customer, "4000002760003184");
    const auth = await chargeOffSession(deps, {
      ...base,
      idempotencyKey: `occ:${b.id}:charge:2`,
    });
    assert.equal(auth.status, "requires_action");
    assert.equal(auth.code, "authentication_required");

    // A renter with no Stripe Customer has nothing to charge.
    await w.t.kv.delete(keys.paymentCustomer(w.renterId));
    const none = await chargeOffSession(deps, {
      ...base,
      idempotencyKey: `occ:${b.id}:charge:3`,
    });
    assert.equal(none.status, "declined");
    assert.equal(none.code, NO_SAVED_CARD);
    assert.equal(none.paymentIntentId, null);
  } finally {
    await w.close();
  }
});

Deno.test("payments: an off-session PaymentIntent's webhooks reach its purpose's handler once; Checkout's own start no work", async () => {
  const w = await stripeWorld();
  try {
    const b = await bookWithStripe(w, HOURS);
    // Checkout's payment_intent.succeeded (no purpose) was delivered: no job for it.
    const checkoutPi = w.fake.events({ type: "payment_intent.succeeded" })[0];
    const recorded = await w.t.kv.get(keys.paymentEvent(checkoutPi.id));
    assert.ok(recorded.value, "recorded");
    assert.equal(
      (await w.t.kv.get(keys.job(`payment-event:${checkoutPi.id}`))).value,
      null,
    );
    const settled: PaymentEvent[] = [];
    w.t.services.offSession.test_purpose = (_deps, event) => {
      settled.push(event);
      return Promise.resolve();
    };
    const result = await chargeOffSession(at(w.t.services), {
      bookingId: b.id,
      amountCents: 2500,
      applicationFeeCents: 0,
      idempotencyKey: `test:${b.id}`,
      description: "Test",
      hostAccount: w.accountId,
      purpose: "test_purpose",
      ref: "move_1",
    });
    const [event] = w.fake.events({ type: "payment_intent.succeeded" })
      .slice(-1);
    for (let i = 0; i < 3; i++) {
      assert.equal((await deliver(w, event)).status, 200);
    }
    await runJobs(w.t);
    assert.equal(settled.length, 1);
    assert.equal(settled[0].purpose, "test_purpose");
    assert.equal(settled[0].ref, "move_1");
    assert.equal(settled[0].bookingId, b.id);
    assert.equal(settled[0].paymentIntentId, result.paymentIntentId);

    // A failed one too, with the same purpose.
    const customer = (await getPaymentCustomer(w.t.kv, w.renterId))!
      .stripeCustomerId!;
    w.fake.attachCard(customer, "4000000000000341");
    await chargeOffSession(at(w.t.services), {
      bookingId: b.id,
      amountCents: 2500,
      idempotencyKey: `test:${b.id}:2`,
      description: "Test",
      hostAccount: w.accountId,
      purpose: "test_purpose",
    });
    const [failed] = w.fake.events({ type: "payment_intent.payment_failed" });
    assert.equal((await deliver(w, failed)).status, 200);
    await runJobs(w.t);
    assert.equal(settled.length, 2);
    assert.equal(settled[1].type, "payment_intent.payment_failed");
  } finally {
    await w.close();
  }
});

Deno.test("payments: demo cards decide demo off-session charges: works, declines, needs authentication", async () => {
  const t = await testApp();
  try {
    const host = await addHost(t.kv, "Demo Host", {
      payout: readyDemoPayout(new Date(t.now).toISOString()),
    });
    const [k] = await addKitchens(t.kv, host.id, [kitchenFixture()]);
    const { cookie, user } = await signUpConfirmed(
      t,
      "dee@example.com",
      "rent",
      {
        wallet: true,
      },
    );
    // The demo checkout offers the three cards.
    const held = await post(t, "/bookings", {
      kitchen: k.id,
      ...HOURS,
      acceptRules: "yes",
    }, { cookie });
    const id = held.headers.get("location")!.split("/")[2];
    const page = await (await get(t, `/bookings/${id}/pay`, cookie)).text();
    assert.match(page, /Demo card/);
    assert.match(page, /4000 0000 0000 0341/);
    assert.match(page, /4000 0027 6000 3184/);
    const bad = await post(t, `/bookings/${id}/pay`, { card: "platinum" }, {
      cookie,
    });
    assert.equal(bad.status, 400);
    assert.equal(await getPaymentCustomer(t.kv, user.id), null);
    await post(t, `/bookings/${id}/pay`, { card: "declines" }, { cookie });
    await runJobs(t);
    assert.equal(
      (await getPaymentCustomer(t.kv, user.id))!.demoCard,
      "declines",
    );
    const deps = at(t.services);
    const charge = {
      bookingId: id,
      amountCents: 4000,
      idempotencyKey: `occ:${id}:charge`,
      description: "Test",
      hostAccount: null,
    };
    const declined = await chargeOffSession(deps, charge);
    assert.equal(declined.status, "declined");
    assert.equal(declined.code, "card_declined");
    assert.equal(declined.provider, "demo");

    const second = await bookPaid(t, cookie, {
      kitchen: k.id,
      ...HOURS,
      date: "2026-12-04",
    });
    assert.equal((await getPaymentCustomer(t.kv, user.id))!.demoCard, "works");
    const ok = await chargeOffSession(deps, { ...charge, bookingId: second });
    assert.equal(ok.status, "succeeded");
    assert.deepEqual(
      await chargeOffSession(deps, { ...charge, bookingId: second }),
      ok,
    );
    assert.equal(
      demoCharge("needs_authentication", "k").status,
      "requires_action",
    );
    assert.equal(demoCharge(null, "k").code, NO_SAVED_CARD);
  } finally {
    t.close();
  }
});

Deno.test("payments: an off-session charge's ledger splits as the quote does and balances", () => {
  const entries = chargeLedger(
    {
      amountCents: 5750,
      hostCents: 4250,
      commissionCents: 750,
      renterFeeCents: 500,
      cityFeeCents: 250,
    },
    "ch_1",
    1,
  );
  assert.deepEqual(entries.map((e) => [e.kind, e.amountCents]), [
    ["charge", 5750],
    ["transfer", 4250],
    ["commission", 750],
    ["renter_fee", 500],
    ["city_fee", 250],
  ]);
  assert.throws(() =>
    chargeLedger(
      {
        amountCents: 100,
        hostCents: 90,
        commissionCents: 20,
        renterFeeCents: 0,
        cityFeeCents: 0,
      },
      null,
      1,
    )
  );
});
