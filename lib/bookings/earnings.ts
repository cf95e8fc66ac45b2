/**
 * What a host earned, read from each booking's ledger (the money as it
 * moved; schema.ts), per month and per kitchen, and as a CSV export.
 *
 * Rules:
 * - A booking counts once its payment was passed on to the host: its ledger
 *   has a `transfer`. A request that was only authorised has no ledger, and
 *   a payment that arrived after its hold lapsed and was refunded in full
 *   never reached the host, so neither shows.
 * - gross = Σ charge (what the renter paid, any renter service fee included);
 *   commission = Σ commission − Σ fee_refund (what the platform keeps of
 *   the host's side after refunds); refunds = Σ refund (what went back to the
 *   renter); net = Σ transfer − Σ transfer_reversal (what the host keeps).
 *   gross − commission − refunds − net is what the platform kept of the
 *   renter's service fee (renter_fee − renter_fee_refund) plus city fees
 *   collected for authorities (city_fee − city_fee_refund); with neither
 *   it is 0.
 * - Paid out vs pending. Stripe pays the connected account on its own
 *   schedule, which we do not mirror; we show what is settled by the end of
 *   the stay. A booking's net is "paid out" once nothing in Prep can change
 *   it any more: its stay has ended (completed, or confirmed with the end
 *   passed while the completion job is due) or it was cancelled (the refund
 *   the policy gave is final). It is "pending" while a confirmed stay has not
 *   ended, since a cancellation may still reverse part of the transfer. The
 *   net already has the reversals taken off, so paid out + pending = net.
 * - A booking belongs to the month of its start on the kitchen's wall
 *   calendar, like the host's calendar: its `localDate`, the date the
 *   renter picked in the kitchen's zone (a zone conversion per booking would
 *   cost ~14 µs each, 7 ms for a host with 500 bookings).
 *
 * Pure: callers pass `now`.
 */
import type { Booking, LedgerEntry, LedgerKind } from "./schema.ts";

/** What earnings need of a booking. */
export type EarningsBooking = Pick<
  Booking,
  | "id"
  | "kitchenId"
  | "start"
  | "end"
  | "status"
  | "timeZone"
  | "localDate"
  | "ledger"
>;

export interface Money {
  grossCents: number;
  commissionCents: number;
  refundCents: number;
  netCents: number;
  paidOutCents: number;
  pendingCents: number;
}

export interface BookingEarnings extends Money {
  bookingId: string;
  kitchenId: string;
  /** "2026-12", the month of the start in the kitchen's zone. */
  month: string;
  /** Whether the net is settled (paid out) rather than pending. */
  settled: boolean;
}

/** One kitchen in one month. */
export interface EarningsLine extends Money {
  month: string;
  kitchenId: string;
  bookings: number;
}

export interface EarningsMonth {
  month: string;
  total: Money;
  /** By kitchen id. */
  lines: EarningsLine[];
}

export interface EarningsSummary {
  /** Newest month first. */
  months: EarningsMonth[];
  total: Money;
}

export const ZERO: Money = Object.freeze({
  grossCents: 0,
  commissionCents: 0,
  refundCents: 0,
  netCents: 0,
  paidOutCents: 0,
  pendingCents: 0,
});

function sums(b: Pick<Booking, "ledger">): Record<LedgerKind, number> {
  const out: Record<LedgerKind, number> = {
    charge: 0,
    commission: 0,
    renter_fee: 0,
    transfer: 0,
    refund: 0,
    fee_refund: 0,
    renter_fee_refund: 0,
    transfer_reversal: 0,
    city_fee: 0,
    city_fee_refund: 0,
  };
  for (const e of b.ledger) out[e.kind] += e.amountCents;
  return out;
}

/**
 * What a paid booking's receipt totals, from its ledger: the charges (the
 * quote's total when none is recorded), each refund, and what stays paid.
 * The PDF and the booking page read it alike.
 */
export function paidTotals(b: Pick<Booking, "ledger" | "quote">): {
  chargedCents: number;
  refunds: LedgerEntry[];
  paidAfterCents: number;
} {
  const s = sums(b);
  const chargedCents = s.charge || b.quote.totalChargedCents;
  return {
    chargedCents,
    refunds: b.ledger.filter((e) => e.kind === "refund"),
    paidAfterCents: Math.max(0, chargedCents - s.refund),
  };
}

/** Statuses that pay the host their quote if they go ahead. */
const AHEAD = new Set<Booking["status"]>([
  "held",
  "requested",
  "scheduled",
  "confirmed",
]);

/**
 * The payout a host's lists show for a booking: once paid, what the host
 * keeps (the transfer less its reversals: a refund under the policy, a
 * move to a cheaper time); before that, what it pays if it goes ahead;
 * null when it never will (declined, expired, withdrawn, cancelled before
 * any charge).
 */
export function hostPayoutCents(
  b: Pick<Booking, "status" | "ledger" | "quote">,
): number | null {
  if (b.ledger.some((e) => e.kind === "transfer")) {
    const s = sums(b);
    return s.transfer - s.transfer_reversal;
  }
  return AHEAD.has(b.status) ? b.quote.hostPayoutCents : null;
}

/** Whether nothing in Prep can change this booking's money any more (see the module comment). */
export function isSettled(b: EarningsBooking, now: number): boolean {
  return b.status === "completed" || b.status === "cancelled" ||
    (b.status === "confirmed" && b.end <= now);
}

/** One booking's money, or null when none of it reached the host. */
export function bookingEarnings(
  b: EarningsBooking,
  now: number,
): BookingEarnings | null {
  if (!b.ledger.some((e) => e.kind === "transfer")) return null;
  const s = sums(b);
  const net = s.transfer - s.transfer_reversal;
  const settled = isSettled(b, now);
  return {
    bookingId: b.id,
    kitchenId: b.kitchenId,
    month: b.localDate.slice(0, 7),
    settled,
    grossCents: s.charge,
    commissionCents: s.commission - s.fee_refund,
    refundCents: s.refund,
    netCents: net,
    paidOutCents: settled ? net : 0,
    pendingCents: settled ? 0 : net,
  };
}

function add(into: Money, m: Money): void {
  into.grossCents += m.grossCents;
  into.commissionCents += m.commissionCents;
  into.refundCents += m.refundCents;
  into.netCents += m.netCents;
  into.paidOutCents += m.paidOutCents;
  into.pendingCents += m.pendingCents;
}

/** Earnings per month (newest first) and per kitchen within it, with totals. */
export function summariseEarnings(
  bookings: readonly EarningsBooking[],
  now: number,
): EarningsSummary {
  const byMonth = new Map<string, Map<string, EarningsLine>>();
  const total = { ...ZERO };
  for (const b of bookings) {
    const e = bookingEarnings(b, now);
    if (!e) continue;
    let lines = byMonth.get(e.month);
    if (!lines) byMonth.set(e.month, lines = new Map());
    let line = lines.get(e.kitchenId);
    if (!line) {
      lines.set(
        e.kitchenId,
        line = { ...ZERO, month: e.month, kitchenId: e.kitchenId, bookings: 0 },
      );
    }
    add(line, e);
    line.bookings++;
    add(total, e);
  }
  const months = [...byMonth.keys()].sort().reverse().map((month) => {
    const lines = [...byMonth.get(month)!.values()].sort((a, z) =>
      a.kitchenId < z.kitchenId ? -1 : a.kitchenId > z.kitchenId ? 1 : 0
    );
    const monthTotal = { ...ZERO };
    for (const l of lines) add(monthTotal, l);
    return { month, total: monthTotal, lines };
  });
  return { months, total };
}

// ---------------------------------------------------------------------------
// CSV (RFC 4180)

/** Columns of the export, in order. */
export const CSV_COLUMNS = [
  "month",
  "kitchen",
  "booking id",
  "start (kitchen time)",
  "status",
  "gross",
  "commission",
  "refunds",
  "net",
] as const;

// A spreadsheet runs a cell that starts with one of these as a formula
// (OWASP "CSV injection"); tab and CR do it in some programs too.
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field: neutralised against formula injection (a leading `'`), then
 * quoted when it holds a comma, a quote, CR or LF, with quotes doubled.
 */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** "1234.50" from cents: a plain number a spreadsheet reads, no currency sign. */
export function decimalCents(cents: number): string {
  const abs = Math.abs(cents);
  const text = `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
  return cents < 0 ? `-${text}` : text;
}

/** "2026-12-03T10:00-06:00": the wall clock of the kitchen, with its offset. */
function localStart(timeZone: string, ms: number): string {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timeZone)
    .toString({ smallestUnit: "minute", timeZoneName: "never" });
}

/**
 * The earnings export: a header and one row per booking whose money reached
 * the host, by start; lines end with CRLF as RFC 4180 says. `titles` maps
 * kitchen ids to their titles (host-written text, hence `csvCell`).
 */
export function earningsCsv(
  bookings: readonly EarningsBooking[],
  titles: Readonly<Record<string, string>>,
  now: number,
): string {
  const rows: string[][] = [[...CSV_COLUMNS]];
  for (const b of [...bookings].sort((a, z) => a.start - z.start)) {
    const e = bookingEarnings(b, now);
    if (!e) continue;
    rows.push([
      e.month,
      titles[b.kitchenId] ?? b.kitchenId,
      b.id,
      localStart(b.timeZone, b.start),
      b.status,
      decimalCents(e.grossCents),
      decimalCents(e.commissionCents),
      decimalCents(e.refundCents),
      decimalCents(e.netCents),
    ]);
  }
  return rows.map((r) => r.map(csvCell).join(",") + "\r\n").join("");
}
