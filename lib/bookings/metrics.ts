/**
 * What a booking adds to the figures (lib/metrics): its contribution is a
 * pure function of the record, so every write of a booking sums the
 * difference between the record after and before in its own atomic
 * (repo.ts `addBookingUpdate`, `addNewBooking`), and the migration that
 * counts bookings made before the figures writes each one's whole tally.
 *
 * Rules:
 * - A booking counts once it was confirmed and paid: it is confirmed or
 *   completed, or cancelled with its payment passed on to the host (a
 *   `transfer` on its ledger, as earnings.ts counts it). Holds, requests, a
 *   standing booking's dates not yet charged (scheduled, or cancelled
 *   before their charge), and payments that arrived after the hold lapsed
 *   and were refunded never count, so their money is in no figure.
 * - Everything counts in the week of the stay, on the kitchen's wall
 *   calendar (the Monday of `localDate`'s week), as the host's earnings
 *   count by the month of the stay: a booking made today for next month
 *   counts next month. Its booked minutes count in the week and weekday ×
 *   hour cell each minute falls in (an overnight booking from Sunday runs
 *   into the next week), and only while it is not cancelled.
 * - Money comes from the ledger: gross Σ charge; commission Σ commission
 *   and Σ fee_refund; refunds Σ refund; city fees Σ city_fee and
 *   Σ city_fee_refund; the host's net Σ transfer − Σ transfer_reversal.
 * - It counts for everything, its city (recorded when held) and its
 *   kitchen.
 *
 * Pure.
 */
import {
  addTo,
  ALL,
  cellKey,
  countKey,
  diffTally,
  kitchenKey,
  type MetricName,
  monthOf,
  type Scope,
  type Tally,
  weekOf,
} from "../metrics/schema.ts";
import type { Booking, LedgerKind } from "./schema.ts";

/** Whether a booking counts (see the module comment). */
function counts(b: Pick<Booking, "status" | "ledger">): boolean {
  if (b.status === "confirmed" || b.status === "completed") return true;
  return b.status === "cancelled" &&
    b.ledger.some((e) => e.kind === "transfer");
}

/** What the figures read of a booking. */
export type CountedBooking = Pick<
  Booking,
  | "kitchenId"
  | "city"
  | "status"
  | "start"
  | "end"
  | "timeZone"
  | "localDate"
  | "ledger"
>;

/** Minutes of [start, end) in each local hour, on the kitchen's wall clock. */
export function localHourSpans(
  start: number,
  end: number,
  timeZone: string,
): { date: string; weekday: number; hour: number; minutes: number }[] {
  const out: {
    date: string;
    weekday: number;
    hour: number;
    minutes: number;
  }[] = [];
  let t = start;
  // Bookings last at most a day and a bit: the cap only guards bad data.
  for (let i = 0; t < end && i < 200; i++) {
    const zoned = Temporal.Instant.fromEpochMilliseconds(t)
      .toZonedDateTimeISO(timeZone);
    const next = zoned.round({ smallestUnit: "hour", roundingMode: "floor" })
      .add({ hours: 1 }).epochMilliseconds;
    const to = Math.min(end, next);
    out.push({
      date: zoned.toPlainDate().toString(),
      weekday: zoned.dayOfWeek,
      hour: zoned.hour,
      minutes: Math.round((to - t) / 60_000),
    });
    t = to;
  }
  return out;
}

/** A booking's whole contribution to the figures. */
export function bookingTally(b: CountedBooking): Tally {
  const t: Tally = new Map();
  if (!counts(b)) return t;
  const scopes: Scope[] = [
    ALL,
    ...(b.city ? [{ kind: "city" as const, id: b.city }] : []),
    { kind: "kitchen", id: b.kitchenId },
  ];
  const sum: Partial<Record<LedgerKind, number>> = {};
  for (const e of b.ledger) sum[e.kind] = (sum[e.kind] ?? 0) + e.amountCents;
  const week = weekOf(b.localDate);
  const cancelled = b.status === "cancelled";
  const figures: [MetricName, number][] = [
    ["bookings", 1],
    ["gross_cents", sum.charge ?? 0],
    ["commission_cents", sum.commission ?? 0],
    ["commission_refunded_cents", sum.fee_refund ?? 0],
    ["refunds_cents", sum.refund ?? 0],
    ["city_fees_cents", sum.city_fee ?? 0],
    ["city_fees_refunded_cents", sum.city_fee_refund ?? 0],
    ["cancellations", cancelled ? 1 : 0],
  ];
  for (const scope of scopes) {
    for (const [name, n] of figures) addTo(t, countKey(scope, week, name), n);
  }
  if (!cancelled) {
    for (const s of localHourSpans(b.start, b.end, b.timeZone)) {
      const w = weekOf(s.date);
      for (const scope of scopes) {
        addTo(t, countKey(scope, w, "booked_minutes"), s.minutes);
      }
      addTo(
        t,
        cellKey(b.kitchenId, w, (s.weekday - 1) * 24 + s.hour),
        s.minutes,
      );
    }
  }
  addTo(
    t,
    countKey(
      { kind: "kitchen", id: b.kitchenId },
      monthOf(b.localDate),
      "host_net_cents",
    ),
    (sum.transfer ?? 0) - (sum.transfer_reversal ?? 0),
  );
  if (b.city) addTo(t, kitchenKey(b.city, b.kitchenId), 1);
  return t;
}

/** What a write of a booking changes in the figures (`before` null for a new one). */
export function bookingTallyChange(
  before: CountedBooking | null,
  after: CountedBooking,
): Tally {
  const was = before ? bookingTally(before) : new Map();
  // Most writes (a hold, a payment reference, a reminder) change no figure:
  // neither side counts, and no zone arithmetic is spent on them.
  if (was.size === 0 && !counts(after)) return was;
  return diffTally(bookingTally(after), was);
}
