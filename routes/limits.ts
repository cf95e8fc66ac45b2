import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../lib/errors.ts";
import type { AppEnv } from "./env.ts";

/** Every account and booking form fits in this many bytes with room to spare. */
export const FORM_BODY_LIMIT = 16 * 1024;

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
 * A request body limit on every route, enforced before anything parses the
 * body (hono/body-limit reads at most `maxBytes` of a chunked body and
 * trusts no more than Content-Length says). `routes` sizes particular paths
 * differently (uploads, webhooks); a `:name` segment in a path matches any
 * one segment ("/host/kitchens/:id/photos"). Everything else gets the form
 * limit.
 * Too large → 413, as a page or as JSON under /api (the app's onError).
 */
export function bodyLimits(
  routes: Record<string, number> = {},
  fallback = FORM_BODY_LIMIT,
): MiddlewareHandler<AppEnv> {
  const make = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new PayloadTooLargeError(maxSize);
      },
    });
  const byPath = new Map<string, MiddlewareHandler>();
  const byPattern: [RegExp, MiddlewareHandler][] = [];
  for (const [path, size] of Object.entries(routes)) {
    if (path.includes("/:")) byPattern.push([pathPattern(path), make(size)]);
    else byPath.set(path, make(size));
  }
  const standard = make(fallback);
  return (c, next) => {
    const path = c.req.path;
    const limit = byPath.get(path) ??
      byPattern.find(([pattern]) => pattern.test(path))?.[1] ?? standard;
    return limit(c, next);
  };
}

/** "/a/:id/b" matches "/a/x/b" but not "/a/b" or "/a/x/y/b". */
function pathPattern(path: string): RegExp {
  const segments = path.split("/").map((s) =>
    s.startsWith(":") ? "[^/]+" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  );
  return new RegExp(`^${segments.join("/")}$`);
}
