/**
 * A kitchen's public page with the city's rules applied: the picker's hours
 * without quiet hours, why a kitchen out of search for its permits takes no
 * bookings, when a permit lapsing ahead stops them, and what the city asks
 * of the kitchen and of the renter, with whether the signed-in renter has
 * it on file.
 */
import { viewRenterProfile } from "../accounts/repo.ts";
import { ValidationError } from "../errors.ts";
import {
  addDays,
  type WeekDay,
  weekSlots,
  weekStart,
} from "../kitchens/free_time.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import { type KitchenPage, loadKitchenPage } from "../kitchens/pages.ts";
import {
  type DocumentState,
  documentState,
  renterRequirements,
} from "./document_state.ts";
import { clampDate } from "../kitchens/week_view.ts";
import {
  type KitchenPageQuery,
  type KitchenPick,
  parseKitchenPick,
  type PickedHours,
  pickedHours,
} from "../kitchens/pick.ts";
import { withoutQuietHours } from "./quiet_hours.ts";
import { viewWallet } from "./repo.ts";
import { rulePackFor } from "./rules.ts";
import type { SavedState } from "../saved/schema.ts";
import { savedStateFor } from "../saved/saving.ts";
import { type ComplianceDocument, DOCUMENT_KIND_NAMES } from "./schema.ts";
import {
  notBookableReason,
  permitLapseNote,
  requiredKitchenKinds,
} from "./standing.ts";

export interface RenterRequirement {
  label: string;
  /** Where the signed-in renter stands on it (document_state.ts); null when nobody is signed in. */
  state: DocumentState | null;
}

export interface CityRequirements {
  cityName: string;
  /** The permits the city requires of the kitchen; listed kitchens have them all verified. */
  kitchenPermits: string[];
  renter: RenterRequirement[];
  quietHours: { start: string; end: string } | null;
}

/** The kitchen page's data, its hours filtered by the city's quiet hours. */
export async function loadCityKitchenPage(
  kv: Deno.Kv,
  id: string,
  dateParam: string | undefined,
  now: number,
): Promise<KitchenPage> {
  const data = await loadKitchenPage(kv, id, dateParam, now);
  const pack = rulePackFor(data.kitchen.address.city);
  return {
    ...data,
    slots: withoutQuietHours(
      pack,
      data.kitchen.timeZone,
      data.slots,
      data.kitchen.minHours,
    ),
  };
}

/** What the kitchen page tells renters about booking, beside its hours. */
export interface BookingNotes {
  /** Why the kitchen takes no bookings now, in renter terms; null when it does. */
  notBookable: string | null;
  /** When a required permit lapses inside the booking window, the picker's note. */
  permitLapse: string | null;
}

/** What the public kitchen page adds to its hours: the pick it opens on and the week around it. */
export interface KitchenPagePicks {
  /** The date and hours the page was asked for, as links to other days carry them. */
  pick: KitchenPick;
  /** The start and length the picker opens with (issue 17 §6). */
  picked: PickedHours;
  /**
   * Seven days from the Monday of the shown date (or, outside the booking
   * window, of the window's nearest date), without quiet hours; none when
   * not bookable.
   */
  week: WeekDay[];
}

/**
 * The kitchen page for `query` (a date, and the hours a search brought),
 * and the city's requirements as they stand for `viewerId`. Hours that do
 * not read are a ValidationError once the kitchen is found.
 */
export async function loadKitchenPageFor(
  kv: Deno.Kv,
  id: string,
  query: Partial<KitchenPageQuery>,
  now: number,
  viewerId: string | null,
): Promise<
  & KitchenPage
  & BookingNotes
  & KitchenPagePicks
  & {
    requirements: CityRequirements;
    saved: SavedState;
    /** The viewer's documents, for the page's viewer slots; null for a visitor. */
    viewerDocuments: ViewerDocuments | null;
  }
> {
  const data = await loadCityKitchenPage(kv, id, query.date, now);
  const read = parseKitchenPick(query);
  if (!read.ok) {
    throw new ValidationError(
      read.errors,
      `Pick valid hours. ${
        Object.values(read.errors).map((m) => `${m}.`).join(" ")
      }`,
    );
  }
  const { kitchen: k, today } = data;
  const [week, documents, saved] = await Promise.all([
    data.bookable ? cityWeek(kv, data, now) : [],
    viewerId ? loadViewerDocuments(kv, viewerId) : null,
    savedStateFor(kv, viewerId, id),
  ]);
  return {
    ...data,
    saved,
    viewerDocuments: documents,
    pick: read.pick,
    picked: pickedHours(k, data.date, data.slots, read.pick, data),
    week,
    notBookable: data.bookable ? null : notBookableReason(k.permits),
    permitLapse: permitLapseNote(
      k.permits,
      today,
      addDays(today, k.bookingWindowDays),
    ),
    // As for a visitor: where the viewer stands is the page's viewer slot
    // (renterNeeds), and nothing of theirs may reach the rest of the page.
    requirements: cityRequirements(data.kitchen, null, false, now),
  };
}

/** A signed-in renter's documents and whether their business has employees (it adds a requirement). */
export interface ViewerDocuments {
  docs: readonly ComplianceDocument[];
  hasEmployees: boolean;
}

/** The renter's documents as pages show them (through the read cache). */
export async function loadViewerDocuments(
  kv: Deno.Kv,
  renterId: string,
): Promise<ViewerDocuments> {
  const [docs, profile] = await Promise.all([
    viewWallet(kv, renterId),
    viewRenterProfile(kv, renterId),
  ]);
  return { docs, hasEmployees: profile?.hasEmployees ?? false };
}

/**
 * What a kitchen in `city` asks of the renter, and where the viewer stands
 * on each (null states for a visitor): the kitchen page's viewer slot.
 */
export function renterNeeds(
  city: string,
  documents: ViewerDocuments | null,
  now: number,
): RenterRequirement[] {
  const kitchen = { address: { city } };
  return (documents
    ? memoRequirements(kitchen, documents.docs, documents.hasEmployees, now)
    : cityRequirements(kitchen, null, false, now)).renter;
}

/**
 * Quiet-hour filtered weeks by the week they came from: weekSlots hands out
 * the same array while its memo holds, and that array belongs to one
 * kitchen record (so one city and minimum), so the filtering is done once.
 */
const quietWeeks = new WeakMap<readonly WeekDay[], WeekDay[]>();

/** The week around the page's date, its hours filtered by the city's quiet hours as the day's are. */
async function cityWeek(
  kv: Deno.Kv,
  data: KitchenPage,
  now: number,
): Promise<WeekDay[]> {
  const k = data.kitchen;
  const first = weekStart(clampDate(data.date, data));
  const days = await weekSlots(kv, k, first, data, now);
  let week = quietWeeks.get(days);
  if (!week) {
    const pack = rulePackFor(k.address.city);
    week = days.map((d) => ({
      ...d,
      starts: withoutQuietHours(pack, k.timeZone, d.starts, k.minHours),
    }));
    quietWeeks.set(days, week);
  }
  return week;
}

/**
 * Requirements per cached wallet (the read cache hands out the same array
 * until the wallet changes or five seconds pass), city, employees and
 * minute: a signed-in renter browsing kitchens pays for them once.
 */
const requirementMemo = new WeakMap<
  readonly ComplianceDocument[],
  Map<string, CityRequirements>
>();

function memoRequirements(
  kitchen: { address: Pick<Kitchen["address"], "city"> },
  docs: readonly ComplianceDocument[],
  hasEmployees: boolean,
  now: number,
): CityRequirements {
  let byKey = requirementMemo.get(docs);
  if (!byKey) {
    byKey = new Map();
    requirementMemo.set(docs, byKey);
  }
  const key = `${kitchen.address.city}|${hasEmployees}|${
    Math.floor(now / 60_000)
  }`;
  let found = byKey.get(key);
  if (!found) {
    if (byKey.size > 64) byKey.clear();
    found = cityRequirements(kitchen, docs, hasEmployees, now);
    byKey.set(key, found);
  }
  return found;
}

/**
 * What the kitchen's city requires, and for a signed-in renter (their
 * documents given) whether each is verified and unexpired today.
 */
export function cityRequirements(
  kitchen: { address: Pick<Kitchen["address"], "city"> },
  docs: readonly ComplianceDocument[] | null,
  hasEmployees: boolean,
  now: number,
): CityRequirements {
  const pack = rulePackFor(kitchen.address.city);
  const renter: RenterRequirement[] = renterRequirements(pack, {
    hasEmployees,
  }).map((r) => ({
    label: r.label,
    state: docs ? documentState(docs, r, { now }) : null,
  }));
  return {
    cityName: pack.cityName,
    kitchenPermits: requiredKitchenKinds(pack).map((k) =>
      DOCUMENT_KIND_NAMES[k]
    ),
    renter,
    quietHours: pack.quietHours,
  };
}
