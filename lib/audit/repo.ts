/**
 * Writing and reading the audit log. Entries are only ever added, inside
 * the atomic of the change they record; nothing edits or deletes them.
 */
import { z } from "zod";
import { keys } from "../db/keys.ts";
import { ValidationError } from "../errors.ts";
import { isId, newId } from "../ids.ts";
import { requestClientAddress } from "./request.ts";
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
  const client = requestClientAddress();
  const full = auditEntry.parse({
    ...(client ? { client } : {}),
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
  /**
   * The page stopped at the scan budget before it filled: entries older
   * than the cursor were not looked at yet (filters other than the subject
   * are checked entry by entry).
   */
  partial: boolean;
}

/**
 * What staff filter the log by; every field is optional and they combine.
 * Dates are calendar days in UTC, both ends included.
 */
export interface AuditFilter {
  /** A user id, an email (any case), or a script's or event's id. */
  actor?: string;
  subjectKind?: string;
  subjectId?: string;
  /** Exact ("document.verified"), or a prefix: "document." or "document". */
  action?: string;
  from?: string;
  to?: string;
}

/** Entries a filtered page reads at most: the log has no index by actor or action. */
export const AUDIT_SCAN_LIMIT = 5000;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function nextDay(date: string): string {
  return Temporal.PlainDate.from(date).add({ days: 1 }).toString();
}

/** Whether `e` passes every filter that is set. Pure. */
export function matchesAudit(e: AuditEntry, f: AuditFilter): boolean {
  if (f.actor) {
    const a = f.actor;
    const byEmail = a.includes("@") &&
      e.actor.email?.toLowerCase() === a.toLowerCase();
    if (!byEmail && e.actor.id !== a) return false;
  }
  if (f.subjectKind && e.subject.kind !== f.subjectKind) return false;
  if (f.subjectId && e.subject.id !== f.subjectId) return false;
  if (f.action) {
    const ok = f.action.endsWith(".")
      ? e.action.startsWith(f.action)
      : e.action === f.action || e.action.startsWith(`${f.action}.`);
    if (!ok) return false;
  }
  if (f.from && e.at < `${f.from}T00:00:00.000Z`) return false;
  if (f.to && e.at >= `${nextDay(f.to)}T00:00:00.000Z`) return false;
  return true;
}

const optional = (schema: z.ZodType<string>) =>
  z.string().trim().transform((v, ctx) => {
    if (v === "") return undefined;
    const parsed = schema.safeParse(v);
    if (parsed.success) return parsed.data;
    ctx.addIssue({ code: "custom", message: parsed.error.issues[0].message });
    return z.NEVER;
  });

const utcDate = z.iso.date({ error: "Enter a date like 2026-12-31" });

/**
 * The filter form of /admin/audit, read from the query string. Every field
 * may be left empty; what is typed must make sense, so a mistyped filter is
 * a field error rather than an empty page.
 */
export const auditQuery = z.object({
  actor: optional(
    z.string().max(254, "Use at most 254 characters").regex(
      // deno-lint-ignore no-control-regex
      /^[^\u0000-\u001f\u007f]+$/,
      "Enter a user id or an email address",
    ),
  ),
  kind: optional(
    z.string().max(32, "Use at most 32 characters").regex(
      /^[a-z][a-z_]*$/,
      "Enter a kind of object like booking, document, kitchen or user",
    ),
  ),
  subject: optional(
    z.string().max(200, "Use at most 200 characters").regex(
      /^[A-Za-z0-9_.:-]+$/,
      "Enter the object's id",
    ),
  ),
  action: optional(
    z.string().max(64, "Use at most 64 characters").regex(
      /^[a-z][a-z_]*(\.[a-z][a-z_]*)*\.?$/,
      'Enter an action like "document.verified", or "document." for all of them',
    ),
  ),
  from: optional(utcDate),
  to: optional(utcDate),
  cursor: optional(
    z.string().refine(isId, "That page link is not valid; start again."),
  ),
}).superRefine((q, ctx) => {
  if (q.from && q.to && q.to < q.from) {
    ctx.addIssue({
      code: "custom",
      message: "The end date must be on or after the start date",
      path: ["to"],
    });
  }
}).transform((q) => ({
  cursor: q.cursor ?? null,
  filter: {
    // Ids are upper case; staff may paste them in any case.
    actor: q.actor && isId(q.actor.toUpperCase()) && !q.actor.includes("@")
      ? q.actor.toUpperCase()
      : q.actor,
    subjectKind: q.kind,
    subjectId: q.subject && isId(q.subject.toUpperCase())
      ? q.subject.toUpperCase()
      : q.subject,
    action: q.action,
    from: q.from,
    to: q.to,
  } satisfies AuditFilter,
}));

/** Whether any filter is set. */
export function isFiltered(f: AuditFilter): boolean {
  return Object.values(f).some((v) => v !== undefined && v !== "");
}

/**
 * Log entries newest first, with the id each was found under (an index may
 * outlive nothing here, but a missing entry still advances the cursor).
 */
async function* scanAudit(
  kv: Deno.Kv,
  filter: AuditFilter,
  cursor: string | null,
): AsyncGenerator<{ id: string; entry: AuditEntry | null }> {
  const { subjectKind: kind, subjectId: subject } = filter;
  if (!kind || !subject) {
    for await (
      const e of kv.list<AuditEntry>({
        prefix: keys.auditPrefix(),
        ...(cursor ? { end: keys.audit(cursor) } : {}),
      }, { reverse: true, batchSize: 200 })
    ) yield { id: e.value.id, entry: e.value };
    return;
  }
  // One subject has its own index: no need to read anything else.
  let ids: string[] = [];
  const flush = async function* () {
    const got = await kv.getMany<AuditEntry[]>(ids.map((id) => keys.audit(id)));
    for (let i = 0; i < ids.length; i++) {
      yield { id: ids[i], entry: got[i].value };
    }
    ids = [];
  };
  for await (
    const e of kv.list<string>({
      prefix: keys.auditBySubjectPrefix(kind, subject),
      ...(cursor ? { end: keys.auditBySubject(kind, subject, cursor) } : {}),
    }, { reverse: true, batchSize: 200 })
  ) {
    ids.push(e.value);
    // getMany takes at most 10 keys.
    if (ids.length === 10) yield* flush();
  }
  if (ids.length > 0) yield* flush();
}

/**
 * The audit log, newest first, `limit` at a time, optionally filtered. The
 * cursor is an entry id, so it can travel in a query string: the last entry
 * shown, or (when the scan budget ran out first) the last one looked at.
 * A filter on one subject (kind and id) reads that subject's index; other
 * filters are checked entry by entry, at most `scanLimit` entries a page.
 */
export async function listAudit(
  kv: Deno.Kv,
  opts: {
    limit?: number;
    cursor?: string | null;
    filter?: AuditFilter;
    scanLimit?: number;
  } = {},
): Promise<AuditPage> {
  const limit = Math.min(Math.max(1, opts.limit ?? 50), 500);
  const cursor = opts.cursor || null;
  if (cursor !== null && !isId(cursor)) {
    throw new ValidationError({ cursor: "Not a page of the audit log." });
  }
  const filter = opts.filter ?? {};
  for (const d of [filter.from, filter.to]) {
    if (d !== undefined && !DATE.test(d)) {
      throw new ValidationError({ from: "Use a date like 2026-12-31." });
    }
  }
  const budget = Math.max(limit + 1, opts.scanLimit ?? AUDIT_SCAN_LIMIT);
  const entries: AuditEntry[] = [];
  let scanned = 0;
  for await (const { id, entry } of scanAudit(kv, filter, cursor)) {
    if (entry && matchesAudit(entry, filter)) {
      // One match beyond the page: there is a next page, starting after the last shown.
      if (entries.length === limit) {
        return { entries, cursor: entries[limit - 1].id, partial: false };
      }
      entries.push(entry);
    }
    if (++scanned >= budget) return { entries, cursor: id, partial: true };
  }
  return { entries, cursor: null, partial: false };
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
