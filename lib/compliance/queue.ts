/**
 * The staff side of document review (shared/reference/compliance.md §2):
 * the queue filtered by type and city with each document's holder named,
 * one document with everything staff need to decide, and the inline image
 * preview. Reads only; decisions are `reviewDocument` in repo.ts.
 *
 * The queue index is `["documents_queue", createdAt, id]` and nothing else,
 * so filters are checked document by document while walking it, at most
 * `QUEUE_SCAN_LIMIT` entries a page: the queue holds only what waits for a
 * decision, which staff keep short.
 */
import { z } from "zod";
import { requireCapability } from "../accounts/roles.ts";
import { getUser } from "../accounts/repo.ts";
import type { SessionUser, User } from "../accounts/schema.ts";
import { listAuditFor } from "../audit/repo.ts";
import type { AuditNames } from "../audit/names.ts";
import type { AuditEntry } from "../audit/schema.ts";
import { CITIES, findCity } from "../cities.ts";
import { keys } from "../db/keys.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { getFile, getFileMeta } from "../files/store.ts";
import { isId, isUserId } from "../ids.ts";
import { getDraft, getKitchen } from "../kitchens/repo.ts";
import { type DraftRecord, type Kitchen } from "../kitchens/schema.ts";
import type { AuthorityChain } from "./certifiers.ts";
import { certificateChain } from "./directory.ts";
import { previewPdf } from "./pdf_preview.ts";
import { nameAuditEntries } from "./staff_names.ts";
import { listDocumentsFor } from "./repo.ts";
import type { PdfUnread } from "./prefill.ts";
import {
  type ComplianceDocument,
  DOCUMENT_KINDS,
  type DocumentKind,
} from "./schema.ts";

/** Queue entries one page reads at most while filtering. */
export const QUEUE_SCAN_LIMIT = 2000;

/** What staff see of a document's holder. */
export interface HolderSummary {
  kind: "kitchen" | "renter";
  id: string;
  /** The renter (name, email), when the holder is a renter. */
  renter: { id: string; name: string; email: string } | null;
  /** The kitchen, when the holder is one; `draft` when it was never published. */
  kitchen:
    | {
      id: string;
      title: string;
      city: string;
      status: string;
      draft: boolean;
    }
    | null;
  /** The kitchen's host. */
  host: { id: string; name: string; email: string } | null;
}

export interface QueueRow {
  doc: ComplianceDocument;
  /** When it entered the queue: its upload, or the latest renewal request. */
  waitingSince: number;
  holder: HolderSummary;
}

export interface QueueView {
  rows: QueueRow[];
  /** Pass back for the next page; null on the last. */
  cursor: string | null;
  /** The scan budget ran out before the page filled: continue from the cursor. */
  partial: boolean;
}

export interface QueueFilter {
  kind?: DocumentKind;
  /** A city slug: only kitchen documents of kitchens in that city. */
  city?: string;
}

const blankOr = <T extends string>(values: readonly T[], message: string) =>
  z.string().trim().transform((v, ctx): T | undefined => {
    if (v === "") return undefined;
    if ((values as readonly string[]).includes(v)) return v as T;
    ctx.addIssue({ code: "custom", message });
    return z.NEVER;
  });

const filterFields = {
  kind: blankOr(DOCUMENT_KINDS, "Choose a type of document from the list"),
  city: blankOr(CITIES.map((c) => c.slug), "Choose a city from the list"),
};

/**
 * The queue's filters as they travel with a reviewer from the queue to a
 * document, through its decision, to the next one: in the query string of
 * a document page and as hidden fields of its decision forms.
 */
export const queueFilterQuery = z.object(filterFields);

/** The queue page's filter form, read from the query string. */
export const queueQuery = z.object({
  ...filterFields,
  cursor: z.string().trim().transform((v, ctx) => {
    if (v === "") return null;
    // KV cursors are URL-safe base64.
    if (/^[A-Za-z0-9_=-]{1,500}$/.test(v)) return v;
    ctx.addIssue({
      code: "custom",
      message: "That page link is not valid; start again.",
    });
    return z.NEVER;
  }),
});
export type QueueQuery = z.output<typeof queueQuery>;

/**
 * The filters as a query string for links ("?kind=health_permit&city=chicago",
 * or "" with none), with `extra` parameters after them. Pure.
 */
export function queueSearch(
  filter: QueueFilter,
  extra: Record<string, string> = {},
): string {
  const q = new URLSearchParams();
  if (filter.kind) q.set("kind", filter.kind);
  if (filter.city) q.set("city", filter.city);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

const QUEUED = new Set(["pending", "renewal_requested"]);

/** When a document last entered the queue. Pure. */
export function waitingSince(doc: ComplianceDocument): number {
  for (let i = doc.history.length - 1; i >= 0; i--) {
    if (QUEUED.has(doc.history[i].to)) return doc.history[i].at;
  }
  return doc.createdAt;
}

/** Reads kitchens, drafts and users once per request. */
class Lookups {
  #kitchens = new Map<string, Promise<Kitchen | DraftRecord | null>>();
  #users = new Map<string, Promise<User | null>>();
  constructor(private kv: Deno.Kv) {}

  kitchen(id: string): Promise<Kitchen | DraftRecord | null> {
    let p = this.#kitchens.get(id);
    if (!p) {
      p = (async () => {
        if (!isId(id)) return null;
        const [k, d] = await Promise.all([
          getKitchen(this.kv, id),
          getDraft(this.kv, id),
        ]);
        return k ?? d;
      })();
      this.#kitchens.set(id, p);
    }
    return p;
  }

  user(id: string): Promise<User | null> {
    let p = this.#users.get(id);
    if (!p) {
      p = isUserId(id) ? getUser(this.kv, id) : Promise.resolve(null);
      this.#users.set(id, p);
    }
    return p;
  }

  async cityOf(doc: ComplianceDocument): Promise<string | null> {
    if (doc.holder.kind !== "kitchen") return null;
    const k = await this.kitchen(doc.holder.id);
    if (!k) return null;
    return "values" in k ? k.values.address?.city ?? null : k.address.city;
  }

  async holder(doc: ComplianceDocument): Promise<HolderSummary> {
    const person = (u: User | null) =>
      u ? { id: u.id, name: u.name, email: u.email } : null;
    if (doc.holder.kind === "renter") {
      return {
        kind: "renter",
        id: doc.holder.id,
        renter: person(await this.user(doc.holder.id)),
        kitchen: null,
        host: null,
      };
    }
    const k = await this.kitchen(doc.holder.id);
    const draft = k !== null && "values" in k;
    const city = await this.cityOf(doc);
    return {
      kind: "kitchen",
      id: doc.holder.id,
      renter: null,
      kitchen: k
        ? {
          id: k.id,
          title: (draft ? k.values.title : k.title) ?? "Untitled draft",
          city: (city && findCity(city)?.name) ?? city ?? "No city yet",
          status: draft ? "draft" : k.status,
          draft,
        }
        : null,
      host: k ? person(await this.user(k.hostId)) : null,
    };
  }
}

async function matches(
  doc: ComplianceDocument,
  filter: QueueFilter,
  look: Lookups,
): Promise<boolean> {
  if (filter.kind && doc.kind !== filter.kind) return false;
  // Renters have no city: a city filter shows that city's kitchens' permits.
  if (filter.city && (await look.cityOf(doc)) !== filter.city) return false;
  return true;
}

/**
 * Documents waiting for staff (pending, renewal_requested), oldest first,
 * filtered by type and by the kitchen's city, each with its holder named.
 */
export async function listQueue(
  kv: Deno.Kv,
  opts: QueueFilter & {
    cursor?: string | null;
    /** Start at this document's place in the queue (itself included, if still queued). */
    from?: ComplianceDocument;
    limit?: number;
    scanLimit?: number;
  } = {},
): Promise<QueueView> {
  const limit = Math.min(Math.max(1, opts.limit ?? 50), 200);
  const budget = Math.max(limit + 1, opts.scanLimit ?? QUEUE_SCAN_LIMIT);
  const look = new Lookups(kv);
  const found: { doc: ComplianceDocument; after: string }[] = [];
  const prefix = keys.documentsQueuePrefix();
  const iter = kv.list<string>(
    opts.from
      ? {
        prefix,
        start: keys.documentsQueue(opts.from.createdAt, opts.from.id),
      }
      : { prefix },
    { cursor: opts.cursor || undefined, batchSize: 100 },
  );
  let scanned = 0;
  let batch: { id: string; after: string }[] = [];
  let result: { cursor: string | null; partial: boolean } | null = null;

  // Documents are read ten at a time (getMany's limit), in queue order.
  const drain = async () => {
    const docs = await kv.getMany<ComplianceDocument[]>(
      batch.map((b) => keys.document(b.id)),
    );
    for (let i = 0; i < batch.length && !result; i++) {
      const doc = docs[i].value;
      if (doc && QUEUED.has(doc.status) && await matches(doc, opts, look)) {
        // One match beyond the page: there is a next page after the last shown.
        if (found.length === limit) {
          result = { cursor: found[limit - 1].after, partial: false };
          break;
        }
        found.push({ doc, after: batch[i].after });
      }
      if (++scanned >= budget) {
        result = { cursor: batch[i].after, partial: true };
      }
    }
    batch = [];
  };

  try {
    for await (const e of iter) {
      batch.push({ id: e.value, after: iter.cursor });
      if (batch.length === 10) await drain();
      if (result) break;
    }
    if (!result && batch.length > 0) await drain();
  } catch (err) {
    // A cursor from elsewhere (or edited by hand) makes KV throw on the first read.
    if (opts.cursor && err instanceof TypeError) {
      throw new ValidationError({
        cursor: "That page link is not valid; start again.",
      });
    }
    throw err;
  }
  const end = result as { cursor: string | null; partial: boolean } | null;
  const rows = await Promise.all(found.map(async ({ doc }) => ({
    doc,
    waitingSince: waitingSince(doc),
    holder: await look.holder(doc),
  })));
  return {
    rows,
    cursor: end?.cursor ?? null,
    partial: end?.partial ?? false,
  };
}

/**
 * The document a reviewer goes to after `currentId` with the same filters:
 * the first one waiting after it in queue order, or, when none is, the
 * oldest one waiting (one skipped earlier), never `currentId` itself.
 * Null when nothing else that matches is waiting (within the scan budget).
 */
export async function nextInQueue(
  kv: Deno.Kv,
  currentId: string,
  filter: QueueFilter,
  viewer: SessionUser | null,
): Promise<string | null> {
  requireCapability(viewer, "admin:read");
  const current = isId(currentId)
    ? (await kv.get<ComplianceDocument>(keys.document(currentId))).value
    : null;
  const firstOther = (rows: QueueRow[]) =>
    rows.find((r) => r.doc.id !== currentId)?.doc.id ?? null;
  if (current) {
    const after = await listQueue(kv, { ...filter, from: current, limit: 2 });
    const next = firstOther(after.rows);
    if (next) return next;
  }
  return firstOther((await listQueue(kv, { ...filter, limit: 2 })).rows);
}

/** Image types staff see inline as they are (their type was decided from their bytes). */
export const PREVIEW_TYPES = ["image/jpeg", "image/png"] as const;
export type PreviewType = typeof PREVIEW_TYPES[number] | "image/webp";

const isImageType = (t: string): t is typeof PREVIEW_TYPES[number] =>
  (PREVIEW_TYPES as readonly string[]).includes(t);

/** What the review page shows of the file next to its fields. */
export type DocumentPreview =
  /** A JPEG or PNG upload, shown as it is. */
  | { kind: "image" }
  /** A PDF's first page, drawn (pdf_preview.ts); `incomplete` when part of it was too large. */
  | { kind: "page"; width: number; height: number; incomplete: boolean }
  /** A PDF that could not be drawn, and why. */
  | { kind: "none"; unread: PdfUnread };

/** The first page of a stored PDF, drawn or remembered. */
function pdfPreview(kv: Deno.Kv, fileId: string) {
  return previewPdf(
    fileId,
    async () => (await getFile(kv, fileId))?.bytes ?? null,
  );
}

/** One document as staff review it. */
export interface DocumentReview {
  doc: ComplianceDocument;
  holder: HolderSummary;
  waitingSince: number;
  /** The stored file's type and size; null if the file is missing. */
  file: { contentType: string; size: number } | null;
  /** What /admin/documents/:id/preview shows; null without a file. */
  preview: DocumentPreview | null;
  /** For a federal scope certificate: whether its certifier had the authority. */
  chain: AuthorityChain | null;
  /** The document's audit entries, newest first. */
  audit: AuditEntry[];
  /** Who acted in its history, notes and audit entries. */
  names: AuditNames;
  /**
   * The holder's earlier uploads of the same kind, newest first (at most
   * EARLIER_SHOWN): a re-upload after a rejection shows what was wrong.
   */
  earlier: ComplianceDocument[];
}

const EARLIER_SHOWN = 5;
/** The holder's documents read to find them (ids grow with time: the newest). */
const EARLIER_READ = 100;

async function staffDocument(
  kv: Deno.Kv,
  id: string,
  viewer: SessionUser | null,
): Promise<ComplianceDocument> {
  requireCapability(viewer, "admin:read");
  if (!isId(id)) throw new NotFoundError();
  const doc = (await kv.get<ComplianceDocument>(keys.document(id))).value;
  if (!doc) throw new NotFoundError("We could not find that document.");
  return doc;
}

/** A document with its holder, file, authority chain and audit trail (staff only). */
export async function loadDocumentReview(
  kv: Deno.Kv,
  id: string,
  viewer: SessionUser | null,
  now: number,
): Promise<DocumentReview> {
  const doc = await staffDocument(kv, id, viewer);
  const look = new Lookups(kv);
  const [holder, meta, chain, audit, ofHolder] = await Promise.all([
    look.holder(doc),
    getFileMeta(kv, doc.fileId),
    certificateChain(kv, doc, now),
    listAuditFor(kv, "document", doc.id, { limit: 100 }),
    listDocumentsFor(kv, doc.holder, { latest: EARLIER_READ }),
  ]);
  const earlier = ofHolder.filter((d) =>
    d.kind === doc.kind && d.id !== doc.id && d.createdAt <= doc.createdAt
  ).slice(0, EARLIER_SHOWN);
  const names = await nameAuditEntries(kv, audit, {
    people: [
      ...doc.history.flatMap((h) => h.by ? [h.by] : []),
      ...doc.staffNotes.map((n) => n.by),
    ],
  });
  const file = meta ? { contentType: meta.contentType, size: meta.size } : null;
  let preview: DocumentPreview | null = null;
  if (file && isImageType(file.contentType)) preview = { kind: "image" };
  else if (file?.contentType === "application/pdf") {
    // Drawn before the page is sent: the page can then say why there is no
    // picture, and size the one there is; its <img> request finds it drawn.
    const page = await pdfPreview(kv, doc.fileId);
    preview = page.ok
      ? {
        kind: "page",
        width: page.width,
        height: page.height,
        incomplete: page.incomplete,
      }
      : { kind: "none", unread: page.unread };
  }
  return {
    doc,
    holder,
    waitingSince: waitingSince(doc),
    file,
    preview,
    chain,
    audit,
    names,
    earlier,
  };
}

/**
 * A document as a picture for staff to see inline: a JPEG or PNG upload
 * as it is (its type was decided from its bytes at upload), a PDF's first
 * page drawn as WebP. Never the PDF itself; a PDF that cannot be drawn is
 * a 404 here, and staff download it as an attachment instead.
 */
export async function getDocumentPreview(
  kv: Deno.Kv,
  id: string,
  viewer: SessionUser | null,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; contentType: PreviewType }> {
  const doc = await staffDocument(kv, id, viewer);
  const meta = await getFileMeta(kv, doc.fileId);
  if (meta?.contentType === "application/pdf") {
    const page = await pdfPreview(kv, doc.fileId);
    if (page.ok) return { bytes: page.image, contentType: "image/webp" };
  } else if (meta && isImageType(meta.contentType)) {
    const file = await getFile(kv, doc.fileId);
    if (file) return { bytes: file.bytes, contentType: meta.contentType };
  }
  throw new NotFoundError("This document has no preview.");
}
