// Server-only: turns registered island components into hydration boundaries during renderPage.
import {
  type ComponentChild,
  type FunctionComponent,
  h,
  isValidElement,
  options,
  type VNode,
} from "preact";
import { renderToString } from "preact-render-to-string";
import {
  activeCollector,
  collecting,
  type Collector,
  type IslandUse,
  Scope,
  type ScopeValue,
  type SlotUse,
} from "./collector.ts";
import { islandNameOf } from "./define.ts";
import type { AssetManifest } from "./manifest.ts";
import { cutSlots, propBytes, type SharedLayout } from "./slots.ts";

interface BoundaryProps {
  name: string;
  component: FunctionComponent<Record<string, unknown>>;
  props: Record<string, unknown>;
}

// Set while the boundary creates the real island vnode, so the hook below leaves it alone.
let bypass = false;

function createUnwrapped(
  component: FunctionComponent<Record<string, unknown>>,
  props: Record<string, unknown>,
): VNode {
  bypass = true;
  try {
    return h(component, props);
  } finally {
    bypass = false;
  }
}

function IslandBoundary(
  { name, component, props }: BoundaryProps,
  scope: ScopeValue,
): ComponentChild {
  const collector = activeCollector();
  // Nested islands hydrate as part of their parent; plain renderToString gets no boundary.
  if (scope === "island" || !collector) {
    return createUnwrapped(component, props);
  }
  // A visitor's slot with an island could not be filled in for others (islands/slots.ts).
  if (scope === "slot") collector.unshareable = true;
  assertJsonSafe(props, name);
  const index = collector.uses.push({ name, props }) - 1;
  return h(
    Scope.Provider,
    { value: "island" },
    h(
      "prep-island",
      { "data-island": name, "data-i": String(index) },
      createUnwrapped(component, props),
    ),
  );
}

IslandBoundary.contextType = Scope;

// The swap happens at vnode creation (even outside renderPage, since routes may build the
// tree before calling it); whether a boundary is emitted is decided at render time.
const previousVnodeHook = options.vnode;
options.vnode = (vnode: VNode) => {
  if (!bypass && typeof vnode.type === "function") {
    const name = islandNameOf(vnode.type);
    if (name !== undefined) {
      const component = vnode.type as FunctionComponent<
        Record<string, unknown>
      >;
      const props = vnode.props as Record<string, unknown>;
      const swapped = vnode as unknown as {
        type: unknown;
        props: BoundaryProps;
      };
      swapped.props = { name, component, props };
      swapped.type = IslandBoundary;
    }
  }
  previousVnodeHook?.(vnode);
};

function describe(path: string): string {
  return path === "" ? "props" : `prop "${path}"`;
}

/** "a.b[0].c" from the keys and indexes walked. */
function pathText(path: readonly (string | number)[]): string {
  let out = "";
  for (const step of path) {
    out += typeof step === "number" ? `[${step}]` : out ? `.${step}` : step;
  }
  return out;
}

/**
 * Island props travel as JSON, so anything JSON cannot round-trip is a
 * render-time error. Runs on every island of every page: the path is only
 * spelled out when something fails.
 */
function assertJsonSafe(
  value: unknown,
  island: string,
  path: (string | number)[] = [],
): void {
  if (
    value === null || value === undefined || typeof value === "string" ||
    typeof value === "boolean"
  ) return;
  const fail = (what: string) => {
    throw new Error(
      `Island "${island}": ${
        describe(pathText(path))
      } is ${what}; island props must be JSON-serializable ` +
        `(no functions, JSX/children, class instances or non-finite numbers).`,
    );
  };
  if (typeof value === "number") {
    if (!Number.isFinite(value)) fail(String(value));
    return;
  }
  if (typeof value === "function") return fail("a function");
  if (typeof value !== "object") return fail(`a ${typeof value}`);
  if (isValidElement(value)) return fail("a vnode");
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      assertJsonSafe(value[i], island, path);
      path.pop();
    }
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    return fail(`an instance of ${proto?.constructor?.name ?? "a class"}`);
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    path.push(key);
    assertJsonSafe((value as Record<string, unknown>)[key], island, path);
    path.pop();
  }
}

/**
 * JSON that is inert inside a <script> element (no `</script>`, `<!--`, or JS
 * line breaks), and ASCII, every other character a \u escape, so `asciiHtml`
 * never has to touch it.
 */
export function serializeProps(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u0080-\uffff]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}

const BEYOND_ASCII = /[\u00a0-\uffff]/;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * `html` as one flat ASCII string, every other character written as a
 * character reference, but for C1 controls (U+0080 to U+009F), which stay
 * as they are: HTML reads `&#128;` to `&#159;` as Windows-1252 characters
 * (`&#133;` is an ellipsis), and text() refuses them in what people type.
 * One character past U+00FF (an arrow, a dash, a host's emoji) makes V8
 * hold a whole page as two-byte text, and Deno sends that at well under
 * half the speed (issue 21 §8); one past U+007F (a middle dot, ©, é) makes
 * it transcode the page to UTF-8 as it sends it, 15–25% slower than copying
 * ASCII (a bare server, 20 KB, one é). V8 also keeps the result of
 * replace() two-byte, so the text goes through UTF-8 and back, which builds
 * a one-byte string whenever it can. That costs about 40 µs on a kitchen
 * page: worth it for a page sent many times (the page cache), not for each
 * fresh one. Safe for what renderToString writes: text and attribute
 * values, where references are decoded; the only raw-text element a page
 * has is the islands' JSON, which `serializeProps` escapes.
 */
export function asciiHtml(html: string): string {
  const ascii = BEYOND_ASCII.test(html)
    ? html.replace(/[\u{a0}-\u{10ffff}]/gu, (c) => `&#${c.codePointAt(0)};`)
    : html;
  return fromUtf8.decode(utf8.encode(ascii));
}

function escapeAttr(value: string): string {
  // Nonces and asset paths never need escaping; skip four copies of them.
  if (!/[&"<>]/.test(value)) return value;
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(
    /</g,
    "&lt;",
  ).replace(
    />/g,
    "&gt;",
  );
}

export interface RenderPageOptions {
  /** Per-response CSP nonce; put the same value in `script-src 'nonce-…'`. */
  nonce: string;
  manifest: AssetManifest;
}

/**
 * A rendered document cut at the places its CSP nonce goes: the page is
 * `segments.join(nonceAttr(nonce))`. One segment means no scripts and no nonce.
 * Knowing where the nonce goes lets a cached page get a fresh nonce per
 * response without searching its text for a token that user content could
 * also contain.
 */
export interface PageParts {
  readonly segments: readonly string[];
}

// A symbol, not a string: nothing a page renders can be mistaken for it.
const NONCE = Symbol("nonce");
type Piece = string | typeof NONCE;

/** The nonce as written into the document's attributes. */
export function nonceAttr(nonce: string): string {
  return escapeAttr(nonce);
}

/**
 * The document of `parts` carrying `nonce`. Concatenated rather than joined:
 * V8 still flattens the text when Deno reads it, but join() showed as 15% of
 * a cached kitchen page's time at the wire, with more garbage collection.
 */
export function joinPageParts(parts: PageParts, nonce: string): string {
  const [first, ...rest] = parts.segments;
  const attr = nonceAttr(nonce);
  let out = first;
  for (const segment of rest) out = out + attr + segment;
  return out;
}

/**
 * Renders a full document. Pages without islands ship no JavaScript at all; otherwise the boot
 * module, the used islands' chunks and their props are added.
 */
export function renderPage<P>(
  vnode: VNode<P>,
  opts: RenderPageOptions,
): string {
  return joinPageParts(renderPageParts(vnode, opts), opts.nonce);
}

/** A page as rendered, cut where the nonce goes, and what a shared render keeps to fill in. */
export interface RenderedPage extends PageParts {
  /** The page to fill in per viewer (`renderFor`); null unless asked for and possible. */
  readonly shared: SharedLayout | null;
}

/**
 * `renderPage`, with the document cut where the nonce goes instead of
 * carrying one. With `share`, the viewer slots (islands/slots.ts) are also
 * kept apart, so that the same render can be filled in for other viewers.
 */
export function renderPageParts<P>(
  vnode: VNode<P>,
  opts: Pick<RenderPageOptions, "manifest"> & {
    share?: boolean;
    /** Who the page is for, as its viewer slots read it. */
    viewer?: unknown;
  },
): RenderedPage {
  const collector: Collector = {
    uses: [],
    slots: opts.share ? [] : null,
    viewer: opts.viewer,
  };
  const rendered = "<!DOCTYPE html>" +
    collecting(collector, () => renderToString(vnode as unknown as VNode));
  if (!collector.slots) {
    return {
      ...finishPage(rendered, collector.uses, opts.manifest),
      shared: null,
    };
  }
  // Marks come out even when the page cannot be shared after all.
  const { html, texts } = cutSlots(rendered, collector.slots);
  const shared = texts && !collector.unshareable
    ? {
      texts,
      slots: collector.slots,
      uses: collector.uses,
      propBytes: propBytes(collector.slots, collector.uses),
    }
    : null;
  return { ...finishPage(html, collector.uses, opts.manifest), shared };
}

/**
 * A slot as rendered for one viewer: its text cut where its islands'
 * numbers go (`texts` is one longer than `uses`), so it can go anywhere.
 */
interface SlotText {
  /** What rendered it: a props object could in principle serve two slots. */
  component: SlotUse["component"];
  texts: string[];
  uses: IslandUse[];
  /** As counted against SLOT_TEXT_BUDGET, its key included once kept. */
  bytes: number;
}

// Where a slot's island says its number: "<" only ever starts an element.
const ISLAND_NUMBER = /(<prep-island data-island="[^"]*" data-i=")\d+(?=")/g;

function renderSlot(slot: SlotUse, viewer: unknown): SlotText {
  const collector: Collector = { uses: [], slots: null, viewer };
  const html = collecting(
    collector,
    () => renderToString(h(slot.component, { ...slot.props, viewer })),
  );
  // One character past ASCII (a name) would make the page two-byte text.
  const ascii = BEYOND_ASCII.test(html) ? asciiHtml(html) : html;
  const texts: string[] = [];
  let at = 0;
  for (const m of ascii.matchAll(ISLAND_NUMBER)) {
    const end = m.index + m[1].length;
    texts.push(ascii.slice(at, end));
    at = ascii.indexOf('"', end);
  }
  texts.push(ascii.slice(at));
  if (texts.length !== collector.uses.length + 1) {
    throw new Error("a viewer slot's islands are not where they were counted");
  }
  // Props go out as JSON on every copy: worked out once per use.
  let bytes = 256;
  for (const text of texts) bytes += text.length;
  for (const use of collector.uses) bytes += 2 * useJson(use).length;
  return { component: slot.component, texts, uses: collector.uses, bytes };
}

/**
 * Rendered slots by the slot's props (kept with its page), then by viewer
 * key. Bounded twice: a few keys per slot, and SLOT_TEXT_BUDGET bytes in
 * all (about what the texts and props take), past which every kept slot
 * is dropped at once: the header's links are kept per user, so many users
 * over many pages would otherwise add up to the pages' own size.
 */
let slotTexts = new WeakMap<object, Map<string, SlotText>>();
let slotTextBytes = 0;
const SLOT_TEXT_BUDGET = 4 * 1024 * 1024;
/** Viewer keys kept per slot: a few kinds of viewer, or a few dozen users. */
const SLOT_TEXT_ENTRIES = 32;

/** Bytes of kept slot texts as counted against SLOT_TEXT_BUDGET (for tests). */
export function keptSlotBytes(): { bytes: number; budget: number } {
  return { bytes: slotTextBytes, budget: SLOT_TEXT_BUDGET };
}

function slotFor(slot: SlotUse, viewer: unknown): SlotText {
  const key = slot.component.viewerKey?.(slot.props, viewer);
  if (key === undefined) return renderSlot(slot, viewer);
  let byKey = slotTexts.get(slot.props);
  const known = byKey?.get(key);
  if (known?.component === slot.component) return known;
  const text = renderSlot(slot, viewer);
  // The key is kept too (two bytes a character: a name, or JSON).
  text.bytes += 2 * key.length;
  if (slotTextBytes + text.bytes > SLOT_TEXT_BUDGET) {
    slotTexts = new WeakMap();
    slotTextBytes = 0;
    byKey = undefined;
  }
  if (!byKey) slotTexts.set(slot.props, byKey = new Map());
  if (byKey.size >= SLOT_TEXT_ENTRIES) {
    for (const dropped of byKey.values()) slotTextBytes -= dropped.bytes;
    byKey.clear();
  }
  // Over another component's text under the same props and key, if any.
  slotTextBytes += text.bytes - (byKey.get(key)?.bytes ?? 0);
  byKey.set(key, text);
  return text;
}

/**
 * A shared page for `viewer`: its text with each slot rendered for them.
 * Their islands are numbered after the shared ones, which keep theirs.
 */
export function renderFor(
  layout: SharedLayout,
  viewer: unknown,
  manifest: AssetManifest,
): PageParts {
  const uses = [...layout.uses];
  const { texts, slots } = layout;
  const pieces = [texts[0]];
  for (let i = 0; i < slots.length; i++) {
    const slot = slotFor(slots[i], viewer);
    let part = slot.texts[0];
    for (let k = 0; k < slot.uses.length; k++) {
      part += String(uses.length) + slot.texts[k + 1];
      uses.push(slot.uses[k]);
    }
    pieces.push(part, texts[i + 1]);
  }
  const insert = islandInserts(uses, manifest, useJson);
  if (!insert) return { segments: [cutAtNonce(pieces)[0]] };
  // The head ends before the first slot and the body after the last (the
  // header's links come first): found in those texts alone, not in the
  // whole page, which would have to be copied into one string to search.
  const last = pieces.length - 1;
  const headEnd = pieces[0].indexOf("</head>");
  const bodyEnd = pieces[last].lastIndexOf("</body>");
  if (last === 0 || headEnd === -1 || bodyEnd === -1) {
    return finishPage(cutAtNonce(pieces)[0], uses, manifest);
  }
  return {
    segments: cutAtNonce([
      pieces[0].slice(0, headEnd),
      ...insert.links,
      pieces[0].slice(headEnd),
      ...pieces.slice(1, last),
      pieces[last].slice(0, bodyEnd),
      ...insert.scripts,
      pieces[last].slice(bodyEnd),
    ]),
  };
}

/**
 * An island use's props as `serializeProps` writes them in the page's
 * list, for the uses a shared page keeps (its own, and its slots'
 * renders): a kitchen page's picker carries kilobytes of JSON.
 */
const useJsons = new WeakMap<IslandUse, string>();

function useJson(use: IslandUse): string {
  let json = useJsons.get(use);
  if (json === undefined) useJsons.set(use, json = serializeProps(use));
  return json;
}

/** What a page with islands adds: preloads for its head, data and boot script for its body. */
interface IslandInserts {
  links: Piece[];
  scripts: Piece[];
}

function islandInserts(
  uses: readonly IslandUse[],
  manifest: AssetManifest,
  /**
   * A use's props JSON, where the uses are kept and sent again (`useJson`).
   * Without it the list is written in one go: item by item made a fresh
   * kitchen page 15% slower (its picker's props are kilobytes).
   */
  json?: (use: IslandUse) => string,
): IslandInserts | null {
  if (uses.length === 0) return null;
  let names = "";
  for (const { name } of uses) names += name + " ";
  const assets = islandAssets(names, uses, manifest);
  let props = "";
  if (json) {
    for (const use of uses) props += (props ? "," : "[") + json(use);
    props += "]";
  } else props = serializeProps(uses);
  const data = `{"chunks":${assets.chunks},"props":${props}}`;
  const scripts: Piece[] = [
    `<script type="application/json" id="__prep_islands">${data}</script>` +
    `<script type="module" nonce="`,
    NONCE,
    `" src="${escapeAttr(manifest.boot)}"></script>`,
  ];
  return { links: assets.links, scripts };
}

/** The islands' chunks (as JSON) and their preloads, for one list of island names. */
interface IslandAssets {
  chunks: string;
  links: Piece[];
}

/**
 * Per manifest, by the names of the islands a page uses in order: pages
 * use a handful of combinations, and working them out showed in the
 * profile of a signed-in page. Bounded; cleared when full.
 */
const assetMemo = new WeakMap<AssetManifest, Map<string, IslandAssets>>();
const ASSET_MEMO_ENTRIES = 256;

function islandAssets(
  names: string,
  uses: readonly IslandUse[],
  manifest: AssetManifest,
): IslandAssets {
  let memo = assetMemo.get(manifest);
  if (!memo) assetMemo.set(manifest, memo = new Map());
  const known = memo.get(names);
  if (known) return known;
  const chunks: Record<string, string> = {};
  const preload = new Set<string>([
    manifest.boot,
    ...(manifest.bootImports ?? []),
  ]);
  for (const { name } of uses) {
    if (chunks[name]) continue;
    const island = manifest.islands[name];
    if (!island) {
      throw new Error(
        `Island "${name}" is not in the asset manifest: run \`deno task build\` to rebuild assets.`,
      );
    }
    chunks[name] = island.entry;
    preload.add(island.entry);
    for (const chunk of island.imports) preload.add(chunk);
  }
  const assets = {
    chunks: serializeProps(chunks),
    links: [...preload].flatMap((href): Piece[] => [
      `<link rel="modulepreload" nonce="`,
      NONCE,
      `" href="${escapeAttr(href)}">`,
    ]),
  };
  if (memo.size >= ASSET_MEMO_ENTRIES) memo.clear();
  memo.set(names, assets);
  return assets;
}

/** The document with its islands' scripts and preloads, cut where the nonce goes. */
function finishPage(
  html: string,
  uses: readonly IslandUse[],
  manifest: AssetManifest,
): PageParts {
  const insert = islandInserts(uses, manifest);
  if (!insert) return { segments: [html] };
  // Offsets in the rendered html: the inserted scripts contain no "</head>"
  // (props escape "<"), so this is where it was found after inserting them.
  const bodyEnd = html.lastIndexOf("</body>");
  const headEnd = html.indexOf("</head>");
  const inserts: [number, Piece[]][] = [
    [bodyEnd === -1 ? html.length : bodyEnd, insert.scripts],
  ];
  // Preloads are only an optimisation, so a fragment without <head> simply goes without.
  if (headEnd !== -1) inserts.push([headEnd, insert.links]);
  inserts.sort((a, b) => a[0] - b[0]);
  const pieces: Piece[] = [];
  let at = 0;
  for (const [offset, add] of inserts) {
    pieces.push(html.slice(at, offset), ...add);
    at = offset;
  }
  pieces.push(html.slice(at));
  return { segments: cutAtNonce(pieces) };
}

function cutAtNonce(pieces: Piece[]): string[] {
  const segments: string[] = [];
  let text = "";
  for (const piece of pieces) {
    if (piece === NONCE) {
      segments.push(text);
      text = "";
    } else text += piece;
  }
  segments.push(text);
  return segments;
}
