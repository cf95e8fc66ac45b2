/**
 * Schema migrations (DESIGN §18): a numbered list, run in order at start,
 * before the app serves. Each migration walks the entries under one prefix
 * and changes each in its own atomic (one atomic per migrated entry), which
 * also records the progress, so:
 *
 * - It is idempotent and exact. The atomic that migrates an entry checks
 *   the entry as read and the state as this runner last wrote it, and
 *   moves the state's `after` to that entry's key. An entry is migrated
 *   once: a crash before the commit leaves it to the next run, after it the
 *   next run starts past it. So a migration may add to counters.
 * - It resumes. A store stopped half-way (Deno Deploy stops instances at
 *   will) carries on from the last entry done.
 * - It is safe with several workers or instances starting at once. The
 *   state is one key, and whoever runs a migration holds a lease on it
 *   that every entry's atomic renews; the others wait, and serve only once
 *   the store is at the latest version. A runner that lost its lease (it
 *   stalled past it and another took over) fails its next check and goes
 *   back to waiting; it never writes an entry twice.
 * - A new store (nothing in it) starts at the latest version: there is
 *   nothing to migrate, and what the app writes from then on is current.
 *
 * Migrations are named in names.ts and defined by the domain that owns the
 * entries (its repo spells the keys); lib/app.ts lists them in order.
 */
import { keys } from "../keys.ts";
import type { MigrationName } from "./names.ts";

/** What a migration does to each entry under its prefix. */
export interface MigrationStep<T = unknown> {
  /** The entries it goes through, in key order. */
  prefix: Deno.KvKey;
  /**
   * Adds the entry's migration to `atomic`, which already checks the entry
   * and the runner's state. It may read; what it reads and relies on, it
   * checks in the same atomic.
   */
  migrate: (
    atomic: Deno.AtomicOperation,
    entry: Deno.KvEntry<T>,
    kv: Deno.Kv,
  ) => void | Promise<void>;
  /**
   * The name of the start-up backfill (lib/db/backfill.ts, before this
   * runner) that did the same work: a store where it finished has nothing
   * left to do.
   */
  legacyBackfill?: string;
}

export interface Migration extends MigrationStep<unknown> {
  /** 1, 2, 3…: the schema version the store is at once this has run. */
  version: number;
  name: MigrationName;
}

interface Running {
  version: number;
  /** The last entry done; the next starts past it. Null before the first. */
  after: Deno.KvKey | null;
  entries: number;
  owner: string;
  leaseUntil: number;
}

export interface MigrationState {
  v: 1;
  /** The last migration done (0 for none). */
  version: number;
  running: Running | null;
}

export interface RunOptions {
  now?: () => number;
  /** Who this runner is (tests name them); a random id by default. */
  owner?: string;
  leaseMs?: number;
  /** How long to wait before looking again while another runner works. */
  pollMs?: number;
  log?: (line: string) => void;
  /** Tests: called before each entry's commit, to stop or stall a run as a crash or a pause would. */
  beforeCommit?: (
    migration: Migration,
    entries: number,
  ) => void | Promise<void>;
}

export interface RunResult {
  /** The version the store was at, and is at now. */
  from: number;
  to: number;
  /** Entries this runner migrated. */
  entries: number;
  /** A new store, stamped at the latest version without running anything. */
  fresh: boolean;
}

const LEASE_MS = 30_000;
const POLL_MS = 200;

const isLocked = (err: unknown) =>
  err instanceof Error && /database is locked/i.test(err.message);

/** The smallest key after `key`: an empty byte string sorts before every other part. */
const pastKey = (key: Deno.KvKey): Deno.KvKey => [...key, new Uint8Array()];

/** Checks the list is 1, 2, 3… in order. */
export function checkMigrations(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(
        `Migration ${m.name} is number ${m.version}, expected ${i + 1}`,
      );
    }
  });
}

/** The store's migration state, or null for a store that has none yet. */
export async function readMigrationState(
  kv: Deno.Kv,
): Promise<MigrationState | null> {
  return (await kv.get<MigrationState>(keys.migrationState())).value;
}

/** The schema version of a store: the last migration done (a new store: none yet, 0). */
export async function schemaVersion(kv: Deno.Kv): Promise<number> {
  return (await readMigrationState(kv))?.version ?? 0;
}

/**
 * Brings the store to the last migration of `list`, waiting while another
 * runner does. Returns once the store is there.
 */
export async function runMigrations(
  kv: Deno.Kv,
  list: readonly Migration[],
  opts: RunOptions = {},
): Promise<RunResult> {
  checkMigrations(list);
  const latest = list.length;
  const now = opts.now ?? Date.now;
  const owner = opts.owner ?? crypto.randomUUID();
  const leaseMs = opts.leaseMs ?? LEASE_MS;
  const log = opts.log ?? (() => {});
  const key = keys.migrationState();
  let from: number | null = null;
  let entries = 0;
  for (let locked = 0;;) {
    try {
      const found = await kv.get<MigrationState>(key);
      if (found.value === null && await isEmpty(kv)) {
        const fresh: MigrationState = { v: 1, version: latest, running: null };
        const res = await kv.atomic().check(found).set(key, fresh).commit();
        if (res.ok) return { from: latest, to: latest, entries, fresh: true };
        continue;
      }
      const state = found.value ?? { v: 1, version: 0, running: null };
      from ??= state.version;
      if (state.version >= latest) {
        return { from, to: state.version, entries, fresh: false };
      }
      const r = state.running;
      if (r && r.owner !== owner && r.leaseUntil > now()) {
        await new Promise((ok) => setTimeout(ok, opts.pollMs ?? POLL_MS));
        continue;
      }
      const m = list[state.version];
      const running: Running = r && r.version === m.version
        ? { ...r, owner, leaseUntil: now() + leaseMs }
        : {
          version: m.version,
          after: null,
          entries: 0,
          owner,
          leaseUntil: now() + leaseMs,
        };
      if (r?.owner !== owner) {
        log(
          running.after
            ? `Migration ${m.version} (${m.name}): resuming after ${running.entries} entries.`
            : `Migration ${m.version} (${m.name}): starting.`,
        );
      }
      const claimed = await kv.atomic().check(found)
        .set(key, { ...state, running }).commit();
      if (!claimed.ok) continue;
      const done = await runOne(kv, m, state, running, claimed.versionstamp, {
        now,
        leaseMs,
        beforeCommit: opts.beforeCommit,
      });
      entries += done.entries;
      if (done.finished) {
        log(
          `Migration ${m.version} (${m.name}): done, ${done.total} entries.`,
        );
      }
    } catch (err) {
      // A local KV file shared by `deno serve --parallel` workers answers
      // "database is locked" while another writes: wait and look again.
      if (!isLocked(err) || ++locked > 200) throw err;
      await new Promise((ok) => setTimeout(ok, 20 + Math.random() * 80));
    }
  }
}

async function isEmpty(kv: Deno.Kv): Promise<boolean> {
  for await (const _ of kv.list({ prefix: [] }, { limit: 1 })) return false;
  return true;
}

/**
 * Runs `m` from `running.after` while the state stays as this runner wrote
 * it. `finished` once the state says the migration is done.
 */
async function runOne(
  kv: Deno.Kv,
  m: Migration,
  state: MigrationState,
  running: Running,
  versionstamp: string,
  opts: {
    now: () => number;
    leaseMs: number;
    beforeCommit?: (m: Migration, entries: number) => void | Promise<void>;
  },
): Promise<{ entries: number; total: number; finished: boolean }> {
  const key = keys.migrationState();
  let current = running;
  let stamp = versionstamp;
  let entries = 0;
  const write = (atomic: Deno.AtomicOperation, next: MigrationState) =>
    atomic.check({ key, versionstamp: stamp }).set(key, next);

  if (m.legacyBackfill) {
    const old = await kv.get<{ done?: boolean }>(
      keys.backfill(m.legacyBackfill),
    );
    if (old.value?.done) {
      const res = await write(kv.atomic(), {
        ...state,
        version: m.version,
        running: null,
      }).commit();
      return { entries, total: current.entries, finished: res.ok };
    }
  }

  const iter = kv.list(
    current.after
      ? { prefix: m.prefix, start: pastKey(current.after) }
      : { prefix: m.prefix },
    { batchSize: 100 },
  );
  for await (const listed of iter) {
    let entry: Deno.KvEntryMaybe<unknown> = listed;
    for (let attempt = 0;; attempt++) {
      const next: Running = {
        ...current,
        after: listed.key,
        entries: current.entries + 1,
        leaseUntil: opts.now() + opts.leaseMs,
      };
      const atomic = kv.atomic().check(entry);
      // An entry deleted since it was listed has nothing left to migrate.
      if (entry.value !== null) {
        await m.migrate(atomic, entry as Deno.KvEntry<unknown>, kv);
      }
      write(atomic, { ...state, running: next });
      await opts.beforeCommit?.(m, current.entries);
      const res = await atomic.commit();
      if (res.ok) {
        stamp = res.versionstamp;
        current = next;
        entries++;
        break;
      }
      // Either the entry changed (read it again) or another runner took the
      // state over (stop: it carries on from what this one recorded).
      const mine = await kv.get(key);
      if (mine.versionstamp !== stamp) {
        return { entries, total: current.entries, finished: false };
      }
      if (attempt >= 20) {
        throw new Error(
          `Migration ${m.name}: ${String(listed.key)} kept changing`,
        );
      }
      entry = await kv.get(listed.key);
    }
  }
  const res = await write(kv.atomic(), {
    ...state,
    version: m.version,
    running: null,
  }).commit();
  return { entries, total: current.entries, finished: res.ok };
}
