/**
 * A short-lived, per-instance cache for read-mostly data shown on public pages:
 * kitchen records, host profiles and upcoming busy times.
 *
 * Why: a read from local (SQLite) Deno KV costs ~50 µs of CPU and a `getMany`
 * of ten keys ~0.7 ms; a search page reads dozens, which capped throughput far
 * below DESIGN §10's budget. On Deno Deploy each read is a network round trip.
 *
 * Rules: writes through the repos drop the entries they change, so this
 * instance never shows its own stale writes; other instances see a change
 * within `TTL_MS`. Nothing that decides (booking, publishing, payment) reads
 * through it: those read KV and check versionstamps in their atomics.
 */
const TTL_MS = 5_000;
const MAX_ENTRIES = 20_000;

interface Entry {
  value: Promise<unknown>;
  expiresAt: number;
}

const stores = new WeakMap<Deno.Kv, Map<string, Entry>>();

function storeOf(kv: Deno.Kv): Map<string, Entry> {
  let store = stores.get(kv);
  if (!store) {
    store = new Map();
    stores.set(kv, store);
  }
  return store;
}

/**
 * The cached value for `key`, or `load()`'s, shared by concurrent callers.
 * `keep` decides whether a loaded value is worth caching (not a miss, say).
 */
export function cached<T>(
  kv: Deno.Kv,
  key: string,
  load: () => Promise<T>,
  keep: (value: T) => boolean = () => true,
): Promise<T> {
  const store = storeOf(kv);
  const now = performance.now();
  const hit = store.get(key);
  if (hit && hit.expiresAt > now) return hit.value as Promise<T>;
  if (store.size >= MAX_ENTRIES) store.clear();
  const value = load();
  const entry = { value, expiresAt: now + TTL_MS };
  store.set(key, entry);
  const drop = () => {
    if (store.get(key) === entry) store.delete(key);
  };
  value.then((v) => keep(v) || drop(), drop);
  return value;
}

/** Drops `key`, after a write that changed what it holds. */
export function forget(kv: Deno.Kv, key: string): void {
  stores.get(kv)?.delete(key);
  noteWrite(kv);
}

/**
 * Drops `key` after a write that changed one person's own data, which no
 * public page shows (their saved kitchens): unlike `forget`, the pages this
 * instance keeps for visitors stay.
 */
export function forgetPrivate(kv: Deno.Kv, key: string): void {
  stores.get(kv)?.delete(key);
}

/** Drops every key starting with `prefix` (all of one host's views, say). */
export function forgetPrefix(kv: Deno.Kv, prefix: string): void {
  noteWrite(kv);
  forgetPrivatePrefix(kv, prefix);
}

/**
 * `forgetPrefix` for people's own views (a host's dashboard, a renter's
 * bookings) after a write no public page shows: the pages this instance
 * keeps for visitors stay, as with `forgetPrivate`.
 */
export function forgetPrivatePrefix(kv: Deno.Kv, prefix: string): void {
  const store = stores.get(kv);
  if (!store) return;
  for (const key of store.keys()) {
    if (key.startsWith(prefix)) store.delete(key);
  }
}

const generations = new WeakMap<Deno.Kv, number>();

/**
 * Counts this instance's writes to `kv` that change what public pages show:
 * every `forget`/`forgetPrefix`, and `noteWrite` where nothing cached here
 * held the data (a kitchen published from a draft). Rendered pages remember
 * the generation they were made under and are stale once it moves
 * (routes/page_cache.ts). Call it after the commit, never before: a page
 * rendered in between would carry the new generation and the old data.
 */
export function writeGeneration(kv: Deno.Kv): number {
  return generations.get(kv) ?? 0;
}

/** Marks a committed write that changes public pages (see `writeGeneration`). */
export function noteWrite(kv: Deno.Kv): void {
  generations.set(kv, writeGeneration(kv) + 1);
}
