/**
 * Names for what an audit log mentions by id (issue 17 §17): staff read
 * "Rosa Diaz" and "Hal's Kitchen, Thu, Dec 3, 10:00 AM", with the ids kept
 * beside them as small copyable text. The entries themselves keep ids
 * (and the actor's email at the time); names are looked up when a page is
 * shown, so a renamed kitchen or person reads as they are now.
 *
 * This module is pure: which ids a page needs named, and where a name is
 * found. The reads, a page's worth at a time, are the staff views' own
 * (lib/compliance/staff_names.ts, lib/bookings/staff.ts).
 */
import type { AuditEntry } from "./schema.ts";

export interface Person {
  name: string;
  email: string;
}

export interface AuditNames {
  /** Accounts by user id. */
  people: Record<string, Person>;
  /** What each subject is, by `subjectKey(kind, id)`. */
  subjects: Record<string, string>;
}

export const NO_NAMES: AuditNames = { people: {}, subjects: {} };

/** The key of a subject in `AuditNames.subjects`. */
export const subjectKey = (kind: string, id: string): string => `${kind}:${id}`;

/** The user ids of the entries' actors (users only), each once. */
export function actorIds(entries: readonly AuditEntry[]): string[] {
  const ids = new Set<string>();
  for (const e of entries) {
    if (e.actor.kind === "user" && e.actor.id) ids.add(e.actor.id);
  }
  return [...ids];
}

/** The ids of the entries' subjects of `kind`, each once. */
export function subjectIds(
  entries: readonly AuditEntry[],
  kind: string,
): string[] {
  return [
    ...new Set(
      entries.filter((e) => e.subject.kind === kind).map((e) => e.subject.id),
    ),
  ];
}
