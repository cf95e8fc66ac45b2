/**
 * Standing-booking benchmarks (issue 19, DESIGN §16):
 *
 * - `benchSeriesClaim`: claiming a 26-date series through `claimSeries`, the
 *   function the claim route calls, on a temp-file KV with the city's real
 *   rules (permits and a renter's wallet on file): each of its 26 dates is
 *   held in its own atomic through the kitchen's calendar, the city's
 *   verdict recomputed for each. Also the preview of the same 26 dates.
 *   Time per claim (p50, p99, max) and per date.
 * - `seedRenterSeries`: 5 weekly bookings of 26 dates each for one renter,
 *   paid and scheduled as a real one would be, for the renter's pages.
 */
import type { SessionUser } from "../lib/accounts/schema.ts";
import type { BookingPolicy } from "../lib/bookings/holds.ts";
import { confirmPayment } from "../lib/bookings/lifecycle.ts";
import type { Series } from "../lib/bookings/schema.ts";
import {
  claimSeries,
  previewSeries,
  type SeriesDeps,
  settleSeries,
} from "../lib/bookings/series.ts";
import {
  MAX_OCCURRENCES,
  type SeriesRule,
} from "../lib/bookings/series_rule.ts";
import { compliancePolicy } from "../lib/compliance/booking_policy.ts";
import { keys } from "../lib/db/keys.ts";
import { readyDemoPayout } from "../lib/hosts/payouts.ts";
import type { Host } from "../lib/hosts/schema.ts";
import { newId } from "../lib/ids.ts";
import { localToday } from "../lib/kitchens/free_time.ts";
import { addKitchenCreate, newKitchen } from "../lib/kitchens/repo.ts";
import type { Kitchen } from "../lib/kitchens/schema.ts";
import { givePermits, giveWallet } from "../tests/compliance_helpers.ts";
import { ALLOW_ALL, kitchenFixture } from "../tests/helpers.ts";
import type { Latency } from "./holds.ts";

const FEES = { renterFeeBps: 0, platformFeeBps: 1500 };
const MAIL = {
  from: "bench@prep.test",
  baseUrl: "http://127.0.0.1",
  wake: false,
};

function renter(now: number): SessionUser {
  const at = new Date(now).toISOString();
  return {
    v: 1,
    id: newId(),
    email: "bench@prep.test",
    name: "Bench Renter",
    roles: ["renter"],
    emailVerifiedAt: at,
    phone: null,
    businessName: null,
    createdAt: at,
    updatedAt: at,
  };
}

function latencyOf(ms: number[]): Latency {
  const sorted = ms.toSorted((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

/** Open every hour of every day, one-hour bookings allowed: a series per hour fits. */
const SERIES_KITCHEN = kitchenFixture({
  title: "Bench Weekly Kitchen",
  description: "The kitchen every round of the series benchmark books weekly.",
  equipment: ["convection_oven"],
  storage: ["dry"],
  minHours: 1,
  maxHours: 12,
  weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((day) => ({
    day,
    start: "00:00",
    end: "24:00",
  })),
  standingBookings: true,
  standingMonthsAhead: 6,
});

export interface SeriesClaimResult {
  rounds: number;
  /** Dates held per claim (every round must hold all 26). */
  dates: number;
  claim: Latency;
  preview: Latency;
  /** Dates held in all, and live bookings closer than none: must be 0. */
  held: number;
  overlapping: number;
}

/**
 * `rounds` claims of a 26-date series (every day of the week, one hour,
 * a different hour of one of two kitchens each round so none conflicts),
 * each by a fresh renter with a verified wallet, under the city's real
 * rules; after one claim not counted, which warms the code up.
 */
export async function benchSeriesClaim(
  opts: { rounds?: number } = {},
): Promise<SeriesClaimResult> {
  const rounds = Math.min(opts.rounds ?? 40, 47);
  const dir = await Deno.makeTempDir({ prefix: "prep-bench-series-" });
  const kv = await Deno.openKv(`${dir}/series.kv`);
  try {
    const now = Date.now();
    const host: Host = {
      v: 2,
      id: newId(),
      name: "Bench Host",
      about: "",
      createdAt: new Date(now).toISOString(),
      payout: readyDemoPayout(new Date(now).toISOString()),
    };
    await kv.set(keys.host(host.id), host);
    const kitchens: Kitchen[] = [];
    for (let i = 0; i < 2; i++) {
      const kitchen = newKitchen(host.id, SERIES_KITCHEN, {
        status: "published",
      });
      if (!(await addKitchenCreate(kv.atomic(), kitchen).commit()).ok) {
        throw new Error("could not write the bench kitchen");
      }
      await givePermits(kv, kitchen, now);
      kitchens.push(kitchen);
    }
    const from = Temporal.PlainDate.from(
      localToday(kitchens[0].timeZone, now),
    ).add({ days: 2 }).toString();
    const claims: number[] = [];
    const previews: number[] = [];
    let held = 0;
    let dates = MAX_OCCURRENCES;
    for (let r = 0; r <= rounds; r++) {
      const kitchen = kitchens[Math.floor(r / 24)];
      const h = r % 24;
      const who = renter(Date.now());
      await giveWallet(kv, who.id, Date.now());
      const hour = String(h).padStart(2, "0");
      const end = String(h + 1).padStart(2, "0");
      const rule: SeriesRule = {
        weekdays: [1, 2, 3, 4, 5, 6, 7],
        start: `${hour}:00`,
        end: h === 23 ? "24:00" : `${end}:00`,
        every: 1,
        from,
        until: null,
        count: MAX_OCCURRENCES,
      };
      const deps: SeriesDeps = {
        kv,
        now: Date.now(),
        fees: FEES,
        policy: compliancePolicy,
        wake: false,
        payments: "demo",
        mail: MAIL,
      };
      const p0 = performance.now();
      const preview = await previewSeries(deps, {
        kitchen: kitchen.id,
        rule,
      }, who.id);
      const p1 = performance.now();
      const { series } = await claimSeries(deps, who, {
        kitchen: kitchen.id,
        rule,
        keep: preview.dates.map((d) => d.n),
        acknowledge: preview.conditions.map((c) => c.code),
        message: null,
      });
      const c1 = performance.now();
      const got = series.occurrences.filter((o) =>
        o.state === "claimed"
      ).length;
      held += got;
      dates = Math.min(dates, got);
      // The first round warms the code up; it is checked, not timed.
      if (r === 0) continue;
      previews.push(p1 - p0);
      claims.push(c1 - p1);
    }
    // What is held, as stored: no two bookings of a kitchen overlap.
    let overlapping = 0;
    for (const kitchen of kitchens) {
      const won: { start: number; end: number }[] = [];
      for await (
        const e of kv.list<string>({
          prefix: keys.bookingsByKitchenPrefix(kitchen.id),
        })
      ) {
        const b = (await kv.get<{ start: number; end: number }>(
          keys.booking(e.value),
        )).value!;
        won.push(b);
      }
      won.sort((a, b) => a.start - b.start);
      for (let i = 1; i < won.length; i++) {
        if (won[i].start < won[i - 1].end) overlapping++;
      }
    }
    return {
      rounds,
      dates,
      // The warm-up round's dates count too: they are held as well.
      claim: latencyOf(claims),
      preview: latencyOf(previews),
      held,
      overlapping,
    };
  } finally {
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * The weekdays a kitchen keeps the same hours on, and those hours, cut to
 * `minHours` from an hour after opening: where a weekly booking fits.
 */
function weeklySlot(
  k: Kitchen,
): { weekdays: number[]; start: string; end: string } | null {
  const byHours = new Map<string, number[]>();
  for (const r of k.weeklyHours) {
    if (r.end <= r.start) continue;
    const key = `${r.start}-${r.end}`;
    byHours.set(key, [...(byHours.get(key) ?? []), r.day]);
  }
  const best = [...byHours].sort((a, b) => b[1].length - a[1].length)[0];
  if (!best || best[1].length < 2) return null;
  const [open, close] = best[0].split("-");
  const minutes = (t: string) =>
    Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  const clock = (m: number) =>
    `${String(Math.floor(m / 60)).padStart(2, "0")}:${
      String(m % 60).padStart(2, "0")
    }`;
  const from = Math.ceil(minutes(open) / 30) * 30 + 60;
  const to = from + k.minHours * 60;
  if (to > minutes(close)) return null;
  return {
    weekdays: [...new Set(best[1])].sort().slice(0, 4),
    start: clock(from),
    end: clock(to),
  };
}

/**
 * `count` weekly bookings of 26 dates for `renterId` on kitchens that take
 * them, each claimed, its first date paid (demo) and the rest scheduled, as
 * a renter's would be. The city's rules are not what this measures: they
 * are left out (ALLOW_ALL). Returns the series made and their dates.
 */
export async function seedRenterSeries(
  kv: Deno.Kv,
  renterId: string,
  kitchens: readonly Kitchen[],
  count: number,
): Promise<{ series: number; bookings: number }> {
  const policy: BookingPolicy = ALLOW_ALL;
  const now = Date.now();
  const who = { ...renter(now), id: renterId };
  let series = 0;
  let bookings = 0;
  for (const k of kitchens) {
    if (series >= count) break;
    const slot = weeklySlot(k);
    if (!slot || k.standingBookings !== true) continue;
    await kv.set(keys.host(k.hostId), {
      ...(await kv.get<Host>(keys.host(k.hostId))).value!,
      payout: readyDemoPayout(new Date(now).toISOString()),
    });
    const deps: SeriesDeps = {
      kv,
      now,
      fees: FEES,
      policy,
      wake: false,
      payments: "demo",
      mail: MAIL,
    };
    const from = Temporal.PlainDate.from(localToday(k.timeZone, now)).add({
      days: Math.ceil(k.minNoticeHours / 24) + 1,
    }).toString();
    let made: Series;
    try {
      const { series: s, lead } = await claimSeries(deps, who, {
        kitchen: k.id,
        rule: {
          ...slot,
          every: 1,
          from,
          until: null,
          count: MAX_OCCURRENCES,
        },
        keep: Array.from({ length: MAX_OCCURRENCES }, (_, i) => i + 1),
        acknowledge: [],
        message: null,
      });
      await confirmPayment(deps, lead.id, {
        provider: "demo",
        checkoutSessionId: `bench_cs_${lead.id}`,
        paymentIntentId: `bench_pi_${lead.id}`,
        chargeId: `bench_ch_${lead.id}`,
      });
      made = (await settleSeries(deps, s.id))!;
    } catch {
      // A kitchen whose months ahead cannot fit 26 dates: the next one.
      continue;
    }
    series++;
    bookings += made.occurrences.filter((o) => o.state === "claimed").length;
  }
  return { series, bookings };
}
