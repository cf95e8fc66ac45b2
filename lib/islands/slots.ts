// Server-only: the parts of a page that depend on who is looking, cut out
// so that one render can serve everyone (routes/page_cache.ts). A page is
// rendered once for a visitor with each such part marked; a signed-in
// viewer's copy is that text with only the marked parts rendered again.
import { type ComponentChild, type FunctionComponent, h } from "preact";
import { jsxTemplate } from "preact/jsx-runtime";
import {
  activeCollector,
  type IslandUse,
  Scope,
  type ScopeValue,
  type SlotUse,
} from "./collector.ts";

// Where a slot's content begins and ends in the rendered text. Comments hold
// nothing escaped text can write ("<" is always escaped), and the token is
// this process's own, so no kitchen title or stored text can carry a marker.
const TOKEN = `prep-slot-${crypto.randomUUID()}`;
const CLOSE = `<!--${TOKEN}-->`;
const MARKER = new RegExp(`<!--${TOKEN}(?::(\\d+))?-->`, "g");

/**
 * A slot's component. With `viewerKey`, what it renders for a viewer is
 * kept with the shared page and reused for every viewer with the same key
 * (`renderFor`), so the key must hold everything of the viewer the part
 * shows: two viewers with one key get the same text.
 */
export type SlotComponent<V, P> = FunctionComponent<P & { viewer: V }> & {
  viewerKey?: (props: P, viewer: V) => string;
};

export interface ViewerSlotProps<V, P> {
  /** Renders the part for `viewer`: the same function for every viewer. */
  component: SlotComponent<V, P>;
  /** What the part shows apart from the viewer: kept with a shared page, so plain data. */
  props: P;
}

/**
 * A part of the page that depends on the viewer (the header's links, a
 * heart). Rendered in place for the viewer in context; in a render to be
 * shared, also marked so `cutSlots` can find it. A slot inside an island,
 * or an island inside a slot, cannot be filled in later: the render is
 * then not shared at all.
 */
export function ViewerSlot<V, P extends object>(
  { component, props }: ViewerSlotProps<V, P>,
  scope?: ScopeValue,
): ComponentChild {
  const collector = activeCollector();
  // Who the page is for: the collector's, or nobody outside a page render.
  const viewer = (collector?.viewer ?? null) as V;
  const content = h(component, { ...props, viewer });
  if (!collector?.slots || scope === "slot") return content;
  if (scope === "island") {
    collector.unshareable = true;
    return content;
  }
  const index = collector.slots.push({
    component,
    props: props as Record<string, unknown>,
  }) - 1;
  return [
    jsxTemplate([`<!--${TOKEN}:${index}-->`]),
    h(Scope.Provider, { value: "slot" }, content),
    jsxTemplate([CLOSE]),
  ];
}

ViewerSlot.contextType = Scope;

/**
 * A page rendered once, to be filled in per viewer: the text between its
 * slots (the first begins with the doctype), the slots, and the islands
 * the shared text holds.
 */
export interface SharedLayout {
  readonly texts: readonly string[];
  readonly slots: readonly SlotUse[];
  readonly uses: readonly IslandUse[];
  /** About what the slots' and islands' props take in memory (the texts are counted as text). */
  readonly propBytes: number;
}

/**
 * About what `slots` and `uses` take in memory: their JSON, two bytes a
 * character, and the uses' props once more as the JSON each copy sends
 * (kept as text by lib/islands/server.ts, a byte a character).
 */
export function propBytes(
  slots: readonly SlotUse[],
  uses: readonly IslandUse[],
): number {
  const usesJson = JSON.stringify(uses).length;
  let chars = usesJson;
  for (const { props } of slots) chars += JSON.stringify(props).length + 32;
  return 2 * chars + usesJson;
}

/**
 * `html` without its markers (the visitor's page), and the text between
 * slots; `texts` is null if the markers are not in the order they were
 * written (a slot's content that somehow held one), so nothing is shared.
 */
export function cutSlots(
  html: string,
  slots: readonly SlotUse[],
): { html: string; texts: string[] | null } {
  const texts: string[] = [];
  let visitor = "";
  let at = 0;
  let open = -1;
  let expected = 0;
  let ordered = true;
  for (const m of html.matchAll(MARKER)) {
    const piece = html.slice(at, m.index);
    visitor += piece;
    at = m.index + m[0].length;
    if (m[1] !== undefined) {
      if (open !== -1 || Number(m[1]) !== expected) ordered = false;
      texts.push(piece);
      open = expected++;
    } else {
      if (open === -1) ordered = false;
      open = -1;
    }
  }
  const rest = html.slice(at);
  visitor += rest;
  texts.push(rest);
  const whole = ordered && open === -1 && expected === slots.length;
  return { html: visitor, texts: whole ? texts : null };
}
