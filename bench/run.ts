/**
 * Load benchmarks (DESIGN §10): the app and a bare Deno.serve under wrk in
 * the same run, reported as ratios; search with 1k vs 100k kitchens; and the
 * JavaScript bytes (gzip) each page ships.
 *
 *   deno task bench              # BENCH_SECONDS=10 BENCH_BIG=100000 by default
 */
import { seedDemoData } from "../scripts/seed.ts";
import { seedBenchCatalogue } from "../scripts/seed_bench.ts";

const SECONDS = Number(Deno.env.get("BENCH_SECONDS") ?? 10);
const BIG = Number(Deno.env.get("BENCH_BIG") ?? 100_000);
const SMALL = 1_000;
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

async function wrk(url: string): Promise<WrkResult> {
  const out = await new Deno.Command("wrk", {
    args: ["-t2", "-c64", `-d${SECONDS}s`, "--latency", url],
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

async function waitFor(url: string) {
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

function start(script: string, env: Record<string, string>): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script],
    env: { ...env, APP_ENV: "development" },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
}

async function stop(p: Deno.ChildProcess) {
  p.kill("SIGTERM");
  await p.status;
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

if (import.meta.main) {
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
  const bare = start("bench/bare.ts", { PORT: "8100" });
  const app = start("main.ts", {
    PORT: "8101",
    DENO_KV_PATH: demo,
    SEED_DEMO_DATA: "false",
  });
  await waitFor("http://127.0.0.1:8100/");
  await waitFor("http://127.0.0.1:8101/");
  const base = "http://127.0.0.1:8101";
  const kitchen = /href="(\/kitchens\/[^"]+)"/.exec(
    await (await fetch(`${base}/`)).text(),
  )![1];
  const paths = ["/", `/search?city=chicago&date=${date}`, kitchen];

  console.log(`\nwrk -t2 -c64 -d${SECONDS}s, demo catalogue (48 kitchens)`);
  const bareResult = await wrk("http://127.0.0.1:8100/");
  console.log(row("bare Deno.serve", bareResult, bareResult));
  for (const p of paths) console.log(row(p, await wrk(base + p), bareResult));

  console.log("\nJavaScript shipped (gzip)");
  for (const p of paths) {
    console.log(`${p.padEnd(44)} ${await jsBytes(base, p)} bytes`);
  }
  await stop(app);

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
    const p = start("main.ts", {
      PORT: "8102",
      DENO_KV_PATH: path,
      SEED_DEMO_DATA: "false",
    });
    await waitFor("http://127.0.0.1:8102/");
    const r = await wrk(
      `http://127.0.0.1:8102/search?city=chicago&date=${date}`,
    );
    results.push(r);
    console.log(row(label, r, bareResult));
    await stop(p);
  }
  console.log(
    `big/small time per request: ${
      (results[0].rps / results[1].rps).toFixed(2)
    }× (budget 1.5×)`,
  );
  await stop(bare);
}
