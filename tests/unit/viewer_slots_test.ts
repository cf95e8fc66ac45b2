// Viewer slots (lib/islands/slots.ts): a render kept cut at the parts that
// depend on who is looking, and filled in for someone else. Plain .ts, so
// vnodes are built with h().
import assert from "node:assert/strict";
import {
  type ComponentChild,
  type ComponentChildren,
  type FunctionComponent,
  h,
} from "preact";
import { defineIsland } from "../../lib/islands/define.ts";
import type { AssetManifest } from "../../lib/islands/manifest.ts";
import {
  joinPageParts,
  keptSlotBytes,
  renderFor,
  renderPageParts,
} from "../../lib/islands/server.ts";
import { ViewerSlot, type ViewerSlotProps } from "../../lib/islands/slots.ts";

const manifest: AssetManifest = {
  inputsHash: "test",
  css: "/a.css",
  boot: "/boot.js",
  bootImports: [],
  islands: {
    Badge: { entry: "/badge.js", imports: [] },
    Box: { entry: "/box.js", imports: [] },
  },
};

type Who = { name: string } | null;

function slotOf<P extends object>(
  component: FunctionComponent<P & { viewer: Who }>,
  props: P,
) {
  const Slot = ViewerSlot as FunctionComponent<ViewerSlotProps<Who, P>>;
  return h(Slot, { component, props });
}

const Badge = defineIsland("Badge", function Badge({ n }: { n: number }) {
  return h("b", null, String(n));
});

/** Greets the viewer; a signed-in one gets an island too. */
function Greeting(
  { to, viewer }: { to: string; viewer: Who },
): ComponentChild {
  return viewer
    ? h("span", null, `${to}, ${viewer.name}`, h(Badge, { n: 3 }))
    : h("a", { href: "/login" }, `${to}, visitor`);
}

const slot = (to: string) => slotOf(Greeting, { to });

const Box = defineIsland("Box", function Box({ n }: { n: number }) {
  return h("div", null, String(n), slot("Inside"));
});

function Layout({ children }: { children?: ComponentChildren }) {
  return h(
    "html",
    null,
    h("head", null, h("title", null, "T")),
    h("body", null, children),
  );
}

/** The page for `viewer`, rendered as a route renders one (routes/context.tsx). */
function render(
  viewer: Who,
  body: ComponentChildren[],
  share = false,
) {
  return renderPageParts(h(Layout, null, ...body), { manifest, share, viewer });
}

Deno.test("viewer slots: a visitor's render, filled in, is the viewer's own render", () => {
  const body = () => [
    slot("Hi"),
    h("p", null, "<b>escaped</b> & text"),
    slot("Bye"),
  ];
  const visitor = render(null, body(), true);
  assert.ok(visitor.shared);
  const shown = joinPageParts(visitor, "N");
  assert.doesNotMatch(shown, /prep-slot-/);
  assert.match(shown, /Hi, visitor.*Bye, visitor/);
  const ada = { name: "Ada" };
  const filled = joinPageParts(renderFor(visitor.shared, ada, manifest), "N");
  const full = render(ada, body());
  assert.equal(filled, joinPageParts(full, "N"));
  assert.match(filled, /Hi, Ada.*Bye, Ada/);
  // The visitors' render is untouched by filling it in.
  assert.equal(joinPageParts(visitor, "N"), shown);
});

Deno.test("viewer slots: the slots' islands are numbered after the page's own", () => {
  const visitor = render(null, [h(Badge, { n: 1 }), slot("Hi")], true);
  const html = joinPageParts(
    renderFor(visitor.shared!, { name: "Ada" }, manifest),
    "N",
  );
  const data = JSON.parse(
    /id="__prep_islands">(.*?)<\/script>/.exec(html)![1],
  ) as { props: { name: string; props: { n: number } }[] };
  const order = [...html.matchAll(/data-i="(\d+)"/g)].map((m) => Number(m[1]));
  assert.deepEqual(order, [0, 1]);
  assert.deepEqual(data.props.map((p) => p.props.n), [1, 3]);
  assert.equal((html.match(/<script type="module"/g) ?? []).length, 1);
});

Deno.test("viewer slots: a slot in an island, or an island in a visitor's slot, leaves the page unshared and unmarked", () => {
  const inIsland = render(null, [slot("Hi"), h(Box, { n: 1 })], true);
  assert.equal(inIsland.shared, null);
  assert.doesNotMatch(joinPageParts(inIsland, "N"), /<!--/);
  function WithIsland(): ComponentChild {
    return h(Badge, { n: 2 });
  }
  const islandIn = render(null, [slot("Hi"), slotOf(WithIsland, {})], true);
  assert.equal(islandIn.shared, null);
  assert.doesNotMatch(joinPageParts(islandIn, "N"), /<!--/);
  // Not asked to share: no marks, no layout.
  const plain = render(null, [slot("Hi")]);
  assert.equal(plain.shared, null);
  assert.doesNotMatch(joinPageParts(plain, "N"), /<!--/);
});

Deno.test("viewer slots: text that looks like a mark is escaped, never cut", () => {
  const tricky = "<!--prep-slot-x:0--> </head></body>";
  const visitor = render(
    null,
    [h("p", { title: tricky }, tricky), slot("Hi")],
    true,
  );
  assert.ok(visitor.shared);
  assert.equal(visitor.shared.slots.length, 1);
  const html = joinPageParts(
    renderFor(visitor.shared, { name: "Ada" }, manifest),
    "N",
  );
  assert.match(html, /&lt;!--prep-slot-x:0-->/);
  assert.ok(html.indexOf("modulepreload") < html.indexOf("&lt;!--prep"));
  assert.ok(html.lastIndexOf("<script") > html.indexOf("Hi, Ada"));
});

/** Greeting, its renders kept per viewer name (SlotComponent.viewerKey). */
function KeptGreeting(props: { to: string; viewer: Who }): ComponentChild {
  kept.renders++;
  return Greeting(props);
}
const kept = { renders: 0 };
KeptGreeting.viewerKey = (_: { to: string }, viewer: Who) =>
  viewer ? `user ${viewer.name}` : "";

Deno.test("viewer slots: a keyed slot is rendered once per key and numbered where it lands", () => {
  const body = () => [
    h(Badge, { n: 1 }),
    slotOf(KeptGreeting, { to: "Hi" }),
    slotOf(KeptGreeting, { to: "Bye" }),
  ];
  const visitor = render(null, body(), true);
  assert.ok(visitor.shared);
  kept.renders = 0;
  for (const who of ["Ada", "Bob", "Ada", "Bob", "Ada"]) {
    const viewer = { name: who };
    const filled = joinPageParts(
      renderFor(visitor.shared, viewer, manifest),
      "N",
    );
    // The same page as rendered for them in full, islands numbered 0, 1, 2.
    assert.equal(filled, joinPageParts(render(viewer, body()), "N"));
    assert.match(filled, new RegExp(`Hi, ${who}.*Bye, ${who}`));
    const order = [...filled.matchAll(/data-i="(\d+)"/g)].map((m) => m[1]);
    assert.deepEqual(order, ["0", "1", "2"]);
  }
  // The full renders above render the slot too: two a page, five pages;
  // the filled-in copies only twice per viewer.
  assert.equal(kept.renders, 2 * 5 + 2 * 2);
});

Deno.test("viewer slots: kept slot texts stay within their budget over many pages and users", () => {
  const { budget } = keptSlotBytes();
  const long = "x".repeat(64 * 1024);
  let most = 0;
  // Each page's slot is 64 KB; 40 pages and 3 users is three budgets' worth.
  for (let p = 0; p < 40; p++) {
    const body = [slotOf(KeptGreeting, { to: `${long}${p}` })];
    const visitor = render(null, body, true);
    assert.ok(visitor.shared);
    for (const who of ["Ada", "Bob", "Cy"]) {
      const viewer = { name: who };
      const filled = joinPageParts(
        renderFor(visitor.shared, viewer, manifest),
        "N",
      );
      assert.ok(filled.includes(`${p}, ${who}`));
      most = Math.max(most, keptSlotBytes().bytes);
    }
  }
  assert.ok(most <= budget, `${most} bytes kept, budget ${budget}`);
  assert.ok(most > budget / 2, "the texts were kept at all");
});

Deno.test("viewer slots: two keyed slots over one props object keep their own texts", () => {
  const shared = { to: "Hi" };
  function Shout({ to, viewer }: { to: string; viewer: Who }): ComponentChild {
    return h("strong", null, `${to.toUpperCase()}, ${viewer?.name ?? "?"}`);
  }
  Shout.viewerKey = KeptGreeting.viewerKey;
  const body = () => [slotOf(KeptGreeting, shared), slotOf(Shout, shared)];
  const visitor = render(null, body(), true);
  assert.ok(visitor.shared);
  for (let i = 0; i < 2; i++) {
    const viewer = { name: "Ada" };
    const filled = joinPageParts(
      renderFor(visitor.shared, viewer, manifest),
      "N",
    );
    assert.equal(filled, joinPageParts(render(viewer, body()), "N"));
    assert.match(filled, /Hi, Ada.*HI, Ada/);
  }
});
