/**
 * Changing a confirmed booking's time (issue 19 §7; the rules are in
 * move_rules.ts). The calendar side, in the shape of a hold: every write
 * reads the kitchen's day documents it touches and checks them in the
 * atomic that writes the booking (DESIGN §5).
 *
 * - A move the renter makes at once (free window, same or lower price) is
 *   ONE atomic: the new time claimed, the old released, the booking, its
 *   indexes and timers moved, the ledger, the refund job, the audit entry
 *   and both emails.
 * - A move that waits — for the host's approval, or for the higher price
 *   to be paid — first claims the new time under `moveClaimRef(id)` until a
 *   deadline (`pendingMove` on the booking, with an expiry job); settling
 *   it later is again one atomic that releases the old time and makes the
 *   new claim the booking's own.
 *
 * Money beyond refunds (charging the saved card, the Checkout fallback) is
 * lib/payments/reschedule.ts's, which calls `completeMove` once paid.
 *
 * Here: previewing and starting a move. Reading one is move_read.ts's; the
 * swap itself, move_swap.ts's; settling or releasing a pending move,
 * move_settle.ts's; what comes after it is asked (the host's answer, a
 * payment that failed or came too late), move_answers.ts's.
 */
import { addAudit } from "../audit/repo.ts";
import type { AuditActor } from "../audit/schema.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { canTakeBookings } from "../hosts/payouts.ts";
import { getHostFresh } from "../hosts/repo.ts";
import { newId } from "../ids.ts";
import { addJob } from "../jobs/outbox.ts";
import { MOVE_CHARGE_JOB, MOVE_EXPIRY_JOB } from "../job_names.ts";
import { addOccupancy, getKitchen, isListed } from "../kitchens/repo.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import { EMPTY_DAY, MAX_CLAIMS_PER_DAY, withClaim } from "./day_claims.ts";
import { tellParties } from "./emails.ts";
import {
  acceptedConditions,
  type Assessment,
  DAY_RECORD_FULL,
} from "./holds.ts";
import { type LifecycleDeps, parties } from "./lifecycle.ts";
import {
  moveClaimRef,
  moveDeadline,
  moveDifference,
  type MoveWindow,
  moveWindow,
  type PriceSplit,
} from "./move_rules.ts";
import type { Quote } from "./pricing.ts";
import { policyOf } from "./refunds.ts";
import {
  addBookingUpdate,
  addCalendarDay,
  commitBookingWrite,
} from "./repo.ts";
import type { Booking, PendingMove } from "./schema.ts";
import {
  bookingEntry,
  checkTime,
  type MoveAsk,
  type MoveDeps,
  type MoveRead,
  othersOnly,
  readMove,
} from "./move_read.ts";
import { commitSwap } from "./move_swap.ts";

/** What the review page shows: the change, its price and what happens next. */
export interface MovePreview {
  booking: Booking;
  kitchen: Kitchen;
  window: Exclude<MoveWindow, { kind: "closed" }>;
  ask: MoveAsk;
  start: number;
  end: number;
  quote: Quote;
  difference: PriceSplit;
  assessment: Assessment;
}

/** The renter's own booking, or not found: nobody else may move it. */
function ownBooking(b: Booking, renter: { id: string }): void {
  if (b.renterId !== renter.id) {
    throw new NotFoundError("We could not find that booking.");
  }
}

/** The kitchen the booking is at, taking bookings now. */
async function movableKitchen(kv: Deno.Kv, b: Booking): Promise<Kitchen> {
  const kitchen = await getKitchen(kv, b.kitchenId);
  if (!kitchen || kitchen.status !== "published") {
    throw new ConflictError(
      "This kitchen is not taking bookings, so this booking's time cannot change. You can still cancel it.",
    );
  }
  if (!isListed(kitchen)) {
    throw new ConflictError(
      "This kitchen is not taking bookings right now: its permits are being renewed or checked by Prep. You can still cancel the booking.",
    );
  }
  return kitchen;
}

/** The city's verdict on the new time, recomputed from KV (DESIGN §12). */
async function assess(
  deps: MoveDeps,
  read: MoveRead,
): Promise<Assessment> {
  const docs = othersOnly(read);
  return await deps.policy.assess(deps.kv, {
    kitchen: read.kitchen,
    renterId: read.entry.value.renterId,
    interval: { start: read.target.start, end: read.target.end },
    localDate: read.target.localDate,
    days: read.target.claimDays.map((date) => ({
      date,
      doc: docs[read.dates.indexOf(date)],
    })),
    now: deps.now,
  });
}

function openWindow(
  b: Booking,
  kitchen: Kitchen,
  now: number,
): Exclude<MoveWindow, { kind: "closed" }> {
  const window = moveWindow(b, policyOf(b, kitchen), now);
  if (window.kind === "closed") throw new ConflictError(window.reason);
  return window;
}

/**
 * What moving the renter's booking `id` to `ask` would do: its price and
 * difference, whether the host must approve, the city's verdict. Reads
 * fresh; changes nothing.
 */
export async function previewMove(
  deps: MoveDeps,
  id: string,
  renter: { id: string },
  ask: MoveAsk,
): Promise<MovePreview> {
  const entry = await bookingEntry(deps.kv, id);
  ownBooking(entry.value, renter);
  const kitchen = await movableKitchen(deps.kv, entry.value);
  const window = openWindow(entry.value, kitchen, deps.now);
  const read = await readMove(deps, entry, kitchen, ask);
  checkTime(read, deps.now);
  const assessment = await assess(deps, read);
  return {
    booking: entry.value,
    kitchen,
    window,
    ask,
    start: read.target.start,
    end: read.target.end,
    quote: read.target.quote,
    difference: moveDifference(entry.value.quote, read.target.quote)!,
    assessment,
  };
}

export type MoveStart =
  | { kind: "moved"; booking: Booking }
  | { kind: "pending"; booking: Booking; move: PendingMove };

/**
 * The renter's change of time, confirmed on the review page. In the free
 * window at the same or a lower price: done at once (one atomic). A higher
 * price: the new time is held while the saved card is charged (a job,
 * which payments also runs at once). Outside the window: a request to the
 * host, the new time held until they answer.
 */
export async function startMove(
  deps: MoveDeps,
  id: string,
  renter: { id: string; email?: string },
  ask: MoveAsk,
): Promise<MoveStart> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const entry = await bookingEntry(deps.kv, id);
    const b = entry.value;
    ownBooking(b, renter);
    const kitchen = await movableKitchen(deps.kv, b);
    const window = openWindow(b, kitchen, deps.now);
    const host = (await getHostFresh(deps.kv, b.hostId)).value;
    if (
      deps.payments === "off" || !host ||
      !canTakeBookings(host, deps.payments)
    ) {
      throw new ConflictError(
        "This kitchen's host cannot take payments right now, so the booking's time cannot change. You can still cancel it.",
      );
    }
    const read = await readMove(deps, entry, kitchen, ask);
    checkTime(read, deps.now);
    const assessment = await assess(deps, read);
    const compliance = acceptedConditions(
      assessment,
      ask.acknowledge ?? [],
      deps.now,
    );
    const actor: AuditActor = {
      kind: "user",
      id: renter.id,
      ...(renter.email ? { email: renter.email } : {}),
    };
    const now = deps.now;
    const p = await parties(deps.kv, id);
    const moveId = newId();
    if (window.kind === "free" && read.target.differenceCents <= 0) {
      const done = await commitSwap(deps, read, {
        moveId,
        byApproval: false,
        paid: null,
        compliance,
        checks: assessment.checks,
        actor,
        p,
      });
      if (done) return { kind: "moved", booking: done };
      continue;
    }
    const byApproval = window.kind === "approval";
    const move: PendingMove = {
      id: moveId,
      status: byApproval ? "requested" : "charging",
      ...read.target,
      byApproval,
      requestedAt: now,
      deadline: moveDeadline(
        byApproval ? "answer" : "pay",
        b,
        read.target.start,
        now,
      ),
      checkoutSessionId: null,
      payUrl: null,
      problem: null,
      compliance,
    };
    const next: Booking = { ...b, move, updatedAt: now };
    const committed = await commitBookingWrite(deps.kv, {
      occupancyOf: b.kitchenId,
      hostViewOf: b.hostId,
    }, (atomic) => {
      atomic.check(...assessment.checks);
      addBookingUpdate(atomic, entry, next);
      if (!addMoveClaim(atomic, read, move, now)) {
        throw new ConflictError(DAY_RECORD_FULL);
      }
      addMoveTimers(atomic, deps, next, move);
      addAudit(atomic, {
        actor,
        action: "booking.move_requested",
        subject: { kind: "booking", id },
        details: {
          moveId,
          toStart: new Date(move.start).toISOString(),
          toEnd: new Date(move.end).toISOString(),
          differenceCents: move.differenceCents,
          byApproval,
        },
      }, now);
      if (byApproval) {
        tellParties(atomic, deps, p, next, {
          renter: "move_requested_renter",
          host: "move_requested_host",
        });
      }
    });
    if (committed) return { kind: "pending", booking: next, move };
  }
  throw new ConflictError(
    "This booking changed while we were moving it; please try again.",
  );
}

/**
 * Adds the pending move's claim on its days (held until its deadline) to
 * the atomic; false when a day record is full.
 */
function addMoveClaim(
  atomic: Deno.AtomicOperation,
  read: MoveRead,
  move: PendingMove,
  now: number,
): boolean {
  const ref = moveClaimRef(read.entry.value.id);
  const claim = {
    ref,
    start: move.start,
    end: move.end,
    bufferMs: read.bufferMs,
    expiresAt: move.deadline,
  };
  for (const [i, date] of read.dates.entries()) {
    if (!move.claimDays.includes(date)) continue;
    const next = withClaim(read.days[i].value ?? EMPTY_DAY, claim, now);
    if (next.claims.length > MAX_CLAIMS_PER_DAY) return false;
    addCalendarDay(atomic, read.days[i], next);
  }
  addOccupancy(atomic, read.kitchen.id, move.start, ref, {
    end: move.end,
    expiresAt: move.deadline,
  });
  return true;
}

/** The jobs a pending move is due: its expiry at the deadline, and the charge of a higher price. */
export function addMoveTimers(
  atomic: Deno.AtomicOperation,
  deps: LifecycleDeps,
  b: Booking,
  move: PendingMove,
): void {
  const opts = { now: deps.now, wake: deps.mail.wake };
  const payload = { bookingId: b.id, moveId: move.id };
  // The deadline is in the id: an extended deadline is a new job, and the
  // old one finds the deadline moved and does nothing.
  addJob(atomic, {
    id: `booking-move-expiry:${b.id}:${move.id}:${move.deadline}`,
    type: MOVE_EXPIRY_JOB,
    payload,
    runAt: move.deadline,
  }, opts);
  if (move.status === "charging") {
    addJob(atomic, {
      id: `booking-move-charge:${b.id}:${move.id}`,
      type: MOVE_CHARGE_JOB,
      payload,
    }, opts);
  }
}
