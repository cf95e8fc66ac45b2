/**
 * A PDF's first page as a picture, for staff reviewing the document next
 * to its fields (issue 17 §16).
 *
 * Why a picture drawn here rather than the PDF itself in an <iframe>:
 * Chromium will not run its PDF viewer in a sandboxed frame, nor for a
 * response with a CSP `sandbox`, so showing the file inline would mean
 * serving an uploaded file unsandboxed on our own origin; and phones show
 * embedded PDFs poorly or not at all. A picture is inert, shows the same at
 * every width, and is served like the JPEG and PNG uploads already are.
 * pdf.js (unpdf) draws only onto a canvas, which needs a native addon in
 * Deno; PDFium compiled to WebAssembly needs none.
 *
 * Drawing keeps the budgets of reading a PDF's text (prefill.ts): the same
 * `checkPdfBudget` first (a stream that would inflate past its budget, an
 * encrypted file… refuses the file), a turn of the server's worker jobs
 * (both units: PDFium's heap may reach HEAP_BYTES, so a drawing runs alone),
 * then a worker thread of its own (pdf_preview_worker.ts) with a
 * capped JavaScript heap, a capped WebAssembly heap and a time limit.
 *
 * Uploads never change (a new version is a new file), so each file's
 * picture, or why it has none, is kept in memory by file id, at most
 * CACHE_BYTES of pictures: a reviewer's reloads and the page's <img>
 * request cost one drawing. Running out of time or of worker turns is not
 * kept: on a busy machine it says more about the moment than the file.
 */
import { logError, logWarn } from "../log.ts";
import { checkPdfBudget } from "./pdf_budget.ts";
import type { PdfPreviewJob, PdfPreviewReport } from "./pdf_preview_worker.ts";
import { type PdfUnread, readerSlot, unreadFor } from "./prefill.ts";
import { runWorkerJob } from "../worker_job.ts";

/** The picture fits this box: sharp at twice the width the review page gives it. */
export const PREVIEW_MAX_WIDTH = 1200;
export const PREVIEW_MAX_HEIGHT = 1600;
/**
 * PDFium's heap: a 600 dpi scan of a letter page fits; more than that is
 * left out of the picture (which then says it is incomplete).
 */
const HEAP_BYTES = 160 * 1024 * 1024;
const WORKER_HEAP_MB = 64;
/**
 * Starting the thread (which `deno test` also type-checks), then loading
 * PDFium and the WebP encoder: no file can slow either down, and a busy
 * machine can, so these are generous.
 */
const START_TIMEOUT_MS = 30_000;
const LOAD_TIMEOUT_MS = 10_000;
/** Drawing the page and encoding it: the only work the file decides. */
const DRAW_TIMEOUT_MS = 4_000;
/** Pictures kept in memory, and at most this many outcomes in all. */
const CACHE_BYTES = 24 * 1024 * 1024;
const CACHE_ENTRIES = 500;

export type PdfPreview =
  | {
    ok: true;
    /** WebP. */
    image: Uint8Array<ArrayBuffer>;
    width: number;
    height: number;
    /** Part of the page needed more memory than allowed and is missing. */
    incomplete: boolean;
  }
  | { ok: false; unread: PdfUnread };

const done = new Map<string, PdfPreview>();
const drawing = new Map<string, Promise<PdfPreview>>();
let cachedBytes = 0;

const sizeOf = (p: PdfPreview) => p.ok ? p.image.byteLength : 0;

/** Outcomes that say more about the moment than the file: tried again next time. */
const TRANSIENT: ReadonlySet<PdfUnread> = new Set(["busy", "time"]);

function remember(fileId: string, preview: PdfPreview): void {
  if (!preview.ok && TRANSIENT.has(preview.unread)) return;
  if (sizeOf(preview) > CACHE_BYTES) return;
  done.set(fileId, preview);
  cachedBytes += sizeOf(preview);
  for (const [id, old] of done) {
    if (cachedBytes <= CACHE_BYTES && done.size <= CACHE_ENTRIES) break;
    done.delete(id);
    cachedBytes -= sizeOf(old);
  }
}

/**
 * The first page of the PDF stored as `fileId`, drawn (or why not),
 * from memory when it was drawn before. `read` loads the file's bytes
 * (null when it is gone) and is called only when a drawing is needed; two
 * requests for one file share one drawing.
 */
export function previewPdf(
  fileId: string,
  read: () => Promise<Uint8Array | null>,
): Promise<PdfPreview> {
  const known = done.get(fileId);
  if (known) {
    // Most recently used goes last, so it is evicted last.
    done.delete(fileId);
    done.set(fileId, known);
    return Promise.resolve(known);
  }
  let pending = drawing.get(fileId);
  if (!pending) {
    pending = (async () => {
      const bytes = await read();
      if (!bytes) return { ok: false, unread: "unreadable" } as const;
      return await drawFirstPage(bytes);
    })().then((preview) => {
      remember(fileId, preview);
      return preview;
    }).finally(() => drawing.delete(fileId));
    drawing.set(fileId, pending);
  }
  return pending;
}

/** Forgets every picture (tests). */
export function clearPreviewCache(): void {
  done.clear();
  cachedBytes = 0;
}

/** Draws the first page of `bytes` (a whole PDF) within the budgets above. */
export async function drawFirstPage(bytes: Uint8Array): Promise<PdfPreview> {
  const release = await readerSlot(2);
  if (!release) return { ok: false, unread: "busy" };
  try {
    const check = await checkPdfBudget(bytes).catch((err) => {
      logError("PDF budget check failed", err);
      return null;
    });
    if (!check) return { ok: false, unread: "unreadable" };
    if (!check.ok) {
      logWarn(`PDF preview skipped (${check.refusal}): ${bytes.length} bytes`);
      return { ok: false, unread: check.refusal };
    }
    const module = await pdfium().catch((err) => {
      logError("PDFium could not be loaded", err);
      return null;
    });
    if (!module) return { ok: false, unread: "unreadable" };
    const drawn = await drawInWorker(bytes.slice(), module);
    if (!drawn.ok) {
      logWarn(`PDF preview failed (${drawn.unread}): ${bytes.length} bytes`);
    } else if (drawn.incomplete) {
      logWarn(`PDF preview incomplete (memory): ${bytes.length} bytes`);
    }
    return drawn;
  } finally {
    release();
  }
}

let compiled: Promise<WebAssembly.Module> | null = null;

/** PDFium, compiled once per process and handed to each worker. */
function pdfium(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const url = new URL(import.meta.resolve("@hyzyla/pdfium/pdfium.wasm"));
    return await WebAssembly.compile(await Deno.readFile(url));
  })();
  compiled.catch(() => {
    compiled = null;
  });
  return compiled;
}

/** PDFium on `bytes` (handed over: the caller must not use them after). */
async function drawInWorker(
  bytes: Uint8Array<ArrayBuffer>,
  module: WebAssembly.Module,
): Promise<PdfPreview> {
  const job: PdfPreviewJob = {
    bytes,
    module,
    maxWidth: PREVIEW_MAX_WIDTH,
    maxHeight: PREVIEW_MAX_HEIGHT,
    heapBytes: HEAP_BYTES,
  };
  const outcome = await runWorkerJob<PdfPreviewReport>(
    new URL("./pdf_preview_worker.ts", import.meta.url),
    job,
    [bytes.buffer],
    {
      heapMb: WORKER_HEAP_MB,
      startMs: START_TIMEOUT_MS,
      loadMs: LOAD_TIMEOUT_MS,
      workMs: DRAW_TIMEOUT_MS,
    },
  );
  if (!outcome.ok) return { ok: false, unread: unreadFor(outcome.failure) };
  const report = outcome.report;
  return report.step === "drawn"
    ? {
      ok: true,
      image: report.image,
      width: report.width,
      height: report.height,
      incomplete: report.incomplete,
    }
    : { ok: false, unread: "unreadable" };
}
