/**
 * What the account flows (signup.ts, login.ts, profile.ts…) share: their
 * deps, the read–change–write loop on one account, and the password check
 * before a sensitive change. Each change and the emails it causes are one
 * atomic (DESIGN §5, §6).
 */
import { addEmail, type MailSettings } from "../email/job.ts";
import { loginAttemptsEmail } from "../email/templates.ts";
import {
  ConflictError,
  TooManyAttemptsError,
  ValidationError,
} from "../errors.ts";
import { readFailures, recordFailure, waitFor } from "./login_guard.ts";
import { verifyPassword } from "./password.ts";
import { addUserUpdate, commitAccountChange, getUserEntry } from "./repo.ts";
import type { Role, User } from "./schema.ts";
import { addEndSessions } from "./sessions.ts";

/** What account changes need besides their input: `at(services)` (lib/app.ts) gives it. */
export interface AccountDeps {
  kv: Deno.Kv;
  now: number;
  /** Sender, site origin for links, and whether KV queues can wake the mailer. */
  mail: MailSettings;
  /** Normalised ADMIN_EMAILS. */
  adminEmails: readonly string[];
  /** Whether demo accounts may log in (config DEV_FEATURES). */
  devFeatures: boolean;
}

/** The roles with "admin" added for an address listed in ADMIN_EMAILS. */
export function withAdminRole(
  roles: Role[],
  email: string,
  deps: Pick<AccountDeps, "adminEmails">,
): Role[] {
  return deps.adminEmails.includes(email) && !roles.includes("admin")
    ? [...roles, "admin"]
    : roles;
}

/** The owner's notice that someone keeps getting their password wrong, with a reset link. */
export function addLoginAttemptsEmail(
  atomic: Deno.AtomicOperation,
  deps: Pick<AccountDeps, "mail" | "now">,
  user: Pick<User, "email" | "name">,
): void {
  addEmail(
    atomic,
    deps.mail,
    user.email,
    loginAttemptsEmail({
      name: user.name,
      resetUrl: `${deps.mail.baseUrl}/forgot-password`,
    }),
    deps.now,
  );
}

/**
 * Checks the current password of a signed-in user under the same guard as
 * logging in, so a stolen session cannot guess it at full speed.
 */
export async function requirePassword(
  deps: AccountDeps,
  user: User,
  password: string,
  field: string,
): Promise<void> {
  const wait = waitFor(
    (await readFailures(deps.kv, user.email)).value,
    deps.now,
  );
  if (wait > 0) throw new TooManyAttemptsError(Math.ceil(wait / 1000));
  if (!(await verifyPassword(password, user.passwordHash))) {
    await recordFailure(
      deps.kv,
      user.email,
      deps.now,
      (atomic) => addLoginAttemptsEmail(atomic, deps, user),
    );
    throw new ValidationError({ [field]: "That password is not right." });
  }
}

export interface UserChangeOptions {
  /** Adds the rest of the same atomic (an email, an audit entry…). */
  extra?: (
    atomic: Deno.AtomicOperation,
    before: User,
    after: User,
  ) => Promise<void> | void;
  /** Ends every session of the account but `keep` in the same atomic. */
  endSessions?: { keep?: string };
  /** The change may rename the account's public host profile. */
  hostProfile?: boolean;
}

/**
 * Reads the account, applies `change`, and writes it back checked against
 * what was read, retrying from a fresh read when it changed meanwhile.
 */
export async function changeUser(
  deps: Pick<AccountDeps, "kv" | "now">,
  userId: string,
  change: (u: User) => Promise<User> | User,
  opts: UserChangeOptions = {},
): Promise<User> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const entry = await getUserEntry(deps.kv, userId);
    if (!entry.value) throw new ConflictError("This account no longer exists.");
    const read = entry as Deno.KvEntry<User>;
    const after = {
      ...(await change(read.value)),
      updatedAt: new Date(deps.now).toISOString(),
    };
    const atomic = deps.kv.atomic();
    addUserUpdate(atomic, read, after);
    await opts.extra?.(atomic, read.value, after);
    const endedSessions = opts.endSessions
      ? await addEndSessions(atomic, deps.kv, userId, opts.endSessions.keep)
      : [];
    const hostProfile = opts.hostProfile;
    if (
      await commitAccountChange(deps.kv, atomic, {
        userId,
        endedSessions,
        hostProfile,
      })
    ) return after;
  }
  throw new ConflictError("Your account changed meanwhile; please try again.");
}

/**
 * Changes an account on a staff member's decision (a suspension): `change`
 * sees the record as read, and `extra` adds the audit entry to the same
 * atomic, checked against what was read; `endSessions` ends every session.
 */
export function changeUserAsStaff(
  kv: Deno.Kv,
  userId: string,
  change: (u: User) => User,
  now: number,
  extra: (
    atomic: Deno.AtomicOperation,
    before: User,
    after: User,
  ) => Promise<void> | void,
  opts: { endSessions?: boolean } = {},
): Promise<User> {
  const endSessions = opts.endSessions ? {} : undefined;
  return changeUser({ kv, now }, userId, change, { extra, endSessions });
}
