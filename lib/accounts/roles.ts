import { ForbiddenError } from "../errors.ts";
import type { Role, SessionUser } from "./schema.ts";

/**
 * Who may do what, decided here and nowhere else: routes ask, they do not
 * compare roles themselves.
 */
export type Capability =
  | "admin:read" // staff pages: support and admin
  | "admin:act" // changing things from staff pages: admin only
  | "book" // booking a kitchen: a verified email
  | "host" // the host pages: bookings, payouts
  | "publish"; // publishing a listing: a verified host

export type Verdict = { ok: true } | { ok: false; reason: string };

const has = (u: SessionUser, r: Role) => u.roles.includes(r);

/** What a suspended account may no longer do, and how it is told. */
const SUSPENDED: Partial<Record<Capability, string>> = {
  book:
    "Your account is suspended, so you cannot book kitchens. Contact Prep support.",
  host:
    "Your account is suspended, so the host pages are closed. Contact Prep support.",
  publish:
    "Your account is suspended, so you cannot publish a listing. Contact Prep support.",
  "admin:act": "Your account is suspended, so you cannot change anything here.",
};

/** What the owner of a suspended account is told when logging in. */
export function suspendedLoginMessage(reason: string): string {
  return "Your account is suspended, so you cannot log in. Contact Prep " +
    `support to ask about it. The reason Prep staff gave: ${reason}`;
}

export function decide(user: SessionUser | null, what: Capability): Verdict {
  if (!user) return { ok: false, reason: "Log in to continue." };
  const suspended = user.suspension ? SUSPENDED[what] : undefined;
  if (suspended) return { ok: false, reason: suspended };
  switch (what) {
    case "admin:read":
      return has(user, "admin") || has(user, "support")
        ? { ok: true }
        : { ok: false, reason: "This page is for Prep staff." };
    case "admin:act":
      return has(user, "admin")
        ? { ok: true }
        : { ok: false, reason: "Support accounts can look but not change." };
    case "host":
      // Staff open host pages to help; what they may change is decided per object.
      return has(user, "host") || has(user, "admin") || has(user, "support")
        ? { ok: true }
        : { ok: false, reason: "List your kitchen first to become a host." };
    case "book":
      return user.emailVerifiedAt
        ? { ok: true }
        : { ok: false, reason: "Confirm your email address to book kitchens." };
    case "publish":
      if (!has(user, "host")) {
        return {
          ok: false,
          reason: "List your kitchen first to become a host.",
        };
      }
      return user.emailVerifiedAt ? { ok: true } : {
        ok: false,
        reason: "Confirm your email address to publish a listing.",
      };
  }
}

/**
 * Where a login with nowhere else to go lands: staff on their queue, hosts on
 * their dashboard (requests wait there), everyone else on their account.
 */
export function landingFor(user: Pick<SessionUser, "roles">): string {
  if (user.roles.includes("admin") || user.roles.includes("support")) {
    return "/admin";
  }
  return user.roles.includes("host") ? "/host" : "/account";
}

/** Throws ForbiddenError with the reason unless `user` may do `what`. */
export function requireCapability(
  user: SessionUser | null,
  what: Capability,
): asserts user is SessionUser {
  const v = decide(user, what);
  if (!v.ok) throw new ForbiddenError(v.reason);
}
