/**
 * What the renter's wallet page (/account/compliance) shows: their
 * documents with each one's state, their business profile, and what each
 * city and each of their upcoming or pending bookings (and the booking they
 * were about to make) needs, with links back to those bookings. States come
 * from document_state.ts, as on the kitchen and review pages.
 */
import type { RenterProfile } from "../accounts/business_profile.ts";
import { getRenterProfile } from "../accounts/repo.ts";
import {
  type ContinueCard,
  currentDraft,
  reviewPath,
} from "../bookings/drafts.ts";
import { requestedInterval } from "../bookings/holds.ts";
import { listBookingsByRenter } from "../bookings/repo.ts";
import type { Booking } from "../bookings/schema.ts";
import { findCity } from "../cities.ts";
import { formatTimeRange } from "../format.ts";
import { getKitchen } from "../kitchens/repo.ts";
import {
  type DocumentState,
  type RequirementState,
  requirementStates,
  stateOfDocument,
} from "./document_state.ts";
import { listDocumentsFor } from "./repo.ts";
import { CITY_SLUGS, rulePackFor } from "./rules.ts";
import type { ComplianceDocument } from "./schema.ts";

/** A booking (or the one being made) and what it needs, linked back to. */
export interface BookingNeeds {
  href: string;
  kitchenTitle: string;
  /** "Thu, Dec 10, 9:00 AM - 1:00 PM". */
  when: string;
  /** "Waiting for payment", "Your documents are being checked"… */
  status: string;
  needs: RequirementState[];
}

export interface CityNeeds {
  city: string;
  cityName: string;
  needs: RequirementState[];
  /** Every requirement met now. */
  ready: boolean;
}

export interface WalletView {
  /** Newest first, each with its state now. */
  documents: { doc: ComplianceDocument; state: DocumentState }[];
  profile: RenterProfile | null;
  /** The booking the renter was about to make (their draft), with what it needs. */
  draft: (BookingNeeds & { card: ContinueCard }) | null;
  bookings: BookingNeeds[];
  cities: CityNeeds[];
}

/** Upcoming bookings listed with what they need. */
const BOOKINGS_SHOWN = 10;

const LIVE: Partial<Record<Booking["status"], string>> = {
  held: "Waiting for payment",
  requested: "Waiting for the host to accept",
  confirmed: "Confirmed",
  scheduled: "Booked: charged 3 days before",
};

function statusOf(b: Booking): string {
  return b.status === "requested" && b.waitingFor === "documents"
    ? "Your documents are being checked"
    : LIVE[b.status]!;
}

/**
 * The wallet of `userId` at `now`; `withProfile: false` skips reading the
 * profile when the page shows a refused profile form instead (what cities
 * need is then judged as without employees).
 */
export async function loadWallet(
  kv: Deno.Kv,
  userId: string,
  now: number,
  withProfile = true,
): Promise<WalletView> {
  const [stored, profile, draft, all] = await Promise.all([
    listDocumentsFor(kv, { kind: "renter", id: userId }),
    withProfile ? getRenterProfile(kv, userId) : null,
    currentDraft(kv, userId, now),
    listBookingsByRenter(kv, userId, 50),
  ]);
  const who = { hasEmployees: profile?.hasEmployees ?? false };
  const needsOf = (city: string, end?: number, zone?: string) =>
    requirementStates(rulePackFor(city), who, stored, {
      now,
      until: end,
      untilZone: zone,
    });

  let draftView: WalletView["draft"] = null;
  if (draft) {
    const kitchen = await getKitchen(kv, draft.kitchen);
    if (kitchen?.status === "published") {
      const { start, end } = requestedInterval(kitchen, draft);
      if (start > now) {
        const when = formatTimeRange(kitchen.timeZone, start, end);
        const href = reviewPath(draft);
        draftView = {
          href,
          kitchenTitle: kitchen.title,
          when,
          status: "Not booked yet",
          needs: needsOf(kitchen.address.city, end, kitchen.timeZone),
          card: { href, kitchenTitle: kitchen.title, when },
        };
      }
    }
  }

  const live = all.filter((b) =>
    LIVE[b.status] !== undefined && b.end > now &&
    (b.status !== "held" || (b.holdExpiresAt ?? 0) > now)
  ).sort((a, z) => a.start - z.start).slice(0, BOOKINGS_SHOWN);
  const bookings: BookingNeeds[] = [];
  for (const b of live) {
    const kitchen = await getKitchen(kv, b.kitchenId);
    if (!kitchen) continue;
    bookings.push({
      href: `/bookings/${b.id}`,
      kitchenTitle: kitchen.title,
      when: formatTimeRange(b.timeZone, b.start, b.end),
      status: statusOf(b),
      needs: needsOf(kitchen.address.city, b.end, b.timeZone),
    });
  }

  const cities = CITY_SLUGS.map((city): CityNeeds => {
    const needs = needsOf(city);
    return {
      city,
      cityName: findCity(city)?.name ?? rulePackFor(city).cityName,
      needs,
      ready: needs.every((n) => n.ok),
    };
  });

  return {
    documents: [...stored].reverse().map((doc) => ({
      doc,
      state: stateOfDocument(doc, { now }),
    })),
    profile,
    draft: draftView,
    bookings,
    cities,
  };
}

/**
 * Where a renter goes after uploading a document: back to the booking they
 * were about to make once everything it needs is on file (verified or in
 * review), where they can request the hours; otherwise the wallet, which
 * says what is still missing.
 */
export async function pathAfterUpload(
  kv: Deno.Kv,
  userId: string,
  now: number,
): Promise<string> {
  const wallet = "/account/compliance?notice=uploaded";
  const [draft, docs, profile] = await Promise.all([
    currentDraft(kv, userId, now),
    listDocumentsFor(kv, { kind: "renter", id: userId }),
    getRenterProfile(kv, userId),
  ]);
  if (!draft) return wallet;
  const kitchen = await getKitchen(kv, draft.kitchen);
  if (kitchen?.status !== "published") return wallet;
  const { start, end } = requestedInterval(kitchen, draft);
  if (start <= now) return wallet;
  const needs = requirementStates(
    rulePackFor(kitchen.address.city),
    { hasEmployees: profile?.hasEmployees ?? false },
    docs,
    { now, until: end, untilZone: kitchen.timeZone },
  );
  const onFile = needs.every((n) => n.ok || n.state === "in_review");
  return onFile ? `${reviewPath(draft)}&notice=uploaded` : wallet;
}
