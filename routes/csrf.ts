import type { MiddlewareHandler } from "hono";
import { ForbiddenError } from "../lib/errors.ts";
import type { AppEnv } from "./env.ts";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses state-changing requests that a browser says came from another site
 * (DESIGN §8). Browsers send Sec-Fetch-Site, or at least Origin, on every POST;
 * a request with neither did not come from a browser, so no cookie was
 * smuggled along. Signed webhooks are exempt.
 */
export function csrf(exempt: string[] = []): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (SAFE.has(c.req.method) || exempt.includes(c.req.path)) {
      return await next();
    }
    const site = c.req.header("sec-fetch-site");
    const origin = c.req.header("origin");
    const allowed = site
      ? site === "same-origin" || site === "none"
      : origin === undefined ||
        origin === new URL(c.get("services").config.BASE_URL).origin ||
        origin === new URL(c.req.url).origin;
    if (!allowed) {
      throw new ForbiddenError(
        "This form was sent from another site, so we did not act on it.",
      );
    }
    await next();
  };
}
