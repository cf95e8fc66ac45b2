/**
 * Bookings as Prep staff see them (issue 8 §3–4): found by id or by a
 * person's email, the newest listed, each with its ledger checked. Reads
 * only, apart from `cancelAsStaff`, which is `cancelBooking` with an admin
 * actor: that change and its audit entry are one atomic (lifecycle.ts).
 */
import { z } from "zod";
import { requireCapability } from "../accounts/roles.ts";
import { getUserByEmail, getUsers } from "../accounts/repo.ts";
import type { SessionUser } from "../accounts/schema.ts";
import {
  actorIds,
  type AuditNames,
  type Person,
  subjectKey,
} from "../audit/names.ts";
import { listAuditFor } from "../audit/repo.ts";
import type { AuditEntry } from "../audit/schema.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { ID_PATTERN } from "../ids.ts";
import { formatDayTime } from "../format.ts";
import { getKitchensFresh } from "../kitchens/repo.ts";
import { REASON_MAX_CHARS, text } from "../text.ts";
import { parseReference } from "./reference.ts";
import {
  getBooking,
  getBookingByReference,
  listBookingsByHost,
  listBookingsByRenter,
  listNewestBookings,
} from "./repo.ts";
import {
  cancelBooking,
  ledgerProblem,
  type LifecycleDeps,
} from "./lifecycle.ts";
import { type Booking, LEDGER_KINDS, type LedgerKind } from "./schema.ts";
import { canTransition } from "./state.ts";

/** A booking in a staff list: where, who is on it and whether its ledger balances. */
export interface StaffBookingRow {
  booking: Booking;
  /** The kitchen's title now; null if the kitchen is gone. */
  kitchenTitle: string | null;
  /** The renter's and the host's accounts; null for one that is gone (a demo host may have none). */
  renter: Person | null;
  host: Person | null;
  /** Why the ledger does not balance, or null when it does. */
  ledgerProblem: string | null;
}

export type BookingQuery =
  | { kind: "id"; id: string }
  | { kind: "reference"; reference: string }
  | { kind: "email"; email: string };

// Case-insensitive: ids are read back from staff who may type them in lower case.
const ID_RE = new RegExp(`^${ID_PATTERN}$`, "i");
const EMAIL = z.email();

/**
 * What staff typed in the search box: a booking id (any case), a booking
 * reference as the renter reads it out ("PRP-7K3Q-9D", any case, dashes
 * optional), or an email address (normalised as accounts store it:
 * trimmed, lower-case).
 *
 * @example
 * bookingQuery.parse(" Ada@Example.com ") // { kind: "email", email: "ada@example.com" }
 * bookingQuery.parse("prp 7k3q 9d") // { kind: "reference", reference: "PRP-7K3Q-9D" }
 */
export const bookingQuery = z.string().trim().max(
  254,
  "Use at most 254 characters",
).transform((raw, ctx): BookingQuery => {
  if (ID_RE.test(raw)) return { kind: "id", id: raw.toUpperCase() };
  const reference = parseReference(raw);
  if (reference) return { kind: "reference", reference };
  const email = raw.toLowerCase();
  if (EMAIL.safeParse(email).success) return { kind: "email", email };
  ctx.addIssue({
    code: "custom",
    message: "Enter a booking reference, a booking id or an email address",
  });
  return z.NEVER;
});

export const staffSearchForm = z.object({ q: bookingQuery });

/** The admin's cancel form: why, as it goes into the audit log and the booking. */
export const staffCancelForm = z.object({
  reason: text({ label: "a reason", max: REASON_MAX_CHARS, multiline: true }),
});

/** Money by ledger kind, in cents; kinds with no entries are 0. */
export function ledgerTotals(b: Booking): Record<LedgerKind, number> {
  const totals = Object.fromEntries(
    LEDGER_KINDS.map((k) => [k, 0]),
  ) as Record<LedgerKind, number>;
  for (const e of b.ledger) totals[e.kind] += e.amountCents;
  return totals;
}

/** Names and emails by user id: `ids`' accounts, read ten at a time. */
async function peopleOf(
  kv: Deno.Kv,
  ids: readonly string[],
): Promise<Map<string, Person>> {
  const users = await getUsers(kv, ids);
  return new Map(
    [...users].map(([id, u]) => [id, { name: u.name, email: u.email }]),
  );
}

/**
 * The rows of a page of bookings, with their kitchens' titles and their
 * people read together: a few reads a page, not a few a row.
 */
async function toRows(
  kv: Deno.Kv,
  bookings: Booking[],
  extraPeople: readonly string[] = [],
): Promise<{ rows: StaffBookingRow[]; people: Map<string, Person> }> {
  const kitchenIds = [...new Set(bookings.map((b) => b.kitchenId))];
  const [people, kitchens] = await Promise.all([
    peopleOf(kv, [
      ...bookings.flatMap((b) => [b.renterId, b.hostId]),
      ...extraPeople,
    ]),
    getKitchensFresh(kv, kitchenIds),
  ]);
  const titles = new Map(
    kitchens.flatMap((k) => k ? [[k.id, k.title] as const] : []),
  );
  const rows = bookings.map((b) => ({
    booking: b,
    kitchenTitle: titles.get(b.kitchenId) ?? null,
    renter: people.get(b.renterId) ?? null,
    host: people.get(b.hostId) ?? null,
    ledgerProblem: ledgerProblem(b),
  }));
  return { rows, people };
}

/**
 * The booking with that id or reference, or the bookings of the account
 * with that email, as renter and as host, latest start first. Nothing
 * found is an empty list.
 */
export async function findBookings(
  kv: Deno.Kv,
  query: BookingQuery,
): Promise<StaffBookingRow[]> {
  if (query.kind !== "email") {
    const b = query.kind === "id"
      ? await getBooking(kv, query.id)
      : await getBookingByReference(kv, query.reference);
    return b ? (await toRows(kv, [b])).rows : [];
  }
  const userId = (await getUserByEmail(kv, query.email))?.id;
  if (!userId) return [];
  const [asRenter, asHost] = await Promise.all([
    listBookingsByRenter(kv, userId),
    listBookingsByHost(kv, userId),
  ]);
  const byId = new Map([...asRenter, ...asHost].map((b) => [b.id, b]));
  const all = [...byId.values()].sort((a, b) =>
    b.start - a.start || (a.id < b.id ? 1 : -1)
  );
  return (await toRows(kv, all)).rows;
}

/** The newest bookings, newest first: ids are ULIDs, so the primary keys are in creation order. */
export async function listRecentBookings(
  kv: Deno.Kv,
  limit = 50,
): Promise<StaffBookingRow[]> {
  const bookings = await listNewestBookings(
    kv,
    Math.min(Math.max(1, limit), 200),
  );
  return (await toRows(kv, bookings)).rows;
}

export interface StaffBookingView extends StaffBookingRow {
  totals: Record<LedgerKind, number>;
  /** The booking's audit entries, newest first. */
  events: AuditEntry[];
  /** Who the events' actors are, and what the booking is. */
  names: AuditNames;
  /** Whether the state machine allows cancelling it now. */
  cancellable: boolean;
}

/** One booking with its people, ledger totals and audit trail; 404 when there is none. */
export async function loadStaffBooking(
  kv: Deno.Kv,
  id: string,
): Promise<StaffBookingView> {
  const b = await getBooking(kv, id);
  if (!b) throw new NotFoundError("We could not find that booking.");
  const events = await listAuditFor(kv, "booking", b.id);
  const { rows: [row], people } = await toRows(kv, [b], actorIds(events));
  const where = row.kitchenTitle ?? "a kitchen";
  return {
    ...row,
    totals: ledgerTotals(b),
    events,
    names: {
      people: Object.fromEntries(people),
      subjects: {
        [subjectKey("booking", b.id)]: `Booking at ${where}, ${
          formatDayTime(b.timeZone, b.start)
        }`,
      },
    },
    cancellable: canTransition(b.status, "cancel"),
  };
}

/**
 * An admin cancels a booking with a full refund. An admin who is the
 * booking's renter or host would be cancelling as that party, under the
 * policy, so that goes through the booking's own page instead.
 */
export async function cancelAsStaff(
  deps: LifecycleDeps,
  id: string,
  admin: SessionUser,
  reason: string,
): Promise<Booking> {
  requireCapability(admin, "admin:act");
  const b = await getBooking(deps.kv, id);
  if (!b) throw new NotFoundError("We could not find that booking.");
  if (b.renterId === admin.id || b.hostId === admin.id) {
    throw new ConflictError(
      "This is your own booking: cancel it from its booking page.",
    );
  }
  return await cancelBooking(
    deps,
    id,
    { id: admin.id, email: admin.email, roles: admin.roles },
    { through: ["admin"], reason },
  );
}
