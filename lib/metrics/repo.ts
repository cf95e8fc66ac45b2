/**
 * The figures' door to KV: the counters of schema.ts. Writers add the
 * change a record's write makes with `addMetricCounts` in that write's own
 * atomic; readers read a scope's periods or a kitchen's cells in one list.
 * Sums never conflict, so concurrent writers never lose a count and never
 * retry because of one.
 */
import { keys } from "../db/keys.ts";
import {
  decodeKey,
  type MetricName,
  type Scope,
  type Tally,
} from "./schema.ts";

/** Deno.KvU64 takes [0, 2^64): a negative amount is its two's complement, which `sum` wraps to a subtraction. */
const u64 = (n: number) => BigInt.asUintN(64, BigInt(n));

function kvKeyOf(key: string): Deno.KvKey {
  const d = decodeKey(key);
  if (d.kind === "count") {
    return keys.metricCount(d.scope.kind, d.scope.id, d.period, d.name);
  }
  if (d.kind === "cell") return keys.metricCell(d.kitchenId, d.week, d.cell);
  return keys.metricKitchen(d.city, d.kitchenId);
}

/** Sums `change` (a tally, or the difference of two) into the counters, in `atomic`. */
export function addMetricCounts(
  atomic: Deno.AtomicOperation,
  change: Tally,
): void {
  for (const [key, amount] of change) {
    if (amount !== 0) atomic.sum(kvKeyOf(key), u64(amount));
  }
}

/** A counter's value: signed, since a net counter is read as one. */
const valueOf = (v: Deno.KvU64) => Number(BigInt.asIntN(64, v.value));

/** Every counter key prefix the figures own, for a rebuild to clear. */
export function metricPrefixes(): Deno.KvKey[] {
  return keys.metricRoots();
}

/** A scope's counters for the periods from `first` to `last` (both included): period → name → value. */
export async function readScopeCounts(
  kv: Deno.Kv,
  scope: Scope,
  first: string,
  last: string,
): Promise<Map<string, Map<string, number>>> {
  const prefix = keys.metricCountsPrefix(scope.kind, scope.id);
  const out = new Map<string, Map<string, number>>();
  const iter = kv.list<Deno.KvU64>({
    start: [...prefix, first],
    // Every name of `last` sorts before `last` + "\u0000".
    end: [...prefix, `${last}\u0000`],
  }, { batchSize: 500 });
  for await (const e of iter) {
    const period = e.key[3] as string;
    let names = out.get(period);
    if (!names) out.set(period, names = new Map());
    names.set(e.key[4] as string, valueOf(e.value));
  }
  return out;
}

/** One counter outside any range ("now" gauges). */
export async function readCount(
  kv: Deno.Kv,
  scope: Scope,
  period: string,
  name: MetricName,
): Promise<number> {
  const e = await kv.get<Deno.KvU64>(
    keys.metricCount(scope.kind, scope.id, period, name),
  );
  return e.value ? valueOf(e.value) : 0;
}

/** A kitchen's booked minutes per weekday × hour cell, summed over the weeks from `first` to `last`. */
export async function readCells(
  kv: Deno.Kv,
  kitchenId: string,
  first: string,
  last: string,
): Promise<number[]> {
  const prefix = keys.metricCellsPrefix(kitchenId);
  const cells = new Array<number>(168).fill(0);
  const iter = kv.list<Deno.KvU64>({
    start: [...prefix, first],
    end: [...prefix, `${last}\u0000`],
  }, { batchSize: 500 });
  for await (const e of iter) {
    const cell = e.key[3] as number;
    if (cell >= 0 && cell < 168) cells[cell] += valueOf(e.value);
  }
  return cells;
}

/** Kitchens of a city with counted bookings, most bookings first, at most `limit`. */
export async function listCountedKitchens(
  kv: Deno.Kv,
  city: string,
  limit: number,
): Promise<{ kitchenId: string; bookings: number }[]> {
  const out: { kitchenId: string; bookings: number }[] = [];
  // A city's list is read whole, up to a cap, so its order can be by count.
  const iter = kv.list<Deno.KvU64>(
    { prefix: keys.metricKitchensPrefix(city) },
    {
      limit: 5_000,
      batchSize: 500,
    },
  );
  for await (const e of iter) {
    const bookings = valueOf(e.value);
    if (bookings > 0) out.push({ kitchenId: e.key[2] as string, bookings });
  }
  return out.sort((a, b) => b.bookings - a.bookings).slice(0, limit);
}
