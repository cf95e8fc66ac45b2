/**
 * The booking status machine (DESIGN §12). Every status change in the app goes
 * through `transition`, so the rules live here and nowhere else.
 *
 *   held      --pay-->       confirmed   Checkout paid in full
 *   held      --authorise--> requested   request-to-book: card authorised
 *   held      --expire-->    expired     the hold lapsed unpaid
 *   requested --accept-->    confirmed   the host said yes (capture)
 *   requested --decline-->   declined    the host said no
 *   requested --expire-->    expired     no answer in 24 h or by the start
 *   requested --withdraw-->  withdrawn   the renter took the request back
 *   confirmed --cancel-->    cancelled   by the renter, the host or staff
 *   confirmed --complete-->  completed   the booking ended
 *   expired   --pay-->       confirmed   late payment, slot re-claimed
 *   expired   --authorise--> requested   late authorisation, slot re-claimed
 *
 * A standing booking's later dates (DESIGN §16) wait, their time taken, to
 * be charged 3 days before they start:
 *
 *   held      --schedule-->  scheduled   the series' first date was paid
 *   requested --schedule-->  scheduled   the host accepted the series
 *   scheduled --pay-->       confirmed   charged off-session (or on Checkout)
 *   scheduled --cancel-->    cancelled   nothing was charged, nothing refunded
 *   scheduled --expire-->    expired     still unpaid 24 hours before the start
 *   expired   --schedule-->  scheduled   the first date was paid after the
 *                                        series' hold lapsed: a date it
 *                                        released is taken again if free
 *
 * The two `expired` rows exist because a Checkout paid while the hold was
 * valid can be reported after the expiry job ran (webhooks arrive late and
 * out of order; DESIGN §7). The caller takes them only when it re-claims the
 * calendar in the same atomic; when the slot is gone it refunds instead and
 * the booking stays expired.
 *
 * A held booking cannot be cancelled: an abandoned hold expires. A dispute is
 * not a status but a flag on a paid booking (`canFlagDispute`).
 */
import { z } from "zod";
import { ConflictError } from "../errors.ts";

export const BOOKING_STATUSES = [
  "held",
  "requested",
  "confirmed",
  /** A standing booking's later date: its time taken, charged 3 days before it starts. */
  "scheduled",
  "expired",
  "declined",
  /** The renter took back a request before the host answered (nothing charged). */
  "withdrawn",
  "cancelled",
  "completed",
] as const;
export type BookingStatus = typeof BOOKING_STATUSES[number];
export const bookingStatusSchema = z.enum(BOOKING_STATUSES);

export const BOOKING_EVENTS = [
  "pay",
  "authorise",
  "expire",
  "accept",
  "decline",
  "withdraw",
  "cancel",
  "complete",
  "schedule",
] as const;
export type BookingEvent = typeof BOOKING_EVENTS[number];

/** The whole machine as data: the status each allowed event leads to. */
export const TRANSITIONS: Readonly<
  Record<BookingStatus, Readonly<Partial<Record<BookingEvent, BookingStatus>>>>
> = {
  held: {
    pay: "confirmed",
    authorise: "requested",
    expire: "expired",
    schedule: "scheduled",
  },
  requested: {
    accept: "confirmed",
    decline: "declined",
    expire: "expired",
    withdraw: "withdrawn",
    schedule: "scheduled",
  },
  confirmed: { cancel: "cancelled", complete: "completed" },
  scheduled: { pay: "confirmed", cancel: "cancelled", expire: "expired" },
  expired: { pay: "confirmed", authorise: "requested", schedule: "scheduled" },
  declined: {},
  withdrawn: {},
  cancelled: {},
  completed: {},
};

const STATUS_PHRASES: Record<BookingStatus, string> = {
  held: "is on hold",
  requested: "is waiting for the host's answer",
  confirmed: "is already confirmed",
  scheduled: "is booked and not yet charged",
  expired: "has expired",
  declined: "was declined",
  withdrawn: "was withdrawn",
  cancelled: "was cancelled",
  completed: "is already completed",
};

const EVENT_PHRASES: Record<BookingEvent, string> = {
  pay: "be paid for",
  authorise: "be requested",
  expire: "expire",
  accept: "be accepted",
  decline: "be declined",
  withdraw: "be withdrawn",
  cancel: "be cancelled",
  complete: "be completed",
  schedule: "be scheduled",
};

/**
 * A status change the machine does not allow. A 409: usually two actors raced
 * (the host declined while the hold expired) and the page should say so.
 */
export class TransitionError extends ConflictError {
  constructor(readonly from: BookingStatus, readonly event: BookingEvent) {
    super(
      `This booking ${STATUS_PHRASES[from]}, so it cannot ${
        EVENT_PHRASES[event]
      }.`,
    );
  }
}

/**
 * The status after `event`, or a TransitionError when `current` does not
 * allow it.
 *
 * @example
 * transition("held", "pay") // "confirmed"
 * transition("held", "cancel") // throws: "This booking is on hold, so it cannot be cancelled."
 */
export function transition(
  current: BookingStatus,
  event: BookingEvent,
): BookingStatus {
  const next = TRANSITIONS[current][event];
  if (next === undefined) throw new TransitionError(current, event);
  return next;
}

/** Whether `event` is allowed from `current`. */
export function canTransition(
  current: BookingStatus,
  event: BookingEvent,
): boolean {
  return TRANSITIONS[current][event] !== undefined;
}

/** The events allowed from `status`, in `BOOKING_EVENTS` order. */
export function allowedEvents(status: BookingStatus): BookingEvent[] {
  return BOOKING_EVENTS.filter((e) => canTransition(status, e));
}

/** Whether the booking holds its time on the kitchen's calendar. */
export function isLive(status: BookingStatus): boolean {
  return status === "held" || status === "requested" ||
    status === "confirmed" || status === "scheduled";
}

/** Longer than any booking runs: one that started this long ago has ended. */
export const LONGEST_BOOKING_MS = 7 * 86400_000;

/** Whether a booking lies ahead: holding its time, and not yet ended. */
export function isUpcoming(
  b: { status: BookingStatus; end: number },
  now: number,
): boolean {
  return isLive(b.status) && b.end > now;
}

/**
 * Whether no event can change the status again. `expired` is not terminal: a
 * late payment may still re-claim the slot (see the module comment).
 */
export function isTerminal(status: BookingStatus): boolean {
  return allowedEvents(status).length === 0;
}

/**
 * Whether a dispute can be flagged: only bookings whose card was charged.
 * A requested booking is authorised, not charged; every cancelled booking
 * was confirmed, hence charged, even if it was later refunded.
 */
export function canFlagDispute(status: BookingStatus): boolean {
  return status === "confirmed" || status === "cancelled" ||
    status === "completed";
}
