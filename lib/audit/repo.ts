/**
 * Writing and reading the audit log. Entries are only ever added, inside
 * the atomic of the change they record; nothing edits or deletes them.
 */
import { keys } from "../db/keys.ts";
import { ValidationError } from "../errors.ts";
import { isId, newId } from "../ids.ts";
import { type AuditEntry, auditEntry, type NewAuditEntry } from "./schema.ts";

/**
 * Adds an audit entry and its by-subject index to `atomic`: it is written
 * if and only if the change it records commits. Throws on an entry that
 * breaks the schema (a programming error), before anything is committed.
 *
 * The entry's key is not checked absent: ids are fresh monotonic ULIDs, and
 * audit entries ride in other domains' atomics, where self-hosted denokv
 * allows only 10 checks.
 */
export function addAudit(
  atomic: Deno.AtomicOperation,
  entry: NewAuditEntry,
  now: number,
): AuditEntry {
  const full = auditEntry.parse({
    ...entry,
    v: 1,
    id: newId(),
    at: new Date(now).toISOString(),
  });
  atomic
    .set(keys.audit(full.id), full)
    .set(
      keys.auditBySubject(full.subject.kind, full.subject.id, full.id),
      full.id,
    );
  return full;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass back to get the next (older) page; null on the last page. */
  cursor: string | null;
}

/**
 * The audit log, newest first, `limit` at a time. The cursor is the id of
 * the last entry shown, so it can travel in a query string.
 */
export async function listAudit(
  kv: Deno.Kv,
  opts: { limit?: number; cursor?: string | null } = {},
): Promise<AuditPage> {
  const limit = Math.min(Math.max(1, opts.limit ?? 50), 500);
  const cursor = opts.cursor || null;
  if (cursor !== null && !isId(cursor)) {
    throw new ValidationError({ cursor: "Not a page of the audit log." });
  }
  const entries: AuditEntry[] = [];
  const iter = kv.list<AuditEntry>({
    prefix: keys.auditPrefix(),
    ...(cursor ? { end: keys.audit(cursor) } : {}),
  }, { reverse: true, limit: limit + 1 });
  for await (const e of iter) entries.push(e.value);
  const more = entries.length > limit;
  if (more) entries.length = limit;
  return { entries, cursor: more ? entries[limit - 1].id : null };
}

/** The newest `limit` entries about one subject, newest first. */
export async function listAuditFor(
  kv: Deno.Kv,
  kind: string,
  subjectId: string,
  opts: { limit?: number } = {},
): Promise<AuditEntry[]> {
  const ids: string[] = [];
  const iter = kv.list<string>({
    prefix: keys.auditBySubjectPrefix(kind, subjectId),
  }, { reverse: true, limit: opts.limit ?? 100 });
  for await (const e of iter) ids.push(e.value);
  const out: AuditEntry[] = [];
  // getMany takes at most 10 keys.
  for (let i = 0; i < ids.length; i += 10) {
    const batch = await kv.getMany<AuditEntry[]>(
      ids.slice(i, i + 10).map((id) => keys.audit(id)),
    );
    for (const e of batch) if (e.value) out.push(e.value);
  }
  return out;
}
