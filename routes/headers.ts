/**
 * The one way values that a request can influence reach response headers
 * (DESIGN §8). Deno refuses header values with NUL, CR or LF (a 500) and
 * panics on other control bytes, so nothing user-shaped is set directly:
 * redirects go through `redirect`, downloads through `attachment`.
 */
import type { Context } from "hono";
import type { RedirectStatusCode } from "hono/utils/http-status";

// Visible ASCII only: what a serialised URL path or an RFC 8187 value is made of.
const HEADER_SAFE = /^[\x21-\x7e]*$/;
// Controls, spaces and backslashes: browsers strip or reinterpret them
// ("/\t/evil.example" and "/\evil.example" both mean another host).
// deno-lint-ignore no-control-regex
const UNSAFE_IN_TARGET = /[\u0000-\u0020\u007f-\u009f\\]/;

/**
 * `target` if it is a plain path on this site, re-serialised by the URL
 * parser (so it is percent-encoded ASCII); otherwise `fallback`.
 */
export function safeRedirectTarget(
  target: string | undefined | null,
  baseUrl: string,
  fallback = "/",
): string {
  if (!target || !target.startsWith("/") || target.startsWith("//")) {
    return fallback;
  }
  if (UNSAFE_IN_TARGET.test(target)) return fallback;
  const base = new URL(baseUrl);
  const url = URL.parse(target, base);
  if (!url || url.origin !== base.origin) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return HEADER_SAFE.test(path) && !path.startsWith("//") ? path : fallback;
}

/** A redirect to a path on this site (303 after a POST, by default). */
export function redirect(
  c: Context,
  target: string,
  status: RedirectStatusCode = 303,
): Response {
  const base = (c.var as { config?: { BASE_URL: string } }).config?.BASE_URL ??
    new URL(c.req.url).origin;
  return c.redirect(safeRedirectTarget(target, base), status);
}

/**
 * Whether the browser asks for this ahead of a click (Speculation Rules,
 * `<link rel=prefetch>`; older ones said `Purpose` or `X-Moz`): a GET that
 * changes something (a notification marked read) must wait for the click.
 */
export function isPrefetch(req: Request): boolean {
  const purpose = req.headers.get("sec-purpose") ??
    req.headers.get("purpose") ??
    req.headers.get("x-moz") ?? "";
  return /(^|[\s;,])prefetch($|[\s;,])/i.test(purpose);
}

/**
 * `Content-Disposition: attachment` for a file name chosen by a user: an
 * ASCII stand-in for old clients and the exact name as RFC 8187 UTF-8.
 */
export function attachment(filename: string): string {
  const name = filename.normalize("NFC")
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, "")
    .replace(/[/\\]/g, "_").replace(/^[\s.]+/, "").trim().slice(0, 150) ||
    "download";
  const ascii = name.replace(/[^A-Za-z0-9._ -]/g, "_");
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * A redirect off this site, only to an origin the caller trusts (Stripe's
 * Checkout and Connect pages). Anything else is a bug, not user input.
 */
export function redirectOut(
  c: Context,
  url: string,
  allowedOrigins: readonly string[],
): Response {
  const parsed = URL.parse(url);
  if (
    !parsed || !allowedOrigins.includes(parsed.origin) ||
    !HEADER_SAFE.test(parsed.href)
  ) {
    throw new Error(`Refusing to redirect to ${parsed?.origin ?? "a bad URL"}`);
  }
  return c.redirect(parsed.href, 303);
}
