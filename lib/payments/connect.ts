/**
 * Host payouts through Stripe Connect Express: the account is created once
 * per host (a deterministic idempotency key), the host finishes onboarding
 * on Stripe's Account Link, and `account.updated` decides whether the host
 * can be paid (DESIGN §7). Demo payments mode has a demo setup instead.
 */
import type Stripe from "stripe";
import type { AuditActor } from "../audit/schema.ts";
import { flagDisputed } from "../bookings/reconcile.ts";
import type { LifecycleDeps } from "../bookings/lifecycle.ts";
import { ConflictError, ForbiddenError } from "../errors.ts";
import type { Host, PayoutStatus } from "../hosts/schema.ts";
import {
  findHostByPayoutAccount,
  getHostFresh,
  recordStripeAccount,
  setDemoPayoutReady,
  updatePayout,
} from "../hosts/repo.ts";
import type { PaymentEvent } from "./schema.ts";

export interface ConnectDeps {
  kv: Deno.Kv;
  now: number;
  payments: "stripe" | "demo" | "off";
  stripe: Stripe | null;
  baseUrl: string;
}

/** The payout status Stripe reports for an account (pure). */
export function payoutFromAccount(account: Stripe.Account): PayoutStatus {
  return {
    provider: "stripe",
    accountId: account.id,
    chargesEnabled: account.charges_enabled ?? false,
    payoutsEnabled: account.payouts_enabled ?? false,
    requirementsDue: (account.requirements?.currently_due ?? []).slice(0, 50),
    updatedAt: null,
  };
}

/**
 * Starts (or resumes) payout setup for a host: in Stripe mode the URL of a
 * fresh Account Link; in demo mode the setup is done at once and the
 * payouts page is the answer.
 */
export async function startPayoutSetup(
  deps: ConnectDeps,
  user: { id: string; email: string; roles: readonly string[] },
): Promise<{ url: string; external: boolean }> {
  if (!user.roles.includes("host")) {
    throw new ForbiddenError("List your kitchen first to become a host.");
  }
  if (deps.payments === "demo") {
    await setDemoPayoutReady(deps.kv, user.id, deps.now);
    return { url: "/host/payouts?notice=demo-ready", external: false };
  }
  if (deps.payments !== "stripe" || !deps.stripe) {
    throw new ConflictError("Payouts cannot be set up on this site.");
  }
  const host = (await getHostFresh(deps.kv, user.id)).value;
  if (!host) {
    throw new ForbiddenError("List your kitchen first to become a host.");
  }
  let accountId = host.payout.provider === "stripe"
    ? host.payout.accountId
    : null;
  if (!accountId) {
    const account = await deps.stripe.accounts.create({
      type: "express",
      country: "US",
      email: user.email,
      capabilities: {
        card_payments: { requested: true },
        transfers: { requested: true },
      },
      metadata: { host_id: user.id },
    }, { idempotencyKey: `host:${user.id}:connect-account` });
    accountId = account.id;
    await recordStripeAccount(deps.kv, user.id, accountId, deps.now);
  }
  const link = await deps.stripe.accountLinks.create({
    account: accountId,
    type: "account_onboarding",
    refresh_url: `${deps.baseUrl}/host/payouts/refresh`,
    return_url: `${deps.baseUrl}/host/payouts/return`,
  });
  return { url: link.url, external: true };
}

/** Back from onboarding: read the account now rather than wait for the webhook. */
export async function refreshPayoutStatus(
  deps: ConnectDeps,
  hostId: string,
): Promise<Host | null> {
  const host = (await getHostFresh(deps.kv, hostId)).value;
  if (
    !host || !deps.stripe || host.payout.provider !== "stripe" ||
    !host.payout.accountId
  ) return host;
  return await syncPayoutAccount(deps, deps.stripe, host.payout.accountId);
}

/** `account.updated`: the host's payout status as Stripe has it now. */
export async function syncPayoutAccount(
  deps: Pick<ConnectDeps, "kv" | "now">,
  stripe: Stripe,
  accountId: string,
): Promise<Host | null> {
  const host = await findHostByPayoutAccount(deps.kv, accountId);
  if (!host) return null;
  const account = await stripe.accounts.retrieve(accountId);
  return await updatePayout(
    deps.kv,
    host.id,
    () => payoutFromAccount(account),
    deps.now,
  );
}

/** `charge.dispute.created`: the booking paid by that charge is flagged. */
export async function flagDispute(
  deps: LifecycleDeps,
  stripe: Stripe,
  event: PaymentEvent,
  actor: AuditActor,
): Promise<void> {
  let piId = event.paymentIntentId;
  if (!piId && event.chargeId) {
    const charge = await stripe.charges.retrieve(event.chargeId);
    piId = typeof charge.payment_intent === "string"
      ? charge.payment_intent
      : charge.payment_intent?.id ?? null;
  }
  if (!piId) return;
  const pi = await stripe.paymentIntents.retrieve(piId);
  const bookingId = pi.metadata?.booking_id;
  if (bookingId && /^[0-9A-HJKMNP-TV-Z]{26}$/.test(bookingId)) {
    await flagDisputed(deps, bookingId, actor);
  }
}
