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
import { refreshPermitStanding } from "./repo.ts";
import { rulePackFor } from "./rules.ts";

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
