/**
 * From picked hours to payment: the hold (bookings/holds.ts) and where the
 * renter goes to pay. Demo payments go to the local, clearly labelled demo
 * checkout page; Stripe mode is confirmed only by signed webhooks.
 */
import type { SessionUser } from "../accounts/schema.ts";
import { createHold, type Fees } from "../bookings/holds.ts";
import type { LifecycleDeps } from "../bookings/lifecycle.ts";
import type { Booking, HoldRequest } from "../bookings/schema.ts";
import { ConflictError } from "../errors.ts";
import { canTakeBookings } from "../hosts/payouts.ts";
import { getHostFresh } from "../hosts/repo.ts";

export interface CheckoutDeps extends LifecycleDeps {
  payments: "stripe" | "demo" | "off";
  fees: Fees;
}

/** Holds the hours and returns the booking and the path of its checkout page. */
export async function startCheckout(
  deps: CheckoutDeps,
  renter: SessionUser,
  req: HoldRequest,
): Promise<{ booking: Booking; checkoutPath: string }> {
  const mode = deps.payments;
  if (mode !== "demo") {
    // Stripe Checkout is wired in the next part of issue 8; until then a
    // Stripe deployment takes no holds rather than half a payment.
    throw new ConflictError(
      "Online payment is not available on this site yet, so kitchens cannot be booked here.",
    );
  }
  const booking = await createHold(
    {
      kv: deps.kv,
      now: deps.now,
      fees: deps.fees,
      wake: deps.mail.wake,
      hostCanBePaid: async (hostId) => {
        const host = (await getHostFresh(deps.kv, hostId)).value;
        return host !== null && canTakeBookings(host, mode);
      },
    },
    renter,
    req,
  );
  return { booking, checkoutPath: `/bookings/${booking.id}/pay` };
}
