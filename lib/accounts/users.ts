/**
 * Accounts: sign-up, login, email confirmation, password reset and account
 * changes. Each change and the emails it causes are one atomic (DESIGN §5, §6).
 */
import type { Config } from "../config.ts";
import { keys } from "../db/keys.ts";
import {
  emailChangedEmail,
  emailInUseEmail,
  loginAttemptsEmail,
  passwordChangedEmail,
  passwordResetEmail,
  signupAttemptEmail,
  verificationEmail,
} from "../email/templates.ts";
import { addEmail } from "../email/job.ts";
import {
  ConflictError,
  TooManyAttemptsError,
  ValidationError,
} from "../errors.ts";
import { newId } from "../ids.ts";
import { enqueueJob } from "../jobs/outbox.ts";
import { addAudit } from "../audit/repo.ts";
import { ADMIN_SCRIPT_ACTOR, type AuditActor } from "../audit/schema.ts";
import {
  addHostProfile,
  addHostRemoval,
  addHostRename,
  forgetHost,
} from "../hosts/repo.ts";
import { hostHasKitchens } from "../kitchens/repo.ts";
import { suspendedLoginMessage } from "./roles.ts";
import {
  addClearFailures,
  addTrustedDevice,
  isTrustedDevice,
  readFailures,
  recordFailure,
  waitFor,
} from "./login_guard.ts";
import { addLimitHit, hitLimit, LIMITS } from "./rate_limit.ts";
import {
  hashPassword,
  verifyAgainstDecoy,
  verifyPassword,
} from "./password.ts";
import type {
  Role,
  SessionUser,
  TokenKind,
  TokenRecord,
  User,
} from "./schema.ts";
import {
  addEndSessions,
  addSession,
  forgetSessionUser,
  type NewSession,
} from "./sessions.ts";
import { hashSecret, newSecret } from "./tokens.ts";
import { addUserIndex } from "./user_index.ts";
import { RESET_REQUEST_JOB } from "../job_names.ts";
import type { MailSettings } from "../email/job.ts";

export const VERIFY_TTL_MS = 24 * 3600_000;
export const RESET_TTL_MS = 3600_000;

/** What account changes need besides their input. */
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

/** AccountDeps from the configuration, at one instant. */
export function accountDepsFrom(
  config: Pick<
    Config,
    "EMAIL_FROM" | "BASE_URL" | "KV_QUEUES" | "ADMIN_EMAILS" | "DEV_FEATURES"
  >,
  kv: Deno.Kv,
  now: number,
): AccountDeps {
  return {
    kv,
    now,
    mail: {
      from: config.EMAIL_FROM,
      baseUrl: config.BASE_URL,
      wake: config.KV_QUEUES,
    },
    adminEmails: config.ADMIN_EMAILS,
    devFeatures: config.DEV_FEATURES,
  };
}

async function addToken(
  atomic: Deno.AtomicOperation,
  kind: TokenKind,
  user: Pick<User, "id">,
  email: string,
  ttlMs: number,
  now: number,
): Promise<string> {
  const token = newSecret();
  const record: TokenRecord = {
    kind,
    userId: user.id,
    email,
    expiresAt: now + ttlMs,
  };
  atomic.set(keys.token(await hashSecret(token)), record, { expireIn: ttlMs });
  return token;
}

async function addVerification(
  atomic: Deno.AtomicOperation,
  deps: AccountDeps,
  user: Pick<User, "id" | "name">,
  email: string,
): Promise<void> {
  const token = await addToken(
    atomic,
    "verify_email",
    user,
    email,
    VERIFY_TTL_MS,
    deps.now,
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

function withAdminRole(
  roles: Role[],
  email: string,
  deps: AccountDeps,
): Role[] {
  return deps.adminEmails.includes(email) && !roles.includes("admin")
    ? [...roles, "admin"]
    : roles;
}

/** After a new password the owner is told by email (its callers end the other sessions). */
function addPasswordChanged(
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

export interface SignupInput {
  name: string;
  email: string;
  password: string;
  intent: "rent" | "host";
}

/**
 * Creates the account and its confirmation email in one atomic. For an
 * address that already has an account, emails its owner instead, once a day
 * at most: the caller answers the same either way, so the form does not
 * reveal who has an account, and both paths hash a password so they take
 * the same time.
 */
export async function signUp(
  deps: AccountDeps,
  input: SignupInput,
): Promise<{ user: User } | { existing: true }> {
  const at = new Date(deps.now).toISOString();
  const roles: Role[] = input.intent === "host"
    ? ["renter", "host"]
    : ["renter"];
  const user: User = {
    v: 1,
    id: newId(),
    email: input.email,
    name: input.name,
    passwordHash: await hashPassword(input.password),
    roles: withAdminRole(roles, input.email, deps),
    emailVerifiedAt: null,
    phone: null,
    businessName: null,
    createdAt: at,
    updatedAt: at,
  };
  const atomic = deps.kv.atomic()
    .check({ key: keys.userByEmail(user.email), versionstamp: null })
    .check({ key: keys.user(user.id), versionstamp: null })
    .set(keys.user(user.id), user)
    .set(keys.userByEmail(user.email), user.id);
  addUserIndex(atomic, null, user);
  if (roles.includes("host")) addHostProfile(atomic, user, deps.now);
  await addVerification(atomic, deps, user, user.email);
  if ((await atomic.commit()).ok) return { user };
  const notice = deps.kv.atomic();
  const limit = LIMITS.signupNoticeByRecipient;
  if ((await addLimitHit(notice, deps.kv, limit, user.email, deps.now)).ok) {
    addEmail(
      notice,
      deps.mail,
      user.email,
      signupAttemptEmail({
        loginUrl: `${deps.mail.baseUrl}/login`,
        resetUrl: `${deps.mail.baseUrl}/forgot-password`,
      }),
      deps.now,
    );
    await notice.commit();
  }
  return { existing: true };
}

async function userByEmail(
  kv: Deno.Kv,
  email: string,
): Promise<Deno.KvEntryMaybe<User>> {
  const id = (await kv.get<string>(keys.userByEmail(email))).value;
  return id
    ? await kv.get<User>(keys.user(id))
    : { key: [], value: null, versionstamp: null };
}

export type LoginResult =
  | {
    ok: true;
    user: User;
    session: NewSession;
    /** A new trusted-device secret for the cookie, when this browser had none. */
    device: string | null;
  }
  | { ok: false; retryAfterSeconds: number | null; suspended?: string };

/**
 * A new session when the password matches: the same answer and about the
 * same work whether or not the email has an account. Repeated failures slow
 * further attempts down except from a browser that has logged in to the
 * account before (`deviceSecret`); see login_guard.ts. A suspended account
 * is refused, and told so only once the password is right.
 */
export async function logIn(
  deps: AccountDeps,
  email: string,
  password: string,
  deviceSecret?: string,
): Promise<LoginResult> {
  const [entry, failures] = await Promise.all([
    userByEmail(deps.kv, email),
    readFailures(deps.kv, email),
  ]);
  const trusted = entry.value !== null &&
    await isTrustedDevice(deps.kv, entry.value.id, deviceSecret, deps.now);
  const wait = trusted ? 0 : waitFor(failures.value, deps.now);
  if (wait > 0) return { ok: false, retryAfterSeconds: Math.ceil(wait / 1000) };
  const usable = entry.value !== null &&
    (deps.devFeatures || !entry.value.demo);
  const ok = usable
    ? await verifyPassword(password, entry.value!.passwordHash)
    : await verifyAgainstDecoy(password);
  if (!ok || !entry.value) {
    await recordFailure(deps.kv, email, deps.now, (atomic) => {
      if (!entry.value) return;
      addEmail(
        atomic,
        deps.mail,
        entry.value.email,
        loginAttemptsEmail({
          name: entry.value.name,
          resetUrl: `${deps.mail.baseUrl}/forgot-password`,
        }),
        deps.now,
      );
    });
    return { ok: false, retryAfterSeconds: null };
  }
  let current = entry as Deno.KvEntry<User>;
  for (let attempt = 0; attempt < 3; attempt++) {
    let user = current.value;
    if (user.suspension) {
      const suspended = suspendedLoginMessage(user.suspension.reason);
      return { ok: false, retryAfterSeconds: null, suspended };
    }
    // Checked even when unchanged: a suspension committed meanwhile must
    // fail this login, not add a session after it ended them all.
    const atomic = deps.kv.atomic().check(current);
    // A trusted browser skipped the delay; leave the count for the others.
    if (!trusted) addClearFailures(atomic, email);
    const device = trusted
      ? null
      : await addTrustedDevice(atomic, user.id, deps.now);
    const roles = withAdminRole(user.roles, user.email, deps);
    if (roles !== user.roles) {
      user = { ...user, roles, updatedAt: new Date(deps.now).toISOString() };
      atomic.set(keys.user(user.id), user);
    }
    const session = await addSession(atomic, deps.kv, user.id, deps.now);
    if ((await atomic.commit()).ok) {
      forgetSessionUser(deps.kv, user.id, session.ended);
      return { ok: true, user, session, device };
    }
    // Someone came first: go on while the password checked is still its own.
    const again = await deps.kv.get<User>(keys.user(user.id));
    if (again.value?.passwordHash !== user.passwordHash) break;
    current = again as Deno.KvEntry<User>;
  }
  throw new ConflictError(
    "Your account changed while logging in; please try again.",
  );
}

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

const badLink = (what: string) =>
  new ValidationError(
    { token: `This ${what} link has expired or was already used.` },
    `This ${what} link has expired or was already used.`,
  );

async function readToken(
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
  const user = await kv.get<User>(keys.user(entry.value.userId));
  if (!user.value) return null;
  return {
    entry: entry as Deno.KvEntry<TokenRecord>,
    user: user as Deno.KvEntry<User>,
  };
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
): Promise<{ user: User; session: NewSession | null }> {
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
  const atomic = deps.kv.atomic().check(entry).check(user)
    .delete(entry.key)
    .set(keys.user(before.id), after);
  addUserIndex(atomic, before, after);
  if (after.email !== before.email) {
    atomic
      .check({ key: keys.userByEmail(after.email), versionstamp: null })
      .delete(keys.userByEmail(before.email))
      .set(keys.userByEmail(after.email), before.id);
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
  if (!(await atomic.commit()).ok) {
    throw new ValidationError(
      { token: "That address is now used by another account." },
      "This link can no longer be used.",
    );
  }
  forgetSessionUser(deps.kv, before.id, session?.ended);
  return { user: after, session };
}

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
  const user = (await userByEmail(deps.kv, email)).value;
  if (!user) return;
  const done = keys.jobEffect(jobId);
  const atomic = deps.kv.atomic()
    .check({ key: done, versionstamp: null })
    .set(done, true, { expireIn: 7 * 24 * 3600_000 });
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
    const atomic = deps.kv.atomic().check(entry).check(user)
      .delete(entry.key)
      .set(keys.user(after.id), after);
    addClearFailures(atomic, after.email);
    const ended = await addEndSessions(atomic, deps.kv, after.id);
    addPasswordChanged(atomic, deps, after);
    if ((await atomic.commit()).ok) {
      forgetSessionUser(deps.kv, after.id, ended);
      return after;
    }
  }
  throw badLink("reset");
}

/**
 * Reads the account, applies `change`, and writes it back checked against
 * what was read; `extra` adds the rest of the same atomic, and
 * `endSessions` the end of every session but `keep`.
 */
async function changeUser(
  deps: Pick<AccountDeps, "kv" | "now">,
  userId: string,
  change: (u: User) => Promise<User> | User,
  extra?: (
    atomic: Deno.AtomicOperation,
    before: User,
    after: User,
  ) => Promise<void> | void,
  endSessions?: { keep?: string },
): Promise<User> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const entry = await deps.kv.get<User>(keys.user(userId));
    if (!entry.value) throw new ConflictError("This account no longer exists.");
    const after = {
      ...(await change(entry.value)),
      updatedAt: new Date(deps.now).toISOString(),
    };
    const atomic = deps.kv.atomic().check(entry).set(keys.user(userId), after);
    addUserIndex(atomic, entry.value, after);
    await extra?.(atomic, entry.value, after);
    const ended = endSessions
      ? await addEndSessions(atomic, deps.kv, userId, endSessions.keep)
      : [];
    if ((await atomic.commit()).ok) {
      // After the commit: a request in between could cache them again.
      forgetSessionUser(deps.kv, userId, ended);
      return after;
    }
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
  extra: (atomic: Deno.AtomicOperation, before: User, after: User) => void,
  opts: { endSessions?: boolean } = {},
): Promise<User> {
  const ending = opts.endSessions ? {} : undefined;
  return changeUser({ kv, now }, userId, change, extra, ending);
}

/**
 * Checks the current password of a signed-in user under the same guard as
 * logging in, so a stolen session cannot guess it at full speed.
 */
async function requirePassword(
  deps: AccountDeps,
  user: User,
  password: string,
  field: string,
) {
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
      (atomic) =>
        addEmail(
          atomic,
          deps.mail,
          user.email,
          loginAttemptsEmail({
            name: user.name,
            resetUrl: `${deps.mail.baseUrl}/forgot-password`,
          }),
          deps.now,
        ),
    );
    throw new ValidationError({ [field]: "That password is not right." });
  }
}

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
  const user = await changeUser(
    deps,
    userId,
    (u) => ({ ...u, ...input }),
    async (atomic, _before, after) => {
      if (!after.roles.includes("host")) return;
      await addHostRename(
        atomic,
        deps.kv,
        userId,
        after.businessName ?? after.name,
      );
    },
  );
  forgetHost(deps.kv, userId);
  return user;
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
  const user = (await deps.kv.get<User>(keys.user(userId))).value;
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
  const taken = await deps.kv.get(keys.userByEmail(newEmail));
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

/** Changes the password given the current one; other sessions end, this one stays. */
export async function changePassword(
  deps: AccountDeps,
  userId: string,
  currentSessionHash: string,
  currentPassword: string,
  password: string,
): Promise<User> {
  const current = (await deps.kv.get<User>(keys.user(userId))).value;
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
    (atomic, _before, after) => addPasswordChanged(atomic, deps, after),
    { keep: currentSessionHash },
  );
}

/** "List your kitchen": a renter becomes a host too, with a public host profile. */
export async function becomeHost(
  deps: AccountDeps,
  userId: string,
): Promise<User> {
  return await changeUser(
    deps,
    userId,
    (u) => u.roles.includes("host") ? u : { ...u, roles: [...u.roles, "host"] },
    (atomic, before, after) => {
      if (before.roles.includes("host")) return;
      addHostProfile(atomic, after, deps.now);
    },
  );
}

/**
 * Deletes the account, its sign-in index and sessions. A host whose kitchens
 * are listed must hand them over first, so no listing is left without an owner.
 */
export async function deleteAccount(
  deps: AccountDeps,
  userId: string,
  currentPassword: string,
): Promise<void> {
  const entry = await deps.kv.get<User>(keys.user(userId));
  const user = entry.value;
  if (!user) return;
  await requirePassword(deps, user, currentPassword, "currentPassword");
  if (await hostHasKitchens(deps.kv, userId)) {
    throw new ValidationError(
      {},
      "Your kitchens are still listed. Contact support to close a host account with listings.",
    );
  }
  const atomic = deps.kv.atomic().check(entry)
    .delete(keys.user(userId))
    .delete(keys.userByEmail(user.email));
  addUserIndex(atomic, user, null);
  await addHostRemoval(atomic, deps.kv, userId);
  const ended = await addEndSessions(atomic, deps.kv, userId);
  for await (
    const device of deps.kv.list({ prefix: keys.trustedDevicesPrefix(userId) })
  ) atomic.delete(device.key);
  if (!(await atomic.commit()).ok) {
    throw new ConflictError(
      "Your account changed meanwhile; please try again.",
    );
  }
  forgetSessionUser(deps.kv, userId, ended);
  forgetHost(deps.kv, userId);
}

/**
 * Grants or removes a staff role (the `deno task admin` script); ends the
 * user's sessions, and records who did it in the audit log, in one atomic.
 */
export async function setStaffRole(
  deps: AccountDeps,
  email: string,
  role: "admin" | "support",
  grant: boolean,
  actor: AuditActor = ADMIN_SCRIPT_ACTOR,
): Promise<User | null> {
  const entry = await userByEmail(deps.kv, email);
  if (!entry.value) return null;
  return await changeUser(
    deps,
    entry.value.id,
    (u) => ({
      ...u,
      roles: grant
        ? [...new Set([...u.roles, role])]
        : u.roles.filter((r) => r !== role),
    }),
    (atomic, before, after) => {
      addAudit(atomic, {
        actor,
        action: grant ? "role.granted" : "role.revoked",
        subject: { kind: "user", id: after.id },
        details: {
          role,
          email: after.email,
          // Running the command again is still recorded, as a no-op.
          changed: before.roles.length !== after.roles.length,
        },
      }, deps.now);
    },
    // A privilege change takes effect on a new session.
    {},
  );
}
