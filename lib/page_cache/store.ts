/**
 * The memory behind one app instance's rendered-page cache: pages by key,
 * least recently used dropped first once their bytes pass the budget.
 *
 * A page is fresh only while three things hold: the write generation it
 * was rendered under is still current (lib/db/read_cache.ts: a write on
 * this instance drops every page at once), at most PAGE_TTL_MS passed on
 * the app's clock (the pages show "today" and free hours, and tests move
 * that clock), and at most PAGE_TTL_MS passed in real time (writes on other
 * instances show within that).
 */

import type { SharedLayout } from "../islands/slots.ts";
import type { Bytes, GzipLayout } from "./gzip.ts";

/** How long another instance's write may stay unseen here. */
export const PAGE_TTL_MS = 5_000;

/** Bookkeeping per page beyond its bytes (the object, its key, the map entry). */
const OVERHEAD_BYTES = 512;

export interface StoredPage {
  key: string;
  /**
   * The page, cut where each response's nonce goes, as ASCII text
   * (asciiHtml): Deno sends that at twice the speed of a Uint8Array or
   * two-byte text (issue 21 §8).
   */
  text: string[];
  /**
   * The render as signed-in users' copies are filled in (lib/islands/slots.ts);
   * null for a page that is not shared.
   */
  shared: SharedLayout | null;
  /** Headers every copy sends: the rendered response's (Content-Type) and the cache's (Cache-Control, Vary, ETag). */
  headers: [string, string][];
  /** Weak validator; null for pages carrying a nonce (see routes/page_cache.ts). */
  etag: string | null;
  generation: number;
  /** The app's clock when rendering began. */
  renderedAt: number;
  /** performance.now() when rendering began. */
  startedAt: number;
  /** The page's gzip with room for a nonce, made when a client first asks for gzip. */
  gzipLayout: GzipLayout | null;
  /** Brotli of the whole page (pages without a nonce), made on first request. */
  brotli: Bytes | null;
  /** Bytes of the prepared responses' bodies: a Response copies the bytes it is made with. */
  replyBytes: number;
  /**
   * A page without a nonce as the front door sends it, per encoding, but for
   * the CSP header: each hit sends a copy (routes/page_cache.ts). Their
   * bodies are the text and copies of `brotli` and the gzip (`replyBytes`).
   */
  replies: Partial<Record<Encoding, Response>>;
  /**
   * A page with a nonce: the front door's headers per encoding, to which
   * each hit adds its own CSP (routes/page_cache.ts); counted in
   * `replyBytes`.
   */
  replyHeaders: Partial<Record<Encoding, Readonly<Record<string, string>>>>;
  bytes: number;
}

/** How a stored page goes out. */
export type Encoding = "identity" | "gzip" | "br";

/** When a lookup happens, by each of the clocks a page's freshness depends on. */
export interface Moment {
  generation: number;
  now: number;
  monotonic: number;
}

/** A page's bytes as the budget counts them. */
export function pageBytes(
  p:
    & Pick<
      StoredPage,
      "key" | "text" | "headers" | "gzipLayout" | "brotli" | "replyBytes"
    >
    & Partial<Pick<StoredPage, "shared">>,
): number {
  let bytes = OVERHEAD_BYTES + p.key.length * 2;
  for (const t of p.text) bytes += textBytes(t);
  for (const t of p.shared?.texts ?? []) bytes += textBytes(t);
  bytes += p.shared?.propBytes ?? 0;
  bytes += p.gzipLayout?.template.byteLength ?? 0;
  bytes += p.brotli?.byteLength ?? 0;
  bytes += p.replyBytes;
  for (const [k, v] of p.headers) bytes += (k.length + v.length) * 2;
  return bytes;
}

/** What V8 holds for a string: a byte a character if all are Latin-1, else two. */
function textBytes(text: string): number {
  return /[\u0100-\uffff]/.test(text) ? text.length * 2 : text.length;
}

/** Whether a page may still be served at `at`. */
export function isFresh(
  p: Pick<StoredPage, "generation" | "renderedAt" | "startedAt">,
  at: Moment,
): boolean {
  return p.generation === at.generation &&
    at.now >= p.renderedAt && at.now - p.renderedAt < PAGE_TTL_MS &&
    at.monotonic - p.startedAt < PAGE_TTL_MS;
}

export class PageStore {
  #pages = new Map<string, StoredPage>();
  #bytes = 0;
  #generation = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#pages.size;
  }

  /** The fresh page under `key`, now the most recently used; a stale one is dropped. */
  get(key: string, at: Moment): StoredPage | undefined {
    this.#follow(at.generation);
    const page = this.#pages.get(key);
    if (!page) return undefined;
    this.#pages.delete(key);
    if (!isFresh(page, at)) {
      this.#bytes -= page.bytes;
      return undefined;
    }
    this.#pages.set(key, page);
    return page;
  }

  /**
   * Keeps a page rendered under `page.generation`, unless a write came since
   * (it would be stale at once) or it alone exceeds the budget. Evicts the
   * least recently used pages to make room.
   */
  put(page: StoredPage, currentGeneration: number): boolean {
    this.#follow(currentGeneration);
    if (page.generation !== currentGeneration) return false;
    page.bytes = pageBytes(page);
    this.delete(page.key);
    if (page.bytes > this.maxBytes) return false;
    this.#pages.set(page.key, page);
    this.#bytes += page.bytes;
    this.#evict();
    return true;
  }

  /** Recounts a stored page after it gained a compressed form, evicting others if needed. */
  resize(page: StoredPage): void {
    const before = page.bytes;
    page.bytes = pageBytes(page);
    if (this.#pages.get(page.key) !== page) return;
    this.#bytes += page.bytes - before;
    this.#evict();
  }

  delete(key: string): void {
    const page = this.#pages.get(key);
    if (!page) return;
    this.#pages.delete(key);
    this.#bytes -= page.bytes;
  }

  /** Every page rendered before a write is stale: drop them all at once. */
  #follow(generation: number): void {
    if (generation === this.#generation) return;
    this.#generation = generation;
    this.#pages.clear();
    this.#bytes = 0;
  }

  #evict(): void {
    for (const key of this.#pages.keys()) {
      if (this.#bytes <= this.maxBytes) return;
      this.delete(key);
    }
  }
}
