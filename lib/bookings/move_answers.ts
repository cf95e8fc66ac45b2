/**
 * What happens to a pending change of time after it is asked (moves.ts):
 * the host's answer, a payment the saved card could not make, a payment
 * that came for a move no longer pending.
 */
import { addAudit } from "../audit/repo.ts";
import type { AuditActor } from "../audit/schema.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { addJob } from "../jobs/outbox.ts";
import { REFUND_JOB } from "../job_names.ts";
import { addOccupancy } from "../kitchens/repo.ts";
import { type CalendarDay, EMPTY_DAY } from "./day_claims.ts";
import { tellParties } from "./emails.ts";
import { type LifecycleDeps, parties } from "./lifecycle.ts";
import { moveClaimRef, moveDeadline } from "./move_rules.ts";
import {
  addBookingUpdate,
  addCalendarDay,
  commitBookingWrite,
  readCalendarDays,
} from "./repo.ts";
import type { Booking, LedgerEntry, PendingMove } from "./schema.ts";
import { bookingEntry } from "./move_read.ts";
import { completeMove, type MoveSettled, releaseMove } from "./move_settle.ts";
import { type MovePayment } from "./move_swap.ts";
import { addMoveTimers } from "./moves.ts";

/**
 * The host's answer to a late change of time, on their booking page.
 * Declined: released. Accepted at the same or a lower price: moved now.
 * Accepted at a higher price: the new time is held while the saved card
 * is charged (payments runs the charge job at once).
 */
export async function answerMove(
  deps: LifecycleDeps,
  id: string,
  host: { id: string; email?: string },
  answer: { accept: boolean; moveId: string; reason: string | null },
): Promise<
  MoveSettled | { kind: "charging"; booking: Booking } | {
    kind: "declined";
    booking: Booking;
  }
> {
  const entry = await bookingEntry(deps.kv, id);
  const b = entry.value;
  // Anyone but the kitchen's host learns nothing of the booking.
  if (b.hostId !== host.id) {
    throw new NotFoundError("We could not find that booking.");
  }
  const move = b.move;
  if (
    !move || move.id !== answer.moveId || move.status !== "requested" ||
    move.deadline <= deps.now
  ) {
    throw new ConflictError(
      "This change of time is no longer waiting for your answer.",
    );
  }
  const actor: AuditActor = {
    kind: "user",
    id: host.id,
    ...(host.email ? { email: host.email } : {}),
  };
  if (!answer.accept) {
    const released = await releaseMove(
      deps,
      id,
      move.id,
      "declined",
      actor,
      answer.reason,
    );
    return { kind: "declined", booking: released ?? b };
  }
  if (move.differenceCents <= 0) {
    return await completeMove(deps, id, move.id, null, actor);
  }
  const charging: PendingMove = {
    ...move,
    status: "charging",
    deadline: moveDeadline("pay", b, move.start, deps.now),
  };
  const next: Booking = { ...b, move: charging, updatedAt: deps.now };
  const days = await readCalendarDays(deps.kv, b.kitchenId, move.claimDays);
  const ok = await commitBookingWrite(deps.kv, {
    occupancyOf: b.kitchenId,
    hostViewOf: b.hostId,
  }, (atomic) => {
    addBookingUpdate(atomic, entry, next);
    // The new time is held on, until the payment's own deadline.
    holdNewTimeUntil(atomic, days, b, move, charging.deadline);
    addMoveTimers(atomic, deps, next, charging);
    addAudit(atomic, {
      actor,
      action: "booking.move_approved",
      subject: { kind: "booking", id },
      details: { moveId: move.id, differenceCents: move.differenceCents },
    }, deps.now);
  });
  if (!ok) {
    throw new ConflictError(
      "This booking changed while you answered; please look again.",
    );
  }
  return { kind: "charging", booking: next };
}

/**
 * Keeps a move's new time claimed until `until` (its payment's deadline):
 * the claims on its days and the kitchen's occupancy entry, in `atomic`.
 */
function holdNewTimeUntil(
  atomic: Deno.AtomicOperation,
  days: Deno.KvEntryMaybe<CalendarDay>[],
  b: Booking,
  move: PendingMove,
  until: number,
): void {
  const ref = moveClaimRef(b.id);
  for (const d of days) {
    const doc = d.value ?? EMPTY_DAY;
    addCalendarDay(atomic, d, {
      v: 1,
      claims: doc.claims.map((c) =>
        c.ref === ref ? { ...c, expiresAt: until } : c
      ),
    });
  }
  addOccupancy(atomic, b.kitchenId, move.start, ref, {
    end: move.end,
    expiresAt: until,
  });
}

/**
 * The saved card could not pay a move's difference: the renter gets
 * `payUrl` (a Checkout for it) by email and on the booking page, and the
 * new time is held until the new deadline. `also` adds the payment side's
 * audit entry to the same atomic.
 */
export async function awaitMovePayment(
  deps: LifecycleDeps,
  id: string,
  moveId: string,
  pay: {
    deadline: number;
    payUrl: string;
    checkoutSessionId: string | null;
    problem: string;
  },
  also: (atomic: Deno.AtomicOperation) => void,
): Promise<Booking | null> {
  const p = await parties(deps.kv, id);
  for (let attempt = 0; attempt < 8; attempt++) {
    const entry = await bookingEntry(deps.kv, id);
    const b = entry.value;
    const move = b.move;
    if (!move || move.id !== moveId || move.status !== "charging") return null;
    const waiting: PendingMove = {
      ...move,
      status: "awaiting_payment",
      ...pay,
    };
    const next: Booking = { ...b, move: waiting, updatedAt: deps.now };
    const days = await readCalendarDays(deps.kv, b.kitchenId, move.claimDays);
    const ok = await commitBookingWrite(deps.kv, {
      occupancyOf: b.kitchenId,
      hostViewOf: b.hostId,
    }, (atomic) => {
      addBookingUpdate(atomic, entry, next);
      holdNewTimeUntil(atomic, days, b, move, pay.deadline);
      if (pay.deadline !== move.deadline) {
        addMoveTimers(atomic, deps, next, waiting);
      }
      also(atomic);
      tellParties(atomic, deps, p, next, { renter: "move_pay" });
    });
    if (ok) return next;
  }
  throw new ConflictError(
    "This booking changed while we were updating it; please try again.",
  );
}

/**
 * A payment for move `moveId` that is no longer pending (released,
 * declined, or settled by another payment): refunded in full, recorded as
 * charged and refunded, in one atomic. Once per payment.
 */
export async function refundStrayMovePayment(
  deps: LifecycleDeps,
  id: string,
  paid: MovePayment,
  actor: AuditActor,
): Promise<void> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const entry = await bookingEntry(deps.kv, id);
    const b = entry.value;
    if (
      b.payment.extra?.some((c) => c.paymentIntentId === paid.paymentIntentId)
    ) {
      return;
    }
    if (b.payment.paymentIntentId === paid.paymentIntentId) return;
    const n = b.ledger.filter((e) => e.kind === "refund").length + 1;
    const entries: LedgerEntry[] = [
      {
        kind: "charge",
        amountCents: paid.amountCents,
        at: deps.now,
        ref: paid.chargeId,
      },
      {
        kind: "renter_fee",
        amountCents: paid.amountCents,
        at: deps.now,
        ref: null,
      },
      {
        kind: "refund",
        amountCents: paid.amountCents,
        at: deps.now,
        ref: null,
      },
      {
        kind: "renter_fee_refund",
        amountCents: paid.amountCents,
        at: deps.now,
        ref: null,
      },
    ];
    const next: Booking = {
      ...b,
      ledger: [...b.ledger, ...entries],
      payment: {
        ...b.payment,
        extra: [...(b.payment.extra ?? []), {
          paymentIntentId: paid.paymentIntentId,
          chargeId: paid.chargeId,
          amountCents: paid.amountCents,
          refundedCents: paid.amountCents,
        }],
      },
      updatedAt: deps.now,
    };
    const ok = await commitBookingWrite(deps.kv, {}, (atomic) => {
      addBookingUpdate(atomic, entry, next);
      addJob(atomic, {
        id: `booking-refund:${id}:${n}`,
        type: REFUND_JOB,
        payload: {
          bookingId: id,
          n,
          amountCents: paid.amountCents,
          // Taken back from the host's transfer too: the destination charge paid them.
          hostReversalCents: 0,
          commissionRefundCents: 0,
          parts: [{
            paymentIntentId: paid.paymentIntentId,
            amountCents: paid.amountCents,
          }],
        },
      }, { now: deps.now, wake: deps.mail.wake });
      addAudit(atomic, {
        actor,
        action: "payment.arrived_late",
        subject: { kind: "booking", id },
        details: {
          amountCents: paid.amountCents,
          paymentIntent: paid.paymentIntentId,
          purpose: "reschedule",
          outcome: "refund in full",
        },
      }, deps.now);
    });
    if (ok) return;
  }
  throw new ConflictError("This booking changed meanwhile; please try again.");
}
