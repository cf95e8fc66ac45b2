/**
 * The Stripe fake's Customers, saved cards and off-session PaymentIntents,
 * through the real SDK: what charging a renter's saved card later uses.
 */
import assert from "node:assert/strict";
import Stripe from "stripe";
import { stripeClient } from "../../lib/payments/stripe.ts";
import { startStripeFake, type StripeFake } from "../stripe_fake.ts";

function clientFor(fake: StripeFake): Stripe {
  return stripeClient(fake.secretKey, { apiBase: fake.apiBase });
}

/** A $50 destination charge of a saved card, as chargeOffSession makes it. */
function offSession(
  customer: string,
  paymentMethod: string,
  destination: string,
): Stripe.PaymentIntentCreateParams {
  return {
    amount: 5000,
    currency: "usd",
    customer,
    payment_method: paymentMethod,
    off_session: true,
    confirm: true,
    application_fee_amount: 750,
    transfer_data: { destination },
    metadata: { booking_id: "bk_1", purpose: "occurrence" },
    description: "Test Kitchen, Tue Dec 8",
  };
}

async function cardError(
  promise: Promise<unknown>,
): Promise<Stripe.errors.StripeCardError> {
  const err = await promise.then(
    () => assert.fail("expected a card error"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof Stripe.errors.StripeCardError, String(err));
  assert.equal(err.statusCode, 402);
  return err;
}

Deno.test("stripe fake: Checkout with a customer and setup_future_usage saves the card for later", async () => {
  await using fake = startStripeFake();
  const stripe = clientFor(fake);
  const host = fake.createAccount({ ready: true });
  const customer = await stripe.customers.create({
    email: "rosa@example.com",
    metadata: { user_id: "u1" },
  }, { idempotencyKey: "user:u1:customer" });
  const again = await stripe.customers.create({
    email: "rosa@example.com",
    metadata: { user_id: "u1" },
  }, { idempotencyKey: "user:u1:customer" });
  assert.equal(again.id, customer.id);
  assert.match(customer.id, /^cus_/);
  assert.equal(
    (await stripe.customers.retrieve(customer.id) as Stripe.Customer).email,
    "rosa@example.com",
  );

  const session = await stripe.checkout.sessions.create({
    mode: "payment",
    customer: customer.id,
    line_items: [{
      quantity: 1,
      price_data: {
        currency: "usd",
        unit_amount: 12000,
        product_data: { name: "3 hours" },
      },
    }],
    payment_intent_data: {
      application_fee_amount: 1800,
      transfer_data: { destination: host.id },
      setup_future_usage: "off_session",
    },
    success_url: "http://localhost:8000/ok",
  });
  assert.equal(session.customer, customer.id);
  const paid = fake.completeSession(session.id);
  assert.equal(paid.paymentIntent.customer, customer.id);
  assert.equal(paid.paymentIntent.setup_future_usage, "off_session");
  assert.equal(paid.session.customer, customer.id);

  const saved = await stripe.paymentMethods.list({
    customer: customer.id,
    type: "card",
  });
  assert.equal(saved.data.length, 1);
  assert.equal(saved.data[0].id, paid.paymentIntent.payment_method);
  assert.equal(saved.data[0].card?.last4, "4242");
  const same = await stripe.customers.listPaymentMethods(customer.id);
  assert.deepEqual(same.data.map((p) => p.id), [saved.data[0].id]);
  assert.equal(fake.events({ type: "payment_method.attached" }).length, 1);

  // Without a customer, saving a card makes one, as Checkout does.
  const guest = await stripe.checkout.sessions.create({
    mode: "payment",
    customer_email: "guest@example.com",
    line_items: [{
      quantity: 1,
      price_data: {
        currency: "usd",
        unit_amount: 5000,
        product_data: { name: "1 hour" },
      },
    }],
    payment_intent_data: { setup_future_usage: "off_session" },
    success_url: "http://localhost:8000/ok",
  });
  const guestPaid = fake.completeSession(guest.id);
  assert.match(guestPaid.session.customer as string, /^cus_/);

  // A customer and a customer email are one too many.
  const both = await stripe.checkout.sessions.create({
    mode: "payment",
    customer: customer.id,
    customer_email: "rosa@example.com",
    line_items: [{
      quantity: 1,
      price_data: {
        currency: "usd",
        unit_amount: 5000,
        product_data: { name: "1 hour" },
      },
    }],
    success_url: "http://localhost:8000/ok",
  }).catch((e) => e);
  assert.ok(both instanceof Stripe.errors.StripeInvalidRequestError);
  assert.match(both.message, /only specify one of these parameters/);
});

Deno.test("stripe fake: an off-session PaymentIntent charges the saved card as a destination charge, once per idempotency key", async () => {
  await using fake = startStripeFake();
  const stripe = clientFor(fake);
  const host = fake.createAccount({ ready: true });
  const { customer, paymentMethod } = fake.createCustomer({
    email: "rosa@example.com",
  });
  const params = offSession(customer.id, paymentMethod!.id, host.id);
  const pi = await stripe.paymentIntents.create(params, {
    idempotencyKey: "occ:bk_1:charge",
  });
  assert.equal(pi.status, "succeeded");
  assert.equal(pi.amount_received, 5000);
  assert.equal(pi.customer, customer.id);
  assert.deepEqual(pi.metadata, { booking_id: "bk_1", purpose: "occurrence" });
  const charge = fake.state.charges.get(pi.latest_charge as string)!;
  assert.equal(charge.captured, true);
  assert.equal(
    fake.state.transfers.get(charge.transfer as string)!.destination,
    host.id,
  );
  assert.equal(
    fake.state.applicationFees.get(charge.application_fee as string)!.amount,
    750,
  );
  // A retried job sends the same key: the same PaymentIntent, no second charge.
  const again = await stripe.paymentIntents.create(params, {
    idempotencyKey: "occ:bk_1:charge",
  });
  assert.equal(again.id, pi.id);
  assert.equal(fake.state.paymentIntents.size, 1);
  assert.equal(fake.events({ type: "payment_intent.succeeded" }).length, 1);
  // A partial refund of it works as for Checkout's.
  const refund = await stripe.refunds.create({
    payment_intent: pi.id,
    amount: 1000,
    reverse_transfer: true,
    refund_application_fee: true,
  });
  assert.equal(refund.amount, 1000);
  // off_session needs confirm, and a saved card needs its customer.
  const unconfirmed = await stripe.paymentIntents.create({
    ...params,
    confirm: false,
  }).catch((e) => e);
  assert.ok(unconfirmed instanceof Stripe.errors.StripeInvalidRequestError);
  const stranger = await stripe.paymentIntents.create({
    ...params,
    customer: undefined,
  }).catch((e) => e);
  assert.ok(stranger instanceof Stripe.errors.StripeInvalidRequestError);
  assert.match(stranger.message, /previously attached to a Customer/);
});

Deno.test("stripe fake: a declined saved card answers card_declined with the failed PaymentIntent, replayed under its key", async () => {
  await using fake = startStripeFake();
  const stripe = clientFor(fake);
  const host = fake.createAccount({ ready: true });
  const { customer } = fake.createCustomer({ email: "rosa@example.com" });
  // The renter's card was replaced by one that Stripe declines.
  const attached = await stripe.paymentMethods.attach(
    "pm_card_chargeCustomerFail",
    { customer: customer.id },
  );
  const newest = await stripe.paymentMethods.list({
    customer: customer.id,
    type: "card",
    limit: 1,
  });
  assert.equal(newest.data[0].id, attached.id);
  assert.equal(newest.data[0].card?.last4, "0341");
  const params = offSession(customer.id, attached.id, host.id);
  const err = await cardError(
    stripe.paymentIntents.create(params, { idempotencyKey: "occ:bk_2:charge" }),
  );
  assert.equal(err.code, "card_declined");
  assert.equal(err.decline_code, "generic_decline");
  assert.equal(err.payment_intent?.status, "requires_payment_method");
  assert.equal(err.payment_intent?.last_payment_error?.code, "card_declined");
  const failedPi = err.payment_intent!.id;
  // The same key replays the same failure: one attempt, one failed charge.
  const replay = await cardError(
    stripe.paymentIntents.create(params, { idempotencyKey: "occ:bk_2:charge" }),
  );
  assert.equal(replay.payment_intent?.id, failedPi);
  assert.equal(fake.events({ type: "charge.failed" }).length, 1);
  const [failed] = fake.events({ type: "payment_intent.payment_failed" });
  const obj = failed.data.object as Stripe.PaymentIntent;
  assert.equal(obj.id, failedPi);
  assert.equal(obj.last_payment_error?.code, "card_declined");
  assert.equal(obj.metadata.booking_id, "bk_1");
  // A card that is declined everywhere cannot even be saved.
  const refused = await cardError(
    stripe.paymentMethods.attach("pm_card_visa_chargeDeclined", {
      customer: customer.id,
    }),
  );
  assert.equal(refused.code, "card_declined");
});

Deno.test("stripe fake: a card that always asks for authentication fails off-session with authentication_required", async () => {
  await using fake = startStripeFake();
  const stripe = clientFor(fake);
  const host = fake.createAccount({ ready: true });
  const { customer, paymentMethod } = fake.createCustomer({
    email: "rosa@example.com",
    card: "4000002760003184",
  });
  const err = await cardError(
    stripe.paymentIntents.create(
      offSession(customer.id, paymentMethod!.id, host.id),
      { idempotencyKey: "occ:bk_3:charge" },
    ),
  );
  assert.equal(err.code, "authentication_required");
  assert.equal(err.decline_code, "authentication_required");
  assert.equal(err.payment_intent?.status, "requires_payment_method");
  assert.equal(
    err.payment_intent?.last_payment_error?.code,
    "authentication_required",
  );
  // No charge was attempted; the failure is an event all the same.
  assert.equal(fake.events({ type: "charge.failed" }).length, 0);
  assert.equal(
    fake.events({ type: "payment_intent.payment_failed" }).length,
    1,
  );

  // The card that needs authentication on-session only passes off-session
  // once set up for it (saved through Checkout), as Stripe's 3155 card does.
  const setUp = fake.attachCard(customer.id, "4000002500003155");
  const ok = await stripe.paymentIntents.create(
    offSession(customer.id, setUp.id, host.id),
  );
  assert.equal(ok.status, "succeeded");
  const bare = fake.attachCard(customer.id, "4000002500003155", {
    setUp: false,
  });
  const needs = await cardError(
    stripe.paymentIntents.create(offSession(customer.id, bare.id, host.id)),
  );
  assert.equal(needs.code, "authentication_required");
  // On-session the customer is asked to authenticate: requires_action.
  const onSession = await stripe.paymentIntents.create({
    amount: 5000,
    currency: "usd",
    customer: customer.id,
    payment_method: bare.id,
    confirm: true,
  });
  assert.equal(onSession.status, "requires_action");
});

Deno.test("stripe fake: the hosted pay page takes a test card and saves it; a declined card keeps the session open", async () => {
  await using fake = startStripeFake();
  const stripe = clientFor(fake);
  const { customer } = fake.createCustomer({ card: null });
  const session = await stripe.checkout.sessions.create({
    mode: "payment",
    customer: customer.id,
    line_items: [{
      quantity: 1,
      price_data: {
        currency: "usd",
        unit_amount: 5000,
        product_data: { name: "1 hour" },
      },
    }],
    payment_intent_data: { setup_future_usage: "off_session" },
    success_url: "http://localhost:8000/ok",
  });
  const page = await (await fetch(session.url!)).text();
  assert.match(page, /4000 0027 6000 3184/);
  const declined = await fetch(session.url!, {
    method: "POST",
    body: new URLSearchParams({ card: "4000000000000002" }),
    redirect: "manual",
  });
  assert.equal(declined.status, 402);
  assert.match(await declined.text(), /Your card was declined/);
  assert.equal(fake.state.sessions.get(session.id)!.status, "open");
  const paid = await fetch(session.url!, {
    method: "POST",
    body: new URLSearchParams({ card: "4000002760003184" }),
    redirect: "manual",
  });
  await paid.body?.cancel();
  assert.equal(paid.status, 303);
  const saved = await stripe.paymentMethods.list({ customer: customer.id });
  assert.equal(saved.data[0].card?.last4, "3184");
});
