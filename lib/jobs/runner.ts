/**
 * Runs jobs from the outbox (see outbox.ts). A runner claims a job with a
 * lease in an atomic that checks the versionstamp it read, so of any number
 * of runners (sweeps, queue listeners, other isolates) only one holds a job
 * at a time. While leased, the job's due entry sits at the lease expiry: if
 * the worker dies, the next sweep after the expiry runs the job again.
 *
 * Every outcome is one atomic that checks the claimed versionstamp: success
 * deletes the job and its index; a failure reschedules with backoff; the last
 * failure moves it to dead letters. A worker that overran its lease loses
 * that check and changes nothing, since another runner now owns the job.
 *
 * Delivery is at-least-once — a worker can die between the effect and the
 * delete, or overrun its lease while another runs the job — so handlers must
 * be idempotent (key effects on `ctx.jobId` or on the causing event's id).
 */

import { logWarn } from "../log.ts";
import { countDeadLetter, traceJob } from "../telemetry.ts";
import { z } from "zod";
import { keys } from "../db/keys.ts";
import { newId } from "../ids.ts";
import { addWake, isJobWake, type JobRecord } from "./outbox.ts";

export interface JobContext {
  kv: Deno.Kv;
  jobId: string;
  /** 1-based; above 1 the job has run before, maybe with its effects done. */
  attempt: number;
}

export interface JobHandler<P = unknown> {
  /** Payloads are parsed before `run`; a payload that fails is dead-lettered at once. */
  schema: z.ZodType<P>;
  /** Must be idempotent: it can run more than once for one job. */
  run(payload: P, ctx: JobContext): Promise<void>;
}

// deno-lint-ignore no-explicit-any
export type JobHandlers = Record<string, JobHandler<any>>;

/** Types a handler's `run` from its schema; `defineJob({ schema, run })`. */
export function defineJob<P>(handler: JobHandler<P>): JobHandler<P> {
  return handler;
}

export interface RunnerOptions {
  /** Names the lease owner in records and logs; defaults to a fresh ULID. */
  workerId?: string;
  /** How long a claim lasts; must exceed a handler's worst-case run time. */
  leaseMs?: number;
  /** Delay before attempt `attempt + 1` after attempt `attempt` failed. */
  backoffMs?: (attempt: number) => number;
  now?: () => number;
  log?: (msg: string) => void;
  /** Jobs `runDue` runs at once. */
  concurrency?: number;
  /**
   * Enqueue wake-ups for retries; `listen()` turns this on, since a
   * listening runner has queues.
   */
  wake?: boolean;
}

export type RunOutcome = "ran" | "retried" | "dead" | "skipped";

export interface JobRunner {
  /** Runs every job whose runAt (or expired lease) is due, up to limit; returns counts. */
  runDue(
    limit?: number,
  ): Promise<{ ran: number; retried: number; dead: number }>;
  /** Claims and runs one job by id if it is due and unclaimed (used by the queue listener). */
  runJob(id: string): Promise<RunOutcome>;
  /**
   * kv.listenQueue wake-ups: for messages shaped `{ jobId }`, runJob; ignore
   * anything else. Call only when queues exist, and once per Deno.Kv.
   * Resolves when the kv is closed.
   */
  listen(): Promise<void>;
}

export const DEFAULT_LEASE_MS = 60_000;

/** 5 s, 10 s, 20 s, … capped at an hour. */
export function defaultBackoffMs(attempt: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
}

/** Long enough to say what went wrong, well inside KV's 64 KiB value limit. */
const MAX_ERROR_CHARS = 2_000;

function describeError(err: unknown): string {
  const text = err instanceof Error
    ? `${err.name}: ${err.message}`
    : String(err);
  return text.length > MAX_ERROR_CHARS
    ? `${text.slice(0, MAX_ERROR_CHARS)}…`
    : text;
}

export function createJobRunner(
  kv: Deno.Kv,
  handlers: JobHandlers,
  opts: RunnerOptions = {},
): JobRunner {
  const workerId = opts.workerId ?? newId();
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const backoffMs = opts.backoffMs ?? defaultBackoffMs;
  const now = opts.now ?? Date.now;
  const log = opts.log ?? logWarn;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  let wake = opts.wake ?? false;

  /** Writes the job to dead letters in place of the entry read; one atomic. */
  async function bury(
    entry: Deno.KvEntry<JobRecord>,
    lastError: string,
  ): Promise<boolean> {
    const job = entry.value;
    const at = now();
    const dead: JobRecord = { ...job, lease: null, lastError, deadAt: at };
    const res = await kv.atomic()
      .check(entry)
      .delete(keys.job(job.id))
      .delete(keys.jobDue(job.runAt, job.id))
      .set(keys.deadJob(job.id), dead)
      .commit();
    if (res.ok) {
      log(`[jobs] ${job.type} ${job.id} dead-lettered: ${lastError}`);
    }
    return res.ok;
  }

  /**
   * Takes the lease on a due job: attempts+1, lease set, due index moved to
   * the lease expiry, all checked against the versionstamp read. Returns the
   * claimed entry, or an outcome when there is nothing to run.
   */
  async function claim(
    entry: Deno.KvEntry<JobRecord>,
  ): Promise<Deno.KvEntry<JobRecord> | "dead" | "skipped"> {
    const job = entry.value;
    const at = now();
    if (job.runAt > at) return "skipped";
    if (job.lease && job.attempts >= job.maxAttempts) {
      // The last attempt's worker never reported back; do not start another.
      const why = `Lease held by ${job.lease.owner} expired on the last ` +
        `attempt (${job.attempts} of ${job.maxAttempts}); ` +
        `last error: ${job.lastError ?? "none"}`;
      return await bury(entry, why) ? "dead" : "skipped";
    }
    const until = at + leaseMs;
    const claimed: JobRecord = {
      ...job,
      runAt: until,
      attempts: job.attempts + 1,
      lease: { owner: workerId, until },
      lastError: job.lease
        ? `Lease held by ${job.lease.owner} expired (attempt ${job.attempts})`
        : job.lastError,
    };
    const res = await kv.atomic()
      .check(entry)
      .delete(keys.jobDue(job.runAt, job.id))
      .set(keys.job(job.id), claimed)
      .set(keys.jobDue(until, job.id), job.id)
      .commit();
    if (!res.ok) return "skipped"; // another runner got there first
    return {
      key: entry.key,
      value: claimed,
      versionstamp: res.versionstamp,
    };
  }

  async function succeed(entry: Deno.KvEntry<JobRecord>): Promise<void> {
    const job = entry.value;
    const res = await kv.atomic()
      .check(entry)
      .delete(keys.job(job.id))
      .delete(keys.jobDue(job.runAt, job.id))
      .commit();
    if (!res.ok) {
      log(
        `[jobs] ${job.type} ${job.id} finished after its lease ` +
          `(worker ${workerId}); another runner owns it now`,
      );
    }
  }

  async function fail(
    entry: Deno.KvEntry<JobRecord>,
    err: unknown,
  ): Promise<"retried" | "dead"> {
    const job = entry.value;
    const lastError = describeError(err);
    if (job.attempts >= job.maxAttempts) {
      if (await bury(entry, lastError)) return "dead";
      log(`[jobs] ${job.type} ${job.id} lost its lease before dead-lettering`);
      return "retried";
    }
    const at = now();
    const runAt = at + Math.max(0, Math.round(backoffMs(job.attempts)));
    const next: JobRecord = { ...job, runAt, lease: null, lastError };
    const atomic = kv.atomic()
      .check(entry)
      .delete(keys.jobDue(job.runAt, job.id))
      .set(keys.job(job.id), next)
      .set(keys.jobDue(runAt, job.id), job.id);
    if (wake) addWake(atomic, job.id, runAt, at);
    const res = await atomic.commit();
    if (res.ok) {
      log(
        `[jobs] ${job.type} ${job.id} attempt ${job.attempts} failed, ` +
          `retrying at ${new Date(runAt).toISOString()}: ${lastError}`,
      );
    } else {
      log(`[jobs] ${job.type} ${job.id} lost its lease before rescheduling`);
    }
    return "retried";
  }

  /** Claims, validates and runs one job entry just read. */
  async function runEntry(
    entry: Deno.KvEntry<JobRecord>,
  ): Promise<RunOutcome> {
    const claimed = await claim(entry);
    if (claimed === "dead") countDeadLetter(entry.value.type);
    if (typeof claimed === "string") return claimed;
    return await traceJob(
      claimed.value.type,
      claimed.value.attempts,
      () => runClaimed(claimed),
    );
  }

  /** Validates and runs a job this worker just claimed, and records how it went. */
  async function runClaimed(
    claimed: Deno.KvEntry<JobRecord>,
  ): Promise<RunOutcome> {
    const job = claimed.value;
    // Retrying cannot fix an unknown type or a malformed payload.
    const handler = Object.hasOwn(handlers, job.type)
      ? handlers[job.type]
      : undefined;
    if (!handler) {
      return await bury(claimed, `Unknown job type "${job.type}"`)
        ? "dead"
        : "skipped";
    }
    const parsed = handler.schema.safeParse(job.payload);
    if (!parsed.success) {
      const why = `Invalid payload for job type "${job.type}": ` +
        z.prettifyError(parsed.error);
      return await bury(claimed, describeError(why)) ? "dead" : "skipped";
    }
    try {
      await handler.run(parsed.data, {
        kv,
        jobId: job.id,
        attempt: job.attempts,
      });
    } catch (err) {
      return await fail(claimed, err);
    }
    await succeed(claimed);
    return "ran";
  }

  async function runJob(id: string): Promise<RunOutcome> {
    const entry = await kv.get<JobRecord>(keys.job(id));
    if (entry.versionstamp === null) return "skipped";
    return await runEntry(entry as Deno.KvEntry<JobRecord>);
  }

  async function runDue(limit = 100) {
    const counts = { ran: 0, retried: 0, dead: 0 };
    // Collect first: `list` is not a snapshot, and a job rescheduled to now
    // must not be met again in the same sweep.
    const ids: string[] = [];
    const due = kv.list<string>(
      {
        prefix: keys.jobsDuePrefix(),
        end: [...keys.jobsDuePrefix(), now() + 1],
      },
      { limit },
    );
    for await (const e of due) ids.push(e.value);
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const outcome = await runJob(ids[next++]);
        if (outcome !== "skipped") counts[outcome]++;
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(concurrency, ids.length) }, worker),
    );
    return counts;
  }

  function listen(): Promise<void> {
    wake = true;
    return kv.listenQueue(async (msg: unknown) => {
      if (!isJobWake(msg)) return;
      try {
        await runJob(msg.jobId);
      } catch (err) {
        // The outbox is the truth and the sweep will find the job; a thrown
        // error here would only make KV redeliver the hint.
        log(`[jobs] wake-up for ${msg.jobId} failed: ${describeError(err)}`);
      }
    });
  }

  return { runDue, runJob, listen };
}
