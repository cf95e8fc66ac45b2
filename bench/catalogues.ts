/**
 * The KV files bench/run.ts serves, under .build/bench.
 *
 * - The demo catalogue (48 kitchens, 6 a city, so a Chicago search page holds
 *   6 cards) is seeded afresh every run: 1–2 s, and its dates, permits and
 *   expiries are always relative to today.
 * - The bench catalogues (scripts/seed_bench.ts: 1,000 and 100,000 kitchens,
 *   12 cards a search page) take minutes to write, so they are kept between
 *   runs, named by a hash of every local module the seed imports. A catalogue
 *   written by older code (say, before search needed verified permits) would
 *   otherwise be measured as a page of no results.
 *
 * Servers never share a file: each gets its own copy, so one run's sessions,
 * bookings or job sweeps cannot reach another's.
 */
import { addSession } from "../lib/accounts/sessions.ts";
import { createBlock } from "../lib/bookings/blocks.ts";
import { setDemoPayoutReady } from "../lib/hosts/repo.ts";
import { daySlots, localToday } from "../lib/kitchens/free_time.ts";
import { getKitchen, listKitchenIdsByHost } from "../lib/kitchens/repo.ts";
import { MAX_PHOTOS } from "../lib/kitchens/photos.ts";
import type { Kitchen } from "../lib/kitchens/schema.ts";
import { seedDemoAccounts } from "../scripts/demo/accounts.ts";
import { demoKitchens } from "../scripts/demo/compliance.ts";
import { seedDemoData } from "../scripts/demo/catalogue.ts";
import { seedBenchCatalogue } from "../scripts/seed_bench.ts";
import { seedBookings } from "./holds.ts";
import { seedRenterSeries } from "./series.ts";
import { listSeriesByRenter } from "../lib/bookings/repo.ts";
import { migrationList } from "../lib/app.ts";
import { runMigrations } from "../lib/db/migrations/runner.ts";

export const CACHE = ".build/bench";
const SUFFIXES = ["", "-wal", "-shm"];

export async function removeKv(path: string): Promise<void> {
  for (const suffix of SUFFIXES) {
    await Deno.remove(path + suffix).catch(() => {});
  }
}

/** A copy of a KV file (and its WAL, if any) that one server may change. */
export async function copyKv(from: string, to: string): Promise<void> {
  for (const suffix of SUFFIXES) {
    await Deno.remove(to + suffix).catch(() => {});
    await Deno.copyFile(from + suffix, to + suffix).catch((err) => {
      if (suffix === "" || !(err instanceof Deno.errors.NotFound)) throw err;
    });
  }
}

async function withKv<T>(path: string, fn: (kv: Deno.Kv) => Promise<T>) {
  const kv = await Deno.openKv(path);
  try {
    return await fn(kv);
  } finally {
    kv.close();
  }
}

/** The demo catalogue as `main.ts` seeds it (kitchens, hosts, permits), written afresh. */
export async function demoKv(): Promise<{ path: string; kitchens: number }> {
  await Deno.mkdir(CACHE, { recursive: true });
  const path = `${CACHE}/demo.kv`;
  await removeKv(path);
  await Deno.remove(`${path}.done`).catch(() => {});
  const seeded = await withKv(path, async (kv) => {
    // At the latest schema version first, as main.ts does before seeding.
    await runMigrations(kv, migrationList());
    return await seedDemoData(kv);
  });
  return { path, kitchens: seeded.kitchens };
}

/**
 * A short hash of the local modules `scripts/seed_bench.ts` imports, as
 * `deno info` resolves them: any change to what the seed writes (keys,
 * indexes, the kitchen schema) names a new catalogue.
 */
export async function seedCodeHash(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "scripts/seed_bench.ts"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `deno info scripts/seed_bench.ts failed: ${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string }[];
  };
  const root = new URL(`file://${Deno.cwd()}/`).href;
  const files = info.modules.map((m) => m.specifier)
    .filter((s) => s.startsWith("file:")).sort();
  const parts: Uint8Array[] = [];
  const encoder = new TextEncoder();
  for (const file of files) {
    parts.push(encoder.encode(`\0${file.replace(root, "")}\0`));
    parts.push(await Deno.readFile(new URL(file)));
  }
  const digest = await crypto.subtle.digest(
    "SHA-256",
    await new Blob(parts as BlobPart[]).arrayBuffer(),
  );
  return [...new Uint8Array(digest).slice(0, 6)]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Kept catalogues are large (100k kitchens ≈ 750 MB); ones no run can use go. */
async function removeStaleCatalogues(hash: string): Promise<void> {
  for await (const entry of Deno.readDir(CACHE)) {
    const old = /^(?:big|small)-\d+\.kv/.test(entry.name);
    const named = /^bench-\d+-([0-9a-f]+)\.kv/.exec(entry.name);
    if (old || (named && named[1] !== hash)) {
      await Deno.remove(`${CACHE}/${entry.name}`).catch(() => {});
    }
  }
}

/** The bench catalogue of `count` kitchens, written once per seed code version. */
export async function benchCatalogueKv(
  count: number,
  hash: string,
): Promise<string> {
  await Deno.mkdir(CACHE, { recursive: true });
  await removeStaleCatalogues(hash);
  const path = `${CACHE}/bench-${count}-${hash}.kv`;
  if (await Deno.stat(`${path}.done`).then(() => true, () => false)) {
    return path;
  }
  await removeKv(path);
  const started = performance.now();
  console.log(`seeding ${count} bench kitchens into ${path}…`);
  await withKv(path, (kv) =>
    seedBenchCatalogue(kv, count, {
      onProgress: (done) => {
        if (done < count) {
          console.log(
            `  ${done} (${
              ((performance.now() - started) / 1000).toFixed(0)
            } s)`,
          );
        }
      },
    }));
  await Deno.writeTextFile(`${path}.done`, new Date().toISOString());
  return path;
}

/**
 * A signed-in session for `userId` written straight into the KV file, as
 * the `Cookie:` header line wrk sends (BASE_URL is http, so the cookie has
 * no `__Host-` prefix). The demo accounts are added first if missing.
 */
export async function benchSessionCookie(
  path: string,
  userId: string,
): Promise<string> {
  return await withKv(path, async (kv) => {
    await seedDemoAccounts(kv);
    const atomic = kv.atomic();
    const session = await addSession(atomic, kv, userId, Date.now());
    if (!(await atomic.commit()).ok) throw new Error("no bench session");
    return `Cookie: prep_session=${session.secret}`;
  });
}

/**
 * Up to `count` one-hour maintenance blocks through createBlock, as a host
 * adds them: one at the last start left on each day from tomorrow on, so
 * they sit among the bookings rather than past them.
 */
async function seedBlocks(
  kv: Deno.Kv,
  kitchen: Kitchen,
  count: number,
  now: number,
): Promise<number> {
  const first = Temporal.PlainDate.from(localToday(kitchen.timeZone, now));
  let made = 0;
  for (let i = 1; i < kitchen.bookingWindowDays && made < count; i++) {
    const date = first.add({ days: i }).toString();
    const last = (await daySlots(kv, kitchen, date, now)).at(-1);
    if (!last) continue;
    await createBlock(kv, kitchen, {
      start: last.start,
      end: Math.min(last.maxEnd, last.start + 3600_000),
      reason: "Hood and grease trap cleaning",
      kind: "maintenance",
    }, now);
    made++;
  }
  return made;
}

/** Minutes since midnight from "HH:MM" ("24:00" is 1440). */
const minutesOf = (clock: string) =>
  Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

/**
 * Roughly how many bookings of its minimum length (plus buffer) fit in a
 * kitchen's booking window by its weekly hours alone; notice, quiet hours
 * and blackouts only lower it.
 */
export function bookingRoom(
  k: Pick<
    Kitchen,
    "weeklyHours" | "minHours" | "bufferMinutes" | "bookingWindowDays"
  >,
): number {
  const slot = k.minHours * 60 + k.bufferMinutes;
  const perWeek = k.weeklyHours.reduce((n, r) => {
    const open = (minutesOf(r.end) - minutesOf(r.start) + 1440) % 1440 ||
      1440;
    return n + Math.floor(open / slot);
  }, 0);
  return Math.floor(perWeek * k.bookingWindowDays / 7);
}

/**
 * The listed, instantly bookable demo kitchen with the most room: the one
 * whose page the bench measures, so 500 bookings fit with hours to spare
 * for blocks (most demo kitchens fill up at 100–400).
 */
export async function roomiestKitchen(
  path: string,
): Promise<{ id: string; title: string; room: number }> {
  const kitchens = await withKv(path, (kv) => demoKitchens(kv));
  const candidates = kitchens
    .filter((k) =>
      k.status === "published" && k.bookingMode === "instant" &&
      k.permits?.ok
    )
    .map((k) => ({ id: k.id, title: k.title, room: bookingRoom(k) }))
    .sort((a, b) => b.room - a.room || a.id.localeCompare(b.id));
  if (!candidates[0]) throw new Error(`no listed demo kitchen in ${path}`);
  return candidates[0];
}

export interface BusyCalendar {
  bookings: number;
  blocks: number;
}

/**
 * Confirmed bookings (spread over the kitchen's booking window, see
 * holds.ts `seedBookings`) and then maintenance blocks in the time they
 * leave, on one kitchen of the KV file. Its host is made payout-ready first,
 * as the demo seed does now (holds need it).
 */
export async function seedBusyCalendar(
  path: string,
  kitchenId: string,
  want: BusyCalendar,
): Promise<BusyCalendar> {
  return await withKv(path, async (kv) => {
    const kitchen = await getKitchen(kv, kitchenId);
    if (!kitchen) throw new Error(`kitchen ${kitchenId} is not in ${path}`);
    await setDemoPayoutReady(kv, kitchen.hostId);
    const bookings = await seedBookings(kv, kitchen, want.bookings);
    const blocks = await seedBlocks(kv, kitchen, want.blocks, Date.now());
    return { bookings, blocks };
  });
}

/**
 * `total` confirmed bookings spread over the host's kitchens, then the demo
 * accounts (after the bookings, so those queued no emails to the host) and a
 * session for the host: the `Cookie:` line for wrk.
 */
export async function seedHostBookings(
  path: string,
  hostId: string,
  total: number,
): Promise<{ bookings: number; kitchens: number; cookie: string }> {
  const made = await withKv(path, async (kv) => {
    await setDemoPayoutReady(kv, hostId);
    const ids = await listKitchenIdsByHost(kv, hostId);
    let made = 0;
    for (const [i, id] of ids.entries()) {
      const k = await getKitchen(kv, id);
      if (!k) continue;
      const share = Math.ceil((total - made) / (ids.length - i));
      made += await seedBookings(kv, k, share);
    }
    return { bookings: made, kitchens: ids.length };
  });
  return { ...made, cookie: await benchSessionCookie(path, hostId) };
}

/**
 * A renter with `count` weekly bookings of 26 dates on the demo kitchens
 * that take them (bench/series.ts), and a session cookie for them.
 */
export async function seedRenterWeekly(
  path: string,
  renterId: string,
  count: number,
): Promise<{ series: number; bookings: number; cookie: string }> {
  const made = await withKv(path, async (kv) => {
    await seedDemoAccounts(kv);
    return await seedRenterSeries(kv, renterId, await demoKitchens(kv), count);
  });
  return { ...made, cookie: await benchSessionCookie(path, renterId) };
}

/** A kitchen of the host's with room for another photo. */
export async function kitchenOfHost(
  path: string,
  hostId: string,
): Promise<string> {
  return await withKv(path, async (kv) => {
    for (const id of await listKitchenIdsByHost(kv, hostId)) {
      const k = await getKitchen(kv, id);
      if (k && (k.photos?.length ?? 0) < MAX_PHOTOS) return id;
    }
    throw new Error(`host ${hostId} has no kitchen with room for a photo`);
  });
}

/** The id of one of the renter's weekly bookings, to load its page. */
export async function firstSeriesOf(
  path: string,
  renterId: string,
): Promise<string> {
  return await withKv(path, async (kv) => {
    const [s] = await listSeriesByRenter(kv, renterId, 1);
    if (!s) throw new Error("the renter has no weekly booking");
    return s.id;
  });
}

/**
 * The date the dated search asks for: the first Wednesday a week or more
 * ahead. Every demo kitchen in Chicago opens on weekdays; a date a week
 * from a Sunday fell on a Sunday, when one of them is closed, and the
 * search then measured 5 cards, not 6.
 */
export function searchDate(today: Temporal.PlainDate): string {
  let d = today.add({ days: 7 });
  while (d.dayOfWeek !== 3) d = d.add({ days: 1 });
  return d.toString();
}
