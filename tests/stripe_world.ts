/**
 * A Stripe-mode test world: the real app with the real SDK pointed at
 * tests/stripe_fake.ts, a host onboarded through Connect, a kitchen and a
 * renter; webhooks signed as Stripe signs them. For tests of flows that
 * charge saved cards later (rescheduling, standing bookings).
 */
import assert from "node:assert/strict";
import type Stripe from "stripe";
import { keys } from "../lib/db/keys.ts";
import { getHostFresh } from "../lib/hosts/repo.ts";
import type { Booking } from "../lib/bookings/schema.ts";
import type { KitchenInput } from "../lib/kitchens/schema.ts";
import { stripeClient } from "../lib/payments/stripe.ts";
import {
  post,
  runJobs,
  signUpConfirmed,
  type T,
  userByEmail,
} from "./account_helpers.ts";
import { addKitchens, kitchenFixture, testApp } from "./helpers.ts";
import {
  signedWebhook,
  startStripeFake,
  type StripeFake,
  type TestCardNumber,
} from "./stripe_fake.ts";

export const WEBHOOK_SECRET = "whsec_prep_test";

export interface StripeWorld {
  t: T;
  fake: StripeFake;
  stripe: Stripe;
  host: string;
  hostId: string;
  accountId: string;
  kitchenId: string;
  renter: string;
  renterId: string;
  close(): Promise<void>;
}

/** Delivers a Stripe event to POST /api/stripe/webhook, signed. */
export async function deliver(
  w: Pick<StripeWorld, "t" | "stripe">,
  event: Stripe.Event,
): Promise<Response> {
  const signed = await signedWebhook(w.stripe, event, WEBHOOK_SECRET);
  return await w.t.request("/api/stripe/webhook", {
    method: "POST",
    headers: signed.headers,
    body: signed.body,
  });
}

/** Delivers every event the fake recorded after `after` (an event id, or from the start). */
export async function deliverAll(
  w: Pick<StripeWorld, "t" | "stripe" | "fake">,
  after?: string,
): Promise<void> {
  for (const e of w.fake.events(after ? { after } : {})) {
    const res = await deliver(w, e);
    assert.equal(res.status, 200, await res.clone().text());
  }
}

/** A host onboarded through /host/payouts and account.updated, a kitchen, a renter. */
export async function stripeWorld(
  over: Partial<KitchenInput> = {},
  now = Date.parse("2026-12-01T15:00:00Z"),
): Promise<StripeWorld> {
  let clock = () => now;
  const fake = startStripeFake({ now: () => clock() });
  const t = await testApp(now, {
    STRIPE_SECRET_KEY: fake.secretKey,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_BASE: fake.apiBase,
  });
  clock = t.clock;
  const stripe = stripeClient(fake.secretKey, { apiBase: fake.apiBase });
  const host = (await signUpConfirmed(t, "hank@example.com", "host")).cookie;
  const hostId = (await userByEmail(t, "hank@example.com"))!.id;
  const setup = await post(t, "/host/payouts", {}, { cookie: host });
  assert.equal(setup.status, 303);
  const accountId = (await getHostFresh(t.kv, hostId)).value!.payout.accountId!;
  const ready = await deliver(
    { t, stripe },
    fake.setAccountReady(accountId).event,
  );
  assert.equal(ready.status, 200);
  await runJobs(t);
  const [k] = await addKitchens(
    t.kv,
    hostId,
    [kitchenFixture(over)],
    "published",
    {
      now,
    },
  );
  const renterUser = await signUpConfirmed(t, "rosa@example.com", "rent", {
    wallet: true,
  });
  return {
    t,
    fake,
    stripe,
    host,
    hostId,
    accountId,
    kitchenId: k.id,
    renter: renterUser.cookie,
    renterId: renterUser.user.id,
    close: async () => {
      t.close();
      await fake.close();
    },
  };
}

/**
 * Books hours through POST /bookings and pays on the fake's Checkout with
 * `card` (saved on the renter's Stripe Customer), delivering the webhooks:
 * the confirmed booking.
 */
export async function bookWithStripe(
  w: StripeWorld,
  hours: { date: string; start: string; end: string },
  opts: { card?: TestCardNumber; cookie?: string } = {},
): Promise<Booking> {
  const res = await post(w.t, "/bookings", {
    kitchen: w.kitchenId,
    ...hours,
    acceptRules: "yes",
  }, { cookie: opts.cookie ?? w.renter });
  assert.equal(res.status, 303, await res.clone().text());
  const url = res.headers.get("location")!;
  assert.ok(url.startsWith(`${w.fake.origin}/pay/`), url);
  const sessionId = url.split("/pay/")[1];
  const last = w.fake.events().at(-1)?.id;
  const paid = w.fake.completeSession(sessionId, { card: opts.card });
  await deliverAll(w, last);
  await runJobs(w.t);
  const id = paid.session.client_reference_id!;
  return (await w.t.kv.get<Booking>(keys.booking(id))).value!;
}
