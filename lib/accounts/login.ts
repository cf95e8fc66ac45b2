/**
 * Logging in with a password: the same answer and about the same work
 * whether or not the email has an account, slowed down after repeated
 * failures (login_guard.ts), and refused to a suspended account.
 */
import { ConflictError } from "../errors.ts";
import {
  type AccountDeps,
  addLoginAttemptsEmail,
  withAdminRole,
} from "./account_change.ts";
import {
  addClearFailures,
  addTrustedDevice,
  isTrustedDevice,
  readFailures,
  recordFailure,
  waitFor,
} from "./login_guard.ts";
import { verifyAgainstDecoy, verifyPassword } from "./password.ts";
import {
  addUserUpdate,
  commitAccountChange,
  getUserEntry,
  getUserEntryByEmail,
} from "./repo.ts";
import { suspendedLoginMessage } from "./roles.ts";
import type { User } from "./schema.ts";
import { addSession, type NewSession } from "./sessions.ts";

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
 * A new session when the password matches. Repeated failures slow further
 * attempts down except from a browser that has logged in to the account
 * before (`deviceSecret`). A suspended account is refused, and told so
 * only once the password is right.
 */
export async function logIn(
  deps: AccountDeps,
  email: string,
  password: string,
  deviceSecret?: string,
): Promise<LoginResult> {
  const [entry, failures] = await Promise.all([
    getUserEntryByEmail(deps.kv, email),
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
    const owner = entry.value;
    await recordFailure(deps.kv, email, deps.now, (atomic) => {
      if (owner) addLoginAttemptsEmail(atomic, deps, owner);
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
    const atomic = deps.kv.atomic();
    // A trusted browser skipped the delay; leave the count for the others.
    if (!trusted) addClearFailures(atomic, email);
    const device = trusted
      ? null
      : await addTrustedDevice(atomic, user.id, deps.now);
    const roles = withAdminRole(user.roles, user.email, deps);
    // Checked even when unchanged: a suspension committed meanwhile must
    // fail this login, not add a session after it ended them all.
    if (roles === user.roles) atomic.check(current);
    else {
      user = { ...user, roles, updatedAt: new Date(deps.now).toISOString() };
      addUserUpdate(atomic, current, user);
    }
    const session = await addSession(atomic, deps.kv, user.id, deps.now);
    const endedSessions = session.ended;
    if (
      await commitAccountChange(deps.kv, atomic, {
        userId: user.id,
        endedSessions,
      })
    ) return { ok: true, user, session, device };
    // Someone came first: go on while the password checked is still its own.
    const again = await getUserEntry(deps.kv, user.id);
    if (again.value?.passwordHash !== user.passwordHash) break;
    current = again as Deno.KvEntry<User>;
  }
  throw new ConflictError(
    "Your account changed while logging in; please try again.",
  );
}
