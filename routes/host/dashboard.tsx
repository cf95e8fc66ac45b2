import { hostViewScope } from "../../lib/bookings/cache_keys.ts";
import { Hono } from "hono";
import { z } from "zod";
import {
  type DashboardBooking,
  type DashboardData,
  HostDashboard,
  renderDashboardParts,
  renderGrids,
} from "../../components/HostDashboard.tsx";
import type { MonthPage } from "../../islands/MonthCalendar.tsx";
import { earningsCsv, summariseEarnings } from "../../lib/bookings/earnings.ts";
import { listBookingsByHost } from "../../lib/bookings/repo.ts";
import {
  buildCalendarMonth,
  type CalendarMonth,
  type GridKitchen,
  MONTH_RE,
  monthOf,
} from "../../lib/bookings/month.ts";
import { cached } from "../../lib/db/read_cache.ts";
import { ValidationError } from "../../lib/errors.ts";
import { startOfLocalDate } from "../../lib/kitchens/availability.ts";
import { localToday } from "../../lib/kitchens/free_time.ts";
import { getKitchen, listKitchenIdsByHost } from "../../lib/kitchens/repo.ts";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import { readQuery } from "../forms.ts";
import { attachment } from "../headers.ts";

/**
 * The host dashboard (`/host`): today, upcoming bookings and open requests,
 * a month calendar per kitchen, and earnings, with a CSV export. Mounted on
 * the host area, whose middleware has already required a signed-in host.
 */
export const dashboard = new Hono<AppEnv>();

/** Bookings read per host: the newest starts first, so a cut loses only the oldest. */
const MAX_BOOKINGS = 5_000;
const UPCOMING_SHOWN = 10;
const REQUESTS_SHOWN = 10;
const EARNINGS_MONTHS_SHOWN = 12;

interface Snapshot {
  kitchens: GridKitchen[];
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
  for (const k of await Promise.all(ids.map((id) => getKitchen(kv, id)))) {
    if (!k || k.hostId !== hostId) continue;
    const { id, title, timeZone, weeklyHours, blackoutDates } = k;
    kitchens.push({ id, title, timeZone, weeklyHours, blackoutDates });
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
    ledger: b.ledger,
    payoutCents: b.quote.hostPayoutCents,
  }));
  return { kitchens, bookings, truncated: full.length >= MAX_BOOKINGS };
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

function buildDashboard(
  s: Snapshot,
  month: string,
  now: number,
): DashboardData {
  const titles: Record<string, string> = {};
  for (const k of s.kitchens) titles[k.id] = k.title;
  const live = s.bookings.filter((b) =>
    b.status === "confirmed" || b.status === "requested"
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
  const upcoming = live.filter((b) => b.start > now && !isToday(b)).sort(
    byStart,
  );
  const requests = s.bookings.filter((b) =>
    b.status === "requested" && b.respondBy !== null && b.respondBy > now
  ).sort((a, z) => a.respondBy! - z.respondBy!);
  const earnings = summariseEarnings(s.bookings, now);
  return {
    titles,
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

const month = z.string().regex(MONTH_RE, "Pick a month like 2026-12");
/** The page: a month, or none for the current one. */
const pageQuery = z.object({ month: z.union([z.literal(""), month]) });
/** The island's fetch: always a month. */
const calendarQuery = z.object({ month });

/** `?month=` if given and valid; "" when absent; a ValidationError (400) otherwise. */
function monthParam(c: AppContext): string {
  const read = readQuery(c, pageQuery);
  if (!read.ok) {
    throw new ValidationError(
      read.form.errors,
      "That month is not one we can show. Pick a month like 2026-12.",
    );
  }
  return read.data.month;
}

dashboard.get("/", async (c) => {
  const month = monthParam(c);
  const now = c.var.services.clock();
  const hostId = c.var.user!.id;
  const snapshot = await viewSnapshot(c.var.services.kv, hostId);
  const chosen = month || defaultMonth(snapshot, now);
  // The view is cached rendered: its grids' open hours, its earnings and
  // its HTML cost several times a page's budget (components/HostDashboard.tsx).
  const parts = await cached(
    c.var.services.kv,
    `${hostViewScope(hostId)}dashboard:${chosen}`,
    () =>
      Promise.resolve(
        renderDashboardParts(buildDashboard(snapshot, chosen, now)),
      ),
  );
  return page(c, { title: "Host dashboard" }, <HostDashboard parts={parts} />);
});

/** A month's grids, rendered, as JSON: the calendar island's previous/next. */
dashboard.get("/calendar.json", async (c) => {
  const read = readQuery(c, calendarQuery);
  if (!read.ok) return c.json({ error: "Pick a month like 2026-12." }, 400);
  const { month } = read.data;
  const now = c.var.services.clock();
  const hostId = c.var.user!.id;
  const snapshot = await viewSnapshot(c.var.services.kv, hostId);
  const answer = await cached(
    c.var.services.kv,
    `${hostViewScope(hostId)}calendar:${month}`,
    () => {
      const calendar = calendarOf(snapshot, month, now);
      const { grids: _, ...nav } = calendar;
      return Promise.resolve<MonthPage>({
        ...nav,
        html: renderGrids(calendar),
      });
    },
  );
  return c.json(answer);
});

/** Every booking whose money reached the host, one row each; read fresh. */
dashboard.get("/earnings.csv", async (c) => {
  const now = c.var.services.clock();
  const s = await loadSnapshot(c.var.services.kv, c.var.user!.id);
  const titles: Record<string, string> = {};
  for (const k of s.kitchens) titles[k.id] = k.title;
  const day = new Date(now).toISOString().slice(0, 10);
  return c.body(earningsCsv(s.bookings, titles, now), 200, {
    "Content-Type": "text/csv; charset=utf-8; header=present",
    "Content-Disposition": attachment(`prep-earnings-${day}.csv`),
    "Cache-Control": "private, no-store",
  });
});
