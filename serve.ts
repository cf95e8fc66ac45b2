/**
 * Prep for `deno serve --parallel` (`deno task serve`): one worker per CPU,
 * each an isolate that runs main.ts's start-up and answers with its own app.
 *
 * What each worker holds is safe to have several of: the read cache and the
 * page cache are per isolate and only ever show data a few seconds old (a
 * worker drops what its own writes change); job workers claim each job with
 * a versionstamp-checked lease, so a job runs in one worker at a time. Demo
 * seeding is not safe to run twice at once (the photos are written before
 * the marker's commit), so workers that seed take turns at start-up. The
 * task builds assets first, so workers never rebuild them at once.
 */
import { ConfigError, loadConfig } from "./lib/config.ts";
import { keys } from "./lib/db/keys.ts";
import { openStore } from "./lib/db/kv.ts";
import { startPrep } from "./main.ts";

/** Longer than start-up with a first demo seed; a dead worker's turn lapses after it. */
const TURN_MS = 120_000;

interface Turn {
  owner: string;
  until: number;
}

const isLocked = (err: unknown) =>
  err instanceof Error && /database is locked/i.test(err.message);

/**
 * Local KV is one SQLite file, and Deno KV answers "database is locked" at
 * once, without waiting, while another isolate writes to it: ask again.
 */
async function whileLocked<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 0;; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!isLocked(err) || attempt >= 100) throw err;
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 40));
    }
  }
}

/**
 * Runs `start` while holding a lease in KV, so workers (or processes sharing
 * one KV) run it one after another.
 */
async function inTurn<T>(kv: Deno.Kv, start: () => Promise<T>): Promise<T> {
  const key = keys.seed("serve-start-turn");
  const owner = crypto.randomUUID();
  let mine: Deno.KvCommitResult | null = null;
  while (!mine) {
    mine = await whileLocked(async () => {
      const held = await kv.get<Turn>(key);
      if (held.value && held.value.until > Date.now()) return null;
      const turn: Turn = { owner, until: Date.now() + TURN_MS };
      const res = await kv.atomic().check(held).set(key, turn).commit();
      return res.ok ? res : null;
    });
    if (!mine) await new Promise((r) => setTimeout(r, 100));
  }
  const versionstamp = mine.versionstamp;
  try {
    return await start();
  } finally {
    await whileLocked(() =>
      kv.atomic().check({ key, versionstamp }).delete(key).commit()
    );
  }
}

async function startWorker() {
  let config;
  try {
    config = loadConfig(Deno.env.toObject());
  } catch (err) {
    // startPrep reports it and exits.
    if (err instanceof ConfigError) return await startPrep();
    throw err;
  }
  if (config.DENO_KV_PATH === ":memory:") {
    console.error(
      "DENO_KV_PATH=:memory: gives every worker its own empty store; use a file or DENO_KV_URL with deno serve --parallel.",
    );
    Deno.exit(1);
  }
  if (!config.SEED_DEMO_DATA) return await startPrep({ rebuildAssets: false });
  const kv = await openStore(config);
  try {
    return await inTurn(kv, () => startPrep({ rebuildAssets: false }));
  } finally {
    kv.close();
  }
}

const { app, config } = await startWorker();

// `deno serve` answers SIGINT and SIGTERM by draining its connections and then
// waiting for every worker's event loop to empty, which the job runner's cron
// and queue listener never let happen: so each worker exits once the drain has
// had a moment.
const SHUTDOWN_GRACE_MS = 1_000;
const stopSignals: Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT"]
  : ["SIGINT", "SIGTERM"];
for (const signal of stopSignals) {
  Deno.addSignalListener(signal, () => {
    setTimeout(() => Deno.exit(0), SHUTDOWN_GRACE_MS);
  });
}

export default {
  fetch: app.fetch,
  onListen(addr: Deno.Addr) {
    const where = addr.transport === "tcp"
      ? `${addr.hostname}:${addr.port}`
      : addr.transport;
    console.log(`Prep worker listening on ${where} (${config.BASE_URL})`);
    // `deno serve` chooses the address (--port, DENO_SERVE_ADDRESS), not PORT.
    if (
      addr.transport === "tcp" && Deno.env.get("PORT") &&
      addr.port !== config.PORT
    ) {
      console.warn(
        `PORT=${config.PORT} is ignored by deno serve; set DENO_SERVE_ADDRESS=tcp:0.0.0.0:${config.PORT} instead.`,
      );
    }
  },
} satisfies Deno.ServeDefaultExport;
