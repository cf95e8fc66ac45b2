/**
 * Brute-force protection that cannot be turned into a lockout.
 *
 * A hard stop after N wrong passwords lets anyone lock anyone out. Instead:
 * - the first FREE_FAILURES wrong passwords for an address cost nothing;
 * - after that, each attempt must wait an exponentially growing delay since
 *   the last failure (1 s, 2 s, 4 s … capped at 15 minutes), which keeps
 *   guessing to a handful of tries an hour;
 * - a browser that has logged in to the account before (a trusted-device
 *   cookie) skips the delay, so the owner is never locked out by others;
 * - the owner gets one email a day when the delays start, with a reset link;
 * - a correct password from elsewhere, or a password reset, clears the count.
 * Failures are keyed by the normalised email, known or not, so the answers
 * for unknown addresses look the same. The per-address (IP) limit in
 * rate_limit.ts still applies on top.
 */
import { keys } from "../db/keys.ts";
import { hashSecret, newSecret } from "./tokens.ts";

export const FREE_FAILURES = 5;
const BASE_DELAY_MS = 1000;
export const MAX_DELAY_MS = 15 * 60_000;
/** Failures older than this are forgotten. */
export const FAILURE_MEMORY_MS = 24 * 3600_000;
/** How long a browser stays trusted after a successful login. */
export const TRUSTED_DEVICE_MS = 180 * 24 * 3600_000;

export interface FailureRecord {
  count: number;
  lastAt: number;
  /** When the owner was last told of failed attempts. */
  noticeAt: number | null;
}

/** How long after the last failure the next attempt must wait (pure). */
export function delayAfter(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  const exponent = Math.min(failures - FREE_FAILURES, 20);
  return Math.min(BASE_DELAY_MS * 2 ** exponent, MAX_DELAY_MS);
}

/** Milliseconds until an attempt is allowed, 0 if now (pure). */
export function waitFor(record: FailureRecord | null, now: number): number {
  if (!record || now - record.lastAt >= FAILURE_MEMORY_MS) return 0;
  return Math.max(0, record.lastAt + delayAfter(record.count) - now);
}

/** Whether this failure should email the owner (pure): once a day, when delays start. */
export function shouldNotify(record: FailureRecord, now: number): boolean {
  return record.count >= FREE_FAILURES &&
    (record.noticeAt === null || now - record.noticeAt >= FAILURE_MEMORY_MS);
}

export type GuardEntry = Deno.KvEntryMaybe<FailureRecord>;

export async function readFailures(
  kv: Deno.Kv,
  email: string,
): Promise<GuardEntry> {
  return await kv.get<FailureRecord>(keys.loginFailures(email));
}

/** The record after one more failure (pure), with whether it notifies. */
export function nextFailure(
  current: FailureRecord | null,
  now: number,
): { record: FailureRecord; notify: boolean } {
  const fresh = !current || now - current.lastAt >= FAILURE_MEMORY_MS;
  const record: FailureRecord = {
    count: fresh ? 1 : current.count + 1,
    lastAt: now,
    noticeAt: current?.noticeAt ?? null,
  };
  const notify = shouldNotify(record, now);
  if (notify) record.noticeAt = now;
  return { record, notify };
}

/**
 * Counts one failure for `email`, checked against the version read so
 * concurrent guesses all count; `onNotify` adds the owner's notice email to
 * the same atomic.
 */
export async function recordFailure(
  kv: Deno.Kv,
  email: string,
  now: number,
  onNotify?: (atomic: Deno.AtomicOperation) => void,
): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const entry = await readFailures(kv, email);
    const { record, notify } = nextFailure(entry.value, now);
    const atomic = kv.atomic().check(entry).set(
      keys.loginFailures(email),
      record,
      { expireIn: FAILURE_MEMORY_MS },
    );
    if (notify) onNotify?.(atomic);
    if ((await atomic.commit()).ok) return;
  }
}

/** Adds the clearing of an address's failures to an atomic (a login or a reset). */
export function addClearFailures(
  atomic: Deno.AtomicOperation,
  email: string,
): void {
  atomic.delete(keys.loginFailures(email));
}

/** Whether the browser's trusted-device secret belongs to this account. */
export async function isTrustedDevice(
  kv: Deno.Kv,
  userId: string,
  secret: string | undefined,
  now: number,
): Promise<boolean> {
  if (!secret || secret.length > 100) return false;
  const entry = await kv.get<{ expiresAt: number }>(
    keys.trustedDevice(userId, await hashSecret(secret)),
  );
  return entry.value !== null && entry.value.expiresAt > now;
}

/** Adds a new trusted device for the account to an atomic; returns the cookie's secret. */
export async function addTrustedDevice(
  atomic: Deno.AtomicOperation,
  userId: string,
  now: number,
): Promise<string> {
  const secret = newSecret();
  atomic.set(
    keys.trustedDevice(userId, await hashSecret(secret)),
    { expiresAt: now + TRUSTED_DEVICE_MS },
    { expireIn: TRUSTED_DEVICE_MS },
  );
  return secret;
}

/** Adds forgetting every trusted browser of an account to an atomic (deleting it). */
export async function addRemoveTrustedDevices(
  atomic: Deno.AtomicOperation,
  kv: Deno.Kv,
  userId: string,
): Promise<void> {
  for await (
    const device of kv.list({ prefix: keys.trustedDevicesPrefix(userId) })
  ) atomic.delete(device.key);
}
