/**
 * What the listing editor's overview and preview pages show
 * (/host/kitchens/:id and /host/kitchens/:id/preview).
 */
import { ValidationError } from "../errors.ts";
import {
  getListingFor,
  type Listing,
  publishProblems,
} from "../kitchens/listings.ts";
import { newKitchen } from "../kitchens/repo.ts";
import { type Kitchen, kitchenInput } from "../kitchens/schema.ts";
import { publishContextFor } from "./publish.ts";
import { getHost } from "./repo.ts";
import type { Host } from "./schema.ts";

type Viewer = Parameters<typeof publishContextFor>[1] & {
  roles: readonly string[];
};

/** A listing and what still stands in the way of publishing it. */
export async function loadListingOverview(
  kv: Deno.Kv,
  id: string,
  user: Viewer,
  payments: "stripe" | "demo" | "off",
): Promise<{ listing: Listing; problems: string[] }> {
  const listing = await getListingFor(kv, id, user);
  const ctx = await publishContextFor(kv, user, payments);
  return { listing, problems: publishProblems(listing, ctx) };
}

/**
 * The public page as it will look; a draft that is not complete cannot be
 * previewed (a ValidationError saying so).
 */
export async function loadListingPreview(
  kv: Deno.Kv,
  id: string,
  user: Viewer,
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
