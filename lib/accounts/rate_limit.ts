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
  /** Each request sends an email to an address of the requester's choosing. */
  emailChangeByAccount: {
    bucket: "email-change:account",
    max: 5,
    windowMs: 3600_000,
  },
} satisfies Record<string, Limit>;

export type Hit = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Counts one attempt in a fixed window, atomically: the increment checks the
 * version it read, so concurrent attempts cannot slip past the maximum.
 */
export async function hitLimit(
  kv: Deno.Kv,
  limit: Limit,
  subject: string,
  now: number,
): Promise<Hit> {
  const window = Math.floor(now / limit.windowMs);
  const key = keys.rateLimit(limit.bucket, subject, window);
  const retryAfterSeconds = Math.ceil(
    ((window + 1) * limit.windowMs - now) / 1000,
  );
  for (let attempt = 0; attempt < 20; attempt++) {
    const entry = await kv.get<number>(key);
    const count = entry.value ?? 0;
    if (count >= limit.max) return { ok: false, retryAfterSeconds };
    const res = await kv.atomic().check(entry).set(key, count + 1, {
      expireIn: limit.windowMs * 2,
    }).commit();
    if (res.ok) return { ok: true };
  }
  // Heavy contention on one counter is itself a sign of abuse.
  return { ok: false, retryAfterSeconds };
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
