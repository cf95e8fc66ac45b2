import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.ts";
import { isWhole } from "./whole.ts";

const NONCE_BYTES = 16;
const BASE64 =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// One getRandomValues call per 256 responses rather than one each: the call
// showed in page profiles. Every nonce still takes 16 fresh bytes of the
// CSPRNG's output, used once.
const pool = new Uint8Array(NONCE_BYTES * 256);
let taken = pool.length;

/** 16 random bytes, base64: unguessable, and different for every response. */
export function newNonce(): string {
  if (taken === pool.length) {
    crypto.getRandomValues(pool);
    taken = 0;
  }
  const at = taken;
  taken += NONCE_BYTES;
  let out = "";
  // Five groups of three bytes make 20 characters; the sixteenth byte two more and padding.
  for (let i = at; i < at + 15; i += 3) {
    const n = (pool[i] << 16) | (pool[i + 1] << 8) | pool[i + 2];
    out += BASE64[n >> 18] + BASE64[(n >> 12) & 63] + BASE64[(n >> 6) & 63] +
      BASE64[n & 63];
  }
  const last = pool[at + 15];
  return out + BASE64[last >> 2] + BASE64[(last & 3) << 4] + "==";
}

/** The security headers of every response, built once per app. */
export interface SecurityPolicy {
  /** Sets them on `headers`, scripts allowed by `nonce` (a CSP already there stays). */
  set(headers: Headers, nonce: string): void;
  /** The Content-Security-Policy allowing scripts by `nonce`. */
  csp(nonce: string): string;
  /**
   * The Content-Security-Policy of a page with no scripts at all: none may
   * run (`script-src 'none'`), so it needs no nonce and is the same for
   * every response (routes/page_cache.ts).
   */
  scriptless: string;
  /** Every other security header: the same for each response. */
  constant: readonly [string, string][];
}

/**
 * Security headers for every response. Scripts run only with this response's
 * nonce; 'strict-dynamic' lets the boot module import island chunks. Every
 * header but the nonce is the same for each response, so the text is built
 * once per app.
 */
export function securityPolicy(
  https: boolean,
  /** More origins forms may post or redirect to (a local Stripe test server). */
  extraFormActions: readonly string[] = [],
  /** More origins images may come from (the map tiles' server). */
  extraImages: readonly string[] = [],
): SecurityPolicy {
  // Stripe Checkout and Connect onboarding are reached by a form post's redirect.
  const formAction = [
    "'self'",
    "https://checkout.stripe.com",
    "https://connect.stripe.com",
    ...extraFormActions,
  ].join(" ");
  const rest = [
    "style-src 'self'",
    ["img-src 'self' data:", ...extraImages].join(" "),
    "object-src 'none'",
    "base-uri 'none'",
    `form-action ${formAction}`,
    "frame-ancestors 'none'",
  ].join("; ");
  const cspBefore = "default-src 'self'; script-src 'nonce-";
  const cspAfter = "' 'strict-dynamic'; " + rest;
  const constant: [string, string][] = [
    ["X-Content-Type-Options", "nosniff"],
    ["Referrer-Policy", "strict-origin-when-cross-origin"],
    ["X-Frame-Options", "DENY"],
  ];
  if (https) {
    constant.push([
      "Strict-Transport-Security",
      "max-age=63072000; includeSubDomains",
    ]);
  }
  const csp = (nonce: string) => cspBefore + nonce + cspAfter;
  return {
    set(h, nonce) {
      if (!h.has("Content-Security-Policy")) {
        h.set("Content-Security-Policy", csp(nonce));
      }
      for (const [name, value] of constant) h.set(name, value);
    },
    csp,
    scriptless: "default-src 'self'; script-src 'none'; " + rest,
    constant,
  };
}

/** The middleware: a nonce for the request (`c.var.nonce`), the headers on its answer. */
export function securityMiddleware(
  policy: SecurityPolicy,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const nonce = newNonce();
    c.set("nonce", nonce);
    await next();
    if (!isWhole(c.res)) policy.set(c.res.headers, nonce);
  };
}

/** `securityMiddleware` of a `securityPolicy` (apps and tests that need only the middleware). */
export function securityHeaders(
  https: boolean,
  extraFormActions: readonly string[] = [],
  extraImages: readonly string[] = [],
): MiddlewareHandler<AppEnv> {
  return securityMiddleware(
    securityPolicy(https, extraFormActions, extraImages),
  );
}
