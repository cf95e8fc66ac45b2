/**
 * A standing booking's later dates, the money (issue 19 §4, DESIGN §16):
 * bookings/series.ts schedules each date; this charges it. Each date has
 * its own charge job 3 days before it starts, which charges the renter's
 * card saved at the series' Checkout off-session (off_session.ts) as a
 * destination charge to the host, under the key `occ:<bookingId>:charge`,
 * so duplicate job runs and duplicate webhooks charge once. A date the
 * city's verdict denies is never charged; a declined card or a bank asking
 * for authentication leaves the date waiting and the renter gets a link to
 * pay it on Checkout (or the demo checkout); whatever is still unpaid 24
 * hours before the start is released by the series' release job.
 */
import type Stripe from "stripe";
import type { AuditActor } from "../audit/schema.ts";
import {
  changeBooking,
  confirmPayment,
  type PaymentRefs,
} from "../bookings/lifecycle.ts";
import { getBooking } from "../bookings/repo.ts";
import type { Booking } from "../bookings/schema.ts";
import { type SeriesDeps, settleSeries } from "../bookings/series.ts";
import {
  addDocumentsRecheck,
  assessDate,
  canPayDate,
  noteChargeProblem,
} from "../bookings/series_dates.ts";
import { leadToAccept } from "../bookings/series_manage.ts";
import { acceptRequest } from "./requests.ts";
import { partiesOf, tellDate } from "../bookings/series_emails.ts";
import { ConflictError, NotFoundError, UnavailableError } from "../errors.ts";
import { formatDate } from "../format.ts";
import { getHostFresh } from "../hosts/repo.ts";
import { newId } from "../ids.ts";
import { getKitchen } from "../kitchens/repo.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import { logError } from "../log.ts";
import { stripeLineItems } from "./checkout.ts";
import { demoCardRecord, ensureStripeCustomer } from "./customers.ts";
import { recordPaymentEvent } from "./events.ts";
import {
  addOffSessionAudit,
  chargeOffSession,
  offSessionProblem,
  type OffSessionResult,
} from "./off_session.ts";
import { addPaymentCustomer, getPaymentCustomerEntry } from "./repo.ts";
import type { DemoCard, PaymentEvent } from "./schema.ts";
import { isStripeOutage } from "./stripe.ts";
import { refundLatePayment } from "./sync.ts";

/** The `purpose` in the metadata of a later date's payments (off_session.ts). */
export const OCCURRENCE_PURPOSE = "occurrence";

export interface OccurrenceDeps extends SeriesDeps {
  stripe: Stripe | null;
}

/** The deterministic key of a date's off-session charge (DESIGN §16). */
export const chargeKey = (bookingId: string) => `occ:${bookingId}:charge`;

/**
 * The charge job (3 days before the date): re-judges the date with the
 * city's rules and charges the saved card, or notes why it could not and
 * tells the renter. Safe to run any number of times.
 */
export async function chargeDate(
  deps: OccurrenceDeps,
  bookingId: string,
  jobId: string,
): Promise<void> {
  const b = await getBooking(deps.kv, bookingId);
  if (!b || b.status !== "scheduled" || !b.charge) return;
  // A date already refused once waits for the renter's Checkout, never a
  // second off-session try that could race their payment.
  if (
    b.charge.problem === "declined" ||
    b.charge.problem === "authentication_required"
  ) {
    return;
  }
  const assessment = await assessDate(deps, b);
  if (assessment.decision === "DENY") {
    await noteChargeProblem(
      deps,
      b.id,
      "documents",
      assessment.denies.map((d) => d.message).join(" "),
      (atomic, next) => addDocumentsRecheck(atomic, deps, next),
    );
    return;
  }
  const [host, kitchen] = await Promise.all([
    getHostFresh(deps.kv, b.hostId),
    getKitchen(deps.kv, b.kitchenId),
  ]);
  const hostAccount = b.payment.provider === "stripe"
    ? host.value?.payout.accountId ?? null
    : null;
  if (b.payment.provider === "stripe" && !hostAccount) {
    throw new Error(`Booking ${b.id}: the host has no payout account`);
  }
  const result = await chargeOffSession(deps, {
    bookingId: b.id,
    amountCents: b.quote.totalChargedCents,
    // Everything but the host's payout stays with the platform, as at Checkout.
    applicationFeeCents: b.quote.totalChargedCents - b.quote.hostPayoutCents,
    idempotencyKey: chargeKey(b.id),
    description: `Prep: ${kitchen?.title ?? "kitchen"}, ${
      formatDate(b.localDate)
    }`,
    hostAccount,
    purpose: OCCURRENCE_PURPOSE,
  });
  await recordDateCharge(deps, b, result, { kind: "system", id: jobId });
}

/** Records what an off-session charge of a date came to: paid, or why not. */
async function recordDateCharge(
  deps: OccurrenceDeps,
  b: Booking,
  result: OffSessionResult,
  actor: AuditActor,
): Promise<void> {
  if (result.status === "succeeded") {
    await datePaid(deps, b.id, {
      provider: result.provider,
      checkoutSessionId: null,
      paymentIntentId: result.paymentIntentId,
      chargeId: result.chargeId,
    }, actor);
    return;
  }
  await noteChargeProblem(
    deps,
    b.id,
    result.status === "requires_action"
      ? "authentication_required"
      : "declined",
    offSessionProblem(result),
    (atomic) =>
      addOffSessionAudit(atomic, {
        actor,
        bookingId: b.id,
        amountCents: b.quote.totalChargedCents,
        purpose: OCCURRENCE_PURPOSE,
        result,
      }, deps.now),
  );
}

/**
 * A date's money arrived (off-session, or the renter paid on Checkout):
 * confirmed with its ledger, access code and timers, the renter told. A
 * payment for a date released meanwhile re-claims its time if still free,
 * or is refunded in full.
 */
async function datePaid(
  deps: OccurrenceDeps,
  id: string,
  refs: PaymentRefs,
  actor: AuditActor,
): Promise<void> {
  const b = await getBooking(deps.kv, id);
  if (!b) return;
  const p = await partiesOf(deps.kv, b);
  const outcome = await confirmPayment(
    deps,
    id,
    refs,
    actor,
    (atomic, next) => tellDate(atomic, deps, p, next, "charged"),
  );
  if (outcome.kind === "lost") await refundLatePayment(deps, outcome.booking);
}

/**
 * Settles a payment event whose metadata says it is for a later date: an
 * off-session PaymentIntent that succeeded or failed, a fallback Checkout
 * that completed, or the demo checkout's payment. Reads Stripe's own state
 * (the event is only a trigger), so duplicates and order do not matter.
 */
export async function settleDatePayment(
  deps: OccurrenceDeps,
  event: PaymentEvent,
): Promise<void> {
  if (!event.bookingId) return;
  const b = await getBooking(deps.kv, event.bookingId);
  if (!b) return;
  const actor: AuditActor = {
    kind: event.provider === "stripe" ? "stripe" : "system",
    id: event.id,
  };
  if (event.provider === "demo") {
    await datePaid(deps, b.id, {
      provider: "demo",
      checkoutSessionId: event.checkoutSessionId,
      paymentIntentId: event.paymentIntentId,
      chargeId: event.chargeId,
    }, actor);
    return;
  }
  if (!deps.stripe) {
    throw new Error("A Stripe event, but Stripe is not configured");
  }
  let piId = event.paymentIntentId;
  if (!piId && event.checkoutSessionId) {
    const session = await deps.stripe.checkout.sessions.retrieve(
      event.checkoutSessionId,
    );
    piId = typeof session.payment_intent === "string"
      ? session.payment_intent
      : session.payment_intent?.id ?? null;
  }
  if (!piId) return;
  const pi = await deps.stripe.paymentIntents.retrieve(piId);
  const chargeId = typeof pi.latest_charge === "string"
    ? pi.latest_charge
    : pi.latest_charge?.id ?? null;
  if (pi.status === "succeeded") {
    await datePaid(deps, b.id, {
      provider: "stripe",
      checkoutSessionId: event.checkoutSessionId ?? b.payment.checkoutSessionId,
      paymentIntentId: pi.id,
      chargeId,
    }, actor);
    return;
  }
  // A failed off-session try the charge job did not get to record.
  if (
    event.type === "payment_intent.payment_failed" &&
    b.status === "scheduled" && b.charge?.problem === null
  ) {
    const code = pi.last_payment_error?.code ?? "card_declined";
    await recordDateCharge(deps, b, {
      status: code === "authentication_required"
        ? "requires_action"
        : "declined",
      paymentIntentId: pi.id,
      chargeId: null,
      code,
      provider: "stripe",
    }, actor);
  }
}

export type PayDate =
  | { kind: "demo"; booking: Booking; kitchen: Kitchen }
  | { kind: "redirect"; url: string; external: boolean };

/**
 * Where the renter pays for a date whose off-session charge failed: the
 * demo checkout, or a Stripe Checkout Session for that date (the card used
 * is saved for the dates after it); anything else goes back to the date's
 * page, which says where it stands.
 */
export async function payDateCheckout(
  deps: OccurrenceDeps,
  id: string,
  renter: { id: string; email: string },
): Promise<PayDate> {
  const b = await getBooking(deps.kv, id);
  if (!b || (b.renterId !== renter.id)) {
    throw new NotFoundError("We could not find that booking.");
  }
  const page = {
    kind: "redirect" as const,
    url: `/bookings/${id}`,
    external: false,
  };
  if (!canPayDate(b, renter.id, deps.now)) return page;
  if (b.payment.provider === "demo") {
    const kitchen = await getKitchen(deps.kv, b.kitchenId);
    return kitchen ? { kind: "demo", booking: b, kitchen } : page;
  }
  if (!deps.stripe) return page;
  try {
    if (b.payment.checkoutSessionId) {
      const open = await deps.stripe.checkout.sessions.retrieve(
        b.payment.checkoutSessionId,
      );
      if (open.status === "open" && open.url) {
        return { kind: "redirect", url: open.url, external: true };
      }
    }
    const url = await dateCheckoutSession(deps, b, renter);
    return { kind: "redirect", url, external: true };
  } catch (err) {
    if (!isStripeOutage(err)) throw err;
    logError(`Checkout for date ${id} failed:`, err);
    throw new UnavailableError(
      "Payments are unavailable right now; try again in a minute. Your date is kept until its release time.",
    );
  }
}

async function dateCheckoutSession(
  deps: OccurrenceDeps & { stripe: Stripe | null },
  b: Booking,
  renter: { id: string; email: string },
): Promise<string> {
  const stripe = deps.stripe!;
  const [host, customer] = await Promise.all([
    getHostFresh(deps.kv, b.hostId),
    ensureStripeCustomer({ ...deps, stripe }, renter),
  ]);
  const destination = host.value?.payout.accountId;
  if (!destination) {
    throw new ConflictError("This kitchen is not taking payments right now.");
  }
  const base = deps.mail.baseUrl;
  const metadata = { booking_id: b.id, purpose: OCCURRENCE_PURPOSE };
  // Stripe takes 30 minutes to 24 hours; the date's release comes first if sooner.
  const until = Math.min(
    deps.now + 23 * 3600_000,
    Math.max(deps.now + 31 * 60_000, b.charge?.releaseAt ?? 0),
  );
  const session = await stripe.checkout.sessions.create({
    mode: "payment",
    line_items: stripeLineItems(b),
    payment_intent_data: {
      application_fee_amount: b.quote.totalChargedCents -
        b.quote.hostPayoutCents,
      transfer_data: { destination },
      // The card paid with now is the one the later dates are charged to.
      setup_future_usage: "off_session",
      metadata,
    },
    client_reference_id: b.id,
    metadata,
    customer,
    expires_at: Math.floor(until / 1000),
    success_url: `${base}/bookings/${b.id}?notice=paid`,
    cancel_url: `${base}/bookings/${b.id}`,
  }, {
    // One session per hour of trying: a double click gets the same one.
    idempotencyKey: `occ:${b.id}:checkout:${Math.floor(deps.now / 3600_000)}`,
  });
  await noteCheckoutSession(deps, b.id, session.id);
  if (!session.url) throw new Error("Stripe returned no Checkout URL");
  return session.url;
}

/**
 * The job after a date was cancelled unpaid: its open Checkout is expired.
 * One completed first is paid for nothing and refunded when its event
 * arrives (`paidAfterCancel`); one already closed needs nothing.
 */
export async function expireDateCheckout(
  deps: { stripe: Stripe | null },
  sessionId: string,
): Promise<void> {
  if (!deps.stripe) throw new Error("Stripe is not configured");
  const session = await deps.stripe.checkout.sessions.retrieve(sessionId);
  if (session.status !== "open") return;
  try {
    await deps.stripe.checkout.sessions.expire(sessionId);
  } catch (err) {
    // Completed or lapsed between the two calls: nothing left to close.
    const now = await deps.stripe.checkout.sessions.retrieve(sessionId);
    if (now.status === "open") throw err;
  }
}

async function noteCheckoutSession(
  deps: OccurrenceDeps,
  id: string,
  sessionId: string,
): Promise<void> {
  await changeBooking(
    deps,
    id,
    (b) =>
      b.payment.checkoutSessionId === sessionId ? null : {
        booking: {
          ...b,
          payment: { ...b.payment, checkoutSessionId: sessionId },
        },
      },
  );
}

/**
 * The demo checkout's "Pay" for a date whose charge failed: the payment
 * event Stripe would send, with the demo card picked saved for the dates
 * after it (as Checkout saves a card).
 */
export async function payDateDemo(
  deps: OccurrenceDeps,
  id: string,
  renterId: string,
  card: DemoCard,
): Promise<void> {
  const b = await getBooking(deps.kv, id);
  if (!b || b.renterId !== renterId) {
    throw new NotFoundError("We could not find that booking.");
  }
  if (!canPayDate(b, renterId, deps.now) || b.payment.provider !== "demo") {
    throw new ConflictError(
      b.status === "confirmed"
        ? "This date is already paid."
        : "This date cannot be paid here now; its page says where it stands.",
      { href: `/bookings/${id}`, label: "See this date" },
    );
  }
  const event: PaymentEvent = {
    id: `demo_evt_${newId()}`,
    type: "demo.paid",
    provider: "demo",
    receivedAt: deps.now,
    bookingId: id,
    accountId: null,
    chargeId: `demo_ch_${id}_date`,
    paymentIntentId: `demo_pi_${id}_date`,
    checkoutSessionId: `demo_cs_${id}_date`,
    purpose: OCCURRENCE_PURPOSE,
    ref: null,
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    const saved = await getPaymentCustomerEntry(deps.kv, renterId);
    const recorded = await recordPaymentEvent(
      deps.kv,
      event,
      { now: deps.now, wake: deps.mail.wake },
      (atomic) =>
        addPaymentCustomer(
          atomic,
          saved,
          demoCardRecord(saved.value, renterId, card, deps.now),
        ),
    );
    if (recorded) return;
  }
  throw new ConflictError("Your payment details changed meanwhile; try again.");
}

/**
 * The host accepts a request-to-book series as a whole (issue 19 §4): the
 * first date's authorised card is captured and the date confirmed
 * (requests.ts), then every other date is scheduled to be charged 3 days
 * before it, as for an instant series.
 */
export async function acceptSeries(
  deps: OccurrenceDeps,
  id: string,
  actor: { id: string; email?: string; roles: readonly string[] },
): Promise<void> {
  const lead = await leadToAccept(deps, id, actor);
  await acceptRequest(deps, lead.id, actor, { asSeries: true });
  await settleSeries(deps, id);
}
