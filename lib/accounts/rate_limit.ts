import { keys } from "../db/keys.ts";

export interface Limit {
  bucket: string;
  max: number;
  windowMs: number;
}

/** Limits for the account forms (DESIGN §8), per account and per client address. */
export const LIMITS = {
  loginByAddress: { bucket: "login:address", max: 50, windowMs: 15 * 60_000 },
  signupByAddress: { bucket: "signup:address", max: 10, windowMs: 3600_000 },
  resendByAccount: { bucket: "resend:account", max: 3, windowMs: 3600_000 },
  resetByAccount: { bucket: "reset:account", max: 3, windowMs: 3600_000 },
  resetByAddress: { bucket: "reset:address", max: 20, windowMs: 3600_000 },
  /**
   * "Someone tried to sign up with your address", per recipient: anyone can
   * trigger it from anywhere, so the owner hears of it once a day at most.
   */
  signupNoticeByRecipient: {
    bucket: "signup-notice:recipient",
    max: 1,
    windowMs: 24 * 3600_000,
  },
  /**
   * "Someone tried to use your address on another Prep account", per
   * recipient: any number of accounts can ask to move to one address, so
   * its owner hears of it once a day at most.
   */
  emailInUseNoticeByRecipient: {
    bucket: "email-in-use-notice:recipient",
    max: 1,
    windowMs: 24 * 3600_000,
  },
  /** Each request sends an email to an address of the requester's choosing. */
  emailChangeByAccount: {
    bucket: "email-change:account",
    max: 5,
    windowMs: 3600_000,
  },
} satisfies Record<string, Limit>;

export type Hit = { ok: true } | { ok: false; retryAfterSeconds: number };

function windowOf(limit: Limit, now: number) {
  const window = Math.floor(now / limit.windowMs);
  const retryAfterSeconds = Math.ceil(
    ((window + 1) * limit.windowMs - now) / 1000,
  );
  return { window, retryAfterSeconds };
}

/**
 * Adds one attempt to an atomic that does the limited thing (sends the
 * email, say), checked against the count read: the thing happens only if
 * its count does, so concurrent attempts cannot slip past the maximum.
 * Refused, nothing is added.
 */
export async function addLimitHit(
  atomic: Deno.AtomicOperation,
  kv: Deno.Kv,
  limit: Limit,
  subject: string,
  now: number,
): Promise<Hit> {
  const { window, retryAfterSeconds } = windowOf(limit, now);
  const key = keys.rateLimit(limit.bucket, subject, window);
  const entry = await kv.get<number>(key);
  const count = entry.value ?? 0;
  if (count >= limit.max) return { ok: false, retryAfterSeconds };
  atomic.check(entry).set(key, count + 1, { expireIn: limit.windowMs * 2 });
  return { ok: true };
}

/** Counts one attempt in a fixed window, atomically (see `addLimitHit`). */
export async function hitLimit(
  kv: Deno.Kv,
  limit: Limit,
  subject: string,
  now: number,
): Promise<Hit> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const atomic = kv.atomic();
    const hit = await addLimitHit(atomic, kv, limit, subject, now);
    if (!hit.ok || (await atomic.commit()).ok) return hit;
  }
  // Heavy contention on one counter is itself a sign of abuse.
  return {
    ok: false,
    retryAfterSeconds: windowOf(limit, now).retryAfterSeconds,
  };
}

/** Hits every limit; the first refusal wins. */
export async function hitLimits(
  kv: Deno.Kv,
  hits: [Limit, string][],
  now: number,
): Promise<Hit> {
  for (const [limit, subject] of hits) {
    const h = await hitLimit(kv, limit, subject, now);
    if (!h.ok) return h;
  }
  return { ok: true };
}
