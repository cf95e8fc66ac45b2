import type { PublishContext } from "../kitchens/listings.ts";
import { canTakeBookings } from "./payouts.ts";
import { getHostFresh } from "./repo.ts";

/**
 * What publishing checks about a listing's host (their account's email
 * and their payouts), read fresh (it decides). Always the host's, never
 * those of staff acting on the listing.
 */
export async function publishContextFor(
  kv: Deno.Kv,
  hostUser: { id: string; emailVerifiedAt: string | null },
  payments: "stripe" | "demo" | "off",
): Promise<PublishContext> {
  const host = (await getHostFresh(kv, hostUser.id)).value;
  return {
    emailConfirmed: hostUser.emailVerifiedAt !== null,
    payments,
    hostPayable: host !== null && payments !== "off" &&
      canTakeBookings(host, payments),
  };
}
