/**
 * The two-step upload (issue 10 §1, prefill): the uploader sends the kind
 * and the file; we check the bytes, keep the file aside as a staged upload
 * and read what we can from it; they confirm or correct the fields, and
 * the document is created from the staged file, which then goes.
 *
 * A staged upload is a file in the file store (owner = uploader, purpose
 * `compliance-staged`), never served to anyone. Its cleanup job is written
 * before the file, so a staged file that is never confirmed (the uploader
 * left, the browser closed, the write died half-way) is always deleted once
 * STAGED_TTL_MS has passed; confirming earlier deletes it at once.
 */
import { z } from "zod";
import { NotFoundError, ValidationError } from "../errors.ts";
import {
  deleteFile,
  getFile,
  getFileMeta,
  putFile,
  type StoredFile,
} from "../files/store.ts";
import { isId, newId } from "../ids.ts";
import { enqueueJob } from "../jobs/outbox.ts";
import { defineJob, type JobHandler } from "../jobs/runner.ts";
import { type Prefill, prefillFromPdf } from "./prefill.ts";
import {
  addDocument,
  type DocumentFileKind,
  holderUserId,
  inspectDocumentFile,
} from "./repo.ts";
import {
  type ComplianceDocument,
  type DocumentKind,
  type DocumentUpload,
  type HolderRef,
  kindsFor,
} from "./schema.ts";
import { STAGED_CLEANUP_JOB } from "../job_names.ts";

export const STAGED_PURPOSE = "compliance-staged";
/** Long enough to find the paper copy and check every field; short enough not to hoard files. */
export const STAGED_TTL_MS = 24 * 3600_000;

const STAGED_GONE =
  "We no longer have the file you chose. Choose it again to upload it.";

export interface StagedUpload {
  /** Goes back to the uploader in a hidden field, to confirm with. */
  fileId: string;
  kind: DocumentKind;
  fileKind: DocumentFileKind;
  /** What the file says, for the uploader to check; empty for images and scans. */
  prefill: Prefill;
  /** A PDF we did not read (damaged, or over a reading budget): the uploader types every field. */
  unread: boolean;
}

/**
 * Refuses (404) anyone but the holder's owner before an upload's body is
 * read: staff may look at a kitchen's permits but only its host uploads,
 * since the file and the document are the uploader's.
 */
export async function requireUploader(
  kv: Deno.Kv,
  holder: HolderRef,
  userId: string,
): Promise<void> {
  if ((await holderUserId(kv, holder)) !== userId) throw new NotFoundError();
}

/**
 * Step one: checks the uploader holds `holder` (else 404) and may upload
 * `kind` there, checks the file's bytes (a ValidationError on `file` says
 * why), reads a PDF's text for the prefill, and stages the file. Nothing is
 * stored when anything is refused.
 */
export async function stageUpload(
  kv: Deno.Kv,
  input: {
    holder: HolderRef;
    kind: string;
    bytes: Uint8Array;
    uploadedBy: string;
    now: number;
    /** Also wake a queue listener for the cleanup (where KV queues exist). */
    wake?: boolean;
  },
): Promise<StagedUpload> {
  await requireUploader(kv, input.holder, input.uploadedBy);
  const kinds: readonly string[] = kindsFor(input.holder.kind);
  const kind = kinds.includes(input.kind) ? input.kind as DocumentKind : null;
  const issues: Record<string, string> = kind ? {} : { kind: CHOOSE_KIND };
  let file: Awaited<ReturnType<typeof inspectDocumentFile>> | null = null;
  try {
    file = await inspectDocumentFile(input.bytes);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    Object.assign(issues, err.issues);
  }
  if (!kind || !file) throw new ValidationError(issues);
  // A PDF that cannot be read within budget is still stored: only the prefill is lost.
  const read = file.kind === "pdf"
    ? await prefillFromPdf(input.bytes, kind)
    : { fields: {}, unread: null };
  const fileId = newId();
  await enqueueJob(kv, {
    id: cleanupJobId(fileId),
    type: STAGED_CLEANUP_JOB,
    payload: { fileId },
    runAt: input.now + STAGED_TTL_MS,
  }, { now: input.now, wake: input.wake ?? false });
  await putFile(kv, {
    id: fileId,
    bytes: input.bytes,
    contentType: file.contentType,
    owner: input.uploadedBy,
    purpose: STAGED_PURPOSE,
  }, { now: input.now });
  return {
    fileId,
    kind,
    fileKind: file.kind,
    prefill: read.fields,
    unread: read.unread !== null,
  };
}

const CHOOSE_KIND = "Choose the type of document";

const cleanupJobId = (fileId: string) => `staged-cleanup:${fileId}`;

/**
 * Step two: creates the document from the uploader's own staged file, then
 * deletes the staged copy. A staged id that is malformed, someone else's,
 * expired or already used is refused on `file` with the same message, so
 * ids reveal nothing.
 */
export async function addStagedDocument(
  kv: Deno.Kv,
  input: {
    holder: HolderRef;
    upload: DocumentUpload;
    stagedId: string;
    uploadedBy: string;
    now: number;
  },
): Promise<ComplianceDocument> {
  const gone = () => new ValidationError({ file: STAGED_GONE }, STAGED_GONE);
  if (!isId(input.stagedId)) throw gone();
  const file = await getFile(kv, input.stagedId);
  if (!file || !isStagedBy(file.meta, input.uploadedBy, input.now)) {
    throw gone();
  }
  const doc = await addDocument(kv, {
    holder: input.holder,
    upload: input.upload,
    bytes: file.bytes,
    uploadedBy: input.uploadedBy,
    now: input.now,
  });
  // The document has its own copy; a failed delete is left to the job.
  await deleteFile(kv, input.stagedId, {
    now: input.now,
    owner: input.uploadedBy,
  }).catch(() => false);
  return doc;
}

function isStagedBy(meta: StoredFile, userId: string, now: number): boolean {
  return meta.purpose === STAGED_PURPOSE && meta.owner === userId &&
    Date.parse(meta.createdAt) + STAGED_TTL_MS > now;
}

/**
 * Deletes a staged file that was never confirmed; a file of any other
 * purpose, or one already gone, is left alone. Safe to repeat.
 */
export async function discardStagedUpload(
  kv: Deno.Kv,
  fileId: string,
  now: number,
): Promise<boolean> {
  if (!isId(fileId)) return false;
  const meta = await getFileMeta(kv, fileId);
  if (!meta || meta.purpose !== STAGED_PURPOSE) return false;
  return await deleteFile(kv, fileId, { now, owner: meta.owner });
}

/** The cleanup job, wired in the job table of lib/app.ts. */
export function stagedCleanupHandler(
  kv: Deno.Kv,
  now: () => number,
): JobHandler<{ fileId: string }> {
  return defineJob({
    schema: z.object({ fileId: z.string().min(1).max(64) }),
    run: async ({ fileId }) => {
      await discardStagedUpload(kv, fileId, now());
    },
  });
}
