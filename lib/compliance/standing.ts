/**
 * From a holder's documents to what the rest of the app needs: a kitchen's
 * permit standing (kept on the kitchen so search and holds can read it) and
 * the verdict's view of a kitchen's permits and a renter's wallet. Pure.
 */
import { formatDate, formatDateYear } from "../format.ts";
import type { PermitStanding } from "../kitchens/schema.ts";
import { currentDocument, effectiveStatus } from "./review.ts";
import type { RulePack } from "./rules.ts";
import {
  type ComplianceDocument,
  DOCUMENT_KIND_NAMES,
  type DocumentKind,
  type DocumentStatus,
  KITCHEN_DOCUMENT_KINDS,
  type KitchenDocumentKind,
  RENTER_DOCUMENT_KINDS,
  type RenterDocumentKind,
} from "./schema.ts";
import type {
  InspectionResult,
  KitchenPermit,
  WalletDocument,
} from "./verdict.ts";

/**
 * The permits a kitchen needs before it is listed: the pack's required
 * permits and, where the city always asks for one, its community notice.
 * A zoning notice only adds a condition to bookings, so it is not here.
 */
export function requiredKitchenKinds(pack: RulePack): KitchenDocumentKind[] {
  const kinds = [...pack.requiredPermits];
  if (pack.notice.when === "always") kinds.push(pack.notice.document);
  return kinds;
}

/** The renter documents a city asks for, by what the renter told us. */
export function requiredRenterKinds(
  pack: RulePack,
  profile: { hasEmployees: boolean },
): { all: RenterDocumentKind[]; anyOf: RenterDocumentKind[] } {
  const all: RenterDocumentKind[] = ["liability_insurance"];
  if (pack.insurance.workersCompIfEmployees && profile.hasEmployees) {
    all.push("workers_comp");
  }
  return { all, anyOf: [...pack.training] };
}

export interface KindStatus<K extends DocumentKind = DocumentKind> {
  kind: K;
  document: ComplianceDocument | null;
  /** At `now`, counting an expiry the job has not recorded yet; null when none. */
  status: DocumentStatus | null;
}

/** Each kind's current document and its status at `now`. */
export function statusesOf<K extends DocumentKind>(
  kinds: readonly K[],
  docs: readonly ComplianceDocument[],
  now: number,
  timeZone: string,
): KindStatus<K>[] {
  return kinds.map((kind) => {
    const document = currentDocument(docs, kind, now, timeZone);
    return {
      kind,
      document,
      status: document ? effectiveStatus(document, now, timeZone) : null,
    };
  });
}

/**
 * Whether every permit the city requires is verified and unexpired at
 * `now`, and which are not.
 */
export function permitStanding(
  pack: RulePack,
  docs: readonly ComplianceDocument[],
  now: number,
  timeZone: string,
): PermitStanding {
  const statuses = statusesOf(requiredKitchenKinds(pack), docs, now, timeZone);
  const lacking = statuses.filter((s) => s.status !== "verified");
  const missing = lacking.map((s) => s.kind);
  let firstExpiry: PermitStanding["firstExpiry"];
  for (const { kind, status, document } of statuses) {
    if (
      status === "verified" && document &&
      (!firstExpiry || document.expiryDate < firstExpiry.date)
    ) firstExpiry = { kind, date: document.expiryDate };
  }
  return {
    ok: missing.length === 0,
    missing,
    missingNames: missing.map((k) => DOCUMENT_KIND_NAMES[k]),
    missingStatuses: lacking.map((s) => s.status),
    ...(firstExpiry ? { firstExpiry } : {}),
    checkedAt: now,
  };
}

/**
 * Standings that list, book and read alike to renters are the same,
 * whenever computed: the kitchen record is rewritten (and pages showing it
 * dropped) only when one of these changes.
 */
export function sameStanding(
  a: PermitStanding | undefined | null,
  b: PermitStanding,
): boolean {
  return !!a && a.ok === b.ok && a.missing.join() === b.missing.join() &&
    (a.missingStatuses ?? []).join() === (b.missingStatuses ?? []).join() &&
    a.firstExpiry?.kind === b.firstExpiry?.kind &&
    a.firstExpiry?.date === b.firstExpiry?.date;
}

/** "health permit": a kind's name inside a sentence. */
function kindInSentence(kind: string): string {
  const name = DOCUMENT_KIND_NAMES[kind as DocumentKind] ?? "permit";
  return name[0].toLowerCase() + name.slice(1);
}

const NOT_NOW = "it is not taking bookings right now.";

/**
 * Why renters cannot book a kitchen, in their terms, from its standing; the
 * worst problem first when there are several. Null while it is bookable.
 * Staff reasons and the host's paperwork stay out: the renter needs to know
 * only that it is a permit, and whether it is likely to come back soon.
 */
export function notBookableReason(
  standing: PermitStanding | undefined | null,
): string | null {
  if (standing?.ok) return null;
  const statuses = standing?.missingStatuses;
  const missing = standing?.missing ?? [];
  const generic = `Prep is checking this kitchen's permits; ${NOT_NOW}`;
  if (!statuses || statuses.length !== missing.length || !missing.length) {
    return generic;
  }
  const kindWith = (status: string | null) => {
    const i = statuses.indexOf(status);
    return i < 0 ? null : kindInSentence(missing[i]);
  };
  const expired = kindWith("expired");
  if (expired) {
    return `This kitchen's ${expired} has expired; it is not taking bookings until Prep verifies a new one.`;
  }
  const rejected = kindWith("rejected");
  if (rejected) {
    return `This kitchen's ${rejected} could not be verified by Prep; ${NOT_NOW}`;
  }
  const absent = kindWith(null);
  if (absent) {
    return `This kitchen's ${absent} is not on file with Prep yet; ${NOT_NOW}`;
  }
  const pending = kindWith("pending");
  if (pending) {
    return `This kitchen is waiting for Prep to verify its ${pending}; ${NOT_NOW}`;
  }
  if (statuses.includes("renewal_requested")) {
    return `This kitchen is renewing a permit; ${NOT_NOW}`;
  }
  return generic;
}

/**
 * The picker's note when a required permit lapses before the booking
 * window ends ("Not bookable after Thu, Dec 24: …"); null otherwise. The
 * year is given only when it is not `today`'s.
 */
export function permitLapseNote(
  standing: PermitStanding | undefined | null,
  today: string,
  windowEnd: string,
): string | null {
  const lapse = standing?.ok ? standing.firstExpiry : undefined;
  if (!lapse || lapse.date >= windowEnd) return null;
  const day = lapse.date.slice(0, 4) === today.slice(0, 4)
    ? formatDate(lapse.date)
    : formatDateYear(lapse.date);
  return `Not bookable after ${day}: this kitchen's ${
    kindInSentence(lapse.kind)
  } expires that day.`;
}

function current<K extends DocumentKind>(
  kinds: readonly K[],
  docs: readonly ComplianceDocument[],
  now: number,
  timeZone: string,
): { kind: K; doc: ComplianceDocument }[] {
  const out: { kind: K; doc: ComplianceDocument }[] = [];
  for (const kind of kinds) {
    const doc = currentDocument(docs, kind, now, timeZone);
    if (doc) out.push({ kind, doc });
  }
  return out;
}

/** The kitchen's documents as the verdict reads them. */
export function verdictPermits(
  docs: readonly ComplianceDocument[],
  now: number,
  timeZone: string,
): {
  permits: KitchenPermit[];
  latestInspection?: InspectionResult;
  lastGreaseService?: string;
} {
  const cur = current(KITCHEN_DOCUMENT_KINDS, docs, now, timeZone);
  const verified = (d: ComplianceDocument) =>
    effectiveStatus(d, now, timeZone) === "verified";
  const inspection = cur.find((c) =>
    c.kind === "inspection_report" && verified(c.doc)
  )?.doc.inspection;
  const grease = cur.find((c) => c.kind === "grease_service" && verified(c.doc))
    ?.doc.greaseService;
  return {
    permits: cur.map(({ kind, doc }) => ({
      kind,
      status: effectiveStatus(doc, now, timeZone),
      expiresOn: doc.expiryDate,
    })),
    ...(inspection ? { latestInspection: inspection } : {}),
    ...(grease ? { lastGreaseService: grease.date } : {}),
  };
}

/**
 * The renter's wallet as the verdict reads it: the current document of each
 * kind and, besides, every other verified insurance certificate. A business
 * holds one certificate per additional insured it must name (one for San
 * Francisco, one for Seattle…), and the verdict judges the best of them.
 */
export function verdictWallet(
  docs: readonly ComplianceDocument[],
  now: number,
  timeZone: string,
): WalletDocument[] {
  const picked = current(RENTER_DOCUMENT_KINDS, docs, now, timeZone);
  const ids = new Set(picked.map((p) => p.doc.id));
  for (const doc of docs) {
    if (
      doc.kind === "liability_insurance" && !ids.has(doc.id) &&
      effectiveStatus(doc, now, timeZone) === "verified"
    ) picked.push({ kind: doc.kind, doc });
  }
  return picked.map((
    { kind, doc },
  ) => ({
    kind,
    status: effectiveStatus(doc, now, timeZone),
    expiresOn: doc.expiryDate,
    ...(doc.insurance
      ? {
        perOccurrenceCents: doc.insurance.perOccurrenceCents,
        aggregateCents: doc.insurance.aggregateCents,
        additionalInsured: doc.insurance.additionalInsured ?? undefined,
      }
      : {}),
  }));
}
