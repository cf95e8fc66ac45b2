/**
 * Files sent with messages (issue 18 §4): PDF, JPEG or PNG up to 10 MB,
 * typed from their bytes as compliance documents are (the same check),
 * stored as documents are (the file store, private), and served only to
 * the thread's two parties as sandboxed attachments, or to staff reading a
 * reported thread (audited). At most 20 a person a day.
 *
 * Nothing is half-written: the file's chunks are written first under a
 * pending marker (lib/files/store.ts), and its manifest, the message that
 * names it and the day's count commit in one atomic. A refused message
 * leaves no file (its chunks are removed at once, or by the hourly sweep
 * after a crash), and a message never names a file that is not there.
 */
import { addLimitHit, type Limit } from "../accounts/rate_limit.ts";
import type { SessionUser } from "../accounts/schema.ts";
import { requireCapability } from "../accounts/roles.ts";
import { addAudit } from "../audit/repo.ts";
import { inspectDocumentFile } from "../compliance/repo.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import {
  addStagedFile,
  discardStagedFile,
  getFile,
  type StagedFile,
  stageFile,
} from "../files/store.ts";
import { isId } from "../ids.ts";
import {
  commitMessagesWrite,
  getMessage,
  getReportEntry,
  getThread,
} from "./repo.ts";
import { sideOf } from "./rules.ts";
import type { AttachmentRef } from "./schema.ts";

export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
export const ATTACHMENT_PURPOSE = "message-attachment";

/** Issue 18 §4: 20 files a person a day (a counter in the message's atomic). */
export const ATTACHMENT_LIMIT = {
  bucket: "message-attachments:user",
  max: 20,
  windowMs: 24 * 3600_000,
} satisfies Limit;

const EXTENSIONS: Record<AttachmentRef["contentType"], string> = {
  "application/pdf": "pdf",
  "image/jpeg": "jpg",
  "image/png": "png",
};

const KINDS: Record<AttachmentRef["contentType"], string> = {
  "application/pdf": "PDF",
  "image/jpeg": "JPEG image",
  "image/png": "PNG image",
};

/** The longest name kept, in characters, before the extension. */
const NAME_CHARS = 80;

/**
 * The name a file is shown and downloaded under (pure): the sender's file
 * name without any folder, control, invisible or direction-changing
 * characters, cut to 80 characters, with the extension of what the bytes
 * are (a "photo.pdf" that is a PNG becomes "photo.png").
 */
export function attachmentName(
  raw: string,
  contentType: AttachmentRef["contentType"],
): string {
  const cleaned = raw.normalize("NFC")
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, "")
    .replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, "")
    .replace(/^.*[\\/]/, "")
    .replace(/\.[A-Za-z0-9]{1,5}$/, "")
    .replace(/^[\s.]+/, "")
    .trim();
  const base = Array.from(cleaned).slice(0, NAME_CHARS).join("").trim() ||
    "attachment";
  return `${base}.${EXTENSIONS[contentType]}`;
}

/** "PDF, 1.2 MB" (pure). */
export function attachmentLabel(
  ref: Pick<AttachmentRef, "contentType" | "size">,
): string {
  const size = ref.size >= 1024 * 1024
    ? `${(Math.round(ref.size / (1024 * 1024) * 10) / 10).toFixed(1)} MB`
    : `${Math.max(1, Math.round(ref.size / 1024))} KB`;
  return `${KINDS[ref.contentType]}, ${size}`;
}

const OVER_CAP =
  `You have sent ${ATTACHMENT_LIMIT.max} files today, the most for one day. Send your message without the file, or send the file tomorrow.`;

function overCap(): ValidationError {
  return new ValidationError({ file: OVER_CAP }, OVER_CAP);
}

/** A file checked and written, waiting for its message's atomic. */
export interface StagedAttachment {
  readonly staged: StagedFile;
  readonly ref: AttachmentRef;
}

/**
 * Checks a file (size first, then its type from the bytes: a
 * ValidationError on `file` says what is wrong) and the sender's count for
 * the day, then writes its chunks. Until `addAttachmentWrite` commits with
 * a message, the file does not exist.
 */
export async function stageAttachment(
  kv: Deno.Kv,
  input: { bytes: Uint8Array; name: string; owner: string; now: number },
): Promise<StagedAttachment> {
  const { contentType } = await inspectDocumentFile(input.bytes);
  const type = contentType as AttachmentRef["contentType"];
  // A read, to refuse before storing 10 MB; the message's atomic counts it.
  const probe = kv.atomic();
  const hit = await addLimitHit(
    probe,
    kv,
    ATTACHMENT_LIMIT,
    input.owner,
    input.now,
  );
  if (!hit.ok) throw overCap();
  const staged = await stageFile(kv, {
    bytes: input.bytes,
    contentType: type,
    owner: input.owner,
    purpose: ATTACHMENT_PURPOSE,
  }, { now: input.now });
  return {
    staged,
    ref: {
      fileId: staged.manifest.id,
      name: attachmentName(input.name, type),
      contentType: type,
      size: input.bytes.length,
    },
  };
}

/**
 * Adds a staged file to the atomic that writes its message: the file's
 * manifest and one more for the sender's day, checked against the count
 * read (two checks). Over the day's cap, a ValidationError.
 */
export async function addAttachmentWrite(
  atomic: Deno.AtomicOperation,
  kv: Deno.Kv,
  a: StagedAttachment,
  senderId: string,
  now: number,
): Promise<void> {
  const hit = await addLimitHit(atomic, kv, ATTACHMENT_LIMIT, senderId, now);
  if (!hit.ok) throw overCap();
  addStagedFile(atomic, a.staged);
}

/** Removes a staged file whose message was refused. */
export async function discardAttachment(
  kv: Deno.Kv,
  a: StagedAttachment,
): Promise<void> {
  await discardStagedFile(kv, a.staged);
}

export interface AttachmentFile {
  bytes: Uint8Array<ArrayBuffer>;
  contentType: string;
  filename: string;
}

async function fileOf(
  kv: Deno.Kv,
  ref: AttachmentRef,
  authorId: string,
): Promise<AttachmentFile> {
  const file = await getFile(kv, ref.fileId);
  if (
    !file || file.meta.purpose !== ATTACHMENT_PURPOSE ||
    file.meta.owner !== authorId
  ) throw new NotFoundError();
  return {
    bytes: file.bytes,
    contentType: file.meta.contentType,
    filename: ref.name,
  };
}

/**
 * A message's file for one of the thread's two parties; a 404 for anyone
 * else, staff included (they read reported threads through
 * `getAttachmentForStaff`), and for a message without a file.
 */
export async function getAttachmentFor(
  kv: Deno.Kv,
  viewer: SessionUser,
  threadId: string,
  messageId: string,
): Promise<AttachmentFile> {
  const thread = isId(threadId) ? await getThread(kv, threadId) : null;
  if (!thread || sideOf(thread, viewer.id) === null) throw new NotFoundError();
  const m = await getMessage(kv, threadId, messageId);
  if (!m?.attachment) throw new NotFoundError();
  return await fileOf(kv, m.attachment, m.authorId);
}

/**
 * A file of a reported thread, for staff reading the report: recorded in
 * the audit log (its own atomic) before any byte is returned, as the
 * thread view is. 404 unless the message is in the report's thread.
 */
export async function getAttachmentForStaff(
  deps: { kv: Deno.Kv; now: number },
  viewer: SessionUser | null,
  reportId: string,
  messageId: string,
): Promise<AttachmentFile> {
  requireCapability(viewer, "admin:read");
  const { kv, now } = deps;
  const report = isId(reportId)
    ? (await getReportEntry(kv, reportId)).value
    : null;
  if (!report) throw new NotFoundError("We could not find that report.");
  const m = await getMessage(kv, report.threadId, messageId);
  if (!m?.attachment) throw new NotFoundError();
  const seen = kv.atomic();
  addAudit(seen, {
    actor: { kind: "user", id: viewer.id, email: viewer.email },
    action: "attachment.viewed",
    subject: { kind: "thread", id: report.threadId },
    details: { report: report.id, message: m.id, file: m.attachment.fileId },
  }, now);
  if (!(await commitMessagesWrite(kv, seen, {}))) {
    throw new ConflictError("That did not go through; please try again.");
  }
  return await fileOf(kv, m.attachment, m.authorId);
}
