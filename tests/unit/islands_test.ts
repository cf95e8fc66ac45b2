// Plain .ts (file name fixed by the test layout), so vnodes are built with h() instead of JSX.
import assert from "node:assert/strict";
import { type ComponentChildren, type FunctionComponent, h } from "preact";
import { defineIsland } from "../../lib/islands/define.ts";
import type { AssetManifest } from "../../lib/islands/manifest.ts";
import {
  asciiHtml,
  renderPage,
  serializeProps,
} from "../../lib/islands/server.ts";

const manifest: AssetManifest = {
  inputsHash: "test",
  css: "/assets/styles-00000000.css",
  boot: "/assets/boot-11111111.js",
  bootImports: ["/assets/chunk-CORE.js"],
  islands: {
    Greeter: {
      entry: "/assets/island-Greeter-22222222.js",
      imports: ["/assets/chunk-CORE.js", "/assets/chunk-HOOKS.js"],
    },
    Outer: {
      entry: "/assets/island-Outer-33333333.js",
      imports: ["/assets/chunk-CORE.js"],
    },
    Fn: { entry: "/assets/island-Fn-44444444.js", imports: [] },
  },
};

const Greeter = defineIsland(
  "Greeter",
  function Greeter({ name }: { name: string }) {
    return h("p", { class: "greeting" }, "Hello ", name);
  },
);

const Outer = defineIsland("Outer", function Outer({ who }: { who: string }) {
  return h("section", null, h(Greeter, { name: who }));
});

const Fn = defineIsland("Fn", function Fn(_: { onPick: () => void }) {
  return h("button", { type: "button" }, "pick");
});

function Layout({ children }: { children?: ComponentChildren }) {
  return h(
    "html",
    { lang: "en" },
    h("head", null, h("title", null, "t")),
    h("body", null, children),
  );
}

function page(...children: ComponentChildren[]) {
  return h(Layout, null, ...children);
}

function islandData(
  html: string,
): { chunks: Record<string, string>; props: unknown[] } {
  const m = html.match(
    /<script type="application\/json" id="__prep_islands">(.*?)<\/script>/,
  );
  assert.ok(m, "islands JSON script present");
  return JSON.parse(m[1]);
}

Deno.test("islands: serializeProps escapes HTML-significant characters and round-trips", () => {
  const value = {
    label: "</script><script>alert(1)</script><!-- & more",
    seps: "a\u2028b\u2029c",
    nested: [{ x: "<b>" }],
  };
  const json = serializeProps(value);
  for (const bad of ["<", ">", "&", "\u2028", "\u2029"]) {
    assert.ok(
      !json.includes(bad),
      `raw ${JSON.stringify(bad)} must be escaped`,
    );
  }
  assert.ok(json.includes("\\u003c/script\\u003e"));
  assert.ok(json.includes("\\u003c!--"));
  assert.ok(json.includes("\\u0026"));
  assert.ok(json.includes("\\u2028") && json.includes("\\u2029"));
  assert.deepEqual(JSON.parse(json), value);
});

Deno.test("islands: a page without islands ships no script", () => {
  const html = renderPage(page(h("p", null, "static")), {
    nonce: "n0",
    manifest,
  });
  assert.ok(html.startsWith("<!DOCTYPE html><html"));
  assert.ok(!html.includes("<script"), html);
  assert.ok(!html.includes("modulepreload"), html);
  assert.ok(!html.includes("prep-island"), html);
});

Deno.test("islands: one island gets a boundary, props JSON, preloads and a nonced boot", () => {
  // The island vnode exists before renderPage runs, as when a route builds its tree first.
  const html = renderPage(page(h(Greeter, { name: "Ada & <Bob>" })), {
    nonce: "abc123",
    manifest,
  });
  assert.match(
    html,
    /<prep-island data-island="Greeter" data-i="0"><p class="greeting">/,
  );
  assert.deepEqual(islandData(html), {
    chunks: { Greeter: "/assets/island-Greeter-22222222.js" },
    props: [{ name: "Greeter", props: { name: "Ada & <Bob>" } }],
  });
  assert.ok(
    html.includes(
      '<script type="module" nonce="abc123" src="/assets/boot-11111111.js"></script></body>',
    ),
    html,
  );
  const head = html.slice(0, html.indexOf("</head>"));
  const preloads = [
    ...head.matchAll(
      /<link rel="modulepreload" nonce="abc123" href="([^"]+)">/g,
    ),
  ]
    .map((m) => m[1]);
  assert.deepEqual(preloads, [
    "/assets/boot-11111111.js",
    "/assets/chunk-CORE.js",
    "/assets/island-Greeter-22222222.js",
    "/assets/chunk-HOOKS.js",
  ]);
  assert.equal(html.match(/<script/g)?.length, 2);
});

Deno.test("islands: asciiHtml writes a page's characters past U+007F as references; island props stay as they were", () => {
  const text = "Mon\u2013Fri \u2192 caf\u00e9 \u{1f355}";
  const rendered = renderPage(
    page(
      h("p", { title: text }, text),
      h(Greeter, { name: text }),
    ),
    { nonce: "n1", manifest },
  );
  // The props' JSON is ASCII already, so the page's one raw-text element needs nothing.
  assert.doesNotMatch(
    /id="__prep_islands">(.*?)<\/script>/.exec(rendered)![1],
    /[\u0080-\uffff]/,
  );
  const html = asciiHtml(rendered);
  assert.doesNotMatch(html, /[\u0080-\uffff]/, "nothing past U+007F");
  // A dash, an arrow, é and an emoji (one reference, not two halves).
  const written = "Mon&#8211;Fri &#8594; caf&#233; &#127829;";
  assert.ok(html.includes(`<p title="${written}">${written}</p>`), html);
  assert.ok(html.includes(`<p class="greeting">Hello ${written}</p>`), html);
  assert.deepEqual(islandData(html).props, [
    { name: "Greeter", props: { name: text } },
  ]);
  assert.equal(asciiHtml(html), html, "an ASCII page is left as it is");
  // HTML reads &#128;-&#159; as Windows-1252 (&#133; is an ellipsis): C1 stays raw.
  assert.equal(asciiHtml("<p>a\u0085b\u00a0c</p>"), "<p>a\u0085b&#160;c</p>");
});

Deno.test("islands: a nested island is not wrapped again", () => {
  const html = renderPage(page(h(Outer, { who: "Grace" })), {
    nonce: "n",
    manifest,
  });
  assert.equal(html.match(/<prep-island/g)?.length, 1, html);
  assert.match(
    html,
    /<prep-island data-island="Outer" data-i="0"><section><p class="greeting">/,
  );
  assert.deepEqual(islandData(html).props, [{
    name: "Outer",
    props: { who: "Grace" },
  }]);
  assert.deepEqual(Object.keys(islandData(html).chunks), ["Outer"]);
});

Deno.test("islands: repeated islands get increasing indexes", () => {
  const html = renderPage(
    page(h(Greeter, { name: "a" }), h(Greeter, { name: "b" })),
    {
      nonce: "n",
      manifest,
    },
  );
  assert.match(
    html,
    /data-island="Greeter" data-i="0"><p class="greeting">Hello a/,
  );
  assert.match(
    html,
    /data-island="Greeter" data-i="1"><p class="greeting">Hello b/,
  );
});

Deno.test("islands: a function prop throws a clear error", () => {
  assert.throws(
    () =>
      renderPage(page(h(Fn, { onPick: () => {} })), { nonce: "n", manifest }),
    /Island "Fn": prop "onPick" is a function/,
  );
});

Deno.test("islands: a vnode prop (children) throws a clear error", () => {
  const WithChildren = Greeter as unknown as FunctionComponent<
    { name: string }
  >;
  assert.throws(
    () =>
      renderPage(page(h(WithChildren, { name: "x" }, h("b", null, "child"))), {
        nonce: "n",
        manifest,
      }),
    /Island "Greeter": prop "children" is a vnode/,
  );
});

Deno.test("islands: an island missing from the manifest points at deno task build", () => {
  const Unknown = defineIsland("Unknown", () => h("i", null, "?"));
  assert.throws(
    () => renderPage(page(h(Unknown, {})), { nonce: "n", manifest }),
    /"Unknown" is not in the asset manifest.*deno task build/,
  );
});
