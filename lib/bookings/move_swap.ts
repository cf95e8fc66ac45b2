/**
 * The change of time itself (moves.ts): in one atomic, the new time made
 * the booking's and the old one released.
 */
import { addAudit } from "../audit/repo.ts";
import type { AuditActor } from "../audit/schema.ts";
import { ConflictError } from "../errors.ts";
import { addJob } from "../jobs/outbox.ts";
import {
  BOOKING_COMPLETE_JOB,
  BOOKING_COMPLIANCE_CHECK_JOB,
  BOOKING_REMINDER_JOB,
  REFUND_JOB,
} from "../job_names.ts";
import { addOccupancy, addOccupancyRelease } from "../kitchens/repo.ts";
import { MAX_CLAIMS_PER_DAY, withClaim } from "./day_claims.ts";
import { tellParties } from "./emails.ts";
import { DAY_RECORD_FULL } from "./holds.ts";
import {
  COMPLIANCE_CHECK_BEFORE_MS,
  type LifecycleDeps,
  parties,
  REMINDER_BEFORE_MS,
} from "./lifecycle.ts";
import {
  differenceLedger,
  moveClaimRef,
  moveDifference,
  refundParts,
} from "./move_rules.ts";
import { addBookingMove, addCalendarDay, commitBookingWrite } from "./repo.ts";
import type { Booking, LedgerEntry } from "./schema.ts";
import { checkTime, type MoveRead, othersOnly } from "./move_read.ts";

/** A payment for a move's difference, as the provider reported it. */
export interface MovePayment {
  paymentIntentId: string;
  chargeId: string | null;
  amountCents: number;
}

interface SwapOptions {
  moveId: string;
  byApproval: boolean;
  paid: MovePayment | null;
  compliance?: Booking["compliance"];
  checks?: Deno.AtomicCheck[];
  actor: AuditActor;
  p: Awaited<ReturnType<typeof parties>>;
  /** Adds to the same atomic (the payment's own audit entry). */
  also?: (atomic: Deno.AtomicOperation) => void;
}

/**
 * The move itself, in one atomic: the new time claimed as the booking's
 * own (any pending claim of it dropped), the old time released, the
 * booking and its indexes and timers at the new time, the difference in
 * the ledger (a refund job for a lower price), the audit entry and both
 * emails. Null when a check failed (the caller reads again); throws a
 * ConflictError when the new time is taken.
 */
export async function commitSwap(
  deps: LifecycleDeps,
  read: MoveRead,
  opts: SwapOptions,
): Promise<Booking | null> {
  const { entry, target } = read;
  const b = entry.value;
  const id = b.id;
  const now = deps.now;
  checkTime(read, now, false);
  const claim = {
    ref: id,
    start: target.start,
    end: target.end,
    bufferMs: read.bufferMs,
    expiresAt: null,
  };
  const docs = othersOnly(read).map((d, i) =>
    target.claimDays.includes(read.dates[i]) ? withClaim(d, claim, now) : d
  );
  if (docs.some((d) => d.claims.length > MAX_CLAIMS_PER_DAY)) {
    throw new ConflictError(DAY_RECORD_FULL);
  }
  const diff = moveDifference(b.quote, target.quote)!;
  const pending = b.move?.id === opts.moveId ? b.move : null;
  const compliance = opts.compliance ?? pending?.compliance;
  const n = b.ledger.filter((e) => e.kind === "refund").length + 1;
  const refund = diff.amountCents < 0
    ? refundParts(b, -diff.amountCents)
    : null;
  const extra = opts.paid
    ? [...(b.payment.extra ?? []), {
      paymentIntentId: opts.paid.paymentIntentId,
      chargeId: opts.paid.chargeId,
      amountCents: opts.paid.amountCents,
      refundedCents: 0,
    }]
    : refund?.extra ?? b.payment.extra;
  const ledger: LedgerEntry[] = [
    ...b.ledger,
    ...differenceLedger(diff, opts.paid?.chargeId ?? null, now),
  ];
  const next: Booking = {
    ...b,
    start: target.start,
    end: target.end,
    localDate: target.localDate,
    localStart: target.localStart,
    localEnd: target.localEnd,
    claimDays: target.claimDays,
    bufferMs: read.bufferMs,
    quote: target.quote,
    ledger,
    payment: { ...b.payment, ...(extra ? { extra } : {}) },
    ...(compliance ? { compliance } : {}),
    move: null,
    moves: [...(b.moves ?? []), {
      id: opts.moveId,
      fromStart: b.start,
      fromEnd: b.end,
      toStart: target.start,
      toEnd: target.end,
      at: now,
      differenceCents: diff.amountCents,
      byApproval: opts.byApproval,
    }],
    updatedAt: now,
  };
  return await commitBookingWrite(deps.kv, {
      occupancyOf: b.kitchenId,
      hostViewOf: b.hostId,
    }, (atomic) => {
      if (opts.checks) atomic.check(...opts.checks);
      addBookingMove(atomic, entry, next);
      read.days.forEach((d, i) => addCalendarDay(atomic, d, docs[i]));
      addOccupancyRelease(atomic, b.kitchenId, b.start, id);
      if (pending) {
        addOccupancyRelease(
          atomic,
          b.kitchenId,
          pending.start,
          moveClaimRef(id),
        );
      }
      addOccupancy(atomic, b.kitchenId, next.start, id, {
        end: next.end,
        expiresAt: null,
      });
      addMovedTimers(atomic, deps, next, opts.moveId);
      if (refund) {
        addJob(atomic, {
          id: `booking-refund:${id}:${n}`,
          type: REFUND_JOB,
          payload: {
            bookingId: id,
            n,
            amountCents: -diff.amountCents,
            hostReversalCents: -diff.hostCents,
            commissionRefundCents: -diff.commissionCents,
            ...(refund.parts ? { parts: refund.parts } : {}),
          },
        }, { now, wake: deps.mail.wake });
      }
      addAudit(atomic, {
        actor: opts.actor,
        action: "booking.moved",
        subject: { kind: "booking", id },
        details: {
          moveId: opts.moveId,
          fromStart: new Date(b.start).toISOString(),
          toStart: new Date(next.start).toISOString(),
          toEnd: new Date(next.end).toISOString(),
          differenceCents: diff.amountCents,
          hostDifferenceCents: diff.hostCents,
          byApproval: opts.byApproval,
          paymentIntent: opts.paid?.paymentIntentId ?? null,
          provider: b.payment.provider,
        },
      }, now);
      tellParties(atomic, deps, opts.p, next, {
        renter: "move_done_renter",
        host: "move_done_host",
      });
      opts.also?.(atomic);
    })
    ? next
    : null;
}

/**
 * A moved booking's timers at its new time, under ids of this move (the
 * old ones find the booking moved: completing checks the end, the
 * reminder is sent once per start).
 */
function addMovedTimers(
  atomic: Deno.AtomicOperation,
  deps: LifecycleDeps,
  b: Booking,
  moveId: string,
): void {
  const opts = { now: deps.now, wake: deps.mail.wake };
  const payload = { bookingId: b.id };
  addJob(atomic, {
    id: `booking-complete:${b.id}:${moveId}`,
    type: BOOKING_COMPLETE_JOB,
    payload,
    runAt: b.end,
  }, opts);
  addJob(atomic, {
    id: `booking-compliance-check:${b.id}:${moveId}`,
    type: BOOKING_COMPLIANCE_CHECK_JOB,
    payload,
    runAt: Math.max(deps.now, b.start - COMPLIANCE_CHECK_BEFORE_MS),
  }, opts);
  if (b.start - REMINDER_BEFORE_MS > deps.now) {
    addJob(atomic, {
      id: `booking-reminder:${b.id}:${moveId}`,
      type: BOOKING_REMINDER_JOB,
      payload,
      runAt: b.start - REMINDER_BEFORE_MS,
    }, opts);
  }
}
