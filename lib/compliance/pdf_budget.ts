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

export interface PdfLimits {
  /** Bytes all streams of the file may decode to, every filter stage counted. */
  maxInflatedBytes: number;
  /** Time the check may take, pauses to let other work run included. */
  maxMillis: number;
}

/**
 * pdf.js holds a stream in a buffer that doubles as it grows, so a file at
 * this budget costs it up to 1.5 times as much while it reads; with its
 * worker thread, that keeps a server within 64 MiB of where it was.
 */
export const PDF_LIMITS: PdfLimits = {
  maxInflatedBytes: 16 * 1024 * 1024,
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

/** A dict pdf.js could read in more than this is not one we measure. */
const MAX_DICT_BYTES = 64 * 1024;
const MAX_DEPTH = 32;
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
// Bytes as pdf.js's lexer sees them

const isWhite = (c: number) =>
  c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c ||
  c === 0x00;
const DELIMITERS = new Set([
  0x28,
  0x29,
  0x3c,
  0x3e,
  0x5b,
  0x5d,
  0x7b,
  0x7d,
  0x2f,
  0x25,
]);
const isRegular = (c: number) => !isWhite(c) && !DELIMITERS.has(c);
const isLetter = (c: number) =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c & 15;
  if ((c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)) return (c & 15) + 9;
  return -1;
}

const ascii = (word: string) => Uint8Array.from(word, (c) => c.charCodeAt(0));
const STREAM = ascii("stream");
const OBJ = ascii("obj");
const TRAILER = ascii("trailer");

/** Where `word` next occurs in `b` from `from`, or -1 (no copy of `b` as text). */
function find(b: Uint8Array, word: Uint8Array, from: number): number {
  for (
    let at = b.indexOf(word[0], from);
    at >= 0;
    at = b.indexOf(word[0], at + 1)
  ) {
    let i = 1;
    while (i < word.length && b[at + i] === word[i]) i++;
    if (i === word.length) return at;
  }
  return -1;
}

/**
 * A `stream` keyword at `at`, as far as a lexer could take it for one:
 * nothing regular after it, and before it nothing that would make it the
 * tail of a longer word. A digit before it still counts ("0stream" lexes as
 * a number and a keyword), so the test errs towards seeing a keyword.
 */
function streamKeywordAt(b: Uint8Array, at: number, before: number): boolean {
  for (let i = 0; i < 6; i++) if (b[at + i] !== STREAM[i]) return false;
  const after = at + 6 < b.length ? b[at + 6] : -1;
  return (after < 0 || !isRegular(after)) && !isLetter(before);
}

type Value =
  | { t: "dict"; map: Map<string, Value> }
  | { t: "array"; items: Value[] }
  | { t: "name"; name: string; start: number; end: number }
  | { t: "number"; value: number; integer: boolean }
  | { t: "ref" }
  | { t: "string" }
  | { t: "keyword"; word: string };

type Token =
  | { t: "<<" | ">>" | "[" | "]" }
  | Extract<Value, { t: "name" | "number" | "string" | "keyword" }>;

class ParseFailed extends Error {}

/** A pdf.js-like reader of objects in `b`, from `pos`, never past `limit`. */
class Reader {
  constructor(
    readonly b: Uint8Array,
    public pos: number,
    readonly limit: number,
  ) {}

  skipSpace(): void {
    const b = this.b;
    while (this.pos < this.limit) {
      const c = b[this.pos];
      if (isWhite(c)) this.pos++;
      else if (c === 0x25) {
        while (
          this.pos < this.limit && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d
        ) {
          this.pos++;
        }
      } else return;
    }
  }

  token(): Token | null {
    this.skipSpace();
    const b = this.b;
    if (this.pos >= this.limit) return null;
    const start = this.pos;
    const c = b[this.pos++];
    switch (c) {
      case 0x3c: // <
        if (b[this.pos] === 0x3c) {
          this.pos++;
          return { t: "<<" };
        }
        while (this.pos < this.limit && b[this.pos] !== 0x3e) this.pos++;
        if (this.pos >= this.limit) throw new ParseFailed();
        this.pos++;
        return { t: "string" };
      case 0x3e: // >
        if (b[this.pos] === 0x3e) {
          this.pos++;
          return { t: ">>" };
        }
        return { t: "keyword", word: ">" };
      case 0x5b:
        return { t: "[" };
      case 0x5d:
        return { t: "]" };
      case 0x28: // ( — nested parentheses, backslash escapes
        for (let depth = 1; depth > 0;) {
          if (this.pos >= this.limit) throw new ParseFailed();
          const s = b[this.pos++];
          if (s === 0x5c) this.pos++;
          else if (s === 0x28) depth++;
          else if (s === 0x29) depth--;
        }
        return { t: "string" };
      case 0x29:
        throw new ParseFailed();
      case 0x2f: // /
        return this.name(start);
      case 0x7b:
      case 0x7d:
        return { t: "keyword", word: String.fromCharCode(c) };
    }
    while (this.pos < this.limit && isRegular(b[this.pos])) this.pos++;
    const word = String.fromCharCode(...b.subarray(start, this.pos));
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) {
      return {
        t: "number",
        value: Number(word),
        integer: /^[+-]?\d+$/.test(word),
      };
    }
    return { t: "keyword", word };
  }

  /** A name with its `#xx` escapes decoded, as pdf.js decodes them. */
  name(start: number): Token {
    const b = this.b;
    let name = "";
    while (this.pos < this.limit && isRegular(b[this.pos])) {
      const c = b[this.pos++];
      if (c === 0x23 && this.pos + 1 < this.limit) {
        const hi = hexDigit(b[this.pos]), lo = hexDigit(b[this.pos + 1]);
        if (hi >= 0 && lo >= 0) {
          name += String.fromCharCode((hi << 4) | lo);
          this.pos += 2;
          continue;
        }
      }
      name += String.fromCharCode(c);
    }
    return { t: "name", name, start, end: this.pos };
  }

  /** One object; `first` is its first token when already read. */
  value(depth: number, first?: Token | null): Value {
    if (depth > MAX_DEPTH) throw new ParseFailed();
    const tok = first === undefined ? this.token() : first;
    if (!tok) throw new ParseFailed();
    switch (tok.t) {
      case "<<":
        return this.dict(depth);
      case "[": {
        const items: Value[] = [];
        for (;;) {
          const next = this.token();
          if (!next) throw new ParseFailed();
          if (next.t === "]") return { t: "array", items };
          items.push(this.value(depth + 1, next));
        }
      }
      case ">>":
      case "]":
        throw new ParseFailed();
      case "number":
        return tok.integer ? this.maybeRef(tok) : tok;
      default:
        return tok;
    }
  }

  /** `12 0 R` is a reference; anything else leaves the reader after the number. */
  maybeRef(num: Extract<Value, { t: "number" }>): Value {
    const back = this.pos;
    try {
      const gen = this.token();
      if (gen?.t === "number" && gen.integer) {
        const r = this.token();
        if (r?.t === "keyword" && r.word === "R") return { t: "ref" };
      }
    } catch (err) {
      if (!(err instanceof ParseFailed)) throw err;
    }
    this.pos = back;
    return num;
  }

  /** After `<<`. Like pdf.js, a token where a key should be is skipped; the last of two equal keys wins. */
  dict(depth: number): Value {
    const map = new Map<string, Value>();
    for (;;) {
      const tok = this.token();
      if (!tok) throw new ParseFailed();
      if (tok.t === ">>") return { t: "dict", map };
      if (tok.t !== "name") continue;
      const next = this.token();
      if (next?.t === ">>") return { t: "dict", map };
      map.set(tok.name, this.value(depth + 1, next));
    }
  }
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

/** Where pdf.js starts a stream's data: after the end of the `stream` keyword's line. */
function dataStart(b: Uint8Array, from: number): number {
  let i = from;
  while (i < b.length) {
    const c = b[i++];
    if (c === 0x0d) {
      if (b[i] === 0x0a) i++;
      return i;
    }
    if (c === 0x0a) return i;
  }
  return i;
}
