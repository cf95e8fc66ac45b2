/** Changing the password while signed in, and the email that tells the owner a password changed. */
import { addEmail } from "../email/job.ts";
import { passwordChangedEmail } from "../email/templates.ts";
import { ConflictError } from "../errors.ts";
import {
  type AccountDeps,
  changeUser,
  requirePassword,
} from "./account_change.ts";
import { hashPassword } from "./password.ts";
import { getUser } from "./repo.ts";
import type { User } from "./schema.ts";

/** After a new password the owner is told by email (its callers end the other sessions). */
export function addPasswordChanged(
  atomic: Deno.AtomicOperation,
  deps: AccountDeps,
  user: User,
): void {
  addEmail(
    atomic,
    deps.mail,
    user.email,
    passwordChangedEmail({
      name: user.name,
      resetUrl: `${deps.mail.baseUrl}/forgot-password`,
    }),
    deps.now,
  );
}

/** Changes the password given the current one; other sessions end, this one stays. */
export async function changePassword(
  deps: AccountDeps,
  userId: string,
  currentSessionHash: string,
  currentPassword: string,
  password: string,
): Promise<User> {
  const current = await getUser(deps.kv, userId);
  if (!current) throw new ConflictError("This account no longer exists.");
  // The old password is checked before the new one is hashed: a wrong guess
  // costs one PBKDF2, not two.
  await requirePassword(deps, current, currentPassword, "currentPassword");
  const hash = await hashPassword(password);
  return await changeUser(
    deps,
    userId,
    (u) => {
      if (u.passwordHash !== current.passwordHash) {
        throw new ConflictError(
          "Your password changed meanwhile; please try again.",
        );
      }
      return { ...u, passwordHash: hash };
    },
    {
      extra: (atomic, _before, after) =>
        addPasswordChanged(atomic, deps, after),
      endSessions: { keep: currentSessionHash },
    },
  );
}
