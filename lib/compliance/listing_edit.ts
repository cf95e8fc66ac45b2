/**
 * The listing editor with the city's rules: saving the location works out
 * the permit standing again (another city asks for other permits), and the
 * hours section warns about weekly hours inside the city's quiet hours.
 */
import { getUser } from "../accounts/repo.ts";
import { saveListingSection } from "../bookings/listing_edit.ts";
import { publishContextFor } from "../hosts/publish.ts";
import {
  type Editor,
  type EditSection,
  getListingFor,
  type Listing,
  type PublishContext,
  publishListing,
  type PublishProblem,
  publishProblems,
} from "../kitchens/listings.ts";
import { quietHoursWarnings } from "./quiet_hours.ts";
import { findCity } from "../cities.ts";
import { listDocumentsFor, refreshPermitStanding } from "./repo.ts";
import { RENTER_DOCUMENT_ZONE } from "./review.ts";
import { RULE_PACKS, type RulePack, rulePackFor } from "./rules.ts";
import type { ComplianceDocument } from "./schema.ts";

/** Warnings the city's rules give about a section as saved. */
export function cityWarnings(listing: Listing, section: string): string[] {
  const city = listing.values.address?.city;
  if (section !== "hours" || !city) return [];
  return quietHoursWarnings(
    rulePackFor(city),
    listing.values.weeklyHours ?? [],
  );
}

/** A section of a listing to edit, with the city's warnings about it. */
export async function openSection(
  kv: Deno.Kv,
  id: string,
  editor: Editor,
  section: string,
): Promise<{ listing: Listing; warnings: string[] }> {
  const listing = await getListingFor(kv, id, editor);
  return { listing, warnings: cityWarnings(listing, section) };
}

/** Saves a section; warnings from bookings first, then the city's. */
export async function saveSectionWithRules(
  kv: Deno.Kv,
  id: string,
  editor: Editor,
  section: EditSection,
  input: unknown,
  now: number,
): Promise<{ listing: Listing; warnings: string[] }> {
  const saved = await saveListingSection(kv, id, editor, section, input, now);
  if (section === "location") await refreshPermitStanding(kv, id, now);
  return {
    listing: section === "location"
      ? await getListingFor(kv, id, editor)
      : saved.listing,
    warnings: [...saved.warnings, ...cityWarnings(saved.listing, section)],
  };
}

type Payments = PublishContext["payments"];

/**
 * What publishing checks about the listing's host (their email and
 * payouts), read fresh: the host's, also when an admin is looking.
 */
async function hostContext(
  kv: Deno.Kv,
  listing: Listing,
  payments: Payments,
): Promise<PublishContext> {
  const host = await getUser(kv, listing.hostId);
  return await publishContextFor(kv, {
    id: listing.hostId,
    emailVerifiedAt: host?.emailVerifiedAt ?? null,
  }, payments);
}

/** A listing and what still stands in the way of publishing it (/host/kitchens/:id). */
export async function loadListingOverview(
  kv: Deno.Kv,
  id: string,
  viewer: Editor,
  payments: Payments,
): Promise<{ listing: Listing; problems: PublishProblem[] }> {
  const listing = await getListingFor(kv, id, viewer);
  const ctx = await hostContext(kv, listing, payments);
  return { listing, problems: publishProblems(listing, ctx) };
}

/** Publishes a listing, judged by its host's email and payouts, whoever publishes. */
export async function publishListingFor(
  kv: Deno.Kv,
  id: string,
  editor: Editor,
  payments: Payments,
  now: number,
): Promise<Listing> {
  const listing = await getListingFor(kv, id, editor, { write: true });
  const ctx = await hostContext(kv, listing, payments);
  return await publishListing(kv, id, editor, ctx, now);
}

/** What the listing editor's Permits section shows of a kitchen. */
export interface PermitsView {
  /** Null until the listing has a city. */
  pack: RulePack | null;
  documents: ComplianceDocument[];
  /** Where the kitchen's documents expire: its own zone, or its city's. */
  timeZone: string;
}

/** The kitchen's city rules and documents, for the Permits section. */
export async function permitsView(
  kv: Deno.Kv,
  listing: Listing,
): Promise<PermitsView> {
  const city = listing.values.address?.city;
  const pack = city && Object.hasOwn(RULE_PACKS, city)
    ? rulePackFor(city)
    : null;
  return {
    pack,
    documents: await listDocumentsFor(kv, { kind: "kitchen", id: listing.id }),
    timeZone: listing.values.timeZone ??
      (city ? findCity(city)?.timeZone : undefined) ?? RENTER_DOCUMENT_ZONE,
  };
}
