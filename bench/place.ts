/**
 * Distance search's cost with the catalogue's size (issue 20 §3), as CPU
 * time per request of the app in this process: the bench catalogues of
 * 1,000 and 100,000 kitchens (bench/catalogues.ts), page cache off, each
 * page requested sequentially after a warm-up, medians of interleaved
 * rounds. CPU time, unlike throughput, barely moves when other work shares
 * the machine; bench/run.ts measures the same pages' throughput against a
 * bare server.
 *
 *   deno run -A bench/place.ts     # PLACE_BENCH_REQUESTS=400 PLACE_BENCH_ROUNDS=3
 *
 * Budgets: a distance search over 100,000 kitchens within 1.5× of 1,000,
 * and within 2× of the city search over 100,000.
 */
import { cpuUsage } from "node:process";
import { createServices } from "../lib/app.ts";
import { loadConfig } from "../lib/config.ts";
import { loadManifest } from "../lib/islands/manifest.ts";
import { createApp } from "../routes/app.tsx";
import {
  benchCatalogueKv,
  CACHE,
  copyKv,
  removeKv,
  searchDate,
  seedCodeHash,
} from "./catalogues.ts";
import { type Budget, budgetTable, factorBudget } from "./report.ts";

const REQUESTS = Number(Deno.env.get("PLACE_BENCH_REQUESTS") ?? 400);
const ROUNDS = Number(Deno.env.get("PLACE_BENCH_ROUNDS") ?? 3);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** µs of CPU per request for each path, one list per round. */
async function measure(
  source: string,
  paths: string[],
): Promise<Record<string, number[]>> {
  const copy = `${CACHE}/run-place-${crypto.randomUUID()}.kv`;
  await copyKv(source, copy);
  const kv = await Deno.openKv(copy);
  try {
    const config = loadConfig({
      APP_ENV: "development",
      BASE_URL: "http://localhost",
      KV_QUEUES: "false",
      PAGE_CACHE_MB: "0",
    });
    const app = createApp({
      services: createServices(config, kv, Date.now),
      manifest: await loadManifest(),
    });
    const get = async (path: string) => {
      const res = await app.request(path);
      const html = await res.text();
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
      return html;
    };
    const out: Record<string, number[]> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const path of paths) {
        for (let i = 0; i < 50; i++) await get(path);
        const start = cpuUsage();
        for (let i = 0; i < REQUESTS; i++) await get(path);
        const used = cpuUsage(start);
        (out[path] ??= []).push((used.user + used.system) / REQUESTS);
      }
    }
    return out;
  } finally {
    kv.close();
    await removeKv(copy);
  }
}

if (import.meta.main) {
  const hash = await seedCodeHash();
  const sizes = [1_000, 100_000];
  const files: string[] = [];
  for (const size of sizes) files.push(await benchCatalogueKv(size, hash));
  const date = searchDate(Temporal.Now.plainDateISO("UTC"));
  const city = [`/search?city=chicago&date=${date}`, "/search?city=chicago"];
  const near = [
    `/search?near=60614&radius=5&date=${date}`,
    "/search?near=60614&radius=5",
    "/search?near=60614&radius=5&sort=distance",
    "/search?near=60614&radius=50",
  ];
  const paths = [...city, ...near];
  const label = (p: string) => p.replace(date, "<date>");
  const runs: Record<string, number[]>[] = [];
  for (const file of files) runs.push(await measure(file, paths));
  console.log(
    `CPU per request, in process, page cache off, ${REQUESTS} requests a page, medians of ${ROUNDS} rounds`,
  );
  for (const path of paths) {
    console.log(
      `${label(path).padEnd(46)} ${
        sizes.map((size, i) =>
          `${size} kitchens ${median(runs[i][path]).toFixed(0)} µs`
        ).join("  ")
      }`,
    );
  }
  const budgets: Budget[] = [];
  const big = runs[1], small = runs[0];
  for (const path of near) {
    const factor = median(big[path]) / median(small[path]);
    // Nearest first reads whole cells up to the scan cap, which 1,000
    // kitchens never reach: bounded, but not by the same constant.
    const limit = path.includes("sort=distance") ? 2 : 1.5;
    budgets.push(
      factorBudget(`${label(path)}, 100000 vs 1000`, factor, limit),
    );
  }
  for (const [n, c] of [[0, 0], [1, 1]]) {
    budgets.push(
      factorBudget(
        `${label(near[n])} vs ${label(city[c])}, 100000`,
        median(big[near[n]]) / median(big[city[c]]),
        2,
      ),
    );
  }
  console.log(budgetTable(budgets));
  if (!budgets.every((b) => b.pass)) Deno.exit(1);
}
