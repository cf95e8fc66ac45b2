/**
 * Where a renter's document stands, in one pure function, so the kitchen
 * page's requirements, the review page and the wallet say the same thing
 * in the same words (issue 17 §2): missing, in review ("usually within a
 * working day"), verified, expiring, expired, rejected (with the reason),
 * renewal requested, or on file but short of the city's rule (a
 * certificate's limit too low).
 *
 * A requirement is met by any one of its kinds (a food handler card or a
 * food manager certificate); its state is the best its documents reach.
 * With `until` (a booking's end), "verified" means valid until then, as the
 * verdict judges it; a document that lapses before is "expiring".
 */
import { formatCents } from "../money.ts";
import { formatDateYear } from "../format.ts";
import { insuranceRequirement, trainingRequirement } from "./city_guide.ts";
import { effectiveStatus, expiresAt, RENTER_DOCUMENT_ZONE } from "./review.ts";
import type { RulePack } from "./rules.ts";
import {
  type ComplianceDocument,
  DOCUMENT_KIND_NAMES,
  type RenterDocumentKind,
} from "./schema.ts";
import { certificateFaults, type InsuranceCode } from "./verdict.ts";

export const DOCUMENT_STATES = [
  "missing",
  "in_review",
  "verified",
  "expiring",
  "expired",
  "rejected",
  "renewal_requested",
  "not_enough",
] as const;
export type DocumentStateName = typeof DOCUMENT_STATES[number];

/** A document's (or a requirement's) state, with the words every page shows. */
export interface DocumentState {
  state: DocumentStateName;
  /** Short: "In review", "Verified". */
  label: string;
  /** One sentence: what it means, and what to do if anything. */
  detail: string;
  /** Whether it meets the requirement now (or until `until`). */
  ok: boolean;
}

/** What a city asks of a renter, one line each. */
export interface Requirement {
  /** "Liability insurance of at least $1,000,000 per occurrence and …". */
  label: string;
  /** Any one of these kinds meets it. */
  kinds: readonly RenterDocumentKind[];
  /**
   * Why a document of the right kind still falls short (a certificate's
   * limits), as clauses ("its aggregate limit is below $2,000,000"); none
   * when it does not.
   */
  faults?: (doc: ComplianceDocument) => string[];
}

export interface StateClock {
  now: number;
  /** The instant a document must stay valid until (a booking's end). */
  until?: number;
  /** The zone `until` is judged in (the kitchen's); the renter's zone otherwise. */
  untilZone?: string;
}

/** Days before expiry from which a verified document reads as "expiring". */
export const EXPIRING_DAYS = 30;

export const IN_REVIEW_DETAIL =
  "Prep is checking it, usually within a working day.";

const LABELS: Record<DocumentStateName, string> = {
  missing: "Missing",
  in_review: "In review",
  verified: "Verified",
  expiring: "Expiring",
  expired: "Expired",
  rejected: "Rejected",
  renewal_requested: "Renewal requested",
  not_enough: "Does not meet the rule",
};

function make(
  state: DocumentStateName,
  detail: string,
  ok: boolean,
): DocumentState {
  return { state, label: LABELS[state], detail, ok };
}

/** Why the holder was last turned down or asked to renew. */
function lastReason(d: ComplianceDocument): string | null {
  const last = d.history[d.history.length - 1];
  return last && (last.to === "rejected" || last.to === "renewal_requested")
    ? last.reason
    : null;
}

/** "Not accepted: the name is unreadable." with the sentence closed. */
function withReason(lead: string, reason: string | null, then: string) {
  if (!reason) return `${lead}. ${then}`;
  const closed = /[.!?]$/.test(reason) ? reason : `${reason}.`;
  return `${lead}: ${closed} ${then}`;
}

/**
 * The state of one document at `at.now` (and, with `at.until`, whether it
 * lasts until then). `faults` are the ways it falls short of a rule.
 */
export function stateOfDocument(
  doc: ComplianceDocument,
  at: StateClock,
  faults: readonly string[] = [],
): DocumentState {
  const status = effectiveStatus(doc, at.now, RENTER_DOCUMENT_ZONE);
  const expiry = formatDateYear(doc.expiryDate);
  const short = faults.length > 0
    ? `${faults.join("; ")}. Upload one that meets the rule.`
    : "";
  const capital = short && `${short[0].toUpperCase()}${short.slice(1)}`;
  switch (status) {
    case "pending":
      return faults.length > 0
        ? make("not_enough", `In review, but ${short}`, false)
        : make("in_review", IN_REVIEW_DETAIL, false);
    case "verified": {
      if (faults.length > 0) return make("not_enough", capital, false);
      const zone = at.untilZone ?? RENTER_DOCUMENT_ZONE;
      const ends = expiresAt(doc.expiryDate, zone);
      if (at.until !== undefined && ends < at.until) {
        return make(
          "expiring",
          `Expires ${expiry}, before this booking ends. Upload a newer one.`,
          false,
        );
      }
      if (ends - at.now <= EXPIRING_DAYS * 24 * 3600_000) {
        return make(
          "expiring",
          `Verified until ${expiry}. Upload a newer one before then.`,
          true,
        );
      }
      return make("verified", `Verified until ${expiry}.`, true);
    }
    case "expired":
      return make("expired", `Expired on ${expiry}. Upload a new one.`, false);
    case "rejected":
      return make(
        "rejected",
        withReason("Not accepted", lastReason(doc), "Upload a new one."),
        false,
      );
    case "renewal_requested":
      return make(
        "renewal_requested",
        withReason(
          "Prep asked for a newer one",
          lastReason(doc),
          "Upload it to keep booking.",
        ),
        false,
      );
  }
}

/**
 * Which of two states a renter would rather have: one that meets the
 * requirement, then the closest to meeting it. Among equals, the first.
 */
const RANK: Record<DocumentStateName, number> = {
  verified: 0,
  expiring: 1,
  in_review: 2,
  not_enough: 3,
  renewal_requested: 4,
  rejected: 5,
  expired: 6,
  missing: 7,
};

function better(a: DocumentState, b: DocumentState): boolean {
  if (a.ok !== b.ok) return a.ok;
  return RANK[a.state] < RANK[b.state];
}

/**
 * Where a requirement stands among a renter's documents: the best state of
 * any document of its kinds, or "missing". Documents superseded by a later
 * decided one of the same kind (an old rejection after a newer upload)
 * are left out, so an old refusal never outranks what is on file now.
 */
export function documentState(
  docs: readonly ComplianceDocument[],
  requirement: Pick<Requirement, "kinds" | "faults">,
  at: StateClock,
): DocumentState {
  let best: DocumentState | null = null;
  for (const kind of requirement.kinds) {
    const ofKind = docs.filter((d) => d.kind === kind).sort((a, b) =>
      b.createdAt - a.createdAt
    );
    // The newest decided document ends the story of older refusals; older
    // verified ones still count (the verdict keeps them while a newer one
    // is reviewed, and judges every verified certificate).
    const newestDecided = ofKind.findIndex((d) => d.status !== "pending");
    for (const [i, doc] of ofKind.entries()) {
      const refused = doc.status !== "pending" && doc.status !== "verified";
      if (refused && newestDecided >= 0 && i > newestDecided) continue;
      const state = stateOfDocument(doc, at, requirement.faults?.(doc) ?? []);
      if (!best || better(state, best)) best = state;
    }
  }
  return best ?? make("missing", "Not uploaded yet.", false);
}

const FAULT_WORDS: Record<InsuranceCode, (pack: RulePack) => string> = {
  "insurance.liability.min": (p) =>
    `its per-occurrence limit is below ${
      formatCents(p.insurance.perOccurrenceMinCents)
    }`,
  "insurance.aggregate.min": (p) =>
    `its aggregate limit is below ${
      formatCents(p.insurance.aggregateMinCents)
    }`,
  "insurance.additional_insured.mismatch": (p) =>
    `it must name "${p.insurance.additionalInsured}" as additional insured`,
};

/** What `pack`'s city asks of a renter, with or without employees. */
export function renterRequirements(
  pack: RulePack,
  profile: { hasEmployees: boolean },
): Requirement[] {
  const out: Requirement[] = [
    {
      label: insuranceRequirement(pack),
      kinds: ["liability_insurance"],
      faults: (doc) => {
        const coi = doc.insurance;
        if (!coi) return [];
        const codes = certificateFaults(pack.insurance, {
          perOccurrenceCents: coi.perOccurrenceCents,
          aggregateCents: coi.aggregateCents,
          additionalInsured: coi.additionalInsured ?? undefined,
        });
        return codes.map((c) => FAULT_WORDS[c](pack));
      },
    },
    { label: trainingRequirement(pack), kinds: pack.training },
  ];
  if (pack.insurance.workersCompIfEmployees && profile.hasEmployees) {
    out.push({
      label:
        `${DOCUMENT_KIND_NAMES.workers_comp} (your business has employees)`,
      kinds: ["workers_comp"],
    });
  }
  return out;
}

/** A requirement with where the renter stands on it. */
export interface RequirementState extends DocumentState {
  requirement: string;
}

/** Each of `pack`'s requirements and its state among `docs`. */
export function requirementStates(
  pack: RulePack,
  profile: { hasEmployees: boolean },
  docs: readonly ComplianceDocument[],
  at: StateClock,
): RequirementState[] {
  return renterRequirements(pack, profile).map((r) => ({
    requirement: r.label,
    ...documentState(docs, r, at),
  }));
}
