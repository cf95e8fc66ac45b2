/**
 * The listing editor with the city's rules: saving the location works out
 * the permit standing again (another city asks for other permits), and the
 * hours section warns about weekly hours inside the city's quiet hours.
 */
import { saveListingSection } from "../bookings/listing_edit.ts";
import {
  type Editor,
  type EditSection,
  getListingFor,
  type Listing,
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
