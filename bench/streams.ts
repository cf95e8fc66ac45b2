/**
 * Live message streams (issue 18 §2): one app server (`main.ts`, its own
 * KV file) holding 500 open Server-Sent Events streams, one per signed-in
 * renter, each fed by `kv.watch` on that renter's inbox version.
 *
 * - Memory per stream: the server's resident memory (VmRSS) with none
 *   open, then with all 500 open (each has had its first event), divided
 *   by 500; and again once they are closed.
 * - Time from send to delivery with 500 listeners: a host sends a reply
 *   through the real route (`POST /messages/:threadId`) and the clock
 *   stops when that renter's stream carries the `thread` event; 200 one
 *   after another, then 100 at once to 100 different renters. p50, p99
 *   and the slowest.
 *
 * Hosts are 20, each with 25 renters, so no sender passes the 30 messages
 * in 10 minutes that any person may send.
 *
 *   deno run -A bench/streams.ts     # also part of `deno task bench`
 */
import { addNewUser } from "../lib/accounts/repo.ts";
import type { User } from "../lib/accounts/schema.ts";
import { addSession } from "../lib/accounts/sessions.ts";
import { addKitchenCreate, newKitchen } from "../lib/kitchens/repo.ts";
import type { Kitchen } from "../lib/kitchens/schema.ts";
import { startConversation } from "../lib/messages/threads.ts";
import { kitchenFixture } from "../tests/helpers.ts";
import { SseReader } from "../tests/sse.ts";
import { CACHE, removeKv } from "./catalogues.ts";
import { type Budget, budgetTable, checkBudget, median } from "./report.ts";
import {
  BENCH_HOSTNAME,
  type BenchServer,
  freePort,
  processMemory,
  startServer,
} from "./servers.ts";

const LISTENERS = Number(Deno.env.get("BENCH_STREAMS") ?? 500);
const HOSTS = 20;
const SEQUENTIAL = 200;
const BURST = 100;
/** Issue 18 §2: a thread updates within a second of a new message. */
const DELIVERY_P99_MS = 1000;
/**
 * 2,000 streams (LIVE_STREAMS_MAX's default) in at most 250 MiB of a 512 MB
 * Deno Deploy isolate. An open response alone costs ~65–75 KiB on a bare
 * Deno.serve (measured beside it), and RSS moves with garbage collection.
 */
const PER_STREAM_KIB = 128;

interface Seeded {
  hosts: { cookie: string }[];
  renters: { cookie: string; threadId: string; host: number }[];
}

/** Hosts, renters with sessions, a kitchen per host, a question per renter. */
async function seed(path: string, listeners: number): Promise<Seeded> {
  const kv = await Deno.openKv(path);
  try {
    const now = Date.now();
    const at = new Date(now).toISOString();
    const person = (id: string, roles: User["roles"]): User => ({
      v: 1,
      id,
      email: `${id}@bench.test`,
      name: id.startsWith("bench-host")
        ? `Host ${id.slice(11)}`
        : "Bench Renter",
      // Nobody logs in with a password here: the bench writes sessions.
      passwordHash: "bench-no-password",
      roles,
      emailVerifiedAt: at,
      phone: null,
      businessName: null,
      createdAt: at,
      updatedAt: at,
    });
    const session = async (user: User) => {
      const atomic = kv.atomic();
      const s = await addSession(atomic, kv, user.id, now);
      addNewUser(atomic, user);
      if (!(await atomic.commit()).ok) throw new Error("bench seed failed");
      return `prep_session=${s.secret}`;
    };
    const hosts: Seeded["hosts"] = [];
    const kitchens: Kitchen[] = [];
    for (let h = 0; h < HOSTS; h++) {
      const host = person(`bench-host-${h}`, ["renter", "host"]);
      hosts.push({ cookie: await session(host) });
      const k: Kitchen = {
        ...newKitchen(
          host.id,
          kitchenFixture({ title: `Bench Kitchen ${h}` }),
          {
            status: "published",
            now: new Date(now),
          },
        ),
        permits: { ok: true, missing: [], missingNames: [], checkedAt: now },
      };
      if (!(await addKitchenCreate(kv.atomic(), k).commit()).ok) {
        throw new Error("bench kitchen failed");
      }
      kitchens.push(k);
    }
    const renters: Seeded["renters"] = [];
    const deps = {
      kv,
      now,
      mail: { from: "Prep <bench@prep.test>", baseUrl: "", wake: false },
    };
    for (let r = 0; r < listeners; r++) {
      const renter = person(`bench-renter-${r}`, ["renter"]);
      const cookie = await session(renter);
      const h = r % HOSTS;
      const { passwordHash: _, ...asked } = renter;
      const { thread } = await startConversation(
        deps,
        asked,
        { kitchen: kitchens[h].id },
        "Is the walk-in free on Sunday?",
      );
      renters.push({ cookie, threadId: thread.id, host: h });
    }
    return { hosts, renters };
  } finally {
    kv.close();
  }
}

/** One renter's open stream, and who is waiting for which thread on it. */
class Listener {
  readonly #waiting = new Map<string, (ms: number) => void>();
  constructor(readonly reader: SseReader) {
    this.#pump();
  }
  async #pump() {
    for (;;) {
      const ev = await this.reader.next(120_000);
      if (ev === null) return;
      if (ev.event !== "thread") continue;
      const { threadId } = JSON.parse(ev.data);
      const done = this.#waiting.get(threadId);
      this.#waiting.delete(threadId);
      done?.(performance.now());
    }
  }
  /** Resolves with when the next event for `threadId` arrives (null after `ms`). */
  next(threadId: string, ms = 5000): Promise<number | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(threadId);
        resolve(null);
      }, ms);
      this.#waiting.set(threadId, (t) => {
        clearTimeout(timer);
        resolve(t);
      });
    });
  }
}

/**
 * KiB of resident memory per open stream on a bare Deno.serve that holds
 * event streams open (bench/bare_stream.ts): what an open HTTP response
 * costs before any app code, measured the same way.
 */
async function bareStreams(count: number): Promise<number | null> {
  const bare = await startServer({
    name: "bare event streams",
    args: ["run", "-A", "bench/bare_stream.ts"],
  });
  const readers: SseReader[] = [];
  try {
    const openOne = async () => {
      const reader = new SseReader(await fetch(`${bare.url}/`));
      if (!(await reader.nextOf("inbox", 10_000))) {
        throw new Error("the bare stream sent no event");
      }
      return reader;
    };
    await (await openOne()).cancel();
    const before = await settled(bare);
    for (let i = 0; i < count; i += 50) {
      readers.push(
        ...await Promise.all(
          Array.from({ length: Math.min(50, count - i) }, openOne),
        ),
      );
    }
    const during = await settled(bare);
    if (!before || !during) return null;
    const per = (during.rssKiB - before.rssKiB) / count;
    console.log(
      `bare Deno.serve holding ${count} event streams: RSS ${
        mib(before.rssKiB)
      } → ${mib(during.rssKiB)}, ${per.toFixed(1)} KiB a stream`,
    );
    return per;
  } finally {
    for (const r of readers) await r.cancel();
    await bare.stop();
  }
}

async function open(app: BenchServer, cookie: string): Promise<SseReader> {
  const res = await fetch(`${app.url}/messages/events`, {
    headers: { Cookie: cookie, Accept: "text/event-stream" },
  });
  if (res.status !== 200) throw new Error(`a stream answered ${res.status}`);
  const reader = new SseReader(res);
  if (!(await reader.nextOf("inbox", 10_000))) {
    throw new Error("a stream sent no first event");
  }
  return reader;
}

async function send(
  app: BenchServer,
  hostCookie: string,
  threadId: string,
  text: string,
): Promise<void> {
  const res = await fetch(`${app.url}/messages/${threadId}`, {
    method: "POST",
    body: new URLSearchParams({ text }),
    headers: { Cookie: hostCookie, Origin: app.url },
    redirect: "manual",
  });
  await res.body?.cancel();
  if (res.status !== 303) throw new Error(`a reply answered ${res.status}`);
}

/** One send: ms from its start to its delivery, and from the reply's answer (committed) to it; null if not delivered in 5 s. */
interface Timing {
  send: number | null;
  /** Negative when the event came before the reply's HTTP answer did. */
  afterCommit: number | null;
}

async function deliver(
  app: BenchServer,
  seeded: Seeded,
  listeners: Listener[],
  picks: number[],
  label: string,
): Promise<Timing[]> {
  return await Promise.all(picks.map(async (r, i) => {
    const renter = seeded.renters[r];
    const arrived = listeners[r].next(renter.threadId);
    const started = performance.now();
    await send(
      app,
      seeded.hosts[renter.host].cookie,
      renter.threadId,
      `${label} ${i}`,
    );
    const answered = performance.now();
    const at = await arrived;
    return at === null
      ? { send: null, afterCommit: null }
      : { send: at - started, afterCommit: at - answered };
  }));
}

function percentile(xs: readonly number[], p: number): number {
  const s = xs.toSorted((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p / 100 * s.length) - 1)];
}

function latencyLine(label: string, timings: Timing[]): {
  p99: number;
  p99AfterCommit: number;
  lost: number;
} {
  const got = timings.filter((t) => t.send !== null);
  const lost = timings.length - got.length;
  const send = got.map((t) => t.send!);
  const after = got.map((t) => Math.max(0, t.afterCommit!));
  const p99 = send.length ? percentile(send, 99) : Infinity;
  const p99AfterCommit = after.length ? percentile(after, 99) : Infinity;
  const early = got.filter((t) => t.afterCommit! < 0).length;
  console.log(
    `${label}: send → delivery p50 ${median(send).toFixed(1)} ms, p99 ${
      p99.toFixed(1)
    } ms, max ${
      Math.max(...send).toFixed(1)
    } ms; reply answered → delivery p50 ${median(after).toFixed(1)} ms, p99 ${
      p99AfterCommit.toFixed(1)
    } ms (${early} of ${got.length} came before the answer)${
      lost ? `; ${lost} NOT delivered within 5 s` : ""
    }`,
  );
  return { p99, p99AfterCommit, lost };
}

const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;

/** The server's memory, settled: the median RSS of three reads half a second apart. */
async function settled(app: BenchServer) {
  const reads = [];
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const m = await processMemory(app.pid);
    if (!m) return null;
    reads.push(m);
  }
  return {
    rssKiB: median(reads.map((m) => m.rssKiB)),
    peakKiB: Math.max(...reads.map((m) => m.peakKiB)),
  };
}

/** Prints the live-streams section of the benchmark report; returns its budgets. */
export async function benchStreams(): Promise<Budget[]> {
  await Deno.mkdir(CACHE, { recursive: true });
  const kvPath = `${CACHE}/streams.kv`;
  await removeKv(kvPath);
  const seeding = performance.now();
  const seeded = await seed(kvPath, LISTENERS);
  console.log(
    `\nlive message streams: ${LISTENERS} renters (one stream each) and ${HOSTS} hosts, seeded in ${
      ((performance.now() - seeding) / 1000).toFixed(1)
    } s; one app server (main.ts, a KV file)`,
  );
  const bare = await bareStreams(LISTENERS);
  const port = freePort();
  const app = await startServer({
    name: `app, ${LISTENERS} live streams`,
    args: ["run", "-A", "main.ts"],
    port,
    env: {
      APP_ENV: "development",
      BASE_URL: `http://${BENCH_HOSTNAME}:${port}`,
      DENO_KV_PATH: kvPath,
      SEED_DEMO_DATA: "false",
    },
  });
  const budgets: Budget[] = [];
  const readers: SseReader[] = [];
  try {
    // Warm up what a stream and a send run (routes, the watch, JIT), then let go.
    const warm = new Listener(await open(app, seeded.renters[0].cookie));
    await deliver(app, seeded, [warm], [0], "warm-up");
    await warm.reader.cancel();
    const before = await settled(app);

    const opening = performance.now();
    for (let i = 0; i < LISTENERS; i += 50) {
      readers.push(
        ...await Promise.all(
          seeded.renters.slice(i, i + 50).map((r) => open(app, r.cookie)),
        ),
      );
    }
    const openMs = performance.now() - opening;
    const during = await settled(app);
    const listeners = readers.map((r) => new Listener(r));
    console.log(
      `opened ${LISTENERS} streams in ${
        (openMs / 1000).toFixed(1)
      } s (50 at a time), each with its first event`,
    );

    const sequential = await (async () => {
      const out: Timing[] = [];
      for (let i = 0; i < SEQUENTIAL; i++) {
        out.push(...await deliver(app, seeded, listeners, [i], "one by one"));
      }
      return out;
    })();
    const burst = await deliver(
      app,
      seeded,
      listeners,
      Array.from({ length: BURST }, (_, i) => SEQUENTIAL + i),
      "at once",
    );
    const one = latencyLine(
      `send → delivery, ${SEQUENTIAL} one after another`,
      sequential,
    );
    const many = latencyLine(
      `send → delivery, ${BURST} at once to ${BURST} renters`,
      burst,
    );
    const afterSends = await processMemory(app.pid);

    for (const r of readers) await r.cancel();
    readers.length = 0;
    const closed = await settled(app);

    if (before && during && afterSends && closed) {
      const perStream = (during.rssKiB - before.rssKiB) / LISTENERS;
      console.log(
        `server RSS: ${mib(before.rssKiB)} with no stream, ${
          mib(during.rssKiB)
        } with ${LISTENERS} open (+${mib(during.rssKiB - before.rssKiB)}, ${
          perStream.toFixed(1)
        } KiB a stream), ${mib(afterSends.rssKiB)} after the sends, ${
          mib(closed.rssKiB)
        } once all closed; peak ${mib(closed.peakKiB)}`,
      );
      if (bare !== null) {
        console.log(
          `  ${
            (perStream - bare).toFixed(1)
          } KiB a stream over the bare server's ${
            bare.toFixed(1)
          } (the session, the watch, the events generator, the lease)`,
        );
      }
      budgets.push(
        checkBudget(
          `live streams: memory per open stream, ${LISTENERS} open (issue 18)`,
          `${perStream.toFixed(1)} KiB${
            bare !== null ? ` (bare ${bare.toFixed(1)})` : ""
          }`,
          `≤ ${PER_STREAM_KIB} KiB`,
          perStream <= PER_STREAM_KIB,
        ),
      );
    } else {
      console.log("server memory not measured (no /proc)");
    }
    budgets.push(
      checkBudget(
        `live streams: send → delivery p99, one by one, ${LISTENERS} listeners (issue 18)`,
        one.lost ? `${one.lost} lost` : `${one.p99.toFixed(1)} ms`,
        `< ${DELIVERY_P99_MS} ms, none lost`,
        one.lost === 0 && one.p99 < DELIVERY_P99_MS,
      ),
      // A burst of writes queues on the one SQLite writer (and on each
      // host's message counter); what the stream adds starts at the commit.
      checkBudget(
        `live streams: reply answered → delivery p99, ${BURST} at once, ${LISTENERS} listeners (issue 18)`,
        many.lost
          ? `${many.lost} lost`
          : `${many.p99AfterCommit.toFixed(1)} ms`,
        `< ${DELIVERY_P99_MS} ms, none lost`,
        many.lost === 0 && many.p99AfterCommit < DELIVERY_P99_MS,
      ),
    );
  } finally {
    for (const r of readers) await r.cancel();
    await app.stop();
    await removeKv(kvPath);
  }
  return budgets;
}

if (import.meta.main) {
  const budgets = await benchStreams();
  console.log(`\nbudgets\n${budgetTable(budgets)}`);
  if (!budgets.every((b) => b.pass)) Deno.exit(1);
}
