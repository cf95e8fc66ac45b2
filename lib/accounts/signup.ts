/**
 * Signing up, as a renter or as a host, and a renter becoming a host later
 * ("List your kitchen").
 */
import { addEmail } from "../email/job.ts";
import { signupAttemptEmail } from "../email/templates.ts";
import { addHostProfile } from "../hosts/repo.ts";
import { newId } from "../ids.ts";
import {
  type AccountDeps,
  changeUser,
  withAdminRole,
} from "./account_change.ts";
import { addVerification } from "./email_links.ts";
import { readSignedNext } from "./next_link.ts";
import { hashPassword } from "./password.ts";
import { addLimitHit, LIMITS } from "./rate_limit.ts";
import { addNewUser } from "./repo.ts";
import type { Role, User } from "./schema.ts";

export interface SignupInput {
  name: string;
  email: string;
  password: string;
  intent: "rent" | "host";
  /** Where the confirmation link leads: a signed `next` (next_link.ts), else the account page. */
  next?: string;
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
  const next = await readSignedNext(deps.kv, input.next, deps.now);
  const atomic = deps.kv.atomic();
  addNewUser(atomic, user);
  if (roles.includes("host")) addHostProfile(atomic, user, deps.now);
  await addVerification(atomic, deps, user, user.email, next ?? undefined);
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

/** "List your kitchen": a renter becomes a host too, with a public host profile. */
export async function becomeHost(
  deps: AccountDeps,
  userId: string,
): Promise<User> {
  return await changeUser(
    deps,
    userId,
    (u) => u.roles.includes("host") ? u : { ...u, roles: [...u.roles, "host"] },
    {
      extra: (atomic, before, after) => {
        if (before.roles.includes("host")) return;
        addHostProfile(atomic, after, deps.now);
      },
    },
  );
}
