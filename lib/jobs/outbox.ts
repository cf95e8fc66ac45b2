/**
 * The job outbox (DESIGN §6). A job lives under `["jobs", id]` and is found by
 * the sweep through `["jobs_due", runAt, id]`; the two are only ever written
 * together, in one atomic, so the index never points at a missing job. A job
 * is added in the same atomic as the state change that causes it, so either
 * both happen or neither does. Jobs that run out of attempts move to
 * `["jobs_dead", id]`, where an admin can see and retry them.
 *
 * Delivery is at-least-once (a worker can die after the effect but before the
 * delete), so every handler must be idempotent: key its effects on the job id
 * or on the id of the event that caused it.
 */

import type { TtlRule } from "../db/backup.ts";
import { keys } from "../db/keys.ts";
import type { MigrationStep } from "../db/migrations/runner.ts";
import { ConflictError } from "../errors.ts";
import { newId } from "../ids.ts";
import { addMetricCounts } from "../metrics/repo.ts";
import { addTo, ALL, countKey, type Tally } from "../metrics/schema.ts";

/** Attempts a job gets before it is dead-lettered, unless the caller says otherwise. */
export const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Deno KV refuses `enqueue` delays over 30 days; a job due later gets no
 * wake-up and is found by the sweep instead.
 */
export const MAX_WAKE_DELAY_MS = 30 * 24 * 60 * 60 * 1000;

export interface JobSpec {
  type: string;
  payload: unknown;
  /** Epoch ms; defaults to `opts.now`. */
  runAt?: number;
  /**
   * Defaults to a new ULID. Pass a derived id (e.g. `booking-expiry:<id>`) to
   * make adding the job itself idempotent: a second add fails its check.
   */
  id?: string;
}

export interface JobRecord {
  v: 1;
  id: string;
  type: string;
  payload: unknown;
  /**
   * When the job is next due. While a worker holds the lease this is the
   * lease expiry, so the due index always sits at `["jobs_due", runAt, id]`.
   */
  runAt: number;
  /** Attempts started so far (counted when claimed, so a crash counts too). */
  attempts: number;
  maxAttempts: number;
  createdAt: number;
  lease: { owner: string; until: number } | null;
  lastError: string | null;
  /** Set when the job moved to dead letters. */
  deadAt?: number;
}

/** The queue message that wakes a listener for one job; it carries no state. */
export interface JobWake {
  jobId: string;
}

export function isJobWake(msg: unknown): msg is JobWake {
  return typeof msg === "object" && msg !== null &&
    typeof (msg as { jobId?: unknown }).jobId === "string";
}

export interface AddJobOptions {
  now: number;
  /** Also enqueue a KV-queue wake-up; only where queues exist (not Deploy). */
  wake: boolean;
  maxAttempts?: number;
}

/**
 * Adds a wake-up for `id` at `runAt` to an atomic, if queues are in use and
 * the delay is within what KV accepts. The wake-up is only a hint: the
 * listener re-reads the job and skips it unless it is due.
 */
export function addWake(
  atomic: Deno.AtomicOperation,
  id: string,
  runAt: number,
  now: number,
): void {
  const delay = Math.max(0, runAt - now);
  if (delay > MAX_WAKE_DELAY_MS) return;
  atomic.enqueue({ jobId: id } satisfies JobWake, { delay });
}

/**
 * Adds the job to an existing atomic (same commit as the state change that
 * causes it): checks `["jobs", id]` absent, sets the record and its due
 * index, and when `opts.wake` is true also enqueues a wake-up so a queue
 * listener runs it promptly. Returns the job id; the job exists only if the
 * caller's commit succeeds.
 */
export function addJob(
  atomic: Deno.AtomicOperation,
  spec: JobSpec,
  opts: AddJobOptions,
): string {
  const id = spec.id ?? newId();
  const runAt = spec.runAt ?? opts.now;
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!spec.type) throw new TypeError("A job needs a type.");
  // The due index compares runAt numerically; the sweep's end bound assumes integers.
  if (!Number.isSafeInteger(runAt)) {
    throw new TypeError(`Job runAt must be an integer epoch ms, got ${runAt}.`);
  }
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) {
    throw new TypeError(`Job maxAttempts must be at least 1.`);
  }
  const record: JobRecord = {
    v: 1,
    id,
    type: spec.type,
    payload: spec.payload,
    runAt,
    attempts: 0,
    maxAttempts,
    createdAt: opts.now,
    lease: null,
    lastError: null,
  };
  atomic
    .check({ key: keys.job(id), versionstamp: null })
    .set(keys.job(id), record)
    .set(keys.jobDue(runAt, id), id);
  if (opts.wake) addWake(atomic, id, runAt, opts.now);
  return id;
}

/**
 * Adds "this effect has happened" to the atomic that makes it happen,
 * checked absent: a retried handler (delivery is at-least-once) finds its
 * atomic failing instead of sending or writing twice. `ref` is the job id,
 * or whatever identifies the effect when several jobs may cause it. The
 * mark lapses after `keepMs`, once no retry can still come.
 */
export function addJobEffect(
  atomic: Deno.AtomicOperation,
  ref: string,
  keepMs: number,
): void {
  const key = keys.jobEffect(ref);
  atomic.check({ key, versionstamp: null }).set(key, true, {
    expireIn: keepMs,
  });
}

/** Adds a job on its own, for work that no other state change accompanies. */
export async function enqueueJob(
  kv: Deno.Kv,
  spec: JobSpec,
  opts: AddJobOptions,
): Promise<string> {
  const atomic = kv.atomic();
  const id = addJob(atomic, spec, opts);
  const res = await atomic.commit();
  if (!res.ok) throw new ConflictError(`Job ${id} already exists.`);
  return id;
}

export async function getJob(
  kv: Deno.Kv,
  id: string,
): Promise<JobRecord | null> {
  return (await kv.get<JobRecord>(keys.job(id))).value;
}

/** Dead letters, oldest first when ids are ULIDs. */
export async function listDeadJobs(
  kv: Deno.Kv,
  limit = 50,
): Promise<JobRecord[]> {
  const out: JobRecord[] = [];
  for await (
    const e of kv.list<JobRecord>({ prefix: keys.deadJobsPrefix() }, { limit })
  ) out.push(e.value);
  return out;
}

/**
 * Moves a dead job back to the outbox, due at `now` with its attempts reset,
 * in one atomic that checks the dead entry read and that no live job has the
 * id. `lastError` is kept so the admin still sees why it died. Returns false
 * when there is no such dead job or it changed meanwhile.
 */
export async function retryDeadJob(
  kv: Deno.Kv,
  id: string,
  now: number,
  opts: {
    wake?: boolean;
    /** Adds to the same atomic (a staff retry's audit entry), given the dead job. */
    also?: (atomic: Deno.AtomicOperation, dead: JobRecord) => void;
  } = {},
): Promise<boolean> {
  const dead = await kv.get<JobRecord>(keys.deadJob(id));
  if (!dead.value) return false;
  const { deadAt: _deadAt, ...rest } = dead.value;
  const record: JobRecord = { ...rest, runAt: now, attempts: 0, lease: null };
  const atomic = kv.atomic()
    .check(dead)
    .check({ key: keys.job(id), versionstamp: null })
    .delete(keys.deadJob(id))
    .set(keys.job(id), record)
    .set(keys.jobDue(now, id), id);
  addMetricCounts(atomic, deadLetterTally(-1));
  if (opts.wake) addWake(atomic, id, now, now);
  opts.also?.(atomic, dead.value);
  return (await atomic.commit()).ok;
}

/**
 * What dead letters add to the staff figures (lib/metrics): one each, now.
 * `n` is +1 for a job moving to dead letters and −1 for one leaving them,
 * in the atomic that moves it.
 */
export function deadLetterTally(n: 1 | -1): Tally {
  const t: Tally = new Map();
  addTo(t, countKey(ALL, "now", "dead_letters"), n);
  return t;
}

/** Migration, and the rebuild of the figures after an import: each dead letter counts one. */
export const deadLetterFiguresMigration: MigrationStep<JobRecord> = {
  prefix: keys.deadJobsPrefix(),
  migrate: (atomic) => addMetricCounts(atomic, deadLetterTally(1)),
};

/** The longest any effect mark is kept (a document reminder's, 60 days): an import keeps each that long. */
export const jobTtls: TtlRule[] = [
  { prefix: keys.jobEffectsRoot(), ttlMs: 60 * 24 * 3600_000 },
];
