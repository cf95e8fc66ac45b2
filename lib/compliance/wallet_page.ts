/** What the renter's wallet page (/account/compliance) shows. */
import type { RenterProfile } from "../accounts/business_profile.ts";
import { getRenterProfile } from "../accounts/repo.ts";
import { listDocumentsFor } from "./repo.ts";
import type { ComplianceDocument } from "./schema.ts";

/**
 * The renter's documents, newest first, and their saved business profile;
 * `withProfile: false` skips reading the profile when the page shows a
 * refused profile form instead.
 */
export async function loadWallet(
  kv: Deno.Kv,
  userId: string,
  withProfile = true,
): Promise<{ documents: ComplianceDocument[]; profile: RenterProfile | null }> {
  const [documents, profile] = await Promise.all([
    listDocumentsFor(kv, { kind: "renter", id: userId }),
    withProfile ? getRenterProfile(kv, userId) : null,
  ]);
  return { documents: documents.reverse(), profile };
}
