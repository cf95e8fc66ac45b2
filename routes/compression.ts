import type { MiddlewareHandler } from "hono";
import { compress } from "hono/compress";

/**
 * Hono's compress() for GET and HEAD alike. Hono answers a HEAD by running
 * the GET route and dropping the body, but compress() skips HEAD, so a HEAD
 * went out without the Content-Encoding and Vary its GET sends (HEAD must
 * carry GET's header fields, RFC 9110 §9.3.2). Compress decides on a HEAD
 * as on a GET: only it is shown GET, after the rest of the chain ran as
 * HEAD; the encoded stream is then cancelled unread, as no body is sent.
 */
export function compression(): MiddlewareHandler {
  const encode = compress();
  return async (c, next) => {
    if (c.req.method !== "HEAD") return await encode(c, next);
    const head = c.req.raw;
    try {
      await encode(c, async () => {
        await next();
        c.req.raw = new Request(head, { method: "GET" });
      });
    } finally {
      c.req.raw = head;
    }
    await c.res.body?.cancel();
  };
}
