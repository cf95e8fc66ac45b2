import { newId } from "../../lib/ids.ts";
import assert from "node:assert/strict";
import { putFile } from "../../lib/files/store.ts";
import { keys } from "../../lib/db/keys.ts";
import { setKitchenStatus, updateKitchen } from "../../lib/kitchens/repo.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";

Deno.test("pages: home lists new kitchens and cities and ships no script", async () => {
  const t = await testApp();
  const host = await addHost(t.kv);
  await addKitchens(t.kv, host.id, [
    kitchenFixture({ title: "Logan Square Bakehouse" }),
  ]);
  const res = await t.request("/");
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /Certified commercial kitchens, by the hour/);
  assert.match(html, /Logan Square Bakehouse/);
  assert.match(html, /Chicago<\/span>\s*<span[^>]*>1 kitchen</);
  assert.match(html, /How it works for hosts/);
  assert.doesNotMatch(html, /<script/);
  t.close();
});

Deno.test("pages: security headers carry a fresh nonce per response; a kept page without scripts lets none run", async () => {
  const t = await testApp();
  const a = await t.request("/help");
  const b = await t.request("/help");
  const csp = a.headers.get("content-security-policy") ?? "";
  assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.notEqual(csp, b.headers.get("content-security-policy"));
  assert.equal(a.headers.get("x-content-type-options"), "nosniff");
  assert.equal(
    a.headers.get("referrer-policy"),
    "strict-origin-when-cross-origin",
  );
  await b.body?.cancel();
  await a.body?.cancel();
  // The home page has no scripts and is kept for visitors (routes/page_cache.ts).
  for (let i = 0; i < 2; i++) {
    const home = await t.request("/");
    const policy = home.headers.get("content-security-policy") ?? "";
    assert.equal(
      policy,
      csp.replace(
        /script-src 'nonce-[^']+' 'strict-dynamic'/,
        "script-src 'none'",
      ),
    );
    assert.doesNotMatch(await home.text(), /<script/);
  }
  t.close();
});

Deno.test("pages: unknown paths get the custom 404 page", async () => {
  const t = await testApp();
  const res = await t.request("/no/such/page");
  assert.equal(res.status, 404);
  assert.match(
    await res.text(),
    /We couldn&#39;t find that page|We couldn't find that page/,
  );
  const api = await t.request("/api/nothing");
  assert.equal(api.status, 404);
  assert.deepEqual(await api.json(), { error: "Not found" });
  t.close();
});

Deno.test("pages: kitchen page shows details, policy and a hydrating availability island", async () => {
  const t = await testApp();
  const host = await addHost(t.kv, "Dana Ortiz");
  const [k] = await addKitchens(t.kv, host.id, [
    kitchenFixture({ title: "Pilsen Test Kitchen" }),
  ]);
  const res = await t.request(`/kitchens/${k.id}?date=2026-12-02`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /Pilsen Test Kitchen/);
  assert.match(html, /Hosted by Dana Ortiz\. Fits/);
  // A business name that ends in a stop keeps just the one.
  const co = await addHost(t.kv, "Borough Commissary Co.");
  const [k2] = await addKitchens(t.kv, co.id, [
    kitchenFixture({ title: "Borough Test Kitchen" }),
  ]);
  const coPage = await (await t.request(`/kitchens/${k2.id}`)).text();
  assert.match(coPage, /Hosted by Borough Commissary Co\. Fits/);
  assert.match(
    html,
    /Cancel at least 3 days before your booking starts for a full refund/,
  );
  assert.match(html, /Convection oven/);
  // Chicago opens 08:00 local; with a 2-hour minimum the last start is 18:00.
  assert.match(html, /8:00 AM/);
  assert.match(html, /6:00 PM/);
  assert.match(html, /<prep-island data-island="AvailabilityPicker"/);
  const nonce =
    /nonce-([^']+)'/.exec(res.headers.get("content-security-policy")!)![1];
  assert.match(
    html,
    new RegExp(
      `<script type="module" nonce="${nonce.replace(/[+/=]/g, "\\$&")}"`,
    ),
  );
  assert.doesNotMatch(
    html,
    /1 Test St/,
    "street address stays private until booked",
  );
  t.close();
});

Deno.test("pages: unknown, draft and suspended kitchens are 404", async () => {
  const t = await testApp();
  const host = await addHost(t.kv);
  const [draft] = await addKitchens(t.kv, host.id, [kitchenFixture()], "draft");
  const [suspended] = await addKitchens(
    t.kv,
    host.id,
    [kitchenFixture()],
    "suspended",
  );
  for (const id of ["01HZZZZZZZZZZZZZZZZZZZZZZZ", draft.id, suspended.id]) {
    const res = await t.request(`/kitchens/${id}`);
    assert.equal(res.status, 404);
    assert.match(await res.text(), /We could not find that kitchen/);
  }
  t.close();
});

Deno.test("pages: a hostile kitchen title is inert in HTML and island props", async () => {
  const t = await testApp();
  const host = await addHost(t.kv);
  const evil = "</script><script>window.pwned=1</script><!--";
  const [k] = await addKitchens(t.kv, host.id, [
    kitchenFixture({ title: evil }),
  ]);
  const html = await (await t.request(`/kitchens/${k.id}`)).text();
  assert.equal(html.split("<script>window.pwned").length, 1);
  assert.match(
    html,
    /\\u003c\/script\\u003e\\u003cscript\\u003ewindow\.pwned=1/,
  );
  t.close();
});

Deno.test("api: availability returns slots in the kitchen's zone; bad input is a 400", async () => {
  const t = await testApp();
  const host = await addHost(t.kv);
  const [k] = await addKitchens(t.kv, host.id, [kitchenFixture({
    address: { ...kitchenFixture().address, city: "los-angeles" },
    timeZone: "America/Los_Angeles",
    weeklyHours: [{ day: 3, start: "22:00", end: "06:00" }],
  })]);
  // 2026-12-02 is a Wednesday: the overnight range starts 22:00 local.
  const res = await t.request(
    `/api/kitchens/${k.id}/availability?date=2026-12-02`,
  );
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.timeZone, "America/Los_Angeles");
  assert.equal(body.slots[0].label, "10:00 PM");
  assert.equal(body.slots[0].start, "2026-12-03T06:00:00.000Z");
  assert.equal(body.slots[0].until, "6:00 AM");
  const bad = await t.request(`/api/kitchens/${k.id}/availability?date=banana`);
  assert.equal(bad.status, 400);
  assert.deepEqual((await bad.json()).issues, {
    date: "Use a date like 2026-12-31",
  });
  const missing = await t.request(
    `/api/kitchens/nope/availability?date=2026-12-02`,
  );
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
  t.close();
});

Deno.test("pages: city page has the local guide; unknown city is 404", async () => {
  const t = await testApp();
  const res = await t.request("/cities/chicago");
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /Shared Kitchen User license/);
  assert.match(html, /0 kitchens/);
  const unknown = await t.request("/cities/atlantis");
  assert.equal(unknown.status, 404);
  await unknown.body?.cancel();
  t.close();
});

Deno.test("photos: served with their type, long caching and a locked-down CSP", async () => {
  const t = await testApp();
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"></svg>';
  const id = newId();
  await putFile(t.kv, {
    id,
    bytes: new TextEncoder().encode(svg),
    contentType: "image/svg+xml",
  });
  const res = await t.request(`/photos/${id}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "image/svg+xml");
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.match(res.headers.get("content-security-policy")!, /sandbox/);
  assert.equal(await res.text(), svg);
  const missing = await t.request("/photos/nope");
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
  assert.equal((await t.kv.get(keys.file("nope"))).value, null);
  t.close();
});

Deno.test("assets: built files are immutable; path tricks are 404", async () => {
  const t = await testApp();
  const html = await (await t.request("/")).text();
  const css = /href="(\/assets\/styles-[^"]+\.css)"/.exec(html)![1];
  const res = await t.request(css);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("cache-control")!, /immutable/);
  assert.match(await res.text(), /prep-island\{display:contents\}/);
  for (
    const p of [
      "/assets/..%2Fdeno.json",
      "/assets/.hidden",
      "/static/..%2Fmain.ts",
    ]
  ) {
    const r = await t.request(p);
    assert.equal(r.status, 404, p);
    await r.body?.cancel();
  }
  t.close();
});

Deno.test("pages: a kitchen page opens on the next day with free hours", async () => {
  const t = await testApp();
  const host = await addHost(t.kv);
  // "now" is Tue 2026-12-01; this kitchen opens only on Fridays.
  const [k] = await addKitchens(t.kv, host.id, [
    kitchenFixture({ weeklyHours: [{ day: 5, start: "08:00", end: "20:00" }] }),
  ]);
  const html = await (await t.request(`/kitchens/${k.id}`)).text();
  assert.match(html, /start times on Fri, Dec 4/);
  t.close();
});

Deno.test("pages: an unexpected failure is the 500 page (JSON under /api), with no internals", async () => {
  const t = await testApp();
  t.close(); // every KV read now throws
  const errors: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args);
  try {
    const res = await t.request("/");
    assert.equal(res.status, 500);
    const html = await res.text();
    assert.match(html, /Something went wrong on our side/);
    assert.doesNotMatch(html, /Kv|stack|\.ts:/);
    const api = await t.request(
      `/api/kitchens/${newId()}/availability?date=2026-12-02`,
    );
    assert.equal(api.status, 500);
    assert.deepEqual(await api.json(), {
      error: "Please try again in a moment.",
    });
  } finally {
    console.error = original;
  }
  assert.equal(errors.length, 2, "each failure is logged once on the server");
});

Deno.test("pages: a kitchen page shows an edit or suspension at once, despite the read cache", async () => {
  const t = await testApp();
  const host = await addHost(t.kv);
  const [k] = await addKitchens(t.kv, host.id, [
    kitchenFixture({ title: "Before The Edit" }),
  ]);
  assert.match(
    await (await t.request(`/kitchens/${k.id}`)).text(),
    /Before The Edit/,
  );
  await updateKitchen(t.kv, k.id, (x) => ({ ...x, title: "After The Edit" }));
  const html = await (await t.request(`/kitchens/${k.id}`)).text();
  assert.match(html, /After The Edit/);
  assert.doesNotMatch(html, /Before The Edit/);
  await setKitchenStatus(t.kv, k.id, "suspended");
  const gone = await t.request(`/kitchens/${k.id}`);
  assert.equal(gone.status, 404);
  await gone.body?.cancel();
  t.close();
});

Deno.test("pages: text is escaped exactly once on every page (no double escaping from precompiled JSX)", async () => {
  const t = await testApp();
  const host = await addHost(t.kv, "Salt & Co <Hosts>");
  const [k] = await addKitchens(t.kv, host.id, [
    kitchenFixture({
      title: "Salt & Pepper <Kitchen>",
      rules: ["Bring your own pans & pots"],
    }),
  ]);
  for (
    const path of [
      "/",
      "/search?city=chicago",
      "/cities/chicago",
      `/kitchens/${k.id}`,
    ]
  ) {
    const html = await (await t.request(path)).text();
    assert.match(html, /Salt &amp; Pepper &lt;Kitchen>/, path);
    assert.doesNotMatch(html, /&amp;(amp|lt|gt|quot|#\d+);/, path);
  }
  const page = await (await t.request(`/kitchens/${k.id}`)).text();
  assert.match(page, /Bring your own pans &amp; pots/);
  assert.match(page, /Salt &amp; Co &lt;Hosts>/);
  t.close();
});
