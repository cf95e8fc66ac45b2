/**
 * Whether this instance should get traffic (GET /readyz): its KV answers a
 * read in time, and the outbox is being worked, so its oldest due job has
 * waited less than five minutes. Jobs run from KV-queue wake-ups and a sweep
 * every minute (DESIGN §6); a job due for longer means no worker is running
 * them (a stopped cron, a listener that died, a KV that refuses writes).
 *
 * The answer names what failed in words and figures of our own, never a
 * setting, a path or an error message, so it is safe to serve to anyone.
 */
import { oldestDueAt } from "./jobs/stats.ts";
import { within } from "./within.ts";

/** Longest a due job may wait before the instance reports itself unready. */
export const MAX_JOB_WAIT_MS = 5 * 60_000;
/** How long KV gets to answer before the instance reports itself unready. */
export const KV_TIMEOUT_MS = 2_000;

export type Readiness =
  | { ready: true; oldestDueJobSeconds: number }
  | { ready: false; reason: string; oldestDueJobSeconds: number | null };

/** The verdict on a reading (pure): the oldest due job's runAt, or why KV did not answer. */
export function readinessOf(
  reading:
    | { oldestDueAt: number | null }
    | { kv: "timeout"; afterMs: number }
    | { kv: "error" },
  now: number,
): Readiness {
  if ("kv" in reading) {
    return {
      ready: false,
      reason: reading.kv === "timeout"
        ? `KV did not answer within ${reading.afterMs / 1000} s.`
        : "KV refused a read.",
      oldestDueJobSeconds: null,
    };
  }
  const waitedMs = reading.oldestDueAt === null
    ? 0
    : Math.max(0, now - reading.oldestDueAt);
  const seconds = Math.floor(waitedMs / 1000);
  if (waitedMs >= MAX_JOB_WAIT_MS) {
    return {
      ready: false,
      reason: `The oldest due job has waited ${seconds} s (at most ${
        MAX_JOB_WAIT_MS / 1000
      } s): background jobs are not running.`,
      oldestDueJobSeconds: seconds,
    };
  }
  return { ready: true, oldestDueJobSeconds: seconds };
}

/** Reads KV (one bounded read) within KV_TIMEOUT_MS and judges it. */
export async function checkReadiness(
  kv: Deno.Kv,
  now: number,
  timeoutMs = KV_TIMEOUT_MS,
): Promise<Readiness> {
  const reading = await within(
    oldestDueAt(kv, now).then(
      (at) => ({ oldestDueAt: at }),
      () => ({ kv: "error" as const }),
    ),
    timeoutMs,
  );
  return readinessOf(
    reading ?? { kv: "timeout", afterMs: timeoutMs },
    now,
  );
}
