/**
 * The city's rules as the hold applies them (DESIGN §12): the verdict of
 * verdict.ts over the kitchen's permits and the renter's wallet as stored
 * now, and the city's fees as quote lines. The hold checks the permit
 * standing and wallet version it read, so a document decided meanwhile
 * makes it start again from a fresh read.
 */
import { renterProfileOf } from "../accounts/business_profile.ts";
import { getRenterProfileEntry } from "../accounts/repo.ts";
import { isBlockRef } from "../bookings/blocks.ts";
import { getBlocks } from "../bookings/repo.ts";
import { type CalendarClaim, isLiveClaim } from "../bookings/day_claims.ts";
import type {
  AssessInput,
  Assessment,
  BookingPolicy,
} from "../bookings/holds.ts";
import { getPermitStandingEntry } from "../kitchens/repo.ts";
import { localInstant } from "../kitchens/free_time.ts";
import { requirementStates } from "./document_state.ts";
import { cityFeeLines } from "./fees.ts";
import { getWalletVersionEntry, listDocumentsFor } from "./repo.ts";
import { RENTER_DOCUMENT_ZONE } from "./review.ts";
import { rulePackFor } from "./rules.ts";
import type { ComplianceDocument } from "./schema.ts";
import { verdictPermits, verdictWallet } from "./standing.ts";
import { type CalendarEntry, verdict, type VerdictRenter } from "./verdict.ts";

/**
 * The inspections and maintenance windows among the host's blocks on the
 * booking's calendar days (the days its claim and buffer touch).
 */
async function scheduledEntries(
  kv: Deno.Kv,
  kitchenId: string,
  days: AssessInput["days"],
): Promise<CalendarEntry[]> {
  const ids = new Set(
    days.flatMap((d) =>
      d.doc.claims.filter((c) => isBlockRef(c.ref)).map((c) =>
        c.ref.slice("block:".length)
      )
    ),
  );
  if (ids.size === 0) return [];
  const blocks = await getBlocks(kv, kitchenId, [...ids]);
  const out: CalendarEntry[] = [];
  for (const b of blocks) {
    if (b.kind === "inspection" || b.kind === "maintenance") {
      out.push({ kind: b.kind, start: b.start, end: b.end });
    }
  }
  return out;
}

/** Hours of bookings (not host blocks) held or taken inside [from, to). */
export function bookedHours(
  claims: readonly CalendarClaim[],
  from: number,
  to: number,
  now: number,
): number {
  let ms = 0;
  for (const c of claims) {
    if (isBlockRef(c.ref) || !isLiveClaim(c, now)) continue;
    ms += Math.max(0, Math.min(c.end, to) - Math.max(c.start, from));
  }
  return ms / 3600_000;
}

/** A visitor not signed in: judged as having nothing on file, their side left out. */
const NOBODY: VerdictRenter = {
  hasEmployees: false,
  needsAccessible: false,
  wallet: [],
};

/** Reason codes about the renter, left out when there is no renter to judge. */
const RENTER_CODES = /^(insurance|training|ada)\./;

/** Denies a renewed document of the renter's would lift (a standing booking's later dates wait for one). */
const RENTER_DOCUMENT_CODES = /^(insurance|training)\./;

export async function assessBooking(
  kv: Deno.Kv,
  input: AssessInput,
): Promise<Assessment> {
  const { kitchen, renterId, interval, now } = input;
  const pack = rulePackFor(kitchen.address.city);
  const zone = kitchen.timeZone;
  const holder = { kind: "kitchen" as const, id: kitchen.id };
  const [standing, kitchenDocs, wallet, profile, renterDocs] = await Promise
    .all([
      getPermitStandingEntry(kv, kitchen.id),
      listDocumentsFor(kv, holder),
      renterId ? getWalletVersionEntry(kv, renterId) : null,
      // Checked in the hold too: a profile saved meanwhile (employees) re-decides.
      renterId ? getRenterProfileEntry(kv, renterId) : null,
      renterId ? listDocumentsFor(kv, { kind: "renter", id: renterId }) : [],
    ]);
  const renter = profile ? renterFor(profile.value, renterDocs, now) : NOBODY;
  const calendar = await scheduledEntries(kv, kitchen.id, input.days);
  const dayStart = localInstant(zone, input.localDate, "00:00");
  const dayEnd = localInstant(zone, input.localDate, "24:00");
  const sameDay = input.days.find((d) => d.date === input.localDate);
  const judge = (who: VerdictRenter) =>
    verdict({
      pack,
      kitchen: {
        timeZone: zone,
        zoningDistrict: kitchen.zoningDistrict,
        accessible: kitchen.accessible,
        ...verdictPermits(kitchenDocs, now, zone),
      },
      renter: who,
      calendar,
      interval,
      hoursAlreadyBookedThatLocalDay: sameDay
        ? bookedHours(sameDay.doc.claims, dayStart, dayEnd, now)
        : 0,
      now,
    });
  const v = judge(renter);
  const denies =
    (renterId ? v.denies : v.denies.filter((r) => !RENTER_CODES.test(r.code)))
      .map((r) =>
        RENTER_DOCUMENT_CODES.test(r.code) ? { ...r, renterDocument: true } : r
      );
  const conditions = renterId
    ? v.conditions
    : v.conditions.filter((r) => !RENTER_CODES.test(r.code));
  const assessment: Assessment = {
    decision: denies.length > 0
      ? "DENY"
      : conditions.length > 0
      ? "ALLOW_WITH_CONDITIONS"
      : "ALLOW",
    denies,
    conditions,
    checks: wallet && profile ? [standing, wallet, profile] : [standing],
  };
  if (!profile) return assessment;
  const hasEmployees = renterProfileOf(profile.value).hasEmployees;
  assessment.documents = requirementStates(
    pack,
    { hasEmployees },
    renterDocs,
    { now, until: interval.end, untilZone: zone },
  );
  // Would verifying what is in review allow it? Then only those documents
  // stand in the way, and the renter may request the hours meanwhile.
  if (denies.length > 0 && renterDocs.some((d) => d.status === "pending")) {
    const once = judge(renterFor(profile.value, asIfVerified(renterDocs), now));
    if (once.denies.length === 0) {
      assessment.inReview = { conditions: once.conditions };
    }
  }
  return assessment;
}

/** A renter's documents as they would be if staff verified every one in review. */
function asIfVerified(docs: ComplianceDocument[]): ComplianceDocument[] {
  return docs.map((d) =>
    d.status === "pending" ? { ...d, status: "verified" as const } : d
  );
}

function renterFor(
  stored: unknown,
  docs: ComplianceDocument[],
  now: number,
): VerdictRenter {
  const profile = renterProfileOf(stored);
  return {
    hasEmployees: profile.hasEmployees,
    needsAccessible: profile.needsAccessible,
    ...(profile.productType ? { productType: profile.productType } : {}),
    // Judged in the kitchen's zone by the verdict; statuses at the renter's own.
    wallet: verdictWallet(docs, now, RENTER_DOCUMENT_ZONE),
  };
}

/** The policy every hold and preview applies. */
export const compliancePolicy: BookingPolicy = {
  extraLines: (kitchen, base) =>
    cityFeeLines(rulePackFor(kitchen.address.city), base),
  assess: assessBooking,
};
