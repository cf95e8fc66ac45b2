/**
 * Single-use links sent by email (confirming an address, resetting a
 * password): a random token in the link, stored only as its hash with the
 * account and address it is for, and gone once used or expired.
 */
import { keys } from "../db/keys.ts";
import { addEmail } from "../email/job.ts";
import { verificationEmail } from "../email/templates.ts";
import { ValidationError } from "../errors.ts";
import type { AccountDeps } from "./account_change.ts";
import { getUserEntry } from "./repo.ts";
import type { TokenKind, TokenRecord, User } from "./schema.ts";
import { hashSecret, newSecret } from "./tokens.ts";

export const VERIFY_TTL_MS = 24 * 3600_000;
export const RESET_TTL_MS = 3600_000;

/** Adds a new token to an atomic; returns it for the link. */
export async function addToken(
  atomic: Deno.AtomicOperation,
  kind: TokenKind,
  user: Pick<User, "id">,
  email: string,
  ttlMs: number,
  now: number,
  next?: string,
): Promise<string> {
  const token = newSecret();
  const record: TokenRecord = {
    kind,
    userId: user.id,
    email,
    expiresAt: now + ttlMs,
    ...(next ? { next } : {}),
  };
  atomic.set(keys.token(await hashSecret(token)), record, { expireIn: ttlMs });
  return token;
}

/**
 * Adds a confirmation link for `email` and the email carrying it to an
 * atomic; the link leads to `next` (a path this site signed) once used.
 */
export async function addVerification(
  atomic: Deno.AtomicOperation,
  deps: AccountDeps,
  user: Pick<User, "id" | "name">,
  email: string,
  next?: string,
): Promise<void> {
  const token = await addToken(
    atomic,
    "verify_email",
    user,
    email,
    VERIFY_TTL_MS,
    deps.now,
    next,
  );
  addEmail(
    atomic,
    deps.mail,
    email,
    verificationEmail({
      name: user.name,
      url: `${deps.mail.baseUrl}/verify-email?token=${token}`,
      hours: VERIFY_TTL_MS / 3600_000,
    }),
    deps.now,
  );
}

/** The refusal of a link that is unknown, expired or used. */
export const badLink = (what: string) =>
  new ValidationError(
    { token: `This ${what} link has expired or was already used.` },
    `This ${what} link has expired or was already used.`,
  );

/** A live token of this kind and its account, as entries to check; null when either is gone. */
export async function readToken(
  kv: Deno.Kv,
  token: string,
  kind: TokenKind,
  now: number,
): Promise<
  { entry: Deno.KvEntry<TokenRecord>; user: Deno.KvEntry<User> } | null
> {
  const entry = await kv.get<TokenRecord>(keys.token(await hashSecret(token)));
  // expireIn only sets the earliest deletion, so expiry is checked here.
  if (
    !entry.value || entry.value.kind !== kind || entry.value.expiresAt <= now
  ) {
    return null;
  }
  const user = await getUserEntry(kv, entry.value.userId);
  if (!user.value) return null;
  return {
    entry: entry as Deno.KvEntry<TokenRecord>,
    user: user as Deno.KvEntry<User>,
  };
}
