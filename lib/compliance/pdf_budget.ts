/**
 * What reading an uploaded PDF may cost, decided before pdf.js sees it
 * (issue 15 §1).
 *
 * pdf.js inflates every stream it reads into one growing buffer, with no
 * limit and no option to set one: a 1 MB upload holding one FlateDecode
 * stream of zeros took the server from 330 MB to 2.4 GB. So this scan walks
 * the file first and decodes every stream as pdf.js would, a few KB at a
 * time, counting the output and throwing it away, and refuses the file as
 * soon as its streams together would decode past `maxInflatedBytes`. Its own
 * memory stays at one input slice and one output chunk whatever the file.
 *
 * Finding every stream pdf.js could decode, without trusting the file:
 * - pdf.js reads objects at the xref's offsets, or, when the xref is broken,
 *   wherever its recovery scan finds `N G obj`; trailers follow `trailer`.
 *   So a parse starts after every `obj` and every `trailer` in the bytes,
 *   and every `stream` keyword in the bytes must turn out to follow a dict
 *   one of those parses read: a stream nobody can attribute is one nobody
 *   measured, and the file is refused.
 * - Object streams hold objects pdf.js parses from their decoded bytes. The
 *   spec forbids streams there, so a `stream` keyword in a decoded object
 *   stream refuses the file.
 * - Each stream is decoded from its first byte to the filter's own end
 *   marker (or the end of the file), whatever /Length says: decoding stops
 *   at the same marker in pdf.js, so no /Length can make it decode more.
 * - Every stage of a filter chain keeps all its output in pdf.js, so every
 *   stage's output counts.
 *
 * What cannot be measured is refused rather than guessed: encrypted files
 * (their streams only decode after decryption), LZW and Brotli streams,
 * filters or their parameters given as references, chains that put an
 * image codec before another filter. Refused files are still stored; only
 * the prefill is skipped.
 *
 * Images are never decoded to read text, yet pdf.js would decode one if the
 * file used it as a page's content, and an image codec's output is whatever
 * its header claims (JPEG, JPEG 2000, JBIG2, CCITT fax). So the filter names
 * of streams marked as images, and of image codecs ending any chain, are
 * reported instead of measured, for the caller to blank (`blankNames`):
 * pdf.js then reads those streams as the bytes they are, never copied. An
 * image's size then costs nothing, and a scan passes like any text file.
 */
import pako from "pako";
import {
  dataStart,
  find,
  hexDigit,
  isWhite,
  MAX_DICT_BYTES,
  OBJ,
  ParseFailed,
  Reader,
  STREAM,
  streamKeywordAt,
  TRAILER,
  type Value,
} from "./pdf_syntax.ts";

export interface PdfLimits {
  /** Bytes all streams of the file may decode to, every filter stage counted. */
  maxInflatedBytes: number;
  /** Time the check may take, pauses to let other work run included. */
  maxMillis: number;
}

/**
 * pdf.js holds a stream in a buffer that doubles as it grows, so a file at
 * this budget costs it up to 1.5 times as much while it reads. With its
 * worker thread (about 30 MiB to start and load pdf.js), a file just under
 * 8 MiB took a server 41–43 MiB over where it was (bench/pdf.ts); at 16 MiB
 * it took 57–63, too near the 64 MiB budget. Text PDFs decode to far less:
 * a 60-page manual with its fonts, to 0.5 MB, and images are never decoded.
 */
export const PDF_LIMITS: PdfLimits = {
  maxInflatedBytes: 8 * 1024 * 1024,
  maxMillis: 3_000,
};

/** Why a file was not handed to pdf.js. */
export type PdfRefusal =
  /** Its streams decode past the budget. */
  | "too-large"
  | "encrypted"
  /** A filter we do not measure (LZW, Brotli, Crypt, a codec mid-chain). */
  | "filter"
  /** A stream we could not attribute or parse, or more work than the file's size explains. */
  | "structure"
  /** A stream its filter cannot decode. */
  | "damaged"
  /** The check itself ran out of time. */
  | "time";

export type PdfBudgetCheck =
  | {
    ok: true;
    /** Bytes the streams decode to, every stage counted. */
    inflatedBytes: number;
    /** Byte ranges of the filter names of images and image codecs, for `blankNames`. */
    filterNamesToBlank: [start: number, end: number][];
  }
  | { ok: false; refusal: PdfRefusal };

class Refused extends Error {
  constructor(readonly refusal: PdfRefusal) {
    super(refusal);
  }
}

/** Input handed to a decoder at a time: bounds each output chunk (Flate: ≤ 1032×). */
const SLICE_BYTES = 4096;
/** Longest stretch of work between pauses. */
const SLICE_MS = 10;

/**
 * Checks `bytes` (a whole PDF) against `limits` without changing them.
 * Linear in the file's size: parsing and decoding work beyond a small
 * multiple of it refuses the file. It pauses every few milliseconds, so a
 * server checking a file goes on answering other requests.
 */
export async function checkPdfBudget(
  bytes: Uint8Array,
  limits: PdfLimits = PDF_LIMITS,
): Promise<PdfBudgetCheck> {
  const scan = new Scan(bytes, limits);
  try {
    await scan.run();
    return {
      ok: true,
      inflatedBytes: scan.inflated,
      filterNamesToBlank: scan.filterNamesToBlank,
    };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, refusal: err.refusal };
    throw err;
  }
}

/** Overwrites each range (a name token) with `/XXX…`, a filter pdf.js does not know. */
export function blankNames(
  bytes: Uint8Array,
  ranges: readonly [number, number][],
): void {
  for (const [start, end] of ranges) bytes.fill(0x58, start + 1, end);
}

// ---------------------------------------------------------------------------
// Decoding, counted

/** One filter stage: takes its input in slices, hands its output on. */
interface Stage {
  push(chunk: Uint8Array): void;
  /** The input ended (the file did, or the stage before finished). */
  end(): void;
  /** Reached its own end marker: later input is ignored. */
  done: boolean;
}

type Sink = (chunk: Uint8Array) => void;

/** The part of pako's (zlib's) streaming inflater used here. */
interface Inflater {
  push(data: Uint8Array, final: boolean): boolean;
  onData: (chunk: Uint8Array) => void;
  onEnd: (status: number) => void;
  strm: {
    output: Uint8Array;
    next_out: number;
    avail_out: number;
    msg: string;
  };
}
const Inflate = pako.Inflate as new (
  options: { chunkSize: number },
) => Inflater;
const OUTPUT_CHUNK = 64 * 1024;
const Z_NEED_DICT = 2;
/**
 * zlib's complaints that end a stream where pdf.js's inflater ends it too:
 * a header pdf.js refuses (it then decodes nothing, as for an empty
 * stream), or a checksum, which pdf.js never checks. Any other error means
 * pdf.js might decode on where zlib stopped, so the file is refused.
 */
const PDFJS_ALIKE = new Set([
  "incorrect header check",
  "unknown compression method",
  "incorrect data check",
]);

/**
 * FlateDecode through zlib (pako), which stops at the stream's final block
 * and ignores what follows, as pdf.js does. Its one output buffer is
 * handed back after each chunk: a bomb inflates through 64 KB of memory
 * instead of leaving its gigabytes as garbage for the collector.
 */
function flateStage(out: Sink): Stage {
  const inflater = new Inflate({ chunkSize: OUTPUT_CHUNK });
  const strm = inflater.strm;
  inflater.onData = (chunk) => {
    out(chunk);
    strm.next_out = 0;
    strm.avail_out = strm.output.length;
  };
  inflater.onEnd = (status) => {
    stage.done = true;
    if (status === 0 || PDFJS_ALIKE.has(strm.msg) || status === Z_NEED_DICT) {
      return;
    }
    throw new Refused("damaged");
  };
  const pending = () => {
    if (strm.next_out > 0) out(strm.output.subarray(0, strm.next_out));
  };
  const stage: Stage = {
    done: false,
    push(chunk) {
      if (!stage.done) inflater.push(chunk, false);
      if (stage.done) pending();
    },
    // The data ran out before the final block: pdf.js decodes it as far as it goes.
    end() {
      if (!stage.done) pending();
      stage.done = true;
    },
  };
  return guard(stage);
}

/** A decoder's own error means a damaged stream; a refusal from further down passes through. */
function guard(stage: Stage): Stage {
  const wrap = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      if (err instanceof Refused) throw err;
      throw new Refused("damaged");
    }
  };
  return {
    get done() {
      return stage.done;
    },
    push: (chunk) => wrap(() => stage.push(chunk)),
    end: () => wrap(() => stage.end()),
  };
}

/** ASCIIHexDecode as pdf.js reads it: hex digits in pairs, anything else skipped, `>` ends. */
function hexStage(out: Sink): Stage {
  let high = -1;
  const stage: Stage = {
    done: false,
    push(chunk) {
      if (stage.done) return;
      const bytes = new Uint8Array(chunk.length >> 1 || 1);
      let n = 0;
      for (const c of chunk) {
        if (c === 0x3e) {
          stage.done = true;
          break;
        }
        const d = hexDigit(c);
        if (d < 0) continue;
        if (high < 0) high = d;
        else {
          bytes[n++] = (high << 4) | d;
          high = -1;
        }
      }
      if (stage.done && high >= 0) {
        bytes[n++] = high << 4;
        high = -1;
      }
      if (n) out(bytes.subarray(0, n));
    },
    end() {
      if (!stage.done && high >= 0) out(new Uint8Array([high << 4]));
      stage.done = true;
    },
  };
  return stage;
}

/** ASCII85Decode as pdf.js reads it: `z` is four zeros, whitespace is skipped, `~` ends. */
function ascii85Stage(out: Sink): Stage {
  const group: number[] = [];
  const flush = (bytes: number[]) => {
    if (group.length === 0) return;
    const n = group.length;
    let t = 0;
    for (let i = 0; i < 5; i++) t = t * 85 + (i < n ? group[i] - 0x21 : 84);
    // A short last group gives one byte fewer than its characters.
    for (let i = 0; i < n - 1; i++) bytes.push((t >>> (24 - 8 * i)) & 0xff);
    group.length = 0;
  };
  const stage: Stage = {
    done: false,
    push(chunk) {
      if (stage.done) return;
      const bytes: number[] = [];
      for (const c of chunk) {
        if (isWhite(c)) continue;
        if (c === 0x7e) {
          stage.done = true;
          break;
        }
        if (c === 0x7a && group.length === 0) {
          bytes.push(0, 0, 0, 0);
          continue;
        }
        group.push(c);
        if (group.length === 5) flush(bytes);
      }
      if (stage.done) flush(bytes);
      if (bytes.length) out(Uint8Array.from(bytes));
    },
    end() {
      if (stage.done) return;
      const bytes: number[] = [];
      flush(bytes);
      if (bytes.length) out(Uint8Array.from(bytes));
      stage.done = true;
    },
  };
  return stage;
}

/**
 * RunLengthDecode: a length byte, then that many bytes plus one, or one byte
 * repeated 257 minus it; 128 ends. pdf.js reserves a literal run's room
 * before reading it, so a run cut short by the end still counts whole.
 */
function runLengthStage(out: Sink): Stage {
  let literal = 0;
  let repeat = 0;
  const stage: Stage = {
    done: false,
    push(chunk) {
      let i = 0;
      while (i < chunk.length && !stage.done) {
        if (literal > 0) {
          const n = Math.min(literal, chunk.length - i);
          out(chunk.subarray(i, i + n));
          literal -= n;
          i += n;
        } else if (repeat > 0) {
          out(new Uint8Array(repeat).fill(chunk[i++]));
          repeat = 0;
        } else {
          const len = chunk[i++];
          if (len === 128) stage.done = true;
          else if (len < 128) literal = len + 1;
          else repeat = 257 - len;
        }
      }
    },
    end() {
      if (!stage.done && literal > 0) out(new Uint8Array(literal));
      stage.done = true;
    },
  };
  return stage;
}

/**
 * A PNG or TIFF predictor after Flate: at most a row more than its input in
 * pdf.js, plus a row it may reserve before finding the input ended. Counted,
 * not decoded, so it must end the chain.
 */
function predictorRowBytes(parms: Value | undefined): number {
  // pdf.js applies a predictor only when the parameters are a dict.
  if (parms?.t !== "dict") return 0;
  const int = (...names: string[]) => {
    const v = names.map((n) => parms.map.get(n)).find((x) => x !== undefined);
    if (v === undefined) return undefined;
    if (v.t === "ref") throw new Refused("structure");
    if (v.t !== "number" || !v.integer) throw new Refused("filter");
    return v.value;
  };
  const predictor = int("Predictor") || 1;
  if (predictor <= 1) return 0;
  if (predictor !== 2 && (predictor < 10 || predictor > 15)) {
    throw new Refused("filter");
  }
  const colors = int("Colors") || 1;
  const bits = int("BPC", "BitsPerComponent") || 8;
  const columns = int("Columns") || 1;
  // Exactly pdf.js's arithmetic, 32-bit wrap-around included.
  return Math.max(0, (columns * colors * bits + 7) >> 3);
}

const FILTER_NAMES: Record<string, string> = {
  Fl: "FlateDecode",
  LZW: "LZWDecode",
  DCT: "DCTDecode",
  JPX: "JPXDecode",
  A85: "ASCII85Decode",
  AHx: "ASCIIHexDecode",
  CCF: "CCITTFaxDecode",
  RL: "RunLengthDecode",
};
const IMAGE_CODECS = new Set([
  "DCTDecode",
  "JPXDecode",
  "JBIG2Decode",
  "CCITTFaxDecode",
]);
const UNMEASURED = new Set(["LZWDecode", "BrotliDecode", "Crypt"]);

interface Filter {
  name: string;
  parms: Value | undefined;
  span: [number, number];
}

/** The filter chain pdf.js would build from a stream's dict (Parser.filter). */
function filtersOf(dict: Map<string, Value>): Filter[] {
  const pick = (a: string, b: string) =>
    dict.has(a) ? dict.get(a) : dict.get(b);
  const filter = pick("F", "Filter");
  const parms = pick("DP", "DecodeParms");
  if (!filter) return [];
  if (filter.t === "ref" || parms?.t === "ref") throw new Refused("structure");
  if (filter.t === "name") {
    return [{ name: filter.name, parms, span: [filter.start, filter.end] }];
  }
  if (filter.t !== "array") return [];
  return filter.items.map((item, i) => {
    if (item.t !== "name") throw new Refused("structure");
    const p = parms?.t === "array" ? parms.items[i] : undefined;
    if (p?.t === "ref") throw new Refused("structure");
    return { name: item.name, parms: p, span: [item.start, item.end] };
  });
}

// ---------------------------------------------------------------------------
// The scan

class Scan {
  inflated = 0;
  readonly filterNamesToBlank: [number, number][] = [];
  /** Positions of `stream` keywords that follow a dict we read. */
  private readonly attributed = new Set<number>();
  /** Bytes fed to decoders and read by parses, against `maxWork`. */
  private work = 0;
  private readonly maxWork: number;
  private readonly deadline: number;
  private pausedAt = performance.now();

  constructor(readonly bytes: Uint8Array, readonly limits: PdfLimits) {
    this.maxWork = 8 * bytes.length + 1024 * 1024;
    this.deadline = this.pausedAt + limits.maxMillis;
  }

  /** Lets other work run every SLICE_MS; refuses past the deadline. */
  private async pause(): Promise<void> {
    const now = performance.now();
    if (now - this.pausedAt < SLICE_MS) return;
    if (now > this.deadline) throw new Refused("time");
    await new Promise((resolve) => setTimeout(resolve, 0));
    this.pausedAt = performance.now();
  }

  async run(): Promise<void> {
    const b = this.bytes;
    for (const word of [OBJ, TRAILER]) {
      for (let at = find(b, word, 0); at >= 0; at = find(b, word, at + 1)) {
        await this.object(at + word.length);
        await this.pause();
      }
    }
    for (let at = find(b, STREAM, 0); at >= 0; at = find(b, STREAM, at + 1)) {
      if (
        streamKeywordAt(b, at, at > 0 ? b[at - 1] : 0x20) &&
        !this.attributed.has(at)
      ) {
        throw new Refused("structure");
      }
    }
  }

  private spend(n: number): void {
    this.work += n;
    if (this.work > this.maxWork) throw new Refused("structure");
  }

  /** The object after an `obj` or `trailer` at `from`: a stream is measured, anything else ignored. */
  private async object(from: number): Promise<void> {
    const b = this.bytes;
    const reader = new Reader(
      b,
      from,
      Math.min(b.length, from + MAX_DICT_BYTES),
    );
    let dict: Value;
    try {
      const first = reader.token();
      if (first?.t !== "<<") return;
      dict = reader.dict(0);
    } catch (err) {
      if (err instanceof ParseFailed) return;
      throw err;
    } finally {
      this.spend(reader.pos - from);
    }
    if (dict.t !== "dict") return;
    if (dict.map.has("Encrypt")) throw new Refused("encrypted");
    const after = new Reader(b, reader.pos, b.length);
    after.skipSpace();
    const at = after.pos;
    if (!streamKeywordAt(b, at, 0x20)) return;
    // Another parse may reach the same keyword with another reading of the
    // dict (an `obj` inside a string): each reading is measured.
    this.attributed.add(at);
    await this.stream(dict.map, dataStart(b, at + 6));
  }

  private async stream(dict: Map<string, Value>, start: number): Promise<void> {
    const filters = filtersOf(dict).map((f) => ({
      ...f,
      name: FILTER_NAMES[f.name] ?? f.name,
    }));
    const subtype = dict.get("Subtype");
    if (subtype?.t === "name" && subtype.name === "Image") {
      // Reading text never decodes an image; blanked, nothing can make it.
      for (const f of filters) this.filterNamesToBlank.push(f.span);
      return;
    }
    if (filters.some((f) => UNMEASURED.has(f.name))) {
      throw new Refused("filter");
    }
    const codec = filters.findIndex((f) => IMAGE_CODECS.has(f.name));
    if (codec >= 0) {
      if (codec !== filters.length - 1) throw new Refused("filter");
      this.filterNamesToBlank.push(filters[codec].span);
      filters.pop();
    }
    if (filters.length === 0) return;
    const container = dict.has("N") && dict.has("First");
    let next: Sink = container ? this.objectStreamSink() : () => {};
    const stages: Stage[] = [];
    for (let i = filters.length - 1; i >= 0; i--) {
      const stage = this.stage(filters[i], next, {
        last: i === filters.length - 1,
        container,
      });
      stages.unshift(stage);
      next = (chunk) => stage.push(chunk);
    }
    const b = this.bytes;
    for (
      let at = start;
      at < b.length && !stages.some((s) => s.done);
      at += SLICE_BYTES
    ) {
      const slice = b.subarray(at, Math.min(b.length, at + SLICE_BYTES));
      this.spend(slice.length);
      stages[0].push(slice);
      await this.pause();
    }
    for (const stage of stages) stage.end();
  }

  /** One decoder whose every output byte counts, handing its output to `next`. */
  private stage(
    filter: Filter,
    next: Sink,
    where: { last: boolean; container: boolean },
  ): Stage {
    const out: Sink = (chunk) => {
      this.count(chunk.length);
      next(chunk);
    };
    switch (filter.name) {
      case "FlateDecode": {
        const row = predictorRowBytes(filter.parms);
        if (!row) return flateStage(out);
        // Counted, not decoded: only at the end of a chain, never for objects.
        if (!where.last || where.container) throw new Refused("filter");
        // The predictor's buffer holds what Flate's does, plus a row it may
        // reserve before finding the input ended, plus a short last row.
        this.count(2 * row);
        return flateStage((chunk) => {
          this.count(chunk.length);
          out(chunk);
        });
      }
      case "ASCIIHexDecode":
        return hexStage(out);
      case "ASCII85Decode":
        return ascii85Stage(out);
      case "RunLengthDecode":
        return runLengthStage(out);
      default:
        // A filter pdf.js does not know: it reads the bytes as they are, uncopied.
        return { done: false, push: next, end() {} };
    }
  }

  private count(n: number): void {
    this.inflated += n;
    if (this.inflated > this.limits.maxInflatedBytes) {
      throw new Refused("too-large");
    }
  }

  /** Decoded object-stream bytes, searched for a `stream` keyword across chunk edges. */
  private objectStreamSink(): Sink {
    let tail = new Uint8Array(0);
    return (chunk) => {
      const joined = new Uint8Array(tail.length + chunk.length);
      joined.set(tail);
      joined.set(chunk, tail.length);
      for (let i = 0; i + 6 <= joined.length; i++) {
        if (
          joined[i] === 0x73 &&
          streamKeywordAt(joined, i, i > 0 ? joined[i - 1] : 0x20) &&
          // A keyword cut at the chunk's end is judged when the rest arrives.
          i + 6 < joined.length
        ) {
          throw new Refused("structure");
        }
      }
      tail = joined.slice(Math.max(0, joined.length - 7));
    };
  }
}
