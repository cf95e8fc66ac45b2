/**
 * The host dashboard's charts: what the host kept each month (by the month
 * of the stay, as the earnings table counts it) for the last 12 months, and
 * for each kitchen how often each weekday × hour was booked over the last
 * 12 weeks. Both read the counters the booking writes keep per kitchen
 * (metrics.ts, lib/metrics), never the bookings; a kitchen's open hours
 * come from its weekly hours, on read (lib/metrics/schema.ts).
 */
import { cached } from "../db/read_cache.ts";
import { getKitchens, listKitchenIdsByHost } from "../kitchens/repo.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import { readCells, readScopeCounts } from "../metrics/repo.ts";
import {
  lastMonths,
  lastWeeks,
  mondayOf,
  openHoursOf,
  openMinutesByCell,
} from "../metrics/schema.ts";
import { hostViewScope } from "./cache_keys.ts";

export const MONTHS = 12;
export const HEAT_WEEKS = 12;
/** Kitchens with a heat map, at most (the rest are named). */
export const MAX_HEAT_MAPS = 20;

export interface KitchenHeat {
  id: string;
  title: string;
  /**
   * Per weekday × hour (Monday 0:00 is 0, Sunday 23:00 is 167): booked ÷
   * open minutes over the weeks, at most 1; null where it was never open
   * and nothing was booked.
   */
  cells: (number | null)[];
  bookedMinutes: number;
  openMinutes: number;
}

export interface HostFigures {
  /** Oldest first: "2026-01" and what the host kept of stays that month, in cents. */
  months: { month: string; netCents: number }[];
  /** The Mondays of the first and last week the heat maps cover. */
  weeks: [string, string];
  kitchens: KitchenHeat[];
  /** Kitchens beyond those with a heat map. */
  moreKitchens: number;
}

/** A kitchen's cells from its booked minutes and open minutes (pure). */
export function heatCells(
  booked: readonly number[],
  open: readonly number[],
): (number | null)[] {
  return booked.map((b, i) =>
    open[i] > 0 ? Math.min(1, b / open[i]) : b > 0 ? 1 : null
  );
}

async function load(
  kv: Deno.Kv,
  hostId: string,
  today: string,
): Promise<HostFigures> {
  const ids = await listKitchenIdsByHost(kv, hostId);
  const kitchens = (await getKitchens(kv, ids)).filter((k): k is Kitchen =>
    k !== null && k.hostId === hostId
  ).sort((a, b) => a.title.localeCompare(b.title, "en"));
  const months = lastMonths(today, MONTHS);
  const weeks = lastWeeks(today, HEAT_WEEKS);
  const net = new Map(months.map((m) => [m, 0]));
  await Promise.all(kitchens.map(async (k) => {
    const counts = await readScopeCounts(
      kv,
      { kind: "kitchen", id: k.id },
      months[0],
      months.at(-1)!,
    );
    for (const [month, names] of counts) {
      net.set(
        month,
        (net.get(month) ?? 0) + (names.get("host_net_cents") ?? 0),
      );
    }
  }));
  const mapped = kitchens.slice(0, MAX_HEAT_MAPS);
  const heat = await Promise.all(mapped.map(async (k) => {
    const booked = await readCells(kv, k.id, weeks[0], weeks.at(-1)!);
    const open = openMinutesByCell(openHoursOf(k), weeks);
    return {
      id: k.id,
      title: k.title,
      cells: heatCells(booked, open),
      bookedMinutes: booked.reduce((a, b) => a + b, 0),
      openMinutes: open.reduce((a, b) => a + b, 0),
    };
  }));
  return {
    months: months.map((m) => ({ month: m.slice(2), netCents: net.get(m)! })),
    weeks: [mondayOf(weeks[0]), mondayOf(weeks.at(-1)!)],
    kitchens: heat,
    moreKitchens: kitchens.length - mapped.length,
  };
}

/**
 * The charts as `render` turns them into what the page needs, cached with
 * the host's other views (any booking of theirs drops them).
 */
export function viewHostFigures<T>(
  kv: Deno.Kv,
  hostId: string,
  now: number,
  render: (figures: HostFigures) => T,
): Promise<T> {
  const today = new Date(now).toISOString().slice(0, 10);
  return cached(
    kv,
    `${hostViewScope(hostId)}figures:${today}`,
    async () => render(await load(kv, hostId, today)),
  );
}
