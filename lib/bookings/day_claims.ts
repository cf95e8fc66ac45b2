/**
 * A kitchen's calendar: one document per kitchen per local day holding the
 * time taken that day (DESIGN §5). Every write that takes a kitchen's time
 * reads the day documents it touches and checks their versionstamps in the
 * atomic that writes it, so two writers can never both take overlapping
 * time. Day documents, not per-slot keys, keep a booking to at most three
 * checks (self-hosted denokv allows ten per atomic).
 *
 * Pure: the repo reads and writes the documents.
 */
import type { Interval } from "../kitchens/availability.ts";

export interface CalendarClaim {
  /** What holds the time: a booking id (later also a host block or an imported event). */
  ref: string;
  start: number;
  end: number;
  /** The kitchen's buffer when claimed: no other claim may come closer. */
  bufferMs: number;
  /** A hold's end; null once the time is firmly taken. Expired holds are free. */
  expiresAt: number | null;
}

export interface CalendarDay {
  v: 1;
  claims: CalendarClaim[];
}

export const EMPTY_DAY: CalendarDay = { v: 1, claims: [] };

/**
 * Claims a day document may hold: a claim serialises to at most about 107
 * bytes, so 500 stay near 53 KiB, under KV's 64 KiB value limit
 * (tests/unit/calendar_sync_test.ts measures it). Blocks stop well before
 * (bookings/blocks.ts MAX_DAY_CLAIMS); bookings, which never overlap and
 * last an hour at least, add a few dozen at most, so only a record written
 * before the caps can reach this — and then a write refuses cleanly.
 */
export const MAX_CLAIMS_PER_DAY = 500;

const DAY_MS = 24 * 3600_000;

/** Whether a claim still holds its time at `now`. */
export function isLiveClaim(c: CalendarClaim, now: number): boolean {
  return c.expiresAt === null || c.expiresAt > now;
}

/**
 * The local dates a claim touches, buffer included: every day document that
 * a conflicting claim must also be in.
 */
export function claimDays(
  timeZone: string,
  start: number,
  end: number,
  bufferMs: number,
): string[] {
  const from = start - bufferMs;
  const to = end + bufferMs;
  const days: string[] = [];
  let date = Temporal.Instant.fromEpochMilliseconds(from)
    .toZonedDateTimeISO(timeZone).toPlainDate();
  const last = Temporal.Instant.fromEpochMilliseconds(to - 1)
    .toZonedDateTimeISO(timeZone).toPlainDate();
  while (Temporal.PlainDate.compare(date, last) <= 0) {
    days.push(date.toString());
    date = date.add({ days: 1 });
    if (days.length > Math.ceil((to - from) / DAY_MS) + 2) break;
  }
  return days;
}

/**
 * The live claims that `claim` would come too close to: closer than the
 * larger of the two buffers, so a buffer set later never squeezes in
 * between bookings taken under a larger one.
 */
export function conflictsWith(
  claims: readonly CalendarClaim[],
  claim: Pick<CalendarClaim, "ref" | "start" | "end" | "bufferMs">,
  now: number,
): CalendarClaim[] {
  return claims.filter((c) => {
    if (c.ref === claim.ref || !isLiveClaim(c, now)) return false;
    const gap = Math.max(c.bufferMs, claim.bufferMs);
    return c.start < claim.end + gap && c.end > claim.start - gap;
  });
}

/** The day with `claim` added and claims expired by `now` dropped. */
export function withClaim(
  day: CalendarDay,
  claim: CalendarClaim,
  now: number,
): CalendarDay {
  return {
    v: 1,
    claims: [
      ...day.claims.filter((c) => c.ref !== claim.ref && isLiveClaim(c, now)),
      claim,
    ].sort((a, b) => a.start - b.start),
  };
}

/** The day without `ref`'s claim (a cancellation, expiry or decline). */
export function withoutClaim(day: CalendarDay, ref: string): CalendarDay {
  return { v: 1, claims: day.claims.filter((c) => c.ref !== ref) };
}

/** The day with `ref`'s hold made firm (payment confirmed). */
export function withFirmClaim(day: CalendarDay, ref: string): CalendarDay {
  return {
    v: 1,
    claims: day.claims.map((c) =>
      c.ref === ref ? { ...c, expiresAt: null } : c
    ),
  };
}

/** Busy intervals of the live claims, for the availability engine. */
export function busyIntervals(
  days: readonly CalendarDay[],
  now: number,
): Interval[] {
  const seen = new Set<string>();
  const out: Interval[] = [];
  for (const day of days) {
    for (const c of day.claims) {
      if (seen.has(c.ref) || !isLiveClaim(c, now)) continue;
      seen.add(c.ref);
      out.push({ start: c.start, end: c.end });
    }
  }
  return out;
}
