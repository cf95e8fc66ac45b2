/**
 * Load benchmarks (DESIGN §10, issue 11 §3): the app and a bare Deno.serve
 * under `wrk -t2 -c64` in the same run, reported as ratios to bare, each a
 * median of interleaved rounds (bare, then every page, then again) with each
 * ratio taken against the bare run of its own round.
 *
 * - Public pages on the demo catalogue, each four ways: cached (the app as
 *   started normally), cached with a browser's Accept-Encoding, cache off (a
 *   second app with PAGE_CACHE_MB=0) and signed in (the first app with a
 *   renter's session cookie; signed-in visitors are never served cached
 *   pages, but shared ones are the visitors' render with their parts filled
 *   in: lib/islands/slots.ts). The page cache's hit rate comes from the X-Cache header the app
 *   sends in development, counted by bench/x_cache.lua; an uncached run that
 *   sees a hit fails the bench.
 * - The JavaScript bytes (gzip) each page ships.
 * - Search over 1,000 and 100,000 generated kitchens, cache off.
 * - A kitchen page with 500 bookings and maintenance blocks vs none, cache off.
 * - The host dashboard with 500 bookings, signed in.
 * - The renter's bookings and one weekly booking's page, with 5 weekly
 *   bookings of 26 dates each, signed in; claiming a 26-date weekly booking
 *   (bench/series.ts).
 * - Holds on one kitchen under 64 concurrent clients (bench/holds.ts),
 *   re-encoding a 10 MB photo (bench/photos.ts), an app server's memory
 *   while it reads PDF bombs (bench/pdf.ts), and 500 open live message
 *   streams: memory per stream and time from send to delivery
 *   (bench/streams.ts).
 * - Memory (issue 21 §3): the app's resident memory after the public-page
 *   load, a photo's peak and what it leaves (bench/photos.ts), and one
 *   server's peak under the heaviest photo, PDFs and calendar feed at once
 *   (bench/at_once.ts).
 * - Peak RSS (VmHWM) of every app server.
 *
 * It ends with a PASS/FAIL table of the budgets and exits 1 if any fails.
 *
 *   deno task bench     # BENCH_SECONDS=10 BENCH_ROUNDS=3 BENCH_BIG=100000
 *                       # BENCH_ONLY=catalogue runs one part (see main)
 */
import {
  benchCatalogueKv,
  benchSessionCookie,
  type BusyCalendar,
  CACHE,
  copyKv,
  demoKv,
  firstSeriesOf,
  removeKv,
  roomiestKitchen,
  searchDate,
  seedBusyCalendar,
  seedCodeHash,
  seedHostBookings,
  seedRenterWeekly,
} from "./catalogues.ts";
import { benchHolds, type Latency } from "./holds.ts";
import { benchSeriesClaim } from "./series.ts";
import { benchPdfBombs } from "./pdf.ts";
import { reportPhotos } from "./photos.ts";
import { benchAtOnce } from "./at_once.ts";
import { benchStreams } from "./streams.ts";
import {
  type Budget,
  budgetTable,
  checkBudget,
  factorBudget,
  hitRateText,
  mib,
  summarise,
  type Summary,
  summaryRow,
  throughputBudget,
  timeRatio,
} from "./report.ts";
import {
  BENCH_HOSTNAME,
  type BenchServer,
  freePort,
  type ProcessMemory,
  processMemory,
  startServer,
} from "./servers.ts";
import {
  hasWrk,
  runWrk,
  WRK_CONNECTIONS,
  WRK_THREADS,
  type WrkRun,
} from "./wrk.ts";
import { DEMO_HOSTS } from "../scripts/demo/hosts.ts";

const SECONDS = Number(Deno.env.get("BENCH_SECONDS") ?? 10);
const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? 3);
const BIG = Number(Deno.env.get("BENCH_BIG") ?? 100_000);
const SMALL = 1_000;
/** What one kitchen's calendar carries for the busy-calendar comparison. */
const BUSY: BusyCalendar = { bookings: 500, blocks: 40 };
/** Bookings across the demo host's kitchens for the host dashboard. */
const HOST_BOOKINGS = 500;
/** Weekly bookings (of 26 dates each) the renter has for their bookings page. */
const RENTER_SERIES = 5;
/** Cards on a search page: the demo has 6 kitchens a city, a page holds 12. */
const DEMO_CARDS = 6;
const BENCH_CARDS = 12;
const DEMO_USER_RENTER = "demo-user-renter";

const WRK = `wrk -t${WRK_THREADS} -c${WRK_CONNECTIONS} -d${SECONDS}s`;

/** Every server this run started; all are stopped when it ends, even on failure. */
const started: BenchServer[] = [];
/** Each app server's memory, read just before it was stopped. */
const memories: { name: string; memory: ProcessMemory | null }[] = [];
const budgets: Budget[] = [];

/** The server answers HTTP too, not only says it listens. */
async function assertAnswers(url: string, headers: HeadersInit = {}) {
  const res = await fetch(url, { headers });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
}

/**
 * The app on a free port with a KV file of its own, in development so it
 * sends X-Cache; resolves once it serves. `env` adds e.g. PAGE_CACHE_MB=0.
 */
async function startApp(
  name: string,
  kvPath: string,
  env: Record<string, string> = {},
): Promise<BenchServer> {
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
      ...env,
    },
  });
  started.push(app);
  await assertAnswers(`${app.url}/`);
  return app;
}

async function stopApp(app: BenchServer) {
  memories.push({ name: app.name, memory: await app.stop() });
}

/** A copy of `kv` for one server, removed when `fn` is done. */
async function withCopies<T>(
  from: string,
  names: string[],
  fn: (paths: string[]) => Promise<T>,
): Promise<T> {
  const paths = names.map((n) => `${CACHE}/run-${n}.kv`);
  try {
    for (const p of paths) await copyKv(from, p);
    return await fn(paths);
  } finally {
    for (const p of paths) await removeKv(p);
  }
}

/** One thing wrk measures in every round. */
interface Target {
  label: string;
  url: string;
  headers?: string[];
  /** A hit here means a page was served from cache where it must not be. */
  mustNotHit?: boolean;
}

/**
 * `ROUNDS` interleaved rounds: the bare server, then every target, then
 * again. A short warm-up first, so the first round does not time the JIT.
 */
async function measureRounds(
  bare: BenchServer,
  targets: Target[],
): Promise<{ bare: WrkRun[]; runs: WrkRun[][] }> {
  await runWrk(`${bare.url}/`, { seconds: 1 });
  for (const t of targets) {
    await runWrk(t.url, { seconds: 1, headers: t.headers });
  }
  const bareRuns: WrkRun[] = [];
  const runs: WrkRun[][] = targets.map(() => []);
  for (let round = 1; round <= ROUNDS; round++) {
    const b = await runWrk(`${bare.url}/`, { seconds: SECONDS });
    bareRuns.push(b);
    const line = [`bare ${b.rps.toFixed(0)}`];
    for (const [i, t] of targets.entries()) {
      const r = await runWrk(t.url, {
        seconds: SECONDS,
        headers: t.headers,
        countCache: true,
      });
      if (t.mustNotHit && r.xCache && r.xCache.hit > 0) {
        throw new Error(
          `${t.label}: ${r.xCache.hit} of ${r.requests} responses were cache hits, but this run must be rendered fresh`,
        );
      }
      runs[i].push(r);
      line.push(r.rps.toFixed(0));
    }
    console.log(`  round ${round}/${ROUNDS}, req/s: ${line.join(" · ")}`);
  }
  return { bare: bareRuns, runs };
}

/**
 * The bare server's p99 is a few ms on an idle 2-core machine; far more
 * means something else had the cores (tests, another bench), which lands in
 * every p99 of the run.
 */
function warnIfBusy(bare: Summary) {
  if (bare.p99 > BUSY_BARE_P99_MS) {
    console.log(
      `  the machine was busy: bare p99 ${
        bare.p99.toFixed(1)
      } ms (idle: under ${BUSY_BARE_P99_MS} ms), so p99 figures here carry other work too; load average ${loadAverage()}`,
    );
  }
}

const BUSY_BARE_P99_MS = 10;

/** The 1, 5 and 15 minute load averages (Linux), for the report. */
function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3)
      .join(" ");
  } catch {
    return "unknown";
  }
}

function perRound(s: Summary): string {
  return `(rounds ${s.ratios.map((r) => r.toFixed(3)).join(" / ")})`;
}

/** Kitchen ids a page links to, each once. */
async function kitchenLinks(url: string, headers: HeadersInit = {}) {
  const res = await fetch(url, { headers });
  const html = await res.text();
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return {
    html,
    ids: [...new Set(html.match(/\/kitchens\/[0-9A-Za-z]{10,}/g) ?? [])],
  };
}

/** A search-like page must show `cards` kitchens, or its figure measures an empty page. */
async function assertCards(url: string, cards: number) {
  const { ids } = await kitchenLinks(url);
  if (ids.length !== cards) {
    throw new Error(
      `${url} shows ${ids.length} kitchens, expected ${cards}: is the catalogue listed (permits verified)?`,
    );
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

/** One way of asking for the public pages. */
interface Mode {
  name: string;
  server: BenchServer;
  headers: string[];
  /** Anonymous on the app as started: the page cache may answer. */
  cached: boolean;
}

/** What Chrome and Firefox send; the page cache keeps gzip and brotli bodies for them. */
const BROWSER_ENCODINGS = "gzip, deflate, br";

/** A page's path with the kitchen id and date folded, for labels. */
function label(path: string, kitchenPath: string, date: string) {
  return path.replace(kitchenPath, "/kitchens/:id").replace(date, "<date>");
}

async function main(): Promise<boolean> {
  if (!(await hasWrk())) {
    console.error("wrk is needed: apt-get install -y wrk");
    Deno.exit(1);
  }
  const began = performance.now();
  console.log(
    `${Deno.build.os}, ${navigator.hardwareConcurrency} cores, load average ${loadAverage()} at the start`,
  );
  const date = searchDate(Temporal.Now.plainDateISO("UTC"));
  const demo = await demoKv();
  const hash = await seedCodeHash();
  const small = await benchCatalogueKv(SMALL, hash);
  const big = await benchCatalogueKv(BIG, hash);

  const bare = await startServer({
    name: "bare Deno.serve",
    args: ["run", "-A", "bench/bare.ts"],
  });
  started.push(bare);
  await assertAnswers(`${bare.url}/`);

  // BENCH_ONLY=catalogue (say) runs one part: public, catalogue, kitchen,
  // host, series, holds, photos, pdf, at_once, streams.
  const only = new Set(
    (Deno.env.get("BENCH_ONLY") ?? "").split(",").filter(Boolean),
  );
  const part = (name: string) => only.size === 0 || only.has(name);
  const kitchenPath = part("public") || part("kitchen")
    ? await benchPublicPages(demo, date, bare)
    : "";
  if (part("catalogue")) await benchCatalogueSize(small, big, date, bare);
  if (part("kitchen")) {
    await benchBusyKitchen(demo.path, kitchenPath, date, bare);
  }
  if (part("host")) await benchHostDashboard(demo.path, bare);
  if (part("series")) await benchRenterSeries(demo.path, bare);
  if (part("holds")) await reportHolds();
  if (part("series")) await reportSeriesClaim();
  if (part("photos")) budgets.push(...await reportPhotos());
  if (part("pdf")) budgets.push(...await benchPdfBombs());
  if (part("at_once")) budgets.push(...await benchAtOnce(demo));
  if (part("streams")) budgets.push(...await benchStreams());
  await bare.stop();

  console.log("\npeak RSS of each app server (VmHWM, read before it stopped)");
  const width = Math.max(...memories.map((m) => m.name.length));
  for (const { name, memory } of memories) {
    console.log(
      `${name.padEnd(width)}  ${
        memory
          ? `peak ${mib(memory.peakKiB)}, resident at the end ${
            mib(memory.rssKiB)
          }`
          : "not available (no /proc/<pid>/status)"
      }`,
    );
  }

  console.log(
    `\nbudgets (issue 11 unless marked; ${WRK}, medians of ${ROUNDS} rounds)`,
  );
  console.log(budgetTable(budgets));
  console.log(
    `\n${
      ((performance.now() - began) / 60_000).toFixed(1)
    } minutes in all; load average ${loadAverage()} at the end`,
  );
  return budgets.every((b) => b.pass);
}

/**
 * `/`, search with and without a date, a kitchen page and a city page on
 * the demo catalogue: cached (plain and with a browser's Accept-Encoding),
 * cache off and signed in. Returns the kitchen page's path for the
 * busy-calendar comparison.
 */
async function benchPublicPages(
  demo: { path: string; kitchens: number },
  date: string,
  bare: BenchServer,
): Promise<string> {
  return await withCopies(demo.path, ["cached", "off"], async ([a, b]) => {
    const cookie = await benchSessionCookie(a, DEMO_USER_RENTER);
    const cached = await startApp("app, demo catalogue, as started", a);
    const off = await startApp("app, demo catalogue, PAGE_CACHE_MB=0", b, {
      PAGE_CACHE_MB: "0",
    });
    const kitchen = await roomiestKitchen(demo.path);
    const kitchenPath = `/kitchens/${kitchen.id}`;
    const paths = [
      "/",
      `/search?city=chicago&date=${date}`,
      "/search?city=chicago",
      kitchenPath,
      "/cities/chicago",
    ];
    for (const p of paths) {
      await assertAnswers(cached.url + p);
      await assertAnswers(off.url + p);
      await assertAnswers(cached.url + p, { Cookie: cookieValue(cookie) });
    }
    for (const p of paths.slice(1, 3).concat("/cities/chicago")) {
      await assertCards(cached.url + p, DEMO_CARDS);
      await assertCards(off.url + p, DEMO_CARDS);
    }
    const signedIn = await kitchenLinks(`${cached.url}/`, {
      Cookie: cookieValue(cookie),
    });
    if (!signedIn.html.includes("Log out")) {
      throw new Error("the bench session cookie does not sign in");
    }

    console.log(
      `\npublic pages, demo catalogue (${demo.kitchens} kitchens; search and city pages hold ${DEMO_CARDS} cards), ${WRK}`,
    );
    const modes: Mode[] = [
      { name: "cached", server: cached, headers: [], cached: true },
      {
        name: "cached, gzip/br",
        server: cached,
        headers: [`Accept-Encoding: ${BROWSER_ENCODINGS}`],
        cached: true,
      },
      { name: "cache off", server: off, headers: [], cached: false },
      { name: "signed in", server: cached, headers: [cookie], cached: false },
    ];
    console.log(
      `medians of ${ROUNDS} interleaved rounds (bare, then each page ${
        modes.map((m) => m.name).join(" · ")
      }), each ratio against its round's bare run`,
    );
    console.log(
      `cached: the app as started, sent no Accept-Encoding (as the bare server is); cached, gzip/br: the same with "Accept-Encoding: ${BROWSER_ENCODINGS}" as browsers send; cache off: a second app with PAGE_CACHE_MB=0; signed in: the first app with a renter's session cookie (never a cached page, but the visitors' render with the renter's parts filled in, X-Cache: shared)`,
    );
    console.log(
      `/kitchens/:id is ${kitchen.title}, the instantly bookable demo kitchen with the most room (the busy-calendar comparison below books it)`,
    );
    const targets: Target[] = paths.flatMap((p) =>
      modes.map((m) => ({
        label: `${label(p, kitchenPath, date)} ${m.name}`,
        url: m.server.url + p,
        headers: m.headers,
        mustNotHit: !m.cached,
      }))
    );
    const { bare: bares, runs } = await measureRounds(bare, targets);
    const bareSummary = summarise(bares, bares);
    console.log(summaryRow("bare Deno.serve", bareSummary));
    warnIfBusy(bareSummary);
    for (const [pi, p] of paths.entries()) {
      const name = label(p, kitchenPath, date);
      const rendersData = p.startsWith("/search") || p === kitchenPath;
      for (const [mi, m] of modes.entries()) {
        const s = summarise(runs[pi * modes.length + mi], bares);
        console.log(summaryRow(`${name} ${m.name}`, s, perRound(s)));
        // Issue 21 §8: hits answer before the middleware chain; renders use c.get.
        if (m.cached) {
          console.log(`  ${hitRateText(s.cache)}`);
          budgets.push(
            throughputBudget(`${name} ${m.name} (issue 21)`, s, 0.35, 15),
          );
        } else if (m.name === "signed in") {
          budgets.push(
            throughputBudget(`${name} ${m.name} (issue 21)`, s, 0.10, 40),
          );
        } else if (rendersData) {
          budgets.push(
            throughputBudget(`${name} ${m.name} (issue 21)`, s, 0.12, 40),
          );
        }
      }
    }

    console.log("\nJavaScript shipped (gzip)");
    for (const p of paths) {
      const bytes = await jsBytes(cached.url, p);
      console.log(`${label(p, kitchenPath, date).padEnd(46)} ${bytes} bytes`);
      if (p === kitchenPath) {
        budgets.push(
          checkBudget(
            "/kitchens/:id JavaScript, gzip (DESIGN §10)",
            `${(bytes / 1024).toFixed(1)} KB`,
            "≤ 15 KB",
            bytes <= 15 * 1024,
          ),
        );
      }
    }
    // Issue 21 §3: the app as started, after every public-page load above,
    // right after and once V8's memory reducer has collected what the load
    // left (see SETTLE_STEADY_S), and its peak under the load.
    const loaded = await processMemory(cached.pid);
    const settled = await settledMemory(cached.pid);
    await stopApp(cached);
    await stopApp(off);
    if (loaded && settled) {
      console.log(
        `\napp as started, after the public-page load: RSS ${
          mib(loaded.rssKiB)
        } right after, ${mib(settled.rssKiB)} once idle; peak ${
          mib(settled.peakKiB)
        }`,
      );
      budgets.push(
        checkBudget(
          "RSS after the public-page load, once idle, demo catalogue (issue 21)",
          `${mib(settled.rssKiB)} (${mib(loaded.rssKiB)} right after)`,
          "≤ 200 MiB",
          settled.rssKiB <= 200 * 1024,
        ),
        checkBudget(
          "peak RSS under the public-page load, demo catalogue (issue 21)",
          mib(settled.peakKiB),
          "≤ 512 MiB",
          settled.peakKiB <= 512 * 1024,
        ),
      );
    }
    return kitchenPath;
  });
}

const cookieValue = (line: string) => line.slice("Cookie: ".length);

/**
 * The server's memory once it stops falling: read every second until it
 * has not dropped for SETTLE_STEADY_S seconds, at most SETTLE_MAX_S.
 */
async function settledMemory(pid: number): Promise<ProcessMemory | null> {
  let last = await processMemory(pid);
  let steady = 0;
  for (let s = 0; s < SETTLE_MAX_S && last && steady < SETTLE_STEADY_S; s++) {
    await new Promise((r) => setTimeout(r, 1_000));
    const now = await processMemory(pid);
    if (!now) return last;
    steady = now.rssKiB < last.rssKiB - 1024 ? 0 : steady + 1;
    last = now;
  }
  return last;
}

/**
 * V8's memory reducer looks every 8 s and starts once its estimate of the
 * allocation rate (the last 5 s, updated only at collections and at those
 * looks) is low, or 100 s after the last collection whatever the estimate
 * (`--trace-memory-reducer`). After this bench's load that took 10 to 30 s:
 * 15 s without a fall sometimes ended the wait before its first full look.
 * So: 30 s without a fall, the watchdog's 100 s and its 30 s after at most.
 */
const SETTLE_STEADY_S = 30;
const SETTLE_MAX_S = 140;

/** Search on the bench catalogue at two sizes, cache off: its cost must not grow with the catalogue. */
async function benchCatalogueSize(
  small: string,
  big: string,
  date: string,
  bare: BenchServer,
) {
  await withCopies(
    small,
    ["small"],
    ([s]) =>
      withCopies(big, ["big"], async ([b]) => {
        const apps = [
          await startApp(`app, ${SMALL} kitchens, PAGE_CACHE_MB=0`, s, {
            PAGE_CACHE_MB: "0",
          }),
          await startApp(`app, ${BIG} kitchens, PAGE_CACHE_MB=0`, b, {
            PAGE_CACHE_MB: "0",
          }),
        ];
        const paths = [
          `/search?city=chicago&date=${date}`,
          "/search?city=chicago",
          // Issue 20: distance search reads the cells covering its circle.
          `/search?near=60614&radius=5&date=${date}`,
          "/search?near=60614&radius=5",
        ];
        for (const app of apps) {
          for (const p of paths) await assertCards(app.url + p, BENCH_CARDS);
        }
        console.log(
          `\nsearch with the catalogue's size, bench catalogue (search pages hold ${BENCH_CARDS} cards), cache off, ${WRK}, medians of ${ROUNDS} rounds`,
        );
        const sizes = [SMALL, BIG];
        const targets: Target[] = paths.flatMap((p) =>
          apps.map((app, i) => ({
            label: `${p} ${sizes[i]}`,
            url: app.url + p,
            mustNotHit: true,
          }))
        );
        const { bare: bares, runs } = await measureRounds(bare, targets);
        const bareSummary = summarise(bares, bares);
        console.log(summaryRow("bare Deno.serve", bareSummary));
        warnIfBusy(bareSummary);
        for (const [pi, p] of paths.entries()) {
          const name = p.replace(date, "<date>");
          const [smallRuns, bigRuns] = [runs[pi * 2], runs[pi * 2 + 1]];
          for (const [i, rs] of [smallRuns, bigRuns].entries()) {
            const sum = summarise(rs, bares);
            console.log(
              summaryRow(`${name}, ${sizes[i]} kitchens`, sum, perRound(sum)),
            );
          }
          const factor = timeRatio(smallRuns, bigRuns);
          console.log(
            `  time per request ${BIG}/${SMALL} kitchens: ${
              factor.toFixed(2)
            }× (budget ≤ 1.5×)`,
          );
          budgets.push(
            factorBudget(`${name}, ${BIG} vs ${SMALL} kitchens`, factor, 1.5),
          );
        }
        // Distance search against today's city search, on the big catalogue.
        for (const [city, radius] of [[0, 2], [1, 3]]) {
          const name = paths[radius].replace(date, "<date>");
          const factor = timeRatio(runs[city * 2 + 1], runs[radius * 2 + 1]);
          console.log(
            `  time per request, ${name} vs ${
              paths[city].replace(date, "<date>")
            }, ${BIG} kitchens: ${factor.toFixed(2)}× (budget ≤ 2×)`,
          );
          budgets.push(
            factorBudget(`${name} vs the city search, ${BIG}`, factor, 2),
          );
        }
        for (const app of apps) await stopApp(app);
      }),
  );
}

/**
 * The demo kitchen page on two copies of the demo KV, one as seeded and one
 * with BUSY's bookings and blocks on that kitchen (its host payout-ready on
 * both, so the pages differ only by the calendar), cache off.
 */
async function benchBusyKitchen(
  demo: string,
  kitchenPath: string,
  date: string,
  bare: BenchServer,
) {
  const id = kitchenPath.split("/").pop()!;
  await withCopies(demo, ["kitchen-none", "kitchen-busy"], async ([n, b]) => {
    await seedBusyCalendar(n, id, { bookings: 0, blocks: 0 });
    const made = await seedBusyCalendar(b, id, BUSY);
    const busy = `${made.bookings} bookings + ${made.blocks} blocks`;
    const apps = [
      await startApp("app, kitchen with no bookings, PAGE_CACHE_MB=0", n, {
        PAGE_CACHE_MB: "0",
      }),
      await startApp(`app, kitchen with ${busy}, PAGE_CACHE_MB=0`, b, {
        PAGE_CACHE_MB: "0",
      }),
    ];
    console.log(
      `\nkitchen page with ${made.bookings} confirmed bookings (spread over its window) and ${made.blocks} maintenance blocks vs none, demo catalogue, cache off, ${WRK}, medians of ${ROUNDS} rounds`,
    );
    if (made.bookings < BUSY.bookings || made.blocks < BUSY.blocks) {
      console.log(
        `  (asked for ${BUSY.bookings} bookings and ${BUSY.blocks} blocks; the kitchen's window had room for these)`,
      );
    }
    const paths = [kitchenPath, `${kitchenPath}?date=${date}`];
    const targets: Target[] = paths.flatMap((p) =>
      apps.map((app) => ({ label: p, url: app.url + p, mustNotHit: true }))
    );
    const { bare: bares, runs } = await measureRounds(bare, targets);
    const bareSummary = summarise(bares, bares);
    console.log(summaryRow("bare Deno.serve", bareSummary));
    warnIfBusy(bareSummary);
    for (const [pi, p] of paths.entries()) {
      const name = label(p, kitchenPath, date);
      const [noneRuns, busyRuns] = [runs[pi * 2], runs[pi * 2 + 1]];
      const none = summarise(noneRuns, bares);
      const full = summarise(busyRuns, bares);
      console.log(summaryRow(`${name}, none`, none, perRound(none)));
      console.log(summaryRow(`${name}, busy`, full, perRound(full)));
      const factor = timeRatio(noneRuns, busyRuns);
      console.log(
        `  time per request busy/none: ${factor.toFixed(2)}× (budget ≤ 1.2×)`,
      );
      budgets.push(factorBudget(`${name}, ${busy} vs none`, factor, 1.2));
    }
    for (const app of apps) await stopApp(app);
  });
}

/**
 * `/host` for the demo host with HOST_BOOKINGS confirmed bookings over its
 * kitchens, signed in. Budget (DESIGN §10, the kitchen page's): ≥ 0.05 of
 * bare, p99 < 50 ms.
 */
async function benchHostDashboard(demo: string, bare: BenchServer) {
  await withCopies(demo, ["host"], async ([path]) => {
    const hostId = DEMO_HOSTS[0].id;
    const made = await seedHostBookings(path, hostId, HOST_BOOKINGS);
    const app = await startApp(
      `app, host with ${made.bookings} bookings`,
      path,
    );
    const res = await fetch(`${app.url}/host`, {
      headers: { Cookie: cookieValue(made.cookie) },
    });
    const html = await res.text();
    if (!res.ok || !html.includes("Host dashboard")) {
      throw new Error(`/host answered ${res.status} without the dashboard`);
    }
    console.log(
      `\nhost dashboard, signed in as the demo host, ${made.bookings} confirmed bookings over ${made.kitchens} kitchens (${
        (html.length / 1024).toFixed(0)
      } KB of HTML), ${WRK}, medians of ${ROUNDS} rounds`,
    );
    const { bare: bares, runs } = await measureRounds(bare, [
      {
        label: "/host",
        url: `${app.url}/host`,
        headers: [made.cookie],
        mustNotHit: true,
      },
    ]);
    const bareSummary = summarise(bares, bares);
    console.log(summaryRow("bare Deno.serve", bareSummary));
    warnIfBusy(bareSummary);
    const s = summarise(runs[0], bares);
    console.log(summaryRow("/host", s, perRound(s)));
    budgets.push(
      throughputBudget("/host signed in (DESIGN §10)", s, 0.05, 50),
    );
    await stopApp(app);
  });
}

/**
 * The renter's `/bookings` and one weekly booking's page, signed in, with
 * RENTER_SERIES weekly bookings of 26 dates. Budget (as the host
 * dashboard's, DESIGN §10): ≥ 0.05 of bare, p99 < 50 ms, each.
 */
async function benchRenterSeries(demo: string, bare: BenchServer) {
  await withCopies(demo, ["renter-series"], async ([path]) => {
    const made = await seedRenterWeekly(path, DEMO_USER_RENTER, RENTER_SERIES);
    const seriesId = await firstSeriesOf(path, DEMO_USER_RENTER);
    const app = await startApp(
      `app, renter with ${made.series} weekly bookings`,
      path,
    );
    const headers = { Cookie: cookieValue(made.cookie) };
    const res = await fetch(`${app.url}/bookings`, { headers });
    const html = await res.text();
    if (!res.ok || !html.includes("Weekly bookings")) {
      throw new Error(`/bookings answered ${res.status} without the series`);
    }
    console.log(
      `
the renter's pages, signed in as the demo renter, ${made.series} weekly bookings with ${made.bookings} dates in all (${
        (html.length / 1024).toFixed(0)
      } KB of HTML for /bookings), ${WRK}, medians of ${ROUNDS} rounds`,
    );
    const { bare: bares, runs } = await measureRounds(bare, [
      {
        label: "/bookings",
        url: `${app.url}/bookings`,
        headers: [made.cookie],
        mustNotHit: true,
      },
      {
        label: "/bookings/series/:id",
        url: `${app.url}/bookings/series/${seriesId}`,
        headers: [made.cookie],
        mustNotHit: true,
      },
    ]);
    const bareSummary = summarise(bares, bares);
    console.log(summaryRow("bare Deno.serve", bareSummary));
    warnIfBusy(bareSummary);
    for (const [i, label] of ["/bookings", "/bookings/series/:id"].entries()) {
      const s = summarise(runs[i], bares);
      console.log(summaryRow(label, s, perRound(s)));
      budgets.push(
        throughputBudget(
          `${label}, ${made.series} weekly bookings of 26, signed in`,
          s,
          0.05,
          50,
        ),
      );
    }
    await stopApp(app);
  });
}

/** Claiming 26-date weekly bookings one after another (bench/series.ts). */
async function reportSeriesClaim() {
  const r = await benchSeriesClaim({ rounds: 40 });
  const lat = (l: Latency) =>
    `p50 ${l.p50.toFixed(1)} ms  p99 ${l.p99.toFixed(1)} ms  max ${
      l.max.toFixed(1)
    } ms`;
  console.log(
    `
claiming a weekly booking of ${r.dates} dates, ${r.rounds} times (each date its own atomic through the calendar, the city's rules recomputed), claimSeries on a temp-file KV`,
  );
  console.log(
    `claim:    ${lat(r.claim)}  (${
      (r.claim.p50 / Math.max(r.dates, 1)).toFixed(2)
    } ms a date at p50)`,
  );
  console.log(`preview:  ${lat(r.preview)}`);
  console.log(
    `dates held ${r.held} of ${
      (r.rounds + 1) * 26
    }; overlapping bookings: ${r.overlapping} (must be 0)`,
  );
  budgets.push(
    checkBudget(
      "weekly booking: 26 dates held, none overlapping",
      `${r.held} held, ${r.overlapping} overlapping`,
      `${(r.rounds + 1) * 26}, 0`,
      r.held === (r.rounds + 1) * 26 && r.overlapping === 0,
    ),
  );
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
  budgets.push(
    checkBudget(
      "holds: no two overlap (DESIGN §10)",
      `${r.overlappingHolds} overlapping`,
      "0",
      r.overlappingHolds === 0,
    ),
  );
}

if (import.meta.main) {
  let ok = false;
  try {
    ok = await main();
  } finally {
    // A server left running would hold its port and skew the next run.
    await Promise.all(started.map((s) => s.stop()));
  }
  if (!ok) Deno.exit(1);
}
