/**
 * wrk, as every load figure in bench/run.ts is taken: `-t2 -c64`, latency
 * percentiles, and (for the app) bench/x_cache.lua counting the X-Cache
 * header. The bare server runs without the script: a Lua `response()`
 * costs wrk CPU per response, and wrk already needs most of a core to drive
 * the bare server, so scripting it would lower the denominator of every
 * ratio and flatter the app.
 */

/** wrk's threads; `-t2` ratios run 25–35% above `-t1` (issue 11), so every ratio says which. */
export const WRK_THREADS = 2;
export const WRK_CONNECTIONS = 64;

const X_CACHE_SCRIPT = new URL("./x_cache.lua", import.meta.url).pathname;

/** What the X-Cache header said over one run (bench/x_cache.lua). */
export interface XCache {
  hit: number;
  miss: number;
  /** Any other value, e.g. a "bypass" a cache might send for a signed-in visitor. */
  other: number;
  /** Responses without the header. */
  none: number;
}

export interface WrkRun {
  rps: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  requests: number;
  /** Responses outside 2xx and 3xx. */
  errors: number;
  /** Requests wrk gave up waiting for (not in the percentiles). */
  timeouts: number;
  /** Null when the run had no X-Cache script. */
  xCache: XCache | null;
}

/** "812.34us", "1.20ms", "1.02s" → milliseconds. */
export function wrkMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  const scale = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2]]!;
  return n * scale;
}

/** The figures bench/run.ts uses from wrk's `--latency` output (and the script's line). */
export function parseWrk(text: string): WrkRun {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
  const requests = Number(/(\d+) requests in /.exec(text)?.[1]);
  if (!Number.isFinite(rps) || !Number.isFinite(requests)) {
    throw new Error(`wrk printed no throughput:\n${text}`);
  }
  const cache = /x-cache hit=(\d+) miss=(\d+) other=(\d+) none=(\d+)/.exec(
    text,
  );
  return {
    rps,
    p50: wrkMs(/^\s+50%\s+(\S+)/m.exec(text)?.[1] ?? ""),
    p99: wrkMs(/^\s+99%\s+(\S+)/m.exec(text)?.[1] ?? ""),
    requests,
    errors: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
    timeouts: Number(/Socket errors:.*timeout (\d+)/.exec(text)?.[1] ?? 0),
    xCache: cache
      ? {
        hit: Number(cache[1]),
        miss: Number(cache[2]),
        other: Number(cache[3]),
        none: Number(cache[4]),
      }
      : null,
  };
}

export interface WrkOptions {
  seconds: number;
  /** Full header lines, e.g. "Cookie: prep_session=…". */
  headers?: string[];
  /** Count X-Cache values with bench/x_cache.lua. */
  countCache?: boolean;
  /** Defaults to WRK_CONNECTIONS. */
  connections?: number;
}

/** One wrk run; throws if any response was an error, so a broken page is never timed. */
export async function runWrk(url: string, opts: WrkOptions): Promise<WrkRun> {
  const out = await new Deno.Command("wrk", {
    args: [
      `-t${WRK_THREADS}`,
      `-c${opts.connections ?? WRK_CONNECTIONS}`,
      `-d${opts.seconds}s`,
      "--latency",
      ...(opts.countCache ? ["-s", X_CACHE_SCRIPT] : []),
      ...(opts.headers ?? []).flatMap((h) => ["-H", h]),
      url,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `wrk ${url} failed: ${new TextDecoder().decode(out.stderr)}${text}`,
    );
  }
  const run = parseWrk(text);
  if (run.errors > 0) {
    throw new Error(`${url}: ${run.errors} error responses under wrk`);
  }
  return run;
}

/** True when wrk is on PATH. */
export async function hasWrk(): Promise<boolean> {
  const out = await new Deno.Command("sh", {
    args: ["-c", "command -v wrk"],
    stdout: "null",
    stderr: "null",
  }).output();
  return out.success;
}
