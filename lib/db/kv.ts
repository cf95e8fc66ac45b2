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

/** Deno KV's getMany takes at most 10 keys; this reads any number in batches. */
export async function getManyValues<T>(
  kv: Deno.Kv,
  keys: Deno.KvKey[],
): Promise<(T | null)[]> {
  const out: (T | null)[] = [];
  for (let i = 0; i < keys.length; i += 10) {
    const entries = await kv.getMany<T[]>(keys.slice(i, i + 10));
    for (const e of entries) out.push(e.value as T | null);
  }
  return out;
}
