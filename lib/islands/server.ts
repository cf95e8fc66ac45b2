// Server-only: turns registered island components into hydration boundaries during renderPage.
import {
  type ComponentChild,
  createContext,
  type FunctionComponent,
  h,
  isValidElement,
  options,
  type VNode,
} from "preact";
import { useContext } from "preact/hooks";
import { renderToString } from "preact-render-to-string";
import { islandNameOf } from "./define.ts";
import type { AssetManifest } from "./manifest.ts";

interface IslandUse {
  name: string;
  props: Record<string, unknown>;
}

interface Collector {
  uses: IslandUse[];
}

interface BoundaryProps {
  name: string;
  component: FunctionComponent<Record<string, unknown>>;
  props: Record<string, unknown>;
}

// renderToString is synchronous, so one module-level collector per render is safe.
let collector: Collector | null = null;
// Set while the boundary creates the real island vnode, so the hook below leaves it alone.
let bypass = false;

const InsideIsland = createContext(false);

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
): ComponentChild {
  const inside = useContext(InsideIsland);
  // Nested islands hydrate as part of their parent; plain renderToString gets no boundary.
  if (inside || !collector) return createUnwrapped(component, props);
  assertJsonSafe(props, name);
  const index = collector.uses.push({ name, props }) - 1;
  return h(
    InsideIsland.Provider,
    { value: true },
    h(
      "prep-island",
      { "data-island": name, "data-i": String(index) },
      createUnwrapped(component, props),
    ),
  );
}

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

/** Island props travel as JSON, so anything JSON cannot round-trip is a render-time error. */
function assertJsonSafe(value: unknown, island: string, path = ""): void {
  const fail = (what: string) => {
    throw new Error(
      `Island "${island}": ${
        describe(path)
      } is ${what}; island props must be JSON-serializable ` +
        `(no functions, JSX/children, class instances or non-finite numbers).`,
    );
  };
  if (
    value === null || typeof value === "string" || typeof value === "boolean"
  ) return;
  if (value === undefined) return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) fail(String(value));
    return;
  }
  if (typeof value === "function") return fail("a function");
  if (typeof value !== "object") return fail(`a ${typeof value}`);
  if (isValidElement(value)) return fail("a vnode");
  if (Array.isArray(value)) {
    value.forEach((v, i) =>
      assertJsonSafe(v, island, path ? `${path}[${i}]` : `[${i}]`)
    );
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    return fail(`an instance of ${proto?.constructor?.name ?? "a class"}`);
  }
  for (const [key, v] of Object.entries(value)) {
    assertJsonSafe(v, island, path ? `${path}.${key}` : key);
  }
}

const JSON_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** JSON that is inert inside a <script> element (no `</script>`, `<!--`, or JS line breaks). */
export function serializeProps(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => JSON_ESCAPES[c],
  );
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(
    /</g,
    "&lt;",
  ).replace(
    />/g,
    "&gt;",
  );
}

function insertAt(html: string, at: number, text: string): string {
  return html.slice(0, at) + text + html.slice(at);
}

export interface RenderPageOptions {
  /** Per-response CSP nonce; put the same value in `script-src 'nonce-…'`. */
  nonce: string;
  manifest: AssetManifest;
}

/**
 * Renders a full document. Pages without islands ship no JavaScript at all; otherwise the boot
 * module, the used islands' chunks and their props are added.
 */
export function renderPage<P>(
  vnode: VNode<P>,
  opts: RenderPageOptions,
): string {
  const previous = collector;
  const current: Collector = { uses: [] };
  collector = current;
  let html: string;
  try {
    html = renderToString(vnode as unknown as VNode);
  } finally {
    collector = previous;
  }
  html = "<!DOCTYPE html>" + html;
  if (current.uses.length === 0) return html;

  const { manifest } = opts;
  const nonce = escapeAttr(opts.nonce);
  const chunks: Record<string, string> = {};
  const preload = new Set<string>([
    manifest.boot,
    ...(manifest.bootImports ?? []),
  ]);
  for (const { name } of current.uses) {
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

  const links = [...preload]
    .map((href) =>
      `<link rel="modulepreload" nonce="${nonce}" href="${escapeAttr(href)}">`
    )
    .join("");
  const data = serializeProps({ chunks, props: current.uses });
  const scripts =
    `<script type="application/json" id="__prep_islands">${data}</script>` +
    `<script type="module" nonce="${nonce}" src="${
      escapeAttr(manifest.boot)
    }"></script>`;
  const bodyEnd = html.lastIndexOf("</body>");
  html = bodyEnd === -1 ? html + scripts : insertAt(html, bodyEnd, scripts);
  // Preloads are only an optimisation, so a fragment without <head> simply goes without.
  const headEnd = html.indexOf("</head>");
  return headEnd === -1 ? html : insertAt(html, headEnd, links);
}
