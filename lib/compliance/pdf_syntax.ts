/**
 * PDF syntax as pdf.js's lexer and parser read it (src/core/parser.js), as
 * far as pdf_budget.ts needs it: where a stream's dict begins and ends, what
 * its filter entries say, where its data starts. Whitespace, delimiters,
 * comments, `#xx` in names, nested strings and `N G R` references follow
 * pdf.js, so a dict reads here as pdf.js reads it; where this reader gives up
 * (a dict past MAX_DICT_BYTES or nested past MAX_DEPTH), the stream after it
 * is one the budget check cannot attribute, and it refuses the file.
 */

/** A dict pdf.js could read in more than this is not one we measure. */
export const MAX_DICT_BYTES = 64 * 1024;
const MAX_DEPTH = 32;

export const isWhite = (c: number) =>
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

export function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c & 15;
  if ((c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)) return (c & 15) + 9;
  return -1;
}

const LATIN1 = new TextDecoder("latin1");
const ascii = (word: string) => Uint8Array.from(word, (c) => c.charCodeAt(0));
export const STREAM = ascii("stream");
export const OBJ = ascii("obj");
export const TRAILER = ascii("trailer");

/** Where `word` next occurs in `b` from `from`, or -1 (no copy of `b` as text). */
export function find(b: Uint8Array, word: Uint8Array, from: number): number {
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
export function streamKeywordAt(
  b: Uint8Array,
  at: number,
  before: number,
): boolean {
  for (let i = 0; i < 6; i++) if (b[at + i] !== STREAM[i]) return false;
  const after = at + 6 < b.length ? b[at + 6] : -1;
  return (after < 0 || !isRegular(after)) && !isLetter(before);
}

export type Value =
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

export class ParseFailed extends Error {}

/** A pdf.js-like reader of objects in `b`, from `pos`, never past `limit`. */
export class Reader {
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
    const word = LATIN1.decode(b.subarray(start, this.pos));
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

/** Where pdf.js starts a stream's data: after the end of the `stream` keyword's line. */
export function dataStart(b: Uint8Array, from: number): number {
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
