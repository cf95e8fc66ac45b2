/**
 * Draws a PDF's first page as a picture for staff review, in a worker
 * thread of its own (started by `renderPdfPreview` in pdf_preview.ts, one
 * per file, ended after it), once `checkPdfBudget` has passed the file.
 *
 * PDFium (Chrome's PDF engine, compiled to WebAssembly by @hyzyla/pdfium)
 * draws the page; nothing in the file can reach outside the WebAssembly
 * heap, and that heap is capped here: its growth goes through Emscripten's
 * `emscripten_resize_heap` import, which this thread wraps to refuse any
 * size past `heapBytes`. PDFium then drops what it cannot allocate (a huge
 * image) and draws the rest, and the report says the page is incomplete.
 * The parent caps the thread's JavaScript heap and its time, and
 * everything PDFium allocated goes with the thread.
 *
 * The WebAssembly module arrives compiled from the parent, so a file's
 * thread spends its time on the file, not on compiling PDFium.
 */
import { serveJob } from "../worker_job.ts";

export interface PdfPreviewJob {
  /** The PDF, checked by `checkPdfBudget`; transferred. */
  bytes: Uint8Array;
  /** PDFium, compiled once by the parent. */
  module: WebAssembly.Module;
  /** The picture fits in this box, keeping the page's proportions. */
  maxWidth: number;
  maxHeight: number;
  /** Bytes PDFium's WebAssembly heap may grow to. */
  heapBytes: number;
}

export type PdfPreviewReport =
  | {
    step: "drawn";
    /** The page as WebP. */
    image: Uint8Array<ArrayBuffer>;
    width: number;
    height: number;
    /** Something on the page needed more memory than allowed and was left out. */
    incomplete: boolean;
  }
  | { step: "failed" };

// PDFium's glue prints each refused allocation; the parent logs one line per file instead.
console.error = () => {};
console.warn = () => {};

type ResizeHeap = (size: number) => boolean;

serveJob<PdfPreviewJob, PdfPreviewReport>(
  "pdf_preview_worker.ts",
  async (job, loaded) => {
    let refused = false;
    let library: { destroy(): void } | null = null;
    try {
      const [{ PDFiumLibrary }, webpCodec] = await Promise.all([
        import("@hyzyla/pdfium"),
        import("@jsquash/webp/encode.js"),
      ]);
      // Both codecs load before the "loaded" report, so the file's time
      // limit covers only the work the file decides: drawing and encoding.
      const [pdfium] = await Promise.all([
        PDFiumLibrary.init({
          instantiateWasm(
            imports: WebAssembly.Imports,
            done: (
              instance: WebAssembly.Instance,
              module: WebAssembly.Module,
            ) => void,
          ) {
            const env = imports.env as Record<string, unknown>;
            const resize = env.emscripten_resize_heap as ResizeHeap;
            env.emscripten_resize_heap = (size: number) => {
              if (size >>> 0 > job.heapBytes) {
                refused = true;
                return false;
              }
              return resize(size);
            };
            WebAssembly.instantiate(job.module, imports).then(
              (instance) => done(instance, job.module),
            );
            return {} as WebAssembly.Exports;
          },
        }),
        webpCodec.init(),
      ]);
      library = pdfium;
      loaded();
      const doc = await pdfium.loadDocument(job.bytes);
      const page = doc.getPage(0);
      const { originalWidth, originalHeight } = page.getOriginalSize();
      const { width, height } = fitInto(
        originalWidth,
        originalHeight,
        job.maxWidth,
        job.maxHeight,
      );
      const drawn = await page.render({ width, height, render: "bitmap" });
      doc.destroy();
      const pixels = new Uint8ClampedArray(
        drawn.data.buffer as ArrayBuffer,
        drawn.data.byteOffset,
        drawn.data.byteLength,
      );
      const webp = new Uint8Array(
        await webpCodec.default(new ImageData(pixels, width, height), {
          quality: 85,
        }),
      );
      return {
        report: {
          step: "drawn",
          image: webp,
          width,
          height,
          incomplete: refused,
        },
        transfer: [webp.buffer],
      };
    } finally {
      try {
        library?.destroy();
      } catch {
        // The thread ends next; what PDFium held goes with it.
      }
    }
  },
);

/**
 * The largest whole-pixel size of a `w` × `h` page inside the box, at
 * least 1 × 1; a page whose size makes no sense (the file claims it) gets
 * the box's width at a letter page's proportions.
 */
function fitInto(
  w: number,
  h: number,
  maxWidth: number,
  maxHeight: number,
): { width: number; height: number } {
  if (!(w > 0 && h > 0 && Number.isFinite(w) && Number.isFinite(h))) {
    return { width: maxWidth, height: Math.round(maxWidth * 11 / 8.5) };
  }
  const scale = Math.min(maxWidth / w, maxHeight / h);
  return {
    width: Math.max(1, Math.min(maxWidth, Math.floor(w * scale))),
    height: Math.max(1, Math.min(maxHeight, Math.floor(h * scale))),
  };
}
