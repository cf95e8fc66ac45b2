import type { PublishContext } from "../kitchens/listings.ts";
import { canTakeBookings } from "./payouts.ts";
import { getHostFresh } from "./repo.ts";

/** What publishing checks about the host, read fresh (it decides). */
export async function publishContextFor(
  kv: Deno.Kv,
  user: { id: string; emailVerifiedAt: string | null },
  payments: "stripe" | "demo" | "off",
): Promise<PublishContext> {
  const host = (await getHostFresh(kv, user.id)).value;
  return {
    emailConfirmed: user.emailVerifiedAt !== null,
    payments,
    hostPayable: host !== null && payments !== "off" &&
      canTakeBookings(host, payments),
  };
}
