/**
 * Request body limits (DESIGN §8), enforced before anything parses a body:
 * hono/body-limit reads at most the limit of a chunked body and trusts no
 * more than Content-Length says. Too large → 413, as a page or as JSON
 * under /api (the app's onError).
 *
 * Every route gets the form limit (`defaultBodyLimit`, applied to the whole
 * app), unless the route or its sub-app carries its own `bodyLimit(…)`
 * beside its handlers: uploads and the Stripe webhook do.
 */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit as honoBodyLimit } from "hono/body-limit";
import { matchedRoutes } from "hono/route";
import { AppError } from "../lib/errors.ts";
import type { AppEnv } from "./env.ts";
import { wantsJson } from "./forms.ts";

/** Every account and booking form fits in this many bytes with room to spare. */
export const FORM_BODY_LIMIT = 16 * 1024;

/**
 * The body limit of a form whose free text runs to `chars` characters in
 * all, at its worst: a character may take 4 UTF-8 bytes, each sent as
 * "%XX", and the rest of the form fits in 4 KB.
 */
export function textFormLimit(chars: number): number {
  return chars * 12 + 4 * 1024;
}

export class PayloadTooLargeError extends AppError {
  constructor(readonly maxBytes: number) {
    super(
      413,
      `That request is too large. The most this page accepts is ${
        maxBytes >= 1024 * 1024
          ? `${Math.round(maxBytes / (1024 * 1024) * 10) / 10} MB`
          : `${Math.round(maxBytes / 1024)} KB`
      }.`,
    );
  }
}

/**
 * Goes before a form's body limit: a body over it gets the form's page
 * again, with `render`'s message beside it, rather than the bare 413 page
 * that would leave its user nowhere. What was sent is not read, so it
 * cannot be shown again; the page says what the limit is. JSON callers
 * (an island posting the form) keep the 413 and its JSON.
 */
export function tooLargeAsForm(
  render: (
    c: Context<AppEnv>,
    error: PayloadTooLargeError,
  ) => Response | Promise<Response>,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (c.error instanceof PayloadTooLargeError && !wantsJson(c)) {
      c.res = await render(c, c.error);
    }
  };
}

/** The limits routes set for themselves, so the default can step aside. */
const ownLimits = new WeakSet<object>();

function limitOf(maxBytes: number): MiddlewareHandler<AppEnv> {
  return honoBodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new PayloadTooLargeError(maxBytes);
    },
  });
}

/** A route's (or sub-app's) own body limit, in place of the form limit. */
export function bodyLimit(maxBytes: number): MiddlewareHandler<AppEnv> {
  const limit = limitOf(maxBytes);
  ownLimits.add(limit);
  return limit;
}

const formLimit = limitOf(FORM_BODY_LIMIT);

/**
 * The form limit, for every request whose route sets no limit of its own.
 * It has to decide before the route runs (a smaller limit applied first
 * would refuse an upload the route allows), so it looks at the handlers
 * the request matched. Sub-apps are mounted without their own onError,
 * which keeps the handlers Hono registers the ones the routes declared.
 */
export const defaultBodyLimit: MiddlewareHandler<AppEnv> = (c, next) => {
  if (!c.req.raw.body) return next();
  const own = matchedRoutes(c).some((r) => ownLimits.has(r.handler));
  return own ? next() : formLimit(c, next);
};
