/**
 * The host dashboard's data (`/host`): today, upcoming bookings and open
 * requests, a month calendar per kitchen, and earnings, with a CSV export.
 * The views come through the per-instance read cache together with what
 * the caller renders from them (components/HostDashboard.tsx), because
 * building and rendering them costs several times a page's budget.
 */
import { z } from "zod";
import { cached } from "../db/read_cache.ts";
import { startOfLocalDate } from "../kitchens/availability.ts";
import { localToday } from "../kitchens/free_time.ts";
import { getKitchen, listKitchenIdsByHost } from "../kitchens/repo.ts";
import { hostViewScope } from "./cache_keys.ts";
import {
  type EarningsBooking,
  earningsCsv,
  type EarningsSummary,
  summariseEarnings,
} from "./earnings.ts";
import { hostPayoutCents } from "./earnings.ts";
import { listBookingsByHost } from "./repo.ts";
import {
  buildCalendarMonth,
  type CalendarMonth,
  type GridBooking,
  type GridKitchen,
  MONTH_RE,
  monthOf,
} from "./month.ts";
import type { Booking } from "./schema.ts";

/** What the dashboard keeps of a booking. */
export type DashboardBooking =
  & GridBooking
  & EarningsBooking
  & Pick<Booking, "respondBy" | "waitingFor">
  & {
    payoutCents: number | null;
    /** In the upcoming list: the later dates of its weekly booking, listed once with it. */
    moreInSeries?: number;
  };

/** A kitchen of the host's that Prep staff suspended, and why (shown on the dashboard). */
export interface SuspendedKitchen {
  id: string;
  title: string;
  timeZone: string;
  suspension: { reason: string; at: number };
}

export interface DashboardData {
  /** Kitchen id → title. */
  titles: Record<string, string>;
  /** Listings never published yet (drafts), which have no calendar. */
  drafts: number;
  suspended: SuspendedKitchen[];
  /** Bookings on each kitchen's local today, by start. */
  today: DashboardBooking[];
  upcoming: DashboardBooking[];
  /** Upcoming bookings beyond those listed. */
  moreUpcoming: number;
  /** Requests still open, soonest deadline first (the first few). */
  requests: DashboardBooking[];
  requestCount: number;
  calendar: CalendarMonth;
  earnings: EarningsSummary;
  /** Months with earnings older than those shown. */
  olderEarningMonths: number;
  /** More bookings than the dashboard reads: the oldest are left out. */
  truncated: boolean;
}

const month = z.string().regex(MONTH_RE, "Pick a month like 2026-12");
/** The page's `?month=`: a month, or "" for the current one. */
export const dashboardQuery = z.object({
  month: z.union([z.literal(""), month]),
});
/** The calendar island's fetch: always a month. */
export const calendarQuery = z.object({ month });

/** Bookings read per host: the newest starts first, so a cut loses only the oldest. */
const MAX_BOOKINGS = 5_000;
const UPCOMING_SHOWN = 10;
const REQUESTS_SHOWN = 10;
const EARNINGS_MONTHS_SHOWN = 12;

interface Snapshot {
  kitchens: GridKitchen[];
  drafts: number;
  suspended: SuspendedKitchen[];
  bookings: DashboardBooking[];
  truncated: boolean;
}

/**
 * The host's kitchens (by title) and their bookings, keeping only what the
 * dashboard shows, so a cached copy stays small.
 */
async function loadSnapshot(kv: Deno.Kv, hostId: string): Promise<Snapshot> {
  const [ids, full] = await Promise.all([
    listKitchenIdsByHost(kv, hostId),
    listBookingsByHost(kv, hostId, MAX_BOOKINGS),
  ]);
  const kitchens: GridKitchen[] = [];
  let drafts = 0;
  const suspended: SuspendedKitchen[] = [];
  for (const k of await Promise.all(ids.map((id) => getKitchen(kv, id)))) {
    // A listing without a kitchen record is a draft (listings.ts).
    if (!k) drafts++;
    if (!k || k.hostId !== hostId) continue;
    const { id, title, timeZone, weeklyHours, blackoutDates } = k;
    kitchens.push({ id, title, timeZone, weeklyHours, blackoutDates });
    if (k.status === "suspended" && k.suspension) {
      const { reason, at } = k.suspension;
      suspended.push({ id, title, timeZone, suspension: { reason, at } });
    }
  }
  kitchens.sort((a, z) => a.title.localeCompare(z.title, "en"));
  const bookings = full.filter((b) => b.hostId === hostId).map((b) => ({
    id: b.id,
    kitchenId: b.kitchenId,
    start: b.start,
    end: b.end,
    status: b.status,
    timeZone: b.timeZone,
    localDate: b.localDate,
    holdExpiresAt: b.holdExpiresAt,
    respondBy: b.respondBy,
    ...(b.waitingFor ? { waitingFor: b.waitingFor } : {}),
    ...(b.seriesId ? { seriesId: b.seriesId } : {}),
    ledger: b.ledger,
    payoutCents: hostPayoutCents(b),
  }));
  return {
    kitchens,
    drafts,
    suspended,
    bookings,
    truncated: full.length >= MAX_BOOKINGS,
  };
}

/**
 * Through the per-instance read cache (lib/db/read_cache.ts), like public
 * pages: a host with hundreds of bookings would otherwise cost hundreds of
 * KV reads per view (DESIGN §10). So the dashboard may be up to five seconds
 * behind; nothing decides from it, and /host/bookings, where requests are
 * answered, reads fresh.
 */
function viewSnapshot(kv: Deno.Kv, hostId: string): Promise<Snapshot> {
  return cached(
    kv,
    `${hostViewScope(hostId)}bookings`,
    () => loadSnapshot(kv, hostId),
  );
}

function defaultMonth(s: Snapshot, now: number): string {
  return monthOf(s.kitchens[0]?.timeZone ?? "UTC", now);
}

function calendarOf(s: Snapshot, month: string, now: number): CalendarMonth {
  return buildCalendarMonth(s.kitchens, month, s.bookings, now);
}

function titlesOf(s: Snapshot): Record<string, string> {
  const titles: Record<string, string> = {};
  for (const k of s.kitchens) titles[k.id] = k.title;
  return titles;
}

/**
 * Requests in the order the host should answer them: the first due first,
 * and among those due together (the demo's, a series' dates) the earliest
 * hours first.
 */
export function byAnswerDue(
  a: Pick<Booking, "respondBy" | "start">,
  z: Pick<Booking, "respondBy" | "start">,
): number {
  return (a.respondBy ?? Infinity) - (z.respondBy ?? Infinity) ||
    a.start - z.start;
}

/**
 * A weekly booking's dates listed once, at its next date, with how many
 * more follow (the calendar shows each); other bookings as they are.
 */
function onePerSeries<B extends Pick<Booking, "seriesId">>(
  sorted: B[],
): (B & { moreInSeries?: number })[] {
  const first = new Map<string, B & { moreInSeries?: number }>();
  const out: (B & { moreInSeries?: number })[] = [];
  for (const b of sorted) {
    if (!b.seriesId) {
      out.push(b);
      continue;
    }
    const seen = first.get(b.seriesId);
    if (seen) {
      seen.moreInSeries = (seen.moreInSeries ?? 0) + 1;
      continue;
    }
    const listed = { ...b, moreInSeries: 0 };
    first.set(b.seriesId, listed);
    out.push(listed);
  }
  return out;
}

/**
 * The requests a host has yet to answer, the first due first, a weekly
 * booking once (answered on its own page). Hours waiting for Prep to check
 * the renter's documents are not the host's to answer.
 */
export function awaitingAnswer<
  B extends Pick<
    Booking,
    "status" | "respondBy" | "start" | "seriesId" | "waitingFor"
  >,
>(bookings: readonly B[], now: number): (B & { moreInSeries?: number })[] {
  return onePerSeries(
    bookings.filter((b) =>
      b.status === "requested" && b.respondBy !== null && b.respondBy > now &&
      b.waitingFor !== "documents"
    ).sort(byAnswerDue),
  );
}

function buildDashboard(
  s: Snapshot,
  month: string,
  now: number,
): DashboardData {
  const live = s.bookings.filter((b) =>
    b.status === "confirmed" || b.status === "requested" ||
    b.status === "scheduled"
  );
  // Today's span on each zone's wall clock, worked out once per zone.
  const todays = new Map<string, [number, number]>();
  const isToday = (b: DashboardBooking) => {
    let span = todays.get(b.timeZone);
    if (!span) {
      const today = localToday(b.timeZone, now);
      const next = Temporal.PlainDate.from(today).add({ days: 1 }).toString();
      span = [
        startOfLocalDate(today, b.timeZone),
        startOfLocalDate(next, b.timeZone),
      ];
      todays.set(b.timeZone, span);
    }
    return b.start < span[1] && b.end > span[0];
  };
  const byStart = (a: DashboardBooking, z: DashboardBooking) =>
    a.start - z.start;
  const today = [
    ...live,
    ...s.bookings.filter((b) => b.status === "completed"),
  ].filter(isToday).sort(byStart);
  const upcoming = onePerSeries(
    live.filter((b) => b.start > now && !isToday(b)).sort(byStart),
  );
  const requests = awaitingAnswer(s.bookings, now);
  const earnings = summariseEarnings(s.bookings, now);
  return {
    titles: titlesOf(s),
    drafts: s.drafts,
    suspended: s.suspended,
    today,
    upcoming: upcoming.slice(0, UPCOMING_SHOWN),
    moreUpcoming: Math.max(0, upcoming.length - UPCOMING_SHOWN),
    requests: requests.slice(0, REQUESTS_SHOWN),
    requestCount: requests.length,
    calendar: calendarOf(s, month, now),
    earnings: {
      ...earnings,
      months: earnings.months.slice(0, EARNINGS_MONTHS_SHOWN),
    },
    olderEarningMonths: Math.max(
      0,
      earnings.months.length - EARNINGS_MONTHS_SHOWN,
    ),
    truncated: s.truncated,
  };
}

/**
 * The dashboard for `month` ("" for the kitchens' current one) as `render`
 * turns it into what the page needs, cached per host and month: the grids'
 * open hours, the earnings and their HTML are what cost.
 */
export async function viewHostDashboard<T>(
  kv: Deno.Kv,
  hostId: string,
  month: string,
  now: number,
  render: (data: DashboardData) => T,
): Promise<T> {
  const snapshot = await viewSnapshot(kv, hostId);
  const chosen = month || defaultMonth(snapshot, now);
  return await cached(
    kv,
    `${hostViewScope(hostId)}dashboard:${chosen}`,
    () => Promise.resolve(render(buildDashboard(snapshot, chosen, now))),
  );
}

/** One month of the calendar, as `render` turns it into the island's answer, cached like the dashboard. */
export async function viewHostMonth<T>(
  kv: Deno.Kv,
  hostId: string,
  month: string,
  now: number,
  render: (calendar: CalendarMonth) => T,
): Promise<T> {
  const snapshot = await viewSnapshot(kv, hostId);
  return await cached(
    kv,
    `${hostViewScope(hostId)}calendar:${month}`,
    () => Promise.resolve(render(calendarOf(snapshot, month, now))),
  );
}

/** Every booking whose money reached the host, one CSV row each; read fresh. */
export async function hostEarningsCsv(
  kv: Deno.Kv,
  hostId: string,
  now: number,
): Promise<{ csv: string; filename: string }> {
  const s = await loadSnapshot(kv, hostId);
  const day = new Date(now).toISOString().slice(0, 10);
  return {
    csv: earningsCsv(s.bookings, titlesOf(s), now),
    filename: `prep-earnings-${day}.csv`,
  };
}
