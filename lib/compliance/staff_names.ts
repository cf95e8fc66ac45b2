/**
 * Names, not ids, on staff pages (issue 17 §17): the people, kitchens,
 * bookings and documents an audit log or a staff table mentions, read a
 * page at a time. Every read is batched (ten keys a `getMany`, fresh) and
 * bounded by the page it names, so a page of 50 entries costs a few round
 * trips, never one per row; only a kitchen never published (a draft's
 * permit) is read on its own. Lives here, above the domains it reads (kitchens, accounts,
 * bookings, compliance); lib/audit/names.ts says which ids need names, and
 * the audit log page, which may mention reviews, is named in
 * lib/reviews/staff_names.ts.
 */
import { getUsers } from "../accounts/repo.ts";
import {
  actorIds,
  type AuditNames,
  type Person,
  subjectIds,
  subjectKey,
} from "../audit/names.ts";
import type { AuditEntry } from "../audit/schema.ts";
import { getBookings } from "../bookings/repo.ts";
import { keys } from "../db/keys.ts";
import { formatDayTime } from "../format.ts";
import { isId, isUserId } from "../ids.ts";
import { getDraft, getKitchensFresh } from "../kitchens/repo.ts";
import { type ComplianceDocument, DOCUMENT_KIND_NAMES } from "./schema.ts";

/** Accounts by id, as name and email; ids with no account are left out. */
export async function namePeople(
  kv: Deno.Kv,
  ids: readonly string[],
): Promise<Record<string, Person>> {
  const users = await getUsers(kv, ids.filter(isUserId));
  const out: Record<string, Person> = {};
  for (const [id, u] of users) out[id] = { name: u.name, email: u.email };
  return out;
}

/** Kitchens' titles by id, drafts included ("Untitled draft" when it has none yet). */
export async function nameKitchens(
  kv: Deno.Kv,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const unique = [...new Set(ids)].filter(isId);
  const out = new Map<string, string>();
  const kitchens = await getKitchensFresh(kv, unique);
  const drafts = unique.filter((_, i) => !kitchens[i]);
  kitchens.forEach((k) => k && out.set(k.id, k.title));
  // A kitchen never published is a draft; few pages name one.
  const found = await Promise.all(drafts.map((id) => getDraft(kv, id)));
  for (const d of found) {
    if (d) out.set(d.id, d.values.title ?? "Untitled draft");
  }
  return out;
}

/** Documents by id, ten to a read; missing ones are left out. */
async function getDocuments(
  kv: Deno.Kv,
  ids: readonly string[],
): Promise<ComplianceDocument[]> {
  const out: ComplianceDocument[] = [];
  const valid = ids.filter(isId);
  for (let i = 0; i < valid.length; i += 10) {
    const got = await kv.getMany<ComplianceDocument[]>(
      valid.slice(i, i + 10).map((id) => keys.document(id)),
    );
    for (const e of got) if (e.value) out.push(e.value);
  }
  return out;
}

/**
 * Names for `entries`: their actors, and what their subjects are
 * ("Hal's Kitchen", "Booking at Hal's Kitchen, Thu, Dec 3, 10:00 AM",
 * "Food handler card of Rosa Diaz"), plus the accounts in `people` and
 * the kitchens in `kitchens` (what a higher domain's subjects mention).
 */
export async function nameAuditEntries(
  kv: Deno.Kv,
  entries: readonly AuditEntry[],
  opts: { people?: readonly string[]; kitchens?: readonly string[] } = {},
): Promise<AuditNames> {
  const [bookings, documents] = await Promise.all([
    getBookings(kv, subjectIds(entries, "booking").filter(isId)),
    getDocuments(kv, subjectIds(entries, "document")),
  ]);
  const renterHolders = documents.filter((d) => d.holder.kind === "renter");
  const kitchenHolders = documents.filter((d) => d.holder.kind === "kitchen");
  const [people, kitchens] = await Promise.all([
    namePeople(kv, [
      ...actorIds(entries),
      ...subjectIds(entries, "user"),
      ...renterHolders.map((d) => d.holder.id),
      ...(opts.people ?? []),
    ]),
    nameKitchens(kv, [
      ...subjectIds(entries, "kitchen"),
      ...bookings.map((b) => b.kitchenId),
      ...kitchenHolders.map((d) => d.holder.id),
      ...(opts.kitchens ?? []),
    ]),
  ]);
  const subjects: Record<string, string> = {};
  for (const [id, p] of Object.entries(people)) {
    subjects[subjectKey("user", id)] = p.name;
  }
  for (const [id, title] of kitchens) {
    subjects[subjectKey("kitchen", id)] = title;
  }
  for (const b of bookings) {
    const title = kitchens.get(b.kitchenId) ?? "a kitchen";
    subjects[subjectKey("booking", b.id)] = `Booking at ${title}, ${
      formatDayTime(b.timeZone, b.start)
    }`;
  }
  for (const d of documents) {
    const holder = d.holder.kind === "renter"
      ? people[d.holder.id]?.name
      : kitchens.get(d.holder.id);
    subjects[subjectKey("document", d.id)] = holder
      ? `${DOCUMENT_KIND_NAMES[d.kind]} of ${holder}`
      : DOCUMENT_KIND_NAMES[d.kind];
  }
  return { people, subjects };
}
