/**
 * Shared pages (lib/islands/slots.ts, routes/page_cache.ts): a signed-in
 * user's copy of `/`, a city page or a search is the visitors' cached render
 * with its viewer slots (the header's links, the banner, each heart)
 * rendered for them. It must be the page a full render would have given
 * them: compared here with an app over the same KV whose cache is off, for
 * viewers that differ in every way a slot shows.
 */
import assert from "node:assert/strict";
import { createServices } from "../../lib/app.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import { loadManifest } from "../../lib/islands/manifest.ts";
import { addNotification } from "../../lib/notifications/repo.ts";
import { PAGE_TTL_MS } from "../../lib/page_cache/store.ts";
import { createApp } from "../../routes/app.tsx";
import { post, signUp, signUpConfirmed, staff } from "../account_helpers.ts";
import { addKitchens, kitchenFixture, testApp } from "../helpers.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");

/** The page with what differs between two renders of it for one viewer taken out. */
function comparable(html: string) {
  const json =
    /<script type="application\/json" id="__prep_islands">(.*?)<\/script>/
      .exec(html);
  const data = json
    ? JSON.parse(json[1]) as {
      chunks: Record<string, string>;
      props: { name: string; props: unknown }[];
    }
    : null;
  // Islands are numbered in the order they were rendered: compare each
  // island's props where it stands instead.
  const islands = [...html.matchAll(/data-island="([^"]+)" data-i="(\d+)"/g)]
    .map(([, name, i]) => ({ name, props: data?.props[Number(i)] }));
  const preloads = [...html.matchAll(/<link rel="modulepreload"[^>]*>/g)]
    .map(([link]) => link.replace(/nonce="[^"]*"/, "")).sort();
  const text = html
    .replace(/<link rel="modulepreload"[^>]*>/g, "")
    .replace(json?.[0] ?? "\u0000", "")
    .replaceAll(/nonce="[^"]*"/g, 'nonce=""')
    .replaceAll(/data-i="\d+"/g, "")
    // Kept pages are ASCII (lib/islands/server.ts asciiHtml): "·" is "&#183;".
    .replaceAll(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)));
  return { text, islands, preloads, chunks: data?.chunks ?? null };
}

/** A response's headers but the debug X-Cache, the CSP's nonce taken out. */
function headersOf(res: Response) {
  return [...res.headers]
    .filter(([name]) => name !== "x-cache")
    .map(([name, value]) => [name, value.replace(/'nonce-[^']+'/, "")]);
}

async function setUp() {
  const t = await testApp(NOW);
  const host = await signUpConfirmed(t, "dana@example.com", "host");
  await setDemoPayoutReady(t.kv, host.user.id, t.clock());
  const kitchens = await addKitchens(t.kv, host.user.id, [
    kitchenFixture({ title: "Saved Sauce Kitchen" }),
    kitchenFixture({ title: "Other Kitchen <b>&amp;" }),
  ]);
  // The same KV, no page cache: every page rendered in full for its viewer.
  const config = { ...t.config, PAGE_CACHE_MB: 0 };
  const full = createApp({
    services: createServices(config, t.kv, t.clock),
    manifest: await loadManifest(),
  });
  return { t, kitchens, full, host };
}

Deno.test("shared pages: a signed-in user's copy of a cached page is the page a full render gives them", async () => {
  const { t, kitchens, full, host } = await setUp();
  const renter = await signUpConfirmed(t, "ada@example.com", "rent", {
    wallet: true,
  });
  const saved = await post(t, `/saved/${kitchens[0].id}`, { back: "/" }, {
    cookie: renter.cookie,
  });
  assert.equal(saved.status, 303);
  const atomic = t.kv.atomic();
  addNotification(atomic, renter.user.id, {
    title: "Hello",
    body: "Unread",
    href: "/account",
  }, t.clock());
  assert.ok((await atomic.commit()).ok);
  const viewers: [string, string][] = [
    ["a renter with a saved kitchen and a notification", renter.cookie],
    ["an unconfirmed renter (the banner)", await signUp(t, "bo@example.com")],
    ["a host", (await signUpConfirmed(t, "hana@example.com", "host")).cookie],
    ["an admin", await staff(t, "root@example.com", "admin")],
    ["the kitchens' host", host.cookie],
  ];
  const paths = [
    "/",
    "/cities/chicago",
    "/search?city=chicago",
    "/search?city=chicago&date=2026-12-03&start=10:00&end=12:00",
    // The map is an island of the page's own: the slots' islands come after it.
    "/search?city=chicago&view=map",
    `/kitchens/${kitchens[0].id}`,
    `/kitchens/${kitchens[1].id}?date=2026-12-03&start=10:00&end=12:00`,
  ];
  for (const path of paths) {
    const visitor = await t.request(path);
    assert.equal(visitor.status, 200, path);
    await visitor.body?.cancel();
    // The first signed-in request is rendered in full (the visitors' copy
    // was kept before anyone signed in asked for it); from then on shared.
    const first = await t.request(path, { headers: { Cookie: viewers[3][1] } });
    assert.equal(first.headers.get("x-cache"), null, path);
    await first.body?.cancel();
    for (const [who, cookie] of viewers) {
      const mine = await t.request(path, { headers: { Cookie: cookie } });
      assert.equal(mine.headers.get("x-cache"), "shared", `${path}, ${who}`);
      assert.equal(mine.headers.get("cache-control"), "private, no-store");
      // One nonce, the CSP's, on every script and preload.
      const csp = /'nonce-([^']+)'/.exec(
        mine.headers.get("content-security-policy") ?? "",
      )![1];
      const html = await mine.clone().text();
      const nonces = [...html.matchAll(/nonce="([^"]*)"/g)].map((m) => m[1]);
      assert.ok(nonces.length > 0 && nonces.every((n) => n === csp), path);
      const theirs = await full.request(path, { headers: { Cookie: cookie } });
      assert.equal(theirs.headers.get("x-cache"), null);
      // The same headers as the chain gives a full render (routes/whole.ts).
      assert.deepEqual(headersOf(mine), headersOf(theirs), `${path}, ${who}`);
      assert.deepEqual(
        comparable(await mine.text()),
        comparable(await theirs.text()),
        `${path}, ${who}`,
      );
    }
  }
  // A slot's kept text follows the viewer: unsaved, and the notification read.
  const unsaved = await post(
    t,
    `/saved/${kitchens[0].id}/remove`,
    { back: "/" },
    { cookie: renter.cookie },
  );
  assert.equal(unsaved.status, 303);
  const before = await (await t.request("/", {
    headers: { Cookie: renter.cookie },
  })).text();
  assert.match(before, /unread<\/span>/);
  const read = await post(t, "/account/notifications/read", {}, {
    cookie: renter.cookie,
  });
  assert.equal(read.status, 303);
  for (const path of ["/", "/search?city=chicago"]) {
    const mine = await t.request(path, { headers: { Cookie: renter.cookie } });
    assert.equal(mine.headers.get("x-cache"), "shared", path);
    const theirs = await full.request(path, {
      headers: { Cookie: renter.cookie },
    });
    const html = await mine.text();
    assert.doesNotMatch(html, /unread<\/span>|aria-pressed="true"/, path);
    assert.deepEqual(comparable(html), comparable(await theirs.text()), path);
  }
  await post(t, `/saved/${kitchens[0].id}`, { back: "/" }, {
    cookie: renter.cookie,
  });
  // What the slots showed, so the comparison above compared something.
  const search = await (await t.request("/search?city=chicago", {
    headers: { Cookie: renter.cookie },
  })).text();
  assert.match(search, /aria-pressed="true"[^]*?Saved: Saved Sauce Kitchen/);
  assert.match(search, /aria-pressed="false"[^]*?Save Other Kitchen/);
  assert.match(search, /data-island="SaveHeart"/);
  assert.match(search, /data-island="MessagesLink"/);
  assert.match(search, /Ada Lovelace/);
  const kitchen = await (await t.request(`/kitchens/${kitchens[0].id}`, {
    headers: { Cookie: renter.cookie },
  })).text();
  assert.match(kitchen, /Your documents for this city/);
  assert.match(kitchen, /id="ask-heading"/);
  assert.match(kitchen, /aria-pressed="true"/);
  const own = await (await t.request(`/kitchens/${kitchens[0].id}`, {
    headers: { Cookie: host.cookie },
  })).text();
  assert.doesNotMatch(own, /id="ask-heading"/);
  const banner = await (await t.request("/", {
    headers: { Cookie: viewers[1][1] },
  })).text();
  assert.match(banner, /Confirm your email address \(bo@example\.com\)/);
  // Visitors still get the page without anyone's parts in it.
  const anon = await (await t.request("/search?city=chicago")).text();
  assert.doesNotMatch(anon, /Ada Lovelace|bo@example|data-island/);
  assert.match(anon, /href="\/login"/);
  t.close();
});

Deno.test("shared pages: a save shows on the user's next copy, and nobody else's", async () => {
  const { t, kitchens } = await setUp();
  const ada = await signUpConfirmed(t, "ada@example.com");
  const bo = await signUpConfirmed(t, "bo@example.com");
  const path = "/search?city=chicago";
  await (await t.request(path)).body?.cancel();
  await (await t.request(path, { headers: { Cookie: bo.cookie } })).body
    ?.cancel();
  const pressed = async (cookie: string) => {
    const res = await t.request(path, { headers: { Cookie: cookie } });
    assert.equal(res.headers.get("x-cache"), "shared");
    return [...(await res.text()).matchAll(/aria-pressed="(true|false)"/g)]
      .map((m) => m[1]);
  };
  assert.deepEqual(await pressed(ada.cookie), ["false", "false"]);
  const saved = await post(t, `/saved/${kitchens[1].id}`, { back: path }, {
    cookie: ada.cookie,
  });
  assert.equal(saved.status, 303);
  const after = await pressed(ada.cookie);
  assert.deepEqual(after.toSorted(), ["false", "true"]);
  assert.deepEqual(await pressed(bo.cookie), ["false", "false"]);
  t.close();
});

Deno.test("shared pages: signed-in traffic alone keeps a shared page; pages the cache does not keep are rendered in full", async () => {
  const { t, kitchens } = await setUp();
  const ada = await signUpConfirmed(t, "ada@example.com");
  const get = async (path: string, cookie?: string) => {
    const res = await t.request(path, {
      headers: cookie ? { Cookie: cookie } : {},
    });
    assert.equal(res.status, 200, path);
    await res.body?.cancel();
    return res.headers.get("x-cache");
  };
  // Rendered in full, where the route says the page is shared; from then
  // on rendered as a visitor would get it, kept, and filled in.
  assert.equal(await get("/cities/chicago", ada.cookie), null);
  assert.equal(await get("/cities/chicago", ada.cookie), "shared");
  assert.equal(await get("/cities/chicago"), "hit");
  // Stale, with no visitor to render it again.
  t.advance(PAGE_TTL_MS + 1);
  assert.equal(await get("/cities/chicago", ada.cookie), "shared");
  assert.equal(await get("/cities/chicago"), "hit");
  const kitchen = `/kitchens/${kitchens[0].id}`;
  assert.equal(await get(kitchen, ada.cookie), null);
  assert.equal(await get(kitchen, ada.cookie), "shared");
  // A page the cache does not keep is never rendered for visitors on a user's behalf.
  assert.equal(await get("/help", ada.cookie), null);
  assert.equal(await get("/help", ada.cookie), null);
  assert.equal(await get("/help"), null);
  t.close();
});
