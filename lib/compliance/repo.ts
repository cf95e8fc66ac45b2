/**
 * Compliance documents in KV (shared/reference/compliance.md §1–§2, DESIGN
 * §5): the record at `["documents", id]`, its holder's index and, while it
 * waits for staff (pending or renewal_requested), an entry in the queue
 * `["documents_queue", createdAt, id]`, oldest first.
 *
 * Uploads are decided by their bytes (file-type): only PDF, JPEG and PNG, at
 * most 10 MB, and a PDF must look whole (a `%PDF-` header and an `%%EOF`
 * near the end). The file goes to the file store owned by the uploader; the
 * record and its indexes follow in one atomic. Staff decisions re-read the
 * record, apply `review()` and write the record, the queue change, an audit
 * entry and the holder's email in one atomic checked by versionstamp: of
 * two staff acting at once one wins, and the other gets review()'s conflict.
 */
import { formatDateYear } from "../format.ts";
import { fileTypeFromBuffer } from "file-type";
import { decide, requireCapability } from "../accounts/roles.ts";
import { getUser } from "../accounts/repo.ts";
import type { SessionUser } from "../accounts/schema.ts";
import { addAudit } from "../audit/repo.ts";
import { keys } from "../db/keys.ts";
import { cached, forgetPrivate } from "../db/read_cache.ts";
import { addEmail } from "../email/job.ts";
import { notificationEmail } from "../email/templates.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { deleteFile, getFile, putFile } from "../files/store.ts";
import { isId, newId } from "../ids.ts";
import { addMetricCounts } from "../metrics/repo.ts";
import {
  addKitchenUpdate,
  addPermitStanding,
  forgetKitchen,
  getDraft,
  getKitchenEntry,
  getPermitStandingEntry,
} from "../kitchens/repo.ts";
import type { Kitchen, PermitStanding } from "../kitchens/schema.ts";
import { addNotification } from "../notifications/repo.ts";
import { type ContinueCard, loadContinueCard } from "../bookings/drafts.ts";
import { addJob } from "../jobs/outbox.ts";
import { DOCUMENTS_DECIDED_JOB } from "../job_names.ts";
import { documentTally, documentTallyChange } from "./metrics.ts";
import type { MigrationStep } from "../db/migrations/runner.ts";
import { addExpiryJobs } from "./expiry_plan.ts";
import { addPublishPrompt, type PermitChange } from "./publish_prompt.ts";
import {
  expiredUploadMessage,
  newDocument,
  RENTER_DOCUMENT_ZONE,
  review,
} from "./review.ts";
import { rulePackFor } from "./rules.ts";
import { permitStanding, sameStanding } from "./standing.ts";
import {
  type ComplianceDocument,
  DOCUMENT_KIND_NAMES,
  documentRecord,
  type DocumentStatus,
  type DocumentUpload,
  type HolderRef,
  type ReviewAction,
} from "./schema.ts";
import type { MailSettings } from "../email/job.ts";
import { fieldErrors } from "../forms.ts";

export const DOCUMENT_MAX_BYTES = 10 * 1024 * 1024;
export const DOCUMENT_PURPOSE = "compliance-document";

/** How far from the end a PDF's `%%EOF` may sit (trailing whitespace, junk). */
const PDF_EOF_WINDOW = 1024;

const ACCEPTED = "Upload a PDF, JPEG or PNG file.";

const NAMED_TYPES: Record<string, string> = {
  gif: "a GIF image",
  webp: "a WebP image",
  heic: "a HEIC photo",
  avif: "an AVIF image",
  bmp: "a BMP image",
  tif: "a TIFF image",
  xml: "an XML or SVG file",
  zip: "a ZIP archive",
  docx: "a Word document",
  apng: "an animated PNG",
};

export type DocumentFileKind = "pdf" | "jpeg" | "png";

const CONTENT_TYPES: Record<DocumentFileKind, string> = {
  pdf: "application/pdf",
  jpeg: "image/jpeg",
  png: "image/png",
};

const EXTENSIONS: Record<string, string> = {
  "application/pdf": "pdf",
  "image/jpeg": "jpg",
  "image/png": "png",
};

function refuse(message: string): ValidationError {
  return new ValidationError({ file: message }, message);
}

function megabytes(n: number): string {
  return `${Math.round(n / (1024 * 1024) * 10) / 10} MB`;
}

/**
 * What an uploaded document file is, from its bytes: a PDF, JPEG or PNG of
 * at most 10 MB; otherwise a ValidationError (field `file`) saying why.
 */
export async function inspectDocumentFile(
  bytes: Uint8Array,
): Promise<{ kind: DocumentFileKind; contentType: string }> {
  if (bytes.length === 0) throw refuse(`That file is empty. ${ACCEPTED}`);
  if (bytes.length > DOCUMENT_MAX_BYTES) {
    throw refuse(
      `That file is ${megabytes(bytes.length)}; the most is ${
        megabytes(DOCUMENT_MAX_BYTES)
      }. Save it at a smaller size and upload it again.`,
    );
  }
  const sniffed = await fileTypeFromBuffer(bytes);
  const latin1 = new TextDecoder("latin1");
  const kind: DocumentFileKind | null = sniffed?.ext === "pdf"
    ? "pdf"
    : sniffed?.ext === "jpg"
    ? "jpeg"
    : sniffed?.ext === "png"
    ? "png"
    : null;
  if (!kind) {
    const head = new TextDecoder("utf-8", { fatal: false })
      .decode(bytes.subarray(0, 1024)).replace(/^\uFEFF/, "").trimStart();
    if (!sniffed && head.startsWith("<")) {
      throw refuse(
        `That file is a web page or an SVG drawing, not a document. ${ACCEPTED}`,
      );
    }
    const what = sniffed
      ? NAMED_TYPES[sniffed.ext] ?? `a ${sniffed.ext.toUpperCase()} file`
      : "not a file type we recognise";
    throw refuse(`That file is ${what}. ${ACCEPTED}`);
  }
  if (kind === "pdf") {
    const start = latin1.decode(bytes.subarray(0, 5));
    const tail = latin1.decode(
      bytes.subarray(Math.max(0, bytes.length - PDF_EOF_WINDOW)),
    );
    if (start !== "%PDF-" || !tail.includes("%%EOF")) {
      throw refuse(
        "That PDF is damaged or incomplete, so we could not read it. " +
          "Save or export it again and upload the new copy.",
      );
    }
  }
  return { kind, contentType: CONTENT_TYPES[kind] };
}

// ---------------------------------------------------------------------------
// Who may see and upload

function isStaff(user: Pick<SessionUser, "roles"> | null): boolean {
  return decide(user as SessionUser | null, "admin:read").ok;
}

/** The user a holder's documents belong to: the renter, or the kitchen's host. */
export async function holderUserId(
  kv: Deno.Kv,
  holder: HolderRef,
): Promise<string | null> {
  if (holder.kind === "renter") return holder.id;
  if (!isId(holder.id)) return null;
  return (await kitchenHolder(kv, holder.id))?.hostId ?? null;
}

/** A kitchen as a document holder: its record once published, its draft before. */
interface KitchenHolder {
  hostId: string;
  title: string | null;
  /** Null until the host has saved the location section. */
  city: string | null;
  timeZone: string | null;
  kitchen: Deno.KvEntryMaybe<Kitchen>;
}

async function kitchenHolder(
  kv: Deno.Kv,
  id: string,
): Promise<KitchenHolder | null> {
  const [kitchen, draft] = await Promise.all([
    getKitchenEntry(kv, id),
    getDraft(kv, id),
  ]);
  if (kitchen.value) {
    const k = kitchen.value;
    return {
      hostId: k.hostId,
      title: k.title,
      city: k.address.city,
      timeZone: k.timeZone,
      kitchen,
    };
  }
  if (!draft) return null;
  const v = draft.values;
  return {
    hostId: draft.hostId,
    title: v.title ?? null,
    city: v.address?.city ?? null,
    timeZone: v.timeZone ?? null,
    kitchen,
  };
}

/** What a document change must re-check and rewrite besides the document. */
interface HolderState {
  timeZone: string;
  ownerId: string | null;
  kitchen: KitchenHolder | null;
  /** The standing or wallet-version entry every change rewrites. */
  marker: Deno.KvEntryMaybe<unknown>;
  docs: ComplianceDocument[];
}

async function holderState(
  kv: Deno.Kv,
  holder: HolderRef,
): Promise<HolderState> {
  const kitchen = holder.kind === "kitchen"
    ? await kitchenHolder(kv, holder.id)
    : null;
  // The marker first, then the list: every document change rewrites the
  // marker, so a change that lands after this read fails the check on it.
  // Read together, a list finished before the marker read could miss a
  // change whose new marker then passes the check.
  const marker = holder.kind === "kitchen"
    ? await getPermitStandingEntry(kv, holder.id)
    : await getWalletVersionEntry(kv, holder.id);
  const docs = await listDocumentsFor(kv, holder);
  return {
    timeZone: kitchen?.timeZone ?? RENTER_DOCUMENT_ZONE,
    ownerId: holder.kind === "renter" ? holder.id : kitchen?.hostId ?? null,
    kitchen,
    marker,
    docs,
  };
}

/**
 * Adds to `atomic` the holder's standing after `docs` (its documents with the
 * change applied): the standing or wallet version, checked as read, and, when
 * a published kitchen's standing changes, the kitchen record with its search
 * index entries. Returns the kitchen id whose cached copy to drop, if any.
 */
function addStanding(
  atomic: Deno.AtomicOperation,
  holder: HolderRef,
  state: HolderState,
  docs: ComplianceDocument[],
  now: number,
): string | null {
  atomic.check(state.marker);
  if (holder.kind === "renter") {
    atomic.set(keys.walletVersion(holder.id), now);
    return null;
  }
  const standing = standingOf(state, docs, now);
  addPermitStanding(atomic, holder.id, standing);
  const entry = state.kitchen?.kitchen;
  if (!entry?.value || sameStanding(entry.value.permits, standing)) {
    return null;
  }
  atomic.check(entry);
  addKitchenUpdate(atomic, entry.value, { ...entry.value, permits: standing });
  return holder.id;
}

/** A kitchen's permit standing with `docs`; never ok without a city. */
function standingOf(
  state: HolderState,
  docs: ComplianceDocument[],
  now: number,
): PermitStanding {
  const city = state.kitchen?.city;
  return city
    ? permitStanding(rulePackFor(city), docs, now, state.timeZone)
    : { ok: false, missing: [], missingNames: [], checkedAt: now };
}

/** Drops this instance's cached views of a holder after a committed change. */
function forgetHolder(
  kv: Deno.Kv,
  holder: HolderRef,
  kitchenTouched: string | null,
): void {
  if (kitchenTouched) forgetKitchen(kv, kitchenTouched);
  // A renter's documents are shown only to them (a kitchen page's viewer
  // slot): visitors' cached pages stay.
  if (holder.kind === "renter") forgetPrivate(kv, walletCacheKey(holder.id));
}

const walletCacheKey = (userId: string) => `wallet:${userId}`;

/**
 * The version of a renter's documents, bumped with every change to them,
 * as an entry: a hold checks it, so a document decided meanwhile makes the
 * booking decide again.
 */
export function getWalletVersionEntry(
  kv: Deno.Kv,
  userId: string,
): Promise<Deno.KvEntryMaybe<number>> {
  return kv.get<number>(keys.walletVersion(userId));
}

/**
 * A renter's documents as public pages show them (the kitchen page's "on
 * file"): read through the read cache, dropped by every change above.
 * Holds and staff pages read KV directly (`listDocumentsFor`).
 */
export function viewWallet(
  kv: Deno.Kv,
  userId: string,
): Promise<ComplianceDocument[]> {
  return cached(
    kv,
    walletCacheKey(userId),
    () => listDocumentsFor(kv, { kind: "renter", id: userId }),
  );
}

function replaced(
  docs: readonly ComplianceDocument[],
  doc: ComplianceDocument,
): ComplianceDocument[] {
  return [...docs.filter((d) => d.id !== doc.id), doc];
}

// ---------------------------------------------------------------------------
// Writes

/**
 * Stores an upload as a new pending document of `holder`: checks the
 * uploader owns the holder, the file's bytes and the record, then stores the
 * file (owner = uploader) and writes the record and its indexes in one
 * atomic. Nothing is stored when anything is refused.
 */
export async function addDocument(
  kv: Deno.Kv,
  input: {
    holder: HolderRef;
    upload: DocumentUpload;
    bytes: Uint8Array;
    uploadedBy: string;
    now: number;
  },
): Promise<ComplianceDocument> {
  const owner = await holderUserId(kv, input.holder);
  if (owner === null || owner !== input.uploadedBy) {
    throw new NotFoundError();
  }
  const file = await inspectDocumentFile(input.bytes);
  const id = newId();
  const fileId = newId();
  const doc = newDocument({
    id,
    holder: input.holder,
    fileId,
    upload: input.upload,
    uploadedBy: input.uploadedBy,
    now: input.now,
  });
  const checked = documentRecord.safeParse(doc);
  if (!checked.success) throw new ValidationError(fieldErrors(checked.error));
  const expired = expiredUploadMessage(input.upload, input.now);
  if (expired) throw new ValidationError({ expiryDate: expired }, expired);
  await putFile(kv, {
    id: fileId,
    bytes: input.bytes,
    contentType: file.contentType,
    owner: input.uploadedBy,
    purpose: DOCUMENT_PURPOSE,
  }, { now: input.now });
  for (let attempt = 0; attempt < 10; attempt++) {
    const state = await holderState(kv, doc.holder);
    const atomic = kv.atomic()
      .check({ key: keys.document(id), versionstamp: null })
      .set(keys.document(id), doc)
      .set(keys.documentsByHolder(doc.holder.kind, doc.holder.id, id), id)
      .set(keys.documentsQueue(doc.createdAt, id), id);
    addMetricCounts(atomic, documentTallyChange(null, doc));
    const touched = addStanding(
      atomic,
      doc.holder,
      state,
      replaced(state.docs, doc),
      input.now,
    );
    if ((await atomic.commit()).ok) {
      forgetHolder(kv, doc.holder, touched);
      return doc;
    }
  }
  await deleteFile(kv, fileId, { now: input.now });
  throw new ConflictError(
    "Your documents changed meanwhile; please upload it again.",
  );
}

/**
 * Works out a kitchen's permit standing again from its documents, after
 * something other than a document changed it (the host moved the listing
 * to another city); written like any document change.
 */
export async function refreshPermitStanding(
  kv: Deno.Kv,
  kitchenId: string,
  now: number,
): Promise<void> {
  const holder = { kind: "kitchen" as const, id: kitchenId };
  for (let attempt = 0; attempt < 10; attempt++) {
    const state = await holderState(kv, holder);
    const atomic = kv.atomic();
    const touched = addStanding(atomic, holder, state, state.docs, now);
    if ((await atomic.commit()).ok) {
      forgetHolder(kv, holder, touched);
      return;
    }
  }
  throw new ConflictError("This kitchen kept changing; please try again.");
}

/**
 * Changes one document: re-reads it and its holder, applies `change` (the
 * same object back means no change: nothing is written and null returned),
 * and writes the document, its queue entry, the holder's standing (a kitchen
 * leaving or joining search) and whatever `extra` adds, in one atomic
 * checked by versionstamp; a lost race starts again from a fresh read.
 */
export async function changeDocument(
  kv: Deno.Kv,
  id: string,
  change: (doc: ComplianceDocument, timeZone: string) => ComplianceDocument,
  opts: {
    now: number;
    extra?: (
      atomic: Deno.AtomicOperation,
      before: ComplianceDocument,
      after: ComplianceDocument,
      holder: {
        ownerId: string | null;
        timeZone: string;
        /** A kitchen's permits before and after the change; null for renters. */
        permits: PermitChange | null;
      },
    ) => void;
  },
): Promise<ComplianceDocument | null> {
  if (!isId(id)) throw new NotFoundError();
  for (let attempt = 0; attempt < 10; attempt++) {
    const entry = await kv.get<ComplianceDocument>(keys.document(id));
    const doc = entry.value;
    if (!doc) return null;
    const state = await holderState(kv, doc.holder);
    const next = change(doc, state.timeZone);
    if (next === doc) return null;
    const atomic = kv.atomic().check(entry).set(entry.key, next);
    addMetricCounts(atomic, documentTallyChange(doc, next));
    const queueKey = keys.documentsQueue(doc.createdAt, id);
    if (IN_QUEUE.has(doc.status) && !IN_QUEUE.has(next.status)) {
      atomic.delete(queueKey);
    } else if (!IN_QUEUE.has(doc.status) && IN_QUEUE.has(next.status)) {
      atomic.set(queueKey, id);
    }
    const docs = replaced(state.docs, next);
    const touched = addStanding(atomic, doc.holder, state, docs, opts.now);
    opts.extra?.(atomic, doc, next, {
      ownerId: state.ownerId,
      timeZone: state.timeZone,
      permits: state.kitchen
        ? {
          kitchenId: doc.holder.id,
          title: state.kitchen.title,
          city: state.kitchen.city,
          status: state.kitchen.kitchen.value?.status ?? "draft",
          before: state.marker.value as PermitStanding | null,
          after: standingOf(state, docs, opts.now),
          timeZone: state.timeZone,
        }
        : null,
    });
    if ((await atomic.commit()).ok) {
      forgetHolder(kv, doc.holder, touched);
      return next;
    }
  }
  throw new ConflictError(`Document ${id} kept changing; please try again.`);
}

const IN_QUEUE: ReadonlySet<DocumentStatus> = new Set([
  "pending",
  "renewal_requested",
]);

const AUDIT_ACTIONS: Record<ReviewAction, string> = {
  verify: "document.verified",
  reject: "document.rejected",
  request_renewal: "document.renewal_requested",
};

export interface ReviewInput {
  reason?: string;
  correctedExpiry?: string;
  note?: string;
  /** Where the holder's email comes from and links to. */
  mail: MailSettings;
}

/**
 * A staff decision (admins only): re-reads the document, applies `review()`
 * and writes the document, its queue entry, an audit entry and the holder's
 * email in one atomic checked by versionstamp. A lost race re-reads, so the
 * second of two staff gets review()'s ReviewConflictError (a 409).
 */
export async function reviewDocument(
  kv: Deno.Kv,
  id: string,
  action: ReviewAction,
  staff: SessionUser,
  input: ReviewInput,
  now: number,
): Promise<ComplianceDocument> {
  requireCapability(staff, "admin:act");
  if (!isId(id)) throw new NotFoundError();
  // The holder's name and email, read once: a rename meanwhile changes only a greeting.
  const first = (await kv.get<ComplianceDocument>(keys.document(id))).value;
  if (!first) throw new NotFoundError();
  const ownerId = await holderUserId(kv, first.holder);
  const owner = ownerId ? await getUser(kv, ownerId) : null;
  // A renter who was about to book is led back to those hours.
  const resume = first.holder.kind === "renter"
    ? await loadContinueCard(kv, first.holder.id, now)
    : null;
  const next = await changeDocument(
    kv,
    id,
    (doc, timeZone) =>
      review(doc, action, {
        reviewerId: staff.id,
        reason: input.reason,
        note: input.note,
        correctedExpiry: input.correctedExpiry?.trim()
          ? input.correctedExpiry
          : undefined,
        now,
        timeZone,
      }),
    {
      now,
      extra: (atomic, doc, next, holder) => {
        const last = next.history[next.history.length - 1];
        addAudit(atomic, {
          actor: { kind: "user", id: staff.id, email: staff.email },
          action: AUDIT_ACTIONS[action],
          subject: { kind: "document", id },
          details: {
            kind: doc.kind,
            holderKind: doc.holder.kind,
            holderId: doc.holder.id,
            from: doc.status,
            status: next.status,
            expiryDate: next.expiryDate,
            ...(last.expiryCorrected
              ? { expiryCorrectedFrom: last.expiryCorrected.from }
              : {}),
          },
          ...(last.reason ? { reason: last.reason } : {}),
        }, now);
        if (next.status === "verified") {
          addExpiryJobs(atomic, next, holder.timeZone, now, input.mail.wake);
        }
        if (doc.holder.kind === "renter") {
          // Hours held while this was in review are judged again by a job,
          // which keeps this atomic within KV's limits however many there are.
          addJob(atomic, {
            id: `documents-decided:${id}:${next.history.length}`,
            type: DOCUMENTS_DECIDED_JOB,
            payload: { renterId: doc.holder.id },
          }, { now, wake: input.mail.wake });
        }
        if (owner) {
          const message = holderMessage(next, last.reason, resume);
          const url = new URL(message.href, input.mail.baseUrl).href;
          addEmail(
            atomic,
            input.mail,
            owner.email,
            notificationEmail({
              name: owner.name,
              subject: message.subject,
              heading: message.heading,
              paragraphs: message.paragraphs,
              action: { label: message.action, url },
            }),
            now,
          );
          addNotification(atomic, owner.id, {
            title: message.heading,
            body: message.paragraphs.join(" "),
            href: message.href,
            timeZone: holder.permits?.timeZone,
          }, now);
          if (holder.permits) {
            addPublishPrompt(atomic, input.mail, owner, holder.permits, now);
          }
        }
      },
    },
  );
  // review() always returns a new object, so null only means it vanished.
  if (!next) throw new NotFoundError();
  return next;
}

/**
 * What the holder is told, by email and in the app, about a decision; a
 * verified document of a renter with a booking draft (`resume`) leads back
 * to those hours ("Continue your booking at …").
 */
function holderMessage(
  doc: ComplianceDocument,
  reason: string | null,
  resume: ContinueCard | null = null,
): {
  subject: string;
  heading: string;
  paragraphs: string[];
  href: string;
  action: string;
} {
  const kind = DOCUMENT_KIND_NAMES[doc.kind];
  const lower = kind.toLowerCase();
  const href = doc.holder.kind === "renter"
    ? "/account/compliance"
    : `/host/kitchens/${doc.holder.id}/permits`;
  const why = reason ? [`Our note: ${reason}`] : [];
  const texts = {
    verified: {
      subject: `${kind} verified`,
      heading: `Your ${lower} is verified`,
      paragraphs: [
        `We checked your ${lower} (number ${doc.number}) and it is verified until ${
          formatDateYear(doc.expiryDate)
        }.`,
      ],
    },
    rejected: {
      subject: `${kind} not accepted`,
      heading: `We could not accept your ${lower}`,
      paragraphs: [
        `We could not accept the ${lower} you uploaded (number ${doc.number}). Please upload a new one.`,
        ...why,
      ],
    },
    renewal_requested: {
      subject: `${kind}: please upload a newer one`,
      heading: `Please renew your ${lower}`,
      paragraphs: [
        `We need a newer ${lower} than the one on file (number ${doc.number}). Please upload it.`,
        ...why,
      ],
    },
  } as const;
  const t = texts[doc.status as keyof typeof texts];
  if (!t) throw new Error(`No message for status ${doc.status}`);
  if (resume && doc.status === "verified") {
    return {
      ...t,
      paragraphs: [
        ...t.paragraphs,
        `Continue your booking at ${resume.kitchenTitle}, ${resume.when}: we check again that the hours are free and that you have everything the city asks for.`,
      ],
      href: resume.href,
      action: "Continue your booking",
    };
  }
  return {
    ...t,
    paragraphs: [...t.paragraphs],
    href,
    action: "See your documents",
  };
}

// ---------------------------------------------------------------------------
// Reads

async function getMany(
  kv: Deno.Kv,
  ids: string[],
): Promise<ComplianceDocument[]> {
  const out: ComplianceDocument[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const batch = await kv.getMany<ComplianceDocument[]>(
      ids.slice(i, i + 10).map((id) => keys.document(id)),
    );
    for (const e of batch) if (e.value) out.push(e.value);
  }
  return out;
}

/**
 * A holder's documents, oldest first; with `latest`, only that many of the
 * newest, newest first (a bounded read for pages).
 */
export async function listDocumentsFor(
  kv: Deno.Kv,
  holder: HolderRef,
  opts: { latest?: number } = {},
): Promise<ComplianceDocument[]> {
  const ids: string[] = [];
  for await (
    const e of kv.list<string>({
      prefix: keys.documentsByHolderPrefix(holder.kind, holder.id),
    }, opts.latest ? { reverse: true, limit: opts.latest } : {})
  ) ids.push(e.value);
  return await getMany(kv, ids);
}

/** A document its owner (the renter, or the kitchen's host) or staff may see; otherwise a 404. */
export async function getDocumentFor(
  kv: Deno.Kv,
  id: string,
  viewer: SessionUser | null,
): Promise<ComplianceDocument> {
  if (!viewer || !isId(id)) throw new NotFoundError();
  const doc = (await kv.get<ComplianceDocument>(keys.document(id))).value;
  if (!doc) throw new NotFoundError();
  if (isStaff(viewer)) return doc;
  if ((await holderUserId(kv, doc.holder)) !== viewer.id) {
    throw new NotFoundError();
  }
  return doc;
}

/** A document's file for its owner or staff, with a generated download name. */
export async function getDocumentFileFor(
  kv: Deno.Kv,
  id: string,
  viewer: SessionUser | null,
): Promise<
  { bytes: Uint8Array<ArrayBuffer>; contentType: string; filename: string }
> {
  const doc = await getDocumentFor(kv, id, viewer);
  const file = await getFile(kv, doc.fileId);
  if (!file) throw new NotFoundError();
  const ext = EXTENSIONS[file.meta.contentType] ?? "bin";
  return {
    bytes: file.bytes,
    contentType: file.meta.contentType,
    filename: `${doc.kind}-${doc.id}.${ext}`,
  };
}

export interface QueuePage {
  documents: ComplianceDocument[];
  /** Pass back for the next page; null on the last. */
  cursor: string | null;
}

/** Documents waiting for staff (pending, renewal_requested), oldest first. */
export async function listQueue(
  kv: Deno.Kv,
  opts: { limit?: number; cursor?: string | null } = {},
): Promise<QueuePage> {
  const limit = Math.min(Math.max(1, opts.limit ?? 50), 200);
  const cursor = opts.cursor || undefined;
  if (cursor !== undefined && !/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) {
    throw new ValidationError({ cursor: "Not a page of the queue." });
  }
  const ids: string[] = [];
  const iter = kv.list<string>({ prefix: keys.documentsQueuePrefix() }, {
    limit,
    cursor,
  });
  try {
    for await (const e of iter) ids.push(e.value);
  } catch {
    throw new ValidationError({ cursor: "Not a page of the queue." });
  }
  const next = ids.length === limit && iter.cursor ? iter.cursor : null;
  return { documents: await getMany(kv, ids), cursor: next };
}

/** Migration, and the rebuild of the figures after an import: a document's whole tally (metrics.ts). */
export const documentFiguresMigration: MigrationStep<ComplianceDocument> = {
  prefix: keys.documentsPrefix(),
  migrate: (atomic, e) => addMetricCounts(atomic, documentTally(e.value)),
};
