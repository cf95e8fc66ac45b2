/**
 * What an upload is, decided by its bytes, never its name or stated type:
 * `file-type` sniffs it, and only JPEG, PNG and WebP go on. Their structure
 * is then walked (markers, chunks) to read the size before decoding
 * anything, to refuse truncated files, and to refuse polyglots: markup or
 * script hidden in metadata or after the image's end.
 */
import { fileTypeFromBuffer } from "file-type";
import { ValidationError } from "../errors.ts";

export const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
export type PhotoKind = "jpeg" | "png" | "webp";

/**
 * Decoding is the peak, and it grows with the pixels. What a 25 MP photo
 * adds to the server at its peak (bench/photos.ts, bench/at_once.ts): a
 * camera's baseline JPEG +85 MiB (decoded scaled down); a progressive JPEG
 * +175–225 MiB (libjpeg keeps every coefficient until the last scan,
 * whatever the scale); a PNG or WebP +240–310 MiB (decoded whole, the
 * bitmap held twice). Beside the largest PDFs and calendar feed at the same
 * moment, those last two took a server to 520 and 623 MiB, past Deno
 * Deploy's 512. So progressive JPEGs, PNG and WebP stop at 12 MP (4000 ×
 * 3000, a phone camera's default); 25 MP (6000 × 4000 fits) is for
 * cameras' baseline JPEGs.
 */
export const MAX_PIXELS = {
  jpeg: 25_000_000,
  progressive: 12_000_000,
  png: 12_000_000,
  webp: 12_000_000,
} as const;

const KIND_NAMES: Record<keyof typeof MAX_PIXELS, string> = {
  jpeg: "a JPEG",
  progressive: "a progressive JPEG (as web exports save them)",
  png: "a PNG",
  webp: "a WebP photo",
};

const ACCEPTED = "Upload a JPEG, PNG or WebP photo.";

/** A refused upload: a 400 with the reason on the photo field. */
function refuse(message: string): ValidationError {
  return new ValidationError({ photo: message }, message);
}

/** The answer for a file whose structure does not hold together. */
export const damaged = () =>
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

/** The size and layout of an upload that looks like a photo. */
export interface PhotoLayout {
  kind: PhotoKind;
  /** As stored, before `orientation` turns it. */
  width: number;
  height: number;
  /**
   * How a JPEG's EXIF says to turn it upright (1–8, 1 is as stored); a
   * phone's portrait photo is stored sideways with 6 or 8. PNG and WebP: 1.
   */
  orientation: number;
}

interface Walk {
  width: number;
  height: number;
  /** Byte ranges that hold metadata (EXIF, XMP, comments, text chunks). */
  metadata: [number, number][];
  /** Bytes after the image's end, if any. */
  trailer: [number, number] | null;
  animated: boolean;
  orientation: number;
  /** A progressive JPEG (SOF2, SOF6, SOF10, SOF14): decoded whole, whatever the scale. */
  progressive: boolean;
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
  const limit = kind === "jpeg" && walk.progressive ? "progressive" : kind;
  if (walk.width * walk.height > MAX_PIXELS[limit]) {
    throw refuse(
      `That photo is ${walk.width} × ${walk.height} pixels; the most for ${
        KIND_NAMES[limit]
      } is ${
        MAX_PIXELS[limit] / 1_000_000
      } megapixels. Save it at a smaller size and upload it again.`,
    );
  }
  return {
    kind,
    width: walk.width,
    height: walk.height,
    orientation: walk.orientation,
  };
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
    orientation: 1,
    progressive: false,
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
      walk.progressive = (marker & 0x03) === 0x02;
    } else if ((marker >= 0xe0 && marker <= 0xef) || marker === 0xfe) {
      walk.metadata.push([p + 2, end]); // APPn (EXIF, XMP, ICC…) and COM
      if (marker === 0xe1 && walk.orientation === 1) {
        walk.orientation = exifOrientation(b.subarray(p + 2, end));
      }
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

const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"

/**
 * The Orientation tag (0x0112) of IFD0 in an APP1 EXIF payload, or 1 when
 * there is none or it makes no sense: the tag MozJPEG's `preserveOrientation`
 * read before decoding moved to libjpeg-turbo, which does not read it.
 */
export function exifOrientation(app1: Uint8Array): number {
  if (app1.length < 14 || EXIF_HEADER.some((v, i) => app1[i] !== v)) return 1;
  const tiff = app1.subarray(6);
  const big = tiff[0] === 0x4d && tiff[1] === 0x4d; // "MM"
  if (!big && !(tiff[0] === 0x49 && tiff[1] === 0x49)) return 1; // "II"
  const u16 = (p: number) => big ? u16be(tiff, p) : u16le(tiff, p);
  const u32 = (p: number) => big ? u32be(tiff, p) : u32le(tiff, p);
  if (u16(2) !== 42) return 1;
  const ifd = u32(4);
  if (ifd < 8 || ifd + 2 > tiff.length) return 1;
  const entries = u16(ifd);
  for (let i = 0, p = ifd + 2; i < entries && p + 12 <= tiff.length; i++) {
    if (u16(p) === 0x0112) {
      const value = u16(p + 8);
      return value >= 1 && value <= 8 ? value : 1;
    }
    p += 12;
  }
  return 1;
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
    orientation: 1,
    progressive: false,
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
    orientation: 1,
    progressive: false,
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
