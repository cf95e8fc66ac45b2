import assert from "node:assert/strict";
import Stripe from "stripe";
import { AppError } from "../../lib/errors.ts";
import {
  STRIPE_API_VERSION,
  stripeClient,
  verifyWebhook,
  WebhookSignatureError,
} from "../../lib/payments/stripe.ts";
import {
  signedWebhook,
  startStripeFake,
  type StripeFake,
} from "../stripe_fake.ts";

const WEBHOOK_SECRET = "whsec_test_secret";

function clientFor(fake: StripeFake): Stripe {
  return stripeClient(fake.secretKey, { apiBase: fake.apiBase });
}

/** A destination-charge session as the booking flow makes it: $120 to the host, $12 to us. */
function checkoutParams(
  destination: string,
  over: Partial<Stripe.Checkout.SessionCreateParams.PaymentIntentData> = {},
): Stripe.Checkout.SessionCreateParams {
  return {
    mode: "payment",
    line_items: [
      {
        quantity: 3,
        price_data: {
          currency: "usd",
          unit_amount: 4000,
          product_data: { name: "Test Kitchen, 3 hours" },
        },
      },
    ],
    payment_intent_data: {
      application_fee_amount: 1200,
      transfer_data: { destination },
      metadata: { booking_id: "bk_1" },
      ...over,
    },
    client_reference_id: "bk_1",
    metadata: { booking_id: "bk_1" },
    customer_email: "renter@example.com",
    expires_at: Math.floor(Date.now() / 1000) + 45 * 60,
    success_url:
      "http://localhost:8000/bookings/bk_1?paid={CHECKOUT_SESSION_ID}",
    cancel_url: "http://localhost:8000/bookings/bk_1",
  };
}

/** Awaits a Stripe error of Stripe's `type` and `code`, as the SDK raises it. */
async function rejectsWith(
  promise: Promise<unknown>,
  type: string,
  code?: string,
): Promise<Stripe.errors.StripeError> {
  const err = await promise.then(
    () => assert.fail(`expected ${type}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof Stripe.errors.StripeError, String(err));
  // The SDK's `type` is its class name; Stripe's own `type` is `rawType`.
  assert.equal(err.rawType, type, err.message);
  if (code) assert.equal(err.code, code, err.message);
  return err;
}

Deno.test("stripe: the SDK runs in Deno with the fetch client and Web Crypto", () => {
  assert.equal(typeof Stripe.createFetchHttpClient().makeRequest, "function");
  assert.equal(
    typeof Stripe.createSubtleCryptoProvider().computeHMACSignatureAsync,
    "function",
  );
  assert.equal(STRIPE_API_VERSION, Stripe.API_VERSION);
});

Deno.test("stripe: one client per key and API origin, created once", () => {
  const a = stripeClient("sk_test_a", { apiBase: "http://127.0.0.1:9" });
  assert.equal(
    stripeClient("sk_test_a", { apiBase: "http://127.0.0.1:9/" }),
    a,
  );
  assert.notEqual(
    stripeClient("sk_test_b", { apiBase: "http://127.0.0.1:9" }),
    a,
  );
  assert.notEqual(stripeClient("sk_test_a"), a);
  assert.equal(stripeClient("sk_test_a"), stripeClient("sk_test_a"));
  assert.throws(
    () => stripeClient("sk_test_a", { apiBase: "http://127.0.0.1:9/v1" }),
    /no path/,
  );
  assert.throws(() => stripeClient(""), /secret key/);
});

Deno.test("stripe fake: a destination-charge Checkout Session is created once per idempotency key", async () => {
  await using fake = startStripeFake();
  const stripe = clientFor(fake);
  const host = fake.createAccount({ ready: true });
  const params = checkoutParams(host.id);

  const first = await stripe.checkout.sessions.create(params, {
    idempotencyKey: "booking:bk_1:checkout",
  });
  const again = await stripe.checkout.sessions.create(params, {
    idempotencyKey: "booking:bk_1:checkout",
  });
  assert.equal(again.id, first.id);
  assert.equal(fake.state.sessions.size, 1);
  assert.match(first.id, /^cs_test_/);
  assert.equal(first.status, "open");
  assert.equal(first.payment_status, "unpaid");
  assert.equal(first.amount_total, 12000);
  assert.equal(first.url, `${fake.origin}/pay/${first.id}`);
  assert.equal(first.payment_intent, null);
  assert.deepEqual(first.metadata, { booking_id: "bk_1" });

  // What the SDK sent, as Stripe would read it.
  const [sent, replay] = fake.state.requests;
  assert.equal(sent.idempotencyKey, "booking:bk_1:checkout");
  assert.equal(sent.stripeVersion, STRIPE_API_VERSION);
  assert.deepEqual(sent.params.payment_intent_data, {
    application_fee_amount: "1200",
    transfer_data: { destination: host.id },
    metadata: { booking_id: "bk_1" },
  });
  assert.equal(
    (sent.params.line_items as { price_data: { unit_amount: string } }[])[0]
      .price_data.unit_amount,
    "4000",
  );
  assert.equal(replay.replayed, true);

  // The same key for different parameters is an error, as on Stripe.
  await rejectsWith(
    stripe.checkout.sessions.create(
      { ...params, client_reference_id: "bk_2" },
      {
        idempotencyKey: "booking:bk_1:checkout",
      },
    ),
    "idempotency_error",
  );

  const read = await stripe.checkout.sessions.retrieve(first.id);
  assert.equal(read.id, first.id);
  const items = await stripe.checkout.sessions.listLineItems(first.id);
  assert.equal(items.data[0].description, "Test Kitchen, 3 hours");
  assert.equal(items.data[0].amount_total, 12000);
});

Deno.test("stripe fake: a paid session has a succeeded PaymentIntent; a partial refund reverses the transfer and fee in proportion", async () => {
  await using fake = startStripeFake();
  const stripe = clientFor(fake);
  const host = fake.createAccount({ ready: true });
  const session = await stripe.checkout.sessions.create(
    checkoutParams(host.id),
  );

  const paid = fake.completeSession(session.id, { name: "Rita Renter" });
  assert.equal(paid.event.type, "checkout.session.completed");
  const completed = paid.event.data.object as Stripe.Checkout.Session;
  assert.equal(completed.status, "complete");
  assert.equal(completed.payment_status, "paid");
  assert.equal(completed.client_reference_id, "bk_1");
  assert.equal(completed.payment_intent, paid.paymentIntent.id);
  assert.equal(completed.customer_details?.email, "renter@example.com");

  const read = await stripe.checkout.sessions.retrieve(session.id, {
    expand: ["payment_intent"],
  });
  const intent = read.payment_intent as Stripe.PaymentIntent;
  assert.match(intent.id, /^pi_/);
  assert.equal(intent.status, "succeeded");
  assert.equal(intent.amount_received, 12000);
  assert.equal(intent.application_fee_amount, 1200);
  assert.equal(intent.transfer_data?.destination, host.id);
  // payment_intent_data's metadata, not the session's, lands on the intent.
  assert.deepEqual(intent.metadata, { booking_id: "bk_1" });

  const direct = await stripe.paymentIntents.retrieve(intent.id, {
    expand: ["latest_charge"],
  });
  const charge = direct.latest_charge as Stripe.Charge;
  assert.match(charge.id, /^ch_/);
  assert.equal(charge.captured, true);
  assert.equal(charge.billing_details.name, "Rita Renter");
  assert.match(String(charge.transfer), /^tr_/);
  assert.match(String(charge.application_fee), /^fee_/);

  const refund = await stripe.refunds.create({
    payment_intent: intent.id,
    amount: 6000,
    reverse_transfer: true,
    refund_application_fee: true,
    metadata: { reason: "policy:moderate" },
  }, { idempotencyKey: "booking:bk_1:refund" });
  assert.match(refund.id, /^re_/);
  assert.equal(refund.status, "succeeded");
  assert.equal(refund.amount, 6000);
  assert.equal(refund.charge, charge.id);
  assert.match(String(refund.transfer_reversal), /^trr_/);
  assert.deepEqual(refund.metadata, { reason: "policy:moderate" });

  const refunded = fake.events({ type: "charge.refunded" });
  assert.equal(refunded.length, 1);
  const refundedCharge = refunded[0].data.object as Stripe.Charge;
  assert.equal(refundedCharge.amount_refunded, 6000);
  assert.equal(refundedCharge.refunded, false);
  assert.deepEqual(refunded[0].data.previous_attributes, {
    amount_refunded: 0,
    refunded: false,
  });
  assert.equal(refunded[0].request?.idempotency_key, "booking:bk_1:refund");

  const transfer = fake.state.transfers.get(String(charge.transfer))!;
  assert.equal(transfer.amount_reversed, 6000);
  const fee = fake.state.applicationFees.get(String(charge.application_fee))!;
  assert.equal(fee.amount_refunded, 600);

  const tooMuch = await rejectsWith(
    stripe.refunds.create({ payment_intent: intent.id, amount: 6001 }),
    "invalid_request_error",
    "amount_too_large",
  );
  assert.match(tooMuch.message, /\$60\.01.*\$60\.00/);
  await stripe.refunds.create({ charge: charge.id });
  await rejectsWith(
    stripe.refunds.create({ payment_intent: intent.id }),
    "invalid_request_error",
    "charge_already_refunded",
  );
  assert.equal(fake.state.charges.get(charge.id)!.refunded, true);
});

Deno.test("stripe fake: manual capture authorises, then captures or cancels", async () => {
  await using fake = startStripeFake();
  const stripe = clientFor(fake);
  const host = fake.createAccount({ ready: true });
  const manual = { capture_method: "manual" } as const;
  const [a, b] = await Promise.all([
    stripe.checkout.sessions.create(checkoutParams(host.id, manual)),
    stripe.checkout.sessions.create(checkoutParams(host.id, manual)),
  ]);
  const held = fake.completeSession(a.id);
  assert.equal(held.paymentIntent.status, "requires_capture");
  assert.equal(held.paymentIntent.amount_capturable, 12000);
  assert.equal(held.session.payment_status, "unpaid");
  assert.equal(held.charge.captured, false);
  assert.equal(held.charge.transfer ?? null, null);

  const captured = await stripe.paymentIntents.capture(
    held.paymentIntent.id,
    {},
    {
      idempotencyKey: "booking:bk_1:capture",
    },
  );
  assert.equal(captured.status, "succeeded");
  assert.equal(captured.amount_received, 12000);
  assert.equal(fake.state.charges.get(held.charge.id)!.captured, true);
  assert.ok(fake.state.charges.get(held.charge.id)!.transfer);
  await rejectsWith(
    stripe.paymentIntents.capture(held.paymentIntent.id),
    "invalid_request_error",
    "payment_intent_unexpected_state",
  );
  await rejectsWith(
    stripe.paymentIntents.cancel(held.paymentIntent.id),
    "invalid_request_error",
    "payment_intent_unexpected_state",
  );

  const other = fake.completeSession(b.id);
  await rejectsWith(
    stripe.refunds.create({ payment_intent: other.paymentIntent.id }),
    "invalid_request_error",
    "charge_not_refundable",
  );
  const canceled = await stripe.paymentIntents.cancel(other.paymentIntent.id, {
    cancellation_reason: "abandoned",
  });
  assert.equal(canceled.status, "canceled");
  assert.equal(canceled.cancellation_reason, "abandoned");
  const [event] = fake.events({ type: "payment_intent.canceled" });
  assert.equal((event.data.object as Stripe.PaymentIntent).id, canceled.id);
  assert.equal(fake.state.charges.get(other.charge.id)!.amount_refunded, 12000);
});

Deno.test("stripe fake: Express onboarding through an account link, then account.updated", async () => {
  await using fake = startStripeFake();
  const stripe = clientFor(fake);
  const account = await stripe.accounts.create({
    type: "express",
    country: "US",
    email: "host@example.com",
    capabilities: {
      card_payments: { requested: true },
      transfers: { requested: true },
    },
    metadata: { host_id: "h_1" },
  });
  assert.match(account.id, /^acct_/);
  assert.equal(account.charges_enabled, false);
  assert.equal(account.capabilities?.transfers, "inactive");
  assert.ok(account.requirements?.currently_due?.length);

  // Not yet able to receive transfers: Stripe refuses the destination.
  await rejectsWith(
    stripe.checkout.sessions.create(checkoutParams(account.id)),
    "invalid_request_error",
    "insufficient_capabilities_for_transfer",
  );

  const link = await stripe.accountLinks.create({
    account: account.id,
    refresh_url: "http://localhost:8000/host/payouts/refresh",
    return_url: "http://localhost:8000/host/payouts/done",
    type: "account_onboarding",
  });
  assert.equal(link.object, "account_link");
  assert.ok(link.url.startsWith(`${fake.origin}/onboard/`));
  assert.equal(link.expires_at - link.created, 300);
  const page = await fetch(link.url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Finish onboarding/);
  // A link works once; after that Stripe sends the host to refresh_url.
  const reused = await fetch(link.url, { redirect: "manual" });
  await reused.body?.cancel();
  assert.equal(
    reused.headers.get("location"),
    "http://localhost:8000/host/payouts/refresh",
  );

  const { event } = fake.setAccountReady(account.id, true);
  assert.equal(event.type, "account.updated");
  assert.equal(event.account, account.id);
  const updated = event.data.object as Stripe.Account;
  assert.equal(updated.charges_enabled, true);
  assert.equal(updated.payouts_enabled, true);
  assert.equal(updated.details_submitted, true);
  assert.deepEqual(
    Object.keys(event.data.previous_attributes ?? {}).sort(),
    [
      "capabilities",
      "charges_enabled",
      "details_submitted",
      "payouts_enabled",
      "requirements",
    ],
  );
  const read = await stripe.accounts.retrieve(account.id);
  assert.equal(read.charges_enabled, true);
  assert.equal(read.capabilities?.transfers, "active");
  assert.deepEqual(read.metadata, { host_id: "h_1" });

  const partly = fake.setAccountReady(account.id, { payouts_enabled: false });
  assert.equal(
    (partly.event.data.object as Stripe.Account).payouts_enabled,
    false,
  );
  assert.equal(partly.account.charges_enabled, true);

  await stripe.checkout.sessions.create(checkoutParams(account.id));
});

Deno.test("stripe fake: sessions expire by helper, by API and on the fake's clock", async () => {
  let now = Date.now();
  await using fake = startStripeFake({ now: () => now });
  const stripe = clientFor(fake);
  const host = fake.createAccount({ ready: true });
  const params = () => ({
    ...checkoutParams(host.id),
    expires_at: Math.floor(now / 1000) + 30 * 60,
  });
  const [a, b, c] = [
    await stripe.checkout.sessions.create(params()),
    await stripe.checkout.sessions.create(params()),
    await stripe.checkout.sessions.create(params()),
  ];

  const { event } = fake.expireSession(a.id);
  assert.equal(event.type, "checkout.session.expired");
  assert.equal(
    (event.data.object as Stripe.Checkout.Session).status,
    "expired",
  );
  assert.throws(() => fake.completeSession(a.id), /expired, not open/);

  const expired = await stripe.checkout.sessions.expire(b.id);
  assert.equal(expired.status, "expired");
  assert.equal(expired.url, null);
  await rejectsWith(
    stripe.checkout.sessions.expire(b.id),
    "invalid_request_error",
    "checkout_session_unexpected_state",
  );

  now += 30 * 60 * 1000;
  assert.deepEqual(
    fake.expireDue().map((e) => (e.data.object as Stripe.Checkout.Session).id),
    [c.id],
  );
  assert.equal(fake.events({ type: "checkout.session.expired" }).length, 3);
});

Deno.test("stripe fake: answers mistakes with Stripe's errors", async () => {
  await using fake = startStripeFake();
  const stripe = clientFor(fake);
  const host = fake.createAccount({ ready: true });
  const params = checkoutParams(host.id);

  const unknown = await rejectsWith(
    stripe.checkout.sessions.create({
      ...params,
      payment_intent_data: {
        application_fee: 1200,
      } as Stripe.Checkout.SessionCreateParams.PaymentIntentData,
    }),
    "invalid_request_error",
    "parameter_unknown",
  );
  assert.equal(unknown.param, "payment_intent_data[application_fee]");
  const missing = await rejectsWith(
    stripe.checkout.sessions.create({ ...params, success_url: undefined }),
    "invalid_request_error",
    "parameter_missing",
  );
  assert.equal(missing.param, "success_url");
  const soon = await rejectsWith(
    stripe.checkout.sessions.create({
      ...params,
      expires_at: Math.floor(Date.now() / 1000) + 29 * 60,
    }),
    "invalid_request_error",
  );
  assert.match(soon.message, /at least 30 minutes/);
  await rejectsWith(
    stripe.checkout.sessions.create({
      ...params,
      metadata: { ["k".repeat(41)]: "v" },
    }),
    "invalid_request_error",
  );
  await rejectsWith(
    stripe.checkout.sessions.create(checkoutParams("acct_nope")),
    "invalid_request_error",
    "resource_missing",
  );
  const notFound = await rejectsWith(
    stripe.paymentIntents.retrieve("pi_missing"),
    "invalid_request_error",
    "resource_missing",
  );
  assert.equal(notFound.statusCode, 404);
  assert.match(notFound.message, /No such payment_intent: 'pi_missing'/);
  await rejectsWith(
    stripe.refunds.create({}),
    "invalid_request_error",
    "parameter_missing",
  );

  // A live key must never reach it, and no key is refused too.
  const live = stripeClient("sk_live_abcdefgh1234", { apiBase: fake.apiBase });
  const denied = await live.accounts.retrieve("acct_x").catch((e) => e);
  assert.ok(denied instanceof Stripe.errors.StripeAuthenticationError);
  const raw = await fetch(`${fake.apiBase}/v1/accounts/acct_x`);
  assert.equal(raw.status, 401);
  const body = await raw.json();
  assert.equal(body.error.type, "invalid_request_error");
  assert.match(body.error.message, /did not provide an API key/);
});

Deno.test("stripe fake: an outage answers every API call with Stripe's api_error until it ends", async () => {
  await using fake = startStripeFake();
  const stripe = clientFor(fake);
  const host = fake.createAccount({ ready: true });
  fake.setOutage(503);
  const err = await rejectsWith(
    stripe.checkout.sessions.create(checkoutParams(host.id), {
      idempotencyKey: "booking:bk_1:checkout",
    }),
    "api_error",
  );
  assert.ok(err instanceof Stripe.errors.StripeAPIError);
  assert.equal(err.statusCode, 503);
  const tries = fake.state.requests.filter((r) =>
    r.path === "/v1/checkout/sessions"
  );
  assert.ok(tries.length > 1, "the SDK retried, as it does against Stripe");
  assert.ok(tries.every((r) => r.status === 503));
  assert.equal(fake.state.sessions.size, 0);
  fake.setOutage(null);
  const session = await stripe.checkout.sessions.create(
    checkoutParams(host.id),
    { idempotencyKey: "booking:bk_1:checkout" },
  );
  assert.equal(session.status, "open");
});

Deno.test("stripe fake: disputes, the events API and the hosted pay page", async () => {
  await using fake = startStripeFake();
  const stripe = clientFor(fake);
  const host = fake.createAccount({ ready: true });
  const session = await stripe.checkout.sessions.create(
    checkoutParams(host.id),
  );

  // The hosted page pays and redirects like Checkout, filling in the session id.
  const pageRes = await fetch(session.url!);
  assert.match(await pageRes.text(), /Pay \$120\.00/);
  const paid = await fetch(session.url!, {
    method: "POST",
    body: new URLSearchParams({ email: "payer@example.com" }),
    redirect: "manual",
  });
  await paid.body?.cancel();
  assert.equal(paid.status, 303);
  assert.equal(
    paid.headers.get("location"),
    `http://localhost:8000/bookings/bk_1?paid=${session.id}`,
  );
  const done = fake.state.sessions.get(session.id)!;
  assert.equal(done.customer_details?.email, "payer@example.com");
  const charge = fake.state.paymentIntents.get(String(done.payment_intent))!
    .latest_charge as string;

  const { dispute, event } = fake.createDispute(charge);
  assert.match(dispute.id, /^dp_/);
  assert.equal(event.type, "charge.dispute.created");
  assert.equal((event.data.object as Stripe.Dispute).charge, charge);
  assert.equal(fake.state.charges.get(charge)!.disputed, true);

  const listed = await stripe.events.list({
    type: "checkout.session.completed",
  });
  assert.equal(listed.data.length, 1);
  const all = await stripe.events.list({ limit: 100 });
  assert.equal(all.data[0].type, "charge.dispute.created", "newest first");
  const fetched = await stripe.events.retrieve(event.id);
  assert.equal(fetched.id, event.id);
  assert.equal(fetched.api_version, STRIPE_API_VERSION);
  const viaHelper = await fetch(
    `${fake.origin}/__fake/events?type=charge.dispute.created`,
  );
  assert.deepEqual((await viaHelper.json()).map((e: Stripe.Event) => e.id), [
    event.id,
  ]);
});

Deno.test("stripe: verifyWebhook accepts a signed event and refuses a bad, missing or stale signature", async () => {
  await using fake = startStripeFake();
  const stripe = clientFor(fake);
  const host = fake.createAccount({ ready: true });
  const session = await stripe.checkout.sessions.create(
    checkoutParams(host.id),
  );
  const { event } = fake.completeSession(session.id);

  const good = await signedWebhook(stripe, event, WEBHOOK_SECRET);
  const verified = await verifyWebhook(
    stripe,
    good.body,
    good.signature,
    WEBHOOK_SECRET,
  );
  assert.equal(verified.id, event.id);
  assert.equal(verified.type, "checkout.session.completed");
  assert.equal(good.headers["stripe-signature"], good.signature);

  const refused = async (
    body: string,
    signature: string | null | undefined,
    secret = WEBHOOK_SECRET,
  ) => {
    const err = await verifyWebhook(stripe, body, signature, secret).then(
      () => assert.fail("accepted"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WebhookSignatureError, String(err));
    assert.ok(err instanceof AppError);
    assert.equal(err.status, 400);
    return err.problem;
  };
  const tampered = good.body.replace(
    '"amount_total": 12000',
    '"amount_total": 1',
  );
  assert.notEqual(tampered, good.body);
  assert.equal(await refused(tampered, good.signature), "invalid");
  // Re-serialised JSON is a different body: the raw body must be verified.
  assert.equal(await refused(JSON.stringify(event), good.signature), "invalid");
  assert.equal(
    await refused(good.body, good.signature, "whsec_other"),
    "invalid",
  );
  assert.equal(await refused(good.body, null), "missing");
  assert.equal(await refused(good.body, undefined), "missing");
  assert.equal(await refused(good.body, ""), "missing");
  assert.equal(await refused(good.body, "t=1,v1=deadbeef"), "invalid");

  const now = Math.floor(Date.now() / 1000);
  const stale = await signedWebhook(stripe, event, WEBHOOK_SECRET, {
    timestamp: now - 301,
  });
  assert.equal(await refused(stale.body, stale.signature), "stale");
  const recent = await signedWebhook(stripe, event, WEBHOOK_SECRET, {
    timestamp: now - 290,
  });
  assert.equal(
    (await verifyWebhook(stripe, recent.body, recent.signature, WEBHOOK_SECRET))
      .id,
    event.id,
  );
  // A stale timestamp with a forged signature is still a forgery.
  const forgedOld = await signedWebhook(stripe, event, "whsec_other", {
    timestamp: now - 301,
  });
  assert.equal(await refused(forgedOld.body, forgedOld.signature), "invalid");

  await assert.rejects(
    () => verifyWebhook(stripe, good.body, good.signature, ""),
    /secret/,
  );
  await assert.rejects(
    () => verifyWebhook(stripe, good.body, good.signature, WEBHOOK_SECRET, 0),
    RangeError,
  );
});
