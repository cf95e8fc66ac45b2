/**
 * Restores a Prep backup (lib/db/backup.ts) into the store the environment
 * points at (DENO_KV_PATH or DENO_KV_URL, as the app reads them):
 *
 *   deno task import prep.ndjson            # into an empty store
 *   deno task import prep.ndjson --force    # write over a store with data
 *
 * The file is read twice, streaming both times: first to check every line
 * (a damaged or unfinished file changes nothing), then to write. After the
 * entries, the migrations the file's schema version lacks run, and the
 * counters derived from records are summed again.
 */
import { z } from "zod";
import { backupRules, migrationList } from "../lib/app.ts";
import {
  BackupFormatError,
  importStore,
  restoreBackup,
  StoreNotEmptyError,
} from "../lib/db/backup.ts";
import { LATEST_SCHEMA_VERSION } from "../lib/db/migrations/names.ts";
import { runMigrations } from "../lib/db/migrations/runner.ts";
import { openTaskStore } from "./store.ts";

const args = z.object({
  file: z.string().min(1),
  force: z.boolean(),
});

export function parseImportArgs(argv: string[]) {
  const flags = argv.filter((a) => a.startsWith("--"));
  const unknown = flags.filter((f) => f !== "--force");
  if (unknown.length) {
    return { ok: false as const, error: `Unknown option ${unknown[0]}` };
  }
  const files = argv.filter((a) => !a.startsWith("--"));
  const parsed = args.safeParse({
    file: files.length === 1 ? files[0] : "",
    force: flags.includes("--force"),
  });
  return parsed.success ? { ok: true as const, ...parsed.data } : {
    ok: false as const,
    error: "Give one backup file.",
  };
}

async function open(file: string): Promise<ReadableStream<Uint8Array>> {
  return (await Deno.open(file, { read: true })).readable;
}

if (import.meta.main) {
  const parsed = parseImportArgs(Deno.args);
  if (!parsed.ok) {
    console.error(
      `${parsed.error}\nUsage: deno task import <prep.ndjson> [--force]`,
    );
    Deno.exit(2);
  }
  const { kv } = await openTaskStore();
  const rules = backupRules();
  const options = {
    now: Date.now(),
    force: parsed.force,
    ...rules,
    latestSchemaVersion: LATEST_SCHEMA_VERSION,
  };
  try {
    const checked = await importStore(kv, await open(parsed.file), {
      ...options,
      dryRun: true,
    });
    const done = await restoreBackup(kv, await open(parsed.file), {
      ...options,
      migrate: (store) =>
        runMigrations(store, migrationList(), {
          log: (l) => console.error(l),
        }),
    });
    console.error(
      `Restored ${done.written} of ${checked.entries} entries (${done.expired} had expired), schema version ${done.schemaVersion} → ${done.migratedTo}; counters summed again from ${
        Object.entries(done.rebuilt).map(([name, n]) =>
          `${n} records (${name})`
        )
          .join(", ")
      }.`,
    );
  } catch (err) {
    if (
      err instanceof StoreNotEmptyError || err instanceof BackupFormatError ||
      err instanceof Deno.errors.NotFound
    ) {
      console.error(err.message);
      Deno.exit(1);
    }
    throw err;
  } finally {
    kv.close();
  }
}
