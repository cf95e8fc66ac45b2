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
 */
import { addAudit } from "../audit/repo.ts";
import type { AuditActor } from "../audit/schema.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { canTakeBookings, type PaymentsMode } from "../hosts/payouts.ts";
import { getHostFresh } from "../hosts/repo.ts";
import { newId } from "../ids.ts";
import { addJob } from "../jobs/outbox.ts";
import {
  BOOKING_COMPLETE_JOB,
  BOOKING_COMPLIANCE_CHECK_JOB,
  BOOKING_REMINDER_JOB,
  MOVE_CHARGE_JOB,
  MOVE_EXPIRY_JOB,
  REFUND_JOB,
} from "../job_names.ts";
import { checkInterval, rejectionMessage } from "../kitchens/availability.ts";
import { rulesOf } from "../kitchens/free_time.ts";
import {
  addOccupancy,
  addOccupancyRelease,
  getKitchen,
  isListed,
} from "../kitchens/repo.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import {
  busyIntervals,
  type CalendarDay,
  claimDays as daysOf,
  conflictsWith,
  EMPTY_DAY,
  MAX_CLAIMS_PER_DAY,
  withClaim,
  withoutClaim,
} from "./day_claims.ts";
import { tellParties } from "./emails.ts";
import {
  acceptedConditions,
  type Assessment,
  type BookingPolicy,
  DAY_RECORD_FULL,
  type Fees,
  quoteFor,
  requestedInterval,
} from "./holds.ts";
import {
  COMPLIANCE_CHECK_BEFORE_MS,
  type LifecycleDeps,
  parties,
  REMINDER_BEFORE_MS,
} from "./lifecycle.ts";
import {
  differenceLedger,
  moveClaimRef,
  moveDeadline,
  moveDifference,
  type MoveWindow,
  moveWindow,
  type PriceSplit,
  refundParts,
} from "./move_rules.ts";
import type { Quote } from "./pricing.ts";
import { policyOf } from "./refunds.ts";
import {
  addBookingMove,
  addBookingUpdate,
  addCalendarDay,
  commitBookingWrite,
  getBookingEntry,
  readCalendarDays,
} from "./repo.ts";
import type { Booking, LedgerEntry, PendingMove } from "./schema.ts";

export interface MoveDeps extends LifecycleDeps {
  fees: Fees;
  policy: BookingPolicy;
  payments: PaymentsMode | "off";
}

/** The new time a renter picked, on the kitchen's wall clock. */
export interface MoveAsk {
  date: string;
  start: string;
  end: string;
  /** The condition codes the renter ticked on the review page. */
  acknowledge?: string[];
}

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

/** Read for a decision: the booking, its kitchen, and the day documents both times touch. */
interface MoveRead {
  entry: Deno.KvEntry<Booking>;
  kitchen: Kitchen;
  target: Omit<
    PendingMove,
    | "id"
    | "status"
    | "byApproval"
    | "requestedAt"
    | "deadline"
    | "checkoutSessionId"
    | "payUrl"
    | "problem"
  >;
  bufferMs: number;
  days: Deno.KvEntryMaybe<CalendarDay>[];
  dates: string[];
}

const same = "That is this booking's time already. Pick another time.";

async function bookingEntry(
  kv: Deno.Kv,
  id: string,
): Promise<Deno.KvEntry<Booking>> {
  const entry = await getBookingEntry(kv, id);
  if (!entry.value) throw new NotFoundError("We could not find that booking.");
  return entry as Deno.KvEntry<Booking>;
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

/**
 * The day documents of both times, as entries to check, and the new time
 * priced at the kitchen's prices now and the booking's fee rates.
 */
async function readMove(
  deps: LifecycleDeps & Partial<Pick<MoveDeps, "policy">>,
  entry: Deno.KvEntry<Booking>,
  kitchen: Kitchen,
  ask: MoveAsk,
  /** A pending move keeps the price it was asked at. */
  priced?: Quote,
): Promise<MoveRead> {
  const b = entry.value;
  const interval = requestedInterval(kitchen, ask);
  if (interval.start === b.start && interval.end === b.end) {
    throw new ValidationError({ start: same }, same);
  }
  const bufferMs = kitchen.bufferMinutes * 60_000;
  const claimDays = daysOf(
    kitchen.timeZone,
    interval.start,
    interval.end,
    bufferMs,
  );
  if (!priced && !deps.policy) {
    throw new Error("Pricing a move needs the city's policy");
  }
  const quote = priced ?? quoteFor(kitchen, interval, {
    renterFeeBps: b.quote.renterFeeBps,
    platformFeeBps: b.quote.platformFeeBps,
  }, deps.policy!);
  const difference = moveDifference(b.quote, quote);
  if (!difference) {
    throw new ConflictError(
      "This kitchen's prices changed since you booked in a way we cannot settle as a difference. Cancel this booking and book the new time instead.",
    );
  }
  const dates = [...new Set([...b.claimDays, ...claimDays])];
  const days = await readCalendarDays(deps.kv, kitchen.id, dates);
  return {
    entry,
    kitchen,
    bufferMs,
    days,
    dates,
    target: {
      start: interval.start,
      end: interval.end,
      localDate: ask.date,
      localStart: ask.start,
      localEnd: ask.end,
      claimDays,
      quote,
      differenceCents: difference.amountCents,
    },
  };
}

/** The documents with this booking's own claims (its time and any pending move) taken out. */
function othersOnly(read: MoveRead): CalendarDay[] {
  const id = read.entry.value.id;
  return read.days.map((d) =>
    withoutClaim(withoutClaim(d.value ?? EMPTY_DAY, id), moveClaimRef(id))
  );
}

/**
 * Refuses a new time the kitchen's rules or calendar do not allow, as a
 * hold would (the booking's own time counts as free).
 */
function checkTime(
  read: MoveRead,
  now: number,
  /** False when settling a move whose time was checked when it was asked. */
  rules = true,
): void {
  const { kitchen, target } = read;
  const kitchenRules = rulesOf(kitchen);
  const docs = othersOnly(read).filter((_, i) =>
    target.claimDays.includes(read.dates[i])
  );
  const interval = { start: target.start, end: target.end };
  const verdict = checkInterval(
    kitchenRules,
    interval,
    busyIntervals(docs, now),
    now,
  );
  const taken = !verdict.ok &&
    (verdict.reason === "overlaps" || verdict.reason === "inside_buffer");
  const conflicts = docs.flatMap((d) =>
    conflictsWith(
      d.claims,
      { ref: "", ...interval, bufferMs: read.bufferMs },
      now,
    )
  );
  if (taken || conflicts.length > 0) {
    throw new ConflictError(
      "Someone else has just booked part of that time. Your booking is unchanged; please pick another time.",
    );
  }
  if (!verdict.ok && rules) {
    const message = rejectionMessage(verdict.reason, kitchenRules);
    throw new ValidationError({ start: message }, message);
  }
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
function addMoveTimers(
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
async function commitSwap(
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
