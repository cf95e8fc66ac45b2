/**
 * What a compliance document adds to the staff figures (lib/metrics), as a
 * pure function of the record: repo.ts sums the difference of a write into
 * the counters in the write's own atomic, and the migration that counts
 * documents from before the figures writes each one's whole tally.
 *
 * - Waiting: the document is in the staff queue (pending or
 *   renewal_requested) now.
 * - Uploaded: one per upload in its history, in the UTC week it happened.
 * - Decided: a staff action (verify, reject, request renewal) on a document
 *   that was waiting, in the UTC week it was taken, with how long the
 *   document had waited since it last entered the queue (as queue.ts's
 *   `waitingSince` tells it) in a bounded histogram.
 *
 * Pure.
 */
import {
  addTo,
  ALL,
  countKey,
  decisionWaitBucket,
  diffTally,
  type Tally,
  utcWeekOf,
} from "../metrics/schema.ts";
import {
  type ComplianceDocument,
  type DocumentStatus,
  REVIEW_ACTIONS,
} from "./schema.ts";

const QUEUED: ReadonlySet<DocumentStatus> = new Set([
  "pending",
  "renewal_requested",
]);
const DECISIONS: ReadonlySet<string> = new Set(REVIEW_ACTIONS);

export type CountedDocument = Pick<
  ComplianceDocument,
  "status" | "history" | "createdAt"
>;

/** A document's whole contribution to the figures. */
export function documentTally(d: CountedDocument): Tally {
  const t: Tally = new Map();
  if (QUEUED.has(d.status)) {
    addTo(t, countKey(ALL, "now", "documents_waiting"), 1);
  }
  let since = d.createdAt;
  for (const h of d.history) {
    const week = utcWeekOf(h.at);
    if (h.action === "upload") {
      addTo(t, countKey(ALL, week, "documents_uploaded"), 1);
    } else if (DECISIONS.has(h.action) && h.from && QUEUED.has(h.from)) {
      addTo(t, countKey(ALL, week, "documents_decided"), 1);
      const bucket = decisionWaitBucket(h.at - since);
      addTo(t, countKey(ALL, week, `decision_wait_${bucket}`), 1);
    }
    if (QUEUED.has(h.to)) since = h.at;
  }
  return t;
}

/** What a write of a document changes in the figures (`before` null for a new one). */
export function documentTallyChange(
  before: CountedDocument | null,
  after: CountedDocument,
): Tally {
  return diffTally(
    documentTally(after),
    before ? documentTally(before) : new Map(),
  );
}
