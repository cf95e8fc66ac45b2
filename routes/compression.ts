import type { MiddlewareHandler } from "hono";
import { compress, COMPRESSIBLE_CONTENT_TYPE_REGEX } from "hono/compress";
import { isWhole } from "./whole.ts";

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
    if (
      c.req.method !== "HEAD" && c.req.header("accept-encoding") === undefined
    ) {
      // compress() encodes nothing for a client that names no encoding; it
      // would only read the answer's headers, and reading them makes Deno
      // drop the copy it prepared for sending (a tenth of a signed-in page).
      await next();
      const vary = varyOnEncoding(c.res);
      // Headers that cannot change: as compress() would, on a copy.
      if (vary) c.header("Vary", vary);
      return;
    }
    if (c.req.method !== "HEAD") {
      return await encode(c, async () => {
        await next();
        varyOnEncoding(c.res);
      });
    }
    const head = c.req.raw;
    try {
      await encode(c, async () => {
        await next();
        varyOnEncoding(c.res);
        c.req.raw = new Request(head, { method: "GET" });
      });
    } finally {
      c.req.raw = head;
    }
    await c.res.body?.cancel();
  };
}

const VARIES_ON_ENCODING = /(?:^|,)\s*(?:accept-encoding|\*)\s*(?:,|$)/i;

/**
 * Adds Accept-Encoding to Vary in place before compress() looks. compress()
 * adds it with c.header(), which on a finished response copies it into a new
 * Response over the old one's body as a stream: every fresh page then went
 * out in chunks through JavaScript, a fifth of its CPU time. A response whose
 * headers cannot change (Response.redirect) is left to compress(): the Vary
 * it needs is returned, null when there is nothing left to add.
 */
function varyOnEncoding(res: Response): string | null {
  if (isWhole(res)) return null;
  const h = res.headers;
  const type = h.get("Content-Type");
  if (!type || !COMPRESSIBLE_CONTENT_TYPE_REGEX.test(type)) return null;
  if (h.has("Content-Encoding")) return null;
  const vary = h.get("Vary");
  if (vary && VARIES_ON_ENCODING.test(vary)) return null;
  const value = vary ? `${vary}, Accept-Encoding` : "Accept-Encoding";
  try {
    h.set("Vary", value);
    return null;
  } catch {
    // Immutable headers.
    return value;
  }
}
