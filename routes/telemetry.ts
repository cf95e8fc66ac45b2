/**
 * The request's part in telemetry (lib/telemetry.ts): the runtime's server
 * span is renamed to the route pattern the request matched (`GET
 * /kitchens/:id`, never the URL with its ids), and the request's duration is
 * recorded under that pattern. Installed only when telemetry is on.
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { observing, recordRequest, requestSpan } from "../lib/telemetry.ts";
import type { AppEnv } from "./env.ts";

/** "/bookings/:id{[0-9A-HJKMNP-TV-Z]{26}}/pay" → "/bookings/:id/pay" (pure). */
export function routePattern(path: string): string {
  let out = "";
  let depth = 0;
  for (const ch of path) {
    if (ch === "{") depth++;
    else if (ch === "}") depth--;
    else if (depth === 0) out += ch;
  }
  return out;
}

/**
 * The pattern of the handler a request was routed to: the last matched
 * route registered for a method (middleware is registered for all of
 * them), or null when only middleware matched (a 404).
 */
export function routeOf(c: Context): string | null {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    if (routes[i].method !== "ALL") return routePattern(routes[i].path);
  }
  return null;
}

/** The middleware, or null when no telemetry is exported (nothing to install). */
export function requestTelemetry(): MiddlewareHandler<AppEnv> | null {
  if (!observing) return null;
  return async (c, next) => {
    const started = performance.now();
    const span = requestSpan();
    try {
      await next();
    } finally {
      recordRequest(
        span,
        c.req.method,
        routeOf(c),
        c.res.status,
        (performance.now() - started) / 1000,
      );
    }
  };
}
