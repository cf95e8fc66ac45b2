/**
 * Account entries written with a lifetime and no `expiresAt` in their
 * value: an import gives them that lifetime again (lib/db/backup.ts).
 * Sessions, tokens and trusted browsers carry their `expiresAt` and need
 * no rule.
 */
import type { TtlRule } from "../db/backup.ts";
import { keys } from "../db/keys.ts";
import { FAILURE_MEMORY_MS } from "./login_guard.ts";
import { LIMITS } from "./rate_limit.ts";
import { SESSION_MAX_MS } from "./sessions.ts";

/** A window's count is kept for two windows (rate_limit.ts): the longest, twice. */
const RATE_LIMIT_KEEP_MS = 2 *
  Math.max(...Object.values(LIMITS).map((l) => l.windowMs));

export const accountTtls: TtlRule[] = [
  { prefix: keys.sessionsByUserRoot(), ttlMs: SESSION_MAX_MS },
  { prefix: keys.sessionsAddedRoot(), ttlMs: SESSION_MAX_MS },
  { prefix: keys.loginFailuresRoot(), ttlMs: FAILURE_MEMORY_MS },
  { prefix: keys.rateLimitsRoot(), ttlMs: RATE_LIMIT_KEEP_MS },
];
