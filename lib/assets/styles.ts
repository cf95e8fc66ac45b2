// Build-time stylesheet generation: Tailwind classes found in the sources, compiled by twind.
import { defineConfig, stringify, twind, virtual } from "@twind/core";
import presetTailwind from "@twind/preset-tailwind";
import { listSourceFiles } from "../islands/manifest.ts";

export const DEFAULT_STYLE_DIRS = ["components", "islands", "routes", "lib"];

/** Hand-written rules that are not utilities; kept here so no inline style attribute is needed. */
export const BASE_CSS = [
  // Island boundaries must not affect layout (flex/grid children stay direct children).
  "prep-island{display:contents}",
  ":focus-visible{outline:3px solid #047857;outline-offset:2px}",
  // A date field's calendar button is a stop of its own inside the field,
  // and Chromium then matches neither :focus-visible nor :focus on it.
  "input[type=date]:focus-within{outline:3px solid #047857;outline-offset:2px}",
  // Text people typed (reviews, messages, descriptions, reasons) keeps its
  // line breaks and wraps anywhere: one pasted link or 270-letter word made
  // a kitchen page, a booking and the staff queue scroll 2,000 px sideways.
  ".typed-text{white-space:pre-line;overflow-wrap:anywhere}",
  // Elsewhere (titles, names) a word longer than its line breaks rather
  // than run out of its box.
  "body{overflow-wrap:break-word}",
  ".skip-link{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}",
  ".skip-link:focus{position:static;width:auto;height:auto;overflow:visible}",
  // The picker's start-time chips (islands/AvailabilityPicker.tsx): a kitchen
  // page renders a few dozen per request, so they carry one class and their
  // state is styled by aria-pressed, not by utility lists on each.
  ".chip{display:block;width:100%;border:1px solid #a7f3d0;border-radius:.5rem;background:#ecfdf5;padding:.25rem .5rem;text-align:left;font-size:.875rem;line-height:1.25rem}",
  ".chip:hover{background:#d1fae5}",
  ".chip[aria-pressed=true]{border-color:#065f46;background:#065f46;color:#fff}",
  ".chip b{display:block;font-weight:600}",
  ".chip small{display:block;font-size:.75rem;line-height:1rem;color:#44403c}",
  ".chip[aria-pressed=true] small{color:#fff}",
  // The kitchen page's phone booking bar hides while the booking column it
  // leads to is on screen or above (components/KitchenPage.tsx); without
  // scroll-driven animations it simply stays. It slides away rather than
  // fading: half faded, its button would read below AA contrast.
  "@supports (animation-timeline:view()){.book-scope{timeline-scope:--book}.book-target{view-timeline-name:--book}.book-bar{animation:book-bar-away linear both;animation-timeline:--book;animation-range:entry 0% entry 25%}}",
  "@keyframes book-bar-away{to{visibility:hidden;transform:translateY(100%)}}",
  // The search filters fold into a <details> on phones only (components/SearchPage.tsx).
  // A browser that cannot style the fold's content keeps the summary, so the
  // filters are never out of reach.
  "@media (min-width:768px){@supports selector(::details-content){details.filters>summary{display:none}details.filters::details-content{content-visibility:visible;display:block}}}",
  // Map markers (lib/place/map_client.ts) draw their label off the point
  // they mark, so the focus ring goes round the label, not the point.
  ".leaflet-marker-icon:focus-visible{outline:none}",
  ".leaflet-marker-icon:focus-visible>span{outline:3px solid #047857;outline-offset:2px}",
].join("\n");

// Quoted strings and template-literal text; deliberately loose, since twind drops non-classes.
const STRING_LITERAL =
  /"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\]|\\.)*)`/g;
const CLASS_TOKEN =
  /^!?-?[a-z][a-z0-9]*(?:[-:/.][a-z0-9[\]#%.()_,'/-]*|\[[^\s\]]+\])*$/i;

/** Tokens in `source` that could be utility classes. */
export function extractClassCandidates(source: string): Set<string> {
  const out = new Set<string>();
  for (const m of source.matchAll(STRING_LITERAL)) {
    // `${...}` parts of template literals are code, not class text; the
    // strings in that code (`${error ? "border-red-600" : ""}`) are.
    const text = (m[1] ?? m[2] ?? m[3] ?? "").replace(
      /\$\{([^}]*)\}/g,
      (_, code: string) => {
        for (const token of extractClassCandidates(code)) out.add(token);
        return " ";
      },
    );
    for (const token of text.split(/\s+/)) {
      if (token.length > 0 && token.length <= 80 && CLASS_TOKEN.test(token)) {
        out.add(token);
      }
    }
  }
  return out;
}

export async function generateStylesheet(
  dirs: string[] = DEFAULT_STYLE_DIRS,
): Promise<string> {
  const tokens = new Set<string>();
  for (const dir of dirs) {
    for (const file of await listSourceFiles(dir)) {
      for (
        const token of extractClassCandidates(await Deno.readTextFile(file))
      ) tokens.add(token);
    }
  }
  const tw = twind(
    defineConfig({ presets: [presetTailwind()], hash: false }),
    virtual(true),
  );
  // Sorted so the same sources always produce byte-identical CSS (stable content hash).
  for (const token of [...tokens].sort()) {
    try {
      tw(token);
    } catch {
      // A prose word that happens to look like a class is not worth failing the build for.
    }
  }
  // twind marks each rule with a /*!…*/ comment for runtime rehydration; useless in a file.
  const css = stringify(tw.target).replace(/\/\*!.*?\*\//g, "");
  return css + "\n" + BASE_CSS + "\n";
}
