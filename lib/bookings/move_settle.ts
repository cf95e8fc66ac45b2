/**
 * Ending a pending change of time (moves.ts): settled once paid or
 * approved, lost when its time went meanwhile, or released.
 */
import { addAudit } from "../audit/repo.ts";
import type { AuditActor } from "../audit/schema.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { addJob } from "../jobs/outbox.ts";
import { REFUND_JOB } from "../job_names.ts";
import { addOccupancyRelease, getKitchen } from "../kitchens/repo.ts";
import { EMPTY_DAY, withoutClaim } from "./day_claims.ts";
import { tellParties } from "./emails.ts";
import { type LifecycleDeps, parties } from "./lifecycle.ts";
import {
  differenceLedger,
  moveClaimRef,
  moveDifference,
  type PriceSplit,
} from "./move_rules.ts";
import {
  addBookingUpdate,
  addCalendarDay,
  commitBookingWrite,
  getBookingEntry,
  readCalendarDays,
} from "./repo.ts";
import type { Booking } from "./schema.ts";
import { bookingEntry, readMove } from "./move_read.ts";
import { commitSwap, type MovePayment } from "./move_swap.ts";

export type MoveSettled =
  /** Done: the booking is at its new time. */
  | { kind: "moved"; booking: Booking }
  /** The move was no longer pending (settled, declined, lapsed): nothing changed. */
  | { kind: "gone"; booking: Booking }
  /** The new time was taken after the move's hold lapsed: released, nothing moved. */
  | { kind: "lost"; booking: Booking };

/**
 * Settles pending move `moveId` of booking `id` (paid, or approved at no
 * extra cost): one atomic that makes the new time the booking's. When the
 * move is gone, nothing changes; when its time was taken meanwhile, the
 * move is released and `paid` (if any) refunded in full, in that atomic.
 */
export async function completeMove(
  deps: LifecycleDeps,
  id: string,
  moveId: string,
  paid: MovePayment | null,
  actor: AuditActor,
  /** Adds to the atomic that settles it (the payment's own audit entry). */
  also?: (atomic: Deno.AtomicOperation) => void,
): Promise<MoveSettled> {
  const p = await parties(deps.kv, id);
  for (let attempt = 0; attempt < 8; attempt++) {
    const entry = await bookingEntry(deps.kv, id);
    const b = entry.value;
    const move = b.move;
    if (!move || move.id !== moveId) return { kind: "gone", booking: b };
    if (b.status !== "confirmed") {
      const released = await releaseMove(deps, id, moveId, "unpaid", actor);
      return { kind: "gone", booking: released ?? b };
    }
    const kitchen = await getKitchen(deps.kv, b.kitchenId);
    if (!kitchen) throw new NotFoundError("We could not find that kitchen.");
    // The move keeps the price it was asked at: that is what was paid.
    const read = await readMove(deps, entry, kitchen, {
      date: move.localDate,
      start: move.localStart,
      end: move.localEnd,
    }, move.quote);
    try {
      const done = await commitSwap(deps, read, {
        moveId,
        byApproval: move.byApproval,
        paid,
        actor,
        p,
        also,
      });
      if (done) return { kind: "moved", booking: done };
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const lost = await loseMove(deps, entry, paid, actor, p, also);
      if (lost) return { kind: "lost", booking: lost };
    }
  }
  throw new ConflictError(
    "This booking changed while we were moving it; please try again.",
  );
}

/**
 * The move's time went to someone else after its hold lapsed: the move is
 * released, and a payment for it refunded in full (recorded as charged
 * and refunded), in one atomic.
 */
async function loseMove(
  deps: LifecycleDeps,
  entry: Deno.KvEntry<Booking>,
  paid: MovePayment | null,
  actor: AuditActor,
  p: Awaited<ReturnType<typeof parties>>,
  also?: (atomic: Deno.AtomicOperation) => void,
): Promise<Booking | null> {
  const b = entry.value;
  const move = b.move!;
  const diff = moveDifference(b.quote, move.quote)!;
  const n = b.ledger.filter((e) => e.kind === "refund").length + 1;
  const ledger = paid
    ? [
      ...b.ledger,
      ...differenceLedger(diff, paid.chargeId, deps.now),
      ...differenceLedger(negate(diff), null, deps.now),
    ]
    : b.ledger;
  const extra = paid
    ? [...(b.payment.extra ?? []), {
      paymentIntentId: paid.paymentIntentId,
      chargeId: paid.chargeId,
      amountCents: paid.amountCents,
      refundedCents: paid.amountCents,
    }]
    : b.payment.extra;
  const next: Booking = {
    ...b,
    ledger,
    payment: { ...b.payment, ...(extra ? { extra } : {}) },
    move: null,
    updatedAt: deps.now,
  };
  const days = await readCalendarDays(deps.kv, b.kitchenId, move.claimDays);
  const ok = await commitBookingWrite(deps.kv, {
    occupancyOf: b.kitchenId,
    hostViewOf: b.hostId,
  }, (atomic) => {
    addBookingUpdate(atomic, entry, next);
    days.forEach((d) =>
      addCalendarDay(
        atomic,
        d,
        withoutClaim(d.value ?? EMPTY_DAY, moveClaimRef(b.id)),
      )
    );
    addOccupancyRelease(atomic, b.kitchenId, move.start, moveClaimRef(b.id));
    if (paid) {
      addJob(atomic, {
        id: `booking-refund:${b.id}:${n}`,
        type: REFUND_JOB,
        payload: {
          bookingId: b.id,
          n,
          amountCents: paid.amountCents,
          hostReversalCents: diff.hostCents,
          commissionRefundCents: diff.commissionCents,
          parts: [{
            paymentIntentId: paid.paymentIntentId,
            amountCents: paid.amountCents,
          }],
        },
      }, { now: deps.now, wake: deps.mail.wake });
    }
    addAudit(atomic, {
      actor,
      action: "booking.move_lost",
      subject: { kind: "booking", id: b.id },
      details: {
        moveId: move.id,
        refundCents: paid?.amountCents ?? 0,
        paymentIntent: paid?.paymentIntentId ?? null,
      },
    }, deps.now);
    tellParties(atomic, deps, p, next, {
      renter: paid ? "move_refunded_late" : "move_unpaid",
    }, move);
    also?.(atomic);
  });
  return ok ? next : null;
}

function negate(d: PriceSplit): PriceSplit {
  return {
    amountCents: -d.amountCents,
    hostCents: -d.hostCents,
    commissionCents: -d.commissionCents,
    renterFeeCents: -d.renterFeeCents,
    cityFeeCents: -d.cityFeeCents,
  };
}

/** Why a pending move ended without moving. */
export type MoveEnd = "declined" | "lapsed" | "unpaid" | "withdrawn";

const END_EMAILS: Record<
  MoveEnd,
  "move_declined" | "move_lapsed" | "move_unpaid" | null
> = {
  declined: "move_declined",
  lapsed: "move_lapsed",
  unpaid: "move_unpaid",
  withdrawn: null,
};

/**
 * Ends pending move `moveId` without moving: its new time released, in one
 * atomic with the booking, the audit entry and the renter's email. Null
 * when that move is not pending (any more).
 */
export async function releaseMove(
  deps: LifecycleDeps,
  id: string,
  moveId: string,
  why: MoveEnd,
  actor: AuditActor,
  reason: string | null = null,
): Promise<Booking | null> {
  const p = await parties(deps.kv, id);
  for (let attempt = 0; attempt < 8; attempt++) {
    const entry = await bookingEntry(deps.kv, id);
    const b = entry.value;
    const move = b.move;
    if (!move || move.id !== moveId) return null;
    const days = await readCalendarDays(deps.kv, b.kitchenId, move.claimDays);
    const next: Booking = { ...b, move: null, updatedAt: deps.now };
    const email = END_EMAILS[why];
    const ok = await commitBookingWrite(deps.kv, {
      occupancyOf: b.kitchenId,
      hostViewOf: b.hostId,
    }, (atomic) => {
      addBookingUpdate(atomic, entry, next);
      days.forEach((d) =>
        addCalendarDay(
          atomic,
          d,
          withoutClaim(d.value ?? EMPTY_DAY, moveClaimRef(id)),
        )
      );
      addOccupancyRelease(atomic, b.kitchenId, move.start, moveClaimRef(id));
      addAudit(atomic, {
        actor,
        action: `booking.move_${why}`,
        subject: { kind: "booking", id },
        details: {
          moveId,
          toStart: new Date(move.start).toISOString(),
          differenceCents: move.differenceCents,
        },
        ...(reason ? { reason } : {}),
      }, deps.now);
      if (email) {
        const about = why === "declined"
          ? { ...move, declineReason: reason }
          : move;
        tellParties(atomic, deps, p, next, { renter: email }, about);
      }
    });
    if (ok) return next;
  }
  throw new ConflictError(
    "This booking changed while we were updating it; please try again.",
  );
}

/** The expiry job: a pending move past its deadline is released. */
export async function expireMove(
  deps: LifecycleDeps,
  id: string,
  moveId: string,
): Promise<void> {
  const entry = await getBookingEntry(deps.kv, id);
  const move = entry.value?.move;
  if (!move || move.id !== moveId || move.deadline > deps.now) return;
  await releaseMove(
    deps,
    id,
    moveId,
    move.status === "requested" ? "lapsed" : "unpaid",
    { kind: "system", id: `booking-move-expiry:${id}:${moveId}` },
  );
}
