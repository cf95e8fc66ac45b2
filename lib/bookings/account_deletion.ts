/**
 * A renter's account is deleted only once no booking of theirs lies ahead.
 *
 * Deleting it with bookings to come would leave each host keeping hours for
 * someone Prep can no longer reach, and the renter without the booking's
 * access code, its cancellation and its refund: they cancel first (each
 * under its kitchen's policy) or wait until the last has ended. A hold or
 * standing booking made while the account is being deleted rewrites the
 * renter's holds entry (holds.ts, series.ts), which the deletion checks,
 * so one of the two fails and the answer stays true.
 */
import type { AccountDeps } from "../accounts/account_change.ts";
import { deleteAccount, type DeletionGuard } from "../accounts/deletion.ts";
import { ConflictError } from "../errors.ts";
import {
  addRenterHoldsRemoval,
  getRenterHoldsEntry,
  listRenterBookingsBetween,
} from "./repo.ts";
import type { Booking } from "./schema.ts";
import { isUpcoming, LONGEST_BOOKING_MS } from "./state.ts";

/** Bookings read to count those ahead; past this many, support closes the account. */
const READ_LIMIT = 500;

/** Bookings that keep an account: holding their time, and not yet ended. */
export function bookingsAhead(
  bookings: readonly Pick<Booking, "status" | "end">[],
  now: number,
): number {
  return bookings.filter((b) => isUpcoming(b, now)).length;
}

export function bookingsAheadMessage(count: number): string {
  const what = count === 1
    ? "an upcoming booking"
    : `${count} upcoming bookings`;
  const them = count === 1 ? "it" : "them";
  return `You have ${what}. Cancel ${them} first (each kitchen's cancellation policy applies), or wait until ${
    count === 1 ? "it has" : "they have"
  } ended; then you can delete your account.`;
}

/**
 * The check deleteRenterAccount runs inside the deleting atomic. The holds
 * entry is read first: a hold committed after that read rewrites it, and
 * the atomic's check on it fails the deletion. A standing booking writes
 * the entry once, then claims its dates one by one: a live hold listed
 * there keeps the account even before its bookings exist.
 *
 * An expired hold whose Checkout is paid late becomes a booking again
 * (state.ts) only while the account is there: taking its time back
 * rewrites the holds entry, which the deletion checks and removes, and a
 * payment that finds the account gone is refunded in full.
 */
export function bookingsAheadGuard(
  deps: Pick<AccountDeps, "kv" | "now">,
  userId: string,
): DeletionGuard {
  return async (atomic) => {
    const holds = await getRenterHoldsEntry(deps.kv, userId);
    const bookings = await listRenterBookingsBetween(deps.kv, userId, {
      from: deps.now - LONGEST_BOOKING_MS,
      to: Number.MAX_SAFE_INTEGER,
      limit: READ_LIMIT,
    });
    if (bookings.length === READ_LIMIT) {
      // So many from the last week on that a live one may lie past them.
      throw new ConflictError(
        "You have more bookings on record than this page can check. Contact us to close your account.",
        { href: "/contact", label: "Contact support" },
      );
    }
    const pending = (holds.value ?? []).filter((h) => h.expiresAt > deps.now);
    const ahead = bookingsAhead(bookings, deps.now) ||
      (pending.length > 0 ? 1 : 0);
    if (ahead > 0) {
      throw new ConflictError(bookingsAheadMessage(ahead), {
        href: "/bookings",
        label: "See your bookings",
      });
    }
    // Removing the entry, not only checking it: a late payment taking a
    // lapsed booking's time back rewrites it (lifecycle.ts changeBooking),
    // so whichever of the two commits second fails.
    addRenterHoldsRemoval(atomic, holds);
  };
}

/** Deletes the account (lib/accounts/deletion.ts) unless a booking of theirs lies ahead. */
export async function deleteRenterAccount(
  deps: AccountDeps,
  userId: string,
  currentPassword: string,
): Promise<void> {
  await deleteAccount(
    deps,
    userId,
    currentPassword,
    bookingsAheadGuard(deps, userId),
  );
}
