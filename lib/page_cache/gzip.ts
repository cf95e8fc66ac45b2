/**
 * Gzip for a page stored in pieces with a per-response value between them
 * (the CSP nonce), compressed once and filled in per response.
 *
 * Why this works: each piece is raw deflate ending in a sync flush, which
 * leaves the stream byte-aligned and not final, so pieces can follow one
 * another; a piece's back-references reach only its own bytes, which the
 * decoder has already produced. The inserted value goes in as a stored
 * (uncompressed) block, an empty final stored block ends the stream, and
 * the gzip trailer carries the CRC-32 and length of the whole body. The
 * length is the same for every nonce; the CRC is the page's with zeros in
 * the slots plus the nonce's share, so no response compresses the page or
 * takes its CRC.
 */
import { constants, crc32, deflateRawSync } from "node:zlib";

/** Bytes on their own ArrayBuffer, as a Response body takes them. */
export type Bytes = Uint8Array<ArrayBuffer>;

/** RFC 1952 header: deflate, no flags, no mtime, unknown OS. */
const GZIP_HEADER = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);
/** An empty stored block with BFINAL set: ends the deflate stream. */
const FINAL_BLOCK = Uint8Array.of(1, 0, 0, 0xff, 0xff);
const STORED_MAX = 0xffff;

/** Raw deflate of each piece, each ending in a sync flush (byte-aligned, not final). */
function deflatePieces(pieces: readonly Uint8Array[]): Bytes[] {
  // Copied: zlib's Buffers may be views of a larger shared allocation.
  return pieces.map((p) =>
    new Uint8Array(deflateRawSync(p, { finishFlush: constants.Z_SYNC_FLUSH }))
  );
}

/** `bytes` as non-final stored blocks (at most 65,535 bytes each). */
export function storedBlocks(bytes: Uint8Array): Bytes {
  const count = Math.max(1, Math.ceil(bytes.length / STORED_MAX));
  const out = new Uint8Array(bytes.length + count * 5);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const chunk = bytes.subarray(i * STORED_MAX, (i + 1) * STORED_MAX);
    const len = chunk.length;
    out.set([0, len & 0xff, len >>> 8, ~len & 0xff, (~len >>> 8) & 0xff], at);
    out.set(chunk, at + 5);
    at += 5 + len;
  }
  return out;
}

/**
 * A page's gzip with room for the per-response value: the member as it
 * would be with zero bytes in each slot, and what turns a value's CRC into
 * its share of the whole page's. Built once a page; filled per response.
 */
export interface GzipLayout {
  /** The gzip member with `insertLength` zero bytes in each slot; its CRC left for `gzipFilled`. */
  template: Bytes;
  /** Where in `template` each copy of the value goes. */
  slots: number[];
  /** UTF-8 bytes of every value this layout takes (a nonce's are always 24). */
  insertLength: number;
  /** CRC-32 of the page with zero bytes in each slot. */
  zeroCrc: number;
  /**
   * The sum over slots of x^(8·bytes after the slot) mod the CRC polynomial:
   * CRC is linear, so a value's own CRC register times this is what it adds
   * to the page's CRC wherever it sits (zlib's crc32_combine, summed once).
   */
  shift: number;
}

/**
 * The layout of `pieces` joined by a value of `insertLength` UTF-8 bytes.
 * Each piece is deflated once; the value goes in as a stored block, so no
 * response compresses anything or reads the page to take its CRC.
 */
export function gzipLayout(
  pieces: readonly Uint8Array[],
  insertLength: number,
): GzipLayout {
  if (pieces.length === 0) throw new Error("gzipLayout needs a piece");
  if (insertLength > STORED_MAX) {
    throw new RangeError(
      `an insert of ${insertLength} bytes needs one stored block`,
    );
  }
  const deflated = deflatePieces(pieces);
  const slotBlock = storedBlocks(new Uint8Array(insertLength));
  const slotCount = pieces.length - 1;
  let length = GZIP_HEADER.length + FINAL_BLOCK.length + 8 +
    slotCount * slotBlock.length;
  for (const d of deflated) length += d.length;
  const template = new Uint8Array(length);
  template.set(GZIP_HEADER, 0);
  let at = GZIP_HEADER.length;
  const slots: number[] = [];
  deflated.forEach((d, i) => {
    if (i > 0) {
      template.set(slotBlock, at);
      slots.push(at + 5);
      at += slotBlock.length;
    }
    template.set(d, at);
    at += d.length;
  });
  template.set(FINAL_BLOCK, at);
  let shift = 0;
  // Bytes of the page after each slot, counted from the end; in the end,
  // the whole page's.
  let size = 0;
  for (let i = pieces.length - 1; i >= 0; i--) {
    size += pieces[i].length;
    if (i > 0) {
      shift ^= x8nModP(size);
      size += insertLength;
    }
  }
  let crc = 0;
  const zeros = new Uint8Array(insertLength);
  pieces.forEach((p, i) => {
    if (i > 0) crc = crc32(zeros, crc);
    crc = crc32(p, crc);
  });
  const trailer = new DataView(template.buffer, at + FINAL_BLOCK.length, 8);
  trailer.setUint32(0, crc >>> 0, true);
  // ISIZE is the length modulo 2^32.
  trailer.setUint32(4, size >>> 0, true);
  return { template, slots, insertLength, zeroCrc: crc >>> 0, shift };
}

/**
 * The gzip member of the layout's pieces joined by `insert`: the layout's
 * own template, with the value in each slot and the CRC made up. Valid
 * until the next fill: `new Response(bytes)` copies a body as it is made
 * (the Fetch standard's "extract a body"), so one buffer serves every hit.
 * Null, the template untouched, when the value's UTF-8 is not
 * `insertLength` bytes (build a layout for it).
 */
export function gzipFilled(layout: GzipLayout, insert: string): Bytes | null {
  const { template, slots, insertLength } = layout;
  // One piece: nothing goes in, and the template's CRC is the page's.
  if (slots.length === 0) return template;
  if (insert.length > insertLength) return null;
  if (scratch.length < insertLength) scratch = new Uint8Array(insertLength);
  const value = scratch.subarray(0, insertLength);
  const { read, written } = encoder.encodeInto(insert, value);
  // All read and exactly insertLength written: the value's UTF-8 is that long.
  if (read !== insert.length || written !== insertLength) return null;
  for (const slot of slots) template.set(value, slot);
  const own = crcRegister(value);
  const crc = (layout.zeroCrc ^ multModP(layout.shift, own)) >>> 0;
  new DataView(template.buffer, template.length - 8, 4).setUint32(0, crc, true);
  return template;
}

const encoder = new TextEncoder();
/** Where a value is encoded before it goes in, so a refused one changes nothing. */
let scratch = new Uint8Array(64);

/** CRC-32's polynomial, bit-reflected (bit 31 is x^0). */
const POLY = 0xedb88320;

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  return c;
});

/** The CRC register after `bytes` from a register of zero (no pre- or post-inversion). */
function crcRegister(bytes: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < bytes.length; i++) {
    c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  }
  return c >>> 0;
}

/** a·b modulo the CRC polynomial, both bit-reflected (zlib's multmodp). */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  while (m !== 0) {
    if (a & m) p ^= b;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
    m >>>= 1;
  }
  return p >>> 0;
}

/** x^(2^k) mod P for k = 0..31, x^1 first. */
const X2N = (() => {
  const table = [0x40000000];
  for (let k = 1; k < 32; k++) {
    table.push(multModP(table[k - 1], table[k - 1]));
  }
  return table;
})();

/** x^(8n) mod P: what n zero bytes do to a CRC register. */
function x8nModP(n: number): number {
  let p = 0x80000000;
  // 8n = n·2^3: walk n's bits from k = 3.
  for (let k = 3; n > 0; n = Math.floor(n / 2), k++) {
    if (n % 2) p = multModP(X2N[k % 32], p);
  }
  return p;
}
