/**
 * `deno task seed`: the demo catalogue, its permits and the demo accounts
 * into the configured KV (scripts/demo/). Safe to run again: it adds only
 * what is missing.
 */
import { loadConfig } from "../lib/config.ts";
import { openStore } from "../lib/db/kv.ts";
import { demoAccountLines, seedDemo } from "./demo/mod.ts";

const config = loadConfig(Deno.env.toObject());
const kv = await openStore(config);
try {
  const started = performance.now();
  const res = await seedDemo(kv, { accounts: true });
  const where = config.DENO_KV_URL ?? config.DENO_KV_PATH ?? "Deno KV";
  const ms = Math.round(performance.now() - started);
  console.log(
    res.created
      ? `Seeded ${res.kitchens} demo kitchens from ${res.hosts} hosts into ${where} in ${ms} ms.`
      : `Demo data already in ${where} (seed "${res.seed}"); nothing to do.`,
  );
  for (const line of demoAccountLines()) console.log(line);
} finally {
  kv.close();
}
