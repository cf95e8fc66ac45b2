/**
 * The real server as a child process (`deno run -A main.ts`) on a loopback
 * port, for tests that must see what a client sees: real HTTP parsing, real
 * response writing, and a process that can die. `app.request()` cannot show
 * a panic while a response header is written; only a real socket can.
 */

const ROOT = new URL("../", import.meta.url);
/** Lines kept from the server's output, and the length each is cut to. */
const TAIL_LINES = 300;
const LINE_CHARS = 500;

export interface ServerProcess {
  baseUrl: string;
  port: number;
  /** Resolves when the process exits, whatever the reason. */
  status: Promise<Deno.CommandStatus>;
  /** Set once the process has exited. */
  exited: Deno.CommandStatus | null;
  /** The last lines it printed, stdout and stderr interleaved. */
  tail(lines?: number): string[];
  /** Stops the process (if it still runs) and waits for its output to end. */
  stop(): Promise<void>;
  /** Kills the process at once (SIGKILL, as a platform stopping an instance does) and waits for it. */
  kill(): Promise<void>;
}

export interface ServerOptions {
  /** A Deno KV SQLite file; reusing one keeps sessions across a restart. */
  kvPath: string;
  seedDemoData?: boolean;
  /** Extra environment; an empty string unsets a variable for the config. */
  env?: Record<string, string>;
  /** Called with every line the server prints. */
  onLine?: (line: string) => void;
  readyTimeoutMs?: number;
}

/** A port that was free a moment ago (bind to 0, read it, close). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Starts main.ts on 127.0.0.1 and resolves once `GET /` answers 200. Retries
 * on another port when the chosen one was taken in between.
 */
export async function startServer(opts: ServerOptions): Promise<ServerProcess> {
  let last: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(opts, freePort());
    } catch (err) {
      last = err as Error;
      if (!/in use/i.test(last.message)) throw err;
    }
  }
  throw last;
}

async function startOnce(
  opts: ServerOptions,
  port: number,
): Promise<ServerProcess> {
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: ROOT,
    env: {
      APP_ENV: "development",
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      BASE_URL: baseUrl,
      DENO_KV_PATH: opts.kvPath,
      KV_QUEUES: "false",
      SEED_DEMO_DATA: String(opts.seedDemoData ?? true),
      // The config reads "" as unset: whatever the developer's shell holds,
      // mail stays in the dev mailbox and KV stays in the file above.
      RESEND_API_KEY: "",
      DENO_KV_URL: "",
      DENO_DEPLOYMENT_ID: "",
      ADMIN_EMAILS: "",
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
      ...opts.env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(
      line.length > LINE_CHARS ? line.slice(0, LINE_CHARS) + "…" : line,
    );
    if (lines.length > TAIL_LINES) lines.shift();
    opts.onLine?.(line);
  };
  // Both pipes are drained all the time: a full pipe would block the server.
  const drained = Promise.all([
    drain(child.stdout, keep),
    drain(child.stderr, keep),
  ]);
  const server: ServerProcess = {
    baseUrl,
    port,
    status: child.status,
    exited: null,
    tail: (n = 40) => lines.slice(-n),
    stop: async () => {
      if (!server.exited) {
        try {
          child.kill("SIGTERM");
        } catch {
          // Exited between the check and the kill.
        }
        const done = await within(child.status, 3000);
        if (!done) child.kill("SIGKILL");
      }
      await child.status;
      await drained;
    },
    kill: async () => {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      await child.status;
      await drained;
    },
  };
  child.status.then((s) => server.exited = s);

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (server.exited) break;
    try {
      const res = await fetch(`${baseUrl}/`);
      await res.body?.cancel();
      if (res.status === 200) return server;
    } catch {
      // Not listening yet.
    }
    await within(child.status, 50);
  }
  await server.stop();
  throw new Error(
    `The server on port ${port} did not answer GET / with 200 ` +
      `(${
        server.exited ? `exited with code ${server.exited.code}` : "timed out"
      }):\n` +
      server.tail(30).join("\n"),
  );
}

async function drain(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of stream) {
    const parts = (rest + decoder.decode(chunk, { stream: true })).split("\n");
    rest = parts.pop() ?? "";
    parts.forEach(onLine);
  }
  if (rest) onLine(rest);
}

/** True if `promise` settles within `ms`; the timer never outlives the call. */
export async function within(
  promise: Promise<unknown>,
  ms: number,
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
