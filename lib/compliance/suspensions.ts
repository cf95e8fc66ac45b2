/**
 * Staff suspend and reinstate a kitchen or a user (issue 10 §2). Admins
 * act, support reads (lib/accounts/roles.ts); a reason is required; the
 * change, its audit entry and the in-app notice to the person affected are
 * one atomic.
 *
 * A suspended kitchen has status "suspended": it leaves search and takes no
 * holds, because both require "published" (lib/kitchens/repo.ts
 * `isListed`). Its existing bookings stand; staff see them listed to handle
 * one by one. Suspending a user ends every session of theirs in the same
 * atomic, whatever their roles (staff included), and they cannot log in
 * until reinstated; reinstating gives back only the ability to log in.
 * `decide()` also refuses a suspended account booking, hosting, publishing
 * and acting, should one ever reach it.
 */
import { z } from "zod";
import { requireCapability } from "../accounts/roles.ts";
import { getUser, getUsers } from "../accounts/repo.ts";
import type { SessionUser, User } from "../accounts/schema.ts";
import { changeUserAsStaff } from "../accounts/account_change.ts";
import { addAudit, listAuditFor } from "../audit/repo.ts";
import type { AuditNames } from "../audit/names.ts";
import type { AuditEntry } from "../audit/schema.ts";
import { listUpcomingBookings } from "../bookings/listing_edit.ts";
import type { Booking } from "../bookings/schema.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { isId, isUserId, USER_ID_PATTERN } from "../ids.ts";
import {
  getDraft,
  getKitchen,
  listKitchenIdsOfHost,
  updateKitchen,
} from "../kitchens/repo.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import { addNotification } from "../notifications/repo.ts";
import { REASON_MAX_CHARS, text } from "../text.ts";
import { listDocumentsFor } from "./repo.ts";
import { nameAuditEntries } from "./staff_names.ts";
import type { ComplianceDocument } from "./schema.ts";

/** The suspend and reinstate forms: why, kept in the audit log and told to the person. */
export const suspensionForm = z.object({
  reason: text({ label: "a reason", max: REASON_MAX_CHARS, multiline: true }),
});

/** User ids' shape; lib/ids.ts keeps it, with every other id's. */
export { isUserId, USER_ID_PATTERN };

type Person = { id: string; name: string; email: string };

const personOf = (u: User | null): Person | null =>
  u ? { id: u.id, name: u.name, email: u.email } : null;

async function people(
  kv: Deno.Kv,
  ids: string[],
): Promise<Record<string, Person>> {
  const users = await getUsers(kv, ids.filter(isUserId));
  const out: Record<string, Person> = {};
  for (const u of users.values()) out[u.id] = personOf(u)!;
  return out;
}

// ---------------------------------------------------------------------------
// Kitchens

export interface StaffKitchenView {
  id: string;
  /** The kitchen record; null for a draft that was never published. */
  kitchen: Kitchen | null;
  /** A draft's title and host, when there is no kitchen record. */
  draft: { title: string | null; hostId: string } | null;
  host: Person | null;
  /** Live bookings (held, requested, confirmed) that have not ended, soonest first. */
  upcoming: Booking[];
  /** The people on those bookings, by user id. */
  people: Record<string, Person>;
  documents: ComplianceDocument[];
  /** The kitchen's audit entries, newest first. */
  audit: AuditEntry[];
  /** Who acted in them, and who suspended the kitchen. */
  names: AuditNames;
}

/** A kitchen (or a draft) as staff see it; 404 when neither exists. */
export async function loadKitchenForStaff(
  kv: Deno.Kv,
  id: string,
  viewer: SessionUser | null,
  now: number,
): Promise<StaffKitchenView> {
  requireCapability(viewer, "admin:read");
  const notFound = new NotFoundError("We could not find that kitchen.");
  if (!isId(id)) throw notFound;
  const [kitchen, draft] = await Promise.all([
    getKitchen(kv, id),
    getDraft(kv, id),
  ]);
  if (!kitchen && !draft) throw notFound;
  const hostId = kitchen?.hostId ?? draft!.hostId;
  const [upcoming, documents, audit] = await Promise.all([
    kitchen ? listUpcomingBookings(kv, id, now, 200) : Promise.resolve([]),
    listDocumentsFor(kv, { kind: "kitchen", id }),
    listAuditFor(kv, "kitchen", id, { limit: 50 }),
  ]);
  const [found, names] = await Promise.all([
    people(kv, [hostId, ...upcoming.map((b) => b.renterId)]),
    nameAuditEntries(kv, audit, {
      people: kitchen?.suspension ? [kitchen.suspension.by] : [],
    }),
  ]);
  return {
    id,
    kitchen,
    draft: kitchen ? null : {
      title: draft!.values.title ?? null,
      hostId,
    },
    host: found[hostId] ?? null,
    upcoming,
    people: found,
    documents: documents.reverse(),
    audit,
    names,
  };
}

async function changeKitchen(
  kv: Deno.Kv,
  id: string,
  admin: SessionUser | null,
  reason: string,
  now: number,
  suspend: boolean,
): Promise<Kitchen> {
  requireCapability(admin, "admin:act");
  if (!isId(id)) throw new NotFoundError("We could not find that kitchen.");
  if (!(await getKitchen(kv, id))) {
    if (await getDraft(kv, id)) {
      throw new ConflictError(
        "This listing is a draft that was never published, so there is " +
          "nothing to suspend: it is not in search and takes no bookings.",
      );
    }
    throw new NotFoundError("We could not find that kitchen.");
  }
  return await updateKitchen(
    kv,
    id,
    (k) => {
      if (suspend) {
        if (k.status === "suspended") {
          throw new ConflictError("This kitchen is already suspended.");
        }
        return {
          ...k,
          status: "suspended",
          suspension: { reason, by: admin.id, at: now, previous: k.status },
        };
      }
      if (k.status !== "suspended") {
        throw new ConflictError("This kitchen is not suspended.");
      }
      const { suspension, ...rest } = k;
      // A kitchen suspended without a record of its past goes back unlisted:
      // its host decides when to publish it again.
      return { ...rest, status: suspension?.previous ?? "unlisted" };
    },
    new Date(now),
    (atomic, before, after) => {
      addAudit(atomic, {
        actor: { kind: "user", id: admin.id, email: admin.email },
        action: suspend ? "kitchen.suspended" : "kitchen.reinstated",
        subject: { kind: "kitchen", id },
        details: {
          title: after.title,
          hostId: after.hostId,
          from: before.status,
          status: after.status,
        },
        reason,
      }, now);
      addNotification(
        atomic,
        after.hostId,
        suspend
          ? {
            title: "Your kitchen is suspended",
            body: `${after.title} no longer appears in search and takes no ` +
              `new bookings. Bookings already made stand; Prep staff will ` +
              `contact you about them. Reason: ${reason}`,
            href: `/host/kitchens/${id}`,
            timeZone: after.timeZone,
          }
          : {
            title: "Your kitchen is reinstated",
            body: `${after.title} is back to ${after.status}. Note from ` +
              `Prep staff: ${reason}`,
            href: `/host/kitchens/${id}`,
            timeZone: after.timeZone,
          },
        now,
      );
    },
  );
}

/** Suspends a kitchen (admins only): it leaves search and takes no holds. */
export function suspendKitchen(
  kv: Deno.Kv,
  id: string,
  admin: SessionUser | null,
  reason: string,
  now: number,
): Promise<Kitchen> {
  return changeKitchen(kv, id, admin, reason, now, true);
}

/** Reinstates a suspended kitchen to the status it had before (admins only). */
export function reinstateKitchen(
  kv: Deno.Kv,
  id: string,
  admin: SessionUser | null,
  reason: string,
  now: number,
): Promise<Kitchen> {
  return changeKitchen(kv, id, admin, reason, now, false);
}

// ---------------------------------------------------------------------------
// Users

export interface StaffUserView {
  /** The account, without its password hash. */
  user: SessionUser;
  /** Kitchens the user hosts (published or not). */
  kitchens: Kitchen[];
  /** The user's wallet (renter documents), newest first. */
  documents: ComplianceDocument[];
  /** Audit entries about the user, newest first. */
  audit: AuditEntry[];
  /** Who acted in them, and who suspended the account. */
  names: AuditNames;
}

/** An account as staff see it; 404 when there is none. */
export async function loadUserForStaff(
  kv: Deno.Kv,
  id: string,
  viewer: SessionUser | null,
): Promise<StaffUserView> {
  requireCapability(viewer, "admin:read");
  const notFound = new NotFoundError("We could not find that account.");
  if (!isUserId(id)) throw notFound;
  const user = await getUser(kv, id);
  if (!user) throw notFound;
  const kitchenIds: string[] = [];
  for await (const kitchenId of listKitchenIdsOfHost(kv, id, null)) {
    if (kitchenIds.push(kitchenId) >= 100) break;
  }
  const [kitchens, documents, audit] = await Promise.all([
    Promise.all(kitchenIds.map((k) => getKitchen(kv, k))),
    listDocumentsFor(kv, { kind: "renter", id }),
    listAuditFor(kv, "user", id, { limit: 50 }),
  ]);
  const names = await nameAuditEntries(kv, audit, {
    people: user.suspension ? [user.suspension.by] : [],
  });
  const { passwordHash: _, ...shown } = user;
  return {
    user: shown,
    kitchens: kitchens.filter((k): k is Kitchen => k !== null),
    documents: documents.reverse(),
    audit,
    names,
  };
}

async function changeUser(
  kv: Deno.Kv,
  id: string,
  admin: SessionUser | null,
  reason: string,
  now: number,
  suspend: boolean,
  also?: StaffChangeExtra,
): Promise<SessionUser> {
  requireCapability(admin, "admin:act");
  if (!isUserId(id)) {
    throw new NotFoundError("We could not find that account.");
  }
  if (id === admin.id) {
    throw new ConflictError(
      suspend
        ? "You cannot suspend your own account. Ask another admin."
        : "You cannot reinstate your own account. Ask another admin.",
    );
  }
  if (!(await getUser(kv, id))) {
    throw new NotFoundError("We could not find that account.");
  }
  const after = await changeUserAsStaff(
    kv,
    id,
    (u) => {
      if (suspend && u.suspension) {
        throw new ConflictError("This account is already suspended.");
      }
      if (!suspend && !u.suspension) {
        throw new ConflictError("This account is not suspended.");
      }
      if (suspend) {
        return { ...u, suspension: { reason, by: admin.id, at: now } };
      }
      const { suspension: _, ...rest } = u;
      return rest;
    },
    now,
    async (atomic, _before, after) => {
      await also?.(atomic);
      addAudit(atomic, {
        actor: { kind: "user", id: admin.id, email: admin.email },
        action: suspend ? "user.suspended" : "user.reinstated",
        subject: { kind: "user", id },
        details: { email: after.email, roles: after.roles.join(",") },
        reason,
      }, now);
      addNotification(
        atomic,
        id,
        suspend
          ? {
            title: "Your account is suspended",
            body: "Prep staff suspended your account: you cannot sign in, " +
              "book kitchens, host or publish listings until they " +
              `reinstate it, and every session ended. Reason: ${reason}`,
            href: "/account",
          }
          : {
            title: "Your account is reinstated",
            body: "You can sign in, book and host again. Note from Prep " +
              `staff: ${reason}`,
            href: "/account",
          },
        now,
      );
    },
    { endSessions: suspend },
  );
  const { passwordHash: _, ...shown } = after;
  return shown;
}

/**
 * What a higher domain adds to a suspension's atomic (a message report's
 * decision, lib/messages/reports.ts); it may read, and is called again on
 * each retry.
 */
export type StaffChangeExtra = (
  atomic: Deno.AtomicOperation,
) => Promise<void> | void;

/** Suspends an account (admins only, never their own) and ends its sessions. */
export function suspendUser(
  kv: Deno.Kv,
  id: string,
  admin: SessionUser | null,
  reason: string,
  now: number,
  also?: StaffChangeExtra,
): Promise<SessionUser> {
  return changeUser(kv, id, admin, reason, now, true, also);
}

/** Lifts an account's suspension (admins only, never their own). */
export function reinstateUser(
  kv: Deno.Kv,
  id: string,
  admin: SessionUser | null,
  reason: string,
  now: number,
): Promise<SessionUser> {
  return changeUser(kv, id, admin, reason, now, false);
}
