/**
 * Confirming an email address by link: the address given at sign-up (the
 * first confirmation also logs in), or a new one the account asked to
 * change to (profile.ts), which then replaces the old.
 */
import { addEmail } from "../email/job.ts";
import { emailChangedEmail } from "../email/templates.ts";
import { ValidationError } from "../errors.ts";
import type { AccountDeps } from "./account_change.ts";
import { addVerification, badLink, readToken } from "./email_links.ts";
import { addUserUpdate, commitAccountChange } from "./repo.ts";
import type { SessionUser, User } from "./schema.ts";
import { addSession, type NewSession } from "./sessions.ts";

/** Sends a fresh confirmation link to an unconfirmed account. */
export async function resendVerification(
  deps: AccountDeps,
  user: SessionUser,
): Promise<void> {
  if (user.emailVerifiedAt) return;
  const atomic = deps.kv.atomic();
  await addVerification(atomic, deps, user, user.email);
  await atomic.commit();
}

/**
 * Confirms the address a link was sent to: the account's own, or a new one
 * it asked to change to (which then replaces the old, and the old address is
 * told). Single use.
 */
export async function confirmEmail(
  deps: AccountDeps,
  token: string,
  opts: { startSession?: boolean } = {},
): Promise<{ user: User; session: NewSession | null; next: string | null }> {
  const found = await readToken(deps.kv, token, "verify_email", deps.now);
  if (!found) throw badLink("confirmation");
  const { entry, user } = found;
  const before = user.value;
  const at = new Date(deps.now).toISOString();
  const after: User = {
    ...before,
    email: entry.value.email,
    emailVerifiedAt: at,
    updatedAt: at,
  };
  const atomic = deps.kv.atomic().check(entry).delete(entry.key);
  addUserUpdate(atomic, user, after);
  if (after.email !== before.email) {
    addEmail(
      atomic,
      deps.mail,
      before.email,
      emailChangedEmail({
        name: before.name,
        oldEmail: before.email,
        newEmail: after.email,
        resetUrl: `${deps.mail.baseUrl}/forgot-password`,
      }),
      deps.now,
    );
  }
  // Sign-up no longer logs in (it must not reveal who has an account), so
  // the first confirmation does: the link proves the inbox, as a reset does.
  const firstConfirmation = before.emailVerifiedAt === null &&
    after.email === before.email;
  const session = opts.startSession && firstConfirmation && !before.suspension
    ? await addSession(atomic, deps.kv, before.id, deps.now)
    : null;
  const change = { userId: before.id, endedSessions: session?.ended };
  if (!(await commitAccountChange(deps.kv, atomic, change))) {
    throw new ValidationError(
      { token: "That address is now used by another account." },
      "This link can no longer be used.",
    );
  }
  return { user: after, session, next: entry.value.next ?? null };
}
