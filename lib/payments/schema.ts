/**
 * What payments keeps in KV: payment events as recorded (Stripe's or the
 * demo checkout's) and signed deliveries that could not be read.
 */
import { z } from "zod";

export const stripeId = z.string().min(1).max(255);
export const bookingId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/);

/**
 * What we keep of an event: enough to act on, never the whole payload
 * (Stripe's objects can outgrow a KV value). Stripe events about a booking
 * are only a trigger: the job reads the booking's payment from Stripe and
 * moves the booking to match it, so the order events arrive in never matters.
 */
export const paymentEvent = z.object({
  id: stripeId,
  /** Stripe's event type, or the demo checkout's "demo.paid". */
  type: z.string().min(1).max(100),
  provider: z.enum(["stripe", "demo"]),
  receivedAt: z.number().int(),
  bookingId: bookingId.nullable(),
  /** Connect account for account.updated. */
  accountId: stripeId.nullable(),
  /** Charge of a dispute. */
  chargeId: stripeId.nullable(),
  paymentIntentId: stripeId.nullable(),
  checkoutSessionId: stripeId.nullable(),
  /**
   * What a payment outside a booking's first Checkout is for (metadata
   * `purpose`: "reschedule", "occurrence", …): its handler settles it
   * (off_session.ts). Absent on events recorded before there were any.
   */
  purpose: z.string().regex(/^[a-z_]{1,32}$/).nullable().optional(),
  /** The payment's own reference in that purpose (metadata `ref`), e.g. a move's id. */
  ref: z.string().max(64).nullable().optional(),
  /**
   * When its sender made it (epoch ms): Stripe's `created`, or the moment
   * the demo checkout's Pay was pressed. Processing measures the webhook lag
   * from it; events recorded before it was kept have none.
   */
  createdAt: z.number().int().nonnegative().optional(),
});
export type PaymentEvent = z.infer<typeof paymentEvent>;

/**
 * The demo cards a renter picks on the demo checkout, and how a later
 * charge of the saved card goes: the demo twins of Stripe's test cards
 * 4242 4242 4242 4242, 4000 0000 0000 0341 and 4000 0027 6000 3184.
 */
export const DEMO_CARDS = [
  "works",
  "declines",
  "needs_authentication",
] as const;
export type DemoCard = typeof DEMO_CARDS[number];

/**
 * A renter's payment customer: their Stripe Customer (Stripe mode, made at
 * their first Checkout, where the card is saved for later charges), or the
 * demo card they last paid with (demo payments).
 */
export const paymentCustomer = z.object({
  v: z.literal(1),
  userId: z.string().min(1).max(64),
  stripeCustomerId: stripeId.nullable(),
  demoCard: z.enum(DEMO_CARDS).nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type PaymentCustomer = z.infer<typeof paymentCustomer>;

/** Why a signed delivery could not be read, for the record and the 400. */
export interface UnreadableStripeEvent {
  /** The event's id and type when at least those could be read. */
  eventId: string | null;
  type: string | null;
  problem: string;
}

/** A signed delivery we could not read, kept for whoever looks into it. */
export interface UnprocessablePaymentEvent extends UnreadableStripeEvent {
  v: 1;
  /** The event id, or `sha256:<hex>` of the body when it has none. */
  ref: string;
  firstSeenAt: number;
  lastSeenAt: number;
  /** Deliveries of it so far: Stripe retries each for up to three days. */
  deliveries: number;
}
