/**
 * What one render of a public page costs, and where the time goes (issue 11
 * §2). The app runs in this process against a KV file of its own, so the
 * numbers are free of wrk's share of the machine; bench/run.ts measures
 * throughput against a bare server.
 *
 *   deno bench -A bench/render_bench.ts                  # Deno.bench, one page per bench
 *   deno run -A bench/render_bench.ts profile [seconds]  # CPU µs/request and profile areas
 *
 * `profile` serves the app with Deno.serve, drives each page with
 * `wrk -t1 -c16`, reads the process's CPU time per request, then repeats the
 * run under the V8 sampling profiler (node:inspector) and sorts self time
 * into areas. RENDER_BENCH_CATALOGUE=demo|bench picks the demo catalogue
 * (48 kitchens, 6 cards a search page) or 1,000 generated kitchens (12).
 */
import { Session } from "node:inspector/promises";
import { cpuUsage } from "node:process";
import { loadConfig } from "../lib/config.ts";
import { loadManifest } from "../lib/islands/manifest.ts";
import { createApp } from "../routes/app.tsx";
import { seedDemoData } from "../scripts/demo/catalogue.ts";
import { seedBenchCatalogue } from "../scripts/seed_bench.ts";
import { createServices } from "../lib/app.ts";
import { searchDate } from "./catalogues.ts";

const DIR = ".build/render_bench";
const CATALOGUE = Deno.env.get("RENDER_BENCH_CATALOGUE") === "demo"
  ? "demo"
  : "bench";

/** A seeded KV file, built once and reused; "<path>.done" marks it complete. */
async function benchKv(): Promise<Deno.Kv> {
  await Deno.mkdir(DIR, { recursive: true });
  const path = `${DIR}/${CATALOGUE}.kv`;
  const ready = await Deno.stat(`${path}.done`).then(() => true, () => false);
  if (!ready) {
    for (const suffix of ["", "-wal", "-shm"]) {
      await Deno.remove(path + suffix).catch(() => {});
    }
    const kv = await Deno.openKv(path);
    if (CATALOGUE === "demo") await seedDemoData(kv);
    else await seedBenchCatalogue(kv, 1_000);
    kv.close();
    await Deno.writeTextFile(`${path}.done`, new Date().toISOString());
  }
  return await Deno.openKv(path);
}

export interface BenchApp {
  fetch: (req: Request) => Response | Promise<Response>;
  pages: Record<string, string>;
  kv: Deno.Kv;
}

/** The app over the bench KV, and the public pages to measure. */
export async function benchApp(base: string): Promise<BenchApp> {
  const kv = await benchKv();
  const config = loadConfig({
    APP_ENV: "development",
    BASE_URL: base,
    KV_QUEUES: "false",
    // Renders are what this measures, not the rendered-page cache.
    PAGE_CACHE_MB: "0",
  });
  const app = createApp({
    services: createServices(config, kv, Date.now),
    manifest: await loadManifest(),
  });
  const home = await (await app.request(`${base}/`)).text();
  const kitchen = /href="(\/kitchens\/[^"?#]+)"/.exec(home)?.[1];
  if (!kitchen) throw new Error("the home page lists no kitchen");
  const date = searchDate(Temporal.Now.plainDateISO("UTC"));
  return {
    fetch: app.fetch,
    kv,
    pages: {
      "home": "/",
      "search, date": `/search?city=chicago&date=${date}`,
      "search": "/search?city=chicago",
      "kitchen": kitchen,
      "city": "/cities/chicago",
    },
  };
}

// ---------------------------------------------------------------------------
// Profile areas

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export const AREAS = [
  "availability (Temporal, Intl dates)",
  "KV reads and cursors",
  "Preact rendering",
  "formatting (money, times)",
  "response and headers",
  "Hono",
  "GC",
  "app code (search, repos, caches)",
  "native (HTTP server, runtime)",
  "other",
] as const;
export type Area = typeof AREAS[number];

const FORMAT_FUNCTIONS =
  /^(formatCents|formatTime|formatDayTime|formatCached|wallClock)$/;

/** The area a frame belongs to by itself, or null to look at its caller. */
function frameArea(
  f: ProfileNode["callFrame"],
): Area | "profiler" | null {
  const { url, functionName: fn } = f;
  if (fn === "(garbage collector)") return "GC";
  if (fn === "(program)") return "native (HTTP server, runtime)";
  if (url.includes("inspector.js")) return "profiler";
  if (FORMAT_FUNCTIONS.test(fn)) return "formatting (money, times)";
  if (url.includes("deno_kv") || fn.startsWith("op_kv")) {
    return "KV reads and cursors";
  }
  if (fn.startsWith("op_http")) return "response and headers";
  if (
    /preact-render-to-string|\/preact\/\d|@preact\/signals\/|\/components\/|\/islands\/|lib\/islands\//
      .test(url)
  ) return "Preact rendering";
  if (
    /lib\/availability\.ts|lib\/kitchens\/(calendar|slot_view)\.ts/.test(url)
  ) {
    return "availability (Temporal, Intl dates)";
  }
  if (url.includes("lib/money.ts")) return "formatting (money, times)";
  if (/\/hono\/\d/.test(url)) return "Hono";
  if (/deno_http|deno_fetch|deno_web|deno_net|routes\/security\.ts/.test(url)) {
    return "response and headers";
  }
  if (/\/lib\/|\/routes\/|\/zod\/\d/.test(url)) {
    return "app code (search, repos, caches)";
  }
  if (url === "" && /Temporal|ZonedDateTime|PlainDate|Instant/.test(fn)) {
    return "availability (Temporal, Intl dates)";
  }
  return null;
}

/**
 * Self time per area. A sample counts where its innermost recognisable frame
 * is, so Intl's native `format` under formatCents is formatting and a KV op
 * called from search.ts is KV.
 */
export function profileAreas(
  profile: CpuProfile,
): { total: number; areas: Record<Area, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const areaOf = new Map<number, Area | "profiler">();
  const resolve = (id: number): Area | "profiler" => {
    const known = areaOf.get(id);
    if (known) return known;
    const node = byId.get(id)!;
    const own = frameArea(node.callFrame);
    const up = parent.get(id);
    const area = own ?? (up === undefined ? "other" : resolve(up));
    areaOf.set(id, area);
    return area;
  };
  const areas = Object.fromEntries(AREAS.map((a) => [a, 0])) as Record<
    Area,
    number
  >;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const area = resolve(id);
    // Waiting, and the profiler's own messages, are no cost of a request.
    if (
      area === "profiler" || byId.get(id)!.callFrame.functionName === "(idle)"
    ) return;
    areas[area] += dt;
    total += dt;
  });
  return { total, areas };
}

/** One line per area of at least 0.5%, as a share of busy time. */
export function areaTable(profile: CpuProfile): string {
  const { total, areas } = profileAreas(profile);
  return AREAS.filter((a) => areas[a] / total >= 0.005)
    .map((a) =>
      `  ${a.padEnd(40)} ${(100 * areas[a] / total).toFixed(1).padStart(5)}%`
    )
    .join("\n");
}

// ---------------------------------------------------------------------------
// Driving

async function wrk(url: string, seconds: number): Promise<number> {
  const out = await new Deno.Command("wrk", {
    args: ["-t1", "-c16", `-d${seconds}s`, url],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  if (non2xx) throw new Error(`${url}: ${non2xx[1]} error responses`);
  const requests = Number(/(\d+) requests in/.exec(text)?.[1]);
  if (!(requests > 0)) throw new Error(`wrk said:\n${text}`);
  return requests;
}

function cpuMicros(): number {
  const u = cpuUsage();
  return u.user + u.system;
}

async function profileRun(seconds: number) {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => app.fetch(req),
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  const app = await benchApp(base);
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  console.log(
    `${CATALOGUE} catalogue; wrk -t1 -c16 -d${seconds}s per page, app in this process\n`,
  );
  for (const [name, path] of Object.entries(app.pages)) {
    // Warm the caches and the JIT, as a serving instance would be.
    await wrk(base + path, 1);
    const before = cpuMicros();
    const requests = await wrk(base + path, seconds);
    const cpu = (cpuMicros() - before) / requests;
    await session.post("Profiler.start");
    await wrk(base + path, seconds);
    const { profile } = await session.post("Profiler.stop");
    await Deno.writeTextFile(
      `${DIR}/${name.replace(/\W+/g, "_")}.cpuprofile`,
      JSON.stringify(profile),
    );
    console.log(`${name} (${path}): ${cpu.toFixed(0)} µs CPU/request`);
    console.log(areaTable(profile as CpuProfile));
  }
  session.disconnect();
  await server.shutdown();
  app.kv.close();
}

if (Deno.args[0] === "profile") {
  await profileRun(Number(Deno.args[1] ?? 5));
} else if (Deno.args[0] === "areas") {
  for (const file of Deno.args.slice(1)) {
    console.log(file);
    console.log(areaTable(JSON.parse(await Deno.readTextFile(file))));
  }
} else {
  const base = "http://127.0.0.1:8000";
  const app = await benchApp(base);
  for (const [name, path] of Object.entries(app.pages)) {
    Deno.bench(name, async () => {
      const res = await app.fetch(new Request(base + path));
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
      await res.text();
    });
  }
}
