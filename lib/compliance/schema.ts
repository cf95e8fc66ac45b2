/**
 * Compliance documents (shared/reference/compliance.md §1): the kinds a
 * kitchen and a renter hold, the stored record, and what a holder submits.
 * The review workflow over these records is in `review.ts`; the federal
 * certifiers behind the `*_certificate` kinds are in `certifiers.ts`.
 */
import { z } from "zod";
import { localDate } from "../kitchens/schema.ts";
import { optionalText, text } from "../text.ts";
import {
  FEDERAL_SCOPE_IDS,
  type FederalScope,
  scopeLabel,
} from "./certifiers.ts";

export const HOLDER_KINDS = ["kitchen", "renter"] as const;
export type HolderKind = typeof HOLDER_KINDS[number];

/** Permits a host uploads about a kitchen. */
export const KITCHEN_DOCUMENT_KINDS = [
  "health_permit",
  "fire_safety",
  "business_license",
  "shared_kitchen",
  "ventilation",
  "commissary",
  "tfe",
  "liability_insurance",
  "community_notice",
  "neighborhood_notice",
  "grease_service",
  "inspection_report",
] as const;

/** Certificates of a federal scope, one kind per scope of §5. */
export const FEDERAL_CERTIFICATE_KINDS = [
  "pchf_certificate",
  "pcaf_certificate",
  "produce_safety_certificate",
  "seafood_haccp_certificate",
  "juice_haccp_certificate",
  "lacf_certificate",
  "acidified_foods_certificate",
  "infant_formula_certificate",
] as const;
export type FederalCertificateKind = typeof FEDERAL_CERTIFICATE_KINDS[number];

/** What a renter keeps in their wallet about their business. */
export const RENTER_DOCUMENT_KINDS = [
  "food_handler_card",
  "food_manager_certificate",
  "business_license",
  "liability_insurance",
  "workers_comp",
  ...FEDERAL_CERTIFICATE_KINDS,
] as const;

export const DOCUMENT_KINDS = [
  ...KITCHEN_DOCUMENT_KINDS,
  "food_handler_card",
  "food_manager_certificate",
  "workers_comp",
  ...FEDERAL_CERTIFICATE_KINDS,
] as const;
export type DocumentKind = typeof DOCUMENT_KINDS[number];
export type KitchenDocumentKind = typeof KITCHEN_DOCUMENT_KINDS[number];
export type RenterDocumentKind = typeof RENTER_DOCUMENT_KINDS[number];

/** The scope each federal certificate kind attests. */
export const FEDERAL_SCOPE_OF: Readonly<
  Record<FederalCertificateKind, FederalScope>
> = Object.fromEntries(
  FEDERAL_SCOPE_IDS.map((s) => [`${s}_certificate`, s]),
) as Record<FederalCertificateKind, FederalScope>;

/** What people call each kind, in the holder's and staff's pages. */
export const DOCUMENT_KIND_NAMES: Readonly<Record<DocumentKind, string>> = {
  health_permit: "Health permit",
  fire_safety: "Fire safety inspection or suppression certificate",
  business_license: "Business license",
  shared_kitchen: "Shared kitchen permit",
  ventilation: "Hood and ventilation inspection",
  commissary: "Commissary permit",
  tfe: "Temporary food establishment permit",
  liability_insurance: "Liability insurance certificate",
  community_notice: "Community notification",
  neighborhood_notice: "Neighborhood notice (300 ft, 30 days)",
  grease_service: "Grease trap service record",
  inspection_report: "Health inspection report",
  food_handler_card: "Food handler card",
  food_manager_certificate: "Food manager certificate",
  workers_comp: "Workers' compensation insurance",
  ...Object.fromEntries(
    FEDERAL_SCOPE_IDS.map((s) => [
      `${s}_certificate`,
      `${scopeLabel(s)} certificate`,
    ]),
  ) as Record<FederalCertificateKind, string>,
};

/** The kinds a holder may upload. */
export function kindsFor(holder: HolderKind): readonly DocumentKind[] {
  return holder === "kitchen" ? KITCHEN_DOCUMENT_KINDS : RENTER_DOCUMENT_KINDS;
}

export function isFederalCertificateKind(
  kind: DocumentKind,
): kind is FederalCertificateKind {
  return (FEDERAL_CERTIFICATE_KINDS as readonly string[]).includes(kind);
}

export const DOCUMENT_STATUSES = [
  "pending",
  "verified",
  "rejected",
  "expired",
  "renewal_requested",
] as const;
export type DocumentStatus = typeof DOCUMENT_STATUSES[number];
export const documentStatusSchema = z.enum(DOCUMENT_STATUSES);

/** Staff actions of §2's review table. */
export const REVIEW_ACTIONS = ["verify", "reject", "request_renewal"] as const;
export type ReviewAction = typeof REVIEW_ACTIONS[number];

/** What a history entry records: the upload, a staff action or the expiry job. */
export const HISTORY_ACTIONS = ["upload", ...REVIEW_ACTIONS, "expire"] as const;
export type HistoryAction = typeof HISTORY_ACTIONS[number];

// ---------------------------------------------------------------------------
// Fields extracted from the document

const cents = z.number().int().min(0).max(100_000_000_000);

/** The certificate of insurance (COI) of a `liability_insurance` document. */
export const insuranceFields = z.object({
  perOccurrenceCents: cents,
  aggregateCents: cents,
  namedInsured: text({ label: "the named insured", max: 300 }),
  /** The additional-insured wording, compared with a city's legal name (§3). */
  additionalInsured: text({ label: "the additional insured", max: 300 })
    .nullable(),
});
export type InsuranceFields = z.infer<typeof insuranceFields>;

export const inspectionFields = z.object({
  date: localDate,
  score: z.number().int().min(0).max(100),
  passed: z.boolean(),
});
export type InspectionFields = z.infer<typeof inspectionFields>;

export const greaseServiceFields = z.object({ date: localDate });
export type GreaseServiceFields = z.infer<typeof greaseServiceFields>;

/** Who certified a federal scope certificate, and for which scope (§5). */
export const certificationFields = z.object({
  /** As written on the certificate; `findCertificationBody` resolves it. */
  body: text({ label: "the certification body", max: 200 }),
  scope: z.enum(FEDERAL_SCOPE_IDS),
});
export type CertificationFields = z.infer<typeof certificationFields>;

export const EXTRACTED_GROUPS = [
  "insurance",
  "inspection",
  "greaseService",
  "certification",
] as const;
export type ExtractedGroup = typeof EXTRACTED_GROUPS[number];

const GROUP_WORDS: Record<ExtractedGroup, string> = {
  insurance: "insurance limits and names",
  inspection: "inspection date, score and result",
  greaseService: "service date",
  certification: "certification body and scope",
};

/** Which extracted-field group a kind has, if any. */
export function extractedFieldsOf(kind: DocumentKind): ExtractedGroup | null {
  if (kind === "liability_insurance") return "insurance";
  if (kind === "inspection_report") return "inspection";
  if (kind === "grease_service") return "greaseService";
  if (isFederalCertificateKind(kind)) return "certification";
  return null;
}

// ---------------------------------------------------------------------------
// The stored record

export const holderRef = z.object({
  kind: z.enum(HOLDER_KINDS),
  /** The kitchen's id, or the renter's user id. */
  id: z.string().min(1),
});
export type HolderRef = z.infer<typeof holderRef>;

export const historyEntry = z.object({
  at: z.number().int(),
  /** The uploader or the staff member; null for the app (the expiry job). */
  by: z.string().nullable(),
  action: z.enum(HISTORY_ACTIONS),
  from: documentStatusSchema.nullable(),
  to: documentStatusSchema,
  /** Shown to the holder: why it was rejected, what a renewal needs. */
  reason: z.string().nullable(),
  /** Staff corrected the expiry date when verifying. */
  expiryCorrected: z.object({ from: localDate, to: localDate }).nullable(),
});
export type HistoryEntry = z.infer<typeof historyEntry>;

/** Never shown to the holder. */
export const staffNote = z.object({
  at: z.number().int(),
  by: z.string().min(1),
  text: z.string().min(1),
});
export type StaffNote = z.infer<typeof staffNote>;

export const documentRecord = z.object({
  v: z.literal(1),
  id: z.string(),
  holder: holderRef,
  kind: z.enum(DOCUMENT_KINDS),
  /** The PDF, JPEG or PNG in the file store (lib/files/store.ts). */
  fileId: z.string().min(1),
  number: text({ label: "the document number", max: 100 }),
  authority: text({ label: "the issuing authority", max: 200 }),
  issueDate: localDate,
  expiryDate: localDate,
  insurance: insuranceFields.nullable(),
  inspection: inspectionFields.nullable(),
  greaseService: greaseServiceFields.nullable(),
  certification: certificationFields.nullable(),
  status: documentStatusSchema,
  /** The staff member who took the last action, and when. */
  reviewerId: z.string().nullable(),
  reviewedAt: z.number().int().nullable(),
  staffNotes: z.array(staffNote),
  history: z.array(historyEntry),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
}).superRefine((d, ctx) => {
  const kindName = DOCUMENT_KIND_NAMES[d.kind].toLowerCase();
  if (!kindsFor(d.holder.kind).includes(d.kind)) {
    ctx.addIssue({
      code: "custom",
      message: `A ${d.holder.kind} does not hold a ${kindName}`,
      path: ["kind"],
    });
  }
  if (d.expiryDate < d.issueDate) {
    ctx.addIssue({
      code: "custom",
      message: "The expiry date must be on or after the issue date",
      path: ["expiryDate"],
    });
  }
  const group = extractedFieldsOf(d.kind);
  for (const g of EXTRACTED_GROUPS) {
    if ((d[g] === null) === (g === group)) {
      ctx.addIssue({
        code: "custom",
        message: g === group
          ? `A ${kindName} needs its ${GROUP_WORDS[g]}`
          : `A ${kindName} has no ${GROUP_WORDS[g]}`,
        path: [g],
      });
    }
  }
  if (
    d.certification && isFederalCertificateKind(d.kind) &&
    d.certification.scope !== FEDERAL_SCOPE_OF[d.kind]
  ) {
    ctx.addIssue({
      code: "custom",
      message: "The scope does not match the kind of certificate",
      path: ["certification", "scope"],
    });
  }
});
export type ComplianceDocument = z.infer<typeof documentRecord>;

// ---------------------------------------------------------------------------
// The upload form

/**
 * The fields a holder posts, named by the record's paths so each message
 * lands next to its field. Every value arrives as a string (a missing one
 * reads as empty); the fields of a kind's extracted group are required for
 * that kind and ignored otherwise.
 */
const UPLOAD_FIELDS = {
  kind: z.string().default(""),
  number: z.string().default(""),
  authority: z.string().default(""),
  issueDate: z.string().default(""),
  expiryDate: z.string().default(""),
  "insurance.perOccurrenceCents": z.string().default(""),
  "insurance.aggregateCents": z.string().default(""),
  "insurance.namedInsured": z.string().default(""),
  "insurance.additionalInsured": z.string().default(""),
  "inspection.date": z.string().default(""),
  "inspection.score": z.string().default(""),
  "inspection.passed": z.string().default(""),
  "greaseService.date": z.string().default(""),
  "certification.body": z.string().default(""),
};

/** "$1,000,000", "1000000" or "1000000.00" dollars → cents. */
const dollars = (label: string) =>
  z.string().trim().transform((v) => v.replace(/^\$/, "")).pipe(
    z.string().regex(
      /^(\d{1,3}(,\d{3}){0,2}|\d{1,9})(\.\d{1,2})?$/,
      `Enter ${label} in dollars, like 1,000,000`,
    ),
  ).transform((v) => Math.round(Number(v.replaceAll(",", "")) * 100));

const documentDate = (label: string) =>
  z.string().trim().pipe(
    z.iso.date({ error: `Enter ${label} as a date like 2026-12-31` }),
  );

const UPLOAD_PARSERS = {
  number: text({ label: "the document number", max: 100 }),
  authority: text({ label: "the issuing authority", max: 200 }),
  issueDate: documentDate("the issue date"),
  expiryDate: documentDate("the expiry date"),
  "insurance.perOccurrenceCents": dollars("the per-occurrence limit"),
  "insurance.aggregateCents": dollars("the aggregate limit"),
  "insurance.namedInsured": text({ label: "the named insured", max: 300 }),
  "insurance.additionalInsured": optionalText({
    label: "the additional insured",
    max: 300,
  }),
  "inspection.date": documentDate("the inspection date"),
  "inspection.score": z.string().trim().regex(
    /^\d{1,3}$/,
    "Enter the score as a whole number from 0 to 100",
  ).transform(Number).pipe(
    z.number().max(100, "Enter the score as a whole number from 0 to 100"),
  ),
  "inspection.passed": z.enum(["pass", "fail"], "Choose pass or fail")
    .transform((v) => v === "pass"),
  "greaseService.date": documentDate("the service date"),
  "certification.body": text({ label: "the certification body", max: 200 }),
};
type UploadParsers = typeof UPLOAD_PARSERS;

/** What `uploadForm` yields: the record's holder-supplied fields. */
export interface DocumentUpload {
  kind: DocumentKind;
  number: string;
  authority: string;
  issueDate: string;
  expiryDate: string;
  insurance: InsuranceFields | null;
  inspection: InspectionFields | null;
  greaseService: GreaseServiceFields | null;
  certification: CertificationFields | null;
}

/**
 * The upload form of one holder kind: a kitchen's host picks among the
 * kitchen permits, a renter among the wallet kinds. The file itself is
 * checked separately (type from bytes, size).
 *
 * @example
 * uploadForm("renter").parse({ kind: "liability_insurance", …,
 *   "insurance.perOccurrenceCents": "$1,000,000", … }).insurance?.perOccurrenceCents // 100000000
 */
export function uploadForm(holder: HolderKind) {
  const kindSchema = z.enum(
    kindsFor(holder) as [DocumentKind, ...DocumentKind[]],
    "Choose the type of document",
  );
  return z.object(UPLOAD_FIELDS).transform((raw, ctx): DocumentUpload => {
    let failed = false;
    function field<K extends keyof UploadParsers>(
      key: K,
    ): z.output<UploadParsers[K]> {
      const parsed = UPLOAD_PARSERS[key].safeParse(raw[key]);
      if (parsed.success) return parsed.data as z.output<UploadParsers[K]>;
      failed = true;
      ctx.addIssue({
        code: "custom",
        message: parsed.error.issues[0].message,
        path: [key],
      });
      return undefined as never;
    }
    const kindParsed = kindSchema.safeParse(raw.kind);
    if (!kindParsed.success) {
      failed = true;
      ctx.addIssue({
        code: "custom",
        message: "Choose the type of document",
        path: ["kind"],
      });
    }
    const kind = kindParsed.data;
    const upload: DocumentUpload = {
      kind: kind as DocumentKind,
      number: field("number"),
      authority: field("authority"),
      issueDate: field("issueDate"),
      expiryDate: field("expiryDate"),
      insurance: null,
      inspection: null,
      greaseService: null,
      certification: null,
    };
    if (
      upload.issueDate && upload.expiryDate &&
      upload.expiryDate < upload.issueDate
    ) {
      failed = true;
      ctx.addIssue({
        code: "custom",
        message: "The expiry date must be on or after the issue date",
        path: ["expiryDate"],
      });
    }
    const group = kind ? extractedFieldsOf(kind) : null;
    if (group === "insurance") {
      upload.insurance = {
        perOccurrenceCents: field("insurance.perOccurrenceCents"),
        aggregateCents: field("insurance.aggregateCents"),
        namedInsured: field("insurance.namedInsured"),
        additionalInsured: field("insurance.additionalInsured"),
      };
      const { perOccurrenceCents: each, aggregateCents: all } =
        upload.insurance;
      if (each !== undefined && all !== undefined && all < each) {
        failed = true;
        ctx.addIssue({
          code: "custom",
          message: "The aggregate limit cannot be below the per-occurrence " +
            "limit",
          path: ["insurance.aggregateCents"],
        });
      }
    } else if (group === "inspection") {
      upload.inspection = {
        date: field("inspection.date"),
        score: field("inspection.score"),
        passed: field("inspection.passed"),
      };
    } else if (group === "greaseService") {
      upload.greaseService = { date: field("greaseService.date") };
    } else if (group === "certification" && isFederalCertificateKind(kind!)) {
      upload.certification = {
        body: field("certification.body"),
        scope: FEDERAL_SCOPE_OF[kind],
      };
    }
    return failed ? z.NEVER : upload;
  });
}
