/**
 * /api/backup: the store's backup over HTTP, for deployments with no KV
 * file to run `deno task export` against (Deno Deploy's KV is reached only
 * from the app). Both need BACKUP_TOKEN as a bearer token; without it set
 * the endpoint does not exist.
 *
 *   curl -H "Authorization: Bearer $BACKUP_TOKEN" https://prep.example/api/backup > prep.ndjson
 *   curl -X PUT -H "Authorization: Bearer $BACKUP_TOKEN" --data-binary @prep.ndjson https://prep.example/api/backup
 *
 * GET streams the same file as `deno task export`; PUT restores one into an
 * empty store (`?force=1` writes over one with data), as `deno task import`
 * does, reading the body as it arrives. Each is in the audit log.
 */
import { Hono } from "hono";
import { z } from "zod";
import { restoreBackupFile, startBackup } from "../../lib/backups.ts";
import {
  BackupFormatError,
  backupTokenMatches,
  StoreNotEmptyError,
} from "../../lib/db/backup.ts";
import { NotFoundError } from "../../lib/errors.ts";
import type { AppContext, AppEnv } from "../context.tsx";
import { readQuery } from "../forms.ts";
import { attachment } from "../headers.ts";
import { bodyLimit } from "../limits.ts";

export const backup = new Hono<AppEnv>();

/** A restore streams: memory holds a line at a time. This caps what one request may send. */
const RESTORE_LIMIT = 4 * 1024 * 1024 * 1024;

/** Null when the request carries the token; the answer to send otherwise. */
async function refusal(c: AppContext): Promise<Response | null> {
  const configured = c.var.services.config.BACKUP_TOKEN;
  if (!configured) throw new NotFoundError();
  const given = /^Bearer (\S+)$/.exec(c.req.header("authorization") ?? "")
    ?.[1];
  if (await backupTokenMatches(configured, given)) return null;
  return c.json({ error: "Send the backup token as a bearer token." }, 401, {
    "WWW-Authenticate": 'Bearer realm="backup"',
  });
}

backup.get("/", async (c) => {
  const refused = await refusal(c);
  if (refused) return refused;
  const { kv, clock } = c.var.services;
  const now = clock();
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  // The response starts at once and the export keeps pace with the client.
  await startBackup(kv, writable, now);
  return new Response(readable, {
    headers: {
      "Content-Type": "application/x-ndjson",
      "Cache-Control": "no-store",
      "Content-Disposition": attachment(
        `prep-${new Date(now).toISOString().slice(0, 10)}.ndjson`,
      ),
    },
  });
});

const restoreQuery = z.object({
  force: z.union([z.literal(""), z.literal("1")]),
});

backup.put("/", bodyLimit(RESTORE_LIMIT), async (c) => {
  const refused = await refusal(c);
  if (refused) return refused;
  const read = readQuery(c, restoreQuery);
  if (!read.ok) return c.json({ error: "force is 1 or absent." }, 400);
  const body = c.req.raw.body;
  if (!body) return c.json({ error: "Send the backup file as the body." }, 400);
  const { kv, clock } = c.var.services;
  const now = clock();
  try {
    const done = await restoreBackupFile(kv, body, {
      now,
      force: read.data.force === "1",
    });
    return c.json({
      entries: done.entries,
      written: done.written,
      expired: done.expired,
      schemaVersion: done.migratedTo,
      rebuilt: done.rebuilt,
    });
  } catch (err) {
    if (err instanceof StoreNotEmptyError) {
      return c.json({ error: err.message.replace("--force", "?force=1") }, 409);
    }
    if (err instanceof BackupFormatError) {
      return c.json({
        error:
          `${err.message}. Entries before it may have been written: restore a whole file again with ?force=1.`,
      }, 400);
    }
    throw err;
  }
});
