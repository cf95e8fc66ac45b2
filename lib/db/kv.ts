import type { Config } from "../config.ts";

/**
 * Opens the store the config points at: a KV Connect URL (self-hosted denokv),
 * a local SQLite file or ":memory:", or the platform's KV on Deno Deploy.
 */
export async function openStore(
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
