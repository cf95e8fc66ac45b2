import assert from "node:assert/strict";
import {
  ART_SCENES,
  type ArtScene,
  describeKitchenArt,
  renderKitchenArt,
} from "../../scripts/demo/kitchen_art.ts";

const SEEDS = [0, 1, 2, 42, 2024, 0xdeadbeef];

/** Words the alt text must contain so screen readers hear the main gear. */
const MAIN_EQUIPMENT: Record<ArtScene, readonly string[]> = {
  line: ["cooking line", "range", "hood"],
  bakery: ["bakery", "deck oven", "sheet-pan rack", "mixer"],
  prep: ["prep tables", "cutting boards"],
  storage: ["walk-in cooler", "shelving"],
  dish: ["three-compartment sink", "dish machine", "dish racks"],
};

const ALLOWED_ELEMENTS = new Set([
  "svg",
  "title",
  "defs",
  "linearGradient",
  "radialGradient",
  "stop",
  "g",
  "rect",
  "circle",
  "ellipse",
  "path",
  "polygon",
  "line",
]);

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

interface Tag {
  name: string;
  attrs: Map<string, string>;
}

/**
 * A deliberately strict mini parser: it only accepts the subset of XML the
 * generator is meant to emit, so any stray quote, duplicate attribute or
 * unbalanced element fails loudly instead of silently breaking a browser.
 */
function parseSvg(svg: string): Tag[] {
  const tags: Tag[] = [];
  const stack: string[] = [];
  const token =
    /<(\/?)([a-zA-Z]+)((?:\s+[a-zA-Z][a-zA-Z0-9:-]*="[^"<>]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < svg.length) {
    const lt = svg.indexOf("<", i);
    const text = svg.slice(i, lt === -1 ? svg.length : lt);
    if (text.trim()) {
      assert.equal(stack.at(-1), "title", `stray text ${JSON.stringify(text)}`);
      assert.ok(!/&(?!(amp|lt|gt|quot|apos);)/.test(text), "unescaped &");
    }
    if (lt === -1) break;
    token.lastIndex = lt;
    const m = token.exec(svg);
    assert.ok(
      m,
      `malformed markup near ${JSON.stringify(svg.slice(lt, lt + 60))}`,
    );
    const [whole, close, name, rawAttrs, selfClose] = m;
    if (close) {
      assert.equal(stack.pop(), name, `unbalanced </${name}>`);
    } else {
      const attrs = new Map<string, string>();
      for (
        const a of rawAttrs.matchAll(/([a-zA-Z][a-zA-Z0-9:-]*)="([^"]*)"/g)
      ) {
        assert.ok(!attrs.has(a[1]), `duplicate ${a[1]} on <${name}>`);
        attrs.set(a[1], a[2]);
      }
      tags.push({ name, attrs });
      if (!selfClose) stack.push(name);
    }
    i = lt + whole.length;
  }
  assert.deepEqual(stack, [], "unclosed elements");
  return tags;
}

for (const scene of ART_SCENES) {
  Deno.test(`kitchen art ${scene}: a standalone svg document`, () => {
    for (const seed of SEEDS) {
      const svg = renderKitchenArt({ seed, scene });
      assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
      assert.ok(svg.endsWith("</svg>"));
      const tags = parseSvg(svg);
      const root = tags[0];
      assert.equal(root.name, "svg");
      assert.equal(root.attrs.get("viewBox"), "0 0 1200 800");
      assert.equal(root.attrs.get("width"), "1200");
      assert.equal(root.attrs.get("height"), "800");
      assert.equal(root.attrs.get("role"), "img");
      assert.equal(tags.filter((t) => t.name === "svg").length, 1);
    }
  });

  Deno.test(`kitchen art ${scene}: deterministic per seed`, () => {
    for (const seed of SEEDS) {
      assert.equal(
        renderKitchenArt({ seed, scene }),
        renderKitchenArt({ seed, scene }),
      );
    }
  });

  Deno.test(`kitchen art ${scene}: different seeds give different art`, () => {
    const outputs = new Set(
      SEEDS.map((seed) => renderKitchenArt({ seed, scene })),
    );
    assert.equal(outputs.size, SEEDS.length);
  });

  Deno.test(`kitchen art ${scene}: under 24 KB`, () => {
    for (let seed = 0; seed < 60; seed++) {
      const bytes = new TextEncoder().encode(renderKitchenArt({ seed, scene }));
      assert.ok(bytes.length < 24 * 1024, `seed ${seed}: ${bytes.length} B`);
    }
  });

  Deno.test(`kitchen art ${scene}: nothing active or external`, () => {
    for (const seed of SEEDS) {
      const svg = renderKitchenArt({ seed, scene });
      assert.ok(!/<script/i.test(svg), "script element");
      assert.ok(!/on[a-z]+=/i.test(svg), "event handler attribute");
      assert.ok(!/foreignObject/i.test(svg), "foreignObject");
      assert.ok(!/href=/i.test(svg), "href");
      assert.ok(!/url\((?!#)/.test(svg), "non-local url()");
      for (const tag of parseSvg(svg)) {
        assert.ok(ALLOWED_ELEMENTS.has(tag.name), `<${tag.name}> not allowed`);
      }
    }
  });

  Deno.test(`kitchen art ${scene}: gradient references resolve`, () => {
    for (const seed of SEEDS) {
      const svg = renderKitchenArt({ seed, scene });
      const ids = parseSvg(svg).flatMap((t) => t.attrs.get("id") ?? []);
      assert.equal(new Set(ids).size, ids.length, "duplicate ids");
      for (const [, ref] of svg.matchAll(/url\(#([^)]+)\)/g)) {
        assert.ok(ids.includes(ref), `dangling url(#${ref})`);
      }
    }
  });

  Deno.test(`kitchen art ${scene}: title is the alt text`, () => {
    for (const seed of SEEDS) {
      const alt = describeKitchenArt({ seed, scene });
      const svg = renderKitchenArt({ seed, scene });
      assert.ok(svg.includes(`<title id="`));
      const title = svg.match(/<title id="[^"]+">([^<]*)<\/title>/)?.[1];
      assert.equal(title, escapeXml(alt));
      assert.ok(alt.startsWith("Illustration of "), alt);
      assert.ok(alt.length <= 240, `alt text too long: ${alt}`);
      for (const word of MAIN_EQUIPMENT[scene]) {
        assert.ok(alt.includes(word), `"${alt}" lacks "${word}"`);
      }
    }
  });
}

Deno.test("kitchen art: scenes list is complete and frozen", () => {
  assert.deepEqual([...ART_SCENES], [
    "line",
    "bakery",
    "prep",
    "storage",
    "dish",
  ]);
  assert.ok(Object.isFrozen(ART_SCENES));
});

Deno.test("kitchen art: custom size keeps the drawing space", () => {
  const svg = renderKitchenArt({
    seed: 5,
    scene: "line",
    width: 600,
    height: 400,
  });
  const root = parseSvg(svg)[0];
  assert.equal(root.attrs.get("width"), "600");
  assert.equal(root.attrs.get("height"), "400");
  assert.equal(root.attrs.get("viewBox"), "0 0 1200 800");
  // Same picture, only the outer size differs.
  const full = renderKitchenArt({ seed: 5, scene: "line" });
  assert.equal(
    svg.replace(/ width="600" height="400"/, ""),
    full.replace(/ width="1200" height="800"/, ""),
  );
});

Deno.test("kitchen art: ids differ between images so inlining is safe", () => {
  const a = parseSvg(renderKitchenArt({ seed: 1, scene: "dish" }));
  const b = parseSvg(renderKitchenArt({ seed: 2, scene: "dish" }));
  const c = parseSvg(renderKitchenArt({ seed: 1, scene: "prep" }));
  const ids = (tags: Tag[]) => tags.flatMap((t) => t.attrs.get("id") ?? []);
  for (const id of ids(a)) {
    assert.ok(!ids(b).includes(id) && !ids(c).includes(id), id);
  }
});

Deno.test("kitchen art: rejects bad options", () => {
  assert.throws(
    () => renderKitchenArt({ seed: 1, scene: "lobby" as ArtScene }),
    RangeError,
  );
  assert.throws(
    () => renderKitchenArt({ seed: NaN, scene: "line" }),
    RangeError,
  );
  assert.throws(
    () => renderKitchenArt({ seed: 1, scene: "line", width: 0 }),
    RangeError,
  );
  assert.throws(
    () => describeKitchenArt({ seed: 1, scene: "dish", height: -5 }),
    RangeError,
  );
});

Deno.test("kitchen art: fifty images are not all alike", () => {
  const alts = new Set<string>();
  const palettes = new Set<string>();
  for (let seed = 0; seed < 50; seed++) {
    const scene = ART_SCENES[seed % ART_SCENES.length];
    alts.add(describeKitchenArt({ seed, scene }));
    const svg = renderKitchenArt({ seed, scene });
    // The first rect after the wall gradient is the tile field colour.
    palettes.add(svg.match(/<rect [^>]*fill="(#[0-9a-f]{6})"/)?.[1] ?? "");
  }
  assert.ok(alts.size >= 25, `only ${alts.size} distinct descriptions`);
  assert.ok(palettes.size >= 5, `only ${palettes.size} distinct palettes`);
});
