/**
 * What a standing booking's pages show (issue 19 §5): the series with every
 * date — its status, price, receipt, access code in its window, whether it
 * can be paid or cancelled now — for its renter, its host or staff; the
 * renter's and the host's series for their lists; the `.ics` of every date.
 */
import { getHost } from "../hosts/repo.ts";
import { getKitchen } from "../kitchens/repo.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import { NotFoundError } from "../errors.ts";
import { bookingsCalendar, icsFileName } from "./ics.ts";
import { accessCodeVisible } from "./lifecycle.ts";
import { referenceOf } from "./reference.ts";
import {
  getBookings,
  getSeries,
  listSeriesByHost,
  listSeriesByRenter,
} from "./repo.ts";
import { cached } from "../db/read_cache.ts";
import { RENTER_VIEWS } from "./cache_keys.ts";
import type { Booking, Series, SeriesOccurrence } from "./schema.ts";
import { seriesBookings } from "./series.ts";
import { canPayDate } from "./series_dates.ts";
import { futureDates, getSeriesFor, seriesCounts } from "./series_manage.ts";

export type SeriesViewer = "renter" | "host" | "staff";

/** One date of a series as its page lists it. */
export interface SeriesDateView {
  occurrence: SeriesOccurrence;
  /** The date's booking, when it was claimed. */
  booking: Booking | null;
  reference: string | null;
  accessCode: string | null;
  hasReceipt: boolean;
  /** The renter can pay for it on Checkout (its charge did not go through). */
  canPay: boolean;
  /** The renter or the host can cancel just this date. */
  canCancel: boolean;
}

export interface SeriesView {
  series: Series;
  kitchen: Kitchen;
  hostName: string;
  viewer: SeriesViewer;
  dates: SeriesDateView[];
  counts: ReturnType<typeof seriesCounts>;
  /** Booked dates still ahead: what "cancel the rest" or "end" would cancel. */
  ahead: number;
  /** The renter may still pay for the first date (the series' hold has not lapsed). */
  canPay: boolean;
  /** The date paid at Checkout. */
  lead: Booking | null;
}

/** Its renter, its host and staff see a series (as `getSeriesFor` decides). */
function maySee(
  s: Series,
  viewer: { id: string; roles: readonly string[] },
): boolean {
  return s.renterId === viewer.id || s.hostId === viewer.id ||
    viewer.roles.includes("admin") || viewer.roles.includes("support");
}

function viewerOf(s: Series, viewer: { id: string }): SeriesViewer {
  return s.renterId === viewer.id
    ? "renter"
    : s.hostId === viewer.id
    ? "host"
    : "staff";
}

/** A series as its renter, its host or staff sees it now. */
export async function loadSeriesPage(
  kv: Deno.Kv,
  id: string,
  viewer: { id: string; roles: readonly string[] },
  now: number,
): Promise<SeriesView> {
  // A series, its kitchen, host and dates, through the read cache (its
  // 26 dates cost as many reads): every booking or series write drops it.
  const data = await cached(kv, `${RENTER_VIEWS}series:${id}`, async () => {
    const series = await getSeries(kv, id);
    if (!series) return null;
    const [kitchen, host, bookings] = await Promise.all([
      getKitchen(kv, series.kitchenId),
      getHost(kv, series.hostId),
      seriesBookings(kv, series),
    ]);
    return { series, kitchen, host, bookings };
  }, (found) => found !== null);
  if (!data || !maySee(data.series, viewer)) {
    throw new NotFoundError("We could not find that booking.");
  }
  const { series, kitchen, host, bookings } = data;
  if (!kitchen) throw new NotFoundError("We could not find that kitchen.");
  const who = viewerOf(series, viewer);
  const byId = new Map(bookings.map((b) => [b.id, b]));
  const dates = series.occurrences.map((o): SeriesDateView => {
    const b = o.bookingId ? byId.get(o.bookingId) ?? null : null;
    const open = b !== null && b.start > now &&
      (b.status === "confirmed" || b.status === "scheduled");
    return {
      occurrence: o,
      booking: b,
      reference: b ? referenceOf(b) : null,
      accessCode: b && who !== "staff" && accessCodeVisible(b, now)
        ? b.accessCode
        : null,
      // A receipt exists once the card was charged (pages.ts wasCharged).
      hasReceipt: b ? b.ledger.some((e) => e.kind === "charge") : false,
      canPay: b !== null && who === "renter" && canPayDate(b, viewer.id, now),
      canCancel: open && who !== "staff",
    };
  });
  const lead = series.leadId ? byId.get(series.leadId) ?? null : null;
  return {
    series,
    kitchen,
    hostName: host?.name ?? "the host",
    viewer: who,
    dates,
    counts: seriesCounts(bookings),
    ahead: futureDates(bookings, now).length,
    canPay: who === "renter" && series.status === "held" &&
      lead?.status === "held" && (lead.holdExpiresAt ?? 0) > now,
    lead,
  };
}

/** A series in a list: its kitchen, its next booked date and how many are left. */
export interface SeriesSummary {
  series: Series;
  title: string;
  next: Booking | null;
  ahead: number;
  counts: ReturnType<typeof seriesCounts>;
}

/**
 * Each series with its next date and counts. `known` holds bookings the
 * caller has read already (the renter's or host's list): only the dates
 * not among them are read again.
 */
async function summaries(
  kv: Deno.Kv,
  list: Series[],
  now: number,
  known: ReadonlyMap<string, Booking> = new Map(),
): Promise<SeriesSummary[]> {
  const kitchenIds = [...new Set(list.map((s) => s.kitchenId))];
  const titles = new Map(
    await Promise.all(
      kitchenIds.map(async (id) =>
        [id, (await getKitchen(kv, id))?.title ?? "Kitchen"] as const
      ),
    ),
  );
  const missing = list.flatMap((s) =>
    s.occurrences.flatMap((o) =>
      o.bookingId && !known.has(o.bookingId) ? [o.bookingId] : []
    )
  );
  const read = new Map(known);
  for (const b of await getBookings(kv, missing)) read.set(b.id, b);
  return list.map((s) => {
    const bookings = s.occurrences.flatMap((o) =>
      o.bookingId && read.has(o.bookingId) ? [read.get(o.bookingId)!] : []
    ).sort((a, b) => a.start - b.start);
    const ahead = futureDates(bookings, now);
    return {
      series: s,
      title: titles.get(s.kitchenId)!,
      next: ahead[0] ?? bookings.find((b) =>
        b.end > now && (b.status === "held" || b.status === "requested")
      ) ?? null,
      ahead: ahead.length,
      counts: seriesCounts(bookings),
    };
  });
}

/** The renter's standing bookings, newest first, for /bookings. */
export async function loadRenterSeries(
  kv: Deno.Kv,
  renterId: string,
  now: number,
  known?: ReadonlyMap<string, Booking>,
): Promise<SeriesSummary[]> {
  return await summaries(
    kv,
    await listSeriesByRenter(kv, renterId),
    now,
    known,
  );
}

/** The host's standing bookings still in play (being paid, asked for or under way), for /host/bookings. */
export async function loadHostSeries(
  kv: Deno.Kv,
  hostId: string,
  now: number,
  known?: ReadonlyMap<string, Booking>,
): Promise<SeriesSummary[]> {
  const live = (await listSeriesByHost(kv, hostId)).filter((s) =>
    s.status === "requested" || s.status === "active" || s.status === "held"
  );
  return await summaries(kv, live, now, known);
}

/** Every date of a series in one calendar file (.ics), for its renter, host or staff. */
export async function loadSeriesCalendar(
  kv: Deno.Kv,
  id: string,
  viewer: { id: string; roles: readonly string[] },
  opts: { baseUrl: string; now: number },
): Promise<{ ics: string; filename: string }> {
  const series = await getSeriesFor(kv, id, viewer);
  const [kitchen, bookings] = await Promise.all([
    getKitchen(kv, series.kitchenId),
    seriesBookings(kv, series),
  ]);
  if (!kitchen) throw new NotFoundError("We could not find that kitchen.");
  return {
    ics: bookingsCalendar({ bookings, kitchen, ...opts }),
    filename: icsFileName(`${kitchen.title} weekly`),
  };
}
