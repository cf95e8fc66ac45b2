/**
 * Live messages (issue 18 §2): `GET /messages/events`, one Server-Sent
 * Events stream per tab for the signed-in person (lib/messages/live.ts),
 * and what the thread page's island asks for when the stream says its
 * thread moved: `GET /messages/:threadId/since?after=` (the messages after
 * the last one it shows, as the page renders them) and
 * `POST /messages/:threadId/read` (the person is looking at them).
 *
 * Mounted before the message pages, whose area redirects a signed-out
 * visitor to the login page: a script gets a 401 here instead.
 */
import { type Context, Hono } from "hono";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { z } from "zod";
import { NewMessages } from "../../components/MessagesPages.tsx";
import { at } from "../../lib/app.ts";
import { UnavailableError } from "../../lib/errors.ts";
import { ID_PATTERN, isId } from "../../lib/ids.ts";
import { logError } from "../../lib/log.ts";
import { type LiveEvent, liveEvents } from "../../lib/messages/live.ts";
import { parseCursor } from "../../lib/messages/live_rules.ts";
import { markThreadRead } from "../../lib/messages/threads.ts";
import { loadMessagesAfter } from "../../lib/messages/views.ts";
import type { AppEnv } from "../env.ts";
import { readQuery } from "../forms.ts";

export const live = new Hono<AppEnv>();

const THREAD = `:threadId{${ID_PATTERN}}`;

/**
 * Signed out (or the session just ended): a script is told so, not sent to
 * a login page. A middleware would run for the message pages too (they
 * share the prefix), so each handler asks.
 */
const signedOut = (c: Context<AppEnv>) =>
  c.text("Log in to see your messages.", 401);

const eventsQuery = z.object({ after: z.string().max(64) });

const encoder = new TextEncoder();

/**
 * One event as the wire carries it. Every value is ours: JSON (no line
 * breaks) and cursors that `formatCursor` wrote.
 */
function frame(ev: LiveEvent): Uint8Array<ArrayBuffer> {
  let text: string;
  if (ev.type === "ping") text = ": ping\n\n";
  else if (ev.type === "inbox") {
    text = `event: inbox\ndata: ${JSON.stringify({ unread: ev.unread })}\n\n`;
  } else if (ev.type === "thread") {
    text = `event: thread\nid: ${ev.id}\ndata: ${
      JSON.stringify({ threadId: ev.threadId, lastMessageId: ev.lastMessageId })
    }\n\n`;
  } else {
    text = `event: end\ndata: ${JSON.stringify({ reason: ev.reason })}\n\n`;
  }
  return encoder.encode(text);
}

/**
 * The stream is a pull-based ReadableStream over the events generator:
 * one event is made each time the connection takes one (backpressure for
 * free), and a client that goes away cancels it, which ends the generator
 * and with it the watch. (Hono's streamSSE costs ~20 KiB more per open
 * stream — its TransformStream, writer and second stream — measured with
 * 500 open: see bench/streams.ts.)
 */
/**
 * An EventSource (it always asks for text/event-stream) cannot read a
 * status: to the island a 401 looked like a dropped connection, retried
 * with backoff for as long as the tab stayed open. It is sent the `end` a
 * stream sends when its session ends mid-way, on which the island stops.
 */
function signedOutStream(c: Context<AppEnv>): Response {
  if (!/\btext\/event-stream\b/i.test(c.req.header("Accept") ?? "")) {
    return signedOut(c);
  }
  return c.body(frame({ type: "end", reason: "signed-out" }), 200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache",
  });
}

live.get("/events", (c) => {
  const user = c.var.user;
  if (!user) return signedOutStream(c);
  const { live: streams } = c.var.services;
  const read = readQuery(c, eventsQuery);
  // EventSource sends Last-Event-ID on its own reconnects; the island, which
  // reconnects itself (with backoff), passes the same cursor as ?after=.
  const resume = parseCursor(c.req.header("Last-Event-ID")) ??
    parseCursor(read.ok ? read.data.after : null);
  const lease = streams.open(user.id);
  if (!lease) {
    throw new UnavailableError(
      "Too many live connections right now; the page keeps working.",
      30,
    );
  }
  const gone = new AbortController();
  const stop = () => gone.abort();
  lease.replaced.addEventListener("abort", stop, { once: true });
  const events = liveEvents(c.var.services.kv, user.id, {
    sessionHash: c.var.sessionHash,
    resume,
    signal: gone.signal,
    settings: streams.settings,
  });
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    lease.release();
    lease.replaced.removeEventListener("abort", stop);
  };
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await events.next();
        // Gone while this event was being made: nobody to send it to.
        if (cancelled) return;
        if (!next.done) {
          controller.enqueue(frame(next.value));
          if (next.value.type !== "end") return;
          await events.return(undefined);
        } else if (lease.replaced.aborted) {
          controller.enqueue(frame({ type: "end", reason: "replaced" }));
        }
      } catch (err) {
        // The browser reconnects with backoff; the reason stays in the log.
        logError(`live stream of ${user.id} failed:`, err);
      }
      end();
      try {
        controller.close();
      } catch { /* cancelled meanwhile */ }
    },
    async cancel() {
      // The client went away (Deno cancels the body): end the generator,
      // whose `finally` cancels the watch.
      cancelled = true;
      stop();
      await events.return(undefined);
      end();
    },
  }, { highWaterMark: 0 });
  return c.body(body, 200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache",
    // Proxies such as nginx hold a response back to buffer it unless told not to.
    "X-Accel-Buffering": "no",
  });
});

const sinceQuery = z.object({
  after: z.string().refine(
    (v) => v === "" || isId(v),
    "Not a message of this conversation.",
  ),
});

/** The messages after `?after=` (all, when empty), as list items of the thread page. */
live.get(`/${THREAD}/since`, async (c) => {
  if (!c.var.user) return signedOut(c);
  const read = readQuery(c, sinceQuery);
  if (!read.ok) return c.text(read.form.errors.after ?? "Bad request", 400);
  const messages = await loadMessagesAfter(
    at(c.var.services),
    c.var.user!,
    c.req.param("threadId"),
    read.data.after || null,
  );
  return c.html(
    renderToString(
      h(NewMessages, { messages, threadId: c.req.param("threadId") }),
    ),
  );
});

/** The open thread page saw its new messages: they count as read (the badge follows). */
live.post(`/${THREAD}/read`, async (c) => {
  if (!c.var.user) return signedOut(c);
  await markThreadRead(
    at(c.var.services),
    c.var.user!,
    c.req.param("threadId"),
  );
  return c.body(null, 204);
});
