/**
 * The tab's one live stream (GET /messages/events), shared by every island
 * that wants its events: the header's Messages link and an open thread.
 * Browser-only; not an island itself (islands are the .tsx files here).
 *
 * It reconnects by itself, with exponential backoff and jitter after a
 * failure, soon (spread over a few seconds) after the server ends a stream
 * whose time was up, and passes the last event id back as `?after=` so the
 * server resumes where it stopped. A tab that has been hidden for a minute
 * lets its stream go and opens a new one when it is shown again: browsers
 * allow six connections per site over HTTP/1.1, and a stream holds one.
 */
import {
  EXPIRED_RECONNECT_SPREAD_MS,
  type InboxEvent,
  LIVE_EVENTS_PATH,
  reconnectDelay,
  type ThreadEvent,
} from "../lib/messages/live_rules.ts";

/** Fired on `document` by the reply form when a message went out: the thread fetches it. */
export const MESSAGE_SENT_EVENT = "prep:message-sent";

export interface LiveListener {
  inbox?(e: InboxEvent): void;
  thread?(e: ThreadEvent): void;
  /** The stream (re)opened: anything sent while it was down was not seen. */
  open?(): void;
}

const HIDDEN_GRACE_MS = 60_000;

const listeners = new Set<LiveListener>();
let source: EventSource | null = null;
let lastEventId = "";
let failures = 0;
let retry: ReturnType<typeof setTimeout> | undefined;
let hiddenTimer: ReturnType<typeof setTimeout> | undefined;
/** Why the tab is not connected on purpose: replaced by a newer tab, hidden, or signed out. */
let parked: "replaced" | "hidden" | "signed-out" | null = null;
let watching = false;

function emit<K extends keyof LiveListener>(
  kind: K,
  arg?: Parameters<NonNullable<LiveListener[K]>>[0],
): void {
  for (const l of listeners) {
    try {
      (l[kind] as ((a: unknown) => void) | undefined)?.(arg);
    } catch (err) {
      console.error("[live] listener failed:", err);
    }
  }
}

function parse<T>(e: Event): T | null {
  try {
    return JSON.parse((e as MessageEvent<string>).data) as T;
  } catch {
    return null;
  }
}

function disconnect(): void {
  clearTimeout(retry);
  retry = undefined;
  source?.close();
  source = null;
}

function schedule(ms: number): void {
  disconnect();
  retry = setTimeout(connect, ms);
}

function connect(): void {
  disconnect();
  if (parked || listeners.size === 0) return;
  const url = lastEventId
    ? `${LIVE_EVENTS_PATH}?after=${encodeURIComponent(lastEventId)}`
    : LIVE_EVENTS_PATH;
  const es = new EventSource(url);
  source = es;
  es.addEventListener("open", () => {
    failures = 0;
    emit("open");
  });
  es.addEventListener("inbox", (e) => {
    const data = parse<InboxEvent>(e);
    if (data) emit("inbox", data);
  });
  es.addEventListener("thread", (e) => {
    const id = (e as MessageEvent).lastEventId;
    if (id) lastEventId = id;
    const data = parse<ThreadEvent>(e);
    if (data) emit("thread", data);
  });
  es.addEventListener("end", (e) => {
    const reason = parse<{ reason: string }>(e)?.reason;
    disconnect();
    if (reason === "signed-out") parked = "signed-out";
    else if (reason === "replaced") parked = "replaced";
    else schedule(Math.random() * EXPIRED_RECONNECT_SPREAD_MS);
  });
  // A dropped connection, a restart or a 503: EventSource would retry at a
  // fixed pace forever; this backs off instead. (Signed out, the server
  // answers an `end` event, above, rather than a 401 this would retry.)
  es.onerror = () => {
    if (source !== es) return;
    schedule(reconnectDelay(failures++, Math.random()));
  };
}

function onVisibility(): void {
  clearTimeout(hiddenTimer);
  if (document.visibilityState === "hidden") {
    hiddenTimer = setTimeout(() => {
      if (parked === null) parked = "hidden";
      disconnect();
    }, HIDDEN_GRACE_MS);
    return;
  }
  if (parked === "hidden" || parked === "replaced") {
    parked = null;
    failures = 0;
    connect();
  }
}

/** Starts listening (and the stream, with the first listener); returns how to stop. */
export function subscribe(listener: LiveListener): () => void {
  listeners.add(listener);
  if (!watching) {
    watching = true;
    document.addEventListener("visibilitychange", onVisibility);
    addEventListener("focus", onVisibility);
  }
  if (!source && retry === undefined) connect();
  else if (source?.readyState === EventSource.OPEN) listener.open?.();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) disconnect();
  };
}
