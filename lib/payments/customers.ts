/**
 * A renter's saved card (DESIGN §16): in Stripe mode one Stripe Customer
 * per renter, made before their first Checkout, which saves the card on it
 * (`setup_future_usage: "off_session"`) so a changed booking or a later
 * occurrence can be charged without them; in demo mode the demo card they
 * last paid with. The record lives in the payments repo; the card itself
 * only ever at Stripe.
 */
import Stripe from "stripe";
import { ConflictError } from "../errors.ts";
import {
  addPaymentCustomer,
  addPaymentCustomerRemoval,
  getPaymentCustomerEntry,
} from "./repo.ts";
import type { DemoCard, PaymentCustomer } from "./schema.ts";

/** A renter's Stripe Customer key: one per renter, whoever asks first. */
export function customerIdempotencyKey(userId: string): string {
  return `user:${userId}:customer`;
}

/**
 * The renter's Stripe Customer id, made once (under a deterministic
 * idempotency key, so two first Checkouts at once make one customer) and
 * recorded on our side.
 */
export async function ensureStripeCustomer(
  deps: { kv: Deno.Kv; now: number; stripe: Stripe },
  user: { id: string; email: string },
): Promise<string> {
  const entry = await getPaymentCustomerEntry(deps.kv, user.id);
  if (entry.value?.stripeCustomerId) return entry.value.stripeCustomerId;
  const customer = await deps.stripe.customers.create({
    email: user.email,
    metadata: { user_id: user.id },
  }, { idempotencyKey: customerIdempotencyKey(user.id) });
  await saveCustomer(deps, user.id, (c) => ({
    ...c,
    stripeCustomerId: c.stripeCustomerId ?? customer.id,
  }));
  return customer.id;
}

/**
 * After a renter's account is deleted (its job): their Stripe Customer
 * deleted at Stripe, which detaches every card saved on it, then our
 * record of it. A customer Stripe no longer knows counts as deleted, so a
 * retried job finishes. Throws when Stripe must be asked and cannot be (a
 * deployment no longer configured for it): the job retries, then shows
 * staff a dead letter, rather than forgetting a customer still at Stripe.
 */
export async function removePaymentCustomer(
  deps: { kv: Deno.Kv; stripe: Stripe | null },
  userId: string,
): Promise<void> {
  const entry = await getPaymentCustomerEntry(deps.kv, userId);
  if (!entry.value) return;
  const customerId = entry.value.stripeCustomerId;
  if (customerId) {
    if (!deps.stripe) {
      throw new Error(
        `Stripe is not configured, so the deleted account's Stripe Customer ${customerId} was not deleted`,
      );
    }
    try {
      await deps.stripe.customers.del(customerId);
    } catch (err) {
      const gone = err instanceof Stripe.errors.StripeInvalidRequestError &&
        err.code === "resource_missing";
      if (!gone) throw err;
    }
  }
  const atomic = deps.kv.atomic();
  addPaymentCustomerRemoval(atomic, entry);
  // Nothing else writes a deleted account's record: a lost race is a retry.
  if (!(await atomic.commit()).ok) {
    throw new ConflictError("The payment customer changed meanwhile.");
  }
}

/** Records the demo card a renter just paid with: later demo charges behave as it says. */
export function demoCardRecord(
  stored: PaymentCustomer | null,
  userId: string,
  card: DemoCard,
  now: number,
): PaymentCustomer {
  return {
    v: 1,
    userId,
    stripeCustomerId: stored?.stripeCustomerId ?? null,
    demoCard: card,
    createdAt: stored?.createdAt ?? now,
    updatedAt: now,
  };
}

async function saveCustomer(
  deps: { kv: Deno.Kv; now: number },
  userId: string,
  change: (c: PaymentCustomer) => PaymentCustomer,
): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await getPaymentCustomerEntry(deps.kv, userId);
    const base: PaymentCustomer = entry.value ?? {
      v: 1,
      userId,
      stripeCustomerId: null,
      demoCard: null,
      createdAt: deps.now,
      updatedAt: deps.now,
    };
    const next = { ...change(base), updatedAt: deps.now };
    const atomic = deps.kv.atomic();
    addPaymentCustomer(atomic, entry, next);
    if ((await atomic.commit()).ok) return;
  }
  throw new ConflictError("Your payment details changed meanwhile; try again.");
}
