import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context.tsx";

function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/**
 * Security headers for every response. Scripts run only with this response's
 * nonce; 'strict-dynamic' lets the boot module import island chunks.
 */
export function securityHeaders(
  https: boolean,
  /** More origins forms may post or redirect to (a local Stripe test server). */
  extraFormActions: readonly string[] = [],
): MiddlewareHandler<AppEnv> {
  // Stripe Checkout and Connect onboarding are reached by a form post's redirect.
  const formAction = [
    "'self'",
    "https://checkout.stripe.com",
    "https://connect.stripe.com",
    ...extraFormActions,
  ].join(" ");
  return async (c, next) => {
    const nonce = newNonce();
    c.set("nonce", nonce);
    await next();
    const h = c.res.headers;
    if (!h.has("Content-Security-Policy")) {
      h.set(
        "Content-Security-Policy",
        [
          "default-src 'self'",
          `script-src 'nonce-${nonce}' 'strict-dynamic'`,
          "style-src 'self'",
          "img-src 'self' data:",
          "object-src 'none'",
          "base-uri 'none'",
          `form-action ${formAction}`,
          "frame-ancestors 'none'",
        ].join("; "),
      );
    }
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "strict-origin-when-cross-origin");
    h.set("X-Frame-Options", "DENY");
    if (https) {
      h.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
    }
  };
}
