/**
 * Resetting a forgotten password by emailed link: the request is a job
 * whatever the address, the job mails the link to an account, and using the
 * link sets the new password and ends every session.
 */
import { addEmail } from "../email/job.ts";
import { passwordResetEmail } from "../email/templates.ts";
import { RESET_REQUEST_JOB } from "../job_names.ts";
import { enqueueJob } from "../jobs/outbox.ts";
import type { AccountDeps } from "./account_change.ts";
import { addToken, badLink, readToken, RESET_TTL_MS } from "./email_links.ts";
import { addClearFailures } from "./login_guard.ts";
import { hashPassword } from "./password.ts";
import { addPasswordChanged } from "./password_change.ts";
import { addUserUpdate, commitAccountChange, getUserByEmail } from "./repo.ts";
import type { User } from "./schema.ts";
import { addEndSessions } from "./sessions.ts";
import { addJobEffect } from "../jobs/outbox.ts";

/**
 * Records a reset request as a job, whatever the address, so the answer and
 * its timing are the same for known and unknown emails. The job sends the
 * link, and only to an account.
 */
export async function requestPasswordReset(
  deps: AccountDeps,
  email: string,
): Promise<void> {
  await enqueueJob(deps.kv, {
    type: RESET_REQUEST_JOB,
    payload: { email },
  }, { now: deps.now, wake: deps.mail.wake });
}

/**
 * The reset request job: a single-use token and the email carrying it, in
 * one atomic that happens once per job even when the job is retried.
 */
export async function sendPasswordReset(
  deps: AccountDeps,
  email: string,
  jobId: string,
): Promise<void> {
  const user = await getUserByEmail(deps.kv, email);
  if (!user) return;
  const atomic = deps.kv.atomic();
  addJobEffect(atomic, jobId, 7 * 24 * 3600_000);
  const token = await addToken(
    atomic,
    "reset_password",
    user,
    user.email,
    RESET_TTL_MS,
    deps.now,
  );
  addEmail(
    atomic,
    deps.mail,
    user.email,
    passwordResetEmail({
      name: user.name,
      url: `${deps.mail.baseUrl}/reset-password?token=${token}`,
      minutes: RESET_TTL_MS / 60_000,
    }),
    deps.now,
  );
  // A failed check means an earlier attempt already sent it.
  await atomic.commit();
}

/** Whether a reset link can still be used (for showing its form). */
export async function resetLinkIsValid(
  deps: AccountDeps,
  token: string,
): Promise<boolean> {
  return (await readToken(deps.kv, token, "reset_password", deps.now)) !== null;
}

/** Sets a new password from a reset link, ends every session, and says so by email. */
export async function resetPassword(
  deps: AccountDeps,
  token: string,
  password: string,
): Promise<User> {
  const at = new Date(deps.now).toISOString();
  let passwordHash: string | undefined;
  // Tried again when a login added a session meanwhile.
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await readToken(deps.kv, token, "reset_password", deps.now);
    if (!found) throw badLink("reset");
    const { entry, user } = found;
    passwordHash ??= await hashPassword(password);
    const after: User = {
      ...user.value,
      passwordHash,
      // The link reached the inbox, which proves the address too.
      emailVerifiedAt: user.value.emailVerifiedAt ?? at,
      updatedAt: at,
    };
    const atomic = deps.kv.atomic().check(entry).delete(entry.key);
    addUserUpdate(atomic, user, after);
    addClearFailures(atomic, after.email);
    const endedSessions = await addEndSessions(atomic, deps.kv, after.id);
    addPasswordChanged(atomic, deps, after);
    const change = { userId: after.id, endedSessions };
    if (await commitAccountChange(deps.kv, atomic, change)) return after;
  }
  throw badLink("reset");
}
