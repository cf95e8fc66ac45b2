import { compliancePolicy } from "../../lib/compliance/booking_policy.ts";
import type { CheckoutDeps } from "../../lib/payments/checkout.ts";
import { stripeFromConfig } from "../../lib/payments/stripe.ts";
import type { AppContext } from "../context.tsx";

/** What booking and payment changes need from the request's context. */
export function bookingDeps(c: AppContext): CheckoutDeps {
  const config = c.var.config;
  return {
    kv: c.var.kv,
    now: c.var.now(),
    mail: {
      from: config.EMAIL_FROM,
      baseUrl: config.BASE_URL,
      wake: config.KV_QUEUES,
    },
    payments: config.PAYMENTS,
    stripe: stripeFromConfig(config),
    fees: {
      renterFeeBps: config.RENTER_FEE_BPS,
      platformFeeBps: config.PLATFORM_FEE_BPS,
    },
    policy: compliancePolicy,
  };
}

/** Where payment pages may send a browser: Stripe's, or the local test server's. */
export function paymentOrigins(c: AppContext): string[] {
  const base = c.var.config.STRIPE_API_BASE;
  return [
    "https://checkout.stripe.com",
    "https://connect.stripe.com",
    ...(base ? [new URL(base).origin] : []),
  ];
}
