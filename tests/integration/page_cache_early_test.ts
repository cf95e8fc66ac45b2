import assert from "node:assert/strict";
import { signUpConfirmed } from "../account_helpers.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";

const ACCEPT = { "Accept-Encoding": "gzip, br" };

/** Header names and values, with what differs per response by design blanked. */
function headerSet(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of res.headers) {
    if (name === "x-cache" || name === "content-length") continue;
    out[name] = name === "content-security-policy"
      ? value.replace(/'nonce-[^']+'/, "'nonce-*'")
      : value;
  }
  return out;
}

/** The nonce a response's CSP allows and those on its page's scripts. */
async function nonces(res: Response) {
  const header = /'nonce-([^']+)'/.exec(
    res.headers.get("content-security-policy") ?? "",
  )?.[1];
  const raw = res.body ?? new Response("").body!;
  const body = res.headers.get("content-encoding") === "gzip"
    ? raw.pipeThrough(new DecompressionStream("gzip"))
    : raw;
  const html = await new Response(body).text();
  return {
    header,
    body: [...html.matchAll(/nonce="([^"]*)"/g)].map((m) => m[1]),
  };
}

Deno.test("early page cache: a hit carries every header the full chain sends on a miss", async () => {
  // A fresh app per encoding, so each path's first request is a miss.
  for (const accept of [ACCEPT, { "Accept-Encoding": "identity" }]) {
    const t = await testApp();
    const host = await addHost(t.kv);
    const [k] = await addKitchens(t.kv, host.id, [kitchenFixture()]);
    const paths = [
      "/",
      "/search?city=chicago",
      `/kitchens/${k.id}`,
      "/cities/chicago",
    ];
    for (const path of paths) {
      const miss = await t.request(path, { headers: accept });
      const hit = await t.request(path, { headers: accept });
      assert.equal(miss.headers.get("x-cache"), "miss", path);
      assert.equal(hit.headers.get("x-cache"), "hit", path);
      assert.deepEqual(headerSet(hit), headerSet(miss), path);
      for (
        const name of [
          "content-security-policy",
          "x-content-type-options",
          "referrer-policy",
          "x-frame-options",
          "cache-control",
          "vary",
        ]
      ) assert.ok(hit.headers.get(name), `${path} ${name}`);
      const csp = (res: Response) =>
        res.headers.get("content-security-policy") ?? "";
      if (path.startsWith("/kitchens/")) {
        // A page with scripts: each response has its own nonce, in its
        // header and on its scripts alike, though hits share their headers.
        assert.match(csp(hit), /'nonce-/);
        assert.notEqual(csp(hit), csp(miss));
        const again = await t.request(path, { headers: accept });
        const [first, second] = [
          await nonces(hit.clone()),
          await nonces(again),
        ];
        assert.notEqual(first.header, second.header);
        for (const n of [first, second]) {
          assert.ok(n.body.length > 0);
          assert.ok(n.body.every((b) => b === n.header), path);
        }
      } else {
        // No scripts: none may run, and no nonce is needed.
        assert.match(csp(hit), /script-src 'none';/);
        assert.equal(csp(hit), csp(miss));
      }
      await miss.body?.cancel();
      await hit.body?.cancel();
    }
    t.close();
  }
});

Deno.test("early page cache: a request with a session cookie never gets a cached page", async () => {
  const t = await testApp();
  const host = await addHost(t.kv);
  await addKitchens(t.kv, host.id, [kitchenFixture()]);
  const warm = await t.request("/search?city=chicago");
  await warm.body?.cancel();
  const hit = await t.request("/search?city=chicago");
  assert.equal(hit.headers.get("x-cache"), "hit");
  await hit.body?.cancel();
  const { cookie } = await signUpConfirmed(t, "ada@example.com");
  for (const c of [cookie, "prep_session=not-a-real-one"]) {
    const res = await t.request("/search?city=chicago", {
      headers: { Cookie: c, ...ACCEPT },
    });
    assert.equal(res.status, 200);
    assert.notEqual(res.headers.get("x-cache"), "hit");
    assert.match(res.headers.get("cache-control") ?? "", /private|no-store/);
    await res.body?.cancel();
  }
  t.close();
});

Deno.test("early page cache: HEAD and If-None-Match behave on a hit as on a miss", async () => {
  const t = await testApp();
  const warm = await t.request("/cities/chicago", { headers: ACCEPT });
  const etag = warm.headers.get("etag");
  await warm.body?.cancel();
  const head = await t.request("/cities/chicago", {
    method: "HEAD",
    headers: ACCEPT,
  });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("x-cache"), "hit");
  assert.equal(await head.text(), "");
  if (etag) {
    const again = await t.request("/cities/chicago", {
      headers: { ...ACCEPT, "If-None-Match": etag },
    });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get("etag"), etag);
    assert.ok(again.headers.get("content-security-policy"));
    assert.equal(await again.text(), "");
  }
  t.close();
});
