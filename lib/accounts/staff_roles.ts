/** Granting and removing staff roles (the `deno task admin` script). */
import { addAudit } from "../audit/repo.ts";
import { ADMIN_SCRIPT_ACTOR, type AuditActor } from "../audit/schema.ts";
import { type AccountDeps, changeUser } from "./account_change.ts";
import { getUserByEmail } from "./repo.ts";
import type { User } from "./schema.ts";

/**
 * Grants or removes a staff role; ends the user's sessions, and records who
 * did it in the audit log, in one atomic.
 */
export async function setStaffRole(
  deps: AccountDeps,
  email: string,
  role: "admin" | "support",
  grant: boolean,
  actor: AuditActor = ADMIN_SCRIPT_ACTOR,
): Promise<User | null> {
  const user = await getUserByEmail(deps.kv, email);
  if (!user) return null;
  return await changeUser(
    deps,
    user.id,
    (u) => ({
      ...u,
      roles: grant
        ? [...new Set([...u.roles, role])]
        : u.roles.filter((r) => r !== role),
    }),
    {
      extra: (atomic, before, after) => {
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
      endSessions: {},
    },
  );
}
