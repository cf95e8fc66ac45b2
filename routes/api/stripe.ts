/** POST /api/stripe/webhook: Stripe's events (exempt from CSRF; it is signed). */
import { Hono } from "hono";
import { NotFoundError } from "../../lib/errors.ts";
import { receiveStripeWebhook } from "../../lib/payments/events.ts";
import type { AppEnv } from "../env.ts";
import { bodyLimit } from "../limits.ts";

export const WEBHOOK_PATH = "/api/stripe/webhook";

export const stripeWebhook = new Hono<AppEnv>();

// Stripe's events are a few KB; this leaves room and no more.
stripeWebhook.post("/webhook", bodyLimit(256 * 1024), async (c) => {
  const { stripe, config, kv, clock, wake } = c.var.services;
  if (!stripe || !config.STRIPE_WEBHOOK_SECRET) throw new NotFoundError();
  // The signature covers the bytes as sent, so the body is read raw.
  await receiveStripeWebhook(kv, stripe, {
    body: await c.req.text(),
    signature: c.req.header("stripe-signature"),
    secret: config.STRIPE_WEBHOOK_SECRET,
  }, { now: clock(), wake });
  // 200 for duplicates and for types we ignore too, so Stripe stops retrying;
  // a signed event we cannot read was a 400 above, so Stripe keeps it coming.
  return c.json({ received: true });
});
