/**
 * Backups: every KV entry as newline-delimited JSON (DESIGN §18), streamed
 * entry by entry in both directions, so neither an export nor an import
 * holds more than one batch in memory.
 *
 * The file:
 *
 *   {"format":"prep-kv-export","version":1,"schemaVersion":6,"exportedAt":"2026-…"}
 *   {"key":["bookings","01J…"],"value":{…}}
 *   …
 *   {"end":true,"entries":12345}
 *
 * The last line says the file is whole: an import refuses one without it.
 * Keys and values are encoded losslessly (`encodeValue`): JSON as it is,
 * and whatever JSON cannot say as an object with one `$` key —
 * `{"$bigint":"12"}`, `{"$u64":"3"}` (Deno.KvU64), `{"$bytes":"<base64>"}`
 * (Uint8Array), `{"$date":1767225600000}`, `{"$num":"NaN"|"Infinity"|
 * "-Infinity"|"-0"}`, `{"$undefined":1}`, `{"$map":[[k,v],…]}`,
 * `{"$set":[…]}`, `{"$regexp":[source,flags]}`, `{"$typed":[name,"<base64>"]}`
 * (other typed arrays), `{"$buffer":"<base64>"}`, `{"$sparse":{"length":n,
 * "items":[[i,v],…]}}` (arrays with holes), `{"$error":{…}}`; a stored object
 * that itself has a single key starting with `$` is wrapped in `{"$object":…}`.
 *
 * Time to live: KV does not tell what `expireIn` an entry was written with,
 * so the file cannot carry it. On import, an entry whose value has a numeric
 * `expiresAt` (sessions, tokens, drafts, trusted browsers, contact messages)
 * is skipped when that has passed and otherwise gets `expireIn` up to it;
 * entries under the prefixes `ttls` names (written with a fixed lifetime and
 * no `expiresAt`, such as rate-limit windows and payment-event records) get
 * that whole lifetime again from the import; anything else is kept.
 *
 * Derived counters: `list()` is not a snapshot, so an export taken while the
 * app writes can hold a record from before a write and a counter from after
 * it. Counters summed from records (`derived`) are therefore restored and
 * then rebuilt: the import sets each to zero and sums it again from the
 * restored records, so they agree with what was restored.
 */

import { keys } from "./keys.ts";

export const FORMAT = "prep-kv-export";
export const FORMAT_VERSION = 1;

// ---------------------------------------------------------------------------
// Encoding

type Json =
  | null
  | boolean
  | number
  | string
  | Json[]
  | { [k: string]: Json };

const TYPED = {
  Int8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as const;
type TypedName = keyof typeof TYPED;

const b64 = (bytes: Uint8Array) =>
  (bytes as Uint8Array & { toBase64(): string }).toBase64();
const unb64 = (text: string): Uint8Array =>
  (Uint8Array as unknown as { fromBase64(s: string): Uint8Array })
    .fromBase64(text);

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A key or value as JSON that `decodeValue` turns back into the same thing. */
export function encodeValue(v: unknown): Json {
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "undefined":
      return { $undefined: 1 };
    case "bigint":
      return { $bigint: v.toString() };
    case "number":
      if (Number.isNaN(v)) return { $num: "NaN" };
      if (v === Infinity) return { $num: "Infinity" };
      if (v === -Infinity) return { $num: "-Infinity" };
      if (Object.is(v, -0)) return { $num: "-0" };
      return v;
    case "object":
      break;
    default:
      throw new TypeError(`A KV entry cannot hold a ${typeof v}`);
  }
  if (v === null) return null;
  if (v instanceof Deno.KvU64) return { $u64: v.value.toString() };
  if (v instanceof Uint8Array) return { $bytes: b64(v) };
  if (ArrayBuffer.isView(v)) {
    const name = v.constructor.name as TypedName;
    if (!(name in TYPED)) throw new TypeError(`Cannot encode a ${name}`);
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    return { $typed: [name, b64(bytes)] };
  }
  if (v instanceof ArrayBuffer) return { $buffer: b64(new Uint8Array(v)) };
  if (v instanceof Date) {
    const ms = v.getTime();
    return { $date: Number.isNaN(ms) ? null : ms };
  }
  if (v instanceof RegExp) return { $regexp: [v.source, v.flags] };
  if (v instanceof Map) {
    return { $map: [...v].map(([k, x]) => [encodeValue(k), encodeValue(x)]) };
  }
  if (v instanceof Set) return { $set: [...v].map(encodeValue) };
  if (v instanceof Error) {
    const e: Record<string, Json> = {
      name: v.name,
      message: v.message,
    };
    if (v.stack !== undefined) e.stack = v.stack;
    if ("cause" in v) e.cause = encodeValue(v.cause);
    return { $error: e };
  }
  if (Array.isArray(v)) {
    let holes = false;
    for (let i = 0; i < v.length && !holes; i++) holes = !(i in v);
    if (!holes) return v.map(encodeValue);
    const items: Json[] = [];
    v.forEach((x, i) => items.push([i, encodeValue(x)]));
    return { $sparse: { length: v.length, items } };
  }
  if (!isPlainObject(v)) {
    throw new TypeError(`Cannot encode a ${v.constructor?.name ?? "value"}`);
  }
  const out: Record<string, Json> = {};
  for (const [k, x] of Object.entries(v)) out[k] = encodeValue(x);
  const names = Object.keys(out);
  return names.length === 1 && names[0].startsWith("$")
    ? { $object: out }
    : out;
}

export class BackupFormatError extends Error {}

const NUMS: Record<string, number> = {
  NaN: NaN,
  Infinity: Infinity,
  "-Infinity": -Infinity,
  "-0": -0,
};

/** The inverse of `encodeValue`; a malformed tag is a BackupFormatError. */
export function decodeValue(j: unknown): unknown {
  if (j === null || typeof j !== "object") {
    if (
      typeof j === "string" || typeof j === "boolean" || j === null ||
      (typeof j === "number" && Number.isFinite(j))
    ) return j;
    throw new BackupFormatError(`Not a value: ${String(j)}`);
  }
  if (Array.isArray(j)) return j.map(decodeValue);
  const o = j as Record<string, unknown>;
  const names = Object.keys(o);
  if (names.length === 1 && names[0].startsWith("$")) return decodeTag(o);
  const out: Record<string, unknown> = {};
  for (const k of names) out[k] = decodeValue(o[k]);
  return out;
}

function decodeTag(o: Record<string, unknown>): unknown {
  const [tag] = Object.keys(o);
  const x = o[tag];
  const str = (v: unknown) => {
    if (typeof v !== "string") throw new BackupFormatError(`Bad ${tag}`);
    return v;
  };
  const list = (v: unknown) => {
    if (!Array.isArray(v)) throw new BackupFormatError(`Bad ${tag}`);
    return v;
  };
  switch (tag) {
    case "$undefined":
      return undefined;
    case "$bigint":
      return BigInt(str(x));
    case "$u64":
      return new Deno.KvU64(BigInt(str(x)));
    case "$num":
      if (!(str(x) in NUMS)) throw new BackupFormatError(`Bad $num ${x}`);
      return NUMS[x as string];
    case "$bytes":
      return unb64(str(x));
    case "$typed": {
      const [name, data] = list(x);
      if (!(name in TYPED)) throw new BackupFormatError(`Bad $typed ${name}`);
      const bytes = unb64(str(data));
      const Ctor = TYPED[name as TypedName];
      return new Ctor(bytes.buffer.slice(0) as ArrayBuffer);
    }
    case "$buffer":
      return unb64(str(x)).buffer;
    case "$date":
      return new Date(x === null ? NaN : Number(x));
    case "$regexp": {
      const [source, flags] = list(x);
      return new RegExp(str(source), str(flags));
    }
    case "$map":
      return new Map(
        list(x).map((p) => {
          const [k, v] = list(p);
          return [decodeValue(k), decodeValue(v)];
        }),
      );
    case "$set":
      return new Set(list(x).map(decodeValue));
    case "$error": {
      const e = x as Record<string, unknown>;
      const name = str(e.name);
      // Structured clone keeps the built-in error types; others come back as Error.
      const Ctor = ERRORS[name] ?? Error;
      const err = "cause" in e
        ? new Ctor(str(e.message), { cause: decodeValue(e.cause) })
        : new Ctor(str(e.message));
      if (err.name !== name) err.name = name;
      if (typeof e.stack === "string") err.stack = e.stack;
      else delete (err as { stack?: string }).stack;
      return err;
    }
    case "$sparse": {
      const s = x as { length?: unknown; items?: unknown };
      if (typeof s.length !== "number") {
        throw new BackupFormatError("Bad $sparse");
      }
      const arr = new Array(s.length);
      for (const p of list(s.items)) {
        const [i, v] = list(p);
        arr[i as number] = decodeValue(v);
      }
      return arr;
    }
    case "$object": {
      const inner = x as Record<string, unknown>;
      if (typeof inner !== "object" || inner === null || Array.isArray(inner)) {
        throw new BackupFormatError("Bad $object");
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(inner)) out[k] = decodeValue(v);
      return out;
    }
    default:
      throw new BackupFormatError(`Unknown tag ${tag}`);
  }
}

const ERRORS: Record<string, ErrorConstructor> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};

const KEY_PART_TYPES = new Set(["string", "number", "bigint", "boolean"]);

/** A decoded key, checked to be made of the parts a KV key can have. */
export function decodeKey(j: unknown): Deno.KvKey {
  if (!Array.isArray(j) || j.length === 0) {
    throw new BackupFormatError("A key is a non-empty array");
  }
  return j.map((p) => {
    const part = decodeValue(p);
    if (!(part instanceof Uint8Array) && !KEY_PART_TYPES.has(typeof part)) {
      throw new BackupFormatError(`A key part cannot be ${typeof part}`);
    }
    return part as Deno.KvKeyPart;
  });
}

// ---------------------------------------------------------------------------
// Export

export interface ExportHeader {
  format: typeof FORMAT;
  version: typeof FORMAT_VERSION;
  /** The store's schema version (lib/db/migrations/) when the export began. */
  schemaVersion: number;
  exportedAt: string;
}

/** Lines are gathered to about this size before each write, which waits for the reader. */
const FLUSH_BYTES = 64 * 1024;
/** Entries per list page: at most 64 KiB each, so a page is a few MB at worst. */
const LIST_BATCH = 100;

/**
 * Streams every entry of `kv` to `out` as the file above, entry by entry:
 * `kv.list` pages through the store with its cursor, and each chunk waits
 * for `out` to take the one before (backpressure), so memory holds one
 * batch whatever the store's size. Returns how many entries it wrote.
 */
export async function exportStore(
  kv: Deno.Kv,
  out: WritableStream<Uint8Array>,
  opts: { schemaVersion: number; now: number },
): Promise<number> {
  const writer = out.getWriter();
  const encoder = new TextEncoder();
  let pending = "";
  const flush = async () => {
    if (!pending) return;
    await writer.ready;
    await writer.write(encoder.encode(pending));
    pending = "";
  };
  const header: ExportHeader = {
    format: FORMAT,
    version: FORMAT_VERSION,
    schemaVersion: opts.schemaVersion,
    exportedAt: new Date(opts.now).toISOString(),
  };
  pending += JSON.stringify(header) + "\n";
  let entries = 0;
  try {
    for await (
      const e of kv.list({ prefix: [] }, { batchSize: LIST_BATCH })
    ) {
      pending += JSON.stringify({
        key: e.key.map(encodeValue),
        value: encodeValue(e.value),
      }) + "\n";
      entries++;
      if (pending.length >= FLUSH_BYTES) await flush();
    }
    pending += JSON.stringify({ end: true, entries }) + "\n";
    await flush();
    await writer.close();
  } catch (err) {
    await writer.abort(err).catch(() => {});
    throw err;
  } finally {
    writer.releaseLock();
  }
  return entries;
}

// ---------------------------------------------------------------------------
// Reading a file

/** One line of the file, read. */
export type BackupLine =
  | { kind: "header"; header: ExportHeader }
  | { kind: "entry"; key: Deno.KvKey; value: unknown }
  | { kind: "end"; entries: number };

/**
 * The longest line read: a value is at most 64 KiB, which base64 and JSON
 * escaping take to well under 1 MiB, with its key (at most 2 KiB).
 */
export const MAX_LINE_BYTES = 1024 * 1024;

/** Splits a byte stream into lines without holding more than one line. */
async function* lines(
  input: ReadableStream<Uint8Array>,
): AsyncGenerator<{ n: number; text: string }> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let buf = "";
  let n = 0;
  for await (const chunk of input) {
    buf += decoder.decode(chunk, { stream: true });
    let at: number;
    while ((at = buf.indexOf("\n")) !== -1) {
      const text = buf.slice(0, at);
      buf = buf.slice(at + 1);
      n++;
      if (text.trim()) yield { n, text };
    }
    if (buf.length > MAX_LINE_BYTES) {
      throw new BackupFormatError(
        `Line ${n + 1} is longer than ${MAX_LINE_BYTES} bytes`,
      );
    }
  }
  buf += decoder.decode();
  if (buf.trim()) yield { n: n + 1, text: buf };
}

/** The lines of a backup, decoded and checked in order: a header first, entries, the end line last. */
export async function* readBackup(
  input: ReadableStream<Uint8Array>,
): AsyncGenerator<BackupLine> {
  let seenHeader = false;
  let count = 0;
  let ended = false;
  for await (const { n, text } of lines(input)) {
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(text);
    } catch {
      throw new BackupFormatError(`Line ${n} is not JSON`);
    }
    if (ended) throw new BackupFormatError(`Line ${n} follows the end line`);
    try {
      if (!seenHeader) {
        if (
          j.format !== FORMAT || j.version !== FORMAT_VERSION ||
          !Number.isInteger(j.schemaVersion) || typeof j.exportedAt !== "string"
        ) {
          throw new BackupFormatError(
            "it does not start with a Prep export header",
          );
        }
        seenHeader = true;
        yield { kind: "header", header: j as unknown as ExportHeader };
      } else if (j.end === true) {
        if (j.entries !== count) {
          throw new BackupFormatError(
            `the end line counts ${j.entries} entries; the file has ${count}`,
          );
        }
        ended = true;
        yield { kind: "end", entries: count };
      } else {
        if (!("key" in j) || !("value" in j)) {
          throw new BackupFormatError("an entry needs a key and a value");
        }
        const key = decodeKey(j.key);
        const value = decodeValue(j.value);
        count++;
        yield { kind: "entry", key, value };
      }
    } catch (err) {
      if (err instanceof BackupFormatError || err instanceof SyntaxError) {
        throw new BackupFormatError(`Line ${n}: ${err.message}`);
      }
      throw err;
    }
  }
  if (!seenHeader) throw new BackupFormatError("The file is empty");
  if (!ended) {
    throw new BackupFormatError(
      "The file ends before its end line: the export did not finish",
    );
  }
}

// ---------------------------------------------------------------------------
// Import

/** A counter summed from records: zeroed on import and summed again (see the module comment). */
export interface DerivedCounters {
  /** What the counters are, for the report. */
  name: string;
  /** The key prefixes holding them, zeroed before the rebuild. */
  prefixes: Deno.KvKey[];
  /** Each record they are summed from, with what it adds (`add` puts it in the atomic). */
  sources: {
    prefix: Deno.KvKey;
    add: (
      atomic: Deno.AtomicOperation,
      entry: Deno.KvEntry<unknown>,
      kv: Deno.Kv,
    ) => void | Promise<void>;
  }[];
}

/** Entries written with a fixed lifetime and no `expiresAt` in their value. */
export interface TtlRule {
  prefix: Deno.KvKey;
  ttlMs: number;
}

export interface ImportOptions {
  now: number;
  /** Write over a store that has entries (replacing the same keys, keeping the rest). */
  force?: boolean;
  ttls: readonly TtlRule[];
  /** The newest schema version this code knows; a newer file is refused. */
  latestSchemaVersion: number;
  /** Only check the file; write nothing. */
  dryRun?: boolean;
}

export interface ImportResult {
  schemaVersion: number;
  /** Entries in the file. */
  entries: number;
  /** Entries written. */
  written: number;
  /** Entries whose `expiresAt` had passed. */
  expired: number;
}

export class StoreNotEmptyError extends Error {}

/** Keys that are the store's own bookkeeping, not data: an empty store may have them. */
function isBookkeeping(key: Deno.KvKey): boolean {
  const state = keys.migrationState();
  return key.length === state.length && key.every((p, i) => p === state[i]);
}

/** Whether the store holds anything but its own bookkeeping. */
export async function storeHasData(kv: Deno.Kv): Promise<boolean> {
  for await (const e of kv.list({ prefix: [] }, { limit: 3 })) {
    if (!isBookkeeping(e.key)) return true;
  }
  return false;
}

const startsWith = (key: Deno.KvKey, prefix: Deno.KvKey) =>
  prefix.length <= key.length && prefix.every((p, i) => {
    const k = key[i];
    if (p instanceof Uint8Array && k instanceof Uint8Array) {
      return p.length === k.length && p.every((b, j) => b === k[j]);
    }
    return Object.is(p, k);
  });

/** Per atomic: KV allows 1,000 mutations and 800 KiB; this leaves room. */
const BATCH_ENTRIES = 400;
const BATCH_BYTES = 600 * 1024;

/**
 * Restores a backup into `kv`: refuses a store with data unless `force`,
 * writes the entries in atomics within KV's limits, applying the TTL rules.
 * The caller then runs the migrations the file's schema version lacks and
 * `rebuildDerived`.
 */
export async function importStore(
  kv: Deno.Kv,
  input: ReadableStream<Uint8Array>,
  opts: ImportOptions,
): Promise<ImportResult> {
  if (!opts.force && await storeHasData(kv)) {
    throw new StoreNotEmptyError(
      "This store already holds data. Restore into an empty one, or pass --force to write over it.",
    );
  }
  const result: ImportResult = {
    schemaVersion: 0,
    entries: 0,
    written: 0,
    expired: 0,
  };
  let atomic = kv.atomic();
  let batch = 0;
  let bytes = 0;
  const commit = async () => {
    if (batch === 0) return;
    if (!opts.dryRun) {
      const res = await atomic.commit();
      if (!res.ok) throw new Error("A batch of the import failed to commit");
    }
    result.written += batch;
    atomic = kv.atomic();
    batch = 0;
    bytes = 0;
  };
  for await (const line of readBackup(input)) {
    if (line.kind === "header") {
      if (line.header.schemaVersion > opts.latestSchemaVersion) {
        throw new BackupFormatError(
          `The file is at schema version ${line.header.schemaVersion}, newer than this code's ${opts.latestSchemaVersion}: restore it with the Prep it came from.`,
        );
      }
      result.schemaVersion = line.header.schemaVersion;
      continue;
    }
    if (line.kind === "end") break;
    result.entries++;
    const expireIn = lifetime(line.key, line.value, opts);
    if (expireIn === 0) {
      result.expired++;
      continue;
    }
    const size = approxSize(line.key) + approxSize(line.value);
    if (batch >= BATCH_ENTRIES || bytes + size > BATCH_BYTES) await commit();
    atomic.set(
      line.key,
      line.value,
      expireIn === null ? undefined : { expireIn },
    );
    batch++;
    bytes += size;
  }
  await commit();
  return result;
}

/** The `expireIn` to restore an entry with: null for none, 0 when it has expired. */
function lifetime(
  key: Deno.KvKey,
  value: unknown,
  opts: Pick<ImportOptions, "now" | "ttls">,
): number | null {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const at = (value as { expiresAt?: unknown }).expiresAt;
    if (typeof at === "number" && Number.isFinite(at)) {
      return at <= opts.now ? 0 : at - opts.now;
    }
  }
  const rule = opts.ttls.find((r) => startsWith(key, r.prefix));
  return rule ? rule.ttlMs : null;
}

/** Roughly what an entry weighs in an atomic (KV counts the serialised size). */
function approxSize(v: unknown): number {
  if (v instanceof Uint8Array) return v.byteLength;
  if (typeof v === "string") return v.length * 3;
  if (typeof v !== "object" || v === null) return 16;
  try {
    return JSON.stringify(encodeValue(v)).length;
  } catch {
    return 64 * 1024;
  }
}

/**
 * Zeroes each derived counter and sums it again from its records, one
 * atomic per record (checked, so a record written meanwhile is read again).
 * Returns how many records each counter was summed from.
 */
export async function rebuildDerived(
  kv: Deno.Kv,
  derived: readonly DerivedCounters[],
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const d of derived) {
    // Zeroed rather than deleted: a counter that went up and back down is
    // an entry holding 0, and the restored store keeps it, as the source had.
    const zero = new Deno.KvU64(0n);
    for (const prefix of d.prefixes) {
      let atomic = kv.atomic();
      let n = 0;
      for await (const e of kv.list({ prefix }, { batchSize: LIST_BATCH })) {
        atomic.set(e.key, zero);
        if (++n % BATCH_ENTRIES === 0) {
          await atomic.commit();
          atomic = kv.atomic();
        }
      }
      await atomic.commit();
    }
    let records = 0;
    for (const source of d.sources) {
      for await (
        const first of kv.list({ prefix: source.prefix }, {
          batchSize: LIST_BATCH,
        })
      ) {
        let entry: Deno.KvEntryMaybe<unknown> = first;
        for (let attempt = 0; entry.value !== null; attempt++) {
          const atomic = kv.atomic().check(entry);
          await source.add(atomic, entry as Deno.KvEntry<unknown>, kv);
          if ((await atomic.commit()).ok) break;
          if (attempt >= 10) {
            throw new Error(`Record ${String(entry.key)} kept changing`);
          }
          entry = await kv.get(entry.key);
        }
        records++;
      }
    }
    out[d.name] = records;
  }
  return out;
}

// ---------------------------------------------------------------------------
// The whole restore

export interface RestoreOptions {
  now: number;
  force?: boolean;
  derived: readonly DerivedCounters[];
  ttls: readonly TtlRule[];
  /** Brings the restored store to the code's schema (lib/db/migrations/). */
  migrate: (kv: Deno.Kv) => Promise<{ from: number; to: number }>;
  latestSchemaVersion: number;
}

export interface RestoreResult extends ImportResult {
  /** The schema version after the migrations the file lacked. */
  migratedTo: number;
  /** Records each derived counter was summed from. */
  rebuilt: Record<string, number>;
}

/**
 * Restores a backup: the entries (importStore), then the migrations its
 * schema version lacks, then the derived counters summed again.
 */
export async function restoreBackup(
  kv: Deno.Kv,
  input: ReadableStream<Uint8Array>,
  opts: RestoreOptions,
): Promise<RestoreResult> {
  const imported = await importStore(kv, input, opts);
  const migrated = await opts.migrate(kv);
  const rebuilt = await rebuildDerived(kv, opts.derived);
  return { ...imported, migratedTo: migrated.to, rebuilt };
}

// ---------------------------------------------------------------------------
// The HTTP door (routes/api/backup.ts)

/** Whether `given` (a bearer token) is the configured one, compared in constant time. */
export async function backupTokenMatches(
  configured: string | undefined,
  given: string | undefined,
): Promise<boolean> {
  if (!configured || !given) return false;
  // Hashing first makes both sides the same length, so the comparison
  // takes the same time whatever the guess.
  const digest = async (s: string) =>
    new Uint8Array(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s)),
    );
  const [a, b] = await Promise.all([digest(configured), digest(given)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
