// Plain .ts (file name fixed by the test layout), so vnodes are built with h() instead of JSX.
import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { Hono } from "hono";
import { h } from "preact";
import { listDocumentsFor, reviewDocument } from "../../lib/compliance/repo.ts";
import { suspendKitchen } from "../../lib/compliance/suspensions.ts";
import { loadConfig } from "../../lib/config.ts";
import { keys } from "../../lib/db/keys.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import { newId } from "../../lib/ids.ts";
import { loadManifest } from "../../lib/islands/manifest.ts";
import { updateKitchen } from "../../lib/kitchens/repo.ts";
import { PAGE_TTL_MS } from "../../lib/page_cache/store.ts";
import { createApp } from "../../routes/app.tsx";
import { type AppEnv, page } from "../../routes/context.tsx";
import {
  createPageCache,
  PUBLIC_CACHE_CONTROL,
} from "../../routes/page_cache.ts";
import { securityMiddleware, securityPolicy } from "../../routes/security.ts";
import { post, signUpConfirmed } from "../account_helpers.ts";
import { givePermits, TEST_ADMIN } from "../compliance_helpers.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";
import { createServices } from "../../lib/app.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");

async function fetchPage(
  t: {
    request: (path: string, init?: RequestInit) => Response | Promise<Response>;
  },
  path: string,
  headers: Record<string, string> = {},
): Promise<{ res: Response; html: string }> {
  const res = await t.request(path, { headers });
  return { res, html: await decoded(res) };
}

/** The body as a browser would read it, whatever the Content-Encoding. */
async function decoded(res: Response): Promise<string> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const coding = res.headers.get("content-encoding");
  if (coding === "br") {
    return new TextDecoder().decode(brotliDecompressSync(bytes));
  }
  if (coding === "gzip") {
    const viaStream = await new Response(
      new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")),
    ).text();
    assert.equal(new TextDecoder().decode(gunzipSync(bytes)), viaStream);
    return viaStream;
  }
  assert.equal(coding, null);
  return new TextDecoder().decode(bytes);
}

const xCache = (res: Response) => res.headers.get("x-cache");

function cspNonce(res: Response): string {
  const m = /'nonce-([^']+)'/.exec(
    res.headers.get("content-security-policy") ?? "",
  );
  assert.ok(m, "a CSP nonce");
  return m[1];
}

/** The page with this response's nonce, if it has one, written as "N". */
function unNonced({ res, html }: { res: Response; html: string }): string {
  const m = /'nonce-([^']+)'/.exec(
    res.headers.get("content-security-policy") ?? "",
  );
  return m ? html.replaceAll(m[1], "N") : html;
}

function nonceAttributes(html: string): string[] {
  return [...html.matchAll(/\snonce="([^"]*)"/g)].map((m) => m[1]);
}

/** The start times the kitchen page's picker offers, as "HH:MM". */
function startTimes(html: string): string[] {
  const m =
    /<script type="application\/json" id="__prep_islands">(.*?)<\/script>/
      .exec(html);
  assert.ok(m, "the picker's props");
  const data = JSON.parse(m[1]) as {
    props: {
      name: string;
      props: { initial: { slots: { time: string }[] } };
    }[];
  };
  const picker = data.props.find((p) => p.name === "AvailabilityPicker");
  assert.ok(picker);
  return picker.props.initial.slots.map((s) => s.time);
}

async function withKitchen(title = "Cached Test Kitchen") {
  const t = await testApp(NOW);
  const host = await addHost(t.kv, "Dana Ortiz");
  await setDemoPayoutReady(t.kv, host.id, t.clock());
  const [k] = await addKitchens(t.kv, host.id, [kitchenFixture({ title })]);
  return { t, k };
}

Deno.test("page cache: anonymous public pages come from the cache, keyed by the URL as the route reads it", async () => {
  const { t, k } = await withKitchen();
  const cases: [string, string, string][] = [
    ["/", "/?utm_source=mail", "the home page reads no query"],
    [
      "/search?city=chicago",
      "/search?sort=price&equipment=&city=Chicago&unknown=1",
      "defaults, empty fields and unknown fields drop; a city name is its slug",
    ],
    [
      "/search?city=chicago&date=2026-12-03&equipment=stand_mixer",
      "/search?equipment=stand_mixer&date=2026-12-03&city=chicago",
      "order does not matter",
    ],
    [`/kitchens/${k.id}`, `/kitchens/${k.id}?date=`, "an empty date is none"],
    [
      `/kitchens/${k.id}?date=2026-12-03`,
      `/kitchens/${k.id}?x=1&date=2026-12-03`,
      "only the date counts",
    ],
    [
      `/kitchens/${k.id}?date=2026-12-03&start=10:00&end=14:00`,
      `/kitchens/${k.id}?end=14:00&hours=&start=10:00&date=2026-12-03&x=1`,
      "the hours a search brought count; their order and empty fields do not",
    ],
    [
      "/cities/chicago",
      "/cities/chicago?page=2",
      "the city page reads no query",
    ],
  ];
  for (const [first, same, why] of cases) {
    const a = await fetchPage(t, first);
    assert.equal(a.res.status, 200, first);
    assert.equal(xCache(a.res), "miss", first);
    assert.equal(a.res.headers.get("cache-control"), PUBLIC_CACHE_CONTROL);
    assert.match(a.res.headers.get("vary") ?? "", /Cookie/);
    assert.match(a.res.headers.get("vary") ?? "", /Accept-Encoding/);
    const b = await fetchPage(t, same);
    assert.equal(xCache(b.res), "hit", `${same}: ${why}`);
    assert.equal(unNonced(b), unNonced(a), same);
  }
  // Different answers are different pages.
  for (
    const other of [
      "/search?city=chicago&sort=newest",
      "/search?city=portland",
      `/kitchens/${k.id}?date=2026-12-04`,
      // The picker opens on other hours: another page.
      `/kitchens/${k.id}?date=2026-12-03&start=11:00&end=14:00`,
      `/kitchens/${k.id}?date=2026-12-03&start=10:00&end=15:00`,
      `/kitchens/${k.id}?date=2026-12-03&start=10:00&hours=4`,
      `/kitchens/${k.id}?date=2026-12-03&hours=4`,
    ]
  ) {
    const { res } = await fetchPage(t, other);
    assert.equal(xCache(res), "miss", other);
  }
  t.close();
});

Deno.test("page cache: only the allow-listed public routes are cached", async () => {
  const { t, k } = await withKitchen();
  for (
    const path of [
      "/certifiers",
      "/dev/mailbox",
      "/login",
      "/search/",
      `/kitchens/${k.id}/`,
      `/api/kitchens/${k.id}/availability?date=2026-12-03`,
      "/static/favicon.svg",
    ]
  ) {
    for (let i = 0; i < 2; i++) {
      const res = await t.request(path);
      await res.body?.cancel();
      assert.equal(xCache(res), null, path);
      assert.notEqual(
        res.headers.get("cache-control"),
        PUBLIC_CACHE_CONTROL,
        path,
      );
    }
  }
  t.close();
});

Deno.test("page cache: a signed-in user gets the visitors' page filled in for them, and never poisons it", async () => {
  const { t } = await withKitchen();
  const { cookie } = await signUpConfirmed(t, "ada@example.com");
  // Signed in first: rendered for them, nothing stored for the visitor after.
  for (const path of ["/", "/search?city=chicago"]) {
    const mine = await fetchPage(t, path, { Cookie: cookie });
    assert.equal(mine.res.status, 200);
    assert.match(mine.html, /Ada Lovelace/);
    assert.equal(xCache(mine.res), null);
    assert.equal(mine.res.headers.get("cache-control"), "private, no-store");
    const anon = await fetchPage(t, path);
    assert.equal(xCache(anon.res), "miss", path);
    assert.doesNotMatch(anon.html, /Ada Lovelace/);
  }
  // Cached for visitors: the signed-in user gets that render with their own
  // header (lib/islands/slots.ts), private to them.
  assert.equal(xCache((await fetchPage(t, "/")).res), "hit");
  const mine = await fetchPage(t, "/", { Cookie: cookie });
  assert.equal(xCache(mine.res), "shared");
  assert.equal(mine.res.headers.get("cache-control"), "private, no-store");
  assert.match(mine.html, /Ada Lovelace/);
  assert.match(mine.html, /action="\/logout"/);
  assert.doesNotMatch(mine.html, /href="\/login"/);
  assert.doesNotMatch((await fetchPage(t, "/")).html, /Ada Lovelace/);
  // So is a kitchen page: the heart, "Ask the host" and the renter's documents are theirs.
  const kitchen = /href="(\/kitchens\/[^"?]+)/.exec(mine.html)![1];
  assert.equal(xCache((await fetchPage(t, kitchen)).res), "miss");
  assert.equal(xCache((await fetchPage(t, kitchen)).res), "hit");
  // Kept before anyone signed in asked for it: rendered in full once, then
  // rendered again as a visitor would get it, cut at its slots, and filled in.
  const full = await fetchPage(t, kitchen, { Cookie: cookie });
  assert.equal(xCache(full.res), null);
  assert.match(full.html, /Your documents for this city/);
  const theirs = await fetchPage(t, kitchen, { Cookie: cookie });
  assert.equal(xCache(theirs.res), "shared");
  assert.match(theirs.html, /Your documents for this city/);
  assert.doesNotMatch(
    (await fetchPage(t, kitchen)).html,
    /Ada Lovelace|Your documents for this city/,
  );
  // A stale session cookie is not a visitor either: its answer clears it.
  const stale = await fetchPage(t, "/", { Cookie: "prep_session=expired" });
  assert.equal(xCache(stale.res), null);
  assert.match(stale.res.headers.get("set-cookie") ?? "", /prep_session=;/);
  // The trusted-device cookie changes no page, so it keeps the visitor anonymous.
  const device = await fetchPage(t, "/", { Cookie: "prep_device=abc" });
  assert.equal(xCache(device.res), "hit");
  t.close();
});

Deno.test("page cache: a hold changes the kitchen page's free hours on the next request", async () => {
  const { t, k } = await withKitchen();
  const path = `/kitchens/${k.id}?date=2026-12-03`;
  const before = await fetchPage(t, path);
  assert.ok(startTimes(before.html).includes("10:00"));
  assert.equal(xCache((await fetchPage(t, path)).res), "hit");
  const { cookie } = await signUpConfirmed(t, "rosa@example.com", "rent", {
    wallet: true,
  });
  const held = await post(t, "/bookings", {
    kitchen: k.id,
    date: "2026-12-03",
    start: "10:00",
    end: "13:00",
    acceptRules: "yes",
  }, { cookie });
  assert.equal(held.status, 303, await held.clone().text());
  await held.body?.cancel();
  const after = await fetchPage(t, path);
  assert.equal(xCache(after.res), "miss");
  const times = startTimes(after.html);
  for (const taken of ["09:00", "10:00", "11:00", "12:00"]) {
    assert.ok(!times.includes(taken), `${taken} is taken`);
  }
  assert.ok(times.includes("08:00") && times.includes("13:00"));
  t.close();
});

Deno.test("page cache: an edited title, a renamed host, a publish and a suspension show at once", async () => {
  const t = await testApp(NOW);
  const host = await signUpConfirmed(t, "hana@example.com", "host");
  await setDemoPayoutReady(t.kv, host.user.id, t.clock());
  const [k] = await addKitchens(t.kv, host.user.id, [
    kitchenFixture({ title: "Before The Edit" }),
  ]);
  const kitchenPath = `/kitchens/${k.id}`;
  const warm = async (path: string) => {
    await fetchPage(t, path);
    const again = await fetchPage(t, path);
    assert.equal(xCache(again.res), "hit", path);
    return again.html;
  };

  assert.match(await warm(kitchenPath), /Before The Edit/);
  assert.match(await warm("/search?city=chicago"), /Before The Edit/);
  await updateKitchen(t.kv, k.id, (x) => ({ ...x, title: "After The Edit" }));
  for (const path of [kitchenPath, "/search?city=chicago", "/"]) {
    const { res, html } = await fetchPage(t, path);
    assert.equal(xCache(res), "miss", path);
    assert.match(html, /After The Edit/, path);
    assert.doesNotMatch(html, /Before The Edit/, path);
  }

  assert.match(await warm(kitchenPath), /Hosted by Ada Lovelace/);
  const renamed = await post(t, "/account/profile", {
    name: "Hana Sato",
    phone: "",
    businessName: "",
  }, { cookie: host.cookie });
  assert.equal(renamed.status, 303);
  assert.match((await fetchPage(t, kitchenPath)).html, /Hosted by Hana Sato/);

  // A draft published by its host is in search on the next request.
  const draft = await post(t, "/host/kitchens/new", {}, {
    cookie: host.cookie,
  });
  const id = draft.headers.get("location")!.split("/")[3];
  const entry = await t.kv.get<{ values: unknown }>(keys.kitchenDraft(id));
  await t.kv.set(keys.kitchenDraft(id), {
    ...entry.value,
    values: kitchenFixture({
      title: "Freshly Published Kitchen",
      photos: [1, 2, 3].map((n) => ({ id: newId(), alt: `Photo ${n}` })),
    }),
  });
  await givePermits(t.kv, {
    id,
    hostId: host.user.id,
    address: { city: "chicago" },
  }, t.clock());
  assert.doesNotMatch(
    await warm("/search?city=chicago"),
    /Freshly Published Kitchen/,
  );
  assert.doesNotMatch(await warm("/"), /Freshly Published Kitchen/);
  const published = await post(t, `/host/kitchens/${id}/publish`, {}, {
    cookie: host.cookie,
  });
  assert.equal(published.status, 303, await published.clone().text());
  for (const path of ["/search?city=chicago", "/"]) {
    const { res, html } = await fetchPage(t, path);
    assert.equal(xCache(res), "miss", path);
    assert.match(html, /Freshly Published Kitchen/, path);
  }

  // A suspension takes the kitchen page away, and the 404 is never kept.
  await warm(kitchenPath);
  await suspendKitchen(t.kv, k.id, TEST_ADMIN, "Complaint", t.clock());
  for (let i = 0; i < 2; i++) {
    const gone = await fetchPage(t, kitchenPath);
    assert.equal(gone.res.status, 404);
    assert.equal(xCache(gone.res), "miss");
    assert.notEqual(
      gone.res.headers.get("cache-control"),
      PUBLIC_CACHE_CONTROL,
    );
  }
  t.close();
});

Deno.test("page cache: a staff permit decision shows on the kitchen page at once", async () => {
  const { t, k } = await withKitchen();
  const path = `/kitchens/${k.id}?date=2026-12-03`;
  const warm = async () => {
    await fetchPage(t, path);
    const again = await fetchPage(t, path);
    assert.equal(xCache(again.res), "hit");
    return again.html;
  };
  assert.ok(startTimes(await warm()).includes("10:00"));
  const permit = (await listDocumentsFor(t.kv, { kind: "kitchen", id: k.id }))
    .find((d) => d.kind === "health_permit")!;
  const mail = {
    from: "Prep <a@example.com>",
    baseUrl: "http://localhost",
    wake: false,
  };
  const decide = (action: "request_renewal" | "verify") =>
    reviewDocument(t.kv, permit.id, action, TEST_ADMIN, {
      reason: "This year's permit, please",
      mail,
    }, t.clock());

  await decide("request_renewal");
  const renewing = await fetchPage(t, path);
  assert.equal(xCache(renewing.res), "miss");
  assert.match(renewing.html, /renewing a permit; it is not taking bookings/);
  assert.doesNotMatch(renewing.html, /AvailabilityPicker/);

  await warm();
  await decide("verify");
  const back = await fetchPage(t, path);
  assert.equal(xCache(back.res), "miss");
  assert.doesNotMatch(back.html, /renewing a permit/);
  assert.ok(startTimes(back.html).includes("10:00"));
  t.close();
});

Deno.test("page cache: pages expire after the TTL on the app's clock", async () => {
  const { t } = await withKitchen();
  await fetchPage(t, "/");
  t.advance(PAGE_TTL_MS - 1);
  assert.equal(xCache((await fetchPage(t, "/")).res), "hit");
  t.advance(1);
  assert.equal(xCache((await fetchPage(t, "/")).res), "miss");
  t.close();
});

Deno.test("page cache: a page found missing or stale by many at once is rendered once, and a write still shows", async () => {
  const { t, k } = await withKitchen();
  const paths = ["/", "/search?city=chicago", `/kitchens/${k.id}`];
  const asked = () =>
    Promise.all(
      paths.flatMap((path) =>
        Array.from({ length: 12 }, () => fetchPage(t, path))
      ),
    );
  // Missing, then gone stale: one render per page, the rest wait for it.
  for (const advance of [0, PAGE_TTL_MS]) {
    t.advance(advance);
    const pages = await asked();
    for (const [i, path] of paths.entries()) {
      const mine = pages.slice(i * 12, (i + 1) * 12);
      assert.ok(mine.every(({ res }) => res.status === 200), path);
      assert.deepEqual(
        mine.map(({ res }) => xCache(res)).sort(),
        [...Array(11).fill("hit"), "miss"],
        path,
      );
      assert.equal(new Set(mine.map(unNonced)).size, 1, path);
    }
  }
  // A write on this instance while the page renders again: whoever asks
  // after it gets the page with it, not the render that began before it.
  t.advance(PAGE_TTL_MS);
  const renamed = "Renamed While Rendering Kitchen";
  const [first, ...rest] = await Promise.all([
    fetchPage(t, "/"),
    updateKitchen(t.kv, k.id, (draft) => ({ ...draft, title: renamed }))
      .then(() => fetchPage(t, "/")),
    fetchPage(t, "/"),
  ]);
  assert.equal(xCache(first.res), "miss");
  assert.match(rest[0].html, new RegExp(renamed));
  t.close();
});

Deno.test("page cache: no two responses share a nonce, and each carries only its own", async () => {
  const { t, k } = await withKitchen();
  const seen = new Set<string>();
  const encodings = ["", "gzip", "br, gzip", "gzip;q=0, br;q=0", "gzip", ""];
  for (const encoding of encodings) {
    const { res, html } = await fetchPage(
      t,
      `/kitchens/${k.id}`,
      encoding ? { "Accept-Encoding": encoding } : {},
    );
    const nonce = cspNonce(res);
    assert.ok(!seen.has(nonce), "a fresh nonce");
    seen.add(nonce);
    const attrs = nonceAttributes(html);
    assert.ok(attrs.length >= 2, "preloads and the boot script");
    assert.deepEqual(new Set(attrs), new Set([nonce]));
    assert.equal(html.split(nonce).length - 1, attrs.length);
    // Pages with a nonce go out as gzip at most: brotli is stored once, for pages without.
    assert.equal(
      res.headers.get("content-encoding"),
      encoding.includes("gzip") && !encoding.includes("q=0") ? "gzip" : null,
      encoding,
    );
  }
  assert.equal(seen.size, encodings.length);
  t.close();
});

Deno.test("page cache: text that looks like a placeholder or a nonce never becomes this response's nonce", async () => {
  const { t, k } = await withKitchen();
  const path = `/kitchens/${k.id}`;
  const earlier = cspNonce((await fetchPage(t, path)).res);
  const bait = [
    earlier,
    "{{nonce}}",
    "__NONCE__",
    "%NONCE%",
    "$nonce",
    "nonce-placeholder",
    "\u0000nonce\u0000",
    `nonce="${earlier}"`,
  ].join(" | ");
  await updateKitchen(t.kv, k.id, (x) => ({
    ...x,
    title: `Bait ${bait}`,
    description: `Bait ${bait}`,
  }));
  const nonces: string[] = [];
  let shown: string | null = null;
  for (const encoding of ["", "gzip", ""]) {
    const { res, html } = await fetchPage(
      t,
      path,
      encoding ? { "Accept-Encoding": encoding } : {},
    );
    assert.equal(res.status, 200);
    const nonce = cspNonce(res);
    nonces.push(nonce);
    // The bait text comes out as it went in (escaped once), in every copy.
    const text = /<h1[^>]*>(.*?)<\/h1>/s.exec(html)?.[1] ?? "";
    assert.match(text, /^Bait /);
    shown ??= text;
    assert.equal(text, shown);
    assert.ok(!text.includes(nonce));
    assert.equal(html.split(nonce).length - 1, nonceAttributes(html).length);
    assert.deepEqual(new Set(nonceAttributes(html)), new Set([nonce]));
  }
  assert.equal(xCache((await fetchPage(t, path)).res), "hit");
  assert.equal(new Set([earlier, ...nonces]).size, 4);
  t.close();
});

Deno.test("page cache: bodies are stored once and served as brotli, gzip or identity", async () => {
  const { t, k } = await withKitchen();
  const plain = await fetchPage(t, "/");
  const br = await fetchPage(t, "/", {
    "Accept-Encoding": "gzip, deflate, br",
  });
  assert.equal(br.res.headers.get("content-encoding"), "br");
  assert.equal(br.html, plain.html);
  const gz = await fetchPage(t, "/", { "Accept-Encoding": "gzip" });
  assert.equal(gz.res.headers.get("content-encoding"), "gzip");
  assert.equal(gz.html, plain.html);
  const any = await fetchPage(t, "/", { "Accept-Encoding": "*" });
  assert.equal(any.res.headers.get("content-encoding"), "br");
  const none = await fetchPage(t, "/", {
    "Accept-Encoding": "br;q=0, gzip;q=0",
  });
  assert.equal(none.res.headers.get("content-encoding"), null);
  assert.equal(none.html, plain.html);

  const kitchen = await fetchPage(t, `/kitchens/${k.id}`);
  const zipped = await fetchPage(t, `/kitchens/${k.id}`, {
    "Accept-Encoding": "br, gzip",
  });
  assert.equal(zipped.res.headers.get("content-encoding"), "gzip");
  assert.equal(
    zipped.html.replaceAll(cspNonce(zipped.res), "N"),
    kitchen.html.replaceAll(cspNonce(kitchen.res), "N"),
  );
  t.close();
});

Deno.test("page cache: HEAD answers headers only; If-None-Match gets a 304 until the page changes", async () => {
  const { t, k } = await withKitchen();
  const head = await t.request("/", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), "");
  assert.equal(head.headers.get("cache-control"), PUBLIC_CACHE_CONTROL);
  const etag = head.headers.get("etag")!;
  assert.match(etag, /^W\/"[^"]+-\d+"$/);
  assert.equal(xCache(head), "miss");

  const cached = await t.request("/", { method: "HEAD" });
  assert.equal(xCache(cached), "hit");
  assert.equal(await cached.text(), "");
  assert.equal(cached.headers.get("etag"), etag);

  for (const sent of [etag, etag.slice(2), `"other", ${etag}`, "*"]) {
    const res = await t.request("/", { headers: { "If-None-Match": sent } });
    assert.equal(res.status, 304, sent);
    assert.equal(await res.text(), "");
    assert.equal(res.headers.get("etag"), etag);
    assert.equal(res.headers.get("cache-control"), PUBLIC_CACHE_CONTROL);
  }
  const other = await t.request("/", {
    headers: { "If-None-Match": 'W/"something-else"' },
  });
  assert.equal(other.status, 200);
  await other.body?.cancel();

  await updateKitchen(t.kv, k.id, (x) => ({ ...x, title: "Renamed" }));
  const changed = await t.request("/", { headers: { "If-None-Match": etag } });
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.get("etag"), etag);
  assert.match(await changed.text(), /Renamed/);

  // A page carrying a nonce has no validator: a 304 would pair the browser's
  // copy (old nonce) with this response's CSP header (new nonce).
  const kitchenHead = await t.request(`/kitchens/${k.id}`, { method: "HEAD" });
  assert.equal(kitchenHead.status, 200);
  assert.equal(await kitchenHead.text(), "");
  assert.equal(kitchenHead.headers.get("etag"), null);
  const star = await t.request(`/kitchens/${k.id}`, {
    headers: { "If-None-Match": "*" },
  });
  assert.equal(star.status, 200);
  assert.equal(xCache(star), "hit");
  await star.body?.cancel();
  t.close();
});

Deno.test("page cache: a page that failed to render is never cached, nor served in its place", async () => {
  const { t, k } = await withKitchen();
  const path = `/kitchens/${k.id}`;
  await t.kv.set(keys.kitchen(k.id), { ...k, timeZone: "Not/A_Zone" });
  const original = console.error;
  console.error = () => {};
  try {
    for (let i = 0; i < 2; i++) {
      const { res, html } = await fetchPage(t, path);
      assert.equal(res.status, 500);
      assert.equal(xCache(res), "miss");
      assert.notEqual(res.headers.get("cache-control"), PUBLIC_CACHE_CONTROL);
      assert.match(html, /Something went wrong on our side/);
    }
  } finally {
    console.error = original;
  }
  t.close();
});

/** A failure the mini app's error handler answers with a 200 page. */
class DegradedError extends Error {}

/** A bare app with the cache and a few routes on allow-listed paths. */
async function miniApp() {
  const kv = await Deno.openKv(":memory:");
  const config = loadConfig({ APP_ENV: "test", DENO_KV_PATH: ":memory:" });
  const manifest = await loadManifest();
  const now = () => NOW;
  const app = new Hono<AppEnv>();
  let renders = 0;
  const security = securityPolicy(false);
  const cache = createPageCache({
    kv,
    maxBytes: 1 << 20,
    now,
    debug: true,
    security,
    viewer: () => Promise.resolve(null),
    visit: () => Promise.reject(new Error("no visits here")),
  });
  app.use(securityMiddleware(security));
  app.use(async (c, next) => {
    c.set("services", createServices(config, kv, now));
    c.set("manifest", manifest);
    c.set("user", null);
    await next();
  });
  app.use(cache.middleware);
  const body = () => h("p", null, `render ${++renders}`);
  app.get("/", (c) => page(c, { title: "Fine \u2013 kept" }, body()));
  app.get("/search", (c) => {
    const res = page(c, { title: "No store" }, body());
    res.headers.set("Cache-Control", "no-store");
    return res;
  });
  // The first render of /cities/slow waits until the test lets it go.
  let release = () => {};
  const stuck = new Promise<void>((go) => release = go);
  let slow = 0;
  app.get("/cities/:city", async (c) => {
    const city = c.req.param("city");
    if (city === "slow") {
      if (slow++ === 0) await stuck;
      return page(c, { title: "Slow" }, body());
    }
    if (city === "json") return c.json({ render: ++renders });
    if (city === "busy") return page(c, { title: "Busy" }, body(), 503);
    if (city === "degraded") throw new DegradedError("fell back");
    c.header("Set-Cookie", "flash=saved; Path=/");
    return page(c, { title: "Sets a cookie" }, body());
  });
  app.get("/kitchens/:id", (c) => {
    page(c, { title: "Half done" }, body());
    throw new Error("failed after rendering");
  });
  app.onError((err, c) =>
    err instanceof DegradedError
      ? page(c, { title: "Degraded" }, body())
      : page(c, { title: "Error" }, h("p", null, `failed ${++renders}`), 500)
  );
  return { app, cache, security, release, close: () => kv.close() };
}

Deno.test("page cache: a render that hangs keeps others waiting at most a second", async () => {
  const { app, release, close } = await miniApp();
  const first = app.request("/cities/slow");
  const started = performance.now();
  const second = await app.request("/cities/slow");
  const waited = performance.now() - started;
  assert.equal(second.status, 200);
  assert.equal(xCache(second), "miss");
  await second.body?.cancel();
  assert.ok(waited >= 900 && waited < 5_000, `waited ${waited} ms`);
  release();
  assert.equal((await first).status, 200);
  close();
});

Deno.test("page cache: no-store, Set-Cookie, error, failed and non-page responses are never cached", async () => {
  const { app, close } = await miniApp();
  /** Two requests: both must be fresh renders. */
  const twice = async (path: string, status = 200) => {
    const texts: string[] = [];
    const out: Response[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await app.request(path);
      assert.equal(res.status, status, path);
      assert.equal(xCache(res), "miss", path);
      assert.notEqual(
        res.headers.get("cache-control"),
        PUBLIC_CACHE_CONTROL,
        path,
      );
      out.push(res);
      texts.push(await res.clone().text());
    }
    assert.notEqual(texts[0], texts[1], `${path} rendered twice`);
    return out;
  };
  const a = await app.request("/");
  assert.equal(xCache(a), "miss");
  const b = await app.request("/");
  assert.equal(xCache(b), "hit", "the mini app caches a plain page");
  assert.equal(
    unNonced({ res: b, html: await b.text() }),
    unNonced({ res: a, html: await a.text() }),
  );

  const noStore = await twice("/search");
  assert.equal(noStore[1].headers.get("cache-control"), "no-store");
  const cookie = await twice("/cities/chicago");
  assert.match(cookie[1].headers.get("set-cookie") ?? "", /flash=saved/);
  await twice("/cities/json");
  await twice("/cities/busy", 503);
  await twice("/cities/degraded");
  const failed = await twice(`/kitchens/${newId()}`, 500);
  assert.match(await failed[1].text(), /failed/);
  close();
});

Deno.test("page cache: two apps in one process never share pages", async () => {
  const kv = await Deno.openKv(":memory:");
  const manifest = await loadManifest();
  const common = { DENO_KV_PATH: ":memory:", KV_QUEUES: "false" };
  const dev = createApp({
    services: createServices(
      loadConfig({ ...common, APP_ENV: "development" }),
      kv,
      () => NOW,
    ),
    manifest: { ...manifest, css: "/assets/styles-dev.css" },
  });
  const prod = createApp({
    services: createServices(
      loadConfig({
        ...common,
        APP_ENV: "production",
        BASE_URL: "https://prep.example",
        RESEND_API_KEY: "re_test_key",
        STRIPE_SECRET_KEY: "sk_test_abc",
        STRIPE_WEBHOOK_SECRET: "whsec_abc",
      }),
      kv,
      () => NOW,
    ),
    manifest: { ...manifest, css: "/assets/styles-prod.css" },
  });
  const other = createApp({
    services: createServices(
      loadConfig({ ...common, APP_ENV: "test" }),
      kv,
      () => NOW,
    ),
    manifest: { ...manifest, css: "/assets/styles-other.css" },
  });

  const mailbox = await dev.request("/dev/mailbox");
  assert.equal(mailbox.status, 200);
  await mailbox.body?.cancel();
  const devHome = await fetchPage(dev, "/");
  assert.equal(xCache((await fetchPage(dev, "/")).res), "hit");
  assert.match(devHome.html, /styles-dev\.css/);

  const prodMailbox = await fetchPage(prod, "/dev/mailbox");
  assert.equal(prodMailbox.res.status, 404);
  assert.doesNotMatch(prodMailbox.html, /mailbox/i);
  for (let i = 0; i < 2; i++) {
    const home = await fetchPage(prod, "/");
    assert.match(home.html, /styles-prod\.css/);
    assert.doesNotMatch(home.html, /styles-dev\.css/);
    assert.equal(xCache(home.res), null, "no X-Cache in production");
    assert.equal(home.res.headers.get("cache-control"), PUBLIC_CACHE_CONTROL);
  }
  const first = await fetchPage(other, "/");
  assert.equal(xCache(first.res), "miss");
  assert.match(first.html, /styles-other\.css/);
  kv.close();
});

Deno.test("page cache: the budget bounds memory (least recently used out first); PAGE_CACHE_MB=0 turns it off", async () => {
  const probe = await withKitchen();
  const size = async (path: string) =>
    (await (await probe.t.request(path)).arrayBuffer()).byteLength;
  const largest = Math.max(await size("/"), await size("/cities/chicago"));
  probe.t.close();

  // Room for one page, not two.
  const mb = (largest + 2048) / (1024 * 1024);
  const t = await testApp(NOW, { PAGE_CACHE_MB: String(mb) });
  const host = await addHost(t.kv);
  await addKitchens(t.kv, host.id, [kitchenFixture()]);
  const seq: [string, string][] = [
    ["/", "miss"],
    ["/", "hit"],
    ["/cities/chicago", "miss"],
    ["/cities/chicago", "hit"],
    ["/", "miss"],
  ];
  for (const [path, expected] of seq) {
    const res = await t.request(path);
    await res.body?.cancel();
    assert.equal(xCache(res), expected, path);
  }
  t.close();

  const off = await testApp(NOW, { PAGE_CACHE_MB: "0" });
  for (let i = 0; i < 2; i++) {
    const res = await off.request("/");
    assert.equal(res.status, 200);
    await res.body?.cancel();
    assert.equal(xCache(res), null);
    assert.equal(res.headers.get("etag"), null);
    assert.notEqual(res.headers.get("cache-control"), PUBLIC_CACHE_CONTROL);
  }
  off.close();
});

Deno.test("page cache: PAGE_CACHE_MB defaults to 32 and refuses what is not a size", () => {
  const base = { APP_ENV: "test" };
  assert.equal(loadConfig(base).PAGE_CACHE_MB, 32);
  assert.equal(loadConfig({ ...base, PAGE_CACHE_MB: "0" }).PAGE_CACHE_MB, 0);
  assert.equal(
    loadConfig({ ...base, PAGE_CACHE_MB: "0.5" }).PAGE_CACHE_MB,
    0.5,
  );
  for (const bad of ["-1", "lots", "1e9"]) {
    assert.throws(
      () => loadConfig({ ...base, PAGE_CACHE_MB: bad }),
      /Invalid environment variable PAGE_CACHE_MB/,
    );
  }
});

Deno.test("page cache: the front door answers a keyed hit before Hono with the chain's headers, and passes on everything else", async () => {
  const { app, cache, security, close } = await miniApp();
  const front = (path: string, init?: RequestInit) =>
    cache.front(new Request(`http://localhost${path}`, init));
  try {
    assert.equal(front("/"), null, "a URL the chain has not keyed yet");
    const miss = await app.request("/");
    assert.equal(miss.headers.get("x-cache"), "miss");
    await miss.body?.cancel();
    const chainHit = await app.request("/");
    const frontHit = front("/");
    assert.ok(frontHit, "a keyed URL with a stored page");
    assert.equal(frontHit.headers.get("x-cache"), "hit");
    const body = await frontHit.text();
    assert.equal(body, await chainHit.text());
    // Stored as ASCII, the dash as a reference (lib/islands/server.ts asciiHtml).
    assert.match(body, /<title>Fine &#8211; kept/);
    assert.doesNotMatch(body, /[\u0080-\uffff]/);
    assert.match(await (await app.request("/")).text(), /render 1</);
    const headers = (res: Response) =>
      [...res.headers].filter(([name]) => name !== "content-security-policy");
    assert.deepEqual(headers(frontHit), headers(chainHit));
    for (const name of ["x-frame-options", "referrer-policy", "vary", "etag"]) {
      assert.ok(frontHit.headers.get(name), name);
    }
    assert.equal(frontHit.headers.get("cache-control"), PUBLIC_CACHE_CONTROL);
    // A page without scripts: no script may run, so no nonce, the same
    // policy from the front door and the chain.
    for (const res of [frontHit, chainHit]) {
      assert.equal(
        res.headers.get("content-security-policy"),
        security.scriptless,
      );
    }
    assert.match(security.scriptless, /script-src 'none';/);
    assert.doesNotMatch(security.scriptless, /nonce|strict-dynamic/);
    // Later hits are copies of one prepared response: one CSP header, the
    // same other headers and body.
    for (let i = 0; i < 3; i++) {
      const again = front("/")!;
      assert.equal(
        [...again.headers].filter(([n]) => n === "content-security-policy")
          .length,
        1,
      );
      assert.deepEqual([...again.headers], [...frontHit.headers]);
      assert.equal(await again.text(), body);
    }
    const head = front("/", { method: "HEAD" });
    assert.equal(head?.body, null);
    assert.equal(head?.headers.get("etag"), frontHit.headers.get("etag"));
    const conditional = front("/", {
      headers: { "If-None-Match": frontHit.headers.get("etag")! },
    });
    assert.equal(conditional?.status, 304);
    // Encoded copies of the one prepared response, twice each: the same page.
    for (
      const [coding, decode] of [["gzip", gunzipSync], [
        "br",
        brotliDecompressSync,
      ]] as const
    ) {
      for (let i = 0; i < 2; i++) {
        const encoded = front("/", { headers: { "Accept-Encoding": coding } });
        assert.equal(encoded?.headers.get("content-encoding"), coding);
        assert.equal(
          new TextDecoder().decode(decode(await encoded!.bytes())),
          body,
        );
      }
    }
    // Left to the chain: a session, a write, deflate alone, a URL not keyed.
    const passed: [string, RequestInit | undefined][] = [
      ["/", { headers: { Cookie: "theme=dark; prep_session=abc" } }],
      ["/", { method: "POST" }],
      ["/", { headers: { "Accept-Encoding": "deflate" } }],
      ["/?utm=1", undefined],
      ["/cities/chicago", undefined],
    ];
    for (const [path, init] of passed) {
      assert.equal(front(path, init), null, `${path} ${JSON.stringify(init)}`);
    }
    assert.match(
      await (await app.request("/")).text(),
      /render 1</,
      "every hit came from the one render",
    );
  } finally {
    close();
  }
});
