/**
 * Demo bookings for the demo host (host@prep.test, Borough Commissary Co.)
 * booked by the demo renter, so every host page has something to show on a
 * fresh start: bookings completed over the last few months (earnings in
 * several months), one today, upcoming ones, requests waiting for an
 * answer, and cancellations with their refunds. Dates are relative to now.
 *
 * They are written through the booking code itself: each hold is
 * `createHold` at a moment before the booking (so the calendar, the
 * availability rules and the city's verdict decide it as they would have),
 * then the payment, the host's answer or the cancellation is one
 * `changeBooking` atomic with the ledger entries, audit entry and timers the
 * real flows write, and `completeBooking` ends the stays that are over. What
 * the demo leaves out on purpose are the emails: a fresh start should not
 * fill the dev mailbox with confirmations of bookings made months ago.
 *
 * Idempotent: a marker at keys.seed(DEMO_BOOKINGS_SEED) is written last, and
 * a booking whose time is already taken (a second process seeding at once)
 * is refused by the calendar and skipped.
 */
import type { SessionUser } from "../../lib/accounts/schema.ts";
import { getUser } from "../../lib/accounts/repo.ts";
import { addAudit } from "../../lib/audit/repo.ts";
import {
  createHold,
  type HoldDeps,
  previewHold,
} from "../../lib/bookings/holds.ts";
import {
  addConfirmedTimers,
  changeBooking,
  chargeEntries,
  completeBooking,
  type LifecycleDeps,
  newAccessCode,
  refundNow,
} from "../../lib/bookings/lifecycle.ts";
import {
  DEFAULT_PLATFORM_FEE_BPS,
  DEFAULT_RENTER_FEE_BPS,
} from "../../lib/bookings/pricing.ts";
import type { Canceller } from "../../lib/bookings/refunds.ts";
import { getBooking } from "../../lib/bookings/repo.ts";
import type { Booking, LedgerEntry } from "../../lib/bookings/schema.ts";
import { transition } from "../../lib/bookings/state.ts";
import { compliancePolicy } from "../../lib/compliance/booking_policy.ts";
import { keys } from "../../lib/db/keys.ts";
import { AppError } from "../../lib/errors.ts";
import { addJob } from "../../lib/jobs/outbox.ts";
import { REQUEST_TIMEOUT_JOB } from "../../lib/job_names.ts";
import { localToday } from "../../lib/kitchens/free_time.ts";
import { getKitchen, listKitchenIdsByHost } from "../../lib/kitchens/repo.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import { recordRefund } from "../../lib/payments/refunds.ts";
import { DEMO_ACCOUNTS } from "./accounts.ts";

export const DEMO_BOOKINGS_SEED = "demo-bookings-v1";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** How a demo booking ends up. */
export type DemoOutcome =
  /** Paid; completed once its end has passed. */
  | "paid"
  /** A request the host accepted (request-to-book kitchens). */
  | "accepted"
  /** A request still waiting for the host's answer. */
  | "requested"
  /** Paid, then cancelled by the renter (the policy's refund) or the host (in full). */
  | "cancelled_by_renter"
  | "cancelled_by_host";

export interface DemoBooking {
  /** The demo kitchen, by title. */
  kitchen: string;
  /** Days from today on the kitchen's wall calendar. */
  day: number;
  /** Wall-clock start and end ("09:00", "12:00"); the first that the kitchen takes is used. */
  times: [string, string][];
  outcome: DemoOutcome;
}

const GREENPOINT = "Greenpoint Bakers' Commissary";
const ASTORIA = "Astoria Pastry Lab";
const LONG_ISLAND_CITY = "Long Island City Production Kitchen";

// Greenpoint bakes from 3 AM (5 AM on Sundays) until early afternoon;
// Astoria's hours differ by weekday, so each booking offers a second time.
const MORNING: [string, string][] = [["08:00", "11:00"], ["06:00", "09:00"]];
const LATE_MORNING: [string, string][] = [["09:00", "12:00"], [
  "07:00",
  "10:00",
]];
const AFTERNOON: [string, string][] = [["14:00", "17:00"], ["09:00", "12:00"]];
const PRODUCTION: [string, string][] = [["12:00", "18:00"]];

/** The demo host's bookings: months of history, today, what is coming, what waits. */
export const DEMO_BOOKINGS: readonly DemoBooking[] = [
  { kitchen: GREENPOINT, day: -104, times: MORNING, outcome: "paid" },
  { kitchen: ASTORIA, day: -96, times: AFTERNOON, outcome: "paid" },
  {
    kitchen: LONG_ISLAND_CITY,
    day: -88,
    times: PRODUCTION,
    outcome: "accepted",
  },
  { kitchen: GREENPOINT, day: -75, times: LATE_MORNING, outcome: "paid" },
  { kitchen: ASTORIA, day: -66, times: AFTERNOON, outcome: "paid" },
  { kitchen: GREENPOINT, day: -58, times: MORNING, outcome: "paid" },
  {
    kitchen: LONG_ISLAND_CITY,
    day: -47,
    times: PRODUCTION,
    outcome: "accepted",
  },
  { kitchen: ASTORIA, day: -38, times: AFTERNOON, outcome: "paid" },
  {
    kitchen: GREENPOINT,
    day: -30,
    times: MORNING,
    outcome: "cancelled_by_renter",
  },
  { kitchen: GREENPOINT, day: -24, times: LATE_MORNING, outcome: "paid" },
  { kitchen: ASTORIA, day: -16, times: AFTERNOON, outcome: "paid" },
  {
    kitchen: LONG_ISLAND_CITY,
    day: -11,
    times: PRODUCTION,
    outcome: "accepted",
  },
  { kitchen: GREENPOINT, day: -6, times: MORNING, outcome: "paid" },
  { kitchen: ASTORIA, day: -3, times: AFTERNOON, outcome: "paid" },
  { kitchen: GREENPOINT, day: -1, times: LATE_MORNING, outcome: "paid" },
  { kitchen: GREENPOINT, day: 0, times: MORNING, outcome: "paid" },
  { kitchen: ASTORIA, day: 0, times: AFTERNOON, outcome: "paid" },
  { kitchen: ASTORIA, day: 1, times: AFTERNOON, outcome: "paid" },
  { kitchen: GREENPOINT, day: 3, times: LATE_MORNING, outcome: "paid" },
  {
    kitchen: LONG_ISLAND_CITY,
    day: 4,
    times: PRODUCTION,
    outcome: "requested",
  },
  { kitchen: ASTORIA, day: 6, times: AFTERNOON, outcome: "cancelled_by_host" },
  { kitchen: GREENPOINT, day: 8, times: MORNING, outcome: "paid" },
  {
    kitchen: LONG_ISLAND_CITY,
    day: 9,
    times: PRODUCTION,
    outcome: "requested",
  },
  { kitchen: ASTORIA, day: 12, times: AFTERNOON, outcome: "paid" },
  { kitchen: GREENPOINT, day: 17, times: LATE_MORNING, outcome: "paid" },
];

export interface DemoBookingsResult {
  created: number;
  /** Bookings the calendar or the rules refused (taken, closed that day). */
  skipped: number;
}

/** Seeds the demo bookings once; null when they are there already (or the demo accounts are not). */
export async function seedDemoBookings(
  kv: Deno.Kv,
  now = Date.now(),
): Promise<DemoBookingsResult | null> {
  const marker = keys.seed(DEMO_BOOKINGS_SEED);
  if ((await kv.get(marker)).versionstamp !== null) return null;
  const renterAccount = DEMO_ACCOUNTS.find((a) =>
    a.email === "renter@prep.test"
  )!;
  const hostAccount = DEMO_ACCOUNTS.find((a) => a.email === "host@prep.test")!;
  const renter = await getUser(kv, renterAccount.id);
  if (!renter) return null;
  const { passwordHash: _, ...session } = renter;
  const kitchens = new Map<string, Kitchen>();
  for (const id of await listKitchenIdsByHost(kv, hostAccount.id)) {
    const k = await getKitchen(kv, id);
    if (k) kitchens.set(k.title, k);
  }
  const result: DemoBookingsResult = { created: 0, skipped: 0 };
  for (const plan of DEMO_BOOKINGS) {
    const kitchen = kitchens.get(plan.kitchen);
    const booked = kitchen
      ? await bookDemo(kv, kitchen, session, plan, now)
      : null;
    if (booked) result.created++;
    else result.skipped++;
  }
  await kv.set(marker, { at: new Date(now).toISOString(), ...result });
  return result;
}

function deps(kv: Deno.Kv, now: number): HoldDeps & LifecycleDeps {
  return {
    kv,
    now,
    fees: {
      renterFeeBps: DEFAULT_RENTER_FEE_BPS,
      platformFeeBps: DEFAULT_PLATFORM_FEE_BPS,
    },
    policy: compliancePolicy,
    wake: false,
    payments: "demo",
    mail: {
      from: "Prep <hello@prep.localhost>",
      baseUrl: "http://localhost:8000",
      wake: false,
    },
  };
}

/** Holds the first of the plan's times the kitchen takes; null when it takes none. */
async function holdFirstFree(
  kv: Deno.Kv,
  kitchen: Kitchen,
  renter: SessionUser,
  plan: DemoBooking,
  now: number,
): Promise<Booking | null> {
  const date = Temporal.PlainDate.from(localToday(kitchen.timeZone, now))
    .add({ days: plan.day }).toString();
  const dayStart = Temporal.PlainDate.from(date).toZonedDateTime(
    kitchen.timeZone,
  ).epochMilliseconds;
  // Requests are made shortly before now, so the host still has time to
  // answer; everything else was booked a few days ahead of its date.
  const heldAt = plan.outcome === "requested"
    ? now - 2 * HOUR
    : Math.min(now - HOUR, dayStart - 3 * DAY);
  for (const [start, end] of plan.times) {
    const request = { kitchen: kitchen.id, date, start, end };
    try {
      // The renter ticks each condition the review page shows them.
      const { assessment } = await previewHold(
        deps(kv, heldAt),
        request,
        renter.id,
      );
      return await createHold(deps(kv, heldAt), renter, {
        ...request,
        acknowledge: assessment.conditions.map((c) => c.code),
      });
    } catch (err) {
      // Closed that day, too soon, taken: try the next time.
      if (err instanceof AppError) continue;
      throw err;
    }
  }
  return null;
}

const refs = (id: string): Booking["payment"] => ({
  provider: "demo",
  checkoutSessionId: `demo_cs_${id}`,
  paymentIntentId: `demo_pi_${id}`,
  chargeId: `demo_ch_${id}`,
});

async function bookDemo(
  kv: Deno.Kv,
  kitchen: Kitchen,
  renter: SessionUser,
  plan: DemoBooking,
  now: number,
): Promise<Booking | null> {
  const hold = await holdFirstFree(kv, kitchen, renter, plan, now);
  if (!hold) return null;
  const paidAt = hold.createdAt + 5 * 60_000;
  const request = hold.mode === "request";
  // Paid (or, on request-to-book kitchens, authorised) a few minutes later.
  let booking = await changeBooking(deps(kv, paidAt), hold.id, (b) => {
    const next: Booking = {
      ...b,
      status: transition(b.status, request ? "authorise" : "pay"),
      payment: refs(b.id),
      holdExpiresAt: null,
      respondBy: request ? Math.min(paidAt + DAY, b.start) : null,
      accessCode: request ? null : newAccessCode(),
      ledger: request
        ? b.ledger
        : chargeEntries(b, refs(b.id).chargeId, paidAt),
    };
    return {
      booking: next,
      claim: "firm",
      extra: (atomic) => {
        addAudit(atomic, {
          actor: { kind: "system", id: "demo seed" },
          action: request ? "payment.authorised" : "payment.charged",
          subject: { kind: "booking", id: b.id },
          details: {
            amountCents: b.quote.totalChargedCents,
            hostPayoutCents: b.quote.hostPayoutCents,
            commissionCents: b.quote.commissionCents,
            provider: "demo",
          },
        }, paidAt);
        if (request) {
          addJob(atomic, {
            id: `booking-request-timeout:${b.id}`,
            type: REQUEST_TIMEOUT_JOB,
            payload: { bookingId: b.id },
            runAt: next.respondBy!,
          }, { now: paidAt, wake: false });
        } else {
          // Timers from now on only: no reminder for a day already past.
          addConfirmedTimers(atomic, next, deps(kv, Math.max(paidAt, now)));
        }
      },
    };
  });
  if (plan.outcome === "accepted") {
    const acceptedAt = paidAt + 3 * HOUR;
    booking = await changeBooking(deps(kv, acceptedAt), booking.id, (b) => {
      const next: Booking = {
        ...b,
        status: transition(b.status, "accept"),
        respondBy: null,
        accessCode: newAccessCode(),
        ledger: [
          ...b.ledger,
          ...chargeEntries(b, b.payment.chargeId, acceptedAt),
        ],
      };
      return {
        booking: next,
        extra: (atomic) => {
          addAudit(atomic, {
            actor: { kind: "user", id: b.hostId },
            action: "payment.captured",
            subject: { kind: "booking", id: b.id },
            details: {
              amountCents: b.quote.totalChargedCents,
              provider: "demo",
            },
          }, acceptedAt);
          addConfirmedTimers(atomic, next, deps(kv, Math.max(acceptedAt, now)));
        },
      };
    });
  }
  if (
    plan.outcome === "cancelled_by_renter" ||
    plan.outcome === "cancelled_by_host"
  ) {
    const by: Canceller = plan.outcome === "cancelled_by_renter"
      ? "renter"
      : "host";
    // The renter cancels two days ahead; the host a day after the booking.
    const at = by === "renter"
      ? booking.start - 2 * DAY
      : Math.min(paidAt + DAY, now - HOUR);
    booking = await cancelDemo(kv, kitchen, booking.id, by, at);
  }
  if (booking.status === "confirmed" && booking.end <= now) {
    booking = await completeBooking(deps(kv, now), booking.id);
  }
  return booking;
}

/** A cancellation as lifecycle.cancelBooking writes it (less its emails), then its refund recorded. */
async function cancelDemo(
  kv: Deno.Kv,
  kitchen: Kitchen,
  id: string,
  by: Canceller,
  at: number,
): Promise<Booking> {
  const cancelled = await changeBooking(deps(kv, at), id, (b) => {
    const refund = refundNow(b, kitchen, by, at);
    const ledger: LedgerEntry[] = refund.refundCents > 0
      ? [
        ...b.ledger,
        { kind: "refund", amountCents: refund.refundCents, at, ref: null },
        {
          kind: "transfer_reversal",
          amountCents: refund.hostReversalCents,
          at,
          ref: null,
        },
        {
          kind: "fee_refund",
          amountCents: refund.commissionRefundCents,
          at,
          ref: null,
        },
        {
          kind: "renter_fee_refund",
          amountCents: refund.refundCents - refund.hostReversalCents -
            refund.commissionRefundCents - refund.authorityRefundCents,
          at,
          ref: null,
        },
        ...(refund.authorityRefundCents > 0
          ? [{
            kind: "city_fee_refund" as const,
            amountCents: refund.authorityRefundCents,
            at,
            ref: null,
          }]
          : []),
      ]
      : b.ledger;
    const reason = by === "host"
      ? "The oven needs an unplanned repair that day."
      : null;
    return {
      booking: {
        ...b,
        status: transition(b.status, "cancel"),
        ledger,
        cancellation: {
          by,
          at,
          reason,
          refundCents: refund.refundCents,
          refundBps: refund.refundBps,
          explanation: refund.explanation,
        },
      },
      claim: "release",
      extra: (atomic) => {
        addAudit(atomic, {
          actor: {
            kind: "user",
            id: by === "renter" ? b.renterId : b.hostId,
          },
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
        }, at);
      },
    };
  });
  const refund = cancelled.cancellation!;
  if (refund.refundCents > 0) {
    const entry = (kind: LedgerEntry["kind"]) =>
      cancelled.ledger.find((e) => e.kind === kind && e.ref === null)
        ?.amountCents ?? 0;
    await recordRefund(deps(kv, at + HOUR), {
      bookingId: id,
      n: 1,
      amountCents: refund.refundCents,
      hostReversalCents: entry("transfer_reversal"),
      commissionRefundCents: entry("fee_refund"),
    }, `demo-seed:refund:${id}`);
  }
  return (await getBooking(kv, id)) ?? cancelled;
}
