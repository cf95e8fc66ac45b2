/**
 * Gzip for a page stored in pieces with a per-response value between them
 * (the CSP nonce), compressed once and assembled per response.
 *
 * Why this works: each piece is raw deflate ending in a sync flush, which
 * leaves the stream byte-aligned and not final, so pieces can follow one
 * another; a piece's back-references reach only its own bytes, which the
 * decoder has already produced. The inserted value goes in as a stored
 * (uncompressed) block, an empty final stored block ends the stream, and
 * the gzip trailer carries the CRC-32 and length of the whole body, which
 * are computed per response because the inserted value differs.
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
export function deflatePieces(pieces: readonly Uint8Array[]): Bytes[] {
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
 * The gzip member of `pieces.join(insert)`, from the pieces' deflated forms
 * (`deflatePieces`) and the pieces themselves (for the CRC and length).
 */
export function gzipJoined(
  pieces: readonly Uint8Array[],
  deflated: readonly Uint8Array[],
  insert: Uint8Array,
): Bytes {
  if (pieces.length !== deflated.length || pieces.length === 0) {
    throw new Error("gzipJoined needs one deflated part per piece");
  }
  const stored = pieces.length > 1 ? storedBlocks(insert) : new Uint8Array();
  let crc = 0;
  let size = 0;
  let outLength = GZIP_HEADER.length + FINAL_BLOCK.length + 8;
  pieces.forEach((p, i) => {
    if (i > 0) {
      crc = crc32(insert, crc);
      size += insert.length;
      outLength += stored.length;
    }
    crc = crc32(p, crc);
    size += p.length;
    outLength += deflated[i].length;
  });
  const out = new Uint8Array(outLength);
  out.set(GZIP_HEADER, 0);
  let at = GZIP_HEADER.length;
  deflated.forEach((d, i) => {
    if (i > 0) {
      out.set(stored, at);
      at += stored.length;
    }
    out.set(d, at);
    at += d.length;
  });
  out.set(FINAL_BLOCK, at);
  at += FINAL_BLOCK.length;
  const trailer = new DataView(out.buffer, at, 8);
  trailer.setUint32(0, crc >>> 0, true);
  // ISIZE is the length modulo 2^32.
  trailer.setUint32(4, size >>> 0, true);
  return out;
}
