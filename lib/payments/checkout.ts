/**
 * From a held booking (bookings/holds.ts `createHold`) to payment: where the
 * renter goes to pay. Demo payments go to the local, clearly labelled demo
 * checkout page; in Stripe mode a Checkout Session is a destination charge
 * to the host's Connect account, and only a signed webhook confirms it.
 */
import type Stripe from "stripe";
import type { SessionUser } from "../accounts/schema.ts";
import { CHECKOUT_MS } from "../bookings/holds.ts";
import { getBookingFor, type LifecycleDeps } from "../bookings/lifecycle.ts";
import { abandonHold } from "../bookings/reconcile.ts";
import {
  addBookingUpdate,
  commitBookingWrite,
  getBookingEntry,
} from "../bookings/repo.ts";
import type { Booking } from "../bookings/schema.ts";
import { ConflictError, UnavailableError } from "../errors.ts";
import { getHostFresh } from "../hosts/repo.ts";
import { formatTime } from "../format.ts";
import { getKitchen } from "../kitchens/repo.ts";
import { logError } from "../log.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import { ensureStripeCustomer } from "./customers.ts";
import { isStripeOutage } from "./stripe.ts";

export const PAYMENTS_DOWN =
  "Payments are unavailable right now; your hours were released, try again in a minute.";

/** What a renter coming back to pay is told while Stripe is down. */
export function resumeDown(booking: Booking): string {
  const until = formatTime(booking.timeZone, booking.holdExpiresAt ?? 0);
  return `Payments are unavailable right now; try again in a minute. Your hold is kept until ${until}.`;
}

export interface CheckoutDeps extends LifecycleDeps {
  stripe: Stripe | null;
}

/**
 * Where the renter pays for a booking just held: the demo checkout's path,
 * or the URL of a Stripe Checkout Session (by the payment provider the hold
 * recorded). When Stripe cannot be reached the hold is released at once.
 */
export async function takeToCheckout(
  deps: CheckoutDeps,
  booking: Booking,
  renter: Pick<SessionUser, "id" | "email">,
): Promise<{ url: string; external: boolean }> {
  if (booking.payment.provider === "demo") {
    return { url: `/bookings/${booking.id}/pay`, external: false };
  }
  try {
    const url = await checkoutSession(deps, booking, renter);
    return { url, external: true };
  } catch (err) {
    // No way to pay means no reason to keep the time from others: the hold
    // ends and its claims are freed in one atomic before the renter hears.
    await abandonHold(deps, booking.id);
    if (isStripeOutage(err)) {
      // The renter is told only that payments are down; operators see why.
      logError(`Checkout for booking ${booking.id} failed:`, err);
      throw new UnavailableError(PAYMENTS_DOWN);
    }
    throw err;
  }
}

/** Line items as Stripe shows them: the quote's lines, one each. */
export function stripeLineItems(
  b: Booking,
): Stripe.Checkout.SessionCreateParams.LineItem[] {
  return b.quote.lines.map((l) => ({
    quantity: 1,
    price_data: {
      currency: b.quote.currency,
      unit_amount: l.amountCents,
      product_data: { name: l.label },
    },
  }));
}

async function checkoutSession(
  deps: CheckoutDeps,
  b: Booking,
  renter: Pick<SessionUser, "id" | "email">,
): Promise<string> {
  if (!deps.stripe) throw new Error("Stripe is not configured");
  const [host, kitchen, customer] = await Promise.all([
    getHostFresh(deps.kv, b.hostId),
    getKitchen(deps.kv, b.kitchenId),
    ensureStripeCustomer({ ...deps, stripe: deps.stripe }, renter),
  ]);
  const destination = host.value?.payout.accountId;
  if (!destination || !kitchen) {
    throw new ConflictError("This kitchen is not taking bookings yet.");
  }
  const base = deps.mail.baseUrl;
  const session = await deps.stripe.checkout.sessions.create({
    mode: "payment",
    line_items: stripeLineItems(b),
    payment_intent_data: {
      // Everything but the host's payout stays with the platform.
      application_fee_amount: b.quote.totalChargedCents -
        b.quote.hostPayoutCents,
      transfer_data: { destination },
      // Authorised only, until the host answers or staff verify documents.
      capture_method: b.mode === "request" || b.waitingFor === "documents"
        ? "manual"
        : "automatic",
      metadata: { booking_id: b.id },
      // The card stays on the renter's Stripe Customer, so a changed time
      // or a later occurrence can be charged without them (off_session.ts).
      setup_future_usage: "off_session",
    },
    client_reference_id: b.id,
    metadata: { booking_id: b.id },
    customer,
    expires_at: Math.floor((deps.now + CHECKOUT_MS) / 1000),
    success_url: `${base}/bookings/${b.id}?notice=paid`,
    cancel_url: `${base}/bookings/${b.id}`,
  }, { idempotencyKey: `booking:${b.id}:checkout` });
  await recordCheckoutSession(deps.kv, b.id, session.id);
  if (!session.url) throw new Error("Stripe returned no Checkout URL");
  return session.url;
}

async function recordCheckoutSession(
  kv: Deno.Kv,
  id: string,
  sessionId: string,
): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await getBookingEntry(kv, id);
    const b = entry.value;
    if (!b) return;
    const next = {
      ...b,
      payment: { ...b.payment, checkoutSessionId: sessionId },
    };
    if (
      await commitBookingWrite(kv, {}, (a) => addBookingUpdate(a, entry, next))
    ) return;
  }
  throw new ConflictError("This booking changed meanwhile; please try again.");
}

export type ResumeCheckout =
  | { kind: "demo"; booking: Booking; kitchen: Kitchen }
  | { kind: "redirect"; url: string; external: boolean };

/**
 * Back to paying for a held booking (the renter left Checkout, or came back
 * from the booking page): the demo checkout, the still-open Stripe session,
 * or the booking page when there is nothing left to pay.
 */
export async function resumeCheckout(
  deps: CheckoutDeps,
  id: string,
  renter: { id: string; roles: readonly string[] },
): Promise<ResumeCheckout> {
  const booking = await getBookingFor(deps.kv, id, renter);
  const page = {
    kind: "redirect" as const,
    url: `/bookings/${id}`,
    external: false,
  };
  if (
    booking.status !== "held" || booking.renterId !== renter.id ||
    (booking.holdExpiresAt ?? 0) <= deps.now
  ) return page;
  if (booking.payment.provider === "demo") {
    const kitchen = await getKitchen(deps.kv, booking.kitchenId);
    return kitchen ? { kind: "demo", booking, kitchen } : page;
  }
  if (!deps.stripe || !booking.payment.checkoutSessionId) return page;
  let session;
  try {
    session = await deps.stripe.checkout.sessions.retrieve(
      booking.payment.checkoutSessionId,
    );
  } catch (err) {
    if (!isStripeOutage(err)) throw err;
    // Unlike a failed start, the hold stays: the session may still be paid.
    logError(`Resuming checkout for booking ${id} failed:`, err);
    throw new UnavailableError(resumeDown(booking));
  }
  return session.status === "open" && session.url
    ? { kind: "redirect", url: session.url, external: true }
    : page;
}
