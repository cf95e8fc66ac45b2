/**
 * This instance's cache of rendered public pages, for anonymous visitors.
 *
 * What is cached: GET and HEAD of `/`, `/search`, `/kitchens/:id` and
 * `/cities/:city` only, for requests without a session cookie, when the page
 * rendered with status 200, no Set-Cookie, nothing private or no-store, and
 * no error on the way. The key is the URL as the route reads it: the search
 * query parsed and written back without defaults, the kitchen page's date
 * and hours (lib/kitchens/pick.ts), nothing for pages that read no query.
 * The trusted-device cookie does not make a visitor known: only the login
 * form reads it, never a page.
 *
 * Freshness: see lib/page_cache/store.ts (a write on this instance drops
 * every page; at most five seconds otherwise).
 *
 * The nonce: pages are stored cut where the CSP nonce goes (renderPageParts)
 * and joined with this response's nonce, so no two responses share one and
 * nothing in a page's text can turn into one.
 *
 * Encoding: pages are stored once, and compressed once per encoding the
 * first time a client asks for it: gzip for every page (a nonce goes in as
 * a stored block, lib/page_cache/gzip.ts), brotli for pages without a nonce.
 *
 * Validators: pages without a nonce get a weak ETag and answer
 * If-None-Match with 304. Pages with one get none: a 304 would come with
 * this response's CSP header, which browsers store over the cached copy's,
 * and its scripts (carrying the old nonce) would no longer run.
 */
import type { Context, MiddlewareHandler } from "hono";
import { createHash } from "node:crypto";
import { brotliCompressSync, constants } from "node:zlib";
import { writeGeneration } from "../lib/db/read_cache.ts";
import { ID_PATTERN } from "../lib/ids.ts";
import type { SlotUse } from "../lib/islands/collector.ts";
import {
  asciiHtml,
  joinPageParts,
  nonceAttr,
  type RenderedPage,
  renderFor,
} from "../lib/islands/server.ts";
import {
  kitchenPageHref,
  kitchenPageQuery,
  parseKitchenPick,
} from "../lib/kitchens/pick.ts";
import { searchHref, searchQuery } from "../lib/kitchens/search_query.ts";
import { type Bytes, gzipFilled, gzipLayout } from "../lib/page_cache/gzip.ts";
import {
  type Encoding,
  type Moment,
  PAGE_TTL_MS,
  PageStore,
  type StoredPage,
} from "../lib/page_cache/store.ts";
import type { AppEnv } from "./env.ts";
import { readQuery } from "./forms.ts";
import { newNonce, type SecurityPolicy } from "./security.ts";
import { wholeResponse } from "./whole.ts";
import { within } from "../lib/within.ts";
import { PRIVATE_CACHE_CONTROL } from "./session.ts";

/** How long a request waits for another's render of the same page before rendering it too. */
const RENDER_WAIT_MS = 1_000;

/** For shared caches (a CDN in front of Deno Deploy) and browsers alike. */
export const PUBLIC_CACHE_CONTROL =
  "public, max-age=0, s-maxage=5, stale-while-revalidate=30";

/** Records how a page response was rendered, so the cache can store it (routes/context.tsx). */
export function rememberPage(
  c: Context<AppEnv>,
  res: Response,
  page: RenderedPage,
): Response {
  c.set("renderedPage", { res, page });
  return res;
}

export interface PageCacheOptions {
  kv: Deno.Kv;
  /** The budget in bytes; 0 turns the cache off. */
  maxBytes: number;
  /** The app's clock. */
  now: () => number;
  /** Adds `X-Cache: hit|miss|shared` (development and tests, never production). */
  debug: boolean;
  /** The security headers the front door sends, and the CSP of pages without scripts. */
  security: SecurityPolicy;
  /**
   * The app as a visitor reaches it (no cookie): renders a shared page a
   * signed-in user asks for again once it has gone stale (see `shared`).
   */
  visit: (req: Request) => Promise<Response>;
  /** Who is looking, for a shared page's viewer slots (routes/context.tsx). */
  viewer: (c: Context<AppEnv>, slots: readonly SlotUse[]) => Promise<unknown>;
}

/** One cache per app instance: two apps in a process never see each other's pages. */
export interface PageCache {
  /**
   * Serves hits for requests the front door passed on, and keeps fresh
   * renders. Sits after the security headers and compression, before the
   * rest of the chain.
   */
  middleware: MiddlewareHandler<AppEnv>;
  /**
   * A hit answered before Hono and its middleware (issue 21 §8), with the
   * headers the chain would give it: the security headers with a nonce of
   * its own, Cache-Control, Vary, ETag. Only for a GET or HEAD without a
   * session cookie whose URL the chain has already keyed; null sends the
   * request down the chain, which answers everything else the same way.
   */
  front(req: Request): Response | null;
  /**
   * A signed-in user's GET of a shared page (routes/context.tsx) the cache
   * holds: the visitors' render with only its viewer slots rendered for
   * this user (lib/islands/slots.ts). Sits after sessions and the header's
   * badges, whose counts the slots show; the response is theirs alone
   * (sessions mark it private, no-store). Anything else goes down the chain.
   */
  shared: MiddlewareHandler<AppEnv>;
}

export function createPageCache(opts: PageCacheOptions): PageCache {
  const store = new PageStore(opts.maxBytes);
  const cacheKeys = new KeyMemo();
  const sharedKeys = new SharedKeys();
  const visits = new Map<string, Promise<void>>();
  // Pages being rendered for a visitor who found them missing or stale: by key,
  // settled once the render is kept (or turned out not to be keepable).
  const renders = new Map<string, Promise<void>>();
  // The visits' own requests: rendered even where a page is kept, to keep it cut at its slots.
  const renderAnew = new WeakSet<Request>();
  const moment = (): Moment => ({
    generation: writeGeneration(opts.kv),
    now: opts.now(),
    monotonic: performance.now(),
  });
  const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    const key = opts.maxBytes > 0 ? cacheKeys.of(c) : null;
    if (key === null) return await next();
    // Kept cut at its viewer slots too, where signed-in users ask for the page.
    c.set("shareable", sharedKeys.has(key));
    const anew = renderAnew.has(c.req.raw);
    let at = moment();
    let hit = anew ? undefined : store.get(key, at);
    const under = hit || anew ? undefined : renders.get(key);
    if (under) {
      // Gone stale under load: every request at that moment rendered it
      // again (26 ms at p99); they wait for the one render under way, up
      // to RENDER_WAIT_MS (a render stuck on a slow read keeps no one).
      await within(under, RENDER_WAIT_MS);
      at = moment();
      hit = store.get(key, at);
    }
    const nonce = c.get("nonce");
    if (hit && (hit.text.length === 1 || nonce)) {
      return respond(asked(c.req.raw, nonce), store, hit, "hit", opts.debug);
    }
    const claim = anew || renders.has(key)
      ? null
      : Promise.withResolvers<void>();
    if (claim) renders.set(key, claim.promise);
    try {
      await next();
      const page = storable(c, key, at, opts.security);
      if (!page) {
        if (opts.debug) c.res.headers.set("X-Cache", "miss");
        return;
      }
      store.put(page, writeGeneration(opts.kv));
      const res = respond(
        asked(c.req.raw, nonce),
        store,
        page,
        "miss",
        opts.debug,
      );
      // Unset first: assigning over a response copies its headers onto the new one.
      c.res = undefined;
      c.res = res;
    } finally {
      if (claim) {
        renders.delete(key);
        claim.resolve();
      }
    }
  };
  const front = (req: Request): Response | null => {
    if (opts.maxBytes <= 0) return null;
    const key = cacheKeys.known(req);
    if (!key || renderAnew.has(req)) return null;
    const hit = store.get(key, moment());
    if (!hit) return null;
    // A page without scripts has a CSP of its own that needs no nonce.
    const nonce = hit.text.length === 1 ? undefined : newNonce();
    const ask = asked(req, nonce, opts.security);
    // Deflate alone: compress() in the chain encodes the page on the way out.
    if (ask.encodings.has("deflate") && !ask.encodings.has("gzip")) return null;
    return respond(ask, store, hit, "hit", opts.debug);
  };
  // What the chain gives a signed-in user's page (sessions, compression,
  // security), as a record: see `HeaderRecord`.
  const sharedHeaders = headerRecord([
    ["Content-Type", "text/html; charset=UTF-8"],
    ["Cache-Control", PRIVATE_CACHE_CONTROL],
    ["Vary", "Accept-Encoding"],
    ...opts.security.constant,
    ...(opts.debug ? [["X-Cache", "shared"] as [string, string]] : []),
  ]);
  const shared: MiddlewareHandler<AppEnv> = async (c, next) => {
    const key = opts.maxBytes > 0 && c.get("user")
      ? cacheKeys.signedIn(c)
      : null;
    if (key === null) return await next();
    let page = store.get(key, moment());
    if (!page?.shared && sharedKeys.mayVisit(key, performance.now())) {
      // Gone stale, or kept before a signed-in user asked for it: render it
      // as a visitor would get it (kept cut at its slots), then fill it in.
      await visit(key, c.req.url);
      page = store.get(key, moment());
      if (!page?.shared) sharedKeys.backOff(key, performance.now());
    }
    if (!page?.shared) {
      await next();
      // A shared page rendered in full for this user: the next one need not be.
      if (c.get("sharedPage") && c.res.status === 200) sharedKeys.add(key);
      return;
    }
    sharedKeys.add(key);
    const viewer = await opts.viewer(c, page.shared.slots);
    const filled = renderFor(page.shared, viewer, c.get("manifest"));
    const nonce = c.get("nonce");
    return wholeResponse(joinPageParts(filled, nonce), {
      ...sharedHeaders,
      "Content-Security-Policy": opts.security.csp(nonce),
    });
  };
  /** One visitor's render of `url` at a time, however many users wait on it. */
  const visit = (key: string, url: string): Promise<void> => {
    let under = visits.get(key);
    if (!under) {
      const req = new Request(url);
      renderAnew.add(req);
      under = opts.visit(req)
        .then((res) => res.body?.cancel())
        .catch(() => {})
        .finally(() => visits.delete(key));
      visits.set(key, under);
    }
    return under;
  };
  return { middleware, front, shared };
}

/** What a request asks of a stored page. */
interface Asked {
  head: boolean;
  ifNoneMatch: string | null;
  encodings: ReadonlySet<string>;
  nonce: string | undefined;
  /** On the front door: the response carries the security headers itself. */
  security?: SecurityPolicy;
}

function asked(
  req: Request,
  nonce: string | undefined,
  security?: SecurityPolicy,
): Asked {
  return {
    head: req.method === "HEAD",
    ifNoneMatch: req.headers.get("if-none-match"),
    encodings: acceptedEncodings(req.headers.get("accept-encoding") ?? ""),
    nonce,
    security,
  };
}

/** Entries of the URL → key memo; a few KB of strings. */
const KEY_MEMO_ENTRIES = 512;

/**
 * The key of each recent request URL: a hit on /search or a kitchen page
 * otherwise parses its query with zod every time, which showed in the hit
 * path's profile. Bounded; the oldest entry goes first.
 */
class KeyMemo {
  #byUrl = new Map<string, string | null>();

  of(c: Context<AppEnv>): string | null {
    if (!anonymousRead(c.req.raw)) return null;
    return this.#keyOf(c);
  }

  /** A signed-in user's GET: the key of the page visitors would get. */
  signedIn(c: Context<AppEnv>): string | null {
    return c.req.method === "GET" ? this.#keyOf(c) : null;
  }

  #keyOf(c: Context<AppEnv>): string | null {
    const url = c.req.url;
    const known = this.#byUrl.get(url);
    if (known !== undefined) return known;
    const key = cacheKey(c);
    if (this.#byUrl.size >= KEY_MEMO_ENTRIES) {
      this.#byUrl.delete(this.#byUrl.keys().next().value!);
    }
    this.#byUrl.set(url, key);
    return key;
  }

  /** The key of a URL already seen, without parsing anything; null if unknown. */
  known(req: Request): string | null {
    if (!anonymousRead(req)) return null;
    return this.#byUrl.get(req.url) ?? null;
  }
}

/** Entries of the set of shared pages' keys: a few KB of strings. */
const SHARED_KEY_ENTRIES = 512;

/**
 * Keys of shared pages signed-in users have asked for (a route said the
 * page is shared when it rendered it for one): only these are kept cut at
 * their slots, and rendered as a visitor would get them when a signed-in
 * user finds them missing or stale. A visit that did not keep the page
 * (too large for the budget, an error) stops visits for PAGE_TTL_MS.
 * Bounded; the least recently used key goes first.
 */
export class SharedKeys {
  /** Key → performance.now() before which no visit is made. */
  #known = new Map<string, number>();

  has(key: string): boolean {
    return this.#known.has(key);
  }

  mayVisit(key: string, now: number): boolean {
    const until = this.#known.get(key);
    return until !== undefined && now >= until;
  }

  /** Known from now on, and the last to go: a page in use stays shared. */
  add(key: string): void {
    const until = this.#known.get(key);
    this.#known.delete(key);
    if (this.#known.size >= SHARED_KEY_ENTRIES) {
      this.#known.delete(this.#known.keys().next().value!);
    }
    this.#known.set(key, until ?? 0);
  }

  backOff(key: string, now: number): void {
    if (this.#known.has(key)) this.#known.set(key, now + PAGE_TTL_MS);
  }
}

/** A GET or HEAD without a session: the only requests a cached page answers. */
function anonymousRead(req: Request): boolean {
  const method = req.method;
  if (method !== "GET" && method !== "HEAD") return false;
  // Any mention of the session cookie counts: a false alarm only skips the cache.
  return !req.headers.get("cookie")?.includes("prep_session");
}

const KITCHEN_PAGE = new RegExp(`^/kitchens/${ID_PATTERN}$`);
const CITY_PAGE = /^\/cities\/[^/]+$/;

/**
 * The key of a cacheable request, or null. Keys follow what each route
 * reads, so two URLs share a key only when the route cannot tell them apart.
 */
function cacheKey(c: Context<AppEnv>): string | null {
  const path = c.req.path;
  if (path === "/" || CITY_PAGE.test(path)) return path;
  if (path === "/search") {
    const read = readQuery(c, searchQuery);
    return read.ok ? searchHref(read.data) : null;
  }
  if (KITCHEN_PAGE.test(path)) {
    // The date and the hours a search brought: the picker opens on them.
    const read = readQuery(c, kitchenPageQuery);
    const pick = read.ok ? parseKitchenPick(read.data) : null;
    return pick?.ok
      ? kitchenPageHref(path.slice("/kitchens/".length), pick.pick)
      : null;
  }
  return null;
}

/** Headers the cache leaves to each response, or sets itself. */
const NOT_REPLAYED = new Set([
  "cache-control",
  "content-encoding",
  "content-length",
  "content-security-policy",
  "etag",
  "set-cookie",
  "x-cache",
]);

const encoder = new TextEncoder();

/** The rendered response as a page to keep, or null when it must not be kept. */
function storable(
  c: Context<AppEnv>,
  key: string,
  at: Moment,
  security: SecurityPolicy,
): StoredPage | null {
  const res = c.res;
  const rendered = c.get("renderedPage");
  const page = rendered?.res === res ? rendered.page : undefined;
  const cacheControl = res.headers.get("cache-control") ?? "";
  if (
    !page || c.error || res.status !== 200 || c.get("user") ||
    res.headers.has("set-cookie") ||
    /no-store|private|no-cache/i.test(cacheControl)
  ) return null;
  // Every hit sends these: ASCII text goes out fastest.
  const text = page.segments.map(asciiHtml);
  const etag = text.length === 1 ? weakEtag(text, at.generation) : null;
  const headers: [string, string][] = [
    ["Cache-Control", PUBLIC_CACHE_CONTROL],
  ];
  let vary = "Accept-Encoding";
  for (const [name, value] of res.headers) {
    if (name === "vary") {
      vary = /accept-encoding/i.test(value) ? value : `${value}, ${vary}`;
    } else if (!NOT_REPLAYED.has(name)) headers.push([name, value]);
  }
  headers.push(["Vary", vary]);
  if (etag) headers.push(["ETag", etag]);
  // No nonce, no scripts: no script may run, and every copy sends the same policy.
  if (text.length === 1) {
    headers.push(["Content-Security-Policy", security.scriptless]);
  }
  return {
    key,
    text,
    headers,
    etag,
    // ASCII too: signed-in copies are sent at the same speed as hits.
    shared: page.shared &&
      { ...page.shared, texts: page.shared.texts.map(asciiHtml) },
    generation: at.generation,
    renderedAt: at.now,
    startedAt: at.monotonic,
    gzipLayout: null,
    brotli: null,
    replyBytes: 0,
    replies: {},
    replyHeaders: {},
    bytes: 0,
  };
}

function weakEtag(text: string[], generation: number): string {
  const hash = createHash("sha256");
  for (const t of text) hash.update(String(t.length) + ":").update(t);
  return `W/"${hash.digest("base64url").slice(0, 27)}-${generation}"`;
}

/**
 * A stored page as a response. On the front door, a page without a nonce
 * is a copy of one prepared response, its CSP (no scripts at all) among its
 * headers; a page with one goes out with a record of headers kept with the
 * page, its CSP added per hit (a set() per header would cost more than the
 * rest of a hit). Misses, HEAD and 304s take a list.
 */
function respond(
  ask: Asked,
  store: PageStore,
  page: StoredPage,
  outcome: "hit" | "miss",
  debug: boolean,
): Response {
  const encoding: Encoding = page.text.length === 1 && ask.encodings.has("br")
    ? "br"
    : ask.encodings.has("gzip")
    ? "gzip"
    : "identity";
  const matched = page.etag !== null &&
    etagMatches(ask.ifNoneMatch ?? undefined, page.etag);
  const { security } = ask;
  const scripts = page.text.length > 1;
  if (security && !scripts && !ask.head && !matched) {
    const reply = page.replies[encoding] ??
      prepare(store, page, encoding, security, debug);
    return reply.clone();
  }
  if (security && scripts && !ask.head && outcome === "hit") {
    const headers = page.replyHeaders[encoding] ??
      prepareHeaders(store, page, encoding, security, debug);
    // Only the CSP differs between hits.
    return new Response(encoded(store, page, encoding, ask.nonce), {
      status: 200,
      headers: {
        ...headers,
        "Content-Security-Policy": security.csp(ask.nonce ?? ""),
      },
    });
  }
  const headers = [...page.headers];
  if (security) {
    if (scripts) {
      headers.push([
        "Content-Security-Policy",
        security.csp(ask.nonce ?? ""),
      ]);
    }
    headers.push(...security.constant);
  }
  if (debug) headers.push(["X-Cache", outcome]);
  if (matched) {
    return new Response(null, {
      status: 304,
      headers: headers.filter(([name]) => name !== "content-type"),
    });
  }
  if (encoding !== "identity") headers.push(["Content-Encoding", encoding]);
  const body = ask.head ? null : encoded(store, page, encoding, ask.nonce);
  return new Response(body, { status: 200, headers });
}

/** What every hit on the front door sends in `encoding`, but the nonce's CSP. */
function hitHeaders(
  page: StoredPage,
  encoding: Encoding,
  security: SecurityPolicy,
  debug: boolean,
): [string, string][] {
  const headers = [...page.headers, ...security.constant];
  if (debug) headers.push(["X-Cache", "hit"]);
  if (encoding !== "identity") headers.push(["Content-Encoding", encoding]);
  return headers;
}

/**
 * Headers as a plain record, names unique: of the forms a Response takes,
 * Deno reads this one fastest, with no conversion of each pair (a list)
 * and no sorting of the names (a Headers object, every time it is read,
 * as only immutable ones keep theirs). 9 µs against 14 and 23 for a page
 * response in a micro-benchmark.
 */
export type HeaderRecord = Readonly<Record<string, string>>;

/** `list` as a record; a name given twice (in any case) has its values joined, as HTTP reads them. */
export function headerRecord(list: readonly [string, string][]): HeaderRecord {
  const out: Record<string, string> = {};
  const names = new Map<string, string>();
  for (const [name, value] of list) {
    const known = names.get(name.toLowerCase());
    if (known === undefined) {
      names.set(name.toLowerCase(), name);
      out[name] = value;
    } else out[known] = `${out[known]}, ${value}`;
  }
  return Object.freeze(out);
}

/** The front door's headers for a page with a nonce, kept with the page. */
function prepareHeaders(
  store: PageStore,
  page: StoredPage,
  encoding: Encoding,
  security: SecurityPolicy,
  debug: boolean,
): HeaderRecord {
  const headers = headerRecord(hitHeaders(page, encoding, security, debug));
  for (const [name, value] of Object.entries(headers)) {
    page.replyBytes += (name.length + value.length) * 2;
  }
  store.resize(page);
  page.replyHeaders[encoding] = headers;
  return headers;
}

/** The front door's response for a page without a nonce, kept with the page. */
function prepare(
  store: PageStore,
  page: StoredPage,
  encoding: Encoding,
  security: SecurityPolicy,
  debug: boolean,
): Response {
  const headers = hitHeaders(page, encoding, security, debug);
  const body = encoded(store, page, encoding, undefined);
  if (typeof body !== "string") {
    // The response keeps a copy of bytes (text is shared): count it.
    page.replyBytes += body.byteLength;
    store.resize(page);
  }
  const reply = new Response(body, { status: 200, headers });
  // Reading the headers drops the copy of the body Deno prepares for sending
  // a new response: this one is never sent, only copied.
  reply.headers;
  page.replies[encoding] = reply;
  return reply;
}

/** The page's body in `encoding`, carrying `nonce` if it has scripts. */
function encoded(
  store: PageStore,
  page: StoredPage,
  encoding: Encoding,
  nonce: string | undefined,
): Bytes | string {
  if (encoding === "br") return page.brotli ?? compressBrotli(store, page);
  if (encoding === "gzip") {
    const insert = nonceAttr(nonce ?? "");
    return (page.gzipLayout && gzipFilled(page.gzipLayout, insert)) ??
      gzipFilled(layoutFor(store, page, insert), insert)!;
  }
  return joinPageParts({ segments: page.text }, nonce ?? "");
}

function compressBrotli(store: PageStore, page: StoredPage): Bytes {
  const text = page.text[0];
  // Quality 5 compresses a page in well under a millisecond and still beats gzip.
  const brotli = new Uint8Array(brotliCompressSync(text, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 5,
      [constants.BROTLI_PARAM_SIZE_HINT]: text.length,
    },
  }));
  page.brotli = brotli;
  store.resize(page);
  return brotli;
}

/** The page's gzip layout for values as long as `insert`, kept with the page. */
function layoutFor(store: PageStore, page: StoredPage, insert: string) {
  const layout = gzipLayout(
    page.text.map((t) => encoder.encode(t)),
    encoder.encode(insert).length,
  );
  page.gzipLayout = layout;
  store.resize(page);
  return layout;
}

/** Distinct Accept-Encoding values remembered; browsers send a handful. */
const ENCODING_MEMO_ENTRIES = 64;
const encodingMemo = new Map<string, ReadonlySet<string>>();

/**
 * Content codings the client accepts (q > 0); `*` stands for both we make.
 * Remembered per header value: parsing it showed in the profile of a hit.
 */
export function acceptedEncodings(
  header: string | undefined,
): ReadonlySet<string> {
  const value = header ?? "";
  const known = encodingMemo.get(value);
  if (known) return known;
  const parsed = parseEncodings(value);
  if (encodingMemo.size >= ENCODING_MEMO_ENTRIES) encodingMemo.clear();
  encodingMemo.set(value, parsed);
  return parsed;
}

function parseEncodings(header: string): ReadonlySet<string> {
  const out = new Set<string>();
  const refused = new Set<string>();
  for (const item of header.split(",")) {
    const [name, ...params] = item.trim().toLowerCase().split(";");
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (!(weight > 0)) refused.add(name);
    else if (name === "*") out.add("gzip").add("br");
    else out.add(name);
  }
  for (const name of refused) out.delete(name);
  return out;
}

/** If-None-Match by weak comparison (RFC 9110 §13.1.2). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  const ours = opaque(etag);
  return header.split(",").some((t) => t.trim() === "*" || opaque(t) === ours);
}
