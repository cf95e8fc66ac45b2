/**
 * Backups over HTTP (routes/api/backup.ts): the store's export and a
 * restore with this app's rules and migrations, each recorded in the audit
 * log. The file format and its reading and writing are lib/db/backup.ts.
 */
import { addAudit } from "./audit/repo.ts";
import { backupRules, migrationList } from "./app.ts";
import { exportStore, restoreBackup, type RestoreResult } from "./db/backup.ts";
import { LATEST_SCHEMA_VERSION } from "./db/migrations/names.ts";
import { runMigrations, schemaVersion } from "./db/migrations/runner.ts";

const ACTOR = { kind: "system" as const, id: "backup token" };

async function audit(
  kv: Deno.Kv,
  action: string,
  details: Record<string, number>,
  now: number,
): Promise<void> {
  const atomic = kv.atomic();
  addAudit(atomic, {
    actor: ACTOR,
    action,
    subject: { kind: "store", id: "kv" },
    details,
  }, now);
  await atomic.commit();
}

/**
 * Starts the store's export into `writable`, once the request is audited;
 * it keeps pace with whoever reads the other end. A reader that goes away
 * leaves the file without its end line, so an import refuses it.
 */
export async function startBackup(
  kv: Deno.Kv,
  writable: WritableStream<Uint8Array>,
  now: number,
): Promise<void> {
  const version = await schemaVersion(kv);
  await audit(kv, "backup.exported", { schemaVersion: version }, now);
  exportStore(kv, writable, { schemaVersion: version, now }).catch(() => {});
}

/** Restores a backup file into the store (lib/db/backup.ts `restoreBackup`), audited. */
export async function restoreBackupFile(
  kv: Deno.Kv,
  body: ReadableStream<Uint8Array>,
  opts: { now: number; force: boolean },
): Promise<RestoreResult> {
  const done = await restoreBackup(kv, body, {
    ...opts,
    ...backupRules(),
    latestSchemaVersion: LATEST_SCHEMA_VERSION,
    migrate: (store) => runMigrations(store, migrationList()),
  });
  await audit(kv, "backup.restored", {
    entries: done.entries,
    written: done.written,
    schemaVersion: done.migratedTo,
  }, opts.now);
  return done;
}
