/** Deleting one's own account. */
import { ConflictError, ValidationError } from "../errors.ts";
import { ACCOUNT_DELETED_JOB } from "../job_names.ts";
import { addJob } from "../jobs/outbox.ts";
import { addHostRemoval } from "../hosts/repo.ts";
import { hostHasKitchens } from "../kitchens/repo.ts";
import { type AccountDeps, requirePassword } from "./account_change.ts";
import { addRemoveTrustedDevices } from "./login_guard.ts";
import { addUserRemoval, commitAccountChange, getUserEntry } from "./repo.ts";
import type { User } from "./schema.ts";
import { addEndSessions } from "./sessions.ts";

/**
 * What a domain above accounts asks before an account goes (lib/bookings:
 * no bookings ahead): it throws to refuse, and adds to the atomic the
 * checks that keep its answer true until the account is gone.
 */
export type DeletionGuard = (atomic: Deno.AtomicOperation) => Promise<void>;

/**
 * Deletes the account, its sign-in index and sessions, and (in a job) its
 * saved kitchens. A host whose kitchens
 * are listed must hand them over first, so no listing is left without an owner.
 */
export async function deleteAccount(
  deps: AccountDeps,
  userId: string,
  currentPassword: string,
  guard?: DeletionGuard,
): Promise<void> {
  const entry = await getUserEntry(deps.kv, userId);
  const user = entry.value;
  if (!user) return;
  await requirePassword(deps, user, currentPassword, "currentPassword");
  if (await hostHasKitchens(deps.kv, userId)) {
    throw new ValidationError(
      {},
      "Your kitchens are still listed. Contact support to close a host account with listings.",
    );
  }
  const atomic = deps.kv.atomic();
  await guard?.(atomic);
  addUserRemoval(atomic, entry as Deno.KvEntry<User>);
  await addHostRemoval(atomic, deps.kv, userId);
  const endedSessions = await addEndSessions(atomic, deps.kv, userId);
  await addRemoveTrustedDevices(atomic, deps.kv, userId);
  // Domains above accounts (saved kitchens) forget the user in a job: they
  // cannot be imported from here, and their lists need atomics of their own.
  addJob(atomic, {
    id: `account-deleted:${userId}`,
    type: ACCOUNT_DELETED_JOB,
    payload: { userId },
  }, { now: deps.now, wake: deps.mail.wake });
  const change = { userId, endedSessions, hostProfile: true };
  if (!(await commitAccountChange(deps.kv, atomic, change))) {
    throw new ConflictError(
      "Your account changed meanwhile; please try again.",
    );
  }
}
