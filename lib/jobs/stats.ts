/**
 * How the outbox is doing, read cheaply: for the readiness check (/readyz)
 * and the queue gauges (lib/telemetry.ts). Every read is bounded, so a
 * backlog of a million jobs costs the same as one of a thousand.
 */
import { keys } from "../db/keys.ts";

/** The most due entries one reading counts; past it, a count says "at least". */
export const DUE_CAP = 1_000;
/**
 * The most dead letters one reading counts: each is a whole job record (an
 * email's is up to 48 KB), and a hundred is already "look at /admin/jobs".
 */
export const DEAD_CAP = 100;

/**
 * When the oldest job due now was due (epoch ms), or null when none is.
 * The due index is ordered by time, so this is its first entry; a leased
 * job sits at its lease's end, so work in progress is not "waiting".
 */
export async function oldestDueAt(
  kv: Deno.Kv,
  now: number,
): Promise<number | null> {
  const iter = kv.list<string>({
    prefix: keys.jobsDuePrefix(),
    end: [...keys.jobsDuePrefix(), now + 1],
  }, { limit: 1 });
  for await (const e of iter) return e.key[1] as number;
  return null;
}

async function count(
  kv: Deno.Kv,
  selector: Deno.KvListSelector,
  cap: number,
): Promise<number> {
  let n = 0;
  // KV has no keys-only list: the cap is what bounds the cost.
  for await (const _ of kv.list(selector, { limit: cap })) n++;
  return n;
}

export interface OutboxFigures {
  /** Jobs due now (not leased), up to DUE_CAP. */
  due: number;
  /** Seconds the oldest due job has waited; 0 when none is due. */
  oldestDueSeconds: number;
  /** Dead letters, up to DEAD_CAP. */
  dead: number;
}

/** Depth, age of the oldest due job and dead letters, each read bounded. */
export async function readOutboxFigures(
  kv: Deno.Kv,
  now: number,
): Promise<OutboxFigures> {
  const [due, oldest, dead] = await Promise.all([
    count(kv, {
      prefix: keys.jobsDuePrefix(),
      end: [...keys.jobsDuePrefix(), now + 1],
    }, DUE_CAP),
    oldestDueAt(kv, now),
    count(kv, { prefix: keys.deadJobsPrefix() }, DEAD_CAP),
  ]);
  return {
    due,
    oldestDueSeconds: oldest === null ? 0 : Math.max(0, now - oldest) / 1000,
    dead,
  };
}
