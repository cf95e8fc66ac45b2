/**
 * Hours requested while the renter's documents are in review (the review
 * page's "Request these hours"): a `requested` booking with `waitingFor:
 * "documents"`, its card authorised, until staff decide or `respondBy`
 * passes (the request-timeout job then expires it, requests.ts). These are
 * the three ends lib/compliance/document_requests.ts chooses between once
 * staff decide: confirmed (an instant kitchen, after payments captured the
 * card), passed to the host as an ordinary request, or released. Each is
 * one atomic with its emails, notification, jobs and audit entry.
 */
import { addAudit } from "../audit/repo.ts";
import { addJob } from "../jobs/outbox.ts";
import {
  RELEASE_AUTHORISATION_JOB,
  REQUEST_TIMEOUT_JOB,
} from "../job_names.ts";
import { addNotification } from "../notifications/repo.ts";
import { tellParties } from "./emails.ts";
import { formatTimeRange } from "../format.ts";
import {
  addConfirmedTimers,
  changeBooking,
  chargeEntries,
  type LifecycleDeps,
  newAccessCode,
  parties,
  REQUEST_WAIT_MS,
} from "./lifecycle.ts";
import type { Booking } from "./schema.ts";
import { transition } from "./state.ts";

/** Whether `b` is hours held while Prep checks the renter's documents. */
export function waitsForDocuments(b: Booking): boolean {
  return b.status === "requested" && b.waitingFor === "documents";
}

function tellRenter(
  atomic: Deno.AtomicOperation,
  deps: LifecycleDeps,
  b: Booking,
  title: string,
  body: string,
): void {
  addNotification(atomic, b.renterId, {
    title,
    body,
    href: `/bookings/${b.id}`,
    timeZone: b.timeZone,
  }, deps.now);
}

/**
 * Staff verified what an instant kitchen's booking waited for, and
 * payments captured the card (`chargeId`): confirmed, charged on the
 * ledger, with its code, timers and emails. Anything but a booking still
 * waiting for documents is left as it is (the job may run twice).
 */
export async function confirmDocumentRequest(
  deps: LifecycleDeps,
  id: string,
  chargeId: string | null,
): Promise<Booking> {
  const p = await parties(deps.kv, id);
  return await changeBooking(deps, id, (b) => {
    if (!waitsForDocuments(b)) return null;
    const { waitingFor: _done, ...rest } = b;
    const next: Booking = {
      ...rest,
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
          actor: { kind: "system", id: null },
          action: "payment.captured",
          subject: { kind: "booking", id },
          details: {
            amountCents: b.quote.totalChargedCents,
            hostPayoutCents: b.quote.hostPayoutCents,
            commissionCents: b.quote.commissionCents,
            provider: b.payment.provider,
            after: "documents verified",
          },
        }, deps.now);
        addConfirmedTimers(atomic, next, deps);
        tellParties(atomic, deps, p, next, {
          renter: "documents_confirmed",
          host: "confirmed_host",
        });
        tellRenter(
          atomic,
          deps,
          next,
          `Your booking at ${p.kitchen.title} is confirmed`,
          `Your documents are verified: ${
            formatTimeRange(b.timeZone, b.start, b.end)
          } is booked.`,
        );
      },
    };
  });
}

/**
 * Staff verified what a request-to-book kitchen's request waited for: it
 * goes to the host as an ordinary request, with a fresh deadline (24 hours,
 * or the start if sooner) and its own timeout job.
 */
export async function forwardToHost(
  deps: LifecycleDeps,
  id: string,
): Promise<Booking> {
  const p = await parties(deps.kv, id);
  return await changeBooking(deps, id, (b) => {
    if (!waitsForDocuments(b)) return null;
    const respondBy = Math.min(deps.now + REQUEST_WAIT_MS, b.start);
    const next: Booking = { ...b, waitingFor: "host", respondBy };
    return {
      booking: next,
      extra: (atomic) => {
        addJob(atomic, {
          id: `booking-request-timeout:${id}`,
          type: REQUEST_TIMEOUT_JOB,
          payload: { bookingId: id },
          runAt: respondBy,
        }, { now: deps.now, wake: deps.mail.wake });
        tellParties(atomic, deps, p, next, {
          renter: "documents_forwarded",
          host: "request_received",
        });
        tellRenter(
          atomic,
          deps,
          next,
          `Your request for ${p.kitchen.title} is with the host`,
          "Your documents are verified, so the host now has your request and 24 hours to answer.",
        );
      },
    };
  });
}

/**
 * The verdict, judged again once staff decided, refuses the hours (a
 * document rejected, or another lapsed meanwhile): released with `note`
 * saying why, and the authorisation released by payments' job.
 */
export async function releaseDocumentRequest(
  deps: LifecycleDeps,
  id: string,
  note: string,
): Promise<Booking> {
  const p = await parties(deps.kv, id);
  return await changeBooking(deps, id, (b) => {
    if (!waitsForDocuments(b)) return null;
    const next: Booking = {
      ...b,
      status: transition(b.status, "expire"),
      respondBy: null,
      note,
    };
    return {
      booking: next,
      claim: "release",
      extra: (atomic) => {
        addAudit(atomic, {
          actor: { kind: "system", id: null },
          action: "booking.released",
          subject: { kind: "booking", id },
          details: {
            amountCents: b.quote.totalChargedCents,
            provider: b.payment.provider,
            why: "documents",
          },
        }, deps.now);
        addJob(atomic, {
          id: `booking-release:${id}`,
          type: RELEASE_AUTHORISATION_JOB,
          payload: { bookingId: id },
        }, { now: deps.now, wake: deps.mail.wake });
        tellParties(atomic, deps, p, next, { renter: "documents_refused" });
        tellRenter(
          atomic,
          deps,
          next,
          `We released your hours at ${p.kitchen.title}`,
          note,
        );
      },
    };
  });
}
