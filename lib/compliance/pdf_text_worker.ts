/**
 * Reads one PDF's text, in a worker thread of its own (started by
 * `pdfText` in prefill.ts, one per file, ended after it), once
 * `checkPdfBudget` has passed the file.
 *
 * The thread is where pdf.js's limits are enforced: its JavaScript heap is
 * capped by the parent's `resourceLimits` (the thread ends when pdf.js
 * outgrows it), the parent terminates it at the time limit (a hostile file
 * cannot keep it busy), and everything pdf.js allocated goes with it. The
 * heap cap does not cover pdf.js's byte buffers: the budget check bounds
 * those, before any thread starts.
 *
 * It reports when pdf.js is loaded, so the parent times the file's work
 * apart from loading pdf.js, which no file can make slower.
 */
import { serveJob } from "../worker_job.ts";

export interface PdfTextJob {
  /** The PDF, checked and with its image filters blanked; transferred. */
  bytes: Uint8Array;
  maxPages: number;
  maxChars: number;
}

export type PdfTextReport = { step: "read"; text: string } | {
  step: "failed";
};

serveJob<PdfTextJob, PdfTextReport>(
  "pdf_text_worker.ts",
  async (job, loaded) => {
    const { getDocumentProxy, getResolvedPDFJS } = await import("unpdf");
    await getResolvedPDFJS();
    loaded();
    const pdf = await getDocumentProxy(job.bytes, {
      verbosity: 0,
      disableFontFace: true,
      useSystemFonts: false,
      stopAtErrors: false,
    });
    return { report: { step: "read", text: await readText(pdf, job) } };
  },
);

type Document = Awaited<
  ReturnType<typeof import("unpdf")["getDocumentProxy"]>
>;

/**
 * The first pages' text, streamed: pdf.js hands the text over a hundred
 * items at a time and stops when the reader does, so a page of millions of
 * tiny strings never sits in memory whole.
 */
async function readText(pdf: Document, job: PdfTextJob): Promise<string> {
  const pages: string[] = [];
  let length = 0;
  for (let n = 1; n <= Math.min(pdf.numPages, job.maxPages); n++) {
    const page = await pdf.getPage(n);
    const reader = page.streamTextContent().getReader();
    let text = "";
    try {
      while (length + text.length < job.maxChars) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const item of value.items) {
          if ("str" in item) text += item.str + (item.hasEOL ? "\n" : "");
        }
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
    pages.push(text);
    length += text.length;
    if (length >= job.maxChars) break;
  }
  return pages.join("\n").slice(0, job.maxChars);
}
