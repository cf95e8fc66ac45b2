/**
 * Re-encoding a checked photo (inspect.ts): decoded and encoded afresh, so
 * no byte of the upload is ever served and no metadata survives (EXIF, GPS,
 * XMP, comments). Two sizes, both WebP: large (at most 1600 px on the long
 * side) for the kitchen page and card (at most 600 px) for search results.
 *
 * Image libraries: the @jsquash codecs (Squoosh's, from Google Chrome
 * Labs): the libpng (Rust `png`) and libwebp decoders and the libwebp
 * encoder, compiled to WebAssembly, one small npm package per format,
 * maintained, Apache-2.0; and for JPEG, libjpeg-turbo's TurboJPEG compiled
 * to WebAssembly (@cwasm/jpeg-turbo, MIT), because it scales by M/8 while
 * it decodes (photo_worker.ts). They run in Deno as published: each loads
 * the .wasm beside its module (no native addon, no download at run time).
 * Weighed against them: `imagescript` cannot decode WebP (and is
 * AGPL-or-MIT); `wasm-vips` does everything but is a 13 MB 0.0.x build that
 * starts pthread workers; `sharp` is a native addon, so a crash in its
 * decoder would end the server, not a thread. Resizing is our own
 * (resize.ts says why).
 *
 * Memory (bench/photos.ts measures it): each photo is processed in a worker
 * thread of its own that ends after it (lib/worker_job.ts), so the codecs'
 * WebAssembly heaps, which never shrink, go with the thread, and a photo
 * is processed alone: no other photo or PDF worker runs beside it. A JPEG is decoded at the smallest M/8 of its
 * size that still covers the large size (1875 × 1875 for a 25 MP photo,
 * 14 MB, where MozJPEG gave the whole 100 MB bitmap twice: in its heap and
 * again in JS). Still, a progressive JPEG makes libjpeg keep every DCT
 * coefficient of the photo until its last scan: 75–150 MB at 25 MP, the
 * most a photo costs. PNG and WebP decode whole (their bitmap twice); the
 * pixel cap in inspect.ts bounds them.
 */
import { UnavailableError, ValidationError } from "../errors.ts";
import { logError } from "../log.ts";
import {
  runWorkerJob,
  type WorkerFailure,
  type WorkerLimits,
  workerTurn,
} from "../worker_job.ts";
import { damaged, inspectPhoto, type PhotoKind } from "./inspect.ts";
import { reencodePhoto } from "./photo_job.ts";
import type { EncodedPhoto, PhotoJob, PhotoReport } from "./photo_job.ts";

export type { EncodedPhoto };

/** Long side of the size shown on the kitchen page. */
export const LARGE_EDGE = 1600;
/** Long side of the size shown on result cards. */
export const CARD_EDGE = 600;
const WEBP_QUALITY = 80;

/**
 * The photo worker's limits. Its JavaScript heap holds no bitmap (those are
 * buffers outside it). Time: a 25 MP photo takes about 1.5 s on an idle
 * core; a hostile progressive JPEG can make libjpeg spin far longer.
 */
export const PHOTO_WORKER_LIMITS: WorkerLimits = {
  heapMb: 64,
  startMs: 30_000,
  loadMs: 10_000,
  workMs: 30_000,
};
/**
 * A photo's worker takes both units of the server's worker turns
 * (lib/worker_job.ts): it runs alone, after any PDF being read. At most
 * MAX_WAITING jobs wait (each holding its upload, ≤ 10 MB); a photo whose
 * turn has not come within TURN_TIMEOUT_MS is refused.
 */
const MAX_WAITING = 8;
const TURN_TIMEOUT_MS = 60_000;

export interface ProcessedPhoto {
  kind: PhotoKind;
  large: EncodedPhoto;
  card: EncodedPhoto;
}

/**
 * Checks an upload (see inspectPhoto), then decodes it and encodes the
 * large and card sizes as WebP with no metadata, in a worker thread.
 * Refusals are ValidationErrors; a worker that dies is an UnavailableError.
 * `limits` is for tests.
 */
export async function processPhoto(
  bytes: Uint8Array,
  limits: WorkerLimits = PHOTO_WORKER_LIMITS,
): Promise<ProcessedPhoto> {
  const layout = await inspectPhoto(bytes);
  const release = await workerTurn({
    units: 2,
    maxWaiting: MAX_WAITING,
    timeoutMs: TURN_TIMEOUT_MS,
  });
  if (!release) {
    throw new UnavailableError(
      "We are processing many photos just now. Nothing was saved; " +
        "please upload yours again in a minute.",
    );
  }
  try {
    // A copy to hand over (or, with no worker, to decode here): the
    // caller's bytes stay as they were.
    const copy = bytes.slice();
    const job: PhotoJob = {
      bytes: copy,
      ...layout,
      largeEdge: LARGE_EDGE,
      cardEdge: CARD_EDGE,
      quality: WEBP_QUALITY,
    };
    const outcome = await runWorkerJob<PhotoReport>(
      new URL("./photo_worker.ts", import.meta.url),
      job,
      [copy.buffer],
      limits,
    );
    if (!outcome.ok && outcome.failure !== "unavailable") {
      throw photoFailure(outcome.failure, bytes.length);
    }
    // Where no worker thread can start, photos still work, in this thread,
    // as before workers: its codecs' heaps then stay for good.
    const report = outcome.ok
      ? outcome.report
      : (await reencodePhoto(job, () => {})).report;
    if (report.step === "damaged") throw damaged();
    if (report.step !== "encoded") throw photoFailure("crashed", bytes.length);
    return { kind: layout.kind, large: report.large, card: report.card };
  } finally {
    release();
  }
}

/** What the uploader is told when the photo's worker gave no photo. */
export function photoFailure(
  failure: WorkerFailure,
  size: number,
): ValidationError | UnavailableError {
  switch (failure) {
    case "time":
      return photoRefusal(
        "That photo took too long to process, so we stopped. Save it at a " +
          "smaller size and upload it again.",
      );
    case "memory":
      return photoRefusal(
        "That photo needs more memory to process than we allow. Save it at " +
          "a smaller size and upload it again.",
      );
    default:
      logError(`photo worker ${failure}: ${size} bytes`);
      return new UnavailableError(
        "We could not process that photo just now. Nothing was saved; " +
          "please upload it again in a minute.",
      );
  }
}

function photoRefusal(message: string): ValidationError {
  return new ValidationError({ photo: message }, message);
}
