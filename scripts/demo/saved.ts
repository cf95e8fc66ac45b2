/**
 * The demo renter's saved kitchens (renter@prep.test): a couple on the
 * list at /saved on a fresh start, so the page and the hearts have
 * something to show. Saved through lib/saved, as a heart would, an hour
 * apart so the list has an order.
 *
 * Idempotent: a marker at keys.seed(DEMO_SAVED_SEED) is written last, and
 * saving a kitchen already saved changes nothing.
 */
import { keys } from "../../lib/db/keys.ts";
import { listKitchens } from "../../lib/kitchens/repo.ts";
import { saveKitchen } from "../../lib/saved/saving.ts";
import { DEMO_ACCOUNTS } from "./accounts.ts";

export const DEMO_SAVED_SEED = "demo-saved-v1";

/** Oldest saved first: a Chicago kitchen, then one in Harlem from another host. */
export const DEMO_SAVED_TITLES: readonly string[] = [
  "Logan Square Shared Kitchen",
  "Harlem Caterers' Kitchen",
];

/** Saves the demo renter's kitchens once; the number saved, or null when already seeded. */
export async function seedDemoSaved(
  kv: Deno.Kv,
  now = Date.now(),
): Promise<number | null> {
  const marker = keys.seed(DEMO_SAVED_SEED);
  if ((await kv.get(marker)).versionstamp !== null) return null;
  const renter = DEMO_ACCOUNTS.find((a) => a.email === "renter@prep.test")!;
  const byTitle = new Map<string, string>();
  for await (const k of listKitchens(kv, null)) {
    if (DEMO_SAVED_TITLES.includes(k.title)) byTitle.set(k.title, k.id);
  }
  let saved = 0;
  for (const [i, title] of DEMO_SAVED_TITLES.entries()) {
    const id = byTitle.get(title);
    if (!id) continue;
    const at = now - (DEMO_SAVED_TITLES.length - i) * 3600_000;
    const outcome = await saveKitchen({ kv, now: at }, renter.id, id);
    if (outcome === "saved") saved++;
  }
  await kv.set(marker, { at: new Date(now).toISOString(), saved });
  return saved;
}
