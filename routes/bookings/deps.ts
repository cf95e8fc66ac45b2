import type { CheckoutDeps } from "../../lib/payments/checkout.ts";
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
    fees: {
      renterFeeBps: config.RENTER_FEE_BPS,
      platformFeeBps: config.PLATFORM_FEE_BPS,
    },
  };
}
