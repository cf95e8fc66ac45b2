/**
 * Fuzzes every route of the real server process (main.ts, demo data seeded)
 * with a few thousand hostile requests: random bytes in path parameters,
 * query strings, headers, cookies and bodies; control bytes, ANSI escapes,
 * bad UTF-8 and bad percent-encodings; ids past Deno KV's 2 KiB key limit;
 * bogus content types, garbage multipart and JSON; bodies of a few MB; PDF
 * uploads built to inflate past any memory (bombs, oversized streams,
 * chained filters), whole or with bytes flipped. No
 * answer may be a 5xx, no request may kill the process, and GET / must still
 * answer 200 at the end.
 *
 * A run is deterministic: every probe is built from its own PRNG, seeded
 * from the run's seed and the probe's id, so one probe can be replayed alone.
 *
 *   FUZZ_SEED=1234          another run (the failure message names the seed)
 *   FUZZ_ONLY=d3,1812       only these probes (ids from the failure message)
 *   FUZZ_COUNT=10000        more random probes (default 3000)
 *   FUZZ_VERBOSE=1          one line per probe and its answer
 *
 * Kitchen ids are ULIDs minted by each seeding and plausible dates count from
 * today, so a replay sends the same shapes to that run's kitchens and days.
 * Eight probes are in flight at a time, so the order in which they change
 * server state (rate limits, sessions) varies from run to run.
 *
 * Routes are listed by hand in `routes()`: a new route needs a line there.
 */
import assert from "node:assert/strict";
import type Stripe from "stripe";
import { stripeClient } from "../../lib/payments/stripe.ts";
import { type ServerProcess, startServer, within } from "../fuzz_server.ts";
import { signedWebhookBody, startStripeFake } from "../stripe_fake.ts";
import { hostilePdfs } from "../pdf_fixtures.ts";

const DEFAULT_SEED = 0x5eed_2026;
const DEFAULT_COUNT = 3000;
const CONCURRENCY = 8;
/** Random probes stop being sent after this long, however many are left. */
const BUDGET_MS = 35_000;
const REQUEST_TIMEOUT_MS = 15_000;
/** Every crash costs a restart; past this many the run stops. */
const MAX_CRASHES = 10;
const VERBOSE = Boolean(Deno.env.get("FUZZ_VERBOSE"));

const DEMO_PASSWORD = "prep-demo-password";
const ACCOUNTS = [
  "renter@prep.test",
  "host@prep.test",
  "admin@prep.test",
  "support@prep.test",
];

// ---------------------------------------------------------------------------
// Deterministic randomness

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a: a probe's own seed from the run's seed and its id. */
function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function parseSeed(raw: string | undefined): number {
  if (!raw) return DEFAULT_SEED;
  const n = Number(raw);
  return Number.isInteger(n) ? n >>> 0 : hashSeed(raw);
}

class Rng {
  constructor(readonly next: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  bytes(n: number): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
  chars(n: number, alphabet: string): string {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[this.int(0, alphabet.length - 1)];
    return s;
  }
}

// ---------------------------------------------------------------------------
// Hostile values

const enc = new TextEncoder();
const utf8 = (s: string) => enc.encode(s);
const LETTERS =
  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * A value as bytes, and as it goes into a URL or urlencoded body. `url` is
 * usually the percent-encoding of `bytes`, but a malformed encoding ("%zz")
 * can only be written as text.
 */
interface Value {
  bytes: Uint8Array;
  url: string;
  kind: string;
}

function pct(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    s += /[A-Za-z0-9._~-]/.test(c)
      ? c
      : "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return s;
}

const fromBytes = (bytes: Uint8Array, kind: string): Value => ({
  bytes,
  url: pct(bytes),
  kind,
});
const fromText = (text: string, kind: string): Value =>
  fromBytes(utf8(text), kind);
const literal = (url: string, kind: string): Value => ({
  bytes: utf8(url),
  url,
  kind,
});

const CONTROL = [
  0x00,
  0x01,
  0x07,
  0x08,
  0x09,
  0x0a,
  0x0b,
  0x0c,
  0x0d,
  0x1b,
  0x1f,
  0x7f,
];
const ANSI = [
  "\x1b[31mred\x1b[0m",
  "\x1b[2J\x1b[H",
  "\x1b]0;owned\x07",
  "\x1b]8;;http://evil.example/\x07link\x1b]8;;\x07",
  "\x1b[1A\x1b[2Kfake log line",
  "\u009b31m",
];
const BAD_UTF8 = [
  [0xc0, 0x80],
  [0xc3, 0x28],
  [0xff, 0xfe],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xef, 0xbf, 0xbe],
];
const BAD_PERCENT = [
  "%",
  "%%",
  "%zz",
  "%0",
  "%E2%82",
  "%u0041",
  "%%32%65",
  "100%",
  "%C0%AF",
  "%ED%A0%80",
  "%FF%FE",
  "%00",
  "%0A%0D",
  "%7F",
];
const UNICODE = [
  "\u202eevil",
  "\u200b",
  "😀🔥",
  "e\u0301",
  "\ufeffbom",
  "\uffff",
  "日本語",
  "\u2028\u2029",
  "ｆｕｌｌ",
  "İı",
  "\u0000nul",
];
const INJECTION = [
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "</script><!--",
  "'; DROP TABLE kitchens; --",
  "${7*7}{{7*7}}",
  "../../../../etc/passwd",
  "..\\..\\windows",
  "//evil.example",
  "/\\evil.example",
  "javascript:alert(1)",
  "http://evil.example/",
  "\\\\evil.example",
  "/%2F%2Fevil.example",
  "a\r\nSet-Cookie: x=1",
];
const PROTOTYPE_KEYS = [
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "prototype",
  "__defineGetter__",
];
const NUMBERS = [
  "-1",
  "0",
  "1e309",
  "NaN",
  "Infinity",
  "-Infinity",
  "0x1F",
  "1.5",
  "-0",
  "9".repeat(400),
  "1e-400",
  " 5 ",
  "5abc",
  "０",
  "9007199254740993",
];
const DATES = [
  "2026-02-30",
  "9999-12-31",
  "0000-01-01",
  "2026-13-01",
  "+275760-09-13",
  "-000001-01-01",
  "2026-1-1",
  "2026-06-15T00:00",
  "25:00",
  "24:00",
  "23:59",
  "12:60",
  "00:00",
  "1970-01-01",
  "2038-01-19",
];
const EMAILS = [
  "a@b",
  `x@${"a".repeat(300)}.com`,
  "a b@c.d",
  '"quoted"@x.y',
  "user+tag@prep.test",
  " RENTER@PREP.TEST ",
  "ä@ü.de",
  "@",
  "renter@prep.test\u0000",
  "a@b.c,admin@prep.test",
];

/** A hostile value of one kind (or any kind). */
function hostile(g: Rng, kind = g.pick(HOSTILE_KINDS)): Value {
  switch (kind) {
    case "empty":
      return fromText("", kind);
    case "whitespace":
      return fromText(g.pick([" ", "\t", "   \t ", "\u00a0", "\u3000"]), kind);
    case "ascii":
      return fromText(g.chars(g.int(1, 30), LETTERS + "-_.!*'()~ "), kind);
    case "control bytes": {
      const out: number[] = [];
      for (let i = g.int(1, 12); i > 0; i--) {
        out.push(
          g.chance(0.5) ? g.pick(CONTROL) : LETTERS.charCodeAt(g.int(0, 25)),
        );
      }
      if (out.every((b) => !CONTROL.includes(b))) out.push(g.pick(CONTROL));
      return fromBytes(new Uint8Array(out), kind);
    }
    case "ansi escape":
      return fromText(g.pick(ANSI), kind);
    case "random bytes":
      return fromBytes(g.bytes(g.int(1, 64)), kind);
    case "bad utf-8": {
      const bad = g.pick(BAD_UTF8);
      return fromBytes(new Uint8Array([0x61, ...bad, 0x62]), kind);
    }
    case "bad percent-encoding":
      return literal(g.pick(["", "a"]) + g.pick(BAD_PERCENT), kind);
    case "unicode":
      return fromText(g.pick(UNICODE), kind);
    case "huge":
      return fromText(
        g.chance(0.5)
          ? "A".repeat(g.int(3000, 20_000))
          : g.chars(g.int(3000, 12_000), LETTERS),
        kind,
      );
    case "injection":
      return fromText(g.pick(INJECTION), kind);
    case "prototype key":
      return fromText(g.pick(PROTOTYPE_KEYS), kind);
    case "number edge":
      return fromText(g.pick(NUMBERS), kind);
    case "date/time edge":
      return fromText(g.pick(DATES), kind);
    case "email edge":
      return fromText(g.pick(EMAILS), kind);
  }
  throw new Error(`unknown kind ${kind}`);
}

const HOSTILE_KINDS = [
  "empty",
  "whitespace",
  "ascii",
  "control bytes",
  "control bytes",
  "ansi escape",
  "random bytes",
  "random bytes",
  "bad utf-8",
  "bad percent-encoding",
  "bad percent-encoding",
  "unicode",
  "huge",
  "injection",
  "prototype key",
  "number edge",
  "date/time edge",
  "email edge",
];

/** An id past Deno KV's key limit (2 KiB for the whole key) or just under it. */
function overlongId(g: Rng): Value {
  const n = g.pick([2000, 2040, 2048, 2060, 2100, 2500, 3000, 5000, 12_000]);
  if (g.chance(0.2)) {
    // Two bytes per character: the limit is on bytes, not characters.
    return fromText("é".repeat(Math.ceil(n / 2)), "overlong id");
  }
  return fromText(g.chars(n, ULID_ALPHABET), "overlong id");
}

/** Header values are byte strings without controls, or fetch refuses them. */
function headerText(v: Value): string {
  let s = "";
  for (const b of v.bytes) {
    if (b === 0x09 || (b >= 0x20 && b !== 0x7f)) s += String.fromCharCode(b);
  }
  return s.trim();
}

function show(bytes: Uint8Array, max = 60): string {
  const text = new TextDecoder().decode(bytes);
  const shown = JSON.stringify(text.length > max ? text.slice(0, max) : text);
  return text.length > max ? `${shown}… (${bytes.length} bytes)` : shown;
}

// ---------------------------------------------------------------------------
// Probes

/** What the server's state offers the generator: real ids, cities, assets. */
interface Known {
  kitchenIds: string[];
  /** Published demo reviews (issue 18), from a rated kitchen's reviews page. */
  reviewIds: string[];
  photoIds: string[];
  mailIds: string[];
  cities: string[];
  assets: string[];
}

interface Probe {
  /** "d3" for directed probes, a number for random ones: FUZZ_ONLY takes them. */
  id: string;
  method: string;
  /** The route template, e.g. "/kitchens/:id". */
  route: string;
  /** Where the headline hostile value went, and its kind: "path id: overlong id". */
  focus: string;
  /** The exact case within `focus` (directed probes): "2040 chars". */
  variant?: string;
  /** Other places that got hostile values too. */
  also?: string[];
  /** Path and query, percent-encoded as sent. */
  url: string;
  headers: [string, string][];
  body?: Uint8Array<ArrayBuffer>;
  bodyNote?: string;
  /** Sent with the logged-in renter's session cookie. */
  session: boolean;
}

type Place = "path" | "query" | "body" | "headers" | "cookies";

/** How the labels of a place begin, to name a probe after its focus. */
const PLACE_LABELS: Record<Place, string[]> = {
  path: ["path"],
  query: ["query"],
  body: ["body", "content-type"],
  headers: ["header"],
  cookies: ["cookie"],
};

/** Builds one probe; `focus` decides which place gets the hostile value. */
class Builder {
  /** Every place that got a hostile value, in the order they were made. */
  readonly labels: string[] = [];
  readonly headers: [string, string][] = [];
  body?: Uint8Array<ArrayBuffer>;
  bodyNote?: string;
  constructor(readonly g: Rng, readonly focus: Place) {}

  /**
   * A path segment: hostile when the path is the focus, else plausible. An
   * overlong id anywhere else would take the blame from the focus.
   */
  segment(name: string, plausible: () => string): string {
    const g = this.g;
    if (this.focus !== "path") return pct(utf8(plausible()));
    if (g.chance(0.25)) {
      const v = hostile(g);
      this.label(`path ${name} (real + suffix)`, v);
      return pct(utf8(plausible())) + v.url;
    }
    const v = g.chance(0.3) ? overlongId(g) : hostile(g);
    this.label(`path ${name}`, v);
    // An empty segment would be another route; keep it a segment.
    return v.url || "%20";
  }

  /** A query string from fields of plausible values; junk when it is the focus. */
  query(fields: Record<string, () => string>, repeat: string[] = []): string {
    const g = this.g;
    const names = Object.keys(fields);
    const target = this.focus === "query" && names.length
      ? g.pick(names)
      : undefined;
    const parts: string[] = [];
    for (const name of names) {
      const count = repeat.includes(name) ? g.int(0, 12) : 1;
      for (let i = 0; i < count; i++) {
        if (name === target && i === 0) {
          const v = hostile(g);
          this.label(`query ${name}`, v);
          parts.push(`${name}=${v.url}`);
        } else if (g.chance(0.5)) {
          parts.push(`${name}=${pct(utf8(fields[name]()))}`);
        } else if (g.chance(0.05)) {
          const v = hostile(g);
          this.label(`query ${name}`, v);
          parts.push(`${name}=${v.url}`);
        }
      }
    }
    if (this.focus === "query" && (target === undefined || g.chance(0.3))) {
      parts.push(...this.junkParams());
    }
    if (g.chance(0.5)) parts.sort(() => g.next() - 0.5);
    return parts.length ? "?" + parts.join("&") : "";
  }

  junkParams(): string[] {
    const g = this.g;
    switch (g.int(0, 5)) {
      case 0: {
        const k = hostile(g);
        const v = hostile(g);
        this.label("query (junk key)", k);
        return [`${k.url}=${v.url}`];
      }
      case 1:
        this.note("query: separators only");
        return [g.pick(["&&&", "=", "==&=", "a", "a=b=c", "&=&"])];
      case 2: {
        this.note("query: thousands of params");
        return Array.from({ length: g.int(500, 3000) }, (_, i) => `p${i}=${i}`);
      }
      case 3:
        this.note("query: prototype keys");
        return PROTOTYPE_KEYS.map((k) => `${k}=${g.pick(PROTOTYPE_KEYS)}`);
      case 4: {
        const v = hostile(g, "huge");
        this.label("query (huge param)", v);
        return [`q=${v.url}`];
      }
      default: {
        const v = hostile(g, "bad percent-encoding");
        this.label("query (raw)", v);
        return [v.url];
      }
    }
  }

  /** A POST body carrying `fields`; its encoding and content type may be garbage too. */
  form(fields: Record<string, () => string>): void {
    const g = this.g;
    const names = Object.keys(fields);
    // A quarter of body-focused probes garble the whole body instead of one field.
    const target = this.focus === "body" && names.length && g.chance(0.75)
      ? g.pick(names)
      : undefined;
    const values: [string, Value][] = [];
    for (const name of names) {
      if (name === target) {
        const v = hostile(g);
        this.label(`body ${name}`, v);
        values.push([name, v]);
      } else if (g.chance(0.9)) {
        const v = g.chance(0.9)
          ? fromText(fields[name](), "plausible")
          : hostile(g);
        if (v.kind !== "plausible") this.label(`body ${name}`, v);
        values.push([name, v]);
      }
    }
    if (g.chance(0.15)) {
      const key = g.pick(PROTOTYPE_KEYS);
      this.note(`body: field named ${key}`);
      values.push([key, hostile(g)]);
    }
    if (g.chance(0.1) && values.length) values.push(g.pick(values));
    const mode = this.focus === "body" && target === undefined
      ? g.pick(GARBAGE_MODES)
      : g.pick([
        "urlencoded",
        "urlencoded",
        "urlencoded",
        "urlencoded",
        "multipart",
        "multipart",
        "multipart garbage",
        "json",
        "bytes",
        "empty",
      ]);
    this.encode(mode, values);
    if (g.chance(this.focus === "body" ? 0.15 : 0.05)) this.bogusType();
  }

  /** A body with no fields to speak of: garbage of every encoding. */
  garbageBody(): void {
    const g = this.g;
    const mode = g.pick(["urlencoded", "multipart", ...GARBAGE_MODES]);
    this.note(`body: ${mode}`);
    this.encode(mode, [[g.chars(5, LETTERS), hostile(g)]]);
  }

  encode(mode: string, values: [string, Value][]): void {
    const g = this.g;
    const type = (t: string) => this.headers.push(["content-type", t]);
    switch (mode) {
      case "urlencoded": {
        type("application/x-www-form-urlencoded");
        this.setBody(values.map(([k, v]) => `${k}=${v.url}`).join("&"));
        break;
      }
      case "multipart": {
        const boundary = "----fuzz" + g.chars(16, LETTERS);
        type(`multipart/form-data; boundary=${boundary}`);
        this.setBody(multipart(g, boundary, values), "multipart");
        break;
      }
      case "multipart garbage": {
        const [ct, body, note] = multipartGarbage(g, values);
        type(ct);
        this.setBody(body, note);
        this.note(`body: ${note}`);
        break;
      }
      case "json": {
        type(
          g.pick(["application/json", "application/json; charset=utf-16"]),
        );
        const body = g.pick([
          '{"email":',
          "[".repeat(g.int(1000, 50_000)),
          '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}',
          "null",
          "1e999",
          '"\\ud800"',
          JSON.stringify(Object.fromEntries(
            values.map(([k, v]) => [k, new TextDecoder().decode(v.bytes)]),
          )),
        ]);
        this.setBody(body, "json");
        this.note("body: json garbage");
        break;
      }
      case "bytes": {
        type(g.pick(BOGUS_TYPES));
        this.setBody(g.bytes(g.int(1, 4096)), "random bytes");
        this.note("body: random bytes");
        break;
      }
      case "empty": {
        if (g.chance(0.5)) type("application/x-www-form-urlencoded");
        this.setBody(new Uint8Array(0), "empty");
        this.note("body: empty");
        break;
      }
      case "huge": {
        this.huge(values);
        break;
      }
    }
  }

  /** A body of a few MB: one huge field, many fields, or raw bytes. */
  huge(values: [string, Value][]): void {
    const g = this.g;
    const size = g.int(1_500_000, 4_000_000);
    this.note("body: a few MB");
    switch (g.int(0, 2)) {
      case 0: {
        this.headers.push([
          "content-type",
          "application/x-www-form-urlencoded",
        ]);
        const field = values.length ? g.pick(values)[0] : "name";
        const rest = values.map(([k, v]) => `${k}=${v.url}`).join("&");
        this.setBody(
          `${rest}&${field}=${"A".repeat(size)}`,
          `urlencoded, one ${size}-byte field`,
        );
        break;
      }
      case 1: {
        this.headers.push([
          "content-type",
          "application/x-www-form-urlencoded",
        ]);
        const n = Math.floor(size / 8);
        this.setBody(
          Array.from({ length: n }, (_, i) => `f${i % 1000}=x`).join("&"),
          `urlencoded, ${n} fields`,
        );
        break;
      }
      default: {
        const boundary = "fuzz" + g.chars(8, LETTERS);
        this.headers.push([
          "content-type",
          `multipart/form-data; boundary=${boundary}`,
        ]);
        const head = utf8(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n` +
            "Content-Type: application/octet-stream\r\n\r\n",
        );
        const tail = utf8(`\r\n--${boundary}--\r\n`);
        const body = new Uint8Array(head.length + size + tail.length);
        body.set(head);
        body.set(g.bytes(size), head.length);
        body.set(tail, head.length + size);
        this.setBody(body, `multipart, one ${size}-byte file`);
      }
    }
  }

  /**
   * A document upload of one of `pdfs`, sometimes with a few bytes flipped;
   * the kind is hostile now and then when the body is the focus.
   */
  pdfUpload(pdfs: readonly [string, Uint8Array][]): void {
    const g = this.g;
    const [name, original] = g.pick(pdfs);
    let pdf = original;
    let what = name;
    if (g.chance(0.3)) {
      pdf = original.slice();
      const flips = g.int(1, 20);
      for (let i = 0; i < flips; i++) {
        pdf[g.int(0, pdf.length - 1)] = g.int(0, 255);
      }
      what = `${name}, ${flips} bytes flipped`;
    }
    const kind = this.focus === "body" && g.chance(0.2) ? hostile(g) : fromText(
      g.pick(["food_handler_card", "liability_insurance", "health_permit"]),
      "plausible",
    );
    if (kind.kind !== "plausible") this.label("body kind", kind);
    const boundary = "----fuzzpdf" + g.chars(16, LETTERS);
    this.headers.push([
      "content-type",
      `multipart/form-data; boundary=${boundary}`,
    ]);
    this.note(`body file: ${what}`);
    this.setBody(
      pdfBody(boundary, kind.bytes, pdf),
      `multipart, kind and ${what} (${pdf.length} bytes)`,
    );
  }

  bogusType(): void {
    const i = this.headers.findIndex(([k]) => k === "content-type");
    if (i >= 0) this.headers.splice(i, 1);
    const t = this.g.pick(BOGUS_TYPES);
    this.headers.push(["content-type", t]);
    this.note(`content-type: ${JSON.stringify(t.slice(0, 50))}`);
  }

  setBody(body: string | Uint8Array<ArrayBuffer>, note?: string): void {
    this.body = typeof body === "string" ? utf8(body) : body;
    this.bodyNote = note ??
      (typeof body === "string" ? show(this.body, 200) : undefined);
  }

  label(place: string, v: Value): void {
    this.note(`${place}: ${v.kind}`);
  }

  note(label: string): void {
    if (!this.labels.includes(label)) this.labels.push(label);
  }
}

/** Whole-body garbage; a body of a few MB is one pick in twelve. */
const GARBAGE_MODES = [
  "multipart garbage",
  "multipart garbage",
  "multipart garbage",
  "json",
  "json",
  "json",
  "bytes",
  "bytes",
  "bytes",
  "empty",
  "empty",
  "huge",
];

const BOGUS_TYPES = [
  "",
  "text/plain",
  "application/json",
  "application/x-www-form-urlencoded; charset=utf-16",
  "application/x-www-form-urlencoded; charset=x-unknown",
  "multipart/form-data",
  "multipart/form-data; boundary=",
  'multipart/form-data; boundary="',
  `multipart/form-data; boundary=${"b".repeat(300)}`,
  "multipart/mixed; boundary=x",
  "application/octet-stream",
  "*/*",
  ";;;",
  "a/b/c",
  `text/html; charset=${"x".repeat(5000)}`,
  "application/x-www-form-urlencoded, multipart/form-data",
  "APPLICATION/X-WWW-FORM-URLENCODED",
  "image/svg+xml",
  "application/x-www-form-urlencoded\u00ff",
];

function concat(parts: (string | Uint8Array)[]): Uint8Array<ArrayBuffer> {
  const bytes = parts.map((p) => typeof p === "string" ? utf8(p) : p);
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bytes) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** A multipart body of a document upload: the kind, and `pdf` as the file. */
function pdfBody(
  boundary: string,
  kind: Uint8Array,
  pdf: Uint8Array,
): Uint8Array<ArrayBuffer> {
  return concat([
    `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n`,
    kind,
    `\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="document.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
    pdf,
    `\r\n--${boundary}--\r\n`,
  ]);
}

function multipart(
  g: Rng,
  boundary: string,
  values: [string, Value][],
): Uint8Array<ArrayBuffer> {
  const parts: (string | Uint8Array)[] = [];
  for (const [name, v] of values) {
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`,
      v.bytes,
      "\r\n",
    );
  }
  if (g.chance(0.3)) {
    const filename = hostile(g).bytes;
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="${
        values[0]?.[0] ?? "file"
      }"; filename="`,
      filename,
      `"\r\nContent-Type: ${g.pick(BOGUS_TYPES)}\r\n\r\n`,
      g.bytes(g.int(0, 2000)),
      "\r\n",
    );
  }
  parts.push(`--${boundary}--\r\n`);
  return concat(parts);
}

function multipartGarbage(
  g: Rng,
  values: [string, Value][],
): [string, Uint8Array<ArrayBuffer>, string] {
  const b = "fuzz" + g.chars(10, LETTERS);
  const good = multipart(g, b, values);
  switch (g.int(0, 9)) {
    case 0:
      return ["multipart/form-data", good, "multipart without boundary"];
    case 1:
      return [
        `multipart/form-data; boundary=other${b}`,
        good,
        "multipart, boundary mismatch",
      ];
    case 2:
      return [
        `multipart/form-data; boundary=${b}`,
        good.slice(0, g.int(1, Math.max(1, good.length - 1))),
        "multipart, truncated",
      ];
    case 3:
      return [
        `multipart/form-data; boundary=${b}`,
        g.bytes(g.int(1, 4000)),
        "multipart, random bytes",
      ];
    case 4:
      return [
        `multipart/form-data; boundary=${b}`,
        concat([
          `--${b}\r\nContent-Disposition: form-data; name="a\r\nX-Injected: 1"\r\n\r\nv\r\n--${b}--\r\n`,
        ]),
        "multipart, CRLF in part name",
      ];
    case 5:
      return [
        `multipart/form-data; boundary=${b}`,
        concat([`--${b}\r\n\r\nno headers\r\n--${b}--\r\n`]),
        "multipart, part without Content-Disposition",
      ];
    case 6: {
      const parts = Array.from(
        { length: g.int(2000, 20_000) },
        (_, i) =>
          `--${b}\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nx\r\n`,
      );
      return [
        `multipart/form-data; boundary=${b}`,
        concat([...parts, `--${b}--\r\n`]),
        "multipart, thousands of parts",
      ];
    }
    case 7:
      return [
        `multipart/form-data; boundary=${b}`,
        concat([
          `--${b}\r\nContent-Disposition: form-data; name="x"\r\nContent-Type: multipart/mixed; boundary=inner\r\n\r\n--inner\r\n\r\n`,
          g.bytes(100),
          `\r\n--${b}--\r\n`,
        ]),
        "multipart, nested multipart/mixed",
      ];
    case 8:
      return [
        `multipart/form-data; boundary=${b}`,
        concat([
          `--${b}\r\nContent-Disposition: form-data; name="`,
          hostile(g).bytes,
          `"; filename*=UTF-8''%FF%FE\r\n\r\n`,
          hostile(g).bytes,
          `\r\n--${b}--\r\n`,
        ]),
        "multipart, hostile name and filename*",
      ];
    default:
      return [
        `multipart/form-data; boundary=${b}`,
        good.slice(0, good.length - 4),
        "multipart, no closing delimiter",
      ];
  }
}

// ---------------------------------------------------------------------------
// Routes

const SAMPLE_EQUIPMENT = [
  "convection_oven",
  "stand_mixer",
  "fryer",
  "flat_top_griddle",
];
/** Where a heart's form may say to come back to: ours, or not. */
const SAVED_BACKS = [
  "/search?city=chicago",
  "/saved",
  "//evil.example",
  "https://evil.example/",
  "/kitchens/x#y",
];

const NOTICES = [
  "welcome",
  "verified",
  "profile",
  "password",
  "logged-out",
  "deleted",
];

interface Route {
  method: string;
  route: string;
  places: Place[];
  build: (b: Builder) => string;
  /**
   * Never sent with the renter's session: logging out would end it, and
   * becoming a host ends every session of the user, so concurrent probes
   * would race for the rotated cookie. Directed probes send them once.
   */
  noSession?: boolean;
}

function futureDate(g: Rng): string {
  const d = new Date(Date.now() + g.int(-2, 90) * 86_400_000);
  return d.toISOString().slice(0, 10);
}

function token(g: Rng): string {
  return g.chars(g.pick([20, 43, 43, 100]), LETTERS + "-_");
}

function routes(
  known: Known,
  pdfs: readonly [string, Uint8Array][],
): Route[] {
  const idRoute = (
    route: string,
    prefix: string,
    suffix: string,
    ids: () => string[],
    query: (b: Builder) => string = () => "",
  ): Route => ({
    method: "GET",
    route,
    places: ["path", "path", "query"],
    build: (b) => {
      const list = ids();
      const id = b.segment(
        "id",
        () => list.length ? b.g.pick(list) : b.g.chars(26, ULID_ALPHABET),
      );
      return `${prefix}${id}${suffix}${query(b)}`;
    },
  });
  const dateQuery = (b: Builder) => b.query({ date: () => futureDate(b.g) });
  const get = (
    route: string,
    fields: Record<string, (g: Rng) => string> = {},
  ): Route => ({
    method: "GET",
    route,
    places: ["query"],
    build: (b) =>
      route +
      b.query(
        Object.fromEntries(
          Object.entries(fields).map(([k, f]) => [k, () => f(b.g)]),
        ),
      ),
  });
  const post = (
    route: string,
    fields: Record<string, (g: Rng) => string>,
    opts: { noSession?: boolean } = {},
  ): Route => ({
    method: "POST",
    route,
    places: ["body", "body", "body"],
    noSession: opts.noSession,
    build: (b) => {
      if (Object.keys(fields).length === 0) b.garbageBody();
      else {
        b.form(
          Object.fromEntries(
            Object.entries(fields).map(([k, f]) => [k, () => f(b.g)]),
          ),
        );
      }
      return route +
        (b.g.chance(0.1) ? b.query({ next: () => "/account" }) : "");
    },
  });
  const someEmail = (g: Rng) =>
    g.chance(0.5) ? g.pick(ACCOUNTS) : `fuzz${g.int(1, 1e6)}@prep.test`;
  // Mostly a wrong password: a right one logs in, and logins are rate-limited.
  const loginPassword = (g: Rng) =>
    g.chance(0.06) ? DEMO_PASSWORD : "wrong-password-" + g.int(1, 99);
  const newPassword = (g: Rng) => "fuzz-new-password-" + g.int(1, 1e6);

  return [
    get("/", { notice: (g) => g.pick(NOTICES), next: () => "/account" }),
    {
      method: "GET",
      route: "/search",
      places: ["query", "query", "query"],
      build: (b) =>
        "/search" +
        b.query({
          city: () => b.g.pick(known.cities),
          date: () => futureDate(b.g),
          start: () => b.g.pick(["08:00", "09:30", "13:00"]),
          end: () => b.g.pick(["12:00", "17:00", "23:30"]),
          hours: () => String(b.g.int(1, 8)),
          minPrice: () => String(b.g.int(0, 50)),
          maxPrice: () => String(b.g.int(50, 500)),
          equipment: () => b.g.pick(SAMPLE_EQUIPMENT),
          "equipment[]": () => b.g.pick(SAMPLE_EQUIPMENT),
          storage: () => b.g.pick(["dry", "cold", "frozen"]),
          sort: () => b.g.pick(["price", "newest", "soonest", "rating"]),
          cursor: () => b.g.chars(b.g.int(10, 60), LETTERS + "_-:="),
        }, ["equipment", "storage"]),
    },
    // Issue 20: distance search and the map view.
    {
      method: "GET",
      route: "/search (near)",
      places: ["query", "query", "query"],
      build: (b) =>
        "/search" +
        b.query({
          near: () =>
            b.g.pick(["60614", "99701", "00000", "Chicago, IL", "Springfield"]),
          radius: () => String(b.g.int(0, 60)),
          lat: () => String(b.g.int(18, 72) + b.g.int(0, 99) / 100),
          lng: () => String(-b.g.int(66, 180) - b.g.int(0, 99) / 100),
          from: () => b.g.pick(["me", "map"]),
          view: () => "map",
          locate: () => "1",
          date: () => futureDate(b.g),
          minPrice: () => String(b.g.int(0, 50)),
          sort: () => b.g.pick(["price", "distance", "soonest", "newest"]),
          cursor: () => b.g.pick(["m4000:01JZZZZZZZZZZZZZZZZZZZZZZZ", "o12"]),
        }),
    },
    idRoute(
      "/kitchens/:id",
      "/kitchens/",
      "",
      () => known.kitchenIds,
      dateQuery,
    ),
    idRoute("/cities/:city", "/cities/", "", () => known.cities),
    idRoute("/photos/:id", "/photos/", "", () => known.photoIds),
    idRoute(
      "/api/kitchens/:id/availability",
      "/api/kitchens/",
      "/availability",
      () => known.kitchenIds,
      dateQuery,
    ),
    get("/signup"),
    get("/signup/sent"),
    get("/login", {
      next: (g) => g.pick(["/account", "/search?city=chicago", "/admin"]),
      notice: (g) => g.pick(NOTICES),
    }),
    get("/forgot-password"),
    get("/reset-password", { token }),
    get("/verify-email", { token }),
    get("/account", { notice: (g) => g.pick(NOTICES) }),
    get("/admin"),
    get("/dev/mailbox"),
    idRoute("/dev/mailbox/:id", "/dev/mailbox/", "", () => known.mailIds),
    idRoute(
      "/dev/mailbox/:id/html",
      "/dev/mailbox/",
      "/html",
      () => known.mailIds,
    ),
    idRoute("/assets/:file", "/assets/", "", () => known.assets),
    idRoute("/static/:file", "/static/", "", () => ["favicon.svg"]),
    {
      method: "GET",
      route: "/api/*",
      places: ["path"],
      build: (b) =>
        "/api/" + b.segment("rest", () => b.g.pick(["kitchens", "x", ""])),
    },
    {
      method: "GET",
      route: "/* (unknown)",
      places: ["path"],
      build: (b) => {
        const segs = Array.from(
          { length: b.g.int(1, 4) },
          () => b.segment("segment", () => b.g.pick(["kitchens", "a", "."])),
        );
        const v = hostile(b.g, "bad percent-encoding");
        return b.g.pick([
          "/" + segs.join("/"),
          "//" + segs.join("//"),
          "/kitchens/",
          "/./%2e%2e/" + segs[0],
          "/" + segs[0] + "/" + v.url,
        ]);
      },
    },
    post("/signup", {
      name: () => "Fuzz Tester",
      email: (g) => `fuzz${g.int(1, 1e6)}@prep.test`,
      password: newPassword,
      intent: (g) => g.pick(["rent", "host"]),
    }),
    post("/login", {
      email: (g) => g.pick(ACCOUNTS),
      password: loginPassword,
      next: (g) => g.pick(["/account", "/search?city=chicago", "/"]),
    }),
    post("/logout", {}, { noSession: true }),
    post("/verify-email", { token }),
    post("/verify-email/resend", {}),
    post("/forgot-password", { email: someEmail }),
    post("/reset-password", { token, password: newPassword }),
    post("/account/profile", {
      name: () => "Rosa Renter",
      phone: () => "+1 312 555 0100",
      businessName: () => "Rosa's Tamales",
    }),
    post("/account/email", {
      email: someEmail,
      currentPassword: (g) => g.chance(0.3) ? DEMO_PASSWORD : "wrong-password",
    }),
    post("/account/password", {
      currentPassword: (g) => g.chance(0.3) ? DEMO_PASSWORD : "wrong-password",
      password: newPassword,
    }),
    post("/account/host", {}, { noSession: true }),
    // Never the real password with "delete": deleting the renter would log
    // out the session the rest of the run relies on.
    post("/account/delete", {
      currentPassword: () => "wrong-password",
      confirm: (g) => g.pick(["delete", "DELETE", "yes"]),
    }),
    // Booking, hosting and staff pages (issue 8). Ids are random ULIDs or
    // junk: no real booking exists, so every answer is a 4xx or a page.
    get("/bookings"),
    {
      method: "GET",
      route: "/bookings/new",
      places: ["query", "query", "query"],
      build: (b) =>
        "/bookings/new" +
        b.query({
          kitchen: () => b.g.pick(known.kitchenIds),
          date: () => futureDate(b.g),
          start: () => b.g.pick(["08:00", "10:00", "13:30", "23:30"]),
          end: () => b.g.pick(["10:00", "14:00", "02:00", "24:00"]),
          hours: () => String(b.g.int(0, 30)),
        }),
    },
    post("/bookings", {
      kitchen: (g) => g.pick(known.kitchenIds),
      date: futureDate,
      start: (g) => g.pick(["08:00", "10:00", "13:30"]),
      end: (g) => g.pick(["10:00", "14:00", "02:00"]),
      acceptRules: (g) => g.pick(["yes", "no", ""]),
    }),
    idRoute("/bookings/:id", "/bookings/", "", () => []),
    idRoute("/bookings/:id/pay", "/bookings/", "/pay", () => []),
    idRoute(
      "/bookings/:id/calendar.ics",
      "/bookings/",
      "/calendar.ics",
      () => [],
    ),
    idRoute(
      "/api/kitchens/:id/quote",
      "/api/kitchens/",
      "/quote",
      () => known.kitchenIds,
      (b) =>
        b.query({
          date: () => futureDate(b.g),
          start: () => b.g.pick(["08:00", "10:00"]),
          end: () => b.g.pick(["12:00", "01:00"]),
        }),
    ),
    get("/host/bookings"),
    get("/host/kitchens"),
    get("/host/kitchens/new"),
    post("/host/kitchens/new", {}),
    idRoute(
      "/host/kitchens/:id",
      "/host/kitchens/",
      "",
      () => known.kitchenIds,
    ),
    idRoute(
      "/host/kitchens/:id/edit/:section",
      "/host/kitchens/",
      "/edit/hours",
      () => known.kitchenIds,
    ),
    {
      method: "POST",
      route: "/host/kitchens/:id/edit/:section",
      places: ["path", "body", "body"],
      build: (b) => {
        b.form({
          title: () => "Fuzz kitchen",
          rangeDay: () => b.g.pick(["1", "9", ""]),
          rangeStart: () => b.g.pick(["08:00", "25:00", ""]),
          hourlyPriceCents: () => b.g.pick(["45", "-1", "1e9"]),
        });
        const section = b.g.pick(["basics", "hours", "pricing", "x"]);
        return `/host/kitchens/${
          b.segment("id", () => b.g.pick(known.kitchenIds))
        }/edit/${section}`;
      },
    },
    get("/host/payouts", { notice: (g) => g.pick(NOTICES) }),
    get("/host/payouts/return"),
    post("/host/payouts", {}),
    get("/admin/bookings", { q: (g) => g.pick(ACCOUNTS) }),
    get("/admin/audit", { cursor: (g) => g.chars(26, ULID_ALPHABET) }),
    get("/admin/metrics", {
      city: (g) => g.pick(known.cities),
      kitchen: (g) => g.pick(known.kitchenIds),
    }),
    get("/host"),
    get("/api/backup", { force: (g) => g.pick(["1", "", "0"]) }),
    idRoute("/admin/bookings/:id", "/admin/bookings/", "", () => []),
    post("/api/stripe/webhook", {}, { noSession: true }),
    ...[
      ["/bookings/", "/pay"],
      ["/bookings/", "/cancel"],
      ["/host/bookings/", "/accept"],
      ["/host/bookings/", "/decline"],
      ["/host/bookings/", "/cancel"],
      ["/admin/bookings/", "/cancel"],
    ].map(([prefix, suffix]): Route => ({
      method: "POST",
      route: `${prefix}:id${suffix}`,
      places: ["path", "body"],
      build: (b) => {
        if (b.g.chance(0.5)) b.garbageBody();
        else b.form({ reason: () => "Fuzz reason" });
        return prefix + b.segment("id", () => b.g.chars(26, ULID_ALPHABET)) +
          suffix;
      },
    })),
    // Standing bookings (issue 19): the preview's URL contract and the
    // claim with hostile rules, and a series' pages by random or junk id.
    ...["GET", "POST"].map((method): Route => ({
      method,
      route: method === "GET" ? "/bookings/series/new" : "/bookings/series",
      places: method === "GET"
        ? ["query", "query", "query"]
        : ["body", "body", "body"],
      build: (b) => {
        const fields = {
          kitchen: () => b.g.pick(known.kitchenIds),
          weekdays: () =>
            b.g.pick(["tue,thu", "", "mon", "funday", "sun,sat,mon,tue"]),
          start: () => b.g.pick(["05:00", "22:00", "25:00", "02:30"]),
          end: () => b.g.pick(["10:00", "06:00", "24:00", ""]),
          every: () => b.g.pick(["1", "2", "4", "5", "0", "x"]),
          from: () => b.g.pick([futureDate(b.g), "1999-01-01", "2027-02-30"]),
          count: () => b.g.pick(["8", "26", "27", "-1", "", "1e3"]),
          until: () => b.g.pick(["", futureDate(b.g), "9999-12-31"]),
          keep: () => b.g.pick(["1", "2", "99", "x"]),
          acknowledge: () => b.g.pick(["", "fees.x.assessed"]),
          acceptRules: () => b.g.pick(["yes", ""]),
        };
        if (method === "GET") return "/bookings/series/new" + b.query(fields);
        b.form(fields);
        return "/bookings/series";
      },
    })),
    idRoute("/bookings/series/:id", "/bookings/series/", "", () => []),
    idRoute(
      "/bookings/series/:id/cancel",
      "/bookings/series/",
      "/cancel",
      () => [],
    ),
    idRoute(
      "/bookings/series/:id/calendar.ics",
      "/bookings/series/",
      "/calendar.ics",
      () => [],
    ),
    idRoute("/bookings/:id/pay-date", "/bookings/", "/pay-date", () => []),
    idRoute(
      "/host/bookings/series/:id",
      "/host/bookings/series/",
      "",
      () => [],
    ),
    ...[
      ["/bookings/series/", "/cancel"],
      ["/bookings/series/", "/withdraw"],
      ["/bookings/", "/pay-date"],
      ["/host/bookings/series/", "/accept"],
      ["/host/bookings/series/", "/decline"],
      ["/host/bookings/series/", "/end"],
    ].map(([prefix, suffix]): Route => ({
      method: "POST",
      route: `${prefix}:id${suffix}`,
      places: ["path", "body"],
      build: (b) => {
        if (b.g.chance(0.5)) b.garbageBody();
        else {
          b.form({
            reason: () => b.g.pick(["Fuzz reason", ""]),
            card: () => b.g.pick(["works", "declines", "x"]),
          });
        }
        return prefix + b.segment("id", () => b.g.chars(26, ULID_ALPHABET)) +
          suffix;
      },
    })),
    // Reviews (issue 18): real review ids from the demo, random ones, junk.
    idRoute(
      "/kitchens/:id/reviews",
      "/kitchens/",
      "/reviews",
      () => known.kitchenIds,
      (b) =>
        b.query({
          before: () =>
            b.g.chance(0.5)
              ? b.g.pick(known.reviewIds.length ? known.reviewIds : ["x"])
              : b.g.chars(26, ULID_ALPHABET),
        }),
    ),
    idRoute("/bookings/:id/review", "/bookings/", "/review", () => []),
    idRoute(
      "/reviews/:id/report",
      "/reviews/",
      "/report",
      () => known.reviewIds,
      (b) => b.query({ notice: () => "sent" }),
    ),
    idRoute(
      "/reviews/:id/response",
      "/reviews/",
      "/response",
      () => known.reviewIds,
    ),
    get("/admin/reviews", { after: (g) => g.chars(26, ULID_ALPHABET) }),
    ...([
      ["/bookings/", "/review", () => [] as string[], {
        overall: (g: Rng) => g.pick(["0", "1", "5", "6", "2.5", "", "x"]),
        cleanliness: (g: Rng) => g.pick(["3", "9"]),
        equipment: (g: Rng) => g.pick(["4", "-1"]),
        communication: (g: Rng) => g.pick(["5", " 5 "]),
        clean: (g: Rng) => g.pick(["1", ""]),
        rules: (g: Rng) => g.pick(["2", "2.0"]),
        text: (g: Rng) => "Fuzz review text ".repeat(g.int(0, 200)),
      }],
      ["/reviews/", "/report", () => known.reviewIds, {
        reason: (g: Rng) => g.pick(["spam", "offensive", "x", ""]),
        details: (g: Rng) => "Fuzz report ".repeat(g.int(0, 120)),
      }],
      ["/reviews/", "/response", () => known.reviewIds, {
        response: (g: Rng) => "Fuzz response ".repeat(g.int(0, 200)),
      }],
      ["/admin/reviews/", "/remove", () => known.reviewIds, {
        reason: () => "Fuzz reason",
      }],
      ["/admin/reviews/", "/dismiss", () => known.reviewIds, {}],
    ] as [
      string,
      string,
      () => string[],
      Record<string, (g: Rng) => string>,
    ][]).map(([prefix, suffix, ids, fields]): Route => ({
      method: "POST",
      route: `${prefix}:id${suffix}`,
      places: ["path", "body", "body"],
      build: (b) => {
        if (b.g.chance(0.3) || Object.keys(fields).length === 0) {
          b.garbageBody();
        } else {
          b.form(
            Object.fromEntries(
              Object.entries(fields).map(([k, f]) => [k, () => f(b.g)]),
            ),
          );
        }
        const list = ids();
        return prefix +
          b.segment(
            "id",
            () =>
              list.length && b.g.chance(0.7)
                ? b.g.pick(list)
                : b.g.chars(26, ULID_ALPHABET),
          ) + suffix;
      },
    })),
    // Document uploads (issue 15): PDFs built to inflate past any memory.
    {
      method: "POST",
      route: "/account/compliance/read",
      places: ["body", "body"],
      build: (b) => {
        b.pdfUpload(pdfs);
        return "/account/compliance/read";
      },
    },
    {
      method: "POST",
      route: "/host/kitchens/:id/permits/read",
      places: ["body", "path"],
      build: (b) => {
        b.pdfUpload(pdfs);
        return `/host/kitchens/${
          b.segment("id", () => b.g.pick(known.kitchenIds))
        }/permits/read`;
      },
    },
    // Saved kitchens (issue 18 §12): the list, the page after logging in,
    // the hearts' forms and their JSON.
    get("/saved", {
      cursor: (g) => g.chars(26, ULID_ALPHABET),
      notice: (g) => g.pick(["full", "removed", ...NOTICES]),
    }),
    idRoute(
      "/saved/:id",
      "/saved/",
      "",
      () => known.kitchenIds,
      (b) => b.query({ back: () => b.g.pick(SAVED_BACKS) }),
    ),
    ...["", "/remove"].map((suffix): Route => ({
      method: "POST",
      route: `/saved/:id${suffix}`,
      places: ["path", "body"],
      build: (b) => {
        if (b.g.chance(0.3)) b.garbageBody();
        else b.form({ back: () => b.g.pick(SAVED_BACKS) });
        return `/saved/${
          b.segment("id", () => b.g.pick(known.kitchenIds))
        }${suffix}`;
      },
    })),
    ...["PUT", "DELETE"].map((method): Route => ({
      method,
      route: `${method} /api/saved/:id`,
      places: ["path"],
      build: (b) =>
        `/api/saved/${b.segment("id", () => b.g.pick(known.kitchenIds))}`,
    })),
    // Messages (issue 18): threads, the first message, block, report, staff reports.
    get("/messages", { cursor: (g) => g.chars(g.int(1, 80), ULID_ALPHABET) }),
    idRoute(
      "/messages/:id",
      "/messages/",
      "",
      () => [],
      (b) => b.query({ before: () => b.g.chars(26, ULID_ALPHABET) }),
    ),
    get("/messages/new", {
      kitchen: (g) => g.pick(known.kitchenIds),
      booking: (g) => g.chars(26, ULID_ALPHABET),
    }),
    post("/messages/new", {
      kitchen: (g) => g.pick(known.kitchenIds),
      booking: (g) => g.pick(["", g.chars(26, ULID_ALPHABET)]),
      text: (g) => g.pick(["Is the mixer free?", "", "x".repeat(4001)]),
    }),
    ...["", "/block", "/unblock", "/report"].map((suffix): Route => ({
      method: "POST",
      route: `/messages/:id${suffix}`,
      places: ["path", "body"],
      build: (b) => {
        if (b.g.chance(0.3)) b.garbageBody();
        else {
          b.form({
            text: () => "Fuzz message",
            message: () => b.g.chars(26, ULID_ALPHABET),
            reason: () => "Fuzz reason",
          });
        }
        return `/messages/${
          b.segment("id", () => b.g.chars(26, ULID_ALPHABET))
        }${suffix}`;
      },
    })),
    get("/admin/reports"),
    idRoute("/admin/reports/:id", "/admin/reports/", "", () => []),
    {
      method: "POST",
      route: "/admin/reports/:id",
      places: ["path", "body"],
      build: (b) => {
        b.form({
          outcome: () => b.g.pick(["dismissed", "warned", "suspended", "x"]),
          note: () => "Fuzz note",
        });
        return `/admin/reports/${
          b.segment("id", () => b.g.chars(26, ULID_ALPHABET))
        }`;
      },
    },
    post("/account/messages", {
      emailUnread: (g) => g.pick(["on", "off", "x"]),
    }),
    // Live messages (issue 18 §2): the stream (its headers are the answer,
    // see `send`), what the thread's island fetches, the read mark.
    get("/messages/events", {
      after: (g) =>
        g.pick([
          `${g.int(0, 2e12)}-${g.chars(26, ULID_ALPHABET)}`,
          g.chars(g.int(1, 80), ULID_ALPHABET + "-"),
        ]),
    }),
    idRoute(
      "/messages/:id/since",
      "/messages/",
      "/since",
      () => [],
      (b) => b.query({ after: () => b.g.chars(26, ULID_ALPHABET) }),
    ),
    {
      method: "POST",
      route: "/messages/:id/read",
      places: ["path", "body"],
      build: (b) => {
        b.garbageBody();
        return `/messages/${
          b.segment("id", () => b.g.chars(26, ULID_ALPHABET))
        }/read`;
      },
    },
    // Files with messages (issue 18 §4): a reply carrying a (sometimes
    // damaged) PDF, and downloads by the parties and by staff.
    {
      method: "POST",
      route: "/messages/:id (a file)",
      places: ["body", "path"],
      build: (b) => {
        b.pdfUpload(pdfs);
        return `/messages/${
          b.segment("id", () => b.g.chars(26, ULID_ALPHABET))
        }`;
      },
    },
    ...["/messages/", "/admin/reports/"].map((prefix): Route => ({
      method: "GET",
      route: `${prefix}:id/files/:messageId`,
      places: ["path", "path"],
      build: (b) =>
        `${prefix}${
          b.segment("id", () => b.g.chars(26, ULID_ALPHABET))
        }/files/${b.segment("messageId", () => b.g.chars(26, ULID_ALPHABET))}`,
    })),
    // Changing a booking's time (issue 19 §7): no real booking, so every
    // answer is a 4xx or a page, never a 500.
    ...changeTimeRoutes(),
    {
      method: "*",
      route: "other methods",
      places: ["path"],
      build: (b) =>
        b.g.pick(["/", "/search", "/kitchens/x", "/login", "/account/profile"]),
    },
    // Health checks (issue 21): probes take no input, but get it anyway.
    get("/healthz", { verbose: (g) => g.pick(["1", "true"]) }),
    get("/readyz", { verbose: (g) => g.pick(["1", "true"]) }),
  ];
}

/** Builds random probe `n` of a run; the same seed and `n` give the same probe. */
function randomProbe(seed: number, n: number, table: Route[]): Probe {
  const g = new Rng(mulberry32(hashSeed(`${seed}:${n}`)));
  // The first probes walk the table twice, so every route is covered whatever the seed.
  const r = n < table.length * 2 ? table[n % table.length] : g.pick(table);
  const place = g.chance(0.15)
    ? g.pick<Place>(["headers", "cookies"])
    : g.pick(r.places);
  const b = new Builder(g, place);
  let method = r.method;
  const url = r.build(b);
  if (method === "*") {
    method = g.pick([
      "HEAD",
      "OPTIONS",
      "PUT",
      "DELETE",
      "PATCH",
      "PROPFIND",
      "FUZZ",
    ]);
    b.note(`method ${method}`);
    if (method !== "HEAD" && g.chance(0.5)) b.garbageBody();
  }
  if (method === "POST" && !b.body) b.setBody(new Uint8Array(0), "empty");
  if (method !== "GET" && method !== "HEAD") csrfHeaders(b);
  if (place === "headers") hostileHeaders(b);
  if (place === "cookies") hostileCookies(b);
  const prefixes = PLACE_LABELS[place];
  const focus = r.method === "*"
    ? `method ${method}`
    : b.labels.find((l) => prefixes.some((p) => l.startsWith(p))) ??
      b.labels[0] ?? `${place}: plausible values`;
  return {
    id: String(n),
    method,
    route: r.method === "*" ? `${method} ${url}` : r.route,
    focus,
    also: b.labels.filter((l) => l !== focus),
    url,
    headers: b.headers,
    body: b.body,
    bodyNote: b.bodyNote,
    session: !r.noSession && g.chance(0.5),
  };
}

/** Mostly what a browser sends on a same-site POST; sometimes a foreign or broken origin. */
function csrfHeaders(b: Builder): void {
  const g = b.g;
  if (g.chance(0.85)) {
    b.headers.push(
      g.chance(0.5)
        ? ["origin", "$BASE_URL"]
        : ["sec-fetch-site", "same-origin"],
    );
  } else if (g.chance(0.7)) {
    b.headers.push(
      g.pick<[string, string]>([
        ["origin", "null"],
        ["origin", "http://evil.example"],
        ["origin", "$BASE_URL.evil.example"],
        ["sec-fetch-site", "cross-site"],
        ["sec-fetch-site", "none"],
        ["sec-fetch-site", headerText(hostile(g))],
        ["origin", headerText(hostile(g))],
      ]),
    );
    b.note("headers: foreign origin");
  }
}

const HEADER_NAMES = [
  "accept",
  "accept-language",
  "accept-encoding",
  "user-agent",
  "referer",
  "origin",
  "sec-fetch-site",
  "sec-fetch-mode",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
  "forwarded",
  "host",
  "if-none-match",
  "if-modified-since",
  "range",
  "authorization",
  "content-type",
  "x-requested-with",
  "cache-control",
];

function hostileHeaders(b: Builder): void {
  const g = b.g;
  for (let i = g.int(1, 4); i > 0; i--) {
    const name = g.chance(0.1)
      ? "x-" + g.chars(g.int(1, 40), LETTERS + "-")
      : g.pick(HEADER_NAMES);
    const v = g.chance(0.05)
      ? fromText("h".repeat(g.int(8_000, 70_000)), "huge")
      : hostile(g);
    b.headers.push([name, headerText(v)]);
    b.note(`header ${name}: ${v.kind}`);
  }
}

function hostileCookies(b: Builder): void {
  const g = b.g;
  const v = hostile(g);
  const cookies = g.pick([
    () => `prep_session=${headerText(v)}`,
    () => `prep_session=${v.url}`,
    () => `__Host-prep_session=${v.url}; prep_session=${v.url}`,
    () => `prep_device=${v.url}`,
    () => `${headerText(v) || "x"}=1`,
    () => "=novalue; ;;; a",
    () => `prep_session=${"s".repeat(g.int(20, 100))}`,
    () => `a=${"c".repeat(g.int(4000, 16_000))}`,
    () =>
      Array.from({ length: g.int(100, 400) }, (_, i) => `c${i}=${i}`).join(
        "; ",
      ),
  ])();
  b.headers.push(["cookie", cookies]);
  b.note(`cookie: ${v.kind}`);
}

/**
 * Probes sent first, one at a time, whatever the seed: the known traps. A
 * successful login redirects to `next`, so a hostile `next` reaches the
 * Location header; ids around 2 KiB reach Deno KV's key limit.
 */
function directedProbes(
  known: Known,
  pdfs: readonly [string, Uint8Array][],
): Probe[] {
  const out: Omit<Probe, "id">[] = [];
  const nexts: [string, string][] = [
    ["/a%7Fb", "DEL byte"],
    ["/a%00b", "NUL byte"],
    ["/a%0Ab", "LF byte"],
    ["/a%0Db", "CR byte"],
    ["/a%0D%0ASet-Cookie:%20x=1", "CRLF header injection"],
    ["/a%01b", "SOH byte"],
    ["/%1B%5B31mred%1B%5B0m", "ANSI escape"],
    ["/a%09b", "tab"],
    ["/a%E2%80%AEb", "U+202E"],
    ["/a%C3%28b", "bad UTF-8"],
    ["/a%FFb", "byte FF"],
    ["/a%C3%A9b", "é"],
    ["/" + "a".repeat(3000), "3000 chars"],
    ["%2F%2Fevil.example", "//evil.example"],
    ["/%5Cevil.example", "/\\evil.example"],
  ];
  nexts.forEach(([next, what], i) => {
    // Four accounts share the work: each may log in ten times per window.
    const email = ACCOUNTS[(i + 1) % ACCOUNTS.length];
    out.push({
      method: "POST",
      route: "/login",
      focus: "body next: login that succeeds",
      variant: what,
      url: "/login",
      headers: [
        ["origin", "$BASE_URL"],
        ["content-type", "application/x-www-form-urlencoded"],
      ],
      body: utf8(
        `email=${pct(utf8(email))}&password=${DEMO_PASSWORD}&next=${next}`,
      ),
      bodyNote: `email=${email}&password=…&next=${next}`,
      session: false,
    });
  });
  const kitchen = known.kitchenIds[0];
  const idRoutes: [string, (id: string) => string][] = [
    ["/kitchens/:id", (id) => `/kitchens/${id}`],
    ["/photos/:id", (id) => `/photos/${id}`],
    [
      "/api/kitchens/:id/availability",
      (id) =>
        `/api/kitchens/${id}/availability?date=${
          futureDate(new Rng(() => 0.5))
        }`,
    ],
    ["/dev/mailbox/:id", (id) => `/dev/mailbox/${id}`],
    ["/dev/mailbox/:id/html", (id) => `/dev/mailbox/${id}/html`],
    ["/cities/:city", (id) => `/cities/${id}`],
    ["/kitchens/:id/reviews", (id) => `/kitchens/${id}/reviews`],
    ["/reviews/:id/report", (id) => `/reviews/${id}/report`],
    ["/assets/:file", (id) => `/assets/${id}`],
  ];
  const ids: [string, string][] = [
    ...[2000, 2040, 2048, 2100, 3000, 10_000].map((n): [string, string] => [
      "A".repeat(n),
      `${n} chars`,
    ]),
    ["%C3%A9".repeat(1100), "1100 × é (2200 bytes)"],
  ];
  const oddIds: [string, string][] = [
    ["%00", "NUL"],
    ["a%01%0A%0D%7Fb", "control bytes"],
    ["%1B%5B31mred", "ANSI escape"],
    ["a%C3%28b", "bad UTF-8"],
    ["%ED%A0%80", "UTF-8 surrogate"],
    ["%zz", "bad percent-encoding"],
    ["__proto__", "__proto__"],
  ];
  for (const [route, path] of idRoutes) {
    for (
      const [list, focus] of [[ids, "overlong id"], [oddIds, "odd id"]] as const
    ) {
      for (const [id, what] of list) {
        out.push({
          method: "GET",
          route,
          focus: `path id: ${focus}`,
          variant: what,
          url: path(id),
          headers: [],
          session: false,
        });
      }
    }
  }
  for (
    const date of [
      "2026-02-30",
      "%00",
      "9999-12-31",
      "+275760-09-13",
      "A".repeat(3000),
    ]
  ) {
    out.push({
      method: "GET",
      route: "/kitchens/:id",
      focus: "query date: directed",
      variant: date.slice(0, 20),
      url: `/kitchens/${kitchen}?date=${date}`,
      headers: [],
      session: false,
    });
  }
  out.push({
    method: "POST",
    route: "/account/host",
    focus: "body: random bytes, real session",
    url: "/account/host",
    headers: [["origin", "$BASE_URL"], ["content-type", "text/plain"]],
    body: new Rng(mulberry32(1)).bytes(512),
    bodyNote: "512 random bytes",
    session: true,
  });
  for (const notice of PROTOTYPE_KEYS) {
    for (const path of ["/account", "/login", "/"]) {
      out.push({
        method: "GET",
        route: path,
        focus: "query notice: prototype key",
        variant: notice,
        url: `${path}?notice=${notice}`,
        headers: [],
        session: path === "/account",
      });
    }
  }
  // Every hostile PDF once, read in earnest by the renter's wallet.
  for (const [name, pdf] of pdfs) {
    const boundary = "----fuzzpdfdirected";
    out.push({
      method: "POST",
      route: "/account/compliance/read",
      focus: "body file: hostile PDF",
      variant: name,
      url: "/account/compliance/read",
      headers: [
        ["origin", "$BASE_URL"],
        ["content-type", `multipart/form-data; boundary=${boundary}`],
      ],
      body: pdfBody(boundary, utf8("food_handler_card"), pdf),
      bodyNote: `multipart, ${name} (${pdf.length} bytes)`,
      session: true,
    });
  }
  return out.map((p, i) => ({ ...p, id: `d${i}` }));
}

// ---------------------------------------------------------------------------
// Sending

type Outcome =
  | { kind: "status"; status: number; ms: number; setCookie: string[] }
  | { kind: "network"; message: string }
  | { kind: "timeout" }
  | { kind: "client"; message: string };

/**
 * Deno's fetch says "fetch failed" and puts the socket error in `cause`;
 * a URL or header it will not send fails with its own message instead.
 */
const NETWORK_ERROR =
  /fetch failed|error sending request|connection|connect error|reset|broken pipe|body from/i;

async function send(
  baseUrl: string,
  p: Probe,
  session: string | null,
): Promise<Outcome> {
  const url = baseUrl + p.url;
  // Nothing is ever sent anywhere but the server under test.
  if (!URL.canParse(url) || new URL(url).origin !== new URL(baseUrl).origin) {
    return { kind: "client", message: "URL leaves the test server" };
  }
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), REQUEST_TIMEOUT_MS);
  const started = performance.now();
  try {
    const headers = new Headers();
    for (const [k, v] of p.headers) {
      if (k === "cookie") continue;
      headers.append(k, v.replaceAll("$BASE_URL", baseUrl));
    }
    const cookies = [
      ...(p.session && session ? [`prep_session=${session}`] : []),
      ...p.headers.filter(([k]) => k === "cookie").map(([, v]) => v),
    ];
    if (cookies.length) headers.set("cookie", cookies.join("; "));
    const res = await fetch(url, {
      method: p.method,
      headers,
      body: p.body,
      redirect: "manual",
      signal: ctl.signal,
    });
    // A live stream never ends by itself: its status and headers are the answer.
    if (res.headers.get("content-type")?.startsWith("text/event-stream")) {
      await res.body?.cancel();
    } else await res.arrayBuffer();
    return {
      kind: "status",
      status: res.status,
      ms: performance.now() - started,
      setCookie: res.headers.getSetCookie(),
    };
  } catch (err) {
    if (ctl.signal.aborted) return { kind: "timeout" };
    const e = err as { message?: string; cause?: { message?: string } };
    const message = [e.message, e.cause?.message].filter(Boolean).join(": ") ||
      String(err);
    if (NETWORK_ERROR.test(message)) {
      return { kind: "network", message };
    }
    return { kind: "client", message };
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------
// The run: probes, crashes, restarts, findings

interface Finding {
  what: string;
  probe: Probe;
  detail?: string;
}

interface Instance {
  server: ServerProcess;
  /** Probes whose connection failed on this instance: the suspects if it died. */
  failed: Probe[];
  death?: Promise<boolean>;
}

class Run {
  instance!: Instance;
  /** Pending while a crashed server is examined and replaced. */
  recovering: Promise<void> | null = null;
  readonly findings: Finding[] = [];
  readonly statuses = new Map<number, number>();
  readonly dropped: { probe: Probe; message: string }[] = [];
  readonly clientRefused: { probe: Probe; message: string }[] = [];
  readonly serverErrors = new Map<string, number>();
  readonly crashLogs: string[] = [];
  crashes = 0;
  stopped = false;
  sent = 0;
  session: string | null = null;
  /** The probe whose answer cleared the renter's session cookie, if one did. */
  lostSession: Probe | null = null;

  constructor(
    readonly kvPath: string,
    readonly serverOptions: { env?: Record<string, string>; seed?: boolean } =
      {},
  ) {}

  async start(): Promise<void> {
    const server = await startServer({
      kvPath: this.kvPath,
      env: this.serverOptions.env,
      seedDemoData: this.serverOptions.seed,
      onLine: (line) => this.noteLine(line),
    });
    this.instance = { server, failed: [] };
  }

  /** The app's onError logs "METHOD PATH failed: Error: message"; count the messages. */
  noteLine(line: string): void {
    const at = line.indexOf(" failed: ");
    if (at < 0) return;
    const message = escapeText(line.slice(at + 9)).slice(0, 200);
    const [method, path = ""] = line.slice(0, at).split(" ");
    // "/kitchens/AAAA…" and "/kitchens/%00" are one route.
    const route = path.split("?")[0].split("/").map((seg, i) =>
      i <= 1 || /^(availability|html|kitchens|mailbox)$/.test(seg) ? seg : "*"
    ).join("/");
    const key = `${method} ${escapeText(route).slice(0, 60)}: ${message}`;
    this.serverErrors.set(key, (this.serverErrors.get(key) ?? 0) + 1);
  }

  async current(): Promise<Instance | null> {
    while (this.recovering) await this.recovering;
    return this.stopped ? null : this.instance;
  }

  /** Sends one probe and records what came back; handles a dead server. */
  async attempt(p: Probe): Promise<void> {
    const inst = await this.current();
    if (!inst) return;
    this.sent++;
    const out = await send(inst.server.baseUrl, p, this.session);
    if (VERBOSE) {
      const got = out.kind === "status"
        ? `${out.status} ${out.setCookie.map((c) => c.split(";")[0]).join(" ")}`
        : out.kind === "network"
        ? `network error: ${out.message}`
        : out.kind;
      console.log(`#${p.id} ${got} ← ${escapeText(describe(p)).slice(0, 300)}`);
    }
    switch (out.kind) {
      case "status":
        this.record(p, out);
        return;
      case "timeout":
        this.findings.push({
          what: `no answer in ${REQUEST_TIMEOUT_MS / 1000} s`,
          probe: p,
        });
        return;
      case "client":
        this.clientRefused.push({ probe: p, message: out.message });
        return;
      case "network": {
        inst.failed.push(p);
        if (await this.died(inst)) return;
        this.dropped.push({ probe: p, message: out.message });
      }
    }
  }

  record(p: Probe, out: Outcome & { kind: "status" }): void {
    this.statuses.set(out.status, (this.statuses.get(out.status) ?? 0) + 1);
    if (out.status >= 500) {
      this.findings.push({ what: String(out.status), probe: p });
    }
    if (!p.session) return;
    for (const c of out.setCookie) {
      const m = /^prep_session=([^;]*)(.*)$/.exec(c);
      if (!m) continue;
      // A privilege change rotates the session: follow it.
      if (m[1] && !/max-age=0/i.test(m[2])) this.session = m[1];
      // Beside a hostile cookie, a cleared cookie may be about that one.
      else if (!p.headers.some(([k]) => k === "cookie") && p.id !== "logout") {
        this.lostSession ??= p;
      }
    }
  }

  /**
   * Whether the instance's process has exited; the first caller examines the
   * crash and starts a new server on the same KV file while the rest wait.
   */
  died(inst: Instance): Promise<boolean> {
    inst.death ??= (async () => {
      if (!(await within(inst.server.status, 1500))) {
        // Alive: a later failure must look again.
        inst.death = undefined;
        return false;
      }
      this.recovering = this.recover(inst);
      await this.recovering;
      this.recovering = null;
      return true;
    })();
    return inst.death;
  }

  async recover(dead: Instance): Promise<void> {
    this.crashes++;
    // Evidence that it is gone, not merely slow: a new connection is refused.
    const after = await send(dead.server.baseUrl, getRoot("crash-check"), null);
    const afterText = after.kind === "network"
      ? `a new GET / then failed to connect (${shortError(after.message)})`
      : `a new GET / then gave ${JSON.stringify(after)}`;
    // Requests in flight when it died fail a moment later; let them report.
    await new Promise((r) => setTimeout(r, 150));
    const death = (server: ServerProcess, how: string) =>
      `process exited (code ${server.exited?.code}${
        server.exited?.signal ? `, signal ${server.exited.signal}` : ""
      }); ${panicLines(server.tail(60))}; ${how}`;
    this.crashLogs.push(dead.server.tail(25).map(escapeText).join("\n"));
    await dead.server.stop();
    // Deno's fetch retries a request whose connection closed on a new one,
    // so even the request that killed the server may report "refused": every
    // failed request is a suspect.
    const suspects = [...new Set(dead.failed)];
    if (!(await this.restart())) return;
    if (suspects.length === 1) {
      this.findings.push({
        what: "CRASH",
        probe: suspects[0],
        detail: death(dead.server, afterText),
      });
      return;
    }
    // Several failed together: replay each alone on the new server, which
    // names the killer and gives the others the answer they never got.
    let found = false;
    for (const p of suspects) {
      const inst = this.instance;
      const out = await send(inst.server.baseUrl, p, this.session);
      if (out.kind === "status") this.record(p, out);
      if (out.kind !== "network" || !(await within(inst.server.status, 1500))) {
        continue;
      }
      found = true;
      this.crashes++;
      this.findings.push({
        what: "CRASH",
        probe: p,
        detail: death(
          inst.server,
          `found by replaying alone the ${suspects.length} requests that failed when a server died`,
        ),
      });
      this.crashLogs.push(inst.server.tail(25).map(escapeText).join("\n"));
      await inst.server.stop();
      if (!(await this.restart())) return;
    }
    if (!found) {
      this.findings.push({
        what: "CRASH",
        probe: suspects[0] ?? getRoot("unknown"),
        detail: death(
          dead.server,
          `${afterText}; not reproduced alone — failing together were: ${
            suspects.map((s) => `#${s.id} ${s.method} ${s.route} [${s.focus}]`)
              .join("; ")
          }`,
        ),
      });
    }
  }

  async restart(): Promise<boolean> {
    if (this.crashes >= MAX_CRASHES) {
      this.stopped = true;
      return false;
    }
    await this.start();
    return true;
  }
}

function getRoot(id: string): Probe {
  return {
    id,
    method: "GET",
    route: "/",
    focus: "-",
    url: "/",
    headers: [],
    session: false,
  };
}

function shortError(message: string): string {
  return message.replace(/^.*?\): /, "").slice(0, 120);
}

function panicLines(lines: string[]): string {
  const at = lines.findIndex((l) => l.includes("panicked at"));
  if (at < 0) return "no panic message";
  return escapeText(`${lines[at].trim()} ${lines[at + 1]?.trim() ?? ""}`);
}

/** Control bytes shown as escapes, so a report cannot move the reader's cursor. */
function escapeText(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

async function runPool(
  run: Run,
  total: number,
  probeAt: (i: number) => Probe,
  concurrency: number,
  deadline: number,
): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < total && !run.stopped && Date.now() < deadline) {
      await run.attempt(probeAt(next++));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return next;
}

// ---------------------------------------------------------------------------
// Reporting

function describe(p: Probe): string {
  const url = p.url.length > 160
    ? `${p.url.slice(0, 160)}… (${p.url.length} chars)`
    : p.url;
  const parts = [`${p.method} ${url}`];
  const headers = p.headers.filter(([k, v]) =>
    v !== "$BASE_URL" && !(k === "sec-fetch-site" && v === "same-origin")
  );
  if (headers.length) {
    parts.push(
      "headers " +
        headers.map(([k, v]) =>
          `${k}: ${JSON.stringify(v.length > 60 ? v.slice(0, 60) + "…" : v)}${
            v.length > 60 ? ` (${v.length} chars)` : ""
          }`
        ).join(", "),
    );
  }
  if (p.body) parts.push(`body ${p.bodyNote ?? `${p.body.length} bytes`}`);
  if (p.session) parts.push("with session");
  if (p.also?.length) parts.push(`also hostile: ${p.also.join(", ")}`);
  return parts.join(" | ");
}

function report(run: Run, seed: number, elapsed: number): string {
  const groups = new Map<string, Finding[]>();
  for (const f of run.findings) {
    const key =
      `${f.what} ${f.probe.method} ${f.probe.route} [${f.probe.focus}]`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const lines = [
    `fuzz: ${run.findings.length} failing requests in ${groups.size} groups ` +
    `(seed ${seed}; ${run.sent} requests in ${(elapsed / 1000).toFixed(1)} s).`,
    `Replay the run: FUZZ_SEED=${seed} deno test -A tests/integration/fuzz_test.ts`,
    `Replay probes: FUZZ_SEED=${seed} FUZZ_ONLY=<ids> deno test -A tests/integration/fuzz_test.ts`,
    "",
  ];
  for (const [key, fs] of [...groups].sort()) {
    const variants = [
      ...new Set(fs.map((f) => f.probe.variant).filter(Boolean)),
    ];
    lines.push(
      `${key} ×${fs.length}` +
        (variants.length ? ` — ${escapeText(variants.join(", "))}` : ""),
    );
    for (const f of fs.slice(0, 2)) {
      lines.push(`    #${f.probe.id}: ${escapeText(describe(f.probe))}`);
      if (f.detail) lines.push(`      ${f.detail}`);
    }
  }
  if (run.stopped) {
    lines.push(
      "",
      `Stopped after ${run.crashes} crashes; later probes were not sent.`,
    );
  }
  if (run.serverErrors.size) {
    lines.push("", "Errors the server logged (message ×count):");
    for (const [m, n] of run.serverErrors) lines.push(`  ${m} ×${n}`);
  }
  if (run.crashLogs.length) {
    lines.push(
      "",
      "Output of the first crashed server (tail):",
      run.crashLogs[0],
    );
  }
  return lines.join("\n");
}

function summary(run: Run, seed: number, elapsed: number): string {
  const statuses = [...run.statuses].sort(([a], [b]) => a - b).map((
    [s, n],
  ) => `${s}×${n}`).join(" ");
  return `fuzz: seed ${seed}, ${run.sent} requests in ${
    (elapsed / 1000).toFixed(1)
  } s: ${statuses}; connections dropped by a live server: ${run.dropped.length}; ` +
    `refused by the client: ${run.clientRefused.length}; crashes: ${run.crashes}` +
    (run.lostSession
      ? `; the renter's session ended at #${run.lostSession.id} (${
        escapeText(describe(run.lostSession)).slice(0, 300)
      })`
      : "");
}

// ---------------------------------------------------------------------------
// Discovery and the test

async function text(baseUrl: string, path: string, session?: string | null) {
  const res = await fetch(baseUrl + path, {
    headers: session ? { cookie: `prep_session=${session}` } : {},
    redirect: "manual",
  });
  return await res.text();
}

function matches(html: string, re: RegExp): string[] {
  return [...new Set([...html.matchAll(re)].map((m) => m[1]))];
}

async function discover(baseUrl: string): Promise<Known> {
  const home = await text(baseUrl, "/");
  const search = await text(baseUrl, "/search?sort=newest") +
    await text(baseUrl, "/search?sort=price");
  const kitchenIds = matches(search, /\/kitchens\/([0-9A-Z]{26})/g);
  const kitchen = kitchenIds.length
    ? await text(baseUrl, `/kitchens/${kitchenIds[0]}`)
    : "";
  const mailbox = await text(baseUrl, "/dev/mailbox");
  const rated = matches(
    await text(baseUrl, "/search?sort=rating"),
    /\/kitchens\/([0-9A-Z]{26})/g,
  );
  const reviews = rated.length
    ? await text(baseUrl, `/kitchens/${rated[0]}/reviews`)
    : "";
  return {
    kitchenIds,
    reviewIds: matches(reviews, /\/reviews\/([0-9A-Z]{26})\/report/g),
    photoIds: matches(kitchen, /\/photos\/([A-Za-z0-9_-]+)/g),
    mailIds: matches(mailbox, /\/dev\/mailbox\/([^"/?]+)/g),
    cities: matches(home, /\/cities\/([a-z0-9-]+)/g),
    assets: matches(home + kitchen, /\/assets\/([A-Za-z0-9._-]+)/g),
  };
}

/** Logs the renter in once; the secret goes into half of the probes. */
async function logIn(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/login`, {
    method: "POST",
    headers: { origin: baseUrl },
    body: new URLSearchParams({
      email: ACCOUNTS[0],
      password: DEMO_PASSWORD,
      next: "/account",
    }),
    redirect: "manual",
  });
  await res.body?.cancel();
  const cookie = res.headers.getSetCookie().find((c) =>
    c.startsWith("prep_session=")
  );
  const secret = cookie?.slice("prep_session=".length).split(";")[0];
  assert.ok(
    res.status === 303 && secret,
    `logging in as ${ACCOUNTS[0]} gave ${res.status}, no session cookie`,
  );
  return secret;
}

Deno.test("fuzz: every route survives thousands of hostile requests without a 5xx or a crash", async () => {
  const started = Date.now();
  const seed = parseSeed(Deno.env.get("FUZZ_SEED"));
  const count = Number(Deno.env.get("FUZZ_COUNT") ?? DEFAULT_COUNT);
  const only = Deno.env.get("FUZZ_ONLY")?.split(",").map((s) => s.trim())
    .filter(Boolean);
  const dir = await Deno.makeTempDir({ prefix: "prep_fuzz_" });
  const run = new Run(`${dir}/fuzz.kv`);
  try {
    await run.start();
    const baseUrl = run.instance.server.baseUrl;
    run.session = await logIn(baseUrl);
    const known = await discover(baseUrl);
    assert.ok(
      known.kitchenIds.length && known.cities.length,
      `found no demo kitchens or cities to aim at: ${JSON.stringify(known)}`,
    );
    const pdfs = await hostilePdfs();
    const table = routes(known, pdfs);
    const directed = directedProbes(known, pdfs);
    const probeFor = (id: string) =>
      id.startsWith("d")
        ? directed[Number(id.slice(1))]
        : randomProbe(seed, Number(id), table);

    if (only) {
      for (const id of only) {
        const p = probeFor(id);
        assert.ok(p, `no probe ${id}`);
        await run.attempt(p);
      }
    } else {
      // One at a time, so a crash names its request without replays.
      for (const p of directed) await run.attempt(p);
      const sent = await runPool(
        run,
        count,
        (i) => randomProbe(seed, i, table),
        CONCURRENCY,
        started + BUDGET_MS,
      );
      if (sent < count && !run.stopped) {
        console.warn(
          `fuzz: time budget reached after ${sent} of ${count} random probes`,
        );
      }
      // Logging out for real only at the end: earlier it would end the session.
      await run.attempt({
        ...getRoot("logout"),
        method: "POST",
        route: "/logout",
        url: "/logout",
        headers: [["origin", "$BASE_URL"]],
        session: true,
        focus: "real session",
      });
    }

    const final = run.stopped ? null : await run.current();
    let alive = "no server left after the crashes";
    if (final) {
      const out = await send(final.server.baseUrl, getRoot("final"), null);
      alive = out.kind === "status" && out.status === 200 &&
          !final.server.exited
        ? ""
        : `final GET / gave ${JSON.stringify(out)}; process ${
          final.server.exited ? "exited" : "running"
        }`;
    }
    const elapsed = Date.now() - started;
    console.log(summary(run, seed, elapsed));
    // A fuzzer whose requests never leave the client tests nothing.
    const refusedShare = run.clientRefused.length / Math.max(1, run.sent);
    const broken = refusedShare > 0.02
      ? `The client refused ${run.clientRefused.length} of ${run.sent} requests, e.g. ${
        run.clientRefused.slice(0, 3).map((r) =>
          `#${r.probe.id}: ${r.message.slice(0, 120)}`
        ).join("; ")
      }`
      : "";
    const problems = run.findings.length || alive || broken;
    assert.ok(
      !problems,
      report(run, seed, elapsed) + (alive ? `\n\n${alive}` : "") +
        (broken ? `\n\n${broken}` : "") +
        `\n\nServer output (tail):\n${
          run.instance?.server.tail(30).map(escapeText).join("\n")
        }`,
    );
  } finally {
    await run.instance?.server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// Signed webhooks

/**
 * The endpoint's signing secret, given to the server under test (in Stripe
 * mode, against the local Stripe-compatible server) so that probes can be
 * signed: only signed deliveries get past the signature check to the parsing
 * behind it.
 */
const WEBHOOK_SECRET = "whsec_fuzz";
const RANDOM_WEBHOOKS = 150;

/** Valid-looking objects of every event type the app acts on. */
const EVENT_OBJECTS: Record<string, Record<string, unknown>> = {
  "checkout.session.completed": {
    id: "cs_fuzz",
    object: "checkout.session",
    payment_intent: "pi_fuzz",
    client_reference_id: "01JFUZZ0000000000000000000",
    metadata: { booking_id: "01JFUZZ0000000000000000000" },
  },
  "checkout.session.expired": {
    id: "cs_fuzz",
    payment_intent: null,
    metadata: {},
  },
  "payment_intent.canceled": { id: "pi_fuzz", metadata: {} },
  "charge.refunded": {
    id: "ch_fuzz",
    payment_intent: { id: "pi_fuzz" },
    metadata: null,
  },
  "charge.dispute.created": {
    id: "dp_fuzz",
    charge: "ch_fuzz",
    payment_intent: "pi_fuzz",
  },
  "account.updated": { id: "acct_fuzz", charges_enabled: true },
  // Off-session charges (issue 19): only those with our purpose start work.
  "payment_intent.succeeded": {
    id: "pi_fuzz",
    metadata: {
      booking_id: "01JFUZZ0000000000000000000",
      purpose: "reschedule",
      ref: "01JFUZZ0000000000000000001",
    },
  },
  "payment_intent.payment_failed": {
    id: "pi_fuzz",
    metadata: {
      booking_id: "01JFUZZ0000000000000000000",
      purpose: "occurrence",
    },
    last_payment_error: { code: "card_declined" },
  },
  "customer.created": { id: "cus_fuzz" },
};

/** JSON values no field of a Stripe object should hold. */
function hostileJson(g: Rng): unknown {
  const deep = (n: number): unknown => n === 0 ? {} : { a: deep(n - 1) };
  return g.pick<() => unknown>([
    () => null,
    () => 0,
    () => -1,
    () => 1e308,
    () => true,
    () => "",
    () => [],
    () => ({}),
    () => ({ id: 5 }),
    () => [g.chars(8, LETTERS)],
    () => g.chars(g.int(256, 5000), LETTERS),
    () => "\u0000\u001b[31m\u202e\ud800",
    () => "__proto__",
    () => deep(g.int(50, 400)),
  ])();
}

/** A copy of `value` with one field deleted, replaced or retyped, at any depth. */
function mutate(g: Rng, value: unknown, depth = 0): unknown {
  if (!value || typeof value !== "object" || depth > 3 || g.chance(0.15)) {
    return hostileJson(g);
  }
  const copy: Record<string, unknown> = Array.isArray(value)
    ? { ...value }
    : { ...(value as Record<string, unknown>) };
  const names = Object.keys(copy);
  if (names.length === 0) return hostileJson(g);
  const name = g.pick(names);
  if (g.chance(0.25)) delete copy[name];
  else copy[name] = mutate(g, copy[name], depth + 1);
  return copy;
}

/** Bodies a holder of the secret could send: none is a well-formed event of its type. */
function hostileWebhookBodies(seed: number): [variant: string, body: string][] {
  const event = (type: string, object: unknown, over = {}) =>
    JSON.stringify({
      id: "evt_fuzz",
      object: "event",
      type,
      data: { object },
      ...over,
    });
  const out: [string, string][] = [
    ["{}", "{}"],
    ["[]", "[]"],
    ["null", "null"],
    ["a number", "0"],
    ["a string", '"evt_fuzz"'],
    ["not JSON", "not json"],
    ["empty", ""],
    ["cut short", '{"id": "evt_fuzz", "type": "account.upd'],
    ["a byte-order mark", "\ufeff{}"],
    ["id only", '{"id": "evt_fuzz"}'],
    ["no data", '{"id": "evt_fuzz", "type": "checkout.session.completed"}'],
    ["data null", event("account.updated", null)],
    ["data.object a list", event("account.updated", [])],
    [
      "an id of 100k chars",
      event("account.updated", {}, { id: "e".repeat(100_000) }),
    ],
    ["a type with control bytes", event("\u001b[2J\r\ncheckout", {})],
    [
      "duplicate keys",
      '{"id": "a", "id": {"x": 1}, "type": "account.updated"}',
    ],
    [
      "__proto__",
      '{"__proto__": {"polluted": true}, "id": "evt_fuzz", "type": "account.updated", "data": {"object": {"__proto__": {"id": "acct"}}}}',
    ],
    ["lone surrogates", event("account.updated", { id: "\ud800\udfff\udc00" })],
    ["an array nested 50,000 deep", "[".repeat(50_000) + "]".repeat(50_000)],
    [
      "an object nested 20,000 deep",
      '{"a":'.repeat(20_000) + "1" + "}".repeat(20_000),
    ],
    [
      "numbers past double",
      '{"id": "evt_fuzz", "type": "account.updated", "data": {"object": {"id": 1e400}}}',
    ],
  ];
  const g = new Rng(mulberry32(hashSeed(`${seed}:webhooks`)));
  for (const [type, object] of Object.entries(EVENT_OBJECTS)) {
    for (const field of Object.keys(object)) {
      for (let i = 0; i < 3; i++) {
        out.push([
          `${type} ${field}`,
          event(type, { ...object, [field]: hostileJson(g) }),
        ]);
      }
    }
  }
  const types = Object.keys(EVENT_OBJECTS);
  for (let i = 0; i < RANDOM_WEBHOOKS; i++) {
    const type = g.pick(types);
    const whole = {
      id: `evt_fuzz_${i}`,
      object: "event",
      type,
      data: { object: EVENT_OBJECTS[type] },
    };
    out.push([`random ${type}`, JSON.stringify(mutate(g, whole))]);
  }
  return out;
}

/** Each body as a probe, signed now with the endpoint's secret. */
async function signedWebhookProbes(
  stripe: Stripe,
  seed: number,
): Promise<Probe[]> {
  const probes: Probe[] = [];
  for (const [i, [variant, body]] of hostileWebhookBodies(seed).entries()) {
    const signed = await signedWebhookBody(stripe, body, WEBHOOK_SECRET);
    probes.push({
      id: `w${i}`,
      method: "POST",
      route: "/api/stripe/webhook",
      focus: "signed body: malformed event",
      variant,
      url: "/api/stripe/webhook",
      headers: Object.entries(signed.headers),
      body: utf8(body),
      bodyNote: `${variant} (${utf8(body).length} bytes, signed)`,
      session: false,
    });
  }
  return probes;
}

Deno.test("fuzz: signed malformed webhooks are answered 400, never a 5xx or a crash", async () => {
  const started = Date.now();
  const seed = parseSeed(Deno.env.get("FUZZ_SEED"));
  const dir = await Deno.makeTempDir({ prefix: "prep_fuzz_webhooks_" });
  // Nothing here reaches the Stripe API, but should a probe get through, the
  // app talks to a local server, never to Stripe.
  await using fake = startStripeFake();
  const run = new Run(`${dir}/fuzz.kv`, {
    seed: false,
    env: {
      STRIPE_SECRET_KEY: fake.secretKey,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_BASE: fake.apiBase,
    },
  });
  try {
    await run.start();
    const stripe = stripeClient(fake.secretKey, { apiBase: fake.apiBase });
    const probes = await signedWebhookProbes(stripe, seed);
    await runPool(
      run,
      probes.length,
      (i) => probes[i],
      CONCURRENCY,
      started + BUDGET_MS,
    );
    const elapsed = Date.now() - started;
    console.log(summary(run, seed, elapsed));
    assert.equal(run.sent, probes.length, "every signed probe was sent");
    assert.ok(!run.findings.length, report(run, seed, elapsed));
    // Only what Stripe is meant to see: 200 for an event we can read (a
    // mutation may leave one whole), 400 for one we cannot, 413 past the limit.
    const answers = [...run.statuses.keys()].sort();
    assert.ok(
      answers.every((s) => s === 200 || s === 400 || s === 413),
      `statuses ${answers.join(", ")}`,
    );
    assert.ok((run.statuses.get(400) ?? 0) > probes.length / 2);
  } finally {
    await run.instance?.server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

/** The Change time routes (issue 19 §7), with the times and forms they read. */
function changeTimeRoutes(): Route[] {
  const id = (b: Builder) =>
    b.segment("id", () => b.g.chars(26, ULID_ALPHABET));
  const time = (b: Builder) => ({
    date: () => futureDate(b.g),
    start: () => b.g.pick(["08:00", "10:00", "13:30", "23:30", "25:00"]),
    end: () => b.g.pick(["10:00", "14:00", "02:00", "24:00", ""]),
    hours: () => String(b.g.int(0, 30)),
  });
  const get = (suffix: string, query: boolean): Route => ({
    method: "GET",
    route: `/bookings/:id${suffix}`,
    places: ["path", "query", "query"],
    build: (b) =>
      `/bookings/${id(b)}${suffix}` + (query ? b.query(time(b)) : ""),
  });
  const post = (route: string, path: (b: Builder) => string): Route => ({
    method: "POST",
    route,
    places: ["path", "body", "body"],
    build: (b) => {
      if (b.g.chance(0.3)) b.garbageBody();
      else {
        b.form({
          ...time(b),
          move: () => b.g.chars(26, ULID_ALPHABET),
          reason: () => "Fuzz reason",
          acknowledge: () => b.g.pick(["quiet_hours", ""]),
        });
      }
      return path(b);
    },
  });
  return [
    get("/change", true),
    get("/change/availability", true),
    get("/change/review", true),
    get("/change/quote", true),
    get("/change/pay", false),
    post("/bookings/:id/change", (b) => `/bookings/${id(b)}/change`),
    post("/bookings/:id/change/pay", (b) => `/bookings/${id(b)}/change/pay`),
    post(
      "/bookings/:id/change/withdraw",
      (b) => `/bookings/${id(b)}/change/withdraw`,
    ),
    post(
      "/host/bookings/:id/move/accept",
      (b) => `/host/bookings/${id(b)}/move/accept`,
    ),
    post(
      "/host/bookings/:id/move/decline",
      (b) => `/host/bookings/${id(b)}/move/decline`,
    ),
  ];
}
