/**
 * Failed jobs as staff see them at /admin/jobs (issue 17 §18): the dead
 * letters a page at a time, and retrying one. A retry is a staff action, so
 * its audit entry is written in the atomic that moves the job back to the
 * outbox (outbox.ts `retryDeadJob`).
 */
import { z } from "zod";
import { addAudit } from "../audit/repo.ts";
import type { AuditActor } from "../audit/schema.ts";
import { keys } from "../db/keys.ts";
import { ConflictError, ValidationError } from "../errors.ts";
import { getJob, type JobRecord, retryDeadJob } from "./outbox.ts";

/** A job id as the outbox writes them: a ULID, or a derived id like "booking-expiry:<id>". */
const JOB_ID = /^[A-Za-z0-9:_.-]{1,200}$/;

/** The retry form: which dead job. */
export const retryJobForm = z.object({
  id: z.string().trim().regex(JOB_ID, "That is not a job of this list."),
});

/** The failed-jobs page's query: where the page starts. */
export const deadLettersQuery = z.object({
  cursor: z.string().trim().transform((v, ctx) => {
    if (v === "") return null;
    // KV cursors are URL-safe base64.
    if (/^[A-Za-z0-9_=-]{1,500}$/.test(v)) return v;
    ctx.addIssue({
      code: "custom",
      message: "That page link is not valid; start again.",
    });
    return z.NEVER;
  }),
});

export interface DeadLetterPage {
  jobs: JobRecord[];
  /** The next page, or null on the last. */
  cursor: string | null;
}

/** Failed jobs, `limit` a page (oldest first where ids are ULIDs). */
export async function listDeadLetters(
  kv: Deno.Kv,
  opts: { cursor?: string | null; limit?: number } = {},
): Promise<DeadLetterPage> {
  const limit = Math.min(Math.max(1, opts.limit ?? 50), 200);
  const iter = kv.list<JobRecord>({ prefix: keys.deadJobsPrefix() }, {
    cursor: opts.cursor || undefined,
    limit: limit + 1,
  });
  const jobs: JobRecord[] = [];
  let cursor: string | null = null;
  let more = false;
  try {
    for await (const e of iter) {
      // One entry beyond the page: there is a next page, after the last shown.
      if (jobs.length === limit) {
        more = true;
        break;
      }
      jobs.push(e.value);
      cursor = iter.cursor;
    }
  } catch (err) {
    // A cursor from elsewhere (or edited by hand) makes KV throw on the first read.
    if (opts.cursor && err instanceof TypeError) {
      throw new ValidationError({
        cursor: "That page link is not valid; start again.",
      });
    }
    throw err;
  }
  return { jobs, cursor: more ? cursor : null };
}

/**
 * Puts a failed job back in the outbox, due now with its attempts reset,
 * and records who did it in the same atomic. A job retried by someone
 * else meanwhile, or gone, is a conflict: the page listing it was stale.
 */
export async function retryFailedJob(
  kv: Deno.Kv,
  id: string,
  actor: AuditActor,
  now: number,
  opts: { wake: boolean },
): Promise<void> {
  const retried = await retryDeadJob(kv, id, now, {
    wake: opts.wake,
    also: (atomic, dead) =>
      addAudit(atomic, {
        actor,
        action: "job.retried",
        subject: { kind: "job", id },
        details: {
          type: dead.type,
          attempts: dead.attempts,
          lastError: dead.lastError?.slice(0, 500) ?? null,
        },
      }, now),
  });
  if (retried) return;
  throw new ConflictError(
    await getJob(kv, id)
      ? "This job was already retried: it is in the queue again."
      : "That job is not among the failed jobs any more.",
  );
}
