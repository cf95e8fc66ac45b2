/**
 * Servers the benchmark starts and measures. Each gets a port the OS says is
 * free, and counts as up only once it prints its own "listening" line for
 * that port: a stray process already answering there (which once made a
 * "bare" server look 40× slower) fails the run instead of being measured.
 */

export const BENCH_HOSTNAME = "127.0.0.1";

/** A port nobody listens on right now: the OS picks it and we release it for a child to bind. */
export function freePort(hostname = BENCH_HOSTNAME): number {
  const listener = Deno.listen({ hostname, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Throws a clear error when some process already holds `hostname:port`. */
export function assertPortFree(port: number, hostname = BENCH_HOSTNAME) {
  let listener: Deno.Listener;
  try {
    listener = Deno.listen({ hostname, port });
  } catch (err) {
    if (err instanceof Deno.errors.AddrInUse) {
      throw new Error(
        `port ${port} on ${hostname} is already in use by another process; ` +
          `the benchmark would measure that process, not its own server`,
      );
    }
    throw err;
  }
  listener.close();
}

export interface BenchServer {
  name: string;
  port: number;
  /** e.g. http://127.0.0.1:40123 (no trailing slash). */
  url: string;
  /** The deno process itself (spawned directly, not through a shell). */
  pid: number;
  /** The process's memory now, or null off Linux or once it has exited. */
  memory(): Promise<ProcessMemory | null>;
  /** Stops it; resolves to its memory as last read before the signal. */
  stop(): Promise<ProcessMemory | null>;
}

/** From /proc/<pid>/status, in KiB. */
export interface ProcessMemory {
  /** VmRSS: resident now. */
  rssKiB: number;
  /** VmHWM: the resident high-water mark over the process's life. */
  peakKiB: number;
}

/** VmRSS and VmHWM from the text of /proc/<pid>/status; null if either is missing. */
export function parseProcStatus(text: string): ProcessMemory | null {
  const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(text)?.[1];
  const peak = /^VmHWM:\s+(\d+)\s+kB/m.exec(text)?.[1];
  if (rss === undefined || peak === undefined) return null;
  return { rssKiB: Number(rss), peakKiB: Number(peak) };
}

/** A process's memory (Linux only; null elsewhere or when it is gone). */
export async function processMemory(
  pid: number,
): Promise<ProcessMemory | null> {
  try {
    return parseProcStatus(await Deno.readTextFile(`/proc/${pid}/status`));
  } catch {
    return null;
  }
}

export interface StartOptions {
  /** Shown in errors, e.g. "bare Deno.serve". */
  name: string;
  /** Arguments to `deno`, e.g. ["run", "-A", "main.ts"]. */
  args: string[];
  env?: Record<string, string>;
  /** Defaults to a fresh free port; the child reads it from PORT. */
  port?: number;
  timeoutMs?: number;
}

/**
 * What `deno task start` and `serve` set for the server's process (issue 21
 * §3):
 * - MALLOC_ARENA_MAX: glibc gives every new thread an arena and keeps what
 *   the thread freed in it, so each photo's or PDF's worker thread left the
 *   server 10 MB larger, up to about 25 MB after ten photos; two arenas keep
 *   it within a few MB.
 * - DENO_V8_FLAGS: V8 let the heap of a server under load grow to 250 MB of
 *   garbage (its default limit is 4 GB) before collecting it, and with it
 *   the memory of every request's native objects, which V8 does not see:
 *   533 MiB peak on the demo catalogue. A 128 MB old generation and 8 MB
 *   semi-spaces keep it near 230 MiB; what the server holds after a full
 *   collection is about 45 MB, on the demo and the 100,000-kitchen
 *   catalogue alike. `--no-memory-pool`: V8 otherwise keeps the pages a
 *   collection frees for reuse and returns them on a timer that did not run
 *   while the server sat idle (RSS stayed at 194–212 MiB for 20 s after the
 *   load; without the pool it read 160–170 MiB, cached pages as fast).
 */
export const SERVER_ENV = {
  MALLOC_ARENA_MAX: "2",
  DENO_V8_FLAGS:
    "--max-old-space-size=128,--max-semi-space-size=8,--no-memory-pool",
} as const;

/** True for the child's own announcement that it listens on `port`. */
export function isListeningLine(line: string, port: number): boolean {
  return /listening/i.test(line) &&
    new RegExp(`:${port}(?!\\d)`).test(line);
}

/**
 * Spawns a server on a free port (PORT and HOSTNAME in its environment) and
 * resolves once it prints a line saying it listens on that port. Rejects,
 * with the child stopped, if the port is taken, the child exits first or it
 * stays silent for `timeoutMs`.
 */
export async function startServer(opts: StartOptions): Promise<BenchServer> {
  const port = opts.port ?? freePort();
  const timeoutMs = opts.timeoutMs ?? 60_000;
  assertPortFree(port);
  const child = new Deno.Command(Deno.execPath(), {
    args: opts.args,
    env: {
      ...SERVER_ENV,
      ...opts.env,
      PORT: String(port),
      HOSTNAME: BENCH_HOSTNAME,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream())
    .pipeThrough(splitLines())[Symbol.asyncIterator]();
  const ready = (async () => {
    for (let r = await lines.next(); !r.done; r = await lines.next()) {
      if (isListeningLine(r.value, port)) return true;
    }
    return false;
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const outcome = await Promise.race([ready, timedOut]);
  clearTimeout(timer);
  // Keep reading so a chatty child never blocks on a full pipe; otherwise the
  // reader ends by itself once the child is gone.
  const drained = outcome === true
    ? (async () => {
      while (!(await lines.next()).done) { /* discard */ }
    })()
    : ready.then(() => {});
  let exited = false;
  child.status.then(() => {
    exited = true;
  });
  let stopping: Promise<ProcessMemory | null> | null = null;
  const memory = () =>
    exited ? Promise.resolve(null) : processMemory(child.pid);
  // Memory is read before the signal: once the child is reaped its pid may
  // belong to another process.
  const stop = () =>
    stopping ??= (async () => {
      const last = await memory();
      try {
        child.kill("SIGTERM");
      } catch { /* already exited */ }
      await Promise.all([child.status, drained]);
      return last;
    })();
  if (outcome === true) {
    return {
      name: opts.name,
      port,
      url: `http://${BENCH_HOSTNAME}:${port}`,
      pid: child.pid,
      memory,
      stop,
    };
  }
  if (outcome === "timeout") {
    await stop();
    throw new Error(
      `${opts.name} did not say it was listening on port ${port} within ${timeoutMs} ms`,
    );
  }
  const { code } = await child.status;
  throw new Error(
    `${opts.name} exited with code ${code} before listening on port ${port} ` +
      `(see its output above; is the port taken?)`,
  );
}

function splitLines(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, controller) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const p of parts) controller.enqueue(p);
    },
    flush(controller) {
      if (rest) controller.enqueue(rest);
    },
  });
}
