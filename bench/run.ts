/**
 * Load benchmarks (DESIGN §10): the app and a bare Deno.serve under wrk in
 * the same run, reported as ratios; search with 1k vs 100k kitchens; the
 * JavaScript bytes (gzip) each page ships; the kitchen page with a few
 * hundred bookings vs none; the host dashboard with 500 bookings, signed in;
 * holds on one kitchen under 64 concurrent clients (bench/holds.ts); and
 * re-encoding a 10 MB photo (bench/photos.ts).
 *
 *   deno task bench              # BENCH_SECONDS=10 BENCH_BIG=100000 by default
 */
import { addSession } from "../lib/accounts/sessions.ts";
import { setDemoPayoutReady } from "../lib/hosts/repo.ts";
import { getKitchen, listKitchenIdsByHost } from "../lib/kitchens/repo.ts";
import type { Kitchen } from "../lib/kitchens/schema.ts";
import { seedDemoAccounts } from "../scripts/demo_accounts.ts";
import { DEMO_HOSTS, seedDemoData } from "../scripts/seed.ts";
import { seedBenchCatalogue } from "../scripts/seed_bench.ts";
import { benchHolds, type Latency, seedBookings } from "./holds.ts";
import { reportPhotos } from "./photos.ts";
import {
  BENCH_HOSTNAME,
  type BenchServer,
  freePort,
  startServer,
} from "./servers.ts";

const SECONDS = Number(Deno.env.get("BENCH_SECONDS") ?? 10);
const BIG = Number(Deno.env.get("BENCH_BIG") ?? 100_000);
const SMALL = 1_000;
/** Bookings on one kitchen for the busy-calendar comparison. */
const BOOKINGS = 300;
/** Bookings across the demo host's kitchens for the host dashboard. */
const HOST_BOOKINGS = 500;
const CACHE = ".build/bench";

interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
}

function ms(value: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(value);
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === "us" ? n / 1000 : m[2] === "s" ? n * 1000 : n;
}

async function wrk(url: string, headers: string[] = []): Promise<WrkResult> {
  const out = await new Deno.Command("wrk", {
    args: [
      "-t2",
      "-c64",
      `-d${SECONDS}s`,
      "--latency",
      ...headers.flatMap((h) => ["-H", h]),
      url,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  if (non2xx) throw new Error(`${url}: ${non2xx[1]} error responses`);
  return {
    rps,
    p50: ms(/^\s+50%\s+(\S+)/m.exec(text)?.[1] ?? ""),
    p99: ms(/^\s+99%\s+(\S+)/m.exec(text)?.[1] ?? ""),
  };
}

/** Every server this run started; all are stopped when it ends, even on failure. */
const started: BenchServer[] = [];

/** The server answers HTTP too, not only says it listens. */
async function assertAnswers(url: string) {
  const res = await fetch(url);
  await res.body?.cancel();
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
}

/** The app on a free port with its own KV file; resolves once it serves. */
async function startApp(name: string, kvPath: string): Promise<BenchServer> {
  const port = freePort();
  const app = await startServer({
    name,
    args: ["run", "-A", "main.ts"],
    port,
    env: {
      APP_ENV: "development",
      BASE_URL: `http://${BENCH_HOSTNAME}:${port}`,
      DENO_KV_PATH: kvPath,
      SEED_DEMO_DATA: "false",
    },
  });
  started.push(app);
  await assertAnswers(`${app.url}/`);
  return app;
}

async function kvWith(path: string, fill: (kv: Deno.Kv) => Promise<unknown>) {
  try {
    await Deno.stat(`${path}.done`);
    return;
  } catch { /* not cached */ }
  for (const suffix of ["", "-wal", "-shm"]) {
    await Deno.remove(path + suffix).catch(() => {});
  }
  const kv = await Deno.openKv(path);
  await fill(kv);
  kv.close();
  await Deno.writeTextFile(`${path}.done`, new Date().toISOString());
}

/** A copy of a KV file (and its WAL, if any) that a benchmark may change. */
async function copyKv(from: string, to: string) {
  for (const suffix of ["", "-wal", "-shm"]) {
    await Deno.remove(to + suffix).catch(() => {});
    await Deno.copyFile(from + suffix, to + suffix).catch((err) => {
      if (suffix === "" || !(err instanceof Deno.errors.NotFound)) throw err;
    });
  }
}

async function removeKv(path: string) {
  for (const suffix of ["", "-wal", "-shm"]) {
    await Deno.remove(path + suffix).catch(() => {});
  }
}

async function gzipSize(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const stream = new Blob([bytes]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return (await new Response(stream).arrayBuffer()).byteLength;
}

/** Every script and module preload a page references, gzip-compressed and summed. */
async function jsBytes(base: string, path: string): Promise<number> {
  const html = await (await fetch(base + path)).text();
  const srcs = new Set(
    [...html.matchAll(
      /<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+)"/g,
    )]
      .map((m) => m[1]),
  );
  let total = 0;
  for (const src of srcs) {
    total += await gzipSize(
      new Uint8Array(await (await fetch(base + src)).arrayBuffer()),
    );
  }
  return total;
}

const row = (name: string, r: WrkResult, bare: WrkResult) =>
  `${name.padEnd(44)} ${r.rps.toFixed(0).padStart(7)} req/s  ratio ${
    (r.rps / bare.rps).toFixed(3)
  }  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms`;

async function main() {
  if (
    !(await new Deno.Command("sh", { args: ["-c", "command -v wrk"] }).output())
      .success
  ) {
    console.error("wrk is needed: apt-get install wrk");
    Deno.exit(1);
  }
  await Deno.mkdir(CACHE, { recursive: true });
  const demo = `${CACHE}/demo.kv`;
  const small = `${CACHE}/small-${SMALL}.kv`;
  const big = `${CACHE}/big-${BIG}.kv`;
  await kvWith(demo, (kv) => seedDemoData(kv));
  await kvWith(small, (kv) => seedBenchCatalogue(kv, SMALL));
  console.log(
    `seeding ${BIG} kitchens (cached in ${CACHE} after the first run)…`,
  );
  await kvWith(big, (kv) => seedBenchCatalogue(kv, BIG));

  const date = Temporal.Now.plainDateISO("UTC").add({ days: 7 }).toString();
  const bare = await startServer({
    name: "bare Deno.serve",
    args: ["run", "-A", "bench/bare.ts"],
  });
  started.push(bare);
  await assertAnswers(`${bare.url}/`);
  const app = await startApp("app (demo catalogue)", demo);
  const base = app.url;
  console.log(`bare Deno.serve on ${bare.url}, app on ${base}`);
  const kitchen = /href="(\/kitchens\/[^"]+)"/.exec(
    await (await fetch(`${base}/`)).text(),
  )![1];
  const paths = ["/", `/search?city=chicago&date=${date}`, kitchen];

  console.log(`\nwrk -t2 -c64 -d${SECONDS}s, demo catalogue (48 kitchens)`);
  const bareResult = await wrk(`${bare.url}/`);
  console.log(row("bare Deno.serve", bareResult, bareResult));
  for (const p of paths) console.log(row(p, await wrk(base + p), bareResult));

  console.log("\nJavaScript shipped (gzip)");
  for (const p of paths) {
    console.log(`${p.padEnd(44)} ${await jsBytes(base, p)} bytes`);
  }
  await app.stop();

  console.log(
    `\nsearch cost with the catalogue size (/search?city=chicago&date=${date})`,
  );
  const results: WrkResult[] = [];
  for (
    const [label, path] of [[`${SMALL} kitchens`, small], [
      `${BIG} kitchens`,
      big,
    ]]
  ) {
    const p = await startApp(`app (${label})`, path);
    const r = await wrk(`${p.url}/search?city=chicago&date=${date}`);
    results.push(r);
    console.log(row(label, r, bareResult));
    await p.stop();
  }
  console.log(
    `big/small time per request: ${
      (results[0].rps / results[1].rps).toFixed(2)
    }× (budget 1.5×)`,
  );

  await benchBusyKitchen(demo, kitchen, date, bareResult);
  await benchHostDashboard(demo, bareResult);
  await reportHolds();
  await reportPhotos();
}

/**
 * The kitchen page on a copy of the demo KV, first as seeded, then with
 * BOOKINGS confirmed bookings on that kitchen: the same kitchen, a fresh
 * server each time, both as ratios to the bare server.
 */
async function benchBusyKitchen(
  demo: string,
  kitchenPath: string,
  date: string,
  bare: WrkResult,
) {
  const copy = `${CACHE}/demo-bookings.kv`;
  await copyKv(demo, copy);
  try {
    const paths = [kitchenPath, `${kitchenPath}?date=${date}`];
    const measure = async (label: string) => {
      const app = await startApp(`app (${label})`, copy);
      const out: WrkResult[] = [];
      for (const p of paths) out.push(await wrk(app.url + p));
      await app.stop();
      return out;
    };
    // The kitchen and its host, payout-ready as the demo seed makes hosts
    // now (a cached catalogue may predate that); set before either run.
    const id = kitchenPath.split("/").pop()!;
    const kv = await Deno.openKv(copy);
    let kitchen: Kitchen;
    try {
      const k = await getKitchen(kv, id);
      if (!k) throw new Error(`${kitchenPath} is not in the demo KV`);
      kitchen = k;
      await setDemoPayoutReady(kv, k.hostId);
    } finally {
      kv.close();
    }
    const none = await measure("no bookings");
    const again = await Deno.openKv(copy);
    let made: number;
    try {
      made = await seedBookings(again, kitchen, BOOKINGS);
    } finally {
      again.close();
    }
    const busy = await measure(`${made} bookings`);
    console.log(
      `\nkitchen page ${kitchenPath} with ${made} confirmed bookings on it (spread over its window) vs none`,
    );
    paths.forEach((p, i) => {
      const label = p.replace(id, ":id");
      console.log(row(`${label}, none`, none[i], bare));
      console.log(row(`${label}, ${made} booked`, busy[i], bare));
      console.log(
        `  ratios to bare ${(none[i].rps / bare.rps).toFixed(3)} (none) and ${
          (busy[i].rps / bare.rps).toFixed(3)
        } (${made} booked); time per request booked/none ${
          (none[i].rps / busy[i].rps).toFixed(2)
        }× (budget 1.2×)`,
      );
    });
  } finally {
    await removeKv(copy);
  }
}

/**
 * `/host` for the demo host with HOST_BOOKINGS confirmed bookings spread over
 * its kitchens, signed in through a session written straight into a copy of
 * the demo KV (the cookie goes to wrk as a header). Budget: the kitchen
 * page's, a ratio ≥ 0.05 of bare and p99 < 50 ms.
 */
async function benchHostDashboard(demo: string, bare: WrkResult) {
  const copy = `${CACHE}/demo-host.kv`;
  await copyKv(demo, copy);
  try {
    const hostId = DEMO_HOSTS[0].id;
    const kv = await Deno.openKv(copy);
    let made = 0;
    let kitchens = 0;
    let cookie: string;
    try {
      await setDemoPayoutReady(kv, hostId);
      const ids = await listKitchenIdsByHost(kv, hostId);
      kitchens = ids.length;
      for (const [i, id] of ids.entries()) {
        const k = await getKitchen(kv, id);
        if (!k) continue;
        const share = Math.ceil((HOST_BOOKINGS - made) / (ids.length - i));
        made += await seedBookings(kv, k, share);
      }
      // The account comes after the bookings, so they queued no emails to it.
      await seedDemoAccounts(kv);
      const atomic = kv.atomic();
      const session = await addSession(atomic, hostId, Date.now());
      if (!(await atomic.commit()).ok) throw new Error("no bench session");
      cookie = `Cookie: prep_session=${session.secret}`;
    } finally {
      kv.close();
    }
    const app = await startApp(`app (host, ${made} bookings)`, copy);
    try {
      const res = await fetch(`${app.url}/host`, {
        headers: { Cookie: cookie.slice("Cookie: ".length) },
      });
      const html = await res.text();
      if (!res.ok || !html.includes("Host dashboard")) {
        throw new Error(`/host answered ${res.status} without the dashboard`);
      }
      const r = await wrk(`${app.url}/host`, [cookie]);
      console.log(
        `\nhost dashboard, signed in as the demo host, ${made} confirmed bookings over ${kitchens} kitchens (${
          (html.length / 1024).toFixed(0)
        } KB of HTML)`,
      );
      console.log(row("/host", r, bare));
      console.log(
        `  ratio to bare ${
          (r.rps / bare.rps).toFixed(3)
        } (budget ≥ 0.05), p99 ${r.p99.toFixed(2)} ms (budget < 50 ms): ${
          r.rps / bare.rps >= 0.05 && r.p99 < 50 ? "within" : "OVER"
        } budget`,
      );
    } finally {
      await app.stop();
    }
  } finally {
    await removeKv(copy);
  }
}

/** Holds on one kitchen from 64 concurrent clients, in this process, on a temp-file KV. */
async function reportHolds() {
  const r = await benchHolds({ clients: 64, seconds: SECONDS });
  const pct = (n: number) => `${(100 * n / r.attempts).toFixed(1)}%`;
  console.log(
    `\nholds on one kitchen: ${r.clients} concurrent clients, ${
      r.seconds.toFixed(1)
    } s, random 2–3 h on the next 14 days, createHold on a temp-file KV`,
  );
  console.log(
    `attempts ${r.attempts} (${
      (r.attempts / r.seconds).toFixed(0)
    }/s)  held ${r.held} (${
      (r.held / r.seconds).toFixed(1)
    }/s)  conflicts ${r.conflicts} (${pct(r.conflicts)})`,
  );
  const lat = (l: Latency) =>
    `p50 ${l.p50.toFixed(2)} ms  p99 ${l.p99.toFixed(2)} ms  max ${
      l.max.toFixed(2)
    } ms`;
  console.log(`latency, every attempt:    ${lat(r.latency)}`);
  console.log(`latency, holds that won:   ${lat(r.heldLatency)}`);
  console.log(
    `last hold won at ${
      r.lastHeldAt.toFixed(2)
    } s (the fortnight was as full as random requests could make it): ${
      (r.held / Math.max(r.lastHeldAt, 0.001)).toFixed(0)
    } holds/s until then`,
  );
  console.log(
    `overlapping holds: ${r.overlappingHolds} (must be 0); conflicts overlapping no hold (retries exhausted): ${r.conflictsWithoutOverlap}`,
  );
  const errors = Object.entries(r.errors);
  if (errors.length > 0) {
    console.log(
      `other errors: ${errors.map(([m, n]) => `${n}× ${m}`).join("; ")}`,
    );
  }
  if (r.overlappingHolds > 0) {
    throw new Error(`${r.overlappingHolds} holds overlap: a double booking`);
  }
}

if (import.meta.main) {
  try {
    await main();
  } finally {
    // A server left running would hold its port and skew the next run.
    await Promise.all(started.map((s) => s.stop()));
  }
}
