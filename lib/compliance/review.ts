/**
 * The staff review of compliance documents (shared/reference/compliance.md
 * §2) as a pure state machine, plus the rules that read a holder's documents:
 * expiry, the current document of a kind, the holder's aggregate status and
 * the reminder schedule. Every status change goes through `review` or
 * `expireIfDue`; callers save the result (with its audit entry and
 * notifications) in one atomic that checks the versionstamp they read, so of
 * two staff acting at once the second re-reads and gets the conflict here.
 *
 *   pending           --verify-->          verified
 *   pending           --reject-->          rejected
 *   pending           --request_renewal--> renewal_requested
 *   renewal_requested --verify-->          verified
 *   renewal_requested --reject-->          rejected
 *   verified          --request_renewal--> renewal_requested
 *   rejected          --verify-->          verified
 *   expired           --verify-->          verified
 *   expired           --request_renewal--> renewal_requested
 *   verified          (end of the expiry date, in the holder's zone) expired
 *
 * Nothing leads back to `pending`: a pending document has never been decided.
 */
import { ConflictError, ValidationError } from "../errors.ts";
import { formatDateYear } from "../format.ts";
import { localDate } from "../kitchens/schema.ts";
import { optionalText, REASON_MAX_CHARS, text } from "../text.ts";
import {
  type ComplianceDocument,
  type DocumentKind,
  type DocumentStatus,
  type DocumentUpload,
  type HistoryEntry,
  type HolderRef,
  REVIEW_ACTIONS,
  type ReviewAction,
} from "./schema.ts";

/** §2's table as data: the status each allowed action leads to. */
export const REVIEW_TRANSITIONS: Readonly<
  Record<
    DocumentStatus,
    Readonly<Partial<Record<ReviewAction, DocumentStatus>>>
  >
> = {
  pending: {
    verify: "verified",
    reject: "rejected",
    request_renewal: "renewal_requested",
  },
  renewal_requested: { verify: "verified", reject: "rejected" },
  verified: { request_renewal: "renewal_requested" },
  rejected: { verify: "verified" },
  expired: { verify: "verified", request_renewal: "renewal_requested" },
};

const STATUS_PHRASES: Record<DocumentStatus, string> = {
  pending: "is waiting for review",
  verified: "is already verified",
  rejected: "was rejected",
  expired: "has expired",
  renewal_requested: "is already waiting for a renewal",
};

const ACTION_PHRASES: Record<ReviewAction, string> = {
  verify: "be verified",
  reject: "be rejected",
  request_renewal: "have a renewal requested",
};

/** The status an action would lead to from any state that allows it. */
const ACTION_TARGETS: Record<ReviewAction, DocumentStatus> = {
  verify: "verified",
  reject: "rejected",
  request_renewal: "renewal_requested",
};

/**
 * A review action the document's status does not allow. A 409: usually two
 * staff decided the same document at once, and the page should say so.
 */
export class ReviewConflictError extends ConflictError {
  constructor(readonly from: DocumentStatus, readonly action: ReviewAction) {
    const again = ACTION_TARGETS[action] === from ? " again" : "";
    super(
      `This document ${STATUS_PHRASES[from]}; it cannot ${
        ACTION_PHRASES[action]
      }${again}.`,
    );
  }
}

/** Whether staff may take `action` on a document in `status`. */
export function canReview(
  status: DocumentStatus,
  action: ReviewAction,
): boolean {
  return REVIEW_TRANSITIONS[status][action] !== undefined;
}

/** The actions allowed in `status`, in `REVIEW_ACTIONS` order (for the buttons). */
export function allowedActions(status: DocumentStatus): ReviewAction[] {
  return REVIEW_ACTIONS.filter((a) => canReview(status, a));
}

export interface ReviewOptions {
  reviewerId: string;
  /**
   * Shown to the holder (in the notification and the document's history):
   * why it was rejected (required), or what a renewal needs.
   */
  reason?: string;
  /** Staff-only; appended to the document's notes, never shown to the holder. */
  note?: string;
  /** Verify only: the expiry date staff read on the document. */
  correctedExpiry?: string;
  now: number;
  /**
   * The holder's zone, for refusing to verify a document whose expiry date
   * has already ended. Without it the check uses the last zone on Earth to
   * finish a date (UTC−12), so only a certainly-ended date is refused.
   */
  timeZone?: string;
}

const rejectionReason = text({
  label: "a reason for the rejection",
  max: REASON_MAX_CHARS,
  multiline: true,
});
const optionalReason = optionalText({
  label: "a reason",
  max: REASON_MAX_CHARS,
  multiline: true,
});
/** A staff note on a document, never shown to its holder. */
export const STAFF_NOTE_MAX_CHARS = 2000;

const staffNoteText = optionalText({
  label: "a note",
  max: STAFF_NOTE_MAX_CHARS,
  multiline: true,
});

/**
 * The document after a staff action: new status, reviewer and time, a
 * history entry, and the staff note if one was written. Throws a
 * ReviewConflictError when the status does not allow the action, and a
 * ValidationError (field `reason`, `expiryDate` or `note`) for bad input.
 *
 * @example
 * review(doc, "reject", { reviewerId, reason: "The name does not match", now })
 * review(verifiedDoc, "verify", { reviewerId, now }) // throws: "This document is already verified; it cannot be verified again."
 */
export function review(
  doc: ComplianceDocument,
  action: ReviewAction,
  opts: ReviewOptions,
): ComplianceDocument {
  const next = REVIEW_TRANSITIONS[doc.status][action];
  if (next === undefined) throw new ReviewConflictError(doc.status, action);

  const issues: Record<string, string> = {};
  const reasonRead = (action === "reject" ? rejectionReason : optionalReason)
    .safeParse(opts.reason ?? "");
  if (!reasonRead.success) issues.reason = reasonRead.error.issues[0].message;
  const noteRead = staffNoteText.safeParse(opts.note ?? "");
  if (!noteRead.success) issues.note = noteRead.error.issues[0].message;

  let expiryDate = doc.expiryDate;
  if (opts.correctedExpiry !== undefined) {
    const corrected = localDate.safeParse(opts.correctedExpiry.trim());
    if (action !== "verify") {
      issues.expiryDate = "Only a verification can correct the expiry date";
    } else if (!corrected.success) {
      issues.expiryDate = "Enter the expiry date as a date like 2026-12-31";
    } else if (corrected.data < doc.issueDate) {
      issues.expiryDate =
        `The expiry date must be on or after the issue date, ${doc.issueDate}`;
    } else {
      expiryDate = corrected.data;
    }
  }
  if (
    action === "verify" && issues.expiryDate === undefined &&
    expiresAt(expiryDate, opts.timeZone ?? LAST_ZONE) <= opts.now
  ) {
    issues.expiryDate = `This document expired on ${expiryDate}. Correct ` +
      "the expiry date, or request a renewal.";
  }
  if (Object.keys(issues).length > 0) throw new ValidationError(issues);

  const reason = reasonRead.data ?? null;
  const note = noteRead.data ?? null;
  const entry: HistoryEntry = {
    at: opts.now,
    by: opts.reviewerId,
    action,
    from: doc.status,
    to: next,
    reason,
    expiryCorrected: expiryDate === doc.expiryDate
      ? null
      : { from: doc.expiryDate, to: expiryDate },
  };
  return {
    ...doc,
    status: next,
    expiryDate,
    reviewerId: opts.reviewerId,
    reviewedAt: opts.now,
    staffNotes: note === null
      ? doc.staffNotes
      : [...doc.staffNotes, { at: opts.now, by: opts.reviewerId, text: note }],
    history: [...doc.history, entry],
    updatedAt: opts.now,
  };
}

/**
 * A new document as uploaded: pending, with its upload in the history. The
 * caller has checked the file and parsed the form with `uploadForm`.
 */
export function newDocument(input: {
  id: string;
  holder: HolderRef;
  fileId: string;
  upload: DocumentUpload;
  uploadedBy: string;
  now: number;
}): ComplianceDocument {
  const { upload, now } = input;
  return {
    v: 1,
    id: input.id,
    holder: { ...input.holder },
    kind: upload.kind,
    fileId: input.fileId,
    number: upload.number,
    authority: upload.authority,
    issueDate: upload.issueDate,
    expiryDate: upload.expiryDate,
    insurance: upload.insurance,
    inspection: upload.inspection,
    greaseService: upload.greaseService,
    certification: upload.certification,
    status: "pending",
    reviewerId: null,
    reviewedAt: null,
    staffNotes: [],
    history: [{
      at: now,
      by: input.uploadedBy,
      action: "upload",
      from: null,
      to: "pending",
      reason: null,
      expiryCorrected: null,
    }],
    createdAt: now,
    updatedAt: now,
  };
}

// ---------------------------------------------------------------------------
// Expiry

/**
 * The zone a renter's documents expire in: renters have no city, so the
 * latest-ending of our cities' zones, and a renter's document never lapses
 * before its date has ended wherever they book. (Kitchens use their own.)
 */
export const RENTER_DOCUMENT_ZONE = "America/Los_Angeles";

/** UTC−12: the last place where a given date ends. */
const LAST_ZONE = "Etc/GMT+12";

/** The instant a document dated to expire on `expiryDate` expires: the next local midnight in `timeZone`. */
export function expiresAt(expiryDate: string, timeZone: string): number {
  return Temporal.PlainDate.from(expiryDate).add({ days: 1 })
    .toZonedDateTime({ timeZone }).epochMilliseconds;
}

/**
 * Why an upload cannot be taken from its dates, or null: its expiry date
 * has ended even at UTC−12, so it is expired wherever it is used. Staff
 * could not verify it (`review`) and no booking could count it, so the
 * uploader hears it now rather than after a day's wait.
 */
export function expiredUploadMessage(
  upload: Pick<DocumentUpload, "expiryDate">,
  now: number,
): string | null {
  return expiresAt(upload.expiryDate, LAST_ZONE) <= now
    ? `This document expired on ${
      formatDateYear(upload.expiryDate)
    }. Upload the current one: Prep can only accept documents that are still valid.`
    : null;
}

/** Whether the document's expiry date has ended at `now` in `timeZone`, whatever its status. */
export function isPastExpiry(
  doc: Pick<ComplianceDocument, "expiryDate">,
  now: number,
  timeZone: string,
): boolean {
  return expiresAt(doc.expiryDate, timeZone) <= now;
}

/**
 * The document with a verified status turned `expired` once its expiry date
 * has ended in `timeZone` (the kitchen's, or the renter's city's); any other
 * document, or one not yet due, is returned as it is (the same object).
 */
export function expireIfDue(
  doc: ComplianceDocument,
  now: number,
  timeZone: string,
): ComplianceDocument {
  if (doc.status !== "verified" || !isPastExpiry(doc, now, timeZone)) {
    return doc;
  }
  return {
    ...doc,
    status: "expired",
    history: [...doc.history, {
      at: now,
      by: null,
      action: "expire",
      from: "verified",
      to: "expired",
      reason: null,
      expiryCorrected: null,
    }],
    updatedAt: now,
  };
}

/** The status the document has at `now`, counting an expiry the job has not yet recorded. */
export function effectiveStatus(
  doc: ComplianceDocument,
  now: number,
  timeZone: string,
): DocumentStatus {
  return expireIfDue(doc, now, timeZone).status;
}

// ---------------------------------------------------------------------------
// A holder's documents

/**
 * Still awaiting a first decision: pending, or a renewal asked for before it
 * was ever verified. Such an upload leaves the document it replaces in force.
 */
function awaitingDecision(doc: ComplianceDocument): boolean {
  return doc.status === "pending" ||
    (doc.status === "renewal_requested" &&
      !doc.history.some((h) => h.to === "verified"));
}

function assertOneHolder(docs: readonly ComplianceDocument[]): void {
  const first = docs[0]?.holder;
  if (
    first &&
    docs.some((d) => d.holder.kind !== first.kind || d.holder.id !== first.id)
  ) {
    throw new RangeError("Documents of more than one holder");
  }
}

/**
 * The current document of `kind` among one holder's documents (§1): the
 * latest upload, except that while it awaits its first decision the document
 * it replaces stays current, if that one is verified and not past its expiry
 * at `now`. Once the new one is decided (verified or rejected) it is current.
 * Returned as stored: apply `expireIfDue` or `effectiveStatus` for its status
 * at `now`. Without `timeZone`, expiry is judged at UTC−12 (see `review`).
 */
export function currentDocument(
  docs: readonly ComplianceDocument[],
  kind: DocumentKind,
  now: number,
  timeZone: string = LAST_ZONE,
): ComplianceDocument | null {
  assertOneHolder(docs);
  const ofKind = docs.filter((d) => d.kind === kind).sort((a, b) =>
    a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
  let current: ComplianceDocument | null = null;
  for (const doc of ofKind) {
    const keepPrevious = current !== null && awaitingDecision(doc) &&
      current.status === "verified" && !isPastExpiry(current, now, timeZone);
    if (!keepPrevious) current = doc;
  }
  return current;
}

export const AGGREGATE_STATUSES = [
  "pending",
  "verified",
  "expired",
  "partial",
] as const;
export type AggregateStatus = typeof AGGREGATE_STATUSES[number];

/**
 * A holder's overall standing (§2), from the current document of each
 * required kind at `now`: no documents at all → pending; every required kind
 * verified → verified; any pending or awaiting renewal → pending; any expired
 * → expired; otherwise (rejected or missing) → partial.
 */
export function aggregateStatus(
  requiredKinds: readonly DocumentKind[],
  docs: readonly ComplianceDocument[],
  now: number,
  timeZone: string,
): AggregateStatus {
  if (docs.length === 0) return "pending";
  const statuses = requiredKinds.map((kind) => {
    const doc = currentDocument(docs, kind, now, timeZone);
    return doc ? effectiveStatus(doc, now, timeZone) : null;
  });
  if (statuses.every((s) => s === "verified")) return "verified";
  if (statuses.some((s) => s === "pending" || s === "renewal_requested")) {
    return "pending";
  }
  if (statuses.some((s) => s === "expired")) return "expired";
  return "partial";
}

// ---------------------------------------------------------------------------
// Reminders

/** Days before the expiry date on which the holder is reminded. */
export const REMINDER_DAYS = [30, 7, 1] as const;

export interface ReminderDate {
  daysBefore: typeof REMINDER_DAYS[number];
  /** "YYYY-MM-DD", local to the holder. */
  date: string;
}

/**
 * The local dates to remind the holder on, earliest first.
 *
 * @example
 * reminderDates("2026-03-31") // [{ daysBefore: 30, date: "2026-03-01" }, { 7, "2026-03-24" }, { 1, "2026-03-30" }]
 */
export function reminderDates(expiryDate: string): ReminderDate[] {
  const expiry = Temporal.PlainDate.from(localDate.parse(expiryDate));
  return REMINDER_DAYS.map((daysBefore) => ({
    daysBefore,
    date: expiry.subtract({ days: daysBefore }).toString(),
  }));
}
