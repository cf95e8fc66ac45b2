/**
 * Everything that happens to a booking after its hold: payment confirms it,
 * a lapsed hold expires, a cancellation refunds and frees the time, the end
 * completes it. Each change is one atomic: the status (through the state
 * machine), the calendar claim, the occupancy entry, the renter's holds, the
 * ledger, the emails and the timers (DESIGN §5, §6, §12).
 */
import { getUser, getUserEntry } from "../accounts/repo.ts";
import type { User } from "../accounts/schema.ts";
import { addAudit } from "../audit/repo.ts";
import type { AuditActor } from "../audit/schema.ts";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from "../errors.ts";
import { addJob, addJobEffect } from "../jobs/outbox.ts";
import {
  addOccupancy,
  addOccupancyRelease,
  getKitchen,
} from "../kitchens/repo.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import {
  type CalendarDay,
  conflictsWith,
  EMPTY_DAY,
  MAX_CLAIMS_PER_DAY,
  withClaim,
  withFirmClaim,
  withoutClaim,
} from "./day_claims.ts";
import { moveClaimRef, refundParts } from "./move_rules.ts";
import {
  type Canceller,
  policyOf,
  type Refund,
  refundForCancellation,
} from "./refunds.ts";
import {
  addBookingUpdate,
  addCalendarDay,
  addRenterHolds,
  afterLostRace,
  commitBookingWrite,
  DAY_WRITE_ATTEMPTS,
  getBooking,
  getBookingEntry,
  getRenterHoldsEntry,
  getSeries,
  readCalendarDays,
} from "./repo.ts";
import type { Booking, LedgerEntry } from "./schema.ts";
import { transition } from "./state.ts";
import { tellParties } from "./emails.ts";
import { REQUEST_ANSWER_HOURS } from "./request_terms.ts";
import {
  BOOKING_COMPLETE_JOB,
  BOOKING_COMPLIANCE_CHECK_JOB,
  BOOKING_REMINDER_JOB,
  CHECKOUT_EXPIRE_JOB,
  REFUND_JOB,
  REQUEST_TIMEOUT_JOB,
  REVIEW_WINDOW_OPEN_JOB,
  SERIES_SETTLE_JOB,
} from "../job_names.ts";
import type { MailSettings } from "../email/job.ts";
import { countCancellation, countPaidBooking } from "../telemetry.ts";

export const REMINDER_BEFORE_MS = 24 * 3600_000;
/** How long a request waits for an answer (the host's, or staff's on documents), at most. */
export const REQUEST_WAIT_MS = REQUEST_ANSWER_HOURS * 3600_000;
export const COMPLIANCE_CHECK_BEFORE_MS = 7 * 24 * 3600_000;

export interface LifecycleDeps {
  kv: Deno.Kv;
  now: number;
  mail: MailSettings;
}

/** A six-digit door or lockbox code, from the platform's CSPRNG. */
export function newAccessCode(): string {
  const n = crypto.getRandomValues(new Uint32Array(1))[0] % 1_000_000;
  return String(n).padStart(6, "0");
}

/** Whether the access code may be shown: from 24 hours before the start until the end. */
export function accessCodeVisible(b: Booking, now: number): boolean {
  return b.status === "confirmed" && b.accessCode !== null &&
    now >= b.start - REMINDER_BEFORE_MS && now < b.end;
}

/** A booking its renter, its host or staff may see; anyone else gets 404. */
export async function getBookingFor(
  kv: Deno.Kv,
  id: string,
  viewer: { id: string; roles: readonly string[] },
): Promise<Booking> {
  const b = await getBooking(kv, id);
  const staff = viewer.roles.includes("admin") ||
    viewer.roles.includes("support");
  if (!b || (b.renterId !== viewer.id && b.hostId !== viewer.id && !staff)) {
    throw new NotFoundError("We could not find that booking.");
  }
  return b;
}

export interface Change {
  booking: Booking;
  /** What to do with the calendar claim. */
  claim?: "keep" | "firm" | "release" | "reclaim";
  /** Adds emails, jobs and the rest of the same atomic. */
  extra?: (atomic: Deno.AtomicOperation) => void;
}

/** What `changeBooking` tells `apply` beyond the booking and its days. */
export interface ChangeContext {
  /**
   * The renter's account is gone. Read only for a lapsed booking (the one
   * kind a late payment may bring back); false otherwise.
   */
  renterGone: boolean;
}

/**
 * Reads the booking and what it holds, lets `apply` decide the change (or
 * null for none), and writes it all in one atomic checked against what was
 * read; retries on a race. Returns the booking as stored afterwards.
 *
 * A lapsed booking taken up again ("reclaim") needs its renter's account,
 * and the account's deletion must see it: the atomic rewrites the renter's
 * holds entry, checked against the version read, and the deletion checks
 * that entry and removes it (account_deletion.ts). Of the two, the later
 * one fails and, read again, refunds the payment or keeps the account. (One
 * check, not two: a late payment's atomic is near denokv's 10.)
 */
export async function changeBooking(
  deps: LifecycleDeps,
  id: string,
  apply: (
    b: Booking,
    days: CalendarDay[],
    context: ChangeContext,
  ) => Change | null,
): Promise<Booking> {
  for (let attempt = 0; attempt < DAY_WRITE_ATTEMPTS; attempt++) {
    if (attempt > 0) await afterLostRace(attempt);
    const entry = await getBookingEntry(deps.kv, id);
    if (!entry.value) {
      throw new NotFoundError("We could not find that booking.");
    }
    const before = entry.value;
    // Releasing the time also ends a change of time under way (moves.ts).
    const moveDays = before.move
      ? before.move.claimDays.filter((d) => !before.claimDays.includes(d))
      : [];
    const lapsed = before.status === "expired";
    const [allDays, holds, renter] = await Promise.all([
      readCalendarDays(deps.kv, before.kitchenId, [
        ...before.claimDays,
        ...moveDays,
      ]),
      getRenterHoldsEntry(deps.kv, before.renterId),
      lapsed ? getUserEntry(deps.kv, before.renterId) : null,
    ]);
    const days = allDays.slice(0, before.claimDays.length);
    const docs = days.map((d) => d.value ?? EMPTY_DAY);
    const change = apply(before, docs, {
      renterGone: renter !== null && renter.value === null,
    });
    if (!change) return before;
    const claim = change.claim ?? "keep";
    const endsMove = claim === "release" && before.move;
    const after = {
      ...change.booking,
      ...(endsMove ? { move: null } : {}),
      updatedAt: deps.now,
    };
    const committed = await commitBookingWrite(deps.kv, {
      occupancyOf: claim !== "keep" ? before.kitchenId : undefined,
      hostViewOf: before.hostId,
    }, (atomic) => {
      addBookingUpdate(atomic, entry, after);
      if (claim !== "keep") {
        days.forEach((d, i) => {
          const doc = docs[i];
          const next = claim === "release"
            ? withoutClaim(doc, id)
            : claim === "firm"
            ? withFirmClaim(doc, id)
            : withClaim(doc, {
              ref: id,
              start: before.start,
              end: before.end,
              bufferMs: before.bufferMs,
              expiresAt: null,
            }, deps.now);
          addCalendarDay(
            atomic,
            d,
            endsMove ? withoutClaim(next, moveClaimRef(id)) : next,
          );
        });
        if (endsMove) {
          allDays.slice(days.length).forEach((d) =>
            addCalendarDay(
              atomic,
              d,
              withoutClaim(d.value ?? EMPTY_DAY, moveClaimRef(id)),
            )
          );
          addOccupancyRelease(
            atomic,
            before.kitchenId,
            before.move!.start,
            moveClaimRef(id),
          );
        }
        if (claim === "release") {
          addOccupancyRelease(atomic, before.kitchenId, before.start, id);
        } else {
          addOccupancy(atomic, before.kitchenId, before.start, id, {
            end: before.end,
            expiresAt: null,
          });
        }
      }
      if (lapsed && claim === "reclaim") {
        // A renter with no holds entry (records from before it) has nothing
        // for the deletion to remove: their account entry is checked instead.
        if (holds.versionstamp === null && renter) atomic.check(renter);
        addRenterHolds(
          atomic,
          holds,
          before.renterId,
          (holds.value ?? []).filter((h) => h.expiresAt > deps.now),
        );
      }
      // The renter's unpaid holds lose this one once it is no longer held.
      if (before.status === "held" && after.status !== "held") {
        addRenterHolds(
          atomic,
          holds,
          before.renterId,
          (holds.value ?? []).filter((h) =>
            h.bookingId !== id && h.expiresAt > deps.now
          ),
        );
      }
      change.extra?.(atomic);
    });
    if (committed) return after;
  }
  throw new ConflictError(
    "This booking changed while we were updating it; please try again.",
  );
}

/** The ledger of a charge: what the renter paid and where it went. */
export function chargeEntries(
  b: Booking,
  ref: string | null,
  at: number,
): LedgerEntry[] {
  const q = b.quote;
  const entries: LedgerEntry[] = [
    { kind: "charge", amountCents: q.totalChargedCents, at, ref },
    { kind: "transfer", amountCents: q.hostPayoutCents, at, ref: null },
    { kind: "commission", amountCents: q.commissionCents, at, ref: null },
  ];
  if (q.platformRevenueCents - q.commissionCents > 0) {
    entries.push({
      kind: "renter_fee",
      amountCents: q.platformRevenueCents - q.commissionCents,
      at,
      ref: null,
    });
  }
  if (q.authorityCents > 0) {
    entries.push({
      kind: "city_fee",
      amountCents: q.authorityCents,
      at,
      ref: null,
    });
  }
  return entries;
}

/** Whether a booking's ledger balances: what came in went out, refunds matched by reversals. */
export function ledgerProblem(b: Booking): string | null {
  const sum = (kind: LedgerEntry["kind"]) =>
    b.ledger.filter((e) => e.kind === kind).reduce(
      (n, e) => n + e.amountCents,
      0,
    );
  if (
    sum("charge") !==
      sum("transfer") + sum("commission") + sum("renter_fee") +
        sum("city_fee")
  ) return "charge does not equal transfer + commission + fees";
  if (
    sum("refund") !==
      sum("transfer_reversal") + sum("fee_refund") + sum("renter_fee_refund") +
        sum("city_fee_refund")
  ) return "refunds do not equal reversals + fee refunds";
  if (sum("refund") > sum("charge")) return "refunded more than was charged";
  return null;
}

export interface PaymentRefs {
  provider: Booking["payment"]["provider"];
  checkoutSessionId: string | null;
  paymentIntentId: string | null;
  chargeId: string | null;
}

/**
 * A payment for a standing booking's date cancelled before it was charged
 * (the renter paid a fallback Checkout left open): nothing it could buy, so
 * it is refunded. A second delivery of the same payment is not a new one.
 */
export function paidAfterCancel(b: Booking, refs: PaymentRefs): boolean {
  return b.status === "cancelled" && b.charge !== undefined &&
    !b.ledger.some((e) => e.kind === "charge") &&
    refs.paymentIntentId !== null &&
    refs.paymentIntentId !== b.payment.paymentIntentId;
}

type LateRefundEmail = "refunded_late" | "refunded_cancelled";

export type ConfirmOutcome =
  | { kind: "confirmed"; booking: Booking }
  | { kind: "requested"; booking: Booking }
  | { kind: "unchanged"; booking: Booking }
  /**
   * Paid after the hold lapsed and the time was taken meanwhile, or after
   * the date was cancelled: refund it.
   */
  | { kind: "lost"; booking: Booking };

/**
 * A completed checkout: confirms an instant booking (or moves a request to
 * `requested`, card authorised), firms up its time, records the charge and
 * tells both sides. Idempotent: a booking already past this is unchanged. A
 * payment for a lapsed hold re-claims the time if it is still free.
 */
export async function confirmPayment(
  deps: LifecycleDeps,
  id: string,
  refs: PaymentRefs,
  actor: AuditActor = { kind: "system", id: null },
  /**
   * Adds to the same atomic (a standing booking's date tells its renter
   * itself: series_emails.ts), given the booking as confirmed.
   */
  also?: (atomic: Deno.AtomicOperation, b: Booking) => void,
): Promise<ConfirmOutcome> {
  const p = await parties(deps.kv, id);
  let outcome: ConfirmOutcome["kind"] = "unchanged";
  const booking = await changeBooking(deps, id, (b, days, { renterGone }) => {
    // Money for nothing it can buy: kept on the record and refunded in full.
    const refunded = (
      note: string,
      email: LateRefundEmail,
      renterGone = false,
    ): Change => {
      outcome = "lost";
      return {
        booking: { ...b, payment: { ...b.payment, ...refs }, note },
        extra: (atomic) => {
          addAudit(atomic, {
            actor,
            action: "payment.arrived_late",
            subject: { kind: "booking", id },
            details: {
              amountCents: b.quote.totalChargedCents,
              provider: refs.provider,
              outcome: "refund in full",
            },
          }, deps.now);
          // Read before the retries: a renter found gone since gets nothing.
          tellParties(
            atomic,
            deps,
            renterGone ? { ...p, renter: null } : p,
            b,
            {
              renter: email,
            },
          );
        },
      };
    };
    if (paidAfterCancel(b, refs)) {
      return refunded(
        "The payment arrived after this date was cancelled; it is refunded in full.",
        "refunded_cancelled",
      );
    }
    if (
      b.status !== "held" && b.status !== "expired" && b.status !== "scheduled"
    ) {
      outcome = "unchanged";
      return null;
    }
    if (b.status === "expired" && renterGone) {
      return refunded(
        "The payment arrived after the hold lapsed and the renter's account had been deleted; it is refunded in full.",
        "refunded_late",
        true,
      );
    }
    // A standing booking's later date holds its time firmly already.
    let claim: Change["claim"] = b.status === "scheduled" ? "keep" : "firm";
    if (b.status === "expired") {
      const mine = {
        ref: id,
        start: b.start,
        end: b.end,
        bufferMs: b.bufferMs,
      };
      const taken = days.some((d) =>
        conflictsWith(d.claims, mine, deps.now).length
      );
      // A day record filled before the caps on blocks takes no more claims.
      const full = days.some((d) =>
        withClaim(d, { ...mine, expiresAt: null }, deps.now).claims.length >
          MAX_CLAIMS_PER_DAY
      );
      if (taken || full) {
        return refunded(
          taken
            ? "The payment arrived after the hold lapsed and the time was booked by someone else; it is refunded in full."
            : "The payment arrived after the hold lapsed and the kitchen's calendar for that day was full; it is refunded in full.",
          "refunded_late",
        );
      }
      claim = "reclaim";
    }
    // Hours requested while documents are reviewed wait like a request:
    // the card is only authorised until staff decide.
    const forDocuments = b.waitingFor === "documents";
    // A later date of a request-to-book series was accepted with the series.
    const request = b.status !== "scheduled" &&
      (b.mode === "request" || forDocuments);
    outcome = request ? "requested" : "confirmed";
    const status = transition(b.status, request ? "authorise" : "pay");
    const respondBy = request
      ? Math.min(deps.now + REQUEST_WAIT_MS, b.start)
      : null;
    const next: Booking = {
      ...b,
      status,
      payment: { ...b.payment, ...refs },
      holdExpiresAt: null,
      respondBy,
      accessCode: request ? null : newAccessCode(),
      ledger: request
        ? b.ledger
        : [...b.ledger, ...chargeEntries(b, refs.chargeId, deps.now)],
      note: null,
      ...(b.charge
        ? { charge: { ...b.charge, problem: null, problemText: null } }
        : {}),
    };
    return {
      booking: next,
      claim,
      extra: (atomic) => {
        addAudit(atomic, {
          actor,
          action: request ? "payment.authorised" : "payment.charged",
          subject: { kind: "booking", id },
          details: {
            amountCents: b.quote.totalChargedCents,
            hostPayoutCents: b.quote.hostPayoutCents,
            commissionCents: b.quote.commissionCents,
            provider: refs.provider,
            paymentIntent: refs.paymentIntentId,
          },
        }, deps.now);
        if (request) {
          addJob(atomic, {
            // The host's own deadline, if staff pass it on, is a new job.
            id: forDocuments
              ? `booking-documents-timeout:${id}`
              : `booking-request-timeout:${id}`,
            type: REQUEST_TIMEOUT_JOB,
            payload: { bookingId: id },
            runAt: respondBy!,
          }, { now: deps.now, wake: deps.mail.wake });
          also?.(atomic, next);
          // A series' dates are told about together (series_emails.ts).
          if (next.seriesId) return addSeriesSettle(atomic, deps, next);
          tellParties(
            atomic,
            deps,
            p,
            next,
            forDocuments ? { renter: "documents_request_sent" } : {
              renter: "request_sent",
              host: "request_received",
            },
          );
          return;
        }
        addConfirmedTimers(atomic, next, deps);
        also?.(atomic, next);
        if (next.seriesId) {
          if (b.status !== "scheduled") addSeriesSettle(atomic, deps, next);
          return;
        }
        tellParties(atomic, deps, p, next, {
          renter: "confirmed_renter",
          host: "confirmed_host",
        });
      },
    };
  });
  // Set inside the change; TypeScript cannot see that it ran.
  const kind = outcome as ConfirmOutcome["kind"];
  if (kind === "confirmed" || kind === "requested") {
    countPaidBooking(kind, refs.provider);
  }
  return { kind, booking } as ConfirmOutcome;
}

/**
 * A standing booking's first date changed status (paid, authorised,
 * answered, lapsed): its other dates follow it (series.ts `settleSeries`),
 * in a job written with the change, so they never miss it.
 */
export function addSeriesSettle(
  atomic: Deno.AtomicOperation,
  deps: LifecycleDeps,
  b: Booking,
): void {
  if (!b.seriesId) return;
  addJob(atomic, {
    id: `series-settle:${b.seriesId}:${b.id}:${b.status}`,
    type: SERIES_SETTLE_JOB,
    payload: { seriesId: b.seriesId },
  }, { now: deps.now, wake: deps.mail.wake });
}

export function addConfirmedTimers(
  atomic: Deno.AtomicOperation,
  b: Booking,
  deps: LifecycleDeps,
): void {
  const opts = { now: deps.now, wake: deps.mail.wake };
  addJob(atomic, {
    id: `booking-complete:${b.id}`,
    type: BOOKING_COMPLETE_JOB,
    payload: { bookingId: b.id },
    runAt: b.end,
  }, opts);
  addJob(atomic, {
    id: `booking-compliance-check:${b.id}`,
    type: BOOKING_COMPLIANCE_CHECK_JOB,
    payload: { bookingId: b.id },
    runAt: Math.max(deps.now, b.start - COMPLIANCE_CHECK_BEFORE_MS),
  }, opts);
  if (b.start - REMINDER_BEFORE_MS > deps.now) {
    addJob(atomic, {
      id: `booking-reminder:${b.id}`,
      type: BOOKING_REMINDER_JOB,
      payload: { bookingId: b.id },
      runAt: b.start - REMINDER_BEFORE_MS,
    }, opts);
  }
}

/** A hold whose time is up: expired, and its time freed. Anything else is left alone. */
export async function expireHold(
  deps: LifecycleDeps,
  id: string,
  /** Also before its time: the checkout ended unpaid, so nothing can pay it. */
  opts: { early?: boolean } = {},
): Promise<Booking> {
  return await changeBooking(deps, id, (b) => {
    if (b.status !== "held") return null;
    if (!opts.early && (b.holdExpiresAt ?? 0) > deps.now) return null;
    return {
      booking: { ...b, status: transition(b.status, "expire") },
      claim: "release",
    };
  });
}

/** A booking whose end has passed: completed. */
export async function completeBooking(
  deps: LifecycleDeps,
  id: string,
): Promise<Booking> {
  // A weekly booking is reviewed once, after its first date: asking after
  // each of up to 26 would only teach both sides to ignore it.
  const booked = await getBooking(deps.kv, id);
  const reviewed = !booked?.seriesId ||
    (await getSeries(deps.kv, booked.seriesId))?.leadId === id;
  return await changeBooking(deps, id, (b) => {
    if (b.status !== "confirmed" || b.end > deps.now) return null;
    return {
      booking: { ...b, status: transition(b.status, "complete") },
      // Both sides may review it now (lib/reviews runs the job).
      extra: (atomic) => {
        if (!reviewed) return;
        addJob(atomic, {
          id: `review-window:${id}`,
          type: REVIEW_WINDOW_OPEN_JOB,
          payload: { bookingId: id },
        }, { now: deps.now, wake: deps.mail.wake });
      },
    };
  });
}

/**
 * The ledger lines of a cancellation's refund, split by whose money it was
 * (refunds.ts); none when nothing goes back.
 */
export function refundEntries(refund: Refund, at: number): LedgerEntry[] {
  if (refund.refundCents <= 0) return [];
  const line = (kind: LedgerEntry["kind"], amountCents: number) => ({
    kind,
    amountCents,
    at,
    ref: null,
  });
  return [
    line("refund", refund.refundCents),
    line("transfer_reversal", refund.hostReversalCents),
    line("fee_refund", refund.commissionRefundCents),
    line(
      "renter_fee_refund",
      refund.refundCents - refund.hostReversalCents -
        refund.commissionRefundCents - refund.authorityRefundCents,
    ),
    ...(refund.authorityRefundCents > 0
      ? [line("city_fee_refund", refund.authorityRefundCents)]
      : []),
  ];
}

/** What a cancellation by `by` would refund right now (for the cancel button). */
export function refundNow(
  b: Booking,
  kitchen: Pick<Kitchen, "cancellationPolicy">,
  by: Canceller,
  now: number,
): Refund {
  // A standing booking's later date is charged 3 days before it starts:
  // cancelled before that, there is nothing to give back.
  if (b.status === "scheduled") return nothingCharged(b, by);
  return refundForCancellation({
    quote: b.quote,
    cancelledBy: by,
    policy: policyOf(b, kitchen),
    startMs: b.start,
    cancelledAtMs: now,
  });
}

/** The "refund" of a date never charged: nothing moves, everyone keeps nothing. */
function nothingCharged(b: Booking, by: Canceller): Refund {
  return {
    cancelledBy: by,
    refundBps: 0,
    refundCents: 0,
    hostReversalCents: 0,
    commissionRefundCents: 0,
    renterFeeRefundCents: 0,
    authorityRefundCents: 0,
    hostKeepsCents: 0,
    platformKeepsCents: 0,
    authorityKeepsCents: 0,
    explanation: b.charge?.problem
      ? "This date was not paid, so there is nothing to refund."
      : "This date was not charged yet (it is charged 3 days before it starts), so there is nothing to refund.",
  };
}

/**
 * Who `actor` cancels `b` as, through a page that serves `serves` (pure):
 * the booking's own pages serve its renter and its host, the host's list
 * only the kitchen's host, the staff page only admins. Null when neither
 * fits: an admin is not the host on the host's route, however much the
 * role could do elsewhere, because what is recorded (by whom, why, and the
 * refund that follows) depends on who cancels.
 */
export function cancellerThrough(
  b: Pick<Booking, "renterId" | "hostId">,
  actor: { id: string; roles: readonly string[] },
  serves: readonly Canceller[],
): Canceller | null {
  if (serves.includes("renter") && b.renterId === actor.id) return "renter";
  if (serves.includes("host") && b.hostId === actor.id) return "host";
  if (serves.includes("admin") && actor.roles.includes("admin")) {
    return "admin";
  }
  return null;
}

export interface CancelRequest {
  /** Who the page the request came through serves (`cancellerThrough`). */
  through: readonly Canceller[];
  /** Why, for the record; staff must give one. */
  reason: string | null;
  /** No emails: the caller tells both sides once for several dates (a series). */
  quiet?: boolean;
}

/**
 * Cancels a confirmed booking: the refund the policy gives (full when the
 * host or staff cancel), the time freed, the ledger and the refund job,
 * emails to both sides, in one atomic. Only the renter, the host or an
 * admin, each through their own page.
 */
export async function cancelBooking(
  deps: LifecycleDeps,
  id: string,
  actor: { id: string; email?: string; roles: readonly string[] },
  request: CancelRequest,
): Promise<Booking> {
  const { reason } = request;
  const p = await parties(deps.kv, id);
  const kitchen = p.kitchen;
  const cancelled = await changeBooking(deps, id, (b) => {
    const by = cancellerThrough(b, actor, request.through);
    if (!by) {
      throw new ForbiddenError(
        actor.roles.includes("admin") && !request.through.includes("admin")
          ? "Staff cancel bookings from the booking's staff page, with a reason."
          : "You cannot cancel this booking.",
      );
    }
    if (by === "admin" && !reason?.trim()) {
      throw new ValidationError(
        { reason: "Enter a reason" },
        "Staff cancel with a reason: enter one.",
      );
    }
    const status = transition(b.status, "cancel");
    const refund = refundNow(b, kitchen, by, deps.now);
    const n = b.ledger.filter((e) => e.kind === "refund").length + 1;
    // A moved booking may have paid in several charges: refund each its share.
    const split = refund.refundCents > 0
      ? refundParts(b, refund.refundCents)
      : { parts: null, extra: b.payment.extra };
    const at = deps.now;
    const ledger: LedgerEntry[] = [...b.ledger, ...refundEntries(refund, at)];
    const next: Booking = {
      ...b,
      status,
      ledger,
      payment: {
        ...b.payment,
        ...(split.extra ? { extra: split.extra } : {}),
      },
      cancellation: {
        by,
        at,
        reason,
        refundCents: refund.refundCents,
        refundBps: refund.refundBps,
        explanation: refund.explanation,
      },
    };
    return {
      booking: next,
      claim: "release",
      extra: (atomic) => {
        addAudit(atomic, {
          actor: { kind: "user", id: actor.id, email: actor.email },
          action: "booking.cancelled",
          subject: { kind: "booking", id: b.id },
          details: {
            by,
            refundCents: refund.refundCents,
            refundBps: refund.refundBps,
            hostReversalCents: refund.hostReversalCents,
            commissionRefundCents: refund.commissionRefundCents,
          },
          ...(reason ? { reason } : {}),
        }, deps.now);
        if (!request.quiet) {
          tellParties(atomic, deps, p, next, {
            renter: "cancelled_renter",
            host: "cancelled_host",
          });
        }
        // A date cancelled unpaid may have a Checkout open for it (its
        // charge failed): closed, so the renter cannot pay for nothing.
        if (
          b.status === "scheduled" && b.payment.provider === "stripe" &&
          b.payment.checkoutSessionId
        ) {
          addJob(atomic, {
            id: `checkout-expire:${b.id}:${b.payment.checkoutSessionId}`,
            type: CHECKOUT_EXPIRE_JOB,
            payload: { sessionId: b.payment.checkoutSessionId },
          }, { now: deps.now, wake: deps.mail.wake });
        }
        if (refund.refundCents > 0) {
          addJob(atomic, {
            id: `booking-refund:${b.id}:${n}`,
            type: REFUND_JOB,
            payload: {
              bookingId: b.id,
              n,
              amountCents: refund.refundCents,
              hostReversalCents: refund.hostReversalCents,
              commissionRefundCents: refund.commissionRefundCents,
              ...(split.parts ? { parts: split.parts } : {}),
            },
          }, { now: deps.now, wake: deps.mail.wake });
        }
      },
    };
  });
  if (cancelled.cancellation) countCancellation(cancelled.cancellation.by);
  return cancelled;
}

/** The kitchen and the people a booking's emails go to (a demo host may have no account). */
export async function parties(
  kv: Deno.Kv,
  bookingId: string,
): Promise<{ kitchen: Kitchen; renter: User | null; host: User | null }> {
  const b = await getBooking(kv, bookingId);
  if (!b) throw new NotFoundError("We could not find that booking.");
  const [kitchen, renter, host] = await Promise.all([
    getKitchen(kv, b.kitchenId),
    getUser(kv, b.renterId),
    getUser(kv, b.hostId),
  ]);
  if (!kitchen) throw new NotFoundError("We could not find that kitchen.");
  return { kitchen, renter, host };
}

/** The reminder job: the access code by email 24 hours before, once per start time. */
export async function sendReminder(
  deps: LifecycleDeps,
  bookingId: string,
): Promise<void> {
  const b = await getBooking(deps.kv, bookingId);
  if (!b || b.status !== "confirmed") return;
  const p = await parties(deps.kv, bookingId);
  if (!p.renter) return;
  // Once per start: a moved booking has a reminder job per time it had,
  // and only the one for its time now may send, once.
  if (deps.now < b.start - REMINDER_BEFORE_MS - 60_000 || deps.now >= b.start) {
    return;
  }
  await commitBookingWrite(deps.kv, {}, (atomic) => {
    addJobEffect(
      atomic,
      `booking-reminder:${b.id}:${b.start}`,
      7 * 24 * 3600_000,
    );
    tellParties(atomic, deps, p, b, { renter: "reminder" });
  });
}
