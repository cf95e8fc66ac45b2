/**
 * A kitchen listing's photos: upload, order (the first is the cover), alt
 * text and delete, through the listing API (`getListingFor`, `updateSection`),
 * so only the listing's host or staff can touch them.
 *
 * An upload is decided by its bytes, never its name or stated type:
 * `file-type` sniffs it, and only JPEG, PNG and WebP go on. Their structure
 * is then walked (markers, chunks) to read the size before decoding
 * anything, to refuse truncated files, and to refuse polyglots: markup or
 * script hidden in metadata or after the image's end. Every photo is then
 * decoded and encoded afresh, so no byte of the upload is ever served and no
 * metadata survives (EXIF, GPS, XMP, comments). Two sizes are stored, both
 * WebP: large (at most 1600 px on the long side) for the kitchen page and
 * card (at most 600 px) for search results.
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
 * once the EXIF is gone. Resizing is our own (see `scaleTo` for why).
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
import { fileTypeFromBuffer } from "file-type";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { deleteFile, putFile } from "../files/store.ts";
import {
  type Editor,
  getListingFor,
  type Listing,
  MIN_PHOTOS,
  updateSection,
} from "./listings.ts";
import { type PhotoRef, photoRef } from "./schema.ts";
import type { KitchenStatus } from "./vocabulary.ts";

export const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
export const MAX_PHOTOS = 20;
/** Long side of the size shown on the kitchen page. */
export const LARGE_EDGE = 1600;
/** Long side of the size shown on result cards. */
export const CARD_EDGE = 600;
/**
 * Decoding is the peak. Measured peak RSS of a fresh process handling one
 * JPEG: 287 MiB at 12 MP, 341 MiB at 24 MP, 511 MiB at 40 MP. 25 MP
 * (6000 × 4000 fits) is more than phones save by default and keeps a
 * process well inside 512 MB.
 */
export const MAX_PIXELS = 25_000_000;
export const PHOTO_PURPOSE = "kitchen-photo";
const WEBP_QUALITY = 80;

export type PhotoKind = "jpeg" | "png" | "webp";

const ACCEPTED = "Upload a JPEG, PNG or WebP photo.";

/** A refused upload: a 400 with the reason on the photo field. */
function refuse(message: string): ValidationError {
  return new ValidationError({ photo: message }, message);
}

const damaged = () =>
  refuse(
    "That photo is damaged or incomplete, so we could not read it. " +
      "Save or export it again and upload the new copy.",
  );

const NAMED_TYPES: Record<string, string> = {
  gif: "a GIF",
  pdf: "a PDF document",
  heic: "a HEIC photo",
  avif: "an AVIF image",
  bmp: "a BMP image",
  tif: "a TIFF image",
  ico: "an icon",
  xml: "an XML or SVG file",
  zip: "a ZIP archive",
};

// ---------------------------------------------------------------------------
// Sniffing and structure

/** The size and layout of an upload that looks like a photo. */
export interface PhotoLayout {
  kind: PhotoKind;
  width: number;
  height: number;
}

interface Walk {
  width: number;
  height: number;
  /** Byte ranges that hold metadata (EXIF, XMP, comments, text chunks). */
  metadata: [number, number][];
  /** Bytes after the image's end, if any. */
  trailer: [number, number] | null;
  animated: boolean;
}

/**
 * Markup or script that a browser (or a careless server) might run. Looked
 * for only in metadata and trailers, never in compressed image data, where
 * such short strings turn up by chance; each needs a delimiter after it so
 * that chance stays negligible in a few MB of trailer.
 */
const MARKUP =
  /<(?:script|iframe|object|embed|html|body|svg|img)[\s/>]|<\?php|<!doctype|javascript:/i;

/**
 * What an upload is, from its bytes: a JPEG, PNG or WebP of a size we can
 * decode, with nothing hidden in it; otherwise a ValidationError that says
 * why in words a host understands.
 */
export async function inspectPhoto(bytes: Uint8Array): Promise<PhotoLayout> {
  if (bytes.length === 0) throw refuse(`That file is empty. ${ACCEPTED}`);
  if (bytes.length > PHOTO_MAX_BYTES) {
    throw refuse(
      `That photo is ${megabytes(bytes.length)}; the most is ${
        megabytes(PHOTO_MAX_BYTES)
      }. Save it at a smaller size and upload it again.`,
    );
  }
  const sniffed = await fileTypeFromBuffer(bytes);
  const kind = sniffed?.ext === "jpg"
    ? "jpeg"
    : sniffed?.ext === "png" || sniffed?.ext === "webp"
    ? sniffed.ext
    : null;
  if (sniffed?.ext === "apng") {
    throw refuse(`Animated images cannot be listing photos. ${ACCEPTED}`);
  }
  if (!kind) {
    if (!sniffed && looksLikeMarkup(bytes)) {
      throw refuse(
        `That file is a web page or an SVG drawing, not a photo. ${ACCEPTED}`,
      );
    }
    const what = sniffed
      ? NAMED_TYPES[sniffed.ext] ?? `a ${sniffed.ext.toUpperCase()} file`
      : "not an image we recognise";
    throw refuse(`That file is ${what}. ${ACCEPTED}`);
  }
  const walk = kind === "jpeg"
    ? walkJpeg(bytes)
    : kind === "png"
    ? walkPng(bytes)
    : walkWebp(bytes);
  if (walk.animated) {
    throw refuse(`Animated images cannot be listing photos. ${ACCEPTED}`);
  }
  const regions = walk.trailer
    ? [...walk.metadata, walk.trailer]
    : walk.metadata;
  const latin1 = new TextDecoder("latin1");
  for (const [start, end] of regions) {
    if (MARKUP.test(latin1.decode(bytes.subarray(start, end)))) {
      throw refuse(
        "That photo carries hidden web content (markup or script), so we " +
          "refused it. Export it again from your photo app and upload the " +
          "new copy.",
      );
    }
  }
  if (walk.width < 1 || walk.height < 1) throw damaged();
  if (walk.width * walk.height > MAX_PIXELS) {
    throw refuse(
      `That photo is ${walk.width} × ${walk.height} pixels; the most is ${
        MAX_PIXELS / 1_000_000
      } megapixels. Save it at a smaller size and upload it again.`,
    );
  }
  return { kind, width: walk.width, height: walk.height };
}

function megabytes(n: number): string {
  return `${Math.round(n / (1024 * 1024) * 10) / 10} MB`;
}

/** Text that starts like HTML, SVG or XML (after an optional BOM and spaces). */
function looksLikeMarkup(bytes: Uint8Array): boolean {
  const head = new TextDecoder("utf-8", { fatal: false })
    .decode(bytes.subarray(0, 1024)).replace(/^\uFEFF/, "").trimStart();
  return head.startsWith("<");
}

const u16be = (b: Uint8Array, p: number) => (b[p] << 8) | b[p + 1];
const u32be = (b: Uint8Array, p: number) =>
  ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
const u16le = (b: Uint8Array, p: number) => b[p] | (b[p + 1] << 8);
const u24le = (b: Uint8Array, p: number) =>
  b[p] | (b[p + 1] << 8) | (b[p + 2] << 16);
const u32le = (b: Uint8Array, p: number) => u24le(b, p) + b[p + 3] * 2 ** 24;

/** Start-of-frame markers: C0–CF except DHT (C4), JPG (C8) and DAC (CC). */
const isStartOfFrame = (m: number) =>
  m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/** Segments up to EOI; entropy-coded data after each SOS is skipped. */
function walkJpeg(b: Uint8Array): Walk {
  const walk: Walk = {
    width: 0,
    height: 0,
    metadata: [],
    trailer: null,
    animated: false,
  };
  let p = 2; // after SOI
  for (;;) {
    if (p >= b.length || b[p] !== 0xff) throw damaged();
    while (p < b.length && b[p] === 0xff) p++; // fill bytes
    if (p >= b.length) throw damaged();
    const marker = b[p++];
    if (marker === 0xd9) { // EOI
      if (p < b.length) walk.trailer = [p, b.length];
      return walk;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue;
    if (p + 2 > b.length) throw damaged();
    const length = u16be(b, p);
    const end = p + length;
    if (length < 2 || end > b.length) throw damaged();
    if (isStartOfFrame(marker)) {
      if (length < 8) throw damaged();
      walk.height = u16be(b, p + 3);
      walk.width = u16be(b, p + 5);
    } else if ((marker >= 0xe0 && marker <= 0xef) || marker === 0xfe) {
      walk.metadata.push([p + 2, end]); // APPn (EXIF, XMP, ICC…) and COM
    }
    p = end;
    if (marker === 0xda) {
      // Entropy-coded data runs to the next marker that is not a stuffed
      // zero (FF 00) or a restart (FF D0–D7).
      for (;;) {
        p = b.indexOf(0xff, p);
        if (p < 0 || p + 1 >= b.length) throw damaged();
        const next = b[p + 1];
        if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) p += 2;
        else if (next === 0xff) p += 1;
        else break;
      }
    }
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_IMAGE_CHUNKS = new Set(["IDAT", "fdAT"]);

/** Chunks from IHDR to IEND; each must fit in the file. */
function walkPng(b: Uint8Array): Walk {
  const walk: Walk = {
    width: 0,
    height: 0,
    metadata: [],
    trailer: null,
    animated: false,
  };
  if (PNG_SIGNATURE.some((v, i) => b[i] !== v)) throw damaged();
  let p = 8;
  for (let n = 0;; n++) {
    if (p + 12 > b.length) throw damaged();
    const length = u32be(b, p);
    const type = String.fromCharCode(b[p + 4], b[p + 5], b[p + 6], b[p + 7]);
    const data = p + 8;
    const end = data + length + 4; // + CRC
    if (end > b.length) throw damaged();
    if (n === 0 && (type !== "IHDR" || length < 8)) throw damaged();
    if (type === "IHDR") {
      walk.width = u32be(b, data);
      walk.height = u32be(b, data + 4);
    } else if (type === "IEND") {
      if (end < b.length) walk.trailer = [end, b.length];
      return walk;
    } else if (type === "acTL") {
      walk.animated = true;
    } else if (!PNG_IMAGE_CHUNKS.has(type)) {
      walk.metadata.push([data, data + length]);
    }
    p = end;
  }
}

const WEBP_IMAGE_CHUNKS = new Set(["VP8 ", "VP8L", "VP8X", "ALPH", "ANMF"]);

/** RIFF chunks; the RIFF size must fit in the file. */
function walkWebp(b: Uint8Array): Walk {
  const walk: Walk = {
    width: 0,
    height: 0,
    metadata: [],
    trailer: null,
    animated: false,
  };
  if (b.length < 20) throw damaged();
  const riffEnd = 8 + u32le(b, 4);
  if (riffEnd > b.length) throw damaged();
  if (riffEnd < b.length) walk.trailer = [riffEnd, b.length];
  let p = 12;
  let sized = false;
  while (p + 8 <= riffEnd) {
    const type = String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3]);
    const length = u32le(b, p + 4);
    const data = p + 8;
    const end = data + length;
    if (end > riffEnd) throw damaged();
    if (type === "VP8X" && length >= 10) {
      walk.animated = (b[data] & 0x02) !== 0;
      walk.width = u24le(b, data + 4) + 1;
      walk.height = u24le(b, data + 7) + 1;
      sized = true;
    } else if (type === "VP8 " && !sized) {
      if (length < 10 || b[data + 3] !== 0x9d || b[data + 4] !== 0x01) {
        throw damaged();
      }
      walk.width = u16le(b, data + 6) & 0x3fff;
      walk.height = u16le(b, data + 8) & 0x3fff;
      sized = true;
    } else if (type === "VP8L" && !sized) {
      if (length < 5 || b[data] !== 0x2f) throw damaged();
      const bits = u32le(b, data + 1);
      walk.width = (bits & 0x3fff) + 1;
      walk.height = ((bits >>> 14) & 0x3fff) + 1;
      sized = true;
    } else if (type === "ANIM") {
      walk.animated = true;
    } else if (!WEBP_IMAGE_CHUNKS.has(type)) {
      walk.metadata.push([data, end]);
    }
    p = end + (length & 1); // chunks are padded to an even length
  }
  if (!sized) throw damaged();
  return walk;
}

// ---------------------------------------------------------------------------
// Re-encoding

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

/**
 * Frees a bitmap's memory now. A bitmap's buffer is external to V8's heap,
 * and with little else allocated V8 may not collect for several photos
 * (measured: 300 MB of dead bitmaps after eight in a row); an ArrayBuffer
 * transferred to length 0 releases its memory at once.
 */
function release(image: ImageData): void {
  try {
    const buffer = image.data.buffer;
    if (buffer instanceof ArrayBuffer && !buffer.detached) buffer.transfer(0);
  } catch {
    // Not ours to free (a view on a WebAssembly heap): the GC will do.
  }
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

/** The size within `edge` × `edge` that keeps the aspect ratio; never larger. */
export function fitWithin(
  width: number,
  height: number,
  edge: number,
): { width: number; height: number } {
  const scale = Math.min(1, edge / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/**
 * Scales `image` to fit within `edge`: first by a whole factor, averaging
 * k × k blocks, then Lanczos3 to the exact size.
 *
 * Why not @jsquash/resize: its Lanczos3 keeps float copies of the whole
 * image in its WebAssembly heap, which never shrinks: +116 MB held for good
 * after one 3199 × 2399 resize (+150 MB in linear light for 2000 × 1500).
 * These two passes allocate only JS buffers that are freed afterwards.
 */
export function scaleTo(image: ImageData, edge: number): ImageData {
  const target = fitWithin(image.width, image.height, edge);
  if (target.width === image.width && target.height === image.height) {
    return image;
  }
  const factor = blockFactor(image, edge);
  const source = factor >= 2 ? shrinkByBlocks(image, factor) : image;
  if (source.width === target.width && source.height === target.height) {
    return source;
  }
  const scaled = lanczos3(source, target.width, target.height);
  if (source !== image) release(source);
  return scaled;
}

/** The whole factor by which `image` can shrink and still cover its fit in `edge`. */
function blockFactor(image: ImageData, edge: number): number {
  const target = fitWithin(image.width, image.height, edge);
  return Math.floor(
    Math.min(image.width / target.width, image.height / target.height),
  );
}

/**
 * Averages k × k pixel blocks (colour only: alpha is opaque by now); the
 * last (width mod k) columns and rows are dropped.
 */
function shrinkByBlocks(image: ImageData, k: number): ImageData {
  const width = Math.floor(image.width / k);
  const height = Math.floor(image.height / k);
  const src = image.data;
  const out = new Uint8ClampedArray(width * height * 4);
  const sums = new Uint32Array(width * 3);
  const area = k * k;
  for (let y = 0; y < height; y++) {
    sums.fill(0);
    for (let dy = 0; dy < k; dy++) {
      let s = (y * k + dy) * image.width * 4;
      for (let x = 0; x < width; x++) {
        let r = 0, g = 0, b = 0;
        for (let dx = 0; dx < k; dx++, s += 4) {
          r += src[s];
          g += src[s + 1];
          b += src[s + 2];
        }
        sums[x * 3] += r;
        sums[x * 3 + 1] += g;
        sums[x * 3 + 2] += b;
      }
    }
    let o = y * width * 4;
    for (let i = 0; i < sums.length; i += 3, o += 4) {
      out[o] = sums[i] / area;
      out[o + 1] = sums[i + 1] / area;
      out[o + 2] = sums[i + 2] / area;
      out[o + 3] = 255;
    }
  }
  return new ImageData(out, width, height);
}

const sinc = (x: number) => x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
const lanczosKernel = (x: number) =>
  Math.abs(x) < 3 ? sinc(x) * sinc(x / 3) : 0;

/** Per output sample: the first source sample and normalised weights. */
function lanczosWeights(from: number, to: number) {
  const scale = Math.max(1, from / to);
  const support = 3 * scale;
  const taps = Math.ceil(support) * 2 + 2;
  const start = new Int32Array(to);
  const count = new Int32Array(to);
  const weights = new Float32Array(to * taps);
  for (let i = 0; i < to; i++) {
    const center = (i + 0.5) * (from / to);
    const lo = Math.max(0, Math.floor(center - support));
    const hi = Math.min(from, Math.ceil(center + support));
    const n = Math.min(taps, hi - lo);
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const w = lanczosKernel((lo + k + 0.5 - center) / scale);
      weights[i * taps + k] = w;
      sum += w;
    }
    for (let k = 0; k < n; k++) weights[i * taps + k] /= sum;
    start[i] = lo;
    count[i] = n;
  }
  return { start, count, weights, taps };
}

/** Separable Lanczos3 (rows, then columns) of an opaque image, to a smaller size. */
function lanczos3(image: ImageData, width: number, height: number): ImageData {
  const src = image.data;
  const h = lanczosWeights(image.width, width);
  // Rows first: width × source height, three floats a pixel.
  const rows = new Float32Array(width * image.height * 3);
  for (let y = 0; y < image.height; y++) {
    const row = y * image.width * 4;
    let o = y * width * 3;
    for (let x = 0; x < width; x++, o += 3) {
      let r = 0, g = 0, b = 0;
      const first = h.start[x];
      const wo = x * h.taps;
      for (let k = 0; k < h.count[x]; k++) {
        const w = h.weights[wo + k];
        const p = row + (first + k) * 4;
        r += w * src[p];
        g += w * src[p + 1];
        b += w * src[p + 2];
      }
      rows[o] = r;
      rows[o + 1] = g;
      rows[o + 2] = b;
    }
  }
  const v = lanczosWeights(image.height, height);
  const out = new Uint8ClampedArray(width * height * 4);
  const acc = new Float32Array(width * 3);
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    const first = v.start[y];
    for (let k = 0; k < v.count[y]; k++) {
      const w = v.weights[y * v.taps + k];
      const row = (first + k) * width * 3;
      for (let i = 0; i < acc.length; i++) acc[i] += w * rows[row + i];
    }
    let o = y * width * 4;
    for (let i = 0; i < acc.length; i += 3, o += 4) {
      out[o] = acc[i]; // Uint8ClampedArray rounds and clamps the lobes
      out[o + 1] = acc[i + 1];
      out[o + 2] = acc[i + 2];
      out[o + 3] = 255;
    }
  }
  rows.buffer.transfer(0);
  return new ImageData(out, width, height);
}

// ---------------------------------------------------------------------------
// The listing's photos

export type PhotoMove = "up" | "down" | "cover";

/** The photo list after moving `photoId` (pure; the first photo is the cover). */
export function reorderPhotos(
  photos: readonly PhotoRef[],
  photoId: string,
  move: PhotoMove,
): PhotoRef[] {
  const at = photos.findIndex((p) => p.id === photoId);
  if (at < 0) throw photoNotFound();
  const out = [...photos];
  const to = move === "cover" ? 0 : move === "up" ? at - 1 : at + 1;
  if (to < 0 || to >= out.length || to === at) return out;
  const [photo] = out.splice(at, 1);
  out.splice(to, 0, photo);
  return out;
}

const photoNotFound = () => new NotFoundError("We could not find that photo.");

const full = () =>
  new ConflictError(
    `This kitchen already has ${MAX_PHOTOS} photos, the most it can have. ` +
      "Delete one to add another.",
  );

/** Alt text through the kitchen schema's own rule; a 400 on the alt field. */
export function parseAlt(raw: string): string {
  const parsed = photoRef.shape.alt.safeParse(raw);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ??
      "Enter a description of the photo";
    throw new ValidationError({ alt: message }, message);
  }
  return parsed.data;
}

/**
 * Adds a photo to a listing: checks and re-encodes it, stores both sizes
 * (owned by the listing's host), and appends `{ id, cardId, alt }` to the
 * photos. Files stored for an upload that then fails are deleted again.
 */
export async function addPhoto(
  kv: Deno.Kv,
  kitchenId: string,
  editor: Editor,
  upload: { bytes: Uint8Array; alt: string },
  now: number,
): Promise<{ photo: PhotoRef; listing: Listing }> {
  const listing = await getListingFor(kv, kitchenId, editor);
  if ((listing.values.photos?.length ?? 0) >= MAX_PHOTOS) throw full();
  const alt = parseAlt(upload.alt);
  const processed = await processPhoto(upload.bytes);
  const owned = { owner: listing.hostId, purpose: PHOTO_PURPOSE };
  const stored: string[] = [];
  try {
    for (const size of [processed.large, processed.card]) {
      const file = await putFile(kv, {
        bytes: size.bytes,
        contentType: "image/webp",
        ...owned,
      }, { now });
      stored.push(file.id);
    }
    const photo: PhotoRef = { id: stored[0], cardId: stored[1], alt };
    const saved = await editPhotos(kv, kitchenId, editor, now, (photos) => {
      if (photos.length >= MAX_PHOTOS) throw full();
      return [...photos, photo];
    });
    return { photo, listing: saved };
  } catch (err) {
    for (const id of stored) {
      await deleteFile(kv, id, { now, owner: listing.hostId }).catch(() => {});
    }
    throw err;
  }
}

/** Moves a photo up, down, or to the front (the cover). */
export async function movePhoto(
  kv: Deno.Kv,
  kitchenId: string,
  editor: Editor,
  photoId: string,
  move: PhotoMove,
  now: number,
): Promise<Listing> {
  return await editPhotos(
    kv,
    kitchenId,
    editor,
    now,
    (photos) => reorderPhotos(photos, photoId, move),
  );
}

/** Replaces a photo's alt text (required, as for every photo). */
export async function setPhotoAlt(
  kv: Deno.Kv,
  kitchenId: string,
  editor: Editor,
  photoId: string,
  rawAlt: string,
  now: number,
): Promise<Listing> {
  const alt = parseAlt(rawAlt);
  return await editPhotos(kv, kitchenId, editor, now, (photos) => {
    if (!photos.some((p) => p.id === photoId)) throw photoNotFound();
    return photos.map((p) => p.id === photoId ? { ...p, alt } : p);
  });
}

/**
 * Removes a photo from the listing, then deletes its files (only files this
 * listing's host owns: demo and benchmark photos are shared). A published
 * kitchen keeps at least MIN_PHOTOS.
 */
export async function deletePhoto(
  kv: Deno.Kv,
  kitchenId: string,
  editor: Editor,
  photoId: string,
  now: number,
): Promise<Listing> {
  let removed: PhotoRef | undefined;
  const listing = await editPhotos(
    kv,
    kitchenId,
    editor,
    now,
    (photos, status) => {
      removed = photos.find((p) => p.id === photoId);
      if (!removed) throw photoNotFound();
      if (status === "published" && photos.length <= MIN_PHOTOS) {
        throw new ConflictError(
          `A published kitchen needs at least ${MIN_PHOTOS} photos. ` +
            "Add another before deleting this one.",
        );
      }
      return photos.filter((p) => p.id !== photoId);
    },
  );
  for (const id of [removed!.id, removed!.cardId]) {
    if (id) await deleteFile(kv, id, { now, owner: listing.hostId });
  }
  return listing;
}

/**
 * Applies `change` to the current photo list and saves the photos section;
 * `updateSection` re-applies it on a fresh read if another edit got in
 * first, so concurrent edits never start from the same list.
 */
async function editPhotos(
  kv: Deno.Kv,
  kitchenId: string,
  editor: Editor,
  now: number,
  change: (photos: PhotoRef[], status: KitchenStatus) => PhotoRef[],
): Promise<Listing> {
  return await updateSection(
    kv,
    kitchenId,
    editor,
    "photos",
    (current, status) => ({ photos: change(current.photos ?? [], status) }),
    now,
  );
}
