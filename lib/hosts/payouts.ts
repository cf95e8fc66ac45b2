/**
 * Pure rules about a host's payouts: whether they can be paid for a booking
 * now, and how their status reads to them.
 */
import type { Host, PayoutStatus } from "./schema.ts";

/** How the app takes money: Stripe Connect, or the local demo checkout (DESIGN §7). */
export type PaymentsMode = "stripe" | "demo";

/**
 * Whether a renter may book this host's kitchens in `mode`. Stripe: a
 * Connect account that Stripe lets take charges and pay out (a destination
 * charge to an account without both fails or strands the money). Demo: the
 * demo payout setup is done; a real Stripe account means nothing without
 * Stripe, and a demo setup nothing with it.
 */
export function canTakeBookings(
  host: Pick<Host, "payout">,
  mode: PaymentsMode,
): boolean {
  const p = host.payout;
  const enabled = p.chargesEnabled && p.payoutsEnabled;
  return mode === "stripe"
    ? p.provider === "stripe" && p.accountId !== null && enabled
    : p.provider === "demo" && enabled;
}

/** The payout status a host's demo setup leaves: ready, nothing due. */
export function readyDemoPayout(at: string): PayoutStatus {
  return {
    provider: "demo",
    accountId: null,
    chargesEnabled: true,
    payoutsEnabled: true,
    requirementsDue: [],
    updatedAt: at,
  };
}

const details = (n: number) => `${n} more detail${n === 1 ? "" : "s"}`;

/** One sentence for the host about where their payouts stand. */
export function payoutStatusText(host: Pick<Host, "payout">): string {
  const p = host.payout;
  const enabled = p.chargesEnabled && p.payoutsEnabled;
  const due = p.requirementsDue.length;
  if (p.provider === "demo") {
    return enabled
      ? "Demo payouts are set up. No real money moves in demo mode."
      : "Your demo payout setup is not finished.";
  }
  if (p.provider !== "stripe" || p.accountId === null) {
    return "Payouts are not set up. Connect a payout account to take bookings.";
  }
  if (enabled) {
    return due === 0
      ? "Payouts are set up. You can take bookings."
      : `Payouts are set up, but Stripe will soon need ${
        details(due)
      } from you.`;
  }
  if (due > 0) {
    return `Stripe needs ${
      details(due)
    } from you before you can take bookings.`;
  }
  return "Stripe is checking your details. You can take bookings once it has finished.";
}
