/**
 * Re-encoding a checked photo (inspect.ts): decoded and encoded afresh, so
 * no byte of the upload is ever served and no metadata survives (EXIF, GPS,
 * XMP, comments). Two sizes, both WebP: large (at most 1600 px on the long
 * side) for the kitchen page and card (at most 600 px) for search results.
 *
 * Image library: the @jsquash codecs (Squoosh's, from Google Chrome Labs):
 * the MozJPEG, libpng (Rust `png`) and libwebp decoders and the libwebp
 * encoder, compiled to WebAssembly, one small npm package per format,
 * maintained, Apache-2.0. They run in Deno as published: each loads the
 * .wasm beside its module (no native addon, no download at run time, no
 * `init` with bytes needed). Weighed against them: `imagescript` cannot
 * decode WebP (and is AGPL-or-MIT); `wasm-vips` does everything but is a
 * 13 MB 0.0.x build that starts pthread workers. MozJPEG also applies the
 * EXIF orientation when asked, which keeps portrait phone photos upright
 * once the EXIF is gone. Resizing is our own (resize.ts says why).
 *
 * Memory (bench/photos.ts measures it): decoding is the peak (the bitmap
 * sits in the decoder's WebAssembly heap and again in JS), so a photo's
 * pixels are capped, a big bitmap is first shrunk by averaging whole blocks,
 * and photos are processed one at a time per process. WebAssembly heaps
 * never shrink: after the first photo the process keeps the decoder's
 * high-water mark.
 */
import decodeJpeg from "@jsquash/jpeg/decode.js";
import decodePng from "@jsquash/png/decode.js";
import encodeWebp from "@jsquash/webp/encode.js";
import decodeWebp from "@jsquash/webp/decode.js";
import { ValidationError } from "../errors.ts";
import { damaged, inspectPhoto, type PhotoKind } from "./inspect.ts";
import { blockFactor, release, scaleTo, shrinkByBlocks } from "./resize.ts";

/** Long side of the size shown on the kitchen page. */
export const LARGE_EDGE = 1600;
/** Long side of the size shown on result cards. */
export const CARD_EDGE = 600;
const WEBP_QUALITY = 80;

export interface EncodedPhoto {
  bytes: Uint8Array;
  width: number;
  height: number;
}

export interface ProcessedPhoto {
  kind: PhotoKind;
  large: EncodedPhoto;
  card: EncodedPhoto;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `task` after every earlier one has finished: a decode holds the
 * whole bitmap, so two at once would double the peak, and the WebAssembly
 * heaps keep their high-water mark for the life of the process.
 */
function oneAtATime<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => {});
  return run;
}

/**
 * Checks an upload (see inspectPhoto), decodes it, and encodes the large
 * and card sizes as WebP with no metadata. Refusals are ValidationErrors.
 */
export async function processPhoto(
  bytes: Uint8Array,
): Promise<ProcessedPhoto> {
  const layout = await inspectPhoto(bytes);
  return await oneAtATime(async () => {
    const source = await decodeShrunk(layout.kind, bytes, LARGE_EDGE);
    const large = scaleTo(source, LARGE_EDGE);
    if (large !== source) release(source);
    const largeBytes = await encode(large);
    const card = scaleTo(large, CARD_EDGE);
    const cardBytes = await encode(card);
    const sizes = {
      kind: layout.kind,
      large: { bytes: largeBytes, width: large.width, height: large.height },
      card: { bytes: cardBytes, width: card.width, height: card.height },
    };
    release(large);
    if (card !== large) release(card);
    return sizes;
  });
}

/**
 * Decodes and, when the photo is at least twice `edge`, shrinks it by whole
 * blocks at once: the full-size bitmap is unreachable once this returns, so
 * it can be collected before the resize allocates.
 */
async function decodeShrunk(
  kind: PhotoKind,
  bytes: Uint8Array,
  edge: number,
): Promise<ImageData> {
  const image = await decode(kind, bytes);
  if (kind !== "jpeg") flattenOnWhite(image);
  const factor = blockFactor(image, edge);
  if (factor < 2) return image;
  const shrunk = shrinkByBlocks(image, factor);
  release(image);
  return shrunk;
}

async function decode(kind: PhotoKind, bytes: Uint8Array): Promise<ImageData> {
  // The decoders take an ArrayBuffer of exactly the file.
  const buffer = bytes.byteOffset === 0 &&
      bytes.byteLength === bytes.buffer.byteLength &&
      bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : bytes.slice().buffer;
  try {
    const image = kind === "jpeg"
      // Turns the pixels upright by the EXIF orientation, which goes with
      // the rest of the metadata.
      ? await decodeJpeg(buffer, { preserveOrientation: true })
      : kind === "png"
      ? await decodePng(buffer)
      : await decodeWebp(buffer);
    if (!image || image.width < 1 || image.height < 1) throw damaged();
    return image;
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw damaged();
  }
}

async function encode(image: ImageData): Promise<Uint8Array> {
  return new Uint8Array(await encodeWebp(image, { quality: WEBP_QUALITY }));
}

/**
 * Transparent pixels (PNG, WebP) are laid on white: a listing photo has no
 * use for transparency, and the resampling below then ignores alpha.
 */
function flattenOnWhite(image: ImageData): void {
  const d = image.data;
  for (let i = 3; i < d.length; i += 4) {
    const a = d[i];
    if (a === 255) continue;
    const white = 255 - a;
    d[i - 3] = (d[i - 3] * a + 255 * white) / 255;
    d[i - 2] = (d[i - 2] * a + 255 * white) / 255;
    d[i - 1] = (d[i - 1] * a + 255 * white) / 255;
    d[i] = 255;
  }
}
