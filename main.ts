import {
  type Config,
  ConfigError,
  devFeaturesNotice,
  loadConfig,
} from "./lib/config.ts";
import { openStore } from "./lib/db/kv.ts";
import { logError } from "./lib/log.ts";
import { DEFAULT_BUILD_DIR, loadManifest } from "./lib/islands/manifest.ts";
import type { Hono } from "hono";
import { createApp } from "./routes/app.tsx";
import type { AppEnv } from "./routes/context.tsx";
import { createServices, type Services } from "./lib/app.ts";
import { createJobRunner } from "./lib/jobs/runner.ts";
import { readOutboxFigures } from "./lib/jobs/stats.ts";
import { observeJobQueue } from "./lib/telemetry.ts";
import { backfillUserIndex } from "./lib/accounts/user_index.ts";
import {
  backfillKitchenCells,
  backfillKitchenIndex,
} from "./lib/kitchens/repo.ts";
import { backfillBookingReferences } from "./lib/bookings/repo.ts";

/**
 * Everything start-up does before serving: configuration, KV, demo data,
 * assets in development, the job workers; returns the app. main.ts serves it
 * with Deno.serve, serve.ts hands it to `deno serve --parallel`.
 */
export async function startPrep(
  opts: { rebuildAssets?: boolean } = {},
): Promise<{ app: Hono<AppEnv>; config: Config }> {
  let config;
  try {
    config = loadConfig(Deno.env.toObject());
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      Deno.exit(1);
    }
    throw err;
  }
  const notice = devFeaturesNotice(config);
  if (notice) console.warn(notice);
  const kv = await openStore(config);
  // Demo data and build scripts are imported only when used, so production
  // start-up loads none of them (DESIGN §3).
  if (config.SEED_DEMO_DATA) {
    const demo = await import("./scripts/demo/mod.ts");
    const seeded = await demo.seedDemo(kv, { accounts: config.DEV_FEATURES });
    if (seeded.created) console.log(`Seeded ${seeded.kitchens} demo kitchens.`);
    if (config.DEV_FEATURES) {
      for (const line of demo.demoAccountLines()) console.log(line);
    }
  }
  // Deployments build once (`deno task build`); a laptop rebuilds whatever changed.
  if (
    config.APP_ENV === "development" && !config.DENO_DEPLOYMENT_ID &&
    opts.rebuildAssets !== false
  ) {
    const { buildAssets, isStale } = await import("./scripts/build.ts");
    if (await isStale(DEFAULT_BUILD_DIR)) {
      await buildAssets({ outDir: DEFAULT_BUILD_DIR });
      console.log("Rebuilt islands and stylesheet.");
    }
  }
  const services = createServices(config, kv);
  startJobs(services);
  startBackfills(kv);
  const manifest = await loadManifest();
  const app = createApp({ services, manifest });
  return { app, config };
}

async function main() {
  const { app, config } = await startPrep();
  Deno.serve({
    port: config.PORT,
    hostname: config.HOSTNAME,
    onListen: () => console.log(`Prep is listening on ${config.BASE_URL}`),
  }, app.fetch);
}

/**
 * The outbox's workers: KV-queue wake-ups where queues exist, and a sweep at
 * start and every minute — the only path on Deno Deploy (DESIGN §6).
 */
function startJobs(services: Services) {
  const leaseMs = services.config.JOB_LEASE_SECONDS * 1000;
  const runner = createJobRunner(services.kv, services.jobs, {
    wake: services.wake,
    leaseMs,
  });
  observeJobQueue(() => readOutboxFigures(services.kv, services.clock()));
  sweepJobs = () =>
    runner.runDue().then(
      () => {},
      (err) => logError("Job sweep failed:", err),
    );
  if (services.wake) {
    runner.listen().catch((err) =>
      logError("Job queue listener stopped:", err)
    );
  }
  sweepJobs();
  // Jobs a stopped instance had claimed come due when its leases lapse: run
  // them then, rather than at the next minute's cron.
  Deno.unrefTimer(setTimeout(() => sweepJobs(), leaseMs + 1_000));
}

let sweepJobs: () => Promise<void> = () => Promise.resolve();

/**
 * Writes the staff search indexes of accounts, kitchens and booking
 * references made before them, and the place index of kitchens listed
 * before distance search (lib/db/backfill.ts): once per store, in the
 * background so start-up does not wait; a stopped instance leaves the rest
 * to the next start.
 */
function startBackfills(kv: Deno.Kv) {
  const backfills = [
    ["accounts", "staff search", backfillUserIndex],
    ["kitchens", "staff search", backfillKitchenIndex],
    ["bookings", "staff search", backfillBookingReferences],
    ["kitchens", "distance search", backfillKitchenCells],
  ] as const;
  (async () => {
    for (const [what, use, backfill] of backfills) {
      const res = await backfill(kv);
      if (res.ran && res.entries > 0) {
        console.log(`Indexed ${res.entries} existing ${what} for ${use}.`);
      }
    }
  })().catch((err) =>
    logError("An index backfill stopped (the next start resumes it):", err)
  );
}

// Deno Deploy only registers crons declared at the top level of the entry
// module, so this one is, and it runs whatever runner start-up started.
Deno.cron("run due jobs", "* * * * *", () => sweepJobs());

if (import.meta.main) await main();
