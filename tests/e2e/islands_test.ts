// Real-Chromium checks of the island pipeline: build → renderPage → boot → hydrate, under CSP.
import assert from "node:assert/strict";
import { Hono } from "hono";
import { type ComponentChildren, h } from "preact";
import type { Browser, Page } from "playwright-core";
import type { AssetManifest } from "../../lib/islands/manifest.ts";
import { renderPage } from "../../lib/islands/server.ts";
import { buildAssets } from "../../scripts/build.ts";
import Counter from "../fixtures/islands/Counter.tsx";
import Toggle from "../fixtures/islands/Toggle.tsx";
import { browserTest, startServer } from "./browser.ts";

const EVIL = "</script><script>window.pwned=1</script><!--";

const CONTENT_TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

let built: Promise<{ outDir: string; manifest: AssetManifest }> | undefined;

function buildOnce() {
  built ??= (async () => {
    const outDir = await Deno.makeTempDir({ prefix: "prep-islands-e2e-" });
    globalThis.addEventListener(
      "unload",
      () => Deno.removeSync(outDir, { recursive: true }),
    );
    const { manifest } = await buildAssets({
      islandsDir: "tests/fixtures/islands",
      outDir,
    });
    return { outDir, manifest };
  })();
  return built;
}

function Layout(
  { css, children }: { css: string; children?: ComponentChildren },
) {
  return h(
    "html",
    { lang: "en" },
    h(
      "head",
      null,
      h("title", null, "islands"),
      h("link", { rel: "stylesheet", href: css }),
    ),
    h("body", null, h("main", null, children)),
  );
}

function createApp(outDir: string, manifest: AssetManifest): Hono {
  const app = new Hono();
  app.get("/assets/:file", async (c) => {
    const file = c.req.param("file");
    const ext = file.split(".").pop() ?? "";
    if (!/^[A-Za-z0-9._-]+$/.test(file) || !CONTENT_TYPES[ext]) {
      return c.notFound();
    }
    try {
      const body = await Deno.readFile(`${outDir}/${file}`);
      return c.body(body, 200, {
        "content-type": CONTENT_TYPES[ext],
        "cache-control": "public, max-age=31536000, immutable",
      });
    } catch {
      return c.notFound();
    }
  });
  app.get("/:page", (c) => {
    const nonce = btoa(
      String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))),
    );
    const content = c.req.param("page") === "islands"
      ? [
        h(Counter, { start: 0, label: "first" }),
        h(Counter, { start: 10, label: "second" }),
        h(Toggle, {}),
        h(Counter, { start: 0, label: EVIL }),
      ]
      : [h("p", { class: "p-2" }, "no islands here")];
    const html = renderPage(h(Layout, { css: manifest.css }, ...content), {
      nonce,
      manifest,
    });
    c.header(
      "content-security-policy",
      `script-src 'nonce-${nonce}' 'strict-dynamic'; object-src 'none'; base-uri 'none'`,
    );
    return c.html(html);
  });
  return app;
}

interface Session {
  page: Page;
  baseUrl: string;
  manifest: AssetManifest;
  problems: string[];
  responses: Map<string, { status: number; type: string }>;
}

async function withSession(
  browser: Browser,
  fn: (s: Session) => Promise<void>,
): Promise<void> {
  const { outDir, manifest } = await buildOnce();
  await using server = startServer(createApp(outDir, manifest));
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    // CSP violations surface as console errors, so this also proves the page is CSP-clean.
    page.on("console", (msg) => {
      if (msg.type() === "error" || msg.type() === "warning") {
        problems.push(`${msg.type()}: ${msg.text()}`);
      }
    });
    page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
    const responses = new Map<string, { status: number; type: string }>();
    page.on("response", (res) => {
      const url = new URL(res.url());
      responses.set(url.pathname, {
        status: res.status(),
        type: res.headers()["content-type"] ?? "",
      });
    });
    await fn({ page, baseUrl: server.baseUrl, manifest, problems, responses });
  } finally {
    await context.close();
  }
}

async function openIslands(s: Session): Promise<void> {
  await s.page.goto(`${s.baseUrl}/islands`);
  await s.page.waitForFunction(() =>
    document.querySelectorAll("prep-island[data-hydrated]").length === 4
  );
}

const counter = (page: Page, i: number) =>
  page.locator("prep-island[data-island=Counter]").nth(i);

browserTest("islands: two counters hydrate independently", async (browser) => {
  await withSession(browser, async (s) => {
    await openIslands(s);
    const [first, second] = [counter(s.page, 0), counter(s.page, 1)];
    assert.equal(await first.locator("output").textContent(), "0");
    assert.equal(await second.locator("output").textContent(), "10");
    await first.getByRole("button", { name: "+" }).click();
    await first.getByRole("button", { name: "+" }).click();
    await second.getByRole("button", { name: "+" }).click();
    await s.page.waitForFunction(() =>
      document.querySelectorAll("prep-island[data-island=Counter] output")[0]
        ?.textContent === "2"
    );
    assert.equal(await first.locator("output").textContent(), "2");
    assert.equal(await second.locator("output").textContent(), "11");
    assert.equal(await first.locator(".counter-label").textContent(), "first");
    assert.deepEqual(s.problems, []);
  });
});

browserTest("islands: toggle switches on and off", async (browser) => {
  await withSession(browser, async (s) => {
    await openIslands(s);
    const toggle = s.page.locator("prep-island[data-island=Toggle] button");
    assert.equal(await toggle.textContent(), "off");
    await toggle.click();
    await s.page.waitForFunction(() =>
      document.querySelector("prep-island[data-island=Toggle] button")
        ?.textContent === "on"
    );
    assert.equal(await toggle.getAttribute("aria-pressed"), "true");
    await toggle.click();
    await s.page.waitForFunction(() =>
      document.querySelector("prep-island[data-island=Toggle] button")
        ?.textContent === "off"
    );
    assert.deepEqual(s.problems, []);
  });
});

browserTest(
  "islands: script-like props render as inert text",
  async (browser) => {
    await withSession(browser, async (s) => {
      await openIslands(s);
      const evil = counter(s.page, 2);
      assert.equal(await evil.locator(".counter-label").textContent(), EVIL);
      await evil.getByRole("button", { name: "+" }).click();
      await s.page.waitForFunction(() =>
        document.querySelectorAll("prep-island[data-island=Counter] output")[2]
          ?.textContent === "1"
      );
      assert.equal(await evil.locator(".counter-label").textContent(), EVIL);
      assert.equal(await s.page.evaluate(() => "pwned" in globalThis), false);
      // Only the JSON data block and the boot module: the prop did not create script elements.
      assert.equal(await s.page.locator("script").count(), 2);
      assert.deepEqual(s.problems, []);
    });
  },
);

browserTest(
  "islands: boot module and chunks load as modules under CSP",
  async (browser) => {
    await withSession(browser, async (s) => {
      await openIslands(s);
      const { manifest } = s;
      const boot = s.page.locator(
        `script[type=module][src="${manifest.boot}"]`,
      );
      assert.equal(await boot.count(), 1);
      assert.ok(
        (await boot.getAttribute("nonce")) === "",
        "nonce is hidden from the DOM",
      );
      const expected = new Set([
        manifest.boot,
        ...(manifest.bootImports ?? []),
        ...Object.values(manifest.islands).flatMap((
          i,
        ) => [i.entry, ...i.imports]),
      ]);
      for (const path of expected) {
        const res = s.responses.get(path);
        assert.ok(res, `${path} was requested`);
        assert.equal(res.status, 200, path);
        assert.match(res.type, /^text\/javascript/, path);
      }
      const preloads = await s.page.locator("link[rel=modulepreload]")
        .evaluateAll((links) =>
          links.map((l) => new URL((l as HTMLLinkElement).href).pathname)
        );
      assert.deepEqual(new Set(preloads), expected);
      assert.equal(s.responses.get(manifest.css)?.status, 200);
      const display = await s.page.locator("prep-island").first().evaluate((
        el,
      ) => getComputedStyle(el).display);
      assert.equal(display, "contents");
      assert.deepEqual(s.problems, []);
    });
  },
);

browserTest(
  "islands: a page without islands has no scripts",
  async (browser) => {
    await withSession(browser, async (s) => {
      await s.page.goto(`${s.baseUrl}/static`);
      assert.equal(await s.page.locator("p").textContent(), "no islands here");
      assert.equal(await s.page.locator("script").count(), 0);
      assert.equal(await s.page.locator("link[rel=modulepreload]").count(), 0);
      assert.ok(![...s.responses.keys()].some((p) => p.endsWith(".js")));
      assert.deepEqual(s.problems, []);
    });
  },
);
