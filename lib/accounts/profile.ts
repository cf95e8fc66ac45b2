/**
 * A signed-in user's own details: name, phone and business name (which a
 * host's public profile shows), and asking to change the email address
 * (completed by email_verification.ts when the new address confirms).
 */
import { addEmail } from "../email/job.ts";
import { emailInUseEmail } from "../email/templates.ts";
import {
  ConflictError,
  TooManyAttemptsError,
  ValidationError,
} from "../errors.ts";
import { addHostRename } from "../hosts/repo.ts";
import {
  type AccountDeps,
  changeUser,
  requirePassword,
} from "./account_change.ts";
import { addVerification } from "./email_links.ts";
import { addLimitHit, hitLimit, LIMITS } from "./rate_limit.ts";
import { getEmailOwnerEntry, getUser } from "./repo.ts";
import type { User } from "./schema.ts";

export interface ProfileInput {
  name: string;
  phone: string | null;
  businessName: string | null;
}

export async function updateProfile(
  deps: AccountDeps,
  userId: string,
  input: ProfileInput,
): Promise<User> {
  return await changeUser(deps, userId, (u) => ({ ...u, ...input }), {
    extra: async (atomic, _before, after) => {
      if (!after.roles.includes("host")) return;
      await addHostRename(
        atomic,
        deps.kv,
        userId,
        after.businessName ?? after.name,
      );
    },
    hostProfile: true,
  });
}

/**
 * Sends a confirmation link to the new address; the change happens when it
 * is used. Limited per account, since each request mails an address of the
 * requester's choosing. An address that has an account gets a notice
 * instead (once a day at most, whoever asks), and the requester is answered
 * the same, so the form does not reveal who has an account.
 */
export async function requestEmailChange(
  deps: AccountDeps,
  userId: string,
  newEmail: string,
  currentPassword: string,
): Promise<void> {
  const user = await getUser(deps.kv, userId);
  if (!user) throw new ConflictError("This account no longer exists.");
  await requirePassword(deps, user, currentPassword, "currentPassword");
  if (newEmail === user.email) {
    throw new ValidationError({ email: "That is already your email address." });
  }
  const hit = await hitLimit(
    deps.kv,
    LIMITS.emailChangeByAccount,
    userId,
    deps.now,
  );
  if (!hit.ok) throw new TooManyAttemptsError(hit.retryAfterSeconds);
  const taken = await getEmailOwnerEntry(deps.kv, newEmail);
  const atomic = deps.kv.atomic().check(taken);
  if (!taken.value) {
    await addVerification(atomic, deps, user, newEmail);
  } else {
    const limit = LIMITS.emailInUseNoticeByRecipient;
    const hit = await addLimitHit(atomic, deps.kv, limit, newEmail, deps.now);
    if (!hit.ok) return;
    const resetUrl = `${deps.mail.baseUrl}/forgot-password`;
    addEmail(
      atomic,
      deps.mail,
      newEmail,
      emailInUseEmail({ resetUrl }),
      deps.now,
    );
  }
  await atomic.commit();
}
