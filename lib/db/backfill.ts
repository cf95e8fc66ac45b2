import { keys } from "./keys.ts";

/**
 * One-off backfills: an index added after records exist is written for the
 * records already there (DESIGN §18: idempotent, one atomic per entry,
 * recorded in KV). Start-up runs them in the background; every later start
 * reads one key and stops.
 *
 * Each entry's atomic checks the entry as read, so a record changed
 * meanwhile is left to the write that changed it (which writes its index
 * itself). Progress is saved as it goes, so an instance stopped half-way
 * (Deno Deploy stops instances at will) is resumed by the next start rather
 * than begun again. A lease keeps several instances or `deno serve
 * --parallel` workers from doing the same work at once.
 */

interface BackfillState {
  v: 1;
  done: boolean;
  /** The last key done; the next run starts there. */
  after: Deno.KvKey | null;
  /** Entries written so far, over every run. */
  entries: number;
  owner: string | null;
  leaseUntil: number;
}

export interface BackfillResult {
  /** Whether this call wrote anything (false: done before, or another instance runs it). */
  ran: boolean;
  /** Whether the backfill is now finished. */
  done: boolean;
  /** Entries this call went through. */
  entries: number;
}

const LEASE_MS = 60_000;
const PROGRESS_EVERY = 100;

export interface BackfillOptions<T> {
  name: string;
  prefix: Deno.KvKey;
  /** May read first (what it reads, it checks in the atomic). */
  add: (
    atomic: Deno.AtomicOperation,
    entry: Deno.KvEntry<T>,
  ) => void | Promise<void>;
  now?: () => number;
}

const isLocked = (err: unknown) =>
  err instanceof Error && /database is locked/i.test(err.message);

/**
 * Runs the backfill `name` over every entry under `prefix`: `add` puts the
 * entry's index writes into an atomic that already checks the entry. Safe
 * to call any number of times, from any number of instances. A local KV
 * file answers "database is locked" while another worker writes: this run
 * then waits a moment and carries on from its saved progress.
 */
export async function runBackfill<T>(
  kv: Deno.Kv,
  opts: BackfillOptions<T>,
): Promise<BackfillResult> {
  const owner = crypto.randomUUID();
  for (let attempt = 0;; attempt++) {
    try {
      return await runOnce(kv, opts, owner);
    } catch (err) {
      if (!isLocked(err) || attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
    }
  }
}

async function runOnce<T>(
  kv: Deno.Kv,
  opts: BackfillOptions<T>,
  owner: string,
): Promise<BackfillResult> {
  const now = opts.now ?? Date.now;
  const key = keys.backfill(opts.name);
  const found = await kv.get<BackfillState>(key);
  const state: BackfillState = found.value ??
    { v: 1, done: false, after: null, entries: 0, owner: null, leaseUntil: 0 };
  if (state.done) return { ran: false, done: true, entries: 0 };
  if (state.owner && state.owner !== owner && state.leaseUntil > now()) {
    return { ran: false, done: false, entries: 0 };
  }
  let current: BackfillState = {
    ...state,
    owner,
    leaseUntil: now() + LEASE_MS,
  };
  let claim = await kv.atomic().check(found).set(key, current).commit();
  if (!claim.ok) return { ran: false, done: false, entries: 0 };

  /** Saves progress under the lease; false when another instance took it over. */
  const save = async (next: BackfillState) => {
    const res = await kv.atomic()
      .check({ key, versionstamp: claim.ok ? claim.versionstamp : null })
      .set(key, next).commit();
    if (!res.ok) return false;
    claim = res;
    current = next;
    return true;
  };

  let count = 0;
  const iter = kv.list<T>(
    current.after
      ? { prefix: opts.prefix, start: current.after }
      : { prefix: opts.prefix },
    { batchSize: PROGRESS_EVERY },
  );
  for await (const entry of iter) {
    const atomic = kv.atomic().check(entry);
    await opts.add(atomic, entry);
    // A failed check: the record changed meanwhile, and that write indexed it.
    await atomic.commit();
    count++;
    if (count % PROGRESS_EVERY === 0) {
      const kept = await save({
        ...current,
        after: entry.key,
        entries: current.entries + PROGRESS_EVERY,
        leaseUntil: now() + LEASE_MS,
      });
      if (!kept) return { ran: true, done: false, entries: count };
    }
  }
  const finished = await save({
    ...current,
    done: true,
    after: null,
    entries: current.entries + (count % PROGRESS_EVERY),
    owner: null,
    leaseUntil: 0,
  });
  return { ran: true, done: finished, entries: count };
}
