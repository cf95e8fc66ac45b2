/**
 * Typed failures thrown anywhere below the routes; one `onError` maps them to
 * an HTML page or, under /api, to JSON.
 */
export class AppError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 413 | 429 | 503,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends AppError {
  constructor(message = "We could not find that page.") {
    super(404, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = "You do not have access to this page.") {
    super(403, message);
  }
}

/** Where the person can go about a failure: a same-site path and its words. */
export interface ErrorLink {
  href: `/${string}`;
  label: string;
}

export class ConflictError extends AppError {
  constructor(message: string, readonly link?: ErrorLink) {
    super(409, message);
  }
}

/**
 * A service we depend on is down; nothing was left half-done, and trying
 * again after `retryAfterSeconds` (sent as Retry-After) may work.
 */
export class UnavailableError extends AppError {
  constructor(message: string, readonly retryAfterSeconds = 60) {
    super(503, message);
  }
}

/** Bad input: `issues` maps field paths ("address.city") to messages shown next to the field. */
export class ValidationError extends AppError {
  constructor(
    readonly issues: Record<string, string>,
    message = "Please check the highlighted fields.",
  ) {
    super(400, message);
  }
}

/** Too many attempts: try again after `retryAfterSeconds`. */
export class TooManyAttemptsError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    super(
      429,
      retryAfterSeconds < 60
        ? `Too many attempts. Please try again in ${
          plural(Math.max(1, Math.ceil(retryAfterSeconds)), "second")
        }.`
        : `Too many attempts. Please try again in ${
          plural(minutes, "minute")
        }.`,
    );
  }
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}
