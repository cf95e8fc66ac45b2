import type { Config } from "../config.ts";
import { traceKvCommits } from "../telemetry.ts";

/**
 * Opens the store the config points at: a KV Connect URL (self-hosted denokv),
 * a local SQLite file or ":memory:", or the platform's KV on Deno Deploy.
 * With telemetry on, each of its atomic commits is a span (lib/telemetry.ts).
 */
export async function openStore(
  config: Pick<Config, "DENO_KV_PATH" | "DENO_KV_URL">,
): Promise<Deno.Kv> {
  return traceKvCommits(await open(config));
}

async function open(
  config: Pick<Config, "DENO_KV_PATH" | "DENO_KV_URL">,
): Promise<Deno.Kv> {
  if (config.DENO_KV_URL) return await Deno.openKv(config.DENO_KV_URL);
  if (!config.DENO_KV_PATH) return await Deno.openKv();
  if (config.DENO_KV_PATH !== ":memory:") {
    const dir = config.DENO_KV_PATH.replace(/[^/\\]*$/, "");
    if (dir) await Deno.mkdir(dir, { recursive: true });
  }
  return await Deno.openKv(config.DENO_KV_PATH);
}
