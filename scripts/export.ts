/**
 * Writes every entry of the store the environment points at (DENO_KV_PATH
 * or DENO_KV_URL, as the app reads them) to stdout as a Prep backup
 * (lib/db/backup.ts):
 *
 *   deno task export > prep.ndjson
 *
 * It streams: memory holds one batch of entries whatever the store's size,
 * and it writes only as fast as stdout takes it. Progress and errors go to
 * stderr, so stdout is the file alone.
 */
import { exportStore } from "../lib/db/backup.ts";
import { schemaVersion } from "../lib/db/migrations/runner.ts";
import { openTaskStore } from "./store.ts";

if (import.meta.main) {
  const { kv } = await openTaskStore();
  try {
    const entries = await exportStore(kv, Deno.stdout.writable, {
      schemaVersion: await schemaVersion(kv),
      now: Date.now(),
    });
    console.error(`Exported ${entries} entries.`);
  } finally {
    kv.close();
  }
}
