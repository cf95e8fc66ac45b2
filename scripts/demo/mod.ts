/**
 * Everything demo data is, seeded in order: the catalogue (hosts, kitchens,
 * photos), the kitchens' permits and, where development features run, the
 * demo accounts, the demo host's bookings, their conversations and reviews,
 * and the demo renter's saved kitchens. Each step is idempotent, so every
 * start may call this.
 * Only start-up (when SEED_DEMO_DATA is on) and `deno task seed` import it.
 */
import { seedDemoAccounts } from "./accounts.ts";
import { seedDemoBookings } from "./bookings.ts";
import { DEMO_SEED, seedDemoData } from "./catalogue.ts";
import { demoKitchens, seedDemoCompliance } from "./compliance.ts";
import { seedDemoSaved } from "./saved.ts";
import { seedDemoMessages } from "./messages.ts";
import { seedDemoReviews } from "./reviews.ts";

export { demoAccountLines } from "./accounts.ts";

export interface DemoSeedResult {
  /** Whether this call created the catalogue (false: it was there). */
  created: boolean;
  kitchens: number;
  hosts: number;
  seed: string;
}

export async function seedDemo(
  kv: Deno.Kv,
  opts: { accounts: boolean },
): Promise<DemoSeedResult> {
  const res = await seedDemoData(kv);
  await seedDemoCompliance(kv, await demoKitchens(kv));
  // The demo bookings are the demo renter's, so they come with the accounts.
  if (opts.accounts) {
    await seedDemoAccounts(kv);
    await seedDemoBookings(kv);
    await seedDemoSaved(kv);
    // The demo renter and host's conversations, one of them on a booking.
    await seedDemoMessages(kv);
    await seedDemoReviews(kv);
  }
  return { ...res, seed: DEMO_SEED };
}
