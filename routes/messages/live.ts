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
import { streamSSE } from "hono/streaming";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { z } from "zod";
import { NewMessages } from "../../components/MessagesPages.tsx";
import { at } from "../../lib/app.ts";
import { UnavailableError } from "../../lib/errors.ts";
import { ID_PATTERN, isId } from "../../lib/ids.ts";
import { logError } from "../../lib/log.ts";
import { liveEvents } from "../../lib/messages/live.ts";
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

live.get("/events", (c) => {
  const user = c.var.user;
  if (!user) return signedOut(c);
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
  // Proxies such as nginx hold back a response to buffer it unless told not to.
  c.header("X-Accel-Buffering", "no");
  return streamSSE(c, async (stream) => {
    // The client went away: Deno cancels the response body, and Hono's
    // stream reports it here.
    stream.onAbort(stop);
    try {
      for await (
        const ev of liveEvents(c.var.services.kv, user.id, {
          sessionHash: c.var.sessionHash,
          resume,
          signal: gone.signal,
          settings: streams.settings,
        })
      ) {
        if (ev.type === "ping") await stream.write(": ping\n\n");
        else if (ev.type === "inbox") {
          await stream.writeSSE({
            event: "inbox",
            data: JSON.stringify({ unread: ev.unread }),
          });
        } else if (ev.type === "thread") {
          await stream.writeSSE({
            event: "thread",
            id: ev.id,
            data: JSON.stringify({
              threadId: ev.threadId,
              lastMessageId: ev.lastMessageId,
            }),
          });
        } else {
          await stream.writeSSE({
            event: "end",
            data: JSON.stringify({ reason: ev.reason }),
          });
        }
      }
      if (lease.replaced.aborted && !stream.aborted) {
        await stream.writeSSE({
          event: "end",
          data: JSON.stringify({ reason: "replaced" }),
        });
      }
    } catch (err) {
      // The browser reconnects with backoff; the reason stays in the log.
      logError(`live stream of ${user.id} failed:`, err);
    } finally {
      lease.release();
      lease.replaced.removeEventListener("abort", stop);
    }
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
