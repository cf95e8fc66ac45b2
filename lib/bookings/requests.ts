/**
 * Request-to-book, the booking side: payments/requests.ts captures and
 * releases the card these changes wait for.
 *
 * Request-to-book after checkout: the card is authorised and the host
 * answers by `respondBy` (24 hours, or the start if sooner). Accepting
 * confirms the booking once payments has captured the card; declining (with
 * an optional reason the renter sees), not answering, or the renter
 * withdrawing the request releases the time and the authorisation. Each is
 * one atomic with its emails, jobs and audit entry.
 */
import { z } from "zod";
import { addAudit } from "../audit/repo.ts";
import type { AuditActor } from "../audit/schema.ts";
import { ConflictError, ForbiddenError } from "../errors.ts";
import { addJob } from "../jobs/outbox.ts";
import { tellParties } from "./emails.ts";
import {
  addConfirmedTimers,
  addSeriesSettle,
  changeBooking,
  chargeEntries,
  type LifecycleDeps,
  newAccessCode,
  parties,
} from "./lifecycle.ts";
import type { Booking } from "./schema.ts";
import { transition } from "./state.ts";
import { RELEASE_AUTHORISATION_JOB } from "../job_names.ts";
import { ANSWER_MAX_CHARS, optionalText } from "../text.ts";

/**
 * Only the kitchen's host answers a request. Staff open the host's pages to
 * help, but an answer through them would be recorded as the host's, and
 * accepting charges the renter's card on the host's word.
 */
export function requireHostOf(
  b: Pick<Booking, "hostId">,
  actor: { id: string; roles: readonly string[] },
): void {
  if (b.hostId === actor.id) return;
  throw new ForbiddenError(
    actor.roles.includes("admin") || actor.roles.includes("support")
      ? "Only the kitchen's host accepts or declines a request; staff do not answer for them."
      : "Only the kitchen's host can answer this request.",
  );
}

function addRelease(
  atomic: Deno.AtomicOperation,
  deps: LifecycleDeps,
  b: Booking,
): void {
  addJob(atomic, {
    id: `booking-release:${b.id}`,
    type: RELEASE_AUTHORISATION_JOB,
    payload: { bookingId: b.id },
  }, { now: deps.now, wake: deps.mail.wake });
}

/**
 * A request the host accepted, after payments captured the card (`chargeId`
 * of the capture): confirmed, charged on the ledger, code, timers, emails.
 * Idempotent: an already confirmed booking is returned unchanged.
 */
export async function confirmRequest(
  deps: LifecycleDeps,
  id: string,
  actor: AuditActor,
  chargeId: string | null,
): Promise<Booking> {
  const p = await parties(deps.kv, id);
  return await changeBooking(deps, id, (b) => {
    if (b.status === "confirmed") return null;
    const next: Booking = {
      ...b,
      status: transition(b.status, "accept"),
      respondBy: null,
      accessCode: newAccessCode(),
      payment: { ...b.payment, chargeId: chargeId ?? b.payment.chargeId },
      ledger: [...b.ledger, ...chargeEntries(b, chargeId, deps.now)],
    };
    return {
      booking: next,
      extra: (atomic) => {
        addAudit(atomic, {
          actor,
          action: "payment.captured",
          subject: { kind: "booking", id },
          details: {
            amountCents: b.quote.totalChargedCents,
            hostPayoutCents: b.quote.hostPayoutCents,
            commissionCents: b.quote.commissionCents,
            provider: b.payment.provider,
          },
        }, deps.now);
        addConfirmedTimers(atomic, next, deps);
        // A series' dates are told about together (series_emails.ts).
        if (next.seriesId) return addSeriesSettle(atomic, deps, next);
        tellParties(atomic, deps, p, next, {
          renter: "request_accepted",
          host: "confirmed_host",
        });
      },
    };
  });
}

/** The host's decline form: a reason is optional, and the renter reads it. */
export const declineForm = z.object({
  reason: optionalText({
    label: "a reason",
    max: ANSWER_MAX_CHARS,
    multiline: true,
  }),
});

/**
 * The host declines, optionally saying why: the time is free and the
 * authorisation released.
 */
export async function declineRequest(
  deps: LifecycleDeps,
  id: string,
  actor: { id: string; email?: string; roles: readonly string[] },
  reason: string | null = null,
  /** A series' first date, declined for the whole series (series.ts). */
  opts: { asSeries?: boolean } = {},
): Promise<Booking> {
  const p = await parties(deps.kv, id);
  return await changeBooking(deps, id, (b) => {
    requireHostOf(b, actor);
    requireHostsTurn(b, opts);
    const next: Booking = {
      ...b,
      status: transition(b.status, "decline"),
      respondBy: null,
      declineReason: reason,
      note: "The host declined this request; the card was not charged.",
    };
    return {
      booking: next,
      claim: "release",
      extra: (atomic) => {
        addAudit(atomic, {
          actor: { kind: "user", id: actor.id, email: actor.email },
          action: "booking.declined",
          subject: { kind: "booking", id },
          details: { amountCents: b.quote.totalChargedCents },
          ...(reason ? { reason } : {}),
        }, deps.now);
        addRelease(atomic, deps, b);
        // The series is declined as a whole, and told once (series.ts).
        if (next.seriesId) return addSeriesSettle(atomic, deps, next);
        tellParties(atomic, deps, p, next, { renter: "request_declined" });
      },
    };
  });
}

/**
 * A request waiting for Prep to check the renter's documents is not the
 * host's to answer yet (lib/compliance/document_requests.ts decides it).
 */
export function requireHostsTurn(
  b: Pick<Booking, "waitingFor" | "seriesId">,
  opts: { asSeries?: boolean } = {},
): void {
  if (b.seriesId && !opts.asSeries) {
    throw new ConflictError(
      "This date is part of a weekly booking: accept or decline the whole series on its page.",
      {
        href: `/host/bookings/series/${b.seriesId}`,
        label: "Answer the series",
      },
    );
  }
  if (b.waitingFor === "documents") {
    throw new ConflictError(
      "This request is waiting for Prep to check the renter's documents; you can answer it once they are verified.",
    );
  }
}

/**
 * A request nobody answered by `respondBy` (the host, or staff on the
 * renter's documents), or whose authorisation Stripe released: expired,
 * the time freed, the authorisation released.
 */
export async function expireRequest(
  deps: LifecycleDeps,
  id: string,
  note?: string,
  opts: { onlyIfDue?: boolean } = {},
): Promise<Booking> {
  const p = await parties(deps.kv, id);
  return await changeBooking(deps, id, (b) => {
    if (b.status !== "requested") return null;
    if (opts.onlyIfDue && (b.respondBy ?? 0) > deps.now) return null;
    const documents = b.waitingFor === "documents";
    const next: Booking = {
      ...b,
      status: transition(b.status, "expire"),
      respondBy: null,
      note: note ??
        (documents
          ? "Prep could not finish checking your documents in time, so the hours were released; the card was not charged."
          : "The host did not answer in time; the card was not charged."),
    };
    return {
      booking: next,
      claim: "release",
      extra: (atomic) => {
        addRelease(atomic, deps, b);
        addSeriesSettle(atomic, deps, next);
        tellParties(atomic, deps, p, next, {
          renter: documents ? "documents_expired" : "request_expired",
        });
      },
    };
  });
}

/**
 * Only the renter takes back their request: the host and staff have their
 * own answers (decline; cancel once confirmed).
 */
export function requireRenterOf(
  b: Pick<Booking, "renterId">,
  actor: { id: string },
): void {
  if (b.renterId !== actor.id) {
    throw new ForbiddenError(
      "Only the renter who asked can withdraw a request.",
    );
  }
}

/**
 * The renter withdraws a request before the host answers: the time is free
 * again, the card authorisation released (the release job, as for a
 * decline), and both sides told. Idempotent: a request already withdrawn is
 * returned unchanged.
 */
export async function withdrawRequest(
  deps: LifecycleDeps,
  id: string,
  actor: { id: string; email?: string },
): Promise<Booking> {
  const p = await parties(deps.kv, id);
  return await changeBooking(deps, id, (b) => {
    requireRenterOf(b, actor);
    if (b.status === "withdrawn") return null;
    const next: Booking = {
      ...b,
      status: transition(b.status, "withdraw"),
      respondBy: null,
      note: "You withdrew this request; the card was not charged.",
    };
    return {
      booking: next,
      claim: "release",
      extra: (atomic) => {
        addAudit(atomic, {
          actor: { kind: "user", id: actor.id, email: actor.email },
          action: "booking.withdrawn",
          subject: { kind: "booking", id },
          details: { amountCents: b.quote.totalChargedCents },
        }, deps.now);
        addRelease(atomic, deps, b);
        addSeriesSettle(atomic, deps, next);
        tellParties(atomic, deps, p, next, {
          renter: "request_withdrawn",
          host: "request_withdrawn_host",
        });
      },
    };
  });
}
