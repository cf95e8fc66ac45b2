/**
 * Live updates for one signed-in person (issue 18 §2, DESIGN §15): the
 * events of their stream, fed by `kv.watch` on their inbox version, and
 * the caps on how many streams an instance holds.
 *
 * Every message write bumps `["inbox_version", userId]` of both parties in
 * its atomic (lib/messages/threads.ts), so watching that key wakes a
 * stream whichever worker or instance wrote, wherever KV is shared: Deno
 * Deploy's KV, self-hosted denokv, or one SQLite file opened by the
 * workers of one `deno serve --parallel` process (Deno shares a file's
 * change notifier within a process). There is no in-memory pub/sub. Two
 * separate processes on one SQLite file do not notify each other; the
 * heartbeat re-reads the version, so they still deliver, a heartbeat late.
 *
 * A wake says only that something changed; the stream reads what: the
 * unread count (one read) and the threads whose newest message moved
 * since its cursor (one short list of the inbox index). The text never
 * travels on the stream: the page showing a thread fetches the messages
 * after the last one it has.
 */
import { sessionWatchKey } from "../accounts/repo.ts";
import {
  getInboxVersion,
  inboxVersionKey,
  listThreadsChangedSince,
  listThreadsOfUser,
  unreadMessages,
} from "./repo.ts";
import {
  type EndReason,
  formatCursor,
  type StreamCursor,
  streamLifetime,
} from "./live_rules.ts";

/** What a stream sends, in order; the route writes each as one SSE event. */
export type LiveEvent =
  | { type: "inbox"; unread: number }
  | { type: "thread"; threadId: string; lastMessageId: string; id: string }
  | { type: "ping" }
  | { type: "end"; reason: EndReason };

/** How long streams live and how often they speak, per instance (Services.live). */
export interface LiveSettings {
  /** Open streams this instance holds at most; more are refused (503). */
  maxStreams: number;
  /** Streams one person holds at most on this instance; a newer one ends the oldest. */
  perUser: number;
  /** A stream ends after this (plus up to a tenth, at random); the browser reconnects. */
  lifetimeMs: number;
  /** A comment this often keeps proxies from closing an idle stream and finds dead clients. */
  heartbeatMs: number;
}

export const DEFAULT_LIVE_SETTINGS: LiveSettings = {
  maxStreams: 2000,
  perUser: 5,
  lifetimeMs: 10 * 60_000,
  heartbeatMs: 15_000,
};

/** One open stream's place in the registry. */
export interface StreamLease {
  /** Gives the place back; safe to call twice. */
  release(): void;
  /** Aborted when a newer stream of the same person takes this one's place. */
  readonly replaced: AbortSignal;
}

/**
 * The streams this instance holds: at most `maxStreams` in all and
 * `perUser` per person. A person's newest stream wins over their oldest,
 * since the tab they just opened is the one they are looking at; the
 * oldest is told it was replaced and reconnects when its tab is next
 * looked at. Memory is bounded by `maxStreams`.
 */
export class LiveStreams {
  readonly #byUser = new Map<string, Set<LeaseImpl>>();
  #open = 0;

  constructor(readonly settings: LiveSettings) {}

  /** Open streams on this instance. */
  get size(): number {
    return this.#open;
  }

  /** A person's open streams on this instance. */
  countOf(userId: string): number {
    return this.#byUser.get(userId)?.size ?? 0;
  }

  /** A place for a new stream of `userId`, or null when the instance is full. */
  open(userId: string): StreamLease | null {
    let mine = this.#byUser.get(userId);
    if (mine && mine.size >= this.settings.perUser) {
      // Sets iterate in insertion order: the first is the oldest.
      const oldest = mine.values().next().value!;
      oldest.end();
    }
    if (this.#open >= this.settings.maxStreams) return null;
    if (!mine) this.#byUser.set(userId, mine = new Set());
    const lease = new LeaseImpl(() => {
      if (!mine!.delete(lease)) return;
      this.#open--;
      if (mine!.size === 0 && this.#byUser.get(userId) === mine) {
        this.#byUser.delete(userId);
      }
    });
    mine.add(lease);
    this.#open++;
    return lease;
  }
}

class LeaseImpl implements StreamLease {
  readonly #controller = new AbortController();
  constructor(readonly release: () => void) {}
  get replaced(): AbortSignal {
    return this.#controller.signal;
  }
  end(): void {
    this.release();
    this.#controller.abort();
  }
}

export interface LiveOptions {
  /** The session behind the request: the stream ends with it. */
  sessionHash: string | null;
  /** Where the browser's last stream stopped (`Last-Event-ID`), or null. */
  resume: StreamCursor | null;
  /** Aborted when the client goes away or the stream is replaced. */
  signal: AbortSignal;
  settings: Pick<LiveSettings, "lifetimeMs" | "heartbeatMs">;
  /** In [0, 1): spreads lifetimes. */
  random?: () => number;
}

/** Threads read per wake at most; a person cannot have more changed at one instant. */
const THREADS_PER_WAKE = 50;

type Wake =
  | { kind: "watch"; entries: Deno.KvEntryMaybe<unknown>[] }
  | { kind: "done" }
  | { kind: "timer" }
  | { kind: "abort" };

/**
 * The events of one person's stream until it ends: first their unread
 * count (and, resuming, the threads that changed since the cursor), then
 * one `inbox` event when the count changes and one `thread` event per
 * thread whose newest message moved, a `ping` when quiet for a heartbeat,
 * and an `end` when its lifetime is up or the session ended. Returns
 * without an `end` when `signal` aborts. The watch is cancelled whichever
 * way it ends.
 */
export async function* liveEvents(
  kv: Deno.Kv,
  userId: string,
  opts: LiveOptions,
): AsyncGenerator<LiveEvent> {
  const { signal, settings } = opts;
  if (signal.aborted) return;
  const watched: Deno.KvKey[] = [inboxVersionKey(userId)];
  if (opts.sessionHash) watched.push(sessionWatchKey(opts.sessionHash));
  const reader = kv.watch(watched).getReader();
  let abortWake: () => void = () => {};
  const aborted = new Promise<Wake>((resolve) => {
    abortWake = () => resolve({ kind: "abort" });
    signal.addEventListener("abort", abortWake, { once: true });
  });
  const ends = Date.now() +
    streamLifetime(settings.lifetimeMs, (opts.random ?? Math.random)());
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const state = new StreamState(kv, userId, opts.resume);
    let pending: Promise<Wake> = nextWake(reader);
    let version: bigint | null = null;
    let stamp: string | null = null;
    for (let first = true;; first = false) {
      const left = ends - Date.now();
      if (left <= 0) {
        yield { type: "end", reason: "expired" };
        return;
      }
      const wake = first ? await pending : await Promise.race([
        pending,
        aborted,
        new Promise<Wake>((resolve) => {
          timer = setTimeout(
            () => resolve({ kind: "timer" }),
            Math.min(settings.heartbeatMs, left),
          );
        }),
      ]);
      clearTimeout(timer);
      if (wake.kind === "abort" || wake.kind === "done") return;
      if (wake.kind === "timer") {
        if (Date.now() >= ends) continue;
        // The watch misses writes from another process on the same SQLite
        // file; a version read each heartbeat catches those.
        const now = await getInboxVersion(kv, userId);
        if (version !== null && now !== version) {
          version = now;
          yield* state.changes(false);
        } else yield { type: "ping" };
        continue;
      }
      pending = nextWake(reader);
      const [inbox, session] = wake.entries;
      if (opts.sessionHash && (!session || session.value === null)) {
        yield { type: "end", reason: "signed-out" };
        return;
      }
      // A wake for the session alone (its last-seen time moved) is no news.
      if (!first && inbox.versionstamp === stamp) continue;
      stamp = inbox.versionstamp;
      version = (inbox.value as Deno.KvU64 | null)?.value ?? 0n;
      yield* state.changes(first);
    }
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", abortWake);
    await reader.cancel().catch(() => {});
  }
}

function nextWake(
  reader: ReadableStreamDefaultReader<Deno.KvEntryMaybe<unknown>[]>,
): Promise<Wake> {
  return reader.read().then(
    (r): Wake =>
      r.done ? { kind: "done" } : { kind: "watch", entries: r.value },
    (): Wake => ({ kind: "done" }),
  );
}

/**
 * What a stream has told its browser: the unread count it last sent, and
 * how far through the inbox index it has reported (its cursor, plus the
 * threads it reported at exactly the cursor's time, so that a thread seen
 * at that instant is not reported again unless it moves).
 */
class StreamState {
  #unread: number | null = null;
  #cursor: StreamCursor | null;
  #atCursor = new Map<string, string>();
  /** Whether the cursor still has to be found (a fresh stream starts at the newest thread). */
  #fresh: boolean;

  constructor(
    readonly kv: Deno.Kv,
    readonly userId: string,
    resume: StreamCursor | null,
  ) {
    this.#cursor = resume;
    this.#fresh = resume === null;
  }

  async *changes(first: boolean): AsyncGenerator<LiveEvent> {
    const unread = await unreadMessages(this.kv, this.userId);
    if (unread !== this.#unread) {
      this.#unread = unread;
      yield { type: "inbox", unread };
    }
    if (first && this.#fresh) {
      // Nothing to report before the stream began: the page was rendered
      // with it, and the thread page asks for what it missed itself.
      const newest = (await listThreadsOfUser(this.kv, this.userId, {
        limit: 1,
      })).threads[0];
      if (newest?.last) {
        this.#cursor = { at: newest.lastAt, messageId: newest.last.id };
        this.#atCursor.set(newest.id, newest.last.id);
      }
      this.#fresh = false;
      return;
    }
    const threads = await listThreadsChangedSince(
      this.kv,
      this.userId,
      this.#cursor?.at ?? 0,
      THREADS_PER_WAKE,
    );
    for (const t of threads) {
      if (!t.last) continue;
      const at = { at: t.lastAt, messageId: t.last.id };
      const cursor = this.#cursor;
      if (cursor && t.lastAt < cursor.at) continue;
      if (cursor && t.lastAt === cursor.at) {
        if (this.#atCursor.get(t.id) === t.last.id) continue;
        if (t.last.id === cursor.messageId) continue;
      }
      if (!cursor || t.lastAt > cursor.at) this.#atCursor.clear();
      this.#atCursor.set(t.id, t.last.id);
      if (!cursor || t.lastAt > cursor.at || t.last.id > cursor.messageId) {
        this.#cursor = at;
      }
      yield {
        type: "thread",
        threadId: t.id,
        lastMessageId: t.last.id,
        id: formatCursor(this.#cursor!),
      };
    }
  }
}
