import { findCity } from "../cities.ts";
import type { DerivedCounters } from "../db/backup.ts";
import { ALL_CITIES, keys } from "../db/keys.ts";
import type { MigrationStep } from "../db/migrations/runner.ts";
import { listTermRange } from "../db/term_index.ts";
import { type TermCursor, termsOf } from "../search_terms.ts";
import { cached, forget, forgetPrefix, noteWrite } from "../db/read_cache.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { newId } from "../ids.ts";
import type { Interval } from "./availability.ts";
import { getHostFresh } from "../hosts/repo.ts";
import { cellOf } from "../place/cells.ts";
import type {
  DraftRecord,
  Kitchen,
  KitchenInput,
  PermitStanding,
} from "./schema.ts";
import type { KitchenStatus } from "./vocabulary.ts";

/** Deno.KvU64 sums wrap around, so adding 2^64 - 1 subtracts one. */
const MINUS_ONE = new Deno.KvU64(0xffff_ffff_ffff_ffffn);
const PLUS_ONE = new Deno.KvU64(1n);

/**
 * Whether a kitchen is in search and takes holds: published by its host and
 * its city's required permits verified (the compliance part keeps `permits`
 * current). Records from before permits were tracked have none: not listed.
 */
export function isListed(k: Pick<Kitchen, "status" | "permits">): boolean {
  return k.status === "published" && k.permits?.ok === true;
}

/** The search index entries of a kitchen: none unless it is listed. */
export function searchIndexKeys(k: Kitchen): Deno.KvKey[] {
  if (!isListed(k)) return [];
  const city = k.address.city;
  const price = k.hourlyPriceCents;
  const features = [...k.equipment, ...k.storage.map((s) => `storage:${s}`)];
  return [
    keys.kitchensByPrice(city, price, k.id),
    keys.kitchensByPrice(ALL_CITIES, price, k.id),
    keys.kitchensByCreated(city, k.id),
    keys.kitchensByCreated(ALL_CITIES, k.id),
    ...features.map((f) => keys.kitchensByFeature(city, f, price, k.id)),
    keys.kitchensByCell(cellOf(k), price, k.id),
  ];
}

/**
 * The terms staff find a kitchen by (lib/search_terms.ts): the words of its
 * city and of its title.
 */
export function kitchenTerms(k: Pick<Kitchen, "title" | "address">): string[] {
  const city = findCity(k.address.city);
  return termsOf([], [city?.name ?? k.address.city, k.title]);
}

/** Every index entry of a kitchen, search or not. */
function indexKeys(k: Kitchen): Deno.KvKey[] {
  return [
    keys.kitchensByHost(k.hostId, k.id),
    keys.kitchensByStatus(k.status, k.id),
    ...kitchenTerms(k).map((t) => keys.kitchensByTerm(t, k.id)),
    ...searchIndexKeys(k),
  ];
}

function countScopes(k: Kitchen): string[] {
  return isListed(k) ? [k.address.city, ALL_CITIES] : [];
}

/** Builds a kitchen record; the caller writes it with `addKitchenCreate`. */
export function newKitchen(
  hostId: string,
  input: KitchenInput,
  opts: { status?: KitchenStatus; now?: Date; id?: string } = {},
): Kitchen {
  const at = (opts.now ?? new Date()).toISOString();
  return {
    v: 1,
    id: opts.id ?? newId(),
    hostId,
    status: opts.status ?? "draft",
    createdAt: at,
    updatedAt: at,
    ...input,
  };
}

/**
 * Adds a kitchen's creation to an atomic: the record checked absent, its
 * indexes and counters. Lets a seed create many kitchens in one commit.
 */
export function addKitchenCreate(
  atomic: Deno.AtomicOperation,
  k: Kitchen,
): Deno.AtomicOperation {
  atomic.check({ key: keys.kitchen(k.id), versionstamp: null }).set(
    keys.kitchen(k.id),
    k,
  );
  for (const key of indexKeys(k)) atomic.set(key, k.id);
  for (const scope of countScopes(k)) {
    atomic.sum(keys.kitchenCount(scope), PLUS_ONE.value);
  }
  return atomic;
}

export async function createKitchen(
  kv: Deno.Kv,
  hostId: string,
  input: KitchenInput,
  opts: { status?: KitchenStatus; now?: Date } = {},
): Promise<Kitchen> {
  const host = await getHostFresh(kv, hostId);
  if (!host.value) throw new NotFoundError("That host does not exist.");
  const kitchen = newKitchen(hostId, input, opts);
  // Checking the host entry means a host deleted meanwhile gets no orphan kitchen.
  const res = await addKitchenCreate(kv.atomic().check(host), kitchen).commit();
  if (!res.ok) {
    throw new ConflictError(
      "That kitchen could not be saved; please try again.",
    );
  }
  noteWrite(kv);
  forgetPrefix(kv, SEARCH_VIEWS);
  return kitchen;
}

export async function getKitchen(
  kv: Deno.Kv,
  id: string,
): Promise<Kitchen | null> {
  return (await getKitchenEntry(kv, id)).value;
}

/** A kitchen read fresh, with its versionstamp for an atomic to check. */
export function getKitchenEntry(
  kv: Deno.Kv,
  id: string,
): Promise<Deno.KvEntryMaybe<Kitchen>> {
  return kv.get<Kitchen>(keys.kitchen(id));
}

/** A kitchen as public pages show it; may be a few seconds old (see read_cache.ts). */
function viewKitchen(kv: Deno.Kv, id: string): Promise<Kitchen | null> {
  return cached(kv, kitchenCacheKey(id), () => getKitchen(kv, id), Boolean);
}

const kitchenCacheKey = (id: string) => `kitchen:${id}`;

/** A kitchen a visitor may see: published, or 404. */
export async function getPublishedKitchen(
  kv: Deno.Kv,
  id: string,
): Promise<Kitchen> {
  const k = await viewKitchen(kv, id);
  if (!k || k.status !== "published") {
    throw new NotFoundError("We could not find that kitchen.");
  }
  return k;
}

/**
 * Kitchens for result cards, in the order asked. Single gets rather than
 * `getMany`: locally a ten-key getMany costs as much as ten gets, and most
 * of these are cache hits.
 */
export async function getKitchens(
  kv: Deno.Kv,
  ids: string[],
): Promise<(Kitchen | null)[]> {
  return await Promise.all(ids.map((id) => viewKitchen(kv, id)));
}

/**
 * Adds the rewrite of a kitchen to an atomic: the record, the index entries
 * that differ and the counters. The caller checks the version it read.
 */
export function addKitchenUpdate(
  atomic: Deno.AtomicOperation,
  before: Kitchen,
  after: Kitchen,
): Deno.AtomicOperation {
  atomic.set(keys.kitchen(after.id), after);
  const newKeys = indexKeys(after);
  const newSet = new Set(newKeys.map((k) => JSON.stringify(k)));
  for (const k of indexKeys(before)) {
    if (!newSet.has(JSON.stringify(k))) atomic.delete(k);
  }
  for (const k of newKeys) atomic.set(k, after.id);
  for (const s of countScopes(before)) {
    atomic.sum(keys.kitchenCount(s), MINUS_ONE.value);
  }
  for (const s of countScopes(after)) {
    atomic.sum(keys.kitchenCount(s), PLUS_ONE.value);
  }
  return atomic;
}

/**
 * Builds one atomic with `write` and commits it. When `changed` names a
 * kitchen whose record the write created or rewrote (a draft published),
 * this instance drops its cached views of it once the write lands. False
 * when one of its checks failed.
 */
export async function commitKitchenWrite(
  kv: Deno.Kv,
  write: (atomic: Deno.AtomicOperation) => void,
  changed?: string,
): Promise<boolean> {
  const atomic = kv.atomic();
  write(atomic);
  if (!(await atomic.commit()).ok) return false;
  if (changed) forgetKitchen(kv, changed);
  return true;
}

// ---------------------------------------------------------------------------
// Drafts: listings not yet published (listings.ts)

/** A draft with its versionstamp, for the atomic that changes it to check. */
export function getDraftEntry(
  kv: Deno.Kv,
  id: string,
): Promise<Deno.KvEntryMaybe<DraftRecord>> {
  return kv.get<DraftRecord>(keys.kitchenDraft(id));
}

/** A listing not yet published, as its host saved it so far; null when there is none. */
export async function getDraft(
  kv: Deno.Kv,
  id: string,
): Promise<DraftRecord | null> {
  return (await getDraftEntry(kv, id)).value;
}

/** Adds a new draft, checked absent, and its place among the host's listings. */
export function addNewDraft(
  atomic: Deno.AtomicOperation,
  draft: DraftRecord,
): void {
  atomic
    .check({ key: keys.kitchenDraft(draft.id), versionstamp: null })
    .set(keys.kitchenDraft(draft.id), draft)
    .set(keys.kitchensByHost(draft.hostId, draft.id), draft.id);
}

/** Adds the rewrite of a draft, checked as read. */
export function addDraftUpdate(
  atomic: Deno.AtomicOperation,
  read: Deno.KvEntryMaybe<DraftRecord>,
  next: DraftRecord,
): void {
  atomic.check(read).set(keys.kitchenDraft(next.id), next);
}

/** Adds the removal of a draft (published: the kitchen record takes its place). */
export function addDraftRemoval(
  atomic: Deno.AtomicOperation,
  id: string,
): void {
  atomic.delete(keys.kitchenDraft(id));
}

/** Read-cache prefix of search index pages, counts and the home page's list. */
export const SEARCH_VIEWS = "search:";

/**
 * Drops this instance's cached copy, and the search views it may be in,
 * after a write elsewhere in the app.
 */
export function forgetKitchen(kv: Deno.Kv, id: string): void {
  forget(kv, kitchenCacheKey(id));
  forgetPrefix(kv, SEARCH_VIEWS);
}

/**
 * Applies `change` to the current record and rewrites indexes and counters in
 * one atomic that checks the version read; retries a few times on a race.
 * `extra` adds what must land with the change (an audit entry, a job).
 */
export async function updateKitchen(
  kv: Deno.Kv,
  id: string,
  change: (k: Kitchen) => Kitchen,
  now = new Date(),
  extra?: (
    atomic: Deno.AtomicOperation,
    before: Kitchen,
    after: Kitchen,
  ) => void,
): Promise<Kitchen> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const entry = await kv.get<Kitchen>(keys.kitchen(id));
    if (!entry.value) {
      throw new NotFoundError("We could not find that kitchen.");
    }
    const before = entry.value;
    const after: Kitchen = {
      ...change(before),
      id,
      v: 1,
      updatedAt: now.toISOString(),
    };
    const atomic = addKitchenUpdate(kv.atomic().check(entry), before, after);
    extra?.(atomic, before, after);
    if ((await atomic.commit()).ok) {
      forgetKitchen(kv, id);
      return after;
    }
  }
  throw new ConflictError(
    "That kitchen was changed by someone else; please try again.",
  );
}

export async function setKitchenStatus(
  kv: Deno.Kv,
  id: string,
  status: KitchenStatus,
): Promise<Kitchen> {
  return await updateKitchen(kv, id, (k) => ({ ...k, status }));
}

/** Listed kitchens per scope (a city or ALL_CITIES), from their counters, in order. */
export async function countPublishedKitchensIn(
  kv: Deno.Kv,
  scopes: readonly string[],
): Promise<number[]> {
  const out: number[] = [];
  // getMany takes at most 10 keys.
  for (let i = 0; i < scopes.length; i += 10) {
    const counts = await kv.getMany<Deno.KvU64[]>(
      scopes.slice(i, i + 10).map((s) => keys.kitchenCount(s)),
    );
    for (const c of counts) out.push(Number(c.value?.value ?? 0));
  }
  return out;
}

/** Ids of the newest listed kitchens in a scope, newest first. */
export async function listNewestKitchenIds(
  kv: Deno.Kv,
  scope: string,
  count: number,
): Promise<string[]> {
  const ids: string[] = [];
  const iter = kv.list<string>({
    prefix: keys.kitchensByCreatedPrefix(scope),
  }, { reverse: true, limit: count });
  for await (const e of iter) ids.push(e.value);
  return ids;
}

/** Which search index a search walks: by creation, or by price (within one feature's, and a price range). */
export type SearchIndex =
  | { order: "newest" }
  | {
    order: "price";
    /** An equipment id or `storage:<id>`: only kitchens having it (per city). */
    feature: string | null;
    /** Hourly price bounds in cents, both inclusive. */
    range: { minCents: number; maxCents: number } | null;
  };

/** The KV selector of a search index in a scope (pure). */
export function searchIndexSelector(
  scope: string,
  index: SearchIndex,
): Deno.KvListSelector {
  if (index.order === "newest") {
    return { prefix: keys.kitchensByCreatedPrefix(scope) };
  }
  const prefix = index.feature
    ? keys.kitchensByFeaturePrefix(scope, index.feature)
    : keys.kitchensByPricePrefix(scope);
  if (!index.range) return { prefix };
  return {
    start: [...prefix, index.range.minCents],
    end: [...prefix, index.range.maxCents + 1],
  };
}

/** Up to `limit` kitchen ids of a search index after `cursor`, each with the cursor that follows it. */
export async function listSearchIndex(
  kv: Deno.Kv,
  selector: Deno.KvListSelector,
  opts: { cursor: string | undefined; reverse: boolean; limit: number },
): Promise<{ id: string; cursor: string }[]> {
  const iter = kv.list<string>(selector, {
    cursor: opts.cursor,
    reverse: opts.reverse,
    limit: opts.limit,
    batchSize: opts.limit,
  });
  const entries: { id: string; cursor: string }[] = [];
  for await (const entry of iter) {
    entries.push({ id: entry.value, cursor: iter.cursor });
  }
  return entries;
}

/** Published kitchens in a city (or ALL_CITIES), read from a counter, not a scan. */
export async function countPublishedKitchens(
  kv: Deno.Kv,
  scope: string,
): Promise<number> {
  const entry = await kv.get<Deno.KvU64>(keys.kitchenCount(scope));
  return entry.value ? Number(entry.value.value) : 0;
}

export async function listKitchenIdsByHost(
  kv: Deno.Kv,
  hostId: string,
): Promise<string[]> {
  const ids: string[] = [];
  for await (
    const e of kv.list<string>({ prefix: keys.kitchensByHostPrefix(hostId) })
  ) ids.push(e.value);
  return ids;
}

/** Index entries of kitchens with a term starting with `prefix`, after `after`. */
export function listKitchensByTerm(
  kv: Deno.Kv,
  prefix: string,
  after: TermCursor | null,
): AsyncGenerator<TermCursor> {
  return listTermRange(kv, keys.kitchensByTermPrefix(), prefix, after);
}

/** Every kitchen (drafts never published have none), newest id first, below `before`. */
export async function* listKitchens(
  kv: Deno.Kv,
  before: string | null,
): AsyncGenerator<Kitchen> {
  const iter = kv.list<Kitchen>(
    before
      ? { prefix: keys.kitchensPrefix(), end: keys.kitchen(before) }
      : { prefix: keys.kitchensPrefix() },
    { reverse: true, batchSize: 100 },
  );
  for await (const e of iter) yield e.value;
}

/** Ids of a host's kitchens and drafts, in id order, after `after`. */
export async function* listKitchenIdsOfHost(
  kv: Deno.Kv,
  hostId: string,
  after: string | null,
): AsyncGenerator<string> {
  const prefix = keys.kitchensByHostPrefix(hostId);
  const iter = kv.list<string>(
    after
      ? { prefix, start: keys.kitchensByHost(hostId, `${after}\u0000`) }
      : { prefix },
    { batchSize: 100 },
  );
  for await (const e of iter) yield e.value;
}

/** Kitchens by id, read fresh (not through the read cache), in the order asked. */
export async function getKitchensFresh(
  kv: Deno.Kv,
  ids: readonly string[],
): Promise<(Kitchen | null)[]> {
  const out: (Kitchen | null)[] = [];
  // getMany takes at most 10 keys.
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany<Kitchen[]>(
      ids.slice(i, i + 10).map((id) => keys.kitchen(id)),
    );
    for (const e of got) out.push(e.value);
  }
  return out;
}

/** Migration: the term index entries of kitchens made before `kitchens_by_term` existed. */
export const kitchenIndexMigration: MigrationStep<Kitchen> = {
  prefix: keys.kitchensPrefix(),
  legacyBackfill: "kitchens_by_term",
  migrate: (atomic, e) => {
    for (const t of kitchenTerms(e.value)) {
      atomic.set(keys.kitchensByTerm(t, e.value.id), e.value.id);
    }
  },
};

/** Listed kitchens per scope, summed again from the records after an import (lib/db/backup.ts). */
export const kitchenCountsDerived: DerivedCounters = {
  name: "listed kitchens per city",
  prefixes: [keys.kitchenCountsRoot()],
  sources: [{
    prefix: keys.kitchensPrefix(),
    add: (atomic, e) => {
      for (const scope of countScopes(e.value as Kitchen)) {
        atomic.sum(keys.kitchenCount(scope), PLUS_ONE.value);
      }
    },
  }],
};

/** Whether a host has any kitchen, listed or not. */
export async function hostHasKitchens(
  kv: Deno.Kv,
  hostId: string,
): Promise<boolean> {
  const iter = kv.list({ prefix: keys.kitchensByHostPrefix(hostId) }, {
    limit: 1,
  });
  for await (const _ of iter) return true;
  return false;
}

/** Busy intervals of a kitchen that start before `to` and end after `from`. */
export async function listOccupancy(
  kv: Deno.Kv,
  kitchenId: string,
  from: number,
  to: number,
  longestMs = 24 * 3600_000,
): Promise<BusyInterval[]> {
  const out: BusyInterval[] = [];
  const iter = kv.list<OccupancyValue>({
    start: [...keys.occupancyPrefix(kitchenId), from - longestMs],
    end: [...keys.occupancyPrefix(kitchenId), to],
  });
  for await (const e of iter) {
    const start = e.key[2] as number;
    if (e.value.end > from) {
      out.push({
        start,
        end: e.value.end,
        expiresAt: e.value.expiresAt ?? null,
      });
    }
  }
  return out;
}

/** An occupancy entry's value: its end, and a hold's expiry (free after it). */
export interface OccupancyValue {
  end: number;
  expiresAt?: number | null;
}

/** Busy time as stored: a hold that has expired is free at once, before any job removes it. */
export interface BusyInterval extends Interval {
  expiresAt: number | null;
}

const DAY_MS = 24 * 3600_000;

/** Cache key of a kitchen's upcoming busy times; writes to its occupancy forget it. */
const occupancyCacheKey = (kitchenId: string) => `occupancy:${kitchenId}`;

/**
 * Adds time a kitchen cannot be booked, under `ref` (a booking id or a
 * block's ref), to the atomic that takes it (lib/bookings writes these).
 */
export function addOccupancy(
  atomic: Deno.AtomicOperation,
  kitchenId: string,
  start: number,
  ref: string,
  value: OccupancyValue,
): void {
  atomic.set(keys.occupancy(kitchenId, start, ref), value);
}

/** Adds the release of an occupancy entry to the atomic that frees the time. */
export function addOccupancyRelease(
  atomic: Deno.AtomicOperation,
  kitchenId: string,
  start: number,
  ref: string,
): void {
  atomic.delete(keys.occupancy(kitchenId, start, ref));
}

/**
 * After a committed change to a kitchen's occupancy: this instance drops
 * its cached busy times, so its own pages show the change at once.
 */
export function forgetOccupancy(kv: Deno.Kv, kitchenId: string): void {
  forget(kv, occupancyCacheKey(kitchenId));
}

/**
 * A kitchen's permit standing as lib/compliance last wrote it, for drafts
 * and published kitchens alike, with its versionstamp: a hold or a publish
 * checks it, so a document decided meanwhile makes it read again.
 */
export function getPermitStandingEntry(
  kv: Deno.Kv,
  kitchenId: string,
): Promise<Deno.KvEntryMaybe<PermitStanding>> {
  return kv.get<PermitStanding>(keys.permitStanding(kitchenId));
}

/** Adds a new permit standing (decided by lib/compliance) to the atomic that changes its documents. */
export function addPermitStanding(
  atomic: Deno.AtomicOperation,
  kitchenId: string,
  standing: PermitStanding,
): void {
  atomic.set(keys.permitStanding(kitchenId), standing);
}

/** Days either side of a kitchen's booking window that its cached busy time covers. */
const OCCUPANCY_SLACK_DAYS = 9;

/**
 * Busy intervals in [from, to) for showing free hours, read through a cache
 * of the kitchen's whole booking window. Bookings must not decide with this:
 * their atomics check the claim keys.
 */
export async function viewOccupancy(
  kv: Deno.Kv,
  k: Pick<Kitchen, "id" | "bookingWindowDays">,
  from: number,
  to: number,
  now: number,
): Promise<Interval[]> {
  const window = await cached(kv, occupancyCacheKey(k.id), async () => {
    // The weeks shown run Monday to Sunday: this week's Monday may be six
    // days back, and the week of the last bookable date six days past the
    // window (a day more either side for the kitchen's zone). Asked for
    // beyond the cached span, every request read KV.
    const start = now - OCCUPANCY_SLACK_DAYS * DAY_MS;
    const end = now + (k.bookingWindowDays + OCCUPANCY_SLACK_DAYS) * DAY_MS;
    return { start, end, busy: await listOccupancy(kv, k.id, start, end) };
  });
  const live = (b: BusyInterval) => b.expiresAt === null || b.expiresAt > now;
  if (from < window.start || to > window.end) {
    return (await listOccupancy(kv, k.id, from, to)).filter(live);
  }
  return window.busy.filter((b) => b.start < to && b.end > from && live(b));
}

// ---------------------------------------------------------------------------
// Place (DESIGN §17): the cell index and the approximate-location secret

/** Where a walk of one cell's index resumes: strictly after this entry. */
export interface CellPosition {
  priceCents: number;
  id: string;
}

/**
 * Up to `limit` entries of one cell's index, by price then id, within a
 * price range (cents, inclusive) and after `after`.
 */
export async function listCellIndex(
  kv: Deno.Kv,
  cell: string,
  range: { minCents: number; maxCents: number } | null,
  after: CellPosition | null,
  limit: number,
): Promise<CellPosition[]> {
  const prefix = keys.kitchensByCellPrefix(cell);
  const start: Deno.KvKey = after
    // A key sorts before its extensions, so the id plus NUL is just past it.
    ? [...prefix, after.priceCents, `${after.id}\u0000`]
    : range
    ? [...prefix, range.minCents]
    : prefix;
  const selector: Deno.KvListSelector = range
    ? { start, end: [...prefix, range.maxCents + 1] }
    : after
    ? { prefix, start }
    : { prefix };
  const out: CellPosition[] = [];
  const iter = kv.list<string>(selector, { limit, batchSize: limit });
  for await (const e of iter) {
    out.push({ priceCents: e.key[2] as number, id: e.value });
  }
  return out;
}

/** Migration: the place index entries of kitchens listed before distance search. */
export const kitchenCellsMigration: MigrationStep<Kitchen> = {
  prefix: keys.kitchensPrefix(),
  migrate: (atomic, e) => {
    const k = e.value;
    if (!isListed(k)) return;
    atomic.set(keys.kitchensByCell(cellOf(k), k.hourlyPriceCents, k.id), k.id);
  },
};

const secrets = new WeakMap<Deno.Kv, Promise<Uint8Array>>();

/**
 * The deployment's secret for approximate locations: 32 random bytes made
 * by whichever instance asks first (checked absent, so every instance ends
 * up with the same), then kept in memory.
 */
export function getPlaceSecret(kv: Deno.Kv): Promise<Uint8Array> {
  let found = secrets.get(kv);
  if (!found) {
    found = readOrMakeSecret(kv).catch((err) => {
      secrets.delete(kv);
      throw err;
    });
    secrets.set(kv, found);
  }
  return found;
}

async function readOrMakeSecret(kv: Deno.Kv): Promise<Uint8Array> {
  const key = keys.placeSecret();
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await kv.get<Uint8Array>(key);
    if (entry.value) return entry.value;
    const made = crypto.getRandomValues(new Uint8Array(32));
    const res = await kv.atomic().check(entry).set(key, made).commit();
    if (res.ok) return made;
  }
  throw new ConflictError("Could not set up approximate locations; try again.");
}
