/**
 * Documents over time (shared/reference/compliance.md §2, issue 10 §4): the
 * delayed jobs a verification sets up — reminders to the holder 30, 7 and 1
 * days before the expiry date and the expiry itself at the end of that date
 * in the holder's zone — and the week-ahead check that flags a confirmed
 * booking whose renter's or kitchen's documents will have expired by its
 * start. Also the staff home's watch lists (what expires soon, flagged
 * bookings, certifier recognitions lapsing).
 *
 * Jobs are delivered at least once and may be stale by the time they run
 * (the document was renewed, re-dated or rejected meanwhile), so each
 * handler re-reads what it acts on and does nothing when the world moved on.
 */
import { formatDateYear } from "../format.ts";
import { getRenterProfile, getUser } from "../accounts/repo.ts";
import type { User } from "../accounts/schema.ts";
import { addAudit } from "../audit/repo.ts";
import { describeTimes } from "../bookings/emails.ts";
import { getBookingEntry } from "../bookings/repo.ts";
import type { Booking } from "../bookings/schema.ts";
import { keys } from "../db/keys.ts";
import { addEmail } from "../email/job.ts";
import { notificationEmail } from "../email/templates.ts";
import { isId } from "../ids.ts";
import {
  addJob,
  addJobEffect,
  type JobRecord,
  listDeadJobs,
} from "../jobs/outbox.ts";
import { getDraft, getKitchen } from "../kitchens/repo.ts";
import { addNotification } from "../notifications/repo.ts";
import {
  certifierWatch,
  directoryToday,
  type RecognitionWatch,
} from "./directory.ts";
import {
  type DocumentExpiryPayload,
  type DocumentReminderPayload,
  RENTER_EXPIRY_ZONE,
} from "./expiry_plan.ts";
import { changeDocument, listDocumentsFor } from "./repo.ts";
import { readCount } from "../metrics/repo.ts";
import { ALL } from "../metrics/schema.ts";
import {
  currentDocument,
  effectiveStatus,
  expireIfDue,
  expiresAt,
} from "./review.ts";
import { rulePackFor } from "./rules.ts";
import {
  type ComplianceDocument,
  DOCUMENT_KIND_NAMES,
  type DocumentKind,
  type HolderKind,
  type HolderRef,
} from "./schema.ts";
import { requiredKitchenKinds, requiredRenterKinds } from "./standing.ts";
import { DOCUMENT_EXPIRY_JOB } from "../job_names.ts";
import type { MailSettings } from "../email/job.ts";

const DAY_MS = 24 * 3600_000;

/** What the job and the reminder emails need besides KV. */
export interface ExpiryDeps {
  kv: Deno.Kv;
  now: number;
  mail: MailSettings;
}

// ---------------------------------------------------------------------------
// The holder

interface Holder {
  timeZone: string;
  /** The renter, or the kitchen's host; null for a kitchen that is gone. */
  ownerId: string | null;
  /** For staff: the kitchen's title or the renter's email. */
  name: string;
}

async function holderOf(kv: Deno.Kv, holder: HolderRef): Promise<Holder> {
  if (holder.kind === "renter") {
    const user = isId(holder.id) ? await getUser(kv, holder.id) : null;
    return {
      timeZone: RENTER_EXPIRY_ZONE,
      ownerId: holder.id,
      name: user?.email ?? "A deleted account",
    };
  }
  const kitchen = await getKitchen(kv, holder.id);
  if (kitchen) {
    return {
      timeZone: kitchen.timeZone,
      ownerId: kitchen.hostId,
      name: kitchen.title,
    };
  }
  const draft = await getDraft(kv, holder.id);
  return {
    // A draft saved before its location has no zone yet; the latest-ending
    // of our zones never expires it early.
    timeZone: draft?.values.timeZone ?? RENTER_EXPIRY_ZONE,
    ownerId: draft?.hostId ?? null,
    name: draft?.values.title ?? "An unnamed draft listing",
  };
}

async function userOf(kv: Deno.Kv, id: string | null): Promise<User | null> {
  return id && isId(id) ? await getUser(kv, id) : null;
}

function holderHref(holder: HolderRef): string {
  return holder.kind === "renter"
    ? "/account/compliance"
    : `/host/kitchens/${holder.id}/permits`;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

interface Message {
  subject: string;
  heading: string;
  paragraphs: string[];
  href: string;
  action: string;
  /** The kitchen's zone, where the notification's time reads; none for a renter's own papers. */
  timeZone?: string;
}

/** Emails `to` and adds the same message to their notifications. */
function tell(
  atomic: Deno.AtomicOperation,
  deps: ExpiryDeps,
  to: User,
  m: Message,
): void {
  addEmail(
    atomic,
    deps.mail,
    to.email,
    notificationEmail({
      name: to.name,
      subject: m.subject,
      heading: m.heading,
      paragraphs: m.paragraphs,
      action: {
        label: m.action,
        url: new URL(m.href, deps.mail.baseUrl).href,
      },
    }),
    deps.now,
  );
  addNotification(atomic, to.id, {
    title: m.heading,
    body: m.paragraphs.join(" "),
    href: m.href,
    timeZone: m.timeZone,
  }, deps.now);
}

function reminderMessage(
  doc: ComplianceDocument,
  daysBefore: number,
): Message {
  const kind = DOCUMENT_KIND_NAMES[doc.kind];
  const lower = kind.toLowerCase();
  const why = doc.holder.kind === "kitchen"
    ? "so your kitchen stays listed and bookable"
    : "so you can keep booking kitchens that ask for it";
  return {
    subject: `${kind} expires on ${formatDateYear(doc.expiryDate)}`,
    heading: `Your ${lower} expires in ${plural(daysBefore, "day")}`,
    paragraphs: [
      `Your ${lower} (number ${doc.number}) expires at the end of ${
        formatDateYear(doc.expiryDate)
      }.`,
      `Upload the renewed one before then, ${why}.`,
    ],
    href: holderHref(doc.holder),
    action: "Upload the renewal",
  };
}

function expiredMessage(doc: ComplianceDocument): Message {
  const kind = DOCUMENT_KIND_NAMES[doc.kind];
  const lower = kind.toLowerCase();
  const what = doc.holder.kind === "kitchen"
    ? "Until a renewed one is verified, your kitchen is out of search and takes no new bookings where the city requires it."
    : "Until a renewed one is verified, kitchens whose city requires it cannot be booked.";
  return {
    subject: `${kind} expired`,
    heading: `Your ${lower} has expired`,
    paragraphs: [
      `Your ${lower} (number ${doc.number}) expired at the end of ${
        formatDateYear(doc.expiryDate)
      }.`,
      what,
    ],
    href: holderHref(doc.holder),
    action: "Upload the renewal",
  };
}

/** Whether a newer document of the same kind is the one in force now. */
function superseded(
  docs: readonly ComplianceDocument[],
  doc: ComplianceDocument,
  now: number,
  timeZone: string,
): boolean {
  const current = currentDocument(docs, doc.kind, now, timeZone);
  return current !== null && current.id !== doc.id;
}

// ---------------------------------------------------------------------------
// The jobs

/**
 * The reminder job: emails and notifies the holder that the document expires
 * in `daysBefore` days, unless it is no longer verified, was re-dated, has a
 * newer document in force, or this reminder was already sent. Returns whether
 * it told the holder.
 */
export async function sendDocumentReminder(
  deps: ExpiryDeps,
  payload: DocumentReminderPayload,
): Promise<boolean> {
  const { kv, now } = deps;
  if (!isId(payload.documentId)) return false;
  const doc = (await kv.get<ComplianceDocument>(
    keys.document(payload.documentId),
  )).value;
  if (
    !doc || doc.status !== "verified" || doc.expiryDate !== payload.expiryDate
  ) return false;
  const holder = await holderOf(kv, doc.holder);
  if (expiresAt(doc.expiryDate, holder.timeZone) <= now) return false;
  const docs = await listDocumentsFor(kv, doc.holder);
  if (superseded(docs, doc, now, holder.timeZone)) return false;
  const owner = await userOf(kv, holder.ownerId);
  if (!owner) return false;
  // Keyed on the reminder, not the job: a re-verified document has two jobs.
  const atomic = kv.atomic();
  addJobEffect(
    atomic,
    `document-reminder:${doc.id}:${payload.daysBefore}:${doc.expiryDate}`,
    60 * DAY_MS,
  );
  tell(atomic, deps, owner, {
    ...reminderMessage(doc, payload.daysBefore),
    timeZone: doc.holder.kind === "kitchen" ? holder.timeZone : undefined,
  });
  return (await atomic.commit()).ok;
}

/**
 * The expiry job: a verified document whose expiry date has ended becomes
 * `expired`, and in the same atomic (changeDocument) the holder's standing
 * — a kitchen leaving search —, an audit entry, the "expiring" index entry's
 * removal and the holder's email and notification. A document re-dated or
 * decided otherwise meanwhile is left alone. Returns the expired document,
 * or null when there was nothing to do.
 */
export async function expireDocument(
  deps: ExpiryDeps,
  payload: DocumentExpiryPayload,
): Promise<ComplianceDocument | null> {
  const { kv, now } = deps;
  if (!isId(payload.documentId)) return null;
  const first = (await kv.get<ComplianceDocument>(
    keys.document(payload.documentId),
  )).value;
  if (!first) return null;
  const holder = await holderOf(kv, first.holder);
  const [owner, docs] = await Promise.all([
    userOf(kv, holder.ownerId),
    listDocumentsFor(kv, first.holder),
  ]);
  // A holder who already has a newer document in force needs no alarm.
  const quiet = superseded(docs, first, now, holder.timeZone);
  const expired = await changeDocument(
    kv,
    payload.documentId,
    (doc, timeZone) =>
      doc.expiryDate === payload.expiryDate
        ? expireIfDue(doc, now, timeZone)
        : doc,
    {
      now,
      extra: (atomic, before, after, h) => {
        addAudit(atomic, {
          actor: { kind: "system", id: "document-expiry" },
          action: "document.expired",
          subject: { kind: "document", id: after.id },
          details: {
            kind: after.kind,
            holderKind: after.holder.kind,
            holderId: after.holder.id,
            from: before.status,
            status: after.status,
            expiryDate: after.expiryDate,
            timeZone: h.timeZone,
          },
        }, now);
        atomic.delete(keys.documentExpiring(after.expiryDate, after.id));
        if (owner && !quiet && owner.id === h.ownerId) {
          tell(atomic, deps, owner, {
            ...expiredMessage(after),
            timeZone: h.permits?.timeZone,
          });
        }
      },
    },
  );
  if (expired) return expired;
  await rescheduleIfEarly(deps, payload);
  return null;
}

/**
 * The expiry instant was computed in the zone the kitchen had when its
 * document was verified. If the kitchen moved west since, the job ran before
 * the date ended there: schedule it again for the new end of the date.
 */
async function rescheduleIfEarly(
  deps: ExpiryDeps,
  payload: DocumentExpiryPayload,
): Promise<void> {
  const entry = await deps.kv.get<ComplianceDocument>(
    keys.document(payload.documentId),
  );
  const doc = entry.value;
  if (
    !doc || doc.status !== "verified" || doc.expiryDate !== payload.expiryDate
  ) return;
  const { timeZone } = await holderOf(deps.kv, doc.holder);
  const runAt = expiresAt(doc.expiryDate, timeZone);
  if (runAt <= deps.now) return;
  const atomic = deps.kv.atomic().check(entry);
  addJob(atomic, {
    id: `document-expiry:${doc.id}:${doc.expiryDate}@${runAt}`,
    type: DOCUMENT_EXPIRY_JOB,
    runAt,
    payload,
  }, { now: deps.now, wake: deps.mail.wake });
  // An existing job of that id already covers it.
  await atomic.commit();
}

// ---------------------------------------------------------------------------
// Bookings whose documents expire before they start

export interface DocumentAtRisk {
  holder: HolderKind;
  documentId: string;
  kind: DocumentKind;
  expiryDate: string;
  /** The instant it expires (or expired), in the booking's zone. */
  expiresAt: number;
}

/** Written once per booking, when the week-ahead check finds documents at risk. */
export interface ComplianceFlag {
  v: 1;
  bookingId: string;
  kitchenId: string;
  renterId: string;
  hostId: string;
  start: number;
  end: number;
  timeZone: string;
  documents: DocumentAtRisk[];
  flaggedAt: number;
}

/**
 * The required documents, current and verified (or already expired), whose
 * expiry falls before `start`, judged in the booking's zone as the verdict
 * judges them. Training is one-of: it is at risk only when no training
 * document stays valid through the start. A kind with no verified document
 * at all is not "expiring" and the verdict already refused it. Pure.
 */
export function documentsAtRisk(input: {
  pack: ReturnType<typeof rulePackFor>;
  kitchenDocs: readonly ComplianceDocument[];
  renterDocs: readonly ComplianceDocument[];
  hasEmployees: boolean;
  timeZone: string;
  start: number;
  now: number;
}): DocumentAtRisk[] {
  const { pack, timeZone, start, now } = input;
  const lapsing = (
    holder: HolderKind,
    docs: readonly ComplianceDocument[],
    kind: DocumentKind,
  ): DocumentAtRisk | null => {
    const doc = currentDocument(docs, kind, now, timeZone);
    if (!doc) return null;
    const status = effectiveStatus(doc, now, timeZone);
    if (status !== "verified" && status !== "expired") return null;
    const at = expiresAt(doc.expiryDate, timeZone);
    if (at > start) return null;
    return {
      holder,
      documentId: doc.id,
      kind,
      expiryDate: doc.expiryDate,
      expiresAt: at,
    };
  };
  const out: DocumentAtRisk[] = [];
  for (const kind of requiredKitchenKinds(pack)) {
    const r = lapsing("kitchen", input.kitchenDocs, kind);
    if (r) out.push(r);
  }
  const renter = requiredRenterKinds(pack, {
    hasEmployees: input.hasEmployees,
  });
  for (const kind of renter.all) {
    const r = lapsing("renter", input.renterDocs, kind);
    if (r) out.push(r);
  }
  const training = renter.anyOf.map((kind) => ({
    kind,
    risk: lapsing("renter", input.renterDocs, kind),
    doc: currentDocument(input.renterDocs, kind, now, timeZone),
  }));
  const trainingHolds = training.some((t) =>
    t.doc && t.risk === null &&
    effectiveStatus(t.doc, now, timeZone) === "verified"
  );
  if (!trainingHolds) {
    for (const t of training) if (t.risk) out.push(t.risk);
  }
  return out;
}

function lines(docs: DocumentAtRisk[], whose: string, now: number): string[] {
  return docs.map((d) => {
    const name = DOCUMENT_KIND_NAMES[d.kind].toLowerCase();
    return d.expiresAt <= now
      ? `${whose} ${name} expired at the end of ${
        formatDateYear(d.expiryDate)
      }.`
      : `${whose} ${name} expires at the end of ${
        formatDateYear(d.expiryDate)
      }.`;
  });
}

function flagMessages(
  b: Booking,
  docs: DocumentAtRisk[],
  now: number,
): { renter: Message; host: Message } {
  const kitchenDocs = docs.filter((d) => d.holder === "kitchen");
  const renterDocs = docs.filter((d) => d.holder === "renter");
  const times = describeTimes(b);
  const href = `/bookings/${b.id}`;
  return {
    renter: {
      subject: "Documents expire before your booking",
      heading: "Documents expire before your booking",
      paragraphs: [
        `Your booking for ${times} needs documents that will have expired by its start.`,
        ...lines(renterDocs, "Your", now),
        ...lines(kitchenDocs, "The kitchen's", now),
        renterDocs.length > 0
          ? "Upload the renewed documents before the booking so it can go ahead; we have let the host and our staff know."
          : "We have asked the host to renew them and let our staff know.",
      ],
      href,
      action: "See the booking",
      timeZone: b.timeZone,
    },
    host: {
      subject: "Documents expire before a booking",
      heading: "Documents expire before a booking",
      paragraphs: [
        `The booking of your kitchen for ${times} needs documents that will have expired by its start.`,
        ...lines(kitchenDocs, "Your kitchen's", now),
        ...lines(renterDocs, "The renter's", now),
        kitchenDocs.length > 0
          ? "Upload the renewed permits before the booking so it can go ahead; we have let the renter and our staff know."
          : "We have asked the renter to renew them and let our staff know.",
      ],
      href,
      action: "See the booking",
      timeZone: b.timeZone,
    },
  };
}

/**
 * The week-ahead check of a confirmed booking: if documents it needs will
 * have expired by its start, writes the flag for staff, an audit entry and
 * the renter's and host's emails and notifications in one atomic. Does
 * nothing for a booking no longer confirmed, already started or already
 * flagged. Returns the flag written, or null.
 */
export async function checkBookingCompliance(
  deps: ExpiryDeps,
  bookingId: string,
): Promise<ComplianceFlag | null> {
  const { kv, now } = deps;
  if (!isId(bookingId)) return null;
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await getBookingEntry(kv, bookingId);
    const b = entry.value;
    if (!b || b.status !== "confirmed" || b.start <= now) return null;
    const kitchen = await getKitchen(kv, b.kitchenId);
    if (!kitchen) return null;
    const [kitchenDocs, renterDocs, profile, renter, host, flagged] =
      await Promise.all([
        listDocumentsFor(kv, { kind: "kitchen", id: b.kitchenId }),
        listDocumentsFor(kv, { kind: "renter", id: b.renterId }),
        getRenterProfile(kv, b.renterId),
        userOf(kv, b.renterId),
        userOf(kv, b.hostId),
        kv.get<ComplianceFlag>(keys.complianceFlag(bookingId)),
      ]);
    if (flagged.value) return null;
    const documents = documentsAtRisk({
      pack: rulePackFor(kitchen.address.city),
      kitchenDocs,
      renterDocs,
      hasEmployees: profile.hasEmployees,
      timeZone: b.timeZone,
      start: b.start,
      now,
    });
    if (documents.length === 0) return null;
    const flag: ComplianceFlag = {
      v: 1,
      bookingId,
      kitchenId: b.kitchenId,
      renterId: b.renterId,
      hostId: b.hostId,
      start: b.start,
      end: b.end,
      timeZone: b.timeZone,
      documents,
      flaggedAt: now,
    };
    const atomic = kv.atomic()
      .check(entry)
      .check(flagged)
      .set(keys.complianceFlag(bookingId), flag);
    addAudit(atomic, {
      actor: { kind: "system", id: "booking-compliance-check" },
      action: "booking.compliance_flagged",
      subject: { kind: "booking", id: bookingId },
      details: {
        kitchenId: b.kitchenId,
        renterId: b.renterId,
        documents: documents.length,
        kinds: documents.map((d) => `${d.holder}:${d.kind}`).join(","),
        start: new Date(b.start).toISOString(),
      },
    }, now);
    const messages = flagMessages(b, documents, now);
    if (renter) tell(atomic, deps, renter, messages.renter);
    if (host) tell(atomic, deps, host, messages.host);
    if ((await atomic.commit()).ok) return flag;
  }
  throw new Error(`Booking ${bookingId} kept changing; could not check it`);
}

/** Flagged bookings for staff, the most recently booked first. */
export async function listComplianceFlags(
  kv: Deno.Kv,
  opts: { limit?: number } = {},
): Promise<ComplianceFlag[]> {
  const limit = Math.min(Math.max(1, opts.limit ?? 50), 200);
  const out: ComplianceFlag[] = [];
  for await (
    const e of kv.list<ComplianceFlag>({
      prefix: keys.complianceFlagsPrefix(),
    }, { reverse: true, limit })
  ) out.push(e.value);
  return out;
}

// ---------------------------------------------------------------------------
// The staff home

export interface ExpiringDocument {
  document: ComplianceDocument;
  /** The kitchen's title or the renter's email. */
  holderName: string;
  timeZone: string;
  expiresAt: number;
}

/** The local date of `now` in `timeZone`. */
function dateIn(now: number, timeZone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(now)
    .toZonedDateTimeISO(timeZone).toPlainDate().toString();
}

/**
 * Verified documents that expire after `now` and within `days` days, soonest
 * first, from the index `addExpiryJobs` keeps. Entries left behind by a
 * document since re-dated, renewed or decided otherwise are skipped.
 */
export async function listExpiringWithin(
  kv: Deno.Kv,
  days: number,
  now: number,
): Promise<ExpiringDocument[]> {
  const until = now + days * DAY_MS;
  // Wide enough for every zone on Earth; the exact check follows per document.
  const first = dateIn(now, "Etc/GMT+12");
  const last = Temporal.PlainDate.from(dateIn(until, "Etc/GMT-14"))
    .add({ days: 1 }).toString();
  const ids: string[] = [];
  for await (
    const e of kv.list<string>({
      start: keys.documentExpiring(first, ""),
      end: keys.documentExpiring(last, ""),
    })
  ) ids.push(e.value);
  const holders = new Map<string, Promise<Holder>>();
  const out: ExpiringDocument[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const batch = await kv.getMany<ComplianceDocument[]>(
      ids.slice(i, i + 10).map((id) => keys.document(id)),
    );
    for (const { value: doc } of batch) {
      if (!doc || doc.status !== "verified") continue;
      const ref = `${doc.holder.kind}:${doc.holder.id}`;
      if (!holders.has(ref)) holders.set(ref, holderOf(kv, doc.holder));
      const holder = await holders.get(ref)!;
      const at = expiresAt(doc.expiryDate, holder.timeZone);
      if (at <= now || at > until) continue;
      out.push({
        document: doc,
        holderName: holder.name,
        timeZone: holder.timeZone,
        expiresAt: at,
      });
    }
  }
  // One document can sit under two dates after a corrected expiry.
  const seen = new Set<string>();
  return out.filter((e) => !seen.has(e.document.id) && seen.add(e.document.id))
    .sort((a, b) => a.expiresAt - b.expiresAt);
}

/** Days ahead the staff home looks for expiring documents. */
export const EXPIRING_SOON_DAYS = 30;

export interface StaffWatch {
  expiring: ExpiringDocument[];
  flags: ComplianceFlag[];
  certifiers: RecognitionWatch;
  /** The directory's date the certifier windows count from. */
  today: string;
  dead: JobRecord[];
  /** Documents waiting for a staff decision (the figures' gauge). */
  waiting: number;
}

/** Everything the staff home watches, read at `now`; flags of bookings over are left out. */
export async function staffWatch(
  kv: Deno.Kv,
  now: number,
): Promise<StaffWatch> {
  const today = directoryToday(now);
  const [expiring, flags, certifiers, dead, waiting] = await Promise.all([
    listExpiringWithin(kv, EXPIRING_SOON_DAYS, now),
    listComplianceFlags(kv, { limit: 50 }),
    certifierWatch(kv, today),
    listDeadJobs(kv, 50),
    readCount(kv, ALL, "now", "documents_waiting"),
  ]);
  return {
    expiring,
    flags: flags.filter((f) => f.end > now),
    certifiers,
    today,
    dead,
    waiting,
  };
}
