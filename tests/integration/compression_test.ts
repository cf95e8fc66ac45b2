import assert from "node:assert/strict";
import { loadManifest } from "../../lib/islands/manifest.ts";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { signUpConfirmed, staff } from "../account_helpers.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";

const ACCEPT = { "Accept-Encoding": "gzip, deflate, br" };
// Lighthouse's text-compression audit flags a text response it could shrink
// by 1.4 KB or more; the check here is stricter: no text over 1.4 KB unencoded.
const LIMIT = 1400;
const TEXT = /^(?:text\/|application\/(?:json|javascript|xml)|image\/svg)/;

function decode(bytes: Uint8Array, coding: string | null): Uint8Array {
  if (coding === "br") return new Uint8Array(brotliDecompressSync(bytes));
  if (coding === "gzip") return new Uint8Array(gunzipSync(bytes));
  assert.equal(coding, null);
  return bytes;
}

/** A gzipped response's text. */
async function gunzippedText(res: Response): Promise<string> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  return new TextDecoder().decode(decode(bytes, "gzip"));
}

type Fetcher = (
  path: string,
  init?: RequestInit,
) => Response | Promise<Response>;

/** GETs same-origin links from `start` on, breadth first: every text response's size and coding. */
async function crawl(
  request: Fetcher,
  start: string[],
  cookie?: string,
  max = 60,
): Promise<{ path: string; size: number; coding: string | null }[]> {
  const seen = new Set<string>(start);
  const queue = [...start];
  const out: { path: string; size: number; coding: string | null }[] = [];
  while (queue.length && out.length < max) {
    const path = queue.shift()!;
    const res = await request(path, {
      headers: { ...ACCEPT, ...(cookie ? { Cookie: cookie } : {}) },
    });
    const type = res.headers.get("content-type") ?? "";
    if (res.status !== 200 || !TEXT.test(type)) {
      await res.body?.cancel();
      continue;
    }
    const coding = res.headers.get("content-encoding");
    const body = decode(new Uint8Array(await res.arrayBuffer()), coding);
    out.push({ path, size: body.byteLength, coding });
    if (!type.startsWith("text/html")) continue;
    const html = new TextDecoder().decode(body);
    for (const m of html.matchAll(/(?:href|src)="(\/[^"#]*)"/g)) {
      const link = m[1].replaceAll("&amp;", "&");
      if (/logout|\/dev\//.test(link) || seen.has(link)) continue;
      seen.add(link);
      queue.push(link);
    }
  }
  return out;
}

function assertCompressed(
  responses: { path: string; size: number; coding: string | null }[],
) {
  const plain = responses.filter((r) => r.size > LIMIT && r.coding === null);
  assert.deepEqual(
    plain,
    [],
    "text sent uncompressed to a client that accepts gzip/br",
  );
}

Deno.test("compression: no text response over 1.4 KB goes out uncompressed, anonymous or signed in", async () => {
  const t = await testApp();
  const host = await addHost(t.kv);
  await addKitchens(t.kv, host.id, [kitchenFixture(), kitchenFixture()]);
  const anonymous = await crawl(t.request, ["/", "/search?city=chicago"]);
  assert.ok(anonymous.some((r) => r.path.startsWith("/kitchens/")));
  assert.ok(anonymous.some((r) => r.path.startsWith("/assets/")));
  assertCompressed(anonymous);

  const renter = await signUpConfirmed(t, "ada@example.com");
  const signedIn = await crawl(t.request, ["/", "/account"], renter.cookie);
  assert.ok(signedIn.some((r) => r.path === "/account"));
  assertCompressed(signedIn);

  const admin = await staff(t, "staff@example.com", "admin");
  const staffPages = await crawl(t.request, ["/admin"], admin);
  assert.ok(staffPages.some((r) => r.path === "/admin" && r.size > LIMIT));
  assertCompressed(staffPages);
  t.close();
});

Deno.test("compression: a signed-in page is gzipped on the fly and decodes to the same page", async () => {
  const t = await testApp();
  const { cookie } = await signUpConfirmed(t, "ada@example.com");
  const plain = await t.request("/account", { headers: { Cookie: cookie } });
  assert.equal(plain.headers.get("content-encoding"), null);
  const plainText = await plain.text();
  const res = await t.request("/account", {
    headers: { Cookie: cookie, ...ACCEPT },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-encoding"), "gzip");
  assert.match(res.headers.get("vary") ?? "", /Accept-Encoding/i);
  assert.equal(res.headers.get("content-length"), null);
  const html = new TextDecoder().decode(
    gunzipSync(new Uint8Array(await res.arrayBuffer())),
  );
  // Same page apart from the nonce and the CSRF token, which are per response.
  const strip = (s: string) =>
    s.replace(/nonce="[^"]+"/g, "").replace(/value="[A-Za-z0-9_-]{20,}"/g, "");
  assert.equal(strip(html), strip(plainText));
  // Its nonce is this response's: no cached page was mixed in.
  const nonce = /'nonce-([^']+)'/.exec(
    res.headers.get("content-security-policy")!,
  )![1];
  for (const m of html.matchAll(/nonce="([^"]+)"/g)) assert.equal(m[1], nonce);

  const head = await t.request("/account", {
    method: "HEAD",
    headers: { Cookie: cookie, ...ACCEPT },
  });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), "");
  t.close();
});

Deno.test("compression: HEAD of a page compressed on the fly carries the headers a GET sends, without a body", async () => {
  const t = await testApp();
  const { cookie } = await signUpConfirmed(t, "ada@example.com");
  const init = { headers: { Cookie: cookie, ...ACCEPT } };
  const get = await t.request("/account", init);
  await get.body?.cancel();
  const head = await t.request("/account", { ...init, method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-encoding"), "gzip");
  assert.equal(head.headers.get("content-length"), null);
  // Every header as GET's, apart from the per-response nonce.
  const fields = (r: Response) =>
    [...r.headers].filter(([k]) => k !== "content-security-policy");
  assert.deepEqual(fields(head), fields(get));
  assert.equal(await head.text(), "");
  t.close();
});

Deno.test("compression: built assets are served from their brotli and gzip copies, with Vary, Content-Length, ETag, HEAD and 304", async () => {
  const t = await testApp();
  const manifest = await loadManifest();
  const files = [
    manifest.css,
    manifest.boot,
    ...manifest.bootImports ?? [],
    ...Object.values(manifest.islands).map((i) => i.entry),
  ].map((f) => f.slice("/assets/".length));
  assert.ok(files.some((f) => f.endsWith(".css")));
  assert.ok(files.some((f) => f.endsWith(".js")));
  const larger: string[] = [];
  for (const file of new Set(files)) {
    const path = `/assets/${file}`;
    const identity = await t.request(path, {
      headers: { "Accept-Encoding": "identity" },
    });
    const original = new Uint8Array(await identity.arrayBuffer());
    assert.equal(identity.headers.get("content-encoding"), null);
    assert.equal(
      identity.headers.get("content-length"),
      String(original.byteLength),
    );
    // Tiny chunks have no copies (compression would not shrink them).
    if (original.byteLength < 1024) continue;
    larger.push(file);
    const etags = new Set([identity.headers.get("etag")]);
    for (
      const [accept, coding] of [
        ["gzip, deflate, br", "br"],
        ["gzip", "gzip"],
        ["br;q=0, gzip", "gzip"],
      ] as const
    ) {
      const res = await t.request(path, {
        headers: { "Accept-Encoding": accept },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-encoding"), coding, path);
      assert.equal(res.headers.get("vary"), "Accept-Encoding");
      assert.match(res.headers.get("cache-control")!, /immutable/);
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.equal(res.headers.get("content-length"), String(bytes.byteLength));
      assert.ok(bytes.byteLength < original.byteLength, path);
      assert.deepEqual(decode(bytes, coding), original, path);
      const etag = res.headers.get("etag")!;
      etags.add(etag);

      const head = await t.request(path, {
        method: "HEAD",
        headers: { "Accept-Encoding": accept },
      });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get("content-encoding"), coding);
      assert.equal(head.headers.get("etag"), etag);
      assert.equal(await head.text(), "");

      const again = await t.request(path, {
        headers: { "Accept-Encoding": accept, "If-None-Match": etag },
      });
      assert.equal(again.status, 304);
      assert.equal(again.headers.get("etag"), etag);
      assert.equal(again.headers.get("vary"), "Accept-Encoding");
      assert.equal(await again.text(), "");
    }
    // One validator per variant: a cache never answers br bytes for gzip.
    assert.equal(etags.size, 3);
  }
  assert.ok(larger.includes(manifest.css.slice("/assets/".length)));
  assert.ok(larger.includes(manifest.boot.slice("/assets/".length)));
  t.close();
});

Deno.test("compression: a page the client takes unencoded goes out as the route made it, with Vary, not copied over a stream", async () => {
  const { Hono } = await import("hono");
  const { compression } = await import("../../routes/compression.ts");
  const made: Response[] = [];
  const app = new Hono().use(compression()).get("/", (c) => {
    c.header("Vary", "Cookie");
    const res = c.html(`<p>${"menu ".repeat(1000)}</p>`);
    made.push(res);
    return res;
  });
  const plain = await app.request("/");
  assert.equal(plain, made[0]);
  assert.equal(plain.headers.get("vary"), "Cookie, Accept-Encoding");
  assert.equal(plain.headers.get("content-encoding"), null);
  assert.equal((await plain.text()).length, 5007);
  const encoded = await app.request("/", { headers: ACCEPT });
  assert.equal(encoded.headers.get("content-encoding"), "gzip");
  assert.equal(encoded.headers.get("vary"), "Cookie, Accept-Encoding");
  assert.equal((await gunzippedText(encoded)).length, 5007);
});

Deno.test("compression: an answer whose headers cannot change still gets Vary, with or without Accept-Encoding", async () => {
  const { Hono } = await import("hono");
  const { compression } = await import("../../routes/compression.ts");
  const page = `<p>${"menu ".repeat(400)}</p>`;
  // A fetched response's headers are immutable.
  const app = new Hono().use(compression()).get(
    "/",
    async () => await fetch(`data:text/html,${encodeURIComponent(page)}`),
  );
  const plain = await app.request("/");
  assert.equal(plain.headers.get("vary"), "Accept-Encoding");
  assert.equal(plain.headers.get("content-encoding"), null);
  assert.equal(await plain.text(), page);
  const encoded = await app.request("/", { headers: ACCEPT });
  assert.equal(encoded.headers.get("vary"), "Accept-Encoding");
  assert.equal(encoded.headers.get("content-encoding"), "gzip");
  assert.equal(await gunzippedText(encoded), page);
});
