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
import { deleteAccount } from "../accounts/deletion.ts";
import { ConflictError } from "../errors.ts";
import { getRenterHoldsEntry, listRenterBookingsBetween } from "./repo.ts";
import type { Booking } from "./schema.ts";
import { isLive } from "./state.ts";

/** Longer than any booking runs: one that started this long ago has ended. */
const LONGEST_BOOKING_MS = 7 * 86400_000;

/** Bookings read to count those ahead; a renter past this many still cannot delete. */
const READ_LIMIT = 500;

/** Bookings that keep an account: holding their time, and not yet ended. */
export function bookingsAhead(
  bookings: readonly Pick<Booking, "status" | "end">[],
  now: number,
): number {
  return bookings.filter((b) => isLive(b.status) && b.end > now).length;
}

export function bookingsAheadMessage(count: number): string {
  const what = count === 1
    ? "an upcoming booking"
    : `${
      count >= READ_LIMIT ? `${READ_LIMIT} or more` : count
    } upcoming bookings`;
  const them = count === 1 ? "it" : "them";
  return `You have ${what}. Cancel ${them} first (each kitchen's cancellation policy applies), or wait until ${
    count === 1 ? "it has" : "they have"
  } ended; then you can delete your account.`;
}

/** Deletes the account (lib/accounts/deletion.ts) unless a booking of theirs lies ahead. */
export async function deleteRenterAccount(
  deps: AccountDeps,
  userId: string,
  currentPassword: string,
): Promise<void> {
  await deleteAccount(deps, userId, currentPassword, async (atomic) => {
    const [holds, bookings] = await Promise.all([
      getRenterHoldsEntry(deps.kv, userId),
      listRenterBookingsBetween(deps.kv, userId, {
        from: deps.now - LONGEST_BOOKING_MS,
        to: Number.MAX_SAFE_INTEGER,
        limit: READ_LIMIT,
      }),
    ]);
    const ahead = bookingsAhead(bookings, deps.now);
    if (ahead > 0) {
      throw new ConflictError(bookingsAheadMessage(ahead), {
        href: "/bookings",
        label: "See your bookings",
      });
    }
    atomic.check(holds);
  });
}
