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
import type { AuditEntry } from "../audit/schema.ts";
import { CITIES, findCity } from "../cities.ts";
import { keys } from "../db/keys.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { getFile, getFileMeta } from "../files/store.ts";
import { isId } from "../ids.ts";
import { getDraft, getKitchen } from "../kitchens/repo.ts";
import { type DraftRecord, type Kitchen } from "../kitchens/schema.ts";
import type { AuthorityChain } from "./certifiers.ts";
import { certificateChain } from "./directory.ts";
import { isUserId } from "./suspensions.ts";
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

/** The queue page's filter form, read from the query string. */
export const queueQuery = z.object({
  kind: blankOr(DOCUMENT_KINDS, "Choose a type of document from the list"),
  city: blankOr(CITIES.map((c) => c.slug), "Choose a city from the list"),
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
    limit?: number;
    scanLimit?: number;
  } = {},
): Promise<QueueView> {
  const limit = Math.min(Math.max(1, opts.limit ?? 50), 200);
  const budget = Math.max(limit + 1, opts.scanLimit ?? QUEUE_SCAN_LIMIT);
  const look = new Lookups(kv);
  const found: { doc: ComplianceDocument; after: string }[] = [];
  const iter = kv.list<string>({ prefix: keys.documentsQueuePrefix() }, {
    cursor: opts.cursor || undefined,
    batchSize: 100,
  });
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

/** The file types staff may see inline: images only, never a PDF or anything that runs. */
export const PREVIEW_TYPES = ["image/jpeg", "image/png"] as const;
export type PreviewType = typeof PREVIEW_TYPES[number];

const isPreviewType = (t: string): t is PreviewType =>
  (PREVIEW_TYPES as readonly string[]).includes(t);

/** One document as staff review it. */
export interface DocumentReview {
  doc: ComplianceDocument;
  holder: HolderSummary;
  waitingSince: number;
  /** The stored file's type and size; null if the file is missing. */
  file: { contentType: string; size: number } | null;
  /** Whether /admin/documents/:id/preview shows it (JPEG or PNG). */
  previewable: boolean;
  /** For a federal scope certificate: whether its certifier had the authority. */
  chain: AuthorityChain | null;
  /** The document's audit entries, newest first. */
  audit: AuditEntry[];
}

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
  const [holder, meta, chain, audit] = await Promise.all([
    look.holder(doc),
    getFileMeta(kv, doc.fileId),
    certificateChain(kv, doc, now),
    listAuditFor(kv, "document", doc.id, { limit: 100 }),
  ]);
  const file = meta ? { contentType: meta.contentType, size: meta.size } : null;
  return {
    doc,
    holder,
    waitingSince: waitingSince(doc),
    file,
    previewable: file !== null && isPreviewType(file.contentType),
    chain,
    audit,
  };
}

/**
 * A document's image for staff to see inline: JPEG and PNG only (their
 * type was decided from the bytes at upload); a PDF or anything else is a
 * 404 here and is downloaded as an attachment instead.
 */
export async function getDocumentPreview(
  kv: Deno.Kv,
  id: string,
  viewer: SessionUser | null,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; contentType: PreviewType }> {
  const doc = await staffDocument(kv, id, viewer);
  const file = await getFile(kv, doc.fileId);
  if (!file || !isPreviewType(file.meta.contentType)) {
    throw new NotFoundError("This document has no image preview.");
  }
  return { bytes: file.bytes, contentType: file.meta.contentType };
}
