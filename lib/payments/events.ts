/**
 * Payment events reach the app one way, whoever sends them: recorded by id
 * (checked absent, so a duplicate delivery is a no-op) together with the job
 * that processes them, in one atomic (DESIGN §6, §7). The demo checkout
 * produces the same kind of events as Stripe's webhooks, so both run through
 * the same job and the same booking state machine.
 */
import type Stripe from "stripe";
import { z } from "zod";
import {
  AppError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
} from "../errors.ts";
import { newId } from "../ids.ts";
import { addJob } from "../jobs/outbox.ts";
import { getBooking } from "../bookings/repo.ts";
import { confirmPayment, type LifecycleDeps } from "../bookings/lifecycle.ts";
import { refundLatePayment, syncBookingFromStripe } from "./sync.ts";
import { flagDispute, syncPayoutAccount } from "./connect.ts";
import { logError } from "../log.ts";
import {
  addPaymentCustomer,
  getPaymentCustomerEntry,
  getPaymentEvent,
  recordPaymentEventOnce,
  recordUnprocessable,
} from "./repo.ts";
import { demoCardRecord } from "./customers.ts";
import { verifyWebhook, WebhookBodyError } from "./stripe.ts";
import type { OffSessionHandlers } from "./off_session.ts";
import { recordWebhookLag } from "../telemetry.ts";
import { PAYMENT_EVENT_JOB } from "../job_names.ts";
import {
  bookingId,
  type DemoCard,
  type PaymentEvent,
  stripeId,
  type UnprocessablePaymentEvent,
  type UnreadableStripeEvent,
} from "./schema.ts";

const id = stripeId;

/** Stripe event types that start work; every other type is recorded and ignored. */
export const HANDLED_STRIPE_EVENTS = [
  "checkout.session.completed",
  "checkout.session.expired",
  "payment_intent.canceled",
  // Off-session charges (off_session.ts): only those with a `purpose` start work.
  "payment_intent.succeeded",
  "payment_intent.payment_failed",
  "charge.refunded",
  "charge.dispute.created",
  "account.updated",
] as const;

/**
 * Reference to another Stripe object: its id, or the object itself when the
 * sender expanded it.
 */
const stripeRef = z.union([
  id,
  z.object({ id }).transform((o) => o.id),
]);

/**
 * Only `booking_id` matters; another integration's metadata on the same
 * account may hold anything else, and is ignored.
 */
const metadata = z.object({
  booking_id: z.string().max(255).optional(),
  /** What a payment beyond the booking's first Checkout is for (off_session.ts). */
  purpose: z.string().max(64).optional(),
  ref: z.string().max(255).optional(),
}).nullish();

/**
 * The purpose and reference in our metadata, when they read as ours;
 * nothing for a booking's own Checkout, so its events read as they always did.
 */
function purposeOf(
  obj: { metadata?: { purpose?: string; ref?: string } | null },
): { purpose?: string; ref?: string | null } {
  const purpose = obj.metadata?.purpose;
  if (purpose === undefined || !/^[a-z_]{1,32}$/.test(purpose)) return {};
  const ref = obj.metadata?.ref;
  return { purpose, ref: ref !== undefined && ref.length <= 64 ? ref : null };
}

/** Off-session PaymentIntent events: work only when one of ours has a purpose. */
const PURPOSE_ONLY = new Set([
  "payment_intent.succeeded",
  "payment_intent.payment_failed",
]);

/** The parts of each handled object we read; anything else in it is ignored. */
const checkoutSession = z.object({
  id,
  payment_intent: stripeRef.nullish(),
  metadata,
  client_reference_id: z.string().max(255).nullish(),
});
const paymentIntent = z.object({ id, metadata });
const charge = z.object({
  id,
  payment_intent: stripeRef.nullish(),
  metadata,
});
const dispute = z.object({
  charge: stripeRef,
  payment_intent: stripeRef.nullish(),
});
const account = z.object({ id });

/** Every Stripe event, whatever its type, is at least this. */
const stripeEnvelope = z.object({
  id,
  type: z.string().min(1).max(100),
  /**
   * Epoch seconds; kept only to measure how long delivery and processing
   * took, so an odd value is dropped rather than refusing the event.
   */
  created: z.number().int().nonnegative().optional().catch(undefined),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

/** The booking an object belongs to: our metadata, or the session's client reference. */
function bookingOf(
  obj: {
    metadata?: { booking_id?: string } | null;
    client_reference_id?: string | null;
  },
): string | null {
  const candidate = obj.metadata?.booking_id ?? obj.client_reference_id;
  // A session or charge made by another integration is not ours: no booking.
  return candidate && bookingId.safeParse(candidate).success ? candidate : null;
}

export type ParsedStripeEvent =
  | { ok: true; event: PaymentEvent }
  | { ok: false; unreadable: UnreadableStripeEvent };

/** "data.object.charge: Invalid input" — short, for a log line and a record. */
function describeIssues(error: z.ZodError): string {
  return error.issues.slice(0, 3).map((i) =>
    `${i.path.length ? i.path.join(".") : "event"}: ${i.message}`
  ).join("; ").slice(0, 300);
}

/**
 * A verified Stripe event as we record it, or why it cannot be (pure). The
 * signature says who sent it, not that it has the shape of its type (an
 * endpoint set to another API version, a hand-made test delivery): every
 * field we use is parsed, so a malformed event is refused instead of
 * half-read.
 */
export function parseStripeEvent(
  raw: unknown,
  receivedAt: number,
): ParsedStripeEvent {
  const envelope = stripeEnvelope.safeParse(raw);
  if (!envelope.success) {
    const head = raw && typeof raw === "object"
      ? raw as { id?: unknown; type?: unknown }
      : {};
    return {
      ok: false,
      unreadable: {
        eventId: id.safeParse(head.id).data ?? null,
        type: z.string().min(1).max(100).safeParse(head.type).data ?? null,
        problem: describeIssues(envelope.error),
      },
    };
  }
  const event = envelope.data;
  const base: PaymentEvent = {
    id: event.id,
    type: event.type,
    provider: "stripe",
    receivedAt,
    bookingId: null,
    accountId: null,
    chargeId: null,
    paymentIntentId: null,
    checkoutSessionId: null,
    ...(event.created !== undefined && { createdAt: event.created * 1000 }),
  };
  const read = <S extends z.ZodType>(
    schema: S,
    build: (obj: z.output<S>) => Partial<PaymentEvent>,
  ): ParsedStripeEvent => {
    const obj = schema.safeParse(event.data.object);
    if (!obj.success) {
      const issues = obj.error.issues.map((i) => ({
        ...i,
        path: ["data", "object", ...i.path],
      }));
      return {
        ok: false,
        unreadable: {
          eventId: event.id,
          type: event.type,
          problem: describeIssues(new z.ZodError(issues)),
        },
      };
    }
    return { ok: true, event: { ...base, ...build(obj.data) } };
  };
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.expired":
      return read(checkoutSession, (s) => ({
        bookingId: bookingOf(s),
        checkoutSessionId: s.id,
        paymentIntentId: s.payment_intent ?? null,
        ...purposeOf(s),
      }));
    case "payment_intent.succeeded":
    case "payment_intent.payment_failed":
      return read(paymentIntent, (pi) => ({
        bookingId: bookingOf(pi),
        paymentIntentId: pi.id,
        ...purposeOf(pi),
      }));
    case "payment_intent.canceled":
      return read(paymentIntent, (pi) => ({
        bookingId: bookingOf(pi),
        paymentIntentId: pi.id,
      }));
    case "charge.refunded":
      return read(charge, (ch) => ({
        bookingId: bookingOf(ch),
        chargeId: ch.id,
        paymentIntentId: ch.payment_intent ?? null,
      }));
    case "charge.dispute.created":
      return read(dispute, (d) => ({
        chargeId: d.charge,
        paymentIntentId: d.payment_intent ?? null,
      }));
    case "account.updated":
      return read(account, (a) => ({ accountId: a.id }));
    default:
      // Recorded and ignored: whatever else it holds is not ours to judge.
      return { ok: true, event: base };
  }
}

/**
 * Records an event and, when it starts work, its processing job, once: a
 * second delivery of the same id changes nothing and returns false.
 */
export async function recordPaymentEvent(
  kv: Deno.Kv,
  event: PaymentEvent,
  opts: { now: number; wake: boolean },
  /** Adds to the same atomic (the demo card a demo payment used). */
  also?: (atomic: Deno.AtomicOperation) => void,
): Promise<boolean> {
  const handled = event.provider === "demo" ||
    (HANDLED_STRIPE_EVENTS as readonly string[]).includes(event.type) &&
      (!PURPOSE_ONLY.has(event.type) || Boolean(event.purpose));
  return await recordPaymentEventOnce(kv, event, (atomic) => {
    also?.(atomic);
    if (!handled) return;
    addJob(atomic, {
      id: `payment-event:${event.id}`,
      type: PAYMENT_EVENT_JOB,
      payload: { eventId: event.id },
    }, opts);
  });
}

export interface PaymentDeps extends LifecycleDeps {
  /** The Stripe client in Stripe mode; null for demo payments. */
  stripe: Stripe | null;
  /** Who settles a payment with a purpose (off-session charges, their fallback Checkouts). */
  offSession?: OffSessionHandlers;
}

/**
 * The processing job: applies a recorded event. Idempotent, and indifferent
 * to order: Stripe events make the booking match what Stripe says now.
 */
export async function processPaymentEvent(
  deps: PaymentDeps,
  eventId: string,
): Promise<void> {
  const event = await getPaymentEvent(deps.kv, eventId);
  if (!event) return;
  await applyPaymentEvent(deps, event);
  // Wall-clock time, as the sender's `created` is: the lag is what it was.
  if (event.createdAt !== undefined) {
    recordWebhookLag(
      event.provider,
      event.type,
      (Date.now() - event.createdAt) / 1000,
    );
  }
}

async function applyPaymentEvent(
  deps: PaymentDeps,
  event: PaymentEvent,
): Promise<void> {
  const actor = {
    kind: event.provider === "stripe" ? "stripe" as const : "system" as const,
    id: event.id,
  };
  if (event.purpose) {
    const settle = deps.offSession?.[event.purpose];
    if (settle) await settle(deps, event);
    else logError(`No handler for payments with purpose ${event.purpose}`);
    return;
  }
  if (event.provider === "demo") {
    if (!event.bookingId) return;
    const outcome = await confirmPayment(deps, event.bookingId, {
      provider: "demo",
      checkoutSessionId: event.checkoutSessionId,
      paymentIntentId: event.paymentIntentId,
      chargeId: event.chargeId,
    }, actor);
    if (outcome.kind === "lost") await refundLatePayment(deps, outcome.booking);
    return;
  }
  if (!deps.stripe) {
    throw new Error("A Stripe event, but Stripe is not configured");
  }
  switch (event.type) {
    case "account.updated":
      if (event.accountId) {
        await syncPayoutAccount(deps, deps.stripe, event.accountId);
      }
      return;
    case "charge.dispute.created":
      await flagDispute(deps, deps.stripe, event, actor);
      return;
  }
  const booking = event.bookingId ??
    (event.paymentIntentId
      ? await bookingOfPaymentIntent(deps.stripe, event.paymentIntentId)
      : null);
  if (booking) await syncBookingFromStripe(deps, deps.stripe, booking, actor);
}

async function bookingOfPaymentIntent(
  stripe: Stripe,
  paymentIntentId: string,
): Promise<string | null> {
  const pi = await stripe.paymentIntents.retrieve(paymentIntentId);
  return bookingOf(pi);
}

/**
 * The demo checkout's "Pay": the renter's own held booking, paid with
 * nothing charged, as the event Stripe would send.
 */
export async function payDemo(
  deps: LifecycleDeps,
  id: string,
  renterId: string,
  /** The demo card picked: it is saved, and later charges of it behave as it says. */
  card: DemoCard = "works",
): Promise<void> {
  const b = await getBooking(deps.kv, id);
  if (!b || b.renterId !== renterId) {
    throw new NotFoundError("We could not find that booking.");
  }
  if (b.payment.provider !== "demo") {
    throw new ForbiddenError("This booking is paid through Stripe.");
  }
  if (b.status !== "held") {
    throw new ConflictError(
      b.status === "expired"
        ? "This hold has lapsed; please pick your hours again."
        : "This booking is already paid.",
    );
  }
  const event: PaymentEvent = {
    id: `demo_evt_${newId()}`,
    type: "demo.paid",
    provider: "demo",
    receivedAt: deps.now,
    bookingId: id,
    accountId: null,
    chargeId: `demo_ch_${id}`,
    paymentIntentId: `demo_pi_${id}`,
    checkoutSessionId: `demo_cs_${id}`,
    createdAt: deps.now,
  };
  // The event's id is new, so only the saved card's check can fail: re-read it.
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
 * A signed webhook we could not read: 400, never a 500 (an uncaught error
 * would say "our bug" when the payload is at fault, and log nothing useful).
 */
export class UnprocessableWebhookError extends AppError {
  constructor(readonly unreadable: UnreadableStripeEvent) {
    super(400, `Unprocessable Stripe event: ${unreadable.problem}`);
  }
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

/**
 * Records a signed delivery that could not be read, once per event (or per
 * body, when it has no id): a retry of the same delivery counts up instead
 * of adding a record, and nothing else is written — no payment event, no job.
 * `deliveries` is a lower bound: when copies race, a copy that keeps losing
 * gives up, since the winner has just recorded the same failure (a 409
 * here would only make Stripe send it again).
 */
export async function recordUnprocessableEvent(
  kv: Deno.Kv,
  body: string,
  unreadable: UnreadableStripeEvent,
  now: number,
): Promise<UnprocessablePaymentEvent> {
  const ref = unreadable.eventId ?? `sha256:${await sha256Hex(body)}`;
  return await recordUnprocessable(kv, ref, (stored) => ({
    v: 1,
    ref,
    ...unreadable,
    firstSeenAt: stored?.firstSeenAt ?? now,
    lastSeenAt: now,
    deliveries: (stored?.deliveries ?? 0) + 1,
  }));
}

/**
 * A webhook delivery: verified against the endpoint's secret (a bad,
 * missing or stale signature throws a 400 and records nothing), parsed,
 * then recorded once with its job. Returns whether it was new.
 *
 * A signed delivery that does not parse is recorded as unprocessable and
 * answered 400 (`UnprocessableWebhookError`), not 200. Stripe retries a
 * non-2xx delivery for up to three days, then shows it as failed in the
 * dashboard and emails the account. A 200 would end that for good: the event
 * would be lost unless someone noticed and resent it by hand. A signed event
 * we cannot read is most likely Stripe's, in a shape this code does not
 * expect (an endpoint moved to another API version); if it is a payment,
 * dropping it leaves a paid booking unconfirmed. With a 400, the fix can be
 * deployed and Stripe's next retry goes through on its own. Retries of a
 * truly broken event cost a record update each, at Stripe's backoff.
 */
export async function receiveStripeWebhook(
  kv: Deno.Kv,
  stripe: Stripe,
  delivery: { body: string; signature: string | undefined; secret: string },
  opts: { now: number; wake: boolean },
): Promise<boolean> {
  let parsed: ParsedStripeEvent;
  try {
    const raw: unknown = await verifyWebhook(
      stripe,
      delivery.body,
      delivery.signature,
      delivery.secret,
    );
    parsed = parseStripeEvent(raw, opts.now);
  } catch (err) {
    if (!(err instanceof WebhookBodyError)) throw err;
    parsed = {
      ok: false,
      unreadable: {
        eventId: null,
        type: null,
        problem: "The body is not JSON.",
      },
    };
  }
  if (!parsed.ok) {
    const record = await recordUnprocessableEvent(
      kv,
      delivery.body,
      parsed.unreadable,
      opts.now,
    );
    logError(
      `Stripe event ${record.ref} (${
        record.type ?? "no type"
      }) is unprocessable, delivery ${record.deliveries}: ${record.problem}`,
    );
    throw new UnprocessableWebhookError(parsed.unreadable);
  }
  return await recordPaymentEvent(kv, parsed.event, opts);
}
