import { type Config, ConfigError, loadConfig } from "./lib/config.ts";
import { openStore } from "./lib/db/kv.ts";
import { loadManifest } from "./lib/islands/manifest.ts";
import { createApp } from "./routes/app.tsx";
import { buildAssets, isStale } from "./scripts/build.ts";
import { seedDemoData } from "./scripts/seed.ts";
import { demoAccountLines, seedDemoAccounts } from "./scripts/demo_accounts.ts";
import { jobHandlers } from "./lib/jobs/handlers.ts";
import { createJobRunner } from "./lib/jobs/runner.ts";
import { DEFAULT_BUILD_DIR } from "./lib/islands/manifest.ts";

async function main() {
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
  const kv = await openStore(config);
  if (config.SEED_DEMO_DATA) {
    const seeded = await seedDemoData(kv);
    if (seeded.created) console.log(`Seeded ${seeded.kitchens} demo kitchens.`);
    await seedDemoAccounts(kv);
    for (const line of demoAccountLines()) console.log(line);
  }
  // Deployments build once (`deno task build`); a laptop rebuilds whatever changed.
  if (config.APP_ENV === "development" && !config.DENO_DEPLOYMENT_ID) {
    if (await isStale(DEFAULT_BUILD_DIR)) {
      await buildAssets({ outDir: DEFAULT_BUILD_DIR });
      console.log("Rebuilt islands and stylesheet.");
    }
  }
  startJobs(kv, config);
  const manifest = await loadManifest();
  const app = createApp({ kv, config, manifest, now: Date.now });
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
function startJobs(kv: Deno.Kv, config: Config) {
  const runner = createJobRunner(kv, jobHandlers(config, kv), {
    wake: config.KV_QUEUES,
  });
  sweepJobs = () =>
    runner.runDue().then(
      () => {},
      (err) => console.error("Job sweep failed:", err),
    );
  if (config.KV_QUEUES) {
    runner.listen().catch((err) =>
      console.error("Job queue listener stopped:", err)
    );
  }
  sweepJobs();
}

let sweepJobs: () => Promise<void> = () => Promise.resolve();

// Deno Deploy only registers crons declared at the top level of the entry
// module, so this one is, and it runs whatever runner main() starts.
Deno.cron("run due jobs", "* * * * *", () => sweepJobs());

await main();
