/**
 * The arithmetic and wording of the bench report, kept pure so
 * bench/report_test.ts can check it: medians over interleaved rounds, each
 * ratio against the bare run of its own round, the cache hit rate, and the
 * budgets table whose failures make `deno task bench` exit non-zero.
 */
import type { WrkRun, XCache } from "./wrk.ts";
import { WRK_THREADS } from "./wrk.ts";

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = xs.toSorted((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** One page in one mode over every round: medians, ratios per round. */
export interface Summary {
  rps: number;
  /** Median over rounds of (this run ÷ the bare run of the same round). */
  ratio: number;
  ratios: number[];
  p50: number;
  p99: number;
  /** Summed over the rounds; null when no run counted X-Cache. */
  cache: XCache | null;
  timeouts: number;
}

/** `runs[i]` and `bares[i]` come from the same round. */
export function summarise(
  runs: readonly WrkRun[],
  bares: readonly WrkRun[],
): Summary {
  if (runs.length === 0 || runs.length !== bares.length) {
    throw new Error(
      `${runs.length} runs against ${bares.length} bare runs: one of each a round`,
    );
  }
  const ratios = runs.map((r, i) => r.rps / bares[i].rps);
  return {
    rps: median(runs.map((r) => r.rps)),
    ratio: median(ratios),
    ratios,
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cache: sumCache(runs.map((r) => r.xCache)),
    timeouts: runs.reduce((n, r) => n + r.timeouts, 0),
  };
}

function sumCache(xs: readonly (XCache | null)[]): XCache | null {
  const counted = xs.filter((x): x is XCache => x !== null);
  if (counted.length === 0) return null;
  return counted.reduce((a, b) => ({
    hit: a.hit + b.hit,
    miss: a.miss + b.miss,
    other: a.other + b.other,
    none: a.none + b.none,
  }));
}

/**
 * Median over rounds of a per-round time ratio, e.g. 100k search ÷ 1k
 * search: time per request is 1/rps, so it is `base.rps / other.rps`.
 */
export function timeRatio(
  base: readonly WrkRun[],
  other: readonly WrkRun[],
): number {
  if (base.length === 0 || base.length !== other.length) {
    throw new Error(`${base.length} runs against ${other.length}`);
  }
  return median(base.map((b, i) => b.rps / other[i].rps));
}

/** "ratio 0.213 (-t2)": wrk's thread count goes with every ratio. */
export function ratioText(ratio: number): string {
  return `ratio ${ratio.toFixed(3)} (-t${WRK_THREADS})`;
}

/** What the X-Cache header said, as a share of all responses. */
export function hitRateText(cache: XCache | null): string {
  if (!cache) return "hit rate not counted";
  const total = cache.hit + cache.miss + cache.other + cache.none;
  if (total === 0) return "no responses";
  if (cache.none === total) return "no X-Cache header (no page cache here)";
  const pct = (n: number) => `${(100 * n / total).toFixed(2)}%`;
  const parts = [`${cache.hit} hit`, `${cache.miss} miss`];
  if (cache.other) parts.push(`${cache.other} other`);
  if (cache.none) parts.push(`${cache.none} without header`);
  return `hits ${pct(cache.hit)} (${parts.join(", ")})`;
}

/** A report line: name, req/s, ratio, p50, p99 and anything else worth a note. */
export function summaryRow(name: string, s: Summary, note = ""): string {
  return `${name.padEnd(52)} ${s.rps.toFixed(0).padStart(7)} req/s  ${
    ratioText(s.ratio)
  }  p50 ${s.p50.toFixed(2).padStart(6)} ms  p99 ${
    s.p99.toFixed(2).padStart(6)
  } ms${s.timeouts ? `  ${s.timeouts} timeouts` : ""}${
    note ? `  ${note}` : ""
  }`;
}

export interface Budget {
  name: string;
  /** What was measured, with units. */
  measured: string;
  /** The limit, e.g. "≥ 0.20 (-t2), p99 < 15 ms". */
  limit: string;
  pass: boolean;
}

/** A page's throughput and tail: ratio to bare at least `minRatio`, p99 under `maxP99` ms. */
export function throughputBudget(
  name: string,
  s: Summary,
  minRatio: number,
  maxP99: number,
): Budget {
  const ratioOk = s.ratio >= minRatio;
  const p99Ok = s.p99 < maxP99;
  return {
    name,
    measured: `${ratioText(s.ratio)}${ratioOk ? "" : " LOW"}, p99 ${
      s.p99.toFixed(2)
    } ms${p99Ok ? "" : " HIGH"}`,
    limit: `≥ ${minRatio.toFixed(2)}, p99 < ${maxP99} ms`,
    pass: ratioOk && p99Ok,
  };
}

/** A cost that must not grow: `factor` (time per request, this ÷ that) at most `max`. */
export function factorBudget(
  name: string,
  factor: number,
  max: number,
): Budget {
  return {
    name,
    measured: `${factor.toFixed(2)}×`,
    limit: `≤ ${max.toFixed(1)}×`,
    pass: factor <= max,
  };
}

export function checkBudget(
  name: string,
  measured: string,
  limit: string,
  pass: boolean,
): Budget {
  return { name, measured, limit, pass };
}

/** The table printed last, one budget a line, and a count. */
export function budgetTable(budgets: readonly Budget[]): string {
  const nameWidth = Math.max(...budgets.map((b) => b.name.length), 6);
  const measuredWidth = Math.max(...budgets.map((b) => b.measured.length), 8);
  const lines = budgets.map((b) =>
    `${b.pass ? "PASS" : "FAIL"}  ${b.name.padEnd(nameWidth)}  ${
      b.measured.padEnd(measuredWidth)
    }  budget ${b.limit}`
  );
  const failed = budgets.filter((b) => !b.pass).length;
  lines.push(
    failed === 0
      ? `all ${budgets.length} budgets met`
      : `${failed} of ${budgets.length} budgets FAILED`,
  );
  return lines.join("\n");
}

/** MiB with one decimal, from KiB. */
export function mib(kib: number): string {
  return `${(kib / 1024).toFixed(1)} MiB`;
}
