/**
 * What the listing editor's preview page shows (/host/kitchens/:id/preview).
 * The overview, which judges the host's email and payouts, is in
 * lib/compliance/listing_edit.ts.
 */
import { ValidationError } from "../errors.ts";
import { type Editor, getListingFor } from "../kitchens/listings.ts";
import { newKitchen } from "../kitchens/repo.ts";
import { type Kitchen, kitchenInput } from "../kitchens/schema.ts";
import { getHost } from "./repo.ts";
import type { Host } from "./schema.ts";

/**
 * The public page as it will look; a draft that is not complete cannot be
 * previewed (a ValidationError saying so).
 */
export async function loadListingPreview(
  kv: Deno.Kv,
  id: string,
  user: Editor,
): Promise<{ kitchen: Kitchen; host: Host | null }> {
  const listing = await getListingFor(kv, id, user);
  const whole = kitchenInput.safeParse(listing.values);
  if (!whole.success) {
    throw new ValidationError(
      {},
      "Finish every section to see a preview of the public page.",
    );
  }
  const kitchen = listing.kitchen ??
    newKitchen(listing.hostId, whole.data, { id: listing.id });
  return { kitchen, host: await getHost(kv, listing.hostId) };
}
