/**
 * The staff directories (issue 15): staff find an account by name or email,
 * and a kitchen by title, city or host, without knowing its id, 50 a page,
 * each row leading to the page where an admin suspends it
 * (suspensions.ts). Support and admins read them; nothing here writes.
 *
 * A search reads the `*_by_term` index range of one typed term
 * (lib/search_terms.ts) and checks the other terms on each record; an empty
 * search lists every record newest first. Either way a page reads what it
 * shows, plus at most SCAN_LIMIT index entries it skips, whatever the size
 * of the store; the cursor in the query string says where the next page
 * starts.
 */
import { z } from "zod";
import { requireCapability } from "../accounts/roles.ts";
import type { Role, SessionUser, User } from "../accounts/schema.ts";
import { getUsers } from "../accounts/repo.ts";
import {
  listUsers,
  listUsersByTerm,
  userTerms,
} from "../accounts/user_index.ts";
import { findCity } from "../cities.ts";
import { ValidationError } from "../errors.ts";
import { getHost } from "../hosts/repo.ts";
import { isId } from "../ids.ts";
import {
  getKitchensFresh,
  kitchenTerms,
  listKitchenIdsOfHost,
  listKitchens,
  listKitchensByTerm,
} from "../kitchens/repo.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import type { KitchenStatus } from "../kitchens/vocabulary.ts";
import {
  countsAt,
  driverOf,
  formatTermCursor,
  matchesTerms,
  MAX_QUERY_TERMS,
  parseTermCursor,
  queryTerms,
  type TermCursor,
} from "../search_terms.ts";
import { normaliseText, textProblem } from "../text.ts";
import { isUserId } from "./suspensions.ts";

/** Rows a directory page shows. */
export const PAGE_SIZE = 50;
/**
 * Index entries a page reads at most besides the ones it shows: entries
 * skipped because the record misses another typed term, or is reached
 * again under another of its terms.
 */
export const SCAN_LIMIT = 1000;
/** Host accounts a kitchen search by host may match; more asks for a closer search. */
export const HOST_MATCH_LIMIT = 20;

const BAD_CURSOR = "That page link is not valid for this search; start again.";

/** One page of a directory. */
export interface DirectoryPage<R> {
  rows: R[];
  /** The next page's cursor, or null on the last page. */
  next: string | null;
  /** The page stopped at SCAN_LIMIT before it filled: later entries were not read yet. */
  partial: boolean;
}

/** A typed search, parsed: its terms and the one whose index range is read. */
export interface TermQuery {
  terms: string[];
  driver: string;
}

// ---------------------------------------------------------------------------
// Query strings

/** A search box: one line of free text, read as terms. */
function searchBox(what: string) {
  return z.string().max(200, "Use at most 200 characters").transform(
    (raw, ctx): TermQuery | null => {
      const value = normaliseText(raw);
      const problem = textProblem(value, { multiline: false });
      if (problem) {
        ctx.addIssue({ code: "custom", message: problem });
        return z.NEVER;
      }
      if (value === "") return null;
      const terms = queryTerms(value);
      if (terms.length === 0) {
        ctx.addIssue({
          code: "custom",
          message: `Type letters or digits of ${what}`,
        });
        return z.NEVER;
      }
      if (terms.length > MAX_QUERY_TERMS) {
        ctx.addIssue({
          code: "custom",
          message: `Use at most ${MAX_QUERY_TERMS} words`,
        });
        return z.NEVER;
      }
      return { terms, driver: driverOf(terms) };
    },
  );
}

const cursorText = z.string().max(400, BAD_CURSOR);

function badCursor(ctx: z.RefinementCtx): never {
  ctx.addIssue({ code: "custom", message: BAD_CURSOR, path: ["cursor"] });
  return z.NEVER;
}

/** A search of the accounts: everyone (newest first), or by terms. */
export type UserSearch =
  | { kind: "all"; cursor: string | null }
  | { kind: "terms"; query: TermQuery; cursor: TermCursor | null };

/**
 * The query string of /admin/users: `q` (a name, business name or email,
 * or the start of one) and the `cursor` of a page after the first.
 *
 * @example
 * userDirectoryQuery.parse({ q: "Rosa", cursor: "" })
 * // { kind: "terms", query: { terms: ["rosa"], driver: "rosa" }, cursor: null }
 */
export const userDirectoryQuery = z.object({
  q: searchBox("a name or an email address"),
  cursor: cursorText,
}).transform((v, ctx): UserSearch => {
  const raw = v.cursor.trim();
  if (!v.q) {
    if (raw && !isUserId(raw)) return badCursor(ctx);
    return { kind: "all", cursor: raw || null };
  }
  const cursor = raw ? parseTermCursor(raw, v.q.driver, isUserId) : null;
  if (raw && !cursor) return badCursor(ctx);
  return { kind: "terms", query: v.q, cursor };
});

/** A search of the kitchens: all (newest first), by terms, or by host (then terms). */
export type KitchenSearch =
  | { kind: "all"; cursor: string | null }
  | { kind: "terms"; query: TermQuery; cursor: TermCursor | null }
  | {
    kind: "host";
    host: TermQuery;
    query: TermQuery | null;
    cursor: string | null;
  };

/**
 * The query string of /admin/kitchens: `q` (words of the title or the
 * city), `host` (the host's name or email, or the start of one) and the
 * `cursor` of a page after the first.
 */
export const kitchenDirectoryQuery = z.object({
  q: searchBox("a title or a city"),
  host: searchBox("the host's name or email address"),
  cursor: cursorText,
}).transform((v, ctx): KitchenSearch => {
  const raw = v.cursor.trim();
  if (v.host) {
    if (raw && !isId(raw)) return badCursor(ctx);
    return { kind: "host", host: v.host, query: v.q, cursor: raw || null };
  }
  if (!v.q) {
    if (raw && !isId(raw)) return badCursor(ctx);
    return { kind: "all", cursor: raw || null };
  }
  const cursor = raw ? parseTermCursor(raw, v.q.driver, isId) : null;
  if (raw && !cursor) return badCursor(ctx);
  return { kind: "terms", query: v.q, cursor };
});

// ---------------------------------------------------------------------------
// Paging

/**
 * Fills a page from `entries` in index order: `load` turns ten entries at a
 * time into rows (null: not a match). One match beyond the page means a
 * next page, which starts after the last row shown; SCAN_LIMIT entries
 * read without filling the page stop it early, and the next page starts
 * after the last entry read.
 */
async function fillPage<E, R>(
  entries: AsyncIterator<E>,
  load: (batch: E[]) => Promise<(R | null)[]>,
  cursorOf: (e: E) => string,
  limit = PAGE_SIZE,
): Promise<DirectoryPage<R>> {
  const rows: R[] = [];
  let lastShown: E | null = null;
  let lastRead: E | null = null;
  let read = 0;
  const budget = limit + SCAN_LIMIT;
  for (let exhausted = false; !exhausted;) {
    const batch: E[] = [];
    while (batch.length < 10 && read < budget) {
      const next = await entries.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      batch.push(next.value);
      read++;
    }
    const loaded = batch.length > 0 ? await load(batch) : [];
    for (let i = 0; i < batch.length; i++) {
      const row = loaded[i];
      if (row === null) continue;
      if (rows.length === limit) {
        return { rows, next: cursorOf(lastShown!), partial: false };
      }
      rows.push(row);
      lastShown = batch[i];
    }
    lastRead = batch.at(-1) ?? lastRead;
    if (!exhausted && read >= budget) {
      if ((await entries.next()).done) break;
      return {
        rows,
        next: cursorOf(rows.length === limit ? lastShown! : lastRead!),
        partial: rows.length < limit,
      };
    }
  }
  return { rows, next: null, partial: false };
}

// ---------------------------------------------------------------------------
// Accounts

/** An account as a directory row. */
export interface StaffUserRow {
  id: string;
  name: string;
  email: string;
  businessName: string | null;
  roles: Role[];
  suspended: boolean;
}

const userRow = (u: User): StaffUserRow => ({
  id: u.id,
  name: u.name,
  email: u.email,
  businessName: u.businessName,
  roles: u.roles,
  suspended: u.suspension !== undefined,
});

/** Rows of the accounts under `batch` that match every term of `query` (see countsAt). */
async function matchingUsers(
  kv: Deno.Kv,
  batch: TermCursor[],
  query: TermQuery,
): Promise<(User | null)[]> {
  const users = await getUsers(kv, batch.map((e) => e.id));
  return batch.map((e) => {
    const u = users.get(e.id);
    if (!u) return null;
    const terms = userTerms(u);
    return matchesTerms(query.terms, terms) &&
        countsAt(e.term, query.driver, terms)
      ? u
      : null;
  });
}

async function userPage(
  kv: Deno.Kv,
  search: UserSearch,
  limit = PAGE_SIZE,
  keep: (u: User) => boolean = () => true,
): Promise<DirectoryPage<User>> {
  if (search.kind === "all") {
    return await fillPage(
      listUsers(kv, search.cursor),
      (batch) => Promise.resolve(batch.map((u) => (keep(u) ? u : null))),
      (u) => u.id,
      limit,
    );
  }
  const { query } = search;
  return await fillPage(
    listUsersByTerm(kv, query.driver, search.cursor),
    async (batch) =>
      (await matchingUsers(kv, batch, query)).map((u) =>
        u && keep(u) ? u : null
      ),
    formatTermCursor,
    limit,
  );
}

/** A page of the account directory (staff only). */
export async function searchUsers(
  kv: Deno.Kv,
  viewer: SessionUser | null,
  search: UserSearch,
): Promise<DirectoryPage<StaffUserRow>> {
  requireCapability(viewer, "admin:read");
  const page = await userPage(kv, search);
  return { ...page, rows: page.rows.map(userRow) };
}

// ---------------------------------------------------------------------------
// Kitchens

/** A kitchen as a directory row. */
export interface StaffKitchenRow {
  id: string;
  title: string;
  /** The city's name as people write it. */
  city: string;
  status: KitchenStatus;
  host: {
    id: string;
    /** The account's name, or the host profile's when there is no account. */
    name: string | null;
    /** Null when the host has no account (a demo host). */
    email: string | null;
  };
}

async function kitchenRows(
  kv: Deno.Kv,
  kitchens: Kitchen[],
): Promise<StaffKitchenRow[]> {
  const hostIds = [...new Set(kitchens.map((k) => k.hostId))];
  const accounts = await getUsers(kv, hostIds);
  const profiles = new Map<string, string | null>();
  for (const id of hostIds) {
    if (!accounts.has(id)) {
      profiles.set(id, (await getHost(kv, id))?.name ?? null);
    }
  }
  return kitchens.map((k) => {
    const account = accounts.get(k.hostId);
    return {
      id: k.id,
      title: k.title,
      city: findCity(k.address.city)?.name ?? k.address.city,
      status: k.status,
      host: {
        id: k.hostId,
        name: account?.name ?? profiles.get(k.hostId) ?? null,
        email: account?.email ?? null,
      },
    };
  });
}

/** Kitchens of `ids` that exist (not drafts) and match `query`, if any. */
async function matchingKitchens(
  kv: Deno.Kv,
  ids: string[],
  query: TermQuery | null,
  entryTerms?: string[],
): Promise<(Kitchen | null)[]> {
  const kitchens = await getKitchensFresh(kv, ids);
  return kitchens.map((k, i) => {
    if (!k || !query) return k;
    const terms = kitchenTerms(k);
    if (!matchesTerms(query.terms, terms)) return null;
    if (entryTerms && !countsAt(entryTerms[i], query.driver, terms)) {
      return null;
    }
    return k;
  });
}

/** Merges id streams that are each in id order into one, in id order. */
async function* mergeIds(
  streams: AsyncGenerator<string>[],
): AsyncGenerator<string> {
  const heads = await Promise.all(streams.map((s) => s.next()));
  for (;;) {
    let min = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h.done) continue;
      if (min < 0 || h.value < (heads[min].value as string)) min = i;
    }
    if (min < 0) return;
    yield heads[min].value as string;
    heads[min] = await streams[min].next();
  }
}

/** Ids of the host accounts matching `host`; too many is a field error. */
async function hostsMatching(
  kv: Deno.Kv,
  host: TermQuery,
): Promise<string[]> {
  const page = await userPage(
    kv,
    { kind: "terms", query: host, cursor: null },
    HOST_MATCH_LIMIT,
    (u) => u.roles.includes("host"),
  );
  if (page.next !== null) {
    // A full page with more to come is too many hosts; a page cut short by
    // the scan budget means the term matches too many accounts to look through.
    throw new ValidationError({
      host: page.partial
        ? "That matches too many accounts to look through: type more of the host's name or email"
        : `More than ${HOST_MATCH_LIMIT} hosts match: type more of the host's name or email`,
    });
  }
  return page.rows.map((u) => u.id);
}

/** A page of the kitchen directory (staff only). */
export async function searchKitchenDirectory(
  kv: Deno.Kv,
  viewer: SessionUser | null,
  search: KitchenSearch,
): Promise<DirectoryPage<StaffKitchenRow>> {
  requireCapability(viewer, "admin:read");
  let page: DirectoryPage<Kitchen>;
  if (search.kind === "all") {
    page = await fillPage(
      listKitchens(kv, search.cursor),
      (batch) => Promise.resolve(batch),
      (k) => k.id,
    );
  } else if (search.kind === "terms") {
    const { query } = search;
    page = await fillPage(
      listKitchensByTerm(kv, query.driver, search.cursor),
      (batch) =>
        matchingKitchens(
          kv,
          batch.map((e) => e.id),
          query,
          batch.map((e) => e.term),
        ),
      formatTermCursor,
    );
  } else {
    const hosts = await hostsMatching(kv, search.host);
    const { query, cursor } = search;
    page = await fillPage(
      mergeIds(hosts.map((h) => listKitchenIdsOfHost(kv, h, cursor))),
      (batch) => matchingKitchens(kv, batch, query),
      (id) => id,
    );
  }
  return { ...page, rows: await kitchenRows(kv, page.rows) };
}
