/**
 * Live updates (issue 18 §2, DESIGN §15), the parts both sides share: what
 * the event stream sends, its resume cursor, and how long a browser waits
 * before it reconnects. Pure and free of server imports, so the islands
 * bundle it too.
 */
import { ID_PATTERN } from "../ids.ts";

/** The stream's URL (routes/messages/live.ts). */
export const LIVE_EVENTS_PATH = "/messages/events";

/** `event: inbox`: the reader's unread messages over all threads, now. */
export interface InboxEvent {
  unread: number;
}

/**
 * `event: thread`: a thread's newest message changed. The page showing that
 * thread fetches what came after the last message it has; nothing else
 * needs the text, so the stream never carries it.
 */
export interface ThreadEvent {
  threadId: string;
  lastMessageId: string;
}

/**
 * `event: end`: the server is closing the stream on purpose. `expired`
 * (its lifetime is up: reconnect at once), `replaced` (a newer tab of the
 * same person took its place: reconnect only when this tab is looked at
 * again), `signed-out` (the session ended: do not reconnect).
 */
export type EndReason = "expired" | "replaced" | "signed-out";
export interface EndEvent {
  reason: EndReason;
}

/**
 * Where a stream resumes: the newest change it sent, as the SSE event id
 * (`Last-Event-ID` on a reconnect, or `?after=`): the thread's newest
 * message time (epoch ms, as its inbox index sorts) and that message's id.
 */
export interface StreamCursor {
  at: number;
  messageId: string;
}

const CURSOR = new RegExp(`^(\\d{1,15})-(${ID_PATTERN})$`);

export function formatCursor(c: StreamCursor): string {
  return `${c.at}-${c.messageId}`;
}

/** A cursor from a header or a query, or null for anything else (never an error: the stream starts fresh). */
export function parseCursor(s: string | null | undefined): StreamCursor | null {
  if (!s || s.length > 64) return null;
  const m = CURSOR.exec(s);
  if (!m) return null;
  const at = Number(m[1]);
  return Number.isSafeInteger(at) ? { at, messageId: m[2] } : null;
}

/** Whether `a` comes after `b` in the inbox's order (time, then message id). */
export function cursorAfter(a: StreamCursor, b: StreamCursor | null): boolean {
  if (b === null) return true;
  return a.at > b.at || (a.at === b.at && a.messageId > b.messageId);
}

/** The first reconnect waits about this long, and each failure doubles it… */
export const RECONNECT_BASE_MS = 1000;
/** …up to this. */
export const RECONNECT_MAX_MS = 60_000;

/**
 * How long to wait before reconnect number `attempt` (0 for the first
 * after a failure): exponential backoff with "equal jitter" — half the
 * ceiling, plus a random part of the other half — so a server restart is
 * not met by every tab at the same instant, and no wait is near zero.
 * `random` is in [0, 1).
 */
export function reconnectDelay(attempt: number, random: number): number {
  const n = Math.max(0, Math.min(30, Math.floor(attempt)));
  const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** n);
  const r = Math.min(Math.max(random, 0), 1);
  return Math.round(ceiling / 2 + r * ceiling / 2);
}

/**
 * After the server ends a stream whose time was up, the browser comes
 * back within this (spread at random), not at once: streams opened
 * together would otherwise all reconnect together.
 */
export const EXPIRED_RECONNECT_SPREAD_MS = 3000;

/**
 * A stream's lifetime: the base plus up to a tenth more, at random, so
 * that streams opened in one burst (a deploy, a network blip) do not all
 * end in the same second.
 */
export function streamLifetime(baseMs: number, random: number): number {
  const r = Math.min(Math.max(random, 0), 1);
  return Math.round(baseMs * (1 + r / 10));
}
