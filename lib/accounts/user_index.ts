/**
 * How staff find an account without its id: `users_by_term`, an entry per
 * search term of each account (its email, its domain, the words of its
 * name, business name and email), written in the same atomic as the
 * account (repo.ts), and written once by a migration
 * (lib/db/migrations/) for accounts made before it existed.
 */
import { keys } from "../db/keys.ts";
import type { MigrationStep } from "../db/migrations/runner.ts";
import { listTermRange } from "../db/term_index.ts";
import { type TermCursor, termsOf } from "../search_terms.ts";
import type { User } from "./schema.ts";

type Searchable = Pick<User, "id" | "email" | "name" | "businessName">;

/**
 * The terms an account is found by.
 *
 * @example
 * userTerms({ email: "rosa@ex.com", name: "Rosa Diaz", … })
 * // ["@ex.com", "diaz", "rosa", "rosa@ex.com"]
 */
export function userTerms(u: Omit<Searchable, "id">): string[] {
  const at = u.email.lastIndexOf("@");
  const local = at > 0 ? u.email.slice(0, at) : u.email;
  const domain = at > 0 ? u.email.slice(at) : "";
  return termsOf([u.email, domain], [u.name, u.businessName, local]);
}

/**
 * Adds an account's index entries to the atomic that writes it: all of
 * `after`'s (so a write also repairs a missing one), and deletes those of
 * `before` it no longer has. `after` null: the account is being deleted.
 */
export function addUserIndex(
  atomic: Deno.AtomicOperation,
  before: Searchable | null,
  after: Searchable | null,
): void {
  const id = (after ?? before)!.id;
  const now = new Set(after ? userTerms(after) : []);
  for (const t of before ? userTerms(before) : []) {
    if (!now.has(t)) atomic.delete(keys.usersByTerm(t, id));
  }
  for (const t of now) atomic.set(keys.usersByTerm(t, id), id);
}

/** Index entries of accounts with a term starting with `prefix`, after `after`. */
export function listUsersByTerm(
  kv: Deno.Kv,
  prefix: string,
  after: TermCursor | null,
): AsyncGenerator<TermCursor> {
  return listTermRange(kv, keys.usersByTermPrefix(), prefix, after);
}

/** Every account, newest id first, starting after (below) `before`. */
export async function* listUsers(
  kv: Deno.Kv,
  before: string | null,
): AsyncGenerator<User> {
  const iter = kv.list<User>(
    before
      ? { prefix: keys.usersPrefix(), end: keys.user(before) }
      : { prefix: keys.usersPrefix() },
    { reverse: true, batchSize: 100 },
  );
  for await (const e of iter) yield e.value;
}

/** Migration: the index entries of accounts made before `users_by_term` existed. */
export const userIndexMigration: MigrationStep<User> = {
  prefix: keys.usersPrefix(),
  legacyBackfill: "users_by_term",
  migrate: (atomic, e) => addUserIndex(atomic, null, e.value),
};
