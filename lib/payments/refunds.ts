/**
 * Refunds, the money: bookings/refunds.ts decides how much, this moves it.
 *
 * The refund job: moves the money a cancellation (or a late payment) decided
 * to refund, then records the provider's refund id on the booking's ledger.
 * Stripe is called with a deterministic idempotency key
 * (`booking:<id>:refund:<n>`), so a retried job never refunds twice; demo
 * bookings move no money and only record the refund.
 */
import type Stripe from "stripe";
import { addAudit } from "../audit/repo.ts";
import type { LifecycleDeps } from "../bookings/lifecycle.ts";
import {
  addBookingUpdate,
  commitBookingWrite,
  getBookingEntry,
} from "../bookings/repo.ts";
import { countRefund } from "../telemetry.ts";

export interface RefundJob {
  bookingId: string;
  /** 1, 2, … per cancellation; 0 for the full refund of a late payment. */
  n: number;
  amountCents: number;
  hostReversalCents: number;
  commissionRefundCents: number;
  /**
   * Which PaymentIntents it comes from, when the booking was paid in
   * several charges (a move to a dearer time); else the first payment's.
   */
  parts?: { paymentIntentId: string; amountCents: number }[];
}

export async function recordRefund(
  deps: LifecycleDeps & { stripe?: Stripe | null },
  job: RefundJob,
  jobId: string,
): Promise<void> {
  const entry = await getBookingEntry(deps.kv, job.bookingId);
  const b = entry.value;
  if (!b) return;
  const pending = job.n === 0
    ? !b.ledger.some((e) => e.kind === "refund")
    : b.ledger.some((e) => e.kind === "refund" && e.ref === null);
  // A retried job whose refund is already recorded has nothing left to do.
  if (!pending) return;
  let refundId = `demo_re_${b.id}_${job.n}`;
  if (b.payment.provider === "stripe") {
    if (!deps.stripe) throw new Error("Stripe is not configured");
    const parts = job.parts ??
      (b.payment.paymentIntentId
        ? [{
          paymentIntentId: b.payment.paymentIntentId,
          amountCents: job.amountCents,
        }]
        : []);
    if (parts.length === 0) {
      throw new Error(`Booking ${b.id} has no payment to refund`);
    }
    const ids: string[] = [];
    for (const [k, part] of parts.entries()) {
      const refund = await deps.stripe.refunds.create({
        payment_intent: part.paymentIntentId,
        amount: part.amountCents,
        // Late payments were never transferred on; cancellations take back
        // the host's share and refund the platform's fee in proportion.
        reverse_transfer: job.n > 0,
        refund_application_fee: job.n > 0,
        metadata: { booking_id: b.id, job_id: jobId },
      }, {
        // The first part keeps the key refunds always had.
        idempotencyKey: k === 0
          ? `booking:${b.id}:refund:${job.n}`
          : `booking:${b.id}:refund:${job.n}:${k}`,
      });
      ids.push(refund.id);
    }
    refundId = ids.join(" ");
  }
  // Record the id on the refund's ledger entries; a lost race is retried by the job.
  const ledger = b.ledger.map((e) =>
    e.ref === null &&
      (e.kind === "refund" || e.kind === "transfer_reversal" ||
        e.kind === "fee_refund" || e.kind === "renter_fee_refund" ||
        e.kind === "city_fee_refund")
      ? { ...e, ref: refundId }
      : e
  );
  if (job.n === 0 && !ledger.some((e) => e.ref === refundId)) {
    ledger.push(
      {
        kind: "charge",
        amountCents: b.quote.totalChargedCents,
        at: deps.now,
        ref: b.payment.chargeId,
      },
      // Never passed on to the host: the platform held it until refunded.
      {
        kind: "renter_fee",
        amountCents: b.quote.totalChargedCents,
        at: deps.now,
        ref: null,
      },
      {
        kind: "refund",
        amountCents: b.quote.totalChargedCents,
        at: deps.now,
        ref: refundId,
      },
      {
        kind: "renter_fee_refund",
        amountCents: b.quote.totalChargedCents,
        at: deps.now,
        ref: refundId,
      },
    );
  }
  const recorded = await commitBookingWrite(deps.kv, {}, (atomic) => {
    addBookingUpdate(atomic, entry, { ...b, ledger, updatedAt: deps.now });
    addAudit(atomic, {
      actor: { kind: "system", id: jobId },
      action: "refund.created",
      subject: { kind: "booking", id: b.id },
      details: {
        refund: refundId,
        amountCents: job.amountCents,
        hostReversalCents: job.hostReversalCents,
        commissionRefundCents: job.commissionRefundCents,
        provider: b.payment.provider,
      },
    }, deps.now);
  });
  if (!recorded) {
    throw new Error(`Booking ${b.id} changed; retrying the refund record`);
  }
  countRefund(b.payment.provider, job.amountCents, b.quote.currency);
}
