/**
 * Changes that payments makes when the money says so: a checkout that can no
 * longer be paid frees its hold at once, a refund made outside Prep (the
 * Stripe dashboard) cancels the booking, a dispute flags it. Each is one
 * atomic with its audit entry.
 */
import { addAudit } from "../audit/repo.ts";
import type { AuditActor } from "../audit/schema.ts";
import { tellParties } from "./emails.ts";
import {
  changeBooking,
  chargeEntries,
  expireHold,
  type LifecycleDeps,
  parties,
  type PaymentRefs,
} from "./lifecycle.ts";
import type { Booking, LedgerEntry } from "./schema.ts";
import { canFlagDispute, transition } from "./state.ts";

/** A hold whose checkout ended unpaid (expired or abandoned): expired now, time freed. */
export function abandonHold(
  deps: LifecycleDeps,
  id: string,
): Promise<Booking> {
  return expireHold(deps, id, { early: true });
}

/**
 * Stripe says the whole payment was refunded, but Prep did not refund it: the
 * booking ends (cancelled if it was confirmed, expired otherwise), its time is
 * freed, and the ledger records the charge (if missing) and the refund.
 */
export async function recordExternalRefund(
  deps: LifecycleDeps,
  id: string,
  refs: PaymentRefs,
  refundedCents: number,
  actor: AuditActor,
): Promise<Booking> {
  const p = await parties(deps.kv, id);
  return await changeBooking(deps, id, (b) => {
    if (b.ledger.some((e) => e.kind === "refund")) return null;
    const at = deps.now;
    const charged = b.ledger.some((e) => e.kind === "charge");
    const q = b.quote;
    const ledger: LedgerEntry[] = [
      ...b.ledger,
      ...(charged ? [] : chargeEntries(b, refs.chargeId, at)),
      { kind: "refund", amountCents: refundedCents, at, ref: refs.chargeId },
      {
        kind: "transfer_reversal",
        amountCents: q.hostPayoutCents,
        at,
        ref: refs.chargeId,
      },
      {
        kind: "fee_refund",
        amountCents: q.commissionCents,
        at,
        ref: refs.chargeId,
      },
      {
        kind: "renter_fee_refund",
        amountCents: refundedCents - q.hostPayoutCents - q.commissionCents -
          q.authorityCents,
        at,
        ref: refs.chargeId,
      },
      ...(q.authorityCents > 0
        ? [{
          kind: "city_fee_refund" as const,
          amountCents: q.authorityCents,
          at,
          ref: refs.chargeId,
        }]
        : []),
    ];
    const confirmed = b.status === "confirmed";
    const status = confirmed
      ? transition(b.status, "cancel")
      : b.status === "expired"
      ? b.status
      : transition(b.status, "expire");
    const next: Booking = {
      ...b,
      status,
      payment: { ...b.payment, ...refs },
      ledger,
      cancellation: confirmed
        ? {
          by: "admin",
          at,
          reason: "Refunded in Stripe",
          refundCents: refundedCents,
          refundBps: 10_000,
          explanation: "Refunded in full.",
        }
        : b.cancellation,
      note: "The payment was refunded in full in Stripe.",
    };
    return {
      booking: next,
      claim: b.status === "expired" ? "keep" : "release",
      extra: (atomic) => {
        addAudit(atomic, {
          actor,
          action: "refund.recorded",
          subject: { kind: "booking", id },
          details: { amountCents: refundedCents, charge: refs.chargeId },
        }, deps.now);
        tellParties(atomic, deps, p, next, { renter: "refunded_elsewhere" });
      },
    };
  });
}

/** A dispute opened on the booking's charge: flagged for staff, audited. */
export async function flagDisputed(
  deps: LifecycleDeps,
  id: string,
  actor: AuditActor,
): Promise<Booking> {
  return await changeBooking(deps, id, (b) => {
    if (b.disputed || !canFlagDispute(b.status)) return null;
    return {
      booking: { ...b, disputed: true },
      extra: (atomic) => {
        addAudit(atomic, {
          actor,
          action: "payment.disputed",
          subject: { kind: "booking", id },
          details: { amountCents: b.quote.totalChargedCents },
        }, deps.now);
      },
    };
  });
}
