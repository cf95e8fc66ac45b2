/**
 * When a verified document's reminders and expiry fall due (issue 10 §4):
 * the job payloads and the plan of delayed jobs a verification sets up,
 * apart from the jobs' handlers (expiry.ts), so the document repo can add
 * them to its atomic without importing the handlers that read through it.
 */
import { z } from "zod";
import { keys } from "../db/keys.ts";
import { addJob } from "../jobs/outbox.ts";
import { localDate } from "../kitchens/schema.ts";
import {
  expiresAt,
  REMINDER_DAYS,
  reminderDates,
  RENTER_DOCUMENT_ZONE,
} from "./review.ts";
import type { ComplianceDocument } from "./schema.ts";
import { DOCUMENT_EXPIRY_JOB, DOCUMENT_REMINDER_JOB } from "../job_names.ts";

/**
 * A renter has no city, so their documents expire at the end of the expiry
 * date in America/Los_Angeles: the latest-ending zone among our eight cities,
 * so a renter document is never expired before its date has ended in any of
 * them.
 */
export const RENTER_EXPIRY_ZONE = RENTER_DOCUMENT_ZONE;

/** Reminders go out at this local time, not at midnight. */
export const REMINDER_LOCAL_TIME = "09:00";

const documentId = z.string().min(1).max(64);

export const documentReminderPayload = z.object({
  documentId,
  expiryDate: localDate,
  daysBefore: z.union(REMINDER_DAYS.map((d) => z.literal(d))),
});
export type DocumentReminderPayload = z.infer<typeof documentReminderPayload>;

export const documentExpiryPayload = z.object({
  documentId,
  expiryDate: localDate,
});
export type DocumentExpiryPayload = z.infer<typeof documentExpiryPayload>;

export interface PlannedJob {
  id: string;
  type: typeof DOCUMENT_REMINDER_JOB | typeof DOCUMENT_EXPIRY_JOB;
  runAt: number;
  payload: DocumentReminderPayload | DocumentExpiryPayload;
}

/** 09:00 on a local date in `timeZone`, as an instant. */
export function reminderAt(date: string, timeZone: string): number {
  return Temporal.PlainDate.from(date).toZonedDateTime({
    timeZone,
    plainTime: Temporal.PlainTime.from(REMINDER_LOCAL_TIME),
  }).epochMilliseconds;
}

/**
 * The delayed jobs of a document just verified: a reminder at 09:00 local on
 * each reminder date still ahead of `now`, and the expiry at the end of the
 * expiry date. Pure.
 *
 * The ids end with the verification time: a document verified again with
 * the same expiry date (after a renewal request) gets new jobs rather than a
 * clash with ones still waiting, which would fail the staff decision's
 * atomic. The stale ones find nothing to do, and a reminder's effect is keyed
 * on (document, days before, expiry date), so the holder hears once.
 *
 * @example
 * expiryJobPlan({ id, expiryDate: "2027-03-31", reviewedAt: now }, "America/Chicago", now)
 * // reminders on 2027-03-01, 03-24 and 03-30 at 09:00 in Chicago; the expiry at 2027-04-01T00:00 there
 */
export function expiryJobPlan(
  doc: Pick<ComplianceDocument, "id" | "expiryDate" | "reviewedAt">,
  timeZone: string,
  now: number,
): PlannedJob[] {
  const version = doc.reviewedAt ?? now;
  const jobs: PlannedJob[] = [];
  for (const { daysBefore, date } of reminderDates(doc.expiryDate)) {
    const runAt = reminderAt(date, timeZone);
    if (runAt <= now) continue;
    jobs.push({
      id:
        `document-reminder:${doc.id}:${daysBefore}:${doc.expiryDate}:${version}`,
      type: DOCUMENT_REMINDER_JOB,
      runAt,
      payload: { documentId: doc.id, expiryDate: doc.expiryDate, daysBefore },
    });
  }
  jobs.push({
    id: `document-expiry:${doc.id}:${doc.expiryDate}:${version}`,
    type: DOCUMENT_EXPIRY_JOB,
    runAt: expiresAt(doc.expiryDate, timeZone),
    payload: { documentId: doc.id, expiryDate: doc.expiryDate },
  });
  return jobs;
}

/**
 * Adds to the atomic that verifies `doc` its reminder and expiry jobs and its
 * entry in the staff's "expiring soon" index.
 */
export function addExpiryJobs(
  atomic: Deno.AtomicOperation,
  doc: ComplianceDocument,
  timeZone: string,
  now: number,
  wake: boolean,
): void {
  if (doc.status !== "verified") {
    throw new RangeError(`Expiry jobs are for verified documents only`);
  }
  for (const job of expiryJobPlan(doc, timeZone, now)) {
    addJob(atomic, job, { now, wake });
  }
  atomic.set(keys.documentExpiring(doc.expiryDate, doc.id), doc.id);
}
